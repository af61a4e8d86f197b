//! The admin calls a `?team=` scopes (docs/control.md §7, §8): reset, journal queries, faults,
//! clock, sessions and the list of teams, expectations, verification and the report. Without `?team=` each works on
//! the whole mock; with it, on that team alone, so parallel tests on one mock never see each
//! other.

use bytes::Bytes;
use http::{header, Method, Request, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::reply::{bad_request, no_content, not_found, parse, reply};
use super::sessions::create_session;
use super::AdminResult;
use crate::api::query::Query;
use crate::data::timestamp::Timestamp;
use crate::fidelity::clock::format_iso;
use crate::world::faults::Fault;
use crate::world::journal::RequestFilter;
use crate::world::report;
use crate::world::shared::Shared;
use crate::world::verify::{Count, RequestPattern};

/// Answers the scoped admin calls; `None` for any other path.
pub(super) fn serve(
    shared: &Shared,
    request: &Request<Bytes>,
    segments: &[&str],
    scope: Option<&str>,
    query: &Query,
) -> Option<AdminResult> {
    let body = request.body();
    let is_session_call = segments.first() == Some(&"sessions");
    if let Some(team) = scope.filter(|_| !is_session_call) {
        let known = matches!(
            segments,
            ["reset"
                | "clock"
                | "requests"
                | "faults"
                | "expectations"
                | "verify"
                | "report"
                | "client-errors"]
        );
        if known && shared.world().store.team(team).is_none() {
            return Some(Err(not_found(format!("Team '{team}' not found"))));
        }
    }
    let answer = match (request.method().clone(), segments) {
        (Method::POST, ["reset"]) => reset(shared, scope),
        (Method::POST, ["clock"]) => clock(shared, scope, body),
        (Method::GET, ["clock"]) => {
            let world = shared.world();
            let clock = scope
                .and_then(|team| world.store.team_clock(team))
                .unwrap_or(&world.clock);
            let reading = ClockReading {
                now: format_iso(clock.now()),
                frozen: clock.is_frozen(),
            };
            Ok(reply(StatusCode::OK, &reading))
        }
        (Method::GET, ["teams"]) => Ok(reply(StatusCode::OK, &teams(shared))),
        (Method::GET, ["requests"]) => requests(shared, scope, query),
        (Method::DELETE, ["requests"]) => {
            shared.world().clear_requests(scope);
            Ok(no_content())
        }
        (Method::POST, ["faults"]) => {
            let fault: Fault = match parse(body) {
                Ok(fault) => fault,
                Err(error) => return Some(Err(error)),
            };
            // A fault added for a team hits only that team's requests.
            let fault = match (scope, fault.team()) {
                (Some(team), None) => fault.for_team(team),
                (Some(team), Some(other)) if other != team => {
                    return Some(Err(bad_request(format!(
                        "match.team '{other}' differs from ?team={team}"
                    ))))
                }
                _ => fault,
            };
            let added = shared.world().add_fault(fault);
            added
                .map(|id| reply(StatusCode::CREATED, &json!({ "id": id })))
                .map_err(bad_request)
        }
        (Method::GET, ["faults"]) => {
            let listed = shared.world().traffic.faults(scope);
            Ok(reply(StatusCode::OK, &listed))
        }
        (Method::DELETE, ["faults"]) => {
            shared.world().clear_faults(scope);
            Ok(no_content())
        }
        (Method::POST, ["sessions"]) => create_session(shared, request),
        (Method::DELETE, ["sessions", team]) => {
            let team = crate::api::query::decode_path_segment(team);
            let deleted = shared.change(|world| world.delete_team(&team));
            deleted
                .map(|()| no_content())
                .map_err(|error| not_found(error.to_string()))
        }
        (Method::POST, ["expectations"]) => add_expectation(shared, scope, body),
        (Method::GET, ["expectations"]) => {
            let expectations = shared.world().expectations_of(scope);
            let views: Vec<_> = expectations.iter().map(|e| e.view()).collect();
            Ok(reply(StatusCode::OK, &views))
        }
        (Method::DELETE, ["expectations"]) => {
            shared.world().clear_expectations(scope);
            Ok(no_content())
        }
        (Method::GET, ["verify"]) => match shared.world().verify(scope) {
            Ok(()) => Ok(reply(StatusCode::OK, &json!({ "ok": true }))),
            Err(report) => Ok(reply(
                StatusCode::CONFLICT,
                &json!({ "ok": false, "report": report }),
            )),
        },
        (Method::GET, ["client-errors"]) => {
            let evidence = shared.world().evidence_of(scope);
            Ok(reply(StatusCode::OK, &report::client_errors(&evidence)))
        }
        (Method::GET, ["report"]) => {
            let evidence = shared.world().evidence_of(scope);
            let mut response = reply(StatusCode::OK, &());
            *response.body_mut() = report::report(&evidence).into_bytes().into();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                http::HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            Ok(response)
        }
        _ => return None,
    };
    Some(answer)
}

/// The answer to `GET /_mock/clock`, in this order.
#[derive(serde::Serialize)]
struct ClockReading {
    now: String,
    frozen: bool,
}

/// One team in `GET /_mock/teams`: its summary and how many journal entries it holds.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct TeamListed {
    #[serde(flatten)]
    summary: crate::store::TeamSummary,
    requests: usize,
}

