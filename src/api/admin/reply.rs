//! How the admin API reads bodies and answers: JSON objects in, plain JSON out, refusals as
//! `(status, message)` that become `{"error": message}`.

use bytes::Bytes;
use http::{Response, StatusCode};
use http_body_util::Full;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::api::envelope::json_response;
use crate::store::StoreError;

/// The body as `T`, which it must be as a JSON object: serde would read a struct from an
/// array of its fields too, and `[]` must never pass for `{}`.
pub(super) fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, (StatusCode, String)> {
    object_body(body)?;
    serde_json::from_slice(body).map_err(|error| bad_request(format!("invalid body: {error}")))
}

/// Refuses a JSON array where an object is due: serde reads a struct from an array of its
/// fields too, so `PUT /_mock/state []` would pass for an empty document. Anything else that is
/// not an object gets serde's own refusal.
pub(super) fn object_body(body: &Bytes) -> Result<(), (StatusCode, String)> {
    match body.iter().find(|byte| !byte.is_ascii_whitespace()) {
        Some(b'[') => Err(bad_request(
            "invalid body: the admin API takes a JSON object, not an array".to_string(),
        )),
        _ => Ok(()),
    }
}

/// A store's refusal as the admin API answers it: 400 for bad input, 404 for what is not
/// there, 409 for a conflict.
pub(super) fn conflict(error: StoreError) -> (StatusCode, String) {
    let status = match error {
        StoreError::InvalidDomain(_)
        | StoreError::UnknownMember(..)
        | StoreError::EmptySegmentId => StatusCode::BAD_REQUEST,
        StoreError::UnknownTeam(_) | StoreError::AccountNotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    };
    (status, error.to_string())
}

pub(super) fn bad_request(message: String) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message)
}

pub(super) fn not_found(message: String) -> (StatusCode, String) {
    (StatusCode::NOT_FOUND, message)
}

/// `value` as plain JSON (`application/json`) with `status`.
pub(super) fn reply(status: StatusCode, value: &impl Serialize) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).expect("admin responses always serialise");
    let mut response = json_response(status, body);
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

/// `204 No Content`.
pub(super) fn no_content() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
