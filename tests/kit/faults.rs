//! Faults and the rate limiter (docs/control.md §6) as a real HTTP client sees them: one fresh mock
//! per test, exact statuses, headers and bodies.

use std::error::Error as _;
use std::time::{Duration, Instant};

use recotap_mock::{Fault, MockRecotap};
use reqwest::blocking::{Client, Response};
use serde_json::{json, Value};

const NOW: &str = "2026-04-30T10:00:00.000Z";
const DUPLICATE: &str =
    "Account with domain 'acme.com' already exists. Set upsert: true to update this account via this endpoint.";

fn frozen_mock() -> MockRecotap {
    MockRecotap::builder().frozen_clock(NOW).start()
}

fn client() -> Client {
    client_with_timeout(Duration::from_secs(5))
}

fn client_with_timeout(timeout: Duration) -> Client {
    Client::builder().timeout(timeout).build().unwrap()
}

fn get_segments(mock: &MockRecotap, client: &Client) -> reqwest::Result<Response> {
    client
        .get(format!("{}/segments", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .send()
}

fn post_acme(mock: &MockRecotap, client: &Client) -> reqwest::Result<Response> {
    client
        .post(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .json(&json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
        .send()
}

fn status_of(response: reqwest::Result<Response>) -> u16 {
    response.unwrap().status().as_u16()
}

fn error_envelope(status: u16, message: &str, path: &str) -> Value {
    json!({ "statusCode": status, "timestamp": NOW, "path": path, "message": message, "data": null })
}

fn empty_segment_page() -> Value {
    json!({ "statusCode": 200, "timestamp": NOW, "path": "/api/v1/segments",
            "data": { "data": [], "nextCursor": null, "hasNextPage": false } })
}

/// Whether some error in the chain is an I/O error of `kind`.
fn caused_by(error: &reqwest::Error, kind: std::io::ErrorKind) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == kind)
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Waits (boundedly) until the mock has journaled `count` requests.
fn await_journal(mock: &MockRecotap, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.requests().len() < count {
        assert!(
            Instant::now() < deadline,
            "the request never reached the mock"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_status_fault_answers_the_error_envelope_for_its_status_and_stores_nothing() {
    let mock = frozen_mock();
    mock.add_fault(Fault::status(503).on("POST", "/api/v1/accounts"));

    let response = post_acme(&mock, &client()).unwrap();

    assert_eq!(response.status(), 503);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = response.json().unwrap();
    assert_eq!(
        body,
        error_envelope(503, "Service Unavailable", "/api/v1/accounts")
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_status_fault_with_a_body_and_retry_after_sends_them_as_given() {
    let mock = frozen_mock();
    mock.add_fault(
        Fault::status(502)
            .body(json!({ "error": "bad gateway" }))
            .retry_after(3),
    );

    let response = get_segments(&mock, &client()).unwrap();

    assert_eq!(response.status(), 502);
    assert_eq!(response.headers()["retry-after"], "3");
    assert_eq!(
        response.json::<Value>().unwrap(),
        json!({ "error": "bad gateway" })
    );
}

#[test]
fn a_rate_limit_fault_answers_429_with_retry_after_and_too_many_requests() {
    let mock = frozen_mock();
    mock.add_fault(Fault::rate_limit(7));

    let response = post_acme(&mock, &client()).unwrap();

    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: Value = response.json().unwrap();
    assert_eq!(
        body,
        error_envelope(429, "Too Many Requests", "/api/v1/accounts")
    );
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_delay_fault_answers_normally_later_without_slowing_other_requests() {
    let mock = frozen_mock();
    let delay = Duration::from_millis(600);
    mock.add_fault(Fault::delay(delay).on("GET", "/api/v1/segments"));

    let (url, key) = (
        format!("{}/segments", mock.base_url()),
        mock.api_key().to_string(),
    );
    let delayed = std::thread::spawn(move || {
        let started = Instant::now();
        let response = client().get(url).header("X-Api-Key", key).send().unwrap();
        (started.elapsed(), response.json::<Value>().unwrap())
    });
    await_journal(&mock, 1);

    let started = Instant::now();
    let other = (started.elapsed(), status_of(post_acme(&mock, &client())));
    let delayed = delayed.join().unwrap();

    assert!(delayed.0 >= delay, "answered after {:?}", delayed.0);
    assert_eq!(delayed.1, empty_segment_page());
    assert_eq!(other.1, 200);
    assert!(
        other.0 < Duration::from_millis(300),
        "the other request took {:?}",
        other.0
    );
}

#[test]
fn a_hang_fault_makes_the_client_time_out_and_the_next_request_is_served() {
    let mock = frozen_mock();
    mock.add_fault(Fault::hang().times(1));
    let client = client_with_timeout(Duration::from_millis(300));

    let error = get_segments(&mock, &client).unwrap_err();

    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(status_of(get_segments(&mock, &client)), 200);
}

#[test]
fn dropping_the_mock_ends_a_hung_request_within_the_shutdown_grace() {
    let mock = frozen_mock();
    mock.add_fault(Fault::hang());
    let url = format!("{}/segments", mock.base_url());
    let key = mock.api_key().to_string();
    let waiting = std::thread::spawn(move || {
        let response = client().get(url).header("X-Api-Key", key).send();
        (Instant::now(), response)
    });
    await_journal(&mock, 1);

    let dropped_at = Instant::now();
    drop(mock);
    let (ended_at, response) = waiting.join().unwrap();

    assert!(dropped_at.elapsed() < Duration::from_secs(2));
    let error = response.unwrap_err();
    assert!(error.is_request() && !error.is_timeout(), "{error:?}");
    assert!(ended_at.duration_since(dropped_at) < Duration::from_secs(2));
}

#[test]
fn a_reset_fault_gives_the_client_a_connection_reset_and_the_next_request_is_served() {
    let mock = frozen_mock();
    mock.add_fault(Fault::reset().times(1));
    let client = client();

    let error = get_segments(&mock, &client).unwrap_err();

    assert!(error.is_request(), "{error:?}");
    assert!(
        caused_by(&error, std::io::ErrorKind::ConnectionReset),
        "{error:?}"
    );
    assert_eq!(status_of(get_segments(&mock, &client)), 200);
}

#[test]
fn a_malformed_fault_answers_200_with_the_body_cut_mid_json() {
    let mock = frozen_mock();
    mock.add_fault(Fault::malformed().times(2));
    let client = client();

    let response = get_segments(&mock, &client).unwrap();
    let parsed = get_segments(&mock, &client).unwrap().json::<Value>();

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let whole = format!(
        "{{\"statusCode\":200,\"timestamp\":\"{NOW}\",\"path\":\"/api/v1/segments\",\"data\":null}}"
    );
    assert_eq!(response.text().unwrap(), whole[..whole.len() / 2]);
    let error = parsed.unwrap_err();
    assert!(error.is_decode(), "{error:?}");
    let next: Value = get_segments(&mock, &client).unwrap().json().unwrap();
    assert_eq!(next, empty_segment_page());
}

#[test]
fn an_applied_malformed_fault_stores_the_account_and_cuts_the_real_response() {
    let mock = frozen_mock();
    mock.add_fault(Fault::malformed().applied());

    let text = post_acme(&mock, &client()).unwrap().text().unwrap();

    let acme = mock
        .account_by_domain("acme.com")
        .expect("the request was applied");
    // Written out rather than built with `json!`: the expected text's key order is the point.
    let whole = format!(
        r#"{{"statusCode":200,"timestamp":"{NOW}","path":"/api/v1/accounts","data":{{"results":[{{"rtp_aid":"{}","domain":"acme.com","status":"created"}}],"summary":{{"total":1,"created":1,"updated":0,"failed":0}}}}}}"#,
        acme.id()
    );
    assert_eq!(text, whole[..whole.len() / 2]);
}

#[test]
fn an_applied_reset_stores_the_account_and_the_retry_reports_the_duplicate() {
    let mock = frozen_mock();
    mock.add_fault(
        Fault::reset()
            .on("POST", "/api/v1/accounts")
            .applied()
            .times(1),
    );
    let client = client();

    let error = post_acme(&mock, &client).unwrap_err();
    let acme = mock
        .account_by_domain("acme.com")
        .expect("the write happened");
    let retry: Value = post_acme(&mock, &client).unwrap().json().unwrap();

    assert!(
        caused_by(&error, std::io::ErrorKind::ConnectionReset),
        "{error:?}"
    );
    assert_eq!(
        retry["data"],
        json!({ "results": [{ "rtp_aid": acme.id().to_string(), "domain": "acme.com",
                              "status": "failed", "error": DUPLICATE }],
                "summary": { "total": 1, "created": 0, "updated": 0, "failed": 1 } })
    );
    assert_eq!(mock.accounts().len(), 1);
}

#[test]
fn an_unapplied_hang_stores_nothing() {
    let mock = frozen_mock();
    mock.add_fault(Fault::hang().times(1));

    let error = post_acme(&mock, &client_with_timeout(Duration::from_millis(200))).unwrap_err();

    assert!(error.is_timeout());
    assert!(mock.accounts().is_empty());
}

#[test]
fn a_match_on_method_and_exact_path_limits_the_fault_to_that_endpoint() {
    let mock = frozen_mock();
    mock.add_fault(Fault::status(500).on("POST", "/api/v1/accounts"));
    let client = client();

    let other_method = client
        .get(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .send();
    let longer_path = client
        .get(format!("{}/accounts/custom-fields", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .send();

    assert_ne!(status_of(other_method), 500);
    assert_eq!(status_of(longer_path), 200);
    assert_eq!(status_of(post_acme(&mock, &client)), 500);
}

#[test]
fn a_match_path_ending_in_a_star_is_a_prefix() {
    let mock = frozen_mock();
    mock.add_fault(Fault::status(500).on_path("/api/v1/accounts*"));
    let client = client();

    let fields = client
        .get(format!("{}/accounts/custom-fields", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .send();

    assert_eq!(status_of(fields), 500);
    assert_eq!(status_of(post_acme(&mock, &client)), 500);
    assert_eq!(status_of(get_segments(&mock, &client)), 200);
}

#[test]
fn times_spends_the_fault_and_the_listing_counts_down() {
    let mock = frozen_mock();
    let id = mock.add_fault(Fault::status(503).times(2));
    let client = client();
    let remaining = || {
        mock.faults()
            .iter()
            .map(|f| f.remaining)
            .collect::<Vec<_>>()
    };

    assert_eq!(remaining(), [Some(2)]);
    assert_eq!(status_of(get_segments(&mock, &client)), 503);
    assert_eq!(remaining(), [Some(1)]);
    assert_eq!(mock.faults()[0].id, id);
    assert_eq!(mock.faults()[0].hits, 1);
    assert_eq!(status_of(get_segments(&mock, &client)), 503);
    assert_eq!(remaining(), []);
    assert_eq!(status_of(get_segments(&mock, &client)), 200);
}

#[test]
fn after_lets_that_many_matching_requests_through_first() {
    let mock = frozen_mock();
    mock.add_fault(
        Fault::status(503)
            .on("GET", "/api/v1/segments")
            .after(2)
            .times(1),
    );
    let client = client();

    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            // Requests the fault does not match do not count towards `after`.
            assert_eq!(status_of(post_acme(&mock, &client)), 200);
            status_of(get_segments(&mock, &client))
        })
        .collect();

    assert_eq!(statuses, [200, 200, 503, 200]);
}

#[test]
fn seeded_probability_gives_the_same_hit_pattern_after_a_reset() {
    let mock = frozen_mock();
    let client = client();
    let run = || {
        mock.add_fault(Fault::status(503).probability(0.5, 7));
        (0..24)
            .map(|_| status_of(get_segments(&mock, &client)))
            .collect::<Vec<_>>()
    };

    let first = run();
    mock.reset();
    assert!(mock.faults().is_empty(), "reset removes faults");
    let second = run();

    assert_eq!(first, second);
    assert!(first.contains(&503) && first.contains(&200), "{first:?}");
}

#[test]
fn the_first_matching_fault_with_uses_left_wins() {
    let mock = frozen_mock();
    mock.add_fault(Fault::status(503).times(1));
    mock.add_fault(Fault::status(502));
    let client = client();

    let statuses: Vec<u16> = (0..3)
        .map(|_| status_of(get_segments(&mock, &client)))
        .collect();

    assert_eq!(statuses, [503, 502, 502]);
}

#[test]
fn admin_requests_are_never_faulted_or_rate_limited() {
    let mock = MockRecotap::builder()
        .rate_limit(1)
        .frozen_clock(NOW)
        .start();
    mock.add_fault(Fault::reset());
    let client = client();

    for _ in 0..3 {
        let health = client.get(format!("{}/_mock/health", mock.url())).send();
        assert_eq!(status_of(health), 200);
    }
    let listed = client.get(format!("{}/_mock/faults", mock.url())).send();
    assert_eq!(status_of(listed), 200);
}

#[test]
fn the_admin_api_adds_lists_and_clears_faults() {
    let mock = frozen_mock();
    let client = client();
    let faults_url = format!("{}/_mock/faults", mock.url());
    let add = |body: Value| client.post(&faults_url).json(&body).send().unwrap();

    let first = add(json!({ "kind": "status", "status": 503,
        "match": { "method": "POST", "path": "/api/v1/accounts" }, "times": 2 }));
    let second = add(json!({ "kind": "delay", "delayMs": 10, "probability": 0.25, "seed": 7 }));
    assert_eq!(first.status(), 201);
    assert_eq!(first.json::<Value>().unwrap(), json!({ "id": 1 }));
    assert_eq!(second.json::<Value>().unwrap(), json!({ "id": 2 }));
    assert_eq!(status_of(post_acme(&mock, &client)), 503);

    let listed: Value = client.get(&faults_url).send().unwrap().json().unwrap();
    assert_eq!(
        listed,
        json!([
            { "id": 1, "kind": "status", "status": 503,
              "match": { "method": "POST", "path": "/api/v1/accounts" }, "times": 2,
              "after": 0, "probability": 1.0, "seed": 0, "apply": false, "remaining": 1, "hits": 1 },
            { "id": 2, "kind": "delay", "delayMs": 10, "after": 0, "probability": 0.25, "seed": 7,
              "apply": false, "remaining": null, "hits": 0 }
        ])
    );

    let cleared = client.delete(&faults_url).send().unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(
        client
            .get(&faults_url)
            .send()
            .unwrap()
            .json::<Value>()
            .unwrap(),
        json!([])
    );
    assert_eq!(status_of(post_acme(&mock, &client)), 200);
}

#[test]
fn the_admin_api_refuses_an_invalid_fault_with_400_and_adds_nothing() {
    let mock = frozen_mock();
    let client = client();
    let faults_url = format!("{}/_mock/faults", mock.url());
    let cases = [
        (
            r#"{"kind":"status"}"#,
            "invalid body: a status fault needs \"status\" between 200 and 599",
        ),
        (
            r#"{"kind":"hang","probability":2}"#,
            "invalid body: \"probability\" must be between 0 and 1",
        ),
        (
            r#"{"kind":"reset","tiems":1}"#,
            "invalid body: unknown field `tiems`",
        ),
        (
            r#"{"kind":"explode"}"#,
            "invalid body: unknown variant `explode`",
        ),
        (r#"{"kind":"#, "invalid body: EOF while parsing a value"),
    ];

    for (body, message) in cases {
        let response = client.post(&faults_url).body(body).send().unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().unwrap();
        let text = error["error"].as_str().unwrap();
        assert!(text.starts_with(message), "{body}: {text}");
    }
    assert!(mock.faults().is_empty());
}

#[test]
fn faulted_requests_are_journaled_with_the_status_the_client_saw() {
    let mock = frozen_mock();
    mock.add_fault(Fault::status(503).times(1));
    mock.add_fault(Fault::rate_limit(1).times(1));
    mock.add_fault(Fault::malformed().times(1));
    mock.add_fault(Fault::reset().times(1));
    let client = client();

    for _ in 0..5 {
        let _ = get_segments(&mock, &client);
    }

    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 429, 200, 0, 200]);
}

#[test]
fn the_rate_limiter_with_a_frozen_clock_refills_only_when_advanced() {
    let mock = MockRecotap::builder()
        .rate_limit(2)
        .frozen_clock(NOW)
        .start();
    let client = client();
    let status = || status_of(get_segments(&mock, &client));

    assert_eq!([status(), status()], [200, 200]);
    let refused = get_segments(&mock, &client).unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "1");
    assert_eq!(
        refused.json::<Value>().unwrap(),
        error_envelope(429, "Too Many Requests", "/api/v1/segments")
    );

    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        status(),
        429,
        "real time passing does not refill a frozen clock's bucket"
    );
    mock.advance_clock(Duration::from_millis(500));
    assert_eq!([status(), status()], [200, 429]);
    mock.advance_clock(Duration::from_secs(10));
    assert_eq!([status(), status(), status()], [200, 200, 429]);
}

#[test]
fn a_team_rate_limit_from_the_state_document_overrides_the_mock_wide_one() {
    let document: recotap_mock::StateDocument = serde_json::from_value(json!({ "teams": [
        { "name": "default", "apiKeys": ["slow-key"], "settings": { "requestsPerSecond": 1 } },
        { "name": "other", "apiKeys": ["fast-key"] } ] }))
    .unwrap();
    let mock = MockRecotap::builder()
        .initial_state(document)
        .rate_limit(3)
        .frozen_clock(NOW)
        .start();
    let client = client();
    let status = |key: &str| {
        let url = format!("{}/segments", mock.base_url());
        status_of(client.get(url).header("X-Api-Key", key).send())
    };

    assert_eq!([status("slow-key"), status("slow-key")], [200, 429]);
    assert_eq!(
        [
            status("fast-key"),
            status("fast-key"),
            status("fast-key"),
            status("fast-key")
        ],
        [200, 200, 200, 429]
    );
    assert_eq!(
        mock.snapshot().teams[0].settings.requests_per_second,
        Some(1),
        "the setting survives a snapshot"
    );
}

#[test]
fn the_rate_limiter_gives_each_api_key_its_own_budget_and_leaves_unknown_keys_to_401() {
    let mock = MockRecotap::builder()
        .api_key("key-a")
        .api_key("key-b")
        .rate_limit(1)
        .frozen_clock(NOW)
        .start();
    let client = client();
    let status = |key: &str| {
        let url = format!("{}/segments", mock.base_url());
        status_of(client.get(url).header("X-Api-Key", key).send())
    };

    assert_eq!([status("key-a"), status("key-a")], [200, 429]);
    assert_eq!([status("key-b"), status("key-b")], [200, 429]);
    assert_eq!([status("nope"), status("nope")], [401, 401]);
}

#[test]
fn a_rate_limited_write_is_not_applied() {
    let mock = MockRecotap::builder()
        .rate_limit(1)
        .frozen_clock(NOW)
        .start();
    let client = client();
    assert_eq!(status_of(get_segments(&mock, &client)), 200);

    let refused = post_acme(&mock, &client).unwrap();

    assert_eq!(refused.status(), 429);
    assert!(mock.accounts().is_empty());
}

#[test]
fn the_retry_example_stores_exactly_250_accounts_through_one_fault_of_each_failing_kind() {
    crate::retry_example::main();
}
