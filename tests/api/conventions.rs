//! The conventions every endpoint shares (docs/api.md §1): authentication, the envelopes,
//! validation messages and their order, body handling, 404/413/500, and the journal.

use std::time::Duration;

use crate::common::*;
use recotap_mock::MockRecotap;
use reqwest::Method;
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/v1/accounts";
const FIELD: &str = "/api/v1/accounts/custom-field";

/// `POST /api/v1/accounts` with `body` sent verbatim under `content_type` (none if `None`).
fn post_accounts_as(mock: &MockRecotap, content_type: Option<&str>, body: &str) -> (u16, Value) {
    let mut request = api(mock, Method::POST, "/accounts").body(body.to_string());
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    send(request)
}

fn accounts_must_be_an_array() -> Value {
    validation_error(
        ACCOUNTS,
        vec![violation(
            "accounts",
            "isArray",
            "accounts must be an array",
        )],
    )
}

// ---------------------------------------------------------------------------------------------
// Authentication (§1.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_request_without_the_key_header_gets_401_header_required() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = send(client().get(format!("{}/segments", mock.base_url())));

    // Assert
    assert_eq!(status, 401);
    assert_eq!(
        body,
        business_error(
            401,
            "/api/v1/segments",
            "Unauthorized access",
            "X-Api-Key header is required"
        )
    );
}

#[test]
fn a_request_with_an_unknown_key_gets_401_invalid_api_key() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = send(
        client()
            .get(format!("{}/segments?limit=2", mock.base_url()))
            .header("X-Api-Key", "not-the-key"),
    );

    // Assert
    assert_eq!(status, 401);
    assert_eq!(
        body,
        business_error(
            401,
            "/api/v1/segments?limit=2",
            "Unauthorized access",
            "Invalid API key"
        )
    );
}

#[test]
fn the_key_value_is_compared_exactly() {
    // Arrange
    let mock = MockRecotap::builder()
        .api_key("Secret-Key")
        .frozen_clock(FROZEN)
        .start();

    // Act
    let (status, body) = send(
        client()
            .get(format!("{}/segments", mock.base_url()))
            .header("X-Api-Key", "secret-key"),
    );

    // Assert
    assert_eq!(status, 401);
    assert_eq!(
        body,
        business_error(
            401,
            "/api/v1/segments",
            "Unauthorized access",
            "Invalid API key"
        )
    );
}

#[test]
fn authentication_comes_before_body_validation() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = send(
        client()
            .post(format!("{}/accounts", mock.base_url()))
            .json(&json!({ "accounts": "nope" })),
    );

    // Assert
    assert_eq!(status, 401);
    assert_eq!(
        body,
        business_error(
            401,
            ACCOUNTS,
            "Unauthorized access",
            "X-Api-Key header is required"
        )
    );
}

