//! Domain cleaning (docs/api.md §1.9): the one normal form every written or filtered domain takes.
//! Pure string work; knows nothing of accounts or HTTP.

use std::borrow::Cow;

/// Cleans a domain as the API does before storing or matching it:
/// trim (as `String.prototype.trim` does: also U+FEFF and every Unicode space), lower-case, drop `http://` / `https://`, drop `www.`, cut at the first `/`, `?` or `#`,
/// drop a trailing `:port`, drop a trailing `.`.
///
/// ```
/// assert_eq!(recotap_mock::clean_domain("https://www.Acme.com/foo"), "acme.com");
/// assert_eq!(recotap_mock::clean_domain(" HTTP://Globex.com:8080/x "), "globex.com");
/// ```
pub fn clean_domain(raw: &str) -> Cow<'_, str> {
    if is_clean(raw) {
        return Cow::Borrowed(raw);
    }
    let trimmed = crate::fidelity::js::trim(raw);
    // Most domains arrive clean: borrow unless lower-casing has to make a new string.
    let lowered: Cow<'_, str> =
        if trimmed.is_ascii() && !trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Borrowed(trimmed)
        } else {
            Cow::Owned(trimmed.to_lowercase())
        };
    let (start, end) = clean_range(&lowered);
    match lowered {
        Cow::Borrowed(text) => Cow::Borrowed(&text[start..end]),
        Cow::Owned(text) => Cow::Owned(text[start..end].to_string()),
    }
}

/// Whether cleaning would leave `raw` as it is, decided in one pass: lower-case letters,
/// digits, `-` and `.` only (so nothing to trim, lower-case, cut at or strip as a scheme or
/// port), not led by `www.`, not ending in `.`. Most domains a sync sends are like that, and
/// the seven steps would cost each of them a pass.
fn is_clean(raw: &str) -> bool {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.';
    raw.bytes().all(allowed) && !raw.starts_with("www.") && !raw.ends_with('.')
}

/// Steps 3 to 7 of the cleaning, as the byte range of `lowered` that remains.
fn clean_range(lowered: &str) -> (usize, usize) {
    let mut rest = lowered;
    for scheme in ["http://", "https://"] {
        if let Some(stripped) = rest.strip_prefix(scheme) {
            rest = stripped;
            break;
        }
    }
    rest = rest.strip_prefix("www.").unwrap_or(rest);
    if let Some(cut) = rest.find(['/', '?', '#']) {
        rest = &rest[..cut];
    }
    if let Some(colon) = rest.rfind(':') {
        let port = &rest[colon + 1..];
        if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
            rest = &rest[..colon];
        }
    }
    rest = rest.strip_suffix('.').unwrap_or(rest);
    let start = rest.as_ptr() as usize - lowered.as_ptr() as usize;
    (start, start + rest.len())
}

/// Whether a cleaned domain is acceptable **\[choice\]**: not empty, no white space (what
/// JavaScript counts as such), at least one `.`.
pub fn is_valid_domain(cleaned: &str) -> bool {
    !cleaned.is_empty()
        && cleaned.contains('.')
        && !cleaned.chars().any(crate::fidelity::js::is_js_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning_follows_the_seven_steps_in_order() {
        let table = [
            ("acme.com", "acme.com"),
            ("  Acme.COM  ", "acme.com"),
            ("https://www.Acme.com/foo", "acme.com"),
            ("HTTP://WWW.ACME.COM", "acme.com"),
            ("http://acme.com?x=1", "acme.com"),
            ("acme.com#top", "acme.com"),
            ("acme.com:8080", "acme.com"),
            ("https://acme.com:443/path", "acme.com"),
            ("acme.com.", "acme.com"),
            ("www.www.acme.com", "www.acme.com"),
            ("ftp://acme.com", "ftp:"),
            ("", ""),
        ];
        for (raw, cleaned) in table {
            assert_eq!(clean_domain(raw), cleaned, "cleaning {raw:?}");
        }
    }

    #[test]
    fn a_domain_taken_as_clean_is_what_the_seven_steps_leave() {
        use proptest::prelude::*;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        // Strings near the rules: schemes, `www.`, ports, dots, case, spaces.
        let near = "(https?://)?(www\\.)?[a-zA-Z0-9.:/ -]{0,12}(:[0-9]{0,3})?\\.?";
        runner
            .run(&near, |raw| {
                let full = {
                    let lowered = crate::fidelity::js::trim(&raw).to_lowercase();
                    let (start, end) = clean_range(&lowered);
                    lowered[start..end].to_string()
                };
                if is_clean(&raw) {
                    prop_assert_eq!(&full, &raw);
                }
                prop_assert_eq!(clean_domain(&raw), full);
                Ok(())
            })
            .unwrap();
        for taken in ["acme.com", "a-b.c0", "", "ww.acme.com"] {
            assert!(is_clean(taken), "{taken}");
        }
        for left in [
            "www.acme.com",
            "acme.com.",
            "Acme.com",
            " a.com",
            "a.com:80",
            "a_b.com",
        ] {
            assert!(!is_clean(left), "{left}");
        }
    }

    #[test]
    fn invalid_domains_are_empty_spaced_or_dotless() {
        assert!(is_valid_domain("acme.com"));
        assert!(!is_valid_domain(""));
        assert!(!is_valid_domain("localhost"));
        assert!(!is_valid_domain("acme .com"));
    }
}
