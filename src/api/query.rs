//! Query strings: decoding, and the shared pagination checks of docs/api.md §1.7 (`limit`, `cursor`).
//! Values arrive as text; a parameter sent twice arrives as a list (and fails its checks).

use crate::fidelity::validate::{Constraint, Validator};

/// Default page size.
pub const DEFAULT_LIMIT: usize = 100;
/// Largest page size **\[choice\]**.
pub const MAX_LIMIT: i64 = 1000;

/// The parameters of a query string, in first-seen order, each with every value sent.
#[derive(Debug, Default)]
pub struct Query {
    params: Vec<(String, Vec<String>)>,
}

impl Query {
    /// Parses the part of `target` after `?` as a form: `&` between pairs (empty ones skipped),
    /// the first `=` between name and value, `+` is a space, `%XX` is a byte, an invalid escape
    /// stays as sent, and bytes that are not UTF-8 become U+FFFD.
    pub fn parse(target: &str) -> Query {
        let mut query = Query::default();
        let Some((_, raw)) = target.split_once('?') else {
            return query;
        };
        for (name, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.into_owned();
            match query.params.iter_mut().find(|(seen, _)| *seen == name) {
                Some((_, values)) => values.push(value),
                None => query.params.push((name.into_owned(), vec![value])),
            }
        }
        query
    }

    /// The single value of `name`; `Err(())` when it was sent more than once.
    pub fn single(&self, name: &str) -> Option<Result<&str, ()>> {
        let (_, values) = self.params.iter().find(|(seen, _)| seen == name)?;
        Some(match values.as_slice() {
            [one] => Ok(one.as_str()),
            _ => Err(()),
        })
    }

    /// The first parameter sent that is not in `known`, if any.
    pub fn first_unknown(&self, known: &[&str]) -> Option<&str> {
        self.params
            .iter()
            .map(|(name, _)| name.as_str())
            .find(|name| !known.contains(name))
    }

    /// `whitelistValidation` for every parameter not in `known`, in the order sent.
    pub fn reject_unknown(&self, validator: &mut Validator, known: &[&str]) {
        for (name, _) in &self.params {
            if !known.contains(&name.as_str()) {
                validator.fail(name, Constraint::Whitelist);
            }
        }
    }

    /// `limit`: `isInt`, `min` 1, `max` 1000; absent means 100.
    pub fn limit(&self, validator: &mut Validator) -> usize {
        let Some(value) = self.single("limit") else {
            return DEFAULT_LIMIT;
        };
        let Some(limit) = value.ok().and_then(integer_of) else {
            validator.fail("limit", Constraint::IsInt);
            return DEFAULT_LIMIT;
        };
        if limit < 1 {
            validator.fail("limit", Constraint::Min(1));
        } else if limit > MAX_LIMIT {
            validator.fail("limit", Constraint::Max(MAX_LIMIT));
        }
        limit.clamp(1, MAX_LIMIT) as usize
    }
}

/// The integer a query value converts to: the vendor's stack reads it with JavaScript's
/// `Number()` ([`crate::fidelity::js::number`]: `0x10` is 16, `0b11` 3, `" 7 "` 7, `""` 0, `"7px"` NaN)
/// and class-validator's `isInt` keeps finite whole numbers (`Infinity` is none).
fn integer_of(text: &str) -> Option<i64> {
    let number = crate::fidelity::js::number(text);
    // Any finite whole number is an integer to `Number.isInteger`, however large: `1e20` must
    // fail `max`, not `isInt`. The cast saturates, which keeps the sign for `min` and `max`.
    crate::fidelity::js::is_integer(number).then_some(number as i64)
}

/// Decodes one path segment: `%XX` is a byte, `+` stays a plus, an invalid escape stays as
/// sent, and bytes that are not UTF-8 become U+FFFD.
pub fn decode_path_segment(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded_and_grouped() {
        let query = Query::parse("/x?domains=%5B%22a.com%22%5D&limit=5&limit=6&q=a+b&bad=%zz");
        assert_eq!(query.single("domains"), Some(Ok("[\"a.com\"]")));
        assert_eq!(query.single("limit"), Some(Err(())));
        assert_eq!(query.single("q"), Some(Ok("a b")));
        assert_eq!(query.single("bad"), Some(Ok("%zz")));
        assert_eq!(query.single("none"), None);
    }

    #[test]
    fn invalid_escapes_stay_as_sent_and_bytes_that_are_not_utf8_become_replacement_characters() {
        let query = Query::parse(
            "/x?lone=%&end=1%&short=%4&half=%4g&double=%%41&plus=a+%2B&eq==b=c&name%2Bx+y=1\
             &&=empty&ff=%FF&cut=%E2%82&e=%C3%A9&",
        );
        assert_eq!(query.single("lone"), Some(Ok("%")));
        assert_eq!(query.single("end"), Some(Ok("1%")));
        assert_eq!(query.single("short"), Some(Ok("%4")));
        assert_eq!(query.single("half"), Some(Ok("%4g")));
        assert_eq!(query.single("double"), Some(Ok("%A")));
        assert_eq!(query.single("plus"), Some(Ok("a +")));
        assert_eq!(query.single("eq"), Some(Ok("=b=c")));
        assert_eq!(query.single("name+x y"), Some(Ok("1")));
        assert_eq!(query.single(""), Some(Ok("empty")));
        assert_eq!(query.single("ff"), Some(Ok("\u{FFFD}")));
        assert_eq!(query.single("cut"), Some(Ok("\u{FFFD}")));
        assert_eq!(query.single("e"), Some(Ok("é")));
        let names: Vec<&str> = query.params.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "lone", "end", "short", "half", "double", "plus", "eq", "name+x y", "", "ff",
                "cut", "e"
            ]
        );
        assert!(Query::parse("/x").params.is_empty());
        assert!(Query::parse("/x?").params.is_empty());
    }

    #[test]
    fn path_segments_keep_plus_and_decode_like_query_values() {
        assert_eq!(decode_path_segment("a+b"), "a+b");
        assert_eq!(decode_path_segment("a%20b%2B%2F"), "a b+/");
        assert_eq!(decode_path_segment("%"), "%");
        assert_eq!(decode_path_segment("x%"), "x%");
        assert_eq!(decode_path_segment("%4"), "%4");
        assert_eq!(decode_path_segment("%zz"), "%zz");
        assert_eq!(decode_path_segment("%%41"), "%A");
        assert_eq!(decode_path_segment("%FF%C3%A9"), "\u{FFFD}é");
        assert_eq!(decode_path_segment(""), "");
    }

    #[test]
    fn limits_read_like_javascript_numbers() {
        assert_eq!(integer_of("10"), Some(10));
        assert_eq!(integer_of(" 7 "), Some(7));
        assert_eq!(integer_of("1e2"), Some(100));
        assert_eq!(integer_of(""), Some(0));
        assert_eq!(integer_of("1.5"), None);
        assert_eq!(integer_of("abc"), None);
        assert_eq!(integer_of("inf"), None);
    }

    #[test]
    fn a_huge_whole_number_is_an_integer_out_of_range_not_a_non_integer() {
        assert_eq!(integer_of("99999999999999999999"), Some(i64::MAX));
        assert_eq!(integer_of("-1e20"), Some(i64::MIN));
        assert_eq!(integer_of("1e400"), None);
        let mut v = Validator::new();
        Query::parse("/x?limit=99999999999999999999").limit(&mut v);
        let found = v.finish(()).unwrap_err();
        assert_eq!(found[0].constraint, Constraint::Max(MAX_LIMIT));
    }
}
