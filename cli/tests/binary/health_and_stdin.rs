//! `recotap-mock health` (a container's health check: exit 0 when the configured mock answers
//! `GET /_mock/health` with 200, else 1 with the reason) and `--exit-with-stdin` (the binary
//! stops gracefully when its standard input ends, as when the process holding the pipe dies).

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::listening_url;

const BINARY: &str = env!("CARGO_BIN_EXE_recotap-mock");

/// A binary on a free loopback port with `args`, its stdin a pipe held here; killed on drop.
struct Mock {
    child: Child,
    port: String,
}

impl Mock {
    fn start(args: &[&str]) -> Mock {
        let mut child = Command::new(BINARY)
            .args(["--port", "0"])
            .args(args)
            .env_remove("RECOTAP_MOCK_ADMIN_TOKEN")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (url, _) = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
        let port = url.rsplit(':').next().unwrap().to_string();
        Mock { child, port }
    }

    /// Waits up to `patience` for the binary to exit; its exit code and its stderr.
    fn exit_within(mut self, patience: Duration) -> Option<(Option<i32>, String)> {
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut stderr = String::new();
                let _ = self
                    .child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut stderr);
                return Some((status.code(), stderr));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn health(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env_remove("RECOTAP_MOCK_HOST")
        .env_remove("RECOTAP_MOCK_PORT")
        .env_remove("RECOTAP_MOCK_ADMIN_TOKEN");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn health_exits_0_for_a_running_mock_whatever_the_way_its_port_is_given() {
    let mock = Mock::start(&[]);
    let port = mock.port.as_str();
    for (args, env) in [
        (vec!["health", "--port", port], vec![]),
        (vec!["--port", port, "health"], vec![]),
        (vec!["health"], vec![("RECOTAP_MOCK_PORT", port)]),
        // A mock bound to every interface is asked at loopback.
        (
            vec!["health"],
            vec![
                ("RECOTAP_MOCK_PORT", port),
                ("RECOTAP_MOCK_HOST", "0.0.0.0"),
            ],
        ),
    ] {
        let output = health(&args, &env);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?} {env:?}: {}",
            text(&output.stderr)
        );
        assert_eq!(
            text(&output.stdout),
            format!("recotap-mock health: ok (http://127.0.0.1:{port})\n")
        );
    }
}

#[test]
fn health_exits_1_with_the_reason_when_nothing_answers() {
    // Port 9 (discard) is closed on a test machine: a refused connection.
    let output = health(&["health", "--port", "9"], &[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("recotap-mock health: cannot connect to 127.0.0.1:9:"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn health_sends_the_admin_token_and_says_when_it_lacks_one() {
    let mock = Mock::start(&["--admin-token", "health-token"]);
    let port = mock.port.as_str();
    let without = health(&["health", "--port", port], &[]);
    assert_eq!(without.status.code(), Some(1));
    assert!(
        text(&without.stderr).contains("answered 401: the admin API needs the token"),
        "{}",
        text(&without.stderr)
    );
    let with_flag = health(
        &["health", "--port", port, "--admin-token", "health-token"],
        &[],
    );
    assert_eq!(
        with_flag.status.code(),
        Some(0),
        "{}",
        text(&with_flag.stderr)
    );
    let with_variable = health(
        &["health", "--port", port],
        &[("RECOTAP_MOCK_ADMIN_TOKEN", "health-token")],
    );
    assert_eq!(with_variable.status.code(), Some(0));
}

#[test]
fn health_refuses_a_server_that_is_not_the_mock() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let server = std::thread::spawn(move || {
        use std::io::Write;
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 1024];
        let _ = stream.read(&mut request);
        let _ = stream.write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    });
    let output = health(&["health", "--port", &port], &[]);
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains(&format!(
            "http://127.0.0.1:{port}/_mock/health answered 503, not 200"
        )),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn with_exit_with_stdin_the_end_of_stdin_stops_the_binary_gracefully() {
    let mut mock = Mock::start(&["--exit-with-stdin"]);
    drop(mock.child.stdin.take()); // what the kernel does when the parent holding it dies
    let (code, stderr) = mock
        .exit_within(Duration::from_secs(10))
        .expect("the binary exits once its stdin ends");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("standard input ended: shutting down"),
        "{stderr}"
    );
}

#[test]
fn without_the_flag_the_end_of_stdin_changes_nothing() {
    let mut mock = Mock::start(&[]);
    let port = mock.port.clone();
    drop(mock.child.stdin.take());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        mock.child.try_wait().unwrap().is_none(),
        "the binary exited"
    );
    let output = health(&["health", "--port", &port], &[]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_flag_is_read_from_its_variable() {
    let mut child = Command::new(BINARY)
        .args(["--port", "0"])
        .env("RECOTAP_MOCK_EXIT_WITH_STDIN", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _ = listening_url(child.stdout.take().unwrap(), Duration::from_secs(30));
    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the binary did not exit");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}
