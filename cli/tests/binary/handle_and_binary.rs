//! The Rust handle (docs/control.md §2) and the standalone binary with its admin API (§3, §4).
//!
//! One test counts this process's threads and file descriptors, and some check that a freed
//! port refuses connections, so every test here takes [`PROCESS`]: shared by most, exclusive
//! for those.

use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use crate::support::listening_url;
use recotap_mock::{CustomField, LabelType, MockRecotap, NewAccount, Segment};
use serde_json::{json, Value};
use tokio::sync::RwLock;

/// Held shared by most tests of this file, exclusively by those that count or probe ports.
static PROCESS: RwLock<()> = RwLock::const_new(());

fn entries_of(dir: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap_or_else(|error| panic!("cannot list {dir}: {error}"))
        .count()
}

fn refuses_connections(address: SocketAddr) -> bool {
    TcpStream::connect_timeout(&address, Duration::from_secs(1)).is_err()
}

/// Waits (at most 5 s) until `address` refuses connections: a dropped mock on a free port
/// closes it a moment after the drop.
fn await_refusal(address: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !refuses_connections(address) {
        assert!(
            Instant::now() < deadline,
            "{address} still accepts 5 s after the drop"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn is_object_id(text: &str) -> bool {
    text.len() == 24
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ---------------------------------------------------------------------------------------------
// Starting from any context
// ---------------------------------------------------------------------------------------------

#[test]
fn start_works_from_a_plain_test() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let mock = MockRecotap::start();

    // Act
    let (status, body) = get(&mock, "/segments");

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        json!({ "data": [], "nextCursor": null, "hasNextPage": false })
    );
    assert_eq!(mock.base_url(), format!("http://{}/api/v1", mock.address()));
    assert_eq!(mock.url(), format!("http://{}", mock.address()));
    assert_eq!(mock.api_key(), "test-api-key");
    assert!(mock.address().ip().is_loopback());
}

/// Pushes one account with an async client and checks the handle sees it.
async fn push_from_async_code(mock: &MockRecotap) {
    let response = reqwest::Client::new()
        .post(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .json(&json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
        .send()
        .await
        .expect("the mock answers");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["summary"]["created"], 1);
    assert_eq!(mock.account_by_domain("acme.com").unwrap().name, "Acme");
}

#[tokio::test]
async fn start_works_from_a_current_thread_tokio_test() {
    // Arrange
    let _shared = PROCESS.read().await;
    let mock = MockRecotap::start();

    // Act + Assert
    push_from_async_code(&mock).await;
    assert_eq!(mock.requests().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn start_works_from_a_multi_thread_tokio_test() {
    // Arrange
    let _shared = PROCESS.read().await;
    let mock = MockRecotap::start();
    let url = format!("{}/segments", mock.base_url());

    // Act: once from the test's task, once from a task on another worker.
    push_from_async_code(&mock).await;
    let spawned = tokio::spawn(async move {
        reqwest::Client::new()
            .get(url)
            .header("X-Api-Key", "test-api-key")
            .send()
            .await
            .map(|response| response.status().as_u16())
    });

    // Assert
    assert_eq!(spawned.await.unwrap().unwrap(), 200);
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn two_hundred_live_mocks_each_answer_with_their_own_state() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let mocks: Vec<MockRecotap> = (0..200)
        .map(|n| {
            let mock = MockRecotap::start();
            mock.add_segment(Segment::new(&format!("Mock {n}")).id("seg-001"));
            mock
        })
        .collect();
    let client = client();

    // Act + Assert
    for (n, mock) in mocks.iter().enumerate() {
        let (status, body) = send(
            client
                .get(format!("{}/segments", mock.base_url()))
                .header("X-Api-Key", mock.api_key()),
        );
        assert_eq!(status, 200, "mock {n}");
        assert_eq!(
            body["data"]["data"],
            json!([{ "segmentId": "seg-001", "name": format!("Mock {n}"), "status": "active" }])
        );
    }
    let ports: std::collections::BTreeSet<u16> = mocks.iter().map(|m| m.address().port()).collect();
    assert_eq!(ports.len(), 200);
}

#[test]
fn five_hundred_start_and_drop_cycles_leak_neither_threads_nor_ports() {
    // Arrange: no other test of this binary runs meanwhile, and the background runtime and
    // the client's thread exist before counting.
    let _exclusive = PROCESS.blocking_write();
    let client = client();
    let warm_up = MockRecotap::start();
    send(client.get(format!("{}/_mock/health", warm_up.url())));
    drop(warm_up);
    let threads_before = entries_of("/proc/self/task");
    let fds_before = entries_of("/proc/self/fd");

    // Act
    for cycle in 0..500 {
        let mock = MockRecotap::start();
        let address = mock.address();
        if cycle % 50 == 0 {
            let (status, _) = send(
                client
                    .get(format!("{}/segments", mock.base_url()))
                    .header("X-Api-Key", mock.api_key()),
            );
            assert_eq!(status, 200, "cycle {cycle}");
        }
        // Half the cycles drop the handle (a mock on a free port is only told to stop, and
        // closes its port a moment later), half stop it (which waits for the port).
        if cycle % 2 == 0 {
            drop(mock);
            await_refusal(address);
        } else {
            mock.stop();
            assert!(
                refuses_connections(address),
                "cycle {cycle}: {address} still accepts connections after stop()"
            );
        }
    }

    // Assert
    let threads_after = entries_of("/proc/self/task");
    let fds_after = entries_of("/proc/self/fd");
    assert!(
        threads_after <= threads_before + 2,
        "threads: {threads_before} before, {threads_after} after"
    );
    assert!(
        fds_after <= fds_before + 4,
        "file descriptors: {fds_before} before, {fds_after} after"
    );
}

// ---------------------------------------------------------------------------------------------
// Stopping and resetting
// ---------------------------------------------------------------------------------------------

#[test]
fn dropping_the_handle_stops_the_server_and_frees_the_port_shortly_after() {
    // Arrange
    // Exclusive: a mock started by a concurrent test could be given the freed port.
    let _exclusive = PROCESS.blocking_write();
    let mock = MockRecotap::start();
    let (address, url) = (mock.address(), format!("{}/segments", mock.base_url()));
    assert_eq!(get(&mock, "/segments").0, 200);

    // Act
    drop(mock);

    // Assert: a dropped mock on a free port closes it a moment later (`stop()` waits).
    await_refusal(address);
    assert!(client()
        .get(url)
        .header("X-Api-Key", "test-api-key")
        .send()
        .is_err());
    std::net::TcpListener::bind(address).expect("the port can be bound again");
}

#[test]
fn stop_stops_the_server_and_frees_the_port() {
    // Arrange
    // Exclusive: a mock started by a concurrent test could be given the freed port.
    let _exclusive = PROCESS.blocking_write();
    let mock = MockRecotap::start();
    let address = mock.address();

    // Act
    mock.stop();

    // Assert
    assert!(refuses_connections(address));
    std::net::TcpListener::bind(address).expect("the port can be bound again");
}

#[test]
fn reset_returns_to_the_initial_state_and_keeps_the_keys() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let mock = MockRecotap::builder()
        .api_key("secret")
        .id_seed(3)
        .frozen_clock(FROZEN)
        .start();
    mock.add_custom_field(CustomField::new("Tier", LabelType::Number));
    mock.add_segment(Segment::new("Q2").id("seg-001"));
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    let (status, _) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "globex.com", "name": "Globex" }], "segmentId": "seg-001" }),
    );
    assert_eq!(status, 200);

    // Act
    mock.reset();

    // Assert
    assert!(mock.accounts().is_empty());
    assert!(mock.custom_fields().is_empty());
    assert!(mock.segment("seg-001").is_none());
    assert!(mock.requests().is_empty());
    assert_eq!(
        get(&mock, "/segments"),
        (
            200,
            success(
                200,
                "/api/v1/segments",
                json!({ "data": [], "nextCursor": null, "hasNextPage": false })
            )
        )
    );
    assert_eq!(get(&mock, "/accounts/custom-fields").1["data"], json!([]));
    let (status, _) = send(
        client()
            .get(format!("{}/segments", mock.base_url()))
            .header("X-Api-Key", "test-api-key"),
    );
    assert_eq!(status, 401, "only the configured key is accepted");
    let (status, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }),
    );
    assert_eq!(
        (status, body["data"]["summary"]["created"].clone()),
        (200, json!(1))
    );
}

