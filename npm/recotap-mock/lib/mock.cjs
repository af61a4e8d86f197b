'use strict';
// RecotapMock: a running recotap-mock (started here, or connected to) and its admin API as
// methods that return promises of the admin API's JSON. The sibling of the Python package's
// RecotapMock: the same methods in camelCase, options objects with the admin API's field names.

const { findBinary } = require('./binary.cjs');
const { RecotapMockAssertionError, RecotapMockError, send } = require('./admin-http.cjs');
const { launch, stopChild } = require('./launch.cjs');

/** `fields` without its undefined and null values. */
function defined(fields) {
  return Object.fromEntries(Object.entries(fields ?? {}).filter(([, value]) => value !== undefined && value !== null));
}

/** A positional call (`'Acme', 'acme.com'`) or one object holding every field. */
function bodyOf(first, names, rest) {
  if (first !== null && typeof first === 'object') return defined(first);
  const positional = {};
  names.forEach((name, index) => (positional[name] = rest[index]));
  return defined({ ...positional, ...rest[names.length] });
}

class RecotapMock {
  #child = null;
  #stderr = null;
  #adminToken;
  #baseUrl = null;

  /** Use RecotapMock.start() or RecotapMock.connect(). */
  constructor({ url, apiKey = 'test-api-key', adminToken, team = null, baseUrl = null, child = null, stderr = null }) {
    /** The root, `http://127.0.0.1:PORT`, where the admin API is. */
    this.url = url.replace(/\/+$/, '');
    /** The API key the code under test sends (a session's own, for a session). */
    this.apiKey = apiKey;
    /** The session's team, or null for the whole mock. */
    this.team = team;
    this.#adminToken = adminToken ?? null;
    this.#baseUrl = baseUrl;
    this.#child = child;
    this.#stderr = stderr;
  }

  /**
   * Starts the binary (the platform package's, or RECOTAP_MOCK_BINARY, or `binary`) on a free
   * loopback port; resolves once it accepts connections. Options: apiKey, seed (a state
   * document file), adminToken, args (more flags), binary, timeoutMs (default 30000).
   */
  static async start({ apiKey, seed, adminToken, args = [], binary, timeoutMs } = {}) {
    const flags = ['--port', '0'];
    if (apiKey !== undefined) flags.push('--api-key', apiKey);
    if (seed !== undefined) flags.push('--seed', String(seed));
    if (adminToken !== undefined) flags.push('--admin-token', adminToken);
    flags.push(...args);
    const { child, url, stderr } = await launch(binary ?? findBinary(), flags, { timeoutMs });
    return new RecotapMock({ url, apiKey, adminToken, child, stderr });
  }

  /** A handle on a mock already running at `url` (`http://HOST:PORT`); nothing is started. */
  static connect(url, { apiKey, adminToken } = {}) {
    return new RecotapMock({ url, apiKey, adminToken });
  }

  /**
   * What the code under test is pointed at: a session's own base URL
   * (`http://127.0.0.1:PORT/s/<team>/api/v1`: every request under it is the session's, whatever
   * key it carries), else `url` + `/api/v1`.
   */
  get baseUrl() {
    return this.#baseUrl ?? `${this.url}/api/v1`;
  }

  /** The binary's process id, when this handle started it. */
  get pid() {
    return this.#child?.pid;
  }

  // Plumbing ---------------------------------------------------------------------------------

  async #call(method, path, body, { query, text = false, scoped = true } = {}) {
    const params = new URLSearchParams(Object.entries(defined(query)).map(([k, v]) => [k, String(v)]));
    if (scoped && this.team !== null && !params.has('team')) params.set('team', this.team);
    const target = path + (params.size ? `?${params}` : '');
    const headers = this.#adminToken ? { authorization: `Bearer ${this.#adminToken}` } : {};
    const { status, text: raw } = await send(method, this.url + target, body, headers, () => this.#whyUnreachable());
    if (status >= 400 && !(status === 409 && path === '/_mock/verify')) {
      let message = raw;
      try {
        const parsed = JSON.parse(raw);
        if (parsed && typeof parsed.error === 'string') message = parsed.error;
      } catch {
        // not JSON: the body itself is the message
      }
      throw new RecotapMockError(status, message, method, target);
    }
    if (text) return raw;
    return raw ? JSON.parse(raw) : null;
  }

