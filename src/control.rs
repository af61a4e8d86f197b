//! The handle's control of the whole mock: the journal, keys, snapshot / restore / reset,
//! faults and the clock (seeding and inspection are in `handle`, sessions in `session`).

use crate::clock::Millis;
use crate::faults::{ActiveFault, Fault, FaultId, InvalidFault};
use crate::handle::MockRecotap;
use crate::journal::{RecordedRequest, RequestFilter};
use crate::state::{StateDocument, StateError};
use crate::store::StoreError;
use crate::timestamp::{IntoTimestamp, Timestamp};

impl MockRecotap {
    /// The journal entries `filter` selects (every team's, unless it names one), oldest first.
    pub fn requests_matching(&self, filter: &RequestFilter) -> Vec<RecordedRequest> {
        self.shared.world().journal.query(filter)
    }

    /// Every journaled API request of every team (sessions included), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.world().journal.entries()
    }

    /// Empties the journal, but for the sessions' own entries (a session's evidence is its
    /// own: it clears it itself, or a whole-mock reset removes the session).
    pub fn clear_requests(&self) {
        self.shared.world().clear_requests(None);
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

    /// The whole state as a state document (docs/control.md §5).
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
        let added = self.shared.world().add_fault(fault);
        added.unwrap_or_else(|error| panic!("recotap-mock: cannot add fault: {error}"))
    }

    /// Adds a fault like [`add_fault`](Self::add_fault), or says which field is inconsistent.
    ///
    /// # Errors
    /// A message naming the field (a `Fault` built through its methods is always consistent:
    /// they refuse bad values at the call; one read from JSON may not be).
    pub fn try_add_fault(&self, fault: Fault) -> Result<FaultId, InvalidFault> {
        self.shared
            .world()
            .add_fault(fault)
            .map_err(|problem| InvalidFault { problem })
    }

    /// The faults with uses left, in the order they are checked, with their remaining counts.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.world().faults.list()
    }

    /// Removes every fault but the sessions' own.
    pub fn clear_faults(&self) {
        self.shared.world().clear_faults(None);
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
    ///
    /// # Panics
    /// Past 9999-12-31T23:59:59.999Z, the last instant the API's timestamps can show.
    pub fn advance_clock(&self, by: std::time::Duration) {
        let by = Millis::try_from(by.as_millis()).unwrap_or(Millis::MAX);
        let moved = self.shared.world().clock.advance(by);
        moved.unwrap_or_else(|error| panic!("recotap-mock: {error}"));
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

    /// Test hook for recotap-mock's own tests: the state file's next commit fails (as a full
    /// disk would make it). Does nothing without a state file.
    #[cfg(all(feature = "test-hooks", feature = "persistence"))]
    #[doc(hidden)]
    pub fn fail_next_commit(&self) {
        if let Some(writer) = &self.shared.state_file {
            writer.fail_next_commit();
        }
    }

    /// Test hook for recotap-mock's own tests: how many state-file commits requests made on
    /// their own threads rather than the writer's (`0` without a state file).
    #[cfg(all(feature = "test-hooks", feature = "persistence"))]
    #[doc(hidden)]
    pub fn inline_commits(&self) -> u64 {
        self.shared
            .state_file
            .as_ref()
            .map_or(0, |writer| writer.inline_commits())
    }
}
