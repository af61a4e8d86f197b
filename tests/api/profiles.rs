//! Profiles over real HTTP: `documented` (the vendor's reference, the default) and `sandbox`
//! (the live sandbox as observed), each difference pinned under both, and every way of choosing
//! one: the builder, `POST /_mock/profile` (mock-wide or per team), a session's `profile`, the
//! Rust `TeamView`, and the state document.

use crate::common::*;
use recotap_mock::{MockRecotap, NewAccount, Profile};
use reqwest::Method;
use serde_json::{json, Value};

/// A reproducible mock (frozen at a time with milliseconds) following `profile`.
fn mock_with(profile: Profile) -> MockRecotap {
    MockRecotap::builder()
        .id_seed(7)
        .frozen_clock(FROZEN)
        .profile(profile)
        .start()
}

/// `body` without its `data` key: what the sandbox answers for an error.
fn without_data(mut body: Value) -> Value {
    body.as_object_mut().expect("an object").remove("data");
    body
}

fn admin(mock: &MockRecotap, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    admin_at(&mock.url(), method, path, body)
}

/// The answers of one validation error, one business error, one 401 and one route 404.
fn errors(mock: &MockRecotap, key: &str) -> Vec<(u16, Value)> {
    let id = "0123456789abcdef01234567";
    vec![
        call_with_key(mock, key, Method::POST, "/accounts", Some(&json!({}))),
        call_with_key(
            mock,
            key,
            Method::PUT,
            &format!("/accounts/{id}"),
            Some(&json!({})),
        ),
        call_with_key(mock, "wrong", Method::GET, "/accounts", None),
        call_with_key(mock, key, Method::GET, "/nothing", None),
    ]
}

fn documented_errors() -> Vec<(u16, Value)> {
    let id = "0123456789abcdef01234567";
    vec![
        (
            400,
            validation_error(
                "/api/v1/accounts",
                vec![violation(
                    "accounts",
                    "isArray",
                    "accounts must be an array",
                )],
            ),
        ),
        (
            404,
            business_error(
                404,
                &format!("/api/v1/accounts/{id}"),
                "Not Found",
                &format!("Account with rtp_aid '{id}' not found"),
            ),
        ),
        (
            401,
            business_error(
                401,
                "/api/v1/accounts",
                "Unauthorized access",
                "Invalid API key",
            ),
        ),
        (
            404,
            plain_error(404, "/api/v1/nothing", "Cannot GET /api/v1/nothing"),
        ),
    ]
}

#[test]
fn documented_error_bodies_carry_data() {
    let mock = mock_with(Profile::Documented);
    assert_eq!(errors(&mock, mock.api_key()), documented_errors());
}

#[test]
fn sandbox_error_bodies_carry_no_data_key() {
    let mock = mock_with(Profile::Sandbox);
    let expected: Vec<(u16, Value)> = documented_errors()
        .into_iter()
        .map(|(status, body)| (status, without_data(body)))
        .collect();
    assert_eq!(errors(&mock, mock.api_key()), expected);
}

#[test]
fn the_default_profile_is_documented() {
    let mock = mock();
    assert_eq!(errors(&mock, mock.api_key()), documented_errors());
    assert_eq!(mock.team("default").profile(), Profile::Documented);
}

fn seeded(mock: &MockRecotap) -> String {
    mock.add_custom_field(recotap_mock::CustomField::new(
        "Tier",
        recotap_mock::LabelType::SingleLineText,
    ));
    mock.add_account(NewAccount::new("acme.com", "Acme Corp ÄΣ"))
        .id()
        .to_string()
}

#[test]
fn documented_put_refuses_properties_other_than_custom_fields() {
    let mock = mock_with(Profile::Documented);
    let id = seeded(&mock);
    let path = format!("/accounts/{id}");
    let body = json!({ "customFields": { "TIER_C": "gold" }, "name": "x", "extra": 1 });
    let answer = call_with_key(&mock, mock.api_key(), Method::PUT, &path, Some(&body));
    let expected = validation_error(
        &format!("/api/v1{path}"),
        // `json!` sends its keys sorted: `extra` before `name`.
        vec![
            violation(
                "extra",
                "whitelistValidation",
                "property extra should not exist",
            ),
            violation(
                "name",
                "whitelistValidation",
                "property name should not exist",
            ),
        ],
    );
    assert_eq!(answer, (400, expected));
    assert!(mock
        .account_by_domain("acme.com")
        .unwrap()
        .custom_fields
        .is_empty());
}

