//! The request journal's parts: an entry (every `/api/v1` request the mock answered, with the
//! answer), one team's log of them, and its bounds. Each team's log is held with the rest of
//! the team's traffic (`world::traffic`), so that one team's requests never push out another's
//! evidence; the whole journal has a cap of its own ([`TOTAL_FACTOR`] times a team's). A client
//! error in an entry that a bound drops is kept apart, as a line of text, so that
//! `assert_no_client_errors` still sees it.

mod entry;

use std::collections::VecDeque;

pub use entry::{JournalEntry, RecordedRequest, RequestFilter};

/// Default bound on the number of entries of one team.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// Default bound on the bytes one team's entries record: request and response bodies and
/// request headers (64 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
/// The whole journal holds at most this many times a team's bounds (entries and bytes):
/// past that, the mock's oldest entry goes, whichever team it belongs to (its client errors
/// are kept apart as for any dropped entry).
pub const TOTAL_FACTOR: usize = 4;
/// How many dropped client errors a team keeps as text; past that they are only counted.
pub(crate) const MAX_KEPT_ERRORS: usize = 1_000;

/// What the journal holds of one team (or of requests that named no team).
#[derive(Debug, Default)]
pub(crate) struct TeamLog {
    pub entries: VecDeque<JournalEntry>,
    pub bytes: usize,
    /// Entries dropped by a bound since the log was last cleared.
    pub dropped: u64,
    /// The client errors of dropped entries, oldest first, as `verify` words them.
    pub lost_errors: Vec<String>,
    /// Client errors of dropped entries past [`MAX_KEPT_ERRORS`].
    pub lost_errors_uncounted: u64,
}

/// What the journal can say of one team (or of the whole mock): its entries, how many of its
/// entries were dropped, and the client errors those carried.
#[derive(Clone, Debug, Default)]
pub(crate) struct Evidence {
    pub entries: Vec<RecordedRequest>,
    pub dropped: u64,
    /// The client errors of dropped entries (text), then how many more were not kept.
    pub lost_errors: Vec<String>,
    pub lost_errors_uncounted: u64,
}
