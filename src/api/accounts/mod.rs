//! `/api/v1/accounts` endpoints: request validation into typed inputs, one store transaction
//! each, and the response shapes of docs/api.md §2.

mod fast;
mod response;

use http::StatusCode;
use std::borrow::Cow;

use crate::fidelity::jsvalue::{JsObject, JsValue};
use serde::Serialize;

use fast::parse_create_fast;

use super::envelope::{Failure, Reply};
use super::query::decode_path_segment;
use super::{account_id_segment, api_rest, work, Call, Work};
use crate::data::model::ObjectId;
use crate::data::profile::without_millis;
use crate::fidelity::domain::clean_domain;
use crate::fidelity::js::{is_iso8601, new_date};
use crate::fidelity::validate::{field, Constraint, Presence, Validator, Violation};
use crate::store::{AccountFilter, AccountInput, CreateAccounts, StoreError};

/// Most accounts one `POST /accounts` may carry.
pub const MAX_BATCH: usize = 100;

/// Maps a business refusal to its status and `customMessage`.
pub(crate) fn refusal(error: StoreError) -> Failure {
    let status = match error {
        StoreError::AccountNotFound(_) | StoreError::UnknownTeam(_) => StatusCode::NOT_FOUND,
        StoreError::CustomFieldExists(_) => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    Failure::CustomMessage(status, error.to_string())
}

/// `POST /accounts` (docs/api.md §2.1).
pub fn create<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let fast = call.is_json().then(|| parse_create_fast(call.body));
    let request = match fast.flatten() {
        Some(request) => request,
        None => {
            let tree = call.json_object()?;
            let parsed = parse_create(&tree).map_err(Failure::Violations)?;
            parsed.into_owned()
        }
    };
    work(move |tx| {
        let results = tx
            .world
            .store
            .create_accounts(tx.team, request, tx.now)
            .map_err(refusal)?;
        Ok(Reply {
            status: StatusCode::OK,
            data: response::create_response(&results),
            bare: false,
        })
    })
}

fn parse_create(body: &JsObject) -> Result<CreateAccounts<'_>, Vec<Violation>> {
    let mut v = Validator::new();
    let mut accounts = Vec::new();
    let items = v.object_array(
        "accounts",
        field(body, "accounts"),
        Presence::Required,
        1,
        MAX_BATCH,
    );
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

/// An account's properties, in the API's spelling (and in the order of the fast path's field
/// indices).
const ACCOUNT_FIELDS: &[&str] = &[
    "domain",
    "name",
    "externalId",
    "shortName",
    "linkedinUrl",
    "tags",
    "customFields",
];

fn parse_account<'a>(v: &mut Validator, item: &'a JsObject) -> AccountInput<'a> {
    let text = |found: Option<&'a str>| found.map(Cow::Borrowed);
    let domain = v.non_empty_string("domain", field(item, "domain"));
    let name = v.non_empty_string("name", field(item, "name"));
    let external_id = v.optional_string("externalId", field(item, "externalId"));
    let short_name = v.optional_string("shortName", field(item, "shortName"));
    let linkedin_url = v.optional_string("linkedinUrl", field(item, "linkedinUrl"));
    let tags = v.string_array("tags", field(item, "tags"), Presence::Optional, None);
    let custom_fields = v.optional_object("customFields", field(item, "customFields"));
    v.reject_unknown(item, ACCOUNT_FIELDS);
    AccountInput {
        domain: Cow::Borrowed(domain.unwrap_or_default()),
        name: Cow::Borrowed(name.unwrap_or_default()),
        external_id: text(external_id),
        short_name: text(short_name),
        linkedin_url: text(linkedin_url),
        tags: tags.map(|tags| tags.into_iter().map(Cow::Borrowed).collect()),
        custom_fields: custom_fields.map(|fields| {
            fields
                .iter()
                .map(|(key, value)| (Cow::Borrowed(key.as_str()), value.clone()))
                .collect()
        }),
    }
}

/// Most domains one `GET /accounts` may filter on.
pub const MAX_DOMAINS: usize = 100;