#[test]
fn sandbox_put_ignores_properties_other_than_custom_fields() {
    let mock = mock_with(Profile::Sandbox);
    let id = seeded(&mock);
    let path = format!("/accounts/{id}");
    let body = json!({ "customFields": { "TIER_C": "gold" }, "name": "x", "extra": 1 });
    let answer = call_with_key(&mock, mock.api_key(), Method::PUT, &path, Some(&body));
    let data = json!({ "message": "Account updated successfully" });
    assert_eq!(answer, (200, success(200, &format!("/api/v1{path}"), data)));
    let acme = mock.account_by_domain("acme.com").unwrap();
    assert_eq!(acme.custom_fields["TIER_C"], "gold");
    assert_eq!(acme.name, "Acme Corp ÄΣ", "the ignored name is not written");
}

#[test]
fn a_bad_custom_fields_beside_an_extra_property_is_refused_under_both_profiles() {
    let mock = mock_with(Profile::Sandbox);
    let id = seeded(&mock);
    let path = format!("/accounts/{id}");
    let body = json!({ "customFields": 5, "extra": 1 });
    let answer = call_with_key(&mock, mock.api_key(), Method::PUT, &path, Some(&body));
    let expected = without_data(validation_error(&format!("/api/v1{path}"), vec![]));
    assert_eq!(answer, (400, expected));
    // The documented profile reports both, the known field's first.
    let mock = mock_with(Profile::Documented);
    let id = seeded(&mock);
    let path = format!("/accounts/{id}");
    let answer = call_with_key(&mock, mock.api_key(), Method::PUT, &path, Some(&body));
    let expected = validation_error(
        &format!("/api/v1{path}"),
        vec![
            violation("customFields", "isObject", "customFields must be an object"),
            violation(
                "extra",
                "whitelistValidation",
                "property extra should not exist",
            ),
        ],
    );
    assert_eq!(answer, (400, expected));
}

/// The one row of `GET /accounts` on a mock frozen at a time with milliseconds.
fn listed_row(profile: Profile) -> Value {
    let mock = MockRecotap::builder()
        .id_seed(7)
        .frozen_clock("2026-06-04T17:40:21.789Z")
        .profile(profile)
        .start();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp ÄΣ"));
    let (status, body) = get(&mock, "/accounts");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["timestamp"], "2026-06-04T17:40:21.789Z",
        "the envelope keeps its ms"
    );
    body["data"]["data"][0].clone()
}

#[test]
fn documented_listings_return_the_name_as_stored_and_the_date_with_milliseconds() {
    let row = listed_row(Profile::Documented);
    assert_eq!(row["name"], "Acme Corp ÄΣ");
    assert_eq!(row["rtp_last_account_date"], "2026-06-04T17:40:21.789Z");
}

#[test]
fn sandbox_listings_return_the_name_lower_cased_and_the_date_without_milliseconds() {
    let row = listed_row(Profile::Sandbox);
    assert_eq!(row["name"], "acme corp äς");
    assert_eq!(row["rtp_last_account_date"], "2026-06-04T17:40:21Z");
}

#[test]
fn post_mock_profile_changes_the_mock_and_a_team_without_its_own_follows() {
    let mock = mock();
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/profile",
        Some(&json!({ "profile": "sandbox" })),
    );
    assert_eq!(answer, (200, json!({ "profile": "sandbox" })));
    let (status, body) = get(&mock, "/nothing");
    assert_eq!((status, body.get("data")), (404, None));
    assert_eq!(mock.team("default").profile(), Profile::Sandbox);
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/profile",
        Some(&json!({ "profile": "documented" })),
    );
    assert_eq!(answer, (200, json!({ "profile": "documented" })));
    assert_eq!(get(&mock, "/nothing").1["data"], Value::Null);
}

