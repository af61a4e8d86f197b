//! A test kit that never passes falsely: a session owns its evidence (its own base URL, its
//! own journal bounds, client errors kept when entries are dropped), faults and expectations
//! read paths one way and refuse what could never fire, late expectations say so, and the
//! admin API refuses what it cannot mean.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common::*;
use recotap_mock::{Fault, MockRecotap, NewAccount, RequestPattern};
use reqwest::Method;
use serde_json::{json, Value};

/// The panic message of `run`, which must panic.
fn panic_of(run: impl FnOnce()) -> String {
    let panic = catch_unwind(AssertUnwindSafe(run)).expect_err("it panics");
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|text| text.to_string()))
        .unwrap_or_default()
}

/// `GET {base}/segments` with `key` (none for `None`): status and body.
fn segments_at(base: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = client().get(format!("{base}/segments"));
    if let Some(key) = key {
        request = request.header("X-Api-Key", key);
    }
    send(request)
}

// 1. Sessions own their evidence -----------------------------------------------------------

#[test]
fn one_sessions_traffic_never_evicts_another_sessions_client_error() {
    // A tiny bound per team, so that B's traffic would have pushed A's 400 out of a global one.
    let mock = MockRecotap::builder().journal_limits(5, 64 * 1024).start();
    let a = mock.session();
    let b = mock.session();
    let bad = json!({ "accounts": "not an array" });
    let (status, _) = send(
        client()
            .post(format!("{}/accounts", a.base_url()))
            .header("X-Api-Key", a.api_key())
            .json(&bad),
    );
    assert_eq!(status, 400);

    for _ in 0..40 {
        let body = json!({ "accounts": [{ "domain": "x.com", "name": "x".repeat(20_000) }] });
        let request = client()
            .post(format!("{}/accounts", b.base_url()))
            .header("X-Api-Key", b.api_key())
            .json(&body);
        assert_eq!(send(request).0, 200);
    }

    assert_eq!(a.requests().len(), 1);
    let message = panic_of(|| a.assert_no_client_errors());
    assert!(message.contains("POST /api/v1/accounts → 400"), "{message}");
    let (status, errors) = admin_at(
        &mock.url(),
        Method::GET,
        &format!("/_mock/client-errors?team={}", a.name()),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(errors.as_array().map(Vec::len), Some(1), "{errors}");
}

#[test]
fn a_client_error_in_an_entry_the_bound_dropped_still_fails_the_check_and_the_report_says_so() {
    let mock = MockRecotap::builder().journal_limits(2, 64 * 1024).start();
    let session = mock.session();
    assert_eq!(segments_at(session.base_url(), Some("wrong-key")).0, 401);
    for _ in 0..5 {
        assert_eq!(
            segments_at(session.base_url(), Some(session.api_key())).0,
            200
        );
    }

    assert_eq!(session.requests().len(), 2, "the bound holds");
    let message = panic_of(|| session.assert_no_client_errors());
    assert!(
        message.contains("GET /api/v1/segments → 401 Invalid API key"),
        "{message}"
    );
    let report = session.report();
    assert!(
        report.contains("4 older request(s) were dropped by the journal's bound"),
        "{report}"
    );
    assert!(report.contains("client errors (1):"), "{report}");
}

#[test]
fn a_wrong_missing_or_other_teams_key_under_a_sessions_base_url_is_that_sessions_client_error() {
    let mock = MockRecotap::start();
    let session = mock.session();
    let base = session.base_url().to_string();
    assert_eq!(
        base,
        format!("{}/s/{}/api/v1", mock.url(), session.name()),
        "a session's base URL is its own"
    );

    let (wrong, body) = segments_at(&base, Some("not-a-key"));
    assert_eq!(wrong, 401);
    assert_eq!(body["customMessage"], json!("Invalid API key"));
    assert_eq!(body["path"], json!("/api/v1/segments"), "{body}");
    assert_eq!(segments_at(&base, None).0, 401);
    assert_eq!(segments_at(&base, Some(mock.api_key())).0, 401);
    assert_eq!(segments_at(&base, Some(session.api_key())).0, 200);

    let requests = session.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [401, 401, 401, 200]);
    assert!(requests.iter().all(|r| r.path == "/api/v1/segments"));
    let prefix = format!("/s/{}", session.name());
    assert!(requests
        .iter()
        .all(|r| r.prefix.as_deref() == Some(&*prefix)));
    let message = panic_of(|| session.assert_no_client_errors());
    assert!(message.contains("got 3 client error(s)"), "{message}");
    assert!(
        message.contains("X-Api-Key header is required"),
        "{message}"
    );
    assert!(mock.team("default").accounts().is_empty());
}

