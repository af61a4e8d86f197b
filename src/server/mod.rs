//! The accept loop: HTTP/1 and HTTP/2 over hyper-util's auto builder on one background runtime
//! shared by every mock in the process, connections and their framing watch, shutdown, and
//! carrying out a fault's delay, hang or reset once the router (and its locks) are done; each
//! request's body is read in `request`. No business rules here.

mod cors;
pub(crate) mod framing;
mod inflate;
mod request;
mod socket;
mod target;

use std::convert::Infallible;
use std::sync::{mpsc, Arc, LazyLock};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::api::{self, Action, Answer};
use crate::world::shared::Shared;
use framing::{FramingWatch, Verdicts, MAX_HEADERS, MAX_HEAD_BYTES};
use request::{refuse_ambiguous, respond};
use socket::{ResetSwitch, Socket};

/// How long in-flight requests may finish after a mock is told to stop.
const GRACE: Duration = Duration::from_millis(250);

/// One runtime for every mock in the process, started on first use.
///
/// A mock must not run on its caller's runtime (a `#[tokio::test]` runtime stops between tests
/// and a current-thread one would deadlock on blocking calls), and a runtime per mock costs
/// threads and start-up time. A shared background runtime avoids both.
static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4));
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("recotap-mock")
        .enable_all()
        .build()
        .expect("the mock's background runtime starts")
});

/// A running server. Dropping it stops the server; [`ServerHandle::stop`] also waits until the
/// port is released.
#[derive(Debug)]
pub struct ServerHandle {
    stop: Option<watch::Sender<()>>,
    /// In a mutex only so that the handle is `Sync` (tests share `&MockRecotap` across threads).
    closed: parking_lot::Mutex<mpsc::Receiver<()>>,
}

impl ServerHandle {
    /// Stops accepting, closes the listening socket and waits (briefly) until it is closed.
    /// In-flight requests get a short grace period; then their connections are dropped.
    pub fn stop(&mut self) {
        self.stop_waiting(false);
    }

    /// Like [`ServerHandle::stop`], then also waits until every connection has finished or
    /// been dropped after the grace period, so that nothing changes the state afterwards
    /// (for a final write of the state file).
    pub fn stop_and_drain(&mut self) {
        self.stop_waiting(true);
    }

    /// Tells the server to stop and returns at once: the accept loop closes the listening
    /// socket a moment later on the background runtime, and in-flight requests get the same
    /// grace as with [`ServerHandle::stop`].
    pub fn signal_stop(&mut self) {
        self.stop.take();
    }

    fn stop_waiting(&mut self, drain: bool) {
        if self.stop.take().is_some() {
            let closed = self.closed.lock();
            let _ = closed.recv_timeout(Duration::from_secs(5));
            if drain {
                let _ = closed.recv_timeout(GRACE + Duration::from_secs(2));
            }
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Pending connections the kernel queues for the accept loop. std's `TcpListener::bind` asks
/// for 128; past that, a burst of connections (a test opening hundreds at once while the
/// machine is busy) has its extra SYNs dropped, and each of those clients stalls for a full
/// second before its retry. The kernel caps this at `somaxconn`.
const LISTEN_BACKLOG: u32 = 1024;

/// Binds `host:port` (the first resolved address that binds) with [`LISTEN_BACKLOG`], in the
/// caller's thread, so the port accepts connections as soon as this returns. Plain sockets
/// (`socket2`), not the runtime's: registering with the runtime here and again in [`spawn`]
/// would do the start-up's costliest step twice.
pub fn bind(host: &str, port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    use std::net::ToSocketAddrs;
    let mut failure = None;
    for address in (host, port).to_socket_addrs()? {
        let socket = Socket::new(Domain::for_address(address), Type::STREAM, None)?;
        // As std does on Unix, so that a restarted binary can bind its port again at once.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        let backlog = i32::try_from(LISTEN_BACKLOG).expect("the backlog fits an i32");
        match socket
            .bind(&address.into())
            .and_then(|()| socket.listen(backlog))
        {
            Ok(()) => return Ok(socket.into()),
            Err(error) => failure = Some(error),
        }
    }
    Err(failure.unwrap_or_else(|| {
        let nowhere = format!("{host}:{port} resolves to no address");
        std::io::Error::new(std::io::ErrorKind::InvalidInput, nowhere)
    }))
}

/// Serves `listener` (already bound, so its port accepts connections) on the shared runtime.
pub fn spawn(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
) -> std::io::Result<ServerHandle> {
    listener.set_nonblocking(true)?;
    let (stop_tx, stop_rx) = watch::channel(());
    let (closed_tx, closed_rx) = mpsc::channel();
    // The listener is registered with the runtime by the accept loop, off the caller's path:
    // the kernel queues connections from the moment of `listen`, so none is lost meanwhile.
    RUNTIME.spawn(accept_loop(listener, shared, stop_rx, closed_tx));
    Ok(ServerHandle {
        stop: Some(stop_tx),
        closed: parking_lot::Mutex::new(closed_rx),
    })
}

async fn accept_loop(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<()>,
    closed: mpsc::Sender<()>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            // Only when the runtime cannot watch one more socket (out of memory); the port
            // closes and clients are refused.
            tracing::error!(%error, "cannot serve the listening socket");
            let _ = closed.send(());
            return;
        }
    };
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // Stop first: a dropped mock does not wait for its port, and must not accept a
            // connection after it was told to stop.
            biased;
            _ = stop.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, shared.clone(), stop.clone()));
                }
                Err(error) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    let _ = closed.send(());
    let grace = tokio::time::sleep(GRACE);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            next = connections.join_next() => if next.is_none() { break },
            _ = &mut grace => break,
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
    // The second message: nothing of this server runs any more.
    let _ = closed.send(());
}

