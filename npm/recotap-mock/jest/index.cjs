'use strict';
// recotap-mock/jest: recotapSession(fn) makes a Jest test function that runs `fn` with a fresh
// session (its own team, key, base URL, journal, faults and clock) on the run's mock, so tests
// run in parallel (across workers, and with test.concurrent) without seeing each other.
//
// The helper wraps the test's own function, so it sees the test's failure without Jest
// internals (no custom environment, reporter or circus event): when `fn` throws or rejects,
// the session's report is added to that error's message and stack, which Jest prints as the
// failure; when `fn` passes, the session's expectations are verified (an unmet one fails the
// test, with the report). The session is deleted either way. A failure in your own afterEach
// hooks happens after the session is gone, and carries no report.

const { RecotapMock } = require('../lib/mock.cjs');
const { URL_VARIABLE, TOKEN_VARIABLE, endSession, withSection } = require('../lib/test-session.cjs');

function runMock() {
  const url = process.env[URL_VARIABLE];
  if (!url) {
    throw new Error(
      "recotap-mock: recotapSession() has no mock: add globalSetup: 'recotap-mock/jest/setup' and " +
        "globalTeardown: 'recotap-mock/jest/teardown' to your Jest config, or set RECOTAP_MOCK_URL to a running mock",
    );
  }
  return RecotapMock.connect(url, { adminToken: process.env[TOKEN_VARIABLE] || undefined });
}

/**
 * `test('name', recotapSession(async (recotap) => { ... }))`. `options` (first, optional) are
 * the session's: `{ frozenClock, idSeed, profile }`. Arguments Jest passes (test.each's row)
 * follow the session.
 */
function recotapSession(options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options];
  if (typeof fn !== 'function') throw new TypeError('recotapSession(fn): fn must be the test function, (recotap) => ...');
  // No declared parameters: Jest would take one for a `done` callback.
  return async function withRecotapSession(...args) {
    const session = await runMock().session(options);
    let failure;
    let failed = false;
    try {
      await fn.call(this, session, ...args);
    } catch (error) {
      failure = error;
      failed = true;
    }
    const { report, verifyError } = await endSession(session, { outcome: failed ? 'fail' : 'pass' });
    if (failed) throw withSection(failure, report);
    if (verifyError) throw verifyError;
  };
}

module.exports = { recotapSession };
