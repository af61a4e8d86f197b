//! The vendor's JavaScript stack (Node, Express, body-parser), rule by rule, over real HTTP: bodies read as
//! `JSON.parse` behind body-parser reads them, answers written as `JSON.stringify` writes
//! them, gzip and deflate bodies inflated, request lines and headers read as Node reads them.
//! Requests go out as raw bytes (a client library would encode the target, join nothing, and
//! refuse to send a lone surrogate), and answers are compared as text where serde_json would
//! read two different texts alike (`1e21` and `1e+21`) or not at all (`"\ud83d"`). Each
//! expectation names the JavaScript value it comes from.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::*;
use flate2::write::{GzEncoder, ZlibEncoder};
use flate2::Compression;
use recotap_mock::{CustomField, LabelType, MockRecotap, NewAccount, ScoreUpdate};
use serde_json::{json, Value};

const ACCOUNTS: &str = "/api/v1/accounts";

/// Sends `head` (request line and headers, without the blank line; `Host`, `Content-Length`
/// and `Connection: close` are added) and `body` as bytes; returns the status and body text.
fn exchange(mock: &MockRecotap, head: &[u8], body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(mock.address()).expect("the mock accepts connections");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = head.to_vec();
    let tail = format!(
        "\r\nHost: m\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    request.extend_from_slice(tail.as_bytes());
    request.extend_from_slice(body);
    stream.write_all(&request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8(response).expect("the response is UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("an HTTP response");
    let status = head.split(' ').nth(1).and_then(|code| code.parse().ok());
    (status.expect("a status line"), body.to_string())
}

/// `POST /api/v1/accounts` with a JSON body sent as these bytes, and extra header lines.
fn post_bytes(mock: &MockRecotap, headers: &str, body: &[u8]) -> (u16, String) {
    let head = format!(
        "POST {ACCOUNTS} HTTP/1.1\r\nX-Api-Key: {}\r\nContent-Type: application/json{headers}",
        mock.api_key()
    );
    exchange(mock, head.as_bytes(), body)
}

/// `GET` of `target` with the API key, the target sent as these very bytes.
fn get_raw(mock: &MockRecotap, target: &[u8]) -> (u16, String) {
    let mut head = b"GET ".to_vec();
    head.extend_from_slice(target);
    head.extend_from_slice(format!(" HTTP/1.1\r\nX-Api-Key: {}", mock.api_key()).as_bytes());
    exchange(mock, &head, b"")
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// A mock with a number custom field `SCORE_C`.
fn scored_mock() -> MockRecotap {
    let mock = mock();
    mock.add_custom_field(CustomField::new("Score", LabelType::Number));
    mock
}

/// The `data` of `GET /accounts`, as text, for the one account there is.
fn listed_text(mock: &MockRecotap) -> String {
    let (status, text) = get_raw(mock, ACCOUNTS.as_bytes());
    assert_eq!(status, 200, "{text}");
    text
}

/// A serde_json float (which prints as `78.0`).
fn float(value: f64) -> serde_json::Number {
    serde_json::Number::from_f64(value).unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

const ONE: &str = r#"{"accounts":[{"domain":"acme.com","name":"Acme"}]}"#;

fn created_one(mock: &MockRecotap) -> Value {
    let id = id_of(mock, "acme.com");
    success(
        200,
        ACCOUNTS,
        results(
            vec![json!({ "rtp_aid": id, "domain": "acme.com", "status": "created" })],
            1,
            0,
            0,
        ),
    )
}

#[test]
fn json_bodies_are_read_as_json_parse_reads_them_after_body_parser() {
    let rows: [(&str, Vec<u8>); 3] = [
        // body-parser's decoder drops the mark; JSON.parse then reads the object.
        (
            "a leading byte-order mark",
            [b"\xEF\xBB\xBF", ONE.as_bytes()].concat(),
        ),
        (
            "a byte-order mark and white space",
            [b"\xEF\xBB\xBF \r\n", ONE.as_bytes()].concat(),
        ),
        // JSON.parse('{"a":1,"a":2}').a === 2: the last value wins, the first place stays.
        (
            "a repeated key",
            br#"{"accounts":"x","accounts":[{"domain":"acme.com","name":"Acme"}]}"#.to_vec(),
        ),
    ];
    for (name, body) in rows {
        let mock = mock();
        let (status, text) = post_bytes(&mock, "", &body);
        assert_eq!((status, parsed(&text)), (200, created_one(&mock)), "{name}");
    }
}

#[test]
fn a_lone_surrogate_is_a_valid_string_and_comes_back_as_the_escape_it_was_sent_as() {
    let mock = scored_mock();
    // JSON.parse('"A \\ud83d"') is 'A \ud83d', and JSON.stringify gives back '"A \\ud83d"'.
    let body = r#"{"accounts":[{"domain":"acme.com","name":"A \ud83d",
        "customFields":{"SCORE_C":"\ud83d\ude00 \ude00"}}]}"#;
    let (status, text) = post_bytes(&mock, "", body.as_bytes());
    assert_eq!((status, parsed(&text)), (200, created_one(&mock)));
    let listed = listed_text(&mock);
    for fragment in [
        r#""name":"A \ud83d""#,
        // A pair is one character (😀), written as itself; the lone one after it as an escape.
        r#""customFields":{"SCORE_C":"😀 \ude00"}"#,
    ] {
        assert!(listed.contains(fragment), "{fragment} in {listed}");
    }
    // An unknown custom field named by a lone surrogate is named back the same way.
    let unknown = r#"{"accounts":[{"domain":"b.com","name":"B","customFields":{"\udc00":1}}]}"#;
    let (status, text) = post_bytes(&mock, "", unknown.as_bytes());
    let error = r#""error":"Custom field key(s) not found: \udc00. Unable to add this account.""#;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(error), "{text}");
}

#[test]
fn a_number_beyond_the_doubles_is_infinite_not_malformed() {
    let mock = scored_mock();
    // JSON.parse('1e400') === Infinity; JSON.stringify(Infinity) === 'null'.
    let body =
        r#"{"accounts":[{"domain":"acme.com","name":"Acme","customFields":{"SCORE_C":-1e400}}]}"#;
    let (status, text) = post_bytes(&mock, "", body.as_bytes());
    assert_eq!((status, parsed(&text)), (200, created_one(&mock)));
    assert!(listed_text(&mock).contains(r#""customFields":{"SCORE_C":null}"#));
    // typeof Infinity === 'number': not a boolean.
    let upsert = r#"{"accounts":[{"domain":"a.com","name":"A"}],"upsert":1e400}"#;
    let (status, text) = post_bytes(&mock, "", upsert.as_bytes());
    let expected = validation_error(
        ACCOUNTS,
        vec![violation(
            "upsert",
            "isBoolean",
            "upsert must be a boolean value",
        )],
    );
    assert_eq!((status, parsed(&text)), (400, expected));
}

#[test]
fn what_json_parse_refuses_keeps_serde_jsons_detail() {
    let rows: [(&str, &[u8], &str); 4] = [
        // JSON.parse('\ufeff\ufeff{}') throws: only one mark is dropped.
        (
            "two byte-order marks",
            b"\xEF\xBB\xBF\xEF\xBB\xBF{}",
            "expected value at line 1 column 1",
        ),
        // JSON.parse('"\\ud83d\\u12"') throws: a bad escape after a lone surrogate.
        (
            "a bad escape after a lone surrogate",
            br#"{"a":"\ud83d\u12"}"#,
            "invalid escape at line 1 column 18",
        ),
        // JSON.parse('[1e400,]') throws.
        (
            "a trailing comma after an infinite number",
            b"[1e400,]",
            "number out of range at line 1 column 6",
        ),
        // JSON.parse('{"a":"\\ud83d"') throws: cut short.
        (
            "a body cut short",
            br#"{"a":"\ud83d""#,
            "unexpected end of hex escape at line 1 column 13",
        ),
    ];
    for (name, body, detail) in rows {
        let mock = mock();
        let (status, text) = post_bytes(&mock, "", body);
        let expected = business_error(
            400,
            ACCOUNTS,
            "Bad Request",
            &format!("Malformed JSON body: {detail}"),
        );
        assert_eq!((status, parsed(&text)), (400, expected), "{name}");
    }
}

#[test]
fn numbers_are_written_as_json_stringify_writes_them() {
    // Each row: the number as sent, and JSON.stringify(JSON.parse(sent)).
    let rows = [
        ("78.0", "78"),
        ("-0", "0"),
        ("-0.0", "0"),
        ("1e21", "1e+21"),
        ("1E21", "1e+21"),
        ("1.5e300", "1.5e+300"),
        ("0.1", "0.1"),
        ("1e-7", "1e-7"),
        ("0.000001", "0.000001"),
        ("100e-2", "1"),
        ("1e20", "100000000000000000000"),
        ("12345678901234567890", "12345678901234567000"),
        ("9007199254740993", "9007199254740992"),
        ("1e400", "null"),
    ];
    for (sent, written) in rows {
        let mock = scored_mock();
        let body = format!(
            r#"{{"accounts":[{{"domain":"acme.com","name":"A","customFields":{{"SCORE_C":{sent}}}}}]}}"#
        );
        let (status, text) = post_bytes(&mock, "", body.as_bytes());
        assert_eq!(status, 200, "{sent}: {text}");
        let fragment = format!(r#""customFields":{{"SCORE_C":{written}}}"#);
        let listed = listed_text(&mock);
        assert!(listed.contains(&fragment), "{sent}: {fragment} in {listed}");
    }
}

#[test]
fn scores_set_through_the_admin_api_and_the_handle_are_written_as_javascript_writes_them() {
    let mock = mock();
    let acme = mock.add_account(NewAccount::new("acme.com", "Acme").score(float(78.0)));
    // JSON.stringify(78.0) === '78', whether the score was seeded or set later.
    assert_eq!(acme.rtp_account_score.as_ref().unwrap().to_string(), "78");
    let path = format!("/_mock/accounts/{}", acme.id());
    let patch = json!({ "rtp_website_intent_score": 12.0, "rtp_g2_intent_score": 0.5 });
    let (status, body) = admin_at(&mock.url(), reqwest::Method::PATCH, &path, Some(&patch));
    assert_eq!(status, 200, "{body}");
    mock.set_scores(
        "acme.com",
        ScoreUpdate::default().bombora_intent_score(float(3.0)),
    );
    let listed = listed_text(&mock);
    for fragment in [
        r#""rtp_account_score":78,"#,
        r#""rtp_website_intent_score":12,"#,
        r#""rtp_g2_intent_score":0.5,"#,
        r#""rtp_bombora_intent_score":3,"#,
    ] {
        assert!(listed.contains(fragment), "{fragment} in {listed}");
    }
    let (_, admin) = admin_at(&mock.url(), reqwest::Method::GET, "/_mock/accounts", None);
    assert_eq!(admin[0]["rtp_account_score"].to_string(), "78");
}

#[test]
fn gzip_and_deflate_bodies_are_inflated_before_they_are_read() {
    // body-parser inflates `gzip` and `deflate` (zlib.createGunzip / createInflate), any case.
    let rows: [(&str, Vec<u8>); 5] = [
        ("gzip", gzip(ONE.as_bytes())),
        ("GZip", gzip(ONE.as_bytes())),
        ("deflate", zlib(ONE.as_bytes())),
        ("DEFLATE", zlib(ONE.as_bytes())),
        ("identity", ONE.as_bytes().to_vec()),
    ];
    for (coding, body) in rows {
        let mock = mock();
        let (status, text) = post_bytes(&mock, &format!("\r\nContent-Encoding: {coding}"), &body);
        assert_eq!(
            (status, parsed(&text)),
            (200, created_one(&mock)),
            "{coding}"
        );
        // The journal keeps the body as read: inflated.
        assert_eq!(mock.requests()[0].body, ONE.as_bytes(), "{coding}");
    }
}

#[test]
fn any_other_content_encoding_is_refused_with_415_and_journaled() {
    let rows = [
        // createError(415, 'unsupported content encoding "br"'), the value lower-cased.
        ("br", "br"),
        ("X-Custom", "x-custom"),
        // Node joins a repeated header: 'gzip, gzip' is no coding body-parser knows.
        ("gzip\r\nContent-Encoding: gzip", "gzip, gzip"),
    ];
    for (sent, shown) in rows {
        let mock = mock();
        let headers = format!("\r\nContent-Encoding: {sent}");
        let (status, text) = post_bytes(&mock, &headers, ONE.as_bytes());
        let custom = format!("Unsupported content encoding \"{shown}\"");
        let expected = business_error(415, ACCOUNTS, "Unsupported Media Type", &custom);
        assert_eq!((status, parsed(&text)), (415, expected), "{sent}");
        assert_eq!(mock.requests().len(), 1, "{sent}");
        assert_eq!(mock.requests()[0].status, 415, "{sent}");
        assert!(mock.accounts().is_empty());
    }
    // The admin API answers in its own shape.
    let mock = mock();
    let head =
        b"POST /_mock/accounts HTTP/1.1\r\nContent-Type: application/json\r\nContent-Encoding: br";
    let (status, text) = exchange(&mock, head, br#"{"domain":"a.com","name":"A"}"#);
    let expected = json!({ "error": "Unsupported content encoding \"br\"" });
    assert_eq!((status, parsed(&text)), (415, expected));
    // A body body-parser never parses (not JSON) is never looked at.
    let head = format!(
        "POST {ACCOUNTS} HTTP/1.1\r\nX-Api-Key: {}\r\nContent-Type: text/plain\r\nContent-Encoding: br",
        mock.api_key()
    );
    let (status, _) = exchange(&mock, head.as_bytes(), b"xyz");
    assert_eq!(status, 400);
}

#[test]
fn the_size_limit_holds_for_the_inflated_body_and_a_bomb_is_not_inflated_past_it() {
    let limit = 256 * 1024;
    let mock = MockRecotap::builder()
        .id_seed(7)
        .frozen_clock(FROZEN)
        .max_body_bytes(limit)
        .start();
    let rows: [(&str, Vec<u8>, u16); 3] = [
        // 100 MiB of spaces, about 100 KiB gzipped: stops at the limit.
        ("a gzip bomb", gzip(&vec![b' '; 100 * 1024 * 1024]), 413),
        (
            "one byte over",
            gzip(format!("{ONE}{}", " ".repeat(limit + 1 - ONE.len())).as_bytes()),
            413,
        ),
        (
            "exactly the limit",
            gzip(format!("{ONE}{}", " ".repeat(limit - ONE.len())).as_bytes()),
            200,
        ),
    ];
    for (name, body, expected) in rows {
        assert!(body.len() < limit, "{name}: {}", body.len());
        let (status, text) = post_bytes(&mock, "\r\nContent-Encoding: gzip", &body);
        assert_eq!(status, expected, "{name}: {text}");
        if expected == 413 {
            let too_large = plain_error(413, ACCOUNTS, "Payload Too Large");
            assert_eq!(parsed(&text), too_large, "{name}");
        }
    }
}

#[test]
fn a_body_that_does_not_inflate_is_refused_with_400() {
    let mock = mock();
    let (status, text) = post_bytes(&mock, "\r\nContent-Encoding: gzip", ONE.as_bytes());
    assert_eq!(status, 400, "{text}");
    let body = parsed(&text);
    let custom = body["customMessage"].as_str().unwrap();
    assert!(
        custom.starts_with("Malformed compressed body: "),
        "{custom}"
    );
    assert_eq!(mock.requests()[0].status, 400);
}

#[test]
fn request_targets_node_accepts_are_routed_and_shown_as_sent() {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    let acme = id_of(&mock, "acme.com");
    // Each target is sent as these bytes; Node's req.url is the same text (bytes as Latin-1).
    let rows: [(&[u8], &str, usize); 4] = [
        (
            br#"/api/v1/accounts?domains=["acme.com"]"#,
            r#"/api/v1/accounts?domains=["acme.com"]"#,
            1,
        ),
        (
            b"/api/v1/accounts?domains=[\"<a>`{|}^.com\"]",
            "/api/v1/accounts?domains=[\"<a>`{|}^.com\"]",
            0,
        ),
        (
            b"/api/v1/accounts?domains=[\"acme.com\",\"\xC3\xA9.com\"]",
            "/api/v1/accounts?domains=[\"acme.com\",\"\u{c3}\u{a9}.com\"]",
            1,
        ),
        (
            b"/api/v1/accounts?domains=%5B%22acme.com%22%5D",
            "/api/v1/accounts?domains=%5B%22acme.com%22%5D",
            1,
        ),
    ];
    for (sent, shown, found) in rows {
        let (status, text) = get_raw(&mock, sent);
        let body = parsed(&text);
        assert_eq!((status, &body["path"]), (200, &json!(shown)), "{text}");
        assert_eq!(
            body["data"]["data"].as_array().unwrap().len(),
            found,
            "{shown}"
        );
        if found == 1 {
            assert_eq!(body["data"]["data"][0]["rtp_aid"], json!(acme));
        }
    }
    // A raw byte that is not UTF-8 is routed too; the query is refused for what it says.
    let (status, text) = get_raw(&mock, b"/api/v1/accounts?x=\xFF");
    let unknown = violation("x", "whitelistValidation", "property x should not exist");
    let expected = validation_error("/api/v1/accounts?x=\u{ff}", vec![unknown]);
    assert_eq!((status, parsed(&text)), (400, expected));
    // A path Node routes nowhere is a 404 that names it as sent: `Cannot GET /api/v1/<x>`.
    let (status, text) = get_raw(&mock, b"/api/v1/<x>?a=\"b\"");
    let expected = plain_error(404, "/api/v1/<x>?a=\"b\"", "Cannot GET /api/v1/<x>");
    assert_eq!((status, parsed(&text)), (404, expected));
    let journal = serde_json::to_value(mock.requests()).unwrap();
    assert_eq!(journal.as_array().unwrap().len(), 6);
    assert_eq!(journal[0]["status"], json!(200));
    // The journal shows each target as sent, as the envelope does.
    assert_eq!(
        journal[0]["path"],
        json!(r#"/api/v1/accounts?domains=["acme.com"]"#)
    );
    assert_eq!(journal[5]["path"], json!("/api/v1/<x>?a=\"b\""));
}

#[test]
fn rewritten_targets_on_one_kept_alive_connection_are_each_answered_in_order() {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme"));
    let key = mock.api_key();
    let body = r#"{"accounts":[]}"#;
    let requests = format!(
        "GET /api/v1/accounts?domains=[\"acme.com\"] HTTP/1.1\r\nHost: m\r\nX-Api-Key: {key}\r\n\r\n\
         POST /api/v1/accounts?a=\"b\" HTTP/1.1\r\nHost: m\r\nX-Api-Key: {key}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}\
         GET /api/v1/segments?q=<> HTTP/1.1\r\nHost: m\r\nX-Api-Key: {key}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    // Byte by byte too: a head split across reads is rewritten all the same.
    for piece in [requests.len(), 1] {
        let mut stream = TcpStream::connect(mock.address()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        for part in requests.as_bytes().chunks(piece) {
            stream.write_all(part).unwrap();
        }
        let mut text = String::new();
        let _ = stream.read_to_string(&mut text);
        let paths: Vec<&str> = text
            .match_indices("\"path\":\"")
            .map(|(at, _)| {
                let rest = &text[at + 8..];
                &rest[..rest.find("\",").unwrap()]
            })
            .collect();
        assert_eq!(
            paths,
            [
                r#"/api/v1/accounts?domains=[\"acme.com\"]"#,
                r#"/api/v1/accounts?a=\"b\""#,
                "/api/v1/segments?q=<>"
            ],
            "{text}"
        );
    }
}

#[test]
fn a_header_sent_twice_is_read_as_its_values_joined() {
    let mock = mock();
    let key = mock.api_key();
    // Node: req.headers['x-api-key'] === 'k, k' for two `X-Api-Key: k` lines.
    let rows = [
        (format!("X-Api-Key: {key}\r\nX-Api-Key: {key}"), 401),
        (format!("X-Api-Key: {key}\r\nX-Api-Key: other"), 401),
        (format!("X-Api-Key: {key}"), 200),
    ];
    for (headers, expected) in rows {
        let head = format!("GET /api/v1/segments HTTP/1.1\r\n{headers}");
        let (status, text) = exchange(&mock, head.as_bytes(), b"");
        assert_eq!(status, expected, "{headers}: {text}");
        if expected == 401 {
            let denied = business_error(
                401,
                "/api/v1/segments",
                "Unauthorized access",
                "Invalid API key",
            );
            assert_eq!(parsed(&text), denied);
        }
    }
}

#[test]
fn a_key_sent_twice_names_no_team_for_the_journal_faults_or_the_rate_limiter() {
    // Arrange: a budget of one request a second on a frozen clock, and a fault on the team.
    let mock = MockRecotap::builder()
        .frozen_clock(FROZEN)
        .rate_limit(1)
        .start();
    let key = mock.api_key().to_string();
    mock.add_fault(recotap_mock::Fault::status(503).for_team("default"));
    let twice = format!("GET /api/v1/segments HTTP/1.1\r\nX-Api-Key: {key}\r\nX-Api-Key: {key}");

    // Act
    let (status, _) = exchange(&mock, twice.as_bytes(), b"");

    // Assert: refused as no key at all: not faulted, journaled under no team, and the
    // team's one token is still there (its fault answers its next request).
    assert_eq!(status, 401);
    let entry = mock.requests().pop().expect("journaled");
    assert_eq!((entry.status, entry.team.as_deref()), (401, None));
    mock.clear_faults();
    let once = format!("GET /api/v1/segments HTTP/1.1\r\nX-Api-Key: {key}");
    assert_eq!(exchange(&mock, once.as_bytes(), b"").0, 200);
}
