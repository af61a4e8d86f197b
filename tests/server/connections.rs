//! Connection abuse over raw loopback sockets: slow and silent clients (slowloris), oversized
//! heads, too many headers, idle connections by the thousand, clients that vanish mid-body,
//! and requests with both `Content-Length` and `Transfer-Encoding`. After each, the mock must
//! still serve, and nothing half-sent may have changed its state.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;
use recotap_mock::{Fault, MockRecotap};

/// The header-read timeout of the mocks that test it: short, so the tests are quick.
const PATIENCE: Duration = Duration::from_millis(300);
/// How long past [`PATIENCE`] the server may take to act on it on a busy 2-core machine.
const SLACK: Duration = Duration::from_secs(3);
const AMBIGUOUS_NOTE: &str = "both Content-Length and Transfer-Encoding: refused by the HTTP \
                              parser with a bare 400, as Node's llhttp refuses it";

fn impatient_mock() -> MockRecotap {
    MockRecotap::builder()
        .id_seed(7)
        .frozen_clock(FROZEN)
        .header_read_timeout(PATIENCE)
        .start()
}

fn connect(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(address).expect("the mock accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout can be set");
    stream
}

/// Writes `bytes` (a server that closes early may refuse the rest: that is allowed), then
/// reads until the server closes. Returns what was read, and whether the connection ended
/// with a reset rather than an orderly close.
fn exchange(address: SocketAddr, bytes: &[u8]) -> (String, bool) {
    let mut stream = connect(address);
    let _ = stream.write_all(bytes);
    read_until_closed(&mut stream)
}

fn read_until_closed(stream: &mut TcpStream) -> (String, bool) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    // Bounded: each read waits at most the read timeout, and a response is small.
    for _ in 0..1024 {
        match stream.read(&mut buffer) {
            Ok(0) => return (String::from_utf8_lossy(&received).into_owned(), false),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                return (String::from_utf8_lossy(&received).into_owned(), true)
            }
            Err(error) => panic!("the server neither answered nor closed: {error}"),
        }
    }
    panic!("the server kept sending");
}

/// The status codes of the responses in `text`, in order.
fn statuses(text: &str) -> Vec<u16> {
    text.match_indices("HTTP/1.1 ")
        .filter_map(|(at, prefix)| text.get(at + prefix.len()..at + prefix.len() + 3))
        .filter_map(|code| code.parse().ok())
        .collect()
}

/// Waits (bounded by `limit`) until the server closes `stream`; returns how long that took.
/// Whatever the server sends first (it should send nothing) is ignored.
fn time_until_closed(stream: &mut TcpStream, limit: Duration) -> Duration {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(limit))
        .expect("a read timeout can be set");
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return started.elapsed(),
            Ok(_) if started.elapsed() < limit => continue,
            Err(error) if error.kind() == ErrorKind::ConnectionReset => return started.elapsed(),
            other => panic!("still open after {:?}: {other:?}", started.elapsed()),
        }
    }
}

/// Proves the mock still serves: a plain API request on a new connection answers 200.
fn assert_still_serving(mock: &MockRecotap) {
    let (status, body) = get(mock, "/segments");
    assert_eq!(status, 200, "{body}");
}

fn accounts_post_head(mock: &MockRecotap, framing: &str) -> String {
    format!(
        "POST /api/v1/accounts HTTP/1.1\r\nHost: {}\r\nX-Api-Key: {}\r\n\
         Content-Type: application/json\r\n{framing}\r\n",
        mock.address(),
        mock.api_key()
    )
}

const BATCH: &str = r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#;

// ---------------------------------------------------------------------------------------------
// Slow and silent clients
// ---------------------------------------------------------------------------------------------

