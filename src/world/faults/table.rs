//! One scope's faults in the order added, and the decision per request across the scopes
//! that apply to it: matching, `after` / `times` counting, the probability roll; plus what a
//! hit tells the pipeline.

use std::time::Duration;

use serde::Serialize;

use super::spec::FaultId;
use super::Fault;
use crate::fidelity::jsvalue::JsValue;

/// A fault that still has uses left, as [`TeamView::faults`](crate::TeamView::faults)
/// and `GET /_mock/faults` list it: the fault's fields plus `id`, `remaining` and `hits`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ActiveFault {
    pub id: FaultId,
    #[serde(flatten)]
    pub fault: Fault,
    /// Hits left before it is spent; `None` (JSON `null`) without a `times` limit.
    pub remaining: Option<u64>,
    /// Requests it has hit so far.
    pub hits: u64,
}

/// What the router must make of a request a fault hit.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    Status {
        status: u16,
        body: Option<JsValue>,
        /// Added to the answer, replacing a header of the same name.
        headers: std::collections::BTreeMap<String, String>,
        retry_after: Option<u64>,
    },
    RateLimit {
        retry_after: u64,
    },
    Delay(Duration),
    Hang,
    Reset,
    Malformed,
}

/// The decision for one request.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hit {
    pub id: FaultId,
    pub shape: Shape,
    /// Process the request before shaping the response.
    pub apply: bool,
}

impl Hit {
    /// Whether the request is processed as usual before the fault shapes the answer: when the
    /// fault applies it, and always for a delay (the client gets the real answer, late).
    pub fn serves(&self) -> bool {
        self.apply || matches!(self.shape, Shape::Delay(_))
    }
}

#[derive(Debug)]
struct Entry {
    id: FaultId,
    fault: Fault,
    /// Matching requests that reached this fault (the `after` window and probability index).
    seen: u64,
    hits: u64,
}

/// The faults of one scope (the whole mock's, or one team's), in the order added. Ids come from
/// the caller, rising across every scope, so that the faults of two scopes interleave in the
/// order they were added.
#[derive(Debug, Default)]
pub(crate) struct FaultTable {
    entries: Vec<Entry>,
}

impl FaultTable {
    /// Checks `fault` and adds it at the end of the table under `id`.
    ///
    /// # Errors
    /// Why the fault is refused: inconsistent fields, or a path no route serves.
    pub fn add(&mut self, mut fault: Fault, id: FaultId) -> Result<FaultId, String> {
        fault.check()?;
        // One form for every path (`/accounts` is `/api/v1/accounts`), as listed and matched.
        if let Some(path) = fault.0.matcher.path.as_mut() {
            *path = crate::world::paths::normalize(path)?;
        }
        if let Some(method) = fault.0.matcher.method.as_mut() {
            method.make_ascii_uppercase();
        }
        self.entries.push(Entry {
            id,
            fault,
            seen: 0,
            hits: 0,
        });
        Ok(id)
    }

    /// The faults with uses left, in the order they are checked.
    pub fn list(&self) -> impl Iterator<Item = ActiveFault> + '_ {
        self.entries.iter().map(|entry| ActiveFault {
            id: entry.id,
            fault: entry.fault.clone(),
            remaining: entry.fault.0.times.map(|times| times - entry.hits),
            hits: entry.hits,
        })
    }

    /// Removes every fault.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

/// Decides whether a fault of `first` or `second` (the whole mock's faults, and the team's)
/// hits the request `method path` (path without query) from `team`, and counts it. The faults
/// of both tables are checked together in the order added (by id: each table is in that
/// order, so they are merged as they are walked); each counts the matching requests that
/// reach it, so a request hit by an earlier fault is not seen by later ones. A fault spent by
/// the hit is removed.
pub(crate) fn decide(
    first: &mut FaultTable,
    mut second: Option<&mut FaultTable>,
    method: &str,
    path: &str,
    team: Option<&str>,
) -> Option<Hit> {
    let (mut at_first, mut at_second) = (0, 0);
    loop {
        let next_first = first.entries.get(at_first).map(|entry| entry.id);
        let next_second = second
            .as_deref()
            .and_then(|table| table.entries.get(at_second))
            .map(|entry| entry.id);
        let (table, index) = match (next_first, next_second) {
            (None, None) => return None,
            (Some(a), Some(b)) if b < a => (second.as_deref_mut()?, &mut at_second),
            (None, Some(_)) => (second.as_deref_mut()?, &mut at_second),
            _ => (&mut *first, &mut at_first),
        };
        if table.reaches(*index, method, path, team) {
            return Some(table.hit(*index));
        }
        *index += 1;
    }
}

