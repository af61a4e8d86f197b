'use strict';
// recotap-mock/jest/teardown: a Jest globalTeardown module (`globalTeardown:
// 'recotap-mock/jest/teardown'`): stops the binary recotap-mock/jest/setup started.

const { RUN_MOCK } = require('./setup.cjs');

module.exports = async function recotapMockGlobalTeardown() {
  const mock = globalThis[RUN_MOCK];
  delete globalThis[RUN_MOCK];
  if (mock) await mock.stop();
};
