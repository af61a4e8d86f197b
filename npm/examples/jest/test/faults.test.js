// Faults are per session: each test breaks its own world only.
const { recotapSession } = require('recotap-mock/jest');
const { pushAccounts } = require('../src/sync');

test.concurrent(
  'retries once after a 503',
  recotapSession(async (recotap) => {
    await recotap.addFault({ kind: 'status', status: 503, method: 'POST', path: '/accounts', times: 1 });

    const summary = await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme' }]);

    expect(summary.created).toBe(1);
    expect((await recotap.requests({ path: '/accounts' })).map((entry) => entry.status)).toEqual([503, 200]);
  }),
);

test.concurrent(
  'waits for Retry-After after a 429',
  recotapSession(async (recotap) => {
    await recotap.addFault({ kind: 'rateLimit', retryAfter: 1, times: 1 });
    const started = Date.now();

    await pushAccounts(recotap.baseUrl, recotap.apiKey, [{ domain: 'acme.com', name: 'Acme' }]);

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(await recotap.accountByDomain('acme.com')).not.toBeNull();
  }),
);

test.concurrent(
  "a wrong key is this session's 401",
  recotapSession(async (recotap) => {
    await expect(pushAccounts(recotap.baseUrl, 'not-the-key', [{ domain: 'acme.com', name: 'Acme' }])).rejects.toThrow('401');
    expect((await recotap.requests({ status: '4xx' })).map((entry) => entry.status)).toEqual([401]);
  }),
);
