//! Faults over every team's traffic: each fault is held by the team it was added for (or by the
//! whole mock), and a request is checked against the whole mock's faults and its team's
//! together, in the order they were added.

use super::Traffic;
use crate::world::faults::{self, ActiveFault, Fault, FaultId, Hit};

impl Traffic {
    /// Adds `fault` to the faults of its `match.team` (of the whole mock without one).
    ///
    /// # Errors
    /// Why the fault is refused: inconsistent fields, or a path no route serves.
    pub fn add_fault(&mut self, fault: Fault) -> Result<FaultId, String> {
        let team = fault.team().map(str::to_string);
        let id = FaultId(self.last_fault + 1);
        self.scope_mut(team.as_deref()).faults.add(fault, id)?;
        self.last_fault = id.0;
        Ok(id)
    }

    /// The faults with uses left of `team` (added for it), or (for `None`) every fault, in the
    /// order they are checked.
    pub fn faults(&self, team: Option<&str>) -> Vec<ActiveFault> {
        match team {
            Some(team) => self
                .teams
                .get(team)
                .map(|traffic| traffic.faults.list().collect())
                .unwrap_or_default(),
            None => {
                let mut all: Vec<ActiveFault> = self
                    .scopes()
                    .flat_map(|(_, traffic)| traffic.faults.list())
                    .collect();
                all.sort_unstable_by_key(|active| active.id);
                all
            }
        }
    }

    /// Removes the faults of `team`, or (for `None`) every fault but those of the teams `keep`
    /// says to keep (the sessions': they are their own).
    pub fn clear_faults(&mut self, team: Option<&str>, keep: impl Fn(&str) -> bool) {
        for (scope, traffic) in self.scopes_mut() {
            let chosen = match team {
                Some(team) => scope == Some(team),
                None => !scope.is_some_and(&keep),
            };
            if chosen {
                traffic.faults.clear();
            }
        }
    }

    /// Decides whether a fault hits the request `method path` (path without query) from
    /// `team`: the whole mock's faults and the team's, in the order added (see
    /// [`faults::decide`]).
    pub fn decide(&mut self, method: &str, path: &str, team: Option<&str>) -> Option<Hit> {
        let own = team
            .and_then(|team| self.teams.get_mut(team))
            .map(|traffic| &mut traffic.faults);
        faults::decide(&mut self.mock.faults, own, method, path, team)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_rising_after_clear() {
        let mut traffic = Traffic::new(10, 1024);
        let first = traffic.add_fault(Fault::hang()).unwrap();
        traffic.clear();
        let second = traffic.add_fault(Fault::hang()).unwrap();
        assert!(second > first);
    }

    #[test]
    fn the_whole_mocks_faults_and_a_teams_are_checked_in_the_order_added() {
        let mut traffic = Traffic::new(10, 1024);
        let on_team = |fault: Fault| fault.for_team("a");
        let first = traffic
            .add_fault(on_team(Fault::status(501).times(1)))
            .unwrap();
        let second = traffic.add_fault(Fault::status(502).times(1)).unwrap();
        let third = traffic
            .add_fault(on_team(Fault::status(503).times(1)))
            .unwrap();
        let fourth = traffic.add_fault(Fault::status(504).times(1)).unwrap();
        let hit = |traffic: &mut Traffic, team| {
            traffic
                .decide("GET", "/api/v1/segments", team)
                .map(|hit| hit.id)
        };
        // Team a's requests meet its own faults and the mock's, interleaved as added.
        assert_eq!(hit(&mut traffic, Some("a")), Some(first));
        assert_eq!(hit(&mut traffic, Some("a")), Some(second));
        assert_eq!(hit(&mut traffic, Some("a")), Some(third));
        // Team b's meet the mock's alone.
        assert_eq!(hit(&mut traffic, Some("b")), Some(fourth));
        assert_eq!(hit(&mut traffic, Some("a")), None);
        assert!(traffic.faults(None).is_empty());
    }

    #[test]
    fn forgetting_a_team_removes_its_faults_alone() {
        let mut traffic = Traffic::new(10, 1024);
        let mocks = traffic.add_fault(Fault::hang()).unwrap();
        traffic.add_fault(Fault::hang().for_team("a")).unwrap();
        traffic.forget_team("a");
        let left: Vec<FaultId> = traffic.faults(None).iter().map(|f| f.id).collect();
        assert_eq!(left, [mocks]);
        assert!(traffic.faults(Some("a")).is_empty());
    }
}
