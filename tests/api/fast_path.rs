//! `POST /api/v1/accounts` over real HTTP with bodies that the endpoint's fast path (a typed
//! parse of well-formed bodies) declines, for each reason its doc comment gives: a repeated
//! property (which the slow path reads with the last value winning, as `JSON.parse` does), a
//! wrong type, an unknown property, a blank domain, a batch size out of range. Whole
//! responses are pinned: declining must change nothing a client sees.

use crate::common::*;
use recotap_mock::{CustomField, LabelType, MockRecotap};
use serde_json::{json, Value};

const PATH: &str = "/api/v1/accounts";

fn created(mock: &MockRecotap, domain: &str) -> Value {
    json!({ "rtp_aid": id_of(mock, domain), "domain": domain, "status": "created" })
}

/// The account stored under `domain`, in the state document's shape.
fn stored(mock: &MockRecotap, domain: &str) -> Value {
    let account = mock
        .account_by_domain(domain)
        .unwrap_or_else(|| panic!("no account with domain {domain}"));
    serde_json::to_value(account).expect("accounts serialise")
}

// ---------------------------------------------------------------------------------------------
// A repeated property: the last value wins
// ---------------------------------------------------------------------------------------------

#[test]
fn an_account_property_sent_twice_is_read_with_its_last_value() {
    // Arrange
    let mock = mock();
    let body = r#"{"accounts":[{"domain":"acme.com","name":1,"name":"Acme Corp"}]}"#;

    // Act
    let (status, answer) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        success(
            200,
            PATH,
            results(vec![created(&mock, "acme.com")], 1, 0, 0)
        )
    );
    assert_eq!(stored(&mock, "acme.com")["name"], "Acme Corp");
}

#[test]
fn body_properties_sent_twice_are_read_with_their_last_values() {
    // Arrange
    let mock = mock();
    let body = r#"{"accounts":[],"upsert":"no",
        "accounts":[{"domain":"globex.com","name":"Globex"}],"upsert":false}"#;

    // Act
    let (status, answer) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        success(
            200,
            PATH,
            results(vec![created(&mock, "globex.com")], 1, 0, 0)
        )
    );
}

#[test]
fn a_custom_field_key_sent_twice_even_spelt_with_an_escape_keeps_its_last_value() {
    // Arrange
    let mock = mock();
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    let body = r#"{"accounts":[{"domain":"acme.com","name":"Acme",
        "customFields":{"CRM_STAGE_C":"Lead","CRM\u005fSTAGE_C":"POC"}}]}"#;

    // Act
    let (status, answer) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        answer,
        success(
            200,
            PATH,
            results(vec![created(&mock, "acme.com")], 1, 0, 0)
        )
    );
    assert_eq!(
        stored(&mock, "acme.com")["customFields"],
        json!({ "CRM_STAGE_C": "POC" })
    );
}

#[test]
fn a_property_sent_twice_whose_last_value_is_wrong_is_refused_for_that_value() {
    // Arrange
    let mock = mock();
    let body = r#"{"accounts":[{"domain":"acme.com","name":"Acme","name":""}],
        "segmentId":"seg-001","segmentId":7}"#;

    // Act
    let (status, answer) = post_text(&mock, "/accounts", body);

    // Assert
    assert_eq!(status, 400);
    assert_eq!(
        answer,
        validation_error(
            PATH,
            vec![
                violation("name", "isNotEmpty", "name should not be empty"),
                violation("segmentId", "isString", "segmentId must be a string"),
            ]
        )
    );
    assert!(mock.accounts().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The other reasons: the body is invalid, and the answer names every violation
// ---------------------------------------------------------------------------------------------

#[test]
fn a_wrong_type_an_unknown_property_and_an_empty_domain_are_each_reported() {
    // Arrange
    let mock = mock();
    let cases = [
        (
            r#"{"accounts":[{"domain":"acme.com","name":"Acme","tags":"enterprise"}]}"#,
            violation("tags", "isArray", "tags must be an array"),
        ),
        (
            r#"{"accounts":[{"domain":"acme.com","name":"Acme"}],"upsert":"true"}"#,
            violation("upsert", "isBoolean", "upsert must be a boolean value"),
        ),
        (
            r#"{"accounts":[{"domain":"acme.com","name":"Acme","industry":"Software"}]}"#,
            violation(
                "industry",
                "whitelistValidation",
                "property industry should not exist",
            ),
        ),
        (
            // A struct's fields in an array, which serde's derived readers would take.
            r#"{"accounts":[["acme.com","Acme"]]}"#,
            violation(
                "accounts",
                "nestedValidation",
                "each value in nested property accounts must be either object or array",
            ),
        ),
        (
            // (A blank domain passes `isNotEmpty`; the store then fails the item.)
            r#"{"accounts":[{"domain":"","name":"Acme"}]}"#,
            violation("domain", "isNotEmpty", "domain should not be empty"),
        ),
    ];

    for (body, expected) in cases {
        // Act
        let (status, answer) = post_text(&mock, "/accounts", body);

        // Assert
        assert_eq!(
            (status, answer),
            (400, validation_error(PATH, vec![expected])),
            "{body}"
        );
    }
    assert!(mock.accounts().is_empty());
}

/// A batch of `size` accounts `d0.com`, `d1.com`, …
fn batch(size: usize) -> String {
    let items: Vec<String> = (0..size)
        .map(|i| format!(r#"{{"domain":"d{i}.com","name":"D{i}"}}"#))
        .collect();
    format!(r#"{{"accounts":[{}]}}"#, items.join(","))
}

#[test]
fn a_batch_of_zero_or_of_101_accounts_is_refused_and_nothing_is_stored() {
    // Arrange
    let mock = mock();
    let cases = [
        (
            batch(0),
            violation(
                "accounts",
                "arrayMinSize",
                "accounts must contain at least 1 elements",
            ),
        ),
        (
            batch(101),
            violation(
                "accounts",
                "arrayMaxSize",
                "accounts must contain no more than 100 elements",
            ),
        ),
    ];

    for (body, expected) in cases {
        // Act
        let (status, answer) = post_text(&mock, "/accounts", &body);

        // Assert
        assert_eq!(
            (status, answer),
            (400, validation_error(PATH, vec![expected]))
        );
    }
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_batch_of_exactly_100_accounts_is_taken_whole() {
    // Arrange
    let mock = mock();

    // Act
    let (status, answer) = post_text(&mock, "/accounts", &batch(100));

    // Assert
    assert_eq!(status, 200);
    let items = (0..100)
        .map(|i| created(&mock, &format!("d{i}.com")))
        .collect();
    assert_eq!(answer, success(200, PATH, results(items, 100, 0, 0)));
}
