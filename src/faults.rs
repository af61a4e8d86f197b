//! Fault specs (CONTROL.md §6) and the table that decides, per API request, which fault hits:
//! matching, `after` / `times` counting and seeded probability. Pure: it decides what should go
//! wrong and never does I/O; the router shapes the response and the server performs delays.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::jsvalue::JsValue;

use crate::model::splitmix64;

/// What a fault does to a request. See [`Fault`] for what a client sees for each kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FaultKind {
    /// An error status with the API's error envelope (or a given body).
    Status,
    /// `429 Too Many Requests` with a `Retry-After` header.
    RateLimit,
    /// The normal response, later.
    Delay,
    /// No response until the client gives up or the mock stops.
    Hang,
    /// The connection is closed with a TCP reset, without a response.
    Reset,
    /// `200` with a body cut off mid-JSON.
    Malformed,
}

/// One fault: what goes wrong, for which requests, how often. Build one with the kind
/// constructors and the scheduling methods, then hand it to
/// [`MockRecotap::add_fault`](crate::MockRecotap::add_fault); or `POST` its JSON form to
/// `/_mock/faults`.
///
/// What a client sees, per kind:
///
/// | constructor | response |
/// |---|---|
/// | [`Fault::status`] | that status, with the error envelope (`message` = reason phrase) or [`Fault::body`] |
/// | [`Fault::rate_limit`] | `429`, `Retry-After: N`, envelope `message` `Too Many Requests` |
/// | [`Fault::delay`] | the normal response, that much later |
/// | [`Fault::hang`] | nothing: the client times out (or sees the connection close when the mock stops) |
/// | [`Fault::reset`] | the connection is reset (TCP RST) without a response |
/// | [`Fault::malformed`] | `200` whose JSON body is cut in half |
///
/// ```
/// use std::time::Duration;
/// use recotap_mock::{Fault, MockRecotap};
///
/// let mock = MockRecotap::start();
/// mock.add_fault(Fault::status(503).on("POST", "/api/v1/accounts").times(2));
/// mock.add_fault(Fault::delay(Duration::from_millis(50)).on_path("/api/v1/segments*"));
///
/// let listed = serde_json::to_value(&mock.faults()).unwrap();
/// assert_eq!(listed[0]["remaining"], 2);
/// assert_eq!(listed[1]["delayMs"], 50);
/// ```
///
/// The JSON form (CONTROL.md §6) has the same fields:
///
/// ```
/// use recotap_mock::Fault;
///
/// let fault: Fault = serde_json::from_str(r#"{ "kind": "status", "status": 503,
///     "match": { "method": "POST", "path": "/api/v1/accounts" }, "times": 2 }"#).unwrap();
/// assert_eq!(fault, Fault::status(503).on("POST", "/api/v1/accounts").times(2));
///
/// let typo = serde_json::from_str::<Fault>(r#"{ "kind": "status", "stauts": 503 }"#);
/// assert!(typo.unwrap_err().to_string().contains("unknown field `stauts`"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Spec", into = "Spec")]
pub struct Fault(Spec);

/// The fields of a fault as the admin API reads and lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Spec {
    kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// Kept in the order sent, so that it is answered verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<JsValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, rename = "match", skip_serializing_if = "Match::is_any")]
    matcher: Match,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u64>,
    #[serde(default)]
    after: u64,
    #[serde(default = "always")]
    probability: f64,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    apply: bool,
}

fn always() -> f64 {
    1.0
}

/// Which requests a fault considers; an omitted part matches everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    /// Exact, or a prefix when it ends in `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

impl Match {
    fn is_any(&self) -> bool {
        self.method.is_none() && self.path.is_none()
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = self
            .method
            .as_deref()
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method));
        let path_ok = match self.path.as_deref() {
            None => true,
            Some(wanted) => match wanted.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                // The router tolerates one trailing `/`, so a fault on a path does too.
                None => path == wanted || path.strip_suffix('/') == Some(wanted),
            },
        };
        method_ok && path_ok
    }
}

