//! `MockRecotapBuilder`: what a mock is configured with before it starts, and starting it
//! (`try_start`, with [`StartError`] saying why a start failed).

#[cfg(feature = "persistence")]
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::{Clock, Millis};
use crate::handle::{MockRecotap, DEFAULT_API_KEY};
use crate::journal::{Journal, DEFAULT_MAX_BODY_BYTES as JOURNAL_BYTES, DEFAULT_MAX_ENTRIES};
use crate::model::IdGenerator;
#[cfg(feature = "persistence")]
use crate::persist;
use crate::profile::Profile;
use crate::server;
use crate::shared::{Settings, Shared, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_BODY_BYTES};
use crate::state::{StateDocument, StateError};
use crate::store::{Store, DEFAULT_TEAM};
use crate::timestamp::{IntoTimestamp, Timestamp};

/// Configures a mock before it starts. Obtained from [`MockRecotap::builder`].
///
/// ```
/// use recotap_mock::MockRecotap;
///
/// let mock = MockRecotap::builder()
///     .api_key("secret")
///     .id_seed(42)
///     .frozen_clock("2026-04-30T10:00:00.000Z")
///     .start();
/// assert_eq!(mock.api_key(), "secret");
/// assert_eq!(mock.now(), "2026-04-30T10:00:00.000Z");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct MockRecotapBuilder {
    host: String,
    port: u16,
    api_keys: Vec<(String, String)>,
    id_seed: Option<u64>,
    frozen_at: Option<Millis>,
    max_body_bytes: usize,
    journal_entries: usize,
    journal_bytes: usize,
    rate_limit: Option<u32>,
    initial_state: Option<StateDocument>,
    admin_token: Option<String>,
    #[cfg(feature = "persistence")]
    state_file: Option<PathBuf>,
    header_read_timeout: std::time::Duration,
    cors: bool,
    cors_origins: Vec<String>,
    admin_max_body_bytes: usize,
    profile: Option<Profile>,
}

impl Default for MockRecotapBuilder {
    fn default() -> Self {
        MockRecotapBuilder {
            host: "127.0.0.1".to_string(),
            port: 0,
            api_keys: Vec::new(),
            id_seed: None,
            frozen_at: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            journal_entries: DEFAULT_MAX_ENTRIES,
            journal_bytes: JOURNAL_BYTES,
            rate_limit: None,
            initial_state: None,
            admin_token: None,
            #[cfg(feature = "persistence")]
            state_file: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            cors: false,
            cors_origins: Vec::new(),
            admin_max_body_bytes: crate::shared::DEFAULT_ADMIN_MAX_BODY_BYTES,
            profile: None,
        }
    }
}

impl MockRecotapBuilder {
    /// The address to bind (default `127.0.0.1`).
    pub fn host(mut self, host: &str) -> Self {
        self.host = host.to_string();
        self
    }

    /// The port to bind (default 0: any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Adds an API key of team `default`. The first key added is [`MockRecotap::api_key`];
    /// with none added, the mock accepts `test-api-key`.
    pub fn api_key(self, key: &str) -> Self {
        self.team_api_key(key, DEFAULT_TEAM)
    }

    /// Adds an API key of `team` (created empty if new).
    pub fn team_api_key(mut self, key: &str, team: &str) -> Self {
        self.api_keys.push((key.to_string(), team.to_string()));
        self
    }

    /// Makes generated ids reproducible: the same seed and clock give the same ids.
    pub fn id_seed(mut self, seed: u64) -> Self {
        self.id_seed = Some(seed);
        self
    }

    /// Starts the clock frozen at `at`: a [`Timestamp`], a `SystemTime`, or ISO 8601 text
    /// (`"2026-04-30T10:00:00.000Z"`).
    ///
    /// # Panics
    /// Here, at the call, if `at` is text that is not an ISO 8601 date or date-time.
    pub fn frozen_clock(mut self, at: impl IntoTimestamp) -> Self {
        self.frozen_at = Some(instant_or_panic(at).as_millis());
        self
    }

    /// The largest accepted request body (default 1 MiB); larger ones get `413`.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Bounds the journal (defaults: 10,000 entries, 64 MiB of bodies).
    pub fn journal_limits(mut self, entries: usize, body_bytes: usize) -> Self {
        self.journal_entries = entries;
        self.journal_bytes = body_bytes;
        self
    }

