//! One journal entry: the request as the mock received it with what it answered
//! ([`JournalEntry`], cheap clones of the request's own buffers), how a test reads it
//! ([`RecordedRequest`]), and which entries a query selects ([`RequestFilter`]).

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Uri};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::data::timestamp::Timestamp;
use crate::fidelity::clock::Millis;
use crate::world::paths;

/// One request as the mock received it, with what it answered.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RecordedRequest {
    pub method: String,
    /// The request target as sent: path and query string.
    pub path: String,
    /// Header names (lower-case) and values, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// The status the client saw; `0` when it saw no response (a `hang` or `reset` fault).
    pub status: u16,
    /// When the mock answered, on its clock (the team's, for a session).
    pub at: Timestamp,
    /// The team the request's key authenticates as; `None` without a valid key.
    pub team: Option<String>,
    /// The response body the client got (empty for none).
    pub response: Bytes,
    /// How long the mock took to answer, in milliseconds of real time (a `delay` fault's wait
    /// not included).
    pub duration_ms: u64,
    /// The id of the fault that hit the request, if one did.
    pub fault: Option<u64>,
    /// The entry's place in the journal: 1 for the mock's first request, one more for each
    /// request after it, never reused (a reset or a cleared journal does not restart it).
    pub seq: u64,
    /// Where the request arrived when that was a team's own base URL (`/s/<team>`, see
    /// `Session::base_url`); `None` for the plain `/api/v1`. `path` never includes it.
    pub prefix: Option<String>,
    /// A hint, when the request was likely not read as its sender meant: `body ignored:
    /// Content-Type was not application/json (the vendor reads such a body as {})`, a CORS
    /// preflight answered 404 because the mock runs without `--cors`, or a head with both
    /// `Content-Length` and `Transfer-Encoding` refused as Node's parser refuses it.
    pub note: Option<String>,
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

    /// The response parsed as JSON, if it is JSON.
    pub fn response_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.response).ok()
    }

    /// The response's `customMessage`, if it has one.
    pub fn custom_message(&self) -> Option<String> {
        let response = self.response_json()?;
        response.get("customMessage")?.as_str().map(str::to_string)
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
        let mut map = serializer.serialize_map(Some(14))?;
        map.serialize_entry("seq", &self.seq)?;
        map.serialize_entry("method", &self.method)?;
        map.serialize_entry("path", &self.path)?;
        map.serialize_entry("headers", &Headers(&self.headers))?;
        map.serialize_entry("body", &self.body_text())?;
        map.serialize_entry("status", &self.status)?;
        map.serialize_entry("at", &self.at)?;
        map.serialize_entry("team", &self.team)?;
        map.serialize_entry("response", &String::from_utf8_lossy(&self.response))?;
        map.serialize_entry("customMessage", &self.custom_message())?;
        map.serialize_entry("durationMs", &self.duration_ms)?;
        map.serialize_entry("fault", &self.fault)?;
        map.serialize_entry("prefix", &self.prefix)?;
        map.serialize_entry("note", &self.note)?;
        map.end()
    }
}

/// Which entries a journal query returns (every part optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestFilter {
    /// The method, case-insensitive.
    pub method: Option<String>,
    /// The path without query, in the one path grammar of faults and expectations: exact, or a
    /// prefix when it ends in `*`; `/accounts` is `/api/v1/accounts`. A path outside the API
    /// also matches as written, so that a request the API never served (a 404) can be found.
    pub path: Option<String>,
    /// A status (`"404"`) or a class (`"4xx"`).
    pub status: Option<String>,
    /// Only requests authenticated as this team.
    pub team: Option<String>,
    /// Only requests answered at or after this instant.
    pub since: Option<Timestamp>,
    /// At most this many: the newest, or with `after` the oldest (the next page of a reader
    /// that follows the journal from the last `seq` it read).
    pub limit: Option<usize>,
    /// Only entries whose `seq` is greater than this (the entries after the last one read).
    pub after: Option<u64>,
    /// Only entries whose `seq` is less than this (with `limit`, the page before an entry).
    pub before: Option<u64>,
}

