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

/// Checks at start that the state file can be written where it is to go: its directory exists,
/// is a directory, and takes a new file (a temporary one, removed at once). Otherwise the
/// mock would run and fail every write, and a test would find out only at the end.
pub fn check_writable(path: &Path) -> Result<(), StateError> {
    let dir = directory_of(path);
    let unwritable = |problem: String| StateError::Unwritable {
        path: path.to_path_buf(),
        problem,
    };
    match std::fs::metadata(dir) {
        Err(error) => {
            return Err(unwritable(format!(
                "its directory {} cannot be used: {error}",
                dir.display()
            )))
        }
        Ok(meta) if !meta.is_dir() => {
            return Err(unwritable(format!("{} is not a directory", dir.display())))
        }
        Ok(_) => {}
    }
    if path.is_dir() {
        return Err(unwritable("it is a directory".to_string()));
    }
    tempfile::Builder::new()
        .prefix(".recotap-mock-check")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|error| {
            unwritable(format!(
                "no file can be written in {}: {error}",
                dir.display()
            ))
        })
}

/// Writes the mock's whole state to `path` atomically: readers see the old file or the new one.
/// The new file is written to a temporary file of its own in the same directory, flushed to
/// disk, renamed over `path`, and (on Unix) the directory is flushed so the rename survives a
/// crash. A failed write removes its temporary file.
pub fn write(shared: &Shared, path: &Path) -> std::io::Result<()> {
    // One write at a time in the process: the later write must hold the later state (the
    // background writer and the final write on stop could otherwise finish out of order).
    static WRITING: parking_lot::Mutex<()> = parking_lot::Mutex::new(());
    let _writing = WRITING.lock();
    let document = shared.world().store.to_document();
    let bytes = serde_json::to_vec_pretty(&document).map_err(std::io::Error::other)?;
    let dir = directory_of(path);
    let mut prefix = path.file_name().unwrap_or_default().to_owned();
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    mode_of_file_create(&mut builder);
    let mut temporary = builder.tempfile_in(dir)?;
    temporary.write_all(&bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|error| error.error)?;
    sync_directory(dir)
}

/// Gives the file the mode `File::create` would (0o666 less the umask), not tempfile's
/// owner-only 0o600: the state file stays as readable as it always was.
#[cfg(unix)]
fn mode_of_file_create(builder: &mut tempfile::Builder) {
    use std::os::unix::fs::PermissionsExt;
    builder.permissions(std::fs::Permissions::from_mode(0o666));
}

/// No mode bits on other systems: tempfile's file is already what `File::create` gives.
#[cfg(not(unix))]
fn mode_of_file_create(_: &mut tempfile::Builder) {}

/// A rename is durable only once the directory entry is on disk too.
#[cfg(unix)]
fn sync_directory(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

/// Windows cannot open a directory as a file to flush it.
#[cfg(not(unix))]
fn sync_directory(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The directory `path` is in: a bare file name's is the current directory.
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::journal::Journal;
    use crate::model::IdGenerator;
    use crate::shared::Settings;
    use crate::store::{Store, DEFAULT_TEAM};

    fn shared() -> Shared {
        let mut store = Store::new(IdGenerator::seeded(7));
        store.add_key("key-0", DEFAULT_TEAM, None);
        let settings = Settings::default();
        Shared::new(store, Journal::new(16, 1024), Clock::default(), settings)
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn concurrent_writes_to_one_path_leave_one_valid_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let shared = shared();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            // A reader sees the old file or the new one, never a partial one.
            let reader = scope.spawn(|| {
                let mut seen = 0;
                while !done.load(Ordering::Acquire) {
                    if let Some(document) = load(&path).unwrap() {
                        assert!(!document.teams[0].api_keys.is_empty());
                        seen += 1;
                    }
                }
                seen
            });
            let writers: Vec<_> = (0..2)
                .map(|writer| {
                    let (shared, path) = (&shared, &path);
                    scope.spawn(move || {
                        for i in 0..50 {
                            shared.change(|world| {
                                world.store.add_key(
                                    &format!("key-{writer}-{i}"),
                                    DEFAULT_TEAM,
                                    None,
                                )
                            });
                            write(shared, path).unwrap();
                        }
                    })
                })
                .collect();
            for writer in writers {
                writer.join().unwrap();
            }
            done.store(true, Ordering::Release);
            assert!(reader.join().unwrap() > 0);
        });
        assert_eq!(names_in(dir.path()), ["state.json"]);
        let document = load(&path).unwrap().expect("the state file exists");
        assert_eq!(document, shared.world().store.to_document());
        assert_eq!(document.teams[0].api_keys.len(), 101);
    }

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be: the rename fails.
        let path = dir.path().join("state.json");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"x").unwrap();
        assert!(write(&shared(), &path).is_err());
        assert_eq!(names_in(dir.path()), ["state.json"]);
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("state.json")), Path::new("."));
        assert_eq!(directory_of(Path::new("dir/state.json")), Path::new("dir"));
        assert_eq!(directory_of(Path::new("/state.json")), Path::new("/"));
    }

    #[cfg(unix)]
    #[test]
    fn the_state_file_gets_the_mode_file_create_would_give() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (written, created) = (dir.path().join("state.json"), dir.path().join("created"));
        write(&shared(), &written).unwrap();
        std::fs::File::create(&created).unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&written), mode(&created));
    }
}
