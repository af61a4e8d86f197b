//! The mock's clock: real time unless a test freezes it, plus ISO 8601 formatting and parsing.
//! Every timestamp and generated id reads this clock.

use std::time::{SystemTime, UNIX_EPOCH};

use jiff::civil::Date;
use jiff::tz::Offset;
use jiff::Timestamp;

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

/// 9999-12-31T23:59:59.999Z: past it, a timestamp needs more than four digits of year, which
/// no timestamp of the vendor's has.
pub const LAST_INSTANT: Millis = 253_402_300_799_999;

/// A clock that reads real time or a frozen instant. It lives inside the mock's world
/// (`World`), so reading it and changing it are part of the same transaction as everything
/// else a request does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    frozen_at: Option<Millis>,
}

impl Clock {
    /// The current time in milliseconds.
    pub fn now(&self) -> Millis {
        self.frozen_at.unwrap_or_else(system_now)
    }

    /// Freezes the clock at `at`.
    pub fn freeze(&mut self, at: Millis) {
        self.frozen_at = Some(at);
    }

    /// Moves the clock forward by `by` ms: a frozen clock stays frozen at the later instant,
    /// a real one is frozen at now + `by` (so "advance" always has a visible effect).
    ///
    /// # Errors
    /// Past [`LAST_INSTANT`] (the clock is left as it was): the API's timestamps would no
    /// longer be the ISO 8601 the vendor writes.
    pub fn advance(&mut self, by: Millis) -> Result<Millis, String> {
        let next = self.now().saturating_add(by);
        if next > LAST_INSTANT {
            return Err(format!(
                "advancing by {by} ms would take the clock past 9999-12-31T23:59:59.999Z, the \
                 last instant the API's timestamps can show"
            ));
        }
        self.frozen_at = Some(next);
        Ok(next)
    }

    /// Returns to real time.
    pub fn unfreeze(&mut self) {
        self.frozen_at = None;
    }

    /// Whether the clock is frozen (by a freeze or an advance) rather than reading real time.
    pub fn is_frozen(&self) -> bool {
        self.frozen_at.is_some()
    }
}

fn system_now() -> Millis {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(elapsed) => elapsed.as_millis() as Millis,
        Err(before) => -(before.duration().as_millis() as Millis),
    }
}

/// The day `Millis` counts from.
const EPOCH: Date = Date::constant(1970, 1, 1);
/// 400 Gregorian years (146,097 days): the calendar repeats exactly after this many ms.
const CYCLE_MS: Millis = 146_097 * 86_400_000;

/// Formats `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ`, the API's only timestamp format.
pub fn format_iso(ms: Millis) -> String {
    // jiff's instants span the years -9999 to 9999, `Millis` about ±292 million years (an
    // admin `advanceMs` reaches them). The calendar repeats every 400 years, so jiff reads the
    // instant's place within its 400-year cycle from 1970 and the cycles go back on the year.
    let (cycles, within) = (ms.div_euclid(CYCLE_MS), ms.rem_euclid(CYCLE_MS));
    let at = Timestamp::from_millisecond(within).expect("1970 to 2370 are in jiff's range");
    let t = Offset::UTC.to_datetime(at);
    let year = i64::from(t.year()) + cycles * 400;
    if !(0..=9999).contains(&year) {
        return formatted(year, &t);
    }
    // Every answer's envelope and every state-file row carries one: digits written straight
    // into place, without `format!`'s machinery.
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for place in (at..at + width).rev() {
            text[place] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year as u32);
    put(5, 2, u32::from(t.month().unsigned_abs()));
    put(8, 2, u32::from(t.day().unsigned_abs()));
    put(11, 2, u32::from(t.hour().unsigned_abs()));
    put(14, 2, u32::from(t.minute().unsigned_abs()));
    put(17, 2, u32::from(t.second().unsigned_abs()));
    put(20, 3, u32::from(t.millisecond().unsigned_abs()));
    String::from_utf8(text.to_vec()).expect("digits and separators are ASCII")
}

