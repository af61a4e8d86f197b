//! The report a person reads when a test fails: every 4xx the code under test got with the rule
//! behind it, every `failed` item inside a `200` batch, accounts written, faults fired. Pure: it
//! reads journal entries and writes text.

use std::fmt::Write as _;

use crate::world::journal::{Evidence, RecordedRequest};

/// `METHOD target → status customMessage`, one request on one line.
pub(crate) fn line(entry: &RecordedRequest) -> String {
    let status = match entry.status {
        0 => "no response".to_string(),
        status => status.to_string(),
    };
    let message = problem(entry).map_or_else(String::new, |text| format!(" {text}"));
    let note = entry
        .note
        .as_deref()
        .map_or_else(String::new, |note| format!(" ({note})"));
    format!("{} {} → {status}{message}{note}", entry.method, entry.path)
}

/// The rule behind a refused request: its `customMessage`, or its validation messages.
fn problem(entry: &RecordedRequest) -> Option<String> {
    let response = entry.response_json()?;
    if let Some(custom) = response
        .get("customMessage")
        .and_then(|value| value.as_str())
    {
        return Some(custom.to_string());
    }
    let violations = response.get("data")?.as_array()?;
    let messages: Vec<&str> = violations
        .iter()
        .filter_map(|violation| violation.get("constraints")?.as_object())
        .flat_map(|constraints| constraints.values().filter_map(|message| message.as_str()))
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// Every `failed` item of a `200` batch answer: (what identifies it, its `error`).
fn failed_items(entry: &RecordedRequest) -> Vec<(String, String)> {
    if entry.status != 200 {
        return Vec::new();
    }
    let Some(response) = entry.response_json() else {
        return Vec::new();
    };
    let Some(results) = response
        .get("data")
        .and_then(|data| data.get("results"))
        .and_then(|results| results.as_array())
    else {
        return Vec::new();
    };
    results
        .iter()
        .filter(|result| result.get("status").and_then(|s| s.as_str()) == Some("failed"))
        .map(|result| {
            let name = ["domain", "externalDealId", "externalActivityId"]
                .iter()
                .find_map(|key| result.get(*key).and_then(|value| value.as_str()))
                .unwrap_or("an item");
            let error = result
                .get("error")
                .and_then(|value| value.as_str())
                .unwrap_or("");
            (name.to_string(), error.to_string())
        })
        .collect()
}

/// The client errors one request carried: itself if it was a 4xx (with its rule), and every
/// failed item inside its 200 batch.
pub(crate) fn client_errors_of(entry: &RecordedRequest) -> Vec<String> {
    let mut errors = Vec::new();
    if (400..500).contains(&entry.status) {
        errors.push(line(entry));
    }
    for (item, error) in failed_items(entry) {
        errors.push(format!(
            "{} {} → 200, but item {item} failed: {error}",
            entry.method, entry.path
        ));
    }
    errors
}

/// The client errors the code under test got: every 4xx with its rule, and every failed item
/// inside a 200 batch, those of entries the journal's bounds dropped first. Empty when there
/// were none.
pub(crate) fn client_errors(evidence: &Evidence) -> Vec<String> {
    let mut errors = evidence.lost_errors.clone();
    if evidence.lost_errors_uncounted > 0 {
        errors.push(format!(
            "… and {} more client error(s) in entries the journal's bound dropped",
            evidence.lost_errors_uncounted
        ));
    }
    errors.extend(evidence.entries.iter().flat_map(client_errors_of));
    errors
}

/// The plain-text report of what happened: requests by endpoint and status, client errors,
/// accounts written, faults that fired.
pub(crate) fn report(evidence: &Evidence) -> String {
    let entries = &evidence.entries;
    let mut text = String::new();
    let _ = writeln!(text, "recotap-mock report: {} request(s)", entries.len());
    if evidence.dropped > 0 {
        let _ = writeln!(
            text,
            "  {} older request(s) were dropped by the journal's bound (their client errors \
             are still listed below)",
            evidence.dropped
        );
    }
    let mut by_endpoint: Vec<(String, u16, usize)> = Vec::new();
    for entry in entries {
        let path = entry.path.split('?').next().unwrap_or_default();
        let endpoint = format!("{} {path}", entry.method);
        match by_endpoint
            .iter_mut()
            .find(|(seen, status, _)| *seen == endpoint && *status == entry.status)
        {
            Some((_, _, count)) => *count += 1,
            None => by_endpoint.push((endpoint, entry.status, 1)),
        }
    }
    let _ = writeln!(text, "requests by endpoint and status:");
    for (endpoint, status, count) in &by_endpoint {
        let _ = writeln!(text, "  {endpoint} → {status}: {count}");
    }
    let errors = client_errors(evidence);
    let _ = writeln!(text, "client errors ({}):", errors.len());
    for error in &errors {
        let _ = writeln!(text, "  {error}");
    }
    let (mut created, mut updated) = (0, 0);
    for entry in entries.iter().filter(|entry| entry.status == 200) {
        let summary = entry
            .response_json()
            .and_then(|response| response.get("data")?.get("summary").cloned());
        if let Some(summary) = summary.filter(|s| s.get("updated").is_some()) {
            created += summary.get("created").and_then(|n| n.as_u64()).unwrap_or(0);
            updated += summary.get("updated").and_then(|n| n.as_u64()).unwrap_or(0);
        }
    }
    let _ = writeln!(
        text,
        "accounts: {created} created, {updated} updated (POST /accounts)"
    );
    let faulted: Vec<&RecordedRequest> = entries
        .iter()
        .filter(|entry| entry.fault.is_some())
        .collect();
    let _ = writeln!(text, "faults that fired ({}):", faulted.len());
    for entry in faulted {
        let id = entry.fault.unwrap_or_default();
        let _ = writeln!(text, "  fault {id}: {}", line(entry));
    }
    text
}
