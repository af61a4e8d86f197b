//! Teams and their tables, and every business rule of the API: cleaning, dedupe, upsert,
//! membership, pagination, ids. Pure and synchronous: no I/O, no locks, no HTTP types.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::ops::Bound;

use serde::Serialize;
use serde_json::{Map, Number, Value};

use crate::clock::{format_iso, Millis};
use crate::domain::{clean_domain, is_valid_domain};
use crate::model::{
    Account, CustomField, FieldStatus, IdGenerator, ObjectId, ScoreUpdate, Segment, SegmentStatus,
    SegmentType,
};
use crate::record::{replace_present, replace_text, AccountRecord};
use crate::sales::{
    Activity, ActivityResult, Deal, DealResult, Pipeline, PipelinesExist, SalesBook,
};
use crate::state::{ApiKey, StateDocument, StateError, TeamDocument, TeamSettings};

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut difference = a.len() ^ b.len();
    for (i, byte) in a.iter().enumerate() {
        difference |= usize::from(byte ^ b.get(i).copied().unwrap_or(!byte));
    }
    difference == 0
}

/// Hashes domains for the index: SipHash's flood resistance buys nothing in a test tool, and
/// hashing is a large share of pushing a batch.
type DomainHasher = foldhash::fast::RandomState;

/// The team a mock starts with.
pub const DEFAULT_TEAM: &str = "default";

/// A business rule refused the request. `Display` gives the exact `customMessage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreError {
    SegmentNotFound(String),
    SegmentNotStatic(String),
    SegmentClosed(String),
    CustomFieldExists(String),
    AccountNotFound(String),
    UnknownCustomFields(Vec<String>),
    /// Seeding only: the API reports duplicates per item instead.
    DomainTaken(String),
    /// Seeding only: the API reports invalid domains per item instead.
    InvalidDomain(String),
    SegmentIdTaken(String),
    AccountIdTaken(String),
    UnknownMember(String, ObjectId),
    UnknownTeam(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::SegmentNotFound(id) => write!(f, "Segment '{id}' not found"),
            StoreError::SegmentNotStatic(id) => write!(f, "Segment '{id}' is not a static segment"),
            StoreError::SegmentClosed(id) => write!(
                f,
                "Segment '{id}' is not active or draft and cannot accept new members"
            ),
            StoreError::CustomFieldExists(key) => {
                write!(f, "Custom field with key '{key}' already exists")
            }
            StoreError::AccountNotFound(id) => write!(f, "Account with rtp_aid '{id}' not found"),
            StoreError::UnknownCustomFields(keys) => {
                write!(f, "Custom field key(s) not found: {}", keys.join(", "))
            }
            StoreError::DomainTaken(domain) => {
                write!(f, "Account with domain '{domain}' already exists")
            }
            StoreError::InvalidDomain(raw) => write!(f, "{}", invalid_domain_message(raw)),
            StoreError::SegmentIdTaken(id) => write!(f, "Segment '{id}' already exists"),
            StoreError::AccountIdTaken(id) => {
                write!(f, "Account with rtp_aid '{id}' already exists")
            }
            StoreError::UnknownMember(segment, id) => write!(
                f,
                "Segment '{segment}' lists member '{id}', which is not an account of the team"
            ),
            StoreError::UnknownTeam(team) => write!(f, "Team '{team}' not found"),
        }
    }
}

impl std::error::Error for StoreError {}

fn invalid_domain_message(raw: &str) -> String {
    format!("Invalid domain '{raw}'")
}

fn unknown_fields_item_message(keys: &[String]) -> String {
    format!(
        "Custom field key(s) not found: {}. Unable to add this account.",
        keys.join(", ")
    )
}

fn duplicate_domain_item_message(domain: &str) -> String {
    format!(
        "Account with domain '{domain}' already exists. Set upsert: true to update this account via this endpoint."
    )
}

/// One account of a `POST /accounts` batch, validated but not yet cleaned. Text borrows from
/// the request body where it can: an upsert that changes nothing then allocates nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AccountInput<'a> {
    pub domain: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub external_id: Option<Cow<'a, str>>,
    pub short_name: Option<Cow<'a, str>>,
    pub linkedin_url: Option<Cow<'a, str>>,
    pub tags: Option<Vec<Cow<'a, str>>>,
    /// In the order sent, each key once.
    pub custom_fields: Option<Vec<(Cow<'a, str>, Value)>>,
}

