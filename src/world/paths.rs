//! The one path grammar that faults, expectations and journal filters share: a path names API
//! routes with or without the `/api/v1` prefix, is compared with a request's path without its
//! query (one trailing `/` tolerated on either side, as the router tolerates it; percent-escapes
//! decoded and an `:rtp_aid` in either case, as the router reads them), and may end in `*` (a
//! prefix). A fault or an expectation whose path no route can ever match is refused when it is
//! registered, with the routes listed: one that can never fire must not pass silently.

use std::borrow::Cow;

use crate::api::{API_PREFIX, ROUTES};

/// `pattern` in its one form: `/api/v1` added where it is missing; `*` alone (every path)
/// kept.
///
/// # Errors
/// A sentence naming the fix: for a path with a query or fragment (`?`, `#`: paths are
/// compared without them), or one that does not start with `/`.
pub(crate) fn normalize(pattern: &str) -> Result<String, String> {
    if pattern == "*" {
        return Ok(pattern.to_string());
    }
    if pattern.contains(['?', '#']) {
        return Err(format!(
            "path '{pattern}' has a query: paths are compared without their query string, so \
             it could never match; give the path alone"
        ));
    }
    if !pattern.starts_with('/') {
        return Err(format!("path '{pattern}' must start with \"/\""));
    }
    let under_api =
        pattern == API_PREFIX || pattern.starts_with("/api/v1/") || pattern.starts_with("/api/v1*");
    let full = match under_api {
        true => pattern.to_string(),
        false => format!("{API_PREFIX}{pattern}"),
    };
    // The one trailing `/` the router tolerates is dropped from an exact pattern, so that
    // `/segments/` names the route `/segments` serves (and matches either request).
    let full = match full.strip_suffix('/') {
        Some(trimmed) if trimmed.len() > API_PREFIX.len() => trimmed.to_string(),
        _ => full,
    };
    Ok(canonical(&full).into_owned())
}

/// `path` as the router reads it, for comparing: percent-escapes decoded (`%36` is `6`), and
/// the id of `/api/v1/accounts/:rtp_aid` lower-cased when it is 24 hex digits (the router
/// finds the account in either case). Borrowed when nothing changes, as for most requests.
pub(crate) fn canonical(path: &str) -> Cow<'_, str> {
    let decoded: Cow<'_, str> = match path.contains('%') {
        true => Cow::Owned(
            path.split('/')
                .map(crate::api::decode_path_segment)
                .collect::<Vec<_>>()
                .join("/"),
        ),
        false => Cow::Borrowed(path),
    };
    let id = decoded
        .strip_prefix("/api/v1/accounts/")
        .map(|id| id.strip_suffix('/').unwrap_or(id));
    match id {
        Some(id)
            if id.len() == 24
                && id.bytes().all(|b| b.is_ascii_hexdigit())
                && id.bytes().any(|b| b.is_ascii_uppercase()) =>
        {
            Cow::Owned(decoded.to_ascii_lowercase())
        }
        _ => decoded,
    }
}

/// [`normalize`]s `pattern`, then refuses it if no API route (of `method`, when given) can
/// ever match it.
///
/// # Errors
/// As [`normalize`], or a sentence listing the routes when nothing can match.
pub(crate) fn registrable(method: Option<&str>, pattern: &str) -> Result<String, String> {
    let normalized = normalize(pattern)?;
    let reachable = ROUTES.iter().any(|(route_method, template)| {
        method.is_none_or(|wanted| wanted.eq_ignore_ascii_case(route_method))
            && can_match(&normalized, template)
    });
    if reachable {
        return Ok(normalized);
    }
    let routes: Vec<String> = ROUTES
        .iter()
        .map(|(method, template)| format!("{method} {template}"))
        .collect();
    let what = match method {
        Some(method) => format!("{} {normalized}", method.to_ascii_uppercase()),
        None => normalized.clone(),
    };
    Err(format!(
        "no API route can ever match {what}, so it would never fire; the routes are: {} \
         (paths may leave out /api/v1, and end in * for a prefix)",
        routes.join(", ")
    ))
}

/// Whether the path `pattern` matches `path` (a request's, without query, read as
/// [`canonical`] reads it). A pattern without
/// the `/api/v1` prefix is read with it (as [`normalize`] writes it), so a filter built by hand
/// follows the same grammar.
pub(crate) fn matches(pattern: &str, path: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let path = canonical(path);
    let path = path.as_ref();
    let path = match pattern.starts_with(API_PREFIX) {
        true => path,
        false => match path.strip_prefix(API_PREFIX) {
            Some(rest) => rest,
            None => return false,
        },
    };
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => path == pattern || path.strip_suffix('/') == Some(pattern),
    }
}

/// Whether `pattern` matches `path` as written, without the `/api/v1` it is otherwise read
/// with: how a journal filter finds a request outside the API (a 404) by its own path.
pub(crate) fn matches_as_written(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => path == pattern || path.strip_suffix('/') == Some(pattern),
    }
}

