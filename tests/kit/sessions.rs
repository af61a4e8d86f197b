//! Sessions (one isolated team per test on a shared mock) over the admin API and through the
//! Rust handle: their own key, data, journal, faults, clock and reset; isolation under load;
//! a thousand live sessions.

use std::thread;

use crate::common::*;
use recotap_mock::{Fault, MockRecotap, NewAccount};
use reqwest::Method;
use serde_json::{json, Value};

/// `POST /_mock/sessions` with `body`; returns (team, key).
fn new_session(mock: &MockRecotap, body: Option<&Value>) -> (String, String) {
    let (status, answer) = admin_at(&mock.url(), Method::POST, "/_mock/sessions", body);
    assert_eq!(status, 201, "{answer}");
    let team = answer["team"].as_str().expect("a team").to_string();
    let key = answer["apiKey"].as_str().expect("a key").to_string();
    (team, key)
}

fn push(mock: &MockRecotap, key: &str, domain: &str) -> (u16, Value) {
    let body = json!({ "accounts": [{ "domain": domain, "name": domain }] });
    call_with_key(mock, key, Method::POST, "/accounts", Some(&body))
}

fn domains(mock: &MockRecotap, key: &str) -> Vec<String> {
    let (status, body) = call_with_key(mock, key, Method::GET, "/accounts", None);
    assert_eq!(status, 200, "{body}");
    body["data"]["data"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["domain"].as_str().expect("a domain").to_string())
        .collect()
}

#[test]
fn a_session_is_a_fresh_team_with_its_own_key_and_its_own_base_url() {
    let mock = mock();
    let (status, answer) = admin_at(&mock.url(), Method::POST, "/_mock/sessions", None);
    assert_eq!(status, 201);
    let team = answer["team"].as_str().unwrap();
    let key = answer["apiKey"].as_str().unwrap();
    assert!(team.starts_with("s-") && team.len() == 26, "{team}");
    assert!(key.starts_with("sk_") && key.len() == 27, "{key}");
    // The session's own base URL (a wrong key under it is still this session's 401).
    assert_eq!(
        answer["baseUrl"],
        json!(format!("{}/s/{team}/api/v1", mock.url()))
    );
    assert_eq!(domains(&mock, key), Vec::<String>::new());
}

#[test]
fn sessions_never_see_each_others_accounts() {
    let mock = mock();
    let (_, a) = new_session(&mock, None);
    let (_, b) = new_session(&mock, None);
    assert_eq!(push(&mock, &a, "acme.com").0, 200);
    assert_eq!(push(&mock, &b, "globex.com").0, 200);
    assert_eq!(domains(&mock, &a), ["acme.com"]);
    assert_eq!(domains(&mock, &b), ["globex.com"]);
    assert!(mock.accounts().is_empty(), "team default is untouched");
}

#[test]
fn a_session_with_a_frozen_clock_and_an_id_seed_is_reproducible() {
    let mock = mock();
    let body = json!({ "frozenClock": "2027-01-02T03:04:05.006Z", "idSeed": 42 });
    let (_, a) = new_session(&mock, Some(&body));
    let (_, b) = new_session(&mock, Some(&body));
    let (_, first) = push(&mock, &a, "acme.com");
    let (_, second) = push(&mock, &b, "acme.com");
    assert_eq!(
        first["data"]["results"][0]["rtp_aid"],
        second["data"]["results"][0]["rtp_aid"]
    );
    assert_eq!(first["timestamp"], json!("2027-01-02T03:04:05.006Z"));
    let id = first["data"]["results"][0]["rtp_aid"].as_str().unwrap();
    // The id's first 4 bytes are the session clock's seconds (2027-01-02T03:04:05Z).
    assert!(id.starts_with("6b386925"), "{id}");
}

