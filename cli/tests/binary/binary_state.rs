//! The standalone binary and the state document (docs/control.md §3–§5): the listening line, seed
//! and state files, signals, exit codes, the admin token, keys and teams, `GET`/`PUT
//! /_mock/state`; and the handle's snapshot / restore / initial state / reset. Every binary is
//! spawned on `--port 0` and killed by a guard, every file lives in a temporary directory that
//! is removed afterwards.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::*;
use crate::support::listening_url;
use recotap_mock::{
    parse_document, CustomField, LabelType, MockRecotap, NewAccount, ScoreUpdate, Segment,
    StateDocument,
};
use reqwest::Method;
use serde_json::{json, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_recotap-mock");
const ACCOUNTS: &str = "/api/v1/accounts";

// ---------------------------------------------------------------------------------------------
// Helpers: temporary directories, a guarded child process, HTTP to it
// ---------------------------------------------------------------------------------------------

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "recotap-mock-binary-state-{}-{label}-{unique}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("the temporary directory can be created");
        TempDir(path)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `text` to `name` in this directory and returns the file's path as a string.
    fn write(&self, name: &str, text: &str) -> String {
        let path = self.file(name);
        std::fs::write(&path, text).expect("the file can be written");
        path_text(&path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn path_text(path: &Path) -> String {
    path.to_str()
        .expect("temporary paths are UTF-8")
        .to_string()
}

/// A child process that is killed and reaped on drop, so a failing test leaves nothing running.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ChildGuard {
    /// Waits at most ten seconds for the child to exit; its exit code (`None` if a signal ended it).
    fn exit_code_within_ten_seconds(&mut self) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.0.try_wait().expect("the child can be polled") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("recotap-mock did not exit within ten seconds");
    }
}

/// A running `recotap-mock` binary on a free port.
struct Binary {
    child: ChildGuard,
    root: String,
    /// Everything the binary printed on stdout after its listening line, sent once stdout closes.
    rest_of_stdout: mpsc::Receiver<String>,
}

impl Binary {
    /// Starts the binary with `args` and `--port 0` and waits for its one listening line.
    fn start(args: &[&str]) -> Binary {
        let mut child = Command::new(BINARY)
            .args(args)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let child = ChildGuard(child);
        let (root, rest_of_stdout) = listening_url(stdout, Duration::from_secs(15));
        Binary {
            child,
            root,
            rest_of_stdout,
        }
    }

    /// An admin request (`path` starts with `/_mock`).
    fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        admin_at(&self.root, method, path, body)
    }

    /// An API request with `key` (`path` starts with `/api/v1`).
    fn api(&self, key: &str, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let mut request = client()
            .request(method, format!("{}{path}", self.root))
            .header("X-Api-Key", key);
        if let Some(body) = body {
            request = request.json(body);
        }
        send(request)
    }

    /// The whole state document.
    fn state(&self) -> Value {
        let (status, state) = self.admin(Method::GET, "/_mock/state", None);
        assert_eq!(status, 200, "{state}");
        state
    }

    /// Freezes the binary's clock at [`FROZEN`], so envelopes can be pinned.
    fn freeze(&self) {
        let answer = self.admin(
            Method::POST,
            "/_mock/clock",
            Some(&json!({ "now": FROZEN })),
        );
        assert_eq!(answer, (200, json!({ "now": FROZEN })));
    }

    /// Sends `signal` (`TERM`, `INT`) with `kill` and returns the exit code, after checking
    /// that the binary printed nothing on stdout besides its listening line.
    fn stop_with(mut self, signal: &str) -> Option<i32> {
        let pid = self.child.0.id().to_string();
        let status = Command::new("kill")
            .args([format!("-{signal}").as_str(), &pid])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} {pid} failed");
        let code = self.child.exit_code_within_ten_seconds();
        let rest = self
            .rest_of_stdout
            .recv_timeout(Duration::from_secs(10))
            .expect("stdout closes when the binary exits");
        assert_eq!(rest, "", "the listening line is the only line on stdout");
        code
    }

    /// Sends SIGTERM and returns the exit code.
    fn terminate(self) -> Option<i32> {
        self.stop_with("TERM")
    }

    /// Sends SIGKILL (no chance to write anything) and reaps the process.
    fn crash(mut self) {
        self.child.0.kill().expect("the binary can be killed");
        let _ = self.child.0.wait();
    }
}

/// Runs the binary with `args` (and `--port 0`) to its exit, at most ten seconds: exit code,
/// stdout, stderr.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String, String) {
    let child = Command::new(BINARY)
        .args(args)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut child = ChildGuard(child);
    let code = child.exit_code_within_ten_seconds();
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(out) = child.0.stdout.as_mut() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(err) = child.0.stderr.as_mut() {
        let _ = err.read_to_string(&mut stderr);
    }
    (code, stdout, stderr)
}

/// The state document `recotap-mock export` reads from the state file at `path`.
fn export(path: &Path) -> Value {
    let output = Command::new(BINARY)
        .args(["export", "--state-file", &path_text(path)])
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "export failed: {output:?}");
    serde_json::from_slice(&output.stdout).expect("export writes a JSON state document")
}

