//! What the parity tests share: a mock binary to point parity at, a run of `recotap-mock
//! parity` bounded in time, its report read back, and tiny servers that are not the API. Every
//! connection stays on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::listening_url;

pub mod expected;

/// How long one parity run may take before the test fails (a run takes about a second).
const PARITY_TIMEOUT: Duration = Duration::from_secs(120);

/// A `recotap-mock` binary serving on a free port, killed (by its own id) when dropped.
pub struct Mock {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Mock {
    pub fn start(profile: &str, key: &str) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
            .args(["--port", "0", "--profile", profile, "--api-key", key])
            .env_clear()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the binary starts");
        let stdout = child.stdout.take().unwrap();
        let (url, _) = listening_url(stdout, Duration::from_secs(10));
        Mock { child, url }
    }

    /// Adds a fault through the admin API (`POST /_mock/faults`).
    pub fn add_fault(&self, fault: &str) {
        let response = reqwest::blocking::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{}/_mock/faults", self.url))
            .header("Content-Type", "application/json")
            .body(fault.to_string())
            .send()
            .expect("the admin API answers");
        assert_eq!(response.status().as_u16(), 201, "{fault}");
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// How a parity run ended.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    /// The scenario lines: (name, `same` or `differs`).
    pub fn verdicts(&self) -> Vec<(String, String)> {
        self.stdout
            .lines()
            .take_while(|line| !line.is_empty() && !line.contains("scenario"))
            .map(|line| {
                let mut words = line.split_whitespace();
                let name = words.next().unwrap().to_string();
                (name, words.next().unwrap_or_default().to_string())
            })
            .collect()
    }

    /// The table's rows: [scenario, step, path, emulator, target].
    pub fn rows(&self) -> Vec<[String; 5]> {
        self.stdout
            .lines()
            .filter(|line| line.starts_with("| ") && !line.starts_with("| scenario "))
            .map(|line| {
                let cells: Vec<String> = line
                    .trim_start_matches("| ")
                    .trim_end_matches(" |")
                    .split(" | ")
                    .map(|cell| cell.trim().to_string())
                    .collect();
                cells
                    .try_into()
                    .unwrap_or_else(|cells| panic!("not five cells: {cells:?}"))
            })
            .collect()
    }

    /// Panics with the whole output when the exit code is not `code`.
    pub fn expect_code(&self, code: i32) -> &Ran {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `recotap-mock parity ARGS` (in the repository's root) within `PARITY_TIMEOUT`.
pub fn parity(args: &[&str]) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
        .arg("parity")
        .args(args)
        .env_clear()
        .current_dir(repository())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + PARITY_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("recotap-mock parity {args:?} ran over {PARITY_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ran {
        code: status.code().expect("parity exits, it is not killed"),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

pub fn repository() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A server on loopback that answers every request with the same raw answer (not the API),
/// stopped when dropped.
pub struct NotTheApi {
    pub url: String,
    stop: Arc<AtomicBool>,
}

impl NotTheApi {
    /// Answers every request with `status_line`, `content_type` and `body`.
    pub fn start(status_line: &str, content_type: &str, body: &str) -> NotTheApi {
        let answer = raw_answer(status_line, content_type, body);
        NotTheApi::answering(move |_| answer.clone())
    }

    /// Answers every request with the API's envelope around the `X-Api-Key` it was sent, as a
    /// server that echoes headers would: the key comes back in every answer.
    pub fn echoing_the_key() -> NotTheApi {
        NotTheApi::answering(|head| {
            let key = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("x-api-key")
                        .then(|| value.trim().to_string())
                })
                .unwrap_or_default();
            let body = format!(
                r#"{{"statusCode":200,"timestamp":"2026-06-04T17:40:21.000Z","path":"/","data":{{"echo":"{key}"}}}}"#
            );
            raw_answer("200 OK", "application/json; charset=utf-8", &body)
        })
    }

    /// Answers every request with what `answer` makes of its head.
    fn answering(answer: impl Fn(&str) -> String + Send + 'static) -> NotTheApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            // Bounded: it serves until the test drops it, and at most two minutes.
            let deadline = Instant::now() + Duration::from_secs(120);
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        stream.set_nonblocking(false).unwrap();
                        stream
                            .set_read_timeout(Some(Duration::from_secs(2)))
                            .unwrap();
                        let mut head = Vec::new();
                        let mut byte = [0u8; 1];
                        while !head.ends_with(b"\r\n\r\n")
                            && stream.read(&mut byte).unwrap_or(0) == 1
                        {
                            head.push(byte[0]);
                        }
                        let head = String::from_utf8_lossy(&head).into_owned();
                        // Read the body too: closing on unread bytes would reset the connection.
                        let length = head
                            .lines()
                            .find_map(|line| {
                                let (name, value) = line.split_once(':')?;
                                name.eq_ignore_ascii_case("content-length")
                                    .then(|| value.trim().parse::<u64>().ok())?
                            })
                            .unwrap_or(0);
                        let _ =
                            std::io::copy(&mut (&mut stream).take(length), &mut std::io::sink());
                        let _ = stream.write_all(answer(&head).as_bytes());
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        NotTheApi { url, stop }
    }
}

fn raw_answer(status_line: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status_line}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

impl Drop for NotTheApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A loopback address where nothing listens (a port just bound and released).
pub fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
