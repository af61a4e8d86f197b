//! Request bodies as body-parser reads them: `Content-Encoding: gzip` or `deflate` is inflated
//! (as Node's `zlib.createGunzip` / `zlib.createInflate`), `identity` (or none) is taken as
//! is, and any other coding is refused with 415 before the body is read. The size limit holds
//! for the inflated bytes too, and nothing past it is ever inflated: a small body that would
//! inflate to gigabytes stops at the limit.

use std::io::{self, Write};

use bytes::Bytes;
use flate2::write::{MultiGzDecoder, ZlibDecoder};
use http::{header, HeaderMap};

/// How a body is coded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Identity,
    Gzip,
    Deflate,
}

impl Coding {
    /// The coding `headers` declare, as body-parser reads it: the header's value (its
    /// occurrences joined with `, `, as Node joins them), lower-cased, `identity` when absent or
    /// empty; `Err` holds a value it does not support, as it will be shown.
    pub fn of(headers: &HeaderMap) -> Result<Coding, String> {
        let values: Vec<String> = headers
            .get_all(header::CONTENT_ENCODING)
            .iter()
            .map(|value| String::from_utf8_lossy(value.as_bytes()).to_lowercase())
            .collect();
        match values.join(", ").as_str() {
            "" | "identity" => Ok(Coding::Identity),
            "gzip" => Ok(Coding::Gzip),
            "deflate" => Ok(Coding::Deflate),
            other => Err(other.to_string()),
        }
    }
}

/// Why a body could not be taken.
#[derive(Debug)]
pub enum Refusal {
    /// It is (or inflates to) more than the limit.
    TooLarge,
    /// Its coded bytes are not valid for its coding (zlib's verdict).
    Corrupt(String),
}

/// Collects a body's bytes, inflating them on the fly, never holding more than `limit`
/// inflated bytes.
pub struct BodyReader {
    sink: Sink,
}

enum Sink {
    /// A plain body that came in one frame is kept as that frame, uncopied (the common case:
    /// a keep-alive connection's read buffer holds the whole body); `capacity` is reserved
    /// when a second frame makes a copy necessary.
    Plain {
        whole: Option<Bytes>,
        bounded: Bounded,
        capacity: usize,
    },
    Gzip(Box<MultiGzDecoder<Bounded>>),
    Deflate(Box<ZlibDecoder<Bounded>>),
}

impl BodyReader {
    /// A reader for a body coded as `coding`; `capacity` is a hint for plain bodies.
    pub fn new(coding: Coding, limit: usize, capacity: usize) -> Self {
        let bounded = Bounded {
            bytes: Vec::new(),
            limit,
        };
        let sink = match coding {
            Coding::Identity => Sink::Plain {
                whole: None,
                bounded,
                capacity: capacity.min(limit),
            },
            Coding::Gzip => Sink::Gzip(Box::new(MultiGzDecoder::new(bounded))),
            Coding::Deflate => Sink::Deflate(Box::new(ZlibDecoder::new(bounded))),
        };
        BodyReader { sink }
    }

    /// Takes the next frame of the body as sent.
    pub fn push(&mut self, data: Bytes) -> Result<(), Refusal> {
        let written = match &mut self.sink {
            Sink::Plain {
                whole,
                bounded,
                capacity,
            } => {
                if data.len() > bounded.limit {
                    return Err(Refusal::TooLarge);
                }
                match whole.take() {
                    None if bounded.bytes.is_empty() => {
                        *whole = Some(data);
                        return Ok(());
                    }
                    first => {
                        // Once: `capacity` is the whole body's length, not the next frame's.
                        bounded.bytes.reserve(std::mem::take(capacity));
                        first
                            .map_or(Ok(()), |first| bounded.write_all(&first))
                            .map_err(refusal)?;
                        bounded.write_all(&data)
                    }
                }
            }
            Sink::Gzip(decoder) => decoder.write_all(&data),
            Sink::Deflate(decoder) => decoder.write_all(&data),
        };
        written.map_err(refusal)
    }

    /// The whole body, inflated; a coded body that stops early is corrupt.
    pub fn finish(self) -> Result<Bytes, Refusal> {
        let inflated = match self.sink {
            Sink::Plain {
                whole: Some(whole), ..
            } => return Ok(whole),
            Sink::Plain { bounded, .. } => Ok(bounded),
            Sink::Gzip(decoder) => decoder.finish(),
            Sink::Deflate(decoder) => decoder.finish(),
        };
        inflated
            .map(|bounded| Bytes::from(bounded.bytes))
            .map_err(refusal)
    }
}

/// What [`Bounded`] fails with when the limit is passed.
#[derive(Debug)]
struct OverLimit;

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the inflated body exceeds the limit")
    }
}

impl std::error::Error for OverLimit {}

fn refusal(error: io::Error) -> Refusal {
    match error.get_ref().is_some_and(|inner| inner.is::<OverLimit>()) {
        true => Refusal::TooLarge,
        false => Refusal::Corrupt(error.to_string()),
    }
}