#[test]
fn a_client_trickling_its_head_is_cut_off_after_the_header_read_timeout() {
    // Arrange
    let mock = impatient_mock();
    let mut slow = connect(mock.address());
    slow.write_all(b"GET /api/v1/segments HTTP/1.1\r\nX-Slow: ")
        .unwrap();
    let started = Instant::now();

    // Act: one byte every 50 ms, never finishing the head; bounded to 100 bytes (5 s).
    let mut closed_after = None;
    for _ in 0..100 {
        if slow.write_all(b"a").is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        slow.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        match slow.read(&mut [0u8; 64]) {
            Ok(0) => closed_after = Some(started.elapsed()),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {
                closed_after = Some(started.elapsed())
            }
            Ok(_) => panic!("a head that never ends got an answer"),
            Err(_) => {}
        }
        if closed_after.is_some() {
            break;
        }
    }

    // Assert
    let closed_after = closed_after.expect("the trickling client was never cut off");
    assert!(closed_after < PATIENCE + SLACK, "{closed_after:?}");
    assert!(mock.requests().is_empty());
    assert_still_serving(&mock);
}

#[test]
fn other_clients_are_served_while_a_slow_client_holds_a_connection() {
    // Arrange: a head with no end, from a client that stays connected.
    let mock = MockRecotap::builder().frozen_clock(FROZEN).start();
    let mut slow = connect(mock.address());
    slow.write_all(b"POST /api/v1/accounts HTTP/1.1\r\nX-Slow: ")
        .unwrap();

    // Act
    let started = Instant::now();
    let (status, _) = push(
        &mock,
        &serde_json::json!({ "accounts": [
        { "domain": "acme.com", "name": "Acme" } ] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(2));
    drop(slow);
}

#[test]
fn a_client_that_connects_and_says_nothing_is_disconnected() {
    // Arrange
    let mock = impatient_mock();
    let mut silent = connect(mock.address());

    // Act
    let closed_after = time_until_closed(&mut silent, PATIENCE + SLACK);

    // Assert
    assert!(
        closed_after >= PATIENCE / 2,
        "closed too early: {closed_after:?}"
    );
    assert_still_serving(&mock);
}

#[test]
fn a_client_trickling_the_http2_preface_is_disconnected() {
    // Arrange: the first bytes of the HTTP/2 preface, which keep the server guessing.
    let mock = impatient_mock();
    let mut slow = connect(mock.address());
    slow.write_all(b"PRI * HTTP/2.0\r\n").unwrap();

    // Act
    let closed_after = time_until_closed(&mut slow, PATIENCE + SLACK);

    // Assert
    assert!(closed_after < PATIENCE + SLACK);
    assert_still_serving(&mock);
}

#[test]
fn an_http2_client_that_stops_answering_pings_is_disconnected() {
    // Arrange: the whole preface and an empty SETTINGS frame, then silence (no ping answers).
    let mock = impatient_mock();
    let mut silent = connect(mock.address());
    silent
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .unwrap();

    // Act: one ping interval and one ping timeout, plus slack.
    let closed_after = time_until_closed(&mut silent, PATIENCE * 2 + SLACK);

    // Assert
    assert!(
        closed_after >= PATIENCE,
        "closed too early: {closed_after:?}"
    );
    assert_still_serving(&mock);
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_timeout_once_its_request_is_answered() {
    // Arrange
    let mock = impatient_mock();
    let mut stream = connect(mock.address());
    let request = format!(
        "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nX-Api-Key: {}\r\n\r\n",
        mock.api_key()
    );
    stream.write_all(request.as_bytes()).unwrap();

    // Act: read the answer, then nothing more is sent.
    let (text, _) = read_until_closed(&mut stream);

    // Assert: answered, then closed by the server rather than held open.
    assert_eq!(statuses(&text), [200], "{text}");
}

#[test]
fn a_slow_answer_is_not_cut_off_by_the_header_read_timeout() {
    // Arrange: the timeout bounds reading a head, not the time the mock takes to answer.
    let mock = impatient_mock();
    mock.add_fault(Fault::delay(PATIENCE * 3).on("GET", "/api/v1/segments"));

    // Act
    let started = Instant::now();
    let (status, body) = get(&mock, "/segments");

    // Assert
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() >= PATIENCE * 3);
}

#[test]
fn a_slow_body_upload_is_not_cut_off_by_the_header_read_timeout() {
    // Arrange: the head arrives at once, the body in two halves, apart by twice the timeout.
    let mock = impatient_mock();
    let (first, second) = BATCH.split_at(BATCH.len() / 2);
    let head = accounts_post_head(
        &mock,
        &format!("Content-Length: {}\r\nConnection: close\r\n", BATCH.len()),
    );
    let mut stream = connect(mock.address());
    stream
        .write_all(format!("{head}{first}").as_bytes())
        .unwrap();

    // Act
    thread::sleep(PATIENCE * 2);
    stream.write_all(second.as_bytes()).unwrap();
    let (text, _) = read_until_closed(&mut stream);

    // Assert
    assert_eq!(statuses(&text), [200], "{text}");
    assert!(mock.account_by_domain("acme.com").is_some());
}

#[test]
fn a_thousand_idle_connections_do_not_slow_other_clients_and_are_shed_after_the_timeout() {
    // Arrange: as many idle connections as the open-file limit allows, up to 1,000 (each
    // costs two descriptors here, as client and server share this process). Half send
    // nothing, half the start of a head.
    let patience = Duration::from_secs(2);
    let mock = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .header_read_timeout(patience)
        .start();
    let count = idle_connection_budget();
    let opened = Instant::now();
    let mut idle: Vec<TcpStream> = (0..count)
        .map(|i| {
            let connecting = Instant::now();
            let mut stream = connect(mock.address());
            // A connection the kernel's accept queue had no room for retries its SYN after a
            // second (the listen backlog was once std's 128, too few for such a burst).
            let took = connecting.elapsed();
            assert!(
                took < Duration::from_millis(900),
                "connection {i} took {took:?}"
            );
            if i % 2 == 1 {
                stream
                    .write_all(b"GET /api/v1/segments HTTP/1.1\r\n")
                    .unwrap();
            }
            stream
        })
        .collect();

    // Act: other clients, while every idle connection is held.
    let started = Instant::now();
    for _ in 0..20 {
        assert_still_serving(&mock);
    }
    let served_in = started.elapsed();
    assert!(
        opened.elapsed() < patience,
        "too slow to test anything: the idle connections may have been shed already"
    );

    // Assert: quick service, then every idle connection closed by the server.
    assert!(
        served_in < Duration::from_secs(2),
        "{count} idle: {served_in:?}"
    );
    for stream in &mut idle {
        time_until_closed(stream, patience + SLACK);
    }
    assert_still_serving(&mock);
}

/// Idle connections the open-file limit leaves room for, at most 1,000.
fn idle_connection_budget() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let soft = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|value| value.parse::<usize>().ok())
        .unwrap_or(1024);
    // Two descriptors per connection, and room for the rest of the test binary.
    (soft.saturating_sub(512) / 2).clamp(64, 1000)
}

