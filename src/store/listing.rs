//! The keyset-paginated reads (docs/api.md §1.7, §2.2, §2.5, §3.1): pages ranged over ordered
//! indexes, never a scan and sort, and rows that borrow from the store for serialisation.

use super::*;

impl Store {
    /// The static, active-or-draft segments after `cursor`, by id (docs/api.md §3.1).
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

    /// One page of `GET /accounts` (docs/api.md §2.2): rows after `cursor` in id order, optionally
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
                    .map(|(_, a)| a),
            ),
            Some(domains) => {
                let mut ids: Vec<ObjectId> = domains
                    .iter()
                    .filter_map(|domain| team.by_domain.get(domain.as_str()).copied())
                    .filter(|id| filter.cursor.is_none_or(|cursor| *id > cursor))
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                Box::new(ids.into_iter().filter_map(|id| team.accounts.get(&id)))
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

    /// `GET /accounts/missing-external-ids` (docs/api.md §2.5): the first `limit` accounts, in id
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
}

/// One row of `GET /segments`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    pub segment_id: String,
    pub name: String,
    pub status: &'static str,
}

/// One page of a keyset-paginated list (docs/api.md §1.7).
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub next_cursor: Option<String>,
    pub has_next_page: bool,
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
    /// Borrowed as stored; owned when a profile rewrites it (the sandbox lower-cases it).
    pub name: Cow<'a, str>,
    pub domain: &'a str,
    pub rtp_aid: ObjectId,
    /// `null` for a score a test set to `null`.
    pub rtp_account_score: Option<&'a Number>,
    pub rtp_journey_stage: &'a str,
    pub rtp_advertising_activity_score: Option<&'a Number>,
    pub rtp_website_intent_score: Option<&'a Number>,
    pub rtp_g2_intent_score: Option<&'a Number>,
    pub rtp_bombora_intent_score: Option<&'a Number>,
    pub rtp_last_account_date: String,
    #[serde(rename = "customFields")]
    pub custom_fields: FieldValues<'a>,
}

/// Every active custom field key with the account's value, `null` where it has none.
#[derive(Debug)]
pub struct FieldValues<'a>(Vec<(&'a str, Option<&'a JsValue>)>);

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
        let vendor = account.vendor();
        AccountRow {
            external_id: account.external_id.as_deref(),
            name: Cow::Borrowed(&account.name),
            domain: &account.domain,
            rtp_aid: account.id,
            rtp_account_score: vendor.rtp_account_score.as_ref(),
            rtp_journey_stage: &vendor.journey_stage,
            rtp_advertising_activity_score: vendor.rtp_advertising_activity_score.as_ref(),
            rtp_website_intent_score: vendor.rtp_website_intent_score.as_ref(),
            rtp_g2_intent_score: vendor.rtp_g2_intent_score.as_ref(),
            rtp_bombora_intent_score: vendor.rtp_bombora_intent_score.as_ref(),
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

/// One row of `GET /accounts/missing-external-ids`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NameAndDomain {
    pub name: String,
    pub domain: String,
}

fn empty_page<T>() -> Page<T> {
    Page {
        rows: Vec::new(),
        next_cursor: None,
        has_next_page: false,
    }
}
