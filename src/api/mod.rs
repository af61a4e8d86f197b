//! The router: one plain function from a buffered request to a response. It picks the
//! endpoint, applies faults and the rate limiter, authenticates, parses and validates, runs the
//! store under its lock, records the journal and catches panics. It never sees a socket.

mod accounts;
pub(crate) mod admin;
mod custom_fields;
pub(crate) mod envelope;
mod faulted;
mod query;
mod sales;
mod segments;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;

use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::{Map, Value};

use crate::journal::JournalEntry;
use crate::shared::Shared;
use envelope::{Failure, Reply};
pub(crate) use faulted::{Action, Answer};
use query::Query;

/// Where the emulated API lives.
pub const API_PREFIX: &str = "/api/v1";
/// Where the admin API lives.
pub const ADMIN_PREFIX: &str = "/_mock";

/// The documented endpoints this mock serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Endpoint {
    CreateAccounts,
    ListAccounts,
    UpdateAccount,
    MapExternalIds,
    MissingExternalIds,
    ListSegments,
    CreateDeals,
    CreatePipelines,
    ListPipelines,
    CreateActivities,
    JourneyStages,
    ListCustomFields,
    CreateCustomField,
}

/// Finds the endpoint for `method` and `path` (without query). One trailing `/` is tolerated.
fn route(method: &Method, path: &str) -> Option<Endpoint> {
    let rest = api_rest(path)?;
    let endpoint = match (method.as_str(), rest) {
        ("POST", "/accounts") => Endpoint::CreateAccounts,
        ("GET", "/accounts") => Endpoint::ListAccounts,
        ("PATCH", "/accounts/external-ids") => Endpoint::MapExternalIds,
        ("GET", "/accounts/missing-external-ids") => Endpoint::MissingExternalIds,
        ("GET", "/segments") => Endpoint::ListSegments,
        ("POST", "/deals") => Endpoint::CreateDeals,
        ("POST", "/deal-stages") => Endpoint::CreatePipelines,
        ("GET", "/deal-stages") => Endpoint::ListPipelines,
        ("POST", "/sales-activities") => Endpoint::CreateActivities,
        ("GET", "/journey-stages") => Endpoint::JourneyStages,
        ("GET", "/accounts/custom-fields") => Endpoint::ListCustomFields,
        ("POST", "/accounts/custom-field") => Endpoint::CreateCustomField,
        ("PUT", rest) if account_id_segment(rest).is_some() => Endpoint::UpdateAccount,
        _ => return None,
    };
    Some(endpoint)
}

/// The `:rtp_aid` of `/accounts/:rtp_aid` (one non-empty path segment), from the path after
/// `/api/v1` with its one tolerated trailing `/` already removed.
fn account_id_segment(rest: &str) -> Option<&str> {
    let id = rest.strip_prefix("/accounts/")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The path after `/api/v1`, without one trailing `/`.
fn api_rest(path: &str) -> Option<&str> {
    let rest = path.strip_prefix(API_PREFIX)?;
    Some(rest.strip_suffix('/').unwrap_or(rest))
}

/// What a handler gets: the authenticated team, the query, the body, the shared state.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    /// The request path without the query.
    pub path: &'a str,
    pub team: String,
    pub query: Query,
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
}

impl Call<'_> {
    /// Whether the body is declared JSON (and so is read at all).
    pub fn is_json(&self) -> bool {
        is_json(self.headers)
    }

    /// The body as a JSON object, as the vendor's framework reads it: a body whose
    /// `Content-Type` is not JSON, or that is empty, is `{}`; so is JSON that is not an object.
    pub fn json_object(&self) -> Result<Map<String, Value>, Failure> {
        if !is_json(self.headers) || self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Ok(Map::new()),
            Err(error) => Err(Failure::malformed_json(error)),
        }
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Answers one request, and says what the server must still do for a fault (after every
/// lock is released). Never panics: a panic inside is answered with 500 and remembered.
pub(crate) fn handle(shared: &Shared, request: &Request<Bytes>) -> Answer {
    let path = request.uri().path();
    if path == ADMIN_PREFIX || path.starts_with("/_mock/") {
        return Answer::plain(guarded(shared, request, || admin::handle(shared, request)));
    }
    let mut action = None;
    let response = guarded(shared, request, || {
        let answer = api(shared, request);
        action = answer.action;
        answer.response
    });
    let answer = Answer { response, action };
    record(shared, request, answer.journal_status());
    if request.method() != Method::GET {
        shared.touch();
    }
    answer
}

fn guarded(
    shared: &Shared,
    request: &Request<Bytes>,
    respond: impl FnOnce() -> Response<Full<Bytes>>,
) -> Response<Full<Bytes>> {
    match catch_unwind(AssertUnwindSafe(respond)) {
        Ok(response) => response,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| text.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            tracing::error!(%message, "request handler panicked; answered 500");
            shared.panics.lock().push(message);
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            let failure = Failure::Plain(status, envelope::reason(status).to_string());
            envelope::failure(failure, shared.clock.now(), target_of(request))
        }
    }
}