#[test]
fn a_seeded_sessions_generator_goes_on_across_requests_and_starts_over_at_its_reset() {
    // Arrange: two sessions with one seed, each a generator of its own.
    let mock = mock();
    let body = json!({ "frozenClock": "2027-01-02T03:04:05.006Z", "idSeed": 7 });
    let (team, a) = new_session(&mock, Some(&body));
    let (_, b) = new_session(&mock, Some(&body));
    let id = |answer: Value| answer["data"]["results"][0]["rtp_aid"].clone();

    // Act: two requests in each, a's interleaved with the mock's own, then a segment seeded
    // in a, whose generated id comes from the same generator.
    let a_ids = [
        id(push(&mock, &a, "one.com").1),
        id(push(&mock, &a, "two.com").1),
    ];
    push(&mock, mock.api_key(), "noise.com");
    let b_ids = [
        id(push(&mock, &b, "one.com").1),
        id(push(&mock, &b, "two.com").1),
    ];
    let (_, segment) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/segments?team={team}"),
        Some(&json!({ "name": "Seeded" })),
    );
    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/reset?team={team}"),
        None,
    );
    let after_reset = id(push(&mock, &a, "one.com").1);

    // Assert: the second request's id follows the first's (the generator was kept), the same
    // in both sessions, and a reset starts the sequence over.
    assert_ne!(a_ids[0], a_ids[1]);
    assert_eq!(a_ids, b_ids);
    assert!(
        !a_ids.contains(&segment["segmentId"]),
        "{segment} reused an id of {a_ids:?}"
    );
    assert_eq!(status, 204);
    assert_eq!(after_reset, a_ids[0]);
}

#[test]
fn a_session_reset_returns_that_session_alone_to_its_start() {
    let mock = mock();
    let frozen = json!({ "frozenClock": "2027-01-01T00:00:00.000Z" });
    let (team, a) = new_session(&mock, Some(&frozen));
    let (_, b) = new_session(&mock, None);
    push(&mock, &a, "acme.com");
    push(&mock, &b, "globex.com");
    let fault = json!({ "kind": "status", "status": 503 });
    admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/faults?team={team}"),
        Some(&fault),
    );
    let advance = json!({ "advanceMs": 60000 });
    admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/clock?team={team}"),
        Some(&advance),
    );

    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/reset?team={team}"),
        None,
    );

    assert_eq!(status, 204);
    assert_eq!(
        domains(&mock, &a),
        Vec::<String>::new(),
        "data, key and faults as created"
    );
    assert_eq!(
        domains(&mock, &b),
        ["globex.com"],
        "the other session is untouched"
    );
    let (_, journal) = admin_at(
        &mock.url(),
        Method::GET,
        &format!("/_mock/requests?team={team}"),
        None,
    );
    assert_eq!(
        journal.as_array().unwrap().len(),
        1,
        "only the GET after the reset: {journal}"
    );
    let (_, listed) = push(&mock, &a, "initech.com");
    assert_eq!(
        listed["timestamp"],
        json!("2027-01-01T00:00:00.000Z"),
        "the clock as created"
    );
}

#[test]
fn a_fault_added_for_a_session_hits_only_that_session() {
    let mock = mock();
    let (team, a) = new_session(&mock, None);
    let (_, b) = new_session(&mock, None);
    let fault = json!({ "kind": "status", "status": 503 });
    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/faults?team={team}"),
        Some(&fault),
    );
    assert_eq!(status, 201);

    assert_eq!(push(&mock, &a, "acme.com").0, 503);
    assert_eq!(push(&mock, &b, "acme.com").0, 200);
    assert_eq!(
        api(&mock, Method::GET, "/segments")
            .send()
            .unwrap()
            .status(),
        200
    );
    let (_, listed) = admin_at(
        &mock.url(),
        Method::GET,
        &format!("/_mock/faults?team={team}"),
        None,
    );
    assert_eq!(listed[0]["match"], json!({ "team": team }));
    let (_, others) = admin_at(&mock.url(), Method::GET, "/_mock/faults?team=default", None);
    assert_eq!(others, json!([]));
}

#[test]
fn a_session_clock_moves_alone() {
    let mock = mock(); // frozen at FROZEN
    let (team, a) = new_session(&mock, Some(&json!({ "frozenClock": FROZEN })));
    let (status, now) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/clock?team={team}"),
        Some(&json!({ "advanceMs": 1000 })),
    );
    assert_eq!(
        (status, now),
        (200, json!({ "now": "2026-04-30T10:00:01.000Z" }))
    );
    assert_eq!(
        call_with_key(&mock, &a, Method::GET, "/segments", None).1["timestamp"],
        json!("2026-04-30T10:00:01.000Z")
    );
    assert_eq!(mock.now(), FROZEN, "the mock's clock did not move");
}

