//! Route parameters are percent-decoded before they are validated, on the API and the admin
//! API alike (Express decodes them), and the admin token's `Bearer` scheme is matched in any
//! case (HTTP authentication schemes are case-insensitive), over real HTTP.

use crate::common::*;
use recotap_mock::{MockRecotap, NewAccount};
use reqwest::Method;
use serde_json::json;

/// `id` with its first character percent-encoded (`6...` → `%36...`).
fn encoded_first(id: &str) -> String {
    format!("%{:02X}{}", id.as_bytes()[0], &id[1..])
}

#[test]
fn put_accounts_with_a_percent_encoded_id_updates_the_decoded_id() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();
    let path = format!("/accounts/{}", encoded_first(&id));
    let (status, body) = send(api(&mock, Method::PUT, &path).json(&json!({})));
    let data = json!({ "message": "Account updated successfully" });
    assert_eq!(
        (status, body),
        (200, success(200, &format!("/api/v1{path}"), data))
    );
}

#[test]
fn put_accounts_names_the_decoded_id_when_no_account_has_it() {
    let mock = mock();
    let path = "/accounts/%30123456789abcdef01234567";
    let (status, body) = send(api(&mock, Method::PUT, path).json(&json!({})));
    assert_eq!(
        (status, body),
        (
            404,
            business_error(
                404,
                "/api/v1/accounts/%30123456789abcdef01234567",
                "Not Found",
                "Account with rtp_aid '0123456789abcdef01234567' not found"
            )
        )
    );
}

#[test]
fn put_accounts_with_an_escape_that_does_not_decode_fails_is_mongo_id() {
    let mock = mock();
    let path = "/accounts/%zz23456789abcdef01234567";
    let (status, body) = send(api(&mock, Method::PUT, path).json(&json!({})));
    let expected = validation_error(
        "/api/v1/accounts/%zz23456789abcdef01234567",
        vec![violation(
            "rtp_aid",
            "isMongoId",
            "rtp_aid must be a mongodb id",
        )],
    );
    assert_eq!((status, body), (400, expected));
}

#[test]
fn patch_mock_accounts_with_a_percent_encoded_id_sets_the_scores() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();
    let path = format!("/_mock/accounts/{}", encoded_first(&id));
    let (status, account) = admin_at(
        &mock.url(),
        Method::PATCH,
        &path,
        Some(&json!({ "rtp_account_score": 9 })),
    );
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["rtp_aid"], id);
    assert_eq!(account["rtp_account_score"], 9);
}

fn health_with(mock: &MockRecotap, authorization: &str) -> u16 {
    client()
        .get(format!("{}/_mock/health", mock.url()))
        .header("Authorization", authorization)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

#[test]
fn the_bearer_scheme_of_the_admin_token_is_matched_in_any_case() {
    let mock = MockRecotap::builder().admin_token("T0K").start();
    for accepted in [
        "Bearer T0K",
        "bearer T0K",
        "BEARER T0K",
        "bEaReR T0K",
        "Bearer  T0K",
    ] {
        assert_eq!(health_with(&mock, accepted), 200, "{accepted}");
    }
    for refused in ["Bearer t0k", "Basic T0K", "BearerT0K", "Bearer T0K2", "T0K"] {
        assert_eq!(health_with(&mock, refused), 401, "{refused}");
    }
}