/// `GET /accounts` (docs/api.md §2.2).
pub fn list<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let filter = parse_list_query(call).map_err(Failure::Violations)?;
    work(move |tx| {
        let sync_timestamp = crate::fidelity::clock::format_iso(tx.now);
        let mut page = tx.world.store.list_accounts(tx.team, &filter);
        if tx.profile.sandbox_rows() {
            // The live sandbox was seen to answer `name` lower-cased (`toLowerCase`, which
            // Rust's `to_lowercase` matches, final sigma included) and the update time
            // without its milliseconds.
            for row in &mut page.rows {
                row.name = Cow::Owned(row.name.to_lowercase());
                row.rtp_last_account_date = without_millis(&row.rtp_last_account_date);
            }
        }
        Ok(Reply::ok(&AccountPage {
            data: &page.rows,
            next_cursor: page.next_cursor.as_deref(),
            has_next_page: page.has_next_page,
            sync_timestamp,
        }))
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountPage<'a, T> {
    data: &'a [T],
    next_cursor: Option<&'a str>,
    has_next_page: bool,
    sync_timestamp: String,
}

fn parse_list_query(call: &Call) -> Result<AccountFilter, Vec<Violation>> {
    let query = &call.query;
    let mut v = Validator::new();
    let limit = query.limit(&mut v);
    let cursor = match query.single("cursor") {
        None => None,
        Some(value) => {
            let id = value.ok().and_then(|text| text.parse::<ObjectId>().ok());
            if id.is_none() {
                v.fail("cursor", Constraint::IsMongoId);
            }
            id
        }
    };
    let last_sync = match query.single("lastSync") {
        None => None,
        Some(value) => {
            // validator.js decides what is valid; `new Date()` what it means. A value it
            // cannot read filters nothing out **\[choice\]**.
            match value.ok().filter(|text| is_iso8601(text)) {
                Some(text) => new_date(text),
                None => {
                    v.fail("lastSync", Constraint::IsIso8601);
                    None
                }
            }
        }
    };
    let domains = match query.single("domains") {
        None => None,
        Some(value) => {
            // Read as `JSON.parse` reads it, as a body is: a domain with a lone surrogate
            // escape that `POST /accounts` stored can be filtered for.
            // `JSON.parse` refuses a byte-order mark (body-parser strips one from a body
            // before parsing, but nothing strips it from a query value).
            let parsed = value
                .ok()
                .filter(|text| !text.starts_with('\u{FEFF}'))
                .and_then(
                    |text| match crate::fidelity::jsjson::parse(text.as_bytes()).ok()? {
                        JsValue::Array(items) => items
                            .into_iter()
                            .map(|item| match item {
                                JsValue::String(text) => Some(text),
                                _ => None,
                            })
                            .collect::<Option<Vec<String>>>(),
                        _ => None,
                    },
                );
            match parsed {
                None => {
                    v.fail("domains", Constraint::IsArray);
                    None
                }
                Some(list) if list.len() > MAX_DOMAINS => {
                    v.fail("domains", Constraint::ArrayMaxSize(MAX_DOMAINS));
                    None
                }
                Some(list) => Some(
                    list.iter()
                        .map(|raw| clean_domain(raw).into_owned())
                        .collect(),
                ),
            }
        }
    };
    query.reject_unknown(&mut v, &["limit", "cursor", "lastSync", "domains"]);
    v.finish(AccountFilter {
        limit,
        cursor,
        last_sync,
        domains,
    })
}

/// `PUT /accounts/:rtp_aid` (docs/api.md §2.3).
pub fn update<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    // Express percent-decodes route parameters before anyone validates them: `%36...` is the
    // id `6...`. An escape that does not decode stays as sent (and fails `isMongoId`).
    let raw_id = decode_path_segment(
        api_rest(call.path)
            .and_then(account_id_segment)
            .unwrap_or_default(),
    );
    let Ok(id) = raw_id.parse::<ObjectId>() else {
        let mut v = Validator::new();
        v.fail("rtp_aid", Constraint::IsMongoId);
        return Err(Failure::Violations(v.finish(()).unwrap_err()));
    };
    let body = call.json_object()?;
    let mut v = Validator::new();
    let values = v.optional_object("customFields", field(&body, "customFields"));
    let values = v.finish(values.cloned());
    // Other properties: the vendor's reference refuses them (`whitelistValidation`, after the
    // known field's own error), the live sandbox was seen to answer as if they were absent.
    // Which one applies is the team's profile, read under the lock, so the work decides.
    let mut unknown = Validator::new();
    unknown.reject_unknown(&body, &["customFields"]);
    let values = match (values, unknown.finish(())) {
        (Ok(values), Ok(())) => values,
        (Err(known), Ok(())) => return Err(Failure::Violations(known)),
        (values, Err(unknown)) => {
            return work(move |tx| {
                let mut violations = values.as_ref().err().cloned().unwrap_or_default();
                if tx.profile.refuses_unknown_update_properties() {
                    violations.extend(unknown);
                }
                match values {
                    Ok(values) if violations.is_empty() => update_account(tx, id, &raw_id, values),
                    _ => Err(Failure::Violations(violations)),
                }
            });
        }
    };
    work(move |tx| update_account(tx, id, &raw_id, values))
}

