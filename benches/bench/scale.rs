//! Section `scale`: 1,000,000 accounts seeded over HTTP (the rate against the floor's, and the
//! RSS they take), then a page from the middle and a duplicate-domain batch timed at 1M
//! accounts against 1k.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Request;
use http_body_util::Full;
use recotap_mock::MockRecotap;

use crate::harness::{
    accounts_body, current_thread_runtime, domain_of, expect_reply, open, send, start_mock, Target,
    ACCOUNTS_PATH, ACCOUNTS_PER_REQUEST, CONNECTIONS,
};
use crate::load::{cpu_note, run_load, Bodies, LoadReport, Mix, Plan};
use crate::report::{fmt_duration, fmt_mib, fmt_rate, quantile, ratio, Goal, Row};
use crate::servers::{floor_handler, BareServer};
use crate::system::rss_bytes;
use crate::Mode;

const SCALE_FAMILY: &str = "c";

pub fn scale(mode: Mode) -> Vec<Row> {
    let batches = mode.pick(10_000, 100);
    let small_batches = 10;
    let accounts = batches * ACCOUNTS_PER_REQUEST;
    let floor_rate = floor_accounts_per_second(mode);

    let rss_before = rss_bytes() as f64;
    let big = start_mock();
    let seeding = seed_accounts(&big, batches);
    let rss_after = rss_bytes() as f64;
    let seeding_rate = accounts as f64 / seeding.elapsed.as_secs_f64();
    println!(
        "seeded {accounts} accounts in {} ({batches} POSTs on {CONNECTIONS} connections; \
         p99 {}); RSS {} before, {} after\nseeding {}",
        fmt_duration(seeding.elapsed),
        fmt_duration(seeding.p99()),
        fmt_mib(rss_before),
        fmt_mib(rss_after),
        cpu_note(&seeding, "recotap-mock")
    );

    let small = start_mock();
    seed_accounts(&small, small_batches);
    let (get_big, get_small) = time_alternating(
        mode,
        (&big, page_from_middle(&big, batches)),
        (&small, page_from_middle(&small, small_batches)),
        // A page that is not empty. (Whether more follow depends on the order in which the 16
        // seeding connections' batches were applied, so the middle batch by name may have been
        // among the last.)
        "\"nextCursor\":\"",
    );
    let (dup_big, dup_small) = time_alternating(
        mode,
        (&big, duplicates_of_middle(&big, batches)),
        (&small, duplicates_of_middle(&small, small_batches)),
        "\"failed\":100}",
    );

    let big_label = count_label(accounts);
    let small_label = count_label(small_batches * ACCOUNTS_PER_REQUEST);
    println!("lookups: median of the requests below, alternating {big_label} and {small_label}");
    vec![
        Row::figure_goal(
            Row::info(
                "seeding accounts/s (floor ref)",
                fmt_rate(seeding_rate),
                fmt_rate(floor_rate),
                Some(seeding_rate / floor_rate),
            ),
            seeding_rate,
            Goal::AtLeast(100_000.0),
            "≥ 100k/s",
        ),
        Row::figure_goal(
            Row::info(
                &format!("RSS after {big_label} (before ref)"),
                fmt_mib(rss_after),
                fmt_mib(rss_before),
                None,
            ),
            rss_after,
            Goal::AtMost(1024.0 * 1024.0 * 1024.0),
            "≤ 1024 MiB",
        ),
        Row::info(
            &format!("RSS growth for {big_label} accounts"),
            fmt_mib(rss_after - rss_before),
            "-".to_string(),
            None,
        ),
        Row::ratio_goal(
            &format!("GET limit=100 mid, {big_label} vs {small_label}"),
            fmt_duration(get_big),
            fmt_duration(get_small),
            ratio(get_big, get_small),
            Goal::AtMost(2.0),
        ),
        Row::ratio_goal(
            &format!("dup-domain POST, {big_label} vs {small_label}"),
            fmt_duration(dup_big),
            fmt_duration(dup_small),
            ratio(dup_big, dup_small),
            Goal::AtMost(2.0),
        ),
    ]
}