/// `PUT /_mock/state` with a body sent verbatim.
fn put_state_text(root: &str, body: &str) -> (u16, Value) {
    let response = client()
        .put(format!("{root}/_mock/state"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .expect("the admin API answers");
    let status = response.status().as_u16();
    let text = response.text().expect("the body is readable");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
    };
    (status, body)
}

/// An admin request carrying `Authorization` exactly as given (or none).
fn admin_with_authorization(
    root: &str,
    method: Method,
    path: &str,
    authorization: Option<&str>,
) -> (u16, Value) {
    let mut request = client().request(method, format!("{root}{path}"));
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().expect("the admin API answers");
    let status = response.status().as_u16();
    let text = response.text().expect("the body is readable");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text:?}"))
    };
    (status, body)
}

/// The id the seed file gives `acme.com`.
const SEEDED_ACME: &str = "69f328200000000000000001";

/// A seed with key `seed-key`, field `CRM_STAGE_C`, segment `seg-001` holding `acme.com`, and
/// `acme.com` itself with scores and fixed timestamps.
fn seed_document() -> Value {
    json!({ "teams": [{
        "name": "default",
        "apiKeys": ["seed-key"],
        "customFields": [{ "key": "CRM_STAGE_C", "label": "CRM Stage",
                           "labelType": "singleLineText", "description": null, "options": [],
                           "status": "active" }],
        "segments": [{ "segmentId": "seg-001", "name": "Q2", "type": "static",
                       "status": "active", "members": [SEEDED_ACME] }],
        "accounts": [{ "rtp_aid": SEEDED_ACME, "domain": "acme.com", "name": "Acme Corp",
                       "externalId": "crm-001", "customFields": { "CRM_STAGE_C": "POC" },
                       "rtp_account_score": 78, "rtp_journey_stage": "Consideration",
                       "createdAt": "2026-04-29T09:00:00.000Z",
                       "updatedAt": "2026-04-30T09:00:00.000Z" }]
    }] })
}

/// The `GET /accounts` row of the seeded `acme.com`.
fn seeded_acme_row(crm_stage: &str) -> Value {
    json!({ "externalId": "crm-001", "name": "Acme Corp", "domain": "acme.com",
            "rtp_aid": SEEDED_ACME, "rtp_account_score": 78, "rtp_journey_stage": "Consideration",
            "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
            "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
            "rtp_last_account_date": "2026-04-30T09:00:00.000Z",
            "customFields": { "CRM_STAGE_C": crm_stage } })
}

fn one_page(rows: Vec<Value>, last: &str) -> Value {
    json!({ "data": rows, "nextCursor": last, "hasNextPage": false, "syncTimestamp": FROZEN })
}

fn create(domain: &str, name: &str) -> Value {
    json!({ "accounts": [{ "domain": domain, "name": name }] })
}

// ---------------------------------------------------------------------------------------------
// Seed file and reset (docs/control.md §3, §4)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_seed_file_is_served_through_the_api_and_the_admin_api() {
    // Arrange
    let dir = TempDir::new("seed");
    let seed = dir.write("seed.json", &seed_document().to_string());
    let binary = Binary::start(&["--seed", &seed]);
    binary.freeze();

    // Act
    let listed = binary.api("seed-key", Method::GET, ACCOUNTS, None);
    let accounts = binary.admin(Method::GET, "/_mock/accounts", None);
    let segment = binary.admin(Method::GET, "/_mock/segments/seg-001", None);
    let default_key = binary.api("test-api-key", Method::GET, ACCOUNTS, None);

    // Assert
    assert_eq!(
        listed,
        (
            200,
            success(
                200,
                ACCOUNTS,
                one_page(vec![seeded_acme_row("POC")], SEEDED_ACME)
            )
        )
    );
    assert_eq!(
        accounts,
        (
            200,
            json!([{ "rtp_aid": SEEDED_ACME, "domain": "acme.com", "name": "Acme Corp",
                     "externalId": "crm-001", "shortName": null, "linkedinUrl": null, "tags": [],
                     "customFields": { "CRM_STAGE_C": "POC" }, "rtp_account_score": 78,
                     "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
                     "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
                     "rtp_journey_stage": "Consideration",
                     "createdAt": "2026-04-29T09:00:00.000Z",
                     "updatedAt": "2026-04-30T09:00:00.000Z" }])
        )
    );
    assert_eq!(
        segment,
        (
            200,
            json!({ "segmentId": "seg-001", "name": "Q2", "type": "static", "status": "active",
                    "members": [SEEDED_ACME] })
        )
    );
    assert_eq!(
        default_key,
        (
            401,
            business_error(401, ACCOUNTS, "Unauthorized access", "Invalid API key")
        ),
        "a seed that names the default team's keys replaces test-api-key"
    );
}

#[test]
fn an_admin_reset_returns_to_the_seed_file_after_changes() {
    // Arrange
    let dir = TempDir::new("reset");
    let seed = dir.write("seed.json", &seed_document().to_string());
    let binary = Binary::start(&["--seed", &seed]);
    binary.freeze();
    let initial = binary.state();
    let created = binary.api(
        "seed-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("globex.com", "Globex")),
    );
    assert_eq!(created.0, 200);
    let updated = binary.api(
        "seed-key",
        Method::PUT,
        &format!("{ACCOUNTS}/{SEEDED_ACME}"),
        Some(&json!({ "customFields": { "CRM_STAGE_C": "Won" } })),
    );
    assert_eq!(updated.0, 200);
    let key = binary.admin(
        Method::POST,
        "/_mock/keys",
        Some(&json!({ "key": "extra-key" })),
    );
    assert_eq!(key, (201, json!({ "key": "extra-key", "team": "default" })));
    assert_ne!(binary.state(), initial);

    // Act
    let reset = binary.admin(Method::POST, "/_mock/reset", None);

    // Assert
    assert_eq!(reset, (204, Value::Null));
    assert_eq!(binary.state(), initial);
    assert_eq!(
        binary.api("seed-key", Method::GET, ACCOUNTS, None),
        (
            200,
            success(
                200,
                ACCOUNTS,
                one_page(vec![seeded_acme_row("POC")], SEEDED_ACME)
            )
        )
    );
    assert_eq!(
        binary.api("extra-key", Method::GET, ACCOUNTS, None).0,
        401,
        "a key added after the seed is gone after reset"
    );
}

