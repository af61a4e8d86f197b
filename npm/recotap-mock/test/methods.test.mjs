// Every method of RecotapMock against a real binary: seeding, inspection, faults, clock,
// profile, state, sessions, verification, and the admin API's refusals as RecotapMockError.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RecotapMock, RecotapMockError } from '../index.mjs';
import { api, binaryUnderTest, request } from './support.mjs';

let mock;
before(async () => {
  mock = await RecotapMock.start({ binary: binaryUnderTest() });
});
after(() => mock?.stop());

describe('a started mock', () => {
  test('has a loopback root, the API under it, the default key and a process', () => {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(mock.baseUrl, `${mock.url}/api/v1`);
    assert.equal(mock.apiKey, 'test-api-key');
    assert.equal(mock.team, null);
    assert.equal(typeof mock.pid, 'number');
  });
});

describe('seeding and inspection', () => {
  test('custom fields, positional and as one object', async () => {
    const s = await mock.session();
    const field = await s.addCustomField('Contract Value', 'number');
    assert.equal(field.key, 'CONTRACT_VALUE_C');
    await s.addCustomField({ label: 'Tier', labelType: 'singleSelection', options: ['A', 'B'], key: 'TIER_C' });
    const fields = await s.customFields();
    assert.deepEqual(fields.map((f) => f.key), ['CONTRACT_VALUE_C', 'TIER_C']);
    assert.deepEqual(fields[1].options, ['A', 'B']);
    await s.close();
  });

  test('segments and their members', async () => {
    const s = await mock.session();
    const segment = await s.addSegment('Q2 Targets', { segmentId: 'seg-001' });
    assert.deepEqual(segment, { segmentId: 'seg-001', name: 'Q2 Targets', type: 'static', status: 'active', members: [] });
    await s.addSegment({ name: 'Drafts', status: 'draft', segmentId: 'seg-002' });
    const pushed = await api(s, 'POST', '/accounts', { segmentId: 'seg-001', accounts: [{ domain: 'acme.com', name: 'Acme' }] });
    assert.equal(pushed.status, 200);
    const acme = await s.accountByDomain('acme.com');
    assert.deepEqual(await s.segmentMembers('seg-001'), [acme.rtp_aid]);
    assert.equal((await s.segment('seg-002')).status, 'draft');
    await s.close();
  });

  test('accounts: added, found by cleaned domain and by id, null when absent', async () => {
    const s = await mock.session();
    const acme = await s.addAccount('https://www.Acme.com/', 'Acme Corp', { externalId: 'crm-1', rtp_account_score: 78 });
    assert.equal(acme.domain, 'acme.com');
    assert.equal(acme.externalId, 'crm-1');
    assert.equal(acme.rtp_account_score, 78);
    await s.addAccount({ domain: 'globex.com', name: 'Globex', tags: ['x'] });
    assert.deepEqual((await s.accounts()).map((a) => a.domain).sort(), ['acme.com', 'globex.com']);
    assert.equal((await s.accountByDomain('WWW.ACME.COM')).rtp_aid, acme.rtp_aid);
    assert.equal((await s.account(acme.rtp_aid)).name, 'Acme Corp');
    assert.equal(await s.accountByDomain('nowhere.com'), null);
    assert.equal(await s.account('000000000000000000000000'), null);
    await s.close();
  });

  test('setScores changes the vendor fields; an unknown domain is a 404', async () => {
    const s = await mock.session();
    await s.addAccount('acme.com', 'Acme');
    const updated = await s.setScores('acme.com', { rtp_account_score: 91, rtp_journey_stage: 'Aware' });
    assert.equal(updated.rtp_account_score, 91);
    assert.equal(updated.rtp_journey_stage, 'Aware');
    await assert.rejects(s.setScores('nowhere.com', { rtp_account_score: 1 }), { name: 'RecotapMockError', status: 404 });
    await s.close();
  });

  test('addApiKey issues a key of the session team that the API accepts', async () => {
    const s = await mock.session();
    const issued = await s.addApiKey('extra-key', { team: s.team });
    assert.deepEqual(issued, { key: 'extra-key', team: s.team });
    const generated = await s.addApiKey({ team: s.team, user: 'u1' });
    assert.equal(generated.team, s.team);
    const answer = await api({ baseUrl: `${s.url}/api/v1`, apiKey: 'extra-key' }, 'GET', '/segments');
    assert.equal(answer.status, 200);
    await s.close();
  });

  test('deals, pipelines and activities pushed through the API', async () => {
    const s = await mock.session();
    assert.deepEqual([await s.deals(), await s.pipelines(), await s.activities()], [[], [], []]);
    await api(s, 'POST', '/deals', { deals: [{ externalDealId: 'd-1', name: 'Big deal', amount: 10 }] });
    await api(s, 'POST', '/deal-stages', { pipelines: [{ pipelineId: 'p-1', pipelineLabel: 'SMB', stages: [{ stageId: 's-1', stageLabel: 'New' }] }] });
    const activity = { externalActivityId: 'a-1', activityType: 'call', occurredAt: '2026-01-02T03:04:05Z', domain: 'acme.com', ownerEmail: 'o@x.com', contacts: [{ email: 'c@acme.com' }] };
    await api(s, 'POST', '/sales-activities', { activities: [activity] });
    assert.equal((await s.deals())[0].externalDealId, 'd-1');
    assert.equal((await s.pipelines())[0].pipelineId, 'p-1');
    assert.equal((await s.activities())[0].externalActivityId, 'a-1');
    await s.close();
  });

  test('the journal, filtered, and emptied', async () => {
    const s = await mock.session();
    await api(s, 'GET', '/segments');
    await api(s, 'POST', '/accounts', { accounts: [{ domain: '', name: 'x' }] });
    const all = await s.requests();
    assert.deepEqual(all.map((e) => [e.method, e.path, e.status]), [['GET', '/api/v1/segments', 200], ['POST', '/api/v1/accounts', 400]]);
    assert.deepEqual((await s.requests({ status: '4xx' })).map((e) => e.path), ['/api/v1/accounts']);
    assert.deepEqual((await s.requests({ method: 'GET', limit: 1 })).map((e) => e.path), ['/api/v1/segments']);
    await s.clearRequests();
    assert.deepEqual(await s.requests(), []);
    await s.close();
  });
});

