//! The compact form in which the store keeps an account. A million accounts must fit in well
//! under a gigabyte, so text is boxed (no spare capacity; the domain is shared with the team's
//! domain index, so it is allocated once), custom fields are a short list,
//! and the vendor's scores live behind one pointer that stays empty until a test sets them.
//! Converted to and from the public [`Account`] at the store's edges.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Number, Value};

use crate::fidelity::jsjson::js_number_of;
use crate::fidelity::jsvalue::JsValue;

use crate::data::model::{Account, NewAccount, ObjectId, ScoreUpdate};
use crate::data::timestamp::Timestamp;
use crate::fidelity::clock::Millis;

/// What the vendor computes for an account; absent until a test sets any of it. A score is
/// `None` when a test set it to `null` (the vendor leaves a score it has not computed empty).
#[derive(Clone, Debug, PartialEq)]
pub struct Vendor {
    pub rtp_account_score: Option<Number>,
    pub rtp_advertising_activity_score: Option<Number>,
    pub rtp_website_intent_score: Option<Number>,
    pub rtp_g2_intent_score: Option<Number>,
    pub rtp_bombora_intent_score: Option<Number>,
    pub journey_stage: String,
}

/// One stored account: its id and times, beside the rest behind a shared pointer.
///
/// The times sit outside the pointer because every change moves `updated_at`: a sync that
/// resends what is stored then changes this small struct and nothing else, even while the
/// state file's writer or a snapshot still holds the previous [`AccountData`]. A change to the
/// data copies it on write ([`AccountRecord::data_mut`]). Reads see the data's fields directly
/// (`Deref`).
#[derive(Clone, Debug, PartialEq)]
pub struct AccountRecord {
    pub id: ObjectId,
    pub created_at: Millis,
    pub updated_at: Millis,
    data: Arc<AccountData>,
}

/// An account's fields other than its id and times.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountData {
    /// Shared with the team's domain index, which keys the account by it: one allocation.
    pub domain: Arc<str>,
    pub name: Box<str>,
    pub external_id: Option<Box<str>>,
    pub short_name: Option<Box<str>>,
    pub linkedin_url: Option<Box<str>>,
    pub tags: Box<[Box<str>]>,
    /// In the order the keys were first set; a handful at most, so a list beats a map.
    pub custom_fields: Vec<(Box<str>, JsValue)>,
    pub vendor: Option<Box<Vendor>>,
}

impl std::ops::Deref for AccountRecord {
    type Target = AccountData;

    fn deref(&self) -> &AccountData {
        &self.data
    }
}

impl Default for Vendor {
    fn default() -> Self {
        Vendor {
            rtp_account_score: Some(Number::from(0)),
            rtp_advertising_activity_score: Some(Number::from(0)),
            rtp_website_intent_score: Some(Number::from(0)),
            rtp_g2_intent_score: Some(Number::from(0)),
            rtp_bombora_intent_score: Some(Number::from(0)),
            journey_stage: String::new(),
        }
    }
}

/// The vendor's side of an account a test never scored.
static NO_VENDOR: std::sync::LazyLock<Vendor> = std::sync::LazyLock::new(Vendor::default);

impl AccountRecord {
    /// An account with only its id, domain and times; the rest is set by the caller.
    pub fn new(id: ObjectId, domain: Arc<str>, now: Millis) -> Self {
        let data = AccountData {
            domain,
            name: Box::from(""),
            external_id: None,
            short_name: None,
            linkedin_url: None,
            tags: Box::new([]),
            custom_fields: Vec::new(),
            vendor: None,
        };
        AccountRecord {
            id,
            created_at: now,
            updated_at: now,
            data: Arc::new(data),
        }
    }

    /// The fields for a change: the record's own copy (made now if the data is shared).
    pub fn data_mut(&mut self) -> &mut AccountData {
        Arc::make_mut(&mut self.data)
    }

    /// Whether `self` and `other` share their fields' memory (neither was copied on write).
    #[cfg(test)]
    pub fn shares_data_with(&self, other: &AccountRecord) -> bool {
        Arc::ptr_eq(&self.data, &other.data)
    }