/// `1M`, `10k`: an account count for a label.
fn count_label(count: u64) -> String {
    if count >= 1_000_000 {
        format!("{}M", count / 1_000_000)
    } else {
        format!("{}k", count / 1_000)
    }
}

/// The floor's accounts per second on the growth mix: what HTTP + JSON alone allow here.
fn floor_accounts_per_second(mode: Mode) -> f64 {
    let server = BareServer::start("floor", floor_handler);
    let plan = Plan::timed(
        Mix::Growth.bodies(),
        mode.pick(Duration::from_millis(500), Duration::from_millis(100)),
        mode.pick(Duration::from_secs(2), Duration::from_millis(300)),
    );
    let report = run_load(server.target(), plan);
    report.assert_clean("floor, growth mix");
    report.rate() * ACCOUNTS_PER_REQUEST as f64
}

/// Creates `batches` × 100 accounts of the scale family through the API.
fn seed_accounts(mock: &MockRecotap, batches: u64) -> LoadReport {
    let plan = Plan {
        bodies: Bodies::Growth {
            family: SCALE_FAMILY,
        },
        warmup: Duration::ZERO,
        // A bound, not a target: a million accounts take well under a minute here.
        measure: Duration::from_secs(600),
        max_requests: batches,
        expect: "\"created\":100,",
        core: None,
    };
    let report = run_load(Target::of(mock), plan);
    report.assert_clean("seeding");
    assert_eq!(report.completed, batches, "every seeding request completed");
    report
}

/// A request factory for one of the two mocks being compared.
type Probe<'a> = (&'a MockRecotap, Box<dyn Fn() -> Request<Full<Bytes>> + 'a>);

/// `GET /accounts?limit=100` from the first account of the middle batch.
fn page_from_middle(mock: &MockRecotap, batches: u64) -> Box<dyn Fn() -> Request<Full<Bytes>>> {
    let middle = domain_of(SCALE_FAMILY, batches / 2 * ACCOUNTS_PER_REQUEST);
    let id = mock
        .account_by_domain(&middle)
        .expect("the middle account was seeded")
        .id();
    let target = Target::of(mock);
    let path = format!("{ACCOUNTS_PATH}?limit=100&cursor={id}");
    Box::new(move || target.get(&path))
}

/// `POST /accounts` of the middle batch again, without upsert: 100 duplicates.
fn duplicates_of_middle(mock: &MockRecotap, batches: u64) -> Box<dyn Fn() -> Request<Full<Bytes>>> {
    let target = Target::of(mock);
    let body = accounts_body(SCALE_FAMILY, batches / 2, false);
    Box::new(move || target.post(ACCOUNTS_PATH, body.clone()))
}

/// Median times of `a`'s and `b`'s requests, each on one keep-alive connection, alternating
/// in rounds so that drift in the machine's speed falls on both alike.
fn time_alternating(mode: Mode, a: Probe, b: Probe, expect: &str) -> (Duration, Duration) {
    let rounds = mode.pick(10, 2);
    let per_round = mode.pick(20, 5);
    current_thread_runtime().block_on(async {
        let mut senders = [
            open(a.0.address()).await.expect("connects"),
            open(b.0.address()).await.expect("connects"),
        ];
        let probes = [&a.1, &b.1];
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..rounds {
            for side in 0..2 {
                for _ in 0..per_round {
                    let started = Instant::now();
                    let (status, body) = send(&mut senders[side], (probes[side])())
                        .await
                        .unwrap_or_else(|e| panic!("lookup failed: {e}"));
                    times[side].push(started.elapsed());
                    expect_reply(status, &body, expect);
                }
            }
        }
        (quantile(&times[0], 0.5), quantile(&times[1], 0.5))
    })
}