/// The work of `PUT /accounts/:rtp_aid` once its body is valid: merge, bump, answer.
fn update_account(
    tx: &mut super::Tx<'_>,
    id: ObjectId,
    raw_id: &str,
    values: Option<JsObject>,
) -> Result<Reply, Failure> {
    tx.world
        .store
        .update_custom_fields(tx.team, id, values, tx.now)
        .map_err(|error| match error {
            // The id as sent (decoded), not re-printed in lower case.
            StoreError::AccountNotFound(_) => {
                refusal(StoreError::AccountNotFound(raw_id.to_string()))
            }
            other => refusal(other),
        })?;
    Ok(Reply::ok(&UpdateResponse {
        message: "Account updated successfully",
    }))
}

#[derive(Serialize)]
struct UpdateResponse {
    message: &'static str,
}

/// Most mappings one `PATCH /accounts/external-ids` may carry.
pub const MAX_MAPPINGS: usize = 100;

/// `PATCH /accounts/external-ids` (docs/api.md §2.4).
pub fn map_external_ids<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let body = call.json_object()?;
    let mut v = Validator::new();
    let items = v.object_array(
        "mappings",
        field(&body, "mappings"),
        Presence::Required,
        1,
        MAX_MAPPINGS,
    );
    let mut mappings = Vec::new();
    for item in items.unwrap_or_default() {
        let domain = v.non_empty_string("domain", field(item, "domain"));
        let external_id = v.non_empty_string("externalId", field(item, "externalId"));
        v.reject_unknown(item, &["domain", "externalId"]);
        if let (Some(domain), Some(external_id)) = (domain, external_id) {
            mappings.push((domain.to_string(), external_id.to_string()));
        }
    }
    v.reject_unknown(&body, &["mappings"]);
    let mappings = v.finish(mappings).map_err(Failure::Violations)?;
    work(move |tx| {
        let outcome = tx.world.store.map_external_ids(tx.team, &mappings, tx.now);
        Ok(Reply::ok(&outcome))
    })
}

/// `GET /accounts/missing-external-ids` (docs/api.md §2.5): `limit` is the only parameter.
pub fn missing_external_ids<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let mut v = Validator::new();
    let limit = call.query.limit(&mut v);
    call.query.reject_unknown(&mut v, &["limit"]);
    let limit = v.finish(limit).map_err(Failure::Violations)?;
    work(move |tx| {
        Ok(Reply::ok(
            &tx.world.store.missing_external_ids(tx.team, limit),
        ))
    })
}

