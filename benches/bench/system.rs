//! What the bench reads about its own process and the machine, all through the `procfs` crate:
//! resident memory, CPU time per thread, the load average and the CPU model.
//!
//! One crate covers every reader, so there is no second one for RSS alone (`memory-stats` would
//! do, but by default it sums `/proc/self/smaps`, which walks the page tables of a 1 GiB heap
//! while the server runs, and is not the `VmRSS` figure this bench has always reported).
//! CPU time comes from `schedstat` (nanoseconds) rather than `stat` (clock ticks, 10 ms here),
//! because a run's CPU per request is tens of microseconds.

use std::time::Duration;

use procfs::process::{Process, Schedstat};
use procfs::{CpuInfo, Current, FromRead, LoadAverage};

/// Resident memory of this process (`VmRSS`), in bytes; zero if it cannot be read.
pub fn rss_bytes() -> u64 {
    Process::myself()
        .and_then(|process| process.status())
        .ok()
        .and_then(|status| status.vmrss)
        .map_or(0, |kib| kib * 1024)
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu() -> Duration {
    Schedstat::from_file("/proc/thread-self/schedstat").map_or(Duration::ZERO, |stat| {
        Duration::from_nanos(stat.sum_exec_runtime)
    })
}

/// CPU time used so far by this process's threads, by thread name (the mock's runtime threads
/// are `recotap-mock`, the floor's `floor`). Threads that exited are not counted (so the client
/// measures its own thread, in [`crate::load::spawn_load`]).
#[derive(Default)]
pub struct CpuByThread(Vec<(String, Duration)>);

impl CpuByThread {
    pub fn now() -> CpuByThread {
        let Ok(tasks) = Process::myself().and_then(|process| process.tasks()) else {
            return CpuByThread::default();
        };
        let threads = tasks
            .flatten()
            // A thread that exits while it is read is left out.
            .filter_map(|task| {
                let name = task.stat().ok()?.comm;
                let cpu = task.schedstat().ok()?.sum_exec_runtime;
                Some((name, Duration::from_nanos(cpu)))
            })
            .collect();
        CpuByThread(threads)
    }

    /// Per name, the CPU used since `earlier` (threads started since count in full).
    pub fn since(&self, earlier: &CpuByThread) -> CpuByThread {
        let mut names: Vec<&String> = self.0.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        let used = names
            .into_iter()
            .map(|n| (n.clone(), self.of(n).saturating_sub(earlier.of(n))))
            .collect();
        CpuByThread(used)
    }

    /// The CPU of every thread called `name`, together.
    pub fn of(&self, name: &str) -> Duration {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, d)| *d)
            .sum()
    }
}

/// The 1, 5 and 15 minute load averages, as `/proc/loadavg` shows them.
pub fn load_average() -> String {
    LoadAverage::current().map_or_else(
        |_| "unknown".to_string(),
        |load| format!("{:.2} {:.2} {:.2}", load.one, load.five, load.fifteen),
    )
}

/// The first CPU's model name.
pub fn cpu_model() -> String {
    CpuInfo::current()
        .ok()
        .and_then(|info| info.model_name(0).map(str::to_string))
        .unwrap_or_else(|| "unknown".to_string())
}
