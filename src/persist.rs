//! The state file (`--state-file`, `MockRecotapBuilder::state_file`): loaded at start if it
//! exists, written atomically (temporary file, then rename) at most once a second after a
//! change, and once more when the mock stops. A crash loses at most the last second.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::shared::Shared;
use crate::state::{parse_document, StateDocument, StateError};

/// How often the writer looks for changes.
const POLL: Duration = Duration::from_millis(100);
/// At most one write per this interval.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// Reads a state document from `path`; `Ok(None)` if there is no such file.
pub fn load(path: &Path) -> Result<Option<StateDocument>, StateError> {
    match std::fs::read(path) {
        Ok(bytes) => parse_document(&bytes)
            .map(Some)
            .map_err(|error| StateError::InFile {
                path: path.to_path_buf(),
                error: Box::new(error),
            }),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(StateError::Unreadable {
            path: path.to_path_buf(),
            problem: error.to_string(),
        }),
    }
}

/// Writes the mock's whole state to `path` atomically: readers see the old file or the new one.
pub fn write(shared: &Shared, path: &Path) -> std::io::Result<()> {
    // One write at a time in the process: the background writer and the final write on stop
    // must not share a temporary file, and the later write must hold the later state.
    static WRITING: parking_lot::Mutex<()> = parking_lot::Mutex::new(());
    let _writing = WRITING.lock();
    let document = shared.world().store.to_document();
    let bytes = serde_json::to_vec_pretty(&document).map_err(std::io::Error::other)?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)
}

/// Writes whenever the state changed and a second has passed since the last write, until
/// `stop` fires (the final write is the stopper's job, so it happens before the handle returns).
pub async fn writer(shared: Arc<Shared>, path: PathBuf, mut stop: watch::Receiver<()>) {
    let mut written = shared.revision.load(Ordering::Acquire);
    let mut last_write = Instant::now() - MIN_INTERVAL;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = stop.changed() => return,
        }
        let revision = shared.revision.load(Ordering::Acquire);
        if revision == written || last_write.elapsed() < MIN_INTERVAL {
            continue;
        }
        // Off the async workers: a large state takes a while to serialise and write.
        let (task_shared, task_path) = (shared.clone(), path.clone());
        let outcome = tokio::task::spawn_blocking(move || write(&task_shared, &task_path)).await;
        match outcome {
            Ok(Ok(())) => written = revision,
            Ok(Err(error)) => {
                tracing::error!(%error, path = %path.display(), "cannot write the state file")
            }
            Err(error) => tracing::error!(%error, "the state-file writer failed"),
        }
        last_write = Instant::now();
    }
}
