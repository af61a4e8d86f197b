//! Follows the request framing of one HTTP/1 connection, byte by byte as the socket reads it,
//! to find request heads that carry both `Content-Length` and `Transfer-Encoding`. hyper
//! accepts those (Transfer-Encoding wins, RFC 9112 §6.3) but cannot tell its service that the
//! request was ambiguous, and such a request is the classic smuggling vector, so this server
//! refuses it. Knows nothing of the API; never blocks, never fails a read.
//!
//! The watch only ever *flags* a request; it never refuses one itself. Whenever the bytes do
//! not follow the grammar it expects (HTTP/2, a head httparse rejects, an odd chunk line), it
//! stops watching for the rest of the connection. hyper refuses such bytes too and closes the
//! connection, so stopping costs nothing, and a watch that has lost track can never flag a
//! legitimate request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What an HTTP/2 client sends first (RFC 9113 §3.4); hyper-util's auto builder looks for it.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Most header lines in one request, as hyper's default (`http1().max_headers`): more get 431.
pub const MAX_HEADERS: usize = 100;

/// Largest request head (request line and headers); hyper's read buffer is capped at this, so
/// a larger head gets 431 or a closed connection.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Shared by a connection's watch (which reads the bytes) and its service (which answers the
/// requests in the same order, HTTP/1 being sequential).
#[derive(Debug)]
pub struct Verdicts {
    /// Index of the first request whose head is ambiguous; `u64::MAX` while there is none.
    flagged: AtomicU64,
    /// Requests handed to the service so far.
    served: AtomicU64,
}

impl Default for Verdicts {
    fn default() -> Self {
        Verdicts {
            flagged: AtomicU64::new(u64::MAX),
            served: AtomicU64::new(0),
        }
    }
}

impl Verdicts {
    fn flag(&self, index: u64) {
        self.flagged.fetch_min(index, Ordering::AcqRel);
    }

    /// Called once per request, in arrival order: whether this request's head carried both
    /// `Content-Length` and `Transfer-Encoding`. Its head has always been read (and so
    /// watched) before hyper hands the request over.
    pub fn next_is_ambiguous(&self) -> bool {
        let index = self.served.fetch_add(1, Ordering::AcqRel);
        self.flagged.load(Ordering::Acquire) == index
    }
}

/// Reads along with hyper and flags ambiguous request heads in [`Verdicts`].
#[derive(Debug)]
pub struct FramingWatch {
    state: State,
    /// The bytes of the head being read (request line and headers).
    head: Vec<u8>,
    /// Request heads read so far on this connection.
    heads: u64,
    verdicts: Arc<Verdicts>,
}

#[derive(Debug, PartialEq, Eq)]
enum State {
    /// Not yet known whether the client speaks HTTP/2 (it sends the preface) or HTTP/1.
    Preface,
    /// Reading a request head.
    Head,
    /// Skipping a body of known length: this many bytes still to come.
    Body(u64),
    /// In a chunked body.
    Chunked(Chunk),
    /// Not watching any more (HTTP/2, or bytes hyper refuses).
    Off,
}

/// Where a chunked body is (RFC 9112 §7.1), with CRLF line ends as hyper requires them.
#[derive(Debug, PartialEq, Eq)]
enum Chunk {
    /// In the hex digits of a chunk size.
    Size {
        size: u64,
        digits: bool,
    },
    /// White space after the size.
    SizeSpace {
        size: u64,
    },
    /// In a chunk extension (`;name=value`), until the end of the line.
    Extension {
        size: u64,
    },
    /// After the size line's CR.
    SizeLf {
        size: u64,
    },
    /// In chunk data: this many bytes still to come.
    Data(u64),
    /// After the data: its CR, then its LF.
    DataCr,
    DataLf,
    /// After the last chunk, at the start of a trailer line or of the final empty line.
    LineStart,
    /// Inside a trailer line.
    Trailer,
    /// After a trailer line's CR.
    TrailerLf,
    /// After the final empty line's CR.
    EndLf,
}

/// How the body of a request is framed, read from its head.
enum Framing {
    None,
    Length(u64),
    Chunked,
    /// Both `Content-Length` and `Transfer-Encoding`.
    Ambiguous,
    /// Something hyper refuses or this watch does not follow.
    Unknown,
}

impl FramingWatch {
    /// A watch for a new connection, flagging into `verdicts`.
    pub fn new(verdicts: Arc<Verdicts>) -> Self {
        FramingWatch {
            state: State::Preface,
            head: Vec::new(),
            heads: 0,
            verdicts,
        }
    }

