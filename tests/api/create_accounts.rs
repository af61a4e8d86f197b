//! `POST /api/v1/accounts` over real HTTP: every rule of docs/api.md §2.1, with whole response
//! bodies pinned.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::common::*;
use recotap_mock::{CustomField, LabelType, MockRecotap, NewAccount, Segment, SegmentStatus};
use serde_json::{json, Value};

const PATH: &str = "/api/v1/accounts";
const LATER: &str = "2026-04-30T10:00:05.000Z";

/// The account stored under `domain`, in the state document's shape (docs/control.md §5).
fn stored(mock: &MockRecotap, domain: &str) -> Value {
    let account = mock
        .account_by_domain(domain)
        .unwrap_or_else(|| panic!("no account with domain {domain}"));
    serde_json::to_value(account).expect("accounts serialise")
}

/// A mock with the fields `CONTRACT_VALUE_C` (number) and `CRM_STAGE_C` (text).
fn mock_with_fields() -> MockRecotap {
    let mock = mock();
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    mock
}

fn created(id: &str, domain: &str) -> Value {
    json!({ "rtp_aid": id, "domain": domain, "status": "created" })
}

fn updated(id: &str, domain: &str) -> Value {
    json!({ "rtp_aid": id, "domain": domain, "status": "updated" })
}

fn failed(id: Option<&str>, domain: &str, error: &str) -> Value {
    json!({ "rtp_aid": id, "domain": domain, "status": "failed", "error": error })
}

fn duplicate_message(domain: &str) -> String {
    format!(
        "Account with domain '{domain}' already exists. Set upsert: true to update this account via this endpoint."
    )
}

// ---------------------------------------------------------------------------------------------
// The vendor's example and the per-item outcomes
// ---------------------------------------------------------------------------------------------

#[test]
fn the_vendors_example_request_creates_the_account_with_every_field_and_joins_the_segment() {
    // Arrange
    let mock = mock_with_fields();
    mock.add_segment(Segment::new("Q2 Target Accounts").id("seg-001"));
    let request = json!({
        "accounts": [{
            "domain": "acme.com",
            "name": "Acme Corp",
            "externalId": "crm-001",
            "shortName": "Acme",
            "linkedinUrl": "https://www.linkedin.com/company/acme",
            "tags": ["enterprise", "q2-target"],
            "customFields": { "CONTRACT_VALUE_C": 50000, "CRM_STAGE_C": "POC" }
        }],
        "segmentId": "seg-001",
        "upsert": true
    });

    // Act
    let (status, body) = push(&mock, &request);

    // Assert
    let id = id_of(&mock, "acme.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(200, PATH, results(vec![created(&id, "acme.com")], 1, 0, 0))
    );
    assert_eq!(
        stored(&mock, "acme.com"),
        json!({
            "rtp_aid": id, "domain": "acme.com", "name": "Acme Corp", "externalId": "crm-001",
            "shortName": "Acme", "linkedinUrl": "https://www.linkedin.com/company/acme",
            "tags": ["enterprise", "q2-target"],
            "customFields": { "CONTRACT_VALUE_C": 50000, "CRM_STAGE_C": "POC" },
            "rtp_account_score": 0, "rtp_advertising_activity_score": 0,
            "rtp_website_intent_score": 0, "rtp_g2_intent_score": 0,
            "rtp_bombora_intent_score": 0, "rtp_journey_stage": "",
            "createdAt": FROZEN, "updatedAt": FROZEN
        })
    );
    assert_eq!(
        mock.segment_members("seg-001"),
        vec![mock.account_by_domain("acme.com").unwrap().id()]
    );
}