#[test]
fn the_key_header_name_is_matched_case_insensitively() {
    // Arrange
    let mock = mock();

    // Act: a raw request, since HTTP clients normalise header names.
    let (status, text) = raw_exchange(
        mock.address(),
        "GET /api/v1/segments HTTP/1.1\r\nx-API-KEY: test-api-key",
        "",
    );

    // Assert
    assert_eq!(status, 200, "{text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body,
        success(
            200,
            "/api/v1/segments",
            json!({ "data": [], "nextCursor": null, "hasNextPage": false })
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Envelopes (§1.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_success_envelope_holds_status_timestamp_path_with_query_and_data() {
    // Arrange
    let mock = mock();

    // Act
    let response = api(&mock, Method::GET, "/segments?limit=1&cursor=a%20b")
        .send()
        .unwrap();

    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = response.json().unwrap();
    assert_eq!(
        body,
        json!({ "statusCode": 200, "timestamp": "2026-04-30T10:00:00.000Z",
                "path": "/api/v1/segments?limit=1&cursor=a%20b",
                "data": { "data": [], "nextCursor": null, "hasNextPage": false } })
    );
}

#[test]
fn an_error_envelope_is_json_with_the_api_content_type() {
    // Arrange
    let mock = mock();

    // Act
    let response = client()
        .get(format!("{}/segments", mock.base_url()))
        .send()
        .unwrap();

    // Assert
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
}

#[test]
fn the_timestamp_reads_the_mock_clock_with_milliseconds() {
    // Arrange
    let mock = MockRecotap::builder()
        .frozen_clock("2026-04-30T10:00:00.123Z")
        .start();
    mock.advance_clock(Duration::from_millis(1_500));

    // Act
    let (status, body) = get(&mock, "/segments");
    let (_, unauthorized) = send(client().get(format!("{}/segments", mock.base_url())));

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body["timestamp"], "2026-04-30T10:00:01.623Z");
    assert_eq!(unauthorized["timestamp"], "2026-04-30T10:00:01.623Z");
}

#[test]
fn a_real_clock_timestamp_has_the_iso_shape_with_milliseconds() {
    // Arrange
    let mock = MockRecotap::start();

    // Act
    let (_, body) = get(&mock, "/segments");

    // Assert
    let stamp = body["timestamp"].as_str().expect("a string timestamp");
    let shape: String = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { 'D' } else { c })
        .collect();
    assert_eq!(shape, "DDDD-DD-DDTDD:DD:DD.DDDZ", "{stamp}");
}

// ---------------------------------------------------------------------------------------------
// Validation messages (§1.4), through POST /accounts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_missing_accounts_field_fails_is_array() {
    let mock = mock();
    let (status, body) = push(&mock, &json!({}));
    assert_eq!((status, body), (400, accounts_must_be_an_array()));
}

#[test]
fn accounts_that_is_not_an_array_fails_is_array() {
    let mock = mock();
    let (status, body) = push(
        &mock,
        &json!({ "accounts": { "domain": "acme.com", "name": "A" } }),
    );
    assert_eq!((status, body), (400, accounts_must_be_an_array()));
}

#[test]
fn an_empty_accounts_array_fails_array_min_size() {
    let mock = mock();
    let (status, body) = push(&mock, &json!({ "accounts": [] }));
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![violation(
                "accounts",
                "arrayMinSize",
                "accounts must contain at least 1 elements"
            )]
        )
    );
}

#[test]
fn one_hundred_and_one_accounts_fail_array_max_size_and_nothing_is_stored() {
    // Arrange
    let mock = mock();
    let accounts: Vec<Value> = (0..101)
        .map(|i| json!({ "domain": format!("c{i}.com"), "name": "C" }))
        .collect();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": accounts }));

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![violation(
                "accounts",
                "arrayMaxSize",
                "accounts must contain no more than 100 elements"
            )]
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn an_item_that_is_not_an_object_fails_nested_validation_without_item_errors() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "", "name": "A" }, "globex.com"], "upsert": "yes" }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation(
                    "accounts",
                    "nestedValidation",
                    "each value in nested property accounts must be either object or array"
                ),
                violation("upsert", "isBoolean", "upsert must be a boolean value"),
            ]
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_missing_null_or_empty_domain_fails_is_not_empty_and_a_blank_one_passes_it() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "name": "Missing" },
            { "domain": null, "name": "Null" },
            { "domain": "", "name": "Empty" },
            { "domain": " \t ", "name": "Blank" }
        ] }),
    );

    // Assert
    let empty = || violation("domain", "isNotEmpty", "domain should not be empty");
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(ACCOUNTS, vec![empty(), empty(), empty()])
    );
}

#[test]
fn a_missing_name_fails_is_not_empty_a_blank_one_passes_and_a_non_string_fails_is_string() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "a.com" },
            { "domain": "b.com", "name": "   " },
            { "domain": "c.com", "name": 42 },
            { "domain": 7, "name": "D" }
        ] }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation("name", "isNotEmpty", "name should not be empty"),
                violation("name", "isString", "name must be a string"),
                violation("domain", "isString", "domain must be a string"),
            ]
        )
    );
}

#[test]
fn optional_text_fields_of_an_item_must_be_strings() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "a.com", "name": "A", "externalId": 1, "shortName": true, "linkedinUrl": ["x"] }
        ] }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation("externalId", "isString", "externalId must be a string"),
                violation("shortName", "isString", "shortName must be a string"),
                violation("linkedinUrl", "isString", "linkedinUrl must be a string"),
            ]
        )
    );
}

#[test]
fn tags_must_be_an_array_whose_values_are_strings() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "a.com", "name": "A", "tags": "enterprise" },
            { "domain": "b.com", "name": "B", "tags": ["ok", 1, null] }
        ] }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation("tags", "isArray", "tags must be an array"),
                violation("tags", "isString", "each value in tags must be a string"),
            ]
        )
    );
}

#[test]
fn custom_fields_that_is_an_array_or_a_scalar_fails_is_object() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [
            { "domain": "a.com", "name": "A", "customFields": [] },
            { "domain": "b.com", "name": "B", "customFields": "X_C=1" }
        ] }),
    );

    // Assert
    let not_object = || violation("customFields", "isObject", "customFields must be an object");
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(ACCOUNTS, vec![not_object(), not_object()])
    );
}

