//! The rows of the state file: what the noted changes (see `changes`) come to, read from the
//! store as it is when they are drained. A record is the JSON of its state-document form, so
//! the file reads back with the document's own parser. Most are written through their serde
//! form, so a field added to `CustomField` (say) is persisted with no change here. An account
//! row carries the record itself (by reference count) and its team's shared name; the writer
//! writes its JSON straight from the store's compact form (`record::SeedJson::write`), which
//! must name every field of `NewAccount` (unit tests compare it with serde's output and with
//! the seed's own JSON).

use std::collections::HashSet;

use super::changes::Change;
use super::*;

/// One write to the state file. Upserts carry the whole record; positions keep the order the
/// state document lists things in.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    /// Every row of every table deleted.
    DeleteAll,
    /// Every row of the team deleted (its own row stays, so that it keeps its position).
    DeleteTeamData(String),
    /// The team's own row: created at the end of the team order, or its settings updated.
    Team {
        name: String,
        settings: String,
    },
    /// The team's own row deleted.
    NoTeam(String),
    Key {
        key: String,
        team: String,
        user: Option<String>,
        serial: u64,
    },
    NoKey(String),
    /// The record itself, not its JSON: a copy is cheap under the lock, and the writer makes
    /// the JSON only for the rows it does not skip (see `persist::db::superseded`).
    /// (Its id is the record's; the writer spells it.)
    Account {
        team: Arc<str>,
        record: AccountRecord,
    },
    /// All the team's custom fields, in order (key, body).
    Fields {
        team: String,
        fields: Vec<(String, String)>,
    },
    /// A segment without its members (they are rows of their own).
    Segment {
        team: String,
        id: String,
        body: String,
    },
    /// A member, appended to the segment's member order.
    Member {
        team: String,
        segment: String,
        account: String,
    },
    Deal {
        team: String,
        id: String,
        position: usize,
        body: String,
    },
    /// All the team's pipelines, in order (id, body).
    Pipelines {
        team: String,
        pipelines: Vec<(String, String)>,
    },
    Activity {
        team: String,
        id: String,
        position: usize,
        body: String,
    },
}

/// What a drain of the noted changes comes to.
#[derive(Debug)]
pub enum Rows {
    /// Nothing changed.
    None,
    /// These rows, in order.
    Some(Vec<Row>),
    /// The whole store, to be written from this copy (off the lock: see [`Store::all_rows`]).
    Everything(Box<Store>),
}

/// Appends the JSON of an account's row (its state document form) to `out`.
pub fn write_account_json(record: &AccountRecord, out: &mut Vec<u8>) {
    crate::data::record::SeedJson(record).write(out);
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("records serialise to JSON")
}

/// A hash set for the store's own keys.
type FastSet<T> = HashSet<T, foldhash::fast::RandomState>;

impl Store {
    /// Drains the noted changes into rows.
    pub fn drain_rows(&mut self) -> Rows {
        let changes = self.take_changes();
        if changes.is_empty() {
            return Rows::None;
        }
        if changes.contains(&Change::Everything) {
            // A copy, so that the many rows of a large store are made by the writer, not here
            // under the world's lock.
            let mut copy = self.clone();
            copy.changes = Default::default();
            return Rows::Everything(Box::new(copy));
        }
        // foldhash, not SipHash: this runs under the world's lock, for every change (a 100-item
        // upsert notes 100); its seeded hasher is enough against crafted team names in a mock.
        let rewritten: FastSet<&str> = changes
            .iter()
            .filter_map(|change| match change {
                Change::Team(team) => Some(team.as_str()),
                _ => None,
            })
            .collect();
        let mut seen = FastSet::default();
        let mut rows = Vec::new();
        for change in &changes {
            if !seen.insert(change) {
                continue;
            }
            // Sessions are per-test scratch teams: never in the state file, as never in a
            // state document.
            let session_key = |key: &str| {
                self.keys
                    .get(key)
                    .is_some_and(|owner| self.is_session(&owner.team))
            };
            let skip = match change {
                Change::Team(team) => self.is_session(team),
                Change::Key(key) => session_key(key),
                other => self.is_session(team_of(other)),
            };
            if skip {
                continue;
            }
            match change {
                Change::Team(team) => self.team_rows(team, &mut |row| rows.push(row)),
                Change::Key(key) => rows.push(self.key_row(key)),
                other => {
                    if !rewritten.contains(team_of(other)) {
                        self.change_rows(other, &mut rows);
                    }
                }
            }
        }
        Rows::Some(rows)
    }

    /// Every row of the store, in order, starting with [`Row::DeleteAll`].
    pub fn all_rows(&self, sink: &mut dyn FnMut(Row)) {
        sink(Row::DeleteAll);
        for name in self.teams.keys().filter(|name| !self.is_session(name)) {
            self.team_rows(name, sink);
        }
    }

