//! Every flag can also be set as `RECOTAP_MOCK_<FLAG>` (for containers and CI), and `--help`
//! says so.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::listening_url;

const BINARY: &str = env!("CARGO_BIN_EXE_recotap-mock");

#[test]
fn help_lists_the_environment_variable_of_every_flag() {
    let output = Command::new(BINARY).arg("--help").output().unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    for variable in [
        "HOST",
        "PORT",
        "API_KEY",
        "RATE_LIMIT",
        "SEED",
        "STATE_FILE",
        "MAX_BODY_BYTES",
        "JOURNAL_SIZE",
        "CORS",
        "ADMIN_TOKEN",
        "PROFILE",
    ] {
        assert!(
            help.contains(&format!("[env: RECOTAP_MOCK_{variable}")),
            "{variable}:\n{help}"
        );
    }
}

#[test]
fn flags_are_read_from_the_environment() {
    let mut child = Command::new(BINARY)
        .env("RECOTAP_MOCK_PORT", "0")
        .env("RECOTAP_MOCK_API_KEY", "env-key-1,env-key-2")
        .env("RECOTAP_MOCK_CORS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (url, _) = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
    let client = reqwest::blocking::Client::new();
    for key in ["env-key-1", "env-key-2"] {
        let response = client
            .get(format!("{url}/api/v1/segments"))
            .header("X-Api-Key", key)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{key}");
        assert_eq!(response.headers()["access-control-allow-origin"], "*");
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn help_never_prints_the_values_of_secrets_from_the_environment() {
    let output = Command::new(BINARY)
        .arg("--help")
        .env("RECOTAP_MOCK_ADMIN_TOKEN", "s3cret-token")
        .env("RECOTAP_MOCK_API_KEY", "s3cret-key")
        .output()
        .unwrap();
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(!help.contains("s3cret"), "{help}");
}

/// Starts the binary with `args` and `env`, returns the child and its root URL.
fn start(args: &[&str], env: &[(&str, &str)]) -> (std::process::Child, String) {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    let (url, _) = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
    (child, url)
}

/// The body of a route 404 from the mock at `url`.
fn not_found_body(url: &str) -> serde_json::Value {
    let response = reqwest::blocking::Client::new()
        .get(format!("{url}/api/v1/nothing"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 404);
    response.json().unwrap()
}

#[test]
fn the_profile_flag_and_its_variable_choose_the_sandbox() {
    for (args, env) in [
        (&["--port", "0", "--profile", "sandbox"][..], &[][..]),
        (
            &["--port", "0"][..],
            &[("RECOTAP_MOCK_PROFILE", "sandbox")][..],
        ),
    ] {
        let (mut child, url) = start(args, env);
        let body = not_found_body(&url);
        assert!(body.get("data").is_none(), "{body}");
        let _ = child.kill();
        let _ = child.wait();
    }
    let (mut child, url) = start(&["--port", "0"], &[]);
    assert_eq!(not_found_body(&url)["data"], serde_json::Value::Null);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn an_unknown_profile_is_a_usage_error() {
    let output = Command::new(BINARY)
        .args(["--port", "0", "--profile", "live"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("invalid value 'live' for '--profile <PROFILE>'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("[possible values: documented, sandbox]"),
        "{stderr}"
    );
}