/// A validated `POST /accounts` body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateAccounts<'a> {
    pub accounts: Vec<AccountInput<'a>>,
    pub segment_id: Option<String>,
    pub upsert: bool,
}

/// What happened to one item of a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    Created,
    Updated,
    Failed,
}

/// One entry of `results` in the `POST /accounts` response.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemResult<'a> {
    pub rtp_aid: Option<ObjectId>,
    pub domain: Cow<'a, str>,
    pub status: ItemStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One row of `GET /segments`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    pub segment_id: String,
    pub name: String,
    pub status: &'static str,
}

/// One page of a keyset-paginated list (API.md §1.7).
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next_cursor: Option<String>,
    pub has_next_page: bool,
}

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
    fn add_member(&mut self, id: ObjectId) {
        if self.member_set.insert(id) {
            self.members.push(id);
        }
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
    name: String,
    /// Ordered by id, so keyset pages cost O(log n + limit).
    ///
    /// Boxed: ids mostly arrive in order, which leaves B-tree nodes about half full, and a
    /// half-empty node of pointers wastes far less than one of whole accounts.
    accounts: BTreeMap<ObjectId, Box<AccountRecord>>,
    /// Cleaned domain → id: one account per domain, found in O(1).
    by_domain: HashMap<Box<str>, ObjectId, DomainHasher>,
    /// Creation order, inactive fields included.
    custom_fields: Vec<CustomField>,
    /// Ordered by id as a byte string.
    segments: BTreeMap<String, SegmentRecord>,
    sales: SalesBook,
    settings: TeamSettings,
}

impl Team {
    fn new(name: &str) -> Self {
        Team {
            name: name.to_string(),
            accounts: BTreeMap::new(),
            by_domain: HashMap::default(),
            custom_fields: Vec::new(),
            segments: BTreeMap::new(),
            sales: SalesBook::default(),
            settings: TeamSettings::default(),
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

    /// The segment a batch may add members to, or why it may not.
    fn open_static_segment(&self, id: &str) -> Result<(), StoreError> {
        let segment = self
            .segments
            .get(id)
            .ok_or_else(|| StoreError::SegmentNotFound(id.to_string()))?;
        if segment.segment_type != SegmentType::Static {
            return Err(StoreError::SegmentNotStatic(id.to_string()));
        }
        if !matches!(segment.status, SegmentStatus::Active | SegmentStatus::Draft) {
            return Err(StoreError::SegmentClosed(id.to_string()));
        }
        Ok(())
    }

    /// Applies one batch item; returns its result and the id to add to the segment, if any.
    fn apply_item<'a>(
        &mut self,
        item: AccountInput<'a>,
        upsert: bool,
        ids: &mut IdGenerator,
        now: Millis,
    ) -> (ItemResult<'a>, Option<ObjectId>) {
        let domain = clean_cow(&item.domain);
        if !is_valid_domain(&domain) {
            let error = invalid_domain_message(&item.domain);
            return (failed(None, item.domain, error), None);
        }
        let existing = self.by_domain.get(domain.as_ref()).copied();
        if let Some(values) = &item.custom_fields {
            let unknown = self.unknown_keys(values.iter().map(|(key, _)| key.as_ref()));
            if !unknown.is_empty() {
                let error = unknown_fields_item_message(&unknown);
                return (failed(existing, domain, error), None);
            }
        }
        match existing {
            Some(id) if !upsert => {
                let error = duplicate_domain_item_message(&domain);
                (failed(Some(id), domain, error), None)
            }
            Some(id) => {
                let account = self
                    .accounts
                    .get_mut(&id)
                    .expect("by_domain only names stored accounts");
                upsert_into(account, item, now);
                (succeeded(id, domain, ItemStatus::Updated), Some(id))
            }
            None => {
                let id = ids.next_free(now, |id| self.accounts.contains_key(id));
                let mut account = AccountRecord::new(id, Box::from(domain.as_ref()), now);
                upsert_into(&mut account, item, now);
                self.by_domain.insert(Box::from(domain.as_ref()), id);
                self.accounts.insert(id, Box::new(account));
                (succeeded(id, domain, ItemStatus::Created), Some(id))
            }
        }
    }
}

/// The cleaned form of a domain that may borrow from the request body, borrowing too.
fn clean_cow<'a>(raw: &Cow<'a, str>) -> Cow<'a, str> {
    match raw {
        Cow::Borrowed(text) => clean_domain(text),
        Cow::Owned(text) => Cow::Owned(clean_domain(text).into_owned()),
    }
}

