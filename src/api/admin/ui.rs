//! The web page at `GET /_mock/ui` (docs/control.md, "The web page"): its files, compiled into
//! the binary from `ui/`, served as they are with headers that let the browser run nothing
//! but them. The files hold no data: the page reads everything through the admin API, whose
//! token guards it (docs/decisions.md, "The web page", says why the shell itself is served without it).

use bytes::Bytes;
use http::{header, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;

/// Where the page is; its files are under it (`/_mock/ui/app.js`).
const UI_PATH: &str = "/_mock/ui";

const HTML: &str = "text/html; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JSON: &str = "application/json";

/// Each file of the page: its name under [`UI_PATH`] (`""` for the page), type and bytes.
const FILES: &[(&str, &str, &str)] = &[
    ("", HTML, include_str!("../../../ui/index.html")),
    ("style.css", CSS, include_str!("../../../ui/style.css")),
    ("app.js", JS, include_str!("../../../ui/app.js")),
    ("api.js", JS, include_str!("../../../ui/api.js")),
    ("dom.js", JS, include_str!("../../../ui/dom.js")),
    ("journal.js", JS, include_str!("../../../ui/journal.js")),
    ("teams.js", JS, include_str!("../../../ui/teams.js")),
    ("faults.js", JS, include_str!("../../../ui/faults.js")),
    ("state.js", JS, include_str!("../../../ui/state.js")),
];

/// Scripts, styles and API calls from the mock itself only: no inline script, no other
/// origin, no frame around the page. Request data is only ever written as text, and this
/// policy would stop a script that slipped in anyway.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The page's file for a `GET` of `path`, or `None` when `path` is not one of them (the admin
/// API answers it, as any other path). `auth.json` tells the page whether the mock has an
/// admin token (`token_required`), so that it asks for the token before its first call
/// rather than after a refusal; a refusal would tell anyone the same.
pub(super) fn serve(
    request: &Request<Bytes>,
    token_required: bool,
) -> Option<Response<Full<Bytes>>> {
    if request.method() != http::Method::GET {
        return None;
    }
    let rest = request.uri().path().strip_prefix(UI_PATH)?;
    let name = match rest {
        "" | "/" => "",
        _ => rest.strip_prefix('/')?,
    };
    let (content_type, body) = file(name, token_required)?;
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Some(response)
}

/// The type and bytes of the page's file `name`.
fn file(name: &str, token_required: bool) -> Option<(&'static str, Bytes)> {
    if name == "auth.json" {
        let answer = format!(r#"{{"tokenRequired":{token_required}}}"#);
        return Some((JSON, Bytes::from(answer)));
    }
    let (_, content_type, text) = FILES.iter().find(|(file, _, _)| *file == name)?;
    Some((content_type, Bytes::from_static(text.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Option<Response<Full<Bytes>>> {
        serve(&Request::get(path).body(Bytes::new()).unwrap(), true)
    }

    #[test]
    fn the_page_and_each_of_its_files_are_served_with_their_type_and_policy() {
        for (name, content_type, _) in FILES {
            let path = match *name {
                "" => UI_PATH.to_string(),
                name => format!("{UI_PATH}/{name}"),
            };
            let response = get(&path).unwrap_or_else(|| panic!("{path} is served"));
            assert_eq!(response.headers()[header::CONTENT_TYPE], *content_type);
            assert_eq!(response.headers()[header::CONTENT_SECURITY_POLICY], POLICY);
        }
        assert!(get("/_mock/ui/").is_some());
    }

    #[test]
    fn other_paths_and_methods_are_left_to_the_admin_api() {
        assert!(get("/_mock/uix").is_none());
        assert!(get("/_mock/ui/missing.js").is_none());
        assert!(get("/_mock/ui/app.js/").is_none());
        assert!(get("/_mock/health").is_none());
        let post = Request::post(UI_PATH).body(Bytes::new()).unwrap();
        assert!(serve(&post, false).is_none());
    }

    #[test]
    fn auth_json_says_whether_the_mock_has_a_token_and_nothing_else() {
        let asked = |token_required| {
            let request = Request::get("/_mock/ui/auth.json")
                .body(Bytes::new())
                .unwrap();
            let response = serve(&request, token_required).expect("served");
            assert_eq!(response.headers()[header::CONTENT_TYPE], JSON);
            let (_, body) = file("auth.json", token_required).expect("a file");
            String::from_utf8(body.to_vec()).unwrap()
        };
        assert_eq!(asked(true), r#"{"tokenRequired":true}"#);
        assert_eq!(asked(false), r#"{"tokenRequired":false}"#);
    }

    #[test]
    fn the_page_loads_its_scripts_from_the_mock_and_has_no_inline_script() {
        let page = FILES[0].2;
        assert!(page.contains(r#"src="/_mock/ui/app.js""#));
        let inline = page.split("<script").skip(1).any(|tag| {
            let open = tag.split('>').next().unwrap_or_default();
            !open.contains("src=")
        });
        assert!(!inline, "every script of the page is a file of its own");
    }
}
