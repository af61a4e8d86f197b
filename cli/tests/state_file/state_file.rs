//! The SQLite state file through the real binary: nothing acknowledged is lost to a SIGKILL in
//! the middle of a burst of writes or after paced ones, a second binary refuses a file in use, a JSON state file is
//! migrated once, and `export` / `import` convert a state file to a state document and back.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::listening_url;
use serde_json::{json, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_recotap-mock");

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let name = format!(
            "recotap-mock-state-file-{}-{label}-{nanos}",
            std::process::id()
        );
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running binary on a free port, killed on drop.
struct Binary {
    child: Child,
    root: String,
}

impl Binary {
    fn start(args: &[&str]) -> Binary {
        let mut child = Command::new(BINARY)
            .args(args)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (root, _) = listening_url(stdout, Duration::from_secs(30));
        Binary { child, root }
    }

    fn state(&self) -> Value {
        reqwest::blocking::get(format!("{}/_mock/state", self.root))
            .unwrap()
            .json()
            .unwrap()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the binary to its exit: exit code, stdout, stderr.
fn run(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (
        output.status.code(),
        text(output.stdout),
        text(output.stderr),
    )
}

fn domains(state: &Value) -> Vec<String> {
    let mut domains: Vec<String> = state["teams"][0]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["domain"].as_str().unwrap().to_string())
        .collect();
    domains.sort();
    domains
}

#[test]
fn every_write_acknowledged_before_a_sigkill_in_the_middle_of_a_burst_is_there_after_restart() {
    // Arrange: four clients pushing accounts as fast as they can.
    let dir = TempDir::new("sigkill-burst");
    let file = dir.file("state.db");
    let mut binary = Binary::start(&["--state-file", &file]);
    let root = Arc::new(binary.root.clone());
    let stopped = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let (root, stopped) = (root.clone(), stopped.clone());
            std::thread::spawn(move || {
                let http = reqwest::blocking::Client::new();
                let mut acknowledged = Vec::new();
                for i in 0.. {
                    if stopped.load(Ordering::Acquire) {
                        break;
                    }
                    let domain = format!("c{client}-{i}.example.com");
                    let body = json!({ "accounts": [{ "domain": domain, "name": "N" }] });
                    let sent = http
                        .post(format!("{root}/api/v1/accounts"))
                        .header("X-Api-Key", "test-api-key")
                        .json(&body)
                        .send();
                    match sent {
                        Ok(answer) if answer.status() == 200 => acknowledged.push(domain),
                        _ => break,
                    }
                }
                acknowledged
            })
        })
        .collect();

    // Act: SIGKILL while the clients are still sending.
    std::thread::sleep(Duration::from_millis(700));
    binary.child.kill().unwrap();
    binary.child.wait().unwrap();
    stopped.store(true, Ordering::Release);
    let mut acknowledged: Vec<String> = clients
        .into_iter()
        .flat_map(|client| client.join().unwrap())
        .collect();
    acknowledged.sort();
    drop(binary);
    let restarted = Binary::start(&["--state-file", &file]);

    // Assert
    assert!(
        acknowledged.len() > 20,
        "the burst was a burst: {}",
        acknowledged.len()
    );
    let kept = domains(&restarted.state());
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|domain| kept.binary_search(domain).is_err())
        .collect();
    assert_eq!(lost, Vec::<&String>::new(), "acknowledged writes lost");
}

#[test]
fn every_paced_write_each_committed_by_its_own_request_is_there_after_a_sigkill() {
    // Arrange: one client with a pause before each write, so that each change comes after a
    // quiet spell and its own request commits it (no group, no writer thread).
    let dir = TempDir::new("sigkill-paced");
    let file = dir.file("state.db");
    let mut binary = Binary::start(&["--state-file", &file]);
    let http = reqwest::blocking::Client::new();
    let mut acknowledged = Vec::new();
    for i in 0..40 {
        std::thread::sleep(Duration::from_millis(3));
        let domain = format!("paced-{i}.example.com");
        let body = json!({ "accounts": [{ "domain": domain, "name": "N" }], "upsert": true });
        let answer = http
            .post(format!("{}/api/v1/accounts", binary.root))
            .header("X-Api-Key", "test-api-key")
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200, "{domain}");
        acknowledged.push(domain);
    }

    // Act: SIGKILL right after the last answer.
    binary.child.kill().unwrap();
    binary.child.wait().unwrap();
    drop(binary);
    let restarted = Binary::start(&["--state-file", &file]);

    // Assert
    acknowledged.sort();
    assert_eq!(domains(&restarted.state()), acknowledged);
}

#[test]
fn a_second_binary_on_a_state_file_in_use_refuses_to_start_and_the_first_goes_on() {
    // Arrange
    let dir = TempDir::new("two-binaries");
    let file = dir.file("state.db");
    let first = Binary::start(&["--state-file", &file]);

    // Act
    let (code, _, stderr) = run(&["--port", "0", "--state-file", &file], b"");
    let pushed = reqwest::blocking::Client::new()
        .post(format!("{}/api/v1/accounts", first.root))
        .header("X-Api-Key", "test-api-key")
        .json(&json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
        .send()
        .unwrap();

    // Assert
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        format!(
            "recotap-mock: invalid state (--state-file): {file}: in use by another process \
             (another recotap-mock?); each mock needs a state file of its own, and `export` \
             reads a file once its mock has stopped\n"
        )
    );
    assert_eq!(pushed.status(), 200);
    assert_eq!(domains(&first.state()), ["acme.com"]);
}