    /// Limits each API key to `requests_per_second`, as a token bucket on the mock's clock:
    /// a burst of up to `requests_per_second` requests, refilled at that rate. Requests over
    /// the budget get `429` with a `Retry-After` that is never too early. A frozen clock
    /// refills only when advanced, which makes the limiter deterministic in tests.
    ///
    /// ```
    /// use recotap_mock::MockRecotap;
    ///
    /// let mock = MockRecotap::builder().rate_limit(1).frozen_clock("2026-04-30T10:00:00Z").start();
    /// let client = reqwest::blocking::Client::new();
    /// let get = || client.get(format!("{}/segments", mock.base_url()))
    ///     .header("X-Api-Key", mock.api_key()).send().unwrap();
    /// assert_eq!(get().status(), 200);
    /// let refused = get();
    /// assert_eq!(refused.status(), 429);
    /// assert_eq!(refused.headers()["retry-after"], "1");
    /// mock.advance_clock(std::time::Duration::from_secs(1));
    /// assert_eq!(get().status(), 200);
    /// ```
    ///
    /// # Panics
    /// If `requests_per_second` is 0.
    pub fn rate_limit(mut self, requests_per_second: u32) -> Self {
        assert!(
            requests_per_second > 0,
            "recotap-mock: rate_limit needs at least 1 request per second"
        );
        self.rate_limit = Some(requests_per_second);
        self
    }

    /// Starts the mock.
    ///
    /// # Panics
    /// If it cannot start; the message says why and what to do.
    /// [`try_start`](Self::try_start) returns the [`StartError`] instead.
    pub fn start(self) -> MockRecotap {
        self.try_start().unwrap_or_else(|error| {
            let fix = match &error {
                StartError::Bind { .. } => {
                    "use port 0 (the default) for a free port, or stop what holds this one"
                }
                StartError::InvalidInitialState(_) => "fix the document given to initial_state",
                StartError::StateFile(_) => "fix the state file, or move it away to start empty",
            };
            panic!("recotap-mock: {error}; {fix}")
        })
    }

    /// Starts the mock, or says why it could not.
    ///
    /// # Errors
    /// [`StartError::Bind`] if the address cannot be bound, [`StartError::InvalidInitialState`]
    /// if the initial state is invalid, [`StartError::StateFile`] if the state file cannot be
    /// read or holds an invalid document. Each names the entry at fault.
    pub fn try_start(self) -> Result<MockRecotap, StartError> {
        let ids = match self.id_seed {
            Some(seed) => IdGenerator::seeded(seed),
            None => IdGenerator::random(),
        };
        let mut clock = Clock::default();
        if let Some(at) = self.frozen_at {
            clock.freeze(at);
        }
        let mut initial = match &self.initial_state {
            None => Store::new(ids),
            Some(document) => Store::from_document(document, ids, clock.now())
                .map_err(StartError::InvalidInitialState)?,
        };
        add_configured_keys(&mut initial, &self.api_keys);
        set_configured_profile(&mut initial, self.profile);
        // The state file, if there is one, is where the mock resumes; `reset` still returns
        // to the initial state. Configured keys and profile are set on both.
        #[cfg(feature = "persistence")]
        let (current, writer) = self.resume(&initial, clock.now())?;
        #[cfg(not(feature = "persistence"))]
        let (current, writer) = (initial.clone(), None);
        let api_key = self
            .api_keys
            .iter()
            .find(|(_, team)| team == DEFAULT_TEAM)
            .map(|(key, _)| key.clone())
            .or_else(|| current.first_key_of(DEFAULT_TEAM))
            .unwrap_or_else(|| DEFAULT_API_KEY.to_string());
        let wanted = format!("{}:{}", self.host, self.port);
        let bind_error = |source| StartError::Bind {
            address: wanted.clone(),
            source,
        };
        let listener = server::bind(&self.host, self.port).map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let settings = Settings {
            max_body_bytes: self.max_body_bytes,
            rate_limit: self.rate_limit,
            admin_token: self.admin_token,
            header_read_timeout: self.header_read_timeout,
            cors: self.cors || !self.cors_origins.is_empty(),
            cors_origins: self.cors_origins,
            admin_max_body_bytes: self.admin_max_body_bytes,
        };
        let journal = Journal::new(self.journal_entries, self.journal_bytes);
        let shared = Shared::resuming(current, initial, journal, clock, settings);
        let shared = Arc::new(shared.with_state_file(writer));
        let server = server::spawn(listener, shared.clone()).map_err(bind_error)?;
        Ok(MockRecotap {
            view: crate::team::TeamView::new(shared.clone(), crate::team::Scope::Mock),
            shared,
            address,
            api_key,
            server,
            ephemeral_port: self.port == 0,
            finished: false,
        })
    }

    /// The store the mock resumes from, and the state file's writer: with a state file that
    /// holds a state, that state (`reset` still returns to `initial`); else `initial`. The
    /// configured keys are added to both, so a restart with a new `--api-key` accepts it. What
    /// the file lacks (all of a new file, the added keys) is written before the mock serves.
    #[cfg(feature = "persistence")]
    fn resume(
        &self,
        initial: &Store,
        now: Millis,
    ) -> Result<(Store, Option<persist::Writer>), StartError> {
        let Some(path) = &self.state_file else {
            return Ok((initial.clone(), None));
        };
        let fail = StartError::StateFile;
        // A directory that is missing, or a path that is one, is refused here with the reason,
        // before SQLite's own, vaguer, "unable to open database file".
        persist::check_writable(path).map_err(fail)?;
        let opened = persist::open(path).map_err(fail)?;
        let current = match &opened.document {
            Some(document) => {
                let mut resumed = Store::from_document(document, initial.id_generator(), now)
                    .map_err(|error| {
                        fail(StateError::InFile {
                            path: path.clone(),
                            error: Box::new(error),
                        })
                    })?;
                resumed.note_changes();
                add_configured_keys(&mut resumed, &self.api_keys);
                set_configured_profile(&mut resumed, self.profile);
                resumed
            }
            None => {
                let mut fresh = initial.clone();
                fresh.note_changes();
                fresh.note_everything();
                fresh
            }
        };
        let mut current = current;
        let writer = persist::Writer::start(opened.connection, &mut current, path.clone())
            .map_err(|problem| {
                fail(StateError::Unreadable {
                    path: path.clone(),
                    problem,
                })
            })?;
        Ok((current, Some(writer)))
    }

