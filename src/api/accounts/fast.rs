//! The fast path of `POST /accounts`: a typed, borrowing parse for well-formed bodies, which
//! declines anything unusual so that the validator (and its exact messages) handles it.

use std::borrow::Cow;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::MAX_BATCH;
use crate::jsvalue::JsValue;
use crate::store::{AccountInput, CreateAccounts};

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
/// escape, a number beyond the doubles) makes `from_str` fail, so such a body is declined
/// too and read by the slow path's `crate::jsjson::parse`. Numbers read here go through
/// `JsValue`'s visitor, which holds them as JavaScript's doubles, as the slow path does.
pub(super) fn parse_create_fast(body: &[u8]) -> Option<CreateAccounts<'_>> {
    // One UTF-8 check of the whole body, then a `&str` reader, is ~30% faster here than
    // `from_slice`, which checks every string again (measured: 42 against 58 µs for 22 KB;
    // sonic-rs 50-56, simd-json 48-50). Invalid UTF-8 is declined either way.
    let text = std::str::from_utf8(body).ok()?;
    let strict: StrictCreate = serde_json::from_str(text).ok()?;
    let size_ok = (1..=MAX_BATCH).contains(&strict.accounts.len());
    let items_ok = strict.accounts.iter().all(|item| {
        let keys_once = item.custom_fields.as_ref().is_none_or(|fields| {
            let keys = &fields.0;
            (1..keys.len()).all(|i| keys[..i].iter().all(|(seen, _)| seen.0 != keys[i].0 .0))
        });
        let blank = |text: &str| crate::js::trim(text).is_empty();
        !blank(&item.domain.0) && !blank(&item.name.0) && keys_once
    });
    if !size_ok || !items_ok {
        return None;
    }
    let accounts = strict
        .accounts
        .into_iter()
        .map(|item| AccountInput {
            domain: item.domain.0,
            name: item.name.0,
            external_id: item.external_id.map(|text| text.0),
            short_name: item.short_name.map(|text| text.0),
            linkedin_url: item.linkedin_url.map(|text| text.0),
            tags: item
                .tags
                .map(|tags| tags.into_iter().map(|text| text.0).collect()),
            custom_fields: item.custom_fields.map(|fields| {
                fields
                    .0
                    .into_iter()
                    .map(|(key, value)| (key.0, value))
                    .collect()
            }),
        })
        .collect();
    Some(CreateAccounts {
        accounts,
        segment_id: strict.segment_id.map(|text| text.0.into_owned()),
        upsert: strict.upsert.unwrap_or(false),
    })
}

/// A `POST /accounts` body exactly as the API wants it (`null` reads as absent).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrictCreate<'a> {
    #[serde(borrow)]
    accounts: Vec<StrictAccount<'a>>,
    #[serde(default, borrow)]
    segment_id: Option<Text<'a>>,
    #[serde(default)]
    upsert: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrictAccount<'a> {
    #[serde(borrow)]
    domain: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(default, borrow)]
    external_id: Option<Text<'a>>,
    #[serde(default, borrow)]
    short_name: Option<Text<'a>>,
    #[serde(default, borrow)]
    linkedin_url: Option<Text<'a>>,
    #[serde(default, borrow)]
    tags: Option<Vec<Text<'a>>>,
    #[serde(default, borrow)]
    custom_fields: Option<FieldsIn<'a>>,
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

/// `customFields` as sent: keys in order (borrowed), values as JSON.
struct FieldsIn<'a>(Vec<(Text<'a>, JsValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for FieldsIn<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = FieldsIn<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<FieldsIn<'de>, M::Error> {
                let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(4));
                while let Some(entry) = map.next_entry::<Text<'de>, JsValue>()? {
                    fields.push(entry);
                }
                Ok(FieldsIn(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}
