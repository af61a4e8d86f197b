// Faults (docs/control.md §6) of the scope: the list with what each has left, a form that adds
// one (for the scope's team when there is one), and clearing them.

import { call, url } from './api.js';
import { byId, el, say, sayError } from './dom.js';

let ctx = null;

/** Sets the view up; `context` gives the scope. */
export function mount(context) {
  ctx = context;
  byId('fault-kind').addEventListener('change', showFields);
  byId('fault-form').addEventListener('submit', (event) => {
    event.preventDefault();
    add();
  });
  byId('faults-clear').addEventListener('click', clear);
  showFields();
}

/** Shows the form's fields that the chosen kind takes. */
function showFields() {
  const kind = byId('fault-kind').value;
  for (const label of document.querySelectorAll('#fault-form label[data-for]')) {
    label.hidden = label.dataset.for !== kind;
  }
}

/** Reads the faults of the scope. */
export async function poll() {
  const team = ctx.scope();
  byId('fault-scope').textContent = team ? `for ${team}` : 'for the whole mock';
  const faults = await call('GET', url('/_mock/faults', { team }));
  if (team !== ctx.scope()) return;
  byId('faults-body').replaceChildren(...faults.map(row));
  byId('faults-empty').hidden = faults.length > 0;
}

function row(fault) {
  const answer = {
    status: `${fault.status}${fault.body === undefined ? '' : ' with a body'}`,
    rateLimit: `429, Retry-After ${fault.retryAfter ?? '(none)'}`,
    delay: `${fault.delayMs} ms later`,
    hang: 'no answer',
    reset: 'connection reset',
    malformed: '200 cut mid-JSON',
  }[fault.kind] ?? '';
  const match = fault.match ?? {};
  const matched = [match.method ?? 'any method', match.path ?? 'any path'];
  if (match.team) matched.push(`team ${match.team}`);
  const cells = [
    String(fault.id), fault.kind, answer, matched.join(' '), fault.times ?? '∞',
    fault.after ?? 0, fault.remaining ?? '∞', fault.hits, fault.probability ?? 1,
    fault.apply ? 'yes' : 'no',
  ];
  return el('tr', { dataset: { id: String(fault.id) } }, ...cells.map((text) => el('td', {}, String(text))));
}

/** The fault the form describes, or an error message. */
function described() {
  const kind = byId('fault-kind').value;
  const fault = { kind };
  const number = (id) => {
    const text = byId(id).value.trim();
    return text === '' ? undefined : Number(text);
  };
  if (kind === 'status') {
    fault.status = number('fault-status');
    const body = byId('fault-body').value.trim();
    if (body) {
      try {
        fault.body = JSON.parse(body);
      } catch (error) {
        return { problem: `The body is not JSON: ${error.message}` };
      }
    }
  }
  if (kind === 'rateLimit' && number('fault-retry') !== undefined) fault.retryAfter = number('fault-retry');
  if (kind === 'delay') fault.delayMs = number('fault-delay');
  const match = {};
  const method = byId('fault-method').value;
  const path = byId('fault-path').value.trim();
  if (method) match.method = method;
  if (path) match.path = path;
  if (Object.keys(match).length > 0) fault.match = match;
  for (const [field, id] of [['times', 'fault-times'], ['after', 'fault-after'], ['probability', 'fault-probability']]) {
    if (number(id) !== undefined) fault[field] = number(id);
  }
  if (byId('fault-apply').checked) fault.apply = true;
  return { fault };
}

/** `POST /_mock/faults` with the form's fault. */
async function add() {
  const problemBox = byId('fault-error');
  const { fault, problem } = described();
  problemBox.hidden = !problem;
  problemBox.textContent = problem ?? '';
  if (problem) return;
  const team = ctx.scope();
  try {
    const added = await call('POST', url('/_mock/faults', { team }), fault);
    say(`Fault ${added.id} added${team ? ` for ${team}` : ''}.`);
    await poll();
  } catch (error) {
    // The mock's refusal names the field, or lists the routes a path can match.
    problemBox.hidden = false;
    problemBox.textContent = error.message;
  }
}

/** `DELETE /_mock/faults` of the scope. */
async function clear() {
  const team = ctx.scope();
  try {
    await call('DELETE', url('/_mock/faults', { team }));
    say(team ? `Faults of ${team} cleared.` : 'Every fault cleared.');
    await poll();
  } catch (error) {
    sayError(error);
  }
}
