//! `JSON.parse` as body-parser calls it, for [`JsValue`]: serde_json first (fast, and its error
//! text is the API's `Malformed JSON body: ...` detail), then, only where serde_json refuses, a
//! small strict parser for what JavaScript accepts and serde_json does not: a leading
//! byte-order mark (body-parser's decoder strips it), lone surrogate escapes, and numbers too
//! large for a double (infinite in JavaScript). Whatever that parser refuses too keeps
//! serde_json's error.

use super::{js_number, surrogate_char};
use crate::fidelity::jsvalue::{JsObject, JsValue};

/// The UTF-8 byte-order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// serde_json's nesting limit: the 128th open bracket is refused. Bodies nested that deep are
/// refused as before (**\[choice\]**: V8 would parse them), with serde_json's message.
const MAX_DEPTH: usize = 127;

/// Reads `body` as `JSON.parse` does (after body-parser's decoding); the error is serde_json's.
pub fn parse(body: &[u8]) -> Result<JsValue, serde_json::Error> {
    match serde_json::from_slice::<JsValue>(body) {
        Ok(value) => Ok(value),
        // A truncated body is refused by JavaScript too.
        Err(error) if error.is_eof() => Err(error),
        Err(error) => Lenient::read(body.strip_prefix(BOM).unwrap_or(body)).ok_or(error),
    }
}

/// The fallback parser: JSON's grammar exactly, over valid UTF-8 only (invalid UTF-8 stays
/// refused, as it was: body-parser would read it as U+FFFD **\[choice\]**).
struct Lenient<'b> {
    text: &'b [u8],
    at: usize,
}

impl<'b> Lenient<'b> {
    fn read(body: &'b [u8]) -> Option<JsValue> {
        std::str::from_utf8(body).ok()?;
        let mut parser = Lenient { text: body, at: 0 };
        let value = parser.value(0)?;
        parser.skip_space();
        (parser.at == body.len()).then_some(value)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let byte = self.peek()?;
        self.at += 1;
        Some(byte)
    }

    fn eat(&mut self, word: &[u8]) -> Option<()> {
        let rest = self.text.get(self.at..)?;
        rest.starts_with(word).then(|| self.at += word.len())
    }

