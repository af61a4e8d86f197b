//! `MockRecotap`, the handle a Rust test holds: start, seed, inspect, reset, stop on drop.
//! Every method is synchronous, cheap, and safe to call from inside an async test.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::{Clock, Millis};
use crate::faults::{ActiveFault, Fault, FaultId};
use crate::journal::DEFAULT_MAX_ENTRIES;
use crate::journal::{Journal, RecordedRequest, DEFAULT_MAX_BODY_BYTES as JOURNAL_BYTES};
use crate::model::{Account, CustomField, IdGenerator, NewAccount, ObjectId, ScoreUpdate, Segment};
use crate::persist;
use crate::sales::{Activity, Deal, Pipeline};
use crate::server::{self, ServerHandle};
use crate::shared::{Settings, Shared, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_BODY_BYTES};
use crate::state::{StateDocument, StateError};
use crate::store::{Store, StoreError, DEFAULT_TEAM};
use crate::team::TeamView;
use crate::timestamp::{IntoTimestamp, Timestamp};
use tokio::sync::watch;

/// The API key a mock accepts unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "test-api-key";

/// A running Recotap emulator on `127.0.0.1`, with its state in memory.
///
/// ```
/// use recotap_mock::{CustomField, LabelType, MockRecotap};
///
/// let mock = MockRecotap::start();
/// mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
///
/// let response = reqwest::blocking::Client::new()
///     .post(format!("{}/accounts", mock.base_url()))
///     .header("X-Api-Key", mock.api_key())
///     .json(&serde_json::json!({ "accounts": [
///         { "domain": "https://www.Acme.com/", "name": "Acme",
///           "customFields": { "CONTRACT_VALUE_C": 1200 } } ] }))
///     .send()
///     .unwrap();
/// assert_eq!(response.status(), 200);
///
/// let acme = mock.account_by_domain("acme.com").unwrap();
/// assert_eq!(acme.custom_fields["CONTRACT_VALUE_C"], 1200);
/// ```
#[must_use = "the mock stops when its handle is dropped"]
#[derive(Debug)]
pub struct MockRecotap {
    shared: Arc<Shared>,
    address: SocketAddr,
    api_key: String,
    server: ServerHandle,
    state_file: Option<StateFile>,
}

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
    state_file: Option<PathBuf>,
    header_read_timeout: std::time::Duration,
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
            state_file: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
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
    /// If the address cannot be bound; [`MockRecotapBuilder::try_start`] returns the error instead.
    pub fn start(self) -> MockRecotap {
        let address = format!("{}:{}", self.host, self.port);
        self.try_start()
            .unwrap_or_else(|error| panic!("recotap-mock could not listen on {address}: {error}"))
    }

    /// Starts the mock, or says why it could not: the address could not be bound, or the
    /// initial state is invalid (an error of kind `InvalidData` naming the entry at fault).
    pub fn try_start(self) -> std::io::Result<MockRecotap> {
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
            Some(document) => {
                Store::from_document(document, ids, clock.now()).map_err(invalid_data)?
            }
        };
        add_configured_keys(&mut initial, &self.api_keys);
        // The state file, if there is one, is where the mock resumes; `reset` still returns
        // to the initial state. Configured keys are added to both, so a restart with a new
        // `--api-key` accepts that key.
        let saved = match &self.state_file {
            Some(path) => persist::load(path).map_err(invalid_data)?,
            None => None,
        };
        let current = match (&saved, &self.state_file) {
            (Some(document), Some(path)) => {
                let at = |error| {
                    invalid_data(StateError::InFile {
                        path: path.clone(),
                        error: Box::new(error),
                    })
                };
                let mut resumed =
                    Store::from_document(document, initial.id_generator(), clock.now())
                        .map_err(at)?;
                add_configured_keys(&mut resumed, &self.api_keys);
                resumed
            }
            _ => initial.clone(),
        };
        let api_key = self
            .api_keys
            .iter()
            .find(|(_, team)| team == DEFAULT_TEAM)
            .map(|(key, _)| key.clone())
            .or_else(|| current.first_key_of(DEFAULT_TEAM))
            .unwrap_or_else(|| DEFAULT_API_KEY.to_string());
        let listener = server::bind(&self.host, self.port)?;
        let address = listener.local_addr()?;
        let settings = Settings {
            max_body_bytes: self.max_body_bytes,
            rate_limit: self.rate_limit,
            admin_token: self.admin_token,
            header_read_timeout: self.header_read_timeout,
        };
        let journal = Journal::new(self.journal_entries, self.journal_bytes);
        let shared = Arc::new(Shared::resuming(current, initial, journal, clock, settings));
        let server = server::spawn(listener, shared.clone())?;
        let state_file = self.state_file.map(|path| {
            let (stop, stopped) = watch::channel(());
            server::spawn_task(persist::writer(shared.clone(), path.clone(), stopped));
            StateFile { path, _stop: stop }
        });
        Ok(MockRecotap {
            shared,
            address,
            api_key,
            server,
            state_file,
        })
    }

    /// Starts from a state document (CONTROL.md §5); `reset` returns to it.
    pub fn initial_state(mut self, document: StateDocument) -> Self {
        self.initial_state = Some(document);
        self
    }

    /// Keeps the state in `path`: loaded at start if the file exists (the initial state stays
    /// what `reset` returns to), written atomically at most once a second after a change and
    /// when the mock stops.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
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
/// (CONTROL.md §1: the mock starts with one team holding one key).
fn add_configured_keys(store: &mut Store, keys: &[(String, String)]) {
    for (key, team) in keys {
        store.add_key(key, team, None);
    }
    if store.first_key_of(DEFAULT_TEAM).is_none() {
        store.add_key(DEFAULT_API_KEY, DEFAULT_TEAM, None);
    }
}