/// A byte buffer that refuses to grow past its limit.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl Write for Bounded {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.bytes.len() + data.len() > self.limit {
            return Err(io::Error::other(OverLimit));
        }
        self.bytes.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::{GzEncoder, ZlibEncoder};
    use flate2::Compression;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn read(coding: Coding, limit: usize, body: &[u8], piece: usize) -> Result<Bytes, Refusal> {
        let mut reader = BodyReader::new(coding, limit, 0);
        for part in body.chunks(piece.max(1)) {
            reader.push(Bytes::copy_from_slice(part))?;
        }
        reader.finish()
    }

    #[test]
    fn codings_are_read_as_body_parser_reads_them() {
        let mut headers = HeaderMap::new();
        assert_eq!(Coding::of(&headers), Ok(Coding::Identity));
        for (value, coding) in [
            ("GZIP", Ok(Coding::Gzip)),
            ("Deflate", Ok(Coding::Deflate)),
            ("identity", Ok(Coding::Identity)),
            ("br", Err("br".to_string())),
            ("gzip, identity", Err("gzip, identity".to_string())),
        ] {
            headers.insert(header::CONTENT_ENCODING, value.parse().unwrap());
            assert_eq!(Coding::of(&headers), coding, "{value}");
        }
        headers.append(header::CONTENT_ENCODING, "gzip".parse().unwrap());
        assert_eq!(
            Coding::of(&headers),
            Err("gzip, identity, gzip".to_string())
        );
    }

    #[test]
    fn gzip_and_deflate_bodies_are_inflated_however_they_arrive() {
        let json = br#"{"accounts":[]}"#;
        let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
        zlib.write_all(json).unwrap();
        let zlib = zlib.finish().unwrap();
        for piece in [1, 3, 1000] {
            let inflated = read(Coding::Gzip, 100, &gzip(json), piece);
            assert_eq!(inflated.unwrap(), &json[..]);
            assert_eq!(read(Coding::Deflate, 100, &zlib, piece).unwrap(), &json[..]);
        }
        // Concatenated gzip members are one body, as for Node's gunzip.
        let twice = [gzip(b"{\"a\":"), gzip(b"1}")].concat();
        assert_eq!(
            read(Coding::Gzip, 100, &twice, 7).unwrap(),
            &b"{\"a\":1}"[..]
        );
    }

    #[test]
    fn a_plain_body_in_one_frame_is_kept_uncopied_and_bounded_however_it_arrives() {
        let frame = Bytes::from_static(b"{\"accounts\":[]}");
        let mut reader = BodyReader::new(Coding::Identity, 100, frame.len());
        reader.push(frame.clone()).unwrap();
        let whole = reader.finish().unwrap();
        assert_eq!(
            whole.as_ptr(),
            frame.as_ptr(),
            "the frame itself, not a copy"
        );
        for piece in [1, 3, 14, 15, 1000] {
            assert_eq!(read(Coding::Identity, 15, &frame, piece).unwrap(), frame);
            let outcome = read(Coding::Identity, 14, &frame, piece);
            assert!(matches!(outcome, Err(Refusal::TooLarge)), "{piece}");
        }
        // A body in many frames is copied into one buffer of its declared length, grown once.
        let mut reader = BodyReader::new(Coding::Identity, 100, frame.len());
        for byte in frame.chunks(1) {
            reader.push(Bytes::copy_from_slice(byte)).unwrap();
        }
        let Sink::Plain { bounded, .. } = &reader.sink else {
            unreachable!("a plain body");
        };
        assert_eq!(bounded.bytes.capacity(), frame.len());
        assert_eq!(reader.finish().unwrap(), frame);
        let mut reader = BodyReader::new(Coding::Identity, 100, 0);
        reader.push(Bytes::new()).unwrap();
        reader.push(Bytes::from_static(b"{}")).unwrap();
        assert_eq!(reader.finish().unwrap(), &b"{}"[..]);
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let bomb = gzip(&vec![b' '; 50 * 1024 * 1024]);
        assert!(bomb.len() < 100 * 1024, "{}", bomb.len());
        let outcome = read(Coding::Gzip, 1024 * 1024, &bomb, 16 * 1024);
        assert!(matches!(outcome, Err(Refusal::TooLarge)), "{outcome:?}");
        let exact = gzip(&[b' '; 64]);
        assert!(read(Coding::Gzip, 64, &exact, 5).is_ok());
        assert!(matches!(
            read(Coding::Gzip, 63, &exact, 5),
            Err(Refusal::TooLarge)
        ));
    }

    #[test]
    fn corrupt_or_cut_bodies_are_refused() {
        let whole = gzip(b"{}");
        for body in [&b"not gzip at all"[..], &whole[..whole.len() - 4]] {
            let outcome = read(Coding::Gzip, 100, body, 100);
            assert!(matches!(outcome, Err(Refusal::Corrupt(_))), "{outcome:?}");
        }
    }
}
