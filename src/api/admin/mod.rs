//! The admin API under `/_mock` (docs/control.md §4): seeding, inspection and reset for tests in any
//! language, and the web page over them (`ui`). Plain JSON without the envelope; errors are
//! `{"error": "..."}`. Never journaled.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::Full;
use serde::Deserialize;
use serde_json::json;

use super::envelope::json_response;
use super::query::Query;
use super::ADMIN_PREFIX;

mod reply;
mod scoped;
mod sessions;
mod ui;

use reply::{bad_request, conflict, no_content, not_found, object_body, parse, reply};

use crate::data::document::parse_document;
use crate::data::model::{
    CustomField, FieldStatus, LabelType, NewAccount, ObjectId, ScoreUpdate, Segment,
};
use crate::data::profile::Profile;
use crate::store::constant_time_eq;
use crate::store::{StoreError, DEFAULT_TEAM};
use crate::world::shared::Shared;
pub(crate) use sessions::session_names;

type AdminResult = Result<Response<Full<Bytes>>, (StatusCode, String)>;

/// The OpenAPI 3.1 document of the emulated API (docs/control.md §11), served as the file is.
const OPENAPI_DOCUMENT: &str = include_str!("../../../openapi/recotap-v1.json");

/// Answers one admin request. `HEAD` is answered wherever `GET` is (the server sends the
/// head alone), so health checks such as `wget --spider` work.
pub fn handle(shared: &Shared, request: &Request<Bytes>) -> Response<Full<Bytes>> {
    let as_get;
    let request = match request.method() == Method::HEAD {
        true => {
            let mut get = Request::new(request.body().clone());
            *get.method_mut() = Method::GET;
            *get.uri_mut() = request.uri().clone();
            *get.headers_mut() = request.headers().clone();
            *get.extensions_mut() = request.extensions().clone();
            as_get = get;
            &as_get
        }
        false => request,
    };
    // The page's files carry no data and are the same in every mock: a browser must be able
    // to load them before it can send the token that every call they make carries.
    if let Some(file) = ui::serve(request, shared.settings.admin_token.is_some()) {
        return file;
    }
    let outcome = authorize(shared, request).and_then(|()| serve(shared, request));
    if request.method() != Method::GET {
        shared.touch();
    }
    match outcome {
        Ok(response) => response,
        Err((status, message)) => reply(status, &json!({ "error": message })),
    }
}

/// With an admin token configured, every admin request must carry `Authorization: Bearer <token>`.
fn authorize(shared: &Shared, request: &Request<Bytes>) -> Result<(), (StatusCode, String)> {
    let Some(token) = &shared.settings.admin_token else {
        return Ok(());
    };
    let sent = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_token);
    match sent {
        Some(sent) if constant_time_eq(sent.as_bytes(), token.as_bytes()) => Ok(()),
        _ => Err((
            StatusCode::UNAUTHORIZED,
            "the admin API needs the header Authorization: Bearer <admin token>".to_string(),
        )),
    }
}

/// The token of an `Authorization: Bearer <token>` value. The scheme is matched in any case
/// (`bearer`, `BEARER`): HTTP authentication schemes are case-insensitive, and one or more
/// spaces may follow the scheme (RFC 9110 §11.1, §11.4).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim_start_matches(' '))
}

