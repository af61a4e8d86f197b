//! Generated values made comparable: a scenario's exchanges on one side turned into what is
//! recorded and compared, with the namespace, ids, times, the key and the base URL replaced by
//! placeholders, and what other runs left on a long-lived target left out.
//!
//! Ids are numbered in order of first appearance within the scenario, so the same id is the
//! same placeholder on each side (the `rtp_aid` a create answered and the one a PUT names).
//! Times are replaced by their format alone: two servers never answer at the same instant, but
//! a time written with or without milliseconds is a difference.

use super::client::{Answer, Exchange};
use super::json::Json;
use super::record::{Outcome, Payload, Recorded, Request};
use super::scenarios::Scenario;

/// Replaces one side's generated values with placeholders, consistently over a scenario.
pub struct Normalizer {
    namespace: String,
    namespace_upper: String,
    /// Text that must never be written (the key) or that differs between sides for no reason
    /// of the API's (the base URL), with what stands for it.
    replaced: Vec<(String, &'static str)>,
    ids: Vec<String>,
}

impl Normalizer {
    pub fn new(namespace: &str, key: &str, base: &str) -> Normalizer {
        let mut replaced = vec![(base.to_string(), "<base url>")];
        if !key.is_empty() {
            replaced.push((key.to_string(), "<api key>"));
        }
        Normalizer {
            namespace: namespace.to_string(),
            namespace_upper: namespace.to_uppercase(),
            replaced,
            ids: Vec::new(),
        }
    }

    pub fn text(&mut self, text: &str) -> String {
        let mut text = text.to_string();
        for (value, placeholder) in &self.replaced {
            text = text.replace(value.as_str(), placeholder);
        }
        let text = text
            .replace(&self.namespace, "{run}")
            .replace(&self.namespace_upper, "{RUN}");
        let text = timestamps(&text);
        self.ids(&text)
    }