#[test]
fn over_http_a_session_hands_out_its_own_base_url_and_sees_its_401s() {
    let mock = MockRecotap::start();
    let (status, created) = admin_at(&mock.url(), Method::POST, "/_mock/sessions", None);
    assert_eq!(status, 201);
    let team = created["team"].as_str().unwrap();
    let base = created["baseUrl"].as_str().unwrap();
    assert_eq!(base, format!("{}/s/{team}/api/v1", mock.url()));

    assert_eq!(segments_at(base, None).0, 401);

    let path = format!("/_mock/client-errors?team={team}");
    let (_, errors) = admin_at(&mock.url(), Method::GET, &path, None);
    assert_eq!(
        errors,
        json!(["GET /api/v1/segments → 401 X-Api-Key header is required"])
    );
    let (_, unscoped) = admin_at(&mock.url(), Method::GET, "/_mock/client-errors", None);
    assert_eq!(unscoped.as_array().map(Vec::len), Some(1));
}

#[test]
fn a_sessions_key_keeps_working_on_the_plain_api_path() {
    let mock = MockRecotap::start();
    let session = mock.session();
    assert_eq!(
        segments_at(&mock.base_url(), Some(session.api_key())).0,
        200
    );
    assert_eq!(session.requests()[0].prefix, None);
}

#[test]
fn an_unknown_teams_base_url_is_a_404_as_any_unknown_route() {
    let mock = mock();
    let (status, body) = segments_at(&format!("{}/s/nobody/api/v1", mock.url()), None);
    assert_eq!(status, 404);
    assert_eq!(
        body,
        plain_error(
            404,
            "/s/nobody/api/v1/segments",
            "Cannot GET /s/nobody/api/v1/segments"
        )
    );
}

#[test]
fn faults_and_expectations_see_api_v1_paths_behind_a_sessions_base_url() {
    let mock = MockRecotap::start();
    let session = mock.session();
    session.add_fault(Fault::status(503).on("GET", "/segments").times(1));
    session.expect(RequestPattern::get("/segments")).times(2);

    assert_eq!(
        segments_at(session.base_url(), Some(session.api_key())).0,
        503
    );
    assert_eq!(
        segments_at(session.base_url(), Some(session.api_key())).0,
        200
    );

    session.verify();
}

#[test]
fn a_session_base_url_names_the_port_the_mock_is_on_for_a_host_without_one_and_for_http_1_0() {
    let mock = MockRecotap::start();
    let port = mock.address().port();
    let answer = |head: &str| {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(mock.address()).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").unwrap().1;
        serde_json::from_str::<Value>(body).unwrap()["baseUrl"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let no_port = answer(
        "POST /_mock/sessions HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert!(
        no_port.starts_with(&format!("http://localhost:{port}/s/s-")),
        "{no_port}"
    );
    let no_host = answer("POST /_mock/sessions HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
    assert!(
        no_host.starts_with(&format!("http://127.0.0.1:{port}/s/s-")),
        "{no_host}"
    );
}

// 2. One path grammar, refusals at registration ---------------------------------------------

#[test]
fn a_fault_on_a_path_without_the_api_prefix_fires() {
    let mock = mock();
    mock.add_fault(Fault::status(503).on_path("/segments"));
    assert_eq!(get(&mock, "/segments").0, 503);
    assert_eq!(mock.faults()[0].hits, 1);

    let fault = json!({ "kind": "status", "status": 502, "match": { "method": "GET", "path": "/accounts" } });
    let (status, _) = admin_at(&mock.url(), Method::POST, "/_mock/faults", Some(&fault));
    assert_eq!(status, 201);
    assert_eq!(get(&mock, "/accounts").0, 502);
    let (_, listed) = admin_at(&mock.url(), Method::GET, "/_mock/faults", None);
    assert_eq!(listed[1]["match"]["path"], json!("/api/v1/accounts"));
}

#[test]
fn a_fault_or_expectation_path_with_a_query_is_refused_at_registration() {
    let mock = mock();
    let fault = json!({ "kind": "status", "status": 503, "match": { "path": "/api/v1/accounts?lastSync=x" } });
    let (status, body) = admin_at(&mock.url(), Method::POST, "/_mock/faults", Some(&fault));
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("has a query"),
        "{body}"
    );

    let expect = json!({ "method": "GET", "path": "/accounts?limit=1", "times": 0 });
    let (status, body) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/expectations",
        Some(&expect),
    );
    assert_eq!(status, 400, "{body}");
    let message = panic_of(|| drop(Fault::reset().on_path("/segments?x=1")));
    assert!(message.contains("has a query"), "{message}");
    let read = serde_json::from_value::<Fault>(
        json!({ "kind": "reset", "match": { "path": "/segments?x=1" } }),
    );
    assert!(read.unwrap_err().to_string().contains("has a query"));
    let message = panic_of(|| drop(RequestPattern::get("/accounts?limit=1")));
    assert!(message.contains("has a query"), "{message}");
}

#[test]
fn a_fault_or_expectation_that_no_route_can_match_is_refused_with_the_routes_listed() {
    let mock = mock();
    let fault =
        json!({ "kind": "status", "status": 503, "match": { "method": "GET", "path": "/deals" } });
    let (status, body) = admin_at(&mock.url(), Method::POST, "/_mock/faults", Some(&fault));
    assert_eq!(status, 400);
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("no API route can ever match GET /api/v1/deals"),
        "{error}"
    );
    assert!(error.contains("POST /api/v1/deals"), "{error}");

    let expect = json!({ "path": "/acounts" });
    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/expectations",
        Some(&expect),
    );
    assert_eq!(status, 400);
    let message = panic_of(|| drop(RequestPattern::post("/acounts")));
    assert!(message.contains("the routes are"), "{message}");
    assert!(mock.faults().is_empty());
}

