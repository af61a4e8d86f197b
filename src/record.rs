//! The compact form in which the store keeps an account. A million accounts must fit in well
//! under a gigabyte, so text is boxed (no spare capacity), custom fields are a short list,
//! and the vendor's scores live behind one pointer that stays empty until a test sets them.
//! Converted to and from the public [`Account`] at the store's edges.

use std::borrow::Cow;

use serde_json::{Map, Number, Value};

use crate::jsvalue::JsValue;

use crate::clock::Millis;
use crate::model::{Account, ObjectId, ScoreUpdate};

/// What the vendor computes for an account; absent until a test sets any of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Vendor {
    /// Account, advertising activity, website intent, G2 intent, Bombora intent.
    pub scores: [Number; 5],
    pub journey_stage: String,
}

/// One stored account.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountRecord {
    pub id: ObjectId,
    pub created_at: Millis,
    pub updated_at: Millis,
    pub domain: Box<str>,
    pub name: Box<str>,
    pub external_id: Option<Box<str>>,
    pub short_name: Option<Box<str>>,
    pub linkedin_url: Option<Box<str>>,
    pub tags: Box<[Box<str>]>,
    /// In the order the keys were first set; a handful at most, so a list beats a map.
    pub custom_fields: Vec<(Box<str>, JsValue)>,
    pub vendor: Option<Box<Vendor>>,
}

impl Default for Vendor {
    fn default() -> Self {
        Vendor {
            scores: std::array::from_fn(|_| Number::from(0)),
            journey_stage: String::new(),
        }
    }
}

static ZERO: std::sync::LazyLock<Number> = std::sync::LazyLock::new(|| Number::from(0));

impl AccountRecord {
    /// An account with only its id, domain and times; the rest is set by the caller.
    pub fn new(id: ObjectId, domain: Box<str>, now: Millis) -> Self {
        AccountRecord {
            id,
            created_at: now,
            updated_at: now,
            domain,
            name: Box::from(""),
            external_id: None,
            short_name: None,
            linkedin_url: None,
            tags: Box::new([]),
            custom_fields: Vec::new(),
            vendor: None,
        }
    }

    /// The stored form of a seeded account whose id, domain and times are already settled.
    pub fn from_account(account: Account, id: ObjectId, domain: String, now: Millis) -> Self {
        let scores = [
            account.rtp_account_score,
            account.rtp_advertising_activity_score,
            account.rtp_website_intent_score,
            account.rtp_g2_intent_score,
            account.rtp_bombora_intent_score,
        ];
        let vendor = Vendor {
            scores,
            journey_stage: account.rtp_journey_stage,
        };
        AccountRecord {
            id,
            created_at: account.created_at.unwrap_or(now),
            updated_at: account.updated_at.unwrap_or(now),
            domain: domain.into_boxed_str(),
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
        }
    }

    /// The public form.
    pub fn to_account(&self) -> Account {
        let text = |text: &Option<Box<str>>| text.as_deref().map(str::to_string);
        let mut account = Account::new(&self.domain, &self.name);
        account.rtp_aid = Some(self.id);
        account.external_id = text(&self.external_id);
        account.short_name = text(&self.short_name);
        account.linkedin_url = text(&self.linkedin_url);
        account.tags = self.tags.iter().map(|tag| tag.to_string()).collect();
        account.custom_fields = self
            .custom_fields
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_value()))
            .collect::<Map<String, Value>>();
        if let Some(vendor) = &self.vendor {
            let [account_score, advertising, website, g2, bombora] = vendor.scores.clone();
            account.rtp_account_score = account_score;
            account.rtp_advertising_activity_score = advertising;
            account.rtp_website_intent_score = website;
            account.rtp_g2_intent_score = g2;
            account.rtp_bombora_intent_score = bombora;
            account.rtp_journey_stage = vendor.journey_stage.clone();
        }
        account.created_at = Some(self.created_at);
        account.updated_at = Some(self.updated_at);
        account
    }

    /// Score `index` (see [`Vendor::scores`]), 0 when unset.
    pub fn score(&self, index: usize) -> &Number {
        self.vendor
            .as_ref()
            .map_or(&ZERO, |vendor| &vendor.scores[index])
    }

    /// The journey stage, `""` when unset.
    pub fn journey_stage(&self) -> &str {
        self.vendor
            .as_ref()
            .map_or("", |vendor| &vendor.journey_stage)
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

    /// Applies what a test set for the vendor's side.
    pub fn apply_scores(&mut self, update: &ScoreUpdate) {
        let vendor = self.vendor.get_or_insert_with(Box::default);
        let sent = [
            &update.rtp_account_score,
            &update.rtp_advertising_activity_score,
            &update.rtp_website_intent_score,
            &update.rtp_g2_intent_score,
            &update.rtp_bombora_intent_score,
        ];
        for (stored, sent) in vendor.scores.iter_mut().zip(sent) {
            if let Some(score) = sent {
                *stored = score.clone();
            }
        }
        if let Some(stage) = &update.rtp_journey_stage {
            vendor.journey_stage = stage.clone();
        }
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
        let mut account = Account::new("acme.com", "Acme")
            .external_id("crm-1")
            .custom_field("B_C", 2)
            .custom_field("A_C", "x")
            .score(78)
            .journey_stage("Aware");
        account.tags = vec!["t1".into(), "t2".into()];
        account.rtp_aid = Some(id);
        account.created_at = Some(1);
        account.updated_at = Some(2);
        let record = AccountRecord::from_account(account.clone(), id, "acme.com".into(), 9);
        assert_eq!(record.to_account(), account);
    }

    #[test]
    fn an_account_without_vendor_data_keeps_no_vendor_box() {
        let id: ObjectId = "69f32820bbbb1c259c3945cd".parse().unwrap();
        let record = AccountRecord::from_account(Account::new("a.com", "A"), id, "a.com".into(), 0);
        assert!(record.vendor.is_none());
        assert_eq!(record.score(0), &Number::from(0));
        assert_eq!(record.journey_stage(), "");
    }
}
