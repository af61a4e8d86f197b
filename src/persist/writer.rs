//! Writing the state file. Changes are queued as batches of rows (under the world's lock, so
//! in the order they were made), and whoever holds the database commits every batch queued in
//! one transaction (group commit). A request waits, off the lock, until its batch is committed:
//! an API request's lone change after a quiet spell is committed by the request itself, on its
//! own thread; under a stream of changes the writer's thread commits them in groups while the
//! runtime goes on serving. The handle's changes (nobody waits for them) and the admin API's
//! (whose request waits, and which may rewrite the whole store) are always the thread's.
//!
//! A lone change is not handed to the thread because the hand-over and the answer back cost two
//! cross-core wake-ups, more than SQLite's commit of one row (figures in `benches/README.md`).
//!
//! A failed commit is loud: it is logged, every request waiting on it (and every later one:
//! the file no longer holds what the mock acknowledged) is answered 500, and nothing more is
//! written.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};
use rusqlite::Connection;
use tokio::sync::Notify;

use super::{db, Committer};
use crate::store::{Rows, Store};
use crate::world::World;

/// How far the writer got: the last batch committed, when, and the failure that stopped it.
#[derive(Debug)]
struct Progress {
    committed: u64,
    at: std::time::Instant,
    failed: Option<String>,
}

/// How long after a commit a request still leaves its own batch to the writer's thread: under
/// a stream of changes the thread commits them in groups while the runtime goes on serving
/// (which serves more than committing on the requests' threads), and only a change after a
/// quiet spell is committed by its own request.
const QUIET: std::time::Duration = std::time::Duration::from_millis(1);

/// The database, held by whoever commits; `None` once the writer has finished. After a failed
/// commit (`Progress::failed`) nothing more is written.
struct Database {
    connection: Option<Connection>,
}

/// What the requests and the writer's thread share: the batches queued, the database, how far
/// commits got, and the wake-ups.
struct Queue {
    /// Batches captured and not yet taken by a commit, in change order.
    batches: Mutex<VecDeque<(u64, Rows)>>,
    database: Mutex<Database>,
    progress: Mutex<Progress>,
    /// Wakes requests waiting for a commit someone else is making.
    asynchronous: Notify,
    /// Wakes the writer's thread: work for it, or the end.
    thread_work: Mutex<ThreadWork>,
    thread_wake: Condvar,
    /// Test hook: the next commit fails as a full disk would make it.
    fail_next: AtomicBool,
    /// Test hook: how many commits requests made on their own threads.
    #[cfg(feature = "test-hooks")]
    inline_commits: AtomicU64,
}

/// What the writer's thread was woken for: batches to commit, and whether to end after them.
#[derive(Debug, Default)]
struct ThreadWork {
    pending: bool,
    stop: bool,
}

/// The request side of the state file's writer.
pub(crate) struct Writer {
    queue: Arc<Queue>,
    /// The last batch captured; only ever bumped under the world's lock.
    submitted: AtomicU64,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The database's path, to name it when a write failed.
    path: std::path::PathBuf,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("path", &self.path).finish()
    }
}

impl Writer {
    /// Writes what `store` noted so far (a fresh file: everything; a resumed one: the keys the
    /// configuration added) before the mock serves, then starts the writer's thread.
    ///
    /// # Errors
    /// The database's message if the first write fails.
    pub fn start(
        mut connection: Connection,
        store: &mut Store,
        path: std::path::PathBuf,
    ) -> Result<Writer, String> {
        db::commit(&mut connection, [store.drain_rows()]).map_err(|error| error.to_string())?;
        let queue = Arc::new(Queue {
            batches: Mutex::new(VecDeque::new()),
            database: Mutex::new(Database {
                connection: Some(connection),
            }),
            progress: Mutex::new(Progress {
                committed: 0,
                at: std::time::Instant::now(),
                failed: None,
            }),
            asynchronous: Notify::new(),
            thread_work: Mutex::new(ThreadWork::default()),
            thread_wake: Condvar::new(),
            fail_next: AtomicBool::new(false),
            #[cfg(feature = "test-hooks")]
            inline_commits: AtomicU64::new(0),
        });
        let shared = queue.clone();
        let thread = std::thread::Builder::new()
            .name("recotap-mock-state-file".to_string())
            .spawn(move || run(&shared))
            .map_err(|error| error.to_string())?;
        Ok(Writer {
            queue,
            submitted: AtomicU64::new(0),
            thread: Mutex::new(Some(thread)),
            path,
        })
    }

