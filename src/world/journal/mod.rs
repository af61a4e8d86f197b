//! The request journal: every `/api/v1` request the mock answered, with the answer, kept per
//! team so that one team's traffic never pushes out another's evidence. Each team's log is
//! bounded in entries and in recorded bytes; the whole journal has a cap of its own
//! ([`TOTAL_FACTOR`] times a team's). A client error in an entry that a bound drops is kept
//! apart, as a line of text, so that `assert_no_client_errors` still sees it.

mod entry;

use std::collections::{HashMap, VecDeque};

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
const MAX_KEPT_ERRORS: usize = 1_000;

/// What the journal holds of one team (or of requests that named no team).
#[derive(Debug, Default)]
struct TeamLog {
    entries: VecDeque<JournalEntry>,
    bytes: usize,
    /// Entries dropped by a bound since the log was last cleared.
    dropped: u64,
    /// The client errors of dropped entries, oldest first, as `verify` words them.
    lost_errors: Vec<String>,
    /// Client errors of dropped entries past [`MAX_KEPT_ERRORS`].
    lost_errors_uncounted: u64,
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

/// A bounded log of requests, per team, in arrival order.
#[derive(Debug)]
pub struct Journal {
    /// `None`: requests that named no team (no valid key, no team's base URL).
    logs: HashMap<Option<Box<str>>, TeamLog>,
    next_seq: u64,
    total_entries: usize,
    total_bytes: usize,
    max_entries: usize,
    max_bytes: usize,
}

impl Journal {
    /// An empty journal with the given bounds per team.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Journal {
            logs: HashMap::new(),
            next_seq: 1,
            total_entries: 0,
            total_bytes: 0,
            max_entries,
            max_bytes,
        }
    }

    /// Appends `entry` to its team's log, then drops that team's oldest entries past the
    /// team's bounds, and the mock's oldest past the whole journal's.
    pub fn record(&mut self, mut entry: JournalEntry) {
        if self.max_entries == 0 {
            return;
        }
        entry.seq = self.next_seq;
        self.next_seq += 1;
        let weight = entry.weight();
        let team = entry.team.clone();
        let log = self.logs.entry(team.clone()).or_default();
        log.bytes += weight;
        log.entries.push_back(entry);
        self.total_entries += 1;
        self.total_bytes += weight;
        loop {
            let log = self.logs.get(&team).expect("the log was just written");
            if log.entries.len() <= self.max_entries && log.bytes <= self.max_bytes {
                break;
            }
            self.drop_oldest(&team);
        }
        let (entry_cap, byte_cap) = (
            self.max_entries.saturating_mul(TOTAL_FACTOR),
            self.max_bytes.saturating_mul(TOTAL_FACTOR),
        );
        while self.total_entries > entry_cap || self.total_bytes > byte_cap {
            let oldest = self
                .logs
                .iter()
                .filter_map(|(team, log)| Some((log.entries.front()?.seq, team)))
                .min_by_key(|(seq, _)| *seq)
                .map(|(_, team)| team.clone());
            match oldest {
                Some(team) => self.drop_oldest(&team),
                None => break,
            }
        }
    }

    /// Drops the oldest entry of `team`'s log, keeping its client errors as text.
    fn drop_oldest(&mut self, team: &Option<Box<str>>) {
        let Some(log) = self.logs.get_mut(team) else {
            return;
        };
        let Some(dropped) = log.entries.pop_front() else {
            return;
        };
        let weight = dropped.weight();
        log.bytes -= weight;
        log.dropped += 1;
        self.total_entries -= 1;
        self.total_bytes -= weight;
        // Once the journal is full every request drops one entry: reading its answer only
        // when it can hold a client error keeps that off the steady path.
        if !dropped.may_hold_client_errors() {
            return;
        }
        for error in crate::handle::report::client_errors_of(&dropped.to_recorded()) {
            match log.lost_errors.len() < MAX_KEPT_ERRORS {
                true => log.lost_errors.push(error),
                false => log.lost_errors_uncounted += 1,
            }
        }
    }

    /// A copy of every entry, in arrival order.
    #[cfg(test)]
    pub fn entries(&self) -> Vec<RecordedRequest> {
        self.query(&RequestFilter::default())
    }

    /// The entries `filter` selects, in arrival order: the newest `limit` of them, or with
    /// `after` the oldest `limit` (so that a reader paging on from the last `seq` it read
    /// misses none).
    pub fn query(&self, filter: &RequestFilter) -> Vec<RecordedRequest> {
        let mut matching: Vec<&JournalEntry> = match &filter.team {
            Some(team) => self
                .logs
                .get(&Some(Box::from(team.as_str())))
                .map(|log| log.entries.iter().filter(|e| filter.matches(e)).collect())
                .unwrap_or_default(),
            None => {
                let mut all: Vec<&JournalEntry> = self
                    .logs
                    .values()
                    .flat_map(|log| log.entries.iter())
                    .filter(|entry| filter.matches(entry))
                    .collect();
                all.sort_unstable_by_key(|entry| entry.seq);
                all
            }
        };
        if let Some(limit) = filter.limit {
            match filter.after {
                Some(_) => matching.truncate(limit),
                None => {
                    let skip = matching.len().saturating_sub(limit);
                    matching.drain(..skip);
                }
            }
        }
        matching.iter().map(|entry| entry.to_recorded()).collect()
    }

    /// How many entries the journal holds for `team`.
    pub fn len_of(&self, team: &str) -> usize {
        self.logs
            .get(&Some(Box::from(team)))
            .map_or(0, |log| log.entries.len())
    }

    /// The entries of `team` (every team's for `None`), with what was dropped of them.
    pub(crate) fn evidence(&self, team: Option<&str>) -> Evidence {
        let filter = RequestFilter {
            team: team.map(str::to_string),
            ..RequestFilter::default()
        };
        let mut evidence = Evidence {
            entries: self.query(&filter),
            ..Evidence::default()
        };
        let logs: Vec<&TeamLog> = match team {
            Some(team) => self.logs.get(&Some(Box::from(team))).into_iter().collect(),
            None => self.logs.values().collect(),
        };
        for log in logs {
            evidence.dropped += log.dropped;
            evidence.lost_errors.extend(log.lost_errors.iter().cloned());
            evidence.lost_errors_uncounted += log.lost_errors_uncounted;
        }
        evidence
    }

    /// Empties the journal: every entry, and what was kept of dropped ones.
    pub fn clear(&mut self) {
        self.logs.clear();
        self.total_entries = 0;
        self.total_bytes = 0;
    }

    /// Empties the journal but for the logs of the teams `keep` says to keep.
    pub fn clear_except(&mut self, keep: impl Fn(&str) -> bool) {
        let dropped: Vec<Option<Box<str>>> = self
            .logs
            .keys()
            .filter(|team| !team.as_deref().is_some_and(&keep))
            .cloned()
            .collect();
        for team in dropped {
            if let Some(log) = self.logs.remove(&team) {
                self.total_entries -= log.entries.len();
                self.total_bytes -= log.bytes;
            }
        }
    }

    /// Removes the entries of `team`, and what was kept of its dropped ones.
    pub fn clear_team(&mut self, team: &str) {
        if let Some(log) = self.logs.remove(&Some(Box::from(team))) {
            self.total_entries -= log.entries.len();
            self.total_bytes -= log.bytes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use std::time::Duration;

    /// A GET (so that no hint about its body's type is noted) with `body`.
    fn entry(body: &'static str, team: Option<&str>, status: u16) -> JournalEntry {
        let request = http::Request::get("/api/v1/accounts")
            .body(Bytes::from_static(body.as_bytes()))
            .expect("a request");
        JournalEntry::open(&request, "/api/v1/accounts")
            .by(team, None)
            .close(status, 0, Bytes::new(), Duration::ZERO)
    }

    fn bodies(entries: &[RecordedRequest]) -> Vec<String> {
        entries.iter().map(RecordedRequest::body_text).collect()
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_entry_bound() {
        let mut journal = Journal::new(2, 1024);
        for body in ["1", "2", "3"] {
            journal.record(entry(body, None, 200));
        }
        assert_eq!(bodies(&journal.entries()), ["2", "3"]);
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_byte_bound() {
        let mut journal = Journal::new(100, 5);
        for body in ["abc", "de", "f"] {
            journal.record(entry(body, None, 200));
        }
        assert_eq!(bodies(&journal.entries()), ["de", "f"]);
    }

    #[test]
    fn one_teams_traffic_never_drops_another_teams_entries_within_the_whole_cap() {
        let mut journal = Journal::new(2, 1024);
        journal.record(entry("a's 400", Some("a"), 400));
        for _ in 0..5 {
            journal.record(entry("b", Some("b"), 200));
        }
        assert_eq!(bodies(&journal.evidence(Some("a")).entries), ["a's 400"]);
        assert_eq!(journal.evidence(Some("b")).dropped, 3);
    }

    #[test]
    fn a_dropped_client_error_is_kept_apart_and_counted() {
        let mut journal = Journal::new(1, 1024);
        journal.record(entry("bad", Some("a"), 400));
        journal.record(entry("good", Some("a"), 200));
        let evidence = journal.evidence(Some("a"));
        assert_eq!(bodies(&evidence.entries), ["good"]);
        assert_eq!(evidence.dropped, 1);
        assert_eq!(evidence.lost_errors, ["GET /api/v1/accounts → 400"]);
    }

    #[test]
    fn a_dropped_batch_answer_keeps_its_failed_items_and_a_clean_one_keeps_nothing() {
        let mut journal = Journal::new(1, 1 << 20);
        let answer = |status: &str| {
            let text = format!(
                r#"{{"statusCode":200,"data":{{"results":[{{"domain":"x.com","status":"{status}","error":"Invalid domain"}}]}}}}"#
            );
            let request = http::Request::get("/api/v1/accounts")
                .body(Bytes::new())
                .expect("a request");
            JournalEntry::open(&request, "/api/v1/accounts")
                .by(Some("a"), None)
                .close(200, 0, Bytes::from(text), Duration::ZERO)
        };
        journal.record(answer("failed"));
        journal.record(answer("created"));
        journal.record(answer("created"));
        let evidence = journal.evidence(Some("a"));
        assert_eq!(evidence.dropped, 2);
        assert_eq!(
            evidence.lost_errors,
            ["GET /api/v1/accounts → 200, but item x.com failed: Invalid domain"]
        );
    }

    #[test]
    fn past_the_whole_cap_the_mocks_oldest_entry_goes_and_its_error_is_kept() {
        let mut journal = Journal::new(1, 1024);
        journal.record(entry("first", Some("t0"), 401));
        for team in ["t1", "t2", "t3", "t4"] {
            journal.record(entry("later", Some(team), 200));
        }
        assert_eq!(journal.entries().len(), TOTAL_FACTOR);
        let evidence = journal.evidence(Some("t0"));
        assert!(evidence.entries.is_empty());
        assert_eq!(evidence.lost_errors, ["GET /api/v1/accounts → 401"]);
    }

    #[test]
    fn a_limit_keeps_the_newest_alone_and_the_oldest_after_a_seq() {
        let mut journal = Journal::new(10, 1024);
        for body in ["1", "2", "3", "4", "5"] {
            journal.record(entry(body, Some("a"), 200));
        }
        let page = |after, before| {
            let filter = RequestFilter {
                limit: Some(2),
                after,
                before,
                ..RequestFilter::default()
            };
            bodies(&journal.query(&filter))
        };
        assert_eq!(page(None, None), ["4", "5"]);
        assert_eq!(page(Some(1), None), ["2", "3"]);
        assert_eq!(page(None, Some(4)), ["2", "3"]);
        assert_eq!(page(Some(1), Some(3)), ["2"]);
        assert_eq!(journal.len_of("a"), 5);
        assert_eq!(journal.len_of("b"), 0);
    }

    #[test]
    fn sequence_numbers_grow_by_one_in_arrival_order_across_teams() {
        let mut journal = Journal::new(10, 1024);
        journal.record(entry("1", Some("a"), 200));
        journal.record(entry("2", None, 200));
        journal.record(entry("3", Some("a"), 200));
        let seqs: Vec<u64> = journal.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
}
