//! The records the mock holds (accounts, custom fields, segments) and their ids, in the shapes
//! of the state document (CONTROL.md §5). Plain data: no HTTP, no locking, no business rules.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::clock::Millis;
use crate::timestamp::Timestamp;

/// A MongoDB-ObjectId-shaped identifier: 4 bytes of seconds, 5 bytes per mock, 3 bytes of counter.
///
/// Byte order equals the order of its 24-digit lower-case hex form, so ids sort in creation order.
///
/// ```
/// use recotap_mock::ObjectId;
/// let id: ObjectId = "663a1f0c2b5e4d0001000001".parse().unwrap();
/// assert_eq!(id.to_string(), "663a1f0c2b5e4d0001000001");
/// assert!("not-an-id".parse::<ObjectId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId([u8; 12]);

impl ObjectId {
    /// Whether `text` is 24 hex digits (either case), the API's `isMongoId` rule.
    pub fn is_valid(text: &str) -> bool {
        text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
    }
}

/// The error of parsing an [`ObjectId`] from text that is not 24 hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidObjectId {
    text: String,
}

impl InvalidObjectId {
    /// The text that was not an id.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for InvalidObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not an id of 24 hex digits", self.text)
    }
}

impl std::error::Error for InvalidObjectId {}

impl FromStr for ObjectId {
    type Err = InvalidObjectId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !ObjectId::is_valid(text) {
            return Err(InvalidObjectId {
                text: text.to_string(),
            });
        }
        let mut bytes = [0u8; 12];
        for (i, pair) in text.as_bytes().chunks(2).enumerate() {
            bytes[i] = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
        }
        Ok(ObjectId(bytes))
    }
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

impl ObjectId {
    /// The 24 lower-case hex digits, without allocating (ids are printed on every response).
    pub fn hex(&self) -> [u8; 24] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 24];
        for (i, byte) in self.0.iter().enumerate() {
            out[2 * i] = DIGITS[usize::from(byte >> 4)];
            out[2 * i + 1] = DIGITS[usize::from(byte & 0xf)];
        }
        out
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex = self.hex();
        f.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let hex = self.hex();
        serializer.serialize_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"))
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Makes ObjectIds: the clock's seconds, five bytes fixed per generator, a rising counter.
#[derive(Clone, Debug)]
pub struct IdGenerator {
    instance: [u8; 5],
    counter: u32,
}

impl IdGenerator {
    /// A generator whose ids are reproducible: the same seed and clock give the same ids.
    pub fn seeded(seed: u64) -> Self {
        let mixed = splitmix64(seed);
        let bytes = mixed.to_be_bytes();
        IdGenerator {
            instance: [bytes[0], bytes[1], bytes[2], bytes[3], bytes[4]],
            counter: 0,
        }
    }

    /// A generator with a random instance part, as every real ObjectId source has.
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::UNIX_EPOCH
                .elapsed()
                .unwrap_or_default()
                .as_nanos(),
        );
        let mut generator = IdGenerator::seeded(hasher.finish());
        // Start the counter low enough that it does not wrap within a second of heavy use.
        generator.counter = (hasher.finish() >> 40) as u32 & 0x3f_ffff;
        generator
    }

    /// The next id that `taken` does not claim. A generator restarted by `reset`, or a restored
    /// snapshot, can otherwise hand out an id that is already stored.
    pub fn next_free(&mut self, now: Millis, taken: impl Fn(&ObjectId) -> bool) -> ObjectId {
        loop {
            let id = self.next_id(now);
            if !taken(&id) {
                return id;
            }
        }
    }

    /// The next id, stamped with `now`.
    pub fn next_id(&mut self, now: Millis) -> ObjectId {
        let seconds = (now.div_euclid(1000)).clamp(0, i64::from(u32::MAX)) as u32;
        let counter = self.counter & 0xff_ffff;
        self.counter = self.counter.wrapping_add(1);
        let mut bytes = [0u8; 12];
        bytes[..4].copy_from_slice(&seconds.to_be_bytes());
        bytes[4..9].copy_from_slice(&self.instance);
        bytes[9..].copy_from_slice(&counter.to_be_bytes()[1..]);
        ObjectId(bytes)
    }
}

/// A small, good bit mixer (used for id instances and seeded fault probabilities).
pub(crate) fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The type of a custom field's values (`labelType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LabelType {
    SingleLineText,
    MultiLineText,
    SingleSelection,
    MultiSelection,
    Number,
    Date,
}

