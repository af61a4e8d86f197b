//! `GET /api/v1/segments` (docs/api.md §3.1) and the account custom-field endpoints (docs/api.md §4).

use crate::common::*;
use recotap_mock::{CustomField, FieldStatus, LabelType, MockRecotap, Segment, SegmentStatus};
use serde_json::{json, Value};

const FIELDS: &str = "/api/v1/accounts/custom-fields";
const FIELD: &str = "/api/v1/accounts/custom-field";

fn row(id: &str, name: &str, status: &str) -> Value {
    json!({ "segmentId": id, "name": name, "status": status })
}

fn page(rows: Vec<Value>, next_cursor: Option<&str>, has_next_page: bool) -> Value {
    json!({ "data": rows, "nextCursor": next_cursor, "hasNextPage": has_next_page })
}

/// Seeds five listable segments `s1`..`s5` and, after them, an archived `s6` and a dynamic `s7`.
fn mock_with_five_listable_segments() -> MockRecotap {
    let mock = mock();
    for n in 1..=5 {
        mock.add_segment(Segment::new(&format!("Segment {n}")).id(&format!("s{n}")));
    }
    mock.add_segment(
        Segment::new("Segment 6")
            .id("s6")
            .status(SegmentStatus::Archived),
    );
    mock.add_segment(Segment::new("Segment 7").id("s7").dynamic());
    mock
}

fn listable(n: usize) -> Value {
    row(&format!("s{n}"), &format!("Segment {n}"), "active")
}

// ---------------------------------------------------------------------------------------------
// GET /segments
// ---------------------------------------------------------------------------------------------

#[test]
fn only_static_active_or_draft_segments_are_listed_in_id_byte_order() {
    // Arrange
    let mock = mock();
    mock.add_segment(Segment::new("Bravo").id("seg-b"));
    mock.add_segment(
        Segment::new("Alpha draft")
            .id("seg-a")
            .status(SegmentStatus::Draft),
    );
    mock.add_segment(Segment::new("Capital").id("Seg-C"));
    mock.add_segment(Segment::new("Tilde").id("seg~"));
    mock.add_segment(Segment::new("Computed").id("seg-d").dynamic());
    mock.add_segment(
        Segment::new("Old")
            .id("seg-e")
            .status(SegmentStatus::Archived),
    );
    mock.add_segment(
        Segment::new("Computed draft")
            .id("seg-f")
            .dynamic()
            .status(SegmentStatus::Draft),
    );

    // Act
    let (status, body) = get(&mock, "/segments");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            "/api/v1/segments",
            page(
                vec![
                    row("Seg-C", "Capital", "active"),
                    row("seg-a", "Alpha draft", "draft"),
                    row("seg-b", "Bravo", "active"),
                    row("seg~", "Tilde", "active"),
                ],
                Some("seg~"),
                false
            )
        )
    );
}

#[test]
fn generated_segment_ids_are_listed_in_creation_order() {
    // Arrange
    let mock = mock();
    let first = mock.add_segment(Segment::new("First")).segment_id.unwrap();
    let second = mock.add_segment(Segment::new("Second")).segment_id.unwrap();

    // Act
    let (status, body) = get(&mock, "/segments");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page(
            vec![
                row(&first, "First", "active"),
                row(&second, "Second", "active")
            ],
            Some(&second),
            false
        )
    );
}

#[test]
fn segments_page_by_limit_and_cursor_with_the_last_rows_id_as_next_cursor() {
    // Arrange
    let mock = mock_with_five_listable_segments();

    // Act
    let first = get(&mock, "/segments?limit=2");
    let second = get(&mock, "/segments?limit=2&cursor=s2");
    let last = get(&mock, "/segments?limit=2&cursor=s4");
    let beyond = get(&mock, "/segments?limit=2&cursor=s5");

    // Assert
    assert_eq!(
        first,
        (
            200,
            success(
                200,
                "/api/v1/segments?limit=2",
                page(vec![listable(1), listable(2)], Some("s2"), true)
            )
        )
    );
    assert_eq!(
        second,
        (
            200,
            success(
                200,
                "/api/v1/segments?limit=2&cursor=s2",
                page(vec![listable(3), listable(4)], Some("s4"), true)
            )
        )
    );
    assert_eq!(
        last,
        (
            200,
            success(
                200,
                "/api/v1/segments?limit=2&cursor=s4",
                page(vec![listable(5)], Some("s5"), false)
            )
        )
    );
    assert_eq!(
        beyond,
        (
            200,
            success(
                200,
                "/api/v1/segments?limit=2&cursor=s5",
                page(vec![], None, false)
            )
        )
    );
}

