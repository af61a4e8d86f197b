//! JSON read and written as the vendor's JavaScript stack reads and writes it: `JSON.parse`
//! behind body-parser on the way in ([`parse()`]), `JSON.stringify` on the way out ([`to_vec`]).
//!
//! Two things JavaScript holds that Rust's types do not:
//! * **Lone UTF-16 surrogates.** `JSON.parse('"\ud83d"')` is a valid one-unit string; a Rust
//!   `String` cannot hold it. Such a unit is held as one character of the last private-use
//!   block, `U+10F800 + (unit - 0xD800)` (U+10F800..=U+10FFFF, never assigned to anything), so
//!   that equality, ordering and storage work unchanged, and every writer of the API turns it
//!   back into the `\udXXX` escape `JSON.stringify` writes. The one cost: a client that sends
//!   one of those private-use characters literally gets the escape back.
//! * **Numbers are doubles.** A number is held as the double JavaScript holds
//!   ([`js_number`]), and an infinite one (`1e400`) as [`JsValue::Infinite`].

mod parse;
mod write;

use serde_json::Number;

pub use parse::parse;
pub use write::{to_vec, write_str};

#[cfg(doc)]
use crate::fidelity::jsvalue::JsValue;

/// The first character that stands for a lone surrogate (`\ud800`).
const SURROGATE_BASE: u32 = 0x10_F800;

/// The character that holds the lone surrogate `unit` (0xD800..=0xDFFF).
pub fn surrogate_char(unit: u16) -> char {
    let code = SURROGATE_BASE + u32::from(unit - 0xD800);
    char::from_u32(code).expect("U+10F800..=U+10FFFF are characters")
}

/// The lone surrogate that `c` holds, if it holds one.
pub fn surrogate_of(c: char) -> Option<u16> {
    let code = u32::from(c);
    (code >= SURROGATE_BASE).then(|| 0xD800 + (code - SURROGATE_BASE) as u16)
}

/// `value` as JavaScript holds it, as serde_json would read what `JSON.stringify` writes for
/// it: `-0` is `0`, a whole number whose JavaScript text is all digits is an integer (so it
/// prints and compares as one: `78.0` is `78`, `1e16` is `10000000000000000`), anything else
/// a float. `None` for an infinite or NaN value (which `JSON.stringify` writes as `null`).
pub fn js_number(value: f64) -> Option<Number> {
    if !value.is_finite() {
        return None;
    }
    if value == 0.0 {
        return Some(Number::from(0));
    }
    if value.fract() == 0.0 && value.abs() < 1e21 {
        // JavaScript writes the shortest digits that read back as this double, padded with
        // zeros: 12345678901234567890 is written (and so held) as 12345678901234567000.
        let mut buffer = ryu_js::Buffer::new();
        let text = buffer.format_finite(value);
        if let Ok(integer) = text.parse::<i64>() {
            return Some(Number::from(integer));
        }
        if let Ok(integer) = text.parse::<u64>() {
            return Some(Number::from(integer));
        }
    }
    Number::from_f64(value)
}

/// `number` as JavaScript holds it (see [`js_number`]); integers that a double holds exactly
/// are kept as they are.
pub fn js_number_of(number: &Number) -> Number {
    const EXACT: u64 = 1 << 53;
    if number.as_u64().is_some_and(|n| n <= EXACT)
        || number.as_i64().is_some_and(|n| n.unsigned_abs() <= EXACT)
    {
        return number.clone();
    }
    number
        .as_f64()
        .and_then(js_number)
        .unwrap_or_else(|| number.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_held_as_the_double_javascript_holds() {
        let cases: [(f64, &str); 9] = [
            (78.0, "78"), // JSON.parse('78.0') === 78
            (-0.0, "0"),  // JSON.stringify(-0) === '0'
            (0.1, "0.1"), // 0.1
            (1e16, "10000000000000000"),
            (12345678901234567890.0, "12345678901234567000"),
            (-9007199254740993.0, "-9007199254740992"),
            (2.5, "2.5"),
            (1e21, "1e+21"), // a float
            (1e-7, "1e-7"),
        ];
        for (value, printed) in cases {
            assert_eq!(js_number(value).unwrap().to_string(), printed, "{value}");
        }
        assert_eq!(js_number(f64::INFINITY), None);
        // Past u64 the text is a float's; written as JavaScript writes it by `to_vec`.
        let beyond = js_number_of(&Number::from(u64::MAX));
        assert_eq!(to_vec(&beyond), b"18446744073709552000");
        assert_eq!(js_number_of(&Number::from(7)), Number::from(7));
    }

    #[test]
    fn every_lone_surrogate_has_its_own_character_and_back() {
        for unit in 0xD800..=0xDFFF_u16 {
            assert_eq!(surrogate_of(surrogate_char(unit)), Some(unit));
        }
        assert_eq!(surrogate_of('\u{10F7FF}'), None);
        assert_eq!(surrogate_of('A'), None);
    }
}