#[test]
fn segment_id_must_be_a_string_and_upsert_a_boolean() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "a.com", "name": "A" }], "segmentId": 5, "upsert": "true" }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation("segmentId", "isString", "segmentId must be a string"),
                violation("upsert", "isBoolean", "upsert must be a boolean value"),
            ]
        )
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn null_for_an_optional_field_means_absent() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "a.com", "name": "A", "externalId": null, "shortName": null,
                                "linkedinUrl": null, "tags": null, "customFields": null }],
                 "segmentId": null, "upsert": null }),
    );

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["summary"]["created"], 1);
}

#[test]
fn unknown_properties_are_rejected_after_the_known_fields_in_the_order_sent() {
    // Arrange
    let mock = mock();
    let body = r#"{"zeta":1,"accounts":[{"foo":1,"domain":"a.com","name":"A","bar":2}],"alpha":2}"#;

    // Act
    let (status, body) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation(
                    "foo",
                    "whitelistValidation",
                    "property foo should not exist"
                ),
                violation(
                    "bar",
                    "whitelistValidation",
                    "property bar should not exist"
                ),
                violation(
                    "zeta",
                    "whitelistValidation",
                    "property zeta should not exist"
                ),
                violation(
                    "alpha",
                    "whitelistValidation",
                    "property alpha should not exist"
                ),
            ]
        )
    );
}

#[test]
fn item_errors_come_at_the_arrays_place_item_by_item_before_later_top_level_fields() {
    // Arrange
    let mock = mock();
    let body = r#"{"upsert":"yes","segmentId":5,"zeta":1,
        "accounts":[{"name":1},
                    {"extra":true,"customFields":[],"tags":[1],"name":"  ","domain":"a.com"}],
        "alpha":2}"#;

    // Act
    let (status, body) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![
                violation("domain", "isNotEmpty", "domain should not be empty"),
                violation("name", "isString", "name must be a string"),
                violation("tags", "isString", "each value in tags must be a string"),
                violation("customFields", "isObject", "customFields must be an object"),
                violation(
                    "extra",
                    "whitelistValidation",
                    "property extra should not exist"
                ),
                violation("segmentId", "isString", "segmentId must be a string"),
                violation("upsert", "isBoolean", "upsert must be a boolean value"),
                violation(
                    "zeta",
                    "whitelistValidation",
                    "property zeta should not exist"
                ),
                violation(
                    "alpha",
                    "whitelistValidation",
                    "property alpha should not exist"
                ),
            ]
        )
    );
}

#[test]
fn validation_runs_before_any_state_is_read() {
    // Arrange: the segment does not exist, but the body is invalid first.
    let mock = mock();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": [], "segmentId": "seg-404" }));

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            ACCOUNTS,
            vec![violation(
                "accounts",
                "arrayMinSize",
                "accounts must contain at least 1 elements"
            )]
        )
    );
}

#[test]
fn only_the_first_failing_check_of_a_field_is_reported() {
    // Arrange: a number fails isNotEmpty's neighbour isString only; an empty array fails
    // arrayMinSize only; a blank string fails isNotEmpty only (not isString as well).
    let mock = mock();

    // Act
    let (status, body) = push(&mock, &json!({ "accounts": [{ "domain": "", "name": 3 }] }));
    let (empty_status, empty_body) = push(&mock, &json!({ "accounts": [] }));

    // Assert
    assert_eq!((status, empty_status), (400, 400));
    for violation in body["data"]
        .as_array()
        .unwrap()
        .iter()
        .chain(empty_body["data"].as_array().unwrap())
    {
        assert_eq!(
            violation["constraints"].as_object().unwrap().len(),
            1,
            "{violation}"
        );
    }
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(empty_body["data"].as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Validation messages through POST /accounts/custom-field and GET /segments
// ---------------------------------------------------------------------------------------------

#[test]
fn an_empty_custom_field_body_fails_is_not_empty_and_is_in() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(&mock, "/accounts/custom-field", &json!({}));

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            FIELD,
            vec![
                violation("label", "isNotEmpty", "label should not be empty"),
                violation(
                    "labelType",
                    "isIn",
                    "labelType must be one of the following values: singleLineText, multiLineText, singleSelection, multiSelection, number, date"
                ),
            ]
        )
    );
    assert!(mock.custom_fields().is_empty());
}

