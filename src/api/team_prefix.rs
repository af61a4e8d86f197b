//! A team's own base URL, `/s/<team>/api/v1`: every request under it belongs to that team
//! whatever key it carries (a missing, wrong or other team's key is still answered `401`, and
//! journaled, reported and counted for that team). The server strips the prefix before anything
//! reads the request, so the journal, faults, expectations and the envelope's `path` see
//! `/api/v1/...`; the prefix rides along as [`TeamPrefix`].

use http::request::Parts;
use http::{header, Uri};

use super::{SentTarget, API_PREFIX};
use crate::world::shared::Shared;

/// Where a team's own base URLs start.
const TEAM_ROOT: &str = "/s/";

/// The team whose base URL a request arrived under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TeamPrefix {
    /// The team's name, percent-decoded.
    pub team: String,
    /// `/s/<segment>` as sent.
    arrived_under: String,
}

impl TeamPrefix {
    /// `/s/<team>` as the client sent it.
    pub fn arrived_under(&self) -> &str {
        &self.arrived_under
    }
}

/// If `parts` is a request under `/s/<team>/api/v1` of a team that exists, strips
/// `/s/<team>` from its target (and from the target as sent) and notes the team. A request
/// under `/s/<unknown team>/...` is left as it is, so the router answers it `404 Cannot ...`
/// as any unknown route.
pub(crate) fn strip(shared: &Shared, parts: &mut Parts) {
    let Some((segment, rest)) = split(parts.uri.path()) else {
        return;
    };
    let team = super::query::decode_path_segment(segment);
    if shared.world().store.team(&team).is_none() {
        return;
    }
    let prefix = TeamPrefix {
        team,
        arrived_under: format!("{TEAM_ROOT}{segment}"),
    };
    let cut = prefix.arrived_under.len();
    let target = parts.uri.path_and_query().map_or("/", |t| t.as_str());
    debug_assert!(rest.starts_with(API_PREFIX));
    let Ok(uri) = Uri::try_from(&target[cut..]) else {
        return;
    };
    if let Some(SentTarget(sent)) = parts.extensions.get_mut::<SentTarget>() {
        // The target as sent starts with the same bytes as the path hyper read, the prefix
        // holding none that the socket had to encode (a team name it encoded is not split).
        if sent.starts_with(&prefix.arrived_under) {
            sent.drain(..cut);
        }
    }
    parts.uri = uri;
    parts.extensions.insert(prefix);
}

/// `/s/<segment>/api/v1...` → (`segment`, `/api/v1...`).
fn split(path: &str) -> Option<(&str, &str)> {
    let after = path.strip_prefix(TEAM_ROOT)?;
    let slash = after.find('/')?;
    let (segment, rest) = after.split_at(slash);
    let under_api = rest == API_PREFIX || rest.starts_with("/api/v1/");
    (!segment.is_empty() && under_api).then_some((segment, rest))
}

/// A team's own base URL, `http://HOST:PORT/s/<team>/api/v1`, with HOST:PORT as the client
/// reached the mock: the `Host` header (HTTP/1.1) or the target's authority (HTTP/2's
/// `:authority`), with the port the mock is on added when it names none; else `listening`,
/// the address the connection came in on (HTTP/1.0 without `Host`).
pub(crate) fn base_url(
    uri: &Uri,
    headers: &http::HeaderMap,
    listening: Option<std::net::SocketAddr>,
    team: &str,
) -> String {
    let sent = uri.authority().map(|a| a.as_str().to_string()).or_else(|| {
        headers
            .get(header::HOST)
            .and_then(|host| host.to_str().ok())
            .map(str::to_string)
    });
    let port = listening.map(|address| address.port());
    let host = match (sent.filter(|host| !host.is_empty()), listening) {
        (Some(host), _) => match host.parse::<http::uri::Authority>() {
            Ok(authority) if authority.port().is_none() => match port {
                Some(port) => format!("{}:{port}", authority.host()),
                None => host,
            },
            _ => host,
        },
        (None, Some(address)) => address.to_string(),
        (None, None) => "127.0.0.1".to_string(),
    };
    let team = percent_encoding::utf8_percent_encode(team, SEGMENT).to_string();
    format!("http://{host}{TEAM_ROOT}{team}{API_PREFIX}")
}

/// What a path segment must encode (RFC 3986's path characters stay as they are).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The address a connection came in on, which the server notes on each request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Listening(pub std::net::SocketAddr);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_under_a_teams_api_prefix_are_split() {
        assert_eq!(
            split("/s/s-1/api/v1/accounts"),
            Some(("s-1", "/api/v1/accounts"))
        );
        assert_eq!(split("/s/s-1/api/v1"), Some(("s-1", "/api/v1")));
        assert_eq!(split("/s/s-1/api/v10"), None);
        assert_eq!(split("/s//api/v1/accounts"), None);
        assert_eq!(split("/s/s-1/other"), None);
        assert_eq!(split("/api/v1/accounts"), None);
    }

    #[test]
    fn the_base_url_keeps_the_port_the_client_used_or_adds_the_mocks() {
        let listening = "127.0.0.1:4000".parse().ok();
        let uri = Uri::from_static("/_mock/sessions");
        let mut headers = http::HeaderMap::new();
        assert_eq!(
            base_url(&uri, &headers, listening, "s-1"),
            "http://127.0.0.1:4000/s/s-1/api/v1"
        );
        headers.insert(header::HOST, "localhost".parse().unwrap());
        assert_eq!(
            base_url(&uri, &headers, listening, "s-1"),
            "http://localhost:4000/s/s-1/api/v1"
        );
        headers.insert(header::HOST, "mock:8080".parse().unwrap());
        assert_eq!(
            base_url(&uri, &headers, listening, "a b"),
            "http://mock:8080/s/a%20b/api/v1"
        );
        let h2 = Uri::from_static("http://[::1]:5000/_mock/sessions");
        assert_eq!(
            base_url(&h2, &http::HeaderMap::new(), listening, "s-1"),
            "http://[::1]:5000/s/s-1/api/v1"
        );
    }
}
