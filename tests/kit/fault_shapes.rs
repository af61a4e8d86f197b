//! `status` faults beyond errors, over real HTTP: any status from 200 to 599, a `body` answered
//! verbatim (a 2xx with a body feeds the client a response shape the vendor has been seen to
//! send), and `headers` added to the answer; bad values refused at the admin API and at the
//! Rust builder's call.

use crate::common::*;
use recotap_mock::{Fault, MockRecotap};
use reqwest::Method;
use serde_json::{json, Value};

fn add_fault(mock: &MockRecotap, fault: &Value) -> (u16, Value) {
    admin_at(&mock.url(), Method::POST, "/_mock/faults", Some(fault))
}

/// `GET /api/v1{path}` with the key: status, headers, body text.
fn fetch(mock: &MockRecotap, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = api(mock, Method::GET, path).send().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().unwrap())
}

#[test]
fn a_200_fault_with_a_body_answers_that_body_verbatim() {
    let mock = mock();
    // An enveloped `/journey-stages`, where the mock answers a bare array.
    let body = r#"{"statusCode":200,"data":[{"name":"Aware","order":1}],"z":1.5,"a":null}"#;
    let fault = format!(
        r#"{{"kind":"status","status":200,"body":{body},"match":{{"path":"/api/v1/journey-stages"}}}}"#
    );
    // Sent as text: a `Value` would sort the body's keys before the mock sees them.
    let response = client()
        .post(format!("{}/_mock/faults", mock.url()))
        .header("Content-Type", "application/json")
        .body(fault)
        .send()
        .unwrap();
    assert_eq!(response.status(), 201);
    let (status, headers, text) = fetch(&mock, "/journey-stages");
    assert_eq!(
        (status, text.as_str()),
        (200, body),
        "keys in the order sent"
    );
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    // Other paths are untouched.
    assert_eq!(get(&mock, "/segments").0, 200);
}

#[test]
fn a_2xx_fault_without_a_body_answers_the_envelope_for_its_status() {
    let mock = mock();
    add_fault(&mock, &json!({ "kind": "status", "status": 202 }));
    assert_eq!(
        get(&mock, "/segments"),
        (202, plain_error(202, "/api/v1/segments", "Accepted"))
    );
}

#[test]
fn a_fault_adds_its_headers_and_replaces_one_of_the_same_name() {
    let mock = mock();
    let fault = json!({ "kind": "status", "status": 503,
        "headers": { "X-Request-Id": "abc-1", "Content-Type": "text/plain" } });
    assert_eq!(add_fault(&mock, &fault).0, 201);
    let (status, headers, text) = fetch(&mock, "/segments");
    assert_eq!(status, 503);
    assert_eq!(headers["x-request-id"], "abc-1");
    assert_eq!(headers.get_all("content-type").iter().count(), 1);
    assert_eq!(headers["content-type"], "text/plain");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        body,
        plain_error(503, "/api/v1/segments", "Service Unavailable")
    );
    let (_, listed) = admin_at(&mock.url(), Method::GET, "/_mock/faults", None);
    assert_eq!(
        listed[0]["headers"],
        json!({ "Content-Type": "text/plain", "X-Request-Id": "abc-1" })
    );
}

#[test]
fn the_rust_builder_sends_a_2xx_body_and_headers() {
    let mock = mock();
    mock.add_fault(
        Fault::status(200)
            .body(json!({ "data": { "stages": [] } }))
            .header("X-Vendor", "sandbox"),
    );
    let (status, headers, text) = fetch(&mock, "/journey-stages");
    assert_eq!((status, text.as_str()), (200, r#"{"data":{"stages":[]}}"#));
    assert_eq!(headers["x-vendor"], "sandbox");
}

#[test]
fn the_admin_api_refuses_a_status_outside_200_to_599_and_bad_headers() {
    let mock = mock();
    let cases = [
        (
            json!({ "kind": "status", "status": 199 }),
            "invalid body: a status fault needs \"status\" between 200 and 599",
        ),
        (
            json!({ "kind": "status", "status": 600 }),
            "invalid body: a status fault needs \"status\" between 200 and 599",
        ),
        (
            json!({ "kind": "status", "status": 500, "headers": { "bad name": "1" } }),
            "invalid body: \"headers\": \"bad name\" is not a valid header name",
        ),
        (
            json!({ "kind": "status", "status": 500, "headers": { "X-A": "a\nb" } }),
            "invalid body: \"headers\": the value of \"X-A\" (\"a\\nb\") is not a valid header value",
        ),
        (
            json!({ "kind": "delay", "delayMs": 1, "headers": { "X-A": "1" } }),
            "invalid body: \"headers\" applies only to kind status",
        ),
    ];
    for (fault, message) in cases {
        assert_eq!(
            add_fault(&mock, &fault),
            (400, json!({ "error": message })),
            "{fault}"
        );
    }
    assert_eq!(
        admin_at(&mock.url(), Method::GET, "/_mock/faults", None),
        (200, json!([]))
    );
}

#[test]
#[should_panic(
    expected = "recotap-mock: Fault::header(\"bad name\", \"1\"): \"headers\": \"bad name\" is not a valid header name"
)]
fn a_bad_header_name_is_refused_at_the_call() {
    let _ = Fault::status(500).header("bad name", "1");
}

#[test]
#[should_panic(expected = "is not a valid header value")]
fn a_bad_header_value_is_refused_at_the_call() {
    let _ = Fault::status(500).header("X-A", "a\r\nb");
}

#[test]
#[should_panic(expected = "\"headers\" applies only to kind status")]
fn a_header_on_another_kind_is_refused_at_the_call() {
    let _ = Fault::hang().header("X-A", "1");
}
