//! Verification: expectations ("this request, this many times") checked against the journal;
//! a failure names each request received (`report::line`). Pure: it reads journal entries and
//! writes text.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::report::line;
use crate::world::journal::RecordedRequest;
use crate::world::paths;

/// Which requests an expectation counts: a method and a path in the one path grammar of
/// faults and expectations (exact, or a prefix ending in `*`; `/accounts` is
/// `/api/v1/accounts`; compared without the request's query), optionally a predicate on the
/// JSON body (Rust only).
///
/// # Panics
/// The constructors panic, naming the fix, on a path that no API route can ever match or one
/// with a query (`?`): such an expectation could never be met, or never be broken.
///
/// ```
/// use recotap_mock::{MockRecotap, RequestPattern};
/// let mock = MockRecotap::start();
/// mock.expect(RequestPattern::post("/accounts")).never();
/// mock.verify(); // nothing was posted
/// ```
#[derive(Clone, Default)]
pub struct RequestPattern {
    method: Option<String>,
    path: Option<String>,
    body: Option<BodyCheck>,
}

/// A predicate on a request's JSON body.
type BodyCheck = Arc<dyn Fn(&serde_json::Value) -> bool + Send + Sync>;

impl fmt::Debug for RequestPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl RequestPattern {
    /// Requests with `method` to `path`.
    ///
    /// # Panics
    /// If no API route of `method` can match `path`, or `path` has a query.
    pub fn new(method: &str, path: &str) -> Self {
        RequestPattern::try_new(Some(method), path)
            .unwrap_or_else(|error| panic!("recotap-mock: {error}"))
    }

    /// Requests to `path`, with `method` if given; `Err` says why no request could match.
    pub(crate) fn try_new(method: Option<&str>, path: &str) -> Result<Self, String> {
        Ok(RequestPattern {
            method: method.map(str::to_ascii_uppercase),
            path: Some(paths::registrable(method, path)?),
            body: None,
        })
    }

    /// `GET path`.
    pub fn get(path: &str) -> Self {
        RequestPattern::new("GET", path)
    }

    /// `POST path`.
    pub fn post(path: &str) -> Self {
        RequestPattern::new("POST", path)
    }

    /// `PUT path`.
    pub fn put(path: &str) -> Self {
        RequestPattern::new("PUT", path)
    }

    /// `PATCH path`.
    pub fn patch(path: &str) -> Self {
        RequestPattern::new("PATCH", path)
    }

    /// Any method to `path`.
    ///
    /// # Panics
    /// If no API route can match `path`, or `path` has a query.
    pub fn any(path: &str) -> Self {
        RequestPattern::try_new(None, path).unwrap_or_else(|error| panic!("recotap-mock: {error}"))
    }

    /// Only requests whose body is JSON for which `check` holds.
    pub fn body_matches(
        mut self,
        check: impl Fn(&serde_json::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.body = Some(Arc::new(check));
        self
    }

    /// Whether a request with `method`, `target` (path and query) and `body` matches.
    pub(crate) fn matches(&self, method: &str, target: &str, body: &[u8]) -> bool {
        let path = target.split(['?', '#']).next().unwrap_or_default();
        // Exact: the wanted method was upper-cased, and `get` is not a route of the API.
        self.method.as_deref().is_none_or(|wanted| wanted == method)
            && self
                .path
                .as_deref()
                .is_none_or(|pattern| paths::matches(pattern, path))
            && self
                .body
                .as_ref()
                .is_none_or(|check| serde_json::from_slice(body).is_ok_and(|json| check(&json)))
    }

    fn describe(&self) -> String {
        let method = self.method.as_deref().unwrap_or("any method");
        let path = self.path.as_deref().unwrap_or("any path");
        let body = if self.body.is_some() {
            " with a matching body"
        } else {
            ""
        };
        format!("{method} {path}{body}")
    }
}

/// How many matching requests an expectation wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Count {
    Exactly(u64),
    AtLeast(u64),
    AtMost(u64),
}

