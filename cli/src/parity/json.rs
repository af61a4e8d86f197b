//! JSON that keeps object keys in the order they came, so that parity can compare the order of
//! an answer's keys and write recordings whose keys read as the server sent them.
//!
//! serde_json's own `Value` sorts keys unless its `preserve_order` feature is on, and turning
//! that on here would turn it on for the emulator compiled into this binary too.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A JSON value whose objects are lists of entries, in document order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Reads JSON text.
    pub fn parse(text: &[u8]) -> Result<Json, serde_json::Error> {
        serde_json::from_slice(text)
    }

    /// An object from its entries, in the order given.
    pub fn object<const N: usize>(entries: [(&str, Json); N]) -> Json {
        Json::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_string(), value))
                .collect(),
        )
    }

    pub fn string(text: impl Into<String>) -> Json {
        Json::String(text.into())
    }

    /// The value under `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(entries) => entries
                .iter()
                .find(|(name, _)| name == key)
                .map(|(_, value)| value),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// The value a JSON pointer (RFC 6901: `/data/results/0/rtp_aid`) names; `""` is the whole.
    pub fn pointer(&self, pointer: &str) -> Option<&Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut current = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            current = match current {
                Json::Object(_) => current.get(&token)?,
                Json::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// The value a JSON pointer names, to change in place.
    pub fn pointer_mut(&mut self, pointer: &str) -> Option<&mut Json> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut current = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            current = match current {
                Json::Object(entries) => entries
                    .iter_mut()
                    .find(|(name, _)| *name == token)
                    .map(|(_, value)| value)?,
                Json::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(current)
    }

    /// Whether some string in this value (an object's keys included) satisfies `test`.
    pub fn any_string(&self, test: &dyn Fn(&str) -> bool) -> bool {
        match self {
            Json::String(text) => test(text),
            Json::Array(items) => items.iter().any(|item| item.any_string(test)),
            Json::Object(entries) => entries
                .iter()
                .any(|(key, value)| test(key) || value.any_string(test)),
            _ => false,
        }
    }

    /// On one line, as sent over the wire.
    pub fn compact(&self) -> String {
        serde_json::to_string(self).expect("JSON always serialises")
    }

    /// Indented by two spaces, one entry a line (the recordings' form).
    pub fn pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("JSON always serialises")
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(value) => serializer.serialize_bool(*value),
            Json::Number(number) => number.serialize(serializer),
            Json::String(text) => serializer.serialize_str(text),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        // JSON text cannot hold NaN or an infinity, so this is always a number.
        Ok(serde_json::Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_string()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Json>()? {
            entries.push((key, value));
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_the_order_they_came_in() {
        let json = Json::parse(br#"{"z":1,"a":{"y":[true,null],"b":"x"}}"#).unwrap();
        assert_eq!(json.compact(), r#"{"z":1,"a":{"y":[true,null],"b":"x"}}"#);
    }

    #[test]
    fn a_pointer_walks_objects_and_arrays() {
        let json = Json::parse(br#"{"data":{"results":[{"rtp_aid":"abc"}],"a/b":2}}"#).unwrap();
        assert_eq!(
            json.pointer("/data/results/0/rtp_aid"),
            Some(&Json::string("abc"))
        );
        assert_eq!(
            json.pointer("/data/a~1b").map(Json::compact),
            Some("2".into())
        );
        assert_eq!(json.pointer("/data/results/1"), None);
        assert_eq!(json.pointer(""), Some(&json));
    }
}