/// Copies every field present in `item` onto `account` (custom fields merged per key);
/// the domain is never changed. A value equal to the stored one is left in place, so a
/// steady-state sync does not churn memory.
fn upsert_into(account: &mut AccountRecord, item: AccountInput, now: Millis) {
    replace_text(&mut account.name, item.name);
    replace_present(&mut account.external_id, item.external_id);
    replace_present(&mut account.short_name, item.short_name);
    replace_present(&mut account.linkedin_url, item.linkedin_url);
    if let Some(tags) = item.tags {
        let stored = account.tags.iter().map(|tag| &**tag);
        if !stored.eq(tags.iter().map(|tag| tag.as_ref())) {
            account.tags = tags
                .into_iter()
                .map(|tag| tag.into_owned().into_boxed_str())
                .collect();
        }
    }
    if let Some(fields) = item.custom_fields {
        // Exact room for keys not seen before: a Vec's first growth would reserve four slots,
        // which for a million one-field accounts is ~150 MB of nothing.
        let new_keys = fields
            .iter()
            .filter(|(key, _)| account.custom_field(key).is_none())
            .count();
        account.custom_fields.reserve_exact(new_keys);
        for (key, value) in fields {
            account.set_custom_field(key, value);
        }
    }
    account.updated_at = now;
}

fn failed<'a>(rtp_aid: Option<ObjectId>, domain: Cow<'a, str>, error: String) -> ItemResult<'a> {
    ItemResult {
        rtp_aid,
        domain,
        status: ItemStatus::Failed,
        error: Some(error),
    }
}

