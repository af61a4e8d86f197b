//! The world: everything one mock changes while it serves, behind one lock: the store (every
//! team's data), the traffic
//! (every team's journal log, faults and expectations), the rate limiter's buckets and the
//! clock. Every operation is a whole method here (or on a part
//! reached through here), so one lock taken once makes a request, a reset or a restore one
//! transaction: a concurrent request sees the world before it or after it, never a mix.

pub(crate) mod faults;
pub(crate) mod journal;
pub(crate) mod paths;
pub(crate) mod rate_limit;
pub(crate) mod report;
pub(crate) mod shared;
pub(crate) mod traffic;
pub(crate) mod verify;

use crate::data::profile::Profile;
use crate::fidelity::clock::{Clock, Millis};
use crate::store::{Store, StoreError};
use crate::world::journal::{Evidence, JournalEntry, RecordedRequest, RequestFilter};
use crate::world::rate_limit::RateLimiter;
use crate::world::traffic::Traffic;
use verify::{Count, Expectation, RequestPattern};

/// Everything a running mock changes while it serves. A team lives in two places, each the one
/// owner of its part: the store holds what the team is (data, keys, id generator, clock,
/// profile: what a state document carries), the traffic what it sent and what is set up for
/// it (journal log, faults, expectations: never stored). [`World::reset_team`] and
/// [`World::delete_team`] act on both, as one operation.
#[derive(Debug)]
pub(crate) struct World {
    /// Every team's data.
    pub store: Store,
    /// Every team's journal log, faults and expectations.
    pub traffic: Traffic,
    /// Token buckets per API key (only used with a rate limit).
    pub limiter: RateLimiter,
    /// Real or frozen time; every timestamp and generated id reads it.
    pub clock: Clock,
}

impl World {
    /// A world holding `store`, reading `clock`, recording into `traffic`.
    pub fn new(store: Store, clock: Clock, traffic: Traffic) -> Self {
        World {
            store,
            traffic,
            limiter: RateLimiter::default(),
            clock,
        }
    }

    /// The mock's current time in milliseconds.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// The current time for `team`: its own clock if it has one (a session), else the mock's.
    pub fn now_for(&self, team: Option<&str>) -> Millis {
        team.and_then(|team| self.store.team_clock(team))
            .unwrap_or(&self.clock)
            .now()
    }

    /// The own clock of session `team`, to change; `None` if `team` is not a live session (a
    /// whole-mock reset or restore removes sessions).
    pub fn session_clock(&mut self, team: &str) -> Option<&mut Clock> {
        self.store.team_clock_mut(team)
    }

    /// The profile `team`'s requests follow: its own if it has one, else the mock's.
    pub fn profile_for(&self, team: Option<&str>) -> Profile {
        self.store.profile_for(team)
    }

    /// The clock `team` reads, to change: its own if it has one (a session), else the mock's.
    pub fn clock_for(&mut self, team: Option<&str>) -> &mut Clock {
        match team {
            Some(team) if self.store.team_clock(team).is_some() => self
                .store
                .team_clock_mut(team)
                .expect("the team has its own clock"),
            _ => &mut self.clock,
        }
    }

    /// Team `team` alone back to where it started (see [`Store::reset_team`]): its data, its
    /// clock, and all of its traffic (journal entries, faults, expectations); the rest of the
    /// world is untouched.
    ///
    /// # Errors
    /// [`StoreError::UnknownTeam`] if there is no such team.
    pub fn reset_team(&mut self, team: &str, initial: &Store) -> Result<(), StoreError> {
        self.store.reset_team(team, initial)?;
        self.traffic.forget_team(team);
        Ok(())
    }

    /// Drops session team `team`: its data, keys, and all of its traffic (journal entries,
    /// faults, expectations).
    ///
    /// # Errors
    /// [`StoreError::UnknownTeam`] if there is no such team.
    pub fn delete_team(&mut self, team: &str) -> Result<(), StoreError> {
        self.store.delete_team(team)?;
        self.traffic.forget_team(team);
        Ok(())
    }

    /// Back to `initial`, in one step: the store replaced, every team's traffic (journal,
    /// faults, expectations) removed, every rate-limit bucket full again. The clock is left as
    /// it is (a test that froze it keeps its time).
    pub fn reset_to(&mut self, initial: Store) {
        self.replace_store(initial);
        self.traffic.clear();
        self.limiter.clear();
    }

    /// Puts `store` in place of the current one, noting (if the current one noted changes)
    /// that everything changed, for the state file.
    pub fn replace_store(&mut self, store: Store) {
        let noting = self.store.notes_changes();
        self.store = store;
        if noting {
            self.store.note_changes();
            self.store.note_everything();
        }
    }