#[test]
fn deleting_a_session_drops_its_team_and_revokes_its_key() {
    let mock = mock();
    let (team, a) = new_session(&mock, None);
    push(&mock, &a, "acme.com");
    let (status, _) = admin_at(
        &mock.url(),
        Method::DELETE,
        &format!("/_mock/sessions/{team}"),
        None,
    );
    assert_eq!(status, 204);
    let (status, body) = call_with_key(&mock, &a, Method::GET, "/segments", None);
    assert_eq!(
        (status, body["customMessage"].clone()),
        (401, json!("Invalid API key"))
    );
    let (status, body) = admin_at(
        &mock.url(),
        Method::DELETE,
        &format!("/_mock/sessions/{team}"),
        None,
    );
    assert_eq!(
        (status, body),
        (404, json!({ "error": format!("Team '{team}' not found") }))
    );
    let (status, _) = admin_at(
        &mock.url(),
        Method::GET,
        &format!("/_mock/requests?team={team}"),
        None,
    );
    assert_eq!(status, 404);
}

#[test]
fn a_session_profile_is_documented_or_sandbox_and_anything_else_is_refused() {
    let mock = mock();
    for profile in ["documented", "sandbox"] {
        new_session(&mock, Some(&json!({ "profile": profile })));
    }
    let (status, body) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/sessions",
        Some(&json!({ "profile": "live" })),
    );
    assert_eq!(status, 400);
    let message = body["error"].as_str().expect("an error message");
    assert!(
        message.starts_with(
            "invalid body: unknown variant `live`, expected `documented` or `sandbox`"
        ),
        "{message}"
    );
}

#[test]
fn the_handle_session_is_isolated_and_deleted_on_drop() {
    let mock = MockRecotap::start();
    let team = {
        let session = mock.session();
        session.add_account(NewAccount::new("acme.com", "Acme"));
        assert_eq!(push(&mock, session.api_key(), "globex.com").0, 200);
        session.add_fault(Fault::status(500).times(1));
        assert_eq!(push(&mock, session.api_key(), "x.com").0, 500);
        assert_eq!(
            push(&mock, mock.api_key(), "y.com").0,
            200,
            "the fault is the session's"
        );
        assert_eq!(session.accounts().len(), 2);
        assert_eq!(session.requests().len(), 2);
        session.freeze_clock("2030-01-01T00:00:00Z");
        assert_eq!(session.now(), "2030-01-01T00:00:00.000Z");
        session.reset();
        assert!(session.accounts().is_empty() && session.requests().is_empty());
        session.name().to_string()
    };
    assert!(mock.team(&team).accounts().is_empty());
    let (status, _) = admin_at(
        &mock.url(),
        Method::GET,
        &format!("/_mock/requests?team={team}"),
        None,
    );
    assert_eq!(status, 404, "the team is gone");
}

#[test]
fn a_thousand_live_sessions_are_fine() {
    let mock = MockRecotap::start();
    let sessions: Vec<_> = (0..1000).map(|_| mock.session()).collect();
    for (i, session) in sessions.iter().enumerate().step_by(97) {
        assert_eq!(push(&mock, session.api_key(), &format!("s{i}.com")).0, 200);
    }
    for (i, session) in sessions.iter().enumerate().step_by(97) {
        assert_eq!(domains(&mock, session.api_key()), [format!("s{i}.com")]);
    }
    drop(sessions);
    assert_eq!(
        mock.snapshot().teams.len(),
        1,
        "every session team was deleted"
    );
}

/// 32 sessions at once on one mock, each seeding, pushing, injecting a fault, moving its clock
/// and resetting at random; every answer and every journal must be the session's own.
#[test]
fn thirty_two_sessions_in_parallel_each_see_exactly_their_own_world() {
    let mock = MockRecotap::start();
    thread::scope(|scope| {
        for worker in 0..32u64 {
            let mock = &mock;
            scope.spawn(move || {
                let session = mock.session();
                let key = session.api_key().to_string();
                let mut state = worker.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
                let mut mine: Vec<String> = Vec::new();
                let mut clock_ms: Option<i64> = None;
                for step in 0..40 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    match state % 5 {
                        0 | 1 => {
                            let domain = format!("w{worker}-{step}.com");
                            let (status, body) = push(mock, &key, &domain);
                            assert_eq!(status, 200, "{body}");
                            mine.push(domain);
                        }
                        2 => {
                            session.add_account(NewAccount::new(
                                &format!("seed-w{worker}-{step}.com"),
                                "S",
                            ));
                            mine.push(format!("seed-w{worker}-{step}.com"));
                        }
                        3 => {
                            let at = 1_900_000_000_000 + (worker as i64) * 1_000_000 + step;
                            session.freeze_clock(recotap_mock::Timestamp::from_millis(at));
                            clock_ms = Some(at);
                            session.add_fault(Fault::status(418).times(1));
                            let (status, body) =
                                call_with_key(mock, &key, Method::GET, "/segments", None);
                            assert_eq!(status, 418, "{body}");
                            assert_eq!(
                                body["timestamp"],
                                json!(recotap_mock::Timestamp::from_millis(at).to_string())
                            );
                        }
                        _ => {
                            session.reset();
                            mine.clear();
                            clock_ms = None;
                        }
                    }
                    let mut expected = mine.clone();
                    expected.sort();
                    let mut seen = domains(mock, &key);
                    seen.sort();
                    assert_eq!(seen, expected, "worker {worker} step {step}");
                    for entry in session.requests() {
                        assert_eq!(
                            entry.team.as_deref(),
                            Some(session.name()),
                            "a foreign request"
                        );
                    }
                    assert!(session.faults().is_empty(), "a fault left over or foreign");
                    if let Some(at) = clock_ms {
                        assert_eq!(session.now().as_millis(), at, "a foreign clock");
                    }
                }
            });
        }
    });
    assert!(mock.accounts().is_empty());
}

