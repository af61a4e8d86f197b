//! A fault's fields as the admin API reads and lists them (`Spec`, `Match`), the rules that
//! keep them consistent, the seeded probability roll, and what a hit makes of a response.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::table::Shape;
use super::{Fault, FaultKind};
use crate::data::model::splitmix64;
use crate::fidelity::jsvalue::JsValue;

/// The fields of a fault as the admin API reads and lists them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Spec {
    pub(crate) kind: FaultKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) status: Option<u16>,
    /// Kept in the order sent, so that it is answered verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) body: Option<JsValue>,
    /// Headers added to a `status` fault's answer (name → value), checked when added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) headers: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) delay_ms: Option<u64>,
    #[serde(default, rename = "match", skip_serializing_if = "Match::is_any")]
    pub(crate) matcher: Match,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) times: Option<u64>,
    #[serde(default)]
    pub(crate) after: u64,
    #[serde(default = "always")]
    pub(crate) probability: f64,
    #[serde(default)]
    pub(crate) seed: u64,
    #[serde(default)]
    pub(crate) apply: bool,
}

pub(crate) fn always() -> f64 {
    1.0
}

/// Which requests a fault considers; an omitted part matches everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Match {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) method: Option<String>,
    /// Exact, or a prefix when it ends in `*`, in the one path grammar (`crate::world::paths`):
    /// stored with the `/api/v1` prefix once the fault is added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    /// Only requests authenticated as this team (a fault added for a session gets its team).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) team: Option<String>,
}

impl Match {
    pub(crate) fn is_any(&self) -> bool {
        self.method.is_none() && self.path.is_none() && self.team.is_none()
    }

    pub(crate) fn matches(&self, method: &str, path: &str, team: Option<&str>) -> bool {
        if self
            .team
            .as_deref()
            .is_some_and(|wanted| team != Some(wanted))
        {
            return false;
        }
        // Exact: a method is upper-cased when the fault is added, and the router (as Node's)
        // serves no other case, so `get` must not count as `GET`.
        let method_ok = self.method.as_deref().is_none_or(|wanted| wanted == method);
        let path_ok = match self.path.as_deref() {
            None => true,
            Some(wanted) => crate::world::paths::matches(wanted, path),
        };
        method_ok && path_ok
    }
}

/// The `retryAfter` a `rateLimit` fault sends when none is given.
pub(crate) const DEFAULT_RETRY_AFTER: u64 = 1;

impl Fault {
    /// The fault, if its fields are consistent; otherwise a panic at the builder call that
    /// made them inconsistent (`call` names it), saying which field is wrong and why.
    pub(crate) fn checked(self, call: &str) -> Self {
        match self.check() {
            Ok(()) => self,
            Err(problem) => panic!("recotap-mock: Fault::{call}: {problem}"),
        }
    }