    /// The stored form of a seeded account whose id, domain and times are already settled.
    /// Numbers are stored as the doubles JavaScript would hold (`78.0` is `78`), however they
    /// were seeded, so they come back as the vendor writes them.
    pub fn from_seed(account: NewAccount, id: ObjectId, domain: Arc<str>, now: Millis) -> Self {
        let js = |score: &Option<Number>| score.as_ref().map(js_number_of);
        let vendor = Vendor {
            rtp_account_score: js(&account.rtp_account_score),
            rtp_advertising_activity_score: js(&account.rtp_advertising_activity_score),
            rtp_website_intent_score: js(&account.rtp_website_intent_score),
            rtp_g2_intent_score: js(&account.rtp_g2_intent_score),
            rtp_bombora_intent_score: js(&account.rtp_bombora_intent_score),
            journey_stage: account.rtp_journey_stage,
        };
        let data = AccountData {
            domain,
            name: account.name.into_boxed_str(),
            external_id: account.external_id.map(String::into_boxed_str),
            short_name: account.short_name.map(String::into_boxed_str),
            linkedin_url: account.linkedin_url.map(String::into_boxed_str),
            tags: account
                .tags
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
            custom_fields: account
                .custom_fields
                .into_iter()
                .map(|(key, value)| (key.into_boxed_str(), JsValue::from(value)))
                .collect(),
            vendor: (vendor != Vendor::default()).then(|| Box::new(vendor)),
        };
        AccountRecord {
            id,
            created_at: account.created_at.map_or(now, Timestamp::as_millis),
            updated_at: account.updated_at.map_or(now, Timestamp::as_millis),
            data: Arc::new(data),
        }
    }

    /// The public form.
    pub fn to_account(&self) -> Account {
        let text = |text: &Option<Box<str>>| text.as_deref().map(str::to_string);
        let vendor = self.vendor();
        Account {
            rtp_aid: self.id,
            domain: self.domain.to_string(),
            name: self.name.to_string(),
            external_id: text(&self.external_id),
            short_name: text(&self.short_name),
            linkedin_url: text(&self.linkedin_url),
            tags: self.tags.iter().map(|tag| tag.to_string()).collect(),
            custom_fields: self
                .custom_fields
                .iter()
                .map(|(key, value)| (key.to_string(), value.to_value()))
                .collect::<Map<String, Value>>(),
            rtp_account_score: vendor.rtp_account_score.clone(),
            rtp_advertising_activity_score: vendor.rtp_advertising_activity_score.clone(),
            rtp_website_intent_score: vendor.rtp_website_intent_score.clone(),
            rtp_g2_intent_score: vendor.rtp_g2_intent_score.clone(),
            rtp_bombora_intent_score: vendor.rtp_bombora_intent_score.clone(),
            rtp_journey_stage: vendor.journey_stage.clone(),
            created_at: Timestamp::from_millis(self.created_at),
            updated_at: Timestamp::from_millis(self.updated_at),
        }
    }
}

impl AccountData {
    /// The vendor's side: what a test set, or the defaults (scores 0, stage `""`).
    pub fn vendor(&self) -> &Vendor {
        self.vendor.as_deref().unwrap_or(&NO_VENDOR)
    }

    /// The value of custom field `key`, if the account has one.
    pub fn custom_field(&self, key: &str) -> Option<&JsValue> {
        self.custom_fields
            .iter()
            .find(|(stored, _)| &**stored == key)
            .map(|(_, value)| value)
    }

    /// Sets custom field `key`, keeping its place if it was set before; an equal value is left
    /// alone (so a sync that changes nothing allocates nothing).
    pub fn set_custom_field(&mut self, key: Cow<str>, value: JsValue) {
        match self
            .custom_fields
            .iter_mut()
            .find(|(stored, _)| **stored == *key)
        {
            Some((_, stored)) if *stored == value => {}
            Some((_, stored)) => *stored = value,
            None => self
                .custom_fields
                .push((key.into_owned().into_boxed_str(), value)),
        }
    }

