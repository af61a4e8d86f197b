//! The journal over every team's traffic: recording an answered request in its team's log within
//! the bounds (a team's, and the whole journal's), reading entries back, and what was dropped.

use super::Traffic;
use crate::world::journal::{
    Evidence, JournalEntry, RecordedRequest, RequestFilter, TeamLog, MAX_KEPT_ERRORS, TOTAL_FACTOR,
};

impl Traffic {
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
        let log = &mut self.scope_mut(team.as_deref()).log;
        log.bytes += weight;
        log.entries.push_back(entry);
        self.total_entries += 1;
        self.total_bytes += weight;
        let (max_entries, max_bytes) = (self.max_entries, self.max_bytes);
        loop {
            let log = &self
                .scope(team.as_deref())
                .expect("the log was just written")
                .log;
            if log.entries.len() <= max_entries && log.bytes <= max_bytes {
                break;
            }
            self.drop_oldest(team.as_deref());
        }
        let (entry_cap, byte_cap) = (
            max_entries.saturating_mul(TOTAL_FACTOR),
            max_bytes.saturating_mul(TOTAL_FACTOR),
        );
        while self.total_entries > entry_cap || self.total_bytes > byte_cap {
            let oldest = self
                .scopes()
                .filter_map(|(team, traffic)| Some((traffic.log.entries.front()?.seq, team)))
                .min_by_key(|(seq, _)| *seq)
                .map(|(_, team)| team.map(Box::<str>::from));
            match oldest {
                Some(team) => self.drop_oldest(team.as_deref()),
                None => break,
            }
        }
    }

    /// Drops the oldest entry of `team`'s log, keeping its client errors as text.
    fn drop_oldest(&mut self, team: Option<&str>) {
        let traffic = match team {
            None => Some(&mut self.mock),
            Some(team) => self.teams.get_mut(team),
        };
        let Some(log) = traffic.map(|traffic| &mut traffic.log) else {
            return;
        };
        let Some(dropped) = log.entries.pop_front() else {
            return;
        };
        let weight = dropped.weight();
        log.bytes -= weight;
        log.dropped += 1;
        // Once the journal is full every request drops one entry: reading its answer only
        // when it can hold a client error keeps that off the steady path.
        if dropped.may_hold_client_errors() {
            for error in crate::world::report::client_errors_of(&dropped.to_recorded()) {
                match log.lost_errors.len() < MAX_KEPT_ERRORS {
                    true => log.lost_errors.push(error),
                    false => log.lost_errors_uncounted += 1,
                }
            }
        }
        self.total_entries -= 1;
        self.total_bytes -= weight;
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
                .teams
                .get(team.as_str())
                .map(|traffic| {
                    let entries = traffic.log.entries.iter();
                    entries.filter(|e| filter.matches(e)).collect()
                })
                .unwrap_or_default(),
            None => {
                let mut all: Vec<&JournalEntry> = self
                    .scopes()
                    .flat_map(|(_, traffic)| traffic.log.entries.iter())
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
        self.teams
            .get(team)
            .map_or(0, |traffic| traffic.log.entries.len())
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
            Some(team) => self
                .teams
                .get(team)
                .map(|traffic| &traffic.log)
                .into_iter()
                .collect(),
            None => self.scopes().map(|(_, traffic)| &traffic.log).collect(),
        };
        for log in logs {
            evidence.dropped += log.dropped;
            evidence.lost_errors.extend(log.lost_errors.iter().cloned());
            evidence.lost_errors_uncounted += log.lost_errors_uncounted;
        }
        evidence
    }

    /// Empties the log of `team` (its entries, and what was kept of dropped ones), or (for
    /// `None`) every log but those of the teams `keep` says to keep (the sessions': a session's
    /// evidence is its own, and a whole-mock clear must not make its checks pass).
    pub fn clear_requests(&mut self, team: Option<&str>, keep: impl Fn(&str) -> bool) {
        let mut cleared = Vec::new();
        for (scope, traffic) in self.scopes_mut() {
            let chosen = match team {
                Some(team) => scope == Some(team),
                None => !scope.is_some_and(&keep),
            };
            if chosen {
                cleared.push(std::mem::take(&mut traffic.log));
            }
        }
        for log in cleared {
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
        let mut journal = Traffic::new(2, 1024);
        for body in ["1", "2", "3"] {
            journal.record(entry(body, None, 200));
        }
        assert_eq!(bodies(&journal.entries()), ["2", "3"]);
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_byte_bound() {
        let mut journal = Traffic::new(100, 5);
        for body in ["abc", "de", "f"] {
            journal.record(entry(body, None, 200));
        }
        assert_eq!(bodies(&journal.entries()), ["de", "f"]);
    }

    #[test]
    fn one_teams_traffic_never_drops_another_teams_entries_within_the_whole_cap() {
        let mut journal = Traffic::new(2, 1024);
        journal.record(entry("a's 400", Some("a"), 400));
        for _ in 0..5 {
            journal.record(entry("b", Some("b"), 200));
        }
        assert_eq!(bodies(&journal.evidence(Some("a")).entries), ["a's 400"]);
        assert_eq!(journal.evidence(Some("b")).dropped, 3);
    }

    #[test]
    fn a_dropped_client_error_is_kept_apart_and_counted() {
        let mut journal = Traffic::new(1, 1024);
        journal.record(entry("bad", Some("a"), 400));
        journal.record(entry("good", Some("a"), 200));
        let evidence = journal.evidence(Some("a"));
        assert_eq!(bodies(&evidence.entries), ["good"]);
        assert_eq!(evidence.dropped, 1);
        assert_eq!(evidence.lost_errors, ["GET /api/v1/accounts → 400"]);
    }

    #[test]
    fn a_dropped_batch_answer_keeps_its_failed_items_and_a_clean_one_keeps_nothing() {
        let mut journal = Traffic::new(1, 1 << 20);
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
        let mut journal = Traffic::new(1, 1024);
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
        let mut journal = Traffic::new(10, 1024);
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
        let mut journal = Traffic::new(10, 1024);
        journal.record(entry("1", Some("a"), 200));
        journal.record(entry("2", None, 200));
        journal.record(entry("3", Some("a"), 200));
        let seqs: Vec<u64> = journal.entries().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2, 3]);
    }
}
