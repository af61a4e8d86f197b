//! Speed and memory of `recotap-mock`, each figure beside a reference measured in the same run,
//! because this machine's absolute speed drifts between runs: only the ratios are goals.
//!
//! * `startup`: `MockRecotap::start()`, one custom field, one `POST /accounts` of 100 accounts
//!   (~22 KB) on a fresh connection, drop; against a bare hyper server spawned on the caller's
//!   runtime doing the same cycle.
//! * `throughput`: `POST /accounts` of 100 accounts from 16 keep-alive connections, steady-state
//!   sync (same domains, `upsert: true`) and growth (new domains each request); against a
//!   "work floor" server that only parses the body into a `serde_json::Value` and serialises a
//!   100-item result.
//! * `scale`: 1,000,000 accounts seeded over HTTP; seeding rate, RSS, and the time of a page
//!   from the middle and of a duplicate-domain batch, at 1M against 1k.
//! * `memory`: RSS growth between 5 s and 60 s of the steady-state mix.
//!
//! Run `cargo bench --bench bench` (about two minutes), `cargo bench --bench bench -- --smoke`
//! (a few seconds, every section on tiny counts, goals printed but not enforced; `.ci/run` runs
//! it), or add `--only startup|throughput|scale|memory`. Without `--only` every section runs in
//! a child process of its own, so that one section's heap (which the allocator keeps) cannot
//! hide or inflate another section's RSS. Run without `--bench` (as `cargo test --benches`
//! does) the binary behaves as `--smoke`. It exits non-zero only if a request fails; a missed
//! goal is reported, not fatal.
//!
//! The load generator is part of the bench: a hyper 1.x client on its own thread with its own
//! current-thread tokio runtime, so no outside tool is needed. It shares the machine with the
//! server under test, so each run prints the CPU per request of both sides: a figure is about
//! the server only while the client's share stays small.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1 as client_http1;
use hyper::server::conn::http1 as server_http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use recotap_mock::{CustomField, LabelType, MockRecotap};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

const ACCOUNTS_PATH: &str = "/api/v1/accounts";
/// The key of the one custom field every mock is seeded with, and every account sends.
const FIELD_KEY: &str = "CONTRACT_VALUE_C";
const ACCOUNTS_PER_REQUEST: u64 = 100;
/// Keep-alive connections of the load generator.
const CONNECTIONS: usize = 16;
/// A child process marks its goal rows with this prefix so the parent can summarise them.
const GOAL_MARK: &str = "@@goal\t";

// ---------------------------------------------------------------------------------------------
// Command line and driver
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Section {
    Startup,
    Throughput,
    Scale,
    Memory,
}

impl Section {
    const ALL: [Section; 4] = [
        Section::Startup,
        Section::Throughput,
        Section::Scale,
        Section::Memory,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Startup => "startup",
            Section::Throughput => "throughput",
            Section::Scale => "scale",
            Section::Memory => "memory",
        }
    }

    fn parse(name: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.name() == name)
    }

    fn run(self, mode: Mode) -> Vec<Row> {
        match self {
            Section::Startup => startup(mode),
            Section::Throughput => throughput(mode),
            Section::Scale => scale(mode),
            Section::Memory => memory(mode),
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

struct Args {
    mode: Mode,
    only: Option<Section>,
    /// Set by the parent: print goal rows as marked lines instead of a summary.
    child: bool,
}

fn parse_args() -> Args {
    let mut smoke = false;
    let mut bench = false;
    let mut only = None;
    let mut child = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--smoke" => smoke = true,
            // cargo bench passes --bench; cargo test passes nothing.
            "--bench" => bench = true,
            "--child" => child = true,
            "--only" => {
                let name = args.next().unwrap_or_default();
                only = Some(Section::parse(&name).unwrap_or_else(|| usage(&name)));
            }
            other => usage(other),
        }
    }
    Args {
        mode: Mode {
            smoke: smoke || !bench,
        },
        only,
        child,
    }
}