#[test]
fn custom_field_text_properties_must_be_strings_and_options_an_array_of_strings() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": 5, "labelType": "text", "description": false }),
    );
    let (options_status, options_body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Stage", "labelType": "singleSelection", "options": "POC" }),
    );
    let (items_status, items_body) = post(
        &mock,
        "/accounts/custom-field",
        &json!({ "label": "Stage", "labelType": "multiSelection", "options": ["POC", 2] }),
    );

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        body,
        validation_error(
            FIELD,
            vec![
                violation("label", "isString", "label must be a string"),
                violation(
                    "labelType",
                    "isIn",
                    "labelType must be one of the following values: singleLineText, multiLineText, singleSelection, multiSelection, number, date"
                ),
                violation("description", "isString", "description must be a string"),
            ]
        )
    );
    assert_eq!(options_status, 400);
    assert_eq!(
        options_body,
        validation_error(
            FIELD,
            vec![violation("options", "isArray", "options must be an array")]
        )
    );
    assert_eq!(items_status, 400);
    assert_eq!(
        items_body,
        validation_error(
            FIELD,
            vec![violation(
                "options",
                "isString",
                "each value in options must be a string"
            )]
        )
    );
    assert!(mock.custom_fields().is_empty());
}

#[test]
fn limit_on_get_segments_fails_is_int_min_and_max() {
    // Arrange
    let mock = mock();
    let cases = [
        ("abc", "isInt", "limit must be an integer number"),
        ("1.5", "isInt", "limit must be an integer number"),
        ("0", "min", "limit must not be less than 1"),
        ("-4", "min", "limit must not be less than 1"),
        ("1001", "max", "limit must not be greater than 1000"),
    ];

    for (limit, key, message) in cases {
        // Act
        let path = format!("/segments?limit={limit}");
        let (status, body) = get(&mock, &path);

        // Assert
        assert_eq!(status, 400, "limit={limit}");
        assert_eq!(
            body,
            validation_error(
                &format!("/api/v1{path}"),
                vec![violation("limit", key, message)]
            ),
            "limit={limit}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Bodies: not objects, not JSON, malformed, too large
// ---------------------------------------------------------------------------------------------

#[test]
fn a_body_that_is_a_json_array_number_or_string_is_validated_as_an_empty_object() {
    let mock = mock();
    for text in [
        r#"[{"accounts":[{"domain":"a.com","name":"A"}]}]"#,
        "42",
        r#""accounts""#,
        "null",
    ] {
        let (status, body) = post_text(&mock, "/accounts", text);
        assert_eq!(
            (status, body),
            (400, accounts_must_be_an_array()),
            "body {text}"
        );
    }
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_body_under_a_non_json_content_type_is_ignored_and_validated_as_an_empty_object() {
    // Arrange
    let mock = mock();
    let valid = r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#;

    // Act
    let plain = post_accounts_as(&mock, Some("text/plain"), valid);
    let form = post_accounts_as(&mock, Some("application/x-www-form-urlencoded"), valid);
    let none = post_accounts_as(&mock, None, valid);
    let malformed_plain = post_accounts_as(&mock, Some("text/plain"), "{not json");

    // Assert
    for outcome in [plain, form, none, malformed_plain] {
        assert_eq!(outcome, (400, accounts_must_be_an_array()));
    }
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_json_content_type_with_a_charset_parameter_is_accepted() {
    // Arrange
    let mock = mock();
    let valid = r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#;

    // Act
    let (status, body) = post_accounts_as(&mock, Some("application/json; charset=utf-8"), valid);

    // Assert
    let id = id_of(&mock, "acme.com");
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            ACCOUNTS,
            results(
                vec![json!({ "rtp_aid": id, "domain": "acme.com", "status": "created" })],
                1,
                0,
                0
            )
        )
    );
}

#[test]
fn an_empty_json_body_is_validated_as_an_empty_object() {
    // The spec is silent on an empty body; the mock reads it as `{}`.
    let mock = mock();
    let (status, body) = post_accounts_as(&mock, Some("application/json"), "");
    assert_eq!((status, body), (400, accounts_must_be_an_array()));
}

#[test]
fn malformed_json_gets_400_with_the_parser_detail_and_null_data() {
    // Arrange
    let mock = mock();

    // Act
    let response = api(&mock, reqwest::Method::POST, "/accounts")
        .header("Content-Type", "application/json")
        .body(r#"{"accounts": [{"domain": "a.com",}"#)
        .send()
        .expect("the mock answers");
    let status = response.status().as_u16();
    let text = response.text().expect("a body");
    let body: Value = serde_json::from_str(&text).expect("a JSON body");

    // Assert
    assert_eq!(status, 400);
    // The keys in the order written (a `serde_json::Map` would sort them).
    let ordered: Vec<(String, serde::de::IgnoredAny)> = ordered_entries(&text);
    let keys: Vec<&str> = ordered.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "statusCode",
            "timestamp",
            "path",
            "message",
            "customMessage",
            "data"
        ]
    );
    assert_eq!(body["statusCode"], 400);
    assert_eq!(body["timestamp"], FROZEN);
    assert_eq!(body["path"], ACCOUNTS);
    assert_eq!(body["message"], "Bad Request");
    assert_eq!(body["data"], Value::Null);
    let custom = body["customMessage"].as_str().unwrap();
    assert!(custom.starts_with("Malformed JSON body: "), "{custom}");
    assert!(custom.len() > "Malformed JSON body: ".len(), "{custom}");
    assert!(mock.accounts().is_empty());
}

/// A valid `POST /accounts` body of exactly `size` bytes (JSON padded with trailing spaces).
fn body_of_size(size: usize) -> String {
    let mut body = r#"{"accounts":[{"domain":"big.com","name":"Big"}]}"#.to_string();
    assert!(body.len() <= size);
    body.push_str(&" ".repeat(size - body.len()));
    body
}

fn payload_too_large() -> Value {
    plain_error(413, ACCOUNTS, "Payload Too Large")
}

#[test]
fn a_body_over_a_configured_limit_gets_413_stores_nothing_and_the_mock_keeps_serving() {
    // Arrange
    let mock = MockRecotap::builder()
        .id_seed(7)
        .frozen_clock(FROZEN)
        .max_body_bytes(1024)
        .start();

    // Act
    let too_large = post_accounts_as(&mock, Some("application/json"), &body_of_size(2048));
    let at_limit = post_accounts_as(&mock, Some("application/json"), &body_of_size(1024));

    // Assert
    assert_eq!(too_large, (413, payload_too_large()));
    assert_eq!(at_limit.0, 200, "{}", at_limit.1);
    assert_eq!(at_limit.1["data"]["summary"]["created"], 1);
    assert_eq!(mock.accounts().len(), 1);
}

#[test]
fn a_chunked_body_over_the_limit_gets_413_and_stores_nothing() {
    // Arrange
    let mock = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .max_body_bytes(1024)
        .start();
    let body = reqwest::blocking::Body::new(std::io::Cursor::new(body_of_size(2048).into_bytes()));

    // Act
    let outcome = send(
        api(&mock, Method::POST, "/accounts")
            .header("Content-Type", "application/json")
            .body(body),
    );

    // Assert
    assert_eq!(outcome, (413, payload_too_large()));
    assert!(mock.accounts().is_empty());
    let (status, _) = get(&mock, "/segments");
    assert_eq!(status, 200);
}

#[test]
fn a_body_over_the_default_one_mib_limit_gets_413_and_stores_nothing() {
    // Arrange
    let mock = mock();
    let body = body_of_size(1024 * 1024 + 100 * 1024);

    // Act
    let too_large = post_accounts_as(&mock, Some("application/json"), &body);
    let (status, after) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "small.com", "name": "Small" }] }),
    );

    // Assert
    assert_eq!(too_large, (413, payload_too_large()));
    assert_eq!(status, 200, "{after}");
    let domains: Vec<String> = mock.accounts().into_iter().map(|a| a.domain).collect();
    assert_eq!(domains, ["small.com"]);
}

