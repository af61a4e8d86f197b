//! The "sync" side of accounts over real HTTP: keyset pagination and delta sync of
//! `GET /accounts` (docs/api.md §1.7, §1.8, §2.2), `PUT /accounts/:rtp_aid` (§2.3),
//! `PATCH /accounts/external-ids` (§2.4), `GET /accounts/missing-external-ids` (§2.5), and the
//! clock and scores a test drives (docs/control.md §2, §4). Whole response bodies are pinned.

use std::time::Duration;

use crate::common::*;
use recotap_mock::{CustomField, LabelType, MockRecotap, NewAccount, ScoreUpdate};
use reqwest::Method;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/v1/accounts";
const MAPPINGS: &str = "/api/v1/accounts/external-ids";
const MISSING: &str = "/api/v1/accounts/missing-external-ids";
/// One second after [`FROZEN`].
const LATER: &str = "2026-04-30T10:00:01.000Z";
/// Two seconds after [`FROZEN`].
const LATER_STILL: &str = "2026-04-30T10:00:02.000Z";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Percent-encodes every byte that is not unreserved (RFC 3986), so the target is known exactly.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                (byte as char).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// `domains=<the list as JSON, URL-encoded>`.
fn domains_param(domains: &[&str]) -> String {
    let list = serde_json::to_string(domains).expect("a list of strings serialises");
    format!("domains={}", encode(&list))
}

/// `GET` of an API target (`/api/v1/...`, query included) with the API key.
fn get_target(mock: &MockRecotap, target: &str) -> (u16, Value) {
    send(
        client()
            .get(format!("{}{target}", mock.url()))
            .header("X-Api-Key", mock.api_key()),
    )
}

/// `PUT /api/v1/accounts/{id}` with a body sent verbatim as JSON (so key order is the one written).
fn put_account(mock: &MockRecotap, id: &str, body: &str) -> (u16, Value) {
    send(
        api(mock, Method::PUT, &format!("/accounts/{id}"))
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
}

/// `PATCH /api/v1/accounts/external-ids`.
fn patch_mappings(mock: &MockRecotap, body: &Value) -> (u16, Value) {
    send(api(mock, Method::PATCH, "/accounts/external-ids").json(body))
}

/// An admin call on `mock`.
fn admin(mock: &MockRecotap, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    admin_at(&mock.url(), method, path, body)
}

/// The `data` of a `GET /accounts` answer.
fn page(rows: Vec<Value>, next_cursor: Option<&str>, has_next_page: bool, sync: &str) -> Value {
    json!({ "data": rows, "nextCursor": next_cursor, "hasNextPage": has_next_page,
            "syncTimestamp": sync })
}

/// A `GET /accounts` row of an account with nothing but a name and a domain, last updated at
/// `updated`, in a team without custom fields.
fn bare_row(id: &str, name: &str, domain: &str, updated: &str) -> Value {
    json!({ "externalId": null, "name": name, "domain": domain, "rtp_aid": id,
            "rtp_account_score": 0, "rtp_journey_stage": "",
            "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
            "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
            "rtp_last_account_date": updated, "customFields": {} })
}

/// Seeds `count` accounts `company000.com`.. through the handle and returns their ids in order.
fn seed_companies(mock: &MockRecotap, count: usize) -> Vec<String> {
    for i in 0..count {
        mock.add_account(NewAccount::new(
            &format!("company{i:03}.com"),
            &format!("Company {i:03}"),
        ));
    }
    mock.accounts()
        .iter()
        .map(|account| account.id().to_string())
        .collect()
}

/// The bare rows of `company{from}.com` .. `company{to - 1}.com`.
fn company_rows(ids: &[String], from: usize, to: usize) -> Vec<Value> {
    (from..to)
        .map(|i| {
            bare_row(
                &ids[i],
                &format!("Company {i:03}"),
                &format!("company{i:03}.com"),
                FROZEN,
            )
        })
        .collect()
}

/// A mock holding `acme.com`, `globex.com` and `initech.com`, created in that order.
fn mock_with_three_accounts() -> MockRecotap {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    mock.add_account(NewAccount::new("globex.com", "Globex"));
    mock.add_account(NewAccount::new("initech.com", "Initech"));
    mock
}

/// A mock with the active fields `CONTRACT_VALUE_C` and `CRM_STAGE_C`, the inactive field
/// `OLD_SCORE_C`, and the account `acme.com` holding `CRM_STAGE_C: "POC"` and `CONTRACT_VALUE_C: 100`.
fn mock_with_fields_and_acme() -> MockRecotap {
    let mock = mock();
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    mock.add_custom_field(CustomField::new("Old Score", LabelType::Number).inactive());
    mock.add_account(
        NewAccount::new("acme.com", "Acme Corp")
            .custom_field("CRM_STAGE_C", "POC")
            .custom_field("CONTRACT_VALUE_C", 100),
    );
    mock
}

fn updated_at(mock: &MockRecotap, domain: &str) -> Value {
    let account = mock.account_by_domain(domain).expect("the account exists");
    serde_json::to_value(account).expect("accounts serialise")["updatedAt"].clone()
}

// ---------------------------------------------------------------------------------------------
// GET /accounts: keyset pagination (docs/api.md §1.7)
// ---------------------------------------------------------------------------------------------

#[test]
fn two_hundred_fifty_accounts_come_in_three_pages_of_at_most_one_hundred_linked_by_cursors() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 250);

    // Act
    let first = get(&mock, "/accounts?limit=100");
    let second_target = format!("{ACCOUNTS}?limit=100&cursor={}", ids[99]);
    let second = get_target(&mock, &second_target);
    let third_target = format!("{ACCOUNTS}?limit=100&cursor={}", ids[199]);
    let third = get_target(&mock, &third_target);

    // Assert
    assert_eq!(
        first,
        (
            200,
            success(
                200,
                "/api/v1/accounts?limit=100",
                page(company_rows(&ids, 0, 100), Some(&ids[99]), true, FROZEN)
            )
        )
    );
    assert_eq!(
        second,
        (
            200,
            success(
                200,
                &second_target,
                page(company_rows(&ids, 100, 200), Some(&ids[199]), true, FROZEN)
            )
        )
    );
    assert_eq!(
        third,
        (
            200,
            success(
                200,
                &third_target,
                page(company_rows(&ids, 200, 250), Some(&ids[249]), false, FROZEN)
            )
        )
    );
}