fn usage(bad: &str) -> ! {
    eprintln!(
        "bench: unexpected argument {bad:?}\n\
         usage: cargo bench --bench bench [-- --smoke] [-- --only startup|throughput|scale|memory]"
    );
    std::process::exit(2);
}

fn main() {
    let args = parse_args();
    if args.child {
        let section = args.only.expect("the parent passes --only to a child");
        for row in run_section(section, args.mode) {
            if row.verdict != Verdict::Info {
                println!("{GOAL_MARK}{}", row.marked(section));
            }
        }
        return;
    }
    print_machine(args.mode);
    let goals = match args.only {
        Some(section) => marked_rows(section, run_section(section, args.mode)),
        None => run_children(args.mode),
    };
    print_summary(&goals);
    println!("load average at the end: {}", load_average());
}

/// Runs one section in this process and prints its table.
fn run_section(section: Section, mode: Mode) -> Vec<Row> {
    println!("\n=== {} ===", section.name());
    let started = Instant::now();
    let rows = section.run(mode);
    print_table(&rows);
    println!(
        "({} took {:.1} s)",
        section.name(),
        started.elapsed().as_secs_f64()
    );
    rows
}

fn marked_rows(section: Section, rows: Vec<Row>) -> Vec<String> {
    rows.iter()
        .filter(|row| row.verdict != Verdict::Info)
        .map(|row| row.marked(section))
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
            failed.push(section.name());
        }
    }
    if !failed.is_empty() {
        print_summary(&goals);
        eprintln!("bench: section(s) failed: {}", failed.join(", "));
        std::process::exit(1);
    }
    goals
}

fn print_machine(mode: Mode) {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|line| line.strip_prefix("model name"))
        .and_then(|rest| rest.split_once(':'))
        .map_or("unknown", |(_, name)| name.trim());
    let nproc = thread::available_parallelism().map_or(0, |n| n.get());
    println!("recotap-mock bench ({})", mode.pick("full", "smoke"));
    println!("machine: nproc {nproc}, CPU {model}");
    println!("load average at the start: {}", load_average());
    println!(
        "request body: {} accounts, {} bytes",
        ACCOUNTS_PER_REQUEST,
        accounts_body("g", 5_000, true).len()
    );
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_string())
}

// ---------------------------------------------------------------------------------------------
// Tables and goals
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Verdict {
    Pass,
    Miss,
    Info,
}

/// A goal on one number: at most or at least `limit`.
#[derive(Clone, Copy)]
enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn verdict(self, value: f64) -> Verdict {
        let met = match self {
            Goal::AtMost(limit) => value <= limit,
            Goal::AtLeast(limit) => value >= limit,
        };
        if met {
            Verdict::Pass
        } else {
            Verdict::Miss
        }
    }
}

/// One line of a section's table.
struct Row {
    measure: String,
    figure: String,
    reference: String,
    ratio: String,
    goal: String,
    verdict: Verdict,
    /// What the goal judges, as the summary shows it: the ratio, or the figure.
    judged: String,
}

impl Row {
    /// A figure with a reference and no goal.
    fn info(measure: &str, figure: String, reference: String, ratio: Option<f64>) -> Row {
        Row {
            measure: measure.to_string(),
            figure,
            reference,
            ratio: ratio.map_or("-".to_string(), fmt_ratio),
            goal: "-".to_string(),
            verdict: Verdict::Info,
            judged: String::new(),
        }
    }

    /// A goal on the ratio figure / reference.
    fn ratio_goal(measure: &str, figure: String, reference: String, ratio: f64, goal: Goal) -> Row {
        Row {
            goal: goal_label(goal, "×"),
            verdict: goal.verdict(ratio),
            judged: fmt_ratio(ratio),
            ..Row::info(measure, figure, reference, Some(ratio))
        }
    }

    /// A goal on the figure itself (`label` says it in the figure's unit).
    fn figure_goal(mut row: Row, value: f64, goal: Goal, label: &str) -> Row {
        row.goal = label.to_string();
        row.verdict = goal.verdict(value);
        row.judged = row.figure.clone();
        row
    }

