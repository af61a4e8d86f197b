// Each test gets its own session (team, key, base URL): they run concurrently on one mock.
import { expect, test } from 'recotap-mock/vitest';
import { pushAccounts } from '../src/sync.js';

test.concurrent('pushes CRM accounts with their contract value into the Q2 segment', async ({ recotap }) => {
  await recotap.addCustomField('Contract Value', 'number'); // key CONTRACT_VALUE_C
  await recotap.addSegment('Q2 Target Accounts', { segmentId: 'seg-001' });
  await recotap.expect({ method: 'POST', path: '/accounts', times: 1 }); // verified when the test ends

  const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'https://www.Acme.com/', name: 'Acme Corp', contractValue: 120000 }], 'seg-001');

  expect(summary).toEqual({ total: 1, created: 1, updated: 0, failed: 0 });
  const acme = await recotap.accountByDomain('acme.com');
  expect(acme?.customFields.CONTRACT_VALUE_C).toBe(120000);
  expect(await recotap.segmentMembers('seg-001')).toEqual([acme?.rtp_aid]);
  await recotap.assertNoClientErrors();
});

test.concurrent('updates an account that exists (upsert)', async ({ recotap }) => {
  await recotap.addAccount('acme.com', 'Acme');

  const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme Corporation' }]);

  expect(summary.updated).toBe(1);
  expect((await recotap.accounts()).map((account) => account.name)).toEqual(['Acme Corporation']);
});

test.concurrent('sees only its own session', async ({ recotap }) => {
  await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme' }]);
  expect((await recotap.accounts()).map((account) => account.domain)).toEqual(['acme.com']);
  expect(recotap.baseUrl).toBe(`${recotap.url}/s/${recotap.team}/api/v1`);
});