#[test]
fn a_new_domain_is_created_with_a_24_hex_digit_id_and_default_scores() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "globex.com", "name": "Globex" }] }),
    );

    // Assert
    let id = id_of(&mock, "globex.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(vec![created(&id, "globex.com")], 1, 0, 0)
        )
    );
    assert_eq!(id.len(), 24);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{id}"
    );
    assert_eq!(
        stored(&mock, "globex.com"),
        json!({
            "rtp_aid": id, "domain": "globex.com", "name": "Globex", "externalId": null,
            "shortName": null, "linkedinUrl": null, "tags": [], "customFields": {},
            "rtp_account_score": 0, "rtp_advertising_activity_score": 0,
            "rtp_website_intent_score": 0, "rtp_g2_intent_score": 0,
            "rtp_bombora_intent_score": 0, "rtp_journey_stage": "",
            "createdAt": FROZEN, "updatedAt": FROZEN
        })
    );
}

#[test]
fn ids_of_one_batch_rise_in_creation_order() {
    // Arrange
    let mock = mock();

    // Act
    let (status, _) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "zeta.com", "name": "Zeta" },
            { "domain": "alpha.com", "name": "Alpha" },
            { "domain": "mid.com", "name": "Mid" }
        ] }),
    );

    // Assert
    assert_eq!(status, 200);
    let (zeta, alpha, mid) = (
        id_of(&mock, "zeta.com"),
        id_of(&mock, "alpha.com"),
        id_of(&mock, "mid.com"),
    );
    assert!(zeta < alpha && alpha < mid, "{zeta} {alpha} {mid}");
    let domains: Vec<String> = mock.accounts().into_iter().map(|a| a.domain).collect();
    assert_eq!(domains, ["zeta.com", "alpha.com", "mid.com"]);
}

#[test]
fn an_invalid_domain_fails_with_the_domain_as_sent_and_a_null_id() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "localhost", "name": "No dot" },
            { "domain": "https://", "name": "Empty once cleaned" },
            { "domain": "Acme Corp.com", "name": "White space" }
        ] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![
                    failed(None, "localhost", "Invalid domain 'localhost'"),
                    failed(None, "https://", "Invalid domain 'https://'"),
                    failed(None, "Acme Corp.com", "Invalid domain 'Acme Corp.com'"),
                ],
                0,
                0,
                3
            )
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn unknown_custom_field_keys_are_listed_in_the_order_sent_and_nothing_is_stored() {
    // Arrange
    let mock = mock_with_fields();
    let body = r#"{"accounts":[{"domain":"acme.com","name":"Acme",
        "customFields":{"ZED_C":1,"CONTRACT_VALUE_C":2,"ALPHA_C":3,"MIDDLE_C":4}}]}"#;

    // Act
    let (status, body) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 200);
    let error =
        "Custom field key(s) not found: ZED_C, ALPHA_C, MIDDLE_C. Unable to add this account.";
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(vec![failed(None, "acme.com", error)], 0, 0, 1)
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn an_inactive_custom_field_key_counts_as_unknown() {
    // Arrange
    let mock = mock();
    mock.add_custom_field(CustomField::new("Legacy Score", LabelType::Number).inactive());

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme",
                                "customFields": { "LEGACY_SCORE_C": 3 } }] }),
    );

    // Assert
    assert_eq!(status, 200);
    let error = "Custom field key(s) not found: LEGACY_SCORE_C. Unable to add this account.";
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(vec![failed(None, "acme.com", error)], 0, 0, 1)
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn duplicate_domain_without_upsert_fails_with_the_documented_message() {
    // Arrange
    let mock = mock();
    let existing = mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let before = stored(&mock, "acme.com");

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "https://www.ACME.com/pricing", "name": "Renamed" }] }),
    );
    let (explicit_status, explicit_body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Renamed" }], "upsert": false }),
    );

    // Assert
    let id = existing.id().to_string();
    let expected = success(
        200,
        PATH,
        results(
            vec![failed(
                Some(&id),
                "acme.com",
                &duplicate_message("acme.com"),
            )],
            0,
            0,
            1,
        ),
    );
    assert_eq!((status, body), (200, expected.clone()));
    assert_eq!((explicit_status, explicit_body), (200, expected));
    assert_eq!(stored(&mock, "acme.com"), before);
    assert_eq!(mock.accounts().len(), 1);
}

