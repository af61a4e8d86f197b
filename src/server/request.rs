//! One request on a connection, once hyper has read its head: the body read within the limit
//! and inflated as body-parser inflates it, handed to the router, and held until what it
//! changed is in the state file. A refusal here answers at once and closes the connection.

use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};

use super::inflate::{BodyReader, Coding, Refusal};
use crate::api::{self, Answer};
use crate::world::shared::Shared;

/// Reads and drops the rest of a refused body, within bounds, so the client can finish
/// sending and read the answer; past the bounds the connection is simply closed.
async fn discard(mut rest: Incoming) {
    const MOST_BYTES: usize = 256 * 1024 * 1024;
    const MOST_TIME: Duration = Duration::from_secs(10);
    let drain = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = rest.frame().await {
            seen += frame.data_ref().map_or(0, Bytes::len);
            if seen > MOST_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(MOST_TIME, drain).await;
}

/// Refuses a request whose head carried both `Content-Length` and `Transfer-Encoding` (see
/// `framing`): its length is ambiguous, so it is answered 400 and never reaches the router.
pub(super) fn refuse_ambiguous(shared: &Shared, request: Request<Incoming>) -> Answer {
    let (parts, rest) = request.into_parts();
    // As for a 413: keep reading what the client sends, so that it sees the answer.
    tokio::spawn(discard(rest));
    let mut response = api::ambiguous_length(shared, &Request::from_parts(parts, Bytes::new()));
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    Answer::plain(response)
}

/// Buffers the body (never more than the limit, inflated as body-parser inflates it), then
/// hands the request to the router.
pub(super) async fn respond(shared: &Shared, request: Request<Incoming>) -> Answer {
    let (parts, body) = request.into_parts();
    // The admin API has its own limit, large enough for any state the mock can hold.
    let limit = match api::is_admin(parts.uri.path()) {
        true => shared.settings.admin_max_body_bytes,
        false => shared.settings.max_body_bytes,
    };
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // Each refusal answers at once, but keeps reading (and dropping) what the client still
    // sends: closing a socket with unread data resets it, and the client would never see it.
    let refuse = |parts, rest: Incoming, refusal: EarlyRefusal| {
        tokio::spawn(discard(rest));
        let request = Request::from_parts(parts, Bytes::new());
        let mut response = match refusal {
            EarlyRefusal::TooLarge => api::too_large(shared, &request),
            EarlyRefusal::Coding(coding) => api::unsupported_encoding(shared, &request, &coding),
            EarlyRefusal::Corrupt(detail) => api::undecodable(shared, &request, &detail),
        };
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        Answer::plain(response)
    };
    if declared.is_some_and(|length| length > limit as u64) {
        return refuse(parts, body, EarlyRefusal::TooLarge);
    }
    let has_body = declared.is_some_and(|length| length > 0) || !body.is_end_stream();
    let coding = match has_body && api::reads_body_as_json(&parts.uri, &parts.headers) {
        true => match Coding::of(&parts.headers) {
            Ok(coding) => coding,
            Err(coding) => return refuse(parts, body, EarlyRefusal::Coding(coding)),
        },
        // body-parser looks at the coding of a body it parses, and only of that.
        false => Coding::Identity,
    };
    let mut body = body;
    let capacity = declared.map_or(0, |length| length as usize);
    let mut reader = BodyReader::new(coding, limit, capacity);
    let mut failed = None;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // The client went away mid-body: nothing was applied, and no one reads this.
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            return Answer::plain(response);
        };
        if let Ok(data) = frame.into_data() {
            if let Err(refusal) = reader.push(data) {
                failed = Some(refusal);
                break;
            }
        }
    }
    let read = match failed {
        Some(refusal) => Err(refusal),
        None => reader.finish(),
    };
    match read {
        Ok(bytes) => {
            let safe = parts.method == http::Method::GET || parts.method == http::Method::HEAD;
            let request = Request::from_parts(parts, bytes);
            let answer = api::handle(shared, &request);
            // A change always waits for its commit, whatever the method; a safe request that
            // changed nothing does not wait for the admin API's.
            let changed = answer
                .response
                .extensions()
                .get::<api::StateFileBatch>()
                .is_some();
            match safe && !changed {
                true => answer,
                false => durable(shared, &request, answer).await,
            }
        }
        Err(Refusal::TooLarge) => refuse(parts, body, EarlyRefusal::TooLarge),
        Err(Refusal::Corrupt(detail)) => refuse(parts, body, EarlyRefusal::Corrupt(detail)),
    }
}

/// `answer` once what its request changed is in the state file (at once without one); 500 if
/// it could not be written, as a change that is not persisted must not be acknowledged.
/// Waits until what `request` changed is in the state file, if there is one: an API request's
/// own batch (one that changed nothing does not wait, and is not refused for an earlier
/// failed commit), or for the admin API everything captured so far.
async fn durable(shared: &Shared, request: &Request<Bytes>, answer: Answer) -> Answer {
    let batch = answer.response.extensions().get::<api::StateFileBatch>();
    let batch = match (batch, api::is_admin(request.uri().path())) {
        (_, true) => None,
        (Some(batch), false) => Some(batch.0),
        (None, false) => return answer,
    };
    match shared.durable(batch).await {
        Ok(()) => answer,
        Err(failure) => Answer::plain(api::not_kept(shared, request, &failure)),
    }
}

/// Why a request is answered before the router sees it.
enum EarlyRefusal {
    TooLarge,
    Coding(String),
    Corrupt(String),
}