#[test]
fn the_last_page_names_its_last_row_as_next_cursor_and_a_cursor_past_the_end_gives_an_empty_page() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 3);
    let past_end = format!("{ACCOUNTS}?cursor={}", ids[2]);
    let far_past_end = format!("{ACCOUNTS}?cursor=ffffffffffffffffffffffff");

    // Act
    let last = get(&mock, "/accounts?limit=3");
    let empty = get_target(&mock, &past_end);
    let far = get_target(&mock, &far_past_end);

    // Assert
    assert_eq!(
        last.1["data"],
        page(company_rows(&ids, 0, 3), Some(&ids[2]), false, FROZEN)
    );
    assert_eq!(
        empty,
        (
            200,
            success(200, &past_end, page(vec![], None, false, FROZEN))
        )
    );
    assert_eq!(
        far,
        (
            200,
            success(200, &far_past_end, page(vec![], None, false, FROZEN))
        )
    );
}

#[test]
fn a_well_formed_cursor_that_matches_no_row_is_simply_a_lower_bound() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 3);
    let before_all = format!("{ACCOUNTS}?cursor=000000000000000000000000&limit=2");

    // Act
    let (status, body) = get_target(&mock, &before_all);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            &before_all,
            page(company_rows(&ids, 0, 2), Some(&ids[1]), true, FROZEN)
        )
    );
}

#[test]
fn a_cursor_in_upper_case_hex_is_a_valid_bound() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 3);
    let target = format!("{ACCOUNTS}?cursor={}", ids[0].to_uppercase());

    // Act
    let (status, body) = get_target(&mock, &target);

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        success(
            200,
            &target,
            page(company_rows(&ids, 1, 3), Some(&ids[2]), false, FROZEN)
        )
    );
}

#[test]
fn without_a_limit_a_page_holds_one_hundred_rows() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 250);

    // Act
    let (status, body) = get(&mock, "/accounts");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            ACCOUNTS,
            page(company_rows(&ids, 0, 100), Some(&ids[99]), true, FROZEN)
        )
    );
}

#[test]
fn a_limit_of_one_thousand_returns_every_row_of_a_smaller_table_on_one_page() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 250);

    // Act
    let (status, body) = get(&mock, "/accounts?limit=1000");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page(company_rows(&ids, 0, 250), Some(&ids[249]), false, FROZEN)
    );
}

#[test]
fn a_team_without_accounts_lists_an_empty_page_with_a_null_cursor() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = get(&mock, "/accounts");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(200, ACCOUNTS, page(vec![], None, false, FROZEN))
    );
}

// ---------------------------------------------------------------------------------------------
// GET /accounts: query validation (docs/api.md §1.4, §1.7, §1.8, §2.2)
// ---------------------------------------------------------------------------------------------

/// Asserts that `GET {target}` is refused with exactly `violations`.
fn assert_refused(mock: &MockRecotap, target: &str, violations: Vec<Value>) {
    let (status, body) = get_target(mock, target);
    assert_eq!(status, 400, "{target}: {body}");
    assert_eq!(body, validation_error(target, violations), "{target}");
}

#[test]
fn a_limit_that_is_not_an_integer_fails_is_int() {
    // Arrange
    let mock = mock();
    let is_int = || violation("limit", "isInt", "limit must be an integer number");

    // Act + Assert
    for limit in ["abc", "1.5", "ten", "10abc"] {
        assert_refused(&mock, &format!("{ACCOUNTS}?limit={limit}"), vec![is_int()]);
    }
}

#[test]
fn a_limit_of_zero_fails_min_and_one_thousand_and_one_fails_max() {
    // Arrange
    let mock = mock();

    // Act + Assert
    assert_refused(
        &mock,
        &format!("{ACCOUNTS}?limit=0"),
        vec![violation("limit", "min", "limit must not be less than 1")],
    );
    assert_refused(
        &mock,
        &format!("{ACCOUNTS}?limit=-5"),
        vec![violation("limit", "min", "limit must not be less than 1")],
    );
    assert_refused(
        &mock,
        &format!("{ACCOUNTS}?limit=1001"),
        vec![violation(
            "limit",
            "max",
            "limit must not be greater than 1000",
        )],
    );
}

#[test]
fn limits_of_one_and_one_thousand_are_accepted() {
    // Arrange
    let mock = mock();
    let ids = seed_companies(&mock, 2);

    // Act
    let one = get(&mock, "/accounts?limit=1");
    let thousand = get(&mock, "/accounts?limit=1000");

    // Assert
    assert_eq!(one.0, 200);
    assert_eq!(
        one.1["data"],
        page(company_rows(&ids, 0, 1), Some(&ids[0]), true, FROZEN)
    );
    assert_eq!(thousand.0, 200);
    assert_eq!(
        thousand.1["data"],
        page(company_rows(&ids, 0, 2), Some(&ids[1]), false, FROZEN)
    );
}

#[test]
fn a_cursor_that_is_not_twenty_four_hex_digits_fails_is_mongo_id() {
    // Arrange
    let mock = mock();
    let is_mongo_id = || violation("cursor", "isMongoId", "cursor must be a mongodb id");

    // Act + Assert
    for cursor in [
        "xyz",
        "seg-001",
        "69f3282000000000000000",
        "69f32820000000000000000g",
        "69f3282000000000000000011",
    ] {
        assert_refused(
            &mock,
            &format!("{ACCOUNTS}?cursor={cursor}"),
            vec![is_mongo_id()],
        );
    }
}