describe('faults and the clock', () => {
  test('a fault with method and path beside kind hits only its route, is listed, and cleared', async () => {
    const s = await mock.session();
    const id = await s.addFault({ kind: 'status', status: 503, method: 'GET', path: '/segments', times: 1 });
    assert.equal(typeof id, 'number');
    const listed = await s.faults();
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0].match.path !== undefined, true);
    assert.equal((await api(s, 'GET', '/accounts')).status, 200);
    assert.equal((await api(s, 'GET', '/segments')).status, 503);
    assert.equal((await api(s, 'GET', '/segments')).status, 200);
    await s.addFault({ kind: 'rateLimit', retryAfter: 2, match: { path: '/accounts' } });
    assert.equal((await api(s, 'GET', '/accounts')).status, 429);
    await s.clearFaults();
    assert.deepEqual(await s.faults(), []);
    assert.equal((await api(s, 'GET', '/accounts')).status, 200);
    await s.close();
  });

  test('freeze, advance and unfreeze a session clock', async () => {
    const s = await mock.session();
    assert.equal(await s.freezeClock('2026-01-01T00:00:00Z'), '2026-01-01T00:00:00.000Z');
    assert.equal(await s.advanceClock(1500), '2026-01-01T00:00:01.500Z');
    assert.equal(await s.freezeClock(new Date('2026-02-01T00:00:00Z')), '2026-02-01T00:00:00.000Z');
    const account = await s.addAccount('acme.com', 'Acme');
    assert.equal(account.createdAt, '2026-02-01T00:00:00.000Z');
    const now = Date.parse(await s.unfreezeClock());
    assert.ok(Math.abs(now - Date.now()) < 60_000);
    await s.close();
  });

  test('setProfile answers the profile in force', async () => {
    const s = await mock.session();
    assert.equal(await s.setProfile('sandbox'), 'sandbox');
    assert.equal(await s.setProfile('documented'), 'documented');
    await assert.rejects(s.setProfile('nonsense'), { status: 400 });
    await s.close();
  });
});

describe('sessions', () => {
  test('have their own key, base URL and world, and are gone once closed', async () => {
    const [a, b] = await Promise.all([mock.session(), mock.session({ idSeed: 7 })]);
    assert.notEqual(a.team, b.team);
    assert.notEqual(a.apiKey, b.apiKey);
    assert.equal(a.baseUrl, `${mock.url}/s/${a.team}/api/v1`);
    await a.addAccount('acme.com', 'Acme');
    assert.equal(await b.accountByDomain('acme.com'), null);
    // A wrong key under the session's own base URL is that session's 401.
    await api({ baseUrl: a.baseUrl, apiKey: 'wrong' }, 'GET', '/accounts');
    assert.deepEqual((await a.requests()).map((e) => e.status), [401]);
    await a.reset();
    assert.deepEqual(await a.accounts(), []);
    const team = a.team;
    await a.close();
    assert.equal((await request('GET', `${mock.url}/_mock/accounts?team=${team}`)).status, 404);
    const gone = await api({ baseUrl: `${mock.url}/s/${team}/api/v1`, apiKey: 'x' }, 'GET', '/accounts');
    assert.equal(gone.status, 404);
    await b.close();
  });

  test('frozenClock starts a session at that time', async () => {
    const s = await mock.session({ frozenClock: '2025-05-05T05:05:05Z' });
    assert.equal((await s.addAccount('acme.com', 'Acme')).createdAt, '2025-05-05T05:05:05.000Z');
    await s.close();
  });
});

