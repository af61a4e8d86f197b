//! CORS (`--cors`, the builder's `cors`): off by default; when on, a preflight is answered
//! and every answer lets any origin read it. (A real cross-origin request from headless
//! Chromium is in the Python suite, `python/tests/test_cors_browser.py`.)

use crate::common::*;
use recotap_mock::MockRecotap;
use reqwest::Method;

#[test]
fn a_preflight_is_answered_with_the_methods_and_the_headers_asked_for() {
    let mock = MockRecotap::builder().cors(true).start();
    let response = client()
        .request(Method::OPTIONS, format!("{}/accounts", mock.base_url()))
        .header("Origin", "http://127.0.0.1:9999")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, x-api-key")
        .send()
        .unwrap();
    assert_eq!(response.status(), 204);
    let headers = response.headers();
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(
        headers["access-control-allow-methods"],
        "GET, POST, PUT, PATCH, DELETE, OPTIONS"
    );
    assert_eq!(
        headers["access-control-allow-headers"],
        "content-type, x-api-key"
    );
    assert_eq!(headers["access-control-max-age"], "600");
    assert!(
        mock.requests().is_empty(),
        "a preflight is not an API request"
    );
}

#[test]
fn answers_let_any_origin_read_them_errors_included() {
    let mock = MockRecotap::builder().cors(true).start();
    let ok = api(&mock, Method::GET, "/segments")
        .header("Origin", "http://127.0.0.1:9999")
        .send()
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["access-control-allow-origin"], "*");
    assert_eq!(ok.headers()["access-control-expose-headers"], "Retry-After");
    let refused = client()
        .get(format!("{}/segments", mock.base_url()))
        .send()
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["access-control-allow-origin"], "*");
}

#[test]
fn without_cors_there_are_no_cors_headers_and_options_is_a_404() {
    let mock = mock();
    let (status, body) = send(
        client()
            .request(Method::OPTIONS, format!("{}/accounts", mock.base_url()))
            .header("Origin", "http://127.0.0.1:9999")
            .header("Access-Control-Request-Method", "POST"),
    );
    assert_eq!(
        (status, body),
        (
            404,
            plain_error(404, "/api/v1/accounts", "Cannot OPTIONS /api/v1/accounts")
        )
    );
    let response = api(&mock, Method::GET, "/segments").send().unwrap();
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}
