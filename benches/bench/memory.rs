//! Section `memory`: the steady-state mix on one mock for a minute, RSS sampled every 5 s;
//! the goal is on the growth between the first sample and the end.

use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{seed_steady, start_mock, Target};
use crate::load::{cpu_note, spawn_load, steady_body, LoadReport, Mix, Plan};
use crate::report::{fmt_duration, fmt_mib, fmt_rate, fmt_secs, Goal, Row};
use crate::system::{rss_bytes, CpuByThread};
use crate::Mode;

pub fn memory(mode: Mode) -> Vec<Row> {
    let total = mode.pick(Duration::from_secs(60), Duration::from_secs(2));
    let step = mode.pick(Duration::from_secs(5), Duration::from_millis(500));
    let mock = start_mock();
    seed_steady(&mock, &steady_body());
    let plan = Plan::timed(Mix::Steady.bodies(), Duration::ZERO, total);
    let started = Instant::now();
    let cpu_before = CpuByThread::now();
    let load = spawn_load(Target::of(&mock), plan);
    let samples = sample_rss(started, step, total, &load);
    let mut report = load.join().expect("the load generator does not panic");
    report.cpu = CpuByThread::now().since(&cpu_before);
    report.assert_clean("memory, steady mix");
    let rss_end = rss_bytes() as f64;
    let rss_early = samples.first().map_or(rss_end, |&(_, rss)| rss);
    let trajectory: Vec<String> = samples
        .iter()
        .map(|(at, rss)| format!("{:.1} s {}", at.as_secs_f64(), fmt_mib(*rss)))
        .collect();
    println!(
        "steady mix on a mock with default settings for {}; RSS at {}; end {}\n{}",
        fmt_secs(total),
        trajectory.join(", "),
        fmt_mib(rss_end),
        cpu_note(&report, "recotap-mock")
    );
    let growth = rss_end - rss_early;
    vec![
        Row::figure_goal(
            Row::info(
                &format!(
                    "RSS growth {}→{} (at {} ref)",
                    fmt_secs(step),
                    fmt_secs(total),
                    fmt_secs(step)
                ),
                fmt_mib(growth),
                fmt_mib(rss_early),
                None,
            ),
            growth,
            Goal::AtMost(64.0 * 1024.0 * 1024.0),
            "≤ 64 MiB",
        ),
        Row::info(
            "steady req/s during the run",
            fmt_rate(report.rate()),
            "-".to_string(),
            None,
        ),
        Row::info(
            "steady p99 latency during the run",
            fmt_duration(report.p99()),
            "-".to_string(),
            None,
        ),
    ]
}

/// RSS every `step` while the load runs (bounded by `total` plus a margin).
fn sample_rss(
    started: Instant,
    step: Duration,
    total: Duration,
    load: &thread::JoinHandle<LoadReport>,
) -> Vec<(Duration, f64)> {
    let mut samples = Vec::new();
    let mut next = step;
    while next < total && !load.is_finished() {
        thread::sleep(next.saturating_sub(started.elapsed()));
        samples.push((started.elapsed(), rss_bytes() as f64));
        next += step;
    }
    samples
}