describe('verification', () => {
  test('expect, verify and clearExpectations', async () => {
    const s = await mock.session();
    const id = await s.expect({ method: 'POST', path: '/accounts', times: 1 });
    assert.equal(typeof id, 'number');
    await assert.rejects(s.verify(), (error) => error.name === 'RecotapMockAssertionError' && /expectations not met/.test(error.message) && /exactly once/.test(error.message));
    await api(s, 'POST', '/accounts', { accounts: [{ domain: 'acme.com', name: 'Acme' }] });
    await s.verify();
    await s.expect({ path: '/deals', atLeast: 1 });
    await assert.rejects(s.verify());
    await s.clearExpectations();
    await s.verify();
    await s.close();
  });

  test('assertNoClientErrors lists each 4xx with its rule; report summarizes', async () => {
    const s = await mock.session();
    await s.assertNoClientErrors();
    await api(s, 'POST', '/accounts', { accounts: [{ domain: '', name: 'x' }] });
    await assert.rejects(s.assertNoClientErrors(), (error) => error.name === 'RecotapMockAssertionError' && /1 client error\(s\):\n {2}POST \/api\/v1\/accounts → 400 domain should not be empty/.test(error.message));
    const report = await s.report();
    assert.match(report, /^recotap-mock report: 1 request\(s\)/);
    assert.match(report, /POST \/api\/v1\/accounts → 400 domain should not be empty/);
    await s.close();
  });
});

describe('the whole state', () => {
  test('state, restore and reset', async () => {
    const own = await RecotapMock.start({ binary: binaryUnderTest(), apiKey: 'own-key' });
    try {
      assert.equal(own.apiKey, 'own-key');
      await own.addAccount('acme.com', 'Acme');
      const document = await own.state();
      assert.equal(document.teams[0].accounts[0].domain, 'acme.com');
      assert.deepEqual(document.teams[0].apiKeys, ['own-key']);
      await own.reset();
      assert.deepEqual(await own.accounts(), []);
      await own.restore(document);
      assert.equal((await own.accounts())[0].domain, 'acme.com');
      await assert.rejects(own.restore({ teams: 'nope' }), { name: 'RecotapMockError', status: 400 });
    } finally {
      await own.stop();
    }
  });
});

describe('refusals and ends', () => {
  test('a refusal rejects with RecotapMockError carrying the admin API message and status', async () => {
    const s = await mock.session();
    await s.addAccount('acme.com', 'Acme');
    const refusal = await s.addAccount('acme.com', 'Again').catch((error) => error);
    assert.ok(refusal instanceof RecotapMockError);
    assert.equal(refusal.status, 409);
    assert.equal(refusal.method, 'POST');
    assert.match(refusal.path, /^\/_mock\/accounts\?team=s-/);
    assert.match(refusal.message, /acme\.com/);
    assert.ok(!refusal.message.startsWith('{'), 'the message is the admin API error text, not its JSON');
    await assert.rejects(s.segment('no-such-segment'), { status: 404 });
    await s.close();
  });

  test('an admin token is sent by the handle that has it, and its absence is a 401', async () => {
    const guarded = await RecotapMock.start({ binary: binaryUnderTest(), adminToken: 's3cret' });
    try {
      await guarded.addAccount('acme.com', 'Acme');
      const session = await guarded.session();
      await session.addAccount('globex.com', 'Globex');
      await session.close();
      await assert.rejects(RecotapMock.connect(guarded.url).accounts(), { name: 'RecotapMockError', status: 401 });
    } finally {
      await guarded.stop();
    }
  });

  test('after stop, a call rejects with status 0 saying the binary exited', async () => {
    const short = await RecotapMock.start({ binary: binaryUnderTest() });
    const pid = short.pid;
    const url = short.url;
    await short.stop();
    await short.stop(); // a second stop does nothing
    assert.throws(() => process.kill(pid, 0));
    const error = await RecotapMock.connect(url).accounts().catch((e) => e);
    assert.equal(error.status, 0);
    assert.match(error.message, /cannot reach the mock at http:\/\/127\.0\.0\.1:\d+/);
  });
});
