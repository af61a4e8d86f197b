//! Every answer the server decides before the pipeline runs, made in one place: a body too
//! large (413), in a coding body-parser does not inflate (415) or that does not inflate (400),
//! ambiguous framing (a bare 400, as Node's parser answers it, on any path), and a change the
//! state file could not keep (500). Each API request among them is journaled as the pipeline
//! journals (under the caller's team, at its time); the enveloped ones are written in that
//! team's profile, and the admin API's get `{"error": ...}` instead. The pipeline's own
//! refusals (404, 401, the body's 400, faults, the rate limiter) are made by `pipeline`
//! through `envelope::failure`.

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;

use super::caller::Caller;
use super::envelope::{self, Failure};
use super::{is_admin, target_of};
use crate::world::journal::JournalEntry;
use crate::world::shared::Shared;

/// Answers an API request the server refused before the pipeline (`failure`), journaled like
/// any API request; nothing of it is applied. Admin requests get `{"error": admin_message}`.
fn refused_early(
    shared: &Shared,
    request: &Request<Bytes>,
    failure: Failure,
    admin_message: String,
) -> Response<Full<Bytes>> {
    if is_admin(request.uri().path()) {
        let status = match &failure {
            Failure::Violations(_) => StatusCode::BAD_REQUEST,
            Failure::Status(status)
            | Failure::CustomMessage(status, _)
            | Failure::Message(status, _)
            | Failure::MessageAndCustom(status, ..) => *status,
        };
        let message = serde_json::json!({ "error": admin_message }).to_string();
        return envelope::json_response(status, message.into_bytes());
    }
    let entry = JournalEntry::open(request, target_of(request));
    let mut world = shared.world();
    // Journaled as the pipeline journals: under the key's team, at that team's time, so that a
    // session's checks and report see the refusals its client got; written as that team's
    // profile writes errors.
    let caller = Caller::resolve(&world, request);
    let team = caller.team();
    let now = world.now_for(team);
    let profile = world.profile_for(team);
    let (parts, body) = envelope::failure(failure, now, target_of(request), profile).into_parts();
    let body = body.into_inner().unwrap_or_default();
    let status = parts.status.as_u16();
    let entry = entry.by(team, None);
    world.record(entry.close(status, now, body.clone(), std::time::Duration::ZERO));
    Response::from_parts(parts, Full::new(body))
}

/// The 400 for a request with both `Content-Length` and `Transfer-Encoding`, answered as the
/// vendor's Node server answers it (its parser, llhttp, refuses the head before any route):
/// `400 Bad Request`, no body, connection closed, on any path. An API request is still
/// journaled (under the caller's team, noted with why), so a session's checks and report see
/// it; nothing of it is applied.
pub(crate) fn ambiguous_length(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    let status = StatusCode::BAD_REQUEST;
    if !is_admin(request.uri().path()) {
        let mut entry = JournalEntry::open(request, target_of(request));
        entry.note = Some(AMBIGUOUS_NOTE);
        let mut world = shared.world();
        let team = Caller::resolve(&world, request).team().map(str::to_string);
        let now = world.now_for(team.as_deref());
        let entry = entry.by(team.as_deref(), None);
        world.record(entry.close(
            status.as_u16(),
            now,
            Bytes::new(),
            std::time::Duration::ZERO,
        ));
    }
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

/// The journal's note on a request refused for carrying both framing headers.
const AMBIGUOUS_NOTE: &str = "both Content-Length and Transfer-Encoding: refused by the HTTP \
                              parser with a bare 400, as Node's llhttp refuses it";

/// The 415 for a body in a coding body-parser does not inflate (only `gzip`, `deflate` and
/// `identity`), journaled like any API request. `coding` is shown lower-cased, as body-parser
/// shows it.
pub(crate) fn unsupported_encoding(
    shared: &Shared,
    request: &Request<Bytes>,
    coding: &str,
) -> Response<Full<Bytes>> {
    let status = StatusCode::UNSUPPORTED_MEDIA_TYPE;
    let why = format!("Unsupported content encoding \"{coding}\"");
    let failure = Failure::CustomMessage(status, why.clone());
    refused_early(shared, request, failure, why)
}

/// The 400 for a gzip or deflate body that does not inflate (zlib's detail) **\[choice\]**,
/// journaled like any API request.
pub(crate) fn undecodable(
    shared: &Shared,
    request: &Request<Bytes>,
    detail: &str,
) -> Response<Full<Bytes>> {
    let why = format!("Malformed compressed body: {detail}");
    let failure = Failure::CustomMessage(StatusCode::BAD_REQUEST, why.clone());
    refused_early(shared, request, failure, why)
}

/// The 500 for a change the state file could not keep (its commit failed): the API's 500 for
/// any fault of the emulator (`Internal Server Error`, `data` `null`: the cause is logged and
/// reported at stop), or the admin API's `{"error": ...}` naming it. The journal already holds
/// the request, with the answer it would have had.
pub(crate) fn not_kept(
    shared: &Shared,
    request: &Request<Bytes>,
    failure: &str,
) -> Response<Full<Bytes>> {
    let status = StatusCode::INTERNAL_SERVER_ERROR;
    if is_admin(request.uri().path()) {
        let body = serde_json::json!({ "error": failure }).to_string();
        return envelope::json_response(status, body.into_bytes());
    }
    let world = shared.world();
    let team = Caller::resolve(&world, request).team().map(str::to_string);
    let (now, profile) = (
        world.now_for(team.as_deref()),
        world.profile_for(team.as_deref()),
    );
    drop(world);
    let failure = Failure::Status(status);
    envelope::failure(failure, now, target_of(request), profile)
}

/// The 413 for a body over the limit (docs/api.md §1.4), journaled like any API request.
pub(crate) fn too_large(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    let status = StatusCode::PAYLOAD_TOO_LARGE;
    let failure = Failure::Status(status);
    let why = format!(
        "the body exceeds {} bytes (the admin API's limit; raise it with --admin-max-body-bytes)",
        shared.settings.admin_max_body_bytes
    );
    refused_early(shared, request, failure, why)
}
