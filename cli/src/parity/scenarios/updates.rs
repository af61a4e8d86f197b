//! Scenarios of what changes known accounts and the team's custom fields: `PUT /accounts/:id`,
//! external ids, the accounts missing one, custom fields (docs/api.md §2.3, §2.4, §2.5, §4).

use super::{get, patch, post, put, Scenario, ROWS_IN_SANDBOX};

pub const SCENARIOS: [&Scenario; 4] = [&PUT, &EXTERNAL_IDS, &MISSING_EXTERNAL_IDS, &CUSTOM_FIELDS];

const PUT: Scenario = Scenario {
    name: "put",
    covers: "PUT /accounts/:rtp_aid sets custom fields; checks the id first, then the body, then \
             the account and the keys",
    steps: &[
        post(
            "create-field",
            "/accounts/custom-field",
            r#"{"label": "Score {run}", "labelType": "number", "description": "parity"}"#,
        ),
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-tyrell.com", "name": "Tyrell {run}", "externalId": "crm-{run}-t"}]}"#,
        ),
        put(
            "set-field",
            "/accounts/{ref:create/data/results/0/rtp_aid}",
            r#"{"customFields": {"SCORE_{RUN}_C": 42}}"#,
        ),
        // The same value as set-field, so that the sandbox applying it changes nothing later.
        put(
            "extra-property",
            "/accounts/{ref:create/data/results/0/rtp_aid}",
            r#"{"customFields": {"SCORE_{RUN}_C": 42}, "name": "Renamed {run}"}"#,
        )
        .in_sandbox("properties other than customFields are ignored (200)"),
        put(
            "unknown-key",
            "/accounts/{ref:create/data/results/0/rtp_aid}",
            r#"{"customFields": {"NOPE_{RUN}_C": 1, "SCORE_{RUN}_C": 5}}"#,
        )
        .decided(),
        put(
            "malformed-id",
            "/accounts/not-an-id",
            r#"{"customFields": {"SCORE_{RUN}_C": 1}}"#,
        ),
        put(
            "unknown-account",
            "/accounts/000000000000000000000000",
            r#"{"customFields": {"SCORE_{RUN}_C": 1}}"#,
        )
        .decided(),
        get("rows", r#"/accounts?domains=["{run}-tyrell.com"]"#).in_sandbox(ROWS_IN_SANDBOX),
    ],
};

const EXTERNAL_IDS: Scenario = Scenario {
    name: "external-ids",
    covers: "PATCH /accounts/external-ids maps by cleaned domain, the last mapping of a domain \
             wins, unknown domains are listed once; a mapping already in place updates nothing",
    steps: &[
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-soylent.com", "name": "Soylent {run}"},
                {"domain": "{run}-oscorp.com", "name": "Oscorp {run}"}]}"#,
        ),
        patch(
            "map",
            "/accounts/external-ids",
            r#"{"mappings": [
                {"domain": "https://www.{run}-soylent.com", "externalId": "crm-{run}-s1"},
                {"domain": "{run}-oscorp.com", "externalId": "crm-{run}-o1"},
                {"domain": "{run}-oscorp.com/about", "externalId": "crm-{run}-o2"},
                {"domain": "{run}-unknown.com", "externalId": "crm-{run}-x"},
                {"domain": "{run}-unknown.com", "externalId": "crm-{run}-y"}]}"#,
        ),
        patch(
            "map-again",
            "/accounts/external-ids",
            r#"{"mappings": [{"domain": "{run}-soylent.com", "externalId": "crm-{run}-s1"}]}"#,
        )
        .decided(),
        get(
            "rows",
            r#"/accounts?domains=["{run}-soylent.com","{run}-oscorp.com"]"#,
        )
        .in_sandbox(ROWS_IN_SANDBOX),
        patch(
            "missing-external-id",
            "/accounts/external-ids",
            r#"{"mappings": [{"domain": "{run}-soylent.com"}], "dryRun": true}"#,
        ),
    ],
};

const MISSING_EXTERNAL_IDS: Scenario = Scenario {
    name: "missing-external-ids",
    covers: "GET /accounts/missing-external-ids lists accounts without an external id as \
             {name, domain}; mapping one takes it off; only limit is accepted",
    steps: &[
        post(
            "create",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-delos.com", "name": "Delos {run}"},
                {"domain": "{run}-massive-dynamic.com", "name": "Massive Dynamic {run}", "externalId": "crm-{run}-m"}]}"#,
        ),
        // The target may hold accounts of other runs without an external id: read them all
        // (limit 1000) and keep this run's.
        get("list", "/accounts/missing-external-ids?limit=1000").this_run_only("/data"),
        patch(
            "map",
            "/accounts/external-ids",
            r#"{"mappings": [{"domain": "{run}-delos.com", "externalId": "crm-{run}-d"}]}"#,
        ),
        get("list-again", "/accounts/missing-external-ids?limit=1000").this_run_only("/data"),
        get(
            "cursor-refused",
            "/accounts/missing-external-ids?cursor=abc",
        ),
    ],
};

const CUSTOM_FIELDS: Scenario = Scenario {
    name: "custom-fields",
    covers: "POST /accounts/custom-field derives the key from the label and refuses duplicates \
             and bad definitions; GET /accounts/custom-fields lists them; accounts take them",
    steps: &[
        post(
            "create",
            "/accounts/custom-field",
            r#"{"label": "Revenue (USD) {run}", "labelType": "number", "description": "Total contract value"}"#,
        ),
        post(
            "create-selection",
            "/accounts/custom-field",
            r#"{"label": "Stage {run}", "labelType": "singleSelection", "options": ["POC", "Won"]}"#,
        ),
        post(
            "duplicate",
            "/accounts/custom-field",
            r#"{"label": "Revenue (USD) {run}", "labelType": "date"}"#,
        )
        .decided(),
        post(
            "selection-without-options",
            "/accounts/custom-field",
            r#"{"label": "Stage Two {run}", "labelType": "multiSelection"}"#,
        ),
        post(
            "bad-definition",
            "/accounts/custom-field",
            r#"{"label": "", "labelType": "currency", "options": "POC", "key": "MINE_C"}"#,
        ),
        get("list", "/accounts/custom-fields").this_run_only("/data"),
        post(
            "use-them",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-vandelay.com", "name": "Vandelay {run}", "externalId": "crm-{run}-v",
                "customFields": {"REVENUE_(USD)_{RUN}_C": 120000, "STAGE_{RUN}_C": "POC"}}]}"#,
        ),
        get("rows", r#"/accounts?domains=["{run}-vandelay.com"]"#).in_sandbox(ROWS_IN_SANDBOX),
    ],
};
