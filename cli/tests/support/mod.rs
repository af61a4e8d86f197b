//! What the binary's integration tests share: the one line the binary prints on stdout once
//! its port accepts connections, `recotap-mock listening on http://HOST:PORT`.

use std::io::{BufRead, BufReader, Read};
use std::process::ChildStdout;
use std::sync::mpsc;
use std::time::Duration;

const LISTENING: &str = "recotap-mock listening on ";

/// The binary's root URL (`http://HOST:PORT`) from its listening line, and what it prints
/// after it (sent once stdout closes). Read on a thread that drains stdout, so that a binary
/// that never says where it listens fails the test within `patience` instead of hanging it,
/// and the pipe never fills.
///
/// # Panics
/// If no line comes within `patience`, or the line is not the listening line of a real port.
pub fn listening_url(stdout: ChildStdout, patience: Duration) -> (String, mpsc::Receiver<String>) {
    let (first_line, first) = mpsc::channel();
    let (rest_of_stdout, rest) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = first_line.send(line);
        let mut tail = Vec::new();
        let _ = reader.read_to_end(&mut tail);
        let _ = rest_of_stdout.send(String::from_utf8_lossy(&tail).into_owned());
    });
    let line = first
        .recv_timeout(patience)
        .unwrap_or_else(|_| panic!("the binary printed no listening line within {patience:?}"));
    let url = line
        .strip_prefix(LISTENING)
        .and_then(|rest| rest.strip_suffix('\n'))
        .unwrap_or_else(|| panic!("unexpected first stdout line: {line:?}"));
    let port = url
        .rsplit(':')
        .next()
        .and_then(|port| port.parse::<u16>().ok());
    assert!(
        port.is_some_and(|port| port != 0),
        "the listening line names the bound port: {line:?}"
    );
    (url.to_string(), rest)
}