fn serve(shared: &Shared, request: &Request<Bytes>) -> AdminResult {
    let path = request.uri().path();
    let rest = path.strip_prefix(ADMIN_PREFIX).unwrap_or(path);
    let query = Query::parse(request.uri().path_and_query().map_or("", |t| t.as_str()));
    // `?team=T` scopes a call to team T (and creates it for the seeding calls); without it,
    // seeding and inspection work on team `default` and the mock-wide calls on the whole mock.
    let scope = match query.single("team") {
        None => None,
        Some(Ok(team)) if !team.is_empty() => Some(team),
        Some(_) => return Err(bad_request("team must be one non-empty name".to_string())),
    };
    refuse_unknown_parameters(request.method(), rest, &query)?;
    let team = scope.unwrap_or(DEFAULT_TEAM);
    let body = request.body();
    let now = shared.world().now_for(Some(team));
    let segments: Vec<&str> = rest.trim_matches('/').split('/').collect();
    if let Some(answer) = scoped::serve(shared, request, &segments, scope, &query) {
        return answer;
    }
    match (request.method().clone(), segments.as_slice()) {
        (Method::GET, ["health"]) => Ok(reply(StatusCode::OK, &json!({ "status": "ok" }))),
        (Method::GET, ["openapi.json"]) => {
            let mut response = json_response(StatusCode::OK, OPENAPI_DOCUMENT.as_bytes().to_vec());
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static("application/json"),
            );
            Ok(response)
        }
        (Method::GET, ["state"]) => {
            let document = shared.world().store.to_document();
            Ok(reply(StatusCode::OK, &document))
        }
        (Method::PUT, ["state"]) => {
            object_body(body)?;
            let document = parse_document(body).map_err(|error| bad_request(error.to_string()))?;
            shared
                .restore_document(&document)
                .map_err(|error| bad_request(error.to_string()))?;
            Ok(no_content())
        }
        (Method::POST, ["keys"]) => {
            let seed: KeySeed = parse(body)?;
            let team = seed.team.as_deref().unwrap_or(team).to_string();
            let key = seed.key.unwrap_or_else(|| new_key(shared));
            if key.is_empty() || team.is_empty() {
                return Err(bad_request("key and team must not be empty".to_string()));
            }
            shared
                .world()
                .issue_key(&key, &team, seed.user.as_deref())
                .map_err(conflict)?;
            Ok(reply(
                StatusCode::CREATED,
                &json!({ "key": key, "team": team }),
            ))
        }
        (Method::POST, ["custom-fields"]) => {
            let seed: FieldSeed = parse(body)?;
            let field = seed.into_field();
            let stored = seeding(shared, team, |store| store.add_custom_field(team, field));
            Ok(reply(StatusCode::CREATED, &stored.map_err(conflict)?))
        }
        (Method::POST, ["segments"]) => {
            let seed: Segment = parse(body)?;
            let stored = seeding(shared, team, |store| store.add_segment(team, seed, now));
            Ok(reply(StatusCode::CREATED, &stored.map_err(conflict)?))
        }
        (Method::GET, ["segments", id]) => {
            // Segment ids are any string a test chose: they arrive percent-encoded.
            let id = super::query::decode_path_segment(id);
            let world = shared.world();
            existing_team(&world.store, team)?;
            let segment = world
                .store
                .segment(team, &id)
                .ok_or_else(|| not_found(format!("Segment '{id}' not found")))?;
            Ok(reply(StatusCode::OK, &segment))
        }
        (Method::POST, ["accounts"]) => {
            let seed: NewAccount = parse(body)?;
            let stored = seeding(shared, team, |store| store.insert_account(team, seed, now));
            Ok(reply(StatusCode::CREATED, &stored.map_err(conflict)?))
        }
        (Method::GET, ["accounts"]) => {
            let world = shared.world();
            existing_team(&world.store, team)?;
            // `?domain=` finds the account of that domain once cleaned (zero or one);
            // `?limit=N&after=<rtp_aid>` is a page in id order (the web page's browser).
            let (limit, after) = account_page(&query)?;
            let accounts = match query.single("domain") {
                None if limit.is_none() && after.is_none() => world.store.accounts(team),
                None => {
                    let limit = limit.unwrap_or(usize::MAX);
                    world.store.accounts_page(team, after, limit)
                }
                Some(Ok(domain)) => world
                    .store
                    .account_by_domain(team, domain)
                    .into_iter()
                    .collect(),
                Some(Err(())) => return Err(bad_request("domain must be given once".to_string())),
            };
            Ok(reply(StatusCode::OK, &accounts))
        }
        (Method::PATCH, ["accounts", id]) => {
            let update: ScoreUpdate = parse(body)?;
            // Decoded like the API's route parameters: `%36...` is the id `6...`.
            let id: ObjectId = super::query::decode_path_segment(id).parse().map_err(
                |error: crate::data::model::InvalidObjectId| bad_request(error.to_string()),
            )?;
            let updated = shared.world().store.update_scores(team, id, &update, now);
            Ok(reply(StatusCode::OK, &updated.map_err(conflict)?))
        }
        (Method::GET, ["custom-fields"]) => {
            let world = shared.world();
            existing_team(&world.store, team)?;
            Ok(reply(StatusCode::OK, &world.store.custom_fields(team)))
        }
        (Method::POST, ["profile"]) => {
            let change: ProfileChange = parse(body)?;
            let mut world = shared.world();
            world
                .store
                .set_profile(scope, change.profile)
                .map_err(|error| not_found(error.to_string()))?;
            let profile = world.profile_for(scope);
            Ok(reply(StatusCode::OK, &json!({ "profile": profile })))
        }
        (Method::GET, ["deals"]) => {
            let world = shared.world();
            existing_team(&world.store, team)?;
            Ok(reply(StatusCode::OK, &world.store.deals(team)))
        }
        (Method::GET, ["pipelines"]) => {
            let world = shared.world();
            existing_team(&world.store, team)?;
            Ok(reply(StatusCode::OK, &world.store.pipelines(team)))
        }
        (Method::GET, ["activities"]) => {
            let world = shared.world();
            existing_team(&world.store, team)?;
            Ok(reply(StatusCode::OK, &world.store.activities(team)))
        }
        (method, _) => Err(not_found(format!("No admin endpoint {method} {path}"))),
    }
}

