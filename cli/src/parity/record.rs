//! Recorded exchanges: a scenario's normalised requests and answers, as one pretty JSON file
//! per scenario (keys in a fixed order, so the same run twice writes the same bytes), and
//! read back for `--replay`.

use std::path::Path;

use super::json::Json;
use super::scenarios::KeyUse;

/// What the placeholders of a recording stand for, written into every file for its reader.
const PLACEHOLDERS: &str = "{run} and {RUN}: the run's namespace (lower and upper case); \
    <id N>: the N-th distinct 24-hex id of the scenario; <timestamp FORMAT>: a time, shown by \
    its format only; <api key>: the API key, never written";

/// A request or answer body: JSON, or text that is not JSON.
#[derive(Clone, Debug, PartialEq)]
pub enum Payload {
    Json(Json),
    Text(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub key: KeyUse,
    pub body: Option<Payload>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Response {
        status: u16,
        content_type: Option<String>,
        body: Option<Payload>,
    },
    NoAnswer(String),
    NotSent(String),
}

/// One step as recorded: normalised, so that runs on two servers (or two runs) compare.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub step: String,
    pub source: String,
    pub request: Request,
    pub outcome: Outcome,
}

/// A scenario's recording: its header and its steps.
#[derive(Clone, Debug, PartialEq)]
pub struct Recording {
    pub scenario: String,
    pub covers: String,
    pub profile: String,
    pub recorded_from: String,
    pub steps: Vec<Recorded>,
}

impl Recording {
    pub fn to_json(&self) -> Json {
        Json::object([
            ("scenario", Json::string(&self.scenario)),
            ("covers", Json::string(&self.covers)),
            ("profile", Json::string(&self.profile)),
            ("recordedFrom", Json::string(&self.recorded_from)),
            ("placeholders", Json::string(PLACEHOLDERS)),
            (
                "steps",
                Json::Array(self.steps.iter().map(step_to_json).collect()),
            ),
        ])
    }

    pub fn from_json(json: &Json) -> Result<Recording, String> {
        let steps = match json.get("steps") {
            Some(Json::Array(steps)) => {
                steps.iter().map(step_from_json).collect::<Result<_, _>>()?
            }
            _ => return Err("no steps array".to_string()),
        };
        Ok(Recording {
            scenario: text(json, "scenario")?,
            covers: text(json, "covers")?,
            profile: text(json, "profile")?,
            recorded_from: text(json, "recordedFrom")?,
            steps,
        })
    }
}

/// Writes `recording` as `DIR/<scenario>.json`.
pub fn write(dir: &Path, recording: &Recording) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|error| format!("--record {}: {error}", dir.display()))?;
    let path = dir.join(format!("{}.json", recording.scenario));
    let mut text = recording.to_json().pretty();
    text.push('\n');
    std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Reads `DIR/<scenario>.json`.
pub fn read(dir: &Path, scenario: &str) -> Result<Recording, String> {
    let path = dir.join(format!("{scenario}.json"));
    let bytes = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    let json = Json::parse(&bytes).map_err(|error| format!("{}: {error}", path.display()))?;
    let recording = Recording::from_json(&json)
        .map_err(|error| format!("{}: not a parity recording: {error}", path.display()))?;
    if recording.scenario != scenario {
        return Err(format!(
            "{}: records scenario {:?}, not {scenario:?}",
            path.display(),
            recording.scenario
        ));
    }
    Ok(recording)
}

fn step_to_json(step: &Recorded) -> Json {
    let mut request = vec![
        ("method".to_string(), Json::string(&step.request.method)),
        ("path".to_string(), Json::string(&step.request.path)),
    ];
    match step.request.key {
        KeyUse::Valid => {}
        KeyUse::Missing => request.push(("apiKey".to_string(), Json::string("none"))),
        KeyUse::Wrong => request.push(("apiKey".to_string(), Json::string("wrong"))),
    }
    push_payload(&mut request, &step.request.body);
    let (name, outcome) = match &step.outcome {
        Outcome::Response {
            status,
            content_type,
            body,
        } => {
            let mut response = vec![("status".to_string(), Json::Number((*status).into()))];
            if let Some(content_type) = content_type {
                response.push(("contentType".to_string(), Json::string(content_type)));
            }
            push_payload(&mut response, body);
            ("response", Json::Object(response))
        }
        Outcome::NoAnswer(error) => ("noAnswer", Json::string(error)),
        Outcome::NotSent(reason) => ("notSent", Json::string(reason)),
    };
    Json::object([
        ("step", Json::string(&step.step)),
        ("source", Json::string(&step.source)),
        ("request", Json::Object(request)),
        (name, outcome),
    ])
}

