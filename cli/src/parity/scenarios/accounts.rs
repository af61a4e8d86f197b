//! Scenarios of `POST /accounts` and `GET /accounts`: create, duplicate, upsert, unknown custom
//! fields, segment checks, listing and delta sync (docs/api.md §2.1, §2.2, §1.7, §1.8, §1.9).

use super::{get, post, Scenario, ROWS_IN_SANDBOX};

pub const SCENARIOS: [&Scenario; 6] = [
    &CREATE,
    &DUPLICATE,
    &UPSERT,
    &UNKNOWN_CUSTOM_FIELD,
    &SEGMENT_VALIDATION,
    &LISTING_AND_DELTA_SYNC,
];

const CREATE: Scenario = Scenario {
    name: "create",
    covers: "POST /accounts creates accounts with cleaned domains, results and summary; an \
             invalid domain fails its item; GET /accounts shows the new rows",
    steps: &[
        post(
            "create-two",
            "/accounts",
            r#"{"accounts": [
                {"domain": "https://www.{run}-acme.com/about", "name": "Acme Corp {run}",
                 "externalId": "crm-{run}-1", "shortName": "Acme",
                 "linkedinUrl": "https://www.linkedin.com/company/acme", "tags": ["enterprise", "q2"]},
                {"domain": " HTTP://{run}-Globex.com:8080/x ", "name": "Globex {run}"}]}"#,
        ),
        post(
            "invalid-domains",
            "/accounts",
            r#"{"accounts": [
                {"domain": "not a domain {run}", "name": "Nowhere {run}", "externalId": "crm-{run}-2"},
                {"domain": "https://{run}-nodot/", "name": "No Dot {run}", "externalId": "crm-{run}-3"}]}"#,
        )
        .decided(),
        get(
            "rows",
            r#"/accounts?domains=["{run}-acme.com","{run}-globex.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
    ],
};

const DUPLICATE: Scenario = Scenario {
    name: "duplicate",
    covers: "POST /accounts without upsert fails an item whose cleaned domain exists, also when \
             an earlier item of the same batch created it; the stored account is unchanged",
    steps: &[
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-initech.com", "name": "Initech {run}", "externalId": "crm-{run}-i"}]}"#,
        ),
        post(
            "again",
            "/accounts",
            r#"{"accounts": [{"domain": "https://{run}-initech.com", "name": "Initech Again {run}", "externalId": "crm-{run}-i2"}]}"#,
        ),
        post(
            "twice-in-one-batch",
            "/accounts",
            r#"{"accounts": [
                {"domain": "{run}-hooli.com", "name": "Hooli {run}", "externalId": "crm-{run}-h"},
                {"domain": "www.{run}-hooli.com", "name": "Hooli Two {run}", "externalId": "crm-{run}-h2"}]}"#,
        ),
        get(
            "rows",
            r#"/accounts?domains=["{run}-initech.com","{run}-hooli.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
    ],
};

const UPSERT: Scenario = Scenario {
    name: "upsert",
    covers: "POST /accounts with upsert: true updates the fields sent, keeps those left out or \
             null, merges custom fields, and still creates new domains",
    steps: &[
        post(
            "create-field",
            "/accounts/custom-field",
            r#"{"label": "Tier {run}", "labelType": "singleLineText"}"#,
        ),
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-umbrella.com", "name": "Umbrella {run}",
                "externalId": "crm-{run}-u", "tags": ["a"], "customFields": {"TIER_{RUN}_C": "gold"}}]}"#,
        ),
        post(
            "upsert",
            "/accounts",
            r#"{"upsert": true, "accounts": [
                {"domain": "https://www.{run}-umbrella.com", "name": "Umbrella Corporation {run}",
                 "externalId": null, "tags": ["b", "c"]},
                {"domain": "{run}-wayne.com", "name": "Wayne {run}", "externalId": "crm-{run}-w"}]}"#,
        ),
        get(
            "rows",
            r#"/accounts?domains=["{run}-umbrella.com","{run}-wayne.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
    ],
};

