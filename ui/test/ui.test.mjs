// The web page (GET /_mock/ui) in headless Chromium against a running recotap-mock: the
// token asked for and sent; requests made meanwhile appear; one opens with why it failed;
// markup in a request stays text; a fault added and cleared; the clock frozen, advanced and
// unfrozen; the journal filtered by session, status and path; a session's errors, report and
// accounts; then 10,000 journal entries and 1,000 sessions. No console error anywhere.
// Run by .ci/ui (`node --test` in ui/); screenshots with UI_SCREENSHOTS=docs/ui.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  admin, api, inParallel, launch, pageOf, shoot, startMock, textOf, until,
} from './support.mjs';

const TOKEN = 'ui-test-token';
const KEY = 'test-api-key';
const MARKUP = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

/** The rows of the journal list as `{seq, team, status, path}`. */
function rows(page) {
  return page.$$eval('#journal-list .row', (found) => found.map((row) => ({
    seq: Number(row.dataset.seq),
    path: row.children[3].textContent,
    status: row.children[4].textContent,
    team: row.children[5].textContent,
  })));
}

/** Waits until the journal list shows `count` rows, each with `text` in column `column`
 * (0: seq, 3: path, 4: status, 5: team) when given. */
function journalShows(page, count, column = null, text = null) {
  return until(page, ([expected, index, wanted]) => {
    const shown = [...document.querySelectorAll('#journal-list .row')];
    return shown.length === expected
      && shown.every((row) => index === null || row.children[index].textContent === wanted);
  }, [count, column, text]);
}

