'use strict';
// recotap-mock/jest/setup: a Jest globalSetup module (`globalSetup: 'recotap-mock/jest/setup'`).
// Starts one recotap-mock binary for the whole run (or uses the one RECOTAP_MOCK_URL names) and
// hands its URL to the tests through process.env.RECOTAP_MOCK_URL: global setup runs in Jest's
// parent process, whose environment the test workers inherit, while its globals reach only
// globalTeardown (recotap-mock/jest/teardown), which stops the binary.

const { startRunMock, URL_VARIABLE } = require('../lib/test-session.cjs');

const RUN_MOCK = Symbol.for('recotap-mock.jest.run-mock');

module.exports = async function recotapMockGlobalSetup() {
  const mock = await startRunMock();
  process.env[URL_VARIABLE] = mock.url;
  globalThis[RUN_MOCK] = mock;
};
module.exports.RUN_MOCK = RUN_MOCK;