    /// Applies what a test set for the vendor's side (numbers as JavaScript holds them).
    pub fn apply_scores(&mut self, update: &ScoreUpdate) {
        let vendor = self.vendor.get_or_insert_with(Box::default);
        // Outer `None`: not sent, kept; `Some(None)`: set to `null`.
        let set = |stored: &mut Option<Number>, sent: &Option<Option<Number>>| {
            if let Some(score) = sent {
                *stored = score.as_ref().map(js_number_of);
            }
        };
        set(&mut vendor.rtp_account_score, &update.rtp_account_score);
        set(
            &mut vendor.rtp_advertising_activity_score,
            &update.rtp_advertising_activity_score,
        );
        set(
            &mut vendor.rtp_website_intent_score,
            &update.rtp_website_intent_score,
        );
        set(&mut vendor.rtp_g2_intent_score, &update.rtp_g2_intent_score);
        set(
            &mut vendor.rtp_bombora_intent_score,
            &update.rtp_bombora_intent_score,
        );
        if let Some(stage) = &update.rtp_journey_stage {
            vendor.journey_stage = stage.clone();
        }
    }
}

/// An account as its state-document seed (the JSON of [`NewAccount`], same keys in the same
/// order), written straight from the compact form: the state file's writer makes one per
/// changed account, and going through [`Account`] would copy every field first. Custom fields
/// come in the order they were set rather than sorted; a reader gets the same seed either way.
#[cfg(any(feature = "persistence", test))]
pub struct SeedJson<'a>(pub &'a AccountRecord);

#[cfg(any(feature = "persistence", test))]
impl SeedJson<'_> {
    /// Appends the seed's JSON: byte for byte what serde_json writes through the `Serialize`
    /// impl below (a unit test holds the two together), written directly. Keys are constant
    /// text and most values need no escape; serde's writer (escape table, map states, number
    /// and date formatting) was a third of the state file's writer.
    pub fn write(&self, out: &mut Vec<u8>) {
        let record = self.0;
        let vendor = record.vendor();
        out.extend_from_slice(b"{\"rtp_aid\":\"");
        out.extend_from_slice(&record.id.hex());
        out.extend_from_slice(b"\",\"domain\":");
        json_str(out, &record.domain);
        out.extend_from_slice(b",\"name\":");
        json_str(out, &record.name);
        let optional = [
            (&b",\"externalId\":"[..], &record.external_id),
            (b",\"shortName\":", &record.short_name),
            (b",\"linkedinUrl\":", &record.linkedin_url),
        ];
        for (key, text) in optional {
            out.extend_from_slice(key);
            match text {
                Some(text) => json_str(out, text),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b",\"tags\":[");
        for (at, tag) in record.tags.iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            json_str(out, tag);
        }
        out.extend_from_slice(b"],\"customFields\":{");
        for (at, (key, value)) in record.custom_fields.iter().enumerate() {
            if at > 0 {
                out.push(b',');
            }
            json_str(out, key);
            out.push(b':');
            serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
        }
        out.push(b'}');
        let scores = [
            (&b",\"rtp_account_score\":"[..], &vendor.rtp_account_score),
            (
                b",\"rtp_advertising_activity_score\":",
                &vendor.rtp_advertising_activity_score,
            ),
            (
                b",\"rtp_website_intent_score\":",
                &vendor.rtp_website_intent_score,
            ),
            (b",\"rtp_g2_intent_score\":", &vendor.rtp_g2_intent_score),
            (
                b",\"rtp_bombora_intent_score\":",
                &vendor.rtp_bombora_intent_score,
            ),
        ];
        for (key, score) in scores {
            out.extend_from_slice(key);
            match score {
                Some(number) => {
                    serde_json::to_writer(&mut *out, number).expect("writing to a Vec cannot fail")
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b",\"rtp_journey_stage\":");
        json_str(out, &vendor.journey_stage);
        out.extend_from_slice(b",\"createdAt\":");
        json_str(out, &crate::fidelity::clock::format_iso(record.created_at));
        out.extend_from_slice(b",\"updatedAt\":");
        json_str(out, &crate::fidelity::clock::format_iso(record.updated_at));
        out.push(b'}');
    }
}

/// `text` as serde_json writes a string (it escapes `"`, `\` and control characters only):
/// copied as is when none of those is in it.
#[cfg(any(feature = "persistence", test))]
fn json_str(out: &mut Vec<u8>, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, text).expect("writing to a Vec cannot fail");
    }
}