#[test]
fn journal_filters_read_paths_in_the_same_grammar() {
    let mock = mock();
    assert_eq!(get(&mock, "/segments").0, 200);
    assert_eq!(get(&mock, "/accounts").0, 200);
    let (_, found) = admin_at(
        &mock.url(),
        Method::GET,
        "/_mock/requests?path=/segments",
        None,
    );
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let (status, _) = admin_at(
        &mock.url(),
        Method::GET,
        "/_mock/requests?path=segments",
        None,
    );
    assert_eq!(status, 400);
}

#[test]
fn an_expectation_registered_after_its_requests_says_they_arrived_before_it() {
    let mock = mock();
    assert_eq!(get(&mock, "/segments").0, 200);
    assert_eq!(get(&mock, "/segments").0, 200);
    mock.expect(RequestPattern::get("/segments")).times(2);

    let report = mock
        .try_verify()
        .expect_err("nothing arrived after it")
        .to_string();

    assert!(
        report.contains("2 matching requests arrived before this expectation was registered"),
        "{report}"
    );
    assert!(!report.contains("check the method and path"), "{report}");
    mock.reset();
}

// 3. The admin API refuses what it cannot mean ----------------------------------------------

#[test]
fn admin_bodies_must_be_json_objects_and_a_refused_one_changes_nothing() {
    let mock = mock();
    for (method, path, body) in [
        (Method::PUT, "/_mock/state", "[]"),
        (Method::POST, "/_mock/faults", "[\"status\", 503]"),
        (Method::POST, "/_mock/clock", " [\"2026-01-01T00:00:00Z\"]"),
        (Method::POST, "/_mock/sessions", "[]"),
        (Method::POST, "/_mock/expectations", "[]"),
        (Method::POST, "/_mock/accounts", "[\"acme.com\", \"Acme\"]"),
    ] {
        let response = client()
            .request(method.clone(), format!("{}{path}", mock.url()))
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(response.status(), 400, "{method} {path} {body}");
        let text = response.text().unwrap();
        assert!(text.contains("takes a JSON object, not an array"), "{text}");
    }
    assert_eq!(get(&mock, "/segments").0, 200, "the key survived");
    assert!(mock.faults().is_empty());
}

