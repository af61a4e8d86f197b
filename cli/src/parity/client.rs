//! One side of a parity run (the target, or the in-process emulator) over HTTP: a scenario's
//! steps filled in and sent in order, and the probe that tells whether a target is the API.

use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::header::CONTENT_TYPE;
use reqwest::redirect::Policy;

use super::json::Json;
use super::scenarios::{KeyUse, Scenario};

/// The largest answer kept; the API's answers are far smaller, a runaway target is cut here.
const MAX_ANSWER_BYTES: u64 = 8 * 1024 * 1024;

/// What a step sent, once its templates were filled in.
#[derive(Clone, Debug)]
pub struct Sent {
    pub method: &'static str,
    /// Below the base URL, as sent (the template as written when it could not be filled in).
    pub path: String,
    pub body: Option<String>,
    pub key: KeyUse,
}

/// How a step ended.
#[derive(Clone, Debug)]
pub enum Answer {
    Response {
        status: u16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The request went out, no answer came back (refused, reset, timed out).
    Unanswered(String),
    /// The step needed a value an earlier answer on this side did not hold.
    NotSent(String),
}

#[derive(Clone, Debug)]
pub struct Exchange {
    pub sent: Sent,
    pub answer: Answer,
}

impl Exchange {
    /// The answer's body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Json> {
        match &self.answer {
            Answer::Response { body, .. } => Json::parse(body).ok(),
            _ => None,
        }
    }
}

/// An HTTP client that never follows redirects (a redirect to another host would carry the
/// API key there) and, for loopback, never goes through a proxy.
pub fn client(timeout: Duration, through_proxies: bool) -> Result<Client, String> {
    let mut builder = Client::builder()
        .timeout(timeout)
        .redirect(Policy::none())
        .user_agent(concat!("recotap-mock-parity/", env!("CARGO_PKG_VERSION")));
    if !through_proxies {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|error| format!("cannot build an HTTP client: {}", chain(&error)))
}

/// A server speaking the API under `base` (`http://HOST:PORT/api/v1`), with `key`.
pub struct Side {
    pub client: Client,
    pub base: String,
    pub key: String,
}

impl Side {
    /// Runs every step of `scenario`, in order, with `namespace` for `{run}`.
    pub fn run(&self, scenario: &Scenario, namespace: &str) -> Vec<Exchange> {
        let mut done: Vec<(&str, Option<Json>)> = Vec::new();
        let mut exchanges = Vec::new();
        for step in scenario.steps {
            if step.settle {
                std::thread::sleep(Duration::from_millis(20));
            }
            let path = fill(step.path, namespace, &done);
            let body = step
                .body
                .map(|body| fill(body, namespace, &done))
                .transpose();
            let exchange = match (path, body) {
                (Ok(path), Ok(body)) => {
                    let sent = Sent {
                        method: step.method,
                        path,
                        body,
                        key: step.key,
                    };
                    let answer = self.send(&sent, namespace);
                    Exchange { sent, answer }
                }
                (Err(reason), _) | (_, Err(reason)) => Exchange {
                    sent: Sent {
                        method: step.method,
                        path: with_namespace(step.path, namespace),
                        body: step.body.map(|body| with_namespace(body, namespace)),
                        key: step.key,
                    },
                    answer: Answer::NotSent(reason),
                },
            };
            done.push((step.name, exchange.json()));
            exchanges.push(exchange);
        }
        exchanges
    }

