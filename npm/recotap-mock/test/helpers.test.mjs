// The test-runner helpers' own logic, without a test runner: recotapSession (recotap-mock/jest)
// verifies a passing test's session, puts the report into a failing test's error and deletes
// the session; the global setups start one mock, or use RECOTAP_MOCK_URL's.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { RecotapMock } from '../index.mjs';
import { api, binaryUnderTest, request } from './support.mjs';

const require = createRequire(import.meta.url);
const { recotapSession } = require('../jest/index.cjs');
const jestSetup = require('../jest/setup.cjs');
const jestTeardown = require('../jest/teardown.cjs');

let mock;
const savedUrl = process.env.RECOTAP_MOCK_URL;
before(async () => {
  mock = await RecotapMock.start({ binary: binaryUnderTest() });
  process.env.RECOTAP_MOCK_URL = mock.url;
});
after(async () => {
  if (savedUrl === undefined) delete process.env.RECOTAP_MOCK_URL;
  else process.env.RECOTAP_MOCK_URL = savedUrl;
  await mock?.stop();
});

/** Whether the admin API still knows `team`. */
async function exists(team) {
  return (await request('GET', `${mock.url}/_mock/accounts?team=${team}`)).status === 200;
}

test('recotapSession: a passing test gets a fresh session, verified and then deleted', async () => {
  let seen;
  const run = recotapSession(async (recotap, row) => {
    seen = { team: recotap.team, baseUrl: recotap.baseUrl, row };
    await recotap.expect({ path: '/segments', times: 1 });
    assert.equal((await api(recotap, 'GET', '/segments')).status, 200);
  });
  assert.equal(run.length, 0, 'no declared parameter, or Jest would pass a done callback');
  await run('row-1');
  assert.match(seen.team, /^s-/);
  assert.equal(seen.baseUrl, `${mock.url}/s/${seen.team}/api/v1`);
  assert.equal(seen.row, 'row-1');
  assert.equal(await exists(seen.team), false);
});

test('recotapSession: a failing test error carries the report, and the session is deleted', async () => {
  let team;
  let thrown;
  const run = recotapSession({ idSeed: 1 }, async (recotap) => {
    team = recotap.team;
    await api(recotap, 'POST', '/accounts', { accounts: [{ domain: '', name: 'x' }] });
    throw (thrown = new Error('the test own failure'));
  });
  const error = await run().catch((e) => e);
  assert.equal(error, thrown, 'the test own error, with more in it');
  assert.match(error.message, /^the test own failure\n\nrecotap-mock report \(session s-[0-9a-f]+, base URL http:.*\/s\/s-[0-9a-f]+\/api\/v1\):\nrecotap-mock report: 1 request/);
  assert.match(error.message, /POST \/api\/v1\/accounts → 400 domain should not be empty/);
  assert.match(error.stack, /^Error: the test own failure\n\nrecotap-mock report/, 'the stack, which Jest prints, has it too');
  assert.equal(error.stack.split('recotap-mock report (session').length, 2, 'once');
  assert.match(error.stack, /\n {4}at /, 'and the frames');
  assert.equal(await exists(team), false);
});

test('recotapSession: an unmet expectation fails a test that passed, with the report', async () => {
  const run = recotapSession(async (recotap) => {
    await recotap.expect({ method: 'POST', path: '/deals' });
  });
  const error = await run().catch((e) => e);
  assert.equal(error.name, 'RecotapMockAssertionError');
  assert.match(error.message, /expectations not met:\nexpected POST \/api\/v1\/deals/);
  assert.match(error.message, /recotap-mock report \(session/);
});

test('recotapSession: a thrown non-Error is still reported', async () => {
  const error = await recotapSession(async () => {
    throw 'a string';
  })().catch((e) => e);
  assert.ok(error instanceof Error);
  assert.match(error.message, /^a string\n\nrecotap-mock report/);
});

test('recotapSession without a mock says how to configure one', async () => {
  delete process.env.RECOTAP_MOCK_URL;
  try {
    await assert.rejects(recotapSession(async () => {})(), /globalSetup: 'recotap-mock\/jest\/setup'/);
  } finally {
    process.env.RECOTAP_MOCK_URL = mock.url;
  }
});

test('jest setup starts a mock, hands its URL through the environment, and teardown stops it', async () => {
  delete process.env.RECOTAP_MOCK_URL;
  const saved = process.env.RECOTAP_MOCK_BINARY;
  process.env.RECOTAP_MOCK_BINARY = binaryUnderTest();
  try {
    await jestSetup();
    const url = process.env.RECOTAP_MOCK_URL;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(url, mock.url);
    assert.equal((await request('GET', `${url}/_mock/health`)).status, 200);
    await jestTeardown();
    assert.equal(globalThis[jestSetup.RUN_MOCK], undefined);
    await assert.rejects(request('GET', `${url}/_mock/health`));
  } finally {
    process.env.RECOTAP_MOCK_URL = mock.url;
    if (saved === undefined) delete process.env.RECOTAP_MOCK_BINARY;
    else process.env.RECOTAP_MOCK_BINARY = saved;
  }
});

test('the setups use the mock RECOTAP_MOCK_URL names, and start nothing', async () => {
  const provided = {};
  const { default: vitestSetup } = await import('../vitest/setup.mjs');
  const stop = await vitestSetup({ provide: (key, value) => (provided[key] = value) });
  assert.deepEqual(provided, { recotapMockUrl: mock.url, recotapMockAdminToken: null });
  await stop();
  assert.equal((await request('GET', `${mock.url}/_mock/health`)).status, 200, 'the named mock is left running');
  await jestSetup();
  assert.equal(process.env.RECOTAP_MOCK_URL, mock.url);
  await jestTeardown();
  assert.equal((await request('GET', `${mock.url}/_mock/health`)).status, 200);
});

test('the vitest setup starts a mock when none is named, and its teardown stops it', async () => {
  delete process.env.RECOTAP_MOCK_URL;
  const saved = process.env.RECOTAP_MOCK_BINARY;
  process.env.RECOTAP_MOCK_BINARY = binaryUnderTest();
  try {
    const provided = {};
    const { default: vitestSetup } = await import('../vitest/setup.mjs');
    const stop = await vitestSetup({ provide: (key, value) => (provided[key] = value) });
    assert.match(provided.recotapMockUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(provided.recotapMockUrl, mock.url);
    assert.equal((await request('GET', `${provided.recotapMockUrl}/_mock/health`)).status, 200);
    await stop();
    await assert.rejects(request('GET', `${provided.recotapMockUrl}/_mock/health`));
  } finally {
    process.env.RECOTAP_MOCK_URL = mock.url;
    if (saved === undefined) delete process.env.RECOTAP_MOCK_BINARY;
    else process.env.RECOTAP_MOCK_BINARY = saved;
  }
});