    /// Adds `fault`, refusing one that could never fire for want of its team: a `match.team`
    /// that names no team.
    ///
    /// # Errors
    /// Why the fault is refused (inconsistent fields, a path no route serves, an unknown team).
    pub fn add_fault(
        &mut self,
        fault: crate::world::faults::Fault,
    ) -> Result<crate::world::faults::FaultId, String> {
        if let Some(team) = fault.team().filter(|team| self.store.team(team).is_none()) {
            return Err(format!(
                "\"match.team\": no team '{team}', so the fault could never fire"
            ));
        }
        self.traffic.add_fault(fault)
    }

    /// Registers an expectation (of `team`'s requests, or of all) and returns its id. It counts
    /// the requests answered from now on; those already journaled are noted, to be named if
    /// it fails.
    pub fn expect(&mut self, team: Option<&str>, request: RequestPattern, count: Count) -> u64 {
        let before = self
            .requests_of(team)
            .iter()
            .filter(|entry| team.is_some() || !self.is_session(entry.team.as_deref()))
            .filter(|entry| request.matches(&entry.method, &entry.path, &entry.body))
            .count() as u64;
        self.traffic.expect(team, request, count, before)
    }

    /// Changes how many requests expectation `id` wants.
    pub fn set_expected_count(&mut self, id: u64, count: Count) {
        self.traffic.set_expected_count(id, count);
    }

    /// The expectations of `team` (all of them for `None`), in the order registered.
    pub fn expectations_of(&self, team: Option<&str>) -> Vec<Expectation> {
        self.traffic.expectations_of(team)
    }

    /// Removes the expectations of `team`, or (for `None`) those registered for the whole
    /// mock: a session's are its own, and only it (or a whole-mock reset) removes them.
    pub fn clear_expectations(&mut self, team: Option<&str>) {
        self.traffic.clear_expectations(team);
    }

    /// Empties the journal of `team`, or (for `None`) of every team but the sessions: a
    /// session's evidence is its own, and a whole-mock clear must not make its checks pass.
    pub fn clear_requests(&mut self, team: Option<&str>) {
        let store = &self.store;
        self.traffic
            .clear_requests(team, |team| store.is_session(team));
    }

    /// Removes the faults of `team`, or (for `None`) every fault but the sessions' own.
    pub fn clear_faults(&mut self, team: Option<&str>) {
        let store = &self.store;
        self.traffic
            .clear_faults(team, |team| store.is_session(team));
    }

    /// The journal entries of `team` (every entry for `None`), oldest first.
    pub fn requests_of(&self, team: Option<&str>) -> Vec<RecordedRequest> {
        let filter = RequestFilter {
            team: team.map(str::to_string),
            ..RequestFilter::default()
        };
        self.traffic.query(&filter)
    }

    /// Whether `team` is a live session (whose traffic whole-mock expectations do not count).
    pub fn is_session(&self, team: Option<&str>) -> bool {
        team.is_some_and(|team| self.store.is_session(team))
    }

    /// What the journal holds of `team` (of every team for `None`): its entries, and what was
    /// dropped of them, client errors included.
    pub(crate) fn evidence_of(&self, team: Option<&str>) -> Evidence {
        self.traffic.evidence(team)
    }

    /// Checks the expectations of `team` (all of them for `None`) against the journal.
    ///
    /// # Errors
    /// The failure report: what was expected, what was received, what to check.
    pub fn verify(&self, team: Option<&str>) -> Result<(), String> {
        // Each scope verifies its own: the mock's handle (or `/_mock/verify` without `?team=`)
        // the expectations registered without a team, a session those of its team.
        let expectations = self.traffic.own_expectations(team);
        if expectations.is_empty() {
            return Ok(());
        }
        verify::verify(expectations, &self.requests_of(team))
    }

    /// Issues `key` to `team` (created if new), held by `user` if given: a user's new key
    /// revokes that user's older one. The one rule for every way of adding a key (handle,
    /// admin API): a key that is already known is refused, never moved to another team.
    ///
    /// # Errors
    /// [`StoreError::ApiKeyExists`] if the key is known (the admin API answers 409).
    pub fn issue_key(
        &mut self,
        key: &str,
        team: &str,
        user: Option<&str>,
    ) -> Result<(), StoreError> {
        if self.store.team_for_key(key).is_some() {
            return Err(StoreError::ApiKeyExists(key.to_string()));
        }
        self.store.add_key(key, team, user);
        Ok(())
    }

    /// Appends a finished request to the journal, counts it for the expectations it matches,
    /// and logs it at `info` under the target `recotap_mock::requests` (the binary's
    /// `--log requests` shows these lines; they are off otherwise).
    pub fn record(&mut self, entry: JournalEntry) {
        let by_session = self.is_session(entry.team.as_deref());
        tracing::info!(
            target: "recotap_mock::requests",
            method = %entry.method,
            path = %entry.target,
            status = entry.status,
            team = %entry.team.as_deref().unwrap_or("-"),
            ms = entry.duration.as_secs_f64() * 1000.0,
            "request"
        );
        self.traffic.observe(&entry, by_session);
        self.traffic.record(entry);
    }
}
