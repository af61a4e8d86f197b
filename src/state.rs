//! The state document (CONTROL.md §5): the one JSON format of `--seed`, `--state-file`,
//! `GET`/`PUT /_mock/state` and the handle's snapshot / restore. Shapes only; the store
//! converts to and from them.

use serde::{Deserialize, Serialize};

use crate::model::{Account, CustomField, Segment};
use crate::sales::{Activity, Deal, Pipeline};

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
pub struct StateDocument {
    #[serde(default)]
    pub teams: Vec<TeamDocument>,
}

/// One team. Omitted lists are empty.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamDocument {
    pub name: String,
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
    #[serde(default)]
    pub custom_fields: Vec<CustomField>,
    #[serde(default)]
    pub segments: Vec<Segment>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub deals: Vec<Deal>,
    #[serde(default)]
    pub pipelines: Vec<Pipeline>,
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(default, skip_serializing_if = "TeamSettings::is_default")]
    pub settings: TeamSettings,
}

/// Per-team settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TeamSettings {
    /// Requests per second allowed per API key of the team (overrides the mock-wide limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
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

/// Why a state document was refused; names the team and the entry at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateError(pub String);

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

/// Parses a state document from JSON text, with a message that says where it went wrong.
pub fn parse_document(text: &[u8]) -> Result<StateDocument, StateError> {
    serde_json::from_slice(text)
        .map_err(|error| StateError(format!("invalid state document: {error}")))
}