const UNKNOWN_CUSTOM_FIELD: Scenario = Scenario {
    name: "unknown-custom-field",
    covers: "POST /accounts fails an item naming custom field keys the team does not have, for \
             a new domain (no rtp_aid) and a known one (its rtp_aid)",
    steps: &[
        post(
            "new-domain",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-stark.com", "name": "Stark {run}", "externalId": "crm-{run}-s",
                "customFields": {"NO_SUCH_{RUN}_C": 1, "ALSO_MISSING_{RUN}_C": "x"}}]}"#,
        ),
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-stark.com", "name": "Stark {run}", "externalId": "crm-{run}-s"}]}"#,
        ),
        post(
            "known-domain",
            "/accounts",
            r#"{"upsert": true, "accounts": [{"domain": "{run}-stark.com", "name": "Stark Industries {run}",
                "customFields": {"NO_SUCH_{RUN}_C": 1}}]}"#,
        ),
    ],
};

const SEGMENT_VALIDATION: Scenario = Scenario {
    name: "segment-validation",
    covers: "POST /accounts checks segmentId before any item and refuses the whole request; \
             GET /segments validates its query and pages by cursor",
    steps: &[
        post(
            "unknown-segment",
            "/accounts",
            r#"{"segmentId": "{run}-no-such-segment",
                "accounts": [{"domain": "{run}-cyberdyne.com", "name": "Cyberdyne {run}", "externalId": "crm-{run}-c"}]}"#,
        )
        .decided(),
        get(
            "nothing-created",
            r#"/accounts?domains=["{run}-cyberdyne.com"]"#,
        ),
        post(
            "segment-id-not-a-string",
            "/accounts",
            r#"{"segmentId": 7, "accounts": [{"domain": "{run}-cyberdyne.com", "name": "Cyberdyne {run}"}]}"#,
        ),
        // Segments cannot be created through the API, so the listing is read past every id
        // (`~` sorts after letters and digits): an empty page on any target.
        get("past-every-segment", "/segments?cursor=~&limit=5"),
        get("limit-zero", "/segments?limit=0"),
        get("unknown-parameter", "/segments?page=2"),
    ],
};

const LISTING_AND_DELTA_SYNC: Scenario = Scenario {
    name: "listing-and-delta-sync",
    covers: "GET /accounts filters by cleaned domains, pages with limit and cursor (nextCursor on \
             the last page too), and with lastSync lists only accounts updated after it",
    steps: &[
        post(
            "create-three",
            "/accounts",
            r#"{"accounts": [
                {"domain": "{run}-alpha.com", "name": "Alpha {run}", "externalId": "crm-{run}-a"},
                {"domain": "{run}-beta.com", "name": "Beta {run}", "externalId": "crm-{run}-b"},
                {"domain": "{run}-gamma.com", "name": "Gamma {run}", "externalId": "crm-{run}-g"}]}"#,
        ),
        get(
            "first-page",
            r#"/accounts?limit=2&domains=["{run}-alpha.com","https://www.{run}-beta.com/x","{run}-gamma.com","{run}-alpha.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
        get(
            "second-page",
            r#"/accounts?limit=2&cursor={ref:first-page/data/nextCursor}&domains=["{run}-alpha.com","https://www.{run}-beta.com/x","{run}-gamma.com","{run}-alpha.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX)
        .observed(),
        get(
            "past-the-last-id",
            "/accounts?cursor=ffffffffffffffffffffffff&limit=3",
        ),
        post(
            "update-beta",
            "/accounts",
            r#"{"upsert": true, "accounts": [{"domain": "{run}-beta.com", "name": "Beta Two {run}"}]}"#,
        )
        .settled(),
        get(
            "since-last-sync",
            r#"/accounts?lastSync={ref:second-page/data/syncTimestamp}&domains=["{run}-alpha.com","{run}-beta.com","{run}-gamma.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
        get("no-domains", "/accounts?domains=[]").decided(),
    ],
};
