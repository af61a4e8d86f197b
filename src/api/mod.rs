//! The emulated API and the admin API as plain functions from a buffered request to a
//! response, never seeing a socket. [`pipeline::handle`] is the one way in; this module holds
//! the route table, the request view handlers parse ([`Call`]), and what they change under the
//! lock ([`Tx`]).

mod accounts;
pub(crate) mod admin;
mod caller;
mod custom_fields;
pub(crate) mod envelope;
mod faulted;
mod pipeline;
mod query;
mod refusal;
mod sales;
mod segments;
mod team_prefix;

use crate::fidelity::jsvalue::{JsObject, JsValue};
use bytes::Bytes;
use http::{header, HeaderMap, Method, Request};

use crate::data::profile::Profile;
use crate::fidelity::clock::Millis;
use crate::world::World;
use envelope::{Failure, Reply};
pub(crate) use faulted::{Action, Answer};
pub(crate) use pipeline::{handle, StateFileBatch};
pub(crate) use query::decode_path_segment;
use query::Query;
pub(crate) use refusal::{
    ambiguous_length, not_kept, too_large, undecodable, unsupported_encoding,
};
pub(crate) use team_prefix::{base_url as team_base_url, strip as strip_team_prefix};
pub(crate) use team_prefix::{Listening, TeamPrefix};

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

/// Every route [`route`] serves, as `(method, path)` with `:rtp_aid` for one path segment: what
/// a fault or an expectation may name (`crate::world::paths`), and what its refusal lists.
pub(crate) const ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/v1/accounts"),
    ("GET", "/api/v1/accounts"),
    ("PUT", "/api/v1/accounts/:rtp_aid"),
    ("PATCH", "/api/v1/accounts/external-ids"),
    ("GET", "/api/v1/accounts/missing-external-ids"),
    ("GET", "/api/v1/accounts/custom-fields"),
    ("POST", "/api/v1/accounts/custom-field"),
    ("GET", "/api/v1/segments"),
    ("POST", "/api/v1/deals"),
    ("POST", "/api/v1/deal-stages"),
    ("GET", "/api/v1/deal-stages"),
    ("POST", "/api/v1/sales-activities"),
    ("GET", "/api/v1/journey-stages"),
];

/// Finds the endpoint for `method` and `path` (without query). One trailing `/` is tolerated.
/// `HEAD` is routed as `GET`, as Express routes it (the server then sends the head alone).
fn route(method: &Method, path: &str) -> Option<Endpoint> {
    let rest = api_rest(path)?;
    let method = match method.as_str() {
        "HEAD" => "GET",
        method => method,
    };
    let endpoint = match (method, rest) {
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

/// The request as a handler reads it, before any state is touched.
pub(crate) struct Call<'r> {
    pub method: &'r Method,
    /// The request path without the query.
    pub path: &'r str,
    /// The request target as sent (path and query), for the envelope's `path`.
    pub target: &'r str,
    pub query: Query,
    pub headers: &'r HeaderMap,
    pub body: &'r Bytes,
}

impl<'r> Call<'r> {
    fn new(request: &'r Request<Bytes>) -> Self {
        let target = target_of(request);
        let path = match request.extensions().get::<SentTarget>() {
            Some(_) => target.split(['?', '#']).next().unwrap_or(target),
            None => request.uri().path(),
        };
        Call {
            method: request.method(),
            path,
            target,
            query: Query::parse(target),
            headers: request.headers(),
            body: request.body(),
        }
    }

    /// Whether the body is declared JSON (and so is read at all).
    pub fn is_json(&self) -> bool {
        is_json(self.headers)
    }

    /// The body as a JSON object, as the vendor's framework reads it: a body whose
    /// `Content-Type` is not JSON, or that is empty, is `{}`; so is JSON that is not an object.
    /// Read as `JSON.parse` reads it (a byte-order mark, lone surrogates and `1e400` are fine).
    pub fn json_object(&self) -> Result<JsObject, Failure> {
        // body-parser's decoder drops a leading byte-order mark before anything looks at it.
        let text = self.body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(self.body);
        if !is_json(self.headers) || text.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsObject::new());
        }
        match crate::fidelity::jsjson::parse(self.body) {
            Ok(JsValue::Object(object)) => Ok(*object),
            Ok(_) => Ok(JsObject::new()),
            Err(error) => Err(Failure::malformed_json(error)),
        }
    }
}

