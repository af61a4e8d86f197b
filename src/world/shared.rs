//! What one mock shares between its server, its admin API and its handle: its world
//! ([`World`], one lock, taken briefly and never across an `.await`) and its settings.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};

use crate::data::document::{StateDocument, StateError};
use crate::fidelity::clock::Clock;
use crate::persist::{self, Committer};
use crate::store::Store;
use crate::world::traffic::Traffic;
use crate::world::World;

/// Default largest accepted request body (1 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// Default largest body the admin API accepts (1 GiB): a state document of a million
/// accounts is a few hundred MiB, and `GET /_mock/state` must be able to go back with `PUT`.
pub const DEFAULT_ADMIN_MAX_BODY_BYTES: usize = 1024 * 1024 * 1024;

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
    /// Answer CORS preflights and let any origin read answers (`--cors`).
    pub cors: bool,
    /// With CORS on, the origins answered by name with credentials allowed (`--cors-origin`);
    /// empty: every origin, as `*`.
    pub cors_origins: Vec<String>,
    /// The largest body the admin API accepts.
    pub admin_max_body_bytes: usize,
}

impl Default for Settings {
    /// The defaults of a mock started with no options.
    fn default() -> Self {
        Settings {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            rate_limit: None,
            admin_token: None,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            cors: false,
            cors_origins: Vec::new(),
            admin_max_body_bytes: DEFAULT_ADMIN_MAX_BODY_BYTES,
        }
    }
}

/// Everything a running mock holds: its world (the [`World`], behind one lock), what
/// `reset` returns to, and the settings it was started with.
#[derive(Debug)]
pub struct Shared {
    /// The store, faults, limiter, clock and journal. One lock for all of it and for all
    /// teams: every request is one transaction of a few map operations, so contention costs
    /// less than finer locks would, and a reset can never be seen half done.
    pub world: Mutex<World>,
    /// What `reset` returns to. Never changes after start, so it needs no lock; a reset clones
    /// it before taking the world's lock, so a large seed does not stall requests.
    pub initial: Store,
    pub settings: Settings,
    /// Test hook: the next API request panics inside the router (to prove panics are caught).
    pub panic_next_request: AtomicBool,
    /// Messages of panics caught while serving, oldest first.
    pub panics: Mutex<Vec<String>>,
    /// The state file's writer (`--state-file`), which every change is handed to.
    pub(crate) state_file: Option<persist::Writer>,
}

impl Shared {
    /// A mock holding `store`, which is also what `reset` returns to.
    #[cfg(feature = "test-hooks")]
    pub fn new(store: Store, traffic: Traffic, clock: Clock, settings: Settings) -> Self {
        Shared::resuming(store.clone(), store, traffic, clock, settings)
    }

    /// A mock holding `current`, whose `reset` returns to `initial`.
    pub fn resuming(
        current: Store,
        initial: Store,
        traffic: Traffic,
        clock: Clock,
        settings: Settings,
    ) -> Self {
        Shared {
            world: Mutex::new(World::new(current, clock, traffic)),
            initial,
            settings,
            panic_next_request: AtomicBool::new(false),
            panics: Mutex::new(Vec::new()),
            state_file: None,
        }
    }

    /// The same mock, writing its changes with `writer`.
    pub(crate) fn with_state_file(self, writer: Option<persist::Writer>) -> Self {
        Shared {
            state_file: writer,
            ..self
        }
    }

    /// The world, locked. Never held across an `.await`.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock()
    }

    /// Hands what `world`'s store changed to the state file's writer, if there is one, for
    /// the caller to commit: it must then wait with [`Shared::durable`]. Called under the lock
    /// of the change, so that changes reach the writer in the order made. The batch's number,
    /// if anything changed.
    pub(crate) fn capture(&self, world: &mut World) -> Option<u64> {
        self.capture_for(world, Committer::Caller)
    }

    fn capture_for(&self, world: &mut World, committer: Committer) -> Option<u64> {
        self.state_file
            .as_ref()
            .and_then(|writer| writer.capture(world, committer))
    }

    /// Hands what changed since the last capture to the state file's writer (for callers that
    /// took the lock several times, like the admin API), whose thread commits it.
    pub fn touch(&self) {
        if self.state_file.is_some() {
            self.capture_for(&mut self.world(), Committer::Thread);
        }
    }

    /// Waits, off the lock, until state-file batch `batch` (`None`: every change captured so
    /// far) is in the state file.
    ///
    /// # Errors
    /// A write failed: the change must not be acknowledged.
    pub(crate) async fn durable(&self, batch: Option<u64>) -> Result<(), String> {
        match &self.state_file {
            Some(writer) => writer.durable(batch).await,
            None => Ok(()),
        }
    }

    /// Runs one change on the world and hands it to the state file's writer. (It does not
    /// wait for the commit: the admin API calls this on the runtime, and its answer waits in
    /// the server like any other; the handle's changes are durable once the mock stops.)
    pub fn change<R>(&self, change: impl FnOnce(&mut World) -> R) -> R {
        let mut world = self.world();
        let result = change(&mut world);
        self.capture_for(&mut world, Committer::Thread);
        result
    }

    /// Replaces the whole store with `document`; on error nothing changes.
    pub fn restore_document(&self, document: &StateDocument) -> Result<(), StateError> {
        // Built outside the lock: a large document takes a while, and requests must not wait
        // on it. Ids the old store issues meanwhile vanish with it, so its generator may go on.
        let (ids, now) = {
            let world = self.world();
            (world.store.id_generator(), world.now())
        };
        let replacement = Store::from_document(document, ids, now)?;
        self.change(|world| world.replace_store(replacement));
        Ok(())
    }

    /// Back to the initial state, atomically (see [`World::reset_to`]).
    pub fn reset(&self) {
        let initial = self.initial.clone();
        self.change(|world| world.reset_to(initial));
    }
}
