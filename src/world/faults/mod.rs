//! Faults (docs/control.md §6): [`Fault`] and its builder methods here, its fields and rules in
//! `spec`, the table that decides per API request which fault hits in `table`. Pure: it decides
//! what should go wrong and never does I/O; the pipeline shapes the response and the server
//! performs delays.

mod spec;
mod table;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::fidelity::jsvalue::JsValue;
pub use spec::FaultId;

/// A fault whose fields do not fit together (say, `"body"` on a `hang`); `Display` names the
/// field. A `Fault` built through its methods never is: they refuse at the call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidFault {
    pub(crate) problem: String,
}

impl std::fmt::Display for InvalidFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem)
    }
}

impl std::error::Error for InvalidFault {}
use spec::{Match, Spec};
pub use table::ActiveFault;
pub(crate) use table::{decide, FaultTable, Hit, Shape};

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
/// [`TeamView::add_fault`](crate::TeamView::add_fault) (on the mock, a session or a team),
/// or `POST` its JSON form to `/_mock/faults`.
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
/// The JSON form (docs/control.md §6) has the same fields:
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

impl Fault {
    fn of(kind: FaultKind) -> Self {
        Fault(Spec {
            kind,
            status: None,
            body: None,
            headers: None,
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

    /// Answers with `status` (200 to 599) and the API's error envelope for it (or the
    /// [`body`](Self::body) given: a 2xx with a body feeds the client a success shape of your
    /// choosing, such as one the vendor was seen to send).
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
    /// At the call, if `status` is outside 200 to 599.
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

    /// Adds the header `name: value` to a `status` fault's answer (replacing one the answer
    /// would carry, such as `Content-Type`).
    ///
    /// ```
    /// # use recotap_mock::{Fault, MockRecotap};
    /// let mock = MockRecotap::start();
    /// mock.add_fault(Fault::status(200).body(serde_json::json!({"data": []})).header("X-Vendor", "1"));
    /// let response = reqwest::blocking::Client::new()
    ///     .get(format!("{}/journey-stages", mock.base_url()))
    ///     .header("X-Api-Key", mock.api_key())
    ///     .send().unwrap();
    /// assert_eq!(response.headers()["x-vendor"], "1");
    /// ```
    ///
    /// # Panics
    /// At the call, on a fault of another kind, or if `name` is not a header name or `value`
    /// not a header value.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0
            .headers
            .get_or_insert_with(Default::default)
            .insert(name.to_string(), value.to_string());
        self.checked(&format!("header({name:?}, {value:?})"))
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

    /// Only requests authenticated as `team` (a session's faults get their team implicitly).
    pub fn for_team(mut self, team: &str) -> Self {
        self.0.matcher.team = Some(team.to_string());
        self
    }

    /// The team this fault is limited to, if any.
    pub fn team(&self) -> Option<&str> {
        self.0.matcher.team.as_deref()
    }
}
