//! The `data` of a `POST /accounts` answer (docs/api.md §2.1), written straight to bytes: the
//! keys and statuses are constant text and the ids are hex, so only the domains and error
//! messages go through the JSON string writer.

use crate::fidelity::jsjson::write_str;
use crate::store::{ItemResult, ItemStatus};

/// `{"results":[{"rtp_aid","domain","status"[,"error"]},…],"summary":{"total","created",
/// "updated","failed"}}`, byte for byte what serde_json with `JSON.stringify`'s formatter
/// writes for the same shape (a unit test holds the two together). A result without an id
/// (a domain that did not clean) has `"rtp_aid":null`.
pub(super) fn create_response(results: &[ItemResult]) -> Vec<u8> {
    // An item is about 90 bytes with a typical domain; room for that avoids regrowing.
    let mut out = Vec::with_capacity(96 * results.len() + 96);
    out.extend_from_slice(b"{\"results\":[");
    for (at, result) in results.iter().enumerate() {
        if at > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"rtp_aid\":");
        match result.rtp_aid {
            Some(id) => {
                out.push(b'"');
                out.extend_from_slice(&id.hex());
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"domain\":");
        write_str(&mut out, &result.domain);
        out.extend_from_slice(b",\"status\":\"");
        out.extend_from_slice(status_name(result.status).as_bytes());
        out.push(b'"');
        if let Some(error) = &result.error {
            out.extend_from_slice(b",\"error\":");
            write_str(&mut out, error);
        }
        out.push(b'}');
    }
    let count = |status| results.iter().filter(|r| r.status == status).count();
    let summary = format!(
        "],\"summary\":{{\"total\":{},\"created\":{},\"updated\":{},\"failed\":{}}}}}",
        results.len(),
        count(ItemStatus::Created),
        count(ItemStatus::Updated),
        count(ItemStatus::Failed),
    );
    out.extend_from_slice(summary.as_bytes());
    out
}

/// The status as the API writes it.
fn status_name(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Created => "created",
        ItemStatus::Updated => "updated",
        ItemStatus::Failed => "failed",
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use serde::Serialize;

    use super::*;
    use crate::data::model::ObjectId;
    use crate::fidelity::jsjson::surrogate_char;

    /// The answer's shape as serde would write it, the reference for the hand-written one.
    #[derive(Serialize)]
    struct CreateResponse<'a> {
        results: &'a [ItemResult<'a>],
        summary: Summary,
    }

    #[derive(Serialize)]
    struct Summary {
        total: usize,
        created: usize,
        updated: usize,
        failed: usize,
    }

    fn by_serde(results: &[ItemResult]) -> String {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        let response = CreateResponse {
            results,
            summary: Summary {
                total: results.len(),
                created: count(ItemStatus::Created),
                updated: count(ItemStatus::Updated),
                failed: count(ItemStatus::Failed),
            },
        };
        String::from_utf8(crate::fidelity::jsjson::to_vec(&response)).unwrap()
    }

    fn result(
        id: Option<u8>,
        domain: &str,
        status: ItemStatus,
        error: Option<&str>,
    ) -> ItemResult<'static> {
        ItemResult {
            rtp_aid: id.map(|byte| {
                format!("{byte:02x}")
                    .repeat(12)
                    .parse::<ObjectId>()
                    .unwrap()
            }),
            domain: Cow::Owned(domain.to_string()),
            status,
            error: error.map(str::to_string),
        }
    }

    #[test]
    fn the_written_answer_is_what_serde_writes() {
        let lone = format!("{}.com", surrogate_char(0xD83D));
        let cases = vec![
            vec![],
            vec![result(Some(0xab), "acme.com", ItemStatus::Created, None)],
            vec![
                result(Some(1), "acme.com", ItemStatus::Updated, None),
                result(None, " ", ItemStatus::Failed, Some("Invalid domain ' '")),
                result(
                    Some(2),
                    "a\"b\\c\n.com",
                    ItemStatus::Failed,
                    Some("it's \"x\""),
                ),
                result(Some(3), &lone, ItemStatus::Failed, Some(&lone)),
                result(
                    Some(0xff),
                    "caf\u{e9}.com\u{2028}",
                    ItemStatus::Created,
                    None,
                ),
            ],
        ];
        for results in cases {
            let written = String::from_utf8(create_response(&results)).unwrap();
            assert_eq!(written, by_serde(&results));
        }
    }
}
