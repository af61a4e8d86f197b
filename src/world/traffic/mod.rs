//! Everything the world holds of a team besides its data, in one place: its journal log, its
//! faults and its expectations (the whole mock's own, with the requests that named no team,
//! apart). One entry per team, so that resetting or deleting a team removes one entry; the
//! team's data, keys, id generator, clock and profile are the store's.

mod expectations;
mod faults;
mod log;

use std::collections::HashMap;

use crate::world::faults::FaultTable;
use crate::world::journal::TeamLog;
use crate::world::verify::Expectation;

/// What the world holds of one team (or of the whole mock) besides its data.
#[derive(Debug, Default)]
pub(crate) struct TeamTraffic {
    /// Its requests, oldest first, bounded.
    pub log: TeamLog,
    /// The faults added for it, in the order added.
    pub faults: FaultTable,
    /// What its tests expect it to request, in the order registered.
    pub expectations: Vec<Expectation>,
}

/// Every team's traffic, and the journal's bounds across them.
#[derive(Debug)]
pub(crate) struct Traffic {
    /// The whole mock's: requests that named no team (no valid key, no team's base URL), and
    /// the faults and expectations added for no team in particular.
    mock: TeamTraffic,
    teams: HashMap<Box<str>, TeamTraffic>,
    next_seq: u64,
    total_entries: usize,
    total_bytes: usize,
    /// Bounds of one team's log.
    max_entries: usize,
    max_bytes: usize,
    /// Ids keep rising across clears and resets, so that an id never names two faults.
    last_fault: u64,
    /// The same for expectations.
    last_expectation: u64,
}

impl Traffic {
    /// No traffic yet; each team's journal log is bounded to `max_entries` entries and
    /// `max_bytes` recorded bytes.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Traffic {
            mock: TeamTraffic::default(),
            teams: HashMap::new(),
            next_seq: 1,
            total_entries: 0,
            total_bytes: 0,
            max_entries,
            max_bytes,
            last_fault: 0,
            last_expectation: 0,
        }
    }

    /// The traffic of `team` (the whole mock's for `None`), if it has any.
    fn scope(&self, team: Option<&str>) -> Option<&TeamTraffic> {
        match team {
            None => Some(&self.mock),
            Some(team) => self.teams.get(team),
        }
    }

    /// The traffic of `team` (the whole mock's for `None`), to change; created empty if the
    /// team has none yet.
    fn scope_mut(&mut self, team: Option<&str>) -> &mut TeamTraffic {
        let Some(team) = team else {
            return &mut self.mock;
        };
        // Looked up before inserting: a team's name is copied only the first time.
        if !self.teams.contains_key(team) {
            self.teams.insert(Box::from(team), TeamTraffic::default());
        }
        self.teams.get_mut(team).expect("inserted above")
    }

    /// Every scope: the whole mock's (`None`), then each team's.
    fn scopes(&self) -> impl Iterator<Item = (Option<&str>, &TeamTraffic)> {
        let teams = self
            .teams
            .iter()
            .map(|(team, traffic)| (Some(&**team), traffic));
        std::iter::once((None, &self.mock)).chain(teams)
    }

    /// Every scope, to change.
    fn scopes_mut(&mut self) -> impl Iterator<Item = (Option<&str>, &mut TeamTraffic)> {
        let teams = self
            .teams
            .iter_mut()
            .map(|(team, traffic)| (Some(&**team), traffic));
        std::iter::once((None, &mut self.mock)).chain(teams)
    }

    /// Removes everything of `team` at once: its journal entries (and what was kept of dropped
    /// ones), its faults and its expectations.
    pub fn forget_team(&mut self, team: &str) {
        if let Some(traffic) = self.teams.remove(team) {
            self.total_entries -= traffic.log.entries.len();
            self.total_bytes -= traffic.log.bytes;
        }
    }

    /// Removes everything of every team and of the whole mock. Sequence numbers and ids go on
    /// rising.
    pub fn clear(&mut self) {
        self.mock = TeamTraffic::default();
        self.teams.clear();
        self.total_entries = 0;
        self.total_bytes = 0;
    }
}
