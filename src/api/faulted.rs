//! What a fault or the rate limiter makes of an `/api/v1` request: the decision (stage 3 of
//! the pipeline), the limiter (stage 4) and the shaped response with what the server must
//! still do with it (stage 7: wait, never answer, reset). Decides only; never sleeps.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use serde_json::Value;

use super::envelope::{self, Failure, Reply};
use super::{target_of, API_PREFIX};
use crate::data::profile::Profile;
use crate::fidelity::clock::Millis;
use crate::world::faults::{Hit, Shape};
use crate::world::rate_limit::retry_after_secs;
use crate::world::shared::Shared;
use crate::world::World;

/// A response, and what the server does before (or instead of) sending it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub response: Response<Full<Bytes>>,
    pub action: Option<Action>,
}

/// Work for the server, done after every lock is released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Send the response this much later.
    Delay(Duration),
    /// Never answer; the connection ends when the client gives up or the mock stops.
    Hang,
    /// Close the connection with a TCP reset instead of answering.
    Reset,
}

impl Answer {
    /// Just send `response`.
    pub fn plain(response: Response<Full<Bytes>>) -> Self {
        Answer {
            response,
            action: None,
        }
    }

    fn silent(action: Action) -> Self {
        Answer {
            response: Response::new(Full::new(Bytes::new())),
            action: Some(action),
        }
    }

    /// The same answer, and a cheap copy of its body for the journal (empty when the client
    /// sees no response).
    pub fn with_body_copy(self) -> (Self, Bytes) {
        if matches!(self.action, Some(Action::Hang | Action::Reset)) {
            return (self, Bytes::new());
        }
        let (parts, body) = self.response.into_parts();
        let bytes = body.into_inner().unwrap_or_default();
        let response = Response::from_parts(parts, Full::new(bytes.clone()));
        let answer = Answer {
            response,
            action: self.action,
        };
        (answer, bytes)
    }

    /// The status the journal records: what the client saw, `0` when it saw no response.
    pub fn journal_status(&self) -> u16 {
        match self.action {
            Some(Action::Hang | Action::Reset) => 0,
            _ => self.response.status().as_u16(),
        }
    }
}

/// Whether faults and the rate limiter may touch `path`: the API, served or not (a gateway in
/// front of the real service would not know which paths exist either). Never the admin API.
fn is_api(path: &str) -> bool {
    path.strip_prefix(API_PREFIX)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The fault that hits this request, if any (and counts the request for every fault it reaches).
pub(crate) fn decide(
    world: &mut World,
    request: &Request<Bytes>,
    team: Option<&str>,
) -> Option<Hit> {
    let path = request.uri().path();
    if !is_api(path) {
        return None;
    }
    world.traffic.decide(request.method().as_str(), path, team)
}

/// Shapes the answer to a request: as `served` when no fault hit, else as the fault `hit`
/// says. `served` is the normal response, there when the request was processed (no fault, a
/// fault that applies the request, or a delay: see [`Hit::serves`]).
pub(crate) fn shape(
    hit: Option<Hit>,
    served: Option<Response<Full<Bytes>>>,
    now: Millis,
    target: &str,
    profile: Profile,
) -> Answer {
    let empty = || Response::new(Full::new(Bytes::new()));
    let Some(hit) = hit else {
        return Answer::plain(served.unwrap_or_else(empty));
    };
    match hit.shape {
        Shape::Status {
            status,
            body,
            headers,
            retry_after,
        } => {
            // `Fault::check` keeps `status` within 200..=599.
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut response = match body {
                Some(body) => {
                    envelope::json_response(status, serde_json::to_vec(&body).unwrap_or_default())
                }
                None => {
                    let failure = Failure::Status(status);
                    envelope::failure(failure, now, target, profile)
                }
            };
            if let Some(secs) = retry_after {
                set_retry_after(&mut response, secs);
            }
            // Checked when the fault was added; a header that still fails is left out.
            for (name, value) in headers {
                if let (Ok(name), Ok(value)) = (
                    http::HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(&value),
                ) {
                    response.headers_mut().insert(name, value);
                }
            }
            Answer::plain(response)
        }
        Shape::RateLimit { retry_after } => {
            Answer::plain(too_many_requests(now, target, retry_after, profile))
        }
        Shape::Delay(delay) => Answer {
            response: served.unwrap_or_else(empty),
            action: Some(Action::Delay(delay)),
        },
        Shape::Hang => Answer::silent(Action::Hang),
        Shape::Reset => Answer::silent(Action::Reset),
        Shape::Malformed => {
            // The real body when the request was applied; otherwise what a success would start with.
            let whole = match served {
                Some(response) => response.into_body().into_inner().unwrap_or_default(),
                None => {
                    let reply = Reply::ok(&Value::Null);
                    let response = envelope::success(reply, now, target);
                    response.into_body().into_inner().unwrap_or_default()
                }
            };
            // A proper prefix of a JSON object is never valid JSON; `Content-Length` matches
            // the cut body, so the client reads a complete response and fails to parse it.
            let cut = whole.slice(..whole.len() / 2);
            Answer::plain(envelope::json_response(StatusCode::OK, cut.to_vec()))
        }
    }
}

/// The rate limiter's answer, if this request is over its key's budget. Only keys the mock
/// knows have a budget: an unknown key is answered 401 as usual, and cannot grow the table.
pub(crate) fn rate_limited(
    world: &mut World,
    shared: &Shared,
    request: &Request<Bytes>,
    caller: &super::caller::Caller,
    now: Millis,
    profile: Profile,
) -> Option<Response<Full<Bytes>>> {
    if !is_api(request.uri().path()) {
        return None;
    }
    let key = caller.known_key()?;
    let team = caller.key_team()?;
    // The team's own setting (state document) wins over the mock-wide one.
    let per_second = world
        .store
        .team_rate_limit(team)
        .or(shared.settings.rate_limit)?;
    let wait_ms = world.limiter.take(key, per_second, now).err()?;
    Some(too_many_requests(
        now,
        target_of(request),
        retry_after_secs(wait_ms),
        profile,
    ))
}

/// `429` with `Retry-After` and the envelope `message` `Too Many Requests`.
fn too_many_requests(
    now: Millis,
    target: &str,
    retry_after: u64,
    profile: Profile,
) -> Response<Full<Bytes>> {
    let status = StatusCode::TOO_MANY_REQUESTS;
    let failure = Failure::Status(status);
    let mut response = envelope::failure(failure, now, target, profile);
    set_retry_after(&mut response, retry_after);
    response
}

fn set_retry_after(response: &mut Response<Full<Bytes>>, secs: u64) {
    response
        .headers_mut()
        .insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
}