/// The `retryAfter` a `rateLimit` fault sends when none is given.
const DEFAULT_RETRY_AFTER: u64 = 1;

impl Fault {
    fn of(kind: FaultKind) -> Self {
        Fault(Spec {
            kind,
            status: None,
            body: None,
            retry_after: None,
            delay_ms: None,
            matcher: Match::default(),
            times: None,
            after: 0,
            probability: 1.0,
            seed: 0,
            apply: false,
        })
    }

    /// Answers with `status` (400 to 599) and the API's error envelope for it.
    ///
    /// ```
    /// # use recotap_mock::{Fault, MockRecotap};
    /// let mock = MockRecotap::start();
    /// mock.add_fault(Fault::status(503));
    /// let response = reqwest::blocking::Client::new()
    ///     .get(format!("{}/segments", mock.base_url()))
    ///     .header("X-Api-Key", mock.api_key())
    ///     .send().unwrap();
    /// assert_eq!(response.status(), 503);
    /// let body: serde_json::Value = response.json().unwrap();
    /// assert_eq!(body["message"], "Service Unavailable");
    /// ```
    ///
    /// # Panics
    /// At the call, if `status` is outside 400 to 599.
    pub fn status(status: u16) -> Self {
        let mut fault = Fault::of(FaultKind::Status);
        fault.0.status = Some(status);
        fault.checked(&format!("status({status})"))
    }

    /// Answers `429 Too Many Requests` with `Retry-After: retry_after_secs`.
    pub fn rate_limit(retry_after_secs: u64) -> Self {
        Fault::of(FaultKind::RateLimit).retry_after(retry_after_secs)
    }

    /// Answers normally, `delay` later (in whole milliseconds). Other requests are not slowed.
    pub fn delay(delay: Duration) -> Self {
        let mut fault = Fault::of(FaultKind::Delay);
        fault.0.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        fault
    }

    /// Never answers: the client times out, or sees the connection close when the mock stops.
    pub fn hang() -> Self {
        Fault::of(FaultKind::Hang)
    }

    /// Closes the connection with a TCP reset instead of answering.
    pub fn reset() -> Self {
        Fault::of(FaultKind::Reset)
    }

    /// Answers `200` with a JSON body cut off halfway.
    pub fn malformed() -> Self {
        Fault::of(FaultKind::Malformed)
    }

    /// A `status` fault's body, sent as given instead of the error envelope.
    ///
    /// # Panics
    /// At the call, on a fault of another kind.
    pub fn body(mut self, body: Value) -> Self {
        self.0.body = Some(JsValue::from(body));
        self.checked("body(..)")
    }

