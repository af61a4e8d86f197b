//! Every flag can also be set as `RECOTAP_MOCK_<FLAG>` (for containers and CI), and `--help`
//! says so.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

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
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("recotap-mock listening on ")
        .unwrap()
        .to_string();
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