#[test]
fn a_known_domain_with_upsert_is_updated_and_reports_the_existing_id() {
    // Arrange
    let mock = mock();
    let existing = mock.add_account(NewAccount::new("acme.com", "Acme Corp"));

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "WWW.Acme.com", "name": "Acme Inc" }], "upsert": true }),
    );

    // Assert
    let id = existing.id().to_string();
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(200, PATH, results(vec![updated(&id, "acme.com")], 0, 1, 0))
    );
    assert_eq!(mock.account_by_domain("acme.com").unwrap().name, "Acme Inc");
    assert_eq!(mock.accounts().len(), 1);
}

#[test]
fn upsert_replaces_present_fields_replaces_tags_whole_merges_custom_fields_and_bumps_the_update_time(
) {
    // Arrange
    let mock = mock_with_fields();
    mock.add_custom_field(CustomField::new("Region", LabelType::SingleLineText));
    let (status, _) = push(
        &mock,
        &json!({ "accounts": [{
            "domain": "acme.com", "name": "Acme Corp", "externalId": "crm-001", "shortName": "Acme",
            "linkedinUrl": "https://linkedin.com/company/acme", "tags": ["a", "b", "c"],
            "customFields": { "CONTRACT_VALUE_C": 100, "CRM_STAGE_C": "POC" }
        }] }),
    );
    assert_eq!(status, 200);
    let id = id_of(&mock, "acme.com");
    mock.advance_clock(Duration::from_secs(5));

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{
            "domain": "https://www.ACME.com/about", "name": "Acme Inc", "shortName": "ACME",
            "externalId": null, "tags": ["z"],
            "customFields": { "CRM_STAGE_C": "Won", "REGION_C": "EMEA" }
        }], "upsert": true }),
    );

    // Assert
    assert_eq!(status, 200);
    let mut expected = results(vec![updated(&id, "acme.com")], 0, 1, 0);
    expected = json!({ "statusCode": 200, "timestamp": LATER, "path": PATH, "data": expected });
    assert_eq!(body, expected);
    assert_eq!(
        stored(&mock, "acme.com"),
        json!({
            "rtp_aid": id, "domain": "acme.com", "name": "Acme Inc", "externalId": "crm-001",
            "shortName": "ACME", "linkedinUrl": "https://linkedin.com/company/acme",
            "tags": ["z"],
            "customFields": { "CONTRACT_VALUE_C": 100, "CRM_STAGE_C": "Won", "REGION_C": "EMEA" },
            "rtp_account_score": 0, "rtp_advertising_activity_score": 0,
            "rtp_website_intent_score": 0, "rtp_g2_intent_score": 0,
            "rtp_bombora_intent_score": 0, "rtp_journey_stage": "",
            "createdAt": FROZEN, "updatedAt": LATER
        })
    );
}

#[test]
fn custom_field_values_may_be_any_json_and_upsert_merges_them_per_key() {
    // Arrange
    let mock = mock_with_fields();
    mock.add_custom_field(CustomField::new("Region", LabelType::SingleLineText));
    let (status, _) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme", "customFields": {
            "CONTRACT_VALUE_C": { "amount": 1200, "currency": "USD" },
            "CRM_STAGE_C": ["POC", "Won"],
            "REGION_C": "EMEA"
        } }] }),
    );
    assert_eq!(status, 200);

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme",
                                "customFields": { "CRM_STAGE_C": null, "CONTRACT_VALUE_C": 1.5 } }],
                 "upsert": true }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["data"]["summary"]["updated"], 1, "{body}");
    assert_eq!(
        stored(&mock, "acme.com")["customFields"],
        json!({ "CONTRACT_VALUE_C": 1.5, "CRM_STAGE_C": null, "REGION_C": "EMEA" })
    );
}