fn push_payload(entries: &mut Vec<(String, Json)>, payload: &Option<Payload>) {
    match payload {
        Some(Payload::Json(json)) => entries.push(("body".to_string(), json.clone())),
        Some(Payload::Text(text)) => entries.push(("bodyText".to_string(), Json::string(text))),
        None => {}
    }
}

fn step_from_json(json: &Json) -> Result<Recorded, String> {
    let step = text(json, "step")?;
    let in_step = |error: String| format!("step {step}: {error}");
    let request = json
        .get("request")
        .ok_or_else(|| in_step("no request".into()))?;
    let key = match request.get("apiKey").and_then(Json::as_str) {
        None => KeyUse::Valid,
        Some("none") => KeyUse::Missing,
        Some("wrong") => KeyUse::Wrong,
        Some(other) => {
            return Err(in_step(format!(
                "apiKey {other:?} is neither none nor wrong"
            )))
        }
    };
    let request = Request {
        method: text(request, "method").map_err(in_step)?,
        path: text(request, "path").map_err(in_step)?,
        key,
        body: payload(request),
    };
    let outcome = if let Some(response) = json.get("response") {
        let status = match response.get("status") {
            Some(Json::Number(number)) => number.as_u64().and_then(|n| u16::try_from(n).ok()),
            _ => None,
        };
        Outcome::Response {
            status: status.ok_or_else(|| in_step("no status".into()))?,
            content_type: response
                .get("contentType")
                .and_then(Json::as_str)
                .map(str::to_string),
            body: payload(response),
        }
    } else if let Some(error) = json.get("noAnswer").and_then(Json::as_str) {
        Outcome::NoAnswer(error.to_string())
    } else if let Some(reason) = json.get("notSent").and_then(Json::as_str) {
        Outcome::NotSent(reason.to_string())
    } else {
        return Err(in_step("neither response, noAnswer nor notSent".into()));
    };
    Ok(Recorded {
        source: text(json, "source").map_err(in_step)?,
        step,
        request,
        outcome,
    })
}

fn payload(json: &Json) -> Option<Payload> {
    match (
        json.get("body"),
        json.get("bodyText").and_then(Json::as_str),
    ) {
        (Some(body), _) => Some(Payload::Json(body.clone())),
        (None, Some(text)) => Some(Payload::Text(text.to_string())),
        (None, None) => None,
    }
}

fn text(json: &Json, key: &str) -> Result<String, String> {
    json.get(key)
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("no string {key}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_reads_back_as_written() {
        let recording = Recording {
            scenario: "s".into(),
            covers: "c".into(),
            profile: "documented".into(),
            recorded_from: "here".into(),
            steps: vec![
                Recorded {
                    step: "one".into(),
                    source: "vendor reference".into(),
                    request: Request {
                        method: "POST".into(),
                        path: "/accounts".into(),
                        key: KeyUse::Wrong,
                        body: Some(Payload::Text("{broken".into())),
                    },
                    outcome: Outcome::Response {
                        status: 400,
                        content_type: Some("application/json".into()),
                        body: Some(Payload::Json(
                            Json::parse(br#"{"b":1,"a":[null]}"#).unwrap(),
                        )),
                    },
                },
                Recorded {
                    step: "two".into(),
                    source: "observed live".into(),
                    request: Request {
                        method: "GET".into(),
                        path: "/segments".into(),
                        key: KeyUse::Valid,
                        body: None,
                    },
                    outcome: Outcome::NoAnswer("reset".into()),
                },
            ],
        };
        let text = recording.to_json().pretty();
        let back = Recording::from_json(&Json::parse(text.as_bytes()).unwrap()).unwrap();
        assert_eq!(back, recording);
    }
}
