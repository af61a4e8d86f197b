//! The one thread that writes the state file. Requests hand it their rows (drained under the
//! world's lock, so batches arrive in the order the changes were made) and wait, off the lock,
//! until their batch is committed. Every batch waiting when the thread comes round is committed
//! in one transaction (group commit): under load one commit serves many requests.
//!
//! A failed commit is loud: it is logged, every request waiting on it (and every later one:
//! the file no longer holds what the mock acknowledged) is answered 500, and nothing more is
//! written.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use parking_lot::Mutex;
use rusqlite::Connection;
use tokio::sync::Notify;

use super::db;
use crate::store::{Rows, Store};
use crate::world::World;

/// What the writer thread is handed.
enum Job {
    Batch { sequence: u64, rows: Rows },
    Stop,
}

/// How far the writer got: the last batch committed, and the failure that stopped it.
#[derive(Debug, Default)]
struct Progress {
    committed: u64,
    failed: Option<String>,
}

/// What the request side and the writer thread share.
#[derive(Debug, Default)]
struct Committed {
    progress: Mutex<Progress>,
    /// Test hook: the next commit fails as a full disk would make it.
    fail_next: std::sync::atomic::AtomicBool,
    /// Wakes requests waiting on the async runtime.
    asynchronous: Notify,
}

/// The request side of the state file's writer.
#[derive(Debug)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    /// The last batch handed over; only ever bumped under the world's lock.
    submitted: AtomicU64,
    committed: Arc<Committed>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The database's path, to name it when a write failed.
    path: std::path::PathBuf,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job")
    }
}

impl Writer {
    /// Writes what `store` noted so far (a fresh file: everything; a resumed one: the keys the
    /// configuration added) before the mock serves, then starts the writer thread.
    ///
    /// # Errors
    /// The database's message if the first write fails.
    pub fn start(
        mut connection: Connection,
        store: &mut Store,
        path: std::path::PathBuf,
    ) -> Result<Writer, String> {
        db::commit(&mut connection, [store.drain_rows()]).map_err(|error| error.to_string())?;
        let (jobs, queue) = mpsc::channel();
        let committed = Arc::new(Committed::default());
        let shared = committed.clone();
        let thread = std::thread::Builder::new()
            .name("recotap-mock-state-file".to_string())
            .spawn(move || run(connection, queue, &shared))
            .map_err(|error| error.to_string())?;
        Ok(Writer {
            jobs,
            submitted: AtomicU64::new(0),
            committed,
            thread: Mutex::new(Some(thread)),
            path,
        })
    }

    /// Hands what the world's store changed since the last call to the writer. Called under
    /// the world's lock, right after the change, so batches are numbered in change order.
    /// The batch's number, if anything changed.
    pub fn capture(&self, world: &mut World) -> Option<u64> {
        let rows = world.store.drain_rows();
        if matches!(rows, Rows::None) {
            return None;
        }
        let sequence = self.submitted.fetch_add(1, Ordering::AcqRel) + 1;
        if self.jobs.send(Job::Batch { sequence, rows }).is_err() {
            self.fail("the state-file writer has stopped".to_string());
        }
        Some(sequence)
    }

    /// Waits until batch `batch` is committed (with every batch before it), or, for `None`,
    /// everything handed over so far.
    ///
    /// # Errors
    /// Why it cannot be: a write failed, so the change must not be acknowledged.
    pub async fn durable(&self, batch: Option<u64>) -> Result<(), String> {
        let target = batch.unwrap_or_else(|| self.submitted.load(Ordering::Acquire));
        loop {
            let notified = self.committed.asynchronous.notified();
            tokio::pin!(notified);
            // Registered before the check, so a commit between the two is not missed.
            notified.as_mut().enable();
            if let Some(outcome) = self.reached(target) {
                return outcome;
            }
            notified.await;
        }
    }

    fn reached(&self, target: u64) -> Option<Result<(), String>> {
        let progress = self.committed.progress.lock();
        if progress.committed >= target {
            return Some(Ok(()));
        }
        progress.failed.clone().map(Err)
    }

    fn fail(&self, failure: String) {
        publish(&self.committed, None, Some(failure));
    }

    /// Writes what is still queued, closes the database (SQLite then folds its write-ahead log
    /// into the file and removes it) and ends the thread. Idempotent. `Err` if any commit of
    /// the run failed.
    pub fn finish(&self) -> Result<(), String> {
        if let Some(thread) = self.thread.lock().take() {
            let _ = self.jobs.send(Job::Stop);
            if thread.join().is_err() {
                tracing::error!("the state-file writer panicked");
            }
        }
        // Any failed commit of the run: the mock answered it with an error, and the process
        // must not exit as if all was kept.
        match self.committed.progress.lock().failed.clone() {
            Some(failure) => Err(failure),
            None => Ok(()),
        }
    }

    /// Test hook: the next commit fails (as a full disk would make it fail).
    #[cfg(feature = "test-hooks")]
    pub fn fail_next_commit(&self) {
        self.committed.fail_next.store(true, Ordering::Release);
    }

    /// The database's path.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }
}

/// Records progress and wakes every waiter.
fn publish(committed: &Committed, sequence: Option<u64>, failed: Option<String>) {
    let mut progress = committed.progress.lock();
    if let Some(sequence) = sequence {
        progress.committed = sequence;
    }
    if progress.failed.is_none() {
        progress.failed = failed;
    }
    drop(progress);
    committed.asynchronous.notify_waiters();
}

/// The writer thread: takes every batch waiting, commits them in one transaction, says so.
fn run(mut connection: Connection, queue: mpsc::Receiver<Job>, committed: &Committed) {
    let mut broken = false;
    while let Ok(first) = queue.recv() {
        let mut stop = false;
        let mut last = None;
        let mut batches = Vec::new();
        for job in std::iter::once(first).chain(std::iter::from_fn(|| queue.try_recv().ok())) {
            match job {
                Job::Batch { sequence, rows } => {
                    last = Some(sequence);
                    batches.push(rows);
                }
                Job::Stop => stop = true,
            }
        }
        if !broken && last.is_some() {
            let outcome = match committed.fail_next.swap(false, Ordering::AcqRel) {
                true => Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                    Some("database or disk is full (injected by a test)".to_string()),
                )),
                false => db::commit(&mut connection, batches),
            };
            match outcome {
                Ok(()) => publish(committed, last, None),
                Err(error) => {
                    broken = true;
                    tracing::error!(
                        %error,
                        "cannot write the state file: changes from now on are answered 500 \
                         and not persisted; restart the mock"
                    );
                    let failure = format!("the state file could not be written: {error}");
                    publish(committed, None, Some(failure));
                }
            }
        }
        if stop {
            break;
        }
    }
    if let Err((_, error)) = connection.close() {
        tracing::error!(%error, "cannot close the state file");
    }
}
