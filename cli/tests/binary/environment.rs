//! Every flag can also be set as `RECOTAP_MOCK_<FLAG>` (for containers and CI), and `--help`
//! says so.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::listening_url;

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
        "EXIT_WITH_STDIN",
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

/// A binary started by [`start_with`]: its root URL and its stderr lines as they come; killed
/// on drop, so a failing test leaves no process behind.
struct Started {
    url: String,
    lines: std::sync::mpsc::Receiver<String>,
    child: std::process::Child,
}

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary with `environment` and `args` on a free port.
fn start_with(environment: &[(&str, &str)], args: &[&str]) -> Started {
    let mut child = Command::new(BINARY)
        .envs(environment.iter().copied())
        .args(args)
        .args(["--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (url, _) = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
    let stderr = child.stderr.take().unwrap();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    Started {
        url,
        lines: received,
        child,
    }
}

#[test]
fn a_list_in_an_environment_variable_is_trimmed_around_its_commas() {
    let started = start_with(&[("RECOTAP_MOCK_API_KEY", "k1, k2 ,k3")], &[]);
    let url = &started.url;
    let client = reqwest::blocking::Client::new();
    for key in ["k1", "k2", "k3"] {
        let response = client
            .get(format!("{url}/api/v1/segments"))
            .header("X-Api-Key", key)
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{key}");
    }
}

#[test]
fn an_empty_admin_token_is_refused_at_start_with_exit_2() {
    for (environment, args) in [
        (vec![("RECOTAP_MOCK_ADMIN_TOKEN", "")], vec![]),
        (vec![], vec!["--admin-token", ""]),
        (vec![], vec!["--admin-token", "  "]),
    ] {
        let output = Command::new(BINARY)
            .envs(environment)
            .args(&args)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--admin-token (RECOTAP_MOCK_ADMIN_TOKEN) is empty"),
            "{stderr}"
        );
        assert!(output.stdout.is_empty(), "it never listened");
    }
}

#[test]
fn log_requests_writes_one_line_per_api_request_and_nothing_without_it() {
    let started = start_with(&[], &["--log", "requests"]);
    let (url, lines) = (&started.url, &started.lines);
    let response = reqwest::blocking::Client::new()
        .get(format!("{url}/api/v1/segments?limit=1"))
        .send()
        .unwrap();
    assert_eq!(response.status(), 401);
    let line = (0..50)
        .find_map(|_| {
            let line = lines.recv_timeout(Duration::from_secs(5)).ok()?;
            line.contains("request").then_some(line)
        })
        .filter(|line| line.contains("/api/v1/segments"));
    let line = line.expect("a request line");
    for part in [
        "method=GET",
        "path=/api/v1/segments?limit=1",
        "status=401",
        "team=-",
        "ms=",
    ] {
        assert!(line.contains(part), "{part}: {line}");
    }

    let quiet = start_with(&[], &[]);
    let _ = reqwest::blocking::get(format!("{}/api/v1/segments", quiet.url)).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let logged: Vec<String> = quiet.lines.try_iter().collect();
    assert!(
        !logged.iter().any(|line| line.contains("/api/v1/segments")),
        "{logged:?}"
    );
}

#[test]
fn a_cors_origin_is_echoed_with_credentials_and_another_origin_gets_no_cors_headers() {
    let started = start_with(
        &[(
            "RECOTAP_MOCK_CORS_ORIGIN",
            "http://localhost:3000, http://app.test",
        )],
        &[],
    );
    let url = &started.url;
    let client = reqwest::blocking::Client::new();
    let ask = |origin: &str| {
        client
            .get(format!("{url}/api/v1/segments"))
            .header("X-Api-Key", "test-api-key")
            .header("Origin", origin)
            .send()
            .unwrap()
    };
    let allowed = ask("http://app.test");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://app.test"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    assert_eq!(allowed.headers()["vary"], "Origin");
    let other = ask("http://evil.test");
    assert!(other.headers().get("access-control-allow-origin").is_none());
    let preflight = client
        .request(reqwest::Method::OPTIONS, format!("{url}/api/v1/accounts"))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "http://localhost:3000"
    );
    assert_eq!(
        preflight.headers()["access-control-allow-credentials"],
        "true"
    );
}
