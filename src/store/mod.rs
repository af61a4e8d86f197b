//! Teams and their tables, and every business rule of the API: cleaning, dedupe, upsert,
//! membership, pagination, ids. Pure and synchronous: no I/O, no locks, no HTTP types.
//! This file holds the tables, keys and inspection; `seeding` adds what a test seeds, `batch`
//! is `POST /accounts`, `listing` the paginated reads, `updates` changes to existing accounts,
//! `sales_data` deals, pipelines and activities, `sessions` session teams, `summary` every
//! team at a glance (counts, a page of accounts), `document` the state document, `error` the
//! refusals, `invariants` what every request must leave true, `changes` and `rows` what a
//! transaction changed, for the state file. The children share this file's imports
//! (`use super::*`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Bound;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Number;
use smallvec::SmallVec;

use crate::fidelity::jsvalue::{JsObject, JsValue};

use indexmap::IndexMap;

use crate::data::document::{ApiKey, StateDocument, StateError, TeamDocument, TeamSettings};
use crate::data::model::{
    Account, CustomField, FieldStatus, IdGenerator, NewAccount, ObjectId, ScoreUpdate, Segment,
    SegmentStatus, SegmentType,
};
use crate::data::profile::Profile;
use crate::data::record::{replace_present, replace_text, AccountData, AccountRecord};
use crate::data::sales::{
    Activity, ActivityResult, Deal, DealResult, Pipeline, PipelinesExist, SalesBook,
};
use crate::fidelity::clock::{format_iso, Clock, Millis};
use crate::fidelity::domain::{clean_domain, is_valid_domain};

mod batch;
mod changes;
mod document;
mod error;
#[cfg(feature = "test-hooks")]
mod invariants;
mod listing;
#[cfg(feature = "persistence")]
mod rows;
mod sales_data;
mod seeding;
mod sessions;
mod summary;
mod updates;

pub use batch::{AccountInput, CreateAccounts, InputFields, InputTags, ItemResult, ItemStatus};
pub use changes::Change;
pub use error::StoreError;
pub use listing::{AccountFilter, SegmentRow};
#[cfg(feature = "persistence")]
pub use rows::{write_account_json, Row, Rows};
pub use summary::TeamSummary;

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
/// `subtle` answers `false` at once when the lengths differ: that reveals only whether a guess
/// has the secret's length, never where a guess of that length first differs.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

/// Hashes domains for the index: SipHash's flood resistance buys nothing in a test tool, and
/// hashing is a large share of pushing a batch.
type DomainHasher = foldhash::fast::RandomState;

/// The team a mock starts with.
pub const DEFAULT_TEAM: &str = "default";

#[derive(Clone, Debug)]
struct SegmentRecord {
    name: String,
    segment_type: SegmentType,
    status: SegmentStatus,
    members: Vec<ObjectId>,
    /// Mirrors `members` so that a batch checks membership in O(1), not O(members).
    member_set: HashSet<ObjectId>,
}

impl SegmentRecord {
    /// Adds `id` unless it is a member already; says whether it was added.
    fn add_member(&mut self, id: ObjectId) -> bool {
        let added = self.member_set.insert(id);
        if added {
            self.members.push(id);
        }
        added
    }

    fn to_segment(&self, id: &str) -> Segment {
        Segment {
            segment_id: Some(id.to_string()),
            name: self.name.clone(),
            segment_type: self.segment_type,
            status: self.status,
            members: self.members.clone(),
        }
    }
}

