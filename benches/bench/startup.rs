//! Section `startup`: the cycle a test pays per mock (start, seed a field, one `POST` of 100
//! accounts on a fresh connection, drop) against a bare hyper server spawned on the caller's
//! runtime doing the same, with a trivial handler (the goal's reference) and with the floor's.

use std::future::Future;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use recotap_mock::MockRecotap;
use tokio::net::TcpListener;

use crate::harness::{
    accounts_body, current_thread_runtime, expect_reply, seed_field, send_fresh, Target,
    ACCOUNTS_PATH,
};
use crate::report::{fmt_duration, quantile, ratio, Goal, Row};
use crate::servers::{floor_handler, serve_bare, trivial_handler};
use crate::Mode;

/// Both cycles run on one current-thread runtime in the bench's main thread, as in a default
/// `#[tokio::test]`: the reference server is spawned on that runtime (what a test would do
/// with a hand-rolled hyper server), while the mock serves from its own background runtime.
pub fn startup(mode: Mode) -> Vec<Row> {
    let cycles = mode.pick(500, 20);
    let body = accounts_body("startup", 0, false);
    let runtime = current_thread_runtime();
    let [mock, bare, floor] = runtime.block_on(async {
        let mut times: [Vec<Phases>; 3] = Default::default();
        // The first cycle of each kind is kept apart: the very first mock also starts the
        // shared background runtime. Then a few unrecorded cycles warm both paths.
        for cycle in 0..cycles + mode.pick(21, 3) {
            // Rotate which kind goes first so drift and ordering effects fall on all alike.
            for turn in 0..3 {
                let kind = (cycle + turn) % 3;
                let phases = match kind {
                    0 => mock_cycle(&body).await,
                    1 => bare_cycle(&body, trivial_handler, "\"ok\":true").await,
                    _ => bare_cycle(&body, floor_handler, "\"failed\":0").await,
                };
                if cycle == 0 || cycle > mode.pick(20, 2) {
                    times[kind].push(phases);
                }
            }
        }
        times
    });
    println!(
        "{cycles} cycles each, rotating; reference: bare hyper on the caller's runtime with a \
         trivial handler (reads the body, answers a fixed small JSON); also shown: the same \
         server with the work floor's handler"
    );
    println!(
        "mock phases (median): {}",
        phase_medians(&MOCK_PHASES, &mock[1..])
    );
    println!(
        "bare phases (median): {}",
        phase_medians(&BARE_PHASES, &bare[1..])
    );
    let (first_mock, first_bare) = (mock[0].iter().sum(), bare[0].iter().sum());
    let mock_cycles = mock[1..].to_vec();
    let (mock, bare, floor) = (totals(&mock[1..]), totals(&bare[1..]), totals(&floor[1..]));
    let (m, b) = (quantile(&mock, 0.5), quantile(&bare, 0.5));
    let median = Row::ratio_goal(
        "median cycle",
        fmt_duration(m),
        fmt_duration(b),
        ratio(m, b),
        Goal::AtMost(1.2),
    );
    let f = quantile(&floor, 0.5);
    let against_floor = Row::info(
        "median cycle (floor handler ref)",
        fmt_duration(m),
        fmt_duration(f),
        Some(ratio(m, f)),
    );
    let (m, b) = (quantile(&mock, 0.95), quantile(&bare, 0.95));
    let p95 = Row::info(
        "p95 cycle",
        fmt_duration(m),
        fmt_duration(b),
        Some(ratio(m, b)),
    );
    let first = Row::info(
        "first cycle (starts runtime)",
        fmt_duration(first_mock),
        fmt_duration(first_bare),
        Some(ratio(first_mock, first_bare)),
    );
    let phase = |index: usize| {
        let times: Vec<Duration> = cycles_of(&mock_cycles, index);
        quantile(&times, 0.5)
    };
    let start_and_drop = phase(0) + phase(3);
    let lifecycle = Row::figure_goal(
        Row::info(
            "start + drop, median",
            fmt_duration(start_and_drop),
            "-".to_string(),
            None,
        ),
        start_and_drop.as_secs_f64() * 1e6,
        Goal::AtMost(50.0),
        "≤ 50 µs",
    );
    let post = phase(2);
    let post_row = Row::figure_goal(
        Row::info(
            "POST of 100 accounts, median",
            fmt_duration(post),
            "-".to_string(),
            None,
        ),
        post.as_secs_f64() * 1e6,
        Goal::AtMost(200.0),
        "≤ 200 µs",
    );
    vec![median, p95, against_floor, first, lifecycle, post_row]
}

/// Phase `index` of every cycle.
fn cycles_of(cycles: &[Phases], index: usize) -> Vec<Duration> {
    cycles.iter().map(|phases| phases[index]).collect()
}

/// The phases of a cycle, timed one after the other; a cycle's time is their sum.
type Phases = Vec<Duration>;

const MOCK_PHASES: [&str; 4] = ["start", "add field", "POST", "drop"];
const BARE_PHASES: [&str; 3] = ["bind+spawn", "POST", "abort"];

fn totals(cycles: &[Phases]) -> Vec<Duration> {
    cycles.iter().map(|phases| phases.iter().sum()).collect()
}

/// "start 120 µs, POST 300 µs, ...": where a cycle's time goes.
fn phase_medians(names: &[&str], cycles: &[Phases]) -> String {
    let median = |phase: usize| quantile(&cycles_of(cycles, phase), 0.5);
    let parts: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(phase, name)| format!("{name} {}", fmt_duration(median(phase))))
        .collect();
    parts.join(", ")
}

/// Times consecutive phases.
struct Laps {
    last: Instant,
    phases: Phases,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            last: Instant::now(),
            phases: Vec::with_capacity(4),
        }
    }

    fn lap(&mut self) {
        let now = Instant::now();
        self.phases.push(now - self.last);
        self.last = now;
    }
}

/// Start, seed a field, one POST of 100 accounts on a fresh connection, drop.
async fn mock_cycle(body: &Bytes) -> Phases {
    let mut laps = Laps::start();
    let mock = MockRecotap::start();
    laps.lap();
    seed_field(&mock);
    laps.lap();
    let target = Target::of(&mock);
    let (status, reply) = send_fresh(&target, target.post(ACCOUNTS_PATH, body.clone())).await;
    expect_reply(status, &reply, "\"created\":100,");
    laps.lap();
    drop(mock);
    laps.lap();
    laps.phases
}

/// Bind, spawn a bare hyper server on this runtime, the same POST on a fresh connection, abort.
async fn bare_cycle<F, Fut>(body: &Bytes, handler: F, expect: &str) -> Phases
where
    F: Fn(Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    let mut laps = Laps::start();
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("the reference binds");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let server = tokio::spawn(serve_bare(listener, handler));
    laps.lap();
    let target = Target::new(addr, "bare");
    let (status, reply) = send_fresh(&target, target.post(ACCOUNTS_PATH, body.clone())).await;
    expect_reply(status, &reply, expect);
    laps.lap();
    server.abort();
    laps.lap();
    laps.phases
}
