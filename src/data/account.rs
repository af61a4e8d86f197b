//! The public account types: [`NewAccount`], what a test seeds, and [`Account`], what the mock
//! stores and gives back (id and times always there), plus [`ScoreUpdate`], the vendor's side a
//! test sets. Shapes of the state document; no rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::data::timestamp::Timestamp;
use crate::fidelity::ids::ObjectId;

/// An account to seed (through the handle, the admin API or a state document): a domain
/// (cleaned when stored) and a name; everything else optional. Each `rtp_` score is an
/// `Option<Number>`: `None` is a score the vendor left `null` (written `null` in listings and
/// documents), an omitted score is 0. The mock generates an id and
/// stamps the current time where they are absent. What the mock gives back is an [`Account`].
///
/// ```
/// use recotap_mock::NewAccount;
/// let seed = NewAccount::new("https://www.Acme.com", "Acme Corp").external_id("crm-001");
/// assert_eq!(seed.name, "Acme Corp");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// The admin API's messages about a bad body say "expected struct Account".
#[serde(
    rename_all = "camelCase",
    deny_unknown_fields,
    expecting = "struct Account"
)]
#[non_exhaustive]
pub struct NewAccount {
    /// A chosen id; `None` lets the mock generate one. (Documents the mock writes always
    /// carry it.)
    #[serde(default, rename = "rtp_aid")]
    pub rtp_aid: Option<ObjectId>,
    pub domain: String,
    pub name: String,
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub short_name: Option<String>,
    #[serde(default)]
    pub linkedin_url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: Map<String, Value>,
    #[serde(default = "zero", rename = "rtp_account_score")]
    pub rtp_account_score: Option<Number>,
    #[serde(default = "zero", rename = "rtp_advertising_activity_score")]
    pub rtp_advertising_activity_score: Option<Number>,
    #[serde(default = "zero", rename = "rtp_website_intent_score")]
    pub rtp_website_intent_score: Option<Number>,
    #[serde(default = "zero", rename = "rtp_g2_intent_score")]
    pub rtp_g2_intent_score: Option<Number>,
    #[serde(default = "zero", rename = "rtp_bombora_intent_score")]
    pub rtp_bombora_intent_score: Option<Number>,
    #[serde(default, rename = "rtp_journey_stage")]
    pub rtp_journey_stage: String,
    /// `None`: the mock's current time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// `None`: the mock's current time.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

/// A score that was never set: 0. (`None` is a score set to `null`.)
fn zero() -> Option<Number> {
    Some(Number::from(0))
}

impl NewAccount {
    /// A seed with a domain (cleaned when stored) and a name; everything else defaults.
    pub fn new(domain: &str, name: &str) -> Self {
        NewAccount {
            rtp_aid: None,
            domain: domain.to_string(),
            name: name.to_string(),
            external_id: None,
            short_name: None,
            linkedin_url: None,
            tags: Vec::new(),
            custom_fields: Map::new(),
            rtp_account_score: zero(),
            rtp_advertising_activity_score: zero(),
            rtp_website_intent_score: zero(),
            rtp_g2_intent_score: zero(),
            rtp_bombora_intent_score: zero(),
            rtp_journey_stage: String::new(),
            created_at: None,
            updated_at: None,
        }
    }

    /// Chooses the account's id instead of letting the mock generate one.
    pub fn with_id(mut self, rtp_aid: ObjectId) -> Self {
        self.rtp_aid = Some(rtp_aid);
        self
    }

    /// Sets the CRM id.
    pub fn external_id(mut self, external_id: &str) -> Self {
        self.external_id = Some(external_id.to_string());
        self
    }

    /// Sets one custom field value (its numbers as JavaScript holds them: `78.0` is `78`).
    pub fn custom_field(mut self, key: &str, value: impl Into<Value>) -> Self {
        let value = crate::fidelity::jsvalue::JsValue::from(value.into()).to_value();
        self.custom_fields.insert(key.to_string(), value);
        self
    }

    /// Sets the account score (as JavaScript holds it: `78.0` is `78`).
    pub fn score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_account_score = Some(crate::fidelity::jsjson::js_number_of(&score.into()));
        self
    }

    /// Sets the journey stage.
    pub fn journey_stage(mut self, stage: &str) -> Self {
        self.rtp_journey_stage = stage.to_string();
        self
    }
}

impl From<Account> for NewAccount {
    /// The seed that restores `account` exactly (id and times included).
    fn from(account: Account) -> Self {
        NewAccount {
            rtp_aid: Some(account.rtp_aid),
            domain: account.domain,
            name: account.name,
            external_id: account.external_id,
            short_name: account.short_name,
            linkedin_url: account.linkedin_url,
            tags: account.tags,
            custom_fields: account.custom_fields,
            rtp_account_score: account.rtp_account_score,
            rtp_advertising_activity_score: account.rtp_advertising_activity_score,
            rtp_website_intent_score: account.rtp_website_intent_score,
            rtp_g2_intent_score: account.rtp_g2_intent_score,
            rtp_bombora_intent_score: account.rtp_bombora_intent_score,
            rtp_journey_stage: account.rtp_journey_stage,
            created_at: Some(account.created_at),
            updated_at: Some(account.updated_at),
        }
    }
}

