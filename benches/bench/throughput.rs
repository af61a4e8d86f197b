//! Section `throughput`: `POST /accounts` of 100 accounts from 16 keep-alive connections, the
//! steady-state mix (the same domains, as updates) and the growth mix (new domains each time),
//! against the work floor; requests per second, latency and server CPU per request.

use std::time::Duration;

use crate::harness::{seed_steady, start_mock, Target, CONNECTIONS};
use crate::load::{cpu_note, run_load, steady_body, LoadReport, Mix, Plan};
use crate::report::{fmt_duration, fmt_rate, fmt_secs, ratio, Goal, Row};
use crate::servers::{floor_handler, BareServer};
use crate::Mode;

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
    for mix in [Mix::Steady, Mix::Growth] {
        let plan = Plan::timed(mix.bodies(), warmup, measure);
        let floor = {
            let server = BareServer::start("floor", floor_handler);
            run_load(server.target(), plan.clone())
        };
        floor.assert_clean(&format!("floor, {} mix", mix.name()));
        let mock = {
            let mock = start_mock();
            seed_steady(&mock, &steady_body());
            run_load(Target::of(&mock), plan)
        };
        mock.assert_clean(&format!("mock, {} mix", mix.name()));
        println!("{} floor: {}", mix.name(), cpu_note(&floor, "floor"));
        println!("{} mock:  {}", mix.name(), cpu_note(&mock, "recotap-mock"));
        rows.extend(throughput_rows(mix, &mock, &floor));
    }
    rows
}

fn throughput_rows(mix: Mix, mock: &LoadReport, floor: &LoadReport) -> Vec<Row> {
    let name = mix.name();
    let speedup = mock.rate() / floor.rate();
    let rate = |goal: f64, label: &str| {
        Row::ratio_goal(
            &format!("{name} req/s{label}"),
            fmt_rate(mock.rate()),
            fmt_rate(floor.rate()),
            speedup,
            Goal::AtLeast(goal),
        )
    };
    let latency = |label: &str, mine: Duration, theirs: Duration| {
        Row::info(
            &format!("{name} {label} latency"),
            fmt_duration(mine),
            fmt_duration(theirs),
            Some(ratio(mine, theirs)),
        )
    };
    // Both servers share two cores with the same client, so CPU per request is the steadier
    // view of the same comparison (lower is better).
    let (mine, theirs) = (
        mock.per_request(mock.cpu.of("recotap-mock")),
        floor.per_request(floor.cpu.of("floor")),
    );
    let cpu = Row::info(
        &format!("{name} server CPU/request"),
        fmt_duration(mine),
        fmt_duration(theirs),
        Some(ratio(mine, theirs)),
    );
    vec![
        rate(3.0, " (acceptable)"),
        rate(3.5, ""),
        latency("p50", mock.p50(), floor.p50()),
        latency("p99", mock.p99(), floor.p99()),
        cpu,
    ]
}