/// Whether some path the route `template` serves (`:rtp_aid` standing for one non-empty
/// segment, one trailing `/` allowed) matches `pattern`.
fn can_match(pattern: &str, template: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (fixed, with_id) = match template.strip_suffix(":rtp_aid") {
        Some(fixed) => (fixed, true),
        None => (template, false),
    };
    match pattern.strip_suffix('*') {
        // A prefix: some served path starts with it.
        Some(prefix) if !with_id => format!("{fixed}/").starts_with(prefix),
        Some(prefix) => match prefix.strip_prefix(fixed) {
            None => fixed.starts_with(prefix),
            Some(id) => is_id(id.strip_suffix('/').unwrap_or(id)) || id.is_empty(),
        },
        None => {
            let path = pattern.strip_suffix('/').unwrap_or(pattern);
            match with_id {
                false => path == fixed,
                true => path.strip_prefix(fixed).is_some_and(is_id),
            }
        }
    }
}

/// One non-empty path segment.
fn is_id(segment: &str) -> bool {
    !segment.is_empty() && !segment.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_without_the_api_prefix_names_the_same_routes() {
        assert_eq!(normalize("/accounts").unwrap(), "/api/v1/accounts");
        assert_eq!(normalize("/api/v1/accounts").unwrap(), "/api/v1/accounts");
        assert_eq!(normalize("/segments*").unwrap(), "/api/v1/segments*");
        assert_eq!(normalize("/api/v1*").unwrap(), "/api/v1*");
        assert_eq!(normalize("*").unwrap(), "*");
    }

    #[test]
    fn a_path_with_a_query_is_refused_as_it_could_never_match() {
        let error = normalize("/accounts?lastSync=2024-01-01").unwrap_err();
        assert!(error.contains("has a query"), "{error}");
        assert!(registrable(None, "/api/v1/segments#x").is_err());
    }

    #[test]
    fn a_path_no_route_serves_is_refused_with_the_routes_listed() {
        let error = registrable(None, "/acounts").unwrap_err();
        assert!(error.contains("no API route can ever match /api/v1/acounts"));
        assert!(error.contains("POST /api/v1/accounts"), "{error}");
        assert!(registrable(Some("GET"), "/deals").is_err());
        assert!(registrable(Some("DELETE"), "/accounts").is_err());
        assert!(registrable(None, "/s/team/api/v1/accounts").is_err());
        assert!(registrable(None, "/api/v2*").is_err());
    }

    #[test]
    fn every_served_path_is_registrable_exactly_and_as_a_prefix() {
        for (method, path) in [
            ("POST", "/accounts"),
            ("GET", "/accounts/"),
            ("PUT", "/accounts/6650f1c2a9b0c1d2e3f4a5b6"),
            ("PUT", "/api/v1/accounts/x/"),
            ("PATCH", "/accounts/external-ids"),
            ("GET", "/accounts/missing-external-ids"),
            ("GET", "/accounts/custom-fields"),
            ("POST", "/accounts/custom-field"),
            ("GET", "/segments"),
            ("POST", "/deals"),
            ("GET", "/deal-stages"),
            ("POST", "/sales-activities"),
            ("GET", "/journey-stages"),
        ] {
            assert!(registrable(Some(method), path).is_ok(), "{method} {path}");
        }
        for prefix in [
            "/acc*",
            "/accounts/*",
            "/accounts/65*",
            "/api/v1*",
            "/api/v1/*",
            "/*",
        ] {
            assert!(registrable(None, prefix).is_ok(), "{prefix}");
        }
        assert!(registrable(Some("PUT"), "/accounts/x/y").is_err());
        assert!(registrable(Some("PUT"), "/accounts/x/y*").is_err());
    }

    #[test]
    fn a_pattern_with_a_trailing_slash_names_the_route_and_matches_either_request() {
        let pattern = normalize("/segments/").unwrap();
        assert_eq!(pattern, "/api/v1/segments");
        assert!(matches(&pattern, "/api/v1/segments"));
        assert!(matches(&pattern, "/api/v1/segments/"));
        assert_eq!(normalize("/api/v1/").unwrap(), "/api/v1/");
    }

    #[test]
    fn an_id_in_upper_case_or_percent_encoded_matches_as_the_router_reads_it() {
        let pattern = normalize("/accounts/6650F1C2A9B0C1D2E3F4A5B6").unwrap();
        assert_eq!(pattern, "/api/v1/accounts/6650f1c2a9b0c1d2e3f4a5b6");
        assert!(matches(
            &pattern,
            "/api/v1/accounts/6650F1C2A9B0C1D2E3F4A5B6"
        ));
        assert!(matches(
            &pattern,
            "/api/v1/accounts/%36650f1c2a9b0c1d2e3f4a5b6"
        ));
        assert!(!matches(
            &pattern,
            "/api/v1/accounts/6650f1c2a9b0c1d2e3f4a5b7"
        ));
    }

    #[test]
    fn a_pattern_matches_with_one_trailing_slash_and_as_a_prefix() {
        assert!(matches("/api/v1/accounts", "/api/v1/accounts/"));
        assert!(!matches("/api/v1/accounts", "/api/v1/accounts/x"));
        assert!(matches("/api/v1/accounts*", "/api/v1/accounts/x"));
        assert!(matches("*", "/anything"));
        assert!(matches("/accounts", "/api/v1/accounts"));
        assert!(matches("/seg*", "/api/v1/segments"));
        assert!(!matches("/accounts", "/accounts"));
    }
}
