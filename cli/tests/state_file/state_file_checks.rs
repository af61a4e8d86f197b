//! The state file is checked where it matters: at start (a directory that does not exist, or a
//! directory where the file should be, refuses to start with exit code 2 and a message naming
//! the path and the reason); stopping reports whether every commit succeeded; a lone change is
//! committed by its own request, an admin reset by the writer's thread.
//! The builder reports the first as `StartError::StateFile`.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use recotap_mock::{MockRecotap, StartError, StateError};

const BINARY: &str = env!("CARGO_BIN_EXE_recotap-mock");

/// Waits at most ten seconds for `child` to exit; its exit code.
fn exit_code(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("the child can be waited on") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("recotap-mock did not exit within ten seconds");
}

/// Runs the binary with `args` and `--port 0` to its exit: exit code, stdout, stderr.
fn run_to_exit(args: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let code = exit_code(&mut child);
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let _ = child.stdout.take().unwrap().read_to_string(&mut stdout);
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    (code, stdout, stderr)
}

#[test]
fn a_state_file_in_a_directory_that_does_not_exist_refuses_to_start_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("state.json");
    let path = path.to_str().unwrap();
    let (code, stdout, stderr) = run_to_exit(&["--state-file", path]);
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "", "no listening line");
    assert!(stderr.contains(path), "names the path: {stderr}");
    assert!(
        stderr.contains("No such file or directory"),
        "names the reason: {stderr}"
    );
}

#[test]
fn a_state_file_path_that_is_a_directory_refuses_to_start_with_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run_to_exit(&["--state-file", path]);
    assert_eq!(code, Some(2), "stderr: {stderr}");
    assert_eq!(stdout, "");
    assert!(stderr.contains(path), "{stderr}");
}

#[test]
fn the_builder_reports_an_unusable_state_file_directory_as_start_error_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("state.json");
    let error = MockRecotap::builder()
        .state_file(&path)
        .try_start()
        .expect_err("the directory does not exist");
    match &error {
        StartError::StateFile(StateError::Unwritable { path: named, .. }) => {
            assert_eq!(named, &path)
        }
        other => panic!("unexpected error: {other:?}"),
    }
    let message = error.to_string();
    assert!(message.contains(path.to_str().unwrap()), "{message}");
    assert!(message.contains("cannot be written"), "{message}");
}

// With the state file a SQLite database written per change, there is no final write that
// can fail on stop: a failed commit is answered 500 when it happens, and `try_stop` (the
// binary: exit 1) reports it afterwards.

#[test]
fn a_failed_commit_is_answered_500_from_then_on_and_try_stop_reports_it() {
    // Arrange: a commit that fails as on a full disk (a test hook).
    let dir = tempfile::tempdir().unwrap();
    let mock = MockRecotap::builder()
        .frozen_clock("2026-04-30T10:00:00.000Z")
        .state_file(dir.path().join("s.db"))
        .start();
    mock.fail_next_commit();
    let client = reqwest::blocking::Client::new();
    let post = |url: String, body: serde_json::Value| {
        let response = client
            .post(url)
            .header("X-Api-Key", mock.api_key())
            .json(&body)
            .send()
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<serde_json::Value>().unwrap(),
        )
    };
    let account = serde_json::json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] });

    // Act
    let (status, body) = post(format!("{}/accounts", mock.base_url()), account);
    let another =
        serde_json::json!({ "accounts": [{ "domain": "initech.com", "name": "Initech" }] });
    let (later_status, _) = post(format!("{}/accounts", mock.base_url()), another);
    let (unchanged_status, _) = post(
        format!("{}/accounts", mock.base_url()),
        serde_json::json!({}),
    );
    let seed = serde_json::json!({ "domain": "globex.com", "name": "Globex" });
    let (admin_status, admin_body) = post(format!("{}/_mock/accounts", mock.url()), seed);

    // Assert: the API's 500 for a fault of the emulator; the admin API's error, naming it;
    // every later change refused too (the file no longer holds what was acknowledged), while
    // a request that changes nothing gets its own answer (here the validation's 400).
    let why = "the state file could not be written: database or disk is full (injected by a test)";
    assert_eq!(
        (status, body),
        (
            500,
            serde_json::json!({
                "statusCode": 500,
                "timestamp": "2026-04-30T10:00:00.000Z",
                "path": "/api/v1/accounts",
                "message": "Internal Server Error",
                "data": null
            })
        )
    );
    assert_eq!((later_status, unchanged_status), (500, 400));
    assert_eq!(
        (admin_status, admin_body),
        (500, serde_json::json!({ "error": why }))
    );
    let stopped = mock
        .try_stop()
        .expect_err("a failed commit is reported at stop");
    assert!(stopped.to_string().contains("s.db"), "{stopped}");
}
#[test]
fn a_lone_change_is_committed_by_its_own_request_and_an_admin_reset_by_the_writer_thread() {
    // Arrange
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.db");
    let mock = MockRecotap::builder().state_file(&path).start();
    let client = reqwest::blocking::Client::new();

    // Act: changes each after a quiet spell, then a reset (a whole store rewritten).
    for i in 0..10 {
        std::thread::sleep(Duration::from_millis(3));
        let body =
            serde_json::json!({ "accounts": [{ "domain": format!("lone{i}.com"), "name": "N" }] });
        let answer = client
            .post(format!("{}/accounts", mock.base_url()))
            .header("X-Api-Key", mock.api_key())
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(answer.status(), 200);
    }
    let by_requests = mock.inline_commits();
    std::thread::sleep(Duration::from_millis(3));
    let reset = client
        .post(format!("{}/_mock/reset", mock.url()))
        .send()
        .unwrap();
    let after_reset = mock.inline_commits();
    mock.stop();
    let restarted = MockRecotap::builder().state_file(&path).start();

    // Assert: no hand-over to a thread for a lone change (one commit on the request's own
    // thread each); the reset left to the writer's thread, and in the file all the same.
    assert_eq!(by_requests, 10);
    assert_eq!((reset.status().as_u16(), after_reset), (204, 10));
    assert_eq!(restarted.accounts().len(), 0);
}

#[test]
fn try_stop_succeeds_when_every_commit_did() {
    let dir = tempfile::tempdir().unwrap();
    let mock = MockRecotap::builder()
        .state_file(dir.path().join("s.db"))
        .start();
    assert!(mock.try_stop().is_ok());
    assert!(dir.path().join("s.db").exists());
}