#[test]
fn a_state_over_the_apis_body_limit_goes_back_through_the_admin_api() {
    let mock = MockRecotap::builder().max_body_bytes(64 * 1024).start();
    let accounts: Vec<Value> = (0..400)
        .map(|i| json!({ "domain": format!("d{i}.com"), "name": "n".repeat(300) }))
        .collect();
    let document = json!({ "teams": [{ "name": "default", "apiKeys": ["test-api-key"], "accounts": accounts }] });
    let text = document.to_string();
    assert!(text.len() > 64 * 1024);

    let put = |mock: &MockRecotap| {
        client()
            .put(format!("{}/_mock/state", mock.url()))
            .header("Content-Type", "application/json")
            .body(text.clone())
            .send()
            .unwrap()
    };
    assert_eq!(put(&mock).status(), 204);
    assert_eq!(mock.accounts().len(), 400);

    let small = MockRecotap::builder().admin_max_body_bytes(1024).start();
    let refused = put(&small);
    assert_eq!(refused.status(), 413);
    let error: Value = refused.json().unwrap();
    assert!(error["error"]
        .as_str()
        .unwrap()
        .contains("--admin-max-body-bytes"));
}

#[test]
fn head_is_answered_wherever_get_is_on_the_admin_api() {
    let mock = mock();
    for path in [
        "/_mock/health",
        "/_mock/state",
        "/_mock/requests",
        "/_mock/openapi.json",
    ] {
        let response = client()
            .head(format!("{}{path}", mock.url()))
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.text().unwrap(), "", "{path}: a head, no body");
    }
}

#[test]
fn a_state_document_refuses_what_the_api_could_never_create() {
    let mock = mock();
    let team = |extra: Value| {
        let mut team = json!({ "name": "default", "apiKeys": ["test-api-key"] });
        team.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "teams": [team] })
    };
    for (document, why) in [
        (
            team(
                json!({ "pipelines": [{ "pipelineId": "p1", "pipelineLabel": "P", "stages": [] }] }),
            ),
            "has no stages",
        ),
        (
            team(
                json!({ "pipelines": [{ "pipelineId": "", "pipelineLabel": "P", "stages": [{ "stageId": "s", "stageLabel": "S" }] }] }),
            ),
            "empty pipelineId",
        ),
        (
            team(
                json!({ "pipelines": [{ "pipelineId": "p", "pipelineLabel": "P", "stages": [{ "stageId": "", "stageLabel": "S" }] }] }),
            ),
            "empty stageId",
        ),
        (
            team(json!({ "segments": [{ "segmentId": "", "name": "Q2" }] })),
            "segmentId must not be empty",
        ),
    ] {
        let (status, body) = admin_at(&mock.url(), Method::PUT, "/_mock/state", Some(&document));
        assert_eq!(status, 400, "{document}");
        assert!(body["error"].as_str().unwrap().contains(why), "{body}");
    }
    let empty_id = json!({ "name": "Q2", "segmentId": "" });
    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/segments",
        Some(&empty_id),
    );
    assert_eq!(status, 400);
    assert_eq!(get(&mock, "/segments").1["data"]["data"], json!([]));
}

// 4. The API: lone surrogates filter as they store, and many header lines are served --------

