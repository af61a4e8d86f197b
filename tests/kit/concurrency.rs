//! Concurrency: many clients upserting overlapping domains at once must never see a failed
//! item, a duplicate account or an inconsistent answer; and resets and snapshots taken while
//! traffic flows must never expose half of a batch. Every loop is bounded.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use recotap_mock::{parse_document, MockRecotap, StateDocument};
use reqwest::blocking::Client;
use serde_json::{json, Value};

const CLIENTS: usize = 8;
const BATCHES_PER_CLIENT: usize = 1_000;
const ITEMS_PER_BATCH: usize = 10;
const DOMAINS: usize = 40;

/// A client that keeps its connection (unlike `common::client`), as a busy integration does.
fn pooled_client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("the client builds")
}

/// Sends one batch; returns the `data` of the answer after checking that it is internally
/// consistent: status 200, `summary` counts equal to the `results`, every result with an id.
fn push_batch(client: &Client, mock: &MockRecotap, body: &Value) -> Value {
    let response = client
        .post(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .json(body)
        .send()
        .expect("the mock answers");
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().expect("the answer is JSON");
    let data = answer["data"].clone();
    let results = data["results"].as_array().expect("results").clone();
    let count = |status: &str| results.iter().filter(|r| r["status"] == status).count();
    let summary = &data["summary"];
    assert_eq!(summary["total"], json!(results.len()), "{data}");
    for status in ["created", "updated", "failed"] {
        assert_eq!(summary[status], json!(count(status)), "{data}");
    }
    for result in &results {
        let id = result["rtp_aid"].as_str().unwrap_or_default();
        assert!(
            id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{data}"
        );
    }
    data
}

/// A small deterministic generator, so that each client's batches are reproducible.
fn next_random(state: &mut u64) -> usize {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 33) as usize
}

/// What one client saw: domain → id, and how many times each domain was reported created.
#[derive(Default)]
struct Seen {
    ids: HashMap<String, String>,
    created: HashMap<String, usize>,
}