#[test]
fn upsert_keeps_the_scores_and_journey_stage_set_through_the_handle() {
    // Arrange
    let mock = mock();
    mock.add_account(
        NewAccount::new("acme.com", "Acme")
            .score(78)
            .journey_stage("Consideration"),
    );

    // Act
    let (status, _) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme 2" }], "upsert": true }),
    );

    // Assert
    assert_eq!(status, 200);
    let account = mock.account_by_domain("acme.com").unwrap();
    assert_eq!(account.name, "Acme 2");
    assert_eq!(
        account.rtp_account_score,
        Some(serde_json::Number::from(78))
    );
    assert_eq!(account.rtp_journey_stage, "Consideration");
}

#[test]
fn every_result_reports_the_id_that_holds_its_domain_after_the_item() {
    // Arrange
    let mock = mock_with_fields();
    let known = mock
        .add_account(NewAccount::new("known.com", "Known"))
        .id()
        .to_string();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "fresh.com", "name": "Fresh" },
            { "domain": "fresh.com", "name": "Fresh again" },
            { "domain": "nodot", "name": "Invalid", "customFields": { "NOPE_C": 1 } },
            { "domain": "other.com", "name": "Other", "customFields": { "NOPE_C": 1 } },
            { "domain": "known.com", "name": "Known", "customFields": { "NOPE_C": 1 } },
            { "domain": "known.com", "name": "Known" }
        ] }),
    );

    // Assert
    let fresh = id_of(&mock, "fresh.com");
    let unknown = "Custom field key(s) not found: NOPE_C. Unable to add this account.";
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![
                    created(&fresh, "fresh.com"),
                    failed(Some(&fresh), "fresh.com", &duplicate_message("fresh.com")),
                    failed(None, "nodot", "Invalid domain 'nodot'"),
                    failed(None, "other.com", unknown),
                    failed(Some(&known), "known.com", unknown),
                    failed(Some(&known), "known.com", &duplicate_message("known.com")),
                ],
                1,
                0,
                5
            )
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Segments
// ---------------------------------------------------------------------------------------------

/// Pushes a batch naming `segment_id` that would create one account and update another, and
/// checks that it is refused whole with `custom` and that nothing changed.
fn assert_segment_refusal(mock: &MockRecotap, segment_id: &str, custom: &str) {
    // Arrange
    mock.add_account(NewAccount::new("known.com", "Known"));
    let accounts_before = serde_json::to_value(mock.accounts()).unwrap();
    let members_before = mock.segment_members(segment_id);

    // Act
    let (status, body) = push(
        mock,
        &json!({ "accounts": [
            { "domain": "fresh.com", "name": "Fresh" },
            { "domain": "known.com", "name": "Renamed" }
        ], "segmentId": segment_id, "upsert": true }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(body, business_error(400, PATH, "Bad Request", custom));
    assert_eq!(
        serde_json::to_value(mock.accounts()).unwrap(),
        accounts_before
    );
    assert_eq!(mock.segment_members(segment_id), members_before);
}

#[test]
fn an_unknown_segment_rejects_the_whole_request_and_stores_nothing() {
    let mock = mock();
    assert_segment_refusal(&mock, "seg-404", "Segment 'seg-404' not found");
}

#[test]
fn a_dynamic_segment_rejects_the_whole_request_and_stores_nothing() {
    let mock = mock();
    mock.add_segment(Segment::new("Computed").id("seg-dyn").dynamic());
    assert_segment_refusal(
        &mock,
        "seg-dyn",
        "Segment 'seg-dyn' is not a static segment",
    );
}

#[test]
fn an_archived_segment_rejects_the_whole_request_and_stores_nothing() {
    let mock = mock();
    mock.add_segment(
        Segment::new("Old")
            .id("seg-old")
            .status(SegmentStatus::Archived),
    );
    assert_segment_refusal(
        &mock,
        "seg-old",
        "Segment 'seg-old' is not active or draft and cannot accept new members",
    );
}

#[test]
fn a_segment_refusal_comes_before_item_outcomes_even_when_every_item_would_fail() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "nodot", "name": "Bad" }], "segmentId": "missing" }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        business_error(400, PATH, "Bad Request", "Segment 'missing' not found")
    );
}