  /** What the binary this handle started says about its end, for an unreachable mock. */
  #whyUnreachable() {
    const child = this.#child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return 'is it running?';
    const end = child.signalCode ? `killed by ${child.signalCode}` : `exited with status ${child.exitCode}`;
    const said = this.#stderr?.().trim();
    return `the binary ${end}${said ? `: ${said}` : ''}`;
  }

  // Seeding ----------------------------------------------------------------------------------

  /** Adds a custom field: `(label, labelType, { description, options, status, key })`, or one object. */
  addCustomField(label, ...rest) {
    return this.#call('POST', '/_mock/custom-fields', bodyOf(label, ['label', 'labelType'], [label, ...rest]));
  }

  /** Adds a segment: `(name, { segmentId, type, status, members })`, or one object. */
  addSegment(name, ...rest) {
    return this.#call('POST', '/_mock/segments', bodyOf(name, ['name'], [name, ...rest]));
  }

  /** Adds an account (domain cleaned): `(domain, name, { externalId, tags, rtp_account_score, ... })`, or one object. */
  addAccount(domain, ...rest) {
    return this.#call('POST', '/_mock/accounts', bodyOf(domain, ['domain', 'name'], [domain, ...rest]));
  }

  /** Issues an API key (generated unless given): `(key?, { team, user })`, or one object. */
  addApiKey(key, ...rest) {
    return this.#call('POST', '/_mock/keys', bodyOf(key, ['key'], [key, ...rest]));
  }

  /** Sets the `rtp_` fields of the account with `domain`; resolves to the account. */
  async setScores(domain, fields) {
    const account = await this.accountByDomain(domain);
    if (!account) throw new RecotapMockError(404, `No account with domain '${domain}'`, 'PATCH', '/_mock/accounts');
    return this.#call('PATCH', `/_mock/accounts/${encodeURIComponent(account.rtp_aid)}`, fields ?? {});
  }

  // Inspection -------------------------------------------------------------------------------

  /** Every account of the team, all fields, in id order. */
  accounts() {
    return this.#call('GET', '/_mock/accounts');
  }

  /** The account whose domain matches `domain` once cleaned, or null. */
  async accountByDomain(domain) {
    const found = await this.#call('GET', '/_mock/accounts', undefined, { query: { domain } });
    return found[0] ?? null;
  }

  /** The account with id `rtpAid`, or null. */
  async account(rtpAid) {
    return (await this.accounts()).find((account) => account.rtp_aid === rtpAid) ?? null;
  }

  /** The segment with its `members`; unknown → RecotapMockError 404. */
  segment(segmentId) {
    return this.#call('GET', `/_mock/segments/${encodeURIComponent(segmentId)}`);
  }

  /** The ids of a segment's members, in the order they joined. */
  async segmentMembers(segmentId) {
    return (await this.segment(segmentId)).members;
  }

  customFields() {
    return this.#call('GET', '/_mock/custom-fields');
  }

  deals() {
    return this.#call('GET', '/_mock/deals');
  }

  pipelines() {
    return this.#call('GET', '/_mock/pipelines');
  }

  activities() {
    return this.#call('GET', '/_mock/activities');
  }

  /** The journal, oldest first; filters `{ method, path, status, since, limit }`. */
  requests(filters = {}) {
    return this.#call('GET', '/_mock/requests', undefined, { query: filters });
  }

  clearRequests() {
    return this.#call('DELETE', '/_mock/requests').then(() => undefined);
  }

  // Faults and clock -------------------------------------------------------------------------

  /**
   * Adds a fault (the admin API's object: `{ kind, status, retryAfter, delayMs, match, times,
   * ... }`; `method` and `path` given beside `kind` go into `match`). Resolves to its id.
   */
  async addFault(fault) {
    const { method, path, match, ...rest } = fault ?? {};
    const matching = defined({ ...match, method, path });
    const body = defined({ ...rest, match: Object.keys(matching).length ? matching : undefined });
    return (await this.#call('POST', '/_mock/faults', body)).id;
  }

  faults() {
    return this.#call('GET', '/_mock/faults');
  }

  clearFaults() {
    return this.#call('DELETE', '/_mock/faults').then(() => undefined);
  }

  /** Freezes the clock (a session's own) at an ISO 8601 instant or a Date; resolves to it. */
  async freezeClock(now) {
    const instant = now instanceof Date ? now.toISOString() : now;
    return (await this.#call('POST', '/_mock/clock', { now: instant })).now;
  }

  async advanceClock(ms) {
    return (await this.#call('POST', '/_mock/clock', { advanceMs: ms })).now;
  }

  async unfreezeClock() {
    return (await this.#call('POST', '/_mock/clock', { real: true })).now;
  }

  // State ------------------------------------------------------------------------------------

  /** `documented` or `sandbox`, for the session or the whole mock; resolves to it. */
  async setProfile(profile) {
    return (await this.#call('POST', '/_mock/profile', { profile })).profile;
  }

  /** The whole state document (every team). */
  state() {
    return this.#call('GET', '/_mock/state', undefined, { scoped: false });
  }

  /** Replaces the whole state with a state document; invalid → 400, nothing changed. */
  restore(document) {
    return this.#call('PUT', '/_mock/state', document).then(() => undefined);
  }

  /** Back to the start: the whole mock (sessions included), or a session alone. */
  reset() {
    return this.#call('POST', '/_mock/reset').then(() => undefined);
  }

  // Sessions ---------------------------------------------------------------------------------

  /**
   * A new isolated session on this mock (`{ frozenClock, idSeed, profile }`): a RecotapMock
   * scoped to a fresh team, with its own apiKey and baseUrl. close() deletes it.
   */
  async session(options = {}) {
    const created = await this.#call('POST', '/_mock/sessions', defined(options), { scoped: false });
    return new RecotapMock({
      url: this.url,
      apiKey: created.apiKey,
      adminToken: this.#adminToken,
      team: created.team,
      baseUrl: created.baseUrl ?? null,
    });
  }

  /** Deletes this session; for a handle that is not a session, stops the mock it started. */
  async close() {
    if (this.team === null) return this.stop();
    const team = this.team;
    this.team = null;
    await this.#call('DELETE', `/_mock/sessions/${encodeURIComponent(team)}`, undefined, { scoped: false });
  }

  /** Stops a mock this handle started (SIGTERM, SIGKILL after 10 s); does nothing otherwise. */
  async stop() {
    const child = this.#child;
    this.#child = null;
    if (child) await stopChild(child);
  }

  async [Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose')]() {
    await this.close();
  }

  // Verification -----------------------------------------------------------------------------

  /** Expects requests: `{ method, path, times | atLeast | atMost }` (at least once by default). Resolves to its id. */
  async expect(expectation = {}) {
    return (await this.#call('POST', '/_mock/expectations', defined(expectation))).id;
  }

  clearExpectations() {
    return this.#call('DELETE', '/_mock/expectations').then(() => undefined);
  }

  /** Rejects with a RecotapMockAssertionError (what was expected, what arrived, what to check) unless every expectation holds. */
  async verify() {
    const verdict = await this.#call('GET', '/_mock/verify');
    if (!verdict.ok) {
      throw new RecotapMockAssertionError(`recotap-mock: expectations not met:\n${verdict.report}`);
    }
  }

  /** Rejects with a RecotapMockAssertionError listing every 4xx and every failed batch item the code under test got. */
  async assertNoClientErrors() {
    const errors = await this.#call('GET', '/_mock/client-errors');
    if (errors.length) {
      const lines = errors.join('\n  ');
      throw new RecotapMockAssertionError(`recotap-mock: the code under test got ${errors.length} client error(s):\n  ${lines}`);
    }
  }

  /** A plain-text summary: requests by endpoint and status, client errors, accounts written, faults fired. */
  report() {
    return this.#call('GET', '/_mock/report', undefined, { text: true });
  }

  toString() {
    return `RecotapMock(${this.url}${this.team ? `, team ${this.team}` : ''})`;
  }
}

module.exports = { RecotapMock, RecotapMockError, RecotapMockAssertionError };
