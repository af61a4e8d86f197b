//! Section `persistence`: the SQLite state file at 1M accounts, each figure against the same
//! mock without a state file, in one run: small upserts every 10 ms for 15 s (p99 and max
//! latency, bytes written per change, RSS), steady 100-account upserts (throughput), and the
//! restart from the file against a start from the same state as JSON (what `--seed` does).

use std::path::Path;
use std::time::{Duration, Instant};

use bytes::Bytes;
use procfs::process::Process;
use recotap_mock::{
    parse_document, CustomField, LabelType, MockRecotap, NewAccount, StateDocument, TeamDocument,
};

use crate::harness::{
    current_thread_runtime, domain_of, expect_reply, open, send, Target, ACCOUNTS_PATH,
};
use crate::load::{cpu_note, run_load, Mix, Plan};
use crate::report::{fmt_duration, fmt_mib, fmt_rate, quantile, ratio, Goal, Row};
use crate::system::rss_bytes;
use crate::Mode;

const FAMILY: &str = "p";
const KEY: &str = "bench-key";

pub fn persistence(mode: Mode) -> Vec<Row> {
    let accounts = mode.pick(1_000_000, 1_000);
    let small_for = mode.pick(Duration::from_secs(15), Duration::from_millis(300));
    let load_for = mode.pick(Duration::from_secs(5), Duration::from_millis(300));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("state.db");
    let document = seed_document(accounts);

    let plain = builder(&document).start();
    let written_before = written_bytes();
    let without = small_upserts(&plain, small_for, mode);
    let socket_per_change = (written_bytes() - written_before) as f64 / without.changes as f64;
    let throughput_without = steady(&plain, load_for);
    // Stopped, not dropped: a dropped mock on port 0 frees its store a moment later on its
    // own runtime, and the next mock's start would race that for the RSS figure.
    plain.stop();

    let started = Instant::now();
    let durable = builder(&document).state_file(&file).start();
    let first_write = started.elapsed();
    let written_before = written_bytes();
    let with = small_upserts(&durable, small_for, mode);
    // What the state file adds to the bytes the HTTP exchange itself writes.
    let per_change =
        (written_bytes() - written_before) as f64 / with.changes as f64 - socket_per_change;
    let throughput_with = steady(&durable, load_for);
    let rss = rss_bytes() as f64;
    let live = rss_after_trim();
    let saved = durable.snapshot();
    drop(durable);
    println!(
        "{accounts} accounts; the fresh state file took {} to write; its size {}",
        fmt_duration(first_write),
        fmt_mib(file_size(&file))
    );

    let json = serde_json::to_vec(&saved).expect("a document serialises");
    let started = Instant::now();
    let from_json = builder(&parse_document(&json).expect("the document parses")).start();
    let json_start = started.elapsed();
    drop(from_json);
    let started = Instant::now();
    let restarted = MockRecotap::builder().state_file(&file).start();
    let file_start = started.elapsed();
    assert_eq!(restarted.accounts().len(), saved.teams[0].accounts.len());
    drop(restarted);

    vec![
        Row::ratio_goal(
            "small upserts p99, file vs none",
            fmt_duration(with.p99),
            fmt_duration(without.p99),
            ratio(with.p99, without.p99),
            Goal::AtMost(2.0),
        ),
        Row::figure_goal(
            Row::info(
                "small upserts max, file (none ref)",
                fmt_duration(with.max),
                fmt_duration(without.max),
                Some(ratio(with.max, without.max)),
            ),
            with.max.as_secs_f64() * 1000.0,
            Goal::AtMost(50.0),
            "≤ 50 ms",
        ),
        Row::info(
            "bytes written per change (state file)",
            format!("{per_change:.0} B"),
            "-".to_string(),
            None,
        ),
        Row::info(
            "RSS with the state file",
            fmt_mib(rss),
            "-".to_string(),
            None,
        ),
        Row::info(
            "the same, freed heap returned (malloc_trim)",
            live.map_or_else(|| "-".to_string(), fmt_mib),
            "-".to_string(),
            None,
        ),
        Row::figure_goal(
            Row::info(
                "steady upserts/s of 100, file (none ref)",
                fmt_rate(throughput_with),
                fmt_rate(throughput_without),
                Some(throughput_with / throughput_without),
            ),
            throughput_with / throughput_without,
            Goal::AtLeast(0.5),
            "≥ 0.5× none",
        ),
        Row::ratio_goal(
            "restart, state file vs JSON seed",
            fmt_duration(file_start),
            fmt_duration(json_start),
            ratio(file_start, json_start),
            Goal::AtMost(2.0),
        ),
    ]
}

