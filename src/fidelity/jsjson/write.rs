//! `JSON.stringify`'s text through serde_json: a [`serde_json::ser::Formatter`] that writes
//! numbers as JavaScript's `Number.prototype.toString` does (`1e+21`, `0.000001`; serde_json
//! already writes an infinite number as `null` and integers as JavaScript does), and a lone
//! surrogate (held as a private-use character, see the parent module) as its `\udXXX` escape.
//! Every other escape is the same in both: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t` and
//! `\u00XX` (lower-case) for the other control characters, nothing for U+2028/U+2029.

use std::io;

use serde::Serialize;
use serde_json::ser::Formatter;

use super::surrogate_of;

/// serde_json's compact output, with JavaScript's numbers and lone surrogates.
#[derive(Clone, Copy, Debug, Default)]
pub struct JsFormatter;

impl Formatter for JsFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        // serde_json calls this for finite values only (it writes `null` for the others).
        let mut buffer = ryu_js::Buffer::new();
        writer.write_all(buffer.format_finite(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        // JavaScript holds it as the double it widens to.
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = find_surrogate(rest) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let unit = rest[at..]
                .chars()
                .next()
                .and_then(surrogate_of)
                .unwrap_or(0xFFFD);
            write!(writer, "\\u{unit:04x}")?;
            rest = &rest[at + 4..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// The byte offset of the first character in `text` that holds a lone surrogate. Those are
/// 4-byte characters led by 0xF4, a byte that only ever leads a character: a byte scan (which
/// the compiler vectorises) skips the common text that has none, where decoding every
/// character would not.
fn find_surrogate(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(offset) = bytes[from..].iter().position(|&byte| byte == 0xF4) {
        let at = from + offset;
        if text[at..].chars().next().and_then(surrogate_of).is_some() {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `value` as `JSON.stringify` writes it.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, JsFormatter);
    value
        .serialize(&mut serializer)
        .expect("the API's values always serialise");
    out
}

/// Appends `text` as a JSON string, as `JSON.stringify` writes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    // Most text needs no escape at all: one byte scan (which the compiler vectorises), then a
    // copy, where serde_json looks every byte up in its escape table and the formatter scans
    // for surrogates again, and strings are most of an answer.
    let plain = |byte: &u8| *byte >= 0x20 && *byte != b'"' && *byte != b'\\' && *byte != 0xF4;
    if text.as_bytes().iter().all(plain) {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
        return;
    }
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, JsFormatter);
    text.serialize(&mut serializer)
        .expect("writing to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fidelity::jsjson::surrogate_char;
    use crate::fidelity::jsvalue::JsValue;

    fn text<T: Serialize + ?Sized>(value: &T) -> String {
        String::from_utf8(to_vec(value)).unwrap()
    }

    #[test]
    fn numbers_are_written_as_javascript_writes_them() {
        // Each right-hand side is JSON.stringify(<left-hand side>) in Node.
        let cases: [(f64, &str); 12] = [
            (78.0, "78"),
            (-0.0, "0"),
            (1e21, "1e+21"),
            (0.1, "0.1"),
            (1e-7, "1e-7"),
            (0.000001, "0.000001"),
            (1.5e300, "1.5e+300"),
            (1e20, "100000000000000000000"),
            (-2.5, "-2.5"),
            (f64::INFINITY, "null"),
            (f64::NEG_INFINITY, "null"),
            (5e-324, "5e-324"),
        ];
        for (value, written) in cases {
            assert_eq!(text(&value), written, "{value}");
        }
        assert_eq!(text(&JsValue::Infinite(f64::INFINITY)), "null");
    }

    #[test]
    fn lone_surrogates_are_written_as_escapes() {
        // JSON.stringify('A \ud83d') === '"A \\ud83d"'; a pair is written as itself.
        let lone = format!(
            "A {}{}\u{1F600}",
            surrogate_char(0xD83D),
            surrogate_char(0xDE00)
        );
        assert_eq!(text(&lone), r#""A \ud83d\ude00😀""#);
        let mut keyed = serde_json::Map::new();
        keyed.insert(surrogate_char(0xDC00).to_string(), 1.into());
        assert_eq!(text(&keyed), r#"{"\udc00":1}"#);
        // Other characters led by 0xF4 (U+100000..U+10F7FF) are written as themselves.
        let near = format!("\u{100000}\u{10F7FF}{}x", surrogate_char(0xDFFF));
        assert_eq!(text(&near), "\"\u{100000}\u{10F7FF}\\udfffx\"");
        // JSON.stringify('\u0001\u2028"\\\n') === '"\\u0001\u2028\\"\\\\\\n"'
        assert_eq!(
            text("\u{1}\u{2028}\"\\\n"),
            "\"\\u0001\u{2028}\\\"\\\\\\n\""
        );
    }

    #[test]
    fn write_str_writes_what_the_serializer_writes() {
        let cases = [
            String::new(),
            "acme.com".to_string(),
            "caf\u{e9} \u{1F600} \u{2028}".to_string(),
            "a\"b\\c\u{7f}\u{1f}".to_string(),
            "\u{100000}".to_string(),
            format!("x{}", surrogate_char(0xDABC)),
        ];
        for case in cases {
            let mut out = Vec::new();
            write_str(&mut out, &case);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                text(case.as_str()),
                "{case:?}"
            );
        }
    }
}