    /// Queues what the world's store changed since the last call, to be committed by
    /// `committer`. Called under the world's lock, right after the change, so batches are
    /// numbered and queued in change order. The batch's number, if anything changed.
    pub fn capture(&self, world: &mut World, committer: Committer) -> Option<u64> {
        let rows = world.store.drain_rows();
        if matches!(rows, Rows::None) {
            return None;
        }
        let sequence = self.submitted.fetch_add(1, Ordering::AcqRel) + 1;
        self.queue.batches.lock().push_back((sequence, rows));
        if committer == Committer::Thread {
            // `false` once the writer was told to end (the mock is stopping): the thread's last
            // commit may still take this batch; nothing else will, and nothing waits for it.
            // (No SQLite work here, under the world's lock.)
            let _ = self.queue.wake_thread(false);
        }
        Some(sequence)
    }

    /// Waits until batch `batch` is committed (with every batch before it), or, for `None`,
    /// everything captured so far. When the batch is the only one queued after a quiet spell
    /// ([`QUIET`]) and no commit is under way, commits it on the caller's thread (blocking it
    /// for SQLite's commit of that batch); otherwise hands it to the
    /// writer's thread and waits for that commit.
    ///
    /// # Errors
    /// Why it cannot be: a write failed, so the change must not be acknowledged.
    pub async fn durable(&self, batch: Option<u64>) -> Result<(), String> {
        let target = batch.unwrap_or_else(|| self.submitted.load(Ordering::Acquire));
        let mut handed_over = false;
        loop {
            if let Some(outcome) = self.queue.reached(target) {
                return outcome;
            }
            // Only an API request's own batch (`Some`), never the admin API's, which may be a
            // whole store (a reset, `PUT /_mock/state`): seconds of work at 1M accounts.
            if batch.is_some() && self.queue.only_waiting(target) && self.queue.try_commit() {
                continue;
            }
            // Otherwise the thread commits it (under load, in groups, while the runtime goes on
            // serving). Either way this happens in the poll that follows the capture, with no
            // await in between: a request dropped later still has its batch committed.
            if !handed_over {
                if !self.queue.wake_thread(false) {
                    // The thread has been told to end: what it did not take, no one will.
                    self.queue.commit_queued(&mut self.queue.database.lock());
                    continue;
                }
                handed_over = true;
            }
            let notified = self.queue.asynchronous.notified();
            tokio::pin!(notified);
            // Registered before the check, so a commit between the two is not missed.
            notified.as_mut().enable();
            if let Some(outcome) = self.queue.reached(target) {
                return outcome;
            }
            notified.await;
        }
    }