    /// Team `name` rewritten: its rows deleted, then all of its current rows (or its own row
    /// deleted too if it no longer exists).
    fn team_rows(&self, name: &str, sink: &mut dyn FnMut(Row)) {
        sink(Row::DeleteTeamData(name.to_string()));
        let Some(team) = self.team(name) else {
            sink(Row::NoTeam(name.to_string()));
            return;
        };
        sink(team_row(team));
        let mut keys: Vec<(&String, &KeyOwner)> =
            self.keys.iter().filter(|(_, o)| o.team == name).collect();
        keys.sort_by_key(|(_, owner)| owner.serial);
        for (key, owner) in keys {
            sink(key_row(key, owner));
        }
        sink(fields_row(team));
        for (id, segment) in &team.segments {
            sink(segment_row(name, id, segment));
            for member in &segment.members {
                sink(Row::Member {
                    team: name.to_string(),
                    segment: id.clone(),
                    account: member.to_string(),
                });
            }
        }
        for id in team.accounts.keys() {
            sink(account_row(team, *id).expect("the account exists"));
        }
        for (position, deal) in team.sales.deals().iter().enumerate() {
            sink(deal_row(name, position, deal));
        }
        sink(pipelines_row(team));
        for (position, activity) in team.sales.activities().iter().enumerate() {
            sink(activity_row(name, position, activity));
        }
    }

    fn key_row(&self, key: &str) -> Row {
        match self.keys.get(key) {
            Some(owner) => key_row(key, owner),
            None => Row::NoKey(key.to_string()),
        }
    }

    /// The rows of a change to one thing of a team; nothing if the team is gone (its deletion
    /// is a [`Change::Team`] of its own).
    fn change_rows(&self, change: &Change, rows: &mut Vec<Row>) {
        let Some(team) = self.team(team_of(change)) else {
            return;
        };
        let name = &*team.name;
        match change {
            Change::TeamRow(_) => rows.push(team_row(team)),
            Change::Account(_, id) => rows.extend(account_row(team, *id)),
            Change::Fields(_) => rows.push(fields_row(team)),
            Change::Segment(_, id) => {
                if let Some(segment) = team.segments.get(id) {
                    rows.push(segment_row(name, id, segment));
                    rows.extend(segment.members.iter().map(|member| Row::Member {
                        team: name.to_string(),
                        segment: id.clone(),
                        account: member.to_string(),
                    }));
                }
            }
            Change::Member(_, segment, account) => rows.push(Row::Member {
                team: name.to_string(),
                segment: segment.clone(),
                account: account.to_string(),
            }),
            Change::Deal(_, id) => {
                if let Some((position, deal)) = team.sales.deal_at(id) {
                    rows.push(deal_row(name, position, deal));
                }
            }
            Change::Pipelines(_) => rows.push(pipelines_row(team)),
            Change::ActivitiesFrom(_, from) => {
                let activities = team.sales.activities();
                for (position, activity) in activities.iter().enumerate().skip(*from) {
                    rows.push(activity_row(name, position, activity));
                }
            }
            Change::Everything | Change::Team(_) | Change::Key(_) => {}
        }
    }
}

/// The team a change belongs to (`""` for the ones of no one team).
fn team_of(change: &Change) -> &str {
    match change {
        Change::Everything | Change::Key(_) => "",
        Change::Account(team, _) => team,
        Change::Team(team)
        | Change::TeamRow(team)
        | Change::Fields(team)
        | Change::Segment(team, _)
        | Change::Member(team, _, _)
        | Change::Deal(team, _)
        | Change::Pipelines(team)
        | Change::ActivitiesFrom(team, _) => team,
    }
}

fn team_row(team: &Team) -> Row {
    Row::Team {
        name: team.name.to_string(),
        settings: json(&team.settings),
    }
}

fn key_row(key: &str, owner: &KeyOwner) -> Row {
    Row::Key {
        key: key.to_string(),
        team: owner.team.clone(),
        user: owner.user.clone(),
        serial: owner.serial,
    }
}

fn account_row(team: &Team, id: ObjectId) -> Option<Row> {
    let record = team.accounts.get(&id)?;
    Some(Row::Account {
        team: Arc::clone(&team.name),
        record: record.clone(),
    })
}

fn fields_row(team: &Team) -> Row {
    Row::Fields {
        team: team.name.to_string(),
        fields: team
            .custom_fields
            .iter()
            .map(|field| (field.key.clone(), json(field)))
            .collect(),
    }
}

fn segment_row(team: &str, id: &str, segment: &SegmentRecord) -> Row {
    let bare = Segment {
        segment_id: Some(id.to_string()),
        name: segment.name.clone(),
        segment_type: segment.segment_type,
        status: segment.status,
        members: Vec::new(),
    };
    Row::Segment {
        team: team.to_string(),
        id: id.to_string(),
        body: json(&bare),
    }
}

fn deal_row(team: &str, position: usize, deal: &Deal) -> Row {
    Row::Deal {
        team: team.to_string(),
        id: deal.external_deal_id.clone(),
        position,
        body: json(deal),
    }
}

fn pipelines_row(team: &Team) -> Row {
    Row::Pipelines {
        team: team.name.to_string(),
        pipelines: team
            .sales
            .pipelines()
            .iter()
            .map(|pipeline| (pipeline.pipeline_id.clone(), json(pipeline)))
            .collect(),
    }
}

fn activity_row(team: &str, position: usize, activity: &Activity) -> Row {
    Row::Activity {
        team: team.to_string(),
        id: activity.external_activity_id.clone(),
        position,
        body: json(activity),
    }
}