#[test]
fn a_domain_with_a_lone_surrogate_stored_by_post_can_be_filtered_for() {
    let mock = mock();
    // Answers hold the lone surrogate as `JSON.stringify` writes it, which serde_json refuses:
    // read as text.
    let body = r#"{"accounts":[{"domain":"a\ud83d.com","name":"A"}]}"#;
    let created = api(&mock, Method::POST, "/accounts")
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(created.status(), 200);
    assert!(created.text().unwrap().contains(r#""created":1"#));

    let found = api(&mock, Method::GET, r#"/accounts?domains=["a\ud83d.com"]"#)
        .send()
        .unwrap();

    assert_eq!(found.status(), 200);
    let text = found.text().unwrap();
    assert!(text.contains(r#""domain":"a\ud83d.com""#), "{text}");
}

#[test]
fn a_request_with_500_header_lines_is_served_and_journaled_as_node_serves_it() {
    let mock = mock();
    let mut head = format!(
        "GET /api/v1/segments HTTP/1.1\r\nX-Api-Key: {}",
        mock.api_key()
    );
    for i in 0..500 {
        head.push_str(&format!("\r\nX-Extra-{i}: {i}"));
    }
    let (status, _) = raw_exchange(mock.address(), &head, "");
    assert_eq!(status, 200);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn a_fault_for_a_team_that_does_not_exist_is_refused_as_it_could_never_fire() {
    let mock = mock();
    let fault = json!({ "kind": "status", "status": 503, "match": { "team": "nobody" } });
    let (status, body) = admin_at(&mock.url(), Method::POST, "/_mock/faults", Some(&fault));
    assert_eq!(status, 400);
    assert!(
        body["error"].as_str().unwrap().contains("no team 'nobody'"),
        "{body}"
    );
    assert!(mock
        .try_add_fault(Fault::reset().for_team("nobody"))
        .is_err());
    assert!(mock.faults().is_empty());
}

// 5. Found by the second QA pass ------------------------------------------------------------

/// `{method} {path}` on the mock's admin API with no body: status and JSON (or null).
fn admin(mock: &MockRecotap, method: Method, path: &str) -> (u16, Value) {
    admin_at(&mock.url(), method, path, None)
}

#[test]
fn a_fault_or_expectation_path_with_a_trailing_slash_names_the_route_and_fires() {
    let mock = mock();
    mock.add_fault(Fault::status(503).on("GET", "/segments/").times(1));
    mock.expect(RequestPattern::get("/segments/")).times(2);
    assert_eq!(get(&mock, "/segments").0, 503);
    assert_eq!(get(&mock, "/segments/").0, 200);
    mock.verify();
}

#[test]
fn an_account_id_in_upper_case_or_percent_encoded_is_matched_as_the_router_reads_it() {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    let aid = id_of(&mock, "acme.com");
    mock.expect(RequestPattern::put(&format!("/accounts/{aid}")))
        .times(2);
    let body = json!({ "customFields": {} });
    for path in [
        format!("/accounts/{}", aid.to_uppercase()),
        format!("/accounts/%{:x}{}", aid.as_bytes()[0], &aid[1..]),
    ] {
        let (status, _) = send(api(&mock, Method::PUT, &path).json(&body));
        assert_eq!(status, 200, "{path}");
    }
    mock.verify();
    let filter = format!("/_mock/requests?path=/accounts/{aid}");
    assert_eq!(
        admin(&mock, Method::GET, &filter)
            .1
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn an_unknown_query_parameter_of_the_admin_api_is_refused_instead_of_widening_the_call() {
    let mock = mock();
    let session = mock.session();
    for path in [
        format!("/_mock/verify?teams={}", session.name()),
        "/_mock/requests?stauts=404".to_string(),
        format!("/_mock/state?team={}", session.name()),
        "/_mock/health?x=1".to_string(),
    ] {
        let (status, body) = admin(&mock, Method::GET, &path);
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["error"]
            .as_str()
            .unwrap()
            .contains("unknown query parameter"));
    }
}

#[test]
fn whole_mock_clears_and_expectations_never_touch_a_sessions_own() {
    let mock = mock();
    let session = mock.session();
    session.expect(RequestPattern::post("/accounts")).times(1);
    assert_eq!(segments_at(session.base_url(), Some("bad-key")).0, 401);
    session.add_fault(Fault::status(503).on_path("/segments"));
    assert_eq!(
        segments_at(session.base_url(), Some(session.api_key())).0,
        503
    );

    assert_eq!(admin(&mock, Method::DELETE, "/_mock/expectations").0, 204);
    assert_eq!(admin(&mock, Method::DELETE, "/_mock/requests").0, 204);
    assert_eq!(admin(&mock, Method::DELETE, "/_mock/faults").0, 204);

    assert!(
        session.try_verify().is_err(),
        "the session's expectation is still there"
    );
    assert_eq!(
        session.faults().len(),
        1,
        "the session's fault is still there"
    );
    assert!(panic_of(|| session.assert_no_client_errors()).contains("401"));
    session.clear_faults();
    mock.expect(RequestPattern::get("/segments")).times(1);
    assert_eq!(
        segments_at(session.base_url(), Some(session.api_key())).0,
        200
    );
    session.reset();
    let message = mock
        .try_verify()
        .expect_err("the session's GET is not the mock's");
    assert!(
        message.to_string().contains("received it 0 times"),
        "{message}"
    );
    mock.reset();
}

#[test]
fn journal_filters_find_requests_outside_the_api_and_refuse_values_that_match_nothing() {
    let mock = mock();
    let _ = client()
        .get(format!("{}/api/v2/segments", mock.url()))
        .send()
        .unwrap();
    let (_, found) = admin(&mock, Method::GET, "/_mock/requests?path=/api/v2/segments");
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    for bad in ["status=600", "status=9xx", "method="] {
        let (status, _) = admin(&mock, Method::GET, &format!("/_mock/requests?{bad}"));
        assert_eq!(status, 400, "{bad}");
    }
}

#[test]
fn a_refused_seeding_call_leaves_no_new_team_behind() {
    let mock = mock();
    let bad_account = json!({ "domain": "not a domain", "name": "X" });
    let (status, _) = admin_at(
        &mock.url(),
        Method::POST,
        "/_mock/accounts?team=t3",
        Some(&bad_account),
    );
    assert_eq!(status, 400);
    let (_, state) = admin(&mock, Method::GET, "/_mock/state");
    let teams: Vec<&str> = state["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(teams, ["default"]);
}

#[test]
fn the_clock_is_never_moved_past_the_last_instant_a_timestamp_can_show() {
    let mock = mock();
    let far = json!({ "advanceMs": 4_611_686_018_427_387_904_i64 });
    let (status, body) = admin_at(&mock.url(), Method::POST, "/_mock/clock", Some(&far));
    assert_eq!(status, 400, "{body}");
    assert_eq!(mock.now().to_string(), FROZEN);
}

#[test]
fn expectations_and_faults_that_could_never_fail_or_fire_are_refused() {
    let mock = mock();
    let at_least_zero = json!({ "path": "/segments", "atLeast": 0 });
    assert_eq!(
        admin_at(
            &mock.url(),
            Method::POST,
            "/_mock/expectations",
            Some(&at_least_zero)
        )
        .0,
        400
    );
    let never_fires = json!({ "kind": "hang", "probability": 0 });
    assert_eq!(
        admin_at(
            &mock.url(),
            Method::POST,
            "/_mock/faults",
            Some(&never_fires)
        )
        .0,
        400
    );
    let message = panic_of(|| {
        mock.expect(RequestPattern::get("/segments")).at_least(0);
    });
    assert!(message.contains("always holds"), "{message}");
    mock.reset();
}

#[test]
fn a_lower_case_method_is_not_the_api_method_for_faults_and_expectations() {
    let mock = mock();
    mock.expect(RequestPattern::get("/segments")).never();
    mock.add_fault(Fault::status(503).on("get", "/segments"));
    let head = format!(
        "get /api/v1/segments HTTP/1.1\r\nX-Api-Key: {}",
        mock.api_key()
    );
    let (status, _) = raw_exchange(mock.address(), &head, "");
    assert_eq!(status, 404, "the router serves GET, not get");
    assert_eq!(mock.faults()[0].hits, 0);
    mock.verify();
    assert_eq!(
        get(&mock, "/segments").0,
        503,
        "the fault's method was read as GET"
    );
    mock.reset();
}

#[test]
fn head_is_routed_as_get_as_express_routes_it() {
    let mock = mock();
    let response = api(&mock, Method::HEAD, "/segments").send().unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().unwrap(), "");
}

// 6. Hints where users go wrong --------------------------------------------------------------

#[test]
fn a_body_ignored_for_its_content_type_is_marked_in_the_journal_and_the_report() {
    let mock = mock();
    let (status, _) = send(
        api(&mock, Method::POST, "/accounts")
            .header("Content-Type", "text/plain;charset=UTF-8")
            .body(r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#),
    );
    assert_eq!(status, 400, "read as {{}}: accounts must be an array");
    let note = mock.requests()[0].note.clone().expect("a note");
    assert!(
        note.starts_with("body ignored: its Content-Type is not application/json"),
        "{note}"
    );
    let report = mock.report();
    assert!(
        report.contains(
            "accounts must be an array (body ignored: its Content-Type is not application/json"
        ),
        "{report}"
    );
    let account = json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] });
    assert_eq!(post(&mock, "/accounts", &account).0, 200);
    assert_eq!(mock.requests()[1].note, None, "a JSON body has no note");
}

#[test]
fn a_cors_preflight_without_cors_is_marked_with_the_flag_to_use() {
    let mock = mock();
    let response = client()
        .request(Method::OPTIONS, format!("{}/accounts", mock.base_url()))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .unwrap();
    assert_eq!(response.status(), 404, "as the vendor answers it");
    let note = mock.requests()[0].note.clone().expect("a note");
    assert!(note.contains("--cors"), "{note}");
}

#[test]
fn a_domains_filter_with_a_byte_order_mark_is_refused_as_json_parse_refuses_it() {
    let mock = mock();
    let (status, body) = get(&mock, "/accounts?domains=%EF%BB%BF%5B%5D");
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["data"][0]["constraints"]["isArray"],
        json!("domains must be an array")
    );
    assert_eq!(get(&mock, "/accounts?domains=%5B%5D").0, 200);
}
