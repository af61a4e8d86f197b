//! CORS (`--cors`, `--cors-origin`, off by default): a preflight is answered here, and every
//! answer says which origin may read it, so that a web page served from another origin can call
//! the mock. With `--cors` alone any origin may, as `*` (which browsers refuse for requests with
//! credentials); with `--cors-origin` the listed origins are named, with credentials allowed,
//! and others get no CORS headers. Never on unless asked: the admin API would be reachable from
//! any page too.

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use http_body_util::Full;

/// Whether `method` and `headers` make a CORS preflight: `OPTIONS` with `Origin` and
/// `Access-Control-Request-Method`.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(ORIGIN)
        && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// `204` allowing the page's origin (see [`allow`]), the API's methods, and the headers the
/// page asked for.
pub fn preflight(request: &HeaderMap, origins: &[String]) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    if !allow(request, origins, &mut response) {
        return response;
    }
    let answer = response.headers_mut();
    answer.insert(
        ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
    );
    let asked = request
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("Content-Type, X-Api-Key"));
    answer.insert(ACCESS_CONTROL_ALLOW_HEADERS, asked);
    answer.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// Lets the request's page read `response` (`Retry-After` included): any origin as `*` when
/// `origins` is empty, else the request's `Origin` by name, with credentials, if it is listed.
/// Returns whether the origin was allowed.
pub fn allow(
    request: &HeaderMap,
    origins: &[String],
    response: &mut Response<Full<Bytes>>,
) -> bool {
    let headers = response.headers_mut();
    if origins.is_empty() {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    } else {
        // The answer depends on the Origin: caches must not give it to another page.
        headers.append(VARY, HeaderValue::from_static("Origin"));
        let sent = request.get(ORIGIN);
        let listed = sent.filter(|sent| {
            origins
                .iter()
                .any(|origin| origin.as_bytes() == sent.as_bytes())
        });
        let Some(origin) = listed else {
            return false;
        };
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    headers.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Retry-After"),
    );
    true
}
