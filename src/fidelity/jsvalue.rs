//! JSON values as the vendor's JavaScript stack holds them after `JSON.parse`: an object keeps
//! its keys in the order first seen, and a repeated key keeps that first place and takes the
//! last value. Request bodies are read into this type, so that every rule that reports keys in
//! the order sent (unknown properties, unknown custom fields) sees that order, without turning
//! on serde_json's `preserve_order` for the whole build of a crate that depends on this one.
//! Numbers are the doubles JavaScript holds, and strings may hold lone surrogates (see
//! `crate::fidelity::jsjson`, which reads and writes this type as `JSON.parse` and `JSON.stringify` do).

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Number;

use crate::fidelity::jsjson::{js_number, js_number_of};

/// An object: keys in the order first sent.
pub type JsObject = IndexMap<String, JsValue>;

/// One JSON value, read as `JSON.parse` reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum JsValue {
    Null,
    Bool(bool),
    /// A finite number, as the double JavaScript holds (`crate::fidelity::jsjson::js_number`): `78.0`
    /// is the integer `78`.
    Number(Number),
    /// A number beyond the doubles (`1e400`), which `JSON.parse` reads as `Infinity` or
    /// `-Infinity`: not a number to `isNumber`, and written as `null`.
    Infinite(f64),
    String(String),
    Array(Vec<JsValue>),
    /// Boxed, so that a value is as small as a string: most stored values are scalars.
    Object(Box<JsObject>),
}

impl JsValue {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, JsValue::Null)
    }

    /// The text of a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            JsValue::String(text) => Some(text),
            _ => None,
        }
    }

    /// The entries of an object.
    pub fn as_object(&self) -> Option<&JsObject> {
        match self {
            JsValue::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The number, as JSON wrote it.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            JsValue::Number(number) => Some(number),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value`, for storage and the public API (whose objects
    /// need no order: a stored custom-field value is compared, not listed key by key).
    pub fn to_value(&self) -> serde_json::Value {
        match self {
            JsValue::Null => serde_json::Value::Null,
            JsValue::Bool(flag) => serde_json::Value::Bool(*flag),
            JsValue::Number(number) => serde_json::Value::Number(number.clone()),
            // What `JSON.stringify` writes for it.
            JsValue::Infinite(_) => serde_json::Value::Null,
            JsValue::String(text) => serde_json::Value::String(text.clone()),
            JsValue::Array(items) => items.iter().map(JsValue::to_value).collect(),
            JsValue::Object(object) => serde_json::Value::Object(
                object
                    .iter()
                    .map(|(key, value)| (key.clone(), value.to_value()))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Value> for JsValue {
    /// The value as JavaScript would hold it (numbers as doubles).
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => JsValue::Null,
            serde_json::Value::Bool(flag) => JsValue::Bool(flag),
            serde_json::Value::Number(number) => JsValue::Number(js_number_of(&number)),
            serde_json::Value::String(text) => JsValue::String(text),
            serde_json::Value::Array(items) => {
                JsValue::Array(items.into_iter().map(JsValue::from).collect())
            }
            serde_json::Value::Object(object) => JsValue::Object(Box::new(
                object
                    .into_iter()
                    .map(|(key, value)| (key, JsValue::from(value)))
                    .collect(),
            )),
        }
    }
}

impl<'de> Deserialize<'de> for JsValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsValueVisitor)
    }
}

struct JsValueVisitor;

impl<'de> Visitor<'de> for JsValueVisitor {
    type Value = JsValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<JsValue, E> {
        Ok(JsValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<JsValue, E> {
        Ok(JsValue::Null)
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<JsValue, E> {
        Ok(JsValue::Bool(flag))
    }

    // Every number as the double JavaScript holds: `78.0` is `78`, and an integer beyond
    // 2^53 is rounded as `JSON.parse` rounds it.
    fn visit_i64<E: de::Error>(self, number: i64) -> Result<JsValue, E> {
        Ok(JsValue::Number(js_number_of(&number.into())))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<JsValue, E> {
        Ok(JsValue::Number(js_number_of(&number.into())))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<JsValue, E> {
        Ok(js_number(number).map_or(JsValue::Infinite(number), JsValue::Number))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<JsValue, E> {
        Ok(JsValue::String(text.to_string()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<JsValue, E> {
        Ok(JsValue::String(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<JsValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(JsValue::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsValue, A::Error> {
        let mut object = JsObject::new();
        while let Some((key, value)) = map.next_entry::<String, JsValue>()? {
            // `IndexMap::insert` keeps a repeated key's first place and takes the new value,
            // which is what `JSON.parse` does.
            object.insert(key, value);
        }
        Ok(JsValue::Object(Box::new(object)))
    }
}

impl Serialize for JsValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JsValue::Null => serializer.serialize_unit(),
            JsValue::Bool(flag) => serializer.serialize_bool(*flag),
            JsValue::Number(number) => number.serialize(serializer),
            // serde_json writes a non-finite double as `null`, as `JSON.stringify` does.
            JsValue::Infinite(number) => serializer.serialize_f64(*number),
            JsValue::String(text) => serializer.serialize_str(text),
            JsValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            JsValue::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, value) in object.iter() {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> JsValue {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn objects_keep_the_order_sent() {
        let value = parse(r#"{"zeta":1,"alpha":{"b":2,"a":1},"mid":[{"y":0,"x":0}]}"#);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"{"zeta":1,"alpha":{"b":2,"a":1},"mid":[{"y":0,"x":0}]}"#
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_first_place_and_its_last_value() {
        // JSON.parse('{"a":1,"b":2,"a":3}') is {a: 3, b: 2}, in that order.
        let value = parse(r#"{"a":1,"b":2,"a":3}"#);
        assert_eq!(serde_json::to_string(&value).unwrap(), r#"{"a":3,"b":2}"#);
    }
}