    /// Whether the client's first bytes already said which protocol it speaks.
    pub fn protocol_known(&self) -> bool {
        self.state != State::Preface
    }

    /// For the fuzz target: the index of the first ambiguous head flagged so far, whether the
    /// watch still follows the connection, and how many head bytes it holds.
    pub(crate) fn outcome(&self) -> (Option<u64>, bool, usize) {
        let flagged = self.verdicts.flagged.load(Ordering::Acquire);
        let following = self.state != State::Off;
        (
            (flagged != u64::MAX).then_some(flagged),
            following,
            self.head.len(),
        )
    }

    /// Follows `bytes`, the next ones read from the connection.
    pub fn feed(&mut self, bytes: &[u8]) {
        // A completed head may be followed by bytes of the next request in the same read;
        // those come back from `step` and are fed in turn (a loop, not recursion: one read may
        // hold thousands of pipelined heads).
        let mut leftover: Option<Vec<u8>> = None;
        loop {
            let next = match &leftover {
                Some(rest) => self.step(rest),
                None => self.step(bytes),
            };
            match next {
                Some(rest) => leftover = Some(rest),
                None => return,
            }
        }
    }

    /// Consumes `input` in the current state; returns the bytes after a completed head.
    fn step(&mut self, mut input: &[u8]) -> Option<Vec<u8>> {
        while !input.is_empty() {
            match &mut self.state {
                State::Off => return None,
                State::Preface | State::Head => {
                    self.head.extend_from_slice(input);
                    // A head can only end on a line feed: parse only when one arrived, so a
                    // client trickling a head byte by byte costs no repeated parsing.
                    let may_be_complete = input.contains(&b'\n');
                    return self.read_head(may_be_complete);
                }
                State::Body(remaining) => {
                    let take = skip(remaining, input.len());
                    input = &input[take..];
                    if *remaining == 0 {
                        self.state = State::Head;
                    }
                }
                State::Chunked(Chunk::Data(remaining)) => {
                    let take = skip(remaining, input.len());
                    input = &input[take..];
                    if *remaining == 0 {
                        self.state = State::Chunked(Chunk::DataCr);
                    }
                }
                State::Chunked(chunk) => {
                    let byte = input[0];
                    input = &input[1..];
                    self.state = match chunk.next(byte) {
                        Ok(Some(next)) => State::Chunked(next),
                        Ok(None) => State::Head,
                        Err(()) => State::Off,
                    };
                }
            }
        }
        None
    }

    /// Decides the protocol, then tries to parse the head read so far.
    fn read_head(&mut self, may_be_complete: bool) -> Option<Vec<u8>> {
        if self.state == State::Preface {
            let seen = self.head.len().min(H2_PREFACE.len());
            if self.head[..seen] == H2_PREFACE[..seen] {
                if seen == H2_PREFACE.len() {
                    self.stop();
                }
                return None;
            }
            self.state = State::Head;
        }
        if !may_be_complete {
            if self.head.len() > MAX_HEAD_BYTES {
                self.stop();
            }
            return None;
        }
        let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut slots);
        let (length, framing) = match request.parse(&self.head) {
            // A head longer than hyper's buffer gets 431 from hyper, however it arrived: stop
            // here too, so that the verdict never depends on how the bytes were split.
            Ok(httparse::Status::Complete(length)) if length <= MAX_HEAD_BYTES => {
                (length, Framing::of(&request))
            }
            Ok(httparse::Status::Partial) if self.head.len() <= MAX_HEAD_BYTES => return None,
            Ok(_) | Err(_) => {
                self.stop();
                return None;
            }
        };
        let index = self.heads;
        self.heads += 1;
        self.state = match framing {
            Framing::None | Framing::Length(0) => State::Head,
            Framing::Length(length) => State::Body(length),
            Framing::Chunked => State::Chunked(Chunk::Size {
                size: 0,
                digits: false,
            }),
            Framing::Ambiguous => {
                self.verdicts.flag(index);
                // hyper closes the connection after answering it: nothing more to follow.
                State::Off
            }
            Framing::Unknown => State::Off,
        };
        if self.state == State::Off {
            self.stop();
            return None;
        }
        let rest = self.head.split_off(length);
        self.head.clear();
        (!rest.is_empty()).then_some(rest)
    }

    fn stop(&mut self) {
        self.state = State::Off;
        self.head = Vec::new();
    }
}

