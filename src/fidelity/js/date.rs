//! `new Date(text).getTime()` on Node.js (V8), in a process whose zone is UTC (the emulator
//! takes the vendor's servers to run in UTC), for the strings `isISO8601` accepts: what a
//! `lastSync` filters by. V8 reads the ECMAScript date-time format and falls back to a lenient
//! legacy reader; the forms of that reader an ISO 8601 string can take are followed here as
//! Node 20 reads them (checked row by row against `tests/data/js-verdicts.json`). Anything
//! else reads as `None`, like an Invalid Date: week dates, most ordinal dates, the basic
//! format, `,` fractions, a bare hour, an offset of hours only.

use jiff::civil::Date;

use crate::fidelity::clock::Millis;

/// The largest distance from the epoch a JavaScript date holds (ECMA-262 *TimeClip*).
const MAX_TIME: Millis = 8_640_000_000_000_000;

/// What `new Date(text).getTime()` gives, `None` for an Invalid Date (or a form not followed).
pub fn new_date(text: &str) -> Option<Millis> {
    let s: Vec<char> = text.chars().collect();
    let mut r = Reader { s: &s, at: 0 };
    let signed = matches!(s.first(), Some('+' | '-'));
    if signed && s.len() > 7 && s[1..7].iter().all(char::is_ascii_digit) {
        // The ECMAScript format's extended year: a sign and six digits.
        return ecmascript(&mut r);
    }
    if signed {
        // V8's legacy reader skips the sign of a four-digit year, and reads a year 0..49 as
        // 2000..2049 and 50..99 as 1900..1999; it reads nothing after the date.
        r.at = 1;
        let (year, month, day) = (r.number(4)?, r.dash_number(2)?, r.dash_number(2)?);
        r.spaces();
        let year = match year {
            0..=49 => year + 2000,
            50..=99 => year + 1900,
            _ => year,
        };
        return r.end().then(|| day_ms(year, month, day)).flatten();
    }
    ecmascript(&mut r)
}

struct Reader<'a> {
    s: &'a [char],
    at: usize,
}

impl Reader<'_> {
    fn number(&mut self, width: usize) -> Option<i64> {
        let digits = self.s.get(self.at..self.at + width)?;
        let value = digits.iter().try_fold(0i64, |acc, c| {
            c.to_digit(10).map(|d| acc * 10 + i64::from(d))
        })?;
        self.at += width;
        Some(value)
    }

    fn eat(&mut self, wanted: &[char]) -> Option<char> {
        let c = *self.s.get(self.at).filter(|c| wanted.contains(c))?;
        self.at += 1;
        Some(c)
    }

    fn dash_number(&mut self, width: usize) -> Option<i64> {
        self.eat(&['-'])?;
        self.number(width)
    }

    fn digits_after(&self) -> usize {
        self.s[self.at..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    }

    fn spaces(&mut self) -> usize {
        let start = self.at;
        while self.s.get(self.at).is_some_and(|&c| super::is_js_space(c)) {
            self.at += 1;
        }
        self.at - start
    }

    fn end(&self) -> bool {
        self.at == self.s.len()
    }
}

/// The ECMAScript format (`YYYY[-MM[-DD]][THH:mm[:ss[.sss]][Z|±HH:mm]]`, or a six-digit
/// signed year), with the legacy reader's extensions for the ISO 8601 strings that leave it:
/// white space instead of `T`, an offset without its colon, a month written `0MM`, white
/// space after a date.
fn ecmascript(r: &mut Reader) -> Option<Millis> {
    let year = match r.eat(&['+', '-']) {
        Some(sign) => {
            let year = r.number(6)?;
            if sign == '-' && year == 0 {
                return None; // `-000000` is refused by the format.
            }
            if sign == '-' {
                -year
            } else {
                year
            }
        }
        None => r.number(4)?,
    };
    let (mut month, mut day, mut legacy) = (1, 1, false);
    if r.s.get(r.at) == Some(&'-') {
        r.at += 1;
        if r.digits_after() == 3 {
            // `2026-001`: the legacy reader takes the three digits as a month.
            month = r.number(3)?;
            legacy = true;
        } else {
            month = r.number(2)?;
            if r.eat(&['-']).is_some() {
                day = r.number(2)?;
            }
        }
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let date = day_ms(year, month, day)?;
    let spaces = r.spaces();
    if r.end() {
        return Some(date);
    }
    let separator = spaces > 0 || r.eat(&['T', 't']).is_some();
    if !separator || (legacy && spaces == 0) {
        return None;
    }
    let time = clock_ms(r)?;
    let offset = match r.eat(&['Z', 'z', '+', '-']) {
        None => 0,
        Some('Z' | 'z') => 0,
        Some(sign) => {
            let hours = r.number(2)?;
            r.eat(&[':']);
            let minutes = r.number(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let offset = (hours * 60 + minutes) * 60_000;
            if sign == '+' {
                -offset
            } else {
                offset
            }
        }
    };
    let at = date + time + offset;
    (r.end() && at.abs() <= MAX_TIME).then_some(at)
}

/// `HH:mm[:ss[.f…]]` in milliseconds (hour 24 only as `24:00:00.000`, the next midnight).
fn clock_ms(r: &mut Reader) -> Option<Millis> {
    let hour = r.number(2)?;
    r.eat(&[':'])?;
    let minute = r.number(2)?;
    let (mut second, mut milli) = (0, 0);
    if r.eat(&[':']).is_some() {
        second = r.number(2)?;
        if r.eat(&['.']).is_some() {
            let count = r.digits_after();
            if count == 0 {
                return None;
            }
            // Digits past the third are read and dropped.
            let kept = r.s[r.at..r.at + count.min(3)].iter();
            milli = kept.fold(0, |acc, c| {
                acc * 10 + i64::from(c.to_digit(10).unwrap_or(0))
            });
            milli *= 10_i64.pow(3 - count.min(3) as u32);
            r.at += count;
        }
    }
    let midnight = hour == 24 && minute == 0 && second == 0 && milli == 0;
    if (hour > 23 && !midnight) || minute > 59 || second > 59 {
        return None;
    }
    Some(((hour * 60 + minute) * 60 + second) * 1000 + milli)
}

/// Midnight UTC of a day, a day past the month's end running into the next month (as
/// JavaScript's *MakeDay* does with `2026-02-30`).
fn day_ms(year: i64, month: i64, day: i64) -> Option<Millis> {
    // jiff spans years -9999..=9999; the calendar repeats every 400 years (146,097 days).
    let cycles = year.div_euclid(400);
    let first = Date::new(
        i16::try_from(year.rem_euclid(400) + 2000).ok()?,
        i8::try_from(month).ok()?,
        1,
    )
    .ok()?;
    let epoch = Date::constant(1970, 1, 1);
    let days = i64::from(first.since(epoch).ok()?.get_days()) + day - 1;
    let days = days + (cycles - 5) * 146_097;
    Some(days * 86_400_000)
}