    /// Checks the combination of fields; the message names the field at fault.
    pub(crate) fn check(&self) -> Result<(), String> {
        let spec = &self.0;
        let kind = spec.kind;
        let only = |present: bool, field: &str, kinds: &[FaultKind], names: &str| {
            if present && !kinds.contains(&kind) {
                Err(format!("\"{field}\" applies only to kind {names}"))
            } else {
                Ok(())
            }
        };
        only(
            spec.status.is_some(),
            "status",
            &[FaultKind::Status],
            "status",
        )?;
        only(spec.body.is_some(), "body", &[FaultKind::Status], "status")?;
        only(
            spec.headers.is_some(),
            "headers",
            &[FaultKind::Status],
            "status",
        )?;
        for (name, value) in spec.headers.iter().flatten() {
            check_header(name, value)?;
        }
        let limits = [FaultKind::Status, FaultKind::RateLimit];
        only(
            spec.retry_after.is_some(),
            "retryAfter",
            &limits,
            "status or rateLimit",
        )?;
        only(
            spec.delay_ms.is_some(),
            "delayMs",
            &[FaultKind::Delay],
            "delay",
        )?;
        // 2xx too, so that a test can feed the client a success shape the vendor was seen to
        // send (with `body`); 1xx is not a final answer, and hyper would not send one.
        if kind == FaultKind::Status && !spec.status.is_some_and(|s| (200..=599).contains(&s)) {
            return Err("a status fault needs \"status\" between 200 and 599".to_string());
        }
        if kind == FaultKind::Delay && spec.delay_ms.is_none() {
            return Err("a delay fault needs \"delayMs\"".to_string());
        }
        if spec.times == Some(0) {
            return Err("\"times\" must be at least 1 (omit it for no limit)".to_string());
        }
        if !(0.0..=1.0).contains(&spec.probability) {
            return Err("\"probability\" must be between 0 and 1".to_string());
        }
        if spec.probability == 0.0 {
            return Err(
                "\"probability\" 0 would never fire: give a chance above 0 (or add no fault)"
                    .to_string(),
            );
        }
        if spec.matcher.method.as_deref() == Some("") {
            return Err("\"match.method\" must not be empty (omit it for any method)".to_string());
        }
        if let Some(path) = spec.matcher.path.as_deref() {
            if !path.starts_with('/') {
                return Err("\"match.path\" must start with \"/\"".to_string());
            }
            let method = spec.matcher.method.as_deref();
            crate::world::paths::registrable(method, path)
                .map_err(|why| format!("\"match.path\": {why}"))?;
        }
        Ok(())
    }

    /// Whether the `n`-th matching request (from 0) wins the roll.
    pub(crate) fn rolls_hit(&self, n: u64) -> bool {
        let probability = self.0.probability;
        if probability >= 1.0 {
            return true;
        }
        // The n-th output of the splitmix64 sequence started at `seed`: a function of seed and
        // n alone, so other traffic and other faults cannot shift the pattern.
        let draw = splitmix64(
            self.0
                .seed
                .wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        );
        let unit = (draw >> 11) as f64 / (1u64 << 53) as f64;
        unit < probability
    }

    pub(crate) fn shape(&self) -> Shape {
        let spec = &self.0;
        match spec.kind {
            FaultKind::Status => Shape::Status {
                status: spec.status.unwrap_or(500),
                body: spec.body.clone(),
                headers: spec.headers.clone().unwrap_or_default(),
                retry_after: spec.retry_after,
            },
            FaultKind::RateLimit => Shape::RateLimit {
                retry_after: spec.retry_after.unwrap_or(DEFAULT_RETRY_AFTER),
            },
            FaultKind::Delay => Shape::Delay(Duration::from_millis(spec.delay_ms.unwrap_or(0))),
            FaultKind::Hang => Shape::Hang,
            FaultKind::Reset => Shape::Reset,
            FaultKind::Malformed => Shape::Malformed,
        }
    }
}

/// Refuses a header that HTTP cannot carry: the name must be a token, the value visible ASCII
/// (or Latin-1) without control characters, as `http` checks them.
pub(crate) fn check_header(name: &str, value: &str) -> Result<(), String> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
        return Err(format!("\"headers\": {name:?} is not a valid header name"));
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(format!(
            "\"headers\": the value of {name:?} ({value:?}) is not a valid header value"
        ));
    }
    Ok(())
}

impl TryFrom<Spec> for Fault {
    type Error = String;

    fn try_from(mut spec: Spec) -> Result<Self, String> {
        if spec.kind == FaultKind::RateLimit && spec.retry_after.is_none() {
            spec.retry_after = Some(DEFAULT_RETRY_AFTER);
        }
        let fault = Fault(spec);
        fault.check()?;
        Ok(fault)
    }
}

impl From<Fault> for Spec {
    fn from(fault: Fault) -> Spec {
        fault.0
    }
}

/// Identifies a fault added to a mock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct FaultId(pub(crate) u64);

impl FaultId {
    /// The number the admin API reports as `id`.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