/// The reference for [`SeedJson::write`], and what `NewAccount`'s own JSON is compared with.
#[cfg(test)]
impl serde::Serialize for SeedJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;

        struct Fields<'a>(&'a [(Box<str>, JsValue)]);
        impl serde::Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_map(self.0.iter().map(|(key, value)| (&**key, value)))
            }
        }

        let record = self.0;
        let vendor = record.vendor();
        let mut map = serializer.serialize_map(Some(16))?;
        map.serialize_entry("rtp_aid", &record.id)?;
        map.serialize_entry("domain", &*record.domain)?;
        map.serialize_entry("name", &*record.name)?;
        map.serialize_entry("externalId", &record.external_id.as_deref())?;
        map.serialize_entry("shortName", &record.short_name.as_deref())?;
        map.serialize_entry("linkedinUrl", &record.linkedin_url.as_deref())?;
        map.serialize_entry("tags", &record.tags)?;
        map.serialize_entry("customFields", &Fields(&record.custom_fields))?;
        map.serialize_entry("rtp_account_score", &vendor.rtp_account_score)?;
        map.serialize_entry(
            "rtp_advertising_activity_score",
            &vendor.rtp_advertising_activity_score,
        )?;
        map.serialize_entry("rtp_website_intent_score", &vendor.rtp_website_intent_score)?;
        map.serialize_entry("rtp_g2_intent_score", &vendor.rtp_g2_intent_score)?;
        map.serialize_entry("rtp_bombora_intent_score", &vendor.rtp_bombora_intent_score)?;
        map.serialize_entry("rtp_journey_stage", &vendor.journey_stage)?;
        map.serialize_entry("createdAt", &Timestamp::from_millis(record.created_at))?;
        map.serialize_entry("updatedAt", &Timestamp::from_millis(record.updated_at))?;
        map.end()
    }
}

/// Replaces `stored` with `sent` unless they are equal.
pub fn replace_text(stored: &mut Box<str>, sent: Cow<str>) {
    if **stored != *sent {
        *stored = sent.into_owned().into_boxed_str();
    }
}