    pub fn json(&mut self, json: &Json) -> Json {
        match json {
            Json::String(text) => Json::String(self.text(text)),
            Json::Array(items) => Json::Array(items.iter().map(|item| self.json(item)).collect()),
            Json::Object(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(key, value)| (self.text(key), self.json(value)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// Every run of exactly 24 hex digits as `<id N>`.
    fn ids(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut run_start = None;
        for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
            if c.is_ascii_hexdigit() {
                run_start.get_or_insert(at);
                continue;
            }
            if let Some(start) = run_start.take() {
                let run = &text[start..at];
                if run.len() == 24 {
                    out.push_str(&self.id_placeholder(run));
                } else {
                    out.push_str(run);
                }
            }
            if at < text.len() {
                out.push(c);
            }
        }
        out
    }

    fn id_placeholder(&mut self, id: &str) -> String {
        let id = id.to_ascii_lowercase();
        let number = match self.ids.iter().position(|seen| *seen == id) {
            Some(index) => index + 1,
            None => {
                self.ids.push(id);
                self.ids.len()
            }
        };
        format!("<id {number}>")
    }
}

/// Every ISO 8601 date-time in `text` (`2026-06-04T17:40:21.000Z`) as its format
/// (`<timestamp YYYY-MM-DDTHH:MM:SS.fffZ>`).
fn timestamps(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let after_digit = at > 0 && bytes[at - 1].is_ascii_digit();
        match (!after_digit).then(|| timestamp_at(&bytes[at..])).flatten() {
            Some((length, format)) => {
                out.push_str(&text[copied..at]);
                out.push_str(&format!("<timestamp {format}>"));
                at += length;
                copied = at;
            }
            None => at += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The length and format of the date-time `bytes` start with, if they do.
fn timestamp_at(bytes: &[u8]) -> Option<(usize, String)> {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    if bytes.len() < SHAPE.len() {
        return None;
    }
    let fits = SHAPE.iter().zip(bytes).all(|(shape, byte)| match shape {
        b'd' => byte.is_ascii_digit(),
        other => other == byte,
    });
    if !fits {
        return None;
    }
    let mut length = SHAPE.len();
    let mut format = String::from("YYYY-MM-DDTHH:MM:SS");
    if bytes.get(length) == Some(&b'.') {
        let digits = bytes[length + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits > 0 {
            format.push('.');
            format.extend(std::iter::repeat_n('f', digits));
            length += 1 + digits;
        }
    }
    match bytes.get(length) {
        Some(b'Z') => {
            format.push('Z');
            length += 1;
        }
        Some(sign @ (b'+' | b'-'))
            if bytes.len() >= length + 6
                && bytes[length + 1..length + 3].iter().all(u8::is_ascii_digit)
                && bytes[length + 3] == b':'
                && bytes[length + 4..length + 6].iter().all(u8::is_ascii_digit) =>
        {
            format.push(char::from(*sign));
            format.push_str("HH:MM");
            length += 6;
        }
        _ => {}
    }
    Some((length, format))
}

/// The scenario's exchanges on one side, normalised. `sandbox` names the profile the
/// recording is of (for each step's source).
pub fn scenario(
    scenario: &Scenario,
    exchanges: &[Exchange],
    mut normalizer: Normalizer,
    sandbox: bool,
) -> Vec<Recorded> {
    scenario
        .steps
        .iter()
        .zip(exchanges)
        .map(|(step, exchange)| {
            let request = Request {
                method: exchange.sent.method.to_string(),
                path: normalizer.text(&exchange.sent.path),
                key: exchange.sent.key,
                body: exchange
                    .sent
                    .body
                    .as_deref()
                    .map(|body| payload(&mut normalizer, body.as_bytes(), |_| {})),
            };
            let (outcome, is_error) = match &exchange.answer {
                Answer::Response {
                    status,
                    content_type,
                    body,
                } => {
                    let namespace = normalizer.namespace.clone();
                    let namespace_upper = normalizer.namespace_upper.clone();
                    let body = (!body.is_empty()).then(|| {
                        payload(&mut normalizer, body, |json| {
                            drop_other_runs_custom_fields(json, &namespace_upper);
                            if let Some(array) = step.this_run_only {
                                keep_items_of_this_run(json, array, &namespace);
                            }
                        })
                    });
                    let outcome = Outcome::Response {
                        status: *status,
                        content_type: content_type.clone(),
                        body,
                    };
                    (outcome, *status >= 400)
                }
                Answer::Unanswered(error) => (Outcome::NoAnswer(normalizer.text(error)), false),
                Answer::NotSent(reason) => (Outcome::NotSent(normalizer.text(reason)), false),
            };
            Recorded {
                step: step.name.to_string(),
                source: step.source_tag(sandbox, is_error),
                request,
                outcome,
            }
        })
        .collect()
}

/// A body as JSON (after `scope` has left out what is not this run's) or as text.
fn payload(normalizer: &mut Normalizer, body: &[u8], scope: impl FnOnce(&mut Json)) -> Payload {
    match Json::parse(body) {
        Ok(mut json) => {
            scope(&mut json);
            Payload::Json(normalizer.json(&json))
        }
        Err(_) => Payload::Text(normalizer.text(&String::from_utf8_lossy(body))),
    }
}

/// In every `customFields` object, only the keys of this run's fields: a long-lived team
/// lists every active field in every row, those of earlier runs included.
fn drop_other_runs_custom_fields(json: &mut Json, namespace_upper: &str) {
    match json {
        Json::Array(items) => items
            .iter_mut()
            .for_each(|item| drop_other_runs_custom_fields(item, namespace_upper)),
        Json::Object(entries) => {
            for (key, value) in entries {
                match value {
                    Json::Object(fields) if key == "customFields" => {
                        fields.retain(|(name, _)| name.to_uppercase().contains(namespace_upper))
                    }
                    other => drop_other_runs_custom_fields(other, namespace_upper),
                }
            }
        }
        _ => {}
    }
}

/// Of the array at `pointer`, only the items that mention this run's namespace.
fn keep_items_of_this_run(json: &mut Json, pointer: &str, namespace: &str) {
    if let Some(Json::Array(items)) = json.pointer_mut(pointer) {
        items.retain(|item| item.any_string(&|text| text.to_lowercase().contains(namespace)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_number_in_order_of_first_appearance_and_times_keep_their_format() {
        let mut normalizer = Normalizer::new("pr1x07", "secret-key", "http://127.0.0.1:9/api/v1");
        let id_a = "663a1f0c2b5e4d0001000001";
        let id_b = "663A1F0C2B5E4D0001000002";
        let text = format!(
            "{id_b} {id_a} {} pr1x07-acme.com TIER_PR1X07_C 2026-06-04T17:40:21.000Z \
             2026-06-04T17:40:21Z 2026-06-04 secret-key http://127.0.0.1:9/api/v1/x",
            id_b.to_lowercase()
        );
        assert_eq!(
            normalizer.text(&text),
            "<id 1> <id 2> <id 1> {run}-acme.com TIER_{RUN}_C \
             <timestamp YYYY-MM-DDTHH:MM:SS.fffZ> <timestamp YYYY-MM-DDTHH:MM:SSZ> 2026-06-04 \
             <api key> <base url>/x"
        );
        assert_eq!(
            normalizer.text("0123456789abcdef01234567aa"),
            "0123456789abcdef01234567aa"
        );
    }

    #[test]
    fn other_runs_items_and_custom_fields_are_left_out() {
        let mut json = Json::parse(
            br#"{"data":[{"domain":"ns1-a.com","customFields":{"X_NS1_C":1,"OLD_C":2}},{"domain":"old.com"}]}"#,
        )
        .unwrap();
        drop_other_runs_custom_fields(&mut json, "NS1");
        keep_items_of_this_run(&mut json, "/data", "ns1");
        assert_eq!(
            json.compact(),
            r#"{"data":[{"domain":"ns1-a.com","customFields":{"X_NS1_C":1}}]}"#
        );
    }
}
