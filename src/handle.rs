//! `MockRecotap`, the handle a Rust test holds: start, seed, inspect, reset, stop on drop.
//! Every method is synchronous, cheap, and safe to call from inside an async test.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::builder::MockRecotapBuilder;
use crate::checks::{Checks, Expected};
use crate::clock::Millis;
use crate::faults::{ActiveFault, Fault, FaultId};
use crate::journal::RecordedRequest;
use crate::model::{Account, CustomField, NewAccount, ObjectId, ScoreUpdate, Segment};
use crate::sales::{Activity, Deal, Pipeline};
use crate::server::ServerHandle;
use crate::session::Session;
use crate::shared::Shared;
use crate::state::{StateDocument, StateError};
use crate::store::{StoreError, DEFAULT_TEAM};
use crate::team::TeamView;
use crate::timestamp::{IntoTimestamp, Timestamp};
use crate::verify::Request;

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
    pub(crate) shared: Arc<Shared>,
    pub(crate) address: SocketAddr,
    pub(crate) api_key: String,
    pub(crate) server: ServerHandle,
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

    /// A fresh, isolated session on this mock: its own team and key, journal, faults, clock,
    /// expectations and reset (see [`Session`]). Costs a few microseconds; a thousand live
    /// sessions are fine.
    pub fn session(&self) -> Session<'_> {
        Session::create(&self.shared, self.base_url())
    }

    fn checks(&self) -> Checks<'_> {
        Checks {
            shared: &self.shared,
            team: None,
        }
    }

    /// Expects requests matching `request` (from any team): at least one unless changed with
    /// [`Expected::times`], [`Expected::at_least`], [`Expected::at_most`] or
    /// [`Expected::never`]. Checked by [`verify`](Self::verify) and when the mock is dropped.
    pub fn expect(&self, request: Request) -> Expected<'_> {
        self.checks().expect(request)
    }

    /// Checks every expectation against the journal.
    ///
    /// # Panics
    /// With what was expected, what was received (method, path, status, `customMessage`) and
    /// what to check, if one does not hold.
    pub fn verify(&self) {
        self.checks().verify();
    }

    /// Checks every expectation, returning the failure text instead of panicking.
    ///
    /// # Errors
    /// The report of the expectations that do not hold.
    pub fn try_verify(&self) -> Result<(), String> {
        self.checks().try_verify()
    }

    /// Panics, listing each with the rule behind it, if the code under test got a 4xx or a
    /// `failed` item inside a `200` batch (accounts, deals, activities): the usual cause of a
    /// silently broken integration.
    pub fn assert_no_client_errors(&self) {
        self.checks().assert_no_client_errors();
    }

    /// A plain-text summary for a person: requests by endpoint and status, every client error
    /// with its message, accounts created and updated, faults that fired.
    pub fn report(&self) -> String {
        self.checks().report()
    }

    /// Adds a custom field to team `default` and returns it as stored.
    ///
    /// # Panics
    /// If an active field with the same key exists (the API would answer 409); the message
    /// names the field holding the key. [`try_add_custom_field`](Self::try_add_custom_field)
    /// returns the error instead.
    pub fn add_custom_field(&self, field: CustomField) -> CustomField {
        self.default_team().add_custom_field(field)
    }

    /// Adds a custom field to team `default`, or says why not (see [`TeamView::try_add_custom_field`]).
    pub fn try_add_custom_field(&self, field: CustomField) -> Result<CustomField, StoreError> {
        self.default_team().try_add_custom_field(field)
    }

    /// Adds a segment (any type and status; id generated unless chosen) and returns it.
    ///
    /// # Panics
    /// If the id is taken or a member is not an account of the team; the message says what
    /// exists. [`try_add_segment`](Self::try_add_segment) returns the error instead.
    pub fn add_segment(&self, segment: Segment) -> Segment {
        self.default_team().add_segment(segment)
    }

    /// Adds a segment to team `default`, or says why not (see [`TeamView::try_add_segment`]).
    pub fn try_add_segment(&self, segment: Segment) -> Result<Segment, StoreError> {
        self.default_team().try_add_segment(segment)
    }

    /// Adds an account (domain cleaned, id and timestamps filled in) and returns it as stored,
    /// or says why not (see [`TeamView::try_add_account`]).
    pub fn try_add_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        self.default_team().try_add_account(account)
    }

    /// Adds an account and returns it as stored.
    ///
    /// # Panics
    /// If the domain is invalid or taken, or a chosen id is taken; the message names the
    /// account holding it. [`try_add_account`](Self::try_add_account) returns the error.
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

    /// Sets scores like [`set_scores`](Self::set_scores), or says why not
    /// ([`StoreError::DomainNotFound`]).
    pub fn try_set_scores(&self, domain: &str, update: ScoreUpdate) -> Result<Account, StoreError> {
        self.default_team().try_set_scores(domain, update)
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

    /// Adds a fault like [`add_fault`](Self::add_fault), or says which field is inconsistent.
    ///
    /// # Errors
    /// A message naming the field (a `Fault` built through its methods is always consistent:
    /// they refuse bad values at the call; one read from JSON may not be).
    pub fn try_add_fault(&self, fault: Fault) -> Result<FaultId, String> {
        self.shared.world().faults.add(fault)
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
        self.try_freeze_clock(at)
            .unwrap_or_else(|error| panic!("recotap-mock: cannot freeze the clock: {error}"))
    }

    /// Freezes the clock like [`freeze_clock`](Self::freeze_clock), or says why not.
    ///
    /// # Errors
    /// [`InvalidTimestamp`](crate::InvalidTimestamp) if `at` is text that is not ISO 8601.
    pub fn try_freeze_clock(&self, at: impl IntoTimestamp) -> Result<(), crate::InvalidTimestamp> {
        let at = at.into_timestamp()?;
        self.shared.world().clock.freeze(at.as_millis());
        Ok(())
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
        if let Some(writer) = &self.shared.state_file {
            // Every change is written as it is made; draining lets the last requests finish,
            // and `finish` commits what they queued and closes the file.
            self.server.stop_and_drain();
            writer.finish();
        } else {
            self.server.stop();
        }
        // Expectations are checked last, once the port is free: a failed one panics (unless
        // the test is already panicking, which would abort).
        if !std::thread::panicking() {
            if let Err(report) = self.try_verify() {
                panic!("recotap-mock: expectations not met:\n{report}");
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
