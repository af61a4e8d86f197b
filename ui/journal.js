// The live journal: newest first, in pages (`?limit=`, older ones with `?before=` as the list
// is scrolled), followed with `?after=<last seq>` so that no entry is missed or shown twice;
// filtered by the scope's team, status class, method and path; a click shows the request and
// the response side by side, pretty-printed, with why it failed.

import { call, url } from './api.js';
import { byId, el, pretty, problemsOf, say, sayError, timeOf, VirtualList } from './dom.js';

/** Entries per page, when loading and when scrolling back. */
const PAGE = 500;
/** Entries per call when catching up with new ones. */
const FOLLOW = 1000;
/** Entries kept in the page; past that the oldest go (scrolling back loads them again). */
const MAX_KEPT = 100000;
const ROW = 24;

let ctx = null;
let list = null;
/** Newest first. */
let entries = [];
/** The highest `seq` read under the current filters. */
let newest = 0;
/** Whether the oldest entry of the journal (under the filters) is in `entries`. */
let oldestDone = false;
let loadingOlder = false;
/** Bumped when the filters change: answers to calls made before are dropped. */
let generation = 0;
/** The filters the entries were loaded with. */
let applied = {};
/** Whether the newest page under `applied` has arrived (following starts from it). */
let loaded = false;
/** Whether a `poll` is under way (two at once would read the same entries). */
let polling = false;
let selected = null;

/** Sets the journal view up; `context` gives the scope. */
export function mount(context) {
  ctx = context;
  const viewport = byId('journal-list');
  list = new VirtualList(viewport, ROW, renderRow, loadOlder);
  viewport.addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) select(Number(row.dataset.seq));
  });
  viewport.addEventListener('keydown', moveSelection);
  byId('journal-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    reload();
  });
  byId('filter-status').addEventListener('change', reload);
  byId('filter-method').addEventListener('change', reload);
  byId('journal-reload').addEventListener('click', reload);
  byId('journal-clear').addEventListener('click', clearJournal);
  byId('detail-close').addEventListener('click', () => select(null));
}

/** The filters as the form shows them, with the scope's team. */
function currentFilters() {
  let path = byId('filter-path').value.trim();
  if (path && !path.startsWith('/') && !path.startsWith('*')) path = `/${path}`;
  return {
    team: ctx.scope(),
    status: byId('filter-status').value,
    method: byId('filter-method').value,
    path,
  };
}

/** Loads the newest page again under the current filters. */
export async function reload() {
  generation += 1;
  const mine = generation;
  applied = currentFilters();
  loaded = false;
  entries = [];
  newest = 0;
  oldestDone = false;
  loadingOlder = false;
  list.viewport.scrollTop = 0;
  list.setItems(entries);
  count();
  try {
    const page = await call('GET', url('/_mock/requests', { ...applied, limit: PAGE }));
    if (mine !== generation) return;
    entries = page.reverse();
    newest = entries.length > 0 ? entries[0].seq : 0;
    oldestDone = page.length < PAGE;
    loaded = true;
    list.setItems(entries);
    count();
  } catch (error) {
    if (mine === generation) sayError(error);
  }
}

/** Reads the entries that arrived since the last one read (when the view is live). */
export async function poll() {
  if (polling || !loaded || !byId('journal-live').checked) return;
  polling = true;
  try {
    await follow();
  } finally {
    polling = false;
  }
}

/** Adds the entries after `newest`, a page at a time (at most 20 pages a round). */
async function follow() {
  const mine = generation;
  const fresh = [];
  for (let round = 0; round < 20; round += 1) {
    const page = await call('GET', url('/_mock/requests', { ...applied, after: newest, limit: FOLLOW }));
    if (mine !== generation) return;
    fresh.push(...page);
    if (page.length > 0) newest = page[page.length - 1].seq;
    if (page.length < FOLLOW) break;
  }
  if (fresh.length === 0) return;
  entries = fresh.reverse().concat(entries);
  if (entries.length > MAX_KEPT) {
    entries.length = MAX_KEPT;
    oldestDone = false;
  }
  list.setItems(entries, fresh.length);
  count();
}