#[test]
fn eight_clients_upserting_overlapping_domains_never_fail_and_create_each_domain_once() {
    // Arrange
    let mock = MockRecotap::start();

    // Act: every client upserts batches drawn from the same 40 domains, in two spellings.
    let seen: Vec<Seen> = thread::scope(|scope| {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|client_index| {
                let mock = &mock;
                scope.spawn(move || {
                    let client = pooled_client();
                    let mut seen = Seen::default();
                    let mut random = client_index as u64 + 1;
                    for batch in 0..BATCHES_PER_CLIENT {
                        let items: Vec<Value> = (0..ITEMS_PER_BATCH)
                            .map(|_| {
                                let domain = next_random(&mut random) % DOMAINS;
                                let spelled = match next_random(&mut random) % 2 {
                                    0 => format!("d{domain}.example.com"),
                                    _ => format!("https://www.D{domain}.Example.com/x"),
                                };
                                let name = format!("c{client_index}-b{batch}");
                                json!({ "domain": spelled, "name": name })
                            })
                            .collect();
                        let body = json!({ "accounts": items, "upsert": true });
                        let data = push_batch(&client, mock, &body);
                        assert_eq!(data["summary"]["failed"], 0, "{data}");
                        for result in data["results"].as_array().unwrap() {
                            let domain = result["domain"].as_str().unwrap().to_string();
                            let id = result["rtp_aid"].as_str().unwrap().to_string();
                            let known = seen.ids.entry(domain.clone()).or_insert(id.clone());
                            assert_eq!(*known, id, "{domain} changed id");
                            if result["status"] == "created" {
                                *seen.created.entry(domain).or_default() += 1;
                            }
                        }
                    }
                    seen
                })
            })
            .collect();
        clients.into_iter().map(|c| c.join().unwrap()).collect()
    });

    // Assert: one id per domain across all clients, each domain created exactly once, and the
    // store holds exactly those accounts.
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut created: HashMap<String, usize> = HashMap::new();
    for client in seen {
        for (domain, id) in client.ids {
            let known = ids.entry(domain.clone()).or_insert(id.clone());
            assert_eq!(*known, id, "{domain} has two ids");
        }
        for (domain, times) in client.created {
            *created.entry(domain).or_default() += times;
        }
    }
    assert!(created.values().all(|times| *times == 1), "{created:?}");
    assert_eq!(created.len(), ids.len());
    let accounts = mock.accounts();
    assert_eq!(accounts.len(), ids.len());
    for account in accounts {
        assert_eq!(ids[&account.domain], account.id().to_string());
    }
    assert!(mock.caught_panics().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Reset and snapshot under traffic
// ---------------------------------------------------------------------------------------------

const GROUPS: usize = 4;
const GROUP_SIZE: usize = 10;
const WRITERS: usize = 4;
const BATCHES_PER_WRITER: usize = 150;

/// Team `default` with one open static segment, which every batch joins.
fn initial_state() -> StateDocument {
    let document = json!({ "teams": [{ "name": "default", "apiKeys": ["test-api-key"],
        "segments": [{ "segmentId": "seg-1", "name": "S", "type": "static", "status": "active",
                       "members": [] }] }] });
    parse_document(document.to_string().as_bytes()).expect("a valid state document")
}

fn group_of(domain: &str) -> Option<usize> {
    domain.strip_prefix('g')?.split('-').next()?.parse().ok()
}

/// Checks that `snapshot` holds, for every group, none or all of its accounts, all named by
/// the same batch, and that the segment lists a whole group or none of it. Returns how many
/// groups were present.
fn assert_whole_batches(snapshot: &StateDocument) -> usize {
    let team = &snapshot.teams[0];
    let mut names: Vec<Vec<&str>> = vec![Vec::new(); GROUPS];
    for account in &team.accounts {
        let group = group_of(&account.domain).expect("only group domains are written");
        names[group].push(&account.name);
    }
    let members = &team.segments[0].members;
    let mut present = 0;
    for (group, group_names) in names.iter().enumerate() {
        assert!(
            group_names.is_empty() || group_names.len() == GROUP_SIZE,
            "group {group} is half there: {group_names:?}"
        );
        assert!(
            group_names.windows(2).all(|pair| pair[0] == pair[1]),
            "group {group} mixes two batches: {group_names:?}"
        );
        let joined = team
            .accounts
            .iter()
            .filter(|account| group_of(&account.domain) == Some(group))
            .filter(|account| account.rtp_aid.is_some_and(|id| members.contains(&id)))
            .count();
        assert!(
            joined == 0 || joined == GROUP_SIZE,
            "group {group}: {joined} members"
        );
        present += usize::from(!group_names.is_empty());
    }
    present
}

#[test]
fn snapshots_and_resets_during_traffic_never_expose_half_a_batch() {
    // Arrange
    let mock = MockRecotap::builder()
        .initial_state(initial_state())
        .start();
    let writing = AtomicBool::new(true);
    let finished = AtomicUsize::new(0);

    thread::scope(|scope| {
        // Act: writers upsert whole groups into the segment, one batch per group...
        for writer in 0..WRITERS {
            let (mock, writing, finished) = (&mock, &writing, &finished);
            scope.spawn(move || {
                let client = pooled_client();
                for batch in 0..BATCHES_PER_WRITER {
                    let group = (writer + batch) % GROUPS;
                    let name = format!("w{writer}-b{batch}");
                    let items: Vec<Value> = (0..GROUP_SIZE)
                        .map(|member| {
                            let domain = format!("g{group}-m{member}.example");
                            json!({ "domain": domain, "name": name })
                        })
                        .collect();
                    let body = json!({ "accounts": items, "upsert": true, "segmentId": "seg-1" });
                    let data = push_batch(&client, mock, &body);
                    // A batch is never interleaved with a reset: all created or all updated.
                    let summary = &data["summary"];
                    assert!(
                        summary["created"] == GROUP_SIZE || summary["updated"] == GROUP_SIZE,
                        "{data}"
                    );
                }
                if finished.fetch_add(1, Ordering::AcqRel) + 1 == WRITERS {
                    writing.store(false, Ordering::Release);
                }
            });
        }
        // ...a resetter returns to the initial state now and then...
        let (mock_ref, writing_ref) = (&mock, &writing);
        scope.spawn(move || {
            for _ in 0..200 {
                if !writing_ref.load(Ordering::Acquire) {
                    break;
                }
                thread::sleep(Duration::from_millis(7));
                mock_ref.reset();
            }
        });
        // ...and this thread takes snapshots throughout.
        let mut snapshots = 0;
        let mut with_groups = 0;
        for _ in 0..100_000 {
            if !writing.load(Ordering::Acquire) {
                break;
            }
            let present = assert_whole_batches(&mock.snapshot());
            snapshots += 1;
            with_groups += usize::from(present > 0);
            thread::sleep(Duration::from_micros(200));
        }

        // Assert: enough snapshots saw groups to mean something.
        assert!(snapshots >= 20, "only {snapshots} snapshots");
        assert!(
            with_groups >= 5,
            "only {with_groups} snapshots held any group"
        );
    });
    assert_whole_batches(&mock.snapshot());
    assert!(mock.caught_panics().is_empty());
}

/// A reset is one step: the store, the faults and the journal change together. Requests
/// hammer `GET /accounts` while a test cycles through three worlds: store B without a fault,
/// store B with a fault that cuts applied answers in half (so the half still names B's
/// domains), and a reset back to store A with no fault. Every answer must come from one of
/// those worlds; a reset seen half done would show A's accounts through the fault.
#[test]
fn a_reset_is_seen_whole_or_not_at_all_by_concurrent_requests() {
    use recotap_mock::Fault;
    let document = |prefix: &str| -> StateDocument {
        let accounts: Vec<Value> = (0..5)
            .map(|i| json!({ "domain": format!("{prefix}-{i}.com"), "name": format!("{prefix} {i}") }))
            .collect();
        let text = json!({ "teams": [{ "name": "default", "apiKeys": ["test-api-key"], "accounts": accounts }] });
        parse_document(text.to_string().as_bytes()).expect("a valid document")
    };
    let mock = MockRecotap::builder()
        .initial_state(document("world-a"))
        .start();
    let world_b = document("world-b");
    let stop = AtomicBool::new(false);
    let answers = AtomicUsize::new(0);
    let cut_answers = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| {
                let client = pooled_client();
                while !stop.load(Ordering::Acquire) {
                    let response = client
                        .get(format!("{}/accounts?limit=5", mock.base_url()))
                        .header("X-Api-Key", mock.api_key())
                        .send()
                        .expect("the mock answers");
                    assert_eq!(response.status(), 200);
                    let text = response.text().expect("a body");
                    answers.fetch_add(1, Ordering::Relaxed);
                    match serde_json::from_str::<Value>(&text) {
                        Ok(answer) => {
                            let domains: Vec<&str> = answer["data"]["data"]
                                .as_array()
                                .expect("rows")
                                .iter()
                                .map(|row| row["domain"].as_str().expect("a domain"))
                                .collect();
                            let all = |prefix: &str| {
                                domains.len() == 5 && domains.iter().all(|d| d.starts_with(prefix))
                            };
                            assert!(all("world-a-") || all("world-b-"), "a mixed store: {text}");
                        }
                        Err(_) => {
                            cut_answers.fetch_add(1, Ordering::Relaxed);
                            assert!(
                                text.contains("world-b-") && !text.contains("world-a-"),
                                "the fault of world B over the store of world A: {text}"
                            );
                        }
                    }
                }
            });
        }
        for _ in 0..300 {
            mock.restore(&world_b).expect("world B restores");
            mock.add_fault(Fault::malformed().on("GET", "/api/v1/accounts").applied());
            thread::sleep(Duration::from_micros(200));
            mock.reset();
            thread::sleep(Duration::from_micros(200));
        }
        stop.store(true, Ordering::Release);
    });
    let (answers, cut) = (answers.into_inner(), cut_answers.into_inner());
    assert!(
        cut > 0 && cut < answers,
        "both worlds were seen: {cut} of {answers} cut"
    );
    assert!(mock.faults().is_empty());
    assert_eq!(mock.accounts().len(), 5);
    assert!(mock.account_by_domain("world-a-0.com").is_some());
}