impl LabelType {
    /// Every accepted `labelType`, in the order of the API's `isIn` message.
    pub const NAMES: &'static [&'static str] = &[
        "singleLineText",
        "multiLineText",
        "singleSelection",
        "multiSelection",
        "number",
        "date",
    ];

    /// Parses the API spelling (`"singleLineText"`, …).
    pub fn from_name(name: &str) -> Option<LabelType> {
        use LabelType::*;
        let all = [
            SingleLineText,
            MultiLineText,
            SingleSelection,
            MultiSelection,
            Number,
            Date,
        ];
        LabelType::NAMES
            .iter()
            .position(|known| *known == name)
            .map(|i| all[i])
    }

    /// Whether the type needs a list of `options`.
    pub fn is_selection(self) -> bool {
        matches!(self, LabelType::SingleSelection | LabelType::MultiSelection)
    }
}

/// Whether a custom field can be used (`active`) or is kept only for history (`inactive`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FieldStatus {
    #[default]
    Active,
    Inactive,
}

/// An account custom field.
///
/// ```
/// use recotap_mock::{CustomField, LabelType};
/// let field = CustomField::new("Revenue (USD)", LabelType::Number);
/// assert_eq!(field.key, "REVENUE_(USD)_C");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomField {
    pub key: String,
    pub label: String,
    pub label_type: LabelType,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub status: FieldStatus,
}

impl CustomField {
    /// An active field with the key the API derives from `label`.
    pub fn new(label: &str, label_type: LabelType) -> Self {
        CustomField {
            key: CustomField::key_for(label),
            label: label.to_string(),
            label_type,
            description: None,
            options: Vec::new(),
            status: FieldStatus::Active,
        }
    }

    /// The key for a label: spaces become `_`, upper-case, `_C` appended.
    pub fn key_for(label: &str) -> String {
        format!("{}_C", label.replace(' ', "_").to_uppercase())
    }

    /// Sets the description.
    pub fn description(mut self, description: &str) -> Self {
        self.description = Some(description.to_string());
        self
    }

    /// Sets the options (kept only for selection types, as the API does).
    pub fn options<S: AsRef<str>>(mut self, options: &[S]) -> Self {
        self.options = options.iter().map(|o| o.as_ref().to_string()).collect();
        self
    }

    /// Marks the field inactive: it exists but is neither listed nor accepted.
    pub fn inactive(mut self) -> Self {
        self.status = FieldStatus::Inactive;
        self
    }

    /// Overrides the derived key.
    pub fn key(mut self, key: &str) -> Self {
        self.key = key.to_string();
        self
    }
}

/// Static segments take members through the API; dynamic ones are computed by the vendor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SegmentType {
    #[default]
    Static,
    Dynamic,
}

/// A segment's life-cycle state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SegmentStatus {
    #[default]
    Active,
    Draft,
    Archived,
}

impl SegmentStatus {
    /// The API spelling.
    pub fn name(self) -> &'static str {
        match self {
            SegmentStatus::Active => "active",
            SegmentStatus::Draft => "draft",
            SegmentStatus::Archived => "archived",
        }
    }
}

/// A segment and its members (account ids in the order they joined).
///
/// ```
/// use recotap_mock::{Segment, SegmentStatus};
/// let seed = Segment::new("Q2 Target Accounts").id("seg-001").status(SegmentStatus::Draft);
/// assert_eq!(seed.segment_id.as_deref(), Some("seg-001"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Segment {
    /// `None` only in a seed: the mock then generates an id.
    #[serde(default)]
    pub segment_id: Option<String>,
    pub name: String,
    #[serde(default, rename = "type")]
    pub segment_type: SegmentType,
    #[serde(default)]
    pub status: SegmentStatus,
    #[serde(default)]
    pub members: Vec<ObjectId>,
}

impl Segment {
    /// A static, active segment with a generated id.
    pub fn new(name: &str) -> Self {
        Segment {
            segment_id: None,
            name: name.to_string(),
            segment_type: SegmentType::Static,
            status: SegmentStatus::Active,
            members: Vec::new(),
        }
    }

    /// Chooses the id (any non-empty string, e.g. `seg-001`).
    pub fn id(mut self, id: &str) -> Self {
        self.segment_id = Some(id.to_string());
        self
    }

    /// Makes the segment dynamic (it then refuses members pushed through the API).
    pub fn dynamic(mut self) -> Self {
        self.segment_type = SegmentType::Dynamic;
        self
    }

    /// Sets the status.
    pub fn status(mut self, status: SegmentStatus) -> Self {
        self.status = status;
        self
    }
}

/// An account to seed (through the handle, the admin API or a state document): a domain
/// (cleaned when stored) and a name; everything else optional. The mock generates an id and
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
    pub rtp_account_score: Number,
    #[serde(default = "zero", rename = "rtp_advertising_activity_score")]
    pub rtp_advertising_activity_score: Number,
    #[serde(default = "zero", rename = "rtp_website_intent_score")]
    pub rtp_website_intent_score: Number,
    #[serde(default = "zero", rename = "rtp_g2_intent_score")]
    pub rtp_g2_intent_score: Number,
    #[serde(default = "zero", rename = "rtp_bombora_intent_score")]
    pub rtp_bombora_intent_score: Number,
    #[serde(default, rename = "rtp_journey_stage")]
    pub rtp_journey_stage: String,
    /// `None`: the mock's current time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// `None`: the mock's current time.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

