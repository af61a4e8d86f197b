//! The built-in parity scenarios, as data: each a name, what it covers, and its steps (a
//! request template and the source of the rule it checks, as docs/api.md tags it).
//!
//! Templates hold `{run}` (the scenario's namespace, lower case: domains, external ids, labels),
//! `{RUN}` (the same, upper case: custom field keys, which the API derives in upper case) and
//! `{ref:STEP/POINTER}` (a value from an earlier step's answer on the same side, such as the
//! `rtp_aid` a PUT needs, by JSON pointer into that answer's body).

mod accounts;
mod checks;
mod sales;
mod updates;

/// Where the rule a step checks comes from, as docs/api.md tags each rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The vendor's published API reference.
    Reference,
    /// What the vendor's live sandbox was seen to answer.
    Observed,
    /// The reference is silent; the emulator chose.
    Decision,
}

impl Source {
    /// The tag as docs/api.md writes it.
    pub fn tag(self) -> &'static str {
        match self {
            Source::Reference => "vendor reference",
            Source::Observed => "observed live",
            Source::Decision => "emulator's decision",
        }
    }
}

/// Which `X-Api-Key` a step sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// The side's own key.
    Valid,
    /// No header at all.
    Missing,
    /// A key no team holds.
    Wrong,
}

/// One request of a scenario.
#[derive(Clone, Copy, Debug)]
pub struct Step {
    /// Unique within its scenario; what the table of differences names.
    pub name: &'static str,
    pub method: &'static str,
    /// Below the API's base (`/accounts?limit=1` is `BASE/accounts?limit=1`).
    pub path: &'static str,
    /// Sent as `application/json` (not necessarily valid JSON: a step may send a broken body).
    pub body: Option<&'static str>,
    pub source: Source,
    pub key: KeyUse,
    /// A JSON pointer to an array of the answer that also lists what other runs (or the
    /// team's own data) left on a long-lived target: its items that do not mention this
    /// scenario's namespace are left out of the comparison.
    pub this_run_only: Option<&'static str>,
    /// Wait a little before this step, so that what it writes is strictly later than every
    /// answer before it (delta sync compares times to the millisecond).
    pub settle: bool,
    /// What the sandbox profile changes in this step's answer besides the `data` key of error
    /// bodies (written into sandbox recordings as the live observation it comes from).
    pub sandbox_note: Option<&'static str>,
}

impl Step {
    const fn new(name: &'static str, method: &'static str, path: &'static str) -> Step {
        Step {
            name,
            method,
            path,
            body: None,
            source: Source::Reference,
            key: KeyUse::Valid,
            this_run_only: None,
            settle: false,
            sandbox_note: None,
        }
    }

    /// The rule this step checks is the emulator's decision.
    pub const fn decided(mut self) -> Step {
        self.source = Source::Decision;
        self
    }

    /// The rule this step checks was observed on the live sandbox.
    pub const fn observed(mut self) -> Step {
        self.source = Source::Observed;
        self
    }

    pub const fn without_key(mut self) -> Step {
        self.key = KeyUse::Missing;
        self
    }

    pub const fn with_wrong_key(mut self) -> Step {
        self.key = KeyUse::Wrong;
        self
    }

    pub const fn this_run_only(mut self, array: &'static str) -> Step {
        self.this_run_only = Some(array);
        self
    }

    pub const fn settled(mut self) -> Step {
        self.settle = true;
        self
    }

    pub const fn in_sandbox(mut self, note: &'static str) -> Step {
        self.sandbox_note = Some(note);
        self
    }

    /// The step's source as a recording of `profile` names it: the rule's source, and where
    /// the sandbox profile answers otherwise, the live observation behind that.
    pub fn source_tag(&self, sandbox: bool, answered_an_error: bool) -> String {
        let note = match self.sandbox_note {
            Some(note) if sandbox => Some(note),
            None if sandbox && answered_an_error => Some("error bodies carry no data key"),
            _ => None,
        };
        match note {
            Some(note) => format!(
                "{}; sandbox profile: {note} ({})",
                self.source.tag(),
                Source::Observed.tag()
            ),
            None => self.source.tag().to_string(),
        }
    }
}

pub const fn get(name: &'static str, path: &'static str) -> Step {
    Step::new(name, "GET", path)
}

pub const fn delete(name: &'static str, path: &'static str) -> Step {
    Step::new(name, "DELETE", path)
}

const fn with_body(mut step: Step, body: &'static str) -> Step {
    step.body = Some(body);
    step
}

pub const fn post(name: &'static str, path: &'static str, body: &'static str) -> Step {
    with_body(Step::new(name, "POST", path), body)
}

pub const fn put(name: &'static str, path: &'static str, body: &'static str) -> Step {
    with_body(Step::new(name, "PUT", path), body)
}

pub const fn patch(name: &'static str, path: &'static str, body: &'static str) -> Step {
    with_body(Step::new(name, "PATCH", path), body)
}

/// A short sequence of API calls covering one rule.
#[derive(Debug)]
pub struct Scenario {
    pub name: &'static str,
    pub covers: &'static str,
    pub steps: &'static [Step],
}

/// Every built-in scenario, in the order they run.
pub fn all() -> Vec<&'static Scenario> {
    let mut scenarios = Vec::new();
    scenarios.extend(accounts::SCENARIOS);
    scenarios.extend(updates::SCENARIOS);
    scenarios.extend(sales::SCENARIOS);
    scenarios.extend(checks::SCENARIOS);
    scenarios
}

/// What the sandbox profile changes in `GET /accounts` rows (README's fidelity table).
const ROWS_IN_SANDBOX: &str = "names lower-cased and rtp_last_account_date without milliseconds";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_references_name_earlier_steps() {
        let mut scenario_names = HashSet::new();
        for scenario in all() {
            assert!(scenario_names.insert(scenario.name), "{}", scenario.name);
            let mut earlier: Vec<&str> = Vec::new();
            for step in scenario.steps {
                assert!(
                    !earlier.contains(&step.name),
                    "{}/{}",
                    scenario.name,
                    step.name
                );
                let text = format!("{}{}", step.path, step.body.unwrap_or(""));
                for reference in text.split("{ref:").skip(1) {
                    let named = reference.split('/').next().unwrap();
                    assert!(earlier.contains(&named), "{}/{}", scenario.name, step.name);
                }
                earlier.push(step.name);
            }
        }
    }

    #[test]
    fn every_body_but_the_malformed_one_is_json() {
        for scenario in all() {
            for step in scenario.steps {
                let Some(body) = step.body else { continue };
                let parsed = serde_json::from_str::<serde_json::Value>(body);
                assert_eq!(
                    parsed.is_err(),
                    step.name == "malformed-json",
                    "{}/{}",
                    scenario.name,
                    step.name
                );
            }
        }
    }
}