// ---------------------------------------------------------------------------------------------
// Seeding and inspection
// ---------------------------------------------------------------------------------------------

#[test]
fn seeding_and_inspection_through_the_handle() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let mock = mock();

    // Act
    let field = mock
        .add_custom_field(CustomField::new("Contract Value", LabelType::Number).description("USD"));
    mock.add_custom_field(CustomField::new("Old Date", LabelType::Date).inactive());
    let generated = mock.add_segment(Segment::new("Generated"));
    let acme = mock.add_account(
        NewAccount::new("https://www.Acme.com/", "Acme Corp")
            .external_id("crm-001")
            .custom_field("CONTRACT_VALUE_C", 1200)
            .score(78)
            .journey_stage("Consideration"),
    );
    let globex = mock.add_account(NewAccount::new("globex.com", "Globex"));
    let mut seeded = Segment::new("Seeded").id("seg-001");
    seeded.members = vec![acme.id()];
    mock.add_segment(seeded);
    let duplicate = mock.try_add_account(NewAccount::new("ACME.com", "Again"));

    // Assert: what the handle returns and shows
    assert_eq!(field.key, "CONTRACT_VALUE_C");
    let generated_id = generated.segment_id.clone().expect("a generated id");
    assert!(is_object_id(&generated_id), "{generated_id}");
    assert_eq!(acme.domain, "acme.com");
    assert!(acme.id() < globex.id());
    assert_eq!(
        serde_json::to_value(&acme).unwrap(),
        json!({
            "rtp_aid": acme.id().to_string(), "domain": "acme.com", "name": "Acme Corp",
            "externalId": "crm-001", "shortName": null, "linkedinUrl": null, "tags": [],
            "customFields": { "CONTRACT_VALUE_C": 1200 },
            "rtp_account_score": 78, "rtp_advertising_activity_score": 0,
            "rtp_website_intent_score": 0, "rtp_g2_intent_score": 0,
            "rtp_bombora_intent_score": 0, "rtp_journey_stage": "Consideration",
            "createdAt": FROZEN, "updatedAt": FROZEN
        })
    );
    assert_eq!(mock.accounts(), vec![acme.clone(), globex.clone()]);
    assert_eq!(
        mock.account_by_domain("http://WWW.ACME.COM/x"),
        Some(acme.clone())
    );
    assert_eq!(mock.account_by_domain("initech.com"), None);
    assert_eq!(mock.account(globex.id()), Some(globex));
    assert_eq!(mock.segment("seg-001").unwrap().members, vec![acme.id()]);
    assert_eq!(mock.segment_members("seg-001"), vec![acme.id()]);
    assert!(mock.segment_members(&generated_id).is_empty());
    assert!(mock.segment("seg-404").is_none());
    assert!(mock.segment_members("seg-404").is_empty());
    let keys: Vec<String> = mock.custom_fields().into_iter().map(|f| f.key).collect();
    assert_eq!(keys, ["CONTRACT_VALUE_C", "OLD_DATE_C"]);
    let refusal = duplicate.expect_err("a second acme.com is refused");
    assert_eq!(
        refusal.to_string(),
        "Account with domain 'acme.com' already exists"
    );
    assert_eq!(mock.accounts().len(), 2);

    // Assert: what the API shows of the seed
    assert_eq!(
        get(&mock, "/accounts/custom-fields").1["data"],
        json!([{ "key": "CONTRACT_VALUE_C", "label": "Contract Value", "labelType": "number",
                 "description": "USD", "options": [], "objectType": "accounts", "status": "active" }])
    );
    assert_eq!(
        get(&mock, "/segments").1["data"]["data"],
        json!([{ "segmentId": generated_id, "name": "Generated", "status": "active" },
               { "segmentId": "seg-001", "name": "Seeded", "status": "active" }])
    );
    let (_, body) = push(
        &mock,
        &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }),
    );
    assert_eq!(body["data"]["results"][0]["rtp_aid"], acme.id().to_string());
    assert_eq!(body["data"]["results"][0]["status"], "failed");
}

