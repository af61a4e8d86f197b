//! The vendor's JavaScript stack, as far as a verdict depends on it: validator.js's checks
//! (as class-validator 0.15.1 calls them, default options), `Number()`, `String.prototype.trim`
//! and `new Date()`. Pure functions; `tests/data/js-verdicts.json` holds the real libraries'
//! answers over a corpus and `tests/api/js_verdicts.rs` checks these agree on every row.

mod date;
mod email;
mod iso8601;
mod number;

pub use date::new_date;
pub use email::is_email;
pub use iso8601::is_iso8601;
pub use number::{is_integer, number};

/// JavaScript's white space and line terminators (ECMA-262 *WhiteSpace* and *LineTerminator*,
/// which are also what a regular expression's `\s` matches): tab, vertical tab, form feed,
/// space, no-break space, U+FEFF, every Unicode space separator (Zs), LF, CR, U+2028, U+2029.
/// Not U+0085 (NEL) and not U+180E, which Rust's `char::is_whitespace` reads otherwise.
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `String.prototype.trim`: strips JavaScript white space (`is_js_space`) from both ends.
pub fn trim(text: &str) -> &str {
    text.trim_matches(is_js_space)
}

/// Whether `text` is empty once trimmed as `String.prototype.trim` trims: every character is
/// JavaScript white space (`is_js_space`). Stops at the first that is not, where `trim` would
/// scan both ends.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(is_js_space)
}

/// validator.js 13.15.35 `isMongoId`: `isHexadecimal` (`/^(0x|0h)?[0-9A-F]+$/i`) and a length
/// of 24. So a `0x` or `0h` prefix before 22 hex digits passes too. Pinned by the verdict
/// table; the API's ids and cursors keep the stricter 24-hex-digit rule (docs/api.md §1.6).
#[cfg(feature = "test-hooks")]
pub fn is_mongo_id(text: &str) -> bool {
    let digits = ["0x", "0X", "0h", "0H"]
        .iter()
        .find_map(|prefix| text.strip_prefix(prefix))
        .unwrap_or(text);
    text.len() == 24 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn is_blank_is_whether_trim_leaves_nothing() {
        for text in [
            "",
            " ",
            "\t\u{a0}\u{feff}\u{3000}",
            " a ",
            "\u{85}",
            "\u{180e}",
            "a",
        ] {
            assert_eq!(is_blank(text), trim(text).is_empty(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn is_blank_agrees_with_trim(text in "[ \t\n\u{a0}\u{2000}\u{feff}\u{85}a]{0,6}") {
            prop_assert_eq!(is_blank(&text), trim(&text).is_empty());
        }
    }
}