fn succeeded(id: ObjectId, domain: Cow<'_, str>, status: ItemStatus) -> ItemResult<'_> {
    ItemResult {
        rtp_aid: Some(id),
        domain,
        status,
        error: None,
    }
}

#[derive(Clone, Debug)]
struct KeyOwner {
    team: String,
    user: Option<String>,
    /// Issue order, so that snapshots list keys as they were added.
    serial: u64,
}

/// Every team, every API key, and the id generator.
#[derive(Clone, Debug)]
pub struct Store {
    teams: Vec<Team>,
    keys: HashMap<String, KeyOwner>,
    next_key_serial: u64,
    ids: IdGenerator,
}

impl Store {
    /// A store with the team `default` and no keys.
    pub fn new(ids: IdGenerator) -> Self {
        Store {
            teams: vec![Team::new(DEFAULT_TEAM)],
            keys: HashMap::new(),
            next_key_serial: 0,
            ids,
        }
    }

    /// The team a key authenticates as, if the key is known and current.
    ///
    /// Every known key is compared, each without stopping at the first differing byte, so the
    /// answer's timing says nothing about how close a guess was.
    pub fn team_for_key(&self, key: &str) -> Option<&str> {
        self.keys.iter().fold(None, |found, (known, owner)| {
            if constant_time_eq(known.as_bytes(), key.as_bytes()) {
                Some(owner.team.as_str())
            } else {
                found
            }
        })
    }

    /// Adds `key` to `team` (created if new). A key held by `user` revokes that user's older key.
    pub fn add_key(&mut self, key: &str, team: &str, user: Option<&str>) {
        if let Some(user) = user {
            self.keys
                .retain(|_, owner| !(owner.team == team && owner.user.as_deref() == Some(user)));
        }
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
        self.teams.iter().find(|team| team.name == name)
    }

    /// The team called `name`, created empty if it does not exist yet.
    pub fn team_or_create(&mut self, name: &str) -> &mut Team {
        match self.teams.iter().position(|team| team.name == name) {
            Some(index) => &mut self.teams[index],
            None => {
                self.teams.push(Team::new(name));
                self.teams.last_mut().expect("just pushed")
            }
        }
    }

    /// `POST /accounts` (API.md §2.1): the segment check, then every item in order.
    pub fn create_accounts<'a>(
        &mut self,
        team: &str,
        request: CreateAccounts<'a>,
        now: Millis,
    ) -> Result<Vec<ItemResult<'a>>, StoreError> {
        let Store { teams, ids, .. } = self;
        let team = teams
            .iter_mut()
            .find(|candidate| candidate.name == team)
            .ok_or_else(|| StoreError::UnknownTeam(team.to_string()))?;
        if let Some(segment_id) = &request.segment_id {
            team.open_static_segment(segment_id)?;
        }
        let mut results = Vec::with_capacity(request.accounts.len());
        let mut joining = Vec::new();
        for item in request.accounts {
            let (result, member) = team.apply_item(item, request.upsert, ids, now);
            results.push(result);
            joining.extend(member);
        }
        if let Some(segment_id) = &request.segment_id {
            let segment = team
                .segments
                .get_mut(segment_id)
                .expect("checked before the items");
            for id in joining {
                segment.add_member(id);
            }
        }
        Ok(results)
    }

    /// Stores a seeded account as given (domain cleaned; id and timestamps filled in if missing).
    pub fn insert_account(
        &mut self,
        team: &str,
        account: Account,
        now: Millis,
    ) -> Result<Account, StoreError> {
        let Store { teams, ids, .. } = self;
        let team = match teams.iter().position(|t| t.name == team) {
            Some(index) => &mut teams[index],
            None => {
                teams.push(Team::new(team));
                teams.last_mut().expect("just pushed")
            }
        };
        let domain = clean_domain(&account.domain).into_owned();
        if !is_valid_domain(&domain) {
            return Err(StoreError::InvalidDomain(account.domain));
        }
        if team.by_domain.contains_key(domain.as_str()) {
            return Err(StoreError::DomainTaken(domain));
        }
        let id = match account.rtp_aid {
            Some(id) if team.accounts.contains_key(&id) => {
                return Err(StoreError::AccountIdTaken(id.to_string()))
            }
            Some(id) => id,
            None => ids.next_free(now, |id| team.accounts.contains_key(id)),
        };
        let record = AccountRecord::from_account(account, id, domain.clone(), now);
        let stored = record.to_account();
        team.by_domain.insert(domain.into_boxed_str(), id);
        team.accounts.insert(id, Box::new(record));
        Ok(stored)
    }

    /// Adds a custom field. An active field with the same key is a conflict; an inactive one
    /// is replaced by the new definition **[choice]**. Options are kept only for selections.
    pub fn add_custom_field(
        &mut self,
        team: &str,
        mut field: CustomField,
    ) -> Result<CustomField, StoreError> {
        let team = self.team_or_create(team);
        if team.is_active_field(&field.key) {
            return Err(StoreError::CustomFieldExists(field.key));
        }
        team.custom_fields
            .retain(|existing| existing.key != field.key);
        if !field.label_type.is_selection() {
            field.options.clear();
        }
        team.custom_fields.push(field.clone());
        Ok(field)
    }

    /// Adds a segment (id generated when the seed has none). Members must be accounts of the team.
    pub fn add_segment(
        &mut self,
        team: &str,
        segment: Segment,
        now: Millis,
    ) -> Result<Segment, StoreError> {
        let Store { teams, ids, .. } = self;
        let team = match teams.iter().position(|t| t.name == team) {
            Some(index) => &mut teams[index],
            None => {
                teams.push(Team::new(team));
                teams.last_mut().expect("just pushed")
            }
        };
        let id = match &segment.segment_id {
            Some(id) => id.clone(),
            None => ids
                .next_free(now, |id| team.segments.contains_key(&id.to_string()))
                .to_string(),
        };
        if team.segments.contains_key(&id) {
            return Err(StoreError::SegmentIdTaken(id));
        }
        if let Some(stranger) = segment
            .members
            .iter()
            .find(|member| !team.accounts.contains_key(member))
        {
            return Err(StoreError::UnknownMember(id, *stranger));
        }
        let mut record = SegmentRecord {
            name: segment.name,
            segment_type: segment.segment_type,
            status: segment.status,
            members: Vec::new(),
            member_set: HashSet::new(),
        };
        for member in segment.members {
            record.add_member(member);
        }
        let stored = record.to_segment(&id);
        team.segments.insert(id, record);
        Ok(stored)
    }

    /// The static, active-or-draft segments after `cursor`, by id (API.md §3.1).
    pub fn list_segments(
        &self,
        team: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Page<SegmentRow> {
        let Some(team) = self.team(team) else {
            return empty_page();
        };
        let lower = cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let mut listable = team
            .segments
            .range::<str, _>((lower, Bound::Unbounded))
            .filter(|(_, segment)| {
                segment.segment_type == SegmentType::Static
                    && matches!(segment.status, SegmentStatus::Active | SegmentStatus::Draft)
            });
        let rows: Vec<SegmentRow> = listable
            .by_ref()
            .take(limit)
            .map(|(id, segment)| SegmentRow {
                segment_id: id.clone(),
                name: segment.name.clone(),
                status: segment.status.name(),
            })
            .collect();
        let has_next_page = listable.next().is_some();
        Page {
            next_cursor: rows.last().map(|row| row.segment_id.clone()),
            rows,
            has_next_page,
        }
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

    /// One page of `GET /accounts` (API.md §2.2): rows after `cursor` in id order, optionally
    /// only those updated after `last_sync` and only those whose domain is in `domains`.
    ///
    /// Costs O(log n + rows visited): the id index is ranged, never scanned and sorted; with
    /// `domains`, only the named accounts are looked at.
    pub fn list_accounts(&self, team: &str, filter: &AccountFilter) -> Page<AccountRow<'_>> {
        let Some(team) = self.team(team) else {
            return empty_page();
        };
        let keys: Vec<&str> = team
            .custom_fields
            .iter()
            .filter(|field| field.status == FieldStatus::Active)
            .map(|field| field.key.as_str())
            .collect();
        let lower = filter.cursor.map_or(Bound::Unbounded, Bound::Excluded);
        let fresh = |account: &&AccountRecord| {
            filter
                .last_sync
                .is_none_or(|since| account.updated_at > since)
        };
        let mut candidates: Box<dyn Iterator<Item = &AccountRecord>> = match &filter.domains {
            None => Box::new(
                team.accounts
                    .range((lower, Bound::Unbounded))
                    .map(|(_, a)| &**a),
            ),
            Some(domains) => {
                let mut ids: Vec<ObjectId> = domains
                    .iter()
                    .filter_map(|domain| team.by_domain.get(domain.as_str()).copied())
                    .filter(|id| filter.cursor.is_none_or(|cursor| *id > cursor))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                Box::new(
                    ids.into_iter()
                        .filter_map(|id| team.accounts.get(&id).map(|a| &**a)),
                )
            }
        };
        let mut candidates = candidates.by_ref().filter(fresh);
        let rows: Vec<AccountRow> = candidates
            .by_ref()
            .take(filter.limit)
            .map(|account| AccountRow::new(account, &keys))
            .collect();
        let has_next_page = candidates.next().is_some();
        Page {
            next_cursor: rows.last().map(|row| row.rtp_aid.to_string()),
            rows,
            has_next_page,
        }
    }

    /// `PUT /accounts/:rtp_aid` (API.md §2.3): merges active custom fields, bumps the update time.
    pub fn update_custom_fields(
        &mut self,
        team: &str,
        id: ObjectId,
        values: Option<Map<String, Value>>,
        now: Millis,
    ) -> Result<(), StoreError> {
        let not_found = || StoreError::AccountNotFound(id.to_string());
        let team = self
            .teams
            .iter_mut()
            .find(|candidate| candidate.name == team)
            .ok_or_else(not_found)?;
        if !team.accounts.contains_key(&id) {
            return Err(not_found());
        }
        let values = values.unwrap_or_default();
        let unknown = team.unknown_keys(values.keys().map(String::as_str));
        if !unknown.is_empty() {
            return Err(StoreError::UnknownCustomFields(unknown));
        }
        let account = team.accounts.get_mut(&id).ok_or_else(not_found)?;
        for (key, value) in values {
            account.set_custom_field(Cow::Owned(key), value);
        }
        account.updated_at = now;
        Ok(())
    }

    /// `PATCH /accounts/external-ids` (API.md §2.4). `mappings` holds (domain as sent, external id).
    pub fn map_external_ids(
        &mut self,
        team: &str,
        mappings: &[(String, String)],
        now: Millis,
    ) -> ExternalIdOutcome {
        let mut outcome = ExternalIdOutcome::default();
        let team = self.team_or_create(team);
        // Last mapping per cleaned domain wins; first-seen order is kept for `notFound`.
        let mut last: Vec<(String, &str, &str)> = Vec::new();
        for (raw, external_id) in mappings {
            let cleaned = clean_domain(raw).into_owned();
            match last.iter_mut().find(|(seen, _, _)| *seen == cleaned) {
                Some(entry) => entry.2 = external_id,
                None => last.push((cleaned, raw, external_id)),
            }
        }
        for (cleaned, raw, external_id) in last {
            let Some(id) = team.by_domain.get(cleaned.as_str()) else {
                outcome.not_found.push(raw.to_string());
                continue;
            };
            let account = team
                .accounts
                .get_mut(id)
                .expect("by_domain only names stored accounts");
            outcome.matched += 1;
            if account.external_id.as_deref() != Some(external_id) {
                account.external_id = Some(Box::from(external_id));
                account.updated_at = now;
                outcome.updated += 1;
            }
        }
        outcome
    }

    /// `GET /accounts/missing-external-ids` (API.md §2.5): the first `limit` accounts, in id
    /// order, that have no external id.
    pub fn missing_external_ids(&self, team: &str, limit: usize) -> Vec<NameAndDomain> {
        let Some(team) = self.team(team) else {
            return Vec::new();
        };
        team.accounts
            .values()
            .filter(|account| account.external_id.is_none())
            .take(limit)
            .map(|account| NameAndDomain {
                name: account.name.to_string(),
                domain: account.domain.to_string(),
            })
            .collect()
    }

    /// Sets what the vendor computes (scores, journey stage), bumping the update time.
    pub fn update_scores(
        &mut self,
        team: &str,
        id: ObjectId,
        update: &ScoreUpdate,
        now: Millis,
    ) -> Result<Account, StoreError> {
        let not_found = || StoreError::AccountNotFound(id.to_string());
        let team = self
            .teams
            .iter_mut()
            .find(|candidate| candidate.name == team)
            .ok_or_else(not_found)?;
        let account = team.accounts.get_mut(&id).ok_or_else(not_found)?;
        account.apply_scores(update);
        account.updated_at = now;
        Ok(account.to_account())
    }
}