#[test]
fn created_and_updated_accounts_join_the_segment_once_in_processing_order() {
    // Arrange
    let mock = mock_with_fields();
    mock.add_segment(Segment::new("Q2").id("seg-001"));
    let globex = mock
        .add_account(NewAccount::new("globex.com", "Globex"))
        .id();
    let initech = mock
        .add_account(NewAccount::new("initech.com", "Initech"))
        .id();

    // Act
    let (first_status, _) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "acme.com", "name": "Acme" },
            { "domain": "globex.com", "name": "Globex" },
            { "domain": "nodot", "name": "Invalid" },
            { "domain": "bad-fields.com", "name": "Bad", "customFields": { "NOPE_C": 1 } }
        ], "segmentId": "seg-001", "upsert": true }),
    );
    let (second_status, _) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "umbrella.com", "name": "Umbrella" },
            { "domain": "globex.com", "name": "Globex" },
            { "domain": "acme.com", "name": "Acme" },
            { "domain": "initech.com", "name": "Initech" }
        ], "segmentId": "seg-001", "upsert": true }),
    );

    // Assert
    assert_eq!((first_status, second_status), (200, 200));
    let acme = mock.account_by_domain("acme.com").unwrap().id();
    let umbrella = mock.account_by_domain("umbrella.com").unwrap().id();
    assert_eq!(
        mock.segment_members("seg-001"),
        vec![acme, globex, umbrella, initech]
    );
}

#[test]
fn items_that_fail_as_duplicates_do_not_join_the_segment() {
    // Arrange
    let mock = mock();
    mock.add_segment(Segment::new("Q2").id("seg-001"));
    mock.add_account(NewAccount::new("globex.com", "Globex"));

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "globex.com", "name": "Globex" }], "segmentId": "seg-001" }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["summary"],
        json!({ "total": 1, "created": 0, "updated": 0, "failed": 1 })
    );
    assert!(mock.segment_members("seg-001").is_empty());
}

#[test]
fn a_draft_static_segment_accepts_members() {
    // Arrange
    let mock = mock();
    mock.add_segment(
        Segment::new("Draft")
            .id("seg-draft")
            .status(SegmentStatus::Draft),
    );

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }], "segmentId": "seg-draft" }),
    );

    // Assert
    let id = id_of(&mock, "acme.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(200, PATH, results(vec![created(&id, "acme.com")], 1, 0, 0))
    );
    assert_eq!(
        mock.segment_members("seg-draft"),
        vec![mock.account_by_domain("acme.com").unwrap().id()]
    );
}

// ---------------------------------------------------------------------------------------------
// Duplicates inside one batch
// ---------------------------------------------------------------------------------------------

#[test]
fn an_in_batch_duplicate_without_upsert_fails_with_the_first_items_id() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "acme.com", "name": "First" },
            { "domain": "http://www.acme.com/", "name": "Second" }
        ] }),
    );

    // Assert
    let id = id_of(&mock, "acme.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![
                    created(&id, "acme.com"),
                    failed(Some(&id), "acme.com", &duplicate_message("acme.com")),
                ],
                1,
                0,
                1
            )
        )
    );
    assert_eq!(mock.accounts().len(), 1);
    assert_eq!(mock.account_by_domain("acme.com").unwrap().name, "First");
}