// ---------------------------------------------------------------------------------------------
// The state file (docs/control.md §3)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_state_file_is_written_on_sigterm_and_loaded_on_restart() {
    // Arrange
    let dir = TempDir::new("sigterm");
    let state_file = path_text(&dir.file("state.json"));
    let binary = Binary::start(&["--state-file", &state_file]);
    let created = binary.api(
        "test-api-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Corp")),
    );
    assert_eq!(created.0, 200);
    let field = binary.admin(
        Method::POST,
        "/_mock/custom-fields",
        Some(&json!({ "label": "CRM Stage", "labelType": "singleLineText" })),
    );
    assert_eq!(field.0, 201);
    let deal = binary.api(
        "test-api-key",
        Method::POST,
        "/api/v1/deals",
        Some(&json!({ "deals": [{ "externalDealId": "d-1", "name": "Acme renewal" }] })),
    );
    assert_eq!(deal.0, 200);
    let before = binary.state();

    // Act
    let code = binary.terminate();
    // Listed before the restart: a running mock keeps SQLite's write-ahead log beside the file.
    let mut left: Vec<String> = std::fs::read_dir(&dir.0)
        .expect("the directory is readable")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let restarted = Binary::start(&["--state-file", &state_file]);

    // Assert
    assert_eq!(code, Some(0), "a graceful shutdown exits with 0");
    left.sort();
    assert_eq!(left, ["state.json"], "no temporary file is left behind");
    assert_eq!(restarted.state(), before);
    let listed = restarted.api("test-api-key", Method::GET, ACCOUNTS, None);
    assert_eq!(listed.0, 200);
    assert_eq!(listed.1["data"]["data"][0]["domain"], json!("acme.com"));
}

#[test]
fn the_state_file_survives_sigkill_one_and_a_half_seconds_after_the_last_change() {
    // Arrange: two changes less than a second apart, then wait 1.5 s after the last one.
    let dir = TempDir::new("sigkill");
    let state_file = path_text(&dir.file("state.json"));
    let binary = Binary::start(&["--state-file", &state_file]);
    let first = binary.api(
        "test-api-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Corp")),
    );
    assert_eq!(first.0, 200);
    std::thread::sleep(Duration::from_millis(300));
    let second = binary.api(
        "test-api-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("globex.com", "Globex")),
    );
    assert_eq!(second.0, 200);
    let before = binary.state();
    std::thread::sleep(Duration::from_millis(1500));

    // Act
    binary.crash();
    let restarted = Binary::start(&["--state-file", &state_file]);

    // Assert
    assert_eq!(restarted.state(), before);
}

#[test]
fn sigint_also_shuts_down_gracefully_and_writes_the_state_file() {
    // Arrange
    let dir = TempDir::new("sigint");
    let state_file = path_text(&dir.file("state.json"));
    let binary = Binary::start(&["--state-file", &state_file]);
    let created = binary.api(
        "test-api-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Corp")),
    );
    assert_eq!(created.0, 200);
    let before = binary.state();

    // Act
    let code = binary.stop_with("INT");

    // Assert
    assert_eq!(code, Some(0));
    let written = export(&dir.file("state.json"));
    assert_eq!(written, before);
}

// ---------------------------------------------------------------------------------------------
// Exit code 2 (docs/control.md §3)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_seed_file_that_is_not_json_exits_with_code_2_naming_the_file() {
    // Arrange
    let dir = TempDir::new("bad-json");
    let seed = dir.write("broken-seed.json", "{ \"teams\": [ ");

    // Act
    let (code, stdout, stderr) = run_to_exit(&["--seed", &seed]);

    // Assert
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "", "no listening line");
    assert!(stderr.contains(&seed), "stderr names the file: {stderr}");
}

#[test]
fn a_seed_file_with_an_invalid_domain_exits_with_code_2_naming_the_file_and_the_domain() {
    // Arrange
    let dir = TempDir::new("bad-domain");
    let document = json!({ "teams": [{ "name": "default",
                                      "accounts": [{ "domain": "not a domain", "name": "X" }] }] });
    let seed = dir.write("invalid-seed.json", &document.to_string());

    // Act
    let (code, stdout, stderr) = run_to_exit(&["--seed", &seed]);

    // Assert
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "", "no listening line");
    assert!(stderr.contains(&seed), "stderr names the file: {stderr}");
    assert!(
        stderr.contains("not a domain"),
        "stderr names the problem: {stderr}"
    );
}

#[test]
fn a_missing_seed_file_exits_with_code_2_naming_the_file() {
    // Arrange
    let dir = TempDir::new("missing");
    let seed = path_text(&dir.file("no-such-seed.json"));

    // Act
    let (code, stdout, stderr) = run_to_exit(&["--seed", &seed]);

    // Assert
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "", "no listening line");
    assert!(stderr.contains(&seed), "stderr names the file: {stderr}");
}

