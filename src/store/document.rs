//! The state document (docs/control.md §5) in and out of the store: every team, key, field,
//! segment, account, deal, pipeline and activity, with the first problem named on the way in.

use super::*;

/// The state document (docs/control.md §5) in and out.
impl Store {
    /// Everything the store holds, as a state document. Restoring it gives back the same document.
    pub fn to_document(&self) -> StateDocument {
        let mut keys: Vec<(&String, &KeyOwner)> = self.keys.iter().collect();
        keys.sort_by_key(|(_, owner)| owner.serial);
        let teams = self
            .teams
            .values()
            // Sessions are per-test scratch teams: never in a snapshot, state file or
            // `GET /_mock/state` (which would also hand out their keys).
            .filter(|team| team.session.is_none())
            .map(|team| TeamDocument {
                name: team.name.to_string(),
                api_keys: keys
                    .iter()
                    .filter(|(_, owner)| *owner.team == *team.name)
                    .map(|(key, owner)| match &owner.user {
                        None => ApiKey::Plain((*key).clone()),
                        Some(user) => ApiKey::Held {
                            key: (*key).clone(),
                            user: Some(user.clone()),
                        },
                    })
                    .collect(),
                custom_fields: team.custom_fields.clone(),
                segments: team
                    .segments
                    .iter()
                    .map(|(id, record)| record.to_segment(id))
                    .collect(),
                accounts: team
                    .accounts
                    .values()
                    .map(|a| a.to_account().into())
                    .collect(),
                deals: team.sales.deals().to_vec(),
                pipelines: team.sales.pipelines().to_vec(),
                activities: team.sales.activities().to_vec(),
                settings: team.settings.clone(),
            })
            .collect();
        StateDocument {
            profile: self.profile,
            teams,
        }
    }

    /// A store holding exactly `document` (missing ids generated, missing times set to `now`),
    /// or the first problem found, naming the team and entry.
    pub fn from_document(
        document: &StateDocument,
        ids: IdGenerator,
        now: Millis,
    ) -> Result<Store, StateError> {
        let mut store = Store {
            teams: IndexMap::new(),
            keys: HashMap::new(),
            next_key_serial: 0,
            ids,
            profile: document.profile,
            changes: changes::ChangeLog::default(),
        };
        for team in &document.teams {
            let name = team.name.as_str();
            let fail = |what: String, error: &dyn fmt::Display| StateError::InvalidEntry {
                team: name.to_string(),
                entry: what,
                problem: error.to_string(),
            };
            if name.is_empty() {
                return Err(StateError::EmptyTeamName);
            }
            if store.team(name).is_some() {
                return Err(StateError::DuplicateTeam {
                    team: name.to_string(),
                });
            }
            store.team_or_create(name);
            for (i, key) in team.api_keys.iter().enumerate() {
                if key.key().is_empty() || store.keys.contains_key(key.key()) {
                    let problem = "empty or already used by another entry";
                    return Err(fail(format!("apiKeys[{i}]"), &problem));
                }
                store.add_key(key.key(), name, key.user());
            }
            for (i, field) in team.custom_fields.iter().enumerate() {
                let team_fields = &store.team(name).expect("created above").custom_fields;
                if team_fields.iter().any(|existing| existing.key == field.key) {
                    let problem = format!("key '{}' appears twice", field.key);
                    return Err(fail(format!("customFields[{i}]"), &problem));
                }
                store.team_or_create(name).custom_fields.push(field.clone());
            }
            for (i, account) in team.accounts.iter().enumerate() {
                store
                    .insert_account(name, account.clone(), now)
                    .map_err(|error| fail(format!("accounts[{i}]"), &error))?;
            }
            for (i, segment) in team.segments.iter().enumerate() {
                store
                    .add_segment(name, segment.clone(), now)
                    .map_err(|error| fail(format!("segments[{i}]"), &error))?;
            }
            let team_record = store.team_or_create(name);
            if team.settings.requests_per_second == Some(0) {
                let problem = "requestsPerSecond must be at least 1";
                return Err(fail("settings".to_string(), &problem));
            }
            team_record.settings = team.settings.clone();
            team_record.sales = SalesBook::restore(
                team.deals.clone(),
                team.pipelines.clone(),
                team.activities.clone(),
            )
            .map_err(|error| fail("deals, pipelines or activities".to_string(), &error))?;
        }
        if store.team(DEFAULT_TEAM).is_none() {
            store
                .teams
                .shift_insert(0, DEFAULT_TEAM.to_string(), Team::new(DEFAULT_TEAM));
        }
        Ok(store)
    }
}
