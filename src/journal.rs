//! The request journal: every `/api/v1` request the mock answered, newest last, bounded in
//! entries and in recorded body bytes so that a long-running mock cannot grow without limit.

use std::collections::VecDeque;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::clock::{format_iso, Millis};

/// Default bound on the number of entries.
pub const DEFAULT_MAX_ENTRIES: usize = 10_000;
/// Default bound on the bytes of recorded bodies (64 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// One request as the mock received it, with the status it answered.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    pub method: String,
    /// The request target as sent: path and query string.
    pub path: String,
    /// Header names (lower-case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    pub status: u16,
    pub at: Millis,
}

impl RecordedRequest {
    /// The body as text (invalid UTF-8 replaced by U+FFFD).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

impl Serialize for RecordedRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Headers<'a>(&'a [(String, String)]);
        impl Serialize for Headers<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                // Repeated headers are joined with ", ", as HTTP allows.
                let mut merged: Vec<(&str, String)> = Vec::new();
                for (name, value) in self.0 {
                    match merged.iter_mut().find(|(seen, _)| seen == name) {
                        Some((_, joined)) => {
                            joined.push_str(", ");
                            joined.push_str(value);
                        }
                        None => merged.push((name, value.clone())),
                    }
                }
                let mut map = serializer.serialize_map(Some(merged.len()))?;
                for (name, value) in &merged {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("method", &self.method)?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("headers", &Headers(&self.headers))?;
        map.serialize_entry("body", &self.body_text())?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("at", &format_iso(self.at))?;
        map.end()
    }
}

/// A request as the journal keeps it: cheap clones of the request's own parts.
#[derive(Debug)]
pub struct JournalEntry {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
    pub at: Millis,
}

impl JournalEntry {
    /// Opens the entry for `request` from its own parts (cheap clones of shared buffers; text
    /// is made only when a test reads the journal). The status is set by [`close`](Self::close).
    pub fn open(request: &http::Request<Bytes>) -> Self {
        JournalEntry {
            method: request.method().clone(),
            uri: request.uri().clone(),
            headers: request.headers().clone(),
            body: request.body().clone(),
            status: 0,
            at: 0,
        }
    }

    /// The entry, finished: what the client saw (`0` for no response) and when.
    pub fn close(mut self, status: u16, at: Millis) -> Self {
        self.status = status;
        self.at = at;
        self
    }

    fn to_recorded(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.to_string(),
            path: self
                .uri
                .path_and_query()
                .map_or_else(|| self.uri.path().to_string(), |target| target.to_string()),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_string(), value)
                })
                .collect(),
            body: self.body.clone(),
            status: self.status,
            at: self.at,
        }
    }
}

/// A bounded, oldest-first log of requests.
#[derive(Debug)]
pub struct Journal {
    entries: VecDeque<JournalEntry>,
    body_bytes: usize,
    max_entries: usize,
    max_body_bytes: usize,
}

impl Journal {
    /// An empty journal with the given bounds.
    pub fn new(max_entries: usize, max_body_bytes: usize) -> Self {
        Journal {
            entries: VecDeque::new(),
            body_bytes: 0,
            max_entries,
            max_body_bytes,
        }
    }

    /// Appends `entry`, dropping the oldest entries past either bound.
    pub fn record(&mut self, entry: JournalEntry) {
        if self.max_entries == 0 {
            return;
        }
        self.body_bytes += entry.body.len();
        self.entries.push_back(entry);
        while self.entries.len() > self.max_entries || self.body_bytes > self.max_body_bytes {
            match self.entries.pop_front() {
                Some(dropped) => self.body_bytes -= dropped.body.len(),
                None => break,
            }
        }
    }

    /// A copy of every entry, oldest first.
    pub fn entries(&self) -> Vec<RecordedRequest> {
        self.entries.iter().map(JournalEntry::to_recorded).collect()
    }

    /// Empties the journal.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.body_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &'static str) -> JournalEntry {
        JournalEntry {
            method: Method::POST,
            uri: Uri::from_static("/api/v1/accounts"),
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
            status: 200,
            at: 0,
        }
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_entry_bound() {
        let mut journal = Journal::new(2, 1024);
        for body in ["1", "2", "3"] {
            journal.record(entry(body));
        }
        let bodies: Vec<_> = journal
            .entries()
            .iter()
            .map(RecordedRequest::body_text)
            .collect();
        assert_eq!(bodies, ["2", "3"]);
    }

    #[test]
    fn the_oldest_entries_go_first_past_the_byte_bound() {
        let mut journal = Journal::new(100, 5);
        for body in ["abc", "de", "f"] {
            journal.record(entry(body));
        }
        let bodies: Vec<_> = journal
            .entries()
            .iter()
            .map(RecordedRequest::body_text)
            .collect();
        assert_eq!(bodies, ["de", "f"]);
    }
}