    /// Adds `Retry-After: secs` to a `status` fault, or changes a `rate_limit` fault's.
    ///
    /// # Panics
    /// At the call, on a fault of another kind.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after = Some(secs);
        self.checked(&format!("retry_after({secs})"))
    }

    /// Only requests with this method and path; a path ending in `*` is a prefix.
    ///
    /// # Panics
    /// At the call, if `method` is empty or `path` does not start with `/`.
    pub fn on(mut self, method: &str, path: &str) -> Self {
        self.0.matcher.method = Some(method.to_string());
        self.0.matcher.path = Some(path.to_string());
        self.checked(&format!("on({method:?}, {path:?})"))
    }

    /// Only requests to this path, whatever their method; a path ending in `*` is a prefix.
    ///
    /// # Panics
    /// At the call, if `path` does not start with `/`.
    pub fn on_path(mut self, path: &str) -> Self {
        self.0.matcher.path = Some(path.to_string());
        self.checked(&format!("on_path({path:?})"))
    }

    /// Hits this many matching requests, then is spent (default: no limit).
    ///
    /// # Panics
    /// At the call, if `times` is 0.
    pub fn times(mut self, times: u64) -> Self {
        self.0.times = Some(times);
        self.checked(&format!("times({times})"))
    }

    /// Lets this many matching requests through before the first hit.
    pub fn after(mut self, requests: u64) -> Self {
        self.0.after = requests;
        self
    }

    /// Hits each matching request with chance `probability` (0 to 1). The same seed gives the
    /// same hit pattern: whether the n-th matching request is hit depends only on seed and n.
    ///
    /// ```
    /// # use recotap_mock::{Fault, MockRecotap};
    /// let mock = MockRecotap::start();
    /// let client = reqwest::blocking::Client::new();
    /// let run = || {
    ///     mock.add_fault(Fault::status(500).probability(0.3, 42));
    ///     let statuses: Vec<u16> = (0..10).map(|_| {
    ///         client.get(format!("{}/segments", mock.base_url()))
    ///             .header("X-Api-Key", mock.api_key())
    ///             .send().unwrap().status().as_u16()
    ///     }).collect();
    ///     mock.reset(); // removes the fault
    ///     statuses
    /// };
    /// assert_eq!(run(), run());
    /// ```
    ///
    /// # Panics
    /// At the call, if `probability` is not between 0 and 1.
    pub fn probability(mut self, probability: f64, seed: u64) -> Self {
        self.0.probability = probability;
        self.0.seed = seed;
        self.checked(&format!("probability({probability}, {seed})"))
    }

    /// Lets the request take effect first, then shapes the response: "the write happened, but
    /// the client never heard". (A `delay` always applies the request.)
    ///
    /// ```
    /// # use recotap_mock::{Fault, MockRecotap};
    /// let mock = MockRecotap::start();
    /// mock.add_fault(Fault::reset().on("POST", "/api/v1/accounts").applied().times(1));
    ///
    /// let lost = reqwest::blocking::Client::new()
    ///     .post(format!("{}/accounts", mock.base_url()))
    ///     .header("X-Api-Key", mock.api_key())
    ///     .json(&serde_json::json!({ "accounts": [{ "domain": "acme.com", "name": "Acme" }] }))
    ///     .send();
    /// assert!(lost.is_err()); // connection reset by peer
    /// assert!(mock.account_by_domain("acme.com").is_some()); // yet the account is stored
    /// ```
    pub fn applied(mut self) -> Self {
        self.0.apply = true;
        self
    }

    /// What this fault does.
    pub fn kind(&self) -> FaultKind {
        self.0.kind
    }

    /// The fault, if its fields are consistent; otherwise a panic at the builder call that
    /// made them inconsistent (`call` names it), saying which field is wrong and why.
    fn checked(self, call: &str) -> Self {
        match self.check() {
            Ok(()) => self,
            Err(problem) => panic!("recotap-mock: Fault::{call}: {problem}"),
        }
    }

    /// Checks the combination of fields; the message names the field at fault.
    pub(crate) fn check(&self) -> Result<(), String> {
        let spec = &self.0;
        let kind = spec.kind;
        let only = |present: bool, field: &str, kinds: &[FaultKind], names: &str| {
            if present && !kinds.contains(&kind) {
                Err(format!("\"{field}\" applies only to kind {names}"))
            } else {
                Ok(())
            }
        };
        only(
            spec.status.is_some(),
            "status",
            &[FaultKind::Status],
            "status",
        )?;
        only(spec.body.is_some(), "body", &[FaultKind::Status], "status")?;
        let limits = [FaultKind::Status, FaultKind::RateLimit];
        only(
            spec.retry_after.is_some(),
            "retryAfter",
            &limits,
            "status or rateLimit",
        )?;
        only(
            spec.delay_ms.is_some(),
            "delayMs",
            &[FaultKind::Delay],
            "delay",
        )?;
        if kind == FaultKind::Status && !spec.status.is_some_and(|s| (400..=599).contains(&s)) {
            return Err("a status fault needs \"status\" between 400 and 599".to_string());
        }
        if kind == FaultKind::Delay && spec.delay_ms.is_none() {
            return Err("a delay fault needs \"delayMs\"".to_string());
        }
        if spec.times == Some(0) {
            return Err("\"times\" must be at least 1 (omit it for no limit)".to_string());
        }
        if !(0.0..=1.0).contains(&spec.probability) {
            return Err("\"probability\" must be between 0 and 1".to_string());
        }
        if spec.matcher.method.as_deref() == Some("") {
            return Err("\"match.method\" must not be empty (omit it for any method)".to_string());
        }
        if spec
            .matcher
            .path
            .as_deref()
            .is_some_and(|path| !path.starts_with('/'))
        {
            return Err("\"match.path\" must start with \"/\"".to_string());
        }
        Ok(())
    }

    /// Whether the `n`-th matching request (from 0) wins the roll.
    fn rolls_hit(&self, n: u64) -> bool {
        let probability = self.0.probability;
        if probability >= 1.0 {
            return true;
        }
        // The n-th output of the splitmix64 sequence started at `seed`: a function of seed and
        // n alone, so other traffic and other faults cannot shift the pattern.
        let draw = splitmix64(
            self.0
                .seed
                .wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        );
        let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
        unit < probability
    }

    fn shape(&self) -> Shape {
        let spec = &self.0;
        match spec.kind {
            FaultKind::Status => Shape::Status {
                status: spec.status.unwrap_or(500),
                body: spec.body.clone(),
                retry_after: spec.retry_after,
            },
            FaultKind::RateLimit => Shape::RateLimit {
                retry_after: spec.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            },
            FaultKind::Delay => Shape::Delay(Duration::from_millis(spec.delay_ms.unwrap_or(0))),
            FaultKind::Hang => Shape::Hang,
            FaultKind::Reset => Shape::Reset,
            FaultKind::Malformed => Shape::Malformed,
        }
    }
}

