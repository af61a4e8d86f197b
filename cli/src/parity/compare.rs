//! Two normalised runs of a scenario compared step by step: the request, the status, the
//! Content-Type and the body down to every key, value, array item and the order of keys; each
//! mismatch one difference (scenario, step, JSON path, emulator, target).

use super::json::Json;
use super::record::{Outcome, Payload, Recorded};

/// One place where the emulator and the target answered differently.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    pub scenario: String,
    pub step: String,
    /// `status`, `content-type`, `request`, `answer`, or a JSON pointer into the body (`/` for
    /// the whole body).
    pub path: String,
    pub emulator: String,
    pub target: String,
}

/// What stands in a cell for a value one side does not have.
pub const ABSENT: &str = "(absent)";

/// How long a value may be in the table before it is cut (the recordings keep all of it).
const MAX_SHOWN: usize = 80;

/// The differences between the emulator's and the target's runs of `scenario`, in step order.
pub fn scenario(scenario: &str, emulator: &[Recorded], target: &[Recorded]) -> Vec<Difference> {
    let mut found = Vec::new();
    for ours in emulator {
        let mut differ = |path: String, emulator: String, target: String| {
            found.push(Difference {
                scenario: scenario.to_string(),
                step: ours.step.clone(),
                path,
                emulator,
                target,
            })
        };
        match target.iter().find(|theirs| theirs.step == ours.step) {
            Some(theirs) => step(ours, theirs, &mut differ),
            None => differ(
                "answer".into(),
                show_outcome(&ours.outcome),
                "(no such step)".into(),
            ),
        }
    }
    for theirs in target {
        if !emulator.iter().any(|ours| ours.step == theirs.step) {
            found.push(Difference {
                scenario: scenario.to_string(),
                step: theirs.step.clone(),
                path: "answer".into(),
                emulator: "(no such step)".into(),
                target: show_outcome(&theirs.outcome),
            });
        }
    }
    found
}

fn step(ours: &Recorded, theirs: &Recorded, differ: &mut dyn FnMut(String, String, String)) {
    if ours.request != theirs.request {
        let show = |recorded: &Recorded| {
            let request = &recorded.request;
            let body = request.body.as_ref().map(show_payload).unwrap_or_default();
            cut(&format!("{} {} {body}", request.method, request.path))
        };
        differ("request".into(), show(ours), show(theirs));
    }
    match (&ours.outcome, &theirs.outcome) {
        (
            Outcome::Response {
                status: our_status,
                content_type: our_type,
                body: our_body,
            },
            Outcome::Response {
                status: their_status,
                content_type: their_type,
                body: their_body,
            },
        ) => {
            if our_status != their_status {
                differ(
                    "status".into(),
                    our_status.to_string(),
                    their_status.to_string(),
                );
            }
            if our_type != their_type {
                let show = |value: &Option<String>| value.clone().unwrap_or_else(|| ABSENT.into());
                differ("content-type".into(), show(our_type), show(their_type));
            }
            match (our_body, their_body) {
                (Some(Payload::Json(ours)), Some(Payload::Json(theirs))) => {
                    json("", ours, theirs, differ)
                }
                (ours, theirs) if ours != theirs => {
                    let show =
                        |body: &Option<Payload>| body.as_ref().map_or(ABSENT.into(), show_payload);
                    differ("/".into(), show(ours), show(theirs));
                }
                _ => {}
            }
        }
        (ours, theirs) if ours != theirs => {
            differ("answer".into(), show_outcome(ours), show_outcome(theirs))
        }
        _ => {}
    }
}