impl RequestFilter {
    /// Whether `method` and `path` (without query) match this filter's method and path.
    pub(crate) fn matches_route(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method));
        method_ok
            && self.path.as_deref().is_none_or(|wanted| {
                paths::matches(wanted, path) || paths::matches_as_written(wanted, path)
            })
    }

    pub(crate) fn matches(&self, entry: &JournalEntry) -> bool {
        let status_ok = self.status.as_deref().is_none_or(|wanted| {
            match wanted
                .strip_suffix("xx")
                .or_else(|| wanted.strip_suffix("XX"))
            {
                Some(class) => class == (entry.status / 100).to_string(),
                None => wanted == entry.status.to_string(),
            }
        });
        self.matches_route(entry.method.as_str(), entry.uri.path())
            && status_ok
            && self
                .team
                .as_deref()
                .is_none_or(|team| entry.team.as_deref() == Some(team))
            && self.since.is_none_or(|since| entry.at >= since.as_millis())
            && self.after.is_none_or(|after| entry.seq > after)
            && self.before.is_none_or(|before| entry.seq < before)
    }
}

/// A request as the journal keeps it: cheap clones of the request's own parts, and of the
/// response's body.
#[derive(Debug)]
pub struct JournalEntry {
    pub method: Method,
    pub uri: Uri,
    /// The target as the client sent it (what the envelope's `path` shows), which may differ
    /// from `uri` where the server percent-encoded bytes the HTTP parser refuses.
    pub target: Box<str>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub status: u16,
    pub at: Millis,
    pub team: Option<Box<str>>,
    pub response: Bytes,
    pub duration: Duration,
    pub fault: Option<u64>,
    /// Set when the journal records it.
    pub seq: u64,
    /// `/s/<team>` when the request arrived under a team's own base URL.
    pub prefix: Option<Box<str>>,
    /// Why the request may not have been read as its sender meant (a body ignored for its
    /// `Content-Type`, a CORS preflight without `--cors`, a head with both `Content-Length`
    /// and `Transfer-Encoding`).
    pub note: Option<&'static str>,
}

impl JournalEntry {
    /// Opens the entry for `request` from its own parts (cheap clones of shared buffers; text
    /// is made only when a test reads the journal). [`close`](Self::close) fills in the rest.
    pub fn open(request: &http::Request<Bytes>, target: &str) -> Self {
        JournalEntry {
            method: request.method().clone(),
            uri: request.uri().clone(),
            target: Box::from(target),
            headers: request.headers().clone(),
            body: request.body().clone(),
            status: 0,
            at: 0,
            team: None,
            response: Bytes::new(),
            duration: Duration::ZERO,
            fault: None,
            seq: 0,
            prefix: request
                .extensions()
                .get::<crate::api::TeamPrefix>()
                .map(|prefix| Box::from(prefix.arrived_under())),
            note: crate::api::hint_for(request),
        }
    }

    /// The entry, finished: what the client saw (`0` for no response), when, and how long
    /// the answer took.
    pub fn close(mut self, status: u16, at: Millis, response: Bytes, duration: Duration) -> Self {
        self.status = status;
        self.at = at;
        self.response = response;
        self.duration = duration;
        self
    }

    /// The entry, as requested by `team`, hit by fault `fault`.
    pub fn by(mut self, team: Option<&str>, fault: Option<u64>) -> Self {
        self.team = team.map(Box::from);
        self.fault = fault;
        self
    }

    /// Whether the entry may hold a client error: a 4xx, or a `200` batch answer with a
    /// `failed` item (found in the answer's bytes, as the mock writes them, without parsing).
    pub(crate) fn may_hold_client_errors(&self) -> bool {
        (400..500).contains(&self.status)
            || (self.status == 200
                && memchr::memmem::find(&self.response, br#""status":"failed""#).is_some())
    }

    /// The bytes this entry counts against the journal's bound.
    pub(crate) fn weight(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        self.body.len() + self.response.len() + headers
    }

    pub(crate) fn to_recorded(&self) -> RecordedRequest {
        RecordedRequest {
            method: self.method.to_string(),
            path: self.target.to_string(),
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
            at: Timestamp::from_millis(self.at),
            team: self.team.as_deref().map(str::to_string),
            response: self.response.clone(),
            duration_ms: u64::try_from(self.duration.as_millis()).unwrap_or(u64::MAX),
            fault: self.fault,
            seq: self.seq,
            prefix: self.prefix.as_deref().map(str::to_string),
            note: self.note.map(str::to_string),
        }
    }
}
