//! What the parity tests expect: the scenarios, and the differences README's fidelity table
//! predicts between the `documented` emulator and a `sandbox` target, step by step.

use std::collections::BTreeSet;

/// Every scenario, in the order they run.
pub const SCENARIOS: [&str; 15] = [
    "create",
    "duplicate",
    "upsert",
    "unknown-custom-field",
    "segment-validation",
    "listing-and-delta-sync",
    "put",
    "external-ids",
    "missing-external-ids",
    "custom-fields",
    "deals",
    "deal-stages",
    "activities",
    "validation-errors",
    "auth",
];

/// The steps answered with an error (documented: with `data`; sandbox: without).
const ERROR_STEPS: [&str; 31] = [
    "segment-validation/unknown-segment",
    "segment-validation/segment-id-not-a-string",
    "segment-validation/limit-zero",
    "segment-validation/unknown-parameter",
    "put/unknown-key",
    "put/malformed-id",
    "put/unknown-account",
    "external-ids/missing-external-id",
    "missing-external-ids/cursor-refused",
    "custom-fields/duplicate",
    "custom-fields/selection-without-options",
    "custom-fields/bad-definition",
    "deals/invalid",
    "deals/empty",
    "deal-stages/conflict",
    "deal-stages/invalid",
    "activities/malformed-contact-email",
    "activities/missing-fields",
    "validation-errors/no-accounts",
    "validation-errors/empty-accounts",
    "validation-errors/item-errors",
    "validation-errors/array-item",
    "validation-errors/malformed-json",
    "validation-errors/bad-queries",
    "validation-errors/limit-over-1000",
    "validation-errors/unknown-route",
    "auth/no-key",
    "auth/wrong-key",
    "auth/write-without-key",
    "auth/unknown-route-without-key",
    "auth/catalogue-without-key",
];

/// The `GET /accounts` steps and how many rows each lists (names and times differ per row).
const ROW_STEPS: [(&str, usize); 9] = [
    ("create/rows", 2),
    ("duplicate/rows", 2),
    ("upsert/rows", 2),
    ("listing-and-delta-sync/first-page", 2),
    ("listing-and-delta-sync/second-page", 1),
    ("listing-and-delta-sync/since-last-sync", 1),
    ("put/rows", 1),
    ("external-ids/rows", 2),
    ("custom-fields/rows", 1),
];

/// The rows the fidelity table predicts between the `documented` profile and the `sandbox`
/// profile, as (scenario/step, path, documented, sandbox); `*` stands for any value.
pub fn fidelity_rows() -> BTreeSet<(String, String, String, String)> {
    let mut rows = BTreeSet::new();
    let mut add = |step: &str, path: &str, emulator: &str, target: &str| {
        rows.insert((step.into(), path.into(), emulator.into(), target.into()));
    };
    // Error bodies carry no `data` key in the sandbox.
    for step in ERROR_STEPS {
        add(step, "/data", "*", "(absent)");
    }
    // Names lower-cased, rtp_last_account_date without milliseconds, in every GET /accounts row.
    for (step, rows) in ROW_STEPS {
        for row in 0..rows {
            add(step, &format!("/data/data/{row}/name"), "*", "*");
            add(
                step,
                &format!("/data/data/{row}/rtp_last_account_date"),
                "\"<timestamp YYYY-MM-DDTHH:MM:SS.fffZ>\"",
                "\"<timestamp YYYY-MM-DDTHH:MM:SSZ>\"",
            );
        }
    }
    // PUT /accounts/:rtp_aid with a property besides customFields: 400 refused, 200 ignored.
    add("put/extra-property", "status", "400", "200");
    add("put/extra-property", "/statusCode", "400", "200");
    add(
        "put/extra-property",
        "/message",
        "\"Bad Request\"",
        "(absent)",
    );
    // The refusal's validation array (cut in the table) against the success's message.
    add(
        "put/extra-property",
        "/data",
        "*",
        "{\"message\":\"Account updated successfully\"}",
    );
    rows
}
