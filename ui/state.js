// The state: what the scope's team holds (or the whole mock, added up), and an account
// browser over `GET /_mock/accounts` a page at a time (`?limit=&after=`), or by domain.

import { call, url } from './api.js';
import { byId, el, sayError } from './dom.js';

const PAGE = 50;

let ctx = null;
/** The `rtp_aid` each page shown so far started after (the first page: `undefined`). */
let pageStarts = [undefined];
/** The accounts of the page shown. */
let accounts = [];

/** Sets the view up; `context` gives the scope and the teams. */
export function mount(context) {
  ctx = context;
  byId('accounts-form').addEventListener('submit', (event) => {
    event.preventDefault();
    firstPage();
  });
  byId('accounts-first').addEventListener('click', firstPage);
  byId('accounts-next').addEventListener('click', nextPage);
  byId('accounts-body').addEventListener('click', (event) => {
    const row = event.target.closest('tr');
    const account = accounts.find((candidate) => candidate.rtp_aid === row?.dataset.id);
    const detail = byId('account-detail');
    detail.hidden = !account;
    detail.textContent = account ? JSON.stringify(account, null, 2) : '';
  });
}

/** The team whose accounts are browsed: the scope's, else `default` (as the admin API). */
function team() {
  return ctx.scope() ?? 'default';
}

/** Shows the counts of the scope (from the last list of teams). */
export function counts(teams) {
  const scope = ctx.scope();
  const chosen = scope ? teams.filter((each) => each.name === scope) : teams;
  const sum = (field) => chosen.reduce((total, each) => total + each[field], 0);
  const fields = ['accounts', 'customFields', 'segments', 'deals', 'pipelines', 'activities', 'requests'];
  byId('state-title').textContent = scope
    ? `Team ${scope}`
    : `The whole mock: ${teams.length} teams and sessions`;
  byId('state-counts').replaceChildren(
    el('tr', {}, ...fields.map((field) => el('td', {}, String(sum(field))))),
  );
}

/** The view was shown or the scope changed: the first page again. */
export function shown() {
  firstPage();
}

function firstPage() {
  pageStarts = [undefined];
  load();
}

function nextPage() {
  if (accounts.length < PAGE) return;
  pageStarts.push(accounts[accounts.length - 1].rtp_aid);
  load();
}

/** Reads the page that starts after the last of `pageStarts`, or the account of a domain. */
async function load() {
  const domain = byId('accounts-domain').value.trim();
  const after = pageStarts[pageStarts.length - 1];
  const query = domain ? { team: team(), domain } : { team: team(), limit: PAGE, after };
  try {
    accounts = await call('GET', url('/_mock/accounts', query));
  } catch (error) {
    accounts = [];
    sayError(error);
  }
  byId('account-detail').hidden = true;
  byId('accounts-body').replaceChildren(...accounts.map(row));
  const first = domain ? 0 : (pageStarts.length - 1) * PAGE;
  byId('accounts-count').textContent = accounts.length === 0
    ? `no account in ${team()}`
    : `accounts ${first + 1}–${first + accounts.length} of ${team()}`;
  byId('accounts-next').disabled = domain !== '' || accounts.length < PAGE;
}

function row(account) {
  const cells = [
    account.rtp_aid, account.domain, account.name, account.externalId ?? '',
    account.rtp_account_score ?? '', account.rtp_journey_stage ?? '', account.updatedAt ?? '',
  ];
  return el('tr', { dataset: { id: account.rtp_aid } }, ...cells.map((text) => el('td', {}, String(text))));
}