// ---------------------------------------------------------------------------------------------
// Oversized heads
// ---------------------------------------------------------------------------------------------

#[test]
fn a_head_over_64_kib_gets_431_or_a_closed_connection() {
    // Arrange
    let mock = mock();
    let head = format!(
        "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nX-Api-Key: {}\r\nX-Big: {}\r\n\r\n",
        mock.api_key(),
        "a".repeat(100 * 1024)
    );

    // Act
    let (text, _reset) = exchange(mock.address(), head.as_bytes());

    // Assert
    let answered = statuses(&text);
    assert!(answered.is_empty() || answered == [431], "{text}");
    assert!(mock.requests().is_empty());
    assert_still_serving(&mock);
}

#[test]
fn a_head_just_under_16_kib_is_accepted_as_node_accepts_it() {
    // Arrange: Node's default `maxHeaderSize` is 16 KiB for the whole head.
    let mock = mock();
    let head = format!(
        "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nX-Api-Key: {}\r\nCookie: {}\r\n\
         Connection: close\r\n\r\n",
        mock.api_key(),
        "a".repeat(15 * 1024)
    );

    // Act
    let (text, _) = exchange(mock.address(), head.as_bytes());

    // Assert
    assert_eq!(statuses(&text), [200], "{text}");
}

#[test]
fn a_head_over_16_kib_gets_a_bare_431_as_node_answers_it() {
    // Arrange
    let mock = mock();
    let head = format!(
        "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nX-Api-Key: {}\r\nCookie: {}\r\n\
         Connection: close\r\n\r\n",
        mock.api_key(),
        "a".repeat(17 * 1024)
    );

    // Act
    let (text, _) = exchange(mock.address(), head.as_bytes());

    // Assert
    assert_eq!(statuses(&text), [431], "{text}");
    assert!(text.contains("content-length: 0"), "{text}");
    assert!(mock.requests().is_empty());
}