/// Refuses a query parameter the call does not take (`?teams=`, `?stauts=`): ignored, it would
/// silently widen a scoped check to the whole mock, or a filter to the whole journal.
fn refuse_unknown_parameters(
    method: &Method,
    rest: &str,
    query: &Query,
) -> Result<(), (StatusCode, String)> {
    let path = rest.trim_matches('/');
    let known: &[&str] = match (method.as_str(), path) {
        (_, "health" | "openapi.json" | "state" | "teams" | "ui") => &[],
        (_, path) if path == "sessions" || path.starts_with("sessions/") => &[],
        ("GET", "requests") => &[
            "team", "method", "path", "status", "since", "limit", "after", "before",
        ],
        ("GET", "accounts") => &["team", "domain", "limit", "after"],
        _ => &["team"],
    };
    match query.first_unknown(known) {
        None => Ok(()),
        Some(name) => {
            let takes = match known {
                [] => "no query parameters".to_string(),
                known => format!("only {}", known.join(", ")),
            };
            Err(bad_request(format!(
                "unknown query parameter '{name}': {} {rest} takes {takes}",
                method.as_str(),
            )))
        }
    }
}

/// The `limit` and `after` of `GET /_mock/accounts`, each optional, each given once.
fn account_page(query: &Query) -> Result<(Option<usize>, Option<ObjectId>), (StatusCode, String)> {
    let once = |name: &str| match query.single(name) {
        None => Ok(None),
        Some(Ok(value)) => Ok(Some(value.to_string())),
        Some(Err(())) => Err(bad_request(format!("{name} must be given once"))),
    };
    let limit = once("limit")?
        .map(|value| {
            value
                .parse::<usize>()
                .map_err(|_| bad_request(format!("limit: '{value}' is not a whole number")))
        })
        .transpose()?;
    let after = once("after")?
        .map(|value| {
            value
                .parse::<ObjectId>()
                .map_err(|error| bad_request(format!("after: {error}")))
        })
        .transpose()?;
    Ok((limit, after))
}

/// The body of `POST /_mock/keys`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySeed {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    team: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

/// The body of `POST /_mock/profile`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileChange {
    profile: Profile,
}

/// A fresh key: `rk_` and 24 hex digits from the mock's id generator's kind of randomness.
fn new_key(shared: &Shared) -> String {
    let id = crate::data::model::IdGenerator::random().next_id(shared.world().now());
    format!("rk_{id}")
}

/// The body of `POST /_mock/custom-fields`: like the API's, plus `status` and `key`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FieldSeed {
    label: String,
    label_type: LabelType,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    status: FieldStatus,
    #[serde(default)]
    key: Option<String>,
}

impl FieldSeed {
    fn into_field(self) -> CustomField {
        let mut field = CustomField::new(&self.label, self.label_type).options(&self.options);
        field.description = self.description;
        field.status = self.status;
        if let Some(key) = self.key {
            field.key = key;
        }
        field
    }
}

/// Runs a seeding call that creates `team` if it is new, and takes the team away again if
/// the call is refused.
fn seeding<T>(
    shared: &Shared,
    team: &str,
    call: impl FnOnce(&mut crate::store::Store) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut world = shared.world();
    let created = world.store.team(team).is_none();
    let outcome = call(&mut world.store);
    if outcome.is_err() {
        world.store.forget_if_created(team, created);
    }
    outcome
}

fn existing_team(store: &crate::store::Store, team: &str) -> Result<(), (StatusCode, String)> {
    match store.team(team) {
        Some(_) => Ok(()),
        None => Err(not_found(
            StoreError::UnknownTeam(team.to_string()).to_string(),
        )),
    }
}
