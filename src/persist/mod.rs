//! The state file (`--state-file`, `MockRecotapBuilder::state_file`, feature `persistence`): a
//! SQLite database that is the in-memory store's durable copy. It is read once at start; then
//! every transaction that changes the store is written as rows (only what changed), and a
//! request's answer waits for its rows' commit: made by the request itself when its change is
//! a lone one after a quiet spell, by the writer's thread otherwise (`writer`). `db` holds the
//! tables, `commit` writes rows to them, `read` reads them back; `export`/`import` convert
//! between a database and the JSON state document.
//!
//! Without the feature, [`Writer`] is uninhabited: a mock's `Option<Writer>` is always `None`
//! and the hot path pays one `Option` check.

#[cfg(feature = "persistence")]
mod commit;
#[cfg(feature = "persistence")]
mod db;
#[cfg(feature = "persistence")]
mod read;
#[cfg(feature = "persistence")]
mod writer;

#[cfg(feature = "persistence")]
pub(crate) use db::open;
#[cfg(feature = "persistence")]
pub use db::{export, import};
#[cfg(feature = "persistence")]
pub(crate) use writer::Writer;

/// Who commits a batch of changes the state file's writer captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Committer {
    /// The caller, an API request, which then waits for it with `Writer::durable`: it commits
    /// the batch itself when it is the only one queued, after a quiet spell, and no commit is
    /// under way; otherwise it hands it to the writer's thread.
    Caller,
    /// The writer's own thread, woken for it: the handle's changes (nobody waits for them) and
    /// the admin API's (its request waits, but a whole store is not written on its thread).
    Thread,
}

/// Checks at start that the state file can be written where it is to go: its directory exists,
/// is a directory, and takes a new file (a temporary one, removed at once). Otherwise the
/// mock would run and fail every write, and a test would find out only at the end.
#[cfg(feature = "persistence")]
pub fn check_writable(path: &std::path::Path) -> Result<(), crate::data::document::StateError> {
    let dir = directory_of(path);
    let unwritable = |problem: String| crate::data::document::StateError::Unwritable {
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
    // A probe file of our own (not tempfile: the library keeps its dependencies few).
    let probe = dir.join(format!(".recotap-mock-check-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&probe)
        .map(|_| {
            let _ = std::fs::remove_file(&probe);
        })
        .map_err(|error| {
            unwritable(format!(
                "no file can be written in {}: {error}",
                dir.display()
            ))
        })
}

/// The directory `path` is in: a bare file name's is the current directory.
#[cfg(feature = "persistence")]
fn directory_of(path: &std::path::Path) -> &std::path::Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => std::path::Path::new("."),
    }
}

/// The state file's writer; none can exist without the `persistence` feature.
#[cfg(not(feature = "persistence"))]
#[derive(Debug)]
pub(crate) enum Writer {}

#[cfg(not(feature = "persistence"))]
impl Writer {
    pub fn capture(&self, _: &mut crate::world::World, _: Committer) -> Option<u64> {
        match *self {}
    }

    pub async fn durable(&self, _: Option<u64>) -> Result<(), String> {
        match *self {}
    }

    pub fn finish(&self) -> Result<(), String> {
        match *self {}
    }

    pub fn path(&self) -> &std::path::Path {
        match *self {}
    }
}

#[cfg(all(test, feature = "persistence"))]
mod tests;