#[test]
fn post_mock_profile_with_a_team_changes_that_team_only() {
    let mock = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .team_api_key("k2", "team2")
        .start();
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/profile?team=team2",
        Some(&json!({ "profile": "sandbox" })),
    );
    assert_eq!(answer, (200, json!({ "profile": "sandbox" })));
    let (_, team2) = call_with_key(&mock, "k2", Method::GET, "/nothing", None);
    let (_, default) = get(&mock, "/nothing");
    assert!(team2.get("data").is_none(), "{team2}");
    assert_eq!(default["data"], Value::Null);
    // The team keeps its own when the mock's changes.
    admin(
        &mock,
        Method::POST,
        "/_mock/profile",
        Some(&json!({ "profile": "documented" })),
    );
    assert!(call_with_key(&mock, "k2", Method::GET, "/nothing", None)
        .1
        .get("data")
        .is_none());
}

#[test]
fn post_mock_profile_refuses_an_unknown_profile_and_an_unknown_team() {
    let mock = mock();
    let (status, body) = admin(
        &mock,
        Method::POST,
        "/_mock/profile",
        Some(&json!({ "profile": "live" })),
    );
    assert_eq!(status, 400);
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("unknown variant `live`, expected `documented` or `sandbox`"),
        "{message}"
    );
    let answer = admin(
        &mock,
        Method::POST,
        "/_mock/profile?team=nobody",
        Some(&json!({ "profile": "sandbox" })),
    );
    assert_eq!(answer, (404, json!({ "error": "Team 'nobody' not found" })));
}

#[test]
fn a_session_created_with_profile_sandbox_follows_it_and_others_do_not() {
    let mock = mock();
    let (status, created) = admin(
        &mock,
        Method::POST,
        "/_mock/sessions",
        Some(&json!({ "profile": "sandbox" })),
    );
    assert_eq!(status, 201, "{created}");
    let key = created["apiKey"].as_str().unwrap();
    let (status, body) = call_with_key(&mock, key, Method::GET, "/nothing", None);
    assert_eq!((status, body.get("data")), (404, None));
    assert_eq!(
        get(&mock, "/nothing").1["data"],
        Value::Null,
        "team default is documented"
    );
    // A session reset keeps the profile it was created with.
    let team = created["team"].as_str().unwrap();
    admin(
        &mock,
        Method::POST,
        &format!("/_mock/reset?team={team}"),
        None,
    );
    assert!(call_with_key(&mock, key, Method::GET, "/nothing", None)
        .1
        .get("data")
        .is_none());
}

#[test]
fn a_rust_session_sets_its_own_profile() {
    let mock = mock();
    let session = mock.session();
    assert_eq!(session.profile(), Profile::Documented);
    session.set_profile(Profile::Sandbox);
    let (_, body) = call_with_key(&mock, session.api_key(), Method::GET, "/nothing", None);
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(get(&mock, "/nothing").1["data"], Value::Null);
}

#[test]
fn the_state_document_holds_the_mock_profile_and_each_team_profile() {
    let mock = mock_with(Profile::Sandbox);
    mock.team("team2").set_profile(Profile::Documented);
    let (status, state) = admin(&mock, Method::GET, "/_mock/state", None);
    assert_eq!(status, 200);
    assert_eq!(state["profile"], "sandbox");
    assert_eq!(
        state["teams"][0].get("settings"),
        None,
        "default has none of its own"
    );
    assert_eq!(
        state["teams"][1]["settings"],
        json!({ "profile": "documented" })
    );
    // Put back with the profiles swapped.
    let document = json!({ "profile": "documented", "teams": [
        { "name": "default", "apiKeys": ["test-api-key"], "settings": { "profile": "sandbox" } } ] });
    assert_eq!(
        admin(&mock, Method::PUT, "/_mock/state", Some(&document)).0,
        204
    );
    assert!(get(&mock, "/nothing").1.get("data").is_none());
    let (_, state) = admin(&mock, Method::GET, "/_mock/state", None);
    assert_eq!(state["profile"], "documented");
    assert_eq!(
        state["teams"][0]["settings"],
        json!({ "profile": "sandbox" })
    );
}