#[test]
fn an_invalid_last_sync_fails_is_iso8601() {
    // Arrange
    let mock = mock();
    let is_iso = || {
        violation(
            "lastSync",
            "isIso8601",
            "lastSync must be a valid ISO 8601 date string",
        )
    };

    // Act + Assert
    for last_sync in ["yesterday", "2026-13-01", "1714470000"] {
        assert_refused(
            &mock,
            &format!("{ACCOUNTS}?lastSync={}", encode(last_sync)),
            vec![is_iso()],
        );
    }
}

#[test]
fn domains_that_are_not_a_json_array_of_strings_fail_is_array() {
    // Arrange
    let mock = mock();
    let is_array = || violation("domains", "isArray", "domains must be an array");

    // Act + Assert
    for domains in [
        "acme.com",
        "\"acme.com\"",
        "[\"acme.com\",5]",
        "{\"domain\":\"acme.com\"}",
        "[\"acme.com\"",
    ] {
        assert_refused(
            &mock,
            &format!("{ACCOUNTS}?domains={}", encode(domains)),
            vec![is_array()],
        );
    }
}

#[test]
fn one_hundred_and_one_domains_fail_array_max_size_and_one_hundred_are_accepted() {
    // Arrange
    let mock = mock();
    let names: Vec<String> = (0..101).map(|i| format!("d{i}.com")).collect();
    let all: Vec<&str> = names.iter().map(String::as_str).collect();

    // Act
    let refused_target = format!("{ACCOUNTS}?{}", domains_param(&all));
    let accepted = get_target(&mock, &format!("{ACCOUNTS}?{}", domains_param(&all[..100])));

    // Assert
    assert_refused(
        &mock,
        &refused_target,
        vec![violation(
            "domains",
            "arrayMaxSize",
            "domains must contain no more than 100 elements",
        )],
    );
    assert_eq!(accepted.0, 200);
    assert_eq!(accepted.1["data"]["data"], json!([]));
}

#[test]
fn an_unknown_query_parameter_fails_whitelist_validation() {
    // Arrange
    let mock = mock();

    // Act + Assert
    assert_refused(
        &mock,
        &format!("{ACCOUNTS}?page=2"),
        vec![violation(
            "page",
            "whitelistValidation",
            "property page should not exist",
        )],
    );
}

#[test]
fn several_failing_parameters_are_reported_in_the_documented_order_with_unknown_ones_last() {
    // Arrange
    let mock = mock();
    let target =
        format!("{ACCOUNTS}?zeta=1&domains=acme.com&lastSync=yesterday&cursor=xyz&limit=0&alpha=2");

    // Act + Assert
    assert_refused(
        &mock,
        &target,
        vec![
            violation("limit", "min", "limit must not be less than 1"),
            violation("cursor", "isMongoId", "cursor must be a mongodb id"),
            violation(
                "lastSync",
                "isIso8601",
                "lastSync must be a valid ISO 8601 date string",
            ),
            violation("domains", "isArray", "domains must be an array"),
            violation(
                "zeta",
                "whitelistValidation",
                "property zeta should not exist",
            ),
            violation(
                "alpha",
                "whitelistValidation",
                "property alpha should not exist",
            ),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// GET /accounts: the domains filter (docs/api.md §1.9, §2.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_domains_filter_cleans_each_domain_and_lists_the_matches_in_id_order() {
    // Arrange
    let mock = mock_with_three_accounts();
    let target = format!(
        "{ACCOUNTS}?{}",
        domains_param(&[" Globex.COM ", "https://www.ACME.com/x", "unknown.com"])
    );

    // Act
    let (status, body) = get_target(&mock, &target);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            &target,
            page(
                vec![
                    bare_row(&id_of(&mock, "acme.com"), "Acme Corp", "acme.com", FROZEN),
                    bare_row(&id_of(&mock, "globex.com"), "Globex", "globex.com", FROZEN),
                ],
                Some(&id_of(&mock, "globex.com")),
                false,
                FROZEN
            )
        )
    );
}

#[test]
fn a_domain_named_twice_in_the_filter_is_listed_once() {
    // Arrange
    let mock = mock_with_three_accounts();
    let target = format!(
        "{ACCOUNTS}?{}",
        domains_param(&["initech.com", "HTTP://INITECH.COM:8080/"])
    );

    // Act
    let (status, body) = get_target(&mock, &target);

    // Assert
    let initech = id_of(&mock, "initech.com");
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page(
            vec![bare_row(&initech, "Initech", "initech.com", FROZEN)],
            Some(&initech),
            false,
            FROZEN
        )
    );
}

#[test]
fn the_domains_filter_pages_with_limit_and_cursor_like_the_whole_list() {
    // Arrange
    let mock = mock_with_three_accounts();
    let filter = domains_param(&["initech.com", "acme.com", "globex.com"]);
    let acme = id_of(&mock, "acme.com");
    let globex = id_of(&mock, "globex.com");
    let initech = id_of(&mock, "initech.com");

    // Act
    let first = get_target(&mock, &format!("{ACCOUNTS}?limit=2&{filter}"));
    let second = get_target(
        &mock,
        &format!("{ACCOUNTS}?limit=2&cursor={globex}&{filter}"),
    );

    // Assert
    assert_eq!(
        first.1["data"],
        page(
            vec![
                bare_row(&acme, "Acme Corp", "acme.com", FROZEN),
                bare_row(&globex, "Globex", "globex.com", FROZEN),
            ],
            Some(&globex),
            true,
            FROZEN
        )
    );
    assert_eq!(
        second.1["data"],
        page(
            vec![bare_row(&initech, "Initech", "initech.com", FROZEN)],
            Some(&initech),
            false,
            FROZEN
        )
    );
}

