//! `POST /accounts` (docs/api.md §2.1) as one store transaction: the segment check, then each
//! item in order (clean, validate the domain, check custom-field keys, dedupe, upsert or
//! create), then segment membership. Inputs borrow from the request body.

use super::*;

impl Team {
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

    /// Applies one batch item, taking what it stores out of `item` (which stays in the batch,
    /// so the ~320-byte item is not moved through the calls); returns
    /// its result and the id to add to the segment, if any.
    fn apply_item<'a>(
        &mut self,
        item: &mut AccountInput<'a>,
        upsert: bool,
        ids: &mut IdGenerator,
        now: Millis,
    ) -> (ItemResult<'a>, Option<ObjectId>) {
        let domain = clean_cow(&item.domain);
        if !is_valid_domain(&domain) {
            let error = invalid_domain_message(&item.domain);
            return (failed(None, std::mem::take(&mut item.domain), error), None);
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
                let key: Arc<str> = Arc::from(domain.as_ref());
                let mut account = AccountRecord::new(id, Arc::clone(&key), now);
                upsert_into(&mut account, item, now);
                self.by_domain.insert(key, id);
                self.accounts.insert(id, account);
                (succeeded(id, domain, ItemStatus::Created), Some(id))
            }
        }
    }
}

impl Store {
    /// `POST /accounts` (docs/api.md §2.1): the segment check, then every item in order.
    pub fn create_accounts<'a>(
        &mut self,
        team: &str,
        request: CreateAccounts<'a>,
        now: Millis,
    ) -> Result<Vec<ItemResult<'a>>, StoreError> {
        let unknown = || StoreError::UnknownTeam(team.to_string());
        let Store {
            teams,
            ids: store_ids,
            changes,
            ..
        } = self;
        let name = team;
        let team = teams.get_mut(name).ok_or_else(unknown)?;
        // Items are applied through the team, so the generator is taken out of it meanwhile
        // (a session's own, see `ids_of`) and put back after.
        let mut ids = ids_of(&mut team.session, store_ids).clone();
        if let Some(segment_id) = &request.segment_id {
            team.open_static_segment(segment_id)?;
        }
        // Room for every item to be new, so that a batch grows the index at most once.
        team.by_domain.reserve(request.accounts.len());
        let mut results = Vec::with_capacity(request.accounts.len());
        let mut joining = Vec::new();
        let mut accounts = request.accounts;
        for item in &mut accounts {
            let (result, member) = team.apply_item(item, request.upsert, &mut ids, now);
            if let (Some(id), true) = (result.rtp_aid, result.status != ItemStatus::Failed) {
                changes.note(|| Change::Account(Arc::clone(&team.name), id));
            }
            results.push(result);
            joining.extend(member);
        }
        *ids_of(&mut team.session, store_ids) = ids;
        if let Some(segment_id) = &request.segment_id {
            let segment = team
                .segments
                .get_mut(segment_id)
                .expect("checked before the items");
            for id in joining {
                if segment.add_member(id) {
                    let segment_id = segment_id.clone();
                    changes.note(|| Change::Member(name.to_string(), segment_id, id));
                }
            }
        }
        Ok(results)
    }
}

pub(super) fn invalid_domain_message(raw: &str) -> String {
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
    pub tags: Option<InputTags<'a>>,
    /// In the order sent, each key once.
    pub custom_fields: Option<InputFields<'a>>,
}

/// An item's tags as sent. Two are held inline (a CRM sync sends one or two), so that reading
/// a batch does not allocate for each account's tags; more spill to the heap.
pub type InputTags<'a> = SmallVec<[Cow<'a, str>; 2]>;

/// An item's custom fields as sent, key and value, in order; two held inline, as tags are.
pub type InputFields<'a> = SmallVec<[(Cow<'a, str>, JsValue); 2]>;

/// A validated `POST /accounts` body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateAccounts<'a> {
    pub accounts: Vec<AccountInput<'a>>,
    pub segment_id: Option<String>,
    pub upsert: bool,
}

