//! Black-box tests of the rules that follow the vendor's JavaScript stack (docs/api.md §1.4, §1.10,
//! §5.3): validator.js verdicts, `isNotEmpty`, `Number()` for `limit`, `String.prototype.trim`,
//! `new Date()` for `lastSync`, and the contacts of a sales activity. Exact status and JSON.

use crate::common::*;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/v1/accounts";
const ACTIVITIES: &str = "/api/v1/sales-activities";
const DEALS: &str = "/api/v1/deals";

fn activity(id: &str, contacts: Value) -> Value {
    json!({ "externalActivityId": id, "activityType": "call",
            "occurredAt": "2026-04-29T15:00:00.000Z", "domain": "acme.com",
            "ownerEmail": "rep@seller.com", "contacts": contacts })
}

fn activity_results(items: Vec<Value>, created: u64, failed: u64, skipped: u64) -> Value {
    let total = items.len();
    json!({ "results": items,
            "summary": { "total": total, "created": created, "failed": failed, "skipped": skipped } })
}

fn names(page: &Value) -> Vec<String> {
    page["data"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["domain"].as_str().unwrap().to_string())
        .collect()
}

fn seed_three(mock: &recotap_mock::MockRecotap) {
    let accounts: Vec<Value> = ["a.com", "b.com", "c.com"]
        .iter()
        .map(|d| json!({ "domain": d, "name": d }))
        .collect();
    assert_eq!(push(mock, &json!({ "accounts": accounts })).0, 200);
}

#[test]
fn an_activity_without_contacts_is_refused_with_is_array_on_contacts() {
    let mock = mock();
    let mut body = activity("a-1", json!(null));
    body.as_object_mut().unwrap().remove("contacts");
    assert_eq!(
        post(&mock, "/sales-activities", &json!({ "activities": [body] })),
        (
            400,
            validation_error(
                ACTIVITIES,
                vec![violation(
                    "contacts",
                    "isArray",
                    "contacts must be an array"
                )]
            )
        )
    );
}

#[test]
fn an_empty_contacts_array_fails_array_min_size() {
    let mock = mock();
    let body = json!({ "activities": [activity("a-1", json!([]))] });
    assert_eq!(
        post(&mock, "/sales-activities", &body),
        (
            400,
            validation_error(
                ACTIVITIES,
                vec![violation(
                    "contacts",
                    "arrayMinSize",
                    "contacts must contain at least 1 elements"
                )]
            )
        )
    );
}

#[test]
fn one_malformed_contact_email_rejects_the_whole_request() {
    let mock = mock();
    let body = json!({ "activities": [
        activity("a-1", json!([{ "email": "ann@buyer.com" }])),
        activity("a-2", json!([{ "name": "Bob" }, { "email": "bob@" }])),
    ] });
    assert_eq!(
        post(&mock, "/sales-activities", &body),
        (
            400,
            validation_error(
                ACTIVITIES,
                vec![violation("email", "isEmail", "email must be an email")]
            )
        )
    );
    assert!(mock.activities().is_empty());
}

#[test]
fn an_activity_none_of_whose_contacts_has_an_email_fails_on_its_own() {
    let mock = mock();
    let body = json!({ "activities": [
        activity("a-1", json!([{ "name": "Ann" }, { "phone": "1" }])),
        activity("a-2", json!([{ "name": "Bob" }, { "email": "bob@buyer.com" }])),
    ] });
    let expected = activity_results(
        vec![
            json!({ "externalActivityId": "a-1", "status": "failed",
                    "error": "At least one contact with an email is required" }),
            json!({ "externalActivityId": "a-2", "status": "created" }),
        ],
        1,
        1,
        0,
    );
    assert_eq!(
        post(&mock, "/sales-activities", &body),
        (200, success(200, ACTIVITIES, expected))
    );
    assert_eq!(mock.activities().len(), 1);
}

#[test]
fn contact_emails_follow_validator_js_quoted_and_unicode_local_parts_pass() {
    let mock = mock();
    let contacts = json!([{ "email": "\"quoted\"@example.com" }, { "email": "ü@example.com" }]);
    let body = json!({ "activities": [activity("a-1", contacts)] });
    let expected = activity_results(
        vec![json!({ "externalActivityId": "a-1", "status": "created" })],
        1,
        0,
        0,
    );
    assert_eq!(
        post(&mock, "/sales-activities", &body),
        (200, success(200, ACTIVITIES, expected))
    );
}

#[test]
fn a_deal_owner_email_with_a_label_over_63_characters_is_refused() {
    let mock = mock();
    let email = format!("rep@{}.com", "a".repeat(64));
    let body = json!({ "deals": [{ "externalDealId": "d-1", "name": "D", "ownerEmail": email }] });
    assert_eq!(
        post(&mock, "/deals", &body),
        (
            400,
            validation_error(
                DEALS,
                vec![violation(
                    "ownerEmail",
                    "isEmail",
                    "ownerEmail must be an email"
                )]
            )
        )
    );
}

