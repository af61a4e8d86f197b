//! Request targets as Node's HTTP parser reads them. Node routes a target holding `"`, `<`,
//! `>`, `` ` `` or raw bytes above 0x7F (`?domains=["acme.com"]` sent unencoded); httparse
//! refuses the raw bytes and `http::Uri` the rest, so hyper would answer an empty 400. The
//! socket therefore percent-encodes exactly those bytes in each request line before hyper reads
//! it, and notes the target as sent, which the router then uses in its place (the envelope's
//! `path`, the route, the query): Node reads the request line's bytes as Latin-1, one
//! character per byte, and so does [`RequestLine::sent_target`].

use super::framing::MAX_HEAD_BYTES;

/// Whether hyper's parsers refuse `byte` in a request target (found by trying every byte on
/// httparse and `http::Uri` in Cargo.lock's versions; `"` is refused in the query only, and
/// encoded anywhere, which is harmless: the router reads the target as sent).
fn refused(byte: u8) -> bool {
    matches!(byte, b'"' | b'<' | b'>' | b'`') || byte >= 0x80
}

/// Where in a request line the next byte falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Method,
    Target,
    Rest,
}

/// Rewrites one request line as its bytes arrive (no byte is held back, so a slow client is
/// timed out by hyper as before), remembering the target as sent.
#[derive(Debug)]
pub struct RequestLine {
    part: Part,
    sent: Vec<u8>,
    rewritten: bool,
    length: usize,
}

impl RequestLine {
    /// A request line about to start.
    pub fn new() -> Self {
        RequestLine {
            part: Part::Method,
            sent: Vec::new(),
            rewritten: false,
            length: 0,
        }
    }

    /// Takes the line's next bytes (up to and including its line feed, if it is there), writing
    /// what hyper is to read into `out`; returns how many bytes of `input` were the line's.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> (usize, bool) {
        for (at, &byte) in input.iter().enumerate() {
            self.length += 1;
            // A line this long gets 431 from hyper anyway: pass it on as it is.
            let passing = self.length > MAX_HEAD_BYTES;
            match (self.part, byte) {
                // httparse skips empty lines before a request line: so does this.
                (Part::Method, b'\n') if self.length <= 2 => {
                    out.push(byte);
                    self.length = 0;
                    continue;
                }
                (_, b'\n') => {
                    out.push(byte);
                    return (at + 1, true);
                }
                (Part::Method, b' ') => self.part = Part::Target,
                (Part::Target, b' ') => self.part = Part::Rest,
                (Part::Target, _) if !passing => {
                    self.sent.push(byte);
                    if refused(byte) {
                        self.rewritten = true;
                        out.extend_from_slice(format!("%{byte:02X}").as_bytes());
                        continue;
                    }
                }
                _ => {}
            }
            out.push(byte);
        }
        (input.len(), false)
    }

    /// The target as sent, if hyper reads it rewritten.
    pub fn sent_target(self) -> Option<String> {
        // Latin-1: each byte is the character of that number, as Node reads it.
        self.rewritten
            .then(|| self.sent.iter().map(|&byte| char::from(byte)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrite(line: &[u8], piece: usize) -> (Vec<u8>, Option<String>) {
        let mut request_line = RequestLine::new();
        let mut out = Vec::new();
        for part in line.chunks(piece) {
            let (taken, ended) = request_line.feed(part, &mut out);
            assert_eq!(taken, part.len());
            if ended {
                break;
            }
        }
        (out, request_line.sent_target())
    }

    #[test]
    fn refused_target_bytes_are_encoded_and_the_sent_target_kept() {
        let line = "GET /api/v1/accounts?domains=[\"acme.com\"]&x=<`é`> HTTP/1.1\r\n";
        for piece in [1, 5, line.len()] {
            let (out, sent) = rewrite(line.as_bytes(), piece);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "GET /api/v1/accounts?domains=[%22acme.com%22]&x=%3C%60%C3%A9%60%3E HTTP/1.1\r\n"
            );
            // Node's req.url: the raw bytes of "é" read as Latin-1 ("Ã©").
            let expected = "/api/v1/accounts?domains=[\"acme.com\"]&x=<`\u{c3}\u{a9}`>";
            assert_eq!(sent.as_deref(), Some(expected));
        }
    }

    #[test]
    fn empty_lines_before_the_request_line_are_skipped_as_httparse_skips_them() {
        let (out, sent) = rewrite(b"\r\nGET /a?b=\"c\" HTTP/1.1\r\n", 2);
        assert_eq!(out, b"\r\nGET /a?b=%22c%22 HTTP/1.1\r\n");
        assert_eq!(sent.as_deref(), Some("/a?b=\"c\""));
    }

    #[test]
    fn a_target_hyper_reads_is_left_alone() {
        let line = b"GET /api/v1/accounts?a={|}^\\ HTTP/1.1\r\nHost: x\r\n";
        let (out, sent) = rewrite(line, 3);
        assert_eq!(out, b"GET /api/v1/accounts?a={|}^\\ HTTP/1.1\r\n");
        assert_eq!(sent, None);
    }
}
