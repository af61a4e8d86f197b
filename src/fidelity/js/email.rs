//! validator.js 13.15.35 `isEmail` with its default options, as class-validator's `@IsEmail()`
//! calls it (`src/lib/isEmail.js`, `isFQDN.js`, `isByteLength.js`): no display name, UTF-8
//! local parts allowed, a TLD required, no IP-literal domains, lengths checked. Lengths count
//! as JavaScript does: `.length` in UTF-16 code units, `isByteLength` in UTF-8 bytes.

/// JavaScript's `.length`.
fn js_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// `isEmail(text)` with validator.js's default options.
pub fn is_email(text: &str) -> bool {
    if js_len(text) > 254 {
        return false;
    }
    // `str.split('@')`: the domain is after the last `@`, the user part is all before it.
    let Some((user, domain)) = text.rsplit_once('@') else {
        return false;
    };
    // isByteLength(user, {max: 64}) and isByteLength(domain, {max: 254}): UTF-8 bytes.
    if user.len() > 64 || domain.len() > 254 {
        return false;
    }
    if !is_fqdn(domain) {
        return false;
    }
    let quoted = user.len() >= 2 && user.starts_with('"') && user.ends_with('"');
    if user == "\"" || quoted {
        // `user[0] === '"' && user[user.length - 1] === '"'`: a lone `"` is both ends.
        let inner = if user == "\"" {
            ""
        } else {
            &user[1..user.len() - 1]
        };
        return quoted_user_utf8(inner);
    }
    user.split('.').all(|part| {
        !part.is_empty()
            && part.chars().all(|c| {
                c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || utf8_range(c)
            })
    })
}

/// `\u00A1-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF` (astral characters are surrogate pairs to a
/// JavaScript regular expression, outside these ranges).
fn utf8_range(c: char) -> bool {
    matches!(c, '\u{a1}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{ffef}')
}

/// `quotedEmailUserUtf8`: `([\s\x01-\x08\x0b\x0c\x0e-\x1f\x7f\x21\x23-\x5b\x5d-\x7e` plus the
/// UTF-8 ranges `]|(\\[\x01-\x09\x0b\x0c\x0d-\x7f` plus the UTF-8 ranges `]))*`.
fn quoted_user_utf8(inner: &str) -> bool {
    let plain = |c: char| {
        super::is_js_space(c)
            || matches!(c, '\u{1}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}')
            || matches!(c, '\u{21}' | '\u{23}'..='\u{5b}' | '\u{5d}'..='\u{7e}')
            || c == '\u{a0}'
            || utf8_range(c)
    };
    let escaped = |c: char| {
        matches!(c, '\u{1}'..='\u{9}' | '\u{b}' | '\u{c}' | '\u{d}'..='\u{7f}')
            || c == '\u{a0}'
            || utf8_range(c)
    };
    // The alternation is tried in order with backtracking; a set of reachable positions
    // gives the same yes/no answer.
    let chars: Vec<char> = inner.chars().collect();
    let mut reachable = vec![false; chars.len() + 1];
    reachable[0] = true;
    for at in 0..chars.len() {
        if !reachable[at] {
            continue;
        }
        if plain(chars[at]) {
            reachable[at + 1] = true;
        }
        if chars[at] == '\\' && chars.get(at + 1).is_some_and(|&c| escaped(c)) {
            reachable[at + 2] = true;
        }
    }
    reachable[chars.len()]
}

/// validator.js 13.15.35 `isFQDN` with the options `isEmail` passes (`require_tld: true`,
/// `allow_underscores: false`, `ignore_max_length: false`; no trailing dot, no wildcard, no
/// numeric TLD).
pub fn is_fqdn(domain: &str) -> bool {
    let parts: Vec<&str> = domain.split('.').collect();
    let tld = parts[parts.len() - 1];
    if parts.len() < 2 {
        return false;
    }
    // /^([a-z\u00A1-\u00A8\u00AA-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]{2,}|xn[a-z0-9-]{2,})$/i
    let tld_char = |c: char| {
        c.is_ascii_alphabetic()
            || matches!(c, '\u{a1}'..='\u{a8}' | '\u{aa}'..='\u{d7ff}' | '\u{f900}'..='\u{fdcf}' | '\u{fdf0}'..='\u{ffef}')
    };
    let letters = tld.chars().count() >= 2 && tld.chars().all(tld_char);
    let punycode = tld.len() >= 4
        && tld.get(..2).is_some_and(|xn| xn.eq_ignore_ascii_case("xn"))
        && tld
            .get(2..)
            .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if !(letters || punycode) {
        return false;
    }
    if tld.chars().any(super::is_js_space) {
        return false;
    }
    parts.iter().all(|part| {
        js_len(part) <= 63
            // /^[a-z_\u00a1-\uffff0-9-]+$/i (astral characters are two code units in range)
            && !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c >= '\u{a1}')
            // no full-width characters, no hyphen at either end, no underscores
            && !part.chars().any(|c| matches!(c, '\u{ff01}'..='\u{ff5e}'))
            && !part.starts_with('-')
            && !part.ends_with('-')
            && !part.contains('_')
    })
}