    /// Starts from a state document (docs/control.md §5); `reset` returns to it.
    pub fn initial_state(mut self, document: StateDocument) -> Self {
        self.initial_state = Some(document);
        self
    }

    /// Keeps the state in `path`, a SQLite database (feature `persistence`): loaded at start if
    /// the file exists (the initial state stays what `reset` returns to), and every change
    /// written as it is made, before its request is answered. A JSON state document found at
    /// `path` is migrated once (the JSON is kept as `<path>.bak`).
    #[cfg(feature = "persistence")]
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Which behaviour the mock follows where the vendor's reference and its live sandbox
    /// differ (default [`Profile::Documented`]); teams and sessions may choose their own.
    /// Given here, it also wins over the profile of a state file or an initial state.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// Answers CORS preflights and lets any origin read the answers (default off), so that a web
    /// page served from another origin can call the mock. The admin API becomes reachable from
    /// any page the browser loads too: keep it to development.
    pub fn cors(mut self, on: bool) -> Self {
        self.cors = on;
        self
    }

    /// Lets the page origin `origin` (`http://localhost:3000`) call the mock with
    /// credentials: CORS on, and answers to that origin name it in
    /// `Access-Control-Allow-Origin` (not `*`) with `Access-Control-Allow-Credentials: true`.
    /// Repeatable; other origins get no CORS headers. Without any, [`cors`](Self::cors) allows
    /// `*`, which browsers refuse for a request with credentials.
    pub fn cors_origin(mut self, origin: &str) -> Self {
        self.cors_origins.push(origin.to_string());
        self
    }

    /// The largest body the admin API accepts, in bytes (default 1 GiB, so that any state the
    /// mock holds can be read with `GET /_mock/state` and `PUT` back); larger ones get `413`.
    pub fn admin_max_body_bytes(mut self, bytes: usize) -> Self {
        self.admin_max_body_bytes = bytes;
        self
    }

    /// Requires `Authorization: Bearer <token>` on the admin API.
    pub fn admin_token(mut self, token: &str) -> Self {
        self.admin_token = Some(token.to_string());
        self
    }

    /// How long a client may take to send a request head, or stay silent on an open
    /// connection, before the mock closes it (default 5 s). For recotap-mock's own tests of
    /// slow clients; not a stable API.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn header_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }
}

/// Adds the keys given to the builder; a team `default` without any key gets `test-api-key`
/// (docs/control.md §1: the mock starts with one team holding one key).
fn add_configured_keys(store: &mut Store, keys: &[(String, String)]) {
    for (key, team) in keys {
        store.add_key(key, team, None);
    }
    if store.first_key_of(DEFAULT_TEAM).is_none() {
        store.add_key(DEFAULT_API_KEY, DEFAULT_TEAM, None);
    }
}

/// The builder's profile, when one was given, as the mock-wide one of `store`.
fn set_configured_profile(store: &mut Store, profile: Option<Profile>) {
    if let Some(profile) = profile {
        store
            .set_profile(None, profile)
            .expect("the mock-wide profile needs no team");
    }
}

/// Why a mock could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// `address` (`host:port`) could not be bound: in use, not an address of this machine,
    /// or not permitted.
    Bind {
        address: String,
        source: std::io::Error,
    },
    /// The document given to [`MockRecotapBuilder::initial_state`] is invalid.
    InvalidInitialState(StateError),
    /// The state file cannot be read, holds an invalid document, or cannot be written where it
    /// is to go (its directory missing or not writable).
    StateFile(StateError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind { address, source } => {
                write!(f, "cannot listen on {address}: {source}")
            }
            StartError::InvalidInitialState(error) => write!(f, "invalid initial state: {error}"),
            StartError::StateFile(error) => write!(f, "invalid state file: {error}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind { source, .. } => Some(source),
            StartError::InvalidInitialState(error) | StartError::StateFile(error) => Some(error),
        }
    }
}

/// The instant `at` names, or a panic that says what was wrong with it.
fn instant_or_panic(at: impl IntoTimestamp) -> Timestamp {
    at.into_timestamp()
        .unwrap_or_else(|error| panic!("recotap-mock: {error}"))
}
