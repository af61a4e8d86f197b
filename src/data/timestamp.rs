//! [`Timestamp`], the one instant type of the public API: what the clock reads, what accounts
//! and activities carry, what a test freezes the clock at. Printed and read as the API writes
//! instants (`2026-04-30T10:00:00.000Z`).

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::fidelity::clock::{format_iso, parse_iso, Millis};

/// An instant, to the millisecond, in UTC.
///
/// It prints as the API writes instants and compares equal to that text, so a test can write
/// `assert_eq!(mock.now(), "2026-04-30T10:00:00.000Z")`. It reads the ISO 8601 forms the API
/// reads (a date, or a date-time with an optional offset) with [`str::parse`], and converts
/// to and from [`SystemTime`].
///
/// ```
/// use recotap_mock::Timestamp;
/// let at: Timestamp = "2026-04-30T12:00:00+02:00".parse().unwrap();
/// assert_eq!(at, "2026-04-30T10:00:00.000Z");
/// assert_eq!(at.as_millis(), 1_777_543_200_000);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(Millis);

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch (negative: before it).
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// The same instant as a [`SystemTime`].
    pub fn to_system_time(self) -> SystemTime {
        let magnitude = Duration::from_millis(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }
}

impl From<SystemTime> for Timestamp {
    /// Truncated to the millisecond; saturates far outside the years the API can print.
    fn from(time: SystemTime) -> Self {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp(millis)
    }
}

impl fmt::Display for Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`, the API's only way of writing an instant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_iso(self.0))
    }
}

/// Text that is not an ISO 8601 date or date-time the API reads.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidTimestamp {
    /// The text as given.
    pub text: String,
}

impl fmt::Display for InvalidTimestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not an ISO 8601 instant such as \"2026-04-30T10:00:00.000Z\"",
            self.text
        )
    }
}

impl std::error::Error for InvalidTimestamp {}

impl FromStr for Timestamp {
    type Err = InvalidTimestamp;

    /// `YYYY-MM-DD`, optionally with `T`, a time (`HH:MM`, `HH:MM:SS`, fractions) and `Z` or
    /// an offset; without an offset the time is UTC.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_iso(text)
            .map(Timestamp)
            .ok_or_else(|| InvalidTimestamp {
                text: text.to_string(),
            })
    }
}

impl PartialEq<str> for Timestamp {
    /// Equal to text that names the same instant (`"2026-04-30T10:00:00Z"` and
    /// `"2026-04-30T12:00:00.000+02:00"` alike); never equal to text that is not an instant.
    fn eq(&self, text: &str) -> bool {
        parse_iso(text) == Some(self.0)
    }
}

impl PartialEq<&str> for Timestamp {
    fn eq(&self, text: &&str) -> bool {
        self == *text
    }
}

impl PartialEq<String> for Timestamp {
    fn eq(&self, text: &String) -> bool {
        self == text.as_str()
    }
}

impl PartialEq<i64> for Timestamp {
    /// Equal to its milliseconds since the Unix epoch.
    fn eq(&self, millis: &i64) -> bool {
        self.0 == *millis
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_iso(self.0))
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// What a method that takes an instant accepts: a [`Timestamp`], a [`SystemTime`], or ISO 8601
/// text (checked when the method is called).
pub trait IntoTimestamp {
    /// The instant, or why the text is not one.
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp>;
}

impl IntoTimestamp for Timestamp {
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp> {
        Ok(self)
    }
}

impl IntoTimestamp for SystemTime {
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp> {
        Ok(Timestamp::from(self))
    }
}

impl IntoTimestamp for &str {
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp> {
        self.parse()
    }
}

impl IntoTimestamp for &String {
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp> {
        self.parse()
    }
}

impl IntoTimestamp for String {
    fn into_timestamp(self) -> Result<Timestamp, InvalidTimestamp> {
        self.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timestamp_round_trips_through_system_time_and_text() {
        let at: Timestamp = "1969-12-31T23:59:59.250Z".parse().unwrap();
        assert_eq!(at.as_millis(), -750);
        assert_eq!(Timestamp::from(at.to_system_time()), at);
        assert_eq!(at.to_string(), "1969-12-31T23:59:59.250Z");
        assert_eq!(
            serde_json::to_string(&at).unwrap(),
            "\"1969-12-31T23:59:59.250Z\""
        );
    }

    #[test]
    fn text_that_is_not_an_instant_says_what_was_expected() {
        let error = "yesterday".parse::<Timestamp>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "\"yesterday\" is not an ISO 8601 instant such as \"2026-04-30T10:00:00.000Z\""
        );
    }
}