#[test]
fn the_clock_can_be_frozen_and_advanced_through_the_handle() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let mock = mock();
    assert_eq!(mock.now(), FROZEN);

    // Act
    mock.freeze_clock("2027-01-01T00:00:00Z");
    mock.advance_clock(Duration::from_millis(1_500));

    // Assert
    assert_eq!(mock.now(), "2027-01-01T00:00:01.500Z");
    assert_eq!(
        get(&mock, "/segments").1["timestamp"],
        "2027-01-01T00:00:01.500Z"
    );
}

#[test]
fn the_same_seed_and_clock_give_the_same_ids() {
    // Arrange
    let _shared = PROCESS.blocking_read();
    let (first, second, other) = (
        mock(),
        mock(),
        MockRecotap::builder()
            .id_seed(8)
            .frozen_clock(FROZEN)
            .start(),
    );

    // Act
    let ids: Vec<String> = [&first, &second, &other]
        .iter()
        .map(|mock| {
            push(
                mock,
                &json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }),
            );
            id_of(mock, "acme.com")
        })
        .collect();

    // Assert
    assert_eq!(ids[0], ids[1]);
    assert_ne!(ids[0], ids[2]);
    assert!(
        ids[0].starts_with("69f32820"),
        "seconds of {FROZEN}: {}",
        ids[0]
    );
}