/// A mock started from `document`, keyed for the bench.
fn builder(document: &StateDocument) -> recotap_mock::MockRecotapBuilder {
    MockRecotap::builder()
        .api_key(KEY)
        .initial_state(document.clone())
}

/// `accounts` accounts of the bench's family and its one custom field.
fn seed_document(accounts: u64) -> StateDocument {
    let mut team = TeamDocument::new("default");
    team.custom_fields = vec![CustomField::new("Contract Value", LabelType::Number)];
    team.accounts = (0..accounts)
        .map(|n| NewAccount::new(&domain_of(FAMILY, n), "Seeded"))
        .collect();
    let mut document = StateDocument::default();
    document.teams.push(team);
    document
}

/// What a run of small upserts saw.
struct Small {
    p99: Duration,
    max: Duration,
    changes: u64,
}

/// One account upserted (a new name each time) every 10 ms on one keep-alive connection.
fn small_upserts(mock: &MockRecotap, run_for: Duration, mode: Mode) -> Small {
    let target = Target::new(mock.address(), KEY);
    let accounts = mode.pick(1_000_000u64, 1_000);
    let mut latencies = Vec::new();
    current_thread_runtime().block_on(async {
        let mut sender = open(target.addr).await.expect("a connection");
        let start = tokio::time::Instant::now();
        let mut tick = tokio::time::interval(Duration::from_millis(10));
        let mut n = 0u64;
        while start.elapsed() < run_for {
            tick.tick().await;
            let domain = domain_of(FAMILY, n * 7919 % accounts);
            let body = format!(
                "{{\"accounts\":[{{\"domain\":\"{domain}\",\"name\":\"Renamed {n}\"}}],\"upsert\":true}}"
            );
            let sent = Instant::now();
            let (status, reply) = send(&mut sender, target.post(ACCOUNTS_PATH, Bytes::from(body)))
                .await
                .unwrap_or_else(|error| panic!("small upsert: {error}"));
            latencies.push(sent.elapsed());
            expect_reply(status, &reply, "\"updated\":1,\"failed\":0}");
            n += 1;
        }
    });
    latencies.sort();
    Small {
        p99: quantile(&latencies, 0.99),
        max: *latencies.last().expect("some upserts ran"),
        changes: latencies.len() as u64,
    }
}

/// Upserts per second of the steady mix (the same 100 accounts, 16 connections).
fn steady(mock: &MockRecotap, run_for: Duration) -> f64 {
    let plan = Plan::timed(Mix::Steady.bodies(), run_for / 5, run_for);
    let report = run_load(Target::new(mock.address(), KEY), plan);
    report.assert_clean("steady upserts");
    // The writer thread's name, as the kernel keeps it (15 bytes).
    let writer = report.cpu.of("recotap-mock-st");
    println!(
        "steady, {}: {}; state-file writer {} per request",
        if writer.is_zero() { "no file" } else { "file" },
        cpu_note(&report, "recotap-mock"),
        fmt_duration(report.per_request(writer)),
    );
    report.rate()
}

/// RSS once the allocator has returned its free memory to the system: what the process holds
/// (the mock and this bench's 1M-account seed document) rather than what earlier phases freed
/// and glibc kept. `None` where the allocator is not glibc's.
fn rss_after_trim() -> Option<f64> {
    #[cfg(target_env = "gnu")]
    {
        // SAFETY: `malloc_trim` only releases free memory; any argument is valid.
        unsafe { libc::malloc_trim(0) };
        Some(rss_bytes() as f64)
    }
    #[cfg(not(target_env = "gnu"))]
    None
}

/// Bytes this process has passed to `write` and the like so far (`wchar` of `/proc/self/io`:
/// `write_bytes` would count only what the kernel wrote back in the window, often nothing).
fn written_bytes() -> u64 {
    Process::myself()
        .and_then(|process| process.io())
        .map_or(0, |io| io.wchar)
}

fn file_size(path: &Path) -> f64 {
    let wal = path.with_extension("db-wal");
    let size = |path: &Path| std::fs::metadata(path).map_or(0, |meta| meta.len());
    (size(path) + size(&wal)) as f64
}