/// What an endpoint does once the request is authenticated: its business work, run under the
/// world's lock. A handler parses and validates first (no lock) and returns this.
pub(crate) type Work<'r> = Box<dyn FnOnce(&mut Tx<'_>) -> Result<Reply, Failure> + 'r>;

/// What a handler's [`Work`] may touch: the world, as the authenticated team, at one instant.
pub(crate) struct Tx<'w> {
    pub world: &'w mut World,
    pub team: &'w str,
    /// The mock's time for this whole request.
    pub now: Millis,
    /// The team's profile (its own, else the mock's), read under the same lock.
    pub profile: Profile,
}

/// Wraps a handler's business work for the pipeline.
pub(crate) fn work<'r>(
    run: impl FnOnce(&mut Tx<'_>) -> Result<Reply, Failure> + 'r,
) -> Result<Work<'r>, Failure> {
    Ok(Box::new(run))
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// A hint for the journal when `request` was likely not read as its sender meant: a body
/// sent without a JSON `Content-Type` (the vendor's framework reads it as `{}`, so the answer
/// names fields as missing: Node's `fetch` with a `JSON.stringify` body and no header sends
/// `text/plain`), or a browser's CORS preflight, which only `--cors` answers.
pub(crate) fn hint_for(request: &Request<Bytes>) -> Option<&'static str> {
    let method = request.method();
    if method == Method::OPTIONS
        && request.headers().contains_key(header::ORIGIN)
        && request
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return Some(
            "a browser's CORS preflight: the mock answers it only when started with --cors \
             (or --cors-origin ORIGIN)",
        );
    }
    let sends_body = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
    let has_body = !request.body().iter().all(u8::is_ascii_whitespace);
    (sends_body && has_body && !is_json(request.headers())).then_some(
        "body ignored: its Content-Type is not application/json, so the vendor reads it as {} \
         (send Content-Type: application/json)",
    )
}

/// Whether `path` belongs to the admin API.
pub(crate) fn is_admin(path: &str) -> bool {
    path == ADMIN_PREFIX || path.starts_with("/_mock/")
}

/// The request target as the client sent it, where that is not what hyper read: the server
/// percent-encodes the bytes hyper refuses (`"`, `<`, raw UTF-8...) and keeps the original
/// here, which is what Node shows (`req.url`).
#[derive(Clone, Debug)]
pub(crate) struct SentTarget(pub String);

/// The request target as sent: path and query.
fn target_of(request: &Request<Bytes>) -> &str {
    if let Some(SentTarget(sent)) = request.extensions().get::<SentTarget>() {
        return sent;
    }
    request
        .uri()
        .path_and_query()
        .map_or("/", |target| target.as_str())
}

/// Parses and validates a request for `endpoint` (no state touched) into the work it asks for.
fn prepare<'r>(endpoint: Endpoint, call: &Call<'r>) -> Result<Work<'r>, Failure> {
    match endpoint {
        Endpoint::CreateAccounts => accounts::create(call),
        Endpoint::ListAccounts => accounts::list(call),
        Endpoint::UpdateAccount => accounts::update(call),
        Endpoint::MapExternalIds => accounts::map_external_ids(call),
        Endpoint::MissingExternalIds => accounts::missing_external_ids(call),
        Endpoint::ListSegments => segments::list(call),
        Endpoint::CreateDeals => sales::create_deals(call),
        Endpoint::CreatePipelines => sales::create_pipelines(call),
        Endpoint::ListPipelines => sales::list_pipelines(call),
        Endpoint::CreateActivities => sales::create_activities(call),
        Endpoint::JourneyStages => sales::journey_stages(call),
        Endpoint::ListCustomFields => custom_fields::list(call),
        Endpoint::CreateCustomField => custom_fields::create(call),
    }
}

/// Whether the vendor would parse this request's body as JSON, and so look at its
/// `Content-Encoding`: body-parser's JSON parser runs for a JSON `Content-Type` only. The
/// admin API reads every body it is sent.
pub(crate) fn reads_body_as_json(uri: &http::Uri, headers: &HeaderMap) -> bool {
    is_admin(uri.path()) || is_json(headers)
}