    /// The row as a tab-separated line for the summary.
    fn marked(&self, section: Section) -> String {
        format!(
            "{}\t{}\t{}\t{}\t{}",
            section.name(),
            self.measure,
            self.judged,
            self.goal,
            verdict_label(self.verdict)
        )
    }
}

fn goal_label(goal: Goal, unit: &str) -> String {
    match goal {
        Goal::AtMost(limit) => format!("≤ {limit}{unit}"),
        Goal::AtLeast(limit) => format!("≥ {limit}{unit}"),
    }
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::Miss => "MISS",
        Verdict::Info => "",
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<34} {:>14} {:>14} {:>8} {:>12}  verdict",
        "measure", "figure", "reference", "ratio", "goal"
    );
    for row in rows {
        println!(
            "{:<34} {:>14} {:>14} {:>8} {:>12}  {}",
            row.measure,
            row.figure,
            row.reference,
            row.ratio,
            row.goal,
            verdict_label(row.verdict)
        );
    }
}

fn print_summary(goals: &[String]) {
    println!("\n=== summary ===");
    println!(
        "{:<11} {:<34} {:>14} {:>12}  verdict",
        "section", "measure", "result", "goal"
    );
    let mut met = 0;
    for goal in goals {
        let fields: Vec<&str> = goal.split('\t').collect();
        if let [section, measure, result, limit, verdict] = fields[..] {
            println!("{section:<11} {measure:<34} {result:>14} {limit:>12}  {verdict}");
            met += usize::from(verdict == "PASS");
        }
    }
    println!("{met} of {} goals met", goals.len());
}