#[test]
fn sessions_on_the_process_wide_mock_are_isolated_from_each_other() {
    let a = MockRecotap::shared().session();
    let b = MockRecotap::shared().session();
    assert_eq!(push(MockRecotap::shared(), a.api_key(), "acme.com").0, 200);
    assert_eq!(
        domains(MockRecotap::shared(), b.api_key()),
        Vec::<String>::new()
    );
    assert_eq!(a.accounts().len(), 1);
    assert_eq!(
        MockRecotap::shared().address(),
        MockRecotap::shared().address()
    );
}

#[test]
fn a_request_refused_before_the_pipeline_is_journaled_under_its_session() {
    let mock = MockRecotap::builder().max_body_bytes(64).start();
    let session = mock.session();
    let big = json!({ "accounts": [{ "domain": "acme.com", "name": "x".repeat(200) }] });
    let (status, _) = push_body(&mock, session.api_key(), &big);
    assert_eq!(status, 413);
    let mine = session.requests();
    assert_eq!(mine.len(), 1, "the 413 is the session's");
    assert_eq!(mine[0].status, 413);
    assert_eq!(mine[0].team.as_deref(), Some(session.name()));
}

fn push_body(mock: &MockRecotap, key: &str, body: &Value) -> (u16, Value) {
    call_with_key(mock, key, Method::POST, "/accounts", Some(body))
}

#[test]
#[should_panic(expected = "no longer exists: a whole-mock reset or restore removes every session")]
fn a_session_whose_team_a_whole_reset_removed_says_so_instead_of_moving_the_mock_clock() {
    let mock = mock();
    let session = mock.session();
    mock.reset();
    session.freeze_clock("2030-01-01T00:00:00Z");
}

#[test]
fn only_sessions_can_be_deleted_through_the_sessions_endpoint() {
    let mock = mock();
    let (status, body) = admin_at(&mock.url(), Method::DELETE, "/_mock/sessions/default", None);
    assert_eq!(
        (status, body),
        (404, json!({ "error": "Team 'default' not found" }))
    );
    assert_eq!(
        get(&mock, "/segments").0,
        200,
        "the default key still works"
    );
}

#[test]
fn sessions_stay_out_of_the_state_document() {
    let mock = mock();
    let session = mock.session();
    session.add_account(NewAccount::new("acme.com", "Acme"));
    let document = mock.snapshot();
    assert_eq!(document.teams.len(), 1);
    assert_eq!(document.teams[0].name, "default");
    let (_, state) = admin_at(&mock.url(), Method::GET, "/_mock/state", None);
    assert!(
        !state.to_string().contains(session.api_key()),
        "no session key leaks"
    );
}

#[test]
fn a_clock_cannot_be_moved_backwards_with_advance_and_a_fault_cannot_name_another_team() {
    let mock = mock();
    let (status, body) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/clock",
        Some(&json!({ "advanceMs": -5 })),
    );
    assert_eq!(status, 400, "{body}");
    let (team, _) = new_session(&mock, None);
    let fault = json!({ "kind": "hang", "match": { "team": "default" } });
    let (status, body) = admin_at(
        &mock.url(),
        Method::POST,
        &format!("/_mock/faults?team={team}"),
        Some(&fault),
    );
    assert_eq!(
        (status, body),
        (
            400,
            json!({ "error": format!("match.team 'default' differs from ?team={team}") })
        )
    );
}