fn target_of(request: &Request<Bytes>) -> &str {
    request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str())
}

/// Faults first (one decision per request), then the rate limiter, then the endpoint.
fn api(shared: &Shared, request: &Request<Bytes>) -> Answer {
    if shared.panic_next_request.swap(false, Ordering::AcqRel) {
        panic!("panic requested by the test (MockRecotap::panic_on_next_request)");
    }
    if let Some(hit) = faulted::decide(shared, request) {
        return faulted::shape(shared, request, hit, || respond(shared, request));
    }
    if let Some(answer) = faulted::rate_limited(shared, request) {
        return answer;
    }
    Answer::plain(respond(shared, request))
}

fn respond(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    let target = target_of(request);
    let outcome = serve(shared, request);
    let now = shared.clock.now();
    match outcome {
        Ok(reply) => envelope::success(reply, now, target),
        Err(failure) => envelope::failure(failure, now, target),
    }
}

fn serve(shared: &Shared, request: &Request<Bytes>) -> Result<Reply, Failure> {
    let path = request.uri().path();
    let Some(endpoint) = route(request.method(), path) else {
        let message = format!("Cannot {} {}", request.method(), path);
        return Err(Failure::Plain(StatusCode::NOT_FOUND, message));
    };
    let team = authenticate(shared, request.headers())?;
    let call = Call {
        shared,
        path,
        team,
        query: Query::parse(target_of(request)),
        headers: request.headers(),
        body: request.body(),
    };
    match endpoint {
        Endpoint::CreateAccounts => accounts::create(&call),
        Endpoint::ListAccounts => accounts::list(&call),
        Endpoint::UpdateAccount => accounts::update(&call),
        Endpoint::MapExternalIds => accounts::map_external_ids(&call),
        Endpoint::MissingExternalIds => accounts::missing_external_ids(&call),
        Endpoint::ListSegments => segments::list(&call),
        Endpoint::CreateDeals => sales::create_deals(&call),
        Endpoint::CreatePipelines => sales::create_pipelines(&call),
        Endpoint::ListPipelines => sales::list_pipelines(&call),
        Endpoint::CreateActivities => sales::create_activities(&call),
        Endpoint::JourneyStages => sales::journey_stages(&call),
        Endpoint::ListCustomFields => custom_fields::list(&call),
        Endpoint::CreateCustomField => custom_fields::create(&call),
    }
}

/// Maps `X-Api-Key` to a team (API.md §1.2).
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<String, Failure> {
    let unauthorized = |custom: &str| {
        Failure::Custom(
            StatusCode::UNAUTHORIZED,
            "Unauthorized access".to_string(),
            custom.to_string(),
        )
    };
    let Some(key) = headers.get("x-api-key") else {
        return Err(unauthorized("X-Api-Key header is required"));
    };
    let store = shared.store.lock();
    // Bytes, not `to_str`: that refuses anything outside visible ASCII, and a key of the
    // state document may hold UTF-8.
    std::str::from_utf8(key.as_bytes())
        .ok()
        .and_then(|key| store.team_for_key(key))
        .map(str::to_string)
        .ok_or_else(|| unauthorized("Invalid API key"))
}

fn record(shared: &Shared, request: &Request<Bytes>, status: u16) {
    // Cheap clones (shared buffers); text is made only when a test reads the journal.
    let entry = JournalEntry {
        method: request.method().clone(),
        uri: request.uri().clone(),
        headers: request.headers().clone(),
        body: request.body().clone(),
        status,
        at: shared.clock.now(),
    };
    shared.journal.lock().record(entry);
}

/// The 400 for a request with both `Content-Length` and `Transfer-Encoding` **[choice]**,
/// journaled like any API request; nothing of it is applied.
pub(crate) fn ambiguous_length(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    const WHY: &str = "A request must not carry both Content-Length and Transfer-Encoding";
    let status = StatusCode::BAD_REQUEST;
    let path = request.uri().path();
    if path == ADMIN_PREFIX || path.starts_with("/_mock/") {
        let message = serde_json::json!({ "error": WHY }).to_string();
        return envelope::json_response(status, message.into_bytes());
    }
    let reason = envelope::reason(status).to_string();
    let failure = Failure::Custom(status, reason, WHY.to_string());
    let response = envelope::failure(failure, shared.clock.now(), target_of(request));
    record(shared, request, status.as_u16());
    response
}

/// The 413 for a body over the limit (API.md §1.4), journaled like any API request.
pub(crate) fn too_large(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    let status = StatusCode::PAYLOAD_TOO_LARGE;
    let path = request.uri().path();
    if path == ADMIN_PREFIX || path.starts_with("/_mock/") {
        let message = format!(
            "{{\"error\":\"the body exceeds {} bytes\"}}",
            shared.settings.max_body_bytes
        );
        return envelope::json_response(status, message.into_bytes());
    }
    let failure = Failure::Plain(status, envelope::reason(status).to_string());
    let response = envelope::failure(failure, shared.clock.now(), target_of(request));
    record(shared, request, status.as_u16());
    response
}
