//! Section `throughput`: `POST /accounts` of 100 accounts from 16 keep-alive connections, the
//! steady-state mix (the same domains, as updates) and the growth mix (new domains each time),
//! against the work floor; requests per second, latency and server CPU per request.
//!
//! The goal is judged as it was first measured: the steady mix with each server pinned to one
//! core and the load generator to the other, so that the figure compares the work each server
//! does per request. The unpinned runs (both servers free to use both cores with the client)
//! follow for information.

use std::time::Duration;

use crate::cores::{self, on_core, pin_threads};
use crate::harness::{seed_steady, start_mock, Target, CONNECTIONS};
use crate::load::{cpu_note, run_load, steady_body, LoadReport, Mix, Plan};
use crate::report::{fmt_duration, fmt_rate, fmt_secs, ratio, Goal, Row};
use crate::servers::{floor_handler, BareServer};
use crate::Mode;

/// The mock's runtime threads, and the floor's, by name.
const MOCK_THREADS: &str = "recotap-mock";
const FLOOR_THREADS: &str = "floor";

pub fn throughput(mode: Mode) -> Vec<Row> {
    let warmup = mode.pick(Duration::from_secs(1), Duration::from_millis(100));
    let measure = mode.pick(Duration::from_secs(5), Duration::from_millis(400));
    println!(
        "{CONNECTIONS} keep-alive connections, {} warm-up then {} measured per run; \
         reference: the work floor (bare hyper, serde_json::Value in and out)",
        fmt_secs(warmup),
        fmt_secs(measure)
    );
    let mut rows = Vec::new();
    let pinned = cores::server_and_client();
    match pinned {
        Some((server_core, client_core)) => {
            println!(
                "pinned runs: servers on core {server_core}, load generator on core {client_core}"
            );
            let plan = Plan::timed(Mix::Steady.bodies(), warmup, measure).on_core(client_core);
            let (mock, floor) = side_by_side("steady, pinned", plan, Some(server_core));
            rows.extend(rate_rows("steady, pinned", &mock, &floor, true));
            rows.push(cpu_row("steady, pinned", &mock, &floor));
        }
        None => println!("fewer than two cores: no pinned run; the goal is judged unpinned"),
    }
    for mix in [Mix::Steady, Mix::Growth] {
        let plan = Plan::timed(mix.bodies(), warmup, measure);
        let name = mix.name();
        let (mock, floor) = side_by_side(name, plan, None);
        let goal = pinned.is_none() && matches!(mix, Mix::Steady);
        rows.extend(rate_rows(name, &mock, &floor, goal));
        let latency = |label: &str, mine: Duration, theirs: Duration| {
            Row::info(
                &format!("{name} {label} latency"),
                fmt_duration(mine),
                fmt_duration(theirs),
                Some(ratio(mine, theirs)),
            )
        };
        rows.push(latency("p50", mock.p50(), floor.p50()));
        rows.push(latency("p99", mock.p99(), floor.p99()));
        rows.push(cpu_row(name, &mock, &floor));
    }
    rows
}

/// The floor's run, then the mock's, on the same plan; with `server_core`, each server's
/// threads are kept on that core for its run.
fn side_by_side(label: &str, plan: Plan, server_core: Option<usize>) -> (LoadReport, LoadReport) {
    let floor = {
        // A fresh runtime: its threads inherit the core from the thread that starts it.
        let server = start_on(server_core, || {
            BareServer::start(FLOOR_THREADS, floor_handler)
        });
        run_load(server.target(), plan.clone())
    };
    floor.assert_clean(&format!("floor, {label}"));
    let mock = {
        let mock = start_on(server_core, start_mock);
        seed_steady(&mock, &steady_body());
        // The process's one mock runtime may predate this run: its threads are pinned by name.
        let _pinned = server_core.map(|core| pin_threads(MOCK_THREADS, core));
        run_load(Target::of(&mock), plan)
    };
    mock.assert_clean(&format!("mock, {label}"));
    println!("{label} floor: {}", cpu_note(&floor, FLOOR_THREADS));
    println!("{label} mock:  {}", cpu_note(&mock, MOCK_THREADS));
    (mock, floor)
}

/// `start()`, from a thread on `core` if there is one (so the threads it creates stay there).
fn start_on<T>(core: Option<usize>, start: impl FnOnce() -> T) -> T {
    match core {
        Some(core) => on_core(core, start),
        None => start(),
    }
}

/// Requests per second against the floor; with `goal`, judged (3× acceptable, 3.5× the aim).
fn rate_rows(name: &str, mock: &LoadReport, floor: &LoadReport, goal: bool) -> Vec<Row> {
    let speedup = mock.rate() / floor.rate();
    let row = |label: &str| format!("{name} req/s{label}");
    if !goal {
        return vec![Row::info(
            &row(""),
            fmt_rate(mock.rate()),
            fmt_rate(floor.rate()),
            Some(speedup),
        )];
    }
    let judged = |goal: f64, label: &str| {
        Row::ratio_goal(
            &row(label),
            fmt_rate(mock.rate()),
            fmt_rate(floor.rate()),
            speedup,
            Goal::AtLeast(goal),
        )
    };
    vec![judged(3.0, " (acceptable)"), judged(3.5, "")]
}

/// Server CPU per request (lower is better): with the client on the same cores, the steadier
/// view of the same comparison.
fn cpu_row(name: &str, mock: &LoadReport, floor: &LoadReport) -> Row {
    let (mine, theirs) = (
        mock.per_request(mock.cpu.of(MOCK_THREADS)),
        floor.per_request(floor.cpu.of(FLOOR_THREADS)),
    );
    Row::info(
        &format!("{name} server CPU/request"),
        fmt_duration(mine),
        fmt_duration(theirs),
        Some(ratio(mine, theirs)),
    )
}
