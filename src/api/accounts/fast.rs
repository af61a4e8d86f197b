//! The fast path of `POST /accounts`: a typed, borrowing parse for well-formed bodies, which
//! declines anything unusual so that the validator (and its exact messages) handles it.

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{ACCOUNT_FIELDS, MAX_BATCH};
use crate::fidelity::jsvalue::JsValue;
use crate::store::{AccountInput, CreateAccounts, InputFields, InputTags};

/// The fast path for the common case, a well-formed body: parse straight into typed structs
/// (no JSON tree) and run the few checks that typing leaves open. Anything unusual (a wrong
/// type, an unknown or repeated property, a blank domain or name, a batch size out of range)
/// returns `None`, and the request takes the tree-walking path, which reports the exact
/// violations. So only the slow one ever writes an error. A blank (empty once trimmed as
/// `String.prototype.trim` trims) domain or name passes `isNotEmpty` unless it is `''`, so
/// the slow path accepts it, and the store fails a blank domain per item: declining it here
/// costs a little speed on a rare body and keeps the fast path's checks simple.
///
/// What serde_json cannot read as `JSON.parse` does (a byte-order mark, a lone surrogate
/// escape, a number beyond the doubles) makes serde_json's reader fail, so such a body is declined
/// too and read by the slow path's `crate::fidelity::jsjson::parse`. Numbers read here go through
/// `JsValue`'s visitor, which holds them as JavaScript's doubles, as the slow path does.
/// An account written as an array of its fields, which serde's derived readers would take,
/// is declined too.
pub(super) fn parse_create_fast(body: &[u8]) -> Option<CreateAccounts<'_>> {
    // One UTF-8 check of the whole body, then a `&str` reader: `from_slice` checks every
    // string again. Invalid UTF-8 is declined either way.
    let text = std::str::from_utf8(body).ok()?;
    // Room for as many items as the body could hold (the smallest the fast path takes,
    // `{"domain":".","name":"A"}`, is 25 bytes), at most a full batch: growing the vector
    // from empty moved a 100-item batch through six reallocations, and a full batch's room
    // for every body cost a one-account request 31 KB. Only a hint: the vector still grows.
    let room = (text.len() / 25 + 1).min(MAX_BATCH);
    let mut reader = serde_json::Deserializer::from_str(text);
    let request = reader.deserialize_map(CreateVisitor { room }).ok()?;
    reader.end().ok()?;
    (!request.accounts.is_empty()).then_some(request)
}

/// Reads a `POST /accounts` body exactly as the API wants it: `accounts`, and optionally
/// `segmentId` and `upsert` (`null` reads as absent), each once, nothing else. Written by hand
/// rather than derived so that the accounts' vector can be sized for the body.
struct CreateVisitor {
    room: usize,
}

impl<'de> Visitor<'de> for CreateVisitor {
    type Value = CreateAccounts<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object with accounts, segmentId and upsert only")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<CreateAccounts<'de>, M::Error> {
        let mut accounts = None;
        let mut segment_id: Option<Option<String>> = None;
        let mut upsert: Option<Option<bool>> = None;
        while let Some(Text(key)) = map.next_key()? {
            let repeated = match key.as_ref() {
                "accounts" => accounts
                    .replace(map.next_value_seed(AccountsSeed { room: self.room })?)
                    .is_some(),
                "segmentId" => segment_id.replace(map.next_value()?).is_some(),
                "upsert" => upsert.replace(map.next_value()?).is_some(),
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            };
            if repeated {
                // The last one wins in `JSON.parse`; the slow path reads it so.
                return Err(de::Error::custom("a repeated property"));
            }
        }
        Ok(CreateAccounts {
            accounts: accounts.ok_or_else(|| de::Error::missing_field("accounts"))?,
            segment_id: segment_id.flatten(),
            upsert: upsert.flatten().unwrap_or(false),
        })
    }
}

const FIELDS: &[&str] = &["accounts", "segmentId", "upsert"];

/// `accounts` as sent, each item read straight into the store's input and checked as it is
/// read; an item the fast path declines, or a 101st, ends the reading.
struct AccountsSeed {
    room: usize,
}

impl<'de> DeserializeSeed<'de> for AccountsSeed {
    type Value = Vec<AccountInput<'de>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for AccountsSeed {
    type Value = Vec<AccountInput<'de>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of at most 100 accounts the fast path takes")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut accounts = Vec::with_capacity(self.room);
        while seq.next_element_seed(Push(&mut accounts))?.is_some() {}
        Ok(accounts)
    }
}

