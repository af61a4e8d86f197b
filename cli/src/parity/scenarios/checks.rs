//! Scenarios of what every endpoint checks before its business rules: validation of bodies and
//! queries, malformed JSON, unknown routes, and the API key (docs/api.md §1.2, §1.4, §1.5, §5.4).

use super::{delete, get, post, Scenario};

pub const SCENARIOS: [&Scenario; 2] = [&VALIDATION_ERRORS, &AUTH];

const VALIDATION_ERRORS: Scenario = Scenario {
    name: "validation-errors",
    covers: "bodies and queries are validated before anything else: fields in the table's order, \
             one error per field, unknown properties last; malformed JSON; unknown routes",
    steps: &[
        post("no-accounts", "/accounts", r#"{}"#),
        post("empty-accounts", "/accounts", r#"{"accounts": []}"#),
        post(
            "item-errors",
            "/accounts",
            r#"{"accounts": [{"name": ""},
                {"domain": 7, "name": "Seven {run}", "tags": ["a", 1], "customFields": [], "color": "red"}],
                "upsert": "yes", "segmentId": null, "extra": 1}"#,
        ),
        post(
            "array-item",
            "/accounts",
            r#"{"accounts": [["{run}-x.com"]]}"#,
        )
        .decided(),
        post(
            "malformed-json",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-x.com",]}"#,
        )
        .decided(),
        get(
            "bad-queries",
            "/accounts?limit=abc&cursor=xyz&lastSync=soon&domains=acme.com&page=1",
        ),
        get("limit-over-1000", "/accounts?limit=1001").decided(),
        delete("unknown-route", "/accounts"),
    ],
};

const AUTH: Scenario = Scenario {
    name: "auth",
    covers: "every request needs a known X-Api-Key (401 otherwise, nothing written); routing \
             comes first; the catalogues need the key too",
    steps: &[
        get("no-key", "/segments").without_key(),
        get("wrong-key", "/segments").with_wrong_key(),
        post(
            "write-without-key",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-nokey.com", "name": "No Key {run}"}]}"#,
        )
        .without_key(),
        get(
            "nothing-written",
            r#"/accounts?domains=["{run}-nokey.com"]"#,
        ),
        get("unknown-route-without-key", "/nothing-here").without_key(),
        get("catalogue-without-key", "/journey-stages")
            .without_key()
            .decided(),
        get("journey-stages", "/journey-stages").observed(),
    ],
};