#[test]
fn a_body_far_over_the_limit_is_still_answered_with_413_rather_than_a_broken_connection() {
    // A client must see the 413 even when the mock stops reading early: sent five times,
    // since a mock that closes the connection unread breaks the client's upload only sometimes.
    // Arrange
    let mock = mock();
    let body = body_of_size(16 * 1024 * 1024);

    for attempt in 0..5 {
        // Act
        let outcome = api(&mock, Method::POST, "/accounts")
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send();

        // Assert
        let response = outcome.unwrap_or_else(|error| {
            panic!("attempt {attempt}: no 413 reached the client: {error:?}")
        });
        assert_eq!(response.status(), 413, "attempt {attempt}");
        let answer: Value = response.json().unwrap();
        assert_eq!(answer, payload_too_large(), "attempt {attempt}");
    }
    assert!(mock.accounts().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Other errors (§1.5)
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_path_gets_404_cannot_method_path_even_without_a_key() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = send(client().get(format!("{}/nope/deeper?x=1", mock.base_url())));

    // Assert
    assert_eq!(status, 404);
    assert_eq!(
        body,
        plain_error(
            404,
            "/api/v1/nope/deeper?x=1",
            "Cannot GET /api/v1/nope/deeper"
        )
    );
}

#[test]
fn a_method_the_path_does_not_serve_gets_404_not_405() {
    // Arrange
    let mock = mock();

    // Act
    let (delete_status, delete_body) =
        send(client().delete(format!("{}/accounts?upsert=true", mock.base_url())));
    let (post_status, post_body) = send(api(&mock, Method::POST, "/segments").json(&json!({})));

    // Assert
    assert_eq!(delete_status, 404);
    assert_eq!(
        delete_body,
        plain_error(
            404,
            "/api/v1/accounts?upsert=true",
            "Cannot DELETE /api/v1/accounts"
        )
    );
    assert_eq!(post_status, 404);
    assert_eq!(
        post_body,
        plain_error(404, "/api/v1/segments", "Cannot POST /api/v1/segments")
    );
}

#[test]
fn a_panic_inside_the_mock_is_answered_with_500_and_the_next_request_is_served() {
    // Arrange
    let mock = mock();
    mock.panic_on_next_request();

    // Act
    let (panic_status, panic_body) = get(&mock, "/segments?limit=3");
    let (next_status, next_body) = get(&mock, "/segments");

    // Assert
    assert_eq!(panic_status, 500);
    assert_eq!(
        panic_body,
        plain_error(500, "/api/v1/segments?limit=3", "Internal Server Error")
    );
    assert_eq!(next_status, 200);
    assert_eq!(
        next_body,
        success(
            200,
            "/api/v1/segments",
            json!({ "data": [], "nextCursor": null, "hasNextPage": false })
        )
    );
    assert_eq!(mock.caught_panics().len(), 1, "{:?}", mock.caught_panics());
    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200]);
}

