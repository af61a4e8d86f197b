//! Verification (failures that explain themselves): journal queries with filters and the
//! answer recorded, expectations over HTTP and through the handle, `assert_no_client_errors`
//! and the plain-text report.

use crate::common::*;
use recotap_mock::{MockRecotap, RequestPattern};
use reqwest::Method;
use serde_json::{json, Value};

fn admin(mock: &MockRecotap, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
    admin_at(&mock.url(), method, path, body)
}

/// Pushes one valid account and one with a bad domain, then a request without a key.
fn some_traffic(mock: &MockRecotap) {
    let body = json!({ "accounts": [
        { "domain": "acme.com", "name": "Acme" },
        { "domain": "no-dot", "name": "Bad" } ] });
    assert_eq!(post(mock, "/accounts", &body).0, 200);
    let (status, _) = send(client().get(format!("{}/segments", mock.base_url())));
    assert_eq!(status, 401);
    assert_eq!(get(mock, "/segments").0, 200);
}

#[test]
fn journal_entries_carry_the_answer_its_custom_message_team_and_duration() {
    let mock = mock();
    some_traffic(&mock);
    let (status, journal) = admin(&mock, Method::GET, "/_mock/requests", None);
    assert_eq!(status, 200);
    let unauthorized = &journal[1];
    assert_eq!(unauthorized["status"], 401);
    assert_eq!(unauthorized["team"], Value::Null);
    assert_eq!(
        unauthorized["customMessage"],
        json!("X-Api-Key header is required")
    );
    let answer: Value = serde_json::from_str(unauthorized["response"].as_str().unwrap()).unwrap();
    assert_eq!(answer["message"], json!("Unauthorized access"));
    assert_eq!(journal[0]["team"], json!("default"));
    assert_eq!(journal[0]["customMessage"], Value::Null);
    assert!(journal[0]["durationMs"].is_u64());
    assert_eq!(journal[0]["fault"], Value::Null);
}

#[test]
fn journal_queries_filter_by_method_path_status_team_since_and_limit() {
    let mock = mock();
    some_traffic(&mock);
    let count = |query: &str| {
        let (status, entries) = admin(
            &mock,
            Method::GET,
            &format!("/_mock/requests?{query}"),
            None,
        );
        assert_eq!(status, 200, "{query}: {entries}");
        entries.as_array().unwrap().len()
    };
    assert_eq!(count("method=post"), 1);
    assert_eq!(count("path=/api/v1/segments"), 2);
    assert_eq!(count("path=/api/v1/*"), 3);
    assert_eq!(count("status=4xx"), 1);
    assert_eq!(count("status=200"), 2);
    assert_eq!(count("team=default"), 2);
    assert_eq!(count("since=2026-04-30T10:00:00.000Z"), 3);
    assert_eq!(count("since=2026-04-30T10:00:00.001Z"), 0);
    let (_, newest) = admin(&mock, Method::GET, "/_mock/requests?limit=1", None);
    assert_eq!(newest[0]["path"], json!("/api/v1/segments"));
    assert_eq!(newest[0]["status"], 200);
    let (status, body) = admin(&mock, Method::GET, "/_mock/requests?status=4x", None);
    assert_eq!(
        (status, body),
        (
            400,
            json!({ "error": "status: '4x' is neither a status (404) nor a class (4xx)" })
        )
    );
}

#[test]
fn the_journal_byte_bound_counts_answers_and_headers_too() {
    // Each request body is tiny, but every answer is an envelope of ~150 bytes.
    let mock = MockRecotap::builder().journal_limits(100, 600).start();
    for _ in 0..10 {
        assert_eq!(get(&mock, "/segments").0, 200);
    }
    let kept = mock.requests().len();
    assert!(
        (1..10).contains(&kept),
        "{kept} entries kept under a 600-byte bound"
    );
}

#[test]
fn expectations_over_http_say_what_was_expected_and_what_arrived() {
    let mock = mock();
    let expect = json!({ "method": "POST", "path": "/api/v1/accounts", "times": 2 });
    let (status, id) = admin(&mock, Method::POST, "/_mock/expectations", Some(&expect));
    assert_eq!((status, id), (201, json!({ "id": 1 })));
    some_traffic(&mock);

    let (status, verdict) = admin(&mock, Method::GET, "/_mock/verify", None);

    assert_eq!(status, 409);
    assert_eq!(verdict["ok"], json!(false));
    assert_eq!(
        verdict["report"],
        json!(
            "expected POST /api/v1/accounts exactly 2 times, received it 1 time.\n  \
             requests received (3):\n    \
             POST /api/v1/accounts → 200\n    \
             GET /api/v1/segments → 401 X-Api-Key header is required\n    \
             GET /api/v1/segments → 200\n  \
             check the 4xx answers above: the mock refused those requests.\n"
        )
    );
    let (_, listed) = admin(&mock, Method::GET, "/_mock/expectations", None);
    assert_eq!(
        listed,
        json!([{ "id": 1, "method": "POST", "path": "/api/v1/accounts", "team": null, "exactly": 2 }])
    );
    admin(&mock, Method::DELETE, "/_mock/expectations", None);
    assert_eq!(
        admin(&mock, Method::GET, "/_mock/verify", None),
        (200, json!({ "ok": true }))
    );
}

