//! `GET /api/v1/segments` (docs/api.md §3.1): static, active-or-draft segments, keyset-paginated.

use serde::Serialize;

use super::envelope::{Failure, Reply};
use super::{work, Call, Work};
use crate::fidelity::validate::{Constraint, Validator};
use crate::store::SegmentRow;

/// `GET /segments`.
pub fn list<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let mut v = Validator::new();
    let limit = call.query.limit(&mut v);
    // Any non-empty string is a cursor here: ids may be the test's own. An empty `cursor=`
    // means "from the start" [choice].
    let cursor = match call.query.single("cursor") {
        None => None,
        Some(Ok(cursor)) => Some(cursor).filter(|cursor| !cursor.is_empty()),
        Some(Err(())) => {
            v.fail("cursor", Constraint::IsString);
            None
        }
    };
    call.query.reject_unknown(&mut v, &["limit", "cursor"]);
    let (limit, cursor) = v.finish((limit, cursor)).map_err(Failure::Violations)?;
    let cursor = cursor.map(str::to_string);
    work(move |tx| {
        let page = tx
            .world
            .store
            .list_segments(tx.team, limit, cursor.as_deref());
        Ok(Reply::ok(&SegmentPage {
            data: &page.rows,
            next_cursor: page.next_cursor.as_deref(),
            has_next_page: page.has_next_page,
        }))
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SegmentPage<'a> {
    data: &'a [SegmentRow],
    next_cursor: Option<&'a str>,
    has_next_page: bool,
}