#[test]
fn an_unknown_flag_or_a_bad_flag_value_exits_with_code_2_naming_the_flag() {
    // Act
    let unknown = run_to_exit(&["--no-such-flag"]);
    let bad_value = run_to_exit(&["--max-body-bytes", "lots"]);

    // Assert
    for ((code, stdout, stderr), flag) in
        [(unknown, "--no-such-flag"), (bad_value, "--max-body-bytes")]
    {
        assert_eq!(code, Some(2), "{flag}: {stderr}");
        assert_eq!(stdout, "", "{flag}: no listening line");
        assert!(stderr.contains(flag), "stderr names {flag}: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// The admin token (docs/control.md §3, §4)
// ---------------------------------------------------------------------------------------------

#[test]
fn with_an_admin_token_the_admin_api_needs_the_bearer_header_and_the_api_does_not() {
    // Arrange
    let binary = Binary::start(&["--admin-token", "s3cret"]);
    let refusal =
        json!({ "error": "the admin API needs the header Authorization: Bearer <admin token>" });
    let root = binary.root.clone();

    // Act
    let without = admin_with_authorization(&root, Method::GET, "/_mock/health", None);
    let wrong = admin_with_authorization(&root, Method::GET, "/_mock/health", Some("Bearer nope"));
    let not_bearer = admin_with_authorization(&root, Method::GET, "/_mock/state", Some("s3cret"));
    let reset_without = admin_with_authorization(&root, Method::POST, "/_mock/reset", None);
    let right =
        admin_with_authorization(&root, Method::GET, "/_mock/health", Some("Bearer s3cret"));
    let api = binary.api("test-api-key", Method::GET, "/api/v1/segments", None);

    // Assert
    assert_eq!(without, (401, refusal.clone()));
    assert_eq!(wrong, (401, refusal.clone()));
    assert_eq!(not_bearer, (401, refusal.clone()));
    assert_eq!(reset_without, (401, refusal));
    assert_eq!(right, (200, json!({ "status": "ok" })));
    assert_eq!(
        api.0, 200,
        "the API does not need the admin token: {}",
        api.1
    );
}

// ---------------------------------------------------------------------------------------------
// Keys and teams (docs/control.md §1, §3, §4; docs/api.md §1.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn a_new_key_for_a_user_revokes_that_users_old_key_at_once() {
    // Arrange
    let binary = Binary::start(&[]);
    binary.freeze();
    let first = binary.admin(
        Method::POST,
        "/_mock/keys",
        Some(&json!({ "key": "ann-key-1", "user": "ann" })),
    );
    assert_eq!(
        first,
        (201, json!({ "key": "ann-key-1", "team": "default" }))
    );
    assert_eq!(
        binary
            .api("ann-key-1", Method::GET, "/api/v1/segments", None)
            .0,
        200
    );

    // Act
    let (status, second) =
        binary.admin(Method::POST, "/_mock/keys", Some(&json!({ "user": "ann" })));

    // Assert
    assert_eq!(status, 201);
    assert_eq!(second["team"], json!("default"));
    let new_key = second["key"].as_str().expect("a generated key").to_string();
    assert!(!new_key.is_empty() && new_key != "ann-key-1", "{new_key}");
    assert_eq!(
        binary.api("ann-key-1", Method::GET, "/api/v1/segments", None),
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
        binary
            .api(&new_key, Method::GET, "/api/v1/segments", None)
            .0,
        200
    );
    assert_eq!(
        binary
            .api("test-api-key", Method::GET, "/api/v1/segments", None)
            .0,
        200,
        "keys of other users are untouched"
    );
    assert_eq!(
        binary.state()["teams"][0]["apiKeys"],
        json!(["test-api-key", { "key": new_key, "user": "ann" }]),
        "the state document no longer holds the revoked key"
    );
}

#[test]
fn keys_given_as_key_at_team_see_only_their_own_teams_accounts() {
    // Arrange
    let binary = Binary::start(&["--api-key", "main-key", "--api-key", "other-key@acme-team"]);
    binary.freeze();
    let main = binary.api(
        "main-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Main")),
    );
    let other = binary.api(
        "other-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("https://www.acme.com", "Acme Other")),
    );
    assert_eq!(main.1["data"]["summary"]["created"], json!(1));
    assert_eq!(other.1["data"]["summary"]["created"], json!(1));
    let main_id = main.1["data"]["results"][0]["rtp_aid"]
        .as_str()
        .unwrap()
        .to_string();
    let other_id = other.1["data"]["results"][0]["rtp_aid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(main_id, other_id);

    // Act
    let main_list = binary.api("main-key", Method::GET, ACCOUNTS, None);
    let other_list = binary.api("other-key", Method::GET, ACCOUNTS, None);
    let cross_update = binary.api(
        "main-key",
        Method::PUT,
        &format!("{ACCOUNTS}/{other_id}"),
        Some(&json!({ "customFields": {} })),
    );
    let default_key = binary.api("test-api-key", Method::GET, ACCOUNTS, None);

    // Assert
    let row = |id: &str, name: &str| {
        json!({ "externalId": null, "name": name, "domain": "acme.com", "rtp_aid": id,
                "rtp_account_score": 0, "rtp_journey_stage": "",
                "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
                "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
                "rtp_last_account_date": FROZEN, "customFields": {} })
    };
    assert_eq!(
        main_list,
        (
            200,
            success(
                200,
                ACCOUNTS,
                one_page(vec![row(&main_id, "Acme Main")], &main_id)
            )
        )
    );
    assert_eq!(
        other_list,
        (
            200,
            success(
                200,
                ACCOUNTS,
                one_page(vec![row(&other_id, "Acme Other")], &other_id)
            )
        )
    );
    assert_eq!(
        cross_update,
        (
            404,
            business_error(
                404,
                &format!("{ACCOUNTS}/{other_id}"),
                "Not Found",
                &format!("Account with rtp_aid '{other_id}' not found")
            )
        )
    );
    assert_eq!(
        default_key.0, 401,
        "test-api-key is not accepted once --api-key is given"
    );
}

#[test]
fn the_admin_api_selects_a_team_with_the_team_parameter_and_answers_404_for_an_unknown_one() {
    // Arrange
    let binary = Binary::start(&["--api-key", "main-key", "--api-key", "other-key@acme-team"]);
    binary.api(
        "main-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Main")),
    );
    binary.api(
        "other-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("globex.com", "Globex Other")),
    );

    // Act
    let default_team = binary.admin(Method::GET, "/_mock/accounts", None);
    let acme_team = binary.admin(Method::GET, "/_mock/accounts?team=acme-team", None);
    let seeded = binary.admin(
        Method::POST,
        "/_mock/accounts?team=brand-new",
        Some(&json!({ "domain": "initech.com", "name": "Initech" })),
    );
    let new_team = binary.admin(Method::GET, "/_mock/accounts?team=brand-new", None);

    // Assert
    let names = |answer: &(u16, Value)| -> Vec<Value> {
        assert_eq!(answer.0, 200, "{}", answer.1);
        answer
            .1
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].clone())
            .collect()
    };
    assert_eq!(names(&default_team), [json!("Acme Main")]);
    assert_eq!(names(&acme_team), [json!("Globex Other")]);
    assert_eq!(seeded.0, 201, "a seeding call creates an unknown team");
    assert_eq!(names(&new_team), [json!("Initech")]);
    for path in [
        "/_mock/accounts?team=nobody",
        "/_mock/segments/seg-001?team=nobody",
        "/_mock/deals?team=nobody",
        "/_mock/pipelines?team=nobody",
        "/_mock/activities?team=nobody",
    ] {
        assert_eq!(
            binary.admin(Method::GET, path, None),
            (404, json!({ "error": "Team 'nobody' not found" })),
            "{path}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// GET / PUT /_mock/state (docs/control.md §4, §5)
// ---------------------------------------------------------------------------------------------

#[test]
fn the_state_document_put_into_a_fresh_binary_reads_back_identical() {
    // Arrange: a binary holding some of everything.
    let source = Binary::start(&["--api-key", "main-key", "--api-key", "other-key@acme-team"]);
    source.freeze();
    let seeding: Vec<(Method, &str, Value)> = vec![
        (
            Method::POST,
            "/_mock/custom-fields",
            json!({ "label": "CRM Stage", "labelType": "singleLineText", "description": "From CRM" }),
        ),
        (
            Method::POST,
            "/_mock/custom-fields",
            json!({ "label": "Tier", "labelType": "singleSelection", "options": ["A", "B"],
                    "status": "inactive" }),
        ),
        (
            Method::POST,
            "/_mock/segments",
            json!({ "name": "Q2", "segmentId": "seg-001" }),
        ),
        (
            Method::POST,
            "/_mock/segments",
            json!({ "name": "Computed", "segmentId": "seg-dyn", "type": "dynamic", "status": "draft" }),
        ),
        (
            Method::POST,
            "/_mock/keys",
            json!({ "key": "ann-key", "user": "ann" }),
        ),
    ];
    for (method, path, body) in seeding {
        let (status, answer) = source.admin(method, path, Some(&body));
        assert_eq!(status, 201, "{path}: {answer}");
    }
    let api_calls = [
        (
            "/api/v1/accounts",
            json!({ "segmentId": "seg-001", "accounts": [
                { "domain": "acme.com", "name": "Acme Corp", "externalId": "crm-001",
                  "shortName": "Acme", "linkedinUrl": "https://linkedin.com/company/acme",
                  "tags": ["enterprise"], "customFields": { "CRM_STAGE_C": "POC" } },
                { "domain": "globex.com", "name": "Globex" } ] }),
        ),
        (
            "/api/v1/deals",
            json!({ "deals": [{ "externalDealId": "d-1", "name": "Acme renewal", "amount": 1.5,
                                "associatedAccounts": [{ "domain": "acme.com" }] }] }),
        ),
        (
            "/api/v1/deal-stages",
            json!({ "pipelines": [{ "pipelineId": "p-1", "pipelineLabel": "Main",
                                    "stages": [{ "stageId": "s-1", "stageLabel": "Open" }] }] }),
        ),
        (
            "/api/v1/sales-activities",
            json!({ "activities": [{ "externalActivityId": "a-1", "activityType": "call",
                                     "occurredAt": "2026-04-29T15:00:00Z", "domain": "acme.com",
                                     "ownerEmail": "rep@seller.com",
                                     "contacts": [{ "name": "Ann" }] }] }),
        ),
    ];
    for (path, body) in api_calls {
        let (status, answer) = source.api("main-key", Method::POST, path, Some(&body));
        assert!(status == 200 || status == 201, "{path}: {answer}");
    }
    source.api(
        "other-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Other")),
    );
    let acme = source.admin(Method::GET, "/_mock/accounts", None).1[0]["rtp_aid"]
        .as_str()
        .unwrap()
        .to_string();
    let patched = source.admin(
        Method::PATCH,
        &format!("/_mock/accounts/{acme}"),
        Some(&json!({ "rtp_account_score": 42, "rtp_journey_stage": "Opportunity" })),
    );
    assert_eq!(patched.0, 200);
    let document = source.state();
    let target = Binary::start(&[]);

    // Act
    let put = target.admin(Method::PUT, "/_mock/state", Some(&document));

    // Assert
    assert_eq!(put, (204, Value::Null));
    assert_eq!(target.state(), document);
    assert_eq!(document["teams"].as_array().map(Vec::len), Some(2));
    let listed = target.api("main-key", Method::GET, ACCOUNTS, None);
    assert_eq!(listed.0, 200);
    assert_eq!(listed.1["data"]["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        target.api("test-api-key", Method::GET, ACCOUNTS, None).0,
        401,
        "PUT replaces the whole state, keys included"
    );
}

#[test]
fn an_invalid_state_document_is_refused_with_400_and_changes_nothing() {
    // Arrange
    let binary = Binary::start(&[]);
    let created = binary.api(
        "test-api-key",
        Method::POST,
        ACCOUNTS,
        Some(&create("acme.com", "Acme Corp")),
    );
    assert_eq!(created.0, 200);
    let before = binary.state();
    let invalid = [
        "{ not json",
        r#"{"teams": 5}"#,
        r#"{"teams": [{"name": "default", "bogus": 1}]}"#,
        r#"{"teams": [{"name": "default", "accounts": [{"domain": "no dot", "name": "X"}]}]}"#,
        r#"{"teams": [{"name": "default", "accounts": [{"domain": "acme.com", "name": "A"},
                                                      {"domain": "WWW.ACME.com", "name": "B"}]}]}"#,
        r#"{"teams": [{"name": "default", "segments": [{"segmentId": "s", "name": "S",
                       "members": ["0123456789abcdef01234567"]}]}]}"#,
        r#"{"teams": [{"name": "a"}, {"name": "a"}]}"#,
    ];

    // Act + Assert
    for document in invalid {
        let (status, body) = put_state_text(&binary.root, document);
        assert_eq!(status, 400, "{document}: {body}");
        assert!(body["error"].is_string(), "{document}: {body}");
        assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    }
    assert_eq!(binary.state(), before);
    assert_eq!(
        binary.api("test-api-key", Method::GET, ACCOUNTS, None).0,
        200
    );
}