/// The state document (CONTROL.md §5) in and out.
impl Store {
    /// Everything the store holds, as a state document. Restoring it gives back the same document.
    pub fn to_document(&self) -> StateDocument {
        let mut keys: Vec<(&String, &KeyOwner)> = self.keys.iter().collect();
        keys.sort_by_key(|(_, owner)| owner.serial);
        let teams = self
            .teams
            .iter()
            .map(|team| TeamDocument {
                name: team.name.clone(),
                api_keys: keys
                    .iter()
                    .filter(|(_, owner)| owner.team == team.name)
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
                accounts: team.accounts.values().map(|a| a.to_account()).collect(),
                deals: team.sales.deals().to_vec(),
                pipelines: team.sales.pipelines().to_vec(),
                activities: team.sales.activities().to_vec(),
                settings: team.settings.clone(),
            })
            .collect();
        StateDocument { teams }
    }

    /// A store holding exactly `document` (missing ids generated, missing times set to `now`),
    /// or the first problem found, naming the team and entry.
    pub fn from_document(
        document: &StateDocument,
        ids: IdGenerator,
        now: Millis,
    ) -> Result<Store, StateError> {
        let mut store = Store {
            teams: Vec::new(),
            keys: HashMap::new(),
            next_key_serial: 0,
            ids,
        };
        for team in &document.teams {
            let name = team.name.as_str();
            let fail = |what: String, error: &dyn fmt::Display| {
                StateError(format!("team '{name}', {what}: {error}"))
            };
            if name.is_empty() {
                return Err(StateError("a team has an empty name".to_string()));
            }
            if store.team(name).is_some() {
                return Err(StateError(format!("team '{name}' appears twice")));
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
            store.teams.insert(0, Team::new(DEFAULT_TEAM));
        }
        Ok(store)
    }
}

/// Deals, pipelines and activities (API.md §5), each call one transaction.
impl Store {
    /// `POST /deals`: upsert by `externalDealId`, accounts linked by cleaned domain.
    pub fn upsert_deals(&mut self, team: &str, deals: Vec<Deal>) -> Vec<DealResult> {
        let team = self.team_or_create(team);
        let by_domain = &team.by_domain;
        team.sales
            .upsert_deals(deals, |domain| by_domain.get(domain).copied())
    }