    /// JSON's white space: space, tab, line feed, carriage return, nothing else.
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<JsValue> {
        self.skip_space();
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => self.string().map(JsValue::String),
            b't' => self.eat(b"true").map(|()| JsValue::Bool(true)),
            b'f' => self.eat(b"false").map(|()| JsValue::Bool(false)),
            b'n' => self.eat(b"null").map(|()| JsValue::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    fn array(&mut self, depth: usize) -> Option<JsValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek()? == b']' {
            self.at += 1;
            return Some(JsValue::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b']' => return Some(JsValue::Array(items)),
                _ => return None,
            }
        }
    }

    fn object(&mut self, depth: usize) -> Option<JsValue> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.at += 1;
        let mut object = JsObject::new();
        self.skip_space();
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(JsValue::Object(Box::new(object)));
        }
        loop {
            self.skip_space();
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.skip_space();
            if self.next()? != b':' {
                return None;
            }
            let value = self.value(depth)?;
            // A repeated key keeps its first place and takes the last value, as in JavaScript.
            object.insert(key, value);
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b'}' => return Some(JsValue::Object(Box::new(object))),
                _ => return None,
            }
        }
    }

    /// A string; a lone surrogate escape becomes the character that holds it.
    fn string(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let start = self.at;
            while let Some(byte) = self.peek() {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.at += 1;
            }
            // Valid UTF-8 (checked up front), cut only at ASCII bytes.
            out.push_str(std::str::from_utf8(&self.text[start..self.at]).ok()?);
            match self.next()? {
                b'"' => return Some(out),
                b'\\' => {}
                _ => return None, // a raw control character
            }
            let escaped = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return None,
            };
            out.push(escaped);
        }
    }

    /// After `\u`: four hex digits, and a trailing surrogate's escape if they open a pair.
    fn unicode_escape(&mut self) -> Option<char> {
        let unit = self.hex4()?;
        if !(0xD800..=0xDFFF).contains(&unit) {
            return char::from_u32(u32::from(unit));
        }
        if unit < 0xDC00 && self.text[self.at..].starts_with(b"\\u") {
            let mark = self.at;
            self.at += 2;
            match self.hex4()? {
                low @ 0xDC00..=0xDFFF => {
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + u32::from(low - 0xDC00);
                    return char::from_u32(code);
                }
                // Not a pair: this one is lone, the next escape is read on its own.
                _ => self.at = mark,
            }
        }
        Some(surrogate_char(unit))
    }

    fn hex4(&mut self) -> Option<u16> {
        let digits = self.text.get(self.at..self.at + 4)?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        self.at += 4;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, read as the nearest double; one
    /// beyond the doubles is infinite, as in JavaScript.
    fn number(&mut self) -> Option<JsValue> {
        let start = self.at;
        let digits = |parser: &mut Self| {
            let from = parser.at;
            while parser.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                parser.at += 1;
            }
            parser.at > from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return None;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        let text = std::str::from_utf8(&self.text[start..self.at]).ok()?;
        let value: f64 = text.parse().ok()?;
        Some(js_number(value).map_or(JsValue::Infinite(value), JsValue::Number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Option<JsValue> {
        Lenient::read(text.as_bytes())
    }

    #[test]
    fn the_fallback_reads_what_serde_json_reads_the_same_way() {
        let bodies = [
            r#"{"a":[1,-2,3.5,-0,1e2,0.1,true,false,null,"x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"]}"#,
            " [ ] ",
            r#"{"a":1,"b":2,"a":3}"#,
            "12345678901234567890",
            "\"\u{e9}t\u{e9}\"",
            "1E+2",
            "-1.5e-3",
        ];
        for body in bodies {
            let expected: JsValue = serde_json::from_str(body).unwrap();
            assert_eq!(read(body), Some(expected), "{body}");
        }
    }

    #[test]
    fn the_fallback_refuses_what_json_parse_refuses() {
        let bodies = [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "+1",
            "1e",
            "-",
            "NaN",
            "Infinity",
            "'a'",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\u{1}\"",
            "tru",
            "[1] 2",
            "{1:2}",
            "\u{c}1",
            "\"\\ud83d\\u12\"",
        ];
        for body in bodies {
            assert_eq!(read(body), None, "{body:?}");
            assert!(parse(body.as_bytes()).is_err(), "{body:?}");
        }
        assert_eq!(Lenient::read(b"\"\xff\""), None);
    }

    #[test]
    fn what_json_parse_accepts_and_serde_json_refuses_is_read() {
        let lone = |unit| JsValue::String(format!("A {}", surrogate_char(unit)));
        let cases = [
            // JSON.parse('\ufeff{}') fails, but body-parser strips the mark first: {}
            ("\u{feff}{}", JsValue::Object(Box::default())),
            // JSON.parse('"A \\ud83d"') is 'A \ud83d' (length 3)
            (r#""A \ud83d""#, lone(0xD83D)),
            (r#""A \ude00""#, lone(0xDE00)),
            // a high surrogate then a non-surrogate escape: both read on their own
            (
                r#""\ud83d\u0041""#,
                JsValue::String(format!("{}A", surrogate_char(0xD83D))),
            ),
            // JSON.parse('1e400') === Infinity, JSON.parse('-1e400') === -Infinity
            ("1e400", JsValue::Infinite(f64::INFINITY)),
            ("-1e400", JsValue::Infinite(f64::NEG_INFINITY)),
        ];
        for (body, expected) in cases {
            assert!(serde_json::from_str::<JsValue>(body).is_err(), "{body}");
            assert_eq!(parse(body.as_bytes()).unwrap(), expected, "{body}");
        }
    }

    #[test]
    fn nesting_is_refused_where_serde_json_refuses_it() {
        let nested = |depth: usize| format!("\u{feff}{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(nested(MAX_DEPTH).as_bytes()).is_ok());
        let error = parse(nested(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        assert_eq!(error.to_string(), "expected value at line 1 column 1");
        let plain = &nested(MAX_DEPTH + 1)[3..];
        assert!(serde_json::from_str::<JsValue>(plain).is_err());
        assert!(serde_json::from_str::<JsValue>(&plain[1..plain.len() - 1]).is_ok());
    }
}