// ---------------------------------------------------------------------------------------------
// The journal
// ---------------------------------------------------------------------------------------------

#[test]
fn the_journal_records_api_requests_with_their_status_but_not_admin_requests() {
    // Arrange
    let mock = mock();
    let body = r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#;

    // Act
    post_text(&mock, "/accounts", body);
    get(&mock, "/segments?limit=5&cursor=x");
    send(client().get(format!("{}/segments", mock.base_url())));
    send(client().get(format!("{}/nope", mock.base_url())));
    let health = client()
        .get(format!("{}/_mock/health", mock.url()))
        .send()
        .unwrap();
    let accounts = client()
        .get(format!("{}/_mock/accounts", mock.url()))
        .send()
        .unwrap();

    // Assert
    assert_eq!(
        (health.status().as_u16(), accounts.status().as_u16()),
        (200, 200)
    );
    let journal = mock.requests();
    let summary: Vec<(&str, &str, u16)> = journal
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "/api/v1/accounts", 200),
            ("GET", "/api/v1/segments?limit=5&cursor=x", 200),
            ("GET", "/api/v1/segments", 401),
            ("GET", "/api/v1/nope", 404),
        ]
    );
    let first = &journal[0];
    assert_eq!(first.header("x-api-key"), Some("test-api-key"));
    assert_eq!(first.header("Content-Type"), Some("application/json"));
    assert_eq!(first.body_text(), body);
    assert_eq!(first.body_json(), Some(serde_json::from_str(body).unwrap()));
    assert_eq!(first.at, FROZEN_MS);
    assert_eq!(journal[1].body_text(), "");
    assert_eq!(journal[2].header("x-api-key"), None);
}

#[test]
fn clearing_the_journal_empties_it() {
    // Arrange
    let mock = mock();
    get(&mock, "/segments");
    assert_eq!(mock.requests().len(), 1);

    // Act
    mock.clear_requests();
    get(&mock, "/accounts/custom-fields");

    // Assert
    let paths: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/api/v1/accounts/custom-fields"]);
}

/// The top-level entries of a JSON object, in the order written.
fn ordered_entries(text: &str) -> Vec<(String, serde::de::IgnoredAny)> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = Vec<(String, serde::de::IgnoredAny)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries = Vec::new();
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries)
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    serde::Deserializer::deserialize_map(&mut deserializer, Entries).expect("a JSON object")
}