/// One team's data.
#[derive(Clone, Debug)]
pub struct Team {
    /// Shared with the changes and state-file rows that name the team (no copy per row).
    name: Arc<str>,
    /// Ordered by id, so keyset pages cost O(log n + limit).
    ///
    /// A record is its id and times beside a shared pointer to the rest: ids mostly arrive in
    /// order, which leaves B-tree nodes about half full, and a half-empty node of small records
    /// wastes far less than one of whole accounts. What the split buys: the state file's
    /// writer takes a changed account by reference count under the world's lock (not a deep
    /// copy), a change to its fields while the writer still holds them copies on write
    /// ([`AccountRecord::data_mut`]), and a change of its times alone copies nothing; snapshots
    /// and the initial state share unchanged accounts the same way.
    accounts: BTreeMap<ObjectId, AccountRecord>,
    /// Cleaned domain → id: one account per domain, found in O(1).
    by_domain: HashMap<Arc<str>, ObjectId, DomainHasher>,
    /// Creation order, inactive fields included.
    custom_fields: Vec<CustomField>,
    /// Ordered by id as a byte string.
    segments: BTreeMap<String, SegmentRecord>,
    sales: SalesBook,
    settings: TeamSettings,
    /// A session team's own clock and what it was created with; `None` for other teams,
    /// which follow the mock's clock.
    session: Option<Box<SessionTime>>,
}

/// A session team's own clock and id generator (so that its times and ids are reproducible
/// alone), and what its reset returns to.
#[derive(Clone, Debug)]
pub(crate) struct SessionTime {
    pub clock: Clock,
    pub ids: IdGenerator,
    pub origin: SessionOrigin,
}

/// What a session was created with; a team-scoped reset returns it to this.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionOrigin {
    pub key: String,
    /// The session's own profile; `None` follows the mock's.
    pub profile: Option<Profile>,
    pub frozen_at: Option<Millis>,
    pub id_seed: Option<u64>,
}

impl Team {
    fn new(name: &str) -> Self {
        Team {
            name: Arc::from(name),
            accounts: BTreeMap::new(),
            by_domain: HashMap::default(),
            custom_fields: Vec::new(),
            segments: BTreeMap::new(),
            sales: SalesBook::default(),
            settings: TeamSettings::default(),
            session: None,
        }
    }

    /// A fresh session team: empty, with its own clock as `origin` says.
    fn session(name: &str, origin: SessionOrigin) -> Self {
        let ids = match origin.id_seed {
            Some(seed) => IdGenerator::seeded(seed),
            None => IdGenerator::random(),
        };
        let mut clock = Clock::default();
        if let Some(at) = origin.frozen_at {
            clock.freeze(at);
        }
        let settings = TeamSettings {
            profile: origin.profile,
            ..TeamSettings::default()
        };
        Team {
            settings,
            session: Some(Box::new(SessionTime { clock, ids, origin })),
            ..Team::new(name)
        }
    }

    fn is_active_field(&self, key: &str) -> bool {
        self.custom_fields
            .iter()
            .any(|field| field.key == key && field.status == FieldStatus::Active)
    }

    fn unknown_keys<'k>(&self, keys: impl Iterator<Item = &'k str>) -> Vec<String> {
        keys.filter(|key| !self.is_active_field(key))
            .map(str::to_string)
            .collect()
    }
}

#[derive(Clone, Debug)]
struct KeyOwner {
    team: String,
    user: Option<String>,
    /// Issue order, so that snapshots list keys as they were added.
    serial: u64,
}

/// The id generator a team's ids come from: a session's own (`session`, the team's field), so
/// that its ids are reproducible alone, else the store's. Taking the team's field rather than
/// the team leaves its other fields free to read while an id is made.
fn ids_of<'a>(
    session: &'a mut Option<Box<SessionTime>>,
    store_ids: &'a mut IdGenerator,
) -> &'a mut IdGenerator {
    match session {
        Some(session) => &mut session.ids,
        None => store_ids,
    }
}

/// Every team, every API key, and the id generator.
#[derive(Clone, Debug)]
pub struct Store {
    /// In creation order, found by name in O(1) (a mock may hold a thousand sessions).
    teams: IndexMap<String, Team>,
    keys: HashMap<String, KeyOwner>,
    next_key_serial: u64,
    ids: IdGenerator,
    /// The mock-wide profile, as set (`None` reads as `documented`); a team's own wins.
    profile: Option<Profile>,
    /// What changed since the state file's writer last looked (noted only with a state file).
    changes: changes::ChangeLog,
}

