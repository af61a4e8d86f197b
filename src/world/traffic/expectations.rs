//! Expectations over every team's traffic: each is held by the team it was registered for (or
//! by the whole mock), and counts the requests answered after it.

use super::Traffic;
use crate::world::journal::JournalEntry;
use crate::world::verify::{Count, Expectation, RequestPattern};

impl Traffic {
    /// Registers an expectation of `team`'s requests (of the whole mock's for `None`) and
    /// returns its id. `before` is how many matching requests the journal already held: not
    /// counted, but named if the expectation fails.
    pub fn expect(
        &mut self,
        team: Option<&str>,
        request: RequestPattern,
        count: Count,
        before: u64,
    ) -> u64 {
        self.last_expectation += 1;
        let id = self.last_expectation;
        self.scope_mut(team).expectations.push(Expectation {
            id,
            team: team.map(str::to_string),
            request,
            count,
            seen: 0,
            before,
        });
        id
    }

    /// Changes how many requests expectation `id` wants.
    pub fn set_expected_count(&mut self, id: u64, count: Count) {
        let expectation = self
            .scopes_mut()
            .flat_map(|(_, traffic)| traffic.expectations.iter_mut())
            .find(|expectation| expectation.id == id);
        if let Some(expectation) = expectation {
            expectation.count = count;
        }
    }

    /// The expectations of `team` (every one for `None`), in the order registered.
    pub fn expectations_of(&self, team: Option<&str>) -> Vec<Expectation> {
        let mut all: Vec<Expectation> = match team {
            Some(team) => self
                .teams
                .get(team)
                .map_or_else(Vec::new, |traffic| traffic.expectations.clone()),
            None => self
                .scopes()
                .flat_map(|(_, traffic)| traffic.expectations.iter().cloned())
                .collect(),
        };
        all.sort_unstable_by_key(|expectation| expectation.id);
        all
    }

    /// The expectations registered for exactly `team` (for `None`, those of the whole mock).
    pub fn own_expectations(&self, team: Option<&str>) -> &[Expectation] {
        self.scope(team)
            .map_or(&[], |traffic| traffic.expectations.as_slice())
    }

    /// Removes the expectations of `team`, or (for `None`) those registered for the whole
    /// mock: a session's are its own, and only it (or a whole-mock reset) removes them.
    pub fn clear_expectations(&mut self, team: Option<&str>) {
        if let Some(traffic) = match team {
            None => Some(&mut self.mock),
            Some(team) => self.teams.get_mut(team),
        } {
            traffic.expectations.clear();
        }
    }

    /// Counts `entry` for the expectations it matches: the whole mock's (unless it came from a
    /// session, whose traffic belongs to its own test) and its team's.
    pub fn observe(&mut self, entry: &JournalEntry, by_session: bool) {
        let team = entry.team.as_deref();
        let own = team.and_then(|team| self.teams.get_mut(team));
        let own = own.map(|traffic| traffic.expectations.iter_mut());
        for expectation in self
            .mock
            .expectations
            .iter_mut()
            .chain(own.into_iter().flatten())
        {
            let (method, target) = (entry.method.as_str(), &entry.target);
            expectation.observe(team, by_session, method, target, &entry.body);
        }
    }
}