fn invalid_data(error: StateError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, error)
}

/// The state file of a running mock; dropping `_stop` ends its background writer.
#[derive(Debug)]
struct StateFile {
    path: PathBuf,
    _stop: watch::Sender<()>,
}

/// The instant `at` names, or a panic that says what was wrong with it.
fn instant_or_panic(at: impl IntoTimestamp) -> Timestamp {
    at.into_timestamp()
        .unwrap_or_else(|error| panic!("recotap-mock: {error}"))
}

impl MockRecotap {
    /// Starts a mock on a free port of `127.0.0.1`, with team `default` and key `test-api-key`.
    /// It accepts connections as soon as this returns. Works from any thread or runtime.
    pub fn start() -> MockRecotap {
        MockRecotap::builder().start()
    }

    /// A builder for a configured mock.
    pub fn builder() -> MockRecotapBuilder {
        MockRecotapBuilder::default()
    }

    /// The API's base URL, `http://127.0.0.1:PORT/api/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.address)
    }

    /// The server's root URL, `http://127.0.0.1:PORT` (the admin API lives under `/_mock`).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the mock listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The API key of team `default` (`test-api-key` unless configured).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Seeding and inspection for one team; the methods below are the same for team `default`.
    pub fn team(&self, name: &str) -> TeamView<'_> {
        TeamView::new(&self.shared, name)
    }

    fn default_team(&self) -> TeamView<'_> {
        self.team(DEFAULT_TEAM)
    }

    /// Adds a custom field to team `default` and returns it as stored.
    ///
    /// # Panics
    /// If an active field with the same key exists (the API would answer 409).
    pub fn add_custom_field(&self, field: CustomField) -> CustomField {
        self.default_team().add_custom_field(field)
    }

    /// Adds a segment (any type and status; id generated unless chosen) and returns it.
    ///
    /// # Panics
    /// If the id is taken or a member is not an account of the team.
    pub fn add_segment(&self, segment: Segment) -> Segment {
        self.default_team().add_segment(segment)
    }

    /// Adds an account (domain cleaned, id and timestamps filled in) and returns it as stored.
    pub fn try_add_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        self.default_team().try_add_account(account)
    }

    /// Adds an account and returns it as stored.
    ///
    /// # Panics
    /// If the domain is invalid or taken; use [`MockRecotap::try_add_account`] to handle that.
    pub fn add_account(&self, account: NewAccount) -> Account {
        self.default_team().add_account(account)
    }

    /// Sets the scores and journey stage of the account with domain `domain` (cleaned), as the
    /// vendor would; bumps its update time (so delta syncs see the change). Returns the account.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, NewAccount, ScoreUpdate};
    /// let mock = MockRecotap::start();
    /// mock.add_account(NewAccount::new("acme.com", "Acme"));
    /// let acme = mock.set_scores("acme.com", ScoreUpdate::default().account_score(78));
    /// assert_eq!(acme.rtp_account_score, 78.into());
    /// ```
    ///
    /// # Panics
    /// If there is no account with that domain.
    pub fn set_scores(&self, domain: &str, update: ScoreUpdate) -> Account {
        self.default_team().set_scores(domain, update)
    }

    /// Every account of team `default`, in id order.
    pub fn accounts(&self) -> Vec<Account> {
        self.default_team().accounts()
    }

    /// The account whose domain matches `domain` once cleaned (`"https://www.acme.com"` finds `acme.com`).
    pub fn account_by_domain(&self, domain: &str) -> Option<Account> {
        self.default_team().account_by_domain(domain)
    }

    /// The account with id `rtp_aid`.
    pub fn account(&self, rtp_aid: ObjectId) -> Option<Account> {
        self.default_team().account(rtp_aid)
    }

    /// The segment with id `segment_id`, members included.
    pub fn segment(&self, segment_id: &str) -> Option<Segment> {
        self.default_team().segment(segment_id)
    }

    /// The members of a segment, in the order they joined (empty if there is no such segment).
    pub fn segment_members(&self, segment_id: &str) -> Vec<ObjectId> {
        self.default_team().segment_members(segment_id)
    }

    /// Every custom field of team `default`, inactive ones included, in creation order.
    pub fn custom_fields(&self) -> Vec<CustomField> {
        self.default_team().custom_fields()
    }

    /// Every deal of team `default`, in the order first pushed.
    pub fn deals(&self) -> Vec<Deal> {
        self.default_team().deals()
    }

    /// Every deal pipeline of team `default`, in creation order.
    pub fn pipelines(&self) -> Vec<Pipeline> {
        self.default_team().pipelines()
    }

    /// Every sales activity of team `default`, in creation order.
    pub fn activities(&self) -> Vec<Activity> {
        self.default_team().activities()
    }

    /// Every journaled API request, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.world().journal.entries()
    }

    /// Empties the journal.
    pub fn clear_requests(&self) {
        self.shared.world().journal.clear();
    }

    /// Adds an API key to `team` (created empty if new). A key for a `user` who holds one
    /// revokes the old key at once.
    ///
    /// # Panics
    /// If the key is already known (the admin API answers 409): a key never moves between
    /// teams. [`try_add_api_key`](Self::try_add_api_key) returns the error instead.
    pub fn add_api_key(&self, key: &str, team: &str, user: Option<&str>) {
        self.try_add_api_key(key, team, user).unwrap_or_else(|error| {
            panic!("recotap-mock: cannot add API key {key:?} to team {team:?}: {error}; pick a key that is not issued yet")
        })
    }

    /// Adds an API key like [`add_api_key`](Self::add_api_key), or says why it cannot.
    ///
    /// # Errors
    /// [`StoreError::ApiKeyExists`] if the key is already known.
    pub fn try_add_api_key(
        &self,
        key: &str,
        team: &str,
        user: Option<&str>,
    ) -> Result<(), StoreError> {
        self.shared.change(|world| world.issue_key(key, team, user))
    }

    /// The whole state as a state document (CONTROL.md §5).
    pub fn snapshot(&self) -> StateDocument {
        self.shared.world().store.to_document()
    }

    /// Replaces the whole state with `document`; on error nothing changes.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, NewAccount};
    /// let mock = MockRecotap::start();
    /// let empty = mock.snapshot();
    /// mock.add_account(NewAccount::new("acme.com", "Acme"));
    /// mock.restore(&empty).unwrap();
    /// assert!(mock.accounts().is_empty());
    /// ```
    pub fn restore(&self, document: &StateDocument) -> Result<(), StateError> {
        self.shared.replace_state(document)
    }

    /// Returns to the state the mock started with; the journal is emptied, faults are removed
    /// and every rate-limit bucket is full again.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// Adds a fault after those already added (the first that matches and hits wins) and
    /// returns its id. Admin requests are never faulted.
    ///
    /// ```
    /// use recotap_mock::{Fault, MockRecotap};
    ///
    /// let mock = MockRecotap::start();
    /// mock.add_fault(Fault::rate_limit(2).on("POST", "/api/v1/accounts").times(1));
    ///
    /// let client = reqwest::blocking::Client::new();
    /// let post = || client.post(format!("{}/accounts", mock.base_url()))
    ///     .header("X-Api-Key", mock.api_key())
    ///     .json(&serde_json::json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
    ///     .send().unwrap();
    /// let refused = post();
    /// assert_eq!(refused.status(), 429);
    /// assert_eq!(refused.headers()["retry-after"], "2");
    /// assert_eq!(post().status(), 200);
    /// assert!(mock.faults().is_empty());
    /// ```
    ///
    /// # Panics
    /// If the fault is inconsistent (say, `Fault::status(200)` or a probability above 1); the
    /// message names the field.
    pub fn add_fault(&self, fault: Fault) -> FaultId {
        let added = self.shared.world().faults.add(fault);
        added.unwrap_or_else(|error| panic!("recotap-mock: cannot add fault: {error}"))
    }

    /// The faults with uses left, in the order they are checked, with their remaining counts.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.world().faults.list()
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.world().faults.clear();
    }

    /// The mock's current time (prints, and compares equal to, the text the API would write).
    pub fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.shared.world().now())
    }

    /// Freezes the clock at `at` (a [`Timestamp`], a `SystemTime`, or ISO 8601 text): every
    /// timestamp and new id reads it.
    ///
    /// # Panics
    /// If `at` is text that is not an ISO 8601 date or date-time.
    pub fn freeze_clock(&self, at: impl IntoTimestamp) {
        let at = instant_or_panic(at);
        self.shared.world().clock.freeze(at.as_millis());
    }

    /// Moves the clock forward (a real clock becomes frozen at the later instant).
    pub fn advance_clock(&self, by: std::time::Duration) {
        let by = Millis::try_from(by.as_millis()).unwrap_or(Millis::MAX);
        self.shared.world().clock.advance(by);
    }

    /// Returns the clock to real time.
    pub fn unfreeze_clock(&self) {
        self.shared.world().clock.unfreeze();
    }

    /// Messages of panics the mock caught while serving (each was answered with 500).
    /// A non-empty list is a bug in recotap-mock: please report it.
    pub fn caught_panics(&self) -> Vec<String> {
        self.shared.panics.lock().clone()
    }

    /// Test hook for recotap-mock's own tests: the next API request panics inside the router.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn panic_on_next_request(&self) {
        self.shared
            .panic_next_request
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Stops the server and releases the port now (dropping the handle does the same).
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for MockRecotap {
    fn drop(&mut self) {
        if self.state_file.is_some() {
            self.server.stop_and_drain();
        } else {
            self.server.stop();
        }
        if let Some(file) = self.state_file.take() {
            if let Err(error) = persist::write(&self.shared, &file.path) {
                // Drop must not panic (it may run during a panic); say it instead.
                eprintln!(
                    "recotap-mock: cannot write {}: {error}",
                    file.path.display()
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MockRecotap>();
    }
}