fn fmt_ratio(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

fn fmt_duration(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1_000_000.0 {
        format!("{:.2} ms", micros / 1e3)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// A whole or fractional number of seconds, for labels.
fn fmt_secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

fn fmt_mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

fn fmt_rate(per_second: f64) -> String {
    if per_second >= 10_000.0 {
        format!("{:.1}k/s", per_second / 1e3)
    } else {
        format!("{per_second:.0}/s")
    }
}

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

/// Company names as (display, slug), and second words: deterministic variety.
const FIRST: [(&str, &str); 8] = [
    ("Acme", "acme"),
    ("Globex", "globex"),
    ("Initech", "initech"),
    ("Umbrella", "umbrella"),
    ("Vandelay", "vandelay"),
    ("Cyberdyne", "cyberdyne"),
    ("Soylent", "soylent"),
    ("Aperture", "aperture"),
];
const SECOND: [&str; 4] = ["Logistics", "Analytics", "Robotics", "Capital"];
const REGIONS: [&str; 3] = ["emea", "amer", "apac"];

/// A `POST /accounts` body of 100 accounts: batch `batch` of the domain family `family`.
/// The same arguments always give the same bytes; different batches never share a domain.
fn accounts_body(family: &str, batch: u64, upsert: bool) -> Bytes {
    let mut out = String::with_capacity(24 * 1024);
    out.push_str("{\"accounts\":[");
    for i in 0..ACCOUNTS_PER_REQUEST {
        if i > 0 {
            out.push(',');
        }
        push_account(&mut out, family, batch * ACCOUNTS_PER_REQUEST + i);
    }
    let _ = write!(out, "],\"upsert\":{upsert}}}");
    Bytes::from(out)
}

/// The domain of account `n` of `family` (what [`accounts_body`] sends).
fn domain_of(family: &str, n: u64) -> String {
    let (_, slug) = FIRST[(n % 8) as usize];
    format!("{slug}-{family}{n:07}.com")
}

/// One account of about 220 bytes, every documented field present.
fn push_account(out: &mut String, family: &str, n: u64) {
    let (first, slug) = FIRST[(n % 8) as usize];
    let second = SECOND[(n / 8 % 4) as usize];
    let region = REGIONS[(n % 3) as usize];
    let tier = n % 3 + 1;
    let value = (n * 7919) % 100_000;
    let _ = write!(
        out,
        "{{\"domain\":\"{domain}\",\"name\":\"{first} {second}\",\
         \"externalId\":\"crm-{n:07}\",\"shortName\":\"{first}\",\
         \"linkedinUrl\":\"https://linkedin.com/company/{slug}\",\
         \"tags\":[\"tier{tier}\",\"{region}\"],\"customFields\":{{\"{FIELD_KEY}\":{value}}}}}",
        domain = domain_of(family, n),
    );
}

// ---------------------------------------------------------------------------------------------
// Client: one request at a time per keep-alive connection
// ---------------------------------------------------------------------------------------------

/// Where requests go and the key they carry.
#[derive(Clone)]
struct Target {
    host: HeaderValue,
    addr: SocketAddr,
    api_key: HeaderValue,
}

impl Target {
    fn new(addr: SocketAddr, api_key: &str) -> Target {
        Target {
            host: HeaderValue::from_str(&addr.to_string()).expect("an address is a header value"),
            addr,
            api_key: HeaderValue::from_str(api_key).expect("the API key is a header value"),
        }
    }

    fn of(mock: &MockRecotap) -> Target {
        Target::new(mock.address(), mock.api_key())
    }

    fn request(&self, method: Method, path: &str, body: Bytes) -> Request<Full<Bytes>> {
        Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("x-api-key", self.api_key.clone())
            .body(Full::new(body))
            .expect("the request is well formed")
    }

    fn post(&self, path: &str, body: Bytes) -> Request<Full<Bytes>> {
        self.request(Method::POST, path, body)
    }

    fn get(&self, path: &str) -> Request<Full<Bytes>> {
        self.request(Method::GET, path, Bytes::new())
    }
}

type Sender = client_http1::SendRequest<Full<Bytes>>;

/// Opens a keep-alive HTTP/1.1 connection whose driver runs on the current runtime.
async fn open(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = client_http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole response.
async fn send(
    sender: &mut Sender,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// Sends one request on a fresh connection, which closes when this returns.
async fn send_fresh(target: &Target, request: Request<Full<Bytes>>) -> (StatusCode, Bytes) {
    let mut sender = open(target.addr).await.unwrap_or_else(|e| panic!("{e}"));
    send(&mut sender, request)
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
}

/// `Err` with a readable description unless the reply is a 200 whose end holds `expect`
/// (the summary counts sit at the end of every envelope this bench checks).
fn check_reply(status: StatusCode, body: &[u8], expect: &str) -> Result<(), String> {
    let tail = &body[body.len().saturating_sub(512)..];
    let found = tail
        .windows(expect.len())
        .any(|window| window == expect.as_bytes());
    if status == StatusCode::OK && found {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(400)]);
    Err(format!(
        "{status}, expected {expect:?} in the reply: {head}"
    ))
}

fn expect_reply(status: StatusCode, body: &[u8], expect: &str) {
    if let Err(problem) = check_reply(status, body, expect) {
        panic!("unexpected reply: {problem}");
    }
}

fn current_thread_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime starts")
}

/// One request on a fresh connection from a throwaway runtime (for set-up steps).
fn send_blocking(target: &Target, request: Request<Full<Bytes>>) -> (StatusCode, Bytes) {
    current_thread_runtime().block_on(send_fresh(target, request))
}

// ---------------------------------------------------------------------------------------------
// Latency histogram: constant memory, so the memory section measures the mock and not the log
// ---------------------------------------------------------------------------------------------

/// Values below 64 ns are exact; above, 32 buckets per power of two (≤ 3% error).
const SUB_BUCKETS: u64 = 32;
const BUCKETS: usize = (2 * SUB_BUCKETS + 58 * SUB_BUCKETS) as usize;

#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
        }
    }

    fn index(nanos: u64) -> usize {
        if nanos < 2 * SUB_BUCKETS {
            return nanos as usize;
        }
        let msb = 63 - u64::from(nanos.leading_zeros());
        let shift = msb - 5;
        let top = nanos >> shift;
        (2 * SUB_BUCKETS + (msb - 6) * SUB_BUCKETS + (top - SUB_BUCKETS)) as usize
    }

    fn value(index: usize) -> u64 {
        let index = index as u64;
        if index < 2 * SUB_BUCKETS {
            return index;
        }
        let j = index - 2 * SUB_BUCKETS;
        let shift = j / SUB_BUCKETS + 1;
        let top = j % SUB_BUCKETS + SUB_BUCKETS;
        (top << shift) + (1 << shift) / 2
    }

    fn record(&mut self, latency: Duration) {
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.counts[Histogram::index(nanos)] += 1;
        self.total += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        self.total += other.total;
    }

    /// The `q` quantile (nearest rank), or zero when empty.
    fn quantile(&self, q: f64) -> Duration {
        let rank = ((q * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (index, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                return Duration::from_nanos(Histogram::value(index));
            }
        }
        Duration::ZERO
    }
}

/// The `q` quantile (nearest rank) of exact samples.
fn quantile(samples: &[Duration], q: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Load generator
// ---------------------------------------------------------------------------------------------

/// What each request carries.
#[derive(Clone)]
enum Bodies {
    /// The same bytes every time.
    Same(Bytes),
    /// Request number `n` sends batch `n` of a domain family: new domains every time.
    Growth { family: &'static str },
}

impl Bodies {
    fn body(&self, ticket: u64) -> Bytes {
        match self {
            Bodies::Same(body) => body.clone(),
            Bodies::Growth { family } => accounts_body(family, ticket, true),
        }
    }
}

/// One load run: `POST`s on `CONNECTIONS` keep-alive connections, each back to back, until
/// the time is up or `max_requests` have been started. Requests finishing in the measuring
/// window (after the warm-up) count; each reply must be a 200 whose end holds `expect`.
#[derive(Clone)]
struct Plan {
    bodies: Bodies,
    warmup: Duration,
    measure: Duration,
    max_requests: u64,
    expect: &'static str,
}

impl Plan {
    fn timed(bodies: Bodies, warmup: Duration, measure: Duration) -> Plan {
        Plan {
            bodies,
            warmup,
            measure,
            max_requests: u64::MAX,
            expect: "\"failed\":0}",
        }
    }
}

/// What one connection saw.
struct ConnectionStats {
    histogram: Histogram,
    in_window: u64,
    completed: u64,
    last_done: Option<Instant>,
    errors: u64,
    first_error: Option<String>,
}

impl ConnectionStats {
    fn new() -> ConnectionStats {
        ConnectionStats {
            histogram: Histogram::new(),
            in_window: 0,
            completed: 0,
            last_done: None,
            errors: 0,
            first_error: None,
        }
    }

    fn error(&mut self, problem: String) {
        self.errors += 1;
        self.first_error.get_or_insert(problem);
    }
}

/// What a load run saw, all connections together.
struct LoadReport {
    histogram: Histogram,
    in_window: u64,
    window: Duration,
    completed: u64,
    /// From the start to the last reply.
    elapsed: Duration,
    errors: u64,
    first_error: Option<String>,
    /// CPU used during the run, by thread name (filled in by [`run_load`]).
    cpu: CpuByThread,
    /// CPU used by the load generator's thread.
    client_cpu: Duration,
}

impl LoadReport {
    /// CPU per completed request of `cpu`.
    fn per_request(&self, cpu: Duration) -> Duration {
        cpu / u32::try_from(self.completed.max(1)).unwrap_or(u32::MAX)
    }

    fn rate(&self) -> f64 {
        self.in_window as f64 / self.window.as_secs_f64()
    }

    fn p50(&self) -> Duration {
        self.histogram.quantile(0.50)
    }

    fn p99(&self) -> Duration {
        self.histogram.quantile(0.99)
    }

    /// Panics (failing the bench) if any request failed: a figure from failing requests lies.
    fn assert_clean(&self, what: &str) {
        if self.errors > 0 {
            panic!(
                "{what}: {} of {} requests failed; first: {}",
                self.errors,
                self.completed + self.errors,
                self.first_error.as_deref().unwrap_or("?")
            );
        }
        assert!(self.completed > 0, "{what}: no request completed");
    }
}

/// Starts a load run on a thread of its own with a current-thread runtime of its own.
fn spawn_load(target: Target, plan: Plan) -> thread::JoinHandle<LoadReport> {
    thread::Builder::new()
        .name("load-generator".to_string())
        .spawn(move || {
            let before = thread_cpu();
            let mut report = current_thread_runtime().block_on(drive_all(target, plan));
            report.client_cpu = thread_cpu().saturating_sub(before);
            report
        })
        .expect("the load generator thread starts")
}

fn run_load(target: Target, plan: Plan) -> LoadReport {
    let before = CpuByThread::now();
    let mut report = spawn_load(target, plan)
        .join()
        .expect("the load generator does not panic");
    report.cpu = CpuByThread::now().since(&before);
    report
}

/// CPU time used so far by the calling thread.
fn thread_cpu() -> Duration {
    let schedstat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    let nanos = schedstat
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(nanos)
}

/// CPU time used so far by this process's threads, by thread name (the mock's runtime threads
/// are `recotap-mock`, the floor's `floor`). From schedstat, which counts nanoseconds; threads
/// that exited are not counted (so the client measures its own thread, in [`spawn_load`]).
#[derive(Default)]
struct CpuByThread(Vec<(String, Duration)>);

impl CpuByThread {
    fn now() -> CpuByThread {
        let mut threads = Vec::new();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return CpuByThread(threads);
        };
        for task in tasks.flatten() {
            let path = task.path();
            let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
            let schedstat = std::fs::read_to_string(path.join("schedstat")).unwrap_or_default();
            let nanos = schedstat
                .split_whitespace()
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            threads.push((name.trim().to_string(), Duration::from_nanos(nanos)));
        }
        CpuByThread(threads)
    }

    /// Per name, the CPU used since `earlier` (threads started since count in full).
    fn since(&self, earlier: &CpuByThread) -> CpuByThread {
        let total = |threads: &CpuByThread, name: &str| -> Duration {
            threads
                .0
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, d)| *d)
                .sum()
        };
        let mut names: Vec<&String> = self.0.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        let used = names
            .into_iter()
            .map(|n| (n.clone(), total(self, n).saturating_sub(total(earlier, n))))
            .collect();
        CpuByThread(used)
    }

    fn of(&self, name: &str) -> Duration {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, d)| *d)
            .sum()
    }
}

