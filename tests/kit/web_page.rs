//! What the web page at `GET /_mock/ui` reads and how it is guarded (docs/control.md, "The web
//! page"): following the journal with `?after=` while requests keep arriving from several
//! threads misses and repeats no entry; `?before=` pages back; `GET /_mock/teams`,
//! `GET /_mock/clock` and the account pages; the page's files load without the admin token,
//! carry no data and forbid inline script, while every data call needs the token. The page
//! itself is tested in a browser by `ui/test/ui.test.mjs` (`.ci/ui`).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::*;
use recotap_mock::MockRecotap;
use reqwest::Method;
use serde_json::{json, Value};

/// Threads sending API requests while a reader follows the journal.
const WRITERS: usize = 4;
/// Requests each writer sends.
const PER_WRITER: usize = 150;
/// The reader's page size: small, so that it pages while requests arrive.
const FOLLOW_PAGE: usize = 7;
/// However the machine is loaded, the test ends within this.
const DEADLINE: Duration = Duration::from_secs(120);

/// The `seq` of each entry of a journal answer.
fn seqs(entries: &Value) -> Vec<u64> {
    entries
        .as_array()
        .expect("the journal is an array")
        .iter()
        .map(|entry| entry["seq"].as_u64().expect("every entry has a seq"))
        .collect()
}

/// The `body` of each entry of a journal answer.
fn bodies(entries: &Value) -> Vec<String> {
    let entries = entries.as_array().expect("the journal is an array");
    entries
        .iter()
        .map(|entry| entry["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Fails unless `read` holds exactly the bodies of `sent`, naming a few missing or extra ones.
fn assert_read_once_each(read: &[String], sent: &BTreeSet<String>) {
    let read_set: BTreeSet<String> = read.iter().cloned().collect();
    let missing: Vec<&String> = sent.difference(&read_set).take(5).collect();
    let extra: Vec<&String> = read_set.difference(sent).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "read {} of {} requests sent; missing {missing:?}, not sent {extra:?}",
        read_set.len(),
        sent.len()
    );
    assert_eq!(read.len(), sent.len(), "no request was read twice");
}

/// Reads the journal at `query` (`?after=...&limit=...`, `team` optional) until the writers
/// are done and one more read finds nothing new; returns every entry read, in order.
fn follow(root: &str, team: Option<&str>, writing: &AtomicBool) -> Vec<Value> {
    let started = Instant::now();
    let mut read: Vec<Value> = Vec::new();
    let mut last = 0;
    loop {
        let done = !writing.load(Ordering::SeqCst);
        let scope = team.map_or(String::new(), |team| format!("&team={team}"));
        let path = format!("/_mock/requests?after={last}&limit={FOLLOW_PAGE}{scope}");
        let (status, page) = admin_at(root, Method::GET, &path, None);
        assert_eq!(status, 200, "{page}");
        let page = page.as_array().expect("an array").clone();
        assert!(
            page.len() <= FOLLOW_PAGE,
            "a page holds at most `limit` entries"
        );
        if let Some(newest) = page.last() {
            last = newest["seq"].as_u64().expect("a seq");
        }
        let empty = page.is_empty();
        read.extend(page);
        // Only a read that began after the writers finished, and found nothing, is the end.
        if done && empty {
            return read;
        }
        assert!(started.elapsed() < DEADLINE, "the reader never caught up");
    }
}

/// Sends `count` requests with `key` from each of `WRITERS` threads, each body naming its
/// writer and number, while `follow` runs; returns what the reader read.
fn write_while_following(
    mock: &MockRecotap,
    keys: &[String],
    team: Option<&str>,
) -> (Vec<Value>, BTreeSet<String>) {
    let writing = Arc::new(AtomicBool::new(true));
    let root = mock.url();
    let reader = {
        let writing = Arc::clone(&writing);
        let root = root.clone();
        let team = team.map(str::to_string);
        thread::spawn(move || follow(&root, team.as_deref(), &writing))
    };
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let base = mock.base_url();
            let key = keys[writer % keys.len()].clone();
            thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut sent = Vec::new();
                for number in 0..PER_WRITER {
                    let body = format!(r#"{{"writer":{writer},"number":{number}}}"#);
                    let response = client
                        .post(format!("{base}/accounts"))
                        .header("X-Api-Key", &key)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .expect("the mock answers");
                    assert_eq!(response.status().as_u16(), 400, "accounts is missing");
                    sent.push(body);
                }
                sent
            })
        })
        .collect();
    let mut sent = BTreeSet::new();
    for writer in writers {
        sent.extend(writer.join().expect("a writer finished"));
    }
    writing.store(false, Ordering::SeqCst);
    let read = reader.join().expect("the reader finished");
    (read, sent)
}

