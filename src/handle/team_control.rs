//! What a test controls and checks through a [`TeamView`], for its scope (the whole mock, a
//! session, a team): the journal, faults, the clock, expectations and checks, and reset.

use std::time::Duration;

use crate::data::timestamp::{IntoTimestamp, InvalidTimestamp, Timestamp};
use crate::fidelity::clock::{Clock, Millis};
use crate::handle::checks::{Checks, ExpectationsNotMet, Expected};
use crate::handle::team::{Scope, TeamView};
use crate::world::faults::{ActiveFault, Fault, FaultId, InvalidFault};
use crate::world::journal::{RecordedRequest, RequestFilter};
use crate::world::verify::RequestPattern;

impl TeamView {
    fn checks(&self) -> Checks<'_> {
        Checks {
            shared: &self.shared,
            team: self.scope_team(),
        }
    }

    /// The journal of this scope, oldest first: the whole mock's (every team, sessions
    /// included), or the team's.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.checks().requests()
    }

    /// The journal entries `filter` selects, oldest first: for a team, within its own entries
    /// whatever `filter.team` says.
    pub fn requests_matching(&self, filter: &RequestFilter) -> Vec<RecordedRequest> {
        let mut filter = filter.clone();
        if let Some(team) = self.scope_team() {
            filter.team = Some(team.to_string());
        }
        self.shared.world().traffic.query(&filter)
    }

    /// Empties the journal of this scope. The whole mock's clear leaves the sessions' own
    /// entries (a session's evidence is its own: it clears it itself, or a whole-mock reset
    /// removes the session).
    pub fn clear_requests(&self) {
        self.shared.world().clear_requests(self.scope_team());
    }

    /// Adds a fault after those already added (the first that matches and hits wins) and
    /// returns its id: for a team's view, one that hits only the team's requests. Admin
    /// requests are never faulted.
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
    /// If the fault is inconsistent (a `Fault` built through its methods never is; one read
    /// from JSON may be); the message names the field.
    pub fn add_fault(&self, fault: Fault) -> FaultId {
        self.try_add_fault(fault)
            .unwrap_or_else(|error| panic!("recotap-mock: cannot add fault: {error}"))
    }

    /// Adds a fault like [`add_fault`](Self::add_fault), or says why it cannot.
    ///
    /// # Errors
    /// [`InvalidFault`] naming the field (a fault read from JSON may be inconsistent), a path
    /// no route serves, or a `match.team` that names no team.
    pub fn try_add_fault(&self, fault: Fault) -> Result<FaultId, InvalidFault> {
        let fault = match self.scope_team() {
            Some(team) => fault.for_team(team),
            None => fault,
        };
        let added = self.shared.world().add_fault(fault);
        added.map_err(|problem| InvalidFault { problem })
    }

    /// The faults of this scope with uses left, in the order they are checked, with their
    /// remaining counts: every fault for the whole mock, the team's own for a team.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.world().traffic.faults(self.scope_team())
    }

    /// Removes the faults of this scope (the whole mock's clear leaves the sessions' own).
    pub fn clear_faults(&self) {
        self.shared.world().clear_faults(self.scope_team());
    }

    /// The time this scope reads: the mock's, or a session's own.
    pub fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.shared.world().now_for(self.scope_team()))
    }

    /// Freezes the clock of this scope at `at` (a session's own; for another team, the mock's,
    /// which it follows).
    ///
    /// # Panics
    /// If `at` is text that is not an ISO 8601 date or date-time.
    /// [`try_freeze_clock`](Self::try_freeze_clock) returns the error instead.
    pub fn freeze_clock(&self, at: impl IntoTimestamp) {
        self.try_freeze_clock(at)
            .unwrap_or_else(|error| panic!("recotap-mock: cannot freeze the clock: {error}"));
    }

    /// Freezes the clock like [`freeze_clock`](Self::freeze_clock), or says why `at` is no
    /// instant.
    ///
    /// # Errors
    /// [`InvalidTimestamp`] if `at` is text that is not ISO 8601.
    pub fn try_freeze_clock(&self, at: impl IntoTimestamp) -> Result<(), InvalidTimestamp> {
        let at = at.into_timestamp()?;
        self.with_clock(|clock| clock.freeze(at.as_millis()));
        Ok(())
    }

    /// Moves the clock of this scope forward (a real clock becomes frozen at the later
    /// instant).
    ///
    /// # Panics
    /// Past 9999-12-31T23:59:59.999Z, the last instant the API's timestamps can show.
    pub fn advance_clock(&self, by: Duration) {
        let by = Millis::try_from(by.as_millis()).unwrap_or(Millis::MAX);
        self.with_clock(|clock| clock.advance(by))
            .unwrap_or_else(|error| panic!("recotap-mock: {error}"));
    }

    /// Returns the clock of this scope to real time.
    pub fn unfreeze_clock(&self) {
        self.with_clock(Clock::unfreeze);
    }

    /// Runs `change` on the clock this scope reads.
    ///
    /// # Panics
    /// For a session that no longer exists (a whole-mock reset or restore removes sessions):
    /// its clock is gone, and the mock's must not move in its place.
    fn with_clock<R>(&self, change: impl FnOnce(&mut Clock) -> R) -> R {
        let mut world = self.shared.world();
        match &self.scope {
            Scope::Mock => change(&mut world.clock),
            Scope::Team {
                name,
                session: false,
            } => change(world.clock_for(Some(name))),
            Scope::Team {
                name,
                session: true,
            } => match world.session_clock(name) {
                Some(clock) => change(clock),
                None => {
                    drop(world);
                    panic!("{}", self.gone())
                }
            },
        }
    }

    /// Why a session's view can no longer act.
    pub(crate) fn gone(&self) -> String {
        format!(
            "recotap-mock: session {} no longer exists: a whole-mock reset or restore removes \
             every session; reset one session with session.reset() instead",
            self.name()
        )
    }

    /// Back to the start: the whole mock to its initial state (the journal emptied, faults
    /// and expectations removed, every rate-limit bucket full again, sessions gone); a session
    /// to how it was created (no data, journal entries, faults or expectations); another team
    /// to its initial data and keys.
    ///
    /// # Panics
    /// For a session a whole-mock reset removed, or a team that does not exist.
    pub fn reset(&self) {
        let (name, session) = match &self.scope {
            Scope::Mock => return self.shared.reset(),
            Scope::Team { name, session } => (name, *session),
        };
        let reset = self.shared.change(|world| {
            if session && !world.store.is_session(name) {
                return Err(self.gone());
            }
            world
                .reset_team(name, &self.shared.initial)
                .map_err(|error| format!("recotap-mock: cannot reset team {name:?}: {error}"))
        });
        if let Err(why) = reset {
            panic!("{why}");
        }
    }

    /// Expects requests matching `pattern` in this scope (the whole mock's: any team's but the
    /// sessions'): at least one unless changed with [`Expected::times`],
    /// [`Expected::at_least`], [`Expected::at_most`] or [`Expected::never`]. Checked by
    /// [`verify`](Self::verify), and when the mock (or session) is dropped.
    pub fn expect(&self, pattern: RequestPattern) -> Expected<'_> {
        self.checks().expect(pattern)
    }

    /// Checks the expectations of this scope, each against the requests counted since it was
    /// registered.
    ///
    /// # Panics
    /// With what was expected, what was received (method, path, status, `customMessage`) and
    /// what to check, if one does not hold.
    pub fn verify(&self) {
        self.checks().verify();
    }

    /// Checks the expectations like [`verify`](Self::verify), returning the failure instead.
    ///
    /// # Errors
    /// The report of the expectations that do not hold.
    pub fn try_verify(&self) -> Result<(), ExpectationsNotMet> {
        self.checks().try_verify()
    }

    /// Panics, listing each with the rule behind it, if the code under test got a 4xx or a
    /// `failed` item inside a `200` batch (accounts, deals, activities) in this scope: the
    /// usual cause of a silently broken integration. Client errors of entries the journal's
    /// bound dropped are still listed.
    pub fn assert_no_client_errors(&self) {
        self.checks().assert_no_client_errors();
    }

    /// A plain-text summary for a person: requests by endpoint and status (and how many the
    /// journal's bound dropped), every client error with its message, accounts created and
    /// updated, faults that fired.
    pub fn report(&self) -> String {
        self.checks().report()
    }
}