#[test]
fn expectations_of_a_session_count_only_its_requests() {
    let mock = mock();
    let (_, session) = admin(&mock, Method::POST, "/_mock/sessions", None);
    let team = session["team"].as_str().unwrap();
    let expect = json!({ "path": "/api/v1/segments", "atLeast": 1 });
    admin(
        &mock,
        Method::POST,
        &format!("/_mock/expectations?team={team}"),
        Some(&expect),
    );
    assert_eq!(get(&mock, "/segments").0, 200); // team default's, not the session's
    let (status, _) = admin(
        &mock,
        Method::GET,
        &format!("/_mock/verify?team={team}"),
        None,
    );
    assert_eq!(status, 409);
}

#[test]
#[should_panic(
    expected = "recotap-mock: expectations not met:\nexpected POST /api/v1/accounts exactly once, received it 0 times.\n  requests received (0):\n    none\n  check that the code under test uses this mock's base URL and API key."
)]
fn a_failed_expectation_panics_with_what_to_check() {
    let mock = MockRecotap::start();
    mock.expect(RequestPattern::post("/accounts")).times(1);
    mock.verify();
}

#[test]
#[should_panic(expected = "expected POST /api/v1/accounts never, received it 1 time.")]
fn an_expectation_is_checked_when_the_mock_is_dropped() {
    let mock = MockRecotap::start();
    mock.expect(RequestPattern::post("/accounts")).never();
    let body = json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] });
    assert_eq!(post(&mock, "/accounts", &body).0, 200);
}

#[test]
fn a_body_predicate_counts_only_matching_bodies() {
    let mock = MockRecotap::start();
    mock.expect(
        RequestPattern::post("/accounts").body_matches(|body| body["upsert"] == json!(true)),
    )
    .times(1);
    post(
        &mock,
        "/accounts",
        &json!({ "accounts": [{ "domain": "a.com", "name": "A" }] }),
    );
    post(
        &mock,
        "/accounts",
        &json!({ "accounts": [{ "domain": "a.com", "name": "A" }], "upsert": true }),
    );
    mock.verify();
}

#[test]
#[should_panic(
    expected = "recotap-mock: the code under test got 2 client error(s):\n  POST /api/v1/accounts → 200, but item no-dot failed: Invalid domain 'no-dot'\n  GET /api/v1/segments → 401 X-Api-Key header is required\ncheck what it sends against the rules named above"
)]
fn client_errors_and_failed_items_are_listed_with_their_rule() {
    let mock = mock();
    some_traffic(&mock);
    mock.assert_no_client_errors();
}

#[test]
fn the_report_is_plain_text_for_a_person() {
    let mock = mock();
    some_traffic(&mock);
    mock.add_fault(
        recotap_mock::Fault::status(503)
            .on("GET", "/api/v1/segments")
            .times(1),
    );
    assert_eq!(get(&mock, "/segments").0, 503);
    let response = client()
        .get(format!("{}/_mock/report", mock.url()))
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        response.text().unwrap(),
        "recotap-mock report: 4 request(s)\n\
         requests by endpoint and status:\n  \
         POST /api/v1/accounts → 200: 1\n  \
         GET /api/v1/segments → 401: 1\n  \
         GET /api/v1/segments → 200: 1\n  \
         GET /api/v1/segments → 503: 1\n\
         client errors (2):\n  \
         POST /api/v1/accounts → 200, but item no-dot failed: Invalid domain 'no-dot'\n  \
         GET /api/v1/segments → 401 X-Api-Key header is required\n\
         accounts: 1 created, 0 updated (POST /accounts)\n\
         faults that fired (1):\n  \
         fault 1: GET /api/v1/segments → 503\n"
    );
    assert_eq!(mock.report(), response_text(&mock));
}

fn response_text(mock: &MockRecotap) -> String {
    client()
        .get(format!("{}/_mock/report", mock.url()))
        .send()
        .unwrap()
        .text()
        .unwrap()
}

#[test]
#[should_panic(
    expected = "POST /api/v1/sales-activities → 200, but item a-1 failed: Activity with externalActivityId 'a-1' already exists"
)]
fn a_failed_activity_inside_a_200_batch_is_a_client_error() {
    let mock = mock();
    let activity = json!({ "externalActivityId": "a-1", "activityType": "call",
        "occurredAt": "2026-04-30T10:00:00Z", "domain": "acme.com", "ownerEmail": "rep@seller.com",
        "contacts": [{ "email": "jane@acme.com" }] });
    let (status, _) = post(
        &mock,
        "/sales-activities",
        &json!({ "activities": [activity.clone(), activity] }),
    );
    assert_eq!(status, 200);
    mock.assert_no_client_errors();
}

#[test]
fn clearing_the_journal_does_not_change_what_an_expectation_counted() {
    let mock = MockRecotap::start();
    mock.expect(RequestPattern::post("/accounts")).times(1);
    post(
        &mock,
        "/accounts",
        &json!({ "accounts": [{ "domain": "a.com", "name": "A" }] }),
    );
    mock.clear_requests();
    mock.verify();
}

#[test]
fn a_timestamp_equals_any_text_that_names_the_same_instant() {
    let mock = MockRecotap::start();
    mock.freeze_clock("2026-04-30T10:00:00Z");
    assert_eq!(mock.now(), "2026-04-30T10:00:00Z");
    assert_eq!(mock.now(), "2026-04-30T12:00:00.000+02:00");
    assert_ne!(mock.now(), "not a time");
}
