//! The response envelope of docs/api.md §1.3: `statusCode`, `timestamp`, `path`, then `data` for
//! successes or `message` / `customMessage` / `data` for errors. Built as text, so that a
//! handler's `data` is serialised once, straight into the body. All of it is written as
//! `JSON.stringify` writes it (`crate::fidelity::jsjson`): numbers as JavaScript prints them, lone
//! surrogates as `\udXXX` escapes.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use serde::Serialize;

use crate::data::profile::Profile;
use crate::fidelity::clock::{format_iso, Millis};
use crate::fidelity::validate::Violation;

/// The API's content type.
pub const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Why a request failed: each variant maps to one status, `message` and `data`.
#[derive(Debug)]
pub enum Failure {
    /// `400`, `message` `Bad Request`, the violations as `data`.
    Violations(Vec<Violation>),
    /// The status alone: `message` is its reason phrase, no `customMessage`, `data` `null`.
    Status(StatusCode),
    /// `message` is the reason phrase, with a `customMessage` (the vendor's business errors).
    CustomMessage(StatusCode, String),
    /// A `message` of its own, not the reason phrase, and no `customMessage` (the route 404).
    Message(StatusCode, String),
    /// A `message` of its own and a `customMessage` (the 401s: `Unauthorized access`).
    MessageAndCustom(StatusCode, String, String),
}

impl Failure {
    /// The 400 for a body that is not JSON.
    pub fn malformed_json(detail: impl std::fmt::Display) -> Self {
        Failure::CustomMessage(
            StatusCode::BAD_REQUEST,
            format!("Malformed JSON body: {detail}"),
        )
    }
}

/// A successful answer: its status and its `data`, already serialised as JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub data: Vec<u8>,
    /// `true` for the undocumented catalogue endpoints, which answer without an envelope.
    pub bare: bool,
}

impl Reply {
    /// A reply whose `data` is `value`.
    pub fn new(status: StatusCode, value: &impl Serialize) -> Self {
        Reply {
            status,
            data: crate::fidelity::jsjson::to_vec(value),
            bare: false,
        }
    }

    /// `200 OK` with `value` as the whole body, without the envelope.
    pub fn bare(value: &impl Serialize) -> Self {
        Reply {
            bare: true,
            ..Reply::ok(value)
        }
    }

    /// `200 OK` with `value` as `data`.
    pub fn ok(value: &impl Serialize) -> Self {
        Reply::new(StatusCode::OK, value)
    }
}

/// The reason phrase used as `message`.
pub fn reason(status: StatusCode) -> &'static str {
    status.canonical_reason().unwrap_or("Error")
}

/// Renders a reply inside the success envelope.
pub fn success(reply: Reply, now: Millis, target: &str) -> Response<Full<Bytes>> {
    if reply.bare {
        return json_response(reply.status, reply.data);
    }
    let mut body = Vec::with_capacity(reply.data.len() + 96 + target.len());
    open_envelope(&mut body, reply.status, now, target);
    body.extend_from_slice(b",\"data\":");
    body.extend_from_slice(&reply.data);
    body.push(b'}');
    json_response(reply.status, body)
}

/// Renders a failure inside the error envelope, as `profile` writes it: the vendor's reference
/// always carries `data`, the live sandbox was seen to leave it out.
pub fn failure(
    failure: Failure,
    now: Millis,
    target: &str,
    profile: Profile,
) -> Response<Full<Bytes>> {
    let (status, message, custom, data) = match failure {
        Failure::Violations(violations) => {
            let data = crate::fidelity::jsjson::to_vec(&violations);
            let status = StatusCode::BAD_REQUEST;
            (status, reason(status).to_string(), None, data)
        }
        Failure::CustomMessage(status, custom) => (
            status,
            reason(status).to_string(),
            Some(custom),
            b"null".to_vec(),
        ),
        Failure::Status(status) => (status, reason(status).to_string(), None, b"null".to_vec()),
        Failure::Message(status, message) => (status, message, None, b"null".to_vec()),
        Failure::MessageAndCustom(status, message, custom) => {
            (status, message, Some(custom), b"null".to_vec())
        }
    };
    let mut body = Vec::with_capacity(data.len() + 160 + target.len());
    open_envelope(&mut body, status, now, target);
    body.extend_from_slice(b",\"message\":");
    push_json_string(&mut body, &message);
    if let Some(custom) = custom {
        body.extend_from_slice(b",\"customMessage\":");
        push_json_string(&mut body, &custom);
    }
    if profile.error_data() {
        body.extend_from_slice(b",\"data\":");
        body.extend_from_slice(&data);
    }
    body.push(b'}');
    json_response(status, body)
}

fn open_envelope(body: &mut Vec<u8>, status: StatusCode, now: Millis, target: &str) {
    body.extend_from_slice(b"{\"statusCode\":");
    body.extend_from_slice(status.as_str().as_bytes());
    body.extend_from_slice(b",\"timestamp\":\"");
    body.extend_from_slice(format_iso(now).as_bytes());
    body.extend_from_slice(b"\",\"path\":");
    push_json_string(body, target);
}

fn push_json_string(body: &mut Vec<u8>, text: &str) {
    crate::fidelity::jsjson::write_str(body, text);
}

/// A response with a JSON body and the API's content type.
pub fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    response
}