#[test]
fn hundreds_of_header_lines_are_served_as_node_serves_them() {
    // Arrange
    let mock = mock();
    let head_with = |count: usize| {
        let mut head = format!(
            "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nConnection: close\r\nX-Api-Key: {}\r\n",
            mock.api_key()
        );
        for i in 3..count {
            head.push_str(&format!("X-Extra-{i}: {i}\r\n"));
        }
        head + "\r\n"
    };

    // Act
    // Node counts no header lines (hyper's default refused more than 100 with a bare 431).
    let (many, _) = exchange(mock.address(), head_with(101).as_bytes());
    let (hundreds, _) = exchange(mock.address(), head_with(600).as_bytes());

    // Assert
    assert_eq!(statuses(&many), [200], "{many}");
    assert_eq!(statuses(&hundreds), [200], "{hundreds}");
    assert_eq!(mock.requests().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Clients that vanish mid-body
// ---------------------------------------------------------------------------------------------

#[test]
fn a_client_that_disconnects_mid_body_changes_nothing() {
    // Arrange: a complete, valid batch inside a body that claims to be longer; and the same
    // batch as a chunk of a chunked body that never ends.
    let mock = mock();
    let sized = format!(
        "{}{BATCH}",
        accounts_post_head(&mock, &format!("Content-Length: {}\r\n", BATCH.len() + 100))
    );
    let chunked = format!(
        "{}{:x}\r\n{BATCH}\r\n",
        accounts_post_head(&mock, "Transfer-Encoding: chunked\r\n"),
        BATCH.len()
    );

    for request in [sized, chunked] {
        // Act
        let mut stream = connect(mock.address());
        stream.write_all(request.as_bytes()).unwrap();
        thread::sleep(Duration::from_millis(50));
        drop(stream);

        // Assert
        assert_still_serving(&mock);
        thread::sleep(Duration::from_millis(100));
        assert!(mock.accounts().is_empty());
    }
    let journaled: Vec<String> = mock.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(journaled, ["/api/v1/segments", "/api/v1/segments"]);
}

// ---------------------------------------------------------------------------------------------
// Content-Length and Transfer-Encoding together
// ---------------------------------------------------------------------------------------------

#[test]
fn a_request_with_both_content_length_and_transfer_encoding_is_refused_in_either_order() {
    // Arrange
    let mock = mock();
    let chunked_batch = format!("{:x}\r\n{BATCH}\r\n0\r\n\r\n", BATCH.len());
    let orders = [
        format!(
            "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n",
            BATCH.len()
        ),
        format!(
            "Transfer-Encoding: chunked\r\nContent-Length: {}\r\n",
            BATCH.len()
        ),
    ];

    for framing in orders {
        // Act
        let request = format!("{}{chunked_batch}", accounts_post_head(&mock, &framing));
        let (text, _) = exchange(mock.address(), request.as_bytes());

        // Assert: what Node's parser answers: a bare 400, then the connection closed.
        assert_bare_400(&text);
        assert!(mock.accounts().is_empty());
    }
    // Journaled all the same, with why, so a session's report shows the refusal.
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.status, 400);
        assert!(request.response.is_empty());
        assert_eq!(request.note.as_deref(), Some(AMBIGUOUS_NOTE));
    }
    assert!(mock
        .report()
        .contains(&format!("POST /api/v1/accounts → 400 ({AMBIGUOUS_NOTE})")));
    assert_still_serving(&mock);
}