impl FaultTable {
    /// Whether the request reaches fault `index` and it fires: it matches, counts as seen, is
    /// past its `after` window and rolls a hit.
    fn reaches(&mut self, index: usize, method: &str, path: &str, team: Option<&str>) -> bool {
        let entry = &mut self.entries[index];
        if !entry.fault.0.matcher.matches(method, path, team) {
            return false;
        }
        let n = entry.seen;
        entry.seen += 1;
        n >= entry.fault.0.after && entry.fault.rolls_hit(n)
    }

    /// Counts a hit of fault `index`, removing it when that spends it.
    fn hit(&mut self, index: usize) -> Hit {
        let entry = &mut self.entries[index];
        entry.hits += 1;
        let hit = Hit {
            id: entry.id,
            shape: entry.fault.shape(),
            apply: entry.fault.0.apply,
        };
        if entry.fault.0.times == Some(entry.hits) {
            self.entries.remove(index);
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hits(table: &mut FaultTable, method: &str, path: &str, count: usize) -> Vec<bool> {
        (0..count)
            .map(|_| decide(table, None, method, path, None).is_some())
            .collect()
    }

    /// Adds `fault` with the next id of this test's table.
    fn add(table: &mut FaultTable, fault: Fault) -> Result<FaultId, String> {
        let id = FaultId(
            table
                .entries
                .iter()
                .map(|entry| entry.id.0)
                .max()
                .unwrap_or(0)
                + 1,
        );
        table.add(fault, id)
    }

    #[test]
    fn the_json_form_reads_every_field_and_lists_back_normalised() {
        let fault: Fault = serde_json::from_value(json!({
            "kind": "status", "status": 503, "body": { "oops": true }, "retryAfter": 2,
            "match": { "method": "POST", "path": "/api/v1/accounts" },
            "times": 2, "after": 1, "probability": 0.5, "seed": 7, "apply": true }))
        .unwrap();
        let expected = Fault::status(503)
            .body(json!({ "oops": true }))
            .retry_after(2)
            .on("POST", "/api/v1/accounts")
            .times(2)
            .after(1)
            .probability(0.5, 7)
            .applied();
        assert_eq!(fault, expected);
        assert_eq!(
            serde_json::to_value(Fault::rate_limit(3)).unwrap(),
            json!({ "kind": "rateLimit", "retryAfter": 3, "after": 0, "probability": 1.0,
                    "seed": 0, "apply": false })
        );
    }

    #[test]
    fn a_rate_limit_fault_without_retry_after_sends_one_second() {
        let fault: Fault = serde_json::from_value(json!({ "kind": "rateLimit" })).unwrap();
        assert_eq!(fault, Fault::rate_limit(1));
    }

    #[test]
    fn inconsistent_faults_are_refused_with_a_message_naming_the_field() {
        let cases = [
            (
                json!({ "kind": "status" }),
                "a status fault needs \"status\" between 200 and 599",
            ),
            (
                json!({ "kind": "status", "status": 199 }),
                "a status fault needs \"status\" between 200 and 599",
            ),
            (
                json!({ "kind": "status", "status": 600 }),
                "a status fault needs \"status\" between 200 and 599",
            ),
            (
                json!({ "kind": "hang", "headers": { "x-a": "1" } }),
                "\"headers\" applies only to kind status",
            ),
            (
                json!({ "kind": "status", "status": 503, "headers": { "bad name": "1" } }),
                "\"headers\": \"bad name\" is not a valid header name",
            ),
            (
                json!({ "kind": "delay" }),
                "a delay fault needs \"delayMs\"",
            ),
            (
                json!({ "kind": "hang", "delayMs": 5 }),
                "\"delayMs\" applies only to kind delay",
            ),
            (
                json!({ "kind": "reset", "status": 500 }),
                "\"status\" applies only to kind status",
            ),
            (
                json!({ "kind": "malformed", "body": {} }),
                "\"body\" applies only to kind status",
            ),
            (
                json!({ "kind": "hang", "retryAfter": 1 }),
                "\"retryAfter\" applies only to kind status or rateLimit",
            ),
            (
                json!({ "kind": "hang", "times": 0 }),
                "\"times\" must be at least 1 (omit it for no limit)",
            ),
            (
                json!({ "kind": "hang", "probability": 1.5 }),
                "\"probability\" must be between 0 and 1",
            ),
            (
                json!({ "kind": "hang", "match": { "method": "" } }),
                "\"match.method\" must not be empty (omit it for any method)",
            ),
            (
                json!({ "kind": "hang", "match": { "path": "api" } }),
                "\"match.path\" must start with \"/\"",
            ),
        ];
        for (body, message) in cases {
            let error = serde_json::from_value::<Fault>(body.clone()).unwrap_err();
            assert_eq!(error.to_string(), message, "{body}");
        }
        let unknown =
            serde_json::from_value::<Fault>(json!({ "kind": "hang", "match": { "verb": "GET" } }));
        assert!(unknown
            .unwrap_err()
            .to_string()
            .starts_with("unknown field `verb`"));
        let kind = serde_json::from_value::<Fault>(json!({ "kind": "explode" }));
        assert!(kind
            .unwrap_err()
            .to_string()
            .starts_with("unknown variant `explode`"));
    }

    #[test]
    fn a_path_ending_in_star_is_a_prefix_and_other_paths_are_exact() {
        let mut table = FaultTable::default();
        add(&mut table, Fault::hang().on("post", "/api/v1/accounts")).unwrap();
        add(&mut table, Fault::reset().on_path("/api/v1/segments*")).unwrap();
        assert!(decide(&mut table, None, "POST", "/api/v1/accounts", None).is_some());
        assert!(decide(&mut table, None, "POST", "/api/v1/accounts/", None).is_some());
        assert!(decide(&mut table, None, "GET", "/api/v1/accounts", None).is_none());
        assert!(decide(
            &mut table,
            None,
            "POST",
            "/api/v1/accounts/custom-field",
            None
        )
        .is_none());
        assert_eq!(
            decide(&mut table, None, "GET", "/api/v1/segments/x", None)
                .unwrap()
                .shape,
            Shape::Reset
        );
    }

    #[test]
    fn after_lets_requests_through_then_times_spends_the_fault() {
        let mut table = FaultTable::default();
        add(&mut table, Fault::status(500).after(2).times(2)).unwrap();
        assert_eq!(table.list().collect::<Vec<_>>()[0].remaining, Some(2));
        let pattern = hits(&mut table, "GET", "/api/v1/segments", 6);
        assert_eq!(pattern, [false, false, true, true, false, false]);
        assert!(table.list().collect::<Vec<_>>().is_empty());
    }

    #[test]
    fn a_request_hit_by_an_earlier_fault_is_not_seen_by_later_ones() {
        let mut table = FaultTable::default();
        let first = add(&mut table, Fault::status(503).times(1)).unwrap();
        let second = add(&mut table, Fault::reset().after(1)).unwrap();
        let ids: Vec<_> = (0..3)
            .map(|_| decide(&mut table, None, "GET", "/api/v1/segments", None).map(|hit| hit.id))
            .collect();
        assert_eq!(ids, [Some(first), None, Some(second)]);
    }

    #[test]
    fn seeded_probability_depends_only_on_the_seed_and_the_match_count() {
        let pattern = |seed| {
            let mut table = FaultTable::default();
            add(
                &mut table,
                Fault::hang()
                    .on_path("/api/v1/accounts")
                    .probability(0.5, seed),
            )
            .unwrap();
            let mut seen = Vec::new();
            for _ in 0..16 {
                // Traffic the fault does not match must not shift its pattern.
                assert!(decide(&mut table, None, "GET", "/api/v1/segments", None).is_none());
                seen.push(decide(&mut table, None, "POST", "/api/v1/accounts", None).is_some());
            }
            seen
        };
        let seven = pattern(7);
        assert_eq!(seven, pattern(7));
        assert_ne!(seven, pattern(8));
        let hit_count = seven.iter().filter(|hit| **hit).count();
        assert!((3..=13).contains(&hit_count), "{seven:?}");
    }

    #[test]
    fn probability_zero_is_refused_as_it_would_never_fire_and_one_always_hits() {
        let mut table = FaultTable::default();
        let zero = serde_json::from_value::<Fault>(json!({ "kind": "hang", "probability": 0.0 }));
        assert!(zero.unwrap_err().to_string().contains("would never fire"));
        add(&mut table, Fault::hang().probability(1.0, 1)).unwrap();
        assert_eq!(hits(&mut table, "GET", "/api/v1/x", 50), [true; 50]);
    }
}
