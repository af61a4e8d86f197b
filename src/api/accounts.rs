//! `/api/v1/accounts` endpoints: request validation into typed inputs, one store transaction
//! each, and the response shapes of API.md §2.

use http::StatusCode;
use serde::Serialize;
use serde_json::{Map, Value};

use super::envelope::{Failure, Reply};
use super::Call;
use crate::store::{AccountInput, CreateAccounts, ItemResult, ItemStatus, StoreError};
use crate::validate::{field, Presence, Validator};

/// Most accounts one `POST /accounts` may carry.
pub const MAX_BATCH: usize = 100;

/// Maps a business refusal to its status and `customMessage`.
pub(crate) fn refusal(error: StoreError) -> Failure {
    let status = match error {
        StoreError::AccountNotFound(_) | StoreError::UnknownTeam(_) => StatusCode::NOT_FOUND,
        StoreError::CustomFieldExists(_) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    Failure::Business(status, error.to_string())
}

/// `POST /accounts` (API.md §2.1).
pub fn create(call: &Call) -> Result<Reply, Failure> {
    let body = call.json_object()?;
    let request = parse_create(&body).map_err(Failure::Validation)?;
    let now = call.shared.clock.now();
    let results = call
        .shared
        .store
        .lock()
        .create_accounts(&call.team, request, now)
        .map_err(refusal)?;
    Ok(Reply::ok(&CreateResponse::new(&results)))
}

fn parse_create(body: &Map<String, Value>) -> Result<CreateAccounts, Vec<crate::validate::Violation>> {
    let mut v = Validator::new();
    let mut accounts = Vec::new();
    let items = v.object_array("accounts", field(body, "accounts"), Presence::Required, 1, MAX_BATCH);
    for item in items.unwrap_or_default() {
        accounts.push(parse_account(&mut v, item));
    }
    let segment_id = v.optional_string("segmentId", field(body, "segmentId"));
    let upsert = v.optional_bool("upsert", field(body, "upsert"));
    v.reject_unknown(body, &["accounts", "segmentId", "upsert"]);
    v.finish(CreateAccounts {
        accounts,
        segment_id: segment_id.map(str::to_string),
        upsert: upsert.unwrap_or(false),
    })
}

const ACCOUNT_FIELDS: &[&str] = &[
    "domain",
    "name",
    "externalId",
    "shortName",
    "linkedinUrl",
    "tags",
    "customFields",
];

fn parse_account(v: &mut Validator, item: &Map<String, Value>) -> AccountInput {
    let text = |found: Option<&str>| found.map(str::to_string);
    let domain = v.non_empty_string("domain", field(item, "domain"));
    let name = v.non_empty_string("name", field(item, "name"));
    let external_id = v.optional_string("externalId", field(item, "externalId"));
    let short_name = v.optional_string("shortName", field(item, "shortName"));
    let linkedin_url = v.optional_string("linkedinUrl", field(item, "linkedinUrl"));
    let tags = v.string_array("tags", field(item, "tags"), Presence::Optional, None);
    let custom_fields = v.optional_object("customFields", field(item, "customFields"));
    v.reject_unknown(item, ACCOUNT_FIELDS);
    AccountInput {
        domain: domain.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
        external_id: text(external_id),
        short_name: text(short_name),
        linkedin_url: text(linkedin_url),
        tags: tags.map(|tags| tags.into_iter().map(str::to_string).collect()),
        custom_fields: custom_fields.cloned(),
    }
}

#[derive(Serialize)]
struct CreateResponse<'a> {
    results: &'a [ItemResult],
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    total: usize,
    created: usize,
    updated: usize,
    failed: usize,
}

impl<'a> CreateResponse<'a> {
    fn new(results: &'a [ItemResult]) -> Self {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        CreateResponse {
            results,
            summary: Summary {
                total: results.len(),
                created: count(ItemStatus::Created),
                updated: count(ItemStatus::Updated),
                failed: count(ItemStatus::Failed),
            },
        }
    }
}