/// Replaces `stored` with `sent` when `sent` is present and differs.
pub fn replace_present(stored: &mut Option<Box<str>>, sent: Option<Cow<str>>) {
    if let Some(sent) = sent {
        if stored.as_deref() != Some(sent.as_ref()) {
            *stored = Some(sent.into_owned().into_boxed_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_survives_the_round_trip_through_the_compact_form() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let mut seed = NewAccount::new("acme.com", "Acme")
            .with_id(id)
            .external_id("crm-1")
            .custom_field("B_C", 2)
            .custom_field("A_C", "x")
            .score(78)
            .journey_stage("Aware");
        seed.tags = vec!["t1".into(), "t2".into()];
        seed.created_at = Some(Timestamp::from_millis(1));
        seed.updated_at = Some(Timestamp::from_millis(2));
        let record = AccountRecord::from_seed(seed.clone(), id, "acme.com".into(), 9);
        assert_eq!(NewAccount::from(record.to_account()), seed);
    }

    #[test]
    fn the_seed_json_reads_back_as_the_seed_of_the_account() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let mut seed = NewAccount::new("acme.com", "Acme \"Corp\" \u{1F600}")
            .with_id(id)
            .external_id("crm-1")
            .custom_field("B_C", serde_json::json!({"z": 1, "a": [1.5, null, "x"]}))
            .custom_field("A_C", "x")
            .score(78)
            .journey_stage("Aware");
        seed.tags = vec!["t1".into(), "t2".into()];
        seed.short_name = Some("AC".into());
        seed.created_at = Some(Timestamp::from_millis(1));
        seed.updated_at = Some(Timestamp::from_millis(1_777_543_200_123));
        let record = AccountRecord::from_seed(seed.clone(), id, "acme.com".into(), 9);
        let json = serde_json::to_string(&SeedJson(&record)).unwrap();
        let read: NewAccount = serde_json::from_str(&json).unwrap();
        assert_eq!(read, NewAccount::from(record.to_account()));
        assert_eq!(read, seed);
        // A record with no vendor data and no optional text reads back the same way too.
        let bare = AccountRecord::new(id, Arc::from("a.com"), 5);
        let json = serde_json::to_string(&SeedJson(&bare)).unwrap();
        let read: NewAccount = serde_json::from_str(&json).unwrap();
        assert_eq!(read, NewAccount::from(bare.to_account()));
    }

    /// Key for key and value for value, `SeedJson` writes what the seed's own serde form writes:
    /// a field added to `NewAccount` and not to `SeedJson` fails here.
    #[test]
    fn the_seed_json_is_the_seeds_own_json() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let mut seed = NewAccount::new("acme.com", "Acme")
            .with_id(id)
            .custom_field("A_C", 1.5)
            .journey_stage("Aware");
        seed.linkedin_url = Some("https://www.linkedin.com/company/acme".into());
        seed.rtp_g2_intent_score = None;
        let mut scored = AccountRecord::from_seed(seed, id, "acme.com".into(), 9);
        scored
            .data_mut()
            .set_custom_field(Cow::Borrowed("INF_C"), JsValue::Infinite(f64::INFINITY));
        // A vendor box holding only the defaults.
        let mut defaults = AccountRecord::new(id, Arc::from("b.com"), 7);
        defaults.data_mut().vendor = Some(Box::default());
        for record in [
            scored,
            defaults,
            AccountRecord::new(id, Arc::from("a.com"), 5),
        ] {
            let written = serde_json::to_value(SeedJson(&record)).unwrap();
            let own = serde_json::to_value(NewAccount::from(record.to_account())).unwrap();
            assert_eq!(written, own, "{record:?}");
        }
    }

    #[test]
    fn the_written_seed_is_what_serde_writes() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let mut seed = NewAccount::new("acme.com", "Acme \"Q\" \\ \u{1}\u{7f}\u{2028}")
            .with_id(id)
            .custom_field("A_C", 1.5)
            .custom_field("B\n_C", "x\"y")
            .journey_stage("Aware é");
        seed.external_id = Some(format!(
            "e{}",
            crate::fidelity::jsjson::surrogate_char(0xD83D)
        ));
        seed.tags = vec!["t\\1".into(), "t2".into()];
        seed.rtp_g2_intent_score = None;
        seed.rtp_account_score = Some(Number::from_f64(0.25).unwrap());
        let mut scored = AccountRecord::from_seed(seed, id, "acme.com".into(), -1);
        scored
            .data_mut()
            .set_custom_field(Cow::Borrowed("INF_C"), JsValue::Infinite(f64::INFINITY));
        let mut defaults = AccountRecord::new(id, Arc::from("b.com"), 253_402_300_800_000);
        defaults.data_mut().vendor = Some(Box::default());
        for record in [
            scored,
            defaults,
            AccountRecord::new(id, Arc::from("a.com"), 5),
        ] {
            let mut written = Vec::new();
            SeedJson(&record).write(&mut written);
            let reference = serde_json::to_vec(&SeedJson(&record)).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
    }

    #[test]
    fn an_account_without_vendor_data_keeps_no_vendor_box() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let seed = NewAccount::new("a.com", "A");
        let record = AccountRecord::from_seed(seed, id, "a.com".into(), 0);
        assert!(record.vendor.is_none());
        assert_eq!(record.vendor().rtp_account_score, Some(Number::from(0)));
        assert_eq!(record.vendor().journey_stage, "");
    }
}
