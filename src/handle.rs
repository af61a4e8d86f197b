//! `MockRecotap`, the handle a Rust test holds: start, seed, inspect, reset, stop on drop.
//! Every method is synchronous, cheap, and safe to call from inside an async test.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::builder::MockRecotapBuilder;
use crate::checks::{Checks, ExpectationsNotMet, Expected};
use crate::model::{Account, CustomField, NewAccount, ObjectId, ScoreUpdate, Segment};
use crate::sales::{Activity, Deal, Pipeline};
use crate::server::ServerHandle;
use crate::session::Session;
use crate::shared::Shared;
use crate::store::{StoreError, DEFAULT_TEAM};
use crate::team::TeamView;
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
    /// Whether the port was picked by the system (port 0): then nobody waits to bind it
    /// again, and dropping the handle need not wait until it is closed.
    pub(crate) ephemeral_port: bool,
    /// Whether the server was stopped and the state file's writer finished (`stop`,
    /// `try_stop`), so that the drop does not do it, or report its failure, again.
    pub(crate) finished: bool,
}

impl MockRecotap {
    /// Starts a mock on a free port of `127.0.0.1`, with team `default` and key `test-api-key`.
    /// It accepts connections as soon as this returns. Works from any thread or runtime.
    pub fn start() -> MockRecotap {
        MockRecotap::builder().start()
    }

    /// A mock shared by the whole process, started on first use and never stopped (it ends with
    /// the process). With [`session`](Self::session) it is the fast default for large suites:
    /// each test takes an isolated session on it (a few microseconds) instead of starting a
    /// server of its own, and tests running in parallel never see each other.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, NewAccount};
    /// let session = MockRecotap::shared().session();
    /// session.add_account(NewAccount::new("acme.com", "Acme"));
    /// assert_eq!(session.accounts().len(), 1);
    /// ```
    ///
    /// # Panics
    /// If the shared mock cannot start (no free loopback port).
    pub fn shared() -> &'static MockRecotap {
        static SHARED: std::sync::OnceLock<MockRecotap> = std::sync::OnceLock::new();
        SHARED.get_or_init(MockRecotap::start)
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
        Session::create(&self.shared, &self.url())
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

    /// Checks the expectations registered on the mock itself (a session checks its own), each
    /// against the requests counted since it was registered.
    ///
    /// # Panics
    /// With what was expected, what was received (method, path, status, `customMessage`) and
    /// what to check, if one does not hold.
    pub fn verify(&self) {
        self.checks().verify();
    }

    /// Checks the mock's expectations, returning the failure instead of panicking.
    ///
    /// # Errors
    /// The report of the expectations that do not hold.
    pub fn try_verify(&self) -> Result<(), ExpectationsNotMet> {
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
    /// assert_eq!(acme.rtp_account_score, Some(78.into()));
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