describe('the page on a mock with an admin token', () => {
  let mock;
  let browser;
  let page;
  const errors = [];
  const journal = () => admin(mock, 'GET', '/_mock/requests', undefined, TOKEN);

  before(async () => {
    mock = await startMock(['--admin-token', TOKEN, '--api-key', KEY]);
    browser = await launch();
    page = await pageOf(browser, errors);
  });
  after(async () => {
    await browser?.close();
    mock?.stop();
  });

  test('asks for the token, keeps it in the tab, and loads', async () => {
    await page.goto(`${mock.url}/_mock/ui`);
    await page.locator('#token-dialog[open]').waitFor();
    await page.fill('#token-input', TOKEN);
    await page.click('#token-submit');
    await page.locator('body[data-ready="true"]').waitFor();
    const kept = await page.evaluate(() => sessionStorage.getItem('recotap-mock:admin-token'));
    assert.equal(kept, TOKEN);
    assert.equal((await fetch(`${mock.url}/_mock/requests`)).status, 401, 'data needs the token');
  });

  test('requests made meanwhile appear, newest first', async () => {
    assert.equal(await api(mock, KEY, 'GET', '/segments'), 200);
    assert.equal(await api(mock, KEY, 'POST', '/accounts', { accounts: [{ domain: '', name: 'Nameless' }] }), 400);
    assert.equal(await api(mock, 'wrong-key', 'GET', '/segments'), 401);
    const newest = (await journal()).at(-1).seq;
    await page.locator(`#journal-list .row[data-seq="${newest}"]`).waitFor();
    const order = (await rows(page)).map((row) => row.seq);
    assert.equal(order[0], newest);
    assert.deepEqual(order, [...order].sort((a, b) => b - a));
  });

  test('a click shows the request and the response side by side, pretty-printed, and why', async () => {
    const refused = (await journal()).find((entry) => entry.status === 400);
    await page.click(`#journal-list .row[data-seq="${refused.seq}"]`);
    await page.locator('#journal-detail:not([hidden])').waitFor();
    assert.match(await textOf(page, '#detail-problems'), /domain should not be empty/);
    const body = await textOf(page, '#detail-request-body');
    assert.equal(body, JSON.stringify(JSON.parse(refused.body), null, 2));
    assert.match(await textOf(page, '#detail-response-body'), /\n {2}"message": "Bad Request"/);
    const request = await page.locator('#detail-request-body').boundingBox();
    const response = await page.locator('#detail-response-body').boundingBox();
    assert.ok(response.x >= request.x + request.width, 'the response is beside the request');
  });

  test('markup in a body or a header is shown as text and never runs', async () => {
    const batch = { accounts: [{ domain: MARKUP, name: MARKUP }] };
    const status = await api(mock, KEY, 'POST', '/accounts', batch, { 'X-Note': MARKUP });
    assert.equal(status, 200);
    const entry = (await journal()).at(-1);
    await page.click(`#journal-list .row[data-seq="${entry.seq}"]`);
    await until(page, (seq) => document.getElementById('detail-title').textContent.startsWith(`#${seq} `), entry.seq);
    assert.ok((await textOf(page, '#detail-request-body')).includes(MARKUP.replaceAll('"', '\\"')));
    assert.ok((await textOf(page, '#detail-request-headers')).includes(`x-note: ${MARKUP}`));
    assert.match(await textOf(page, '#detail-problems'), /failed: Invalid domain/);
    const effect = await page.evaluate(() => ({
      pwned: window.__pwned ?? null,
      elements: document.querySelectorAll('main script, main img').length,
    }));
    assert.deepEqual(effect, { pwned: null, elements: 0 });
  });

  test('adds a fault from the form, shows its hit, and clears it', async () => {
    await page.click('#tabs button[data-view="faults"]');
    await page.selectOption('#fault-kind', 'status');
    await page.fill('#fault-status', '503');
    await page.fill('#fault-path', '/segments');
    await page.fill('#fault-times', '2');
    await page.click('#fault-add');
    await page.locator('#faults-body tr').waitFor();
    const [fault] = await admin(mock, 'GET', '/_mock/faults', undefined, TOKEN);
    assert.equal(fault.status, 503);
    assert.deepEqual(fault.match, { path: '/api/v1/segments' });
    assert.equal(await api(mock, KEY, 'GET', '/segments'), 503);
    await until(page, () => document.querySelector('#faults-body td:nth-child(8)')?.textContent === '1');
    await shoot(page, 'faults');
    await page.click('#faults-clear');
    await page.locator('#faults-empty:not([hidden])').waitFor();
    assert.deepEqual(await admin(mock, 'GET', '/_mock/faults', undefined, TOKEN), []);
  });

  test('freezes, advances and unfreezes the clock', async () => {
    const clockShows = (now, mode) => until(page, ([expectedNow, expectedMode]) => (
      (!expectedNow || document.getElementById('clock-now').textContent === expectedNow)
      && document.getElementById('clock-mode').textContent === expectedMode
    ), [now, mode]);
    await page.fill('#clock-at', '2030-01-02T03:04:05.000Z');
    await page.click('#clock-freeze');
    await clockShows('2030-01-02T03:04:05.000Z', 'frozen');
    assert.deepEqual(await admin(mock, 'GET', '/_mock/clock', undefined, TOKEN),
      { now: '2030-01-02T03:04:05.000Z', frozen: true });
    await api(mock, KEY, 'GET', '/segments');
    assert.equal((await journal()).at(-1).at, '2030-01-02T03:04:05.000Z');
    await page.fill('#clock-by', '60000');
    await page.click('#clock-advance');
    await clockShows('2030-01-02T03:05:05.000Z', 'frozen');
    await page.click('#clock-real');
    await clockShows(null, 'real');
  });

  let session = null;

  test('filters the journal by session, status class and path', async () => {
    session = await admin(mock, 'POST', '/_mock/sessions', {}, TOKEN);
    const other = await admin(mock, 'POST', '/_mock/sessions', {}, TOKEN);
    const batch = { accounts: [{ domain: 'acme.com', name: 'Acme' }, { domain: 'bad-domain', name: 'Bad' }] };
    assert.equal(await api(mock, session.apiKey, 'GET', `${session.baseUrl}/segments`), 200);
    assert.equal(await api(mock, session.apiKey, 'POST', `${session.baseUrl}/accounts`, batch), 200);
    assert.equal(await api(mock, 'wrong-key', 'GET', `${session.baseUrl}/segments`), 401);
    assert.equal(await api(mock, other.apiKey, 'GET', `${other.baseUrl}/segments`), 200);
    await page.click('#tabs button[data-view="journal"]');
    await page.fill('#scope', session.team);
    await page.press('#scope', 'Enter');
    await journalShows(page, 3, 5, session.team);
    await page.selectOption('#filter-status', '4xx');
    await journalShows(page, 1, 4, '401');
    await page.selectOption('#filter-status', '');
    await page.fill('#filter-path', '/accounts');
    await page.press('#filter-path', 'Enter');
    await journalShows(page, 1, 3, '/api/v1/accounts');
    await page.fill('#filter-path', '');
    await page.press('#filter-path', 'Enter');
    await journalShows(page, 3, 5, session.team);
    await api(mock, other.apiKey, 'GET', `${other.baseUrl}/segments`);
    await api(mock, session.apiKey, 'GET', `${session.baseUrl}/segments`);
    await journalShows(page, 4, 5, session.team);
  });

  test("shows sessions and teams, and a session's client errors, failed items and report", async () => {
    await page.click('#tabs button[data-view="teams"]');
    await page.locator(`#teams-list .row.selected[data-team="${session.team}"]`).waitFor();
    await until(page, () => document.getElementById('team-report').textContent.includes('request(s)'));
    const problems = await textOf(page, '#team-errors');
    assert.match(problems, /GET \/api\/v1\/segments → 401/);
    assert.match(problems, /item bad-domain failed: Invalid domain 'bad-domain'/);
    assert.match(await textOf(page, '#team-report'), /recotap-mock report: 4 request\(s\)/);
    assert.match(await textOf(page, '#teams-count'), /of 3 \(2 sessions\)/);
    await shoot(page, 'teams');
  });

  test('shows the counts of a team and browses its accounts', async () => {
    await page.click('#tabs button[data-view="state"]');
    await until(page, () => document.querySelector('#state-counts td')?.textContent === '1');
    await page.locator('#accounts-body tr').first().click();
    await page.locator('#account-detail:not([hidden])').waitFor();
    assert.match(await textOf(page, '#account-detail'), /"domain": "acme.com"/);
    await shoot(page, 'state');
  });

  test('the journal of the whole mock, one failed request open', async () => {
    await page.click('#tabs button[data-view="journal"]');
    await page.click('#scope-clear');
    const refused = (await journal()).find((entry) => entry.status === 400);
    await page.locator(`#journal-list .row[data-seq="${refused.seq}"]`).click();
    await page.locator('#journal-detail:not([hidden])').waitFor();
    await shoot(page, 'journal');
  });

  test('a refused token is asked for again, in a tab of its own', async () => {
    const own = [];
    const other = await pageOf(browser, own);
    await other.goto(`${mock.url}/_mock/ui`);
    await other.fill('#token-input', 'not-the-token');
    await other.click('#token-submit');
    await until(other, () => document.getElementById('token-problem').textContent.includes('refused'));
    await other.fill('#token-input', TOKEN);
    await other.click('#token-submit');
    await other.locator('body[data-ready="true"]').waitFor();
    await other.close();
    assert.ok(own.length > 0 && own.every((error) => / 401 /.test(error)), own.join('\n'));
  });

  test('no console error', () => {
    assert.deepEqual(errors, []);
  });
});

