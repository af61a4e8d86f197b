//! Security defaults: loopback binds (and no false alarm for other loopback addresses), the
//! admin API and the API each reachable only under their own prefix, API keys and the admin
//! token never standing in for each other, near-miss keys refused. Every connection stays on
//! loopback. (The warning for non-loopback binds is unit-tested in `src/main.rs`, so that no
//! test ever listens beyond this machine.)

use std::io::Read;
use std::net::Ipv4Addr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::*;
use crate::support::listening_url;
use recotap_mock::{MockRecotap, NewAccount};
use reqwest::Method;
use serde_json::{json, Value};

/// Kills the binary (by its own id) when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_handle_binds_the_ipv4_loopback_by_default() {
    let mock = MockRecotap::start();
    assert_eq!(mock.address().ip(), Ipv4Addr::LOCALHOST);
}

#[test]
fn the_binary_on_another_loopback_address_serves_there_without_a_warning() {
    // Arrange: 127.0.0.2 is loopback (all of 127/8 is), so no warning is due.
    let mut child = Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
        .args(["--host", "127.0.0.2", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let running = Running(child);

    // Act
    let (root, _) = listening_url(stdout, Duration::from_secs(10));
    let health = admin_at(&root, Method::GET, "/_mock/health", None);
    drop(running);
    let mut logged = String::new();
    stderr.read_to_string(&mut logged).unwrap();

    // Assert
    assert!(root.starts_with("http://127.0.0.2:"), "{root}");
    assert_eq!(health, (200, json!({ "status": "ok" })));
    assert!(!logged.contains("warning"), "{logged}");
}

#[test]
fn the_admin_api_never_answers_under_the_api_prefix() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    let targets = [
        ("GET", "/api/v1/_mock/health"),
        ("GET", "/api/v1/_mock/state"),
        ("POST", "/api/v1/_mock/reset"),
        ("GET", "/api/v1/../_mock/state"),
        ("GET", "/api/v1/%5Fmock/state"),
        ("DELETE", "/api/v1/_mock/requests"),
    ];

    for (method, target) in targets {
        // Act: raw, so that no client normalises the `..` away.
        let (status, text) = raw_exchange(
            mock.address(),
            &format!("{method} {target} HTTP/1.1\r\nX-Api-Key: test-api-key"),
            "",
        );

        // Assert: the API's own 404, and the admin action (a reset) did not happen.
        let body: Value = serde_json::from_str(&text).unwrap();
        let path = target.split('?').next().unwrap();
        assert_eq!(
            (status, body),
            (
                404,
                plain_error(404, target, &format!("Cannot {method} {path}"))
            ),
        );
        assert!(mock.account_by_domain("acme.com").is_some());
    }
    assert_eq!(mock.requests().len(), targets.len());
}

#[test]
fn the_api_never_answers_under_the_admin_prefix() {
    // Arrange
    let mock = mock();
    let targets = [
        "/_mock/api/v1/accounts",
        "/_mock/api/v1/segments",
        "/_mock/accounts/custom-fields",
        "/_mock/journey-stages",
    ];

    for target in targets {
        // Act: with a valid API key, which the admin API does not read.
        let (status, body) = send(
            client()
                .get(format!("{}{target}", mock.url()))
                .header("X-Api-Key", mock.api_key()),
        );

        // Assert: the admin API's own 404, never an API envelope.
        assert_eq!(
            (status, body),
            (
                404,
                json!({ "error": format!("No admin endpoint GET {target}") })
            )
        );
    }
    assert!(
        mock.requests().is_empty(),
        "admin requests are not journaled"
    );
}

#[test]
fn look_alike_prefixes_belong_to_the_api_and_get_its_404() {
    let mock = mock();
    for target in [
        "/_mockery/health",
        "/_mock-x/state",
        "/api/v10/accounts",
        "/api/v1accounts",
    ] {
        let (status, body) = send(client().get(format!("{}{target}", mock.url())));
        assert_eq!(
            (status, body),
            (
                404,
                plain_error(404, target, &format!("Cannot GET {target}"))
            ),
            "{target}"
        );
    }
}

#[test]
fn with_an_admin_token_the_key_and_the_token_never_stand_in_for_each_other() {
    // Arrange
    let mock = MockRecotap::builder()
        .admin_token("admin-secret")
        .frozen_clock(FROZEN)
        .start();
    let bearer = |token: &str| format!("Bearer {token}");

    // Act
    let state_with_api_key = send(
        client()
            .get(format!("{}/_mock/state", mock.url()))
            .header("Authorization", bearer(mock.api_key())),
    );
    let api_with_admin_token = send(
        client()
            .get(format!("{}/segments", mock.base_url()))
            .header("X-Api-Key", "admin-secret"),
    );
    let admin_under_api_prefix = send(
        client()
            .get(format!("{}/api/v1/_mock/state", mock.url()))
            .header("Authorization", bearer("admin-secret")),
    );

    // Assert
    assert_eq!(state_with_api_key.0, 401);
    assert_eq!(
        api_with_admin_token,
        (
            401,
            business_error(
                401,
                "/api/v1/segments",
                "Unauthorized access",
                "Invalid API key"
            )
        )
    );
    assert_eq!(
        admin_under_api_prefix,
        (
            404,
            plain_error(404, "/api/v1/_mock/state", "Cannot GET /api/v1/_mock/state")
        )
    );
}

#[test]
fn near_miss_api_keys_are_refused() {
    // Arrange
    let mock = MockRecotap::builder()
        .api_key("secret-key")
        .frozen_clock(FROZEN)
        .start();

    // (No trailing-space variant: HTTP strips white space around a field value before any
    // server sees it, so `"secret-key "` arrives as the key itself.)
    for near_miss in [
        "secret-ke",
        "secret-key.",
        "secret-keyy",
        "secret-kez",
        "SECRET-KEY",
        "",
    ] {
        // Act
        let answer = send(
            client()
                .get(format!("{}/segments", mock.base_url()))
                .header("X-Api-Key", near_miss),
        );

        // Assert
        assert_eq!(
            answer,
            (
                401,
                business_error(
                    401,
                    "/api/v1/segments",
                    "Unauthorized access",
                    "Invalid API key"
                )
            ),
            "{near_miss:?}"
        );
    }
}
