//! Speed and memory of `recotap-mock`, each figure beside a reference measured in the same run,
//! because this machine's absolute speed drifts between runs: only the ratios are goals.
//!
//! * `sessions`: an isolated session on a shared mock (over HTTP and in process) against a mock
//!   of its own.
//! * `startup`: `MockRecotap::start()`, one custom field, one `POST /accounts` of 100 accounts
//!   (~22 KB) on a fresh connection, drop; against a bare hyper server spawned on the caller's
//!   runtime doing the same cycle.
//! * `throughput`: `POST /accounts` of 100 accounts from 16 keep-alive connections, steady-state
//!   sync (same domains, `upsert: true`) and growth (new domains each request); against a
//!   "work floor" server that only parses the body into a `serde_json::Value` and serialises a
//!   100-item result. The steady mix runs twice: with each server pinned to one core and the
//!   load generator to the other (the goal's measure, `bench/cores.rs`), then unpinned.
//! * `requests`: one request at a time on one keep-alive connection: a one-account upsert
//!   against bare hyper with a trivial handler, and the 100-account steady upsert against the
//!   work floor's handler; latency, and the server's allocations and bytes allocated per
//!   request (a counting global allocator, `bench/allocations.rs`).
//! * `scale`: 1,000,000 accounts seeded over HTTP; seeding rate, RSS, and the time of a page
//!   from the middle and of a duplicate-domain batch, at 1M against 1k.
//! * `memory`: RSS growth between 5 s and 60 s of the steady-state mix.
//! * `persistence`: the SQLite state file at 1M accounts against no state file: small upserts
//!   every 10 ms for 15 s (p99, max, bytes written per change, RSS), steady 100-account
//!   upserts, and the restart from the file against a start from the same state as JSON.
//!
//! Two modes:
//!
//! * `cargo bench --bench bench` (about four minutes) measures: each section prints its table
//!   of figures, references, ratios and goals, and a summary lists every goal as PASS or MISS.
//!   A missed goal is reported, not fatal; an error (below) fails the run.
//! * `cargo bench --bench bench -- --smoke` (a few seconds; `.ci/run` runs it) is a check, not
//!   a measurement: every section runs once on tiny counts, and the run exits non-zero on any
//!   error: a request that fails, a reply with an unexpected status or body, a section that
//!   panics, a child process that does not exit 0. Figures from tiny counts say nothing about
//!   speed, so smoke mode judges no goal and prints no verdict: its tables show the figures
//!   without goals, and it ends by saying what it checked. Run without `--bench` (as
//!   `cargo test --benches` does) the binary behaves as `--smoke`.
//!
//! Add `--only startup|sessions|throughput|requests|scale|memory|persistence` to run one
//! section, in this process. Without
//! `--only` every section runs in a child process of its own, so that one section's heap
//! (which the allocator keeps) cannot hide or inflate another section's RSS.
//!
//! This file is the driver: arguments, child processes, the summary. The rest is in `bench/`:
//! `harness.rs` (request bodies, the HTTP client, the mock under test), `servers.rs` (the bare
//! hyper references), `cores.rs` (pinning threads to cores), `load.rs` (the load generator),
//! `system.rs` (RSS and CPU from `/proc`), `report.rs` (tables and goals), and one file per
//! section.
//!
//! The load generator is part of the bench: a hyper 1.x client on its own thread with its own
//! current-thread tokio runtime, so no outside tool is needed. It shares the machine with the
//! server under test, so each run prints the CPU per request of both sides: a figure is about
//! the server only while the client's share stays small.

#[path = "bench/allocations.rs"]
mod allocations;
#[path = "bench/cores.rs"]
mod cores;
#[path = "bench/harness.rs"]
mod harness;
#[path = "bench/load.rs"]
mod load;
#[path = "bench/memory.rs"]
mod memory;
#[path = "bench/persistence.rs"]
mod persistence;
#[path = "bench/report.rs"]
mod report;
#[path = "bench/requests.rs"]
mod requests;
#[path = "bench/scale.rs"]
mod scale;
#[path = "bench/servers.rs"]
mod servers;
#[path = "bench/sessions.rs"]
mod sessions;
#[path = "bench/startup.rs"]
mod startup;
#[path = "bench/system.rs"]
mod system;
#[path = "bench/throughput.rs"]
mod throughput;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Instant;

use clap::{Parser, ValueEnum};

/// Counts allocations for the `requests` section; off (one relaxed load) everywhere else.
#[global_allocator]
static ALLOCATOR: allocations::Counting = allocations::Counting;

use crate::harness::{accounts_body, ACCOUNTS_PER_REQUEST};
use crate::report::{print_summary, print_table, Row, Verdict};
use crate::system::{cpu_model, load_average};

/// A child process marks its goal rows with this prefix so the parent can summarise them.
const GOAL_MARK: &str = "@@goal\t";

