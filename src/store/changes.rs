//! What a store transaction changed, for the state file: the mutating methods note a key (team,
//! kind, id) for each thing they touch, and the state file's writer turns the keys into rows.
//!
//! The keys name things, not values: a row is read from the store when the keys are drained,
//! under the same lock as the change, so a thing changed twice before a drain is written once,
//! with its latest value, and a thing that no longer exists is deleted.

use super::*;

/// One thing a transaction changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// Everything: the store was replaced (reset, restore, `PUT /_mock/state`).
    Everything,
    /// A whole team (created as a session, deleted, reset): its rows are all rewritten.
    Team(String),
    /// A team's own row (created, or its settings changed).
    TeamRow(String),
    /// An API key (issued or revoked).
    Key(String),
    /// (The team's name is shared with the team: a 100-item batch notes it 100 times.)
    Account(Arc<str>, ObjectId),
    /// The team's custom fields, all of them: a redefinition moves a field to the end.
    Fields(String),
    /// A segment's own row and all its members (a new segment).
    Segment(String, String),
    /// One member added to a segment: team, segment id, account.
    Member(String, String, ObjectId),
    Deal(String, String),
    /// The team's pipelines, all of them (they are few and only ever appended).
    Pipelines(String),
    /// The team's activities from this position on (they are only ever appended).
    ActivitiesFrom(String, usize),
}

/// The changes noted since the last drain, when noting is on (only with a state file, so a mock
/// without one pays a flag check per change and nothing else).
#[derive(Clone, Debug, Default)]
pub(crate) struct ChangeLog {
    on: bool,
    changes: Vec<Change>,
}

impl ChangeLog {
    /// Notes `change` if noting is on.
    pub(super) fn note(&mut self, change: impl FnOnce() -> Change) {
        if self.on {
            self.changes.push(change());
        }
    }

    pub(super) fn is_on(&self) -> bool {
        self.on
    }
}

impl Store {
    /// Starts noting changes (the state file's writer drains them after each transaction).
    pub fn note_changes(&mut self) {
        self.changes.on = true;
    }

    /// Whether changes are noted.
    pub fn notes_changes(&self) -> bool {
        self.changes.on
    }

    /// Notes that everything changed: the store replaced another one (which took its notes).
    pub fn note_everything(&mut self) {
        self.changes.note(|| Change::Everything);
    }

    /// Notes that account `id` of team `team` changed, naming the team by its shared name.
    pub(super) fn note_account(&mut self, team: &str, id: ObjectId) {
        if !self.changes.on {
            return;
        }
        let name = match self.teams.get(team) {
            Some(found) => Arc::clone(&found.name),
            None => Arc::from(team),
        };
        self.changes.note(|| Change::Account(name, id));
    }

    /// Notes that team `name` is to be rewritten whole.
    pub fn note_team(&mut self, name: &str) {
        self.changes.note(|| Change::Team(name.to_string()));
    }

    /// The changes noted since the last call, oldest first.
    #[cfg(feature = "persistence")]
    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes.changes)
    }
}
