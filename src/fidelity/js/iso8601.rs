//! validator.js 13.15.35 `isISO8601` with default options (not strict, any white space or `T`
//! between date and time), as class-validator's `@IsISO8601()` calls it. The library's one
//! regular expression (`src/lib/isISO8601.js`) is followed piece by piece below:
//!
//! ```text
//! ^([\+-]?\d{4}(?!\d{2}\b))
//!  ((-?)((0[1-9]|1[0-2])(\3([12]\d|0[1-9]|3[01]))?|W([0-4]\d|5[0-3])(-?[1-7])?
//!        |(00[1-9]|0[1-9]\d|[12]\d{2}|3([0-5]\d|6[1-6])))
//!   ([T\s]((([01]\d|2[0-3])((:?)[0-5]\d)?|24:?00)([\.,]\d+(?!:))?)?
//!         (\17[0-5]\d([\.,]\d+)?)?
//!         ([zZ]|([\+-])([01]\d|2[0-3]):?([0-5]\d)?)?)?)?$
//! ```
//!
//! The regex backtracks; for a yes/no answer on the whole string it is the same to carry the
//! set of every state the regex can reach. A state is a position and what group 17 (the colon
//! between hour and minute, reused by `\17` before the seconds) holds: unset (JavaScript then
//! matches `\17` as empty), empty, or a colon.

use super::is_js_space;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Colon {
    Unset,
    Empty,
    Present,
}

type State = (usize, Colon);

/// `isISO8601(text)` with validator.js's default options.
pub fn is_iso8601(text: &str) -> bool {
    let s: Vec<char> = text.chars().collect();
    let digit = |at: usize| s.get(at).is_some_and(char::is_ascii_digit);
    let two = |at: usize, ok: &dyn Fn(u32) -> bool| {
        (digit(at) && digit(at + 1))
            .then(|| number(&s[at..at + 2]))
            .is_some_and(ok)
    };
    // Group 1: sign, four digits, and not two more digits before a word boundary.
    let mut at = usize::from(matches!(s.first(), Some('+' | '-')));
    if !(0..4).all(|i| digit(at + i)) {
        return false;
    }
    at += 4;
    let word = |c: &char| c.is_ascii_alphanumeric() || *c == '_';
    if digit(at) && digit(at + 1) && !s.get(at + 2).is_some_and(word) {
        return false;
    }
    if at == s.len() {
        return true;
    }
    // Group 2 (all of the rest): the date after the year, then an optional time.
    let mut dates: Vec<usize> = Vec::new();
    for dash in [true, false] {
        let start = if dash {
            if s.get(at) != Some(&'-') {
                continue;
            }
            at + 1
        } else {
            at
        };
        // Month, then optionally `\3` (the same dash or none) and a day.
        if two(start, &|m| (1..=12).contains(&m)) {
            dates.push(start + 2);
            let day_at = start + 2 + usize::from(dash);
            let sep_ok = !dash || s.get(start + 2) == Some(&'-');
            if sep_ok && two(day_at, &|d| (1..=31).contains(&d)) {
                dates.push(day_at + 2);
            }
        }
        // Week: `W`, 00..53, then optionally `-?[1-7]`.
        if s.get(start) == Some(&'W') && two(start + 1, &|w| w <= 53) {
            let after = start + 3;
            dates.push(after);
            let weekday = |at: usize| s.get(at).is_some_and(|c| ('1'..='7').contains(c));
            if weekday(after) {
                dates.push(after + 1);
            }
            if s.get(after) == Some(&'-') && weekday(after + 1) {
                dates.push(after + 2);
            }
        }
        // Ordinal day: 001..366.
        if (0..3).all(|i| digit(start + i)) && (1..=366).contains(&number(&s[start..start + 3])) {
            dates.push(start + 3);
        }
    }
    dates
        .into_iter()
        .any(|at| at == s.len() || time(&s, at).contains(&s.len()))
}

fn number(digits: &[char]) -> u32 {
    digits
        .iter()
        .fold(0, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(0))
}

/// Every end position of group 12 (a separator and the optional time pieces) from `at`.
fn time(s: &[char], at: usize) -> Vec<usize> {
    if !s.get(at).is_some_and(|&c| c == 'T' || is_js_space(c)) {
        return Vec::new();
    }
    let digit = |at: usize| s.get(at).is_some_and(char::is_ascii_digit);
    let two = |at: usize, ok: &dyn Fn(u32) -> bool| {
        (digit(at) && digit(at + 1))
            .then(|| number(&s[at..at + 2]))
            .is_some_and(ok)
    };
    let start = at + 1;
    // Group 13: an hour with an optional minute, or 24:00 (colon optional), then an optional
    // fraction `[.,]\d+` not followed by a colon. Or nothing at all.
    let mut states: Vec<State> = vec![(start, Colon::Unset)];
    let mut clock: Vec<State> = Vec::new();
    if two(start, &|h| h <= 23) {
        clock.push((start + 2, Colon::Unset));
        for (colon, width) in [(Colon::Present, 1), (Colon::Empty, 0)] {
            let minute = start + 2 + width;
            let sep_ok = colon == Colon::Empty || s.get(start + 2) == Some(&':');
            if sep_ok && two(minute, &|m| m <= 59) {
                clock.push((minute + 2, colon));
            }
        }
    }
    if s.get(start..start + 2) == Some(&['2', '4']) {
        let zeros = if s.get(start + 2) == Some(&':') {
            start + 3
        } else {
            start + 2
        };
        if s.get(zeros..zeros + 2) == Some(&['0', '0']) {
            clock.push((zeros + 2, Colon::Unset));
        }
    }
    for &(at, colon) in &clock {
        states.push((at, colon));
        for end in fraction(s, at) {
            if s.get(end) != Some(&':') {
                states.push((end, colon));
            }
        }
    }
    // Group 19: `\17` (the hour's colon, empty when unset), a second, an optional fraction.
    let mut with_seconds = states.clone();
    for &(at, colon) in &states {
        let second = match colon {
            Colon::Present if s.get(at) == Some(&':') => at + 1,
            Colon::Present => continue,
            Colon::Empty | Colon::Unset => at,
        };
        if two(second, &|sec| sec <= 59) {
            with_seconds.push((second + 2, colon));
            with_seconds.extend(fraction(s, second + 2).into_iter().map(|end| (end, colon)));
        }
    }
    // Group 21: `Z`, or an offset `[+-]HH(:?MM)?`.
    let mut ends = Vec::new();
    for &(at, _) in &with_seconds {
        ends.push(at);
        match s.get(at) {
            Some('z' | 'Z') => ends.push(at + 1),
            Some('+' | '-') if two(at + 1, &|h| h <= 23) => {
                ends.push(at + 3);
                if s.get(at + 3) == Some(&':') {
                    // `:?` stands apart from the optional minute: `+02:` matches.
                    ends.push(at + 4);
                }
                for minute in [at + 3, at + 4] {
                    let sep_ok = minute == at + 3 || s.get(at + 3) == Some(&':');
                    if sep_ok && two(minute, &|m| m <= 59) {
                        ends.push(minute + 2);
                    }
                }
            }
            _ => {}
        }
    }
    ends
}

/// The end positions of `[\.,]\d+` at `at` (every length the `+` can take).
fn fraction(s: &[char], at: usize) -> Vec<usize> {
    if !matches!(s.get(at), Some('.' | ',')) {
        return Vec::new();
    }
    let mut ends = Vec::new();
    let mut end = at + 1;
    while s.get(end).is_some_and(char::is_ascii_digit) {
        end += 1;
        ends.push(end);
    }
    ends
}