#[test]
fn following_the_journal_with_after_misses_and_repeats_no_entry_while_requests_arrive() {
    // Arrange
    let mock = MockRecotap::start();
    let keys = vec![mock.api_key().to_string()];

    // Act
    let (read, sent) = write_while_following(&mock, &keys, None);

    // Assert
    let read = Value::Array(read);
    let read_seqs = seqs(&read);
    assert!(
        read_seqs.windows(2).all(|pair| pair[0] < pair[1]),
        "entries come once each, in seq order"
    );
    assert_read_once_each(&bodies(&read), &sent);
    assert_eq!(sent.len(), WRITERS * PER_WRITER);
    let (_, journal) = admin_at(&mock.url(), Method::GET, "/_mock/requests", None);
    assert!(
        read_seqs == seqs(&journal),
        "the entries read are the journal's"
    );
}

#[test]
fn following_one_sessions_journal_reads_its_entries_alone_and_each_once() {
    // Arrange: two sessions, the writers split between them; the reader follows the first.
    let mock = MockRecotap::start();
    let root = mock.url();
    let (_, first) = admin_at(&root, Method::POST, "/_mock/sessions", Some(&json!({})));
    let (_, second) = admin_at(&root, Method::POST, "/_mock/sessions", Some(&json!({})));
    let key = |session: &Value| session["apiKey"].as_str().unwrap().to_string();
    let team = first["team"].as_str().unwrap();

    // Act
    let (read, sent) = write_while_following(&mock, &[key(&first), key(&second)], Some(team));

    // Assert: writers 0 and 2 used the first session's key.
    let read = Value::Array(read);
    let read_seqs = seqs(&read);
    assert!(read_seqs.windows(2).all(|pair| pair[0] < pair[1]));
    let mine: BTreeSet<String> = sent
        .into_iter()
        .filter(|body| body.contains(r#""writer":0,"#) || body.contains(r#""writer":2,"#))
        .collect();
    assert_read_once_each(&bodies(&read), &mine);
    let entries = read.as_array().unwrap();
    assert!(entries.iter().all(|entry| entry["team"] == team));
}

#[test]
fn a_limit_with_after_is_the_next_page_and_with_before_the_page_before() {
    // Arrange: five requests, seq 1 to 5.
    let mock = MockRecotap::start();
    for _ in 0..5 {
        send(api(&mock, Method::GET, "/segments"));
    }
    let root = mock.url();
    let page = |query: &str| {
        let (status, entries) = admin_at(
            &root,
            Method::GET,
            &format!("/_mock/requests?{query}"),
            None,
        );
        assert_eq!(status, 200, "{entries}");
        seqs(&entries)
    };

    // Act / Assert
    assert_eq!(page("limit=2"), [4, 5], "the newest two");
    assert_eq!(page("after=1&limit=2"), [2, 3], "the two after 1");
    assert_eq!(page("before=4&limit=2"), [2, 3], "the two before 4");
    assert_eq!(page("before=2"), [1]);
    assert_eq!(page("after=5"), Vec::<u64>::new());
    let (status, body) = admin_at(&root, Method::GET, "/_mock/requests?before=x", None);
    assert_eq!(status, 400);
    assert_eq!(body["error"], "before: 'x' is not a whole number");
}

#[test]
fn teams_lists_every_team_and_session_with_its_kind_and_counts() {
    // Arrange
    let mock = mock();
    let root = mock.url();
    admin_at(
        &root,
        Method::POST,
        "/_mock/accounts",
        Some(&json!({"domain": "acme.com", "name": "Acme"})),
    );
    admin_at(
        &root,
        Method::POST,
        "/_mock/custom-fields",
        Some(&json!({"label": "Tier", "labelType": "number"})),
    );
    send(api(&mock, Method::GET, "/segments"));
    let (_, session) = admin_at(&root, Method::POST, "/_mock/sessions", Some(&json!({})));

    // Act
    let (status, teams) = admin_at(&root, Method::GET, "/_mock/teams", None);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        teams,
        json!([
            { "name": "default", "kind": "team", "accounts": 1, "customFields": 1,
              "segments": 0, "deals": 0, "pipelines": 0, "activities": 0, "requests": 1 },
            { "name": session["team"], "kind": "session", "accounts": 0, "customFields": 0,
              "segments": 0, "deals": 0, "pipelines": 0, "activities": 0, "requests": 0 },
        ])
    );
}

#[test]
fn the_clock_reads_as_now_and_whether_it_is_frozen_for_the_mock_or_a_session() {
    // Arrange
    let mock = MockRecotap::start();
    let root = mock.url();
    let (_, session) = admin_at(&root, Method::POST, "/_mock/sessions", Some(&json!({})));
    let team = session["team"].as_str().unwrap();
    let frozen = json!({"now": "2030-01-02T03:04:05.000Z"});

    // Act
    let (_, real) = admin_at(&root, Method::GET, "/_mock/clock", None);
    admin_at(
        &root,
        Method::POST,
        &format!("/_mock/clock?team={team}"),
        Some(&frozen),
    );
    let (status, of_session) = admin_at(
        &root,
        Method::GET,
        &format!("/_mock/clock?team={team}"),
        None,
    );
    let (_, of_mock) = admin_at(&root, Method::GET, "/_mock/clock", None);
    let (missing, _) = admin_at(&root, Method::GET, "/_mock/clock?team=nobody", None);

    // Assert
    assert_eq!(real["frozen"], false);
    assert!(real["now"].as_str().unwrap().ends_with('Z'));
    assert_eq!(status, 200);
    assert_eq!(
        of_session,
        json!({"now": "2030-01-02T03:04:05.000Z", "frozen": true})
    );
    assert_eq!(of_mock["frozen"], false, "a session's clock is its own");
    assert_eq!(missing, 404);
}

#[test]
fn accounts_come_a_page_at_a_time_after_an_id() {
    // Arrange
    let mock = mock();
    let root = mock.url();
    for domain in ["a.com", "b.com", "c.com"] {
        let account = json!({"domain": domain, "name": domain});
        admin_at(&root, Method::POST, "/_mock/accounts", Some(&account));
    }
    let (_, all) = admin_at(&root, Method::GET, "/_mock/accounts", None);
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|account| account["rtp_aid"].as_str().unwrap())
        .collect();

    // Act
    let (_, first) = admin_at(&root, Method::GET, "/_mock/accounts?limit=2", None);
    let next = format!("/_mock/accounts?limit=2&after={}", ids[1]);
    let (_, rest) = admin_at(&root, Method::GET, &next, None);
    let (bad, refusal) = admin_at(&root, Method::GET, "/_mock/accounts?after=zz", None);

    // Assert
    assert_eq!(first, json!(all.as_array().unwrap()[..2]));
    assert_eq!(rest, json!(all.as_array().unwrap()[2..]));
    assert_eq!(bad, 400);
    assert!(
        refusal["error"].as_str().unwrap().starts_with("after: "),
        "{refusal}"
    );
}