async fn drive_all(target: Target, plan: Plan) -> LoadReport {
    let plan = Arc::new(plan);
    let tickets = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut connections = JoinSet::new();
    for _ in 0..CONNECTIONS {
        connections.spawn(drive(target.clone(), plan.clone(), tickets.clone(), start));
    }
    let mut report = LoadReport {
        histogram: Histogram::new(),
        in_window: 0,
        window: plan.measure,
        completed: 0,
        elapsed: Duration::ZERO,
        errors: 0,
        first_error: None,
        cpu: CpuByThread::default(),
        client_cpu: Duration::ZERO,
    };
    while let Some(joined) = connections.join_next().await {
        let stats = joined.expect("a connection task does not panic");
        report.histogram.merge(&stats.histogram);
        report.in_window += stats.in_window;
        report.completed += stats.completed;
        report.errors += stats.errors;
        if report.first_error.is_none() {
            report.first_error = stats.first_error;
        }
        if let Some(done) = stats.last_done {
            report.elapsed = report.elapsed.max(done - start);
        }
    }
    report
}

/// One connection sending requests back to back.
async fn drive(
    target: Target,
    plan: Arc<Plan>,
    tickets: Arc<AtomicU64>,
    start: Instant,
) -> ConnectionStats {
    let mut stats = ConnectionStats::new();
    let window_start = start + plan.warmup;
    let end = window_start + plan.measure;
    let mut sender = match open(target.addr).await {
        Ok(sender) => sender,
        Err(problem) => {
            stats.error(problem);
            return stats;
        }
    };
    loop {
        let ticket = tickets.fetch_add(1, Ordering::Relaxed);
        let sent = Instant::now();
        if ticket >= plan.max_requests || sent >= end {
            break;
        }
        let request = target.post(ACCOUNTS_PATH, plan.bodies.body(ticket));
        let (status, body) = match send(&mut sender, request).await {
            Ok(reply) => reply,
            Err(problem) => {
                // The connection is unusable now; the error fails the run.
                stats.error(problem);
                break;
            }
        };
        let done = Instant::now();
        if let Err(problem) = check_reply(status, &body, plan.expect) {
            stats.error(problem);
            continue;
        }
        stats.completed += 1;
        stats.last_done = Some(done);
        if done >= window_start && done <= end {
            stats.in_window += 1;
            stats.histogram.record(done - sent);
        }
    }
    stats
}

