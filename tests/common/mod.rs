//! Helpers shared by the black-box tests: a reproducible mock, a blocking HTTP client, and the
//! exact envelopes of docs/api.md §1.3 / §1.4 to compare whole response bodies against.
//!
//! Every test binary includes this module but uses only part of it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use recotap_mock::MockRecotap;
use reqwest::blocking::{Client, RequestBuilder};
use serde_json::{json, Value};

/// The instant every reproducible mock is frozen at.
pub const FROZEN: &str = "2026-04-30T10:00:00.000Z";
/// [`FROZEN`] in milliseconds since the epoch (the journal's `at`).
pub const FROZEN_MS: i64 = 1_777_543_200_000;

/// A fresh mock whose ids and timestamps are reproducible.
pub fn mock() -> MockRecotap {
    MockRecotap::builder()
        .id_seed(7)
        .frozen_clock(FROZEN)
        .start()
}

/// A blocking client that never pools connections, so that no test depends on another
/// request's connection.
pub fn client() -> Client {
    Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("the test client builds")
}

/// A request to `mock`'s API (`path` is relative to `/api/v1`) carrying the API key.
pub fn api(mock: &MockRecotap, method: reqwest::Method, path: &str) -> RequestBuilder {
    client()
        .request(method, format!("{}{path}", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
}

/// Sends a request and returns its status and its body parsed as JSON.
pub fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().expect("the mock answers");
    let status = response.status().as_u16();
    let text = response.text().expect("the body is readable");
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("the body is not JSON ({error}): {text:?}"));
    (status, body)
}

/// `POST /api/v1{path}` with a JSON body and the API key.
/// An API request with `key` (another team's, a session's) instead of the mock's own.
pub fn call_with_key(
    mock: &MockRecotap,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = client()
        .request(method, format!("{}{path}", mock.base_url()))
        .header("X-Api-Key", key);
    if let Some(body) = body {
        request = request.json(body);
    }
    send(request)
}

pub fn post(mock: &MockRecotap, path: &str, body: &Value) -> (u16, Value) {
    send(api(mock, reqwest::Method::POST, path).json(body))
}

/// `POST /api/v1{path}` with a body sent verbatim as `application/json` (to control key order
/// or send something that is not an object).
pub fn post_text(mock: &MockRecotap, path: &str, body: &str) -> (u16, Value) {
    send(
        api(mock, reqwest::Method::POST, path)
            .header("Content-Type", "application/json")
            .body(body.to_string()),
    )
}

/// `GET /api/v1{path}` with the API key.
pub fn get(mock: &MockRecotap, path: &str) -> (u16, Value) {
    send(api(mock, reqwest::Method::GET, path))
}

/// `POST /api/v1/accounts`.
pub fn push(mock: &MockRecotap, body: &Value) -> (u16, Value) {
    post(mock, "/accounts", body)
}

/// The success envelope at the frozen instant.
pub fn success(status: u16, path: &str, data: Value) -> Value {
    json!({ "statusCode": status, "timestamp": FROZEN, "path": path, "data": data })
}

/// A business error envelope (`customMessage`, `data: null`) at the frozen instant.
pub fn business_error(status: u16, path: &str, message: &str, custom: &str) -> Value {
    json!({ "statusCode": status, "timestamp": FROZEN, "path": path, "message": message,
            "customMessage": custom, "data": null })
}

/// An error envelope without `customMessage` and with `data: null`, at the frozen instant.
pub fn plain_error(status: u16, path: &str, message: &str) -> Value {
    json!({ "statusCode": status, "timestamp": FROZEN, "path": path, "message": message,
            "data": null })
}

/// A validation error envelope (`400`, `Bad Request`, `data` = the violations).
pub fn validation_error(path: &str, violations: Vec<Value>) -> Value {
    json!({ "statusCode": 400, "timestamp": FROZEN, "path": path, "message": "Bad Request",
            "data": violations })
}

/// One validation error object.
pub fn violation(property: &str, key: &str, message: &str) -> Value {
    json!({ "property": property, "constraints": { key: message } })
}

/// The `data` of a `POST /accounts` answer.
pub fn results(items: Vec<Value>, created: u64, updated: u64, failed: u64) -> Value {
    let total = items.len();
    json!({ "results": items,
            "summary": { "total": total, "created": created, "updated": updated, "failed": failed } })
}

/// The id of the account stored under `domain`, as the API prints it.
pub fn id_of(mock: &MockRecotap, domain: &str) -> String {
    mock.account_by_domain(domain)
        .unwrap_or_else(|| panic!("no account with domain {domain}"))
        .id()
        .to_string()
}

/// A raw HTTP/1.1 exchange (for what a high-level client would normalise, such as the case of
/// a header name). `head` is the request line and headers without the final blank line.
/// Returns the status and the body text.
pub fn raw_exchange(address: SocketAddr, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("the mock accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout can be set");
    let request = format!(
        "{head}\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("the request is written");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("the response is read");
    let text = String::from_utf8(response).expect("the response is UTF-8");
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {head:?}"));
    (status, body.to_string())
}

/// A request to the admin API of the mock at `root` (`http://127.0.0.1:PORT`; `path` starts
/// with `/_mock`), with an optional JSON body. Returns the status and the body parsed as JSON,
/// `Value::Null` when the body is empty (as for `204`).
pub fn admin_at(
    root: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = client().request(method, format!("{root}{path}"));
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().expect("the admin API answers");
    let status = response.status().as_u16();
    let text = response.text().expect("the body is readable");
    if text.is_empty() {
        return (status, Value::Null);
    }
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("the admin body is not JSON ({error}): {text:?}"));
    (status, body)
}