#[test]
fn an_in_batch_duplicate_with_upsert_updates_the_account_the_first_item_created() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "acme.com", "name": "First", "tags": ["one"] },
            { "domain": "ACME.COM", "name": "Second" }
        ], "upsert": true }),
    );

    // Assert
    let id = id_of(&mock, "acme.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![created(&id, "acme.com"), updated(&id, "acme.com")],
                1,
                1,
                0
            )
        )
    );
    let account = mock.account_by_domain("acme.com").unwrap();
    assert_eq!(
        (account.name.as_str(), account.tags),
        ("Second", vec!["one".to_string()])
    );
    assert_eq!(mock.accounts().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Domain cleaning (docs/api.md §1.9)
// ---------------------------------------------------------------------------------------------

#[test]
fn domains_are_cleaned_before_they_are_stored_and_reported() {
    // Arrange
    let mock = mock();
    let table = [
        ("acme.com", "acme.com"),
        ("  Globex.COM  ", "globex.com"),
        ("https://www.Initech.com/foo", "initech.com"),
        ("HTTP://WWW.UMBRELLA.COM", "umbrella.com"),
        ("http://hooli.com?x=1", "hooli.com"),
        ("stark.com#top", "stark.com"),
        ("wayne.com:8080", "wayne.com"),
        ("https://wonka.com:443/path?q=1#f", "wonka.com"),
        ("tyrell.com.", "tyrell.com"),
        ("www.www.cyberdyne.com", "www.cyberdyne.com"),
        ("sub.Soylent.co.uk/", "sub.soylent.co.uk"),
    ];
    let accounts: Vec<Value> = table
        .iter()
        .map(|(raw, _)| json!({ "domain": raw, "name": "Company" }))
        .collect();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": accounts }));

    // Assert
    assert_eq!(status, 200);
    // Looked up by stored domain: the handle would clean `www.www.cyberdyne.com` once more.
    let id_stored_as = |domain: &str| -> String {
        let account = mock.accounts().into_iter().find(|a| a.domain == domain);
        account
            .unwrap_or_else(|| panic!("no account stored as {domain}"))
            .id()
            .to_string()
    };
    let expected: Vec<Value> = table
        .iter()
        .map(|(_, cleaned)| created(&id_stored_as(cleaned), cleaned))
        .collect();
    let count = expected.len() as u64;
    assert_eq!(body, success(200, PATH, results(expected, count, 0, 0)));
    let stored: BTreeSet<String> = mock.accounts().into_iter().map(|a| a.domain).collect();
    let cleaned: BTreeSet<String> = table.iter().map(|(_, c)| c.to_string()).collect();
    assert_eq!(stored, cleaned);
}

#[test]
fn values_that_clean_to_nothing_to_no_dot_or_to_white_space_are_invalid_domains() {
    // Arrange
    let mock = mock();
    let invalid = [
        "www.",
        "http://",
        "ftp://acme.com",
        "acme",
        "acme .com",
        "https://:8080/",
    ];
    let accounts: Vec<Value> = invalid
        .iter()
        .map(|raw| json!({ "domain": raw, "name": "Company" }))
        .collect();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": accounts }));

    // Assert
    assert_eq!(status, 200);
    let expected: Vec<Value> = invalid
        .iter()
        .map(|raw| failed(None, raw, &format!("Invalid domain '{raw}'")))
        .collect();
    assert_eq!(
        body,
        success(200, PATH, results(expected, 0, 0, invalid.len() as u64))
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_messy_spelling_of_a_known_domain_matches_it() {
    // Arrange
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": " https://www.ACME.com:443/pricing?ref=x#top ", "name": "Acme" },
            { "domain": "acme.com.", "name": "Acme" }
        ], "upsert": true }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![updated(&id, "acme.com"), updated(&id, "acme.com")],
                0,
                2,
                0
            )
        )
    );
    assert_eq!(mock.accounts().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Summary and status
// ---------------------------------------------------------------------------------------------

#[test]
fn the_summary_counts_every_outcome() {
    // Arrange
    let mock = mock_with_fields();
    let known = mock
        .add_account(NewAccount::new("known.com", "Known"))
        .id()
        .to_string();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "a.com", "name": "A" },
            { "domain": "known.com", "name": "Known 2" },
            { "domain": "b.com", "name": "B", "customFields": { "CONTRACT_VALUE_C": 5 } },
            { "domain": "bad-fields.com", "name": "Bad", "customFields": { "INVALID_KEY_C": 1 } },
            { "domain": "nodot", "name": "Invalid" }
        ], "upsert": true }),
    );

    // Assert
    let (a, b) = (id_of(&mock, "a.com"), id_of(&mock, "b.com"));
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            PATH,
            results(
                vec![
                    created(&a, "a.com"),
                    updated(&known, "known.com"),
                    created(&b, "b.com"),
                    failed(
                        None,
                        "bad-fields.com",
                        "Custom field key(s) not found: INVALID_KEY_C. Unable to add this account."
                    ),
                    failed(None, "nodot", "Invalid domain 'nodot'"),
                ],
                2,
                1,
                2
            )
        )
    );
}