// ---------------------------------------------------------------------------------------------
// GET /accounts: delta sync with a frozen clock (docs/api.md §1.8)
// ---------------------------------------------------------------------------------------------

#[test]
fn last_sync_keeps_only_the_account_updated_through_put_after_it() {
    // Arrange
    let mock = mock_with_three_accounts();
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    let globex = id_of(&mock, "globex.com");
    mock.advance_clock(Duration::from_secs(1));
    let (status, _) = put_account(&mock, &globex, r#"{"customFields":{"CRM_STAGE_C":"POC"}}"#);
    assert_eq!(status, 200);
    let target = format!("{ACCOUNTS}?lastSync={}", encode(FROZEN));

    // Act
    let (status, body) = get_target(&mock, &target);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "statusCode": 200, "timestamp": LATER, "path": target,
                "data": page(
                    vec![json!({ "externalId": null, "name": "Globex", "domain": "globex.com",
                                 "rtp_aid": globex, "rtp_account_score": 0, "rtp_journey_stage": "",
                                 "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
                                 "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
                                 "rtp_last_account_date": LATER,
                                 "customFields": { "CRM_STAGE_C": "POC" } })],
                    Some(&globex), false, LATER) })
    );
}

#[test]
fn last_sync_keeps_only_the_account_updated_through_an_upsert_after_it() {
    // Arrange
    let mock = mock_with_three_accounts();
    mock.advance_clock(Duration::from_secs(2));
    let (status, _) = push(
        &mock,
        &json!({ "upsert": true, "accounts": [{ "domain": "initech.com", "name": "Initech Inc" }] }),
    );
    assert_eq!(status, 200);
    let initech = id_of(&mock, "initech.com");

    // Act
    let (status, body) = get_target(&mock, &format!("{ACCOUNTS}?lastSync={}", encode(LATER)));

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page(
            vec![bare_row(
                &initech,
                "Initech Inc",
                "initech.com",
                LATER_STILL
            )],
            Some(&initech),
            false,
            LATER_STILL
        )
    );
}

#[test]
fn last_sync_is_strictly_after_so_an_update_at_that_very_instant_is_left_out() {
    // Arrange
    let mock = mock_with_three_accounts();
    mock.advance_clock(Duration::from_secs(1));
    mock.set_scores("globex.com", ScoreUpdate::default().account_score(5));

    // Act
    let at_update = get_target(&mock, &format!("{ACCOUNTS}?lastSync={}", encode(LATER)));
    let just_before = get_target(
        &mock,
        &format!("{ACCOUNTS}?lastSync={}", encode("2026-04-30T10:00:00.999Z")),
    );

    // Assert
    assert_eq!(at_update.0, 200);
    assert_eq!(at_update.1["data"], page(vec![], None, false, LATER));
    assert_eq!(just_before.0, 200);
    let rows = just_before.1["data"]["data"]
        .as_array()
        .expect("rows")
        .clone();
    let domains: Vec<&Value> = rows.iter().map(|row| &row["domain"]).collect();
    assert_eq!(domains, [&json!("globex.com")]);
}

#[test]
fn last_sync_with_a_time_zone_offset_means_the_same_instant() {
    // Arrange
    let mock = mock_with_three_accounts();
    mock.advance_clock(Duration::from_secs(1));
    mock.set_scores("acme.com", ScoreUpdate::default().journey_stage("Aware"));

    // Act: 12:00 at +02:00 is the creation instant, 10:00 UTC.
    let (status, body) = get_target(
        &mock,
        &format!(
            "{ACCOUNTS}?lastSync={}",
            encode("2026-04-30T12:00:00.000+02:00")
        ),
    );

    // Assert
    assert_eq!(status, 200);
    let rows = body["data"]["data"].as_array().expect("rows").clone();
    let domains: Vec<&Value> = rows.iter().map(|row| &row["domain"]).collect();
    assert_eq!(domains, [&json!("acme.com")]);
}

#[test]
fn a_last_sync_before_every_update_lists_every_account() {
    // Arrange
    let mock = mock_with_three_accounts();

    // Act
    let (status, body) = get_target(
        &mock,
        &format!("{ACCOUNTS}?lastSync={}", encode("2026-04-30T09:59:59.999Z")),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["data"]["data"].as_array().map(Vec::len), Some(3));
}

// ---------------------------------------------------------------------------------------------
// GET /accounts: the row (docs/api.md §2.2) with scores set by the handle and the admin API
// ---------------------------------------------------------------------------------------------

