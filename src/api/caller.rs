//! Who sent a request, resolved once per request under the world's lock: the `X-Api-Key` it
//! carries, the team that key authenticates, and the team the request belongs to (a team's own
//! base URL wins over the key). Every stage reads it from here: the journal, faults, the clock
//! and profile, the rate limiter and authentication.

use std::borrow::Cow;

use bytes::Bytes;
use http::{HeaderMap, Request, StatusCode};

use super::envelope::Failure;
use super::TeamPrefix;
use crate::world::World;

/// The sender of one request, as far as the mock knows it.
#[derive(Debug)]
pub(crate) struct Caller<'r> {
    /// The key sent: `None` when none was; `Some(Err)` for bytes that are not UTF-8.
    key: Option<Result<Cow<'r, str>, ()>>,
    /// The team the key authenticates, if it is a known and current key.
    key_team: Option<String>,
    /// The team whose own base URL the request arrived under, if any.
    prefix: Option<&'r TeamPrefix>,
    /// Whether that team still exists (a session may be deleted meanwhile).
    prefix_team_exists: bool,
}

impl<'r> Caller<'r> {
    /// Reads the request's key and base URL against `world`: once per request.
    pub fn resolve(world: &World, request: &'r Request<Bytes>) -> Self {
        let key = sent_api_key(request.headers());
        let key_team = key
            .as_ref()
            .and_then(|key| key.as_ref().ok())
            .and_then(|key| world.store.team_for_key(key))
            .map(str::to_string);
        let prefix = request.extensions().get::<TeamPrefix>();
        let prefix_team_exists =
            prefix.is_some_and(|prefix| world.store.team(&prefix.team).is_some());
        Caller {
            key,
            key_team,
            prefix,
            prefix_team_exists,
        }
    }

    /// The team the request belongs to, before authentication refuses a missing or unknown
    /// key: whose clock it reads, which faults may hit it, whose journal it joins. The team of
    /// the base URL it arrived under, else the team its key names.
    pub fn team(&self) -> Option<&str> {
        match self.prefix {
            Some(prefix) => self.prefix_team_exists.then_some(prefix.team.as_str()),
            None => self.key_team.as_deref(),
        }
    }

    /// The team the key authenticates, whatever base URL the request arrived under.
    pub fn key_team(&self) -> Option<&str> {
        self.key_team.as_deref()
    }

    /// The key, when it names a team (the rate limiter's bucket).
    pub fn known_key(&self) -> Option<&str> {
        self.key_team.as_ref()?;
        self.key.as_ref()?.as_deref().ok()
    }

    /// The team the request is served as (docs/api.md §1.2): its key's. Under a team's own
    /// base URL the key must be one of that team's: any other is `Invalid API key`.
    ///
    /// # Errors
    /// `401` `X-Api-Key header is required` without a key, `Invalid API key` for any other.
    pub fn authenticated(&self) -> Result<&str, Failure> {
        let unauthorized = |custom: &str| {
            Failure::MessageAndCustom(
                StatusCode::UNAUTHORIZED,
                "Unauthorized access".to_string(),
                custom.to_string(),
            )
        };
        if self.key.is_none() {
            return Err(unauthorized("X-Api-Key header is required"));
        }
        self.key_team
            .as_deref()
            .filter(|team| self.prefix.is_none_or(|prefix| prefix.team == *team))
            .ok_or_else(|| unauthorized("Invalid API key"))
    }
}

/// The `X-Api-Key` the vendor reads: `None` when none was sent. Node joins a header sent more
/// than once with `", "` before anyone reads it, so two keys are one key `a, b`, which is no
/// key (for authentication, the team, the rate limiter alike). Bytes, not `to_str` (which
/// refuses anything outside visible ASCII): a key of the state document may hold UTF-8;
/// `Err` for bytes that are not UTF-8, which name no key.
fn sent_api_key(headers: &HeaderMap) -> Option<Result<Cow<'_, str>, ()>> {
    let mut values = headers.get_all("x-api-key").iter();
    let first = values.next()?;
    let Some(second) = values.next() else {
        // The common case, one header: borrowed, no allocation.
        return Some(
            std::str::from_utf8(first.as_bytes())
                .map(Cow::Borrowed)
                .map_err(drop),
        );
    };
    let mut joined = first.as_bytes().to_vec();
    for value in std::iter::once(second).chain(values) {
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(value.as_bytes());
    }
    Some(String::from_utf8(joined).map(Cow::Owned).map_err(drop))
}