/// What Node answers a head its parser refuses: `400 Bad Request`, no body, and the connection
/// closed (`text` is everything read until the server closed it).
fn assert_bare_400(text: &str) {
    let last = text.rfind("HTTP/1.1 ").map_or(text, |at| &text[at..]);
    let (head, body) = last.split_once("\r\n\r\n").unwrap_or((last, ""));
    assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    let head = head.to_ascii_lowercase();
    assert!(head.contains("\r\nconnection: close"), "{text}");
    assert!(!head.contains("content-type"), "{text}");
    assert_eq!(body, "", "{text}");
}

#[test]
fn an_ambiguous_request_after_a_good_one_on_the_same_connection_is_refused_alone() {
    // Arrange: a plain GET, then the ambiguous POST, pipelined on one connection.
    let mock = mock();
    let good = format!(
        "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\nX-Api-Key: {}\r\n\r\n",
        mock.api_key()
    );
    let framing = format!(
        "Content-Length: {}\r\nTransfer-Encoding: chunked\r\n",
        BATCH.len()
    );
    let ambiguous = format!(
        "{}{:x}\r\n{BATCH}\r\n0\r\n\r\n",
        accounts_post_head(&mock, &framing),
        BATCH.len()
    );

    // Act
    let (text, _) = exchange(mock.address(), format!("{good}{ambiguous}").as_bytes());

    // Assert
    assert_eq!(statuses(&text), [200, 400], "{text}");
    assert_bare_400(&text);
    assert!(mock.accounts().is_empty());
    assert_still_serving(&mock);
}

#[test]
fn an_ambiguous_request_gets_no_cors_headers_as_node_answers_before_any_middleware() {
    // Arrange: a mock that answers CORS, and a cross-origin request with both framings.
    let mock = MockRecotap::builder().cors(true).start();
    let framing = format!(
        "Origin: https://app.example\r\nContent-Length: {}\r\nTransfer-Encoding: chunked\r\n",
        BATCH.len()
    );
    let request = format!(
        "{}{:x}\r\n{BATCH}\r\n0\r\n\r\n",
        accounts_post_head(&mock, &framing),
        BATCH.len()
    );

    // Act
    let (text, _) = exchange(mock.address(), request.as_bytes());

    // Assert: the bare 400, without the Access-Control headers a served request gets.
    assert_bare_400(&text);
    assert!(
        !text.to_ascii_lowercase().contains("access-control-"),
        "{text}"
    );
}

#[test]
fn the_admin_api_refuses_an_ambiguous_request_as_the_parser_does_and_journals_nothing() {
    // Arrange
    let mock = mock();
    let body = r#"{"label":"Tier","labelType":"number"}"#;
    let request = format!(
        "POST /_mock/custom-fields HTTP/1.1\r\nHost: m\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
        body.len(),
        body.len()
    );

    // Act
    let (text, _) = exchange(mock.address(), request.as_bytes());

    // Assert
    assert_bare_400(&text);
    assert!(mock.custom_fields().is_empty());
    assert!(mock.requests().is_empty());
}

#[test]
fn a_chunked_request_with_extensions_and_trailers_is_served_normally() {
    // Arrange: the framing the ambiguity check follows, with everything HTTP/1.1 allows.
    let mock = mock();
    let (first, second) = BATCH.split_at(10);
    let request = format!(
        "{}{:x};name=\"value\"\r\n{first}\r\n{:x}\r\n{second}\r\n0\r\nX-Trailer: 1\r\n\r\n",
        accounts_post_head(&mock, "Transfer-Encoding: chunked\r\nConnection: close\r\n"),
        first.len(),
        second.len()
    );

    // Act
    let (text, _) = exchange(mock.address(), request.as_bytes());

    // Assert
    assert_eq!(statuses(&text), [200], "{text}");
    assert!(mock.account_by_domain("acme.com").is_some());
}