/// `GET /_mock/teams`: every team and session at a glance, in creation order.
fn teams(shared: &Shared) -> Vec<TeamListed> {
    let world = shared.world();
    world
        .store
        .team_summaries()
        .into_iter()
        .map(|summary| TeamListed {
            requests: world.traffic.len_of(&summary.name),
            summary,
        })
        .collect()
}

/// `POST /_mock/reset`: the whole mock, or `?team=T` alone.
fn reset(shared: &Shared, scope: Option<&str>) -> AdminResult {
    match scope {
        None => shared.reset(),
        Some(team) => shared
            .change(|world| world.reset_team(team, &shared.initial))
            .map_err(|error| not_found(error.to_string()))?,
    }
    Ok(no_content())
}

/// The body of `POST /_mock/clock`: exactly one of the three.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ClockChange {
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    advance_ms: Option<i64>,
    #[serde(default)]
    real: Option<bool>,
}

/// `POST /_mock/clock`: the mock's clock, or `?team=T`'s own (a session's).
fn clock(shared: &Shared, scope: Option<&str>, body: &Bytes) -> AdminResult {
    let change: ClockChange = parse(body)?;
    let mut world = shared.world();
    let clock = world.clock_for(scope);
    match change {
        ClockChange {
            now: Some(at),
            advance_ms: None,
            real: None,
        } => {
            let at: Timestamp = at
                .parse()
                .map_err(|_| bad_request(format!("now: '{at}' is not ISO 8601")))?;
            clock.freeze(at.as_millis());
        }
        ClockChange {
            now: None,
            advance_ms: Some(by),
            real: None,
        } => {
            if by < 0 {
                return Err(bad_request(format!(
                    "advanceMs must not be negative (got {by}); to go back, freeze at {{\"now\": ISO 8601}}"
                )));
            }
            clock.advance(by).map_err(bad_request)?;
        }
        ClockChange {
            now: None,
            advance_ms: None,
            real: Some(true),
        } => clock.unfreeze(),
        _ => {
            let hint =
                "give exactly one of {\"now\": ISO 8601}, {\"advanceMs\": N}, {\"real\": true}";
            return Err(bad_request(hint.to_string()));
        }
    }
    let now = format_iso(clock.now());
    Ok(reply(StatusCode::OK, &json!({ "now": now })))
}

