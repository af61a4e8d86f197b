//! `GET /_mock/openapi.json` serves `openapi/recotap-v1.json` as it is, and that document names
//! every endpoint the emulator routes. Whether the emulator's answers conform to the document
//! is proven by `python/tests/test_openapi_conformance.py`.

use crate::common::*;
use serde_json::Value;

const DOCUMENT: &str = include_str!("../../openapi/recotap-v1.json");

#[test]
fn the_admin_api_serves_the_openapi_file_byte_for_byte_as_json() {
    // Arrange
    let mock = mock();

    // Act
    let response = client()
        .get(format!("{}/_mock/openapi.json", mock.url()))
        .send()
        .expect("the admin API answers");

    // Assert
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap();
    assert_eq!(content_type, "application/json");
    let served = response.bytes().expect("the body is readable");
    assert!(
        served.as_ref() == DOCUMENT.as_bytes(),
        "the served document differs from openapi/recotap-v1.json"
    );
    let document: Value = serde_json::from_slice(&served).expect("the document is JSON");
    assert_eq!(document["openapi"], "3.1.0");
}

#[test]
fn the_document_describes_every_endpoint_the_emulator_routes() {
    // Arrange
    let document: Value = serde_json::from_str(DOCUMENT).expect("the document is JSON");
    let routes = [
        ("post", "/accounts"),
        ("get", "/accounts"),
        ("put", "/accounts/{rtp_aid}"),
        ("patch", "/accounts/external-ids"),
        ("get", "/accounts/missing-external-ids"),
        ("get", "/segments"),
        ("get", "/accounts/custom-fields"),
        ("post", "/accounts/custom-field"),
        ("post", "/deals"),
        ("post", "/deal-stages"),
        ("get", "/deal-stages"),
        ("post", "/sales-activities"),
        ("get", "/journey-stages"),
    ];

    // Act
    let described: Vec<(String, String)> = document["paths"]
        .as_object()
        .expect("paths is an object")
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item is an object");
            methods
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();

    // Assert
    assert_eq!(described.len(), routes.len(), "{described:?}");
    for (method, path) in routes {
        let operation = &document["paths"][path][method];
        assert!(operation.is_object(), "{method} {path} is not described");
        for status in ["400", "401", "404", "413", "429", "500", "default"] {
            assert!(
                operation["responses"][status].is_object(),
                "{method} {path} lacks the {status} response"
            );
        }
    }
}
