//! The fast path of `POST /accounts`: a typed, borrowing parse for well-formed bodies, which
//! declines anything unusual so that the validator (and its exact messages) handles it.

use std::borrow::Cow;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::MAX_BATCH;
use crate::jsvalue::JsValue;
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
/// too and read by the slow path's `crate::jsjson::parse`. Numbers read here go through
/// `JsValue`'s visitor, which holds them as JavaScript's doubles, as the slow path does.
/// An account written as an array of its fields, which serde's derived readers would take,
/// is declined too.
pub(super) fn parse_create_fast(body: &[u8]) -> Option<CreateAccounts<'_>> {
    // One UTF-8 check of the whole body, then a `&str` reader, is ~30% faster here than
    // `from_slice`, which checks every string again (measured: 42 against 58 µs for 22 KB;
    // sonic-rs 50-56, simd-json 48-50). Invalid UTF-8 is declined either way.
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
    let blank = |text: &str| crate::js::trim(text).is_empty();
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

/// Reads the next account of the batch onto the end of a vector, so that the item (~300
/// bytes) is moved once, not through `Option` and a wrapper first (moving items was ~5% of a
/// 100-account request). Fails on an item the fast path declines, or on a 101st: the slow
/// path reports those, so reading on is wasted.
struct Push<'v, 'a>(&'v mut Vec<AccountInput<'a>>);

impl<'de: 'a, 'a> DeserializeSeed<'de> for Push<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let account = StrictAccount::deserialize(ObjectOnly(deserializer))?;
        if self.0.len() == MAX_BATCH || !takes(&account) {
            return Err(de::Error::custom("declined by the fast path"));
        }
        self.0.push(account);
        Ok(())
    }
}

/// A deserializer that reads anything as a JSON object. serde's derived struct readers also
/// take an array of the fields in order (`["a.com","A"]`), which the API refuses: through this
/// an array fails, and the body goes to the slow path, which reports it.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

/// One account exactly as the API wants it, read straight into the store's [`AccountInput`]
/// (serde's remote derive writes a reader for a type defined elsewhere), so that no second
/// pass moves every item into another type. Text borrows from the body unless it holds
/// escapes (`borrow` on a `Cow<str>`).
#[derive(Deserialize)]
#[serde(remote = "AccountInput", rename_all = "camelCase", deny_unknown_fields)]
struct StrictAccount<'a> {
    #[serde(borrow)]
    domain: Cow<'a, str>,
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(default, borrow, deserialize_with = "optional_text")]
    external_id: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "optional_text")]
    short_name: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "optional_text")]
    linkedin_url: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "optional_tags")]
    tags: Option<InputTags<'a>>,
    #[serde(default, borrow, deserialize_with = "optional_fields")]
    custom_fields: Option<InputFields<'a>>,
}

fn optional_text<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Cow<'a, str>>, D::Error> {
    Ok(Option::<Text<'a>>::deserialize(deserializer)?.map(|text| text.0))
}

fn optional_tags<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<InputTags<'a>>, D::Error> {
    Ok(Option::<TagsIn<'a>>::deserialize(deserializer)?.map(|tags| tags.0))
}

fn optional_fields<'de: 'a, 'a, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<InputFields<'a>>, D::Error> {
    Ok(Option::<FieldsIn<'a>>::deserialize(deserializer)?.map(|fields| fields.0))
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

/// `tags` as sent, held inline (see [`InputTags`]).
struct TagsIn<'a>(InputTags<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for TagsIn<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagsVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for TagsVisitor<'a> {
            type Value = TagsIn<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<TagsIn<'a>, S::Error> {
                let mut tags = InputTags::new();
                while let Some(Text(tag)) = seq.next_element()? {
                    tags.push(tag);
                }
                Ok(TagsIn(tags))
            }
        }
        deserializer.deserialize_seq(TagsVisitor(PhantomData))
    }
}

/// `customFields` as sent: keys in order (borrowed), values as JSON, held inline (see
/// [`InputFields`]).
struct FieldsIn<'a>(InputFields<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for FieldsIn<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for FieldsVisitor<'a> {
            type Value = FieldsIn<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<FieldsIn<'a>, M::Error> {
                let mut fields = InputFields::new();
                while let Some((Text(key), value)) = map.next_entry::<Text<'de>, JsValue>()? {
                    fields.push((key, value));
                }
                Ok(FieldsIn(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor(PhantomData))
    }
}
