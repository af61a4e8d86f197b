// Deliberately failing (kept out of `npm test`; run with `npm run test:failing`): the output of
// each failure ends with the session's report, which says what the mock saw and refused.
import { expect, test } from 'recotap-mock/vitest';
import { pushAccounts } from '../src/sync.js';

test('pushes an account without a domain', async ({ recotap }) => {
  const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: '', name: 'Nameless' }]);
  expect(summary.created).toBe(1);
});

test('expects a deal that never comes', async ({ recotap }) => {
  await recotap.expect({ method: 'POST', path: '/deals', times: 1 });
  await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme' }]);
});