/// Takes up to `available` bytes off `remaining`; returns how many were taken.
fn skip(remaining: &mut u64, available: usize) -> usize {
    let take = (*remaining).min(available as u64);
    *remaining -= take;
    take as usize
}

impl Framing {
    fn of(request: &httparse::Request) -> Framing {
        if request.method == Some("CONNECT") {
            return Framing::Unknown;
        }
        let named = |name: &'static str| {
            request
                .headers
                .iter()
                .filter(move |header| header.name.eq_ignore_ascii_case(name))
                .map(|header| header.value)
        };
        let encodings: Vec<&[u8]> = named("transfer-encoding").collect();
        let lengths: Vec<&[u8]> = named("content-length").collect();
        match (encodings.last(), lengths.is_empty()) {
            (Some(_), false) => Framing::Ambiguous,
            (Some(_), true) if request.version != Some(1) => Framing::Unknown,
            (Some(last), true) => {
                let final_coding = last.rsplit(|byte| *byte == b',').next().unwrap_or(last);
                if final_coding.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                    Framing::Chunked
                } else {
                    Framing::Unknown
                }
            }
            (None, false) => {
                let parsed: Option<Vec<u64>> = lengths.iter().map(|value| digits(value)).collect();
                match parsed.as_deref() {
                    Some([first, rest @ ..]) if rest.iter().all(|other| other == first) => {
                        Framing::Length(*first)
                    }
                    _ => Framing::Unknown,
                }
            }
            (None, true) => Framing::None,
        }
    }
}

