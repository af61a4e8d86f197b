//! The state file's tables (docs/control.md §3, "The state file in detail"): one row per team, key, custom field,
//! segment, segment member, account, deal, pipeline and activity, each record as the JSON of
//! its state-document form. Opening (with the one-mock-per-file lock and the migration of a JSON
//! state file), committing rows; `read` reads the whole state back as a state document.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

pub(crate) use super::commit::commit;
use super::read::read_document;
use crate::data::document::{parse_document, StateDocument, StateError};
use crate::data::model::IdGenerator;
use crate::store::Store;

/// The format of the tables, in `meta`; a later format migrates from this one.
const FORMAT: &str = "1";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS teams (
  name TEXT PRIMARY KEY, position INTEGER NOT NULL, settings TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_keys (
  key TEXT PRIMARY KEY, team TEXT NOT NULL, user TEXT, serial INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS custom_fields (
  team TEXT NOT NULL, key TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (team, key));
CREATE TABLE IF NOT EXISTS segments (
  team TEXT NOT NULL, segment_id TEXT NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (team, segment_id));
CREATE TABLE IF NOT EXISTS segment_members (
  team TEXT NOT NULL, segment_id TEXT NOT NULL, rtp_aid TEXT NOT NULL,
  UNIQUE (team, segment_id, rtp_aid));
CREATE TABLE IF NOT EXISTS accounts (
  team TEXT NOT NULL, rtp_aid TEXT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (team, rtp_aid));
CREATE TABLE IF NOT EXISTS deals (
  team TEXT NOT NULL, external_deal_id TEXT NOT NULL, position INTEGER NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY (team, external_deal_id));
CREATE TABLE IF NOT EXISTS pipelines (
  team TEXT NOT NULL, pipeline_id TEXT NOT NULL, position INTEGER NOT NULL, body TEXT NOT NULL,
  PRIMARY KEY (team, pipeline_id));
CREATE TABLE IF NOT EXISTS activities (
  team TEXT NOT NULL, external_activity_id TEXT NOT NULL, position INTEGER NOT NULL,
  body TEXT NOT NULL, PRIMARY KEY (team, external_activity_id));
";

/// The tables holding a team's data (all but `meta` and `teams`).
pub(super) const TEAM_TABLES: [&str; 8] = [
    "api_keys",
    "custom_fields",
    "segments",
    "segment_members",
    "accounts",
    "deals",
    "pipelines",
    "activities",
];

/// A state file opened for a mock: what it holds (`None` if it was new) and the connection,
/// which holds the file's lock until it is closed.
pub(crate) struct Opened {
    pub document: Option<StateDocument>,
    pub connection: Connection,
}

fn unreadable(path: &Path, problem: impl std::fmt::Display) -> StateError {
    StateError::Unreadable {
        path: path.to_path_buf(),
        problem: problem.to_string(),
    }
}

/// Opens (or creates) the state file at `path` for one mock, migrating a JSON state file first.
///
/// # Errors
/// The file is not a state file, is used by another process, or holds an invalid state.
pub(crate) fn open(path: &Path) -> Result<Opened, StateError> {
    if is_json_file(path)? {
        migrate(path)?;
    }
    let connection = connect(path)?;
    let document = match connection
        .query_row("SELECT count(*) FROM teams", [], |row| row.get::<_, i64>(0))
        .map_err(|error| unreadable(path, error))?
    {
        0 => None,
        _ => Some(read_document(&connection).map_err(|error| unreadable(path, error))?),
    };
    Ok(Opened {
        document,
        connection,
    })
}

/// Whether `path` holds something other than a SQLite database (today's JSON state file).
fn is_json_file(path: &Path) -> Result<bool, StateError> {
    use std::io::Read;
    let mut head = [0u8; 16];
    let read = match std::fs::File::open(path) {
        Ok(mut file) => file.read(&mut head),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(error) => return Err(unreadable(path, error)),
    };
    let read = read.map_err(|error| unreadable(path, error))?;
    Ok(read > 0 && head[..read] != b"SQLite format 3\0"[..read])
}

/// Opens `path` as a database with the tables, locked for this process alone.
///
/// `locking_mode = EXCLUSIVE` keeps the file locked from the first write to the close, so a
/// second mock (or any other process) cannot open it meanwhile: two mocks writing one file
/// would each overwrite the other's changes with a stale view. The second one refuses to
/// start, naming the file. (It also spares SQLite the shared-memory index WAL otherwise needs.)
/// `synchronous = NORMAL` in WAL mode: a commit is in the OS before the answer is sent, so a
/// killed process loses nothing; only a power cut may lose the last commits.
fn connect(path: &Path) -> Result<Connection, StateError> {
    // No mutex of SQLite's own: a connection is only ever used by one thread at a time (the
    // type is not `Sync`), so SQLite's locks would be pure cost.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags).map_err(|e| unreadable(path, e))?;
    let unknown_format = std::cell::RefCell::new(None);
    let setup = || -> rusqlite::Result<()> {
        // Not rusqlite's 5 s: a file another mock holds is refused at once, not after a pause.
        connection.busy_timeout(std::time::Duration::from_millis(200))?;
        connection.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        // A checkpoint (the log folded into the file, then synced) runs inside a commit, which
        // the requests of that commit wait for. Every 512 pages (2 MiB) instead of SQLite's
        // 1000: smaller checkpoints shorten the worst wait without moving the p99.
        connection.pragma_update(None, "wal_autocheckpoint", 512)?;
        // 32 MiB of pages (SQLite's default is 2 MiB): a change to a large store then finds
        // the B-trees' upper pages in memory.
        connection.pragma_update(None, "cache_size", -32768)?;
        connection.execute_batch(SCHEMA)?;
        let found: Option<String> = connection
            .query_row("SELECT value FROM meta WHERE name = 'format'", [], |row| {
                row.get(0)
            })
            .map(Some)
            .or_else(|error| match error {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                error => Err(error),
            })?;
        if let Some(found) = found.filter(|found| found != FORMAT) {
            // Never rewritten as this format: a newer recotap-mock's file would lose what
            // this one cannot read.
            *unknown_format.borrow_mut() = Some(found);
            return Ok(());
        }
        // A write now takes the lock now, not at the first change.
        connection.execute(
            "INSERT INTO meta (name, value) VALUES ('format', ?1)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            [FORMAT],
        )?;
        Ok(())
    };
    match setup() {
        Ok(()) => match unknown_format.into_inner() {
            None => Ok(connection),
            Some(found) => Err(unreadable(
                path,
                format!(
                    "state file format {found:?} is not one this recotap-mock reads (it reads \
                     format {FORMAT:?}): a newer recotap-mock wrote it; nothing was changed"
                ),
            )),
        },
        Err(rusqlite::Error::SqliteFailure(code, _))
            if code.code == rusqlite::ErrorCode::DatabaseBusy =>
        {
            Err(unreadable(
                path,
                "in use by another process (another recotap-mock?); each mock needs a state \
                 file of its own, and `export` reads a file once its mock has stopped",
            ))
        }
        Err(rusqlite::Error::SqliteFailure(code, _))
            if code.code == rusqlite::ErrorCode::NotADatabase =>
        {
            Err(unreadable(
                path,
                "neither a SQLite state file nor a JSON state document",
            ))
        }
        Err(error) => Err(unreadable(path, error)),
    }
}

/// Converts the JSON state file at `path` into a database in place, once; the JSON is kept
/// beside it as `<path>.bak` (`<path>.bak.1`, `.bak.2`… when that name is taken: a backup is
/// never overwritten).
fn migrate(path: &Path) -> Result<(), StateError> {
    let text = std::fs::read(path).map_err(|error| unreadable(path, error))?;
    let in_file = |error| StateError::InFile {
        path: path.to_path_buf(),
        error: Box::new(error),
    };
    let document = parse_document(&text).map_err(in_file)?;
    let temporary = sibling(path, ".migrating");
    let _ = std::fs::remove_file(&temporary);
    import(&temporary, &document).map_err(|error| match error {
        StateError::Unreadable { .. } => error,
        invalid => in_file(invalid),
    })?;
    let backup = free_backup_name(path);
    std::fs::rename(path, &backup).map_err(|error| unreadable(path, error))?;
    std::fs::rename(&temporary, path).map_err(|error| unreadable(path, error))?;
    tracing::info!(
        path = %path.display(),
        backup = %backup.display(),
        "migrated the JSON state file to SQLite; the JSON is kept as the backup"
    );
    Ok(())
}

/// `<path>.bak`, or the first of `<path>.bak.1`, `<path>.bak.2`… that does not exist.
fn free_backup_name(path: &Path) -> PathBuf {
    let first = sibling(path, ".bak");
    if !first.exists() {
        return first;
    }
    (1..)
        .map(|n| sibling(path, &format!(".bak.{n}")))
        .find(|candidate| !candidate.exists())
        .expect("some number is free")
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The state document held in the state file at `path` (`recotap-mock export`).
///
/// # Errors
/// The file does not exist, is not a state file, or is in use by a running mock.
pub fn export(path: &Path) -> Result<StateDocument, StateError> {
    if !path.exists() {
        return Err(unreadable(path, "no such file"));
    }
    if is_json_file(path)? {
        let text = std::fs::read(path).map_err(|error| unreadable(path, error))?;
        return parse_document(&text);
    }
    let connection = connect(path)?;
    let document = read_document(&connection).map_err(|error| unreadable(path, error))?;
    connection
        .close()
        .map_err(|(_, error)| unreadable(path, error))?;
    Ok(document)
}

/// Replaces what the state file at `path` holds (created if missing) with `document`
/// (`recotap-mock import`), after checking it as a seed is checked.
///
/// # Errors
/// The document is invalid (nothing is written then), or the file cannot be written.
pub fn import(path: &Path, document: &StateDocument) -> Result<(), StateError> {
    let now = crate::fidelity::clock::Clock::default().now();
    let mut store = Store::from_document(document, IdGenerator::random(), now)?;
    store.note_changes();
    store.note_everything();
    let mut connection = connect(path)?;
    commit(&mut connection, [store.drain_rows()]).map_err(|error| unreadable(path, error))?;
    connection
        .close()
        .map_err(|(_, error)| unreadable(path, error))
}
