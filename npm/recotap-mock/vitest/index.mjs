// recotap-mock/vitest: Vitest's `test`, extended with a `recotap` fixture: a fresh session (its
// own team, key, base URL, journal, faults and clock) on the run's mock, so tests run in
// parallel without seeing each other. When the test ends, the session's expectations are
// verified (a test that passed fails on an unmet one); a test that failed gets the session's
// report as one more error in its output; a skipped test is left as it is; the session is then
// deleted.
//
// That happens in an onTestFinished hook the fixture registers: it runs once the test and every
// fixture's teardown are done, so the outcome (task.result.state) is final, and an error thrown
// there joins the test's errors, which every reporter prints with the failure. (Annotations
// cannot be added once the test body has ended; an error thrown from the fixture's own
// teardown is recorded twice by Vitest 4.1.)
import { inject, test as baseTest } from 'vitest';
import { RecotapMock } from '../index.mjs';
import testSession from '../lib/test-session.cjs';

export * from 'vitest';

/** The error that carries a failed test's report into its output. */
class RecotapMockReport extends Error {
  constructor(text) {
    super(text);
    this.name = 'RecotapMockReport';
    this.stack = `${this.name}: ${text}`; // no frames: the report is the whole point
  }
}

function runMock() {
  const url = inject('recotapMockUrl') ?? process.env[testSession.URL_VARIABLE];
  if (!url) {
    throw new Error(
      "recotap-mock: the `recotap` fixture has no mock: add globalSetup: ['recotap-mock/vitest/setup'] " +
        'to the test options of your Vitest config, or set RECOTAP_MOCK_URL to a running mock',
    );
  }
  const adminToken = inject('recotapMockAdminToken') ?? process.env[testSession.TOKEN_VARIABLE] ?? undefined;
  return RecotapMock.connect(url, { adminToken: adminToken || undefined });
}

export const test = baseTest.extend({
  recotap: async ({ task, onTestFinished }, use) => {
    const session = await runMock().session();
    onTestFinished(async () => {
      const state = task.result?.state;
      const outcome = state === 'fail' ? 'fail' : state === 'pass' ? 'pass' : 'skip';
      const { report, verifyError } = await testSession.endSession(session, { outcome });
      if (verifyError) throw verifyError;
      if (outcome === 'fail') throw new RecotapMockReport(report);
    });
    await use(session);
  },
});

export const it = test;