/// recotap-mock's benchmark; run it through `cargo bench --bench bench [-- OPTIONS]`.
#[derive(Parser, Debug)]
#[command(name = "bench", bin_name = "cargo bench --bench bench --")]
struct Cli {
    /// Every section once on tiny counts: fails on any error, judges no goal.
    #[arg(long)]
    smoke: bool,
    /// Run this section only, in this process.
    #[arg(long, value_enum, value_name = "SECTION")]
    only: Option<Section>,
    /// Passed by `cargo bench`; without it (as under `cargo test --benches`) the run is a smoke run.
    #[arg(long, hide = true)]
    bench: bool,
    /// Set by the parent: run the `--only` section and print its goal rows as marked lines.
    #[arg(long, hide = true, requires = "only")]
    child: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Section {
    Startup,
    Sessions,
    Throughput,
    Requests,
    Scale,
    Memory,
    Persistence,
}

impl Section {
    const ALL: [Section; 7] = [
        Section::Startup,
        Section::Sessions,
        Section::Throughput,
        Section::Requests,
        Section::Scale,
        Section::Memory,
        Section::Persistence,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Startup => "startup",
            Section::Sessions => "sessions",
            Section::Throughput => "throughput",
            Section::Requests => "requests",
            Section::Scale => "scale",
            Section::Memory => "memory",
            Section::Persistence => "persistence",
        }
    }

    fn run(self, mode: Mode) -> Vec<Row> {
        match self {
            Section::Startup => startup::startup(mode),
            Section::Sessions => sessions::sessions(mode),
            Section::Throughput => throughput::throughput(mode),
            Section::Requests => requests::requests(mode),
            Section::Scale => scale::scale(mode),
            Section::Memory => memory::memory(mode),
            Section::Persistence => persistence::persistence(mode),
        }
    }
}

/// Full figures, or tiny counts that only prove every section still works.
#[derive(Clone, Copy, Debug)]
struct Mode {
    smoke: bool,
}

impl Mode {
    fn pick<T>(self, full: T, smoke: T) -> T {
        if self.smoke {
            smoke
        } else {
            full
        }
    }

    fn flag(self) -> &'static str {
        self.pick("--bench", "--smoke")
    }
}

fn main() {
    let cli = Cli::parse();
    let mode = Mode {
        smoke: cli.smoke || !cli.bench,
    };
    if cli.child {
        let section = cli.only.expect("clap requires --only with --child");
        let rows = run_section(section, mode);
        if !mode.smoke {
            for line in marked_rows(section, &rows) {
                println!("{GOAL_MARK}{line}");
            }
        }
        return;
    }
    print_machine(mode);
    let sections = match cli.only {
        Some(section) => vec![section],
        None => Section::ALL.to_vec(),
    };
    let goals = match cli.only {
        Some(section) => marked_rows(section, &run_section(section, mode)),
        None => run_children(mode),
    };
    if mode.smoke {
        let names: Vec<&str> = sections.iter().map(|s| s.name()).collect();
        println!(
            "\nsmoke passed: {} ran once on tiny counts; every request got the reply it expects \
             and no section failed (smoke mode judges no goal; run without --smoke for figures)",
            names.join(", ")
        );
    } else {
        print_summary(&goals);
    }
    println!("load average at the end: {}", load_average());
}

/// Runs one section in this process and prints its table.
fn run_section(section: Section, mode: Mode) -> Vec<Row> {
    println!("\n=== {} ===", section.name());
    let started = Instant::now();
    let rows = section.run(mode);
    print_table(&rows, mode);
    println!(
        "({} took {:.1} s)",
        section.name(),
        started.elapsed().as_secs_f64()
    );
    rows
}

fn marked_rows(section: Section, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .filter(|row| row.verdict != Verdict::Info)
        .map(|row| row.marked(section.name()))
        .collect()
}

/// Runs every section in a child process of its own, echoing its output and collecting its
/// goal rows. A child that fails makes the whole bench fail, after the other sections ran.
fn run_children(mode: Mode) -> Vec<String> {
    let exe = std::env::current_exe().expect("the bench knows its own path");
    let mut goals = Vec::new();
    let mut failed = Vec::new();
    for section in Section::ALL {
        let mut child = Command::new(&exe)
            .args([mode.flag(), "--child", "--only", section.name()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the bench can run itself");
        let stdout = child.stdout.take().expect("stdout is piped");
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("the child writes UTF-8");
            match line.strip_prefix(GOAL_MARK) {
                Some(goal) => goals.push(goal.to_string()),
                None => println!("{line}"),
            }
        }
        let status = child.wait().expect("the child runs to its end");
        if !status.success() {
            eprintln!("bench: section {} failed ({status})", section.name());
            failed.push(section.name());
        }
    }
    if !failed.is_empty() {
        if !mode.smoke {
            print_summary(&goals);
        }
        eprintln!("bench: section(s) failed: {}", failed.join(", "));
        std::process::exit(1);
    }
    goals
}

fn print_machine(mode: Mode) {
    let nproc = thread::available_parallelism().map_or(0, |n| n.get());
    println!("recotap-mock bench ({})", mode.pick("full", "smoke"));
    println!("machine: nproc {nproc}, CPU {}", cpu_model());
    println!("load average at the start: {}", load_average());
    println!(
        "request body: {} accounts, {} bytes",
        ACCOUNTS_PER_REQUEST,
        accounts_body("g", 5_000, true).len()
    );
}
