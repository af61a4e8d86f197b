//! The state one mock shares between its server, its admin API and its handle, and the
//! settings it was started with. Each lock is taken briefly and never across an `.await`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use crate::clock::Clock;
use crate::faults::FaultTable;
use crate::journal::Journal;
use crate::rate_limit::RateLimiter;
use crate::state::{StateDocument, StateError};
use crate::store::Store;

/// Default largest accepted request body (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Default time a client has to send a request head (and the longest an idle keep-alive
/// connection is kept): Node's keep-alive timeout, as the vendor's framework runs on Node.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Settings fixed when the mock starts.
#[derive(Clone, Debug)]
pub struct Settings {
    pub max_body_bytes: usize,
    /// Requests per second per API key; `None` = no limit.
    pub rate_limit: Option<u32>,
    /// When set, the admin API requires `Authorization: Bearer <token>`.
    pub admin_token: Option<String>,
    /// How long a connection may take to send a request head, or stay silent between
    /// requests, before it is closed (so slow or idle clients cannot hold the server).
    pub header_read_timeout: Duration,
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
    /// Its own lock so that deciding a fault never waits on a batch in the store.
    pub faults: Mutex<FaultTable>,
    pub limiter: Mutex<RateLimiter>,
    /// What `reset` returns to.
    pub initial: Mutex<Store>,
    pub settings: Settings,
    /// Test hook: the next API request panics inside the router (to prove panics are caught).
    pub panic_next_request: AtomicBool,
    /// Messages of panics caught while serving, oldest first.
    pub panics: Mutex<Vec<String>>,
    /// Bumped after anything that may have changed the store, so that a state-file writer
    /// knows when to write without comparing whole snapshots.
    pub revision: AtomicU64,
}

impl Shared {
    /// A mock holding `store`, which is also what `reset` returns to.
    pub fn new(store: Store, journal: Journal, clock: Clock, settings: Settings) -> Self {
        Shared::resuming(store.clone(), store, journal, clock, settings)
    }

    /// A mock holding `current`, whose `reset` returns to `initial`.
    pub fn resuming(
        current: Store,
        initial: Store,
        journal: Journal,
        clock: Clock,
        settings: Settings,
    ) -> Self {
        Shared {
            initial: Mutex::new(initial),
            store: Mutex::new(current),
            journal: Mutex::new(journal),
            clock,
            faults: Mutex::new(FaultTable::default()),
            limiter: Mutex::new(RateLimiter::default()),
            settings,
            panic_next_request: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
            revision: AtomicU64::new(0),
        }
    }

    /// Notes that the store may have changed.
    pub fn touch(&self) {
        self.revision.fetch_add(1, Ordering::AcqRel);
    }

    /// Replaces the whole store with `document`; on error nothing changes.
    pub fn replace_state(&self, document: &StateDocument) -> Result<(), StateError> {
        // Built outside the lock: a large document takes a while, and requests must not wait
        // on it. Ids the old store issues meanwhile vanish with it, so its generator may go on.
        let ids = self.store.lock().id_generator();
        let replacement = Store::from_document(document, ids, self.clock.now())?;
        *self.store.lock() = replacement;
        self.touch();
        Ok(())
    }

    /// Back to the initial state; the journal is emptied, faults are removed and every
    /// rate-limit bucket is full again.
    pub fn reset(&self) {
        let initial = self.initial.lock().clone();
        *self.store.lock() = initial;
        self.touch();
        self.journal.lock().clear();
        self.faults.lock().clear();
        self.limiter.lock().clear();
    }
}