async fn serve_connection(stream: TcpStream, shared: Arc<Shared>, mut stop: watch::Receiver<()>) {
    let _ = stream.set_nodelay(true);
    let listening = stream.local_addr().ok().map(api::Listening);
    let reset = Arc::new(ResetSwitch::default());
    let verdicts = Arc::new(Verdicts::default());
    let patience = shared.settings.header_read_timeout;
    let watch = FramingWatch::new(verdicts.clone());
    let socket = Socket::new(stream, reset.clone(), watch, verdicts.clone(), patience);
    let switch = reset.clone();
    let service = service_fn(move |mut request: Request<Incoming>| {
        let shared = shared.clone();
        let switch = switch.clone();
        // Asked here, not in the future below: hyper calls this once per request, in order.
        let (ambiguous, sent_target) = verdicts.next_request();
        if let Some(sent) = sent_target {
            request.extensions_mut().insert(api::SentTarget(sent));
        }
        if let Some(listening) = listening {
            request.extensions_mut().insert(listening);
        }
        async move {
            let (mut parts, body) = request.into_parts();
            api::strip_team_prefix(&shared, &mut parts);
            let request = Request::from_parts(parts, body);
            let cors_on = shared.settings.cors;
            let origins = &shared.settings.cors_origins;
            if cors::is_preflight(request.method(), request.headers()) {
                if cors_on {
                    return Ok::<_, Infallible>(cors::preflight(request.headers(), origins));
                }
                // Answered as the vendor answers it (404), but a person watching the logs
                // learns why the browser refuses the call.
                tracing::warn!(
                    path = %request.uri().path(),
                    "a browser's CORS preflight got 404: start the mock with --cors (or \
                     --cors-origin ORIGIN) to let a page on another origin call it"
                );
            }
            // Kept for the answer's CORS headers: the request itself is consumed below.
            // Node's parser answers a head it refuses before any middleware: no CORS headers.
            let request_headers = (cors_on && !ambiguous).then(|| request.headers().clone());
            let answer = match ambiguous {
                true => refuse_ambiguous(&shared, request),
                false => respond(&shared, request).await,
            };
            let mut response = perform(answer, &switch).await;
            if let Some(request_headers) = request_headers {
                cors::allow(&request_headers, origins, &mut response);
            }
            Ok(response)
        }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Slow or silent clients (slowloris) are cut off, and a request head is bounded in size as
    // Node bounds it (hyper answers 431 or closes), not in header count (hyper's default is
    // 100, Node counts none).
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(patience)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    // HTTP/2 has no header-read timeout; pinging at least sheds a peer that stopped answering.
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(patience)
        .keep_alive_timeout(patience);
    let connection = builder.serve_connection(TokioIo::new(socket), service);
    tokio::pin!(connection);
    // Returning drops the connection and with it the socket, which a tripped switch resets.
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = reset.tripped() => return,
        _ = stop.changed() => connection.as_mut().graceful_shutdown(),
    }
    tokio::select! {
        _ = connection => {}
        _ = reset.tripped() => {}
    }
}

/// Carries out a fault's action. No lock is held here, so a delay slows only its own request.
async fn perform(answer: Answer, reset: &ResetSwitch) -> Response<Full<Bytes>> {
    match answer.action {
        None => {}
        Some(Action::Delay(delay)) => tokio::time::sleep(delay).await,
        // Never resolves: the client gives up, or the shutdown grace runs out and the
        // connection task is aborted.
        Some(Action::Hang) => std::future::pending::<()>().await,
        Some(Action::Reset) => {
            reset.trip();
            std::future::pending::<()>().await;
        }
    }
    answer.response
}
