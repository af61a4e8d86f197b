//! The load generator: `POST`s from `CONNECTIONS` keep-alive connections driven by a
//! current-thread runtime on a thread of its own, each reply checked, latencies in an HDR
//! histogram; what a run saw ([`LoadReport`]) and where its CPU went.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use tokio::task::JoinSet;

use crate::harness::{
    accounts_body, check_reply, current_thread_runtime, open, send, Target, ACCOUNTS_PATH,
    CONNECTIONS,
};
use crate::report::fmt_duration;
use crate::system::{thread_cpu, CpuByThread};

/// Latencies in nanoseconds, 1 ns to an hour, to 2 significant digits (within 1%). The bounds
/// are fixed, so the counts take a fixed ~35 KB per connection however long the run: the memory
/// section measures the mock, not the log.
fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 2).expect("the bounds are valid")
}

fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    histogram.saturating_record(u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX));
}

/// The `q` quantile of a histogram (the highest value its bucket holds), or zero when empty.
fn quantile(histogram: &Histogram<u64>, q: f64) -> Duration {
    Duration::from_nanos(histogram.value_at_quantile(q))
}

#[derive(Clone, Copy)]
pub enum Mix {
    Steady,
    Growth,
}

impl Mix {
    pub fn name(self) -> &'static str {
        match self {
            Mix::Steady => "steady",
            Mix::Growth => "growth",
        }
    }

    pub fn bodies(self) -> Bodies {
        match self {
            Mix::Steady => Bodies::Same(steady_body()),
            Mix::Growth => Bodies::Growth { family: "g" },
        }
    }
}

/// The steady-state sync: the same 100 domains every time, as updates.
pub fn steady_body() -> Bytes {
    accounts_body("s", 0, true)
}

/// What each request carries.
#[derive(Clone)]
pub enum Bodies {
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
pub struct Plan {
    pub bodies: Bodies,
    pub warmup: Duration,
    pub measure: Duration,
    pub max_requests: u64,
    pub expect: &'static str,
    /// The one core the load generator runs on, if pinned.
    pub core: Option<usize>,
}

impl Plan {
    pub fn timed(bodies: Bodies, warmup: Duration, measure: Duration) -> Plan {
        Plan {
            bodies,
            warmup,
            measure,
            max_requests: u64::MAX,
            expect: "\"failed\":0",
            core: None,
        }
    }

    /// The same plan with the load generator pinned to `core`.
    pub fn on_core(self, core: usize) -> Plan {
        Plan {
            core: Some(core),
            ..self
        }
    }
}

/// What one connection saw.
struct ConnectionStats {
    histogram: Histogram<u64>,
    in_window: u64,
    completed: u64,
    last_done: Option<Instant>,
    errors: u64,
    first_error: Option<String>,
}

impl ConnectionStats {
    fn new() -> ConnectionStats {
        ConnectionStats {
            histogram: latency_histogram(),
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
pub struct LoadReport {
    histogram: Histogram<u64>,
    in_window: u64,
    window: Duration,
    pub completed: u64,
    /// From the start to the last reply.
    pub elapsed: Duration,
    errors: u64,
    first_error: Option<String>,
    /// CPU used during the run, by thread name (filled in by [`run_load`]).
    pub cpu: CpuByThread,
    /// CPU used by the load generator's thread.
    client_cpu: Duration,
}

impl LoadReport {
    /// CPU per completed request of `cpu`.
    pub fn per_request(&self, cpu: Duration) -> Duration {
        cpu / u32::try_from(self.completed.max(1)).unwrap_or(u32::MAX)
    }

    pub fn rate(&self) -> f64 {
        self.in_window as f64 / self.window.as_secs_f64()
    }

    pub fn p50(&self) -> Duration {
        quantile(&self.histogram, 0.50)
    }

    pub fn p99(&self) -> Duration {
        quantile(&self.histogram, 0.99)
    }

    /// Panics (failing the bench) if any request failed: a figure from failing requests lies.
    pub fn assert_clean(&self, what: &str) {
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
pub fn spawn_load(target: Target, plan: Plan) -> thread::JoinHandle<LoadReport> {
    thread::Builder::new()
        .name("load-generator".to_string())
        .spawn(move || {
            if let Some(core) = plan.core {
                crate::cores::pin_current_thread(core);
            }
            let before = thread_cpu();
            let mut report = current_thread_runtime().block_on(drive_all(target, plan));
            report.client_cpu = thread_cpu().saturating_sub(before);
            report
        })
        .expect("the load generator thread starts")
}

pub fn run_load(target: Target, plan: Plan) -> LoadReport {
    let before = CpuByThread::now();
    let mut report = spawn_load(target, plan)
        .join()
        .expect("the load generator does not panic");
    report.cpu = CpuByThread::now().since(&before);
    report
}

/// CPU time used so far by the calling thread.
async fn drive_all(target: Target, plan: Plan) -> LoadReport {
    let plan = Arc::new(plan);
    let tickets = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut connections = JoinSet::new();
    for _ in 0..CONNECTIONS {
        connections.spawn(drive(target.clone(), plan.clone(), tickets.clone(), start));
    }
    let mut report = LoadReport {
        histogram: latency_histogram(),
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
        report
            .histogram
            .add(&stats.histogram)
            .expect("histograms of the same bounds add up");
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
            record(&mut stats.histogram, done - sent);
        }
    }
    stats
}

/// Where a run's CPU went: if the client's share is large, the figures say more about the
/// client than about the server (both servers share the machine with the same client).
pub fn cpu_note(report: &LoadReport, server_threads: &str) -> String {
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