    /// `POST /deal-stages`: all pipelines or none.
    pub fn create_pipelines(
        &mut self,
        team: &str,
        pipelines: Vec<Pipeline>,
    ) -> Result<Vec<String>, PipelinesExist> {
        self.team_or_create(team).sales.create_pipelines(pipelines)
    }

    /// `POST /sales-activities`: calls and emails stored, others skipped, known ids failed.
    pub fn add_activities(
        &mut self,
        team: &str,
        activities: Vec<Activity>,
        now: Millis,
    ) -> Vec<ActivityResult> {
        let team = self.team_or_create(team);
        let by_domain = &team.by_domain;
        team.sales
            .add_activities(activities, now, |domain| by_domain.get(domain).copied())
    }

    /// The team's deals, in the order first pushed.
    pub fn deals(&self, team: &str) -> Vec<Deal> {
        self.team(team)
            .map(|team| team.sales.deals().to_vec())
            .unwrap_or_default()
    }

    /// The team's pipelines, in creation order.
    pub fn pipelines(&self, team: &str) -> Vec<Pipeline> {
        self.team(team)
            .map(|team| team.sales.pipelines().to_vec())
            .unwrap_or_default()
    }

    /// The team's activities, in creation order.
    pub fn activities(&self, team: &str) -> Vec<Activity> {
        self.team(team)
            .map(|team| team.sales.activities().to_vec())
            .unwrap_or_default()
    }
}

/// What `GET /accounts` selects.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountFilter {
    pub limit: usize,
    pub cursor: Option<ObjectId>,
    pub last_sync: Option<Millis>,
    /// Cleaned domains; `None` means every account.
    pub domains: Option<Vec<String>>,
}