fn zero() -> Number {
    Number::from(0)
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

    /// Sets one custom field value.
    pub fn custom_field(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.custom_fields.insert(key.to_string(), value.into());
        self
    }

    /// Sets the account score.
    pub fn score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_account_score = score.into();
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
/// let mock = MockRecotap::start();
/// let acme = mock.add_account(NewAccount::new("https://www.Acme.com", "Acme Corp"));
/// assert_eq!(acme.domain, "acme.com");
/// assert_eq!(acme.created_at, mock.now());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct Account {
    #[serde(rename = "rtp_aid")]
    pub rtp_aid: ObjectId,
    /// Cleaned (API.md's domain rules).
    pub domain: String,
    pub name: String,
    pub external_id: Option<String>,
    pub short_name: Option<String>,
    pub linkedin_url: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Map<String, Value>,
    #[serde(rename = "rtp_account_score")]
    pub rtp_account_score: Number,
    #[serde(rename = "rtp_advertising_activity_score")]
    pub rtp_advertising_activity_score: Number,
    #[serde(rename = "rtp_website_intent_score")]
    pub rtp_website_intent_score: Number,
    #[serde(rename = "rtp_g2_intent_score")]
    pub rtp_g2_intent_score: Number,
    #[serde(rename = "rtp_bombora_intent_score")]
    pub rtp_bombora_intent_score: Number,
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
/// integration. Fields left `None` are kept.
///
/// ```
/// use recotap_mock::ScoreUpdate;
/// let update = ScoreUpdate::default().account_score(78).journey_stage("Consideration");
/// assert_eq!(update.rtp_account_score, Some(78.into()));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScoreUpdate {
    #[serde(default)]
    pub rtp_account_score: Option<Number>,
    #[serde(default)]
    pub rtp_advertising_activity_score: Option<Number>,
    #[serde(default)]
    pub rtp_website_intent_score: Option<Number>,
    #[serde(default)]
    pub rtp_g2_intent_score: Option<Number>,
    #[serde(default)]
    pub rtp_bombora_intent_score: Option<Number>,
    #[serde(default)]
    pub rtp_journey_stage: Option<String>,
}

impl ScoreUpdate {
    /// Sets `rtp_account_score`.
    pub fn account_score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_account_score = Some(score.into());
        self
    }

    /// Sets `rtp_advertising_activity_score`.
    pub fn advertising_activity_score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_advertising_activity_score = Some(score.into());
        self
    }

    /// Sets `rtp_website_intent_score`.
    pub fn website_intent_score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_website_intent_score = Some(score.into());
        self
    }

    /// Sets `rtp_g2_intent_score`.
    pub fn g2_intent_score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_g2_intent_score = Some(score.into());
        self
    }

    /// Sets `rtp_bombora_intent_score`.
    pub fn bombora_intent_score(mut self, score: impl Into<Number>) -> Self {
        self.rtp_bombora_intent_score = Some(score.into());
        self
    }

    /// Sets `rtp_journey_stage`.
    pub fn journey_stage(mut self, stage: &str) -> Self {
        self.rtp_journey_stage = Some(stage.to_string());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_in_creation_order_and_are_reproducible_with_a_seed() {
        let mut a = IdGenerator::seeded(7);
        let mut b = IdGenerator::seeded(7);
        let first = a.next_id(1_777_543_200_000);
        let second = a.next_id(1_777_543_200_000);
        assert!(first < second);
        assert!(first.to_string() < second.to_string());
        assert_eq!(b.next_id(1_777_543_200_000), first);
        assert!(first.to_string().starts_with("69f32820"), "{first}");
        assert_eq!(first.to_string().len(), 24);
    }

    #[test]
    fn object_id_parses_either_case_and_prints_lower_case() {
        let id: ObjectId = "ABCDEF0123456789ABCDEF01".parse().unwrap();
        assert_eq!(id.to_string(), "abcdef0123456789abcdef01");
        assert!("abcdef0123456789abcdef0".parse::<ObjectId>().is_err());
        assert!("abcdef0123456789abcdef0g".parse::<ObjectId>().is_err());
    }

    #[test]
    fn label_types_parse_from_their_api_names() {
        assert_eq!(
            LabelType::from_name("multiSelection"),
            Some(LabelType::MultiSelection)
        );
        assert_eq!(LabelType::from_name("text"), None);
    }
}