/// `format_iso`'s text for any year (more than four digits, or a sign), through `format!`.
fn formatted(year: i64, t: &jiff::civil::DateTime) -> String {
    format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// Parses the ISO 8601 forms clients send for dates and date-times:
/// `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:MM`, `HH:MM:SS` or
/// `HH:MM:SS.fff…`, optionally followed by `Z` or an offset `±HH:MM` / `±HHMM` / `±HH`.
/// A value without an offset is read as UTC. Returns `None` for anything else.
pub fn parse_iso(text: &str) -> Option<Millis> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (month, day) = (digits(b, 5, 2)?, digits(b, 8, 2)?);
    // jiff refuses month 0 or 13, and a day the month (in that year) does not have.
    let date = Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let mut ms = date.duration_since(EPOCH).as_secs() * 1000;
    let mut at = 10;
    if at == b.len() {
        return Some(ms);
    }
    if !matches!(b[at], b'T' | b't' | b' ') {
        return None;
    }
    let hour = digits(b, at + 1, 2)?;
    if b.get(at + 3) != Some(&b':') {
        return None;
    }
    let minute = digits(b, at + 4, 2)?;
    at += 6;
    let mut second = 0;
    if b.get(at) == Some(&b':') {
        second = digits(b, at + 1, 2)?;
        at += 3;
        if matches!(b.get(at), Some(b'.') | Some(b',')) {
            let start = at + 1;
            at = start;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            if at == start {
                return None;
            }
            // Only milliseconds are kept; finer digits are truncated.
            let mut fraction = 0;
            for i in 0..3 {
                let digit = if start + i < at {
                    b[start + i] - b'0'
                } else {
                    0
                };
                fraction = fraction * 10 + i64::from(digit);
            }
            ms += fraction;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000;
    match b.get(at) {
        None => Some(ms),
        Some(b'Z') | Some(b'z') if at + 1 == b.len() => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            let offset_hours = digits(b, at + 1, 2)?;
            let rest = &b[at + 3..];
            let offset_minutes = match rest {
                [] => 0,
                [b':', _, _] => digits(rest, 1, 2)?,
                [_, _] => digits(rest, 0, 2)?,
                _ => return None,
            };
            if offset_hours > 23 || offset_minutes > 59 {
                return None;
            }
            let offset = (offset_hours * 60 + offset_minutes) * 60_000;
            Some(if sign == b'+' {
                ms - offset
            } else {
                ms + offset
            })
        }
        _ => None,
    }
}

fn digits(b: &[u8], at: usize, count: usize) -> Option<i64> {
    let slice = b.get(at..at + count)?;
    slice.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_written_digit_by_digit_match_the_formatted_text() {
        let reference = |ms: Millis| {
            let (cycles, within) = (ms.div_euclid(CYCLE_MS), ms.rem_euclid(CYCLE_MS));
            let t = Offset::UTC.to_datetime(Timestamp::from_millisecond(within).unwrap());
            formatted(i64::from(t.year()) + cycles * 400, &t)
        };
        // Years 0000 to 9999 and a little beyond on both sides, in uneven steps.
        let (first, last) = (-62_200_000_000_000_i64, 253_500_000_000_000_i64);
        let mut ms = first;
        while ms < last {
            assert_eq!(format_iso(ms), reference(ms), "{ms}");
            ms += 7_777_777_777_777 / 97 + 1;
        }
        for ms in [
            -62_167_219_200_000,
            -62_167_219_200_001,
            253_402_300_799_999,
        ] {
            assert_eq!(format_iso(ms), reference(ms), "{ms}");
        }
    }

    #[test]
    fn formats_with_milliseconds_and_z() {
        assert_eq!(format_iso(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso(1_777_543_200_123), "2026-04-30T10:00:00.123Z");
    }

    #[test]
    fn parse_and_format_round_trip() {
        let at = parse_iso("2026-04-30T10:00:00.123Z").unwrap();
        assert_eq!(format_iso(at), "2026-04-30T10:00:00.123Z");
    }

    #[test]
    fn parses_dates_offsets_and_fractions() {
        let base = parse_iso("2026-04-30T10:00:00Z").unwrap();
        assert_eq!(parse_iso("2026-04-30").unwrap(), base - 10 * 3_600_000);
        assert_eq!(parse_iso("2026-04-30T12:00:00+02:00").unwrap(), base);
        assert_eq!(parse_iso("2026-04-30T09:30-0030").unwrap(), base);
        assert_eq!(parse_iso("2026-04-30T10:00:00.5Z").unwrap(), base + 500);
        assert_eq!(parse_iso("2026-04-30 10:00:00").unwrap(), base);
    }

    #[test]
    fn rejects_what_is_not_iso_8601() {
        for bad in [
            "",
            "yesterday",
            "2026-13-01",
            "2026-02-30",
            "2026-04-30T25:00",
            "2026-04-30T10:00:00ZZ",
            "2026-04-30T10:00:00.",
            "2026-4-30",
            "2026-04-30T10",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_instants_beyond_four_digit_years_and_before_the_epoch() {
        assert_eq!(format_iso(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_iso(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_iso(-62_167_219_200_001), "-001-12-31T23:59:59.999Z");
        assert_eq!(format_iso(253_402_300_800_000), "10000-01-01T00:00:00.000Z");
        assert_eq!(format_iso(i64::MAX), "292278994-08-17T07:12:55.807Z");
        assert_eq!(format_iso(i64::MIN), "-292275055-05-16T16:47:04.192Z");
    }

    #[test]
    fn parses_leap_days_extreme_offsets_and_long_fractions() {
        assert_eq!(parse_iso("2000-02-29"), Some(951_782_400_000));
        assert_eq!(parse_iso("1900-02-29"), None);
        assert_eq!(parse_iso("2026-00-10"), None);
        assert_eq!(parse_iso("2026-04-00"), None);
        assert_eq!(parse_iso("2026-04-31"), None);
        assert_eq!(
            parse_iso("0000-01-01T00:00-23:59"),
            Some(-62_167_132_860_000)
        );
        assert_eq!(
            parse_iso("0000-01-01T00:00+23:59"),
            Some(-62_167_305_540_000)
        );
        assert_eq!(
            parse_iso("9999-12-31T23:59:59.999-23:59"),
            Some(253_402_387_139_999)
        );
        assert_eq!(
            parse_iso("2026-04-30T10:00:00.123456789Z"),
            Some(1_777_543_200_123)
        );
        assert_eq!(parse_iso("2026-04-30t10:00z"), Some(1_777_543_200_000));
    }

    #[test]
    fn frozen_clock_advances_only_when_told() {
        let mut clock = Clock::default();
        clock.freeze(1_000);
        assert_eq!(clock.now(), 1_000);
        assert_eq!(clock.advance(500), Ok(1_500));
        assert_eq!(clock.now(), 1_500);
        clock.unfreeze();
        assert!(clock.now() > 1_500);
    }
}