/** Loads the page before the oldest entry shown (the list came near its end). */
async function loadOlder() {
  if (loadingOlder || oldestDone || entries.length === 0) return;
  loadingOlder = true;
  const mine = generation;
  try {
    const before = entries[entries.length - 1].seq;
    const page = await call('GET', url('/_mock/requests', { ...applied, before, limit: PAGE }));
    if (mine !== generation) return;
    oldestDone = page.length < PAGE;
    entries = entries.concat(page.reverse());
    list.setItems(entries);
    count();
  } catch (error) {
    if (mine === generation) sayError(error);
  } finally {
    if (mine === generation) loadingOlder = false;
  }
}

function count() {
  const more = oldestDone ? '' : ', scroll for older';
  byId('journal-count').textContent = `${entries.length} shown${more}`;
}

/** Why `entry` failed, read once. */
function problems(entry) {
  if (!entry.problems) entry.problems = problemsOf(entry);
  return entry.problems;
}

function renderRow(entry) {
  const status = entry.status === 0 ? 'none' : String(entry.status);
  const why = problems(entry).join(' · ');
  return el(
    'div',
    {
      className: `row journal-cols${entry.seq === selected ? ' selected' : ''}`,
      dataset: { seq: String(entry.seq) },
    },
    el('span', {}, String(entry.seq)),
    el('span', { title: entry.at }, timeOf(entry.at)),
    el('span', {}, entry.method),
    el('span', { title: entry.path }, entry.path),
    el('span', { className: `status-${Math.floor(entry.status / 100)}` }, status),
    el('span', { title: entry.team ?? '' }, entry.team ?? '(no team)'),
    el('span', {}, String(entry.durationMs)),
    el('span', { className: 'why', title: why }, why),
  );
}

/** Shows entry `seq` (or nothing, for `null`) in the detail below the list. */
function select(seq) {
  selected = seq;
  list.refresh();
  const entry = entries.find((candidate) => candidate.seq === seq);
  const detail = byId('journal-detail');
  detail.hidden = !entry;
  if (!entry) return;
  const status = entry.status === 0 ? 'no response' : String(entry.status);
  byId('detail-title').textContent = `#${entry.seq} ${entry.method} ${entry.path} → ${status}`;
  byId('detail-problems').replaceChildren(...problems(entry).map((text) => el('li', {}, text)));
  fill(byId('detail-request-meta'), [
    ['team', entry.team ?? '(none: no valid key)'],
    ['arrived under', entry.prefix ?? '/api/v1'],
    ['at', entry.at],
    ['seq', String(entry.seq)],
  ]);
  const headers = Object.entries(entry.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  byId('detail-request-headers').textContent = headers.join('\n');
  byId('detail-request-body').textContent = pretty(entry.body) || '(no body)';
  fill(byId('detail-response-meta'), [
    ['status', status],
    ['customMessage', entry.customMessage ?? '(none)'],
    ['duration', `${entry.durationMs} ms`],
    ['fault', entry.fault === null ? '(none)' : `#${entry.fault}`],
  ]);
  byId('detail-response-body').textContent = pretty(entry.response) || '(no body)';
}

/** Fills a definition list with `[term, text]` pairs. */
function fill(list, pairs) {
  list.replaceChildren(...pairs.flatMap(([term, text]) => [el('dt', {}, term), el('dd', {}, text)]));
}

/** Arrow keys move the selection through the list. */
function moveSelection(event) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  event.preventDefault();
  let index = entries.findIndex((entry) => entry.seq === selected);
  index = event.key === 'ArrowDown' ? index + 1 : Math.max(0, index - 1);
  if (index >= entries.length) return;
  select(entries[index].seq);
  const viewport = list.viewport;
  const top = index * ROW;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  if (top + ROW > viewport.scrollTop + viewport.clientHeight) {
    viewport.scrollTop = top + ROW - viewport.clientHeight;
  }
}

/** Empties the journal of the scope (the whole mock's without one). */
async function clearJournal() {
  const team = ctx.scope();
  const what = team ? `the journal of ${team}` : 'the whole journal';
  if (!window.confirm(`Empty ${what}?`)) return;
  try {
    await call('DELETE', url('/_mock/requests', { team }));
    say(`Emptied ${what}.`);
    select(null);
    await reload();
  } catch (error) {
    sayError(error);
  }
}
