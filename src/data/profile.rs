//! Profiles: which of two readings of the vendor the mock follows where its published reference
//! and its live sandbox disagree. `Documented` follows the reference (the default); `Sandbox`
//! reproduces what was observed on the live sandbox. Chosen per mock and per team.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which behaviour the mock follows where the vendor's reference and its live sandbox differ.
///
/// ```
/// use recotap_mock::{MockRecotap, Profile};
/// let mock = MockRecotap::builder().profile(Profile::Sandbox).start();
/// assert_eq!("sandbox".parse::<Profile>(), Ok(Profile::Sandbox));
/// # drop(mock);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Profile {
    /// The vendor's reference: error bodies carry `data`, unknown properties are refused,
    /// names are returned as stored, times carry milliseconds.
    #[default]
    Documented,
    /// The live sandbox as observed: error bodies without `data`, `PUT /accounts/:rtp_aid`
    /// ignores properties other than `customFields`, `GET /accounts` lower-cases `name`, and
    /// `rtp_last_account_date` is written without milliseconds.
    Sandbox,
}

impl Profile {
    /// The profile's name, as the flag, the admin API and the state document spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Documented => "documented",
            Profile::Sandbox => "sandbox",
        }
    }

    /// Whether error envelopes carry a `data` key (the reference shows it; the sandbox omits it).
    pub(crate) fn error_data(self) -> bool {
        self == Profile::Documented
    }

    /// Whether `PUT /accounts/:rtp_aid` refuses properties other than `customFields`
    /// (`whitelistValidation` in the reference; the sandbox answers as if they were absent).
    pub(crate) fn refuses_unknown_update_properties(self) -> bool {
        self == Profile::Documented
    }

    /// Whether `GET /accounts` rows are written as the sandbox writes them: `name` lower-cased
    /// and `rtp_last_account_date` without milliseconds.
    pub(crate) fn sandbox_rows(self) -> bool {
        self == Profile::Sandbox
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a profile; `Display` lists the ones there are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown profile '{}' (expected 'documented' or 'sandbox')",
            self.0
        )
    }
}

impl std::error::Error for UnknownProfile {}

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Self, UnknownProfile> {
        match name {
            "documented" => Ok(Profile::Documented),
            "sandbox" => Ok(Profile::Sandbox),
            other => Err(UnknownProfile(other.to_string())),
        }
    }
}

/// `2026-06-04T17:40:21.123Z` as the sandbox writes it: `2026-06-04T17:40:21Z` (the fraction
/// dropped, not rounded).
pub(crate) fn without_millis(iso: &str) -> String {
    match iso.rfind('.') {
        Some(dot) if iso.ends_with('Z') => format!("{}Z", &iso[..dot]),
        _ => iso.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_without_millis_drops_the_fraction() {
        assert_eq!(
            without_millis("2026-06-04T17:40:21.999Z"),
            "2026-06-04T17:40:21Z"
        );
        assert_eq!(
            without_millis("-001-12-31T23:59:59.999Z"),
            "-001-12-31T23:59:59Z"
        );
    }

    #[test]
    fn profiles_read_and_write_their_names() {
        for profile in [Profile::Documented, Profile::Sandbox] {
            assert_eq!(profile.as_str().parse::<Profile>(), Ok(profile));
            let json = serde_json::to_string(&profile).unwrap();
            assert_eq!(json, format!("\"{profile}\""));
        }
        assert!("Sandbox".parse::<Profile>().is_err());
    }
}