// ---------------------------------------------------------------------------------------------
// The handle: snapshot / restore, initial state / reset, state file (docs/control.md §2, §5)
// ---------------------------------------------------------------------------------------------

/// A reproducible mock holding a field, a segment with a member, two accounts and a deal.
fn mock_with_some_of_everything() -> MockRecotap {
    let mock = mock();
    mock.add_custom_field(CustomField::new("CRM Stage", LabelType::SingleLineText));
    mock.add_segment(Segment::new("Q2").id("seg-001"));
    let (status, _) = push(
        &mock,
        &json!({ "segmentId": "seg-001",
                 "accounts": [{ "domain": "acme.com", "name": "Acme Corp",
                                "customFields": { "CRM_STAGE_C": "POC" } }] }),
    );
    assert_eq!(status, 200);
    mock.add_account(NewAccount::new("globex.com", "Globex").external_id("crm-2"));
    mock.set_scores("globex.com", ScoreUpdate::default().account_score(9));
    let (status, _) = post(
        &mock,
        "/deals",
        &json!({ "deals": [{ "externalDealId": "d-1", "name": "Acme renewal" }] }),
    );
    assert_eq!(status, 200);
    mock
}

#[test]
fn a_handle_snapshot_restored_after_changes_gives_back_the_same_state() {
    // Arrange
    let mock = mock_with_some_of_everything();
    let snapshot = mock.snapshot();
    let accounts = mock.accounts();
    push(
        &mock,
        &json!({ "accounts": [{ "domain": "initech.com", "name": "Initech" }] }),
    );
    mock.set_scores("acme.com", ScoreUpdate::default().journey_stage("Customer"));
    post(
        &mock,
        "/deal-stages",
        &json!({ "pipelines": [{ "pipelineId": "p", "pipelineLabel": "P",
                                 "stages": [{ "stageId": "s", "stageLabel": "S" }] }] }),
    );
    assert_ne!(mock.snapshot(), snapshot);

    // Act
    let restored = mock.restore(&snapshot);

    // Assert
    assert_eq!(restored, Ok(()));
    assert_eq!(mock.snapshot(), snapshot);
    assert_eq!(mock.accounts(), accounts);
    assert!(mock.pipelines().is_empty());
    let (status, body) = get(&mock, "/accounts");
    assert_eq!(status, 200);
    assert_eq!(body["data"]["data"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        admin_at(&mock.url(), Method::GET, "/_mock/state", None),
        (200, serde_json::to_value(&snapshot).unwrap())
    );
}

#[test]
fn a_snapshot_survives_a_trip_through_json_text() {
    // Arrange
    let mock = mock_with_some_of_everything();
    let snapshot = mock.snapshot();

    // Act
    let text = serde_json::to_string(&snapshot).unwrap();
    let parsed = parse_document(text.as_bytes());

    // Assert
    assert_eq!(parsed, Ok(snapshot));
}

#[test]
fn restoring_an_invalid_document_through_the_handle_fails_and_changes_nothing() {
    // Arrange
    let mock = mock_with_some_of_everything();
    let before = mock.snapshot();
    let invalid: StateDocument = serde_json::from_value(json!({ "teams": [{
        "name": "default",
        "accounts": [{ "domain": "acme.com", "name": "A" }, { "domain": "ACME.COM", "name": "B" }]
    }] }))
    .unwrap();

    // Act
    let outcome = mock.restore(&invalid);

    // Assert
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(mock.snapshot(), before);
}

#[test]
fn a_mock_started_from_an_initial_state_serves_it_and_reset_returns_to_it() {
    // Arrange
    let document: StateDocument = serde_json::from_value(seed_document()).unwrap();
    let mock = MockRecotap::builder()
        .id_seed(3)
        .frozen_clock(FROZEN)
        .initial_state(document)
        .start();
    let initial = mock.snapshot();
    let listed = get(&mock, "/accounts");
    push(&mock, &create("globex.com", "Globex"));
    mock.set_scores("acme.com", ScoreUpdate::default().account_score(1));
    mock.add_api_key("extra-key", "other-team", None);
    assert_ne!(mock.snapshot(), initial);

    // Act
    mock.reset();

    // Assert
    assert_eq!(mock.api_key(), "seed-key");
    assert_eq!(
        listed,
        (
            200,
            success(
                200,
                ACCOUNTS,
                one_page(vec![seeded_acme_row("POC")], SEEDED_ACME)
            )
        )
    );
    assert_eq!(mock.snapshot(), initial);
    assert!(mock.requests().is_empty(), "reset empties the journal");
    assert_eq!(get(&mock, "/accounts"), listed);
}

#[test]
fn a_handle_with_a_state_file_writes_it_when_dropped_and_a_new_mock_loads_it() {
    // Arrange
    let dir = TempDir::new("handle-state-file");
    let path = dir.file("state.json");
    let first = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .state_file(&path)
        .start();
    push(&first, &create("acme.com", "Acme Corp"));
    let saved = first.snapshot();

    // Act
    drop(first);
    let second = MockRecotap::builder().state_file(&path).start();

    // Assert
    assert!(path.exists(), "the state file was written");
    assert_eq!(second.snapshot(), saved);
    assert_eq!(
        second.account_by_domain("acme.com").map(|a| a.name),
        Some("Acme Corp".to_string())
    );
}

#[test]
fn a_state_document_with_omitted_fields_gets_generated_ids_default_fields_and_the_clock_time() {
    // Arrange
    let document: StateDocument = serde_json::from_value(json!({ "teams": [{
        "name": "default",
        "apiKeys": ["k"],
        "accounts": [{ "domain": "https://www.Acme.com/", "name": "Acme Corp" }]
    }] }))
    .unwrap();

    // Act
    let mock = MockRecotap::builder()
        .id_seed(5)
        .frozen_clock(FROZEN)
        .initial_state(document)
        .start();

    // Assert
    let acme = id_of(&mock, "acme.com");
    assert_eq!(acme.len(), 24);
    assert!(acme.bytes().all(|b| b.is_ascii_hexdigit()), "{acme}");
    let state = admin_at(&mock.url(), Method::GET, "/_mock/state", None);
    assert_eq!(
        state,
        (
            200,
            json!({ "teams": [{
                "name": "default", "apiKeys": ["k"], "customFields": [], "segments": [],
                "accounts": [{ "rtp_aid": acme, "domain": "acme.com", "name": "Acme Corp",
                               "externalId": null, "shortName": null, "linkedinUrl": null,
                               "tags": [], "customFields": {}, "rtp_account_score": 0,
                               "rtp_advertising_activity_score": 0, "rtp_website_intent_score": 0,
                               "rtp_g2_intent_score": 0, "rtp_bombora_intent_score": 0,
                               "rtp_journey_stage": "", "createdAt": FROZEN, "updatedAt": FROZEN }],
                "deals": [], "pipelines": [], "activities": [] }] })
        )
    );
}

#[test]
fn a_reset_after_put_state_returns_to_the_initial_state_not_the_put_one() {
    // Arrange
    let mock = mock();
    let initial = admin_at(&mock.url(), Method::GET, "/_mock/state", None).1;
    let replacement = json!({ "teams": [{ "name": "default", "apiKeys": ["test-api-key"],
                                          "accounts": [{ "domain": "acme.com", "name": "Acme" }] }] });
    let put = admin_at(&mock.url(), Method::PUT, "/_mock/state", Some(&replacement));
    assert_eq!(put, (204, Value::Null));
    assert_eq!(mock.accounts().len(), 1);

    // Act
    let reset = admin_at(&mock.url(), Method::POST, "/_mock/reset", None);

    // Assert
    assert_eq!(reset, (204, Value::Null));
    assert_eq!(
        admin_at(&mock.url(), Method::GET, "/_mock/state", None),
        (200, initial)
    );
    assert!(mock.accounts().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Regressions from the spec review
// ---------------------------------------------------------------------------------------------

#[test]
fn a_restored_snapshot_after_a_reset_never_hands_out_an_id_that_is_already_stored() {
    // Arrange: a reset restarts the seeded id generator, the restore brings back its old ids.
    let mock = MockRecotap::builder()
        .id_seed(3)
        .frozen_clock(FROZEN)
        .start();
    push(&mock, &create("a.com", "A"));
    push(&mock, &create("b.com", "B"));
    let snapshot = mock.snapshot();
    mock.reset();
    mock.restore(&snapshot).unwrap();

    // Act
    let (status, _) = push(&mock, &create("c.com", "C"));

    // Assert
    assert_eq!(status, 200);
    let accounts = mock.accounts();
    let mut ids: Vec<String> = accounts.iter().map(|a| a.id().to_string()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three accounts, three ids: {ids:?}");
    assert_eq!(mock.account_by_domain("a.com").unwrap().name, "A");
    let segment = mock.add_segment(Segment::new("generated id after reset"));
    assert!(segment.segment_id.is_some());
}

#[test]
fn a_restart_with_a_state_file_and_a_new_api_key_accepts_the_new_key() {
    // Arrange
    let dir = TempDir::new("state-file-new-key");
    let path = dir.file("state.json");
    let path = path_text(&path);
    let first = Binary::start(&["--state-file", &path, "--api-key", "old-key"]);
    assert_eq!(first.stop_with("TERM"), Some(0));

    // Act
    let second = Binary::start(&["--state-file", &path, "--api-key", "new-key"]);
    let answer = |key: &str| {
        client()
            .get(format!("{}/api/v1/segments", second.root))
            .header("X-Api-Key", key)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };

    // Assert
    assert_eq!(answer("new-key"), 200);
    assert_eq!(answer("old-key"), 200, "the saved key is still known");
}

#[test]
fn issuing_a_key_that_already_exists_is_refused_with_409_and_moves_nothing() {
    // Arrange
    let binary = Binary::start(&["--api-key", "k1"]);

    // Act
    let (status, body) = admin_at(
        &binary.root,
        Method::POST,
        "/_mock/keys",
        Some(&json!({ "key": "k1", "team": "other" })),
    );

    // Assert
    assert_eq!(status, 409);
    assert_eq!(body, json!({ "error": "API key 'k1' already exists" }));
    let (status, _) = admin_at(
        &binary.root,
        Method::GET,
        "/_mock/accounts?team=other",
        None,
    );
    assert_eq!(status, 404, "no team was created for the refused key");
}

#[test]
fn an_admin_segment_id_with_a_space_is_found_percent_encoded() {
    // Arrange
    let mock = mock();
    mock.add_segment(Segment::new("Q2").id("q2 list+x"));

    // Act
    let url = format!("{}/_mock/segments/q2%20list+x", mock.url());
    let response = client().get(url).send().unwrap();

    // Assert
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().unwrap()["segmentId"], "q2 list+x");
}

#[test]
fn a_put_with_two_trailing_slashes_is_not_routed() {
    // Arrange
    let mock = mock();
    let path = "/accounts/69f32820bbbb1c259c3945cd//";

    // Act
    let (status, body) = send(api(&mock, Method::PUT, path).json(&json!({})));

    // Assert
    assert_eq!(status, 404);
    assert_eq!(body["message"], format!("Cannot PUT /api/v1{path}"));
}

#[test]
fn an_api_key_with_non_ascii_characters_authenticates() {
    // Arrange
    let mock = MockRecotap::builder().api_key("clé-secrète").start();

    // Act
    let response = client()
        .get(format!("{}/segments", mock.base_url()))
        .header(
            "X-Api-Key",
            reqwest::header::HeaderValue::from_bytes("clé-secrète".as_bytes()).unwrap(),
        )
        .send()
        .unwrap();

    // Assert
    assert_eq!(response.status(), 200);
}

#[test]
fn keys_only_for_other_teams_leave_test_api_key_in_team_default() {
    // Act
    let mock = MockRecotap::builder().team_api_key("k2", "team2").start();

    // Assert
    assert_eq!(mock.api_key(), "test-api-key");
    let (status, _) = get(&mock, "/segments");
    assert_eq!(status, 200);
}

#[test]
fn a_bad_api_key_flag_ending_in_at_exits_with_code_2() {
    let (code, _, stderr) = run_to_exit(&["--api-key", "KEY@"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("KEY@"), "{stderr}");
}

#[test]
fn the_handle_seeds_and_inspects_another_team_through_team() {
    // Arrange
    let mock = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .team_api_key("k2", "team2")
        .start();
    let team2 = mock.team("team2");
    team2.add_custom_field(CustomField::new("Tier", LabelType::Number));
    team2.add_segment(Segment::new("Team 2 list").id("seg-2"));

    // Act
    let response = client()
        .post(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", "k2")
        .json(&json!({ "segmentId": "seg-2",
                       "accounts": [{ "domain": "acme.com", "name": "Acme", "customFields": { "TIER_C": 1 } }] }))
        .send()
        .unwrap();

    // Assert
    assert_eq!(response.status(), 200);
    let acme = team2
        .account_by_domain("acme.com")
        .expect("stored in team2");
    assert_eq!(acme.custom_fields["TIER_C"], 1);
    assert_eq!(team2.segment_members("seg-2"), vec![acme.id()]);
    assert_eq!(
        team2
            .set_scores("acme.com", ScoreUpdate::default().account_score(5))
            .rtp_account_score,
        Some(5.into())
    );
    assert!(
        mock.accounts().is_empty(),
        "team default sees nothing of team2"
    );
    assert!(mock.team("nobody").accounts().is_empty());
}
