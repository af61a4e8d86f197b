// The page's entry point: the token (api.js), the views, the scope (the whole mock or one
// team or session, which every view follows), the clock, and the one loop that keeps the
// page live (a second per round; nothing while the tab is hidden).

import { call, forgetToken, needsToken, start, url } from './api.js';
import { byId, say, sayError } from './dom.js';
import * as faults from './faults.js';
import * as journal from './journal.js';
import * as state from './state.js';
import * as teams from './teams.js';

const TICK_MS = 1000;

let scope = null;
let view = 'journal';
let tick = 0;
/** Whether the last round failed (the status line shows why until one succeeds). */
let failing = false;

/** What the views read of the page and change in it. */
const context = {
  scope: () => scope,
  setScope,
  view: () => view,
  showView,
};

/** Makes `name` (a team or session; `null` for the whole mock) the scope of every view. */
function setScope(name) {
  scope = name ? name : null;
  byId('scope').value = scope ?? '';
  journal.reload();
  teams.scopeChanged();
  state.counts(teams.all());
  if (view === 'state') state.shown();
  refresh();
}

/** Shows the view `name` (journal, teams, faults, state). */
function showView(name) {
  view = name;
  for (const button of document.querySelectorAll('#tabs button')) {
    button.classList.toggle('active', button.dataset.view === name);
  }
  for (const section of document.querySelectorAll('main > .view')) {
    section.hidden = section.id !== `view-${name}`;
  }
  if (name === 'teams') teams.shown();
  if (name === 'state') state.shown();
  refresh();
}

/** Reads the scope's clock. */
async function clock() {
  const now = await call('GET', url('/_mock/clock', { team: scope }));
  byId('clock-now').textContent = now.now;
  byId('clock-mode').textContent = now.frozen ? 'frozen' : 'real';
}

/** Changes the scope's clock (`POST /_mock/clock`), then shows it. */
async function setClock(change) {
  try {
    const answer = await call('POST', url('/_mock/clock', { team: scope }), change);
    say(`Clock${scope ? ` of ${scope}` : ''}: ${answer.now}`);
    await clock();
  } catch (error) {
    sayError(error);
  }
}

/** One round of the live loop: the journal and the clock always, the rest as shown. */
async function refresh() {
  const calls = [journal.poll(), clock()];
  if (tick % 2 === 0 || view === 'teams' || view === 'state') {
    calls.push(teams.poll().then(() => state.counts(teams.all())));
  }
  if (view === 'faults') calls.push(faults.poll());
  const outcomes = await Promise.allSettled(calls);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    failing = true;
    sayError(failed.reason);
  } else if (failing) {
    failing = false;
    say('Connected again.');
  }
}

async function loop() {
  if (!document.hidden) {
    tick += 1;
    await refresh();
  }
  setTimeout(loop, TICK_MS);
}

function wire() {
  for (const button of document.querySelectorAll('#tabs button')) {
    button.addEventListener('click', () => showView(button.dataset.view));
  }
  const input = byId('scope');
  // Enter both submits and commits the input: the scope changes once.
  const choose = () => {
    if (input.value.trim() !== (scope ?? '')) setScope(input.value.trim());
  };
  byId('scope-form').addEventListener('submit', (event) => {
    event.preventDefault();
    choose();
  });
  input.addEventListener('change', choose);
  byId('scope-clear').addEventListener('click', () => setScope(null));
  byId('clock-freeze-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const at = byId('clock-at').value.trim() || byId('clock-now').textContent;
    setClock({ now: at });
  });
  byId('clock-advance-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setClock({ advanceMs: Number(byId('clock-by').value) });
  });
  byId('clock-real').addEventListener('click', () => setClock({ real: true }));
  const forget = byId('forget-token');
  forget.hidden = !needsToken();
  forget.addEventListener('click', () => {
    forgetToken();
    window.location.reload();
  });
}

async function main() {
  await start();
  for (const module of [journal, teams, faults, state]) module.mount(context);
  wire();
  say('Loading…');
  await Promise.allSettled([journal.reload(), teams.poll()]);
  state.counts(teams.all());
  say('Live: new requests appear as they arrive.');
  document.body.dataset.ready = 'true';
  loop();
}

main().catch(sayError);
