// Sessions and teams (`GET /_mock/teams`): the list, filtered by name and kind, a new session,
// and for the scope (a team, or the whole mock) its client errors and failed items (what
// `assert_no_client_errors` would say) and its report.

import { call, url } from './api.js';
import { byId, el, say, sayError, VirtualList } from './dom.js';

const ROW = 24;

let ctx = null;
let list = null;
/** Every team, as the mock last listed them. */
let teams = [];
/** The names in the scope's suggestions, to rebuild them only when they change. */
let suggested = '';
/** The scope and its journal size when its details were last read. */
let detailOf = null;

/** Sets the view up; `context` gives and sets the scope. */
export function mount(context) {
  ctx = context;
  list = new VirtualList(byId('teams-list'), ROW, renderRow);
  byId('teams-list').addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) ctx.setScope(row.dataset.team);
  });
  byId('teams-filters').addEventListener('submit', (event) => event.preventDefault());
  byId('teams-filter').addEventListener('input', show);
  byId('teams-kind').addEventListener('change', show);
  byId('session-new').addEventListener('click', newSession);
  byId('team-journal').addEventListener('click', () => ctx.showView('journal'));
  byId('team-refresh').addEventListener('click', () => details(true));
  byId('team-reset').addEventListener('click', resetScope);
  byId('team-delete').addEventListener('click', deleteSession);
}

/** Every team the mock last listed. */
export function all() {
  return teams;
}

/** Reads the list of teams again (and the scope's details when its journal grew). */
export async function poll() {
  teams = await call('GET', '/_mock/teams');
  const names = teams.map((team) => team.name).join('\n');
  if (names !== suggested) {
    suggested = names;
    byId('team-names').replaceChildren(...teams.map((team) => el('option', { value: team.name })));
  }
  show();
  if (ctx.view() === 'teams') await details(false);
}

/** Shows the teams that pass the name and kind filters. */
function show() {
  const text = byId('teams-filter').value.trim().toLowerCase();
  const kind = byId('teams-kind').value;
  const shown = teams.filter(
    (team) => (!kind || team.kind === kind) && (!text || team.name.toLowerCase().includes(text)),
  );
  list.setItems(shown);
  const sessions = teams.filter((team) => team.kind === 'session').length;
  byId('teams-count').textContent =
    `${shown.length} shown of ${teams.length} (${sessions} sessions)`;
}

function renderRow(team) {
  const numbers = [
    team.requests, team.accounts, team.customFields, team.segments, team.deals,
    team.pipelines, team.activities,
  ].map((n) => el('span', {}, String(n)));
  return el(
    'div',
    {
      className: `row teams-cols${team.name === ctx.scope() ? ' selected' : ''}`,
      dataset: { team: team.name },
    },
    el('span', { title: team.name }, team.name),
    el('span', {}, team.kind),
    ...numbers,
  );
}

/** The scope changed: its row is marked and its details read. */
export function scopeChanged() {
  list.refresh();
  detailOf = null;
  if (ctx.view() === 'teams') details(true);
}

/** The view is shown: its details are read. */
export function shown() {
  details(true);
}

/**
 * Reads the scope's client errors and report, when `force`d or when its journal has grown
 * since they were read (a report reads the whole journal: not on every poll).
 */
async function details(force) {
  const team = ctx.scope();
  const listed = teams.find((candidate) => candidate.name === team);
  const size = team ? listed?.requests : teams.reduce((sum, each) => sum + each.requests, 0);
  const key = `${team ?? ''}\n${size}`;
  if (!force && key === detailOf) return;
  detailOf = key;
  byId('team-detail').hidden = false;
  byId('team-title').textContent = team ? `${listed?.kind ?? 'team'} ${team}` : 'The whole mock';
  byId('team-delete').hidden = listed?.kind !== 'session';
  byId('team-reset').textContent = team ? 'Reset this team' : 'Reset the whole mock';
  try {
    const [errors, report] = await Promise.all([
      call('GET', url('/_mock/client-errors', { team })),
      call('GET', url('/_mock/report', { team })),
    ]);
    if (team !== ctx.scope()) return;
    const box = byId('team-errors');
    box.classList.toggle('none', errors.length === 0);
    const lines = errors.length > 0 ? errors : ['None: assert_no_client_errors would pass.'];
    box.replaceChildren(...lines.map((line) => el('li', {}, line)));
    byId('team-report').textContent = report;
  } catch (error) {
    sayError(error);
  }
}

/** `POST /_mock/sessions`: a new session, its key and base URL shown. */
async function newSession() {
  try {
    const session = await call('POST', '/_mock/sessions', {});
    const note = byId('session-created');
    note.hidden = false;
    note.textContent =
      `New session ${session.team}\napiKey  ${session.apiKey}\nbaseUrl ${session.baseUrl}`;
    await poll();
    ctx.setScope(session.team);
  } catch (error) {
    sayError(error);
  }
}

/** `POST /_mock/reset`, of the scope's team or of the whole mock. */
async function resetScope() {
  const team = ctx.scope();
  const what = team ? `team ${team}` : 'the whole mock (every session goes)';
  if (!window.confirm(`Reset ${what}?`)) return;
  try {
    await call('POST', url('/_mock/reset', { team }));
    say(`Reset ${what}.`);
    if (!team) ctx.setScope(null);
    await poll();
    await details(true);
  } catch (error) {
    sayError(error);
  }
}

/** `DELETE /_mock/sessions/{team}` of the scope's session. */
async function deleteSession() {
  const team = ctx.scope();
  if (!team || !window.confirm(`Delete session ${team}?`)) return;
  try {
    await call('DELETE', `/_mock/sessions/${encodeURIComponent(team)}`);
    say(`Deleted session ${team}.`);
    ctx.setScope(null);
    await poll();
  } catch (error) {
    sayError(error);
  }
}