// ---------------------------------------------------------------------------------------------
// Reference servers: bare hyper
// ---------------------------------------------------------------------------------------------

/// Serves HTTP/1.1 with `handler` until the task is aborted or its runtime shuts down. Accept
/// errors end the loop rather than spin.
async fn serve_bare<F, Fut>(listener: TcpListener, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    // Dropping the set (when this task is aborted) aborts the connections too.
    let mut connections = JoinSet::new();
    while let Ok((stream, _peer)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let service =
            service_fn(move |request| async move { Ok::<_, Infallible>(handler(request).await) });
        connections.spawn(async move {
            let _ = server_http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The start-up reference: reads the body, answers a fixed small JSON.
async fn trivial_handler(request: Request<Incoming>) -> Response<Full<Bytes>> {
    match request.into_body().collect().await {
        Ok(_) => json_response(
            StatusCode::OK,
            Bytes::from_static(b"{\"statusCode\":200,\"data\":{\"ok\":true}}"),
        ),
        Err(_) => json_response(StatusCode::BAD_REQUEST, Bytes::new()),
    }
}

/// Ids for the floor's results, shaped like the mock's (24 hex digits).
static FLOOR_IDS: AtomicU64 = AtomicU64::new(0x6650_0000_0000_0000);

/// The work floor: the least any server answering `POST /accounts` must do, done naively:
/// parse the body into a `serde_json::Value`, serialise a result per account in an envelope.
async fn floor_handler(request: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().to_string();
    let Ok(collected) = request.into_body().collect().await else {
        return json_response(StatusCode::BAD_REQUEST, Bytes::new());
    };
    let Ok(parsed) = serde_json::from_slice::<Value>(&collected.to_bytes()) else {
        return json_response(StatusCode::BAD_REQUEST, Bytes::new());
    };
    let accounts = parsed["accounts"].as_array().map_or(&[][..], Vec::as_slice);
    let results: Vec<Value> = accounts
        .iter()
        .map(|account| {
            let id = FLOOR_IDS.fetch_add(1, Ordering::Relaxed);
            json!({ "rtp_aid": format!("{id:024x}"), "domain": account["domain"], "status": "updated" })
        })
        .collect();
    let total = results.len();
    let envelope = json!({
        "statusCode": 200,
        "timestamp": "2026-04-30T10:00:00.000Z",
        "path": path,
        "data": {
            "results": results,
            "summary": { "total": total, "created": 0, "updated": total, "failed": 0 }
        }
    });
    let body = serde_json::to_vec(&envelope).expect("a Value serialises");
    json_response(StatusCode::OK, body)
}

/// The floor server on a multi-thread runtime of its own, with as many workers as the mock's
/// shared runtime has (recotap-mock's src/server.rs: available parallelism, clamped to 2..=4).
struct FloorServer {
    addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl FloorServer {
    fn start() -> FloorServer {
        let workers = thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("floor")
            .enable_all()
            .build()
            .expect("the floor's runtime starts");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("the floor binds");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        runtime.spawn(serve_bare(listener, floor_handler));
        FloorServer {
            addr,
            runtime: Some(runtime),
        }
    }

    fn target(&self) -> Target {
        Target::new(self.addr, "floor")
    }
}

impl Drop for FloorServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The mock under test
// ---------------------------------------------------------------------------------------------

/// A mock with default settings and the one custom field every body uses.
fn start_mock() -> MockRecotap {
    let mock = MockRecotap::start();
    seed_field(&mock);
    mock
}

fn seed_field(mock: &MockRecotap) {
    let field = mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    assert_eq!(field.key, FIELD_KEY, "the bench's bodies name this key");
}

/// Creates the steady mix's 100 accounts, so that every measured request is an update.
fn seed_steady(mock: &MockRecotap, body: &Bytes) {
    let target = Target::of(mock);
    let (status, reply) = send_blocking(&target, target.post(ACCOUNTS_PATH, body.clone()));
    expect_reply(status, &reply, "\"created\":100,");
}

fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kib| kib * 1024)
}

// ---------------------------------------------------------------------------------------------
// Section: start-up cycle
// ---------------------------------------------------------------------------------------------

/// Both cycles run on one current-thread runtime in the bench's main thread, as in a default
/// `#[tokio::test]`: the reference server is spawned on that runtime (what a test would do
/// with a hand-rolled hyper server), while the mock serves from its own background runtime.
fn startup(mode: Mode) -> Vec<Row> {
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
                    _ => bare_cycle(&body, floor_handler, "\"failed\":0}").await,
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
    vec![median, p95, against_floor, first]
}

fn ratio(figure: Duration, reference: Duration) -> f64 {
    figure.as_secs_f64() / reference.as_secs_f64().max(1e-9)
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
    let median = |phase: usize| {
        let times: Vec<Duration> = cycles.iter().map(|phases| phases[phase]).collect();
        quantile(&times, 0.5)
    };
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

// ---------------------------------------------------------------------------------------------
// Section: throughput
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Mix {
    Steady,
    Growth,
}

impl Mix {
    fn name(self) -> &'static str {
        match self {
            Mix::Steady => "steady",
            Mix::Growth => "growth",
        }
    }

    fn bodies(self) -> Bodies {
        match self {
            Mix::Steady => Bodies::Same(steady_body()),
            Mix::Growth => Bodies::Growth { family: "g" },
        }
    }
}

/// The steady-state sync: the same 100 domains every time, as updates.
fn steady_body() -> Bytes {
    accounts_body("s", 0, true)
}

fn throughput(mode: Mode) -> Vec<Row> {
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
            let server = FloorServer::start();
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

/// Where a run's CPU went: if the client's share is large, the figures say more about the
/// client than about the server (both servers share the machine with the same client).
fn cpu_note(report: &LoadReport, server_threads: &str) -> String {
    let wall = report.elapsed.as_secs_f64().max(1e-9);
    let server = report.cpu.of(server_threads);
    format!(
        "CPU per request: client {} + server {}; busy cores: client {:.2}, server {:.2}",
        fmt_duration(report.per_request(report.client_cpu)),
        fmt_duration(report.per_request(server)),
        report.client_cpu.as_secs_f64() / wall,
        server.as_secs_f64() / wall,
    )
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
        rate(2.0, ""),
        rate(3.5, " (stretch)"),
        latency("p50", mock.p50(), floor.p50()),
        latency("p99", mock.p99(), floor.p99()),
        cpu,
    ]
}

// ---------------------------------------------------------------------------------------------
// Section: scale
// ---------------------------------------------------------------------------------------------

const SCALE_FAMILY: &str = "c";

fn scale(mode: Mode) -> Vec<Row> {
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
        "\"hasNextPage\":true",
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
    let server = FloorServer::start();
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

// ---------------------------------------------------------------------------------------------
// Section: memory under sustained load
// ---------------------------------------------------------------------------------------------

fn memory(mode: Mode) -> Vec<Row> {
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
