// Each test gets its own session (team, key, base URL): files run in parallel workers, and
// test.concurrent tests at once within a file, on one mock.
const { recotapSession } = require('recotap-mock/jest');
const { pushAccounts } = require('../src/sync');

test.concurrent(
  'pushes CRM accounts with their contract value into the Q2 segment',
  recotapSession(async (recotap) => {
    await recotap.addCustomField('Contract Value', 'number'); // key CONTRACT_VALUE_C
    await recotap.addSegment('Q2 Target Accounts', { segmentId: 'seg-001' });
    await recotap.expect({ method: 'POST', path: '/accounts', times: 1 }); // verified when the test ends

    const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'https://www.Acme.com/', name: 'Acme Corp', contractValue: 120000 }], 'seg-001');

    expect(summary).toEqual({ total: 1, created: 1, updated: 0, failed: 0 });
    const acme = await recotap.accountByDomain('acme.com');
    expect(acme.customFields.CONTRACT_VALUE_C).toBe(120000);
    expect(await recotap.segmentMembers('seg-001')).toEqual([acme.rtp_aid]);
    await recotap.assertNoClientErrors();
  }),
);

test.concurrent(
  'updates an account that exists (upsert)',
  recotapSession(async (recotap) => {
    await recotap.addAccount('acme.com', 'Acme');

    const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme Corporation' }]);

    expect(summary.updated).toBe(1);
    expect((await recotap.accounts()).map((account) => account.name)).toEqual(['Acme Corporation']);
  }),
);

test.concurrent.each([['acme.com'], ['globex.com']])(
  'sees only its own session (%s)',
  recotapSession(async (recotap, domain) => {
    await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain, name: domain }]);
    expect((await recotap.accounts()).map((account) => account.domain)).toEqual([domain]);
    expect(recotap.baseUrl).toBe(`${recotap.url}/s/${recotap.team}/api/v1`);
  }),
);
