//! The router without a socket, for the fuzz target (`fuzz/`) and the property tests: a mock
//! with a fixed id seed and a frozen clock, one call per buffered request, and the store's
//! invariants on demand. Not a stable API; nothing here serves real clients.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use bytes::{Bytes, BytesMut};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Body;

use crate::api;
use crate::data::model::IdGenerator;
use crate::fidelity::clock::{parse_iso, Clock};
use crate::handle::DEFAULT_API_KEY;
use crate::server::framing::{FramingWatch, Verdicts, MAX_HEAD_BYTES};
use crate::store::{Store, DEFAULT_TEAM};
use crate::world::shared::{Settings, Shared};
use crate::world::traffic::Traffic;

/// The instant the harness's clock is frozen at.
pub const FROZEN: &str = "2026-04-30T10:00:00.000Z";

/// One in-memory mock (team `default`, key `test-api-key`, id seed 7, clock frozen at
/// [`FROZEN`]) driven request by request through the same router the server uses.
#[derive(Debug)]
pub struct Router {
    shared: Shared,
}

impl Default for Router {
    fn default() -> Self {
        Router::new()
    }
}

impl Router {
    /// A fresh, empty mock.
    pub fn new() -> Router {
        let mut store = Store::new(IdGenerator::seeded(7));
        store.add_key(DEFAULT_API_KEY, DEFAULT_TEAM, None);
        let mut clock = Clock::default();
        clock.freeze(parse_iso(FROZEN).expect("the frozen instant parses"));
        let settings = Settings::default();
        // A small journal: a long fuzz run must not grow it, and nothing here reads it much.
        let journal = Traffic::new(64, 1024 * 1024);
        Router {
            shared: Shared::new(store, journal, clock, settings),
        }
    }

    /// Answers one request as the server would once the body is buffered (the body limit is
    /// the server's job and is not applied here). A fault's delay, hang or reset is ignored:
    /// only the response is returned.
    pub fn handle(&self, request: &Request<Bytes>) -> Response<Bytes> {
        // As the server does first: a request under a team's own base URL is that team's.
        let (mut parts, body) = request.clone().into_parts();
        api::strip_team_prefix(&self.shared, &mut parts);
        let request = Request::from_parts(parts, body);
        let answer = api::handle(&self.shared, &request);
        let (parts, body) = answer.response.into_parts();
        Response::from_parts(parts, collect(body))
    }

    /// The store's invariants (one account per cleaned domain per team, segment members are
    /// accounts of their team), and that no panic was caught while serving.
    pub fn check_invariants(&self) -> Result<(), String> {
        if let Some(panic) = self.shared.panics.lock().first() {
            return Err(format!("the router panicked: {panic}"));
        }
        self.shared.world().store.check_invariants()
    }
}

/// `bytes` read as `JSON.parse` reads them (lone surrogate escapes and `1e400` included), as
/// the mock itself reads and writes JSON: the fuzz target's oracle, which serde_json alone
/// cannot be (it refuses the lone surrogates `JSON.stringify` writes). A lone surrogate comes
/// back as the private-use character the mock holds it as.
pub fn read_json(bytes: &[u8]) -> Result<serde_json::Value, String> {
    crate::fidelity::jsjson::parse(bytes)
        .map(|value| value.to_value())
        .map_err(|error| error.to_string())
}

/// What a connection's framing watch made of a byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramingOutcome {
    /// The index of the first request flagged as ambiguous.
    pub flagged: Option<u64>,
    /// Whether the watch still follows the stream (it stops where it cannot, e.g. at HTTP/2).
    pub following: bool,
    /// Bytes it holds of an unfinished head, chunk-size line or trailer section.
    pub pending_head: usize,
}

/// Follows `stream` with a fresh framing watch, fed in pieces of the sizes in `pieces` (in
/// turn, each at least one byte; the rest at once), as reads from a socket would deliver it.
///
/// # Panics
/// If the watch ever holds more than a bounded head, which would let a client grow memory.
pub fn watch_framing(stream: &[u8], pieces: &[usize]) -> FramingOutcome {
    let mut watch = FramingWatch::new(std::sync::Arc::new(Verdicts::default()));
    let mut rest = stream;
    for size in pieces {
        let (piece, after) = rest.split_at((*size).max(1).min(rest.len()));
        watch.feed(piece);
        rest = after;
        let (_, _, held) = watch.outcome();
        assert!(
            held <= MAX_HEAD_BYTES,
            "the watch holds {held} bytes of head"
        );
    }
    watch.feed(rest);
    let (flagged, following, pending_head) = watch.outcome();
    FramingOutcome {
        flagged,
        following,
        pending_head,
    }
}

/// The bytes of a `Full` body, which is always ready: polled without a runtime.
fn collect(mut body: Full<Bytes>) -> Bytes {
    struct Ignore;
    impl Wake for Ignore {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Ignore));
    let mut context = Context::from_waker(&waker);
    let mut collected = BytesMut::new();
    // A `Full` body yields at most one frame, then the end; the bound only guards the loop.
    for _ in 0..4 {
        match Pin::new(&mut body).poll_frame(&mut context) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    collected.extend_from_slice(&data);
                }
            }
            Poll::Ready(Some(Err(never))) => match never {},
            Poll::Ready(None) | Poll::Pending => break,
        }
    }
    collected.freeze()
}
