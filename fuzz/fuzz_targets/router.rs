//! Feeds arbitrary requests (method, target, headers, body) through recotap-mock's router, up
//! to eight per input against one seeded mock, and after each one checks that nothing broke:
//! no 500 and no panic, the store's invariants hold (one account per cleaned domain per team,
//! every segment member an account of its team), every API answer is the JSON envelope with
//! `statusCode` equal to the status, and every `summary` equals the count of its `results`.
//!
//! Input format (text, so that seeds and the dictionary stay readable): requests separated by
//! a line `===`; in each, a first line `METHOD TARGET`, header lines `name: value`, an empty
//! line, then the body. Lines that do not parse are skipped, as a server would refuse them.
#![no_main]

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Request, Response, Uri};
use libfuzzer_sys::fuzz_target;
use recotap_mock::__fuzz::{read_json, Router};
use serde_json::{json, Value};

/// Most requests taken from one input, so that every input runs in bounded time.
const MAX_REQUESTS: usize = 8;
const SEPARATOR: &[u8] = b"\n===\n";

fuzz_target!(|input: &[u8]| {
    let router = seeded();
    // After a fault was added, answers may be cut off, replaced or a deliberate 500.
    let mut faulted = false;
    for raw in split(input).take(MAX_REQUESTS) {
        let Some(request) = parse(raw) else {
            continue;
        };
        let response = router.handle(&request);
        if let Err(problem) = check(&request, &response, faulted) {
            panic!("{problem}\nrequest: {request:?}\nresponse: {response:?}");
        }
        if let Err(problem) = router.check_invariants() {
            panic!("invariant broken: {problem}\nafter: {request:?}\nresponse: {response:?}");
        }
        faulted |=
            request.uri().path().starts_with("/_mock/faults") && response.status().as_u16() == 201;
    }
});

/// A mock with something to collide with: active, inactive and selection custom fields,
/// segments of every kind and status, two accounts.
fn seeded() -> Router {
    let router = Router::new();
    let seeds = [
        (
            "/_mock/custom-fields",
            json!({ "label": "Tier", "labelType": "singleLineText" }),
        ),
        (
            "/_mock/custom-fields",
            json!({ "label": "Old", "labelType": "number", "status": "inactive" }),
        ),
        (
            "/_mock/custom-fields",
            json!({ "label": "Stage", "labelType": "singleSelection", "options": ["A", "B"] }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Open", "segmentId": "seg-open" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Draft", "segmentId": "seg-draft", "status": "draft" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Old", "segmentId": "seg-archived", "status": "archived" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Dyn", "segmentId": "seg-dynamic", "type": "dynamic" }),
        ),
        (
            "/_mock/accounts",
            json!({ "domain": "acme.com", "name": "Acme" }),
        ),
        (
            "/_mock/accounts",
            json!({ "domain": "globex.com", "name": "Globex", "externalId": "crm-1" }),
        ),
    ];
    for (path, body) in seeds {
        let request = Request::post(path)
            .header("content-type", "application/json")
            .body(Bytes::from(body.to_string()))
            .expect("a seed request builds");
        let status = router.handle(&request).status().as_u16();
        assert_eq!(status, 201, "seeding {path} {body}");
    }
    router
}

fn split(input: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(input);
    std::iter::from_fn(move || {
        let current = rest?;
        match find(current, SEPARATOR) {
            Some(at) => {
                rest = Some(&current[at + SEPARATOR.len()..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

fn parse(raw: &[u8]) -> Option<Request<Bytes>> {
    let (head, body) = match find(raw, b"\n\n") {
        Some(at) => (&raw[..at], &raw[at + 2..]),
        None => (raw, &[][..]),
    };
    let mut lines = head
        .split(|byte| *byte == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let first = lines.next()?;
    let space = first.iter().position(|byte| *byte == b' ')?;
    let method = Method::from_bytes(&first[..space]).ok()?;
    let target = Uri::from_maybe_shared(Bytes::copy_from_slice(&first[space + 1..])).ok()?;
    let mut request = Request::new(Bytes::copy_from_slice(body));
    *request.method_mut() = method;
    *request.uri_mut() = target;
    for line in lines {
        let Some(colon) = line.iter().position(|byte| *byte == b':') else {
            continue;
        };
        let name = HeaderName::from_bytes(line[..colon].trim_ascii());
        let value = HeaderValue::from_bytes(line[colon + 1..].trim_ascii());
        if let (Ok(name), Ok(value)) = (name, value) {
            request.headers_mut().append(name, value);
        }
    }
    Some(request)
}

fn check(
    request: &Request<Bytes>,
    response: &Response<Bytes>,
    faulted: bool,
) -> Result<(), String> {
    let status = response.status().as_u16();
    if faulted {
        return Ok(());
    }
    if status == 500 {
        return Err("answered 500".to_string());
    }
    let body = response.body();
    let path = request.uri().path();
    let admin = path == "/_mock" || path.starts_with("/_mock/");
    // The report is plain text by design; every other answer is JSON.
    let plain_text = response
        .headers()
        .get("content-type")
        .is_some_and(|value| value.as_bytes().starts_with(b"text/plain"));
    if admin && (body.is_empty() || plain_text) {
        return Ok(());
    }
    // Read as the mock writes JSON (`JSON.stringify`'s lone surrogate escapes included), not
    // with serde_json alone, which refuses correct answers such as `{"property":"\ud800"}`.
    let value: Value = read_json(body)
        .map_err(|error| format!("the body is not JSON ({error}): {body:?}"))?;
    if admin {
        return Ok(());
    }
    // `GET /journey-stages` and `GET /deal-stages` answer a bare array; all else is an envelope.
    let Value::Object(envelope) = &value else {
        return match (&value, status) {
            (Value::Array(_), 200) => Ok(()),
            _ => Err(format!("not an envelope: {value}")),
        };
    };
    if envelope.get("statusCode") != Some(&json!(status)) {
        return Err(format!(
            "statusCode differs from the status {status}: {value}"
        ));
    }
    check_summary(&value["data"])
}

/// `summary.total` is the number of `results`, and every other count is the number of results
/// with that status.
fn check_summary(data: &Value) -> Result<(), String> {
    let (Some(results), Some(summary)) = (data["results"].as_array(), data["summary"].as_object())
    else {
        return Ok(());
    };
    for (status, count) in summary {
        let expected = match status.as_str() {
            "total" => results.len(),
            _ => results
                .iter()
                .filter(|item| item["status"] == *status)
                .count(),
        };
        if count.as_u64() != Some(expected as u64) {
            return Err(format!(
                "summary {status} is {count}, results say {expected}: {data}"
            ));
        }
    }
    let counted: u64 = summary
        .iter()
        .filter(|(status, _)| *status != "total")
        .filter_map(|(_, count)| count.as_u64())
        .sum();
    if counted != results.len() as u64 {
        return Err(format!(
            "some results have a status the summary does not count: {data}"
        ));
    }
    Ok(())
}