/// One row of `GET /accounts`, borrowing from the store (serialised while the lock is held:
/// cloning the rows out first would cost as much as serialising them).
#[derive(Debug, Serialize)]
pub struct AccountRow<'a> {
    #[serde(rename = "externalId")]
    pub external_id: Option<&'a str>,
    pub name: &'a str,
    pub domain: &'a str,
    pub rtp_aid: ObjectId,
    pub rtp_account_score: &'a Number,
    pub rtp_journey_stage: &'a str,
    pub rtp_advertising_activity_score: &'a Number,
    pub rtp_website_intent_score: &'a Number,
    pub rtp_g2_intent_score: &'a Number,
    pub rtp_bombora_intent_score: &'a Number,
    pub rtp_last_account_date: String,
    #[serde(rename = "customFields")]
    pub custom_fields: FieldValues<'a>,
}

/// Every active custom field key with the account's value, `null` where it has none.
#[derive(Debug)]
pub struct FieldValues<'a>(Vec<(&'a str, Option<&'a Value>)>);

impl Serialize for FieldValues<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'a> AccountRow<'a> {
    fn new(account: &'a AccountRecord, active_keys: &[&'a str]) -> Self {
        AccountRow {
            external_id: account.external_id.as_deref(),
            name: &account.name,
            domain: &account.domain,
            rtp_aid: account.id,
            rtp_account_score: account.score(0),
            rtp_journey_stage: account.journey_stage(),
            rtp_advertising_activity_score: account.score(1),
            rtp_website_intent_score: account.score(2),
            rtp_g2_intent_score: account.score(3),
            rtp_bombora_intent_score: account.score(4),
            rtp_last_account_date: format_iso(account.updated_at),
            custom_fields: FieldValues(
                active_keys
                    .iter()
                    .map(|key| (*key, account.custom_field(key)))
                    .collect(),
            ),
        }
    }
}

/// The answer of `PATCH /accounts/external-ids`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdOutcome {
    pub matched: usize,
    pub updated: usize,
    pub not_found: Vec<String>,
}

/// One row of `GET /accounts/missing-external-ids`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NameAndDomain {
    pub name: String,
    pub domain: String,
}

/// The invariants every request must leave intact, for the fuzz target and the property tests.
impl Store {
    /// Checks, team by team: one account per cleaned domain (the domain index and the accounts
    /// agree both ways, every stored domain is valid), and every segment member is an existing
    /// account of the team, listed once. Returns the first violation found.
    pub(crate) fn check_invariants(&self) -> Result<(), String> {
        for team in &self.teams {
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

fn empty_page<T>() -> Page<T> {
    Page {
        rows: Vec::new(),
        next_cursor: None,
        has_next_page: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_777_543_200_000;

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
        let field = CustomField::new("Tier", crate::model::LabelType::Number);
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
                    tags: Some(vec!["tier1".into(), "emea".into()]),
                    custom_fields: Some(vec![("TIER_C".into(), Value::from(3))]),
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