#[test]
fn a_row_holds_scores_stage_external_id_every_active_field_and_the_last_update() {
    // Arrange
    let mock = mock();
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    mock.add_custom_field(CustomField::new("Old Score", LabelType::Number).inactive());
    mock.add_account(
        NewAccount::new("acme.com", "Acme Corp")
            .external_id("crm-001")
            .custom_field("CRM_STAGE_C", "POC")
            .custom_field("OLD_SCORE_C", 5),
    );
    mock.add_account(NewAccount::new("globex.com", "Globex"));
    let acme = id_of(&mock, "acme.com");
    let globex = id_of(&mock, "globex.com");
    mock.advance_clock(Duration::from_secs(1));
    mock.set_scores(
        "https://www.ACME.com/",
        ScoreUpdate::default()
            .account_score(78)
            .journey_stage("Consideration")
            .advertising_activity_score(55)
            .website_intent_score(42)
            .g2_intent_score(0)
            .bombora_intent_score(31),
    );
    mock.advance_clock(Duration::from_secs(1));
    let (patch_status, patched) = admin(
        &mock,
        Method::PATCH,
        &format!("/_mock/accounts/{globex}"),
        Some(
            &json!({ "rtp_account_score": 12.5, "rtp_journey_stage": "Aware",
                      "rtp_bombora_intent_score": 7 }),
        ),
    );

    // Act
    let (status, body) = get(&mock, "/accounts");

    // Assert
    assert_eq!(patch_status, 200);
    assert_eq!(
        patched,
        json!({ "rtp_aid": globex, "domain": "globex.com", "name": "Globex", "externalId": null,
                "shortName": null, "linkedinUrl": null, "tags": [], "customFields": {},
                "rtp_account_score": 12.5, "rtp_advertising_activity_score": 0,
                "rtp_website_intent_score": 0, "rtp_g2_intent_score": 0,
                "rtp_bombora_intent_score": 7, "rtp_journey_stage": "Aware",
                "createdAt": FROZEN, "updatedAt": LATER_STILL })
    );
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "statusCode": 200, "timestamp": LATER_STILL, "path": ACCOUNTS,
                "data": page(vec![
                    json!({ "externalId": "crm-001", "name": "Acme Corp", "domain": "acme.com",
                            "rtp_aid": acme, "rtp_account_score": 78,
                            "rtp_journey_stage": "Consideration",
                            "rtp_advertising_activity_score": 55, "rtp_website_intent_score": 42,
                            "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 31,
                            "rtp_last_account_date": LATER,
                            "customFields": { "CONTRACT_VALUE_C": null, "CRM_STAGE_C": "POC" } }),
                    json!({ "externalId": null, "name": "Globex", "domain": "globex.com",
                            "rtp_aid": globex, "rtp_account_score": 12.5,
                            "rtp_journey_stage": "Aware",
                            "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
                            "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 7,
                            "rtp_last_account_date": LATER_STILL,
                            "customFields": { "CONTRACT_VALUE_C": null, "CRM_STAGE_C": null } }),
                ], Some(&globex), false, LATER_STILL) })
    );
}

#[test]
fn set_scores_keeps_the_fields_it_does_not_name_and_bumps_the_update_time() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    mock.set_scores(
        "acme.com",
        ScoreUpdate::default()
            .account_score(10)
            .journey_stage("Aware"),
    );
    mock.advance_clock(Duration::from_secs(1));

    // Act
    let returned = mock.set_scores("acme.com", ScoreUpdate::default().website_intent_score(9));

    // Assert
    let (_, body) = get(&mock, "/accounts");
    let row = &body["data"]["data"][0];
    assert_eq!(returned, mock.account_by_domain("acme.com").unwrap());
    assert_eq!(row["rtp_account_score"], json!(10));
    assert_eq!(row["rtp_journey_stage"], json!("Aware"));
    assert_eq!(row["rtp_website_intent_score"], json!(9));
    assert_eq!(row["rtp_last_account_date"], json!(LATER));
}

#[test]
fn the_admin_score_patch_names_an_unknown_account_with_404_and_a_bad_id_with_400() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let unknown = "0123456789abcdef01234567";

    // Act
    let missing = admin(
        &mock,
        Method::PATCH,
        &format!("/_mock/accounts/{unknown}"),
        Some(&json!({ "rtp_account_score": 1 })),
    );
    let malformed = admin(
        &mock,
        Method::PATCH,
        "/_mock/accounts/not-an-id",
        Some(&json!({ "rtp_account_score": 1 })),
    );
    let unknown_field = admin(
        &mock,
        Method::PATCH,
        &format!("/_mock/accounts/{}", id_of(&mock, "acme.com")),
        Some(&json!({ "name": "Renamed" })),
    );

    // Assert
    assert_eq!(
        missing,
        (
            404,
            json!({ "error": format!("Account with rtp_aid '{unknown}' not found") })
        )
    );
    assert_eq!(
        malformed,
        (
            400,
            json!({ "error": "'not-an-id' is not an id of 24 hex digits" })
        )
    );
    assert_eq!(unknown_field.0, 400);
    assert!(unknown_field.1["error"].is_string(), "{}", unknown_field.1);
    assert_eq!(
        mock.account_by_domain("acme.com").unwrap().name,
        "Acme Corp"
    );
}

// ---------------------------------------------------------------------------------------------
// PUT /accounts/:rtp_aid (docs/api.md §2.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn put_with_an_id_that_is_not_twenty_four_hex_digits_fails_is_mongo_id_on_rtp_aid() {
    // Arrange
    let mock = mock_with_fields_and_acme();

    // Act
    let (status, body) = put_account(&mock, "not-an-id", r#"{"customFields":{}}"#);

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            "/api/v1/accounts/not-an-id",
            vec![violation(
                "rtp_aid",
                "isMongoId",
                "rtp_aid must be a mongodb id"
            )]
        )
    );
}

#[test]
fn put_on_an_unknown_id_gets_404_naming_the_id() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let unknown = "0123456789abcdef01234567";

    // Act
    let (status, body) = put_account(&mock, unknown, r#"{"customFields":{"CRM_STAGE_C":"Won"}}"#);

    // Assert
    assert_eq!(status, 404);
    assert_eq!(
        body,
        business_error(
            404,
            &format!("{ACCOUNTS}/{unknown}"),
            "Not Found",
            &format!("Account with rtp_aid '{unknown}' not found")
        )
    );
}

#[test]
fn put_validates_the_body_before_looking_up_the_account() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let unknown = "0123456789abcdef01234567";

    // Act
    let (status, body) = put_account(&mock, unknown, r#"{"customFields":"POC"}"#);

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            &format!("{ACCOUNTS}/{unknown}"),
            vec![violation(
                "customFields",
                "isObject",
                "customFields must be an object"
            )]
        )
    );
}

