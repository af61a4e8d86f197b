//! JavaScript's `Number(text)` (ECMA-262 *StringToNumber*) and `Number.isInteger`: how the
//! vendor's stack reads a numeric query value such as `limit` before class-validator's
//! `isInt`, `min` and `max` see it.

/// `Number(text)`: white space around is ignored ([`super::trim`]); empty is 0; `0x`, `0b`,
/// `0o` prefixes (either case, no sign) read hex, binary and octal; `Infinity` with an
/// optional sign; else a decimal literal (`1e2`, `.5`, `5.`, signs) or NaN. No `_`
/// separators, no other names (`inf`, `nan`).
pub fn number(text: &str) -> f64 {
    let text = super::trim(text);
    if text.is_empty() {
        return 0.0;
    }
    let bytes = text.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'0' {
        let radix = match bytes[1] {
            b'x' | b'X' => Some(16),
            b'b' | b'B' => Some(2),
            b'o' | b'O' => Some(8),
            _ => None,
        };
        if let Some(radix) = radix {
            return radix_integer(&text[2..], radix).unwrap_or(f64::NAN);
        }
    }
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "Infinity" {
        return if text.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    if !is_decimal_literal(unsigned) {
        return f64::NAN;
    }
    // Rust reads a decimal literal correctly rounded, as JavaScript does (and overflow to
    // infinity, as `Number("1e400")` does).
    text.parse().unwrap_or(f64::NAN)
}

/// *StrUnsignedDecimalLiteral*: `digits [. digits?]` or `. digits`, then `[eE][+-]?digits`.
fn is_decimal_literal(text: &str) -> bool {
    let b = text.as_bytes();
    let digits_from = |mut at: usize| {
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        (at, at - start)
    };
    let (mut at, whole) = digits_from(0);
    let mut fraction = 0;
    if b.get(at) == Some(&b'.') {
        (at, fraction) = digits_from(at + 1);
    }
    if whole + fraction == 0 {
        return false;
    }
    if matches!(b.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(b.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        let (end, count) = digits_from(at);
        if count == 0 {
            return false;
        }
        at = end;
    }
    at == b.len()
}

/// The value of `digits` in `radix`, rounded to the nearest double as JavaScript does; `None`
/// when a character is not a digit of the radix or there is none.
fn radix_integer(digits: &str, radix: u32) -> Option<f64> {
    let values: Vec<u32> = digits
        .chars()
        .map(|c| c.to_digit(radix))
        .collect::<Option<_>>()?;
    if values.is_empty() {
        return None;
    }
    // The bits, most significant first, without leading zeros.
    let width = radix.trailing_zeros();
    let mut bits: Vec<bool> = Vec::with_capacity(values.len() * width as usize);
    for value in values {
        for shift in (0..width).rev() {
            bits.push(value >> shift & 1 == 1);
        }
    }
    let first = bits.iter().position(|&bit| bit).unwrap_or(bits.len());
    let bits = &bits[first..];
    // The top 127 bits, plus a sticky bit for anything below, round exactly as the whole.
    let (head, tail) = bits.split_at(bits.len().min(127));
    let mut mantissa = head
        .iter()
        .fold(0u128, |acc, &bit| acc << 1 | u128::from(bit));
    if tail.iter().any(|&bit| bit) {
        mantissa = mantissa << 1 | 1;
    } else if !tail.is_empty() {
        mantissa <<= 1;
    }
    let dropped = tail.len().saturating_sub(1);
    let scale = i32::try_from(dropped).unwrap_or(i32::MAX);
    Some(mantissa as f64 * 2f64.powi(scale))
}

/// `Number.isInteger(n)`, which is class-validator's `isInt` on a number: finite and whole.
pub fn is_integer(n: f64) -> bool {
    n.is_finite() && n.trunc() == n
}
