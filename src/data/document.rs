//! The state document (docs/control.md §5): the one JSON format of `--seed`, `--state-file`,
//! `GET`/`PUT /_mock/state` and the handle's snapshot / restore. Shapes only; the store
//! converts to and from them.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::data::model::{CustomField, NewAccount, Segment};
use crate::data::profile::Profile;
use crate::data::sales::{Activity, Deal, Pipeline};

/// Every team of a mock, with everything it holds.
///
/// ```
/// let document: recotap_mock::StateDocument = serde_json::from_str(
///     r#"{ "teams": [ { "name": "default", "apiKeys": ["k"],
///                       "accounts": [ { "domain": "acme.com", "name": "Acme" } ] } ] }"#,
/// ).unwrap();
/// assert_eq!(document.teams[0].accounts[0].domain, "acme.com");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct StateDocument {
    /// The mock-wide profile (teams without their own follow it); omitted: `documented`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
    #[serde(default)]
    pub teams: Vec<TeamDocument>,
}

/// One team. Omitted lists are empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct TeamDocument {
    pub name: String,
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default)]
    /// Seeds when read (ids and times optional); the mock writes every id and time.
    pub accounts: Vec<NewAccount>,
    #[serde(default)]
    pub deals: Vec<Deal>,
    #[serde(default)]
    pub pipelines: Vec<Pipeline>,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default, skip_serializing_if = "TeamSettings::is_default")]
    pub settings: TeamSettings,
}

impl TeamDocument {
    /// An empty team called `name`.
    pub fn new(name: &str) -> Self {
        TeamDocument {
            name: name.to_string(),
            ..TeamDocument::default()
        }
    }
}

/// Per-team settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct TeamSettings {
    /// Requests per second allowed per API key of the team (overrides the mock-wide limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    /// The team's own profile; omitted: the team follows the mock's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

impl TeamSettings {
    fn is_default(&self) -> bool {
        self == &TeamSettings::default()
    }
}

/// An API key: a plain string, or `{ "key": ..., "user": ... }` for a key that a user holds
/// (a user holds one key at a time; a new one revokes the old).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ApiKey {
    Plain(String),
    #[serde(rename_all = "camelCase")]
    Held {
        key: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        user: Option<String>,
    },
}

impl ApiKey {
    /// The key text.
    pub fn key(&self) -> &str {
        match self {
            ApiKey::Plain(key) | ApiKey::Held { key, .. } => key,
        }
    }

    /// The user holding the key, if any.
    pub fn user(&self) -> Option<&str> {
        match self {
            ApiKey::Plain(_) => None,
            ApiKey::Held { user, .. } => user.as_deref(),
        }
    }
}

/// Why a state document was refused. `Display` gives a message that names the team and the
/// entry at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// The text is not a state document (JSON syntax, or a shape the document does not have),
    /// with the parser's detail.
    Malformed { detail: String },
    /// A team has an empty name.
    EmptyTeamName,
    /// Two teams share a name.
    DuplicateTeam { team: String },
    /// An entry of a team breaks a rule: `entry` names it (say, `accounts[3]`).
    InvalidEntry {
        team: String,
        entry: String,
        problem: String,
    },
    /// A state file could not be read.
    Unreadable { path: PathBuf, problem: String },
    /// A state file cannot be written where it is to go (checked at start).
    Unwritable { path: PathBuf, problem: String },
    /// A state file holds an invalid document.
    InFile {
        path: PathBuf,
        error: Box<StateError>,
    },
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Malformed { detail } => write!(f, "invalid state document: {detail}"),
            StateError::EmptyTeamName => f.write_str("a team has an empty name"),
            StateError::DuplicateTeam { team } => write!(f, "team '{team}' appears twice"),
            StateError::InvalidEntry {
                team,
                entry,
                problem,
            } => write!(f, "team '{team}', {entry}: {problem}"),
            StateError::Unreadable { path, problem } => write!(f, "{}: {problem}", path.display()),
            StateError::Unwritable { path, problem } => {
                write!(f, "{}: cannot be written: {problem}", path.display())
            }
            StateError::InFile { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for StateError {}

/// Parses a state document from JSON text, with a message that says where it went wrong.
pub fn parse_document(text: &[u8]) -> Result<StateDocument, StateError> {
    serde_json::from_slice(text).map_err(|error| StateError::Malformed {
        detail: error.to_string(),
    })
}