#[test]
fn a_page_that_ends_exactly_at_the_last_listable_segment_has_no_next_page() {
    // Arrange: s6 (archived) and s7 (dynamic) follow s5 but are not listable.
    let mock = mock_with_five_listable_segments();

    // Act
    let (status, body) = get(&mock, "/segments?limit=5");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page((1..=5).map(listable).collect(), Some("s5"), false)
    );
}

#[test]
fn a_cursor_that_matches_no_segment_is_simply_a_bound() {
    // Arrange
    let mock = mock_with_five_listable_segments();

    // Act
    let (status, body) = get(&mock, "/segments?cursor=s25&limit=10");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        page(
            vec![listable(3), listable(4), listable(5)],
            Some("s5"),
            false
        )
    );
}

#[test]
fn the_default_page_holds_one_hundred_segments() {
    // Arrange
    let mock = mock();
    for n in 0..101 {
        mock.add_segment(Segment::new("S").id(&format!("seg-{n:03}")));
    }

    // Act
    let (status, body) = get(&mock, "/segments");
    let (_, rest) = get(&mock, "/segments?cursor=seg-099");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["data"]["data"].as_array().unwrap().len(), 100);
    assert_eq!(body["data"]["nextCursor"], "seg-099");
    assert_eq!(body["data"]["hasNextPage"], true);
    assert_eq!(
        rest["data"],
        page(vec![row("seg-100", "S", "active")], Some("seg-100"), false)
    );
}

#[test]
fn limits_of_one_and_one_thousand_are_accepted() {
    // Arrange
    let mock = mock_with_five_listable_segments();

    // Act
    let (one_status, one) = get(&mock, "/segments?limit=1");
    let (max_status, max) = get(&mock, "/segments?limit=1000");

    // Assert
    assert_eq!((one_status, max_status), (200, 200));
    assert_eq!(one["data"], page(vec![listable(1)], Some("s1"), true));
    assert_eq!(
        max["data"],
        page((1..=5).map(listable).collect(), Some("s5"), false)
    );
}

#[test]
fn a_team_without_segments_lists_an_empty_page_with_a_null_cursor() {
    let mock = mock();
    let (status, body) = get(&mock, "/segments");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(200, "/api/v1/segments", page(vec![], None, false))
    );
}

#[test]
fn an_unknown_query_parameter_on_get_segments_is_rejected() {
    // docs/api.md §1.4 rejects unknown properties; §3.1 accepts only `limit` and `cursor`.
    let mock = mock();
    let (status, body) = get(&mock, "/segments?limit=2&status=active");
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            "/api/v1/segments?limit=2&status=active",
            vec![violation(
                "status",
                "whitelistValidation",
                "property status should not exist"
            )]
        )
    );
}

// ---------------------------------------------------------------------------------------------
// GET /accounts/custom-fields
// ---------------------------------------------------------------------------------------------

#[test]
fn only_active_fields_are_listed_in_creation_order_with_object_type_accounts() {
    // Arrange
    let mock = mock();
    mock.add_custom_field(
        CustomField::new("Contract Value", LabelType::Number)
            .description("Total contract value in USD"),
    );
    mock.add_custom_field(CustomField::new("Old Field", LabelType::SingleLineText).inactive());
    mock.add_custom_field(
        CustomField::new("CRM Stage", LabelType::SingleSelection).options(&["POC", "Won"]),
    );
    mock.add_custom_field(CustomField::new("Renewal Date", LabelType::Date));

    // Act
    let (status, body) = get(&mock, "/accounts/custom-fields");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            FIELDS,
            json!([
                { "key": "CONTRACT_VALUE_C", "label": "Contract Value", "labelType": "number",
                  "description": "Total contract value in USD", "options": [],
                  "objectType": "accounts", "status": "active" },
                { "key": "CRM_STAGE_C", "label": "CRM Stage", "labelType": "singleSelection",
                  "description": null, "options": ["POC", "Won"],
                  "objectType": "accounts", "status": "active" },
                { "key": "RENEWAL_DATE_C", "label": "Renewal Date", "labelType": "date",
                  "description": null, "options": [],
                  "objectType": "accounts", "status": "active" }
            ])
        )
    );
}

#[test]
fn a_team_without_fields_lists_an_empty_array() {
    let mock = mock();
    let (status, body) = get(&mock, "/accounts/custom-fields");
    assert_eq!((status, body), (200, success(200, FIELDS, json!([]))));
}

// ---------------------------------------------------------------------------------------------
// POST /accounts/custom-field
// ---------------------------------------------------------------------------------------------

#[test]
fn creating_a_field_derives_its_key_and_answers_201_with_an_array_holding_the_field() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Revenue (USD)", "labelType": "number", "description": "Annual revenue" }),
    );

    // Assert
    let field = json!({ "key": "REVENUE_(USD)_C", "label": "Revenue (USD)", "labelType": "number",
                        "description": "Annual revenue", "options": [],
                        "objectType": "accounts", "status": "active" });
    assert_eq!(status, 201);
    assert_eq!(body, success(201, FIELD, json!([field.clone()])));
    assert_eq!(
        get(&mock, "/accounts/custom-fields").1["data"],
        json!([field])
    );
    let stored = mock.custom_fields();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].key, "REVENUE_(USD)_C");
    assert_eq!(stored[0].status, FieldStatus::Active);
}