/// `GET /_mock/requests` with the filters `method`, `path`, `status`, `team`, `since`, `after`,
/// `before`, `limit`.
fn requests(shared: &Shared, scope: Option<&str>, query: &Query) -> AdminResult {
    let text = |name: &str| -> Result<Option<String>, (StatusCode, String)> {
        match query.single(name) {
            None => Ok(None),
            Some(Ok(value)) => Ok(Some(value.to_string())),
            Some(Err(())) => Err(bad_request(format!("{name} must be given once"))),
        }
    };
    let since = match text("since")? {
        None => None,
        Some(at) => Some(
            at.parse::<Timestamp>()
                .map_err(|_| bad_request(format!("since: '{at}' is not ISO 8601")))?,
        ),
    };
    let whole_number = |name: &str| -> Result<Option<u64>, (StatusCode, String)> {
        text(name)?
            .map(|value| {
                value
                    .parse::<u64>()
                    .map_err(|_| bad_request(format!("{name}: '{value}' is not a whole number")))
            })
            .transpose()
    };
    let limit = whole_number("limit")?.map(|limit| usize::try_from(limit).unwrap_or(usize::MAX));
    let after = whole_number("after")?;
    let before = whole_number("before")?;
    let path = text("path")?;
    if let Some(path) = &path {
        // Checked as a fault's path is (no query), kept as written: a filter also finds a
        // request outside the API by its own path (see `RequestFilter::path`).
        crate::world::paths::normalize(path).map_err(bad_request)?;
    }
    let status = text("status")?;
    if let Some(status) = &status {
        // A status the journal can hold (0 for no answer, else 100-599), or a class 1xx-5xx:
        // anything else would silently match nothing.
        let class = status.len() == 3
            && status.ends_with("xx")
            && (b'1'..=b'5').contains(&status.as_bytes()[0]);
        let code = status
            .parse::<u16>()
            .is_ok_and(|code| code == 0 || (100..=599).contains(&code));
        if !class && !code {
            return Err(bad_request(format!(
                "status: '{status}' is neither a status (404) nor a class (4xx)"
            )));
        }
    }
    let method = text("method")?;
    if method.as_deref() == Some("") {
        return Err(bad_request(
            "method must not be empty (leave it out for any method)".to_string(),
        ));
    }
    let filter = RequestFilter {
        method,
        path,
        status,
        team: scope.map(str::to_string),
        since,
        limit,
        after,
        before,
    };
    // Copied under the lock, written out after it: a page of the journal never holds up the
    // API's requests while it is serialised.
    let entries = shared.world().traffic.query(&filter);
    Ok(reply(StatusCode::OK, &entries))
}

/// The body of `POST /_mock/expectations`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ExpectationSeed {
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    times: Option<u64>,
    #[serde(default)]
    at_least: Option<u64>,
    #[serde(default)]
    at_most: Option<u64>,
}

/// `POST /_mock/expectations`: "this request, this many times" (at least once by default).
fn add_expectation(shared: &Shared, scope: Option<&str>, body: &Bytes) -> AdminResult {
    let seed: ExpectationSeed = parse(body)?;
    let count = match (seed.times, seed.at_least, seed.at_most) {
        (Some(n), None, None) => Count::Exactly(n),
        (None, Some(0), None) => {
            return Err(bad_request(
                "\"atLeast\": 0 always holds, so it could never fail; give at least 1".to_string(),
            ))
        }
        (None, Some(n), None) => Count::AtLeast(n),
        (None, None, Some(n)) => Count::AtMost(n),
        (None, None, None) => Count::AtLeast(1),
        _ => {
            return Err(bad_request(
                "give at most one of \"times\", \"atLeast\", \"atMost\"".to_string(),
            ))
        }
    };
    let path = seed.path.unwrap_or_else(|| "*".to_string());
    let request = RequestPattern::try_new(seed.method.as_deref(), &path).map_err(bad_request)?;
    let id = shared.world().expect(scope, request, count);
    Ok(reply(StatusCode::CREATED, &json!({ "id": id })))
}