// ---------------------------------------------------------------------------------------------
// The binary and the admin API
// ---------------------------------------------------------------------------------------------

/// A child process killed on drop, so a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits up to ten seconds for the child to exit and returns its exit code.
fn exit_code_within_ten_seconds(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("the child can be polled") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("recotap-mock did not exit within ten seconds of SIGTERM");
}

/// A blocking JSON request to the admin API: status and body (`Value::Null` when empty).
fn admin(method: reqwest::Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = client().request(method, url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().expect("the binary answers");
    let status = response.status().as_u16();
    let text = response.text().unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap()
    };
    (status, body)
}

#[test]
fn the_binary_serves_the_api_and_the_admin_api_and_exits_cleanly_on_sigterm() {
    // Arrange: start the binary and read its one stdout line. Exclusive, because the test
    // finally checks that the freed port refuses connections.
    let _exclusive = PROCESS.blocking_write();
    let mut child = Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
        .args(["--port", "0", "--api-key", "bin-key"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut running = Running(child);
    let (root, _) = listening_url(stdout, Duration::from_secs(10));
    assert!(root.starts_with("http://127.0.0.1:"), "{root}");
    let admin_url = |path: &str| format!("{root}/_mock{path}");
    use reqwest::Method as M;

    // Act + Assert: seed through the admin API.
    assert_eq!(
        admin(M::GET, &admin_url("/health"), None),
        (200, json!({ "status": "ok" }))
    );
    assert_eq!(
        admin(
            M::POST,
            &admin_url("/custom-fields"),
            Some(json!({ "label": "Contract Value", "labelType": "number" }))
        ),
        (
            201,
            json!({ "key": "CONTRACT_VALUE_C", "label": "Contract Value", "labelType": "number",
                      "description": null, "options": [], "status": "active" })
        )
    );
    assert_eq!(
        admin(
            M::POST,
            &admin_url("/segments"),
            Some(json!({ "name": "Q2", "segmentId": "seg-001" }))
        ),
        (
            201,
            json!({ "segmentId": "seg-001", "name": "Q2", "type": "static", "status": "active", "members": [] })
        )
    );
    let (status, globex) = admin(
        M::POST,
        &admin_url("/accounts"),
        Some(json!({ "domain": "https://www.Globex.com/", "name": "Globex" })),
    );
    assert_eq!(status, 201, "{globex}");
    assert_eq!(globex["domain"], "globex.com");
    assert_eq!(globex["name"], "Globex");
    let globex_id = globex["rtp_aid"].as_str().unwrap_or_default().to_string();
    assert!(is_object_id(&globex_id), "{globex}");
    let (status, conflict) = admin(
        M::POST,
        &admin_url("/accounts"),
        Some(json!({ "domain": "globex.com", "name": "Again" })),
    );
    assert_eq!(status, 409);
    assert!(conflict["error"].is_string(), "{conflict}");

    // Act + Assert: push accounts through the API with the configured key.
    let push_body = r#"{"accounts":[{"domain":"acme.com","name":"Acme","customFields":{"CONTRACT_VALUE_C":1200}},{"domain":"globex.com","name":"Globex Corp"}],"segmentId":"seg-001","upsert":true}"#;
    let api_push = |key: &str| {
        send(
            client()
                .post(format!("{root}/api/v1/accounts"))
                .header("X-Api-Key", key)
                .header("Content-Type", "application/json")
                .body(push_body),
        )
    };
    let (status, pushed) = api_push("bin-key");
    assert_eq!(status, 200, "{pushed}");
    let acme_id = pushed["data"]["results"][0]["rtp_aid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        pushed["data"],
        json!({ "results": [
                    { "rtp_aid": acme_id, "domain": "acme.com", "status": "created" },
                    { "rtp_aid": globex_id, "domain": "globex.com", "status": "updated" } ],
                "summary": { "total": 2, "created": 1, "updated": 1, "failed": 0 } })
    );
    let (status, refused) = api_push("test-api-key");
    assert_eq!(status, 401);
    assert_eq!(refused["customMessage"], "Invalid API key");

    // Act + Assert: inspect through the admin API.
    assert_eq!(
        admin(M::GET, &admin_url("/segments/seg-001"), None),
        (
            200,
            json!({ "segmentId": "seg-001", "name": "Q2", "type": "static", "status": "active",
                      "members": [acme_id, globex_id] })
        )
    );
    let (status, accounts) = admin(M::GET, &admin_url("/accounts"), None);
    assert_eq!(status, 200);
    let summary: Vec<(Value, Value, Value, Value)> = accounts
        .as_array()
        .expect("an array of accounts")
        .iter()
        .map(|a| {
            (
                a["rtp_aid"].clone(),
                a["domain"].clone(),
                a["name"].clone(),
                a["customFields"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                json!(globex_id),
                json!("globex.com"),
                json!("Globex Corp"),
                json!({})
            ),
            (
                json!(acme_id),
                json!("acme.com"),
                json!("Acme"),
                json!({ "CONTRACT_VALUE_C": 1200 })
            ),
        ]
    );
    let (status, journal) = admin(M::GET, &admin_url("/requests"), None);
    assert_eq!(status, 200);
    let journal = journal.as_array().expect("an array of requests").clone();
    assert_eq!(journal.len(), 2, "{journal:?}");
    for (entry, expected_status) in journal.iter().zip([200, 401]) {
        assert_eq!(entry["method"], "POST");
        assert_eq!(entry["path"], "/api/v1/accounts");
        assert_eq!(entry["body"], push_body);
        assert_eq!(entry["status"], expected_status);
        assert!(entry["at"].is_string(), "{entry}");
    }
    assert_eq!(journal[0]["headers"]["x-api-key"], "bin-key");
    assert_eq!(
        admin(M::DELETE, &admin_url("/requests"), None),
        (204, Value::Null)
    );
    assert_eq!(
        admin(M::GET, &admin_url("/requests"), None),
        (200, json!([]))
    );

    // Act + Assert: reset.
    assert_eq!(
        admin(M::POST, &admin_url("/reset"), None),
        (204, Value::Null)
    );
    assert_eq!(
        admin(M::GET, &admin_url("/accounts"), None),
        (200, json!([]))
    );
    let (status, missing) = admin(M::GET, &admin_url("/segments/seg-001"), None);
    assert_eq!(status, 404);
    assert!(missing["error"].is_string(), "{missing}");
    let (status, fields) = send(
        client()
            .get(format!("{root}/api/v1/accounts/custom-fields"))
            .header("X-Api-Key", "bin-key"),
    );
    assert_eq!((status, fields["data"].clone()), (200, json!([])));
    assert_eq!(
        admin(M::GET, &admin_url("/health"), None),
        (200, json!({ "status": "ok" }))
    );

    // Act: SIGTERM.
    let pid = running.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());

    // Assert
    assert_eq!(exit_code_within_ten_seconds(&mut running.0), Some(0));
    let address: SocketAddr = root["http://".len()..].parse().unwrap();
    assert!(refuses_connections(address));
}

#[test]
fn a_bad_flag_exits_with_code_2_without_a_listening_line() {
    // Arrange
    let _shared = PROCESS.blocking_read();

    for args in [&["--no-such-flag"][..], &["--port", "not-a-port"][..]] {
        // Act
        let output = Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");

        // Assert
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            output.stdout.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert!(!output.stderr.is_empty(), "{args:?}: a message on stderr");
    }
}