impl TryFrom<Spec> for Fault {
    type Error = String;

    fn try_from(mut spec: Spec) -> Result<Self, String> {
        if spec.kind == FaultKind::RateLimit && spec.retry_after.is_none() {
            spec.retry_after = Some(DEFAULT_RETRY_AFTER);
        }
        let fault = Fault(spec);
        fault.check()?;
        Ok(fault)
    }
}

impl From<Fault> for Spec {
    fn from(fault: Fault) -> Spec {
        fault.0
    }
}

/// Identifies a fault added to a mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FaultId(u64);

impl FaultId {
    /// The number the admin API reports as `id`.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A fault that still has uses left, as [`MockRecotap::faults`](crate::MockRecotap::faults)
/// and `GET /_mock/faults` list it: the fault's fields plus `id`, `remaining` and `hits`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ActiveFault {
    pub id: FaultId,
    #[serde(flatten)]
    pub fault: Fault,
    /// Hits left before it is spent; `None` (JSON `null`) without a `times` limit.
    pub remaining: Option<u64>,
    /// Requests it has hit so far.
    pub hits: u64,
}

/// What the router must make of a request a fault hit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Status {
        status: u16,
        body: Option<JsValue>,
        retry_after: Option<u64>,
    },
    RateLimit {
        retry_after: u64,
    },
    Delay(Duration),
    Hang,
    Reset,
    Malformed,
}

/// The decision for one request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hit {
    pub id: FaultId,
    pub shape: Shape,
    /// Process the request before shaping the response.
    pub apply: bool,
}

impl Hit {
    /// Whether the request is processed as usual before the fault shapes the answer: when the
    /// fault applies it, and always for a delay (the client gets the real answer, late).
    pub fn serves(&self) -> bool {
        self.apply || matches!(self.shape, Shape::Delay(_))
    }
}

#[derive(Debug)]
struct Entry {
    id: FaultId,
    fault: Fault,
    /// Matching requests that reached this fault (the `after` window and probability index).
    seen: u64,
    hits: u64,
}

/// The faults of one mock, in the order added.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    entries: Vec<Entry>,
    /// Ids keep rising across `clear`, so an id never names two faults.
    last_id: u64,
}

impl FaultTable {
    /// Adds a checked fault at the end of the table.
    pub fn add(&mut self, fault: Fault) -> Result<FaultId, String> {
        fault.check()?;
        self.last_id += 1;
        let id = FaultId(self.last_id);
        self.entries.push(Entry {
            id,
            fault,
            seen: 0,
            hits: 0,
        });
        Ok(id)
    }

