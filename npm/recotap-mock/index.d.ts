// Types of the recotap-mock package (index.cjs, index.mjs): RecotapMock, RecotapMockError,
// findBinary. Field names are the admin API's (docs/control.md §4-§8 of the repository).

/** Any JSON value the admin API returns. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Account {
  rtp_aid: string;
  domain: string;
  name: string;
  externalId: string | null;
  shortName: string | null;
  linkedinUrl: string | null;
  tags: string[];
  customFields: Record<string, Json>;
  rtp_account_score: number | null;
  rtp_journey_stage: string;
  createdAt: string;
  updatedAt: string;
  [field: string]: Json | undefined;
}

export interface CustomField {
  key: string;
  label: string;
  labelType: 'singleLineText' | 'multiLineText' | 'singleSelection' | 'multiSelection' | 'number' | 'date' | (string & {});
  description: string | null;
  options: string[];
  status: 'active' | 'inactive' | (string & {});
}

export interface Segment {
  segmentId: string;
  name: string;
  type: 'static' | 'dynamic' | (string & {});
  status: 'active' | 'draft' | 'archived' | (string & {});
  members: string[];
}

export interface CustomFieldOptions {
  description?: string;
  options?: string[];
  status?: 'active' | 'inactive';
  key?: string;
}

export interface SegmentOptions {
  segmentId?: string;
  type?: 'static' | 'dynamic';
  status?: 'active' | 'draft' | 'archived';
  members?: string[];
}

/** An account to seed: `domain` and `name`, anything else of §1 (`rtp_` scores included). */
export interface AccountFields {
  externalId?: string | null;
  shortName?: string | null;
  linkedinUrl?: string | null;
  tags?: string[];
  customFields?: Record<string, Json>;
  rtp_aid?: string;
  [field: string]: Json | undefined;
}

export interface JournalEntry {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  response?: string;
  customMessage?: string | null;
  team?: string | null;
  durationMs?: number;
  fault?: Json;
  at: string;
  [field: string]: Json | undefined;
}

export interface RequestFilters {
  method?: string;
  /** Exact, or a prefix ending in `*`; with or without `/api/v1`. */
  path?: string;
  /** `"404"`, `"4xx"`, `"5xx"`. */
  status?: string | number;
  /** An ISO 8601 instant. */
  since?: string;
  /** The newest N. */
  limit?: number;
}

export interface FaultMatch {
  method?: string;
  path?: string;
  team?: string;
}

/** A fault (§6): the admin API's object; `method` and `path` beside `kind` go into `match`. */
export interface Fault {
  kind: 'status' | 'rateLimit' | 'delay' | 'hang' | 'reset' | 'malformed';
  status?: number;
  body?: Json;
  headers?: Record<string, string>;
  retryAfter?: number;
  delayMs?: number;
  match?: FaultMatch;
  method?: string;
  path?: string;
  times?: number;
  after?: number;
  probability?: number;
  seed?: number;
  apply?: boolean;
}

export interface Expectation {
  method?: string;
  path?: string;
  times?: number;
  atLeast?: number;
  atMost?: number;
}

export interface SessionOptions {
  profile?: 'documented' | 'sandbox';
  /** An ISO 8601 instant the session's own clock starts frozen at. */
  frozenClock?: string;
  idSeed?: number;
}

export interface StartOptions {
  /** The API key of team `default` (default `test-api-key`). */
  apiKey?: string;
  /** A state document file to start from. */
  seed?: string;
  /** Require `Authorization: Bearer <adminToken>` on the admin API. */
  adminToken?: string;
  /** More command-line flags. */
  args?: string[];
  /** The binary to run (default: RECOTAP_MOCK_BINARY, else the platform package's). */
  binary?: string;
  /** How long to wait for the binary's listening line (default 30000). */
  timeoutMs?: number;
}

export interface ConnectOptions {
  apiKey?: string;
  adminToken?: string;
}

/**
 * The admin API refused a call (`status` its HTTP status, `message` its `error` text), or the
 * mock could not be reached or started (`status` 0; `method` `START` for a start).
 */
export declare class RecotapMockError extends Error {
  readonly name: 'RecotapMockError';
  readonly status: number;
  readonly method: string;
  readonly path: string;
}