/// An account as the mock stores it: every field, with its id and times.
///
/// ```
/// use recotap_mock::{MockRecotap, NewAccount};
/// let mock = MockRecotap::builder().frozen_clock("2026-04-30T10:00:00.000Z").start();
/// let acme = mock.add_account(NewAccount::new("https://www.Acme.com", "Acme Corp"));
/// assert_eq!(acme.domain, "acme.com");
/// assert_eq!(acme.created_at, "2026-04-30T10:00:00.000Z");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Account {
    #[serde(rename = "rtp_aid")]
    pub rtp_aid: ObjectId,
    /// Cleaned (docs/api.md's domain rules).
    pub domain: String,
    pub name: String,
    pub external_id: Option<String>,
    pub short_name: Option<String>,
    pub linkedin_url: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
    #[serde(rename = "rtp_account_score")]
    pub rtp_account_score: Option<Number>,
    #[serde(rename = "rtp_advertising_activity_score")]
    pub rtp_advertising_activity_score: Option<Number>,
    #[serde(rename = "rtp_website_intent_score")]
    pub rtp_website_intent_score: Option<Number>,
    #[serde(rename = "rtp_g2_intent_score")]
    pub rtp_g2_intent_score: Option<Number>,
    #[serde(rename = "rtp_bombora_intent_score")]
    pub rtp_bombora_intent_score: Option<Number>,
    #[serde(rename = "rtp_journey_stage")]
    pub rtp_journey_stage: String,
    pub created_at: Timestamp,
    /// The last change (`rtp_last_account_date` in listings; what `lastSync` compares).
    pub updated_at: Timestamp,
}

impl Account {
    /// The account's id (`rtp_aid`).
    pub fn id(&self) -> ObjectId {
        self.rtp_aid
    }

    /// The same account as a seed that restores it exactly (id and times included).
    pub fn to_seed(&self) -> NewAccount {
        NewAccount::from(self.clone())
    }
}

/// What the vendor computes for an account: set by a test to feed the "pull" side of an
/// integration. A field left `None` is kept; a score set to `Some(None)` becomes `null` (JSON
/// `null` in `PATCH /_mock/accounts/{id}`), to test a client against a missing score.
/// `rtp_last_account_date`, when given, is the account's new update time (else the mock's now).
///
/// ```
/// use recotap_mock::ScoreUpdate;
/// let update = ScoreUpdate::default().account_score(78).journey_stage("Consideration");
/// assert_eq!(update.rtp_account_score, Some(Some(78.into())));
/// let missing = ScoreUpdate::default().account_score_null();
/// assert_eq!(missing.rtp_account_score, Some(None));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScoreUpdate {
    #[serde(
        default,
        deserialize_with = "sent",
        skip_serializing_if = "Option::is_none"
    )]
    pub rtp_account_score: Option<Option<Number>>,
    #[serde(
        default,
        deserialize_with = "sent",
        skip_serializing_if = "Option::is_none"
    )]
    pub rtp_advertising_activity_score: Option<Option<Number>>,
    #[serde(
        default,
        deserialize_with = "sent",
        skip_serializing_if = "Option::is_none"
    )]
    pub rtp_website_intent_score: Option<Option<Number>>,
    #[serde(
        default,
        deserialize_with = "sent",
        skip_serializing_if = "Option::is_none"
    )]
    pub rtp_g2_intent_score: Option<Option<Number>>,
    #[serde(
        default,
        deserialize_with = "sent",
        skip_serializing_if = "Option::is_none"
    )]
    pub rtp_bombora_intent_score: Option<Option<Number>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_journey_stage: Option<String>,
    /// The account's update time (`rtp_last_account_date` in listings); `None`: the mock's now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtp_last_account_date: Option<Timestamp>,
}

/// A field that is present, `null` included: `Some(None)` for `null`, where a plain `Option`
/// would read `null` as absent. (An absent field is `None` through `#[serde(default)]`.)
fn sent<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<Number>>, D::Error> {
    Option::<Number>::deserialize(deserializer).map(Some)
}

/// The setters of one score: a number, or `null`.
macro_rules! score_setters {
    ($($field:ident: $set:ident, $null:ident;)*) => {
        impl ScoreUpdate {
            $(
                #[doc = concat!("Sets `", stringify!($field), "`.")]
                pub fn $set(mut self, score: impl Into<Number>) -> Self {
                    self.$field = Some(Some(score.into()));
                    self
                }

                #[doc = concat!("Sets `", stringify!($field), "` to `null` (a missing score).")]
                pub fn $null(mut self) -> Self {
                    self.$field = Some(None);
                    self
                }
            )*
        }
    };
}

score_setters! {
    rtp_account_score: account_score, account_score_null;
    rtp_advertising_activity_score: advertising_activity_score, advertising_activity_score_null;
    rtp_website_intent_score: website_intent_score, website_intent_score_null;
    rtp_g2_intent_score: g2_intent_score, g2_intent_score_null;
    rtp_bombora_intent_score: bombora_intent_score, bombora_intent_score_null;
}

impl ScoreUpdate {
    /// Sets `rtp_journey_stage`.
    pub fn journey_stage(mut self, stage: &str) -> Self {
        self.rtp_journey_stage = Some(stage.to_string());
        self
    }

    /// Sets the account's update time (`rtp_last_account_date`) instead of the mock's now.
    ///
    /// # Panics
    /// If `at` is not an instant (the message says why).
    pub fn last_account_date(mut self, at: impl crate::data::timestamp::IntoTimestamp) -> Self {
        let at = at.into_timestamp().unwrap_or_else(|error| {
            panic!("recotap-mock: ScoreUpdate::last_account_date: {error}")
        });
        self.rtp_last_account_date = Some(at);
        self
    }
}
