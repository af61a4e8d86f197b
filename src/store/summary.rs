//! What the store can say of every team at a glance (`GET /_mock/teams`, the web page's
//! sessions and state views): its name, whether it is a session, and how much it holds.
//! Counts only, read from the tables' lengths: cheap for a thousand sessions.

use super::*;

/// One team at a glance: its name, its kind and the size of each of its tables.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TeamSummary {
    pub name: String,
    /// `"session"` for a team made by `POST /_mock/sessions`, else `"team"`.
    pub kind: &'static str,
    pub accounts: usize,
    /// Inactive fields included, as `GET /_mock/custom-fields` lists them.
    pub custom_fields: usize,
    pub segments: usize,
    pub deals: usize,
    pub pipelines: usize,
    pub activities: usize,
}

impl Store {
    /// Every team at a glance, in creation order (`default` first, sessions as created).
    pub fn team_summaries(&self) -> Vec<TeamSummary> {
        self.teams
            .values()
            .map(|team| TeamSummary {
                name: team.name.to_string(),
                kind: match team.session {
                    Some(_) => "session",
                    None => "team",
                },
                accounts: team.accounts.len(),
                custom_fields: team.custom_fields.len(),
                segments: team.segments.len(),
                deals: team.sales.deals().len(),
                pipelines: team.sales.pipelines().len(),
                activities: team.sales.activities().len(),
            })
            .collect()
    }

    /// At most `limit` accounts of the team in id order, those after `after` when given: a
    /// page of the account browser, without copying the whole table.
    pub fn accounts_page(&self, team: &str, after: Option<ObjectId>, limit: usize) -> Vec<Account> {
        let Some(team) = self.team(team) else {
            return Vec::new();
        };
        let lower = after.map_or(Bound::Unbounded, Bound::Excluded);
        team.accounts
            .range((lower, Bound::Unbounded))
            .take(limit)
            .map(|(_, record)| record.to_account())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::model::NewAccount;

    fn store_with(domains: &[&str]) -> Store {
        let mut store = Store::new(IdGenerator::seeded(3));
        for domain in domains {
            let account = NewAccount::new(domain, "Name");
            store.insert_account("default", account, 0).unwrap();
        }
        store
    }

    #[test]
    fn summaries_name_each_team_its_kind_and_counts_in_creation_order() {
        let mut store = store_with(&["a.com", "b.com"]);
        let origin = SessionOrigin {
            key: "sk_1".to_string(),
            profile: None,
            frozen_at: None,
            id_seed: None,
        };
        store.create_session("s-1", origin).unwrap();
        let summaries = store.team_summaries();
        let kinds: Vec<(&str, &str, usize)> = summaries
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.accounts))
            .collect();
        assert_eq!(kinds, [("default", "team", 2), ("s-1", "session", 0)]);
    }

    #[test]
    fn an_accounts_page_starts_after_the_given_id_and_holds_at_most_limit() {
        let store = store_with(&["a.com", "b.com", "c.com"]);
        let all = store.accounts("default");
        let first = store.accounts_page("default", None, 2);
        assert_eq!(first, all[..2]);
        let rest = store.accounts_page("default", Some(first[1].rtp_aid), 2);
        assert_eq!(rest, all[2..]);
        assert!(store.accounts_page("nobody", None, 2).is_empty());
    }
}