/**
 * An expectation not met (verify()), or client errors the code under test got
 * (assertNoClientErrors()): the message says what was expected, what arrived and what to check.
 */
export declare class RecotapMockAssertionError extends Error {
  readonly name: 'RecotapMockAssertionError';
}

/** A running recotap-mock (started, or connected to) and its admin API; or one session on it. */
export declare class RecotapMock {
  /** Starts the binary on a free loopback port; resolves once it accepts connections. */
  static start(options?: StartOptions): Promise<RecotapMock>;
  /** A handle on a mock already running at `url` (`http://HOST:PORT`). */
  static connect(url: string, options?: ConnectOptions): RecotapMock;

  /** The root, `http://127.0.0.1:PORT`, where the admin API is. */
  readonly url: string;
  /** What the code under test is pointed at: a session's own `.../s/<team>/api/v1`, else `url` + `/api/v1`. */
  readonly baseUrl: string;
  /** The API key for the code under test (a session's own, for a session). */
  readonly apiKey: string;
  /** The session's team; null for the whole mock. */
  readonly team: string | null;
  /** The binary's process id, when this handle started it. */
  readonly pid: number | undefined;

  addCustomField(label: string, labelType: CustomField['labelType'], options?: CustomFieldOptions): Promise<CustomField>;
  addCustomField(field: { label: string; labelType: CustomField['labelType'] } & CustomFieldOptions): Promise<CustomField>;
  addSegment(name: string, options?: SegmentOptions): Promise<Segment>;
  addSegment(segment: { name: string } & SegmentOptions): Promise<Segment>;
  addAccount(domain: string, name: string, fields?: AccountFields): Promise<Account>;
  addAccount(account: { domain: string; name: string } & AccountFields): Promise<Account>;
  addApiKey(key?: string, options?: { team?: string; user?: string }): Promise<{ key: string; team: string }>;
  addApiKey(options: { key?: string; team?: string; user?: string }): Promise<{ key: string; team: string }>;
  /** Sets the `rtp_` fields of the account with `domain`; resolves to the account. */
  setScores(domain: string, fields: Record<string, Json>): Promise<Account>;

  accounts(): Promise<Account[]>;
  accountByDomain(domain: string): Promise<Account | null>;
  account(rtpAid: string): Promise<Account | null>;
  segment(segmentId: string): Promise<Segment>;
  segmentMembers(segmentId: string): Promise<string[]>;
  customFields(): Promise<CustomField[]>;
  deals(): Promise<Json[]>;
  pipelines(): Promise<Json[]>;
  activities(): Promise<Json[]>;
  requests(filters?: RequestFilters): Promise<JournalEntry[]>;
  clearRequests(): Promise<void>;

  /** Resolves to the fault's id. */
  addFault(fault: Fault): Promise<number>;
  faults(): Promise<Json[]>;
  clearFaults(): Promise<void>;
  /** Resolves to the clock's time, ISO 8601. */
  freezeClock(now: string | Date): Promise<string>;
  advanceClock(ms: number): Promise<string>;
  unfreezeClock(): Promise<string>;

  setProfile(profile: 'documented' | 'sandbox'): Promise<string>;
  /** The whole state document (every team). */
  state(): Promise<Json>;
  restore(document: Json): Promise<void>;
  reset(): Promise<void>;

  /** A fresh isolated session on this mock: its own team, apiKey and baseUrl. */
  session(options?: SessionOptions): Promise<RecotapMock>;
  /** Deletes this session; for a handle that is not a session, stops the mock it started. */
  close(): Promise<void>;
  /** Stops a mock this handle started (SIGTERM, SIGKILL after 10 s); does nothing otherwise. */
  stop(): Promise<void>;

  /** Resolves to the expectation's id. */
  expect(expectation?: Expectation): Promise<number>;
  clearExpectations(): Promise<void>;
  /** Rejects with a RecotapMockAssertionError unless every expectation holds. */
  verify(): Promise<void>;
  /** Rejects with a RecotapMockAssertionError listing the client errors the code under test got. */
  assertNoClientErrors(): Promise<void>;
  /** A plain-text summary of what the mock (or the session) saw. */
  report(): Promise<string>;
}

/** The binary's path: RECOTAP_MOCK_BINARY, else the platform package's; throws naming the platform and the fix. */
export declare function findBinary(): string;