impl Count {
    fn holds(self, seen: u64) -> bool {
        match self {
            Count::Exactly(n) => seen == n,
            Count::AtLeast(n) => seen >= n,
            Count::AtMost(n) => seen <= n,
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let times = |n: u64| {
            if n == 1 {
                "once".to_string()
            } else {
                format!("{n} times")
            }
        };
        match *self {
            Count::Exactly(0) | Count::AtMost(0) => f.write_str("never"),
            Count::Exactly(n) => write!(f, "exactly {}", times(n)),
            Count::AtLeast(n) => write!(f, "at least {}", times(n)),
            Count::AtMost(n) => write!(f, "at most {}", times(n)),
        }
    }
}

/// One registered expectation.
#[derive(Clone, Debug)]
pub(crate) struct Expectation {
    pub id: u64,
    pub team: Option<String>,
    pub request: RequestPattern,
    pub count: Count,
    /// Matching requests so far, counted as each is answered (so that clearing or bounding
    /// the journal cannot change a verdict).
    pub seen: u64,
    /// Matching requests the journal held when the expectation was registered: not counted,
    /// but named when the expectation fails (it was registered too late).
    pub before: u64,
}

impl Expectation {
    /// Counts the answered request if it is one this expectation is about: its team's (for a
    /// team's expectation), or any but a session's (for the whole mock's: a session's traffic
    /// belongs to its own test).
    pub(crate) fn observe(
        &mut self,
        team: Option<&str>,
        by_session: bool,
        method: &str,
        target: &str,
        body: &[u8],
    ) {
        let own = match self.team.as_deref() {
            None => !by_session,
            Some(wanted) => team == Some(wanted),
        };
        if own && self.request.matches(method, target, body) {
            self.seen += 1;
        }
    }
}

/// How an expectation is listed by `GET /_mock/expectations`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExpectationView<'a> {
    pub id: u64,
    pub method: Option<&'a str>,
    pub path: Option<&'a str>,
    pub team: Option<&'a str>,
    #[serde(flatten)]
    pub count: Count,
}

impl Expectation {
    pub(crate) fn view(&self) -> ExpectationView<'_> {
        ExpectationView {
            id: self.id,
            method: self.request.method.as_deref(),
            path: self.request.path.as_deref(),
            team: self.team.as_deref(),
            count: self.count,
        }
    }
}

/// Checks `expectations` against the journal `entries` (each counts only its team's requests,
/// when it has a team). `Err` holds the failure text: what was expected, what was received
/// (method, path, status, `customMessage`), and what to check.
pub(crate) fn verify(
    expectations: &[Expectation],
    entries: &[RecordedRequest],
) -> Result<(), String> {
    let mut failures = String::new();
    for expectation in expectations {
        let own: Vec<&RecordedRequest> = entries
            .iter()
            .filter(|entry| expectation.team.is_none() || entry.team == expectation.team)
            .collect();
        let seen = expectation.seen;
        if expectation.count.holds(seen) {
            continue;
        }
        let _ = writeln!(
            failures,
            "expected {} {}, received it {seen} time{}.",
            expectation.request.describe(),
            expectation.count,
            if seen == 1 { "" } else { "s" }
        );
        let _ = writeln!(failures, "  requests received ({}):", own.len());
        if own.is_empty() {
            let _ = writeln!(failures, "    none");
        }
        for entry in &own {
            let _ = writeln!(failures, "    {}", line(entry));
        }
        // Registered late matters only when too few arrived after it: those before it were
        // not counted.
        let too_few = match expectation.count {
            Count::Exactly(n) | Count::AtLeast(n) => seen < n,
            Count::AtMost(_) => false,
        };
        let late = match expectation.before {
            _ if !too_few => String::new(),
            0 => String::new(),
            1 => "1 matching request arrived before this expectation was registered".to_string(),
            n => format!("{n} matching requests arrived before this expectation was registered"),
        };
        let hint = if !late.is_empty() {
            "register expectations before the code under test runs: an expectation counts \
             only the requests answered after it"
        } else if own.is_empty() {
            "check that the code under test uses this mock's base URL and API key"
        } else if own.iter().any(|entry| (400..500).contains(&entry.status)) {
            "check the 4xx answers above: the mock refused those requests"
        } else {
            "check the method and path the code under test sends"
        };
        if !late.is_empty() {
            let _ = writeln!(failures, "  {late}.");
        }
        let _ = writeln!(failures, "  {hint}.");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}