#[test]
fn the_status_is_200_even_when_every_item_fails() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme"));

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }, { "domain": "x", "name": "X" }] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["statusCode"], 200);
    assert_eq!(
        body["data"]["summary"],
        json!({ "total": 2, "created": 0, "updated": 0, "failed": 2 })
    );
}

#[test]
fn a_full_batch_of_one_hundred_accounts_is_accepted() {
    // Arrange
    let mock = mock();
    let accounts: Vec<Value> = (0..100)
        .map(|i| json!({ "domain": format!("company-{i}.com"), "name": format!("Company {i}") }))
        .collect();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": accounts }));

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["summary"],
        json!({ "total": 100, "created": 100, "updated": 0, "failed": 0 })
    );
    assert_eq!(mock.accounts().len(), 100);
}

// ---------------------------------------------------------------------------------------------
// Concurrency
// ---------------------------------------------------------------------------------------------

#[test]
fn eight_concurrent_clients_upserting_overlapping_domains_end_with_one_account_per_domain() {
    // Arrange
    let mock = mock();
    const CLIENTS: usize = 8;
    const ROUNDS: usize = 6;
    const DOMAINS: usize = 24;
    // Client c pushes, in each round, ten domains starting at a different offset, so every
    // domain is pushed by several clients at once.
    let batch = |client: usize, round: usize| -> Value {
        let accounts: Vec<Value> = (0..10)
            .map(|k| {
                let n = (client * 3 + round * 5 + k) % DOMAINS;
                json!({ "domain": format!("https://www.shared-{n}.com/"), "name": format!("Client {client}") })
            })
            .collect();
        json!({ "accounts": accounts, "upsert": true })
    };

    // The handle stays on this thread; the clients only need the URL and the key.
    let (url, key) = (
        format!("{}/accounts", mock.base_url()),
        mock.api_key().to_string(),
    );
    let push_from_thread = |body: &Value| -> (u16, Value) {
        send(client().post(&url).header("X-Api-Key", &key).json(body))
    };

    // Act
    let outcomes: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let push_from_thread = &push_from_thread;
                scope.spawn(move || {
                    (0..ROUNDS)
                        .map(|r| push_from_thread(&batch(c, r)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a client thread"))
            .collect()
    });

    // Assert
    assert_eq!(outcomes.len(), CLIENTS * ROUNDS);
    for (status, body) in &outcomes {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["data"]["summary"]["failed"], 0, "{body}");
        assert_eq!(body["data"]["summary"]["total"], 10, "{body}");
    }
    let created: u64 = outcomes
        .iter()
        .map(|(_, body)| body["data"]["summary"]["created"].as_u64().unwrap())
        .sum();
    let domains: Vec<String> = mock.accounts().into_iter().map(|a| a.domain).collect();
    let distinct: BTreeSet<&String> = domains.iter().collect();
    assert_eq!(
        domains.len(),
        distinct.len(),
        "one account per domain: {domains:?}"
    );
    let pushed: BTreeSet<String> = (0..CLIENTS)
        .flat_map(|c| {
            (0..ROUNDS).flat_map(move |r| (0..10).map(move |k| (c * 3 + r * 5 + k) % DOMAINS))
        })
        .map(|n| format!("shared-{n}.com"))
        .collect();
    assert_eq!(
        distinct.into_iter().cloned().collect::<BTreeSet<_>>(),
        pushed
    );
    assert_eq!(
        created,
        pushed.len() as u64,
        "each domain was created exactly once"
    );
}