#[test]
fn deal_dates_in_week_ordinal_and_basic_forms_pass_is_iso8601() {
    let mock = mock();
    let body = json!({ "deals": [{ "externalDealId": "d-1", "name": "D",
        "startDate": "2026-W18-4", "closedDate": "20260430T100000Z" },
        { "externalDealId": "d-2", "name": "E", "startDate": "2026-120",
          "closedDate": "2026-04-30T10:00:00,5Z" }] });
    let expected = json!({ "results": [
        { "externalDealId": "d-1", "status": "upserted" },
        { "externalDealId": "d-2", "status": "upserted" }],
        "summary": { "total": 2, "upserted": 2, "failed": 0 } });
    assert_eq!(
        post(&mock, "/deals", &body),
        (200, success(200, DEALS, expected))
    );
}

#[test]
fn a_white_space_domain_passes_is_not_empty_and_fails_as_an_invalid_domain() {
    let mock = mock();
    let body = json!({ "accounts": [{ "domain": "   ", "name": "Blank" },
                                    { "domain": "\u{feff}", "name": "Bom" }] });
    let expected = results(
        vec![
            json!({ "rtp_aid": null, "domain": "   ", "status": "failed",
                    "error": "Invalid domain '   '" }),
            json!({ "rtp_aid": null, "domain": "\u{feff}", "status": "failed",
                    "error": "Invalid domain '\u{feff}'" }),
        ],
        0,
        0,
        2,
    );
    assert_eq!(push(&mock, &body), (200, success(200, ACCOUNTS, expected)));
}

#[test]
fn an_empty_domain_still_fails_is_not_empty() {
    let mock = mock();
    let body = json!({ "accounts": [{ "domain": "", "name": "A" }] });
    assert_eq!(
        push(&mock, &body),
        (
            400,
            validation_error(
                ACCOUNTS,
                vec![violation(
                    "domain",
                    "isNotEmpty",
                    "domain should not be empty"
                )]
            )
        )
    );
}

#[test]
fn domain_cleaning_trims_what_string_trim_trims() {
    let mock = mock();
    let body =
        json!({ "accounts": [{ "domain": "\u{feff}\u{3000}Acme.com\u{2028}", "name": "Acme" }] });
    assert_eq!(push(&mock, &body).0, 200);
    assert!(mock.account_by_domain("acme.com").is_some());
}

#[test]
fn limit_is_read_with_javascripts_number() {
    let mock = mock();
    seed_three(&mock);
    for (limit, count) in [
        ("0x2", 2),
        ("0b1", 1),
        ("0o2", 2),
        ("%207%20", 3),
        ("2e0", 2),
    ] {
        let (status, page) = get(&mock, &format!("/accounts?limit={limit}"));
        assert_eq!(status, 200, "limit={limit}");
        assert_eq!(names(&page).len(), count, "limit={limit}");
    }
}

#[test]
fn a_limit_that_number_reads_as_zero_fails_min_and_one_it_cannot_read_fails_is_int() {
    let mock = mock();
    for (limit, expected) in [
        (
            "",
            violation("limit", "min", "limit must not be less than 1"),
        ),
        (
            "7px",
            violation("limit", "isInt", "limit must be an integer number"),
        ),
        (
            "Infinity",
            violation("limit", "isInt", "limit must be an integer number"),
        ),
        (
            "0x3e9",
            violation("limit", "max", "limit must not be greater than 1000"),
        ),
    ] {
        let path = format!("/accounts?limit={limit}");
        assert_eq!(
            get(&mock, &path),
            (
                400,
                validation_error(&format!("/api/v1{path}"), vec![expected])
            ),
            "limit={limit}"
        );
    }
}

#[test]
fn a_last_sync_that_new_date_cannot_read_is_accepted_and_filters_nothing_out() {
    let mock = mock();
    seed_three(&mock);
    for last_sync in ["2026-W18-4", "2026-120", "20260430T100000Z"] {
        let (status, page) = get(&mock, &format!("/accounts?lastSync={last_sync}"));
        assert_eq!(status, 200, "lastSync={last_sync}");
        assert_eq!(
            names(&page),
            ["a.com", "b.com", "c.com"],
            "lastSync={last_sync}"
        );
    }
}

#[test]
fn a_last_sync_that_new_date_reads_filters_by_that_instant() {
    let mock = mock();
    seed_three(&mock);
    // `2026-04` is 2026-04-01T00:00Z (before the frozen clock); `2026-04-30T24:00` the next
    // midnight (after it).
    let (_, before) = get(&mock, "/accounts?lastSync=2026-04");
    assert_eq!(names(&before), ["a.com", "b.com", "c.com"]);
    let (_, after) = get(&mock, "/accounts?lastSync=2026-04-30T24:00");
    assert!(names(&after).is_empty());
}

#[test]
fn a_last_sync_with_a_lower_case_t_fails_is_iso8601() {
    let mock = mock();
    let path = "/accounts?lastSync=2026-04-30t10:00:00Z";
    assert_eq!(
        get(&mock, path),
        (
            400,
            validation_error(
                &format!("/api/v1{path}"),
                vec![violation(
                    "lastSync",
                    "isIso8601",
                    "lastSync must be a valid ISO 8601 date string"
                )]
            )
        )
    );
}
