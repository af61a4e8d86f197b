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

/// Two distinct cores, one for a server and one for its client, if this process may use two.
pub fn server_and_client() -> Option<(usize, usize)> {
    match allowed()[..] {
        [server, client, ..] => Some((server, client)),
        _ => None,
    }
}

/// Restricts the calling thread to `cores`. Panics if the kernel refuses (a bench run on
/// cores it was not given would measure something else).
fn restrict(cores: &[usize]) {
    assert!(
        restrict_thread(0, cores),
        "cannot pin this thread to cores {cores:?}"
    );
}

/// Restricts thread `tid` (0: the calling thread) to `cores`; `false` if the kernel refused
/// (say, the thread has just ended).
fn restrict_thread(tid: libc::pid_t, cores: &[usize]) -> bool {
    // SAFETY: as in `allowed`.
    let mut set: libc::cpu_set_t = unsafe { zeroed() };
    for &cpu in cores {
        // SAFETY: the cores come from `allowed`, so each is below `CPU_SETSIZE`.
        unsafe { libc::CPU_SET(cpu, &mut set) };
    }
    // SAFETY: `tid` is a thread id (0: the calling thread); the pointer and size describe `set`.
    unsafe { libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), &set) == 0 }
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

/// Pins every thread called `name` (a server's runtime, which has served a request, so its
/// threads are running and named) to `core`. Panics if there is none or the kernel refuses:
/// the server would run unpinned and the figure would say otherwise.
pub fn pin_threads(name: &'static str, core: usize) -> Pinned {
    let threads = threads_named(name);
    assert!(!threads.is_empty(), "no thread called {name} to pin");
    for tid in threads {
        assert!(restrict_thread(tid, &[core]), "cannot pin thread {tid}");
    }
    Pinned {
        name,
        every: allowed(),
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        for tid in threads_named(self.name) {
            // A thread that ended meanwhile needs nothing.
            let _ = restrict_thread(tid, &self.every);
        }
    }
}
