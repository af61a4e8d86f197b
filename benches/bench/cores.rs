//! Pinning threads to cores, for the side-by-side runs that measure a server on one core with
//! the load generator on another (how the throughput goals were first measured): the server
//! cannot borrow the client's core, and a lock it holds costs it nothing against a rival that
//! would otherwise run in parallel.
//!
//! A server is started from a thread pinned to its core ([`on_core`]), since a new thread
//! inherits its creator's mask (a thread names itself only once running, so finding fresh
//! threads by name races), and its threads are then pinned by name (`/proc/self/task/*/comm`,
//! [`pin_threads`]), since the mock's runtime is one per process and may have been started by
//! an earlier mock.

use std::mem::{size_of, zeroed};

/// The cores this process may run on, in order.
fn allowed() -> Vec<usize> {
    // SAFETY: `cpu_set_t` is plain bits; all-zero is the empty set.
    let mut set: libc::cpu_set_t = unsafe { zeroed() };
    // SAFETY: pid 0 is the calling thread; the pointer and size describe `set`.
    let read = unsafe { libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) };
    if read != 0 {
        return Vec::new();
    }
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: `cpu` is below `CPU_SETSIZE`.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect()
}

/// Two distinct cores for a server and its client, if this process may use two.
pub fn two() -> Option<(usize, usize)> {
    match allowed()[..] {
        [server, client, ..] => Some((server, client)),
        _ => None,
    }
}

/// Restricts the calling thread to `cores`. Panics if the kernel refuses (a bench run on
/// cores it was not given would measure something else).
fn restrict(cores: &[usize]) {
    restrict_thread(0, cores);
}

/// Restricts thread `tid` (0: the calling thread) to `cores`.
fn restrict_thread(tid: libc::pid_t, cores: &[usize]) {
    // SAFETY: as in `allowed`.
    let mut set: libc::cpu_set_t = unsafe { zeroed() };
    for &cpu in cores {
        // SAFETY: the cores come from `allowed`, so each is below `CPU_SETSIZE`.
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    // SAFETY: pid 0 is the calling thread; the pointer and size describe `set`.
    let done = unsafe { libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), &set) };
    assert_eq!(done, 0, "cannot pin thread {tid} to cores {cores:?}");
}

/// Pins the calling thread to `core` for the rest of its life.
pub fn pin_current_thread(core: usize) {
    restrict(&[core]);
}

/// Runs `start` with the calling thread on `core` only, then gives it back the cores it had:
/// the threads `start` creates stay on `core`.
pub fn on_core<T>(core: usize, start: impl FnOnce() -> T) -> T {
    let before = allowed();
    restrict(&[core]);
    let started = start();
    restrict(&before);
    started
}

/// The ids of this process's threads called `name`.
fn threads_named(name: &str) -> Vec<libc::pid_t> {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|comm| comm.trim_end() == name)
        })
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect()
}

/// Every thread called `name` kept on `core` until the guard is dropped; then they may run on
/// every core this process may use.
pub struct Pinned {
    name: &'static str,
    every: Vec<usize>,
}

/// Pins every thread called `name` (a server's runtime) to `core`. Panics if there is none:
/// the server would run unpinned and the figure would say otherwise.
pub fn pin_threads(name: &'static str, core: usize) -> Pinned {
    let threads = threads_named(name);
    assert!(!threads.is_empty(), "no thread called {name} to pin");
    for tid in threads {
        restrict_thread(tid, &[core]);
    }
    Pinned {
        name,
        every: allowed(),
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        for tid in threads_named(self.name) {
            restrict_thread(tid, &self.every);
        }
    }
}
