//! Scores set to `null` (a score the vendor has not computed) and a chosen update time, over
//! real HTTP: `PATCH /_mock/accounts/{id}`, the state document and the Rust `ScoreUpdate`, and
//! what `GET /api/v1/accounts` then lists.

use crate::common::*;
use recotap_mock::{MockRecotap, NewAccount, ScoreUpdate};
use reqwest::Method;
use serde_json::{json, Value};

fn patch(mock: &MockRecotap, id: &str, body: &Value) -> (u16, Value) {
    admin_at(
        &mock.url(),
        Method::PATCH,
        &format!("/_mock/accounts/{id}"),
        Some(body),
    )
}

/// The scores of the one listed row, in the API's order.
fn listed_scores(mock: &MockRecotap) -> Value {
    let (status, body) = get(mock, "/accounts");
    assert_eq!(status, 200, "{body}");
    let row = &body["data"]["data"][0];
    json!([
        row["rtp_account_score"],
        row["rtp_advertising_activity_score"],
        row["rtp_website_intent_score"],
        row["rtp_g2_intent_score"],
        row["rtp_bombora_intent_score"],
    ])
}

#[test]
fn a_score_patched_to_null_is_listed_as_null() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme").score(78))
        .id()
        .to_string();
    let body = json!({ "rtp_account_score": null, "rtp_website_intent_score": null,
                       "rtp_g2_intent_score": 5 });
    let (status, account) = patch(&mock, &id, &body);
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["rtp_account_score"], Value::Null);
    assert_eq!(account["rtp_website_intent_score"], Value::Null);
    assert_eq!(account["rtp_g2_intent_score"], 5);
    assert_eq!(listed_scores(&mock), json!([null, 0, null, 5, 0]));
}

#[test]
fn a_score_missing_from_the_patch_is_kept_even_when_null() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();
    patch(&mock, &id, &json!({ "rtp_bombora_intent_score": null }));
    let (status, _) = patch(&mock, &id, &json!({ "rtp_advertising_activity_score": 3 }));
    assert_eq!(status, 200);
    assert_eq!(listed_scores(&mock), json!([0, 3, 0, 0, null]));
}

#[test]
fn rtp_last_account_date_in_the_patch_sets_the_update_time() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();
    let body = json!({ "rtp_last_account_date": "2026-01-02T03:04:05.678Z" });
    let (status, account) = patch(&mock, &id, &body);
    assert_eq!(status, 200, "{account}");
    assert_eq!(account["updatedAt"], "2026-01-02T03:04:05.678Z");
    let (_, listed) = get(&mock, "/accounts");
    assert_eq!(
        listed["data"]["data"][0]["rtp_last_account_date"],
        "2026-01-02T03:04:05.678Z"
    );
    // A delta sync from after that time no longer sees the account.
    let (_, later) = get(&mock, "/accounts?lastSync=2026-02-01T00:00:00Z");
    assert_eq!(later["data"]["data"], json!([]));
}

#[test]
fn a_patch_with_an_invalid_date_or_a_text_score_is_refused_and_changes_nothing() {
    let mock = mock();
    let id = mock
        .add_account(NewAccount::new("acme.com", "Acme"))
        .id()
        .to_string();
    let (status, body) = patch(&mock, &id, &json!({ "rtp_last_account_date": "soon" }));
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid body: "),
        "{body}"
    );
    let (status, _) = patch(&mock, &id, &json!({ "rtp_account_score": "high" }));
    assert_eq!(status, 400);
    assert_eq!(listed_scores(&mock), json!([0, 0, 0, 0, 0]));
}

#[test]
fn the_state_document_takes_and_gives_null_scores() {
    let mock = mock();
    let document = json!({ "teams": [ { "name": "default", "apiKeys": ["test-api-key"],
        "accounts": [ { "rtp_aid": "0123456789abcdef01234567", "domain": "acme.com",
                        "name": "Acme", "rtp_account_score": null, "rtp_g2_intent_score": 7 } ] } ] });
    let (status, body) = admin_at(&mock.url(), Method::PUT, "/_mock/state", Some(&document));
    assert_eq!(status, 204, "{body}");
    assert_eq!(listed_scores(&mock), json!([null, 0, 0, 7, 0]));
    let (_, state) = admin_at(&mock.url(), Method::GET, "/_mock/state", None);
    let account = &state["teams"][0]["accounts"][0];
    assert_eq!(account["rtp_account_score"], Value::Null);
    assert_eq!(account["rtp_g2_intent_score"], 7);
    assert_eq!(account["rtp_website_intent_score"], 0);
}

#[test]
fn the_rust_score_update_sets_a_score_to_null_and_a_chosen_date() {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme").score(40));
    let acme = mock.set_scores(
        "acme.com",
        ScoreUpdate::default()
            .account_score_null()
            .g2_intent_score(2)
            .last_account_date("2026-03-01T00:00:00Z"),
    );
    assert_eq!(acme.rtp_account_score, None);
    assert_eq!(acme.rtp_g2_intent_score, Some(2.into()));
    assert_eq!(acme.updated_at, "2026-03-01T00:00:00.000Z");
    assert_eq!(listed_scores(&mock), json!([null, 0, 0, 2, 0]));
}
