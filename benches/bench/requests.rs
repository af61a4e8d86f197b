//! Section `requests`: one request at a time on one keep-alive connection, the mock against bare
//! hyper doing less: a one-account upsert (the common case in user tests) against a trivial
//! handler, and the 100-account steady upsert against the work floor's handler. Latency per
//! request, and the server's allocations per request (a counting global allocator; the
//! client's thread is left out).

use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::runtime::Runtime;

use crate::allocations::{counted, exclude_this_thread};
use crate::harness::{
    current_thread_runtime, expect_reply, one_account_body, open, seed_steady, send, send_blocking,
    start_mock, Target, ACCOUNTS_PATH,
};
use crate::load::steady_body;
use crate::report::{fmt_duration, quantile, ratio, Row};
use crate::servers::{floor_handler, trivial_handler, BareServer};
use crate::Mode;

/// What one server did for one kind of request.
#[derive(Default)]
struct Figures {
    latencies: Vec<Duration>,
    allocations: u64,
    bytes: u64,
}

impl Figures {
    fn per_request(&self, total: u64) -> f64 {
        total as f64 / self.latencies.len() as f64
    }
}

/// One kind of request, sent to the mock and to its reference.
struct Case {
    name: &'static str,
    body: Bytes,
    mock_reply: &'static str,
    reference: Target,
    reference_name: &'static str,
    reference_reply: &'static str,
}

pub fn requests(mode: Mode) -> Vec<Row> {
    let rounds = mode.pick(3, 1);
    let per_round = mode.pick(1500, 20);
    exclude_this_thread();
    let runtime = current_thread_runtime();
    let mock = start_mock();
    let steady = steady_body();
    seed_steady(&mock, &steady);
    let small = one_account_body("one", 0, true);
    let target = Target::of(&mock);
    let (status, reply) = send_blocking(&target, target.post(ACCOUNTS_PATH, small.clone()));
    expect_reply(status, &reply, "\"created\":1,");
    let trivial = BareServer::start("trivial", trivial_handler);
    let floor = BareServer::start("floor", floor_handler);
    let cases = [
        Case {
            name: "1-account POST",
            body: small,
            mock_reply: "\"updated\":1,",
            reference: trivial.target(),
            reference_name: "bare hyper, trivial handler",
            reference_reply: "\"ok\":true",
        },
        Case {
            name: "100-account POST",
            body: steady,
            mock_reply: "\"updated\":100,",
            reference: floor.target(),
            reference_name: "bare hyper, work floor",
            reference_reply: "\"failed\":0",
        },
    ];
    println!(
        "one keep-alive connection, one request at a time, {rounds} rounds of {per_round} \
         requests per server, alternating; allocations are the server's (the client's thread \
         is not counted)"
    );
    let mut rows = Vec::new();
    for case in &cases {
        let (mut mine, mut theirs) = (Figures::default(), Figures::default());
        for _ in 0..rounds {
            measure(
                &runtime,
                &target,
                &case.body,
                case.mock_reply,
                per_round,
                &mut mine,
            );
            let reference = (&case.reference, case.reference_reply);
            measure(
                &runtime,
                reference.0,
                &case.body,
                reference.1,
                per_round,
                &mut theirs,
            );
        }
        println!("{}: reference is {}", case.name, case.reference_name);
        rows.extend(case_rows(case.name, &mine, &theirs));
    }
    rows
}

/// Sends `count` requests (after a tenth as many unmeasured) on one fresh keep-alive
/// connection, adding their latencies and the server's allocations to `figures`.
fn measure(
    runtime: &Runtime,
    target: &Target,
    body: &Bytes,
    expect: &str,
    count: usize,
    figures: &mut Figures,
) {
    let mut sender = runtime
        .block_on(open(target.addr))
        .unwrap_or_else(|e| panic!("{e}"));
    let one = |sender: &mut _| {
        let started = Instant::now();
        let (status, reply) = runtime
            .block_on(send(sender, target.post(ACCOUNTS_PATH, body.clone())))
            .unwrap_or_else(|e| panic!("request failed: {e}"));
        let took = started.elapsed();
        expect_reply(status, &reply, expect);
        took
    };
    for _ in 0..count / 10 + 1 {
        one(&mut sender);
    }
    let (latencies, allocations, bytes) =
        counted(|| (0..count).map(|_| one(&mut sender)).collect::<Vec<_>>());
    figures.latencies.extend(latencies);
    figures.allocations += allocations;
    figures.bytes += bytes;
}

fn case_rows(name: &str, mine: &Figures, theirs: &Figures) -> Vec<Row> {
    let (p50, reference_p50) = (
        quantile(&mine.latencies, 0.5),
        quantile(&theirs.latencies, 0.5),
    );
    let per = |figures: &Figures| {
        (
            figures.per_request(figures.allocations),
            figures.per_request(figures.bytes),
        )
    };
    let ((allocations, bytes), (reference_allocations, reference_bytes)) = (per(mine), per(theirs));
    vec![
        Row::info(
            &format!("{name} p50 latency"),
            fmt_duration(p50),
            fmt_duration(reference_p50),
            Some(ratio(p50, reference_p50)),
        ),
        Row::info(
            &format!("{name} allocations/request"),
            format!("{allocations:.0}"),
            format!("{reference_allocations:.0}"),
            Some(allocations / reference_allocations),
        ),
        Row::info(
            &format!("{name} bytes allocated/request"),
            format!("{:.1} KiB", bytes / 1024.0),
            format!("{:.1} KiB", reference_bytes / 1024.0),
            Some(bytes / reference_bytes),
        ),
    ]
}