#[test]
fn put_with_a_property_other_than_custom_fields_fails_whitelist_validation() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let acme = id_of(&mock, "acme.com");

    // Act
    let (status, body) = put_account(
        &mock,
        &acme,
        r#"{"name":"Renamed","customFields":{"CRM_STAGE_C":"Won"},"domain":"x.com"}"#,
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            &format!("{ACCOUNTS}/{acme}"),
            vec![
                violation(
                    "name",
                    "whitelistValidation",
                    "property name should not exist"
                ),
                violation(
                    "domain",
                    "whitelistValidation",
                    "property domain should not exist"
                ),
            ]
        )
    );
    assert_eq!(
        mock.account_by_domain("acme.com").unwrap().custom_fields["CRM_STAGE_C"],
        "POC"
    );
}

#[test]
fn put_with_custom_fields_that_is_not_an_object_fails_is_object() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let acme = id_of(&mock, "acme.com");

    // Act + Assert
    for custom_fields in [r#"["CRM_STAGE_C"]"#, r#""POC""#, "5", "true"] {
        let (status, body) = put_account(
            &mock,
            &acme,
            &format!(r#"{{"customFields":{custom_fields}}}"#),
        );
        assert_eq!(status, 400, "{custom_fields}");
        assert_eq!(
            body,
            validation_error(
                &format!("{ACCOUNTS}/{acme}"),
                vec![violation(
                    "customFields",
                    "isObject",
                    "customFields must be an object"
                )]
            ),
            "{custom_fields}"
        );
    }
}

#[test]
fn put_naming_unknown_and_inactive_keys_gets_400_listing_them_in_order_and_changes_nothing() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let acme = id_of(&mock, "acme.com");
    let before = mock.account_by_domain("acme.com").unwrap();
    mock.advance_clock(Duration::from_secs(1));

    // Act
    let (status, body) = put_account(
        &mock,
        &acme,
        r#"{"customFields":{"NOPE_C":1,"CRM_STAGE_C":"Won","OLD_SCORE_C":3}}"#,
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "statusCode": 400, "timestamp": LATER, "path": format!("{ACCOUNTS}/{acme}"),
                "message": "Bad Request",
                "customMessage": "Custom field key(s) not found: NOPE_C, OLD_SCORE_C",
                "data": null })
    );
    assert_eq!(mock.account_by_domain("acme.com").unwrap(), before);
}

#[test]
fn put_merges_custom_fields_per_key_and_bumps_the_update_time() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let acme = id_of(&mock, "acme.com");
    mock.advance_clock(Duration::from_secs(1));

    // Act
    let (status, body) = put_account(&mock, &acme, r#"{"customFields":{"CRM_STAGE_C":"Won"}}"#);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({ "statusCode": 200, "timestamp": LATER, "path": format!("{ACCOUNTS}/{acme}"),
                "data": { "message": "Account updated successfully" } })
    );
    let stored = mock.account_by_domain("acme.com").unwrap();
    assert_eq!(
        Value::Object(stored.custom_fields),
        json!({ "CRM_STAGE_C": "Won", "CONTRACT_VALUE_C": 100 })
    );
    assert_eq!(updated_at(&mock, "acme.com"), json!(LATER));
    let (_, listed) = get(&mock, "/accounts");
    assert_eq!(
        listed["data"]["data"][0]["customFields"],
        json!({ "CONTRACT_VALUE_C": 100, "CRM_STAGE_C": "Won" })
    );
    assert_eq!(
        listed["data"]["data"][0]["rtp_last_account_date"],
        json!(LATER)
    );
}

#[test]
fn put_of_one_key_replaces_its_value_and_leaves_the_other_keys_alone() {
    // Arrange
    let mock = mock_with_fields_and_acme();
    let acme = id_of(&mock, "acme.com");

    // Act
    let (status, _) = put_account(
        &mock,
        &acme,
        r#"{"customFields":{"CONTRACT_VALUE_C":250000}}"#,
    );

    // Assert
    assert_eq!(status, 200);
    let (_, listed) = get(&mock, "/accounts");
    assert_eq!(
        listed["data"]["data"][0]["customFields"],
        json!({ "CONTRACT_VALUE_C": 250000, "CRM_STAGE_C": "POC" })
    );
}

// ---------------------------------------------------------------------------------------------
// PATCH /accounts/external-ids (docs/api.md §2.4)
// ---------------------------------------------------------------------------------------------

#[test]
fn mappings_missing_or_not_an_array_fail_is_array() {
    // Arrange
    let mock = mock();

    // Act + Assert
    for body in [
        json!({}),
        json!({ "mappings": "acme.com" }),
        json!({ "mappings": null }),
    ] {
        let (status, answer) = patch_mappings(&mock, &body);
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            answer,
            validation_error(
                MAPPINGS,
                vec![violation(
                    "mappings",
                    "isArray",
                    "mappings must be an array"
                )]
            ),
            "{body}"
        );
    }
}

#[test]
fn empty_mappings_fail_array_min_size_and_one_hundred_and_one_fail_array_max_size() {
    // Arrange
    let mock = mock();
    let many: Vec<Value> = (0..101)
        .map(|i| json!({ "domain": format!("d{i}.com"), "externalId": format!("crm-{i}") }))
        .collect();

    // Act
    let empty = patch_mappings(&mock, &json!({ "mappings": [] }));
    let too_many = patch_mappings(&mock, &json!({ "mappings": many }));

    // Assert
    assert_eq!(
        empty,
        (
            400,
            validation_error(
                MAPPINGS,
                vec![violation(
                    "mappings",
                    "arrayMinSize",
                    "mappings must contain at least 1 elements"
                )]
            )
        )
    );
    assert_eq!(
        too_many,
        (
            400,
            validation_error(
                MAPPINGS,
                vec![violation(
                    "mappings",
                    "arrayMaxSize",
                    "mappings must contain no more than 100 elements"
                )]
            )
        )
    );
}