#[test]
fn the_page_loads_without_the_token_carries_no_data_and_every_data_call_needs_the_token() {
    // Arrange: a mock with an admin token, a session and a request in its journal.
    let mock = MockRecotap::builder().admin_token("s3cret").start();
    let root = mock.url();
    let with_token = |method: Method, path: &str| {
        client()
            .request(method, format!("{root}{path}"))
            .header("Authorization", "Bearer s3cret")
            .send()
            .expect("the mock answers")
    };
    let session: Value = with_token(Method::POST, "/_mock/sessions").json().unwrap();
    send(api(&mock, Method::GET, "/segments"));

    // Act
    let page = client().get(format!("{root}/_mock/ui")).send().unwrap();
    let headers = page.headers().clone();
    let html = page.text().unwrap();
    let script = client()
        .get(format!("{root}/_mock/ui/app.js"))
        .send()
        .unwrap();
    let auth: Value = client()
        .get(format!("{root}/_mock/ui/auth.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let guarded: Vec<u16> = [
        "/_mock/teams",
        "/_mock/requests",
        "/_mock/clock",
        "/_mock/ui/x",
    ]
    .iter()
    .map(|path| {
        client()
            .get(format!("{root}{path}"))
            .send()
            .unwrap()
            .status()
            .as_u16()
    })
    .collect();
    let teams = with_token(Method::GET, "/_mock/teams");

    // Assert
    assert!(html.contains("<title>recotap-mock</title>"));
    for secret in [
        session["team"].as_str().unwrap(),
        session["apiKey"].as_str().unwrap(),
    ] {
        assert!(!html.contains(secret), "the page holds no data");
    }
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(auth, json!({"tokenRequired": true}));
    assert_eq!(guarded, [401, 401, 401, 401]);
    assert_eq!(teams.status(), 200);
}

#[test]
fn without_a_token_the_page_says_none_is_needed() {
    let mock = MockRecotap::start();
    let auth: Value = client()
        .get(format!("{}/_mock/ui/auth.json", mock.url()))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(auth, json!({"tokenRequired": false}));
}