describe('the page with 10,000 journal entries and 1,000 sessions', () => {
  let mock;
  let browser;
  let page;
  const errors = [];

  before(async () => {
    mock = await startMock(['--api-key', KEY]);
    await inParallel(1000, 8, () => admin(mock, 'POST', '/_mock/sessions', {}));
    await inParallel(10000, 16, (index) => (index % 10 === 0
      ? api(mock, KEY, 'POST', '/accounts', { accounts: [{ domain: '', name: 'x' }] })
      : api(mock, KEY, 'GET', '/segments')));
    browser = await launch();
    page = await pageOf(browser, errors);
  });
  after(async () => {
    await browser?.close();
    mock?.stop();
  });

  test('opens without a token, at once, with the newest page', async () => {
    const started = Date.now();
    await page.goto(`${mock.url}/_mock/ui`);
    await page.locator('body[data-ready="true"]').waitFor();
    const took = Date.now() - started;
    assert.ok(took < 5000, `ready after ${took} ms`);
    assert.equal(await page.locator('#token-dialog[open]').count(), 0);
    assert.equal(await textOf(page, '#journal-count'), '500 shown, scroll for older');
    assert.ok((await rows(page)).length < 100, 'only the rows in view are in the page');
  });

  test('scrolling back loads older pages down to the oldest entry', async () => {
    for (let round = 0; round < 40; round += 1) {
      if ((await textOf(page, '#journal-count')) === '10000 shown') break;
      await page.$eval('#journal-list', (list) => { list.scrollTop = list.scrollHeight; });
      await page.waitForTimeout(150);
    }
    assert.equal(await textOf(page, '#journal-count'), '10000 shown');
    const shown = await rows(page);
    assert.ok(shown.length < 100);
    assert.equal(shown.at(-1).seq, 1, 'admin calls make no entry: the first request is seq 1');
    const started = Date.now();
    await page.$eval('#journal-list', (list) => { list.scrollTop = list.scrollHeight / 2; });
    await page.locator('#journal-list .row[data-seq="5000"]').waitFor();
    assert.ok(Date.now() - started < 1000, 'a jump renders within a second');
  });

  test('lists 1,001 teams and filters them as one types', async () => {
    await page.click('#tabs button[data-view="teams"]');
    await until(page, () => document.getElementById('teams-count').textContent.includes('of 1001 (1000 sessions)'));
    assert.ok((await page.locator('#teams-list .row').count()) < 100);
    const name = await page.locator('#teams-list .row').nth(5).getAttribute('data-team');
    const started = Date.now();
    await page.fill('#teams-filter', name);
    await until(page, () => document.getElementById('teams-count').textContent.startsWith('1 shown'));
    assert.ok(Date.now() - started < 1000, 'filtering takes under a second');
  });

  test('no console error', () => {
    assert.deepEqual(errors, []);
  });
});
