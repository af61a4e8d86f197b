//! `POST /_mock/sessions`: a fresh team with its own key, clock, ids and base URL.

use bytes::Bytes;
use http::{Request, StatusCode};
use serde::Deserialize;

use super::reply::{bad_request, conflict, parse, reply};
use super::AdminResult;
use crate::data::model::IdGenerator;
use crate::data::profile::Profile;
use crate::data::timestamp::Timestamp;
use crate::store::SessionOrigin;
use crate::world::shared::Shared;

/// The body of `POST /_mock/sessions`, every field optional.
#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SessionSeed {
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    frozen_clock: Option<String>,
    #[serde(default)]
    id_seed: Option<u64>,
}

/// `POST /_mock/sessions`: a fresh team with its own key, clock and ids.
pub(super) fn create_session(shared: &Shared, request: &Request<Bytes>) -> AdminResult {
    let body = request.body();
    let seed: SessionSeed = if body.iter().all(u8::is_ascii_whitespace) {
        SessionSeed::default()
    } else {
        parse(body)?
    };
    let frozen_at = match seed.frozen_clock {
        None => None,
        Some(at) => Some(
            at.parse::<Timestamp>()
                .map_err(|_| bad_request(format!("frozenClock: '{at}' is not ISO 8601")))?
                .as_millis(),
        ),
    };
    let (team, key) = session_names(shared);
    let origin = SessionOrigin {
        key: key.clone(),
        profile: seed.profile,
        frozen_at,
        id_seed: seed.id_seed,
    };
    shared
        .change(|world| world.store.create_session(&team, origin))
        .map_err(conflict)?;
    let listening = request
        .extensions()
        .get::<crate::api::Listening>()
        .map(|listening| listening.0);
    let base_url = crate::api::team_base_url(request.uri(), request.headers(), listening, &team);
    Ok(reply(
        StatusCode::CREATED,
        &SessionCreated {
            team: &team,
            api_key: &key,
            base_url: &base_url,
        },
    ))
}

/// The answer to `POST /_mock/sessions`, in this order.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct SessionCreated<'a> {
    team: &'a str,
    api_key: &'a str,
    base_url: &'a str,
}

/// A new session's team name (`s-` and 24 hex digits) and key (`sk_` and 24 hex digits).
pub(crate) fn session_names(shared: &Shared) -> (String, String) {
    // Two generators, each with its own random bytes: a key must not be guessable from the
    // team name that other tests can see.
    let now = shared.world().now();
    let team = IdGenerator::random().next_id(now);
    let key = IdGenerator::random().next_id(now);
    (format!("s-{team}"), format!("sk_{key}"))
}