#[test]
fn a_mapping_that_is_not_an_object_fails_nested_validation() {
    // Arrange
    let mock = mock();

    // Act
    let answer = patch_mappings(&mock, &json!({ "mappings": ["acme.com"] }));

    // Assert
    assert_eq!(
        answer,
        (
            400,
            validation_error(
                MAPPINGS,
                vec![violation(
                    "mappings",
                    "nestedValidation",
                    "each value in nested property mappings must be either object or array"
                )]
            )
        )
    );
}

#[test]
fn mapping_items_need_non_empty_string_domains_and_external_ids_and_no_other_property() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let body = r#"{"mappings":[
        {"domain":"","externalId":"crm-1"},
        {"domain":5,"externalId":"  "},
        {"externalId":7,"crmName":"x","domain":"acme.com"},
        {"domain":"acme.com"}
    ],"dryRun":true}"#;

    // Act
    let answer = send(
        api(&mock, Method::PATCH, "/accounts/external-ids")
            .header("Content-Type", "application/json")
            .body(body),
    );

    // Assert
    assert_eq!(
        answer,
        (
            400,
            validation_error(
                MAPPINGS,
                vec![
                    violation("domain", "isNotEmpty", "domain should not be empty"),
                    violation("domain", "isString", "domain must be a string"),
                    violation("externalId", "isString", "externalId must be a string"),
                    violation(
                        "crmName",
                        "whitelistValidation",
                        "property crmName should not exist"
                    ),
                    violation("externalId", "isNotEmpty", "externalId should not be empty"),
                    violation(
                        "dryRun",
                        "whitelistValidation",
                        "property dryRun should not exist"
                    ),
                ]
            )
        )
    );
    assert_eq!(
        mock.account_by_domain("acme.com").unwrap().external_id,
        None
    );
}

#[test]
fn mappings_clean_domains_let_the_last_mapping_win_and_report_matched_updated_and_not_found() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    mock.add_account(NewAccount::new("globex.com", "Globex").external_id("old-crm-id"));
    mock.add_account(NewAccount::new("initech.com", "Initech"));
    mock.advance_clock(Duration::from_secs(1));
    let body = json!({ "mappings": [
        { "domain": "https://www.ACME.com/x", "externalId": "crm-1" },
        { "domain": "missing.com", "externalId": "crm-x" },
        { "domain": " Globex.COM ", "externalId": "crm-2" },
        { "domain": "Unknown.io", "externalId": "crm-y" },
        { "domain": "acme.com", "externalId": "crm-1b" },
        { "domain": "missing.com", "externalId": "crm-z" }
    ] });

    // Act
    let (status, answer) = patch_mappings(&mock, &body);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        json!({ "statusCode": 200, "timestamp": LATER, "path": MAPPINGS,
                "data": { "matched": 2, "updated": 2,
                          "notFound": ["missing.com", "Unknown.io"] } })
    );
    let acme = mock.account_by_domain("acme.com").unwrap();
    let globex = mock.account_by_domain("globex.com").unwrap();
    let initech = mock.account_by_domain("initech.com").unwrap();
    assert_eq!(acme.external_id.as_deref(), Some("crm-1b"));
    assert_eq!(globex.external_id.as_deref(), Some("crm-2"));
    assert_eq!(initech.external_id, None);
    assert_eq!(updated_at(&mock, "acme.com"), json!(LATER));
    assert_eq!(updated_at(&mock, "globex.com"), json!(LATER));
    assert_eq!(updated_at(&mock, "initech.com"), json!(FROZEN));
}

#[test]
fn mapped_accounts_appear_in_a_delta_sync_after_the_mapping() {
    // Arrange
    let mock = mock_with_three_accounts();
    mock.advance_clock(Duration::from_secs(1));
    let (status, _) = patch_mappings(
        &mock,
        &json!({ "mappings": [{ "domain": "globex.com", "externalId": "crm-2" }] }),
    );
    assert_eq!(status, 200);
    let globex = id_of(&mock, "globex.com");

    // Act
    let (_, body) = get_target(&mock, &format!("{ACCOUNTS}?lastSync={}", encode(FROZEN)));

    // Assert
    let mut row = bare_row(&globex, "Globex", "globex.com", LATER);
    row["externalId"] = json!("crm-2");
    assert_eq!(body["data"], page(vec![row], Some(&globex), false, LATER));
}

#[test]
fn mapping_an_account_to_the_external_id_it_already_has_counts_as_matched_but_not_updated() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp").external_id("crm-1"));
    mock.advance_clock(Duration::from_secs(1));

    // Act
    let (status, answer) = patch_mappings(
        &mock,
        &json!({ "mappings": [{ "domain": "acme.com", "externalId": "crm-1" }] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        answer["data"],
        json!({ "matched": 1, "updated": 0, "notFound": [] })
    );
    assert_eq!(updated_at(&mock, "acme.com"), json!(FROZEN));
}

// ---------------------------------------------------------------------------------------------
// GET /accounts/missing-external-ids (docs/api.md §2.5)
// ---------------------------------------------------------------------------------------------

#[test]
fn accounts_without_an_external_id_are_listed_as_a_plain_array_of_name_and_domain_in_id_order() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    mock.add_account(NewAccount::new("globex.com", "Globex").external_id("crm-2"));
    mock.add_account(NewAccount::new("initech.com", "Initech"));

    // Act
    let (status, body) = get(&mock, "/accounts/missing-external-ids");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            MISSING,
            json!([ { "name": "Acme Corp", "domain": "acme.com" },
                    { "name": "Initech", "domain": "initech.com" } ])
        )
    );
}