    /// Commits what is still queued, closes the database (SQLite then folds its write-ahead
    /// log into the file and removes it) and ends the thread. Idempotent. `Err` if any commit
    /// of the run failed.
    pub fn finish(&self) -> Result<(), String> {
        if let Some(thread) = self.thread.lock().take() {
            let _ = self.queue.wake_thread(true);
            if thread.join().is_err() {
                tracing::error!("the state-file writer panicked");
            }
        }
        // Any failed commit of the run: the mock answered it with an error, and the process
        // must not exit as if all was kept.
        match self.queue.progress.lock().failed.clone() {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    /// Test hook: the next commit fails (as a full disk would make it fail).
    #[cfg(feature = "test-hooks")]
    pub fn fail_next_commit(&self) {
        self.queue.fail_next.store(true, Ordering::Release);
    }

    /// Test hook: how many commits requests made on their own threads, not the writer's.
    #[cfg(feature = "test-hooks")]
    pub fn inline_commits(&self) -> u64 {
        self.queue.inline_commits.load(Ordering::Relaxed)
    }

    /// The database's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Queue {
    /// Whether batch `target` is committed, or why it never will be.
    fn reached(&self, target: u64) -> Option<Result<(), String>> {
        let progress = self.progress.lock();
        if progress.committed >= target {
            return Some(Ok(()));
        }
        progress.failed.clone().map(Err)
    }

    /// Whether the caller may as well commit batch `target` itself: it is the only one queued,
    /// and nothing was committed for a while ([`QUIET`]).
    fn only_waiting(&self, target: u64) -> bool {
        let alone = {
            let queue = self.batches.lock();
            queue.len() == 1
                && queue
                    .front()
                    .is_some_and(|(sequence, _)| *sequence == target)
        };
        alone && self.progress.lock().at.elapsed() >= QUIET
    }

    /// Commits every queued batch if no one else holds the database; `false` if someone does.
    fn try_commit(&self) -> bool {
        let Some(mut database) = self.database.try_lock() else {
            return false;
        };
        self.commit_queued(&mut database);
        #[cfg(feature = "test-hooks")]
        self.inline_commits.fetch_add(1, Ordering::Relaxed);
        true
    }

    /// Takes every queued batch and commits them in one transaction; says so to waiters.
    fn commit_queued(&self, database: &mut Database) {
        let batches: Vec<(u64, Rows)> = self.batches.lock().drain(..).collect();
        let Some(last) = batches.last().map(|(sequence, _)| *sequence) else {
            return;
        };
        if self.progress.lock().failed.is_some() {
            return;
        }
        let Some(connection) = database.connection.as_mut() else {
            self.publish(None, Some("the state-file writer has stopped".to_string()));
            return;
        };
        // Taken off the queue: if the commit panics, its batches must not be acknowledged by
        // a later commit's higher number, so the failure is published on the way out.
        let unwinding = Unfinished(self);
        let outcome = match self.fail_next.swap(false, Ordering::AcqRel) {
            true => Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                Some("database or disk is full (injected by a test)".to_string()),
            )),
            false => db::commit(connection, batches.into_iter().map(|(_, rows)| rows)),
        };
        std::mem::forget(unwinding);
        match outcome {
            Ok(()) => self.publish(Some(last), None),
            Err(error) => {
                tracing::error!(
                    %error,
                    "cannot write the state file: changes from now on are answered 500 \
                     and not persisted; restart the mock"
                );
                let failure = format!("the state file could not be written: {error}");
                self.publish(None, Some(failure));
            }
        }
    }

    /// Records progress and wakes every waiter.
    fn publish(&self, sequence: Option<u64>, failed: Option<String>) {
        let mut progress = self.progress.lock();
        if let Some(sequence) = sequence {
            progress.committed = sequence;
            progress.at = std::time::Instant::now();
        }
        if progress.failed.is_none() {
            progress.failed = failed;
        }
        drop(progress);
        self.asynchronous.notify_waiters();
    }

    /// Gives the thread work (`stop`: commit what is queued, close the database, end).
    /// `false` if it was already told to end, and so may not take this work.
    fn wake_thread(&self, stop: bool) -> bool {
        let mut work = self.thread_work.lock();
        if work.stop {
            return false;
        }
        work.pending = true;
        work.stop = stop;
        drop(work);
        self.thread_wake.notify_one();
        true
    }
}

/// Publishes a failure if dropped: armed around a commit, forgotten once it returns.
struct Unfinished<'a>(&'a Queue);

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        let failure = "the state file could not be written: a commit panicked".to_string();
        self.0.publish(None, Some(failure));
    }
}

/// The writer's thread: commits what is queued whenever it is woken; at the end, what is left,
/// then closes the database.
fn run(queue: &Queue) {
    loop {
        let stop = {
            let mut work = queue.thread_work.lock();
            queue
                .thread_wake
                .wait_while(&mut work, |work| !work.pending);
            work.pending = false;
            work.stop
        };
        let mut database = queue.database.lock();
        queue.commit_queued(&mut database);
        if stop {
            if let Some(connection) = database.connection.take() {
                if let Err((_, error)) = connection.close() {
                    tracing::error!(%error, "cannot close the state file");
                }
            }
            return;
        }
    }
}
