//! `MockRecotapBuilder`: what a mock is configured with before it starts (starting it is
//! `start`'s).

#[cfg(feature = "persistence")]
use std::path::PathBuf;

use crate::data::document::StateDocument;
use crate::data::profile::Profile;
use crate::data::timestamp::{IntoTimestamp, Timestamp};
use crate::fidelity::clock::Millis;
#[cfg(doc)]
use crate::handle::{start::StartError, MockRecotap};
use crate::store::DEFAULT_TEAM;
use crate::world::journal::{DEFAULT_MAX_BODY_BYTES as JOURNAL_BYTES, DEFAULT_MAX_ENTRIES};
use crate::world::shared::{DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_BODY_BYTES};

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
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) api_keys: Vec<(String, String)>,
    pub(super) id_seed: Option<u64>,
    pub(super) frozen_at: Option<Millis>,
    pub(super) max_body_bytes: usize,
    pub(super) journal_entries: usize,
    pub(super) journal_bytes: usize,
    pub(super) rate_limit: Option<u32>,
    pub(super) initial_state: Option<StateDocument>,
    pub(super) admin_token: Option<String>,
    #[cfg(feature = "persistence")]
    pub(super) state_file: Option<PathBuf>,
    pub(super) header_read_timeout: std::time::Duration,
    pub(super) cors: bool,
    pub(super) cors_origins: Vec<String>,
    pub(super) admin_max_body_bytes: usize,
    pub(super) profile: Option<Profile>,
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
            admin_max_body_bytes: crate::world::shared::DEFAULT_ADMIN_MAX_BODY_BYTES,
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

/// The instant `at` names, or a panic that says what was wrong with it.
fn instant_or_panic(at: impl IntoTimestamp) -> Timestamp {
    at.into_timestamp()
        .unwrap_or_else(|error| panic!("recotap-mock: {error}"))
}
