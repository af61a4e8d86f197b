//! The server's end of one TCP connection, which a `reset` fault can end with a TCP reset (RST)
//! instead of an orderly close (FIN), which gives up on a client that stays silent, which
//! shows every byte read to the connection's [`FramingWatch`], and which rewrites each request
//! line hyper would refuse but Node reads (see `super::target`). Only the server uses it.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Sleep;

use super::framing::{FramingWatch, Verdicts};
use super::target::RequestLine;

/// What an HTTP/2 client sends first (RFC 9113 §3.4); hyper-util's auto builder waits for it.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Shared by a connection's socket, its requests and its task: a request trips it, the task
/// then drops the connection, and the socket resets instead of closing.
#[derive(Debug, Default)]
pub struct ResetSwitch {
    tripped: AtomicBool,
    notify: Notify,
}

impl ResetSwitch {
    /// Asks for the connection to be reset.
    pub fn trip(&self) {
        self.tripped.store(true, Ordering::Release);
        self.notify.notify_one();
    }

    /// Resolves once [`ResetSwitch::trip`] was called (also if it was called before).
    pub async fn tripped(&self) {
        self.notify.notified().await;
    }
}

/// A `TcpStream` that, once its switch is tripped, closes with RST when dropped.
///
/// The stream itself is owned by hyper's connection by then, so the switch is the only way
/// to reach it; setting `SO_LINGER` to zero at drop time is what turns the close into a reset.
#[derive(Debug)]
pub struct Socket {
    stream: TcpStream,
    switch: Arc<ResetSwitch>,
    watch: FramingWatch,
    /// hyper-util's auto builder reads the first bytes (to tell HTTP/1 from HTTP/2) before any
    /// of hyper's timers run, so a client that connects and says nothing, or trickles the
    /// HTTP/2 preface, would hold the connection forever. Until the protocol is known, a read
    /// that waits past this deadline fails instead; then hyper's header-read timeout takes over.
    silent_until: Option<Pin<Box<Sleep>>>,
    /// How many of the first bytes read were the start of the HTTP/2 preface.
    preface: usize,
    /// Where the sent form of a rewritten request target goes, for the service.
    verdicts: Arc<Verdicts>,
    /// The request line being read, if one is.
    line: Option<RequestLine>,
    /// Request heads started so far.
    heads: u64,
    /// Rewritten bytes that did not fit hyper's buffer yet, and how many of them it took.
    overflow: Vec<u8>,
    overflow_taken: usize,
}

impl Socket {
    /// Must be called on the runtime (it starts the silence deadline, `patience` from now).
    pub fn new(
        stream: TcpStream,
        switch: Arc<ResetSwitch>,
        watch: FramingWatch,
        verdicts: Arc<Verdicts>,
        patience: Duration,
    ) -> Self {
        Socket {
            stream,
            switch,
            watch,
            silent_until: Some(Box::pin(tokio::time::sleep(patience))),
            preface: 0,
            verdicts,
            line: None,
            heads: 0,
            overflow: Vec::new(),
            overflow_taken: 0,
        }
    }

    /// Shows `read` to the watch, rewriting the request lines in it; `None` when nothing
    /// needed rewriting (hyper reads the bytes as they came).
    fn rewrite(&mut self, read: &[u8]) -> Option<Vec<u8>> {
        let mut at = 0;
        if self.line.is_none() {
            // Most reads are body bytes, with no head starting in them: no copy then.
            at = self.watch.feed_to_head_start(read);
            if at == read.len() {
                return None;
            }
        }
        let mut out = read[..at].to_vec();
        while at < read.len() {
            if let Some(line) = self.line.as_mut() {
                let start = out.len();
                let (taken, ended) = line.feed(&read[at..], &mut out);
                self.watch.feed(&out[start..]);
                at += taken;
                if ended {
                    let sent = self.line.take().and_then(RequestLine::sent_target);
                    if let Some(sent) = sent {
                        self.verdicts.record_sent_target(self.heads - 1, sent);
                    }
                }
            } else if self.watch.at_head_start() {
                self.line = Some(RequestLine::new());
                self.heads += 1;
            } else {
                let taken = self.watch.feed_to_head_start(&read[at..]);
                out.extend_from_slice(&read[at..at + taken]);
                at += taken;
            }
        }
        // Rewriting only ever lengthens a line.
        (out.len() != read.len()).then_some(out)
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        if self.switch.tripped.load(Ordering::Acquire) {
            // A zero linger never blocks: the close discards unsent data and sends RST.
            let _ = self.stream.set_zero_linger();
        }
    }
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.overflow_taken < this.overflow.len() {
            let rest = &this.overflow[this.overflow_taken..];
            let fits = rest.len().min(buf.remaining());
            buf.put_slice(&rest[..fits]);
            this.overflow_taken += fits;
            if this.overflow_taken == this.overflow.len() {
                this.overflow = Vec::new();
                this.overflow_taken = 0;
            }
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = &buf.filled()[before..];
                // The protocol is known at the first byte off the preface, or at its end.
                let expected = &H2_PREFACE[this.preface..];
                let compared = read.len().min(expected.len());
                this.preface += compared;
                if read[..compared] != expected[..compared] || this.preface == H2_PREFACE.len() {
                    this.silent_until = None;
                }
                if let Some(rewritten) = this.rewrite(read) {
                    buf.set_filled(before);
                    let fits = rewritten.len().min(buf.remaining());
                    buf.put_slice(&rewritten[..fits]);
                    this.overflow = rewritten;
                    this.overflow_taken = fits;
                    if fits == this.overflow.len() {
                        this.overflow = Vec::new();
                        this.overflow_taken = 0;
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Pending => {
                let expired = this
                    .silent_until
                    .as_mut()
                    .is_some_and(|deadline| deadline.as_mut().poll(cx).is_ready());
                if expired {
                    let silent = "the client sent no request in time";
                    return Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, silent)));
                }
                Poll::Pending
            }
            failed => failed,
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
