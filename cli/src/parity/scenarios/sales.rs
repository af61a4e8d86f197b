//! Scenarios of the sales endpoints: deals, deal stages (pipelines) and sales activities
//! (docs/api.md §5).

use super::{get, post, Scenario};

pub const SCENARIOS: [&Scenario; 3] = [&DEALS, &DEAL_STAGES, &ACTIVITIES];

const DEALS: Scenario = Scenario {
    name: "deals",
    covers: "POST /deals upserts by externalDealId (the last of a batch wins) and links \
             associated accounts by domain; every field is validated in the table's order",
    steps: &[
        post(
            "create-account",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-pied-piper.com", "name": "Pied Piper {run}", "externalId": "crm-{run}-pp"}]}"#,
        ),
        post(
            "upsert",
            "/deals",
            r#"{"deals": [
                {"externalDealId": "deal-{run}-1", "name": "Pied Piper renewal {run}", "amount": 120000.5,
                 "stageId": "s1", "stageLabel": "Discovery", "pipelineId": "p-{run}", "pipelineLabel": "SMB",
                 "ownerName": "Ann", "ownerId": "u1", "dealCurrencyCode": "USD",
                 "startDate": "2026-04-01", "closedDate": "2026-06-30T00:00:00.000Z", "ownerEmail": "ann@example.com",
                 "associatedAccounts": [
                    {"externalId": "crm-{run}-pp", "domain": "https://www.{run}-pied-piper.com", "name": "Pied Piper"},
                    {"domain": "{run}-nobody.com"}]},
                {"externalDealId": "deal-{run}-2", "name": "Second {run}"}]}"#,
        ),
        post(
            "upsert-again",
            "/deals",
            r#"{"deals": [{"externalDealId": "deal-{run}-1", "name": "Renamed {run}"},
                {"externalDealId": "deal-{run}-1", "name": "Twice {run}"}]}"#,
        ),
        post(
            "invalid",
            "/deals",
            r#"{"deals": [{"externalDealId": "deal-{run}-3", "name": "Bad {run}", "amount": "12",
                "startDate": "yesterday", "ownerEmail": "not-an-email", "associatedAccounts": [{"domain": 5}],
                "probability": 0.5}], "source": "crm"}"#,
        ),
        post("empty", "/deals", r#"{"deals": []}"#),
    ],
};

const DEAL_STAGES: Scenario = Scenario {
    name: "deal-stages",
    covers: "POST /deal-stages creates pipelines all or nothing (409 naming every existing id); \
             GET /deal-stages lists them as a bare array",
    steps: &[
        post(
            "create",
            "/deal-stages",
            r#"{"pipelines": [{"pipelineId": "{run}-smb", "pipelineLabel": "SMB {run}",
                "stages": [{"stageId": "s1", "stageLabel": "Discovery"}, {"stageId": "s2", "stageLabel": "Won"}]}]}"#,
        ),
        post(
            "conflict",
            "/deal-stages",
            r#"{"pipelines": [
                {"pipelineId": "{run}-ent", "pipelineLabel": "Enterprise {run}", "stages": [{"stageId": "e1", "stageLabel": "Intro"}]},
                {"pipelineId": "{run}-smb", "pipelineLabel": "SMB again {run}", "stages": [{"stageId": "s1", "stageLabel": "Discovery"}]}]}"#,
        ),
        // The team's pipelines of other runs are listed too: only this run's are compared.
        get("list", "/deal-stages").this_run_only("").observed(),
        post(
            "invalid",
            "/deal-stages",
            r#"{"pipelines": [{"pipelineId": "{run}-x", "pipelineLabel": "", "stages": []}]}"#,
        ),
    ],
};

const ACTIVITIES: Scenario = Scenario {
    name: "activities",
    covers: "POST /sales-activities creates calls and emails, skips other types, fails an \
             activity without a contact email or with a known id; a malformed contact email \
             refuses the whole request",
    steps: &[
        post(
            "create-account",
            "/accounts",
            r#"{"accounts": [{"domain": "{run}-bluth.com", "name": "Bluth {run}", "externalId": "crm-{run}-b"}]}"#,
        ),
        post(
            "call",
            "/sales-activities",
            r#"{"activities": [{"externalActivityId": "act-{run}-1", "activityType": "call",
                "occurredAt": "2026-04-30T10:00:00.000Z", "domain": "https://www.{run}-bluth.com",
                "ownerEmail": "ann@example.com", "contacts": [{"email": "gob@example.com", "name": "Gob"}],
                "durationMinutes": 15, "direction": "outbound", "from": {"name": "Ann", "email": "ann@example.com"}}]}"#,
        ),
        post(
            "email-without-contact-email",
            "/sales-activities",
            r#"{"activities": [{"externalActivityId": "act-{run}-2", "activityType": "email",
                "occurredAt": "2026-04-30T11:00:00Z", "domain": "{run}-bluth.com",
                "ownerEmail": "ann@example.com", "contacts": [{"name": "No Email"}], "subject": "Hello"}]}"#,
        )
        .decided(),
        post(
            "other-type",
            "/sales-activities",
            r#"{"activities": [{"externalActivityId": "act-{run}-3", "activityType": "meeting",
                "occurredAt": "2026-04-30", "domain": "{run}-bluth.com",
                "ownerEmail": "ann@example.com", "contacts": [{"email": "lucille@example.com"}]}]}"#,
        ),
        post(
            "known-id",
            "/sales-activities",
            r#"{"activities": [{"externalActivityId": "act-{run}-1", "activityType": "email",
                "occurredAt": "2026-04-30", "domain": "{run}-bluth.com",
                "ownerEmail": "ann@example.com", "contacts": [{"email": "gob@example.com"}]}]}"#,
        )
        .decided(),
        post(
            "malformed-contact-email",
            "/sales-activities",
            r#"{"activities": [{"externalActivityId": "act-{run}-4", "activityType": "call",
                "occurredAt": "2026-04-30", "domain": "{run}-bluth.com",
                "ownerEmail": "ann@example.com", "contacts": [{"email": "not-an-email"}]}]}"#,
        )
        .observed(),
        post("missing-fields", "/sales-activities", r#"{"activities": [{}]}"#),
    ],
};