/// A `Content-Length` value: decimal digits only (anything else: hyper refuses or this watch
/// does not follow it).
fn digits(value: &[u8]) -> Option<u64> {
    let value = value.trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

impl Chunk {
    /// The state after `byte`: `Ok(None)` once the body is complete, `Err` for a byte that
    /// does not fit (hyper refuses it too).
    fn next(&self, byte: u8) -> Result<Option<Chunk>, ()> {
        let next = match (self, byte) {
            (Chunk::Size { size, .. }, _) if byte.is_ascii_hexdigit() => {
                let digit = u64::from((byte as char).to_digit(16).ok_or(())?);
                let size = size.checked_mul(16).ok_or(())? + digit;
                Chunk::Size { size, digits: true }
            }
            (Chunk::Size { digits: false, .. }, _) => return Err(()),
            (Chunk::Size { size, .. } | Chunk::SizeSpace { size }, b' ' | b'\t') => {
                Chunk::SizeSpace { size: *size }
            }
            (Chunk::Size { size, .. } | Chunk::SizeSpace { size }, b';') => {
                Chunk::Extension { size: *size }
            }
            (
                Chunk::Size { size, .. } | Chunk::SizeSpace { size } | Chunk::Extension { size },
                b'\r',
            ) => Chunk::SizeLf { size: *size },
            (Chunk::Extension { .. }, b'\n') => return Err(()),
            (Chunk::Extension { size }, _) => Chunk::Extension { size: *size },
            (Chunk::SizeLf { size: 0 }, b'\n') => Chunk::LineStart,
            (Chunk::SizeLf { size }, b'\n') => Chunk::Data(*size),
            (Chunk::DataCr, b'\r') => Chunk::DataLf,
            (Chunk::DataLf, b'\n') => Chunk::Size {
                size: 0,
                digits: false,
            },
            (Chunk::LineStart, b'\r') => Chunk::EndLf,
            (Chunk::LineStart | Chunk::Trailer, b'\n') => return Err(()),
            (Chunk::Trailer, b'\r') => Chunk::TrailerLf,
            (Chunk::LineStart | Chunk::Trailer, _) => Chunk::Trailer,
            (Chunk::TrailerLf, b'\n') => Chunk::LineStart,
            (Chunk::EndLf, b'\n') => return Ok(None),
            _ => return Err(()),
        };
        Ok(Some(next))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `stream` in pieces of `piece` bytes; returns the flagged index and the final state.
    fn watch(stream: &[u8], piece: usize) -> (Option<u64>, State) {
        let verdicts = Arc::new(Verdicts::default());
        let mut watch = FramingWatch::new(verdicts.clone());
        for part in stream.chunks(piece) {
            watch.feed(part);
        }
        let flagged = verdicts.flagged.load(Ordering::Acquire);
        ((flagged != u64::MAX).then_some(flagged), watch.state)
    }

    /// The same verdict whether the bytes arrive at once, byte by byte or in odd pieces.
    fn verdict(stream: &[u8]) -> (Option<u64>, State) {
        let whole = watch(stream, stream.len().max(1));
        for piece in [1, 2, 7] {
            assert_eq!(watch(stream, piece), whole, "fed in pieces of {piece}");
        }
        whole
    }

    const GET: &str = "GET /api/v1/segments HTTP/1.1\r\nHost: m\r\n\r\n";

    #[test]
    fn plain_pipelined_requests_are_followed_and_nothing_is_flagged() {
        let body = r#"{"accounts":[]}"#;
        let post = format!(
            "POST /api/v1/accounts HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let stream = format!("{GET}{post}{GET}");
        assert_eq!(verdict(stream.as_bytes()), (None, State::Head));
    }

    #[test]
    fn a_head_with_both_lengths_is_flagged_at_its_place_in_either_order() {
        let te_last = "POST /a HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n";
        let te_first =
            "POST /a HTTP/1.1\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n";
        for ambiguous in [te_last, te_first] {
            let stream = format!("{GET}{GET}{ambiguous}0\r\n\r\n");
            assert_eq!(verdict(stream.as_bytes()), (Some(2), State::Off));
        }
    }

    #[test]
    fn a_body_that_looks_like_an_ambiguous_head_is_skipped_as_body() {
        let fake = "GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n";
        let sized = format!(
            "POST /a HTTP/1.1\r\nContent-Length: {}\r\n\r\n{fake}",
            fake.len()
        );
        let chunked = format!(
            "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
             {:x};ext=\"v\"\r\n{fake}\r\n0\r\nX-Trailer: 1\r\n\r\n",
            fake.len()
        );
        let stream = format!("{sized}{chunked}{GET}");
        assert_eq!(verdict(stream.as_bytes()), (None, State::Head));
    }

    #[test]
    fn http2_garbage_and_bare_line_feeds_in_chunks_stop_the_watch() {
        let h2 = format!("{}{GET}", std::str::from_utf8(H2_PREFACE).unwrap());
        let garbage = "\u{1}\u{2} not http\r\n\r\n";
        let bare_lf = "POST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n";
        for stream in [h2.as_str(), garbage, bare_lf] {
            assert_eq!(verdict(stream.as_bytes()), (None, State::Off), "{stream:?}");
        }
    }

    #[test]
    fn the_protocol_is_known_after_the_first_byte_that_is_not_the_http2_preface() {
        let mut watch = FramingWatch::new(Arc::new(Verdicts::default()));
        watch.feed(b"PRI * HT");
        assert!(!watch.protocol_known());
        watch.feed(b"X");
        assert!(watch.protocol_known());
    }

    #[test]
    fn an_oversized_head_stops_the_watch_and_its_memory() {
        let mut watch = FramingWatch::new(Arc::new(Verdicts::default()));
        watch.feed(b"GET / HTTP/1.1\r\nX-Big: ");
        for _ in 0..=MAX_HEAD_BYTES / 1024 {
            watch.feed(&[b'a'; 1024]);
        }
        assert_eq!(watch.state, State::Off);
        assert_eq!(watch.head.capacity(), 0);
    }

    #[test]
    fn an_oversized_head_is_given_up_however_its_bytes_arrive() {
        // Found while writing the framing fuzz target: a complete head over the limit that
        // came in one read was once followed (and could be flagged), in pieces it was not.
        let head = format!(
            "GET / HTTP/1.1\r\nX-Big: {}\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "a".repeat(MAX_HEAD_BYTES)
        );
        assert_eq!(verdict(head.as_bytes()), (None, State::Off));
    }

    #[test]
    fn an_unfinished_invalid_head_is_never_flagged_however_it_is_split() {
        // From the framing fuzz target: fed at once, the bad header name is seen at once; fed
        // in pieces, only at the next line end. Either way nothing is ever flagged.
        let stream = b"POST /a HTTP/1.1\r\nTr\x03\x01\x07\rPOST /a HTansfer-Enc";
        for piece in [stream.len(), 1, 7] {
            assert_eq!(watch(stream, piece).0, None, "pieces of {piece}");
        }
        assert_eq!(watch(stream, stream.len()).1, State::Off);
    }

    #[test]
    fn the_service_learns_the_verdict_of_each_request_in_order() {
        let verdicts = Verdicts::default();
        verdicts.flag(1);
        let seen: Vec<bool> = (0..3).map(|_| verdicts.next_is_ambiguous()).collect();
        assert_eq!(seen, [false, true, false]);
    }
}