#[test]
fn a_json_state_file_is_migrated_once_and_kept_as_a_backup() {
    // Arrange
    let dir = TempDir::new("migrate");
    let file = dir.file("state.json");
    let document = json!({ "teams": [{ "name": "default", "apiKeys": ["k"],
        "accounts": [{ "rtp_aid": "65f000000000000000000001", "domain": "acme.com",
                       "name": "Acme", "createdAt": "2026-04-30T10:00:00.000Z",
                       "updatedAt": "2026-04-30T10:00:00.000Z" }] }] });
    std::fs::write(&file, document.to_string()).unwrap();

    // Act
    let first = Binary::start(&["--state-file", &file]);
    let served = first.state();
    drop(first);
    let second = Binary::start(&["--state-file", &file]);

    // Assert
    assert_eq!(domains(&served), ["acme.com"]);
    assert_eq!(second.state(), served);
    let backup = std::fs::read(format!("{file}.bak")).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&backup).unwrap(), document);
    let head = std::fs::read(&file).unwrap();
    assert!(head.starts_with(b"SQLite format 3\0"));
}

#[test]
fn import_then_export_gives_back_the_document_and_a_binary_serves_it() {
    // Arrange
    let dir = TempDir::new("import-export");
    let file = dir.file("state.db");
    let document = json!({ "teams": [
        { "name": "default", "apiKeys": ["k", { "key": "u", "user": "ann" }],
          "customFields": [{ "key": "TIER_C", "label": "Tier", "labelType": "number",
                             "description": null, "options": [], "status": "active" }],
          "segments": [{ "segmentId": "s1", "name": "S", "type": "static", "status": "active",
                         "members": ["65f000000000000000000001"] }],
          "accounts": [{ "rtp_aid": "65f000000000000000000001", "domain": "acme.com",
                         "name": "Acme", "createdAt": "2026-04-30T10:00:00.000Z",
                         "updatedAt": "2026-04-30T10:00:00.000Z" }],
          "deals": [{ "externalDealId": "d-1", "name": "Renewal" }] },
        { "name": "other", "apiKeys": ["o"], "settings": { "requestsPerSecond": 5 } } ] });
    let text = document.to_string();

    // Act
    let imported = run(&["import", "--state-file", &file], text.as_bytes());
    let (code, exported, _) = run(&["export", "--state-file", &file], b"");
    let served = Binary::start(&["--state-file", &file]).state();

    // Assert
    assert_eq!(imported.0, Some(0), "{}", imported.2);
    assert_eq!(code, Some(0));
    let exported: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(exported, served);
    assert_eq!(
        exported["teams"][0]["apiKeys"],
        document["teams"][0]["apiKeys"]
    );
    assert_eq!(
        exported["teams"][0]["segments"][0]["members"],
        json!(["65f000000000000000000001"])
    );
    assert_eq!(
        exported["teams"][1]["settings"],
        json!({ "requestsPerSecond": 5 })
    );
    assert_eq!(exported["teams"][0]["deals"][0]["externalDealId"], "d-1");
}

#[test]
fn an_invalid_document_is_not_imported_and_the_file_is_left_as_it_was() {
    let dir = TempDir::new("import-invalid");
    let file = dir.file("state.db");
    let bad = r#"{ "teams": [{ "name": "default", "accounts": [{ "domain": "not a domain", "name": "X" }] }] }"#;
    let (code, _, stderr) = run(&["import", "--state-file", &file], bad.as_bytes());
    assert_eq!(code, Some(2));
    assert!(stderr.contains("accounts[0]"), "{stderr}");
    assert!(!Path::new(&file).exists());
}

#[test]
fn migrating_a_json_state_file_never_overwrites_an_existing_backup() {
    // Arrange: a backup from an earlier migration is already there.
    let dir = TempDir::new("backup-kept");
    let file = dir.file("state.json");
    std::fs::write(format!("{file}.bak"), "an earlier backup").unwrap();
    std::fs::write(format!("{file}.bak.1"), "an even earlier one").unwrap();
    let document = json!({ "teams": [{ "name": "default", "apiKeys": ["k"] }] });
    std::fs::write(&file, document.to_string()).unwrap();

    // Act
    drop(Binary::start(&["--state-file", &file]));

    // Assert
    assert_eq!(
        std::fs::read_to_string(format!("{file}.bak")).unwrap(),
        "an earlier backup"
    );
    assert_eq!(
        std::fs::read_to_string(format!("{file}.bak.1")).unwrap(),
        "an even earlier one"
    );
    let backup = std::fs::read(format!("{file}.bak.2")).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&backup).unwrap(), document);
}

#[test]
fn a_state_file_of_an_unknown_format_is_refused_with_exit_2_naming_the_format_and_kept() {
    // Arrange: a state file a newer recotap-mock wrote (format 2).
    let dir = TempDir::new("unknown-format");
    let file = dir.file("state.db");
    drop(Binary::start(&["--state-file", &file]));
    let connection = rusqlite_free_sql(&file, "UPDATE meta SET value = '2' WHERE name = 'format'");
    assert!(connection, "sqlite3 rewrote the format");

    // Act
    let output = Command::new(BINARY)
        .args(["--state-file", &file, "--port", "0"])
        .stdin(Stdio::null())
        .output()
        .unwrap();

    // Assert
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("state file format \"2\" is not one this recotap-mock reads"),
        "{stderr}"
    );
    let format = std::process::Command::new("sqlite3")
        .args([&file, "SELECT value FROM meta WHERE name = 'format'"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&format.stdout).trim(),
        "2",
        "not rewritten"
    );
}

/// Runs `sql` on the SQLite file at `path` with the `sqlite3` command (which `.ci/run`
/// installs); whether it succeeded.
fn rusqlite_free_sql(path: &str, sql: &str) -> bool {
    Command::new("sqlite3")
        .args([path, sql])
        .status()
        .is_ok_and(|status| status.success())
}
