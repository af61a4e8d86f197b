//! The invariants every request must leave intact, checked by the fuzz target and the
//! property tests.

use super::*;

/// The invariants every request must leave intact, for the fuzz target and the property tests.
impl Store {
    /// Checks, team by team: one account per cleaned domain (the domain index and the accounts
    /// agree both ways, every stored domain is valid), and every segment member is an existing
    /// account of the team, listed once. Returns the first violation found.
    pub(crate) fn check_invariants(&self) -> Result<(), String> {
        for team in self.teams.values() {
            let name = &team.name;
            if team.by_domain.len() != team.accounts.len() {
                return Err(format!(
                    "team '{name}': {} domains indexed for {} accounts",
                    team.by_domain.len(),
                    team.accounts.len()
                ));
            }
            for (id, account) in &team.accounts {
                if account.id != *id {
                    return Err(format!("team '{name}': account {id} carries another id"));
                }
                if !is_valid_domain(&account.domain) {
                    let domain = &account.domain;
                    return Err(format!("team '{name}': account {id} has domain {domain:?}"));
                }
                if team.by_domain.get(&*account.domain) != Some(id) {
                    let domain = &account.domain;
                    return Err(format!("team '{name}': {domain:?} is not indexed as {id}"));
                }
            }
            for (segment_id, segment) in &team.segments {
                let listed: HashSet<ObjectId> = segment.members.iter().copied().collect();
                if listed.len() != segment.members.len() || listed != segment.member_set {
                    return Err(format!(
                        "team '{name}': segment '{segment_id}' lists a member twice or out of step"
                    ));
                }
                if let Some(stranger) = segment
                    .members
                    .iter()
                    .find(|member| !team.accounts.contains_key(member))
                {
                    return Err(format!(
                        "team '{name}': segment '{segment_id}' lists {stranger}, not an account"
                    ));
                }
            }
        }
        Ok(())
    }
}