impl Store {
    /// A store with the team `default` and no keys.
    pub fn new(ids: IdGenerator) -> Self {
        let mut teams = IndexMap::new();
        teams.insert(DEFAULT_TEAM.to_string(), Team::new(DEFAULT_TEAM));
        Store {
            teams,
            keys: HashMap::new(),
            next_key_serial: 0,
            ids,
            profile: None,
            changes: changes::ChangeLog::default(),
        }
    }

    /// The team a key authenticates as, if the key is known and current.
    ///
    /// Every known key is compared, each without stopping at the first differing byte, so the
    /// answer's timing says nothing about how close a guess was (only whether some key has
    /// the guess's length).
    pub fn team_for_key(&self, key: &str) -> Option<&str> {
        // A randomly keyed hash (std's SipHash) finds the one candidate, so the lookup's time
        // does not depend on how close a guess is to a key; the candidate is then compared in
        // constant time. One lookup, however many sessions hold keys.
        let (known, owner) = self.keys.get_key_value(key)?;
        constant_time_eq(known.as_bytes(), key.as_bytes()).then_some(owner.team.as_str())
    }

    /// Adds `key` to `team` (created if new). A key held by `user` revokes that user's older key.
    pub fn add_key(&mut self, key: &str, team: &str, user: Option<&str>) {
        if let Some(user) = user {
            let changes = &mut self.changes;
            self.keys.retain(|old, owner| {
                let revoked = owner.team == team && owner.user.as_deref() == Some(user);
                if revoked {
                    changes.note(|| Change::Key(old.clone()));
                }
                !revoked
            });
        }
        self.changes.note(|| Change::Key(key.to_string()));
        self.team_or_create(team);
        let owner = KeyOwner {
            team: team.to_string(),
            user: user.map(str::to_string),
            serial: self.next_key_serial,
        };
        self.next_key_serial += 1;
        self.keys.insert(key.to_string(), owner);
    }

    /// The team's own rate limit (requests per second per key), if it has one.
    pub fn team_rate_limit(&self, team: &str) -> Option<u32> {
        self.team(team)?.settings.requests_per_second
    }

    /// The first key of `team`, in issue order.
    pub fn first_key_of(&self, team: &str) -> Option<String> {
        self.keys
            .iter()
            .filter(|(_, owner)| owner.team == team)
            .min_by_key(|(_, owner)| owner.serial)
            .map(|(key, _)| key.clone())
    }

    /// A copy of the id generator, so that a replacement store keeps counting where this one is.
    pub fn id_generator(&self) -> IdGenerator {
        self.ids.clone()
    }