#[test]
fn missing_external_ids_honours_limit_and_defaults_to_one_hundred() {
    // Arrange
    let mock = mock();
    seed_companies(&mock, 150);

    // Act
    let (limited_status, limited) = get(&mock, "/accounts/missing-external-ids?limit=2");
    let (default_status, default) = get(&mock, "/accounts/missing-external-ids");

    // Assert
    assert_eq!(limited_status, 200);
    assert_eq!(
        limited["data"],
        json!([ { "name": "Company 000", "domain": "company000.com" },
                { "name": "Company 001", "domain": "company001.com" } ])
    );
    assert_eq!(default_status, 200);
    let rows = default["data"].as_array().expect("a plain array");
    assert_eq!(rows.len(), 100);
    assert_eq!(
        rows[99],
        json!({ "name": "Company 099", "domain": "company099.com" })
    );
}

#[test]
fn missing_external_ids_rejects_cursor_and_last_sync_and_validates_limit() {
    // Arrange
    let mock = mock();
    let target = format!("{MISSING}?cursor=0123456789abcdef01234567&lastSync=2026-04-30&limit=abc");

    // Act
    let (status, body) = get_target(&mock, &target);
    let (max_status, max) = get_target(&mock, &format!("{MISSING}?limit=1001"));

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            &target,
            vec![
                violation("limit", "isInt", "limit must be an integer number"),
                violation(
                    "cursor",
                    "whitelistValidation",
                    "property cursor should not exist"
                ),
                violation(
                    "lastSync",
                    "whitelistValidation",
                    "property lastSync should not exist"
                ),
            ]
        )
    );
    assert_eq!(max_status, 400);
    assert_eq!(
        max,
        validation_error(
            &format!("{MISSING}?limit=1001"),
            vec![violation(
                "limit",
                "max",
                "limit must not be greater than 1000"
            )]
        )
    );
}

// ---------------------------------------------------------------------------------------------
// The admin clock (docs/control.md §4)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_admin_clock_freezes_at_now_and_the_api_reads_it() {
    // Arrange
    let mock = mock();

    // Act
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "now": "2026-05-01T08:30:00Z" })),
    );
    let (status, body) = get(&mock, "/accounts");

    // Assert
    assert_eq!(answer, (200, json!({ "now": "2026-05-01T08:30:00.000Z" })));
    assert_eq!(status, 200);
    assert_eq!(body["timestamp"], json!("2026-05-01T08:30:00.000Z"));
    assert_eq!(
        body["data"]["syncTimestamp"],
        json!("2026-05-01T08:30:00.000Z")
    );
    assert_eq!(mock.now(), "2026-05-01T08:30:00.000Z");
}

#[test]
fn the_admin_clock_advances_a_frozen_clock_by_milliseconds_and_new_writes_carry_that_time() {
    // Arrange
    let mock = mock();

    // Act
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "advanceMs": 1500 })),
    );
    push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme Corp" }] }),
    );

    // Assert
    assert_eq!(answer, (200, json!({ "now": "2026-04-30T10:00:01.500Z" })));
    assert_eq!(
        updated_at(&mock, "acme.com"),
        json!("2026-04-30T10:00:01.500Z")
    );
}

#[test]
fn the_admin_clock_returns_to_real_time() {
    // Arrange
    let mock = mock();
    admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "now": "2000-01-01T00:00:00.000Z" })),
    );

    // Act
    let (status, body) = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "real": true })),
    );

    // Assert
    assert_eq!(status, 200);
    let now = body["now"].as_str().expect("now is a string").to_string();
    assert!(now.as_str() > "2020-01-01T00:00:00.000Z", "{now}");
    assert_eq!(now.len(), "2026-04-30T10:00:00.000Z".len(), "{now}");
    let first = mock.now();
    std::thread::sleep(Duration::from_millis(20));
    assert_ne!(mock.now(), first, "a real clock moves");
}

#[test]
fn a_bad_admin_clock_body_gets_400_and_leaves_the_clock_alone() {
    // Arrange
    let mock = mock();
    let hint = "give exactly one of {\"now\": ISO 8601}, {\"advanceMs\": N}, {\"real\": true}";

    // Act
    let empty = admin(&mock, Method::POST, "/_mock/clock", Some(&json!({})));
    let two = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "now": FROZEN, "advanceMs": 5 })),
    );
    let not_iso = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "now": "yesterday" })),
    );
    let unknown = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "tick": 5 })),
    );
    let wrong_type = admin(
        &mock,
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "advanceMs": "5" })),
    );
    let not_json = send_admin_text(&mock, "/_mock/clock", "{not json");

    // Assert
    assert_eq!(empty, (400, json!({ "error": hint })));
    assert_eq!(two, (400, json!({ "error": hint })));
    assert_eq!(
        not_iso,
        (400, json!({ "error": "now: 'yesterday' is not ISO 8601" }))
    );
    for (status, body) in [unknown, wrong_type, not_json] {
        assert_eq!(status, 400, "{body}");
        assert!(body["error"].is_string(), "{body}");
        assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    }
    assert_eq!(mock.now(), FROZEN);
}

/// `POST` of a verbatim body to an admin path.
fn send_admin_text(mock: &MockRecotap, path: &str, body: &str) -> (u16, Value) {
    send(
        client()
            .post(format!("{}{path}", mock.url()))
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
}

#[test]
fn the_handle_clock_freezes_and_advances_like_the_admin_clock() {
    // Arrange
    let mock = mock();

    // Act
    mock.freeze_clock("2026-06-01T00:00:00Z");
    mock.advance_clock(Duration::from_millis(250));
    let (_, body) = get(&mock, "/accounts");

    // Assert
    assert_eq!(mock.now(), "2026-06-01T00:00:00.250Z");
    assert_eq!(body["timestamp"], json!("2026-06-01T00:00:00.250Z"));
    assert_eq!(
        admin(
            &mock,
            Method::POST,
            "/_mock/clock",
            Some(&json!({ "advanceMs": 0 }))
        ),
        (200, json!({ "now": "2026-06-01T00:00:00.250Z" }))
    );
}