impl CreateAccounts<'_> {
    /// The same request owning its text, so that it may outlive the body it was read from (any
    /// lifetime: the inline vectors make a request invariant in it, so it cannot shorten).
    pub fn into_owned<'b>(self) -> CreateAccounts<'b> {
        let own = |text: Cow<'_, str>| Cow::Owned(text.into_owned());
        let accounts = self
            .accounts
            .into_iter()
            .map(|item| AccountInput {
                domain: own(item.domain),
                name: own(item.name),
                external_id: item.external_id.map(own),
                short_name: item.short_name.map(own),
                linkedin_url: item.linkedin_url.map(own),
                tags: item.tags.map(|tags| tags.into_iter().map(own).collect()),
                custom_fields: item.custom_fields.map(|fields| {
                    fields
                        .into_iter()
                        .map(|(key, value)| (own(key), value))
                        .collect()
                }),
            })
            .collect();
        CreateAccounts {
            accounts,
            segment_id: self.segment_id,
            upsert: self.upsert,
        }
    }
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

/// The cleaned form of a domain that may borrow from the request body, borrowing too.
fn clean_cow<'a>(raw: &Cow<'a, str>) -> Cow<'a, str> {
    match raw {
        Cow::Borrowed(text) => clean_domain(text),
        Cow::Owned(text) => Cow::Owned(clean_domain(text).into_owned()),
    }
}

/// Copies every field present in `item` onto `account` (custom fields merged per key), taking
/// what it stores out of `item`; the domain is never changed. The update time moves either way, but the fields are copied
/// on write only when one of them differs: a steady-state sync that resends what is stored
/// neither allocates nor copies an account the state file's writer or a snapshot still holds.
fn upsert_into(account: &mut AccountRecord, item: &mut AccountInput, now: Millis) {
    account.updated_at = now;
    if changes_anything(account, item) {
        apply(account.data_mut(), item);
    }
}

/// Whether copying `item` onto `stored` would change a field.
fn changes_anything(stored: &AccountData, item: &AccountInput) -> bool {
    let differs = |stored: &Option<Box<str>>, sent: &Option<Cow<str>>| {
        sent.as_deref()
            .is_some_and(|sent| stored.as_deref() != Some(sent))
    };
    *stored.name != *item.name
        || differs(&stored.external_id, &item.external_id)
        || differs(&stored.short_name, &item.short_name)
        || differs(&stored.linkedin_url, &item.linkedin_url)
        || item.tags.as_ref().is_some_and(|tags| {
            !stored
                .tags
                .iter()
                .map(|tag| &**tag)
                .eq(tags.iter().map(|tag| tag.as_ref()))
        })
        || item.custom_fields.as_ref().is_some_and(|fields| {
            fields
                .iter()
                .any(|(key, value)| stored.custom_field(key) != Some(value))
        })
}

/// Copies every field present in `item` onto `account` (taking them out of `item`); a value
/// equal to the stored one is left in place.
fn apply(account: &mut AccountData, item: &mut AccountInput) {
    replace_text(&mut account.name, std::mem::take(&mut item.name));
    replace_present(&mut account.external_id, item.external_id.take());
    replace_present(&mut account.short_name, item.short_name.take());
    replace_present(&mut account.linkedin_url, item.linkedin_url.take());
    if let Some(tags) = item.tags.take() {
        let stored = account.tags.iter().map(|tag| &**tag);
        if !stored.eq(tags.iter().map(|tag| tag.as_ref())) {
            account.tags = tags
                .into_iter()
                .map(|tag| tag.into_owned().into_boxed_str())
                .collect();
        }
    }
    if let Some(fields) = item.custom_fields.take() {
        // Exact room for keys not seen before: a Vec's first growth would reserve four slots,
        // three of them empty in every one-field account of a large store.
        let new_keys = fields
            .iter()
            .filter(|(key, _)| account.custom_field(key).is_none())
            .count();
        account.custom_fields.reserve_exact(new_keys);
        for (key, value) in fields {
            account.set_custom_field(key, value);
        }
    }
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