#[test]
fn the_key_replaces_every_space_and_upper_cases_the_label() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "next  renewal date", "labelType": "date" }),
    );

    // Assert
    assert_eq!(status, 201);
    assert_eq!(body["data"][0]["key"], "NEXT__RENEWAL_DATE_C");
    assert_eq!(body["data"][0]["label"], "next  renewal date");
}

#[test]
fn a_new_field_is_accepted_at_once_by_post_accounts() {
    // Arrange
    let mock = mock();
    post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Tier", "labelType": "singleLineText" }),
    );

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme", "customFields": { "TIER_C": "Gold" } }] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["data"]["summary"]["created"], 1, "{body}");
    assert_eq!(
        mock.account_by_domain("acme.com").unwrap().custom_fields["TIER_C"],
        "Gold"
    );
}

#[test]
fn selection_types_require_at_least_one_option() {
    // Arrange
    let mock = mock();

    // Act
    let missing = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Stage", "labelType": "singleSelection" }),
    );
    let empty = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Stage", "labelType": "multiSelection", "options": [] }),
    );

    // Assert
    assert_eq!(
        missing,
        (
            400,
            validation_error(
                FIELD,
                vec![violation("options", "isArray", "options must be an array")]
            )
        )
    );
    assert_eq!(
        empty,
        (
            400,
            validation_error(
                FIELD,
                vec![violation(
                    "options",
                    "arrayMinSize",
                    "options must contain at least 1 elements"
                )]
            )
        )
    );
    assert!(mock.custom_fields().is_empty());
}

#[test]
fn selection_options_are_stored_as_sent() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Products", "labelType": "multiSelection", "options": ["Ads", "Intent", "ABM"] }),
    );

    // Assert
    assert_eq!(status, 201);
    assert_eq!(
        body,
        success(
            201,
            FIELD,
            json!([{ "key": "PRODUCTS_C", "label": "Products", "labelType": "multiSelection",
                     "description": null, "options": ["Ads", "Intent", "ABM"],
                     "objectType": "accounts", "status": "active" }])
        )
    );
    assert_eq!(mock.custom_fields()[0].options, ["Ads", "Intent", "ABM"]);
}

#[test]
fn options_are_ignored_and_stored_empty_for_other_types() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Notes", "labelType": "multiLineText", "options": ["a", "b"] }),
    );

    // Assert
    assert_eq!(status, 201);
    assert_eq!(body["data"][0]["options"], json!([]));
    assert!(mock.custom_fields()[0].options.is_empty());
}

#[test]
fn a_key_property_is_rejected_like_any_unknown_property() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Tier", "labelType": "number", "key": "MY_KEY", "objectType": "accounts" }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            FIELD,
            vec![
                violation(
                    "key",
                    "whitelistValidation",
                    "property key should not exist"
                ),
                violation(
                    "objectType",
                    "whitelistValidation",
                    "property objectType should not exist"
                ),
            ]
        )
    );
    assert!(mock.custom_fields().is_empty());
}

#[test]
fn an_active_field_with_the_same_key_gets_409_conflict_and_nothing_changes() {
    // Arrange
    let mock = mock();
    mock.add_custom_field(CustomField::new("Revenue (USD)", LabelType::Number));

    // Act
    let same = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Revenue (USD)", "labelType": "number" }),
    );
    let same_key = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "revenue (usd)", "labelType": "singleLineText" }),
    );

    // Assert
    let conflict = business_error(
        409,
        FIELD,
        "Conflict",
        "Custom field with key 'REVENUE_(USD)_C' already exists",
    );
    assert_eq!(same, (409, conflict.clone()));
    assert_eq!(same_key, (409, conflict));
    let fields = mock.custom_fields();
    assert_eq!(fields.len(), 1);
    assert_eq!(
        (fields[0].label.as_str(), fields[0].label_type),
        ("Revenue (USD)", LabelType::Number)
    );
}

#[test]
fn an_inactive_field_with_the_same_key_does_not_conflict() {
    // The spec only names an *active* duplicate as a conflict; the mock replaces the inactive one.
    // Arrange
    let mock = mock();
    mock.add_custom_field(CustomField::new("Tier", LabelType::Number).inactive());

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Tier", "labelType": "date" }),
    );

    // Assert
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        get(&mock, "/accounts/custom-fields").1["data"],
        json!([{ "key": "TIER_C", "label": "Tier", "labelType": "date", "description": null,
                 "options": [], "objectType": "accounts", "status": "active" }])
    );
}
