//! The state one mock shares between its server, its admin API and its handle, and the
//! settings it was started with. Each lock is taken briefly and never across an `.await`.

use std::sync::atomic::AtomicBool;

use parking_lot::Mutex;

use crate::clock::Clock;
use crate::journal::Journal;
use crate::store::Store;

/// Default largest accepted request body (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Settings fixed when the mock starts.
#[derive(Clone, Debug)]
pub struct Settings {
    pub max_body_bytes: usize,
}

/// Everything a running mock holds.
#[derive(Debug)]
pub struct Shared {
    /// All business data. One lock for all teams: every request is one transaction, and the
    /// work inside it is a few map operations, so contention costs less than finer locks would.
    pub store: Mutex<Store>,
    /// Kept apart from `store` so that inspecting the journal never waits on a batch.
    pub journal: Mutex<Journal>,
    pub clock: Clock,
    /// What `reset` returns to.
    pub initial: Mutex<Store>,
    pub settings: Settings,
    /// Test hook: the next API request panics inside the router (to prove panics are caught).
    pub panic_next_request: AtomicBool,
    /// Messages of panics caught while serving, oldest first.
    pub panics: Mutex<Vec<String>>,
}

impl Shared {
    /// A mock holding `store`, which is also what `reset` returns to.
    pub fn new(store: Store, journal: Journal, clock: Clock, settings: Settings) -> Self {
        Shared {
            initial: Mutex::new(store.clone()),
            store: Mutex::new(store),
            journal: Mutex::new(journal),
            clock,
            settings,
            panic_next_request: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
        }
    }

    /// Back to the initial state; the journal is emptied.
    pub fn reset(&self) {
        let initial = self.initial.lock().clone();
        *self.store.lock() = initial;
        self.journal.lock().clear();
    }
}
