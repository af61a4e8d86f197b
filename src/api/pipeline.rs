//! The request pipeline: one function that takes a buffered request through every stage once,
//! top to bottom. Reading [`handle`] is reading what happens to a request.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::Full;

use super::caller::Caller;
use super::envelope::{self, Failure};
use super::faulted::{self, Answer};
use super::{admin, is_admin, prepare, route, target_of, Call, Tx, Work};
use crate::data::profile::Profile;
use crate::world::journal::JournalEntry;
use crate::world::shared::Shared;
use crate::world::World;

/// Answers one request, and says what the server must still do for a fault (wait, never
/// answer, reset), which it does after the lock is released. Never panics: a panic inside a
/// handler is answered with 500 and remembered.
///
/// The stages, in order:
/// 1. **admin split**: `/_mock` requests go to the admin API (never journaled, never faulted);
/// 2. **journal entry opened** from the request's own parts;
///
///    then, with no lock held, the route is found and the body parsed and validated (pure
///    work, so concurrent requests do it in parallel); its outcome waits for stage 5;
/// 3. **fault decision**, under the world's one lock, which is held to the end of stage 8;
/// 4. **rate limiter** (only when no fault hit);
/// 5. **route and authentication**: an unknown route is 404 even without a key; a bad key 401;
///    then a body that failed to parse or validate is 400;
/// 6. **handler**: the endpoint's business work on the store;
/// 7. **fault shaping**: the response the client gets, and the server's action;
/// 8. **journal entry closed** with the status the client sees (`0` for none).
pub(crate) fn handle(shared: &Shared, request: &Request<Bytes>) -> Answer {
    // 1. Admin split.
    if is_admin(request.uri().path()) {
        return Answer::plain(guarded(shared, request, None, Profile::Documented, || {
            admin::handle(shared, request)
        }));
    }
    // 2. Journal entry opened.
    let started = Instant::now();
    let entry = JournalEntry::open(request, target_of(request));
    let call = Call::new(request);
    let work = route(request.method(), call.path).map(|endpoint| prepare(endpoint, &call));

    let mut world = shared.world();
    // Who sent it, resolved once: the team it belongs to decides whose clock the request
    // reads, which faults may hit it and whose journal it joins; stage 5 still refuses a
    // missing or unknown key.
    let caller = Caller::resolve(&world, request);
    let team = caller.team();
    let now = world.now_for(team);
    // Like the clock, the profile is the team's own if it has one, else the mock's; a request
    // without a known key is answered as the mock's profile says.
    let profile = world.profile_for(team);
    // 3. Fault decision.
    let hit = faulted::decide(&mut world, request, team);
    // 4-6. Rate limiter, route and authentication, handler: unless the fault answers alone.
    let served = hit.as_ref().is_none_or(|hit| hit.serves()).then(|| {
        guarded(shared, request, Some(now), profile, || {
            if hit.is_none() {
                if let Some(refusal) =
                    faulted::rate_limited(&mut world, shared, request, &caller, now, profile)
                {
                    return refusal;
                }
            }
            serve(&mut world, &call, &caller, work, now, profile)
        })
    });
    // 7. Fault shaping.
    let fault = hit.as_ref().map(|hit| hit.id.get());
    let answer = faulted::shape(hit, served, now, target_of(request), profile);
    // 8. Journal entry closed.
    let (answer, response) = answer.with_body_copy();
    // An exact-size copy, at most `MAX_RECORDED_RESPONSE` bytes: the answer's own buffer may
    // have spare capacity that the journal's byte bound would not see.
    let response = Bytes::copy_from_slice(&response[..response.len().min(MAX_RECORDED_RESPONSE)]);
    let entry =
        entry
            .by(team, fault)
            .close(answer.journal_status(), now, response, started.elapsed());
    world.record(entry);
    // The state file's rows are made under this lock; the server waits for their commit
    // (and only a request that changed something waits).
    let batch = shared.capture(&mut world);
    drop(world);
    let mut answer = answer;
    if let Some(batch) = batch {
        answer
            .response
            .extensions_mut()
            .insert(StateFileBatch(batch));
    }
    answer
}

/// Marks an API answer whose request changed the state: the number of the state file's batch
/// that holds the change, which the server waits for before it answers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StateFileBatch(pub u64);

/// The most of an answer's body the journal keeps (a 100-item batch answer is about 10 KiB).
const MAX_RECORDED_RESPONSE: usize = 256 * 1024;

/// Stages 5 and 6: the route's 404, then the key's 401, then the body's 400, then the work.
fn serve(
    world: &mut World,
    call: &Call,
    caller: &Caller,
    work: Option<Result<Work<'_>, Failure>>,
    now: crate::fidelity::clock::Millis,
    profile: Profile,
) -> Response<Full<Bytes>> {
    let outcome = match work {
        None => {
            let message = format!("Cannot {} {}", call.method, call.path);
            Err(Failure::Message(StatusCode::NOT_FOUND, message))
        }
        Some(work) => caller.authenticated().and_then(|team| {
            let work = work?;
            work(&mut Tx {
                world,
                team,
                now,
                profile,
            })
        }),
    };
    match outcome {
        Ok(reply) => envelope::success(reply, now, call.target),
        Err(failure) => envelope::failure(failure, now, call.target, profile),
    }
}

/// Runs `respond`, answering a panic inside it with 500 and remembering its message. `now` is
/// the time for the 500's envelope (`None` for the admin API, which has no envelope's clock
/// read; it reads the world's).
fn guarded(
    shared: &Shared,
    request: &Request<Bytes>,
    now: Option<crate::fidelity::clock::Millis>,
    profile: Profile,
    respond: impl FnOnce() -> Response<Full<Bytes>>,
) -> Response<Full<Bytes>> {
    let respond = || {
        if now.is_some() && shared.panic_next_request.swap(false, Ordering::AcqRel) {
            panic!("panic requested by the test (MockRecotap::panic_on_next_request)");
        }
        respond()
    };
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
            let failure = Failure::Status(status);
            // The admin API's world lock is released by the unwind; reading the clock is safe.
            let now = now.unwrap_or_else(|| shared.world().now());
            envelope::failure(failure, now, target_of(request), profile)
        }
    }
}