    /// The team called `name`, if it exists.
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.teams.get(name)
    }

    /// The team called `name`, created empty if it does not exist yet.
    pub fn team_or_create(&mut self, name: &str) -> &mut Team {
        self.team_and_store_ids(name).0
    }

    /// The team called `name` (created empty if new) and the store's id generator, borrowed
    /// together; [`ids_of`] picks the one the team's ids come from.
    fn team_and_store_ids(&mut self, name: &str) -> (&mut Team, &mut IdGenerator) {
        let Store {
            teams,
            ids,
            changes,
            ..
        } = self;
        let team = teams.entry(name.to_string()).or_insert_with(|| {
            changes.note(|| Change::TeamRow(name.to_string()));
            Team::new(name)
        });
        (team, ids)
    }

    /// The team called `name`, if it exists, for a change.
    fn team_mut(&mut self, name: &str) -> Option<&mut Team> {
        self.teams.get_mut(name)
    }

    /// The team's custom fields in creation order, inactive ones included.
    pub fn custom_fields(&self, team: &str) -> Vec<CustomField> {
        self.team(team)
            .map(|team| team.custom_fields.clone())
            .unwrap_or_default()
    }

    /// The team's active custom fields in creation order.
    pub fn active_custom_fields(&self, team: &str) -> Vec<CustomField> {
        let mut fields = self.custom_fields(team);
        fields.retain(|field| field.status == FieldStatus::Active);
        fields
    }

    /// Every account of the team, in id order.
    pub fn accounts(&self, team: &str) -> Vec<Account> {
        self.team(team)
            .map(|team| team.accounts.values().map(|a| a.to_account()).collect())
            .unwrap_or_default()
    }

    /// The account whose domain is `domain` once cleaned.
    pub fn account_by_domain(&self, team: &str, domain: &str) -> Option<Account> {
        let team = self.team(team)?;
        let id = team.by_domain.get(clean_domain(domain).as_ref())?;
        team.accounts.get(id).map(|account| account.to_account())
    }

    /// The account with id `id`.
    pub fn account(&self, team: &str, id: ObjectId) -> Option<Account> {
        self.team(team)?.accounts.get(&id).map(|a| a.to_account())
    }

    /// The segment with id `id`, members included.
    pub fn segment(&self, team: &str, id: &str) -> Option<Segment> {
        let team = self.team(team)?;
        team.segments.get(id).map(|record| record.to_segment(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_777_543_200_000;

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"test-api-key", b"test-api-key"));
        assert!(!constant_time_eq(b"test-api-key", b"test-api-kez"));
        assert!(!constant_time_eq(b"test-api-key", b"test-api-ke"));
        assert!(!constant_time_eq(b"test-api-ke", b"test-api-key"));
        assert!(!constant_time_eq(b"", b"k"));
        assert!(!constant_time_eq(b"\0", b""));
    }

    fn store() -> Store {
        let mut store = Store::new(IdGenerator::seeded(1));
        store.add_key("k", DEFAULT_TEAM, None);
        store
    }

    fn item(domain: &str) -> AccountInput<'static> {
        AccountInput {
            domain: domain.to_string().into(),
            name: format!("{domain} Inc").into(),
            ..AccountInput::default()
        }
    }

    fn batch(items: Vec<AccountInput>, upsert: bool) -> CreateAccounts {
        CreateAccounts {
            accounts: items,
            segment_id: None,
            upsert,
        }
    }

    #[test]
    fn a_second_item_with_the_same_domain_sees_the_first() {
        let mut store = store();
        let results = store
            .create_accounts(
                DEFAULT_TEAM,
                batch(vec![item("acme.com"), item("WWW.acme.com")], false),
                NOW,
            )
            .unwrap();
        assert_eq!(results[0].status, ItemStatus::Created);
        assert_eq!(results[1].status, ItemStatus::Failed);
        assert_eq!(results[1].rtp_aid, results[0].rtp_aid);
        assert_eq!(store.accounts(DEFAULT_TEAM).len(), 1);
    }

    #[test]
    fn an_upsert_that_resends_what_is_stored_moves_the_time_and_copies_nothing() {
        let mut store = store();
        let first = batch(vec![item("acme.com")], true);
        store.create_accounts(DEFAULT_TEAM, first, NOW).unwrap();
        let id = store.accounts(DEFAULT_TEAM)[0].rtp_aid;
        // A snapshot (or the state file's writer) holds the account as it was.
        let held = store.team(DEFAULT_TEAM).unwrap().accounts[&id].clone();

        let same = batch(vec![item("acme.com")], true);
        let results = store.create_accounts(DEFAULT_TEAM, same, NOW + 5).unwrap();

        assert_eq!(results[0].status, ItemStatus::Updated);
        let live = &store.team(DEFAULT_TEAM).unwrap().accounts[&id];
        assert_eq!((live.updated_at, held.updated_at), (NOW + 5, NOW));
        assert!(
            live.shares_data_with(&held),
            "an unchanged account was copied"
        );

        let mut renamed = item("acme.com");
        renamed.name = "Acme Corp".into();
        store
            .create_accounts(DEFAULT_TEAM, batch(vec![renamed], true), NOW + 9)
            .unwrap();

        let live = &store.team(DEFAULT_TEAM).unwrap().accounts[&id];
        assert_eq!((&*live.name, &*held.name), ("Acme Corp", "acme.com Inc"));
        assert_eq!(live.updated_at, NOW + 9);
        assert!(
            !live.shares_data_with(&held),
            "a change reached a held copy"
        );
    }

    #[test]
    fn a_closed_segment_rejects_the_whole_batch_before_any_item() {
        let mut store = store();
        let archived = Segment::new("old")
            .id("seg-x")
            .status(SegmentStatus::Archived);
        store.add_segment(DEFAULT_TEAM, archived, NOW).unwrap();
        let mut request = batch(vec![item("acme.com")], false);
        request.segment_id = Some("seg-x".into());
        let refused = store
            .create_accounts(DEFAULT_TEAM, request, NOW)
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Segment 'seg-x' is not active or draft and cannot accept new members"
        );
        assert!(store.accounts(DEFAULT_TEAM).is_empty());
    }

    #[test]
    fn segments_page_by_id_and_skip_what_is_not_listable() {
        let mut store = store();
        for (id, segment) in [
            ("a", Segment::new("A")),
            ("b", Segment::new("B").dynamic()),
            ("c", Segment::new("C").status(SegmentStatus::Draft)),
            ("d", Segment::new("D").status(SegmentStatus::Archived)),
            ("e", Segment::new("E")),
        ] {
            store
                .add_segment(DEFAULT_TEAM, segment.id(id), NOW)
                .unwrap();
        }
        let first = store.list_segments(DEFAULT_TEAM, 2, None);
        let ids: Vec<_> = first
            .rows
            .iter()
            .map(|row| row.segment_id.as_str())
            .collect();
        assert_eq!(ids, ["a", "c"]);
        assert!(first.has_next_page);
        let second = store.list_segments(DEFAULT_TEAM, 2, first.next_cursor.as_deref());
        assert_eq!(second.rows[0].segment_id, "e");
        assert!(!second.has_next_page);
        assert_eq!(second.next_cursor.as_deref(), Some("e"));
    }

    #[test]
    fn a_new_key_for_a_user_revokes_the_old_one() {
        let mut store = store();
        store.add_key("old", DEFAULT_TEAM, Some("ann"));
        store.add_key("new", DEFAULT_TEAM, Some("ann"));
        assert_eq!(store.team_for_key("old"), None);
        assert_eq!(store.team_for_key("new"), Some(DEFAULT_TEAM));
        assert_eq!(store.team_for_key("k"), Some(DEFAULT_TEAM));
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    #[test]
    #[ignore = "a timing probe, run by hand with --release"]
    fn growth_timing() {
        let mut store = Store::new(IdGenerator::seeded(1));
        store.add_key("k", DEFAULT_TEAM, None);
        let field = CustomField::new("Tier", crate::data::model::LabelType::Number);
        store.add_custom_field(DEFAULT_TEAM, field).unwrap();
        let start = std::time::Instant::now();
        for batch in 0..5_000u32 {
            let accounts = (0..100u32)
                .map(|i| AccountInput {
                    domain: format!("company-{batch}-{i}.example.com").into(),
                    name: format!("Company {batch} {i}").into(),
                    external_id: Some(format!("crm-{batch}-{i}").into()),
                    short_name: Some("co".into()),
                    linkedin_url: Some(format!("https://linkedin.com/company/{batch}-{i}").into()),
                    tags: Some(smallvec::smallvec!["tier1".into(), "emea".into()]),
                    custom_fields: Some(smallvec::smallvec![(
                        "TIER_C".into(),
                        JsValue::Number(3.into())
                    )]),
                })
                .collect();
            let request = CreateAccounts {
                accounts,
                segment_id: None,
                upsert: true,
            };
            store
                .create_accounts(DEFAULT_TEAM, request, batch as i64)
                .unwrap();
        }
        let elapsed = start.elapsed();
        eprintln!(
            "500k accounts in {elapsed:?}: {:?} per batch",
            elapsed / 5_000
        );
    }
}