#[cfg(test)]
mod fast_path_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::jsvalue::JsValue;

    fn slow(body: &str) -> Result<CreateAccounts<'static>, Vec<Violation>> {
        // Leaked so that the parsed request may borrow from it; a test leaks a few bytes.
        let value: &'static JsValue = Box::leak(Box::new(serde_json::from_str(body).unwrap()));
        parse_create(value.as_object().unwrap())
    }

    #[test]
    fn the_fast_path_reads_well_formed_bodies_exactly_as_the_slow_path() {
        let bodies = [
            r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A","externalId":"x","shortName":null,
                "linkedinUrl":"l","tags":["t"],"customFields":{"B_C":1,"A_C":null}}],
                "segmentId":"seg","upsert":true}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}],"segmentId":null,"upsert":null}"#,
            r#"{"accounts":[{"domain":"a.com","name":"Caf\u00e9 \"A\"","tags":["x\/y"]}]}"#,
            r#" {"acc\u006funts":[{"domain":"a.com","name":"A"}],"segmentId":"s"} "#,
        ];
        for body in bodies {
            assert_eq!(
                parse_create_fast(body.as_bytes()),
                Some(slow(body).unwrap()),
                "{body}"
            );
        }
    }

    #[test]
    fn the_fast_path_leaves_every_invalid_body_to_the_slow_path() {
        let bodies = [
            r#"{"accounts":[]}"#,
            r#"{"accounts":[{"domain":"  ","name":"A"}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":""}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A","extra":1}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}],"upsert":"yes"}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A","customFields":[]}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A","tags":[1]}]}"#,
            r#"{"accounts":[[]]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A","customFields":{"K_C":1,"K_C":2}}]}"#,
            r#"[]"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}],"accounts":[{"domain":"b.com","name":"B"}]}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}],"upsert":true,"upsert":false}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}],"other":1}"#,
            r#"{"upsert":true}"#,
            r#"{"accounts":[{"domain":"a.com","name":"A"}]} x"#,
            // serde's derived readers take a struct's fields as an array; the API does not.
            r#"{"accounts":[["a.com","A"]]}"#,
            r#"{"accounts":[["a.com","A",null,null,null,["t"],{"K_C":1}]]}"#,
            r#"[[{"domain":"a.com","name":"A"}]]"#,
        ];
        for body in bodies {
            assert_eq!(parse_create_fast(body.as_bytes()), None, "{body}");
        }
        let too_many = format!(
            r#"{{"accounts":[{}]}}"#,
            vec![r#"{"domain":"a.com","name":"A"}"#; MAX_BATCH + 1].join(",")
        );
        assert_eq!(parse_create_fast(too_many.as_bytes()), None);
        for at in [2, 17, 20_000] {
            let fields: Vec<String> = (0..20_000)
                .map(|i| format!(r#""K{}_C":1"#, if i == at { 0 } else { i }))
                .collect();
            let body = format!(
                r#"{{"accounts":[{{"domain":"a.com","name":"A","customFields":{{{}}}}}]}}"#,
                fields.join(",")
            );
            let request = parse_create_fast(body.as_bytes());
            if at < 20_000 {
                assert_eq!(request, None, "key K0_C repeated at {at}");
            } else {
                assert_eq!(
                    request.unwrap().accounts[0]
                        .custom_fields
                        .as_ref()
                        .unwrap()
                        .len(),
                    20_000
                );
            }
        }
    }

    #[test]
    fn the_fast_path_borrows_text_without_escapes_from_the_body() {
        let body = r#"{"accounts":[{"domain":"a.com","name":"A\u0042","externalId":"e",
            "shortName":"s","linkedinUrl":"l","tags":["t","u","v"],"customFields":{"K_C":1}}]}"#;
        let request = parse_create_fast(body.as_bytes()).expect("the fast path takes it");
        let item = &request.accounts[0];
        let borrowed = |text: &Cow<str>| matches!(text, Cow::Borrowed(_));
        assert!(borrowed(&item.domain));
        assert!(!borrowed(&item.name), "an escape makes a new string");
        assert_eq!(item.name, "AB");
        for text in [&item.external_id, &item.short_name, &item.linkedin_url] {
            assert!(borrowed(text.as_ref().unwrap()));
        }
        let tags = item.tags.as_ref().unwrap();
        assert!(tags.iter().all(borrowed) && tags.len() == 3, "{tags:?}");
        let fields = item.custom_fields.as_ref().unwrap();
        assert!(borrowed(&fields[0].0));
    }

    #[test]
    fn a_repeated_property_takes_the_slow_path_where_the_last_value_wins() {
        let body = r#"{"accounts":[{"domain":"a.com","name":"A","name":"B"}]}"#;
        assert_eq!(parse_create_fast(body.as_bytes()), None);
        assert_eq!(slow(body).unwrap().accounts[0].name, "B");
    }
}