/// The checks typing leaves open: a domain and a name that are not blank, and custom-field
/// keys sent once each.
fn takes(account: &AccountInput) -> bool {
    let blank = crate::fidelity::js::is_blank;
    let keys_once = account.custom_fields.as_ref().is_none_or(|fields| {
        if fields.len() <= 16 {
            (1..fields.len()).all(|i| fields[..i].iter().all(|(seen, _)| *seen != fields[i].0))
        } else {
            // A body may carry tens of thousands of keys: pairwise would be quadratic.
            let mut seen = std::collections::HashSet::with_capacity(fields.len());
            fields.iter().all(|(key, _)| seen.insert(key.as_ref()))
        }
    });
    !blank(&account.domain) && !blank(&account.name) && keys_once
}

/// Reads the next account of the batch in place, into a blank item pushed onto the vector, so
/// that the item (~320 bytes) is never moved while it is read. serde's derived reader moves
/// each item three times: out of the reader, through an `Option`, and into the vector. Fails on an item the fast path declines, or on a 101st: the slow path
/// reports those, so reading on is wasted. A declined item is left half read, and the whole
/// parse is dropped with it.
struct Push<'v, 'a>(&'v mut Vec<AccountInput<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Push<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        if self.0.len() == MAX_BATCH {
            return Err(de::Error::custom("a 101st account"));
        }
        self.0.push(AccountInput::default());
        let account = self.0.last_mut().expect("pushed just now");
        // Only an object: an array of the fields in order (`["a.com","A"]`), which serde's
        // derived readers would take and the API refuses, fails here, and the body goes to
        // the slow path, which reports it.
        deserializer.deserialize_map(AccountVisitor(account))?;
        match takes(account) {
            true => Ok(()),
            false => Err(de::Error::custom("declined by the fast path")),
        }
    }
}

/// One account exactly as the API wants it, written into the item: `domain` and `name`
/// strings, the other text properties strings or `null` (absent), `tags` an array of strings
/// or `null`, `customFields` an object or `null`; each at most once, nothing else. Text
/// borrows from the body unless it holds escapes.
struct AccountVisitor<'s, 'a>(&'s mut AccountInput<'a>);

impl<'de: 'a, 'a> Visitor<'de> for AccountVisitor<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an account object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let account = self.0;
        let mut seen = 0u8;
        let text = |text: Option<Text<'a>>| text.map(|text| text.0);
        while let Some(Text(key)) = map.next_key()? {
            let index = match key.as_ref() {
                "domain" => 0,
                "name" => 1,
                "externalId" => 2,
                "shortName" => 3,
                "linkedinUrl" => 4,
                "tags" => 5,
                "customFields" => 6,
                other => return Err(de::Error::unknown_field(other, ACCOUNT_FIELDS)),
            };
            if seen & (1 << index) != 0 {
                // The last one wins in `JSON.parse`; the slow path reads it so.
                return Err(de::Error::duplicate_field(ACCOUNT_FIELDS[index]));
            }
            seen |= 1 << index;
            match index {
                0 => account.domain = map.next_value::<Text>()?.0,
                1 => account.name = map.next_value::<Text>()?.0,
                2 => account.external_id = text(map.next_value()?),
                3 => account.short_name = text(map.next_value()?),
                4 => account.linkedin_url = text(map.next_value()?),
                5 => map.next_value_seed(NullAsAbsent(TagsInto(&mut account.tags)))?,
                _ => map.next_value_seed(NullAsAbsent(FieldsInto(&mut account.custom_fields)))?,
            }
        }
        // A missing `domain` or `name` stays blank, which `takes` declines.
        Ok(())
    }
}

/// Reads `null` as absent, leaving the item's slot `None`, and anything else with the inner
/// seed.
struct NullAsAbsent<S>(S);

impl<'de, S: DeserializeSeed<'de, Value = ()>> DeserializeSeed<'de> for NullAsAbsent<S> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de, Value = ()>> Visitor<'de> for NullAsAbsent<S> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.0.deserialize(deserializer)
    }
}

/// A JSON string, borrowed from the body unless it holds escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(text)))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text.to_string())))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(text)))
            }
        }
        deserializer.deserialize_str(TextVisitor)
    }
}

/// `tags` as sent, written into the item's slot and held inline (see [`InputTags`]).
struct TagsInto<'s, 'a>(&'s mut Option<InputTags<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for TagsInto<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for TagsInto<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of strings")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let tags = self.0.insert(InputTags::new());
        while let Some(Text(tag)) = seq.next_element()? {
            tags.push(tag);
        }
        Ok(())
    }
}

/// `customFields` as sent, written into the item's slot: keys in order (borrowed), values as
/// JSON, held inline (see [`InputFields`]).
struct FieldsInto<'s, 'a>(&'s mut Option<InputFields<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for FieldsInto<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de: 'a, 'a> Visitor<'de> for FieldsInto<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<(), M::Error> {
        let fields = self.0.insert(InputFields::new());
        while let Some((Text(key), value)) = map.next_entry::<Text<'de>, JsValue>()? {
            fields.push((key, value));
        }
        Ok(())
    }
}
