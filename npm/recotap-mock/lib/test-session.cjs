'use strict';
// What the test-runner helpers (recotap-mock/vitest, recotap-mock/jest) share: which mock their
// sessions live on, and how a test's session ends: verified when the test passed, its report
// put into the output when it failed, deleted either way.

const { RecotapMock } = require('./mock.cjs');

/** The variable through which a run's mock reaches its tests (and names a mock to use). */
const URL_VARIABLE = 'RECOTAP_MOCK_URL';
const TOKEN_VARIABLE = 'RECOTAP_MOCK_ADMIN_TOKEN';

/**
 * The mock a run's global setup provides: started here, or the one RECOTAP_MOCK_URL names
 * (a container, a shared CI service), with RECOTAP_MOCK_ADMIN_TOKEN. Resolves to
 * `{ url, adminToken, stop }`.
 */
async function startRunMock(environment = process.env) {
  const existing = environment[URL_VARIABLE];
  if (existing) {
    return { url: existing, adminToken: environment[TOKEN_VARIABLE] || null, stop: async () => {} };
  }
  const mock = await RecotapMock.start();
  return { url: mock.url, adminToken: null, stop: () => mock.stop() };
}

/** The section a failed test's output gets. */
function reportSection(session, report) {
  return `recotap-mock report (session ${session.team}, base URL ${session.baseUrl}):\n${report}`;
}

/** The session's report, or why it could not be read: a report must never hide the test's own failure. */
async function readReport(session) {
  try {
    return await session.report();
  } catch (error) {
    return `(the report could not be read: ${error.message})`;
  }
}

/**
 * Ends a test's session. `outcome`: `pass`, `fail` or `skip` (anything else the test runner
 * says: neither verified nor reported). Verifies the session's expectations after a pass;
 * reads the report after a failure or a failed verification; deletes the session. Resolves to
 * `{ report, verifyError }`: `report` the section for the output (null when there is none to
 * show), `verifyError` an unmet expectation's RecotapMockAssertionError, the report added to it.
 */
async function endSession(session, { outcome }) {
  let verifyError = null;
  let report = null;
  try {
    if (outcome === 'pass') {
      try {
        await session.verify();
      } catch (error) {
        verifyError = error;
      }
    }
    if (outcome === 'fail' || verifyError) report = reportSection(session, await readReport(session));
  } finally {
    await session.close().catch((error) => {
      // A session that cannot be deleted fails a passing test; a failing one keeps its own error.
      if (outcome === 'pass' && !verifyError) throw error;
    });
  }
  if (verifyError) withSection(verifyError, report);
  return { report, verifyError };
}

/** `error` with `text` added to its message (and to its stack, where runners read it). */
function withSection(error, text) {
  if (!(error instanceof Error)) return new Error(`${String(error)}\n\n${text}`);
  // The stack first: V8 formats it on its first reading, with the message of that moment.
  const stack = error.stack;
  const before = error.message;
  error.message = `${before.trimEnd()}\n\n${text}`;
  if (typeof stack === 'string') {
    const at = before ? stack.indexOf(before) : -1;
    error.stack = at >= 0 ? stack.slice(0, at) + error.message + stack.slice(at + before.length) : `${stack}\n\n${text}`;
  }
  return error;
}

module.exports = { URL_VARIABLE, TOKEN_VARIABLE, startRunMock, endSession, withSection };
