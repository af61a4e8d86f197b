//! The references the mock is measured against: bare hyper servers with a trivial handler (the
//! start-up reference) or the work floor's handler (parse the body into a `serde_json::Value`,
//! serialise a 100-item result), and the floor as a server on a runtime of its own.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1 as server_http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use crate::harness::Target;

/// Serves HTTP/1.1 with `handler` until the task is aborted or its runtime shuts down. Accept
/// errors end the loop rather than spin.
pub async fn serve_bare<F, Fut>(listener: TcpListener, handler: F)
where
    F: Fn(Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    // Dropping the set (when this task is aborted) aborts the connections too.
    let mut connections = JoinSet::new();
    while let Ok((stream, _peer)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        let service =
            service_fn(move |request| async move { Ok::<_, Infallible>(handler(request).await) });
        connections.spawn(async move {
            let _ = server_http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        while connections.try_join_next().is_some() {}
    }
}

fn json_response(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// The start-up reference: reads the body, answers a fixed small JSON.
pub async fn trivial_handler(request: Request<Incoming>) -> Response<Full<Bytes>> {
    match request.into_body().collect().await {
        Ok(_) => json_response(
            StatusCode::OK,
            Bytes::from_static(b"{\"statusCode\":200,\"data\":{\"ok\":true}}"),
        ),
        Err(_) => json_response(StatusCode::BAD_REQUEST, Bytes::new()),
    }
}

/// Ids for the floor's results, shaped like the mock's (24 hex digits).
static FLOOR_IDS: AtomicU64 = AtomicU64::new(0x6650_0000_0000_0000);

/// The work floor: the least any server answering `POST /accounts` must do, done naively:
/// parse the body into a `serde_json::Value`, serialise a result per account in an envelope.
pub async fn floor_handler(request: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = request.uri().to_string();
    let Ok(collected) = request.into_body().collect().await else {
        return json_response(StatusCode::BAD_REQUEST, Bytes::new());
    };
    let Ok(parsed) = serde_json::from_slice::<Value>(&collected.to_bytes()) else {
        return json_response(StatusCode::BAD_REQUEST, Bytes::new());
    };
    let accounts = parsed["accounts"].as_array().map_or(&[][..], Vec::as_slice);
    let results: Vec<Value> = accounts
        .iter()
        .map(|account| {
            let id = FLOOR_IDS.fetch_add(1, Ordering::Relaxed);
            json!({ "rtp_aid": format!("{id:024x}"), "domain": account["domain"], "status": "updated" })
        })
        .collect();
    let total = results.len();
    // Naive on purpose: `serde_json::Value` in and out (its maps write keys sorted, so the
    // reply checks look for `"failed":0` wherever it stands).
    let envelope = json!({
        "statusCode": 200,
        "timestamp": "2026-04-30T10:00:00.000Z",
        "path": path,
        "data": {
            "results": results,
            "summary": { "total": total, "created": 0, "updated": total, "failed": 0 }
        }
    });
    let body = serde_json::to_vec(&envelope).expect("a Value serialises");
    json_response(StatusCode::OK, body)
}

/// A bare hyper server with `handler` (the floor's, or the trivial one) on a multi-thread
/// runtime of its own, with as many workers as the mock's shared runtime has (recotap-mock's
/// `src/server/mod.rs`: available parallelism, clamped to 2..=4).
pub struct BareServer {
    addr: SocketAddr,
    runtime: Option<Runtime>,
}

impl BareServer {
    /// `name` names the runtime's threads (the CPU figures find them by it).
    pub fn start<F, Fut>(name: &str, handler: F) -> BareServer
    where
        F: Fn(Request<Incoming>) -> Fut + Copy + Send + Sync + 'static,
        Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
    {
        let workers = thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name(name)
            .enable_all()
            .build()
            .expect("the bare server's runtime starts");
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("the bare server binds");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        runtime.spawn(serve_bare(listener, handler));
        BareServer {
            addr,
            runtime: Some(runtime),
        }
    }

    pub fn target(&self) -> Target {
        Target::new(self.addr, "bare")
    }
}

impl Drop for BareServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