    fn send(&self, sent: &Sent, namespace: &str) -> Answer {
        let method = reqwest::Method::from_bytes(sent.method.as_bytes()).expect("a valid method");
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, sent.path));
        match sent.key {
            KeyUse::Valid => request = request.header("X-Api-Key", &self.key),
            KeyUse::Wrong => {
                request = request.header("X-Api-Key", format!("wrong-key-{namespace}"))
            }
            KeyUse::Missing => {}
        }
        if let Some(body) = &sent.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        match request.send() {
            Ok(response) => {
                let status = response.status().as_u16();
                let content_type = response
                    .headers()
                    .get(CONTENT_TYPE)
                    .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
                let mut body = Vec::new();
                let read = std::io::Read::read_to_end(
                    &mut std::io::Read::take(response, MAX_ANSWER_BYTES),
                    &mut body,
                );
                match read {
                    Ok(_) => Answer::Response {
                        status,
                        content_type,
                        body,
                    },
                    Err(error) => {
                        Answer::Unanswered(format!("{status}, then the body broke off: {error}"))
                    }
                }
            }
            Err(error) => Answer::Unanswered(chain(&error)),
        }
    }

    /// Whether the target answers as the API does: `Ok` when `GET /segments?limit=1` with the
    /// key is a `200` in the API's envelope, else what was found instead.
    pub fn probe(&self) -> Result<(), String> {
        let url = format!("{}/segments?limit=1", self.base);
        let found = |what: String| format!("GET {url} {what}");
        let response = self
            .client
            .get(&url)
            .header("X-Api-Key", &self.key)
            .send()
            .map_err(|error| found(format!("got no answer: {}", chain(&error))))?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
            .unwrap_or_else(|| "no Content-Type".to_string());
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let mut body = Vec::new();
        let _ =
            std::io::Read::read_to_end(&mut std::io::Read::take(response, 64 * 1024), &mut body);
        if let Some(location) = location {
            return Err(found(format!(
                "answered {status}, a redirect to {location}"
            )));
        }
        let Ok(json) = Json::parse(&body) else {
            return Err(found(format!(
                "answered {status} ({content_type}), not JSON: {}",
                snippet(&body)
            )));
        };
        let enveloped = ["statusCode", "timestamp", "path"]
            .iter()
            .all(|key| json.get(key).is_some());
        if !enveloped {
            return Err(found(format!(
                "answered {status} with JSON that is not the API's envelope: {}",
                snippet(&body)
            )));
        }
        let said = ["message", "customMessage"]
            .iter()
            .filter_map(|key| json.get(key).and_then(Json::as_str))
            .collect::<Vec<_>>()
            .join(": ");
        match status {
            200 if json.get("data").is_some() => Ok(()),
            401 => Err(found(format!(
                "answered 401 ({said}): the target refused the API key"
            ))),
            404 => Err(found(format!(
                "answered 404 ({said}): the API is not under this URL (give its base, …/api/v1)"
            ))),
            _ => Err(found(format!(
                "answered {status} ({said}), not the listing"
            ))),
        }
    }
}

/// `template` with `{run}`, `{RUN}` and every `{ref:STEP/POINTER}` filled in from the answers
/// of the steps done so far, or why it cannot be.
fn fill(template: &str, namespace: &str, done: &[(&str, Option<Json>)]) -> Result<String, String> {
    let mut text = with_namespace(template, namespace);
    while let Some(start) = text.find("{ref:") {
        let end = start
            + text[start..]
                .find('}')
                .ok_or_else(|| format!("unclosed reference in {template}"))?;
        let reference = &text[start + "{ref:".len()..end];
        let (step, pointer) = reference.split_at(reference.find('/').unwrap_or(reference.len()));
        let answer = done
            .iter()
            .find(|(name, _)| *name == step)
            .ok_or_else(|| format!("no step {step} before this one"))?;
        let value = answer
            .1
            .as_ref()
            .and_then(|json| json.pointer(pointer))
            .ok_or_else(|| format!("the answer to {step} has no value at {pointer}"))?;
        let value = match value {
            Json::String(text) => text.clone(),
            other => other.compact(),
        };
        text.replace_range(start..=end, &value);
    }
    Ok(text)
}

/// `template` with `{run}` and `{RUN}` filled in.
fn with_namespace(template: &str, namespace: &str) -> String {
    template
        .replace("{run}", namespace)
        .replace("{RUN}", &namespace.to_uppercase())
}

/// An error with its causes, one after the other ("error sending request: connection refused").
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// The start of a body, on one line, for a person to recognise what answered.
fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "(an empty body)".to_string();
    }
    let text: String = String::from_utf8_lossy(body)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_take_the_namespace_and_earlier_answers() {
        let answer = Json::parse(br#"{"data":{"results":[{"rtp_aid":"abc"}],"n":3}}"#).unwrap();
        let done = [("create", Some(answer))];
        assert_eq!(
            fill(
                "/a/{ref:create/data/results/0/rtp_aid}?n={ref:create/data/n}&d={run}-x&k={RUN}_C",
                "ns1",
                &done
            ),
            Ok("/a/abc?n=3&d=ns1-x&k=NS1_C".to_string())
        );
        assert_eq!(
            fill("/a/{ref:create/data/nothing}", "ns1", &done),
            Err("the answer to create has no value at /data/nothing".to_string())
        );
    }
}