    /// The faults with uses left, in the order they are checked.
    pub fn list(&self) -> Vec<ActiveFault> {
        let listed = |entry: &Entry| ActiveFault {
            id: entry.id,
            fault: entry.fault.clone(),
            remaining: entry.fault.0.times.map(|times| times - entry.hits),
            hits: entry.hits,
        };
        self.entries.iter().map(listed).collect()
    }

    /// Removes every fault.
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    /// Decides whether a fault hits the request `method path` (path without query), and
    /// counts it. Faults are checked in the order added; each counts the matching requests
    /// that reach it, so a request hit by an earlier fault is not seen by later ones.
    pub fn decide(&mut self, method: &str, path: &str) -> Option<Hit> {
        let position = self.entries.iter_mut().position(|entry| {
            if !entry.fault.0.matcher.matches(method, path) {
                return false;
            }
            let n = entry.seen;
            entry.seen += 1;
            n >= entry.fault.0.after && entry.fault.rolls_hit(n)
        })?;
        let entry = &mut self.entries[position];
        entry.hits += 1;
        let hit = Hit {
            id: entry.id,
            shape: entry.fault.shape(),
            apply: entry.fault.0.apply,
        };
        if entry.fault.0.times == Some(entry.hits) {
            self.entries.remove(position);
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hits(table: &mut FaultTable, method: &str, path: &str, count: usize) -> Vec<bool> {
        (0..count)
            .map(|_| table.decide(method, path).is_some())
            .collect()
    }

    #[test]
    fn the_json_form_reads_every_field_and_lists_back_normalised() {
        let fault: Fault = serde_json::from_value(json!({
            "kind": "status", "status": 503, "body": { "oops": true }, "retryAfter": 2,
            "match": { "method": "POST", "path": "/api/v1/accounts" },
            "times": 2, "after": 1, "probability": 0.5, "seed": 7, "apply": true }))
        .unwrap();
        let expected = Fault::status(503)
            .body(json!({ "oops": true }))
            .retry_after(2)
            .on("POST", "/api/v1/accounts")
            .times(2)
            .after(1)
            .probability(0.5, 7)
            .applied();
        assert_eq!(fault, expected);
        assert_eq!(
            serde_json::to_value(Fault::rate_limit(3)).unwrap(),
            json!({ "kind": "rateLimit", "retryAfter": 3, "after": 0, "probability": 1.0,
                    "seed": 0, "apply": false })
        );
    }

    #[test]
    fn a_rate_limit_fault_without_retry_after_sends_one_second() {
        let fault: Fault = serde_json::from_value(json!({ "kind": "rateLimit" })).unwrap();
        assert_eq!(fault, Fault::rate_limit(1));
    }

    #[test]
    fn inconsistent_faults_are_refused_with_a_message_naming_the_field() {
        let cases = [
            (
                json!({ "kind": "status" }),
                "a status fault needs \"status\" between 400 and 599",
            ),
            (
                json!({ "kind": "status", "status": 200 }),
                "a status fault needs \"status\" between 400 and 599",
            ),
            (
                json!({ "kind": "delay" }),
                "a delay fault needs \"delayMs\"",
            ),
            (
                json!({ "kind": "hang", "delayMs": 5 }),
                "\"delayMs\" applies only to kind delay",
            ),
            (
                json!({ "kind": "reset", "status": 500 }),
                "\"status\" applies only to kind status",
            ),
            (
                json!({ "kind": "malformed", "body": {} }),
                "\"body\" applies only to kind status",
            ),
            (
                json!({ "kind": "hang", "retryAfter": 1 }),
                "\"retryAfter\" applies only to kind status or rateLimit",
            ),
            (
                json!({ "kind": "hang", "times": 0 }),
                "\"times\" must be at least 1 (omit it for no limit)",
            ),
            (
                json!({ "kind": "hang", "probability": 1.5 }),
                "\"probability\" must be between 0 and 1",
            ),
            (
                json!({ "kind": "hang", "match": { "method": "" } }),
                "\"match.method\" must not be empty (omit it for any method)",
            ),
            (
                json!({ "kind": "hang", "match": { "path": "api" } }),
                "\"match.path\" must start with \"/\"",
            ),
        ];
        for (body, message) in cases {
            let error = serde_json::from_value::<Fault>(body.clone()).unwrap_err();
            assert_eq!(error.to_string(), message, "{body}");
        }
        let unknown =
            serde_json::from_value::<Fault>(json!({ "kind": "hang", "match": { "verb": "GET" } }));
        assert!(unknown
            .unwrap_err()
            .to_string()
            .starts_with("unknown field `verb`"));
        let kind = serde_json::from_value::<Fault>(json!({ "kind": "explode" }));
        assert!(kind
            .unwrap_err()
            .to_string()
            .starts_with("unknown variant `explode`"));
    }

    #[test]
    fn a_path_ending_in_star_is_a_prefix_and_other_paths_are_exact() {
        let mut table = FaultTable::default();
        table
            .add(Fault::hang().on("post", "/api/v1/accounts"))
            .unwrap();
        table
            .add(Fault::reset().on_path("/api/v1/segments*"))
            .unwrap();
        assert!(table.decide("POST", "/api/v1/accounts").is_some());
        assert!(table.decide("POST", "/api/v1/accounts/").is_some());
        assert!(table.decide("GET", "/api/v1/accounts").is_none());
        assert!(table
            .decide("POST", "/api/v1/accounts/custom-field")
            .is_none());
        assert_eq!(
            table.decide("GET", "/api/v1/segments/x").unwrap().shape,
            Shape::Reset
        );
    }

    #[test]
    fn after_lets_requests_through_then_times_spends_the_fault() {
        let mut table = FaultTable::default();
        table.add(Fault::status(500).after(2).times(2)).unwrap();
        assert_eq!(table.list()[0].remaining, Some(2));
        let pattern = hits(&mut table, "GET", "/api/v1/segments", 6);
        assert_eq!(pattern, [false, false, true, true, false, false]);
        assert!(table.list().is_empty());
    }

    #[test]
    fn a_request_hit_by_an_earlier_fault_is_not_seen_by_later_ones() {
        let mut table = FaultTable::default();
        let first = table.add(Fault::status(503).times(1)).unwrap();
        let second = table.add(Fault::reset().after(1)).unwrap();
        let ids: Vec<_> = (0..3)
            .map(|_| table.decide("GET", "/api/v1/segments").map(|hit| hit.id))
            .collect();
        assert_eq!(ids, [Some(first), None, Some(second)]);
    }

    #[test]
    fn seeded_probability_depends_only_on_the_seed_and_the_match_count() {
        let pattern = |seed| {
            let mut table = FaultTable::default();
            table
                .add(
                    Fault::hang()
                        .on_path("/api/v1/accounts")
                        .probability(0.5, seed),
                )
                .unwrap();
            let mut seen = Vec::new();
            for _ in 0..16 {
                // Traffic the fault does not match must not shift its pattern.
                assert!(table.decide("GET", "/api/v1/segments").is_none());
                seen.push(table.decide("POST", "/api/v1/accounts").is_some());
            }
            seen
        };
        let seven = pattern(7);
        assert_eq!(seven, pattern(7));
        assert_ne!(seven, pattern(8));
        let hit_count = seven.iter().filter(|hit| **hit).count();
        assert!((3..=13).contains(&hit_count), "{seven:?}");
    }

    #[test]
    fn probability_zero_never_hits_and_one_always_hits() {
        let mut table = FaultTable::default();
        table.add(Fault::hang().probability(0.0, 1)).unwrap();
        assert_eq!(hits(&mut table, "GET", "/api/v1/x", 50), [false; 50]);
        table.clear();
        table.add(Fault::hang().probability(1.0, 1)).unwrap();
        assert_eq!(hits(&mut table, "GET", "/api/v1/x", 50), [true; 50]);
    }

    #[test]
    fn ids_keep_rising_after_clear() {
        let mut table = FaultTable::default();
        let first = table.add(Fault::hang()).unwrap();
        table.clear();
        let second = table.add(Fault::hang()).unwrap();
        assert!(second > first);
    }
}
