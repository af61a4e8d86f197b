//! The state file (`--state-file`, `MockRecotapBuilder::state_file`, feature `persistence`): a
//! SQLite database that is the in-memory store's durable copy. It is read once at start; then
//! every transaction that changes the store is written as rows (only what changed) by one
//! writer thread, and a request's answer waits for its rows' commit (`writer`). `db` holds the
//! tables, `read` reads them back; `export`/`import` convert between a database and the JSON
//! state document.
//!
//! Without the feature, [`Writer`] is uninhabited: a mock's `Option<Writer>` is always `None`
//! and the hot path pays one `Option` check.

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

/// The state file's writer; none can exist without the `persistence` feature.
#[cfg(not(feature = "persistence"))]
#[derive(Debug)]
pub(crate) enum Writer {}

#[cfg(not(feature = "persistence"))]
impl Writer {
    pub fn capture(&self, _: &mut crate::world::World) {
        match *self {}
    }

    pub async fn durable(&self) -> Result<(), String> {
        match *self {}
    }

    pub fn finish(&self) {
        match *self {}
    }
}

#[cfg(all(test, feature = "persistence"))]
mod tests;