/// Every difference between two JSON values under `path` (a JSON pointer).
fn json(path: &str, ours: &Json, theirs: &Json, differ: &mut dyn FnMut(String, String, String)) {
    let here = || {
        if path.is_empty() {
            "/".to_string()
        } else {
            path.to_string()
        }
    };
    match (ours, theirs) {
        (Json::Object(our_entries), Json::Object(their_entries)) => {
            for (key, value) in our_entries {
                let below = format!("{path}/{}", escape(key));
                match theirs.get(key) {
                    Some(their_value) => json(&below, value, their_value, differ),
                    None => differ(below, show(value), ABSENT.into()),
                }
            }
            for (key, value) in their_entries {
                if ours.get(key).is_none() {
                    differ(
                        format!("{path}/{}", escape(key)),
                        ABSENT.into(),
                        show(value),
                    );
                }
            }
            let shared = |entries: &[(String, Json)], other: &Json| -> Vec<String> {
                entries
                    .iter()
                    .filter(|(key, _)| other.get(key).is_some())
                    .map(|(key, _)| key.clone())
                    .collect()
            };
            let (our_order, their_order) =
                (shared(our_entries, theirs), shared(their_entries, ours));
            if our_order != their_order {
                let show = |keys: Vec<String>| cut(&format!("keys in order: {}", keys.join(", ")));
                differ(here(), show(our_order), show(their_order));
            }
        }
        (Json::Array(our_items), Json::Array(their_items)) => {
            for index in 0..our_items.len().max(their_items.len()) {
                let below = format!("{path}/{index}");
                match (our_items.get(index), their_items.get(index)) {
                    (Some(ours), Some(theirs)) => json(&below, ours, theirs, differ),
                    (Some(ours), None) => differ(below, show(ours), ABSENT.into()),
                    (None, Some(theirs)) => differ(below, ABSENT.into(), show(theirs)),
                    (None, None) => {}
                }
            }
        }
        (ours, theirs) if ours != theirs => differ(here(), show(ours), show(theirs)),
        _ => {}
    }
}

/// A key as a JSON pointer token (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn show(json: &Json) -> String {
    cut(&json.compact())
}

fn show_payload(payload: &Payload) -> String {
    match payload {
        Payload::Json(json) => show(json),
        Payload::Text(text) => cut(&format!("(text) {text}")),
    }
}

fn show_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Response { status, body, .. } => {
            let body = body.as_ref().map(show_payload).unwrap_or_default();
            cut(&format!("{status} {body}"))
        }
        Outcome::NoAnswer(error) => cut(&format!("no answer: {error}")),
        Outcome::NotSent(reason) => cut(&format!("not sent: {reason}")),
    }
}

/// `text` on one line, at most `MAX_SHOWN` characters.
fn cut(text: &str) -> String {
    let text = text.trim().replace(['\n', '\r'], " ");
    match text.char_indices().nth(MAX_SHOWN) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn differences(ours: &str, theirs: &str) -> Vec<(String, String, String)> {
        let mut found = Vec::new();
        let (ours, theirs) = (
            Json::parse(ours.as_bytes()).unwrap(),
            Json::parse(theirs.as_bytes()).unwrap(),
        );
        json(
            "",
            &ours,
            &theirs,
            &mut |path: String, ours: String, theirs: String| found.push((path, ours, theirs)),
        );
        found
    }

    #[test]
    fn missing_keys_values_items_and_key_order_each_differ_once() {
        let found = differences(
            r#"{"statusCode":400,"message":"Bad Request","data":null,"list":[1,2]}"#,
            r#"{"message":"Bad Request","statusCode":404,"list":[1]}"#,
        );
        let found: Vec<String> = found
            .iter()
            .map(|(p, o, t)| format!("{p} | {o} | {t}"))
            .collect();
        assert_eq!(
            found,
            [
                "/statusCode | 400 | 404",
                "/data | null | (absent)",
                "/list/1 | 2 | (absent)",
                "/ | keys in order: statusCode, message, list | keys in order: message, statusCode, list",
            ]
        );
    }

    #[test]
    fn a_value_of_another_type_is_one_difference() {
        let found = differences(r#"{"data":[{"a":1}]}"#, r#"{"data":{"message":"ok"}}"#);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "/data");
    }
}
