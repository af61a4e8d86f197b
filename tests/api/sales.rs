//! Deals, deal stages, sales activities and the read-only catalogues over real HTTP
//! (docs/api.md §5), and their visibility through the handle, the admin API and the state document
//! (docs/control.md §4, §5). Whole response bodies are pinned.

use crate::common::*;
use recotap_mock::{
    Activity, AssociatedAccount, Contact, Deal, MockRecotap, NewAccount, Pipeline, Sender, Stage,
};
use reqwest::Method;
use serde_json::{json, Number, Value};

const DEALS: &str = "/api/v1/deals";
const DEAL_STAGES: &str = "/api/v1/deal-stages";
const ACTIVITIES: &str = "/api/v1/sales-activities";
const JOURNEY_STAGES: &str = "/api/v1/journey-stages";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn admin(mock: &MockRecotap, method: Method, path: &str) -> (u16, Value) {
    admin_at(&mock.url(), method, path, None)
}

/// `GET` without the envelope helpers: status and the body as JSON.
fn get_plain(mock: &MockRecotap, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = client().get(format!("{}{path}", mock.base_url()));
    if let Some(key) = key {
        request = request.header("X-Api-Key", key);
    }
    send(request)
}

/// The `data` of a `POST /deals` answer whose deals were all upserted.
fn upserted(ids: &[&str]) -> Value {
    let results: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "externalDealId": id, "status": "upserted" }))
        .collect();
    json!({ "results": results, "summary": { "total": ids.len(), "upserted": ids.len(), "failed": 0 } })
}

fn pipeline_json(id: &str, stages: &[(&str, &str)]) -> Value {
    let stages: Vec<Value> = stages
        .iter()
        .map(|(stage_id, label)| json!({ "stageId": stage_id, "stageLabel": label }))
        .collect();
    json!({ "pipelineId": id, "pipelineLabel": format!("{id} label"), "stages": stages })
}

fn pipeline(id: &str, stages: &[(&str, &str)]) -> Pipeline {
    Pipeline {
        pipeline_id: id.to_string(),
        pipeline_label: format!("{id} label"),
        stages: stages
            .iter()
            .map(|(stage_id, label)| Stage {
                stage_id: stage_id.to_string(),
                stage_label: label.to_string(),
            })
            .collect(),
    }
}

/// A valid call activity on `domain`.
fn call(id: &str, domain: &str) -> Value {
    json!({ "externalActivityId": id, "activityType": "call",
            "occurredAt": "2026-04-29T15:00:00.000Z", "domain": domain,
            "ownerEmail": "rep@seller.com", "contacts": [{ "email": "ann@buyer.com" }] })
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn validation(path: &str, violations: Vec<Value>) -> (u16, Value) {
    (400, validation_error(path, violations))
}

// ---------------------------------------------------------------------------------------------
// POST /deals (docs/api.md §5.1)
// ---------------------------------------------------------------------------------------------

#[test]
fn deals_missing_empty_too_many_or_not_objects_fail_the_array_checks() {
    // Arrange
    let mock = mock();
    let many: Vec<Value> = (0..101)
        .map(|i| json!({ "externalDealId": format!("d-{i}"), "name": "Deal" }))
        .collect();

    // Act
    let missing = post(&mock, "/deals", &json!({}));
    let not_array = post(
        &mock,
        "/deals",
        &json!({ "deals": { "externalDealId": "d-1" } }),
    );
    let empty = post(&mock, "/deals", &json!({ "deals": [] }));
    let too_many = post(&mock, "/deals", &json!({ "deals": many }));
    let not_objects = post(&mock, "/deals", &json!({ "deals": ["d-1"] }));

    // Assert
    let is_array = violation("deals", "isArray", "deals must be an array");
    assert_eq!(missing, validation(DEALS, vec![is_array.clone()]));
    assert_eq!(not_array, validation(DEALS, vec![is_array]));
    assert_eq!(
        empty,
        validation(
            DEALS,
            vec![violation(
                "deals",
                "arrayMinSize",
                "deals must contain at least 1 elements"
            )]
        )
    );
    assert_eq!(
        too_many,
        validation(
            DEALS,
            vec![violation(
                "deals",
                "arrayMaxSize",
                "deals must contain no more than 100 elements"
            )]
        )
    );
    assert_eq!(
        not_objects,
        validation(
            DEALS,
            vec![violation(
                "deals",
                "nestedValidation",
                "each value in nested property deals must be either object or array"
            )]
        )
    );
    assert!(mock.deals().is_empty());
}

#[test]
fn one_hundred_deals_are_accepted() {
    // Arrange
    let mock = mock();
    let deals: Vec<Value> = (0..100)
        .map(|i| json!({ "externalDealId": format!("d-{i}"), "name": "Deal" }))
        .collect();

    // Act
    let (status, body) = post(&mock, "/deals", &json!({ "deals": deals }));

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["summary"],
        json!({ "total": 100, "upserted": 100, "failed": 0 })
    );
    assert_eq!(mock.deals().len(), 100);
}

#[test]
fn a_deal_needs_an_external_deal_id_and_a_name() {
    // Arrange
    let mock = mock();

    // Act
    let (status, body) = post(
        &mock,
        "/deals",
        &json!({ "deals": [{}, { "externalDealId": " ", "name": 5 }, { "externalDealId": 7, "name": "" }] }),
    );

    // Assert
    assert_eq!(
        (status, body),
        validation(
            DEALS,
            vec![
                violation(
                    "externalDealId",
                    "isNotEmpty",
                    "externalDealId should not be empty"
                ),
                violation("name", "isNotEmpty", "name should not be empty"),
                violation("name", "isString", "name must be a string"),
                violation(
                    "externalDealId",
                    "isString",
                    "externalDealId must be a string"
                ),
                violation("name", "isNotEmpty", "name should not be empty"),
            ]
        )
    );
}

#[test]
fn every_optional_deal_field_is_checked_in_the_documented_order_with_unknown_properties_last() {
    // Arrange
    let mock = mock();
    let body = r#"{"deals":[{
        "color":"red",
        "associatedAccounts":[{"domain":5,"region":"emea","name":"Acme"}],
        "ownerEmail":"bob",
        "closedDate":5,
        "startDate":"soon",
        "dealCurrencyCode":978,
        "ownerId":1,
        "ownerName":false,
        "pipelineLabel":[],
        "pipelineId":{},
        "stageLabel":2,
        "stageId":1,
        "amount":"50000",
        "name":"Acme renewal",
        "externalDealId":"d-1"
    }],"dryRun":true}"#;

    // Act
    let answer = post_text(&mock, "/deals", body);

    // Assert
    assert_eq!(
        answer,
        validation(
            DEALS,
            vec![
                violation(
                    "amount",
                    "isNumber",
                    "amount must be a number conforming to the specified constraints"
                ),
                violation("stageId", "isString", "stageId must be a string"),
                violation("stageLabel", "isString", "stageLabel must be a string"),
                violation("pipelineId", "isString", "pipelineId must be a string"),
                violation(
                    "pipelineLabel",
                    "isString",
                    "pipelineLabel must be a string"
                ),
                violation("ownerName", "isString", "ownerName must be a string"),
                violation("ownerId", "isString", "ownerId must be a string"),
                violation(
                    "dealCurrencyCode",
                    "isString",
                    "dealCurrencyCode must be a string"
                ),
                violation(
                    "startDate",
                    "isIso8601",
                    "startDate must be a valid ISO 8601 date string"
                ),
                violation(
                    "closedDate",
                    "isIso8601",
                    "closedDate must be a valid ISO 8601 date string"
                ),
                violation("ownerEmail", "isEmail", "ownerEmail must be an email"),
                violation("domain", "isString", "domain must be a string"),
                violation(
                    "region",
                    "whitelistValidation",
                    "property region should not exist"
                ),
                violation(
                    "color",
                    "whitelistValidation",
                    "property color should not exist"
                ),
                violation(
                    "dryRun",
                    "whitelistValidation",
                    "property dryRun should not exist"
                ),
            ]
        )
    );
    assert!(mock.deals().is_empty());
}

#[test]
fn associated_accounts_must_be_an_array_of_objects() {
    // Arrange
    let mock = mock();

    // Act
    let not_array = post(
        &mock,
        "/deals",
        &json!({ "deals": [{ "externalDealId": "d-1", "name": "A", "associatedAccounts": "acme.com" }] }),
    );
    let not_objects = post(
        &mock,
        "/deals",
        &json!({ "deals": [{ "externalDealId": "d-1", "name": "A", "associatedAccounts": ["acme.com"] }] }),
    );

    // Assert
    assert_eq!(
        not_array,
        validation(
            DEALS,
            vec![violation(
                "associatedAccounts",
                "isArray",
                "associatedAccounts must be an array"
            )]
        )
    );
    assert_eq!(
        not_objects,
        validation(
            DEALS,
            vec![violation(
                "associatedAccounts",
                "nestedValidation",
                "each value in nested property associatedAccounts must be either object or array"
            )]
        )
    );
}

#[test]
fn dates_and_emails_in_their_usual_forms_are_accepted() {
    // Arrange
    let mock = mock();
    let deal = json!({ "externalDealId": "d-1", "name": "A", "amount": 1234.5,
                       "startDate": "2026-04-01", "closedDate": "2026-06-30T17:00:00+02:00",
                       "ownerEmail": "jane.doe+crm@seller.co.uk", "associatedAccounts": [] });

    // Act
    let (status, body) = post(&mock, "/deals", &json!({ "deals": [deal] }));

    // Assert
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, success(200, DEALS, upserted(&["d-1"])));
}

#[test]
fn a_new_deal_is_stored_with_associated_accounts_linked_by_cleaned_domain_when_the_account_exists()
{
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let acme = mock.account_by_domain("acme.com").unwrap().id();
    let request = json!({ "deals": [{
        "externalDealId": "d-1", "name": "Acme renewal", "amount": 50000,
        "stageId": "s-2", "stageLabel": "Negotiation", "pipelineId": "p-1",
        "pipelineLabel": "Enterprise", "ownerName": "Jane Doe", "ownerId": "u-7",
        "dealCurrencyCode": "EUR", "startDate": "2026-04-01T00:00:00.000Z",
        "closedDate": "2026-06-30", "ownerEmail": "jane@seller.com",
        "associatedAccounts": [
            { "domain": "https://www.ACME.com/about", "name": "Acme" },
            { "domain": "unknown.com", "externalId": "crm-9" },
            { "externalId": "crm-10" }
        ]
    }] });

    // Act
    let (status, body) = post(&mock, "/deals", &request);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body, success(200, DEALS, upserted(&["d-1"])));
    assert_eq!(
        mock.deals(),
        vec![Deal {
            external_deal_id: "d-1".into(),
            name: "Acme renewal".into(),
            amount: Some(Number::from(50000)),
            stage_id: some("s-2"),
            stage_label: some("Negotiation"),
            pipeline_id: some("p-1"),
            pipeline_label: some("Enterprise"),
            owner_name: some("Jane Doe"),
            owner_id: some("u-7"),
            owner_email: some("jane@seller.com"),
            deal_currency_code: some("EUR"),
            start_date: some("2026-04-01T00:00:00.000Z"),
            closed_date: some("2026-06-30"),
            associated_accounts: vec![
                AssociatedAccount {
                    external_id: None,
                    domain: some("https://www.ACME.com/about"),
                    name: some("Acme"),
                    rtp_aid: Some(acme),
                },
                AssociatedAccount {
                    external_id: some("crm-9"),
                    domain: some("unknown.com"),
                    name: None,
                    rtp_aid: None,
                },
                AssociatedAccount {
                    external_id: some("crm-10"),
                    domain: None,
                    name: None,
                    rtp_aid: None,
                },
            ],
        }]
    );
}

#[test]
fn a_second_push_of_a_known_external_deal_id_replaces_the_deal_in_place() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let first = json!({ "deals": [
        { "externalDealId": "d-1", "name": "Acme renewal", "amount": 50000, "stageId": "s-1" },
        { "externalDealId": "d-2", "name": "Globex pilot" }
    ] });
    let (status, _) = post(&mock, "/deals", &first);
    assert_eq!(status, 200);

    // Act
    let (status, body) = post(
        &mock,
        "/deals",
        &json!({ "deals": [{ "externalDealId": "d-1", "name": "Acme renewal 2027", "amount": 65000,
                             "associatedAccounts": [{ "domain": "acme.com" }] }] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body, success(200, DEALS, upserted(&["d-1"])));
    let acme = mock.account_by_domain("acme.com").unwrap().id();
    assert_eq!(
        mock.deals(),
        vec![
            Deal {
                external_deal_id: "d-1".into(),
                name: "Acme renewal 2027".into(),
                amount: Some(Number::from(65000)),
                associated_accounts: vec![AssociatedAccount {
                    domain: some("acme.com"),
                    rtp_aid: Some(acme),
                    ..AssociatedAccount::default()
                }],
                ..Deal::default()
            },
            Deal {
                external_deal_id: "d-2".into(),
                name: "Globex pilot".into(),
                ..Deal::default()
            },
        ]
    );
}

#[test]
fn the_same_external_deal_id_twice_in_one_batch_leaves_one_deal_holding_the_last() {
    // Arrange
    let mock = mock();
    let request = json!({ "deals": [
        { "externalDealId": "d-1", "name": "First" },
        { "externalDealId": "d-1", "name": "Second" }
    ] });

    // Act
    let (status, body) = post(&mock, "/deals", &request);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(body, success(200, DEALS, upserted(&["d-1", "d-1"])));
    let deals = mock.deals();
    assert_eq!(deals.len(), 1);
    assert_eq!(deals[0].name, "Second");
}

// ---------------------------------------------------------------------------------------------
// POST /deal-stages (docs/api.md §5.2)
// ---------------------------------------------------------------------------------------------

#[test]
fn pipelines_missing_empty_or_more_than_twenty_fail_the_array_checks() {
    // Arrange
    let mock = mock();
    let many: Vec<Value> = (0..21)
        .map(|i| pipeline_json(&format!("p-{i}"), &[("s1", "Stage 1")]))
        .collect();

    // Act
    let missing = post(&mock, "/deal-stages", &json!({}));
    let empty = post(&mock, "/deal-stages", &json!({ "pipelines": [] }));
    let too_many = post(&mock, "/deal-stages", &json!({ "pipelines": many }));
    let not_objects = post(&mock, "/deal-stages", &json!({ "pipelines": [1] }));

    // Assert
    assert_eq!(
        missing,
        validation(
            DEAL_STAGES,
            vec![violation(
                "pipelines",
                "isArray",
                "pipelines must be an array"
            )]
        )
    );
    assert_eq!(
        empty,
        validation(
            DEAL_STAGES,
            vec![violation(
                "pipelines",
                "arrayMinSize",
                "pipelines must contain at least 1 elements"
            )]
        )
    );
    assert_eq!(
        too_many,
        validation(
            DEAL_STAGES,
            vec![violation(
                "pipelines",
                "arrayMaxSize",
                "pipelines must contain no more than 20 elements"
            )]
        )
    );
    assert_eq!(
        not_objects,
        validation(
            DEAL_STAGES,
            vec![violation(
                "pipelines",
                "nestedValidation",
                "each value in nested property pipelines must be either object or array"
            )]
        )
    );
    assert!(mock.pipelines().is_empty());
}

#[test]
fn a_pipeline_needs_an_id_a_label_and_at_least_one_stage_of_id_and_label() {
    // Arrange
    let mock = mock();
    let body = r#"{"pipelines":[
        {},
        {"pipelineId":"p-2","pipelineLabel":"Two","stages":[]},
        {"pipelineId":5,"pipelineLabel":" ","stages":[{"stageId":1},{"stageLabel":"x","stageId":"s","order":2}],"owner":"x"}
    ],"replace":true}"#;

    // Act
    let answer = post_text(&mock, "/deal-stages", body);

    // Assert
    assert_eq!(
        answer,
        validation(
            DEAL_STAGES,
            vec![
                violation("pipelineId", "isNotEmpty", "pipelineId should not be empty"),
                violation(
                    "pipelineLabel",
                    "isNotEmpty",
                    "pipelineLabel should not be empty"
                ),
                violation("stages", "isArray", "stages must be an array"),
                violation(
                    "stages",
                    "arrayMinSize",
                    "stages must contain at least 1 elements"
                ),
                violation("pipelineId", "isString", "pipelineId must be a string"),
                violation("stageId", "isString", "stageId must be a string"),
                violation("stageLabel", "isNotEmpty", "stageLabel should not be empty"),
                violation(
                    "order",
                    "whitelistValidation",
                    "property order should not exist"
                ),
                violation(
                    "owner",
                    "whitelistValidation",
                    "property owner should not exist"
                ),
                violation(
                    "replace",
                    "whitelistValidation",
                    "property replace should not exist"
                ),
            ]
        )
    );
    assert!(mock.pipelines().is_empty());
}

#[test]
fn new_pipelines_are_created_with_201_and_listed_by_get_deal_stages_as_a_bare_array() {
    // Arrange
    let mock = mock();
    let request = json!({ "pipelines": [
        pipeline_json("smb-pipeline", &[("s1", "Discovery"), ("s2", "Won")]),
        pipeline_json("ent-pipeline", &[("e1", "Qualified")])
    ] });

    // Act
    let (status, body) = post(&mock, "/deal-stages", &request);
    let listed = get_plain(&mock, "/deal-stages", Some(mock.api_key()));

    // Assert
    assert_eq!(status, 201);
    assert_eq!(
        body,
        success(
            201,
            DEAL_STAGES,
            json!({ "results": [ { "pipelineId": "smb-pipeline", "status": "created" },
                                 { "pipelineId": "ent-pipeline", "status": "created" } ],
                    "summary": { "total": 2, "created": 2 } })
        )
    );
    assert_eq!(
        mock.pipelines(),
        vec![
            pipeline("smb-pipeline", &[("s1", "Discovery"), ("s2", "Won")]),
            pipeline("ent-pipeline", &[("e1", "Qualified")]),
        ]
    );
    assert_eq!(
        listed,
        (
            200,
            json!([
                pipeline_json("smb-pipeline", &[("s1", "Discovery"), ("s2", "Won")]),
                pipeline_json("ent-pipeline", &[("e1", "Qualified")])
            ])
        )
    );
}

#[test]
fn pipelines_are_all_or_nothing_and_a_conflict_names_every_existing_id() {
    // Arrange
    let mock = mock();
    let existing = json!({ "pipelines": [
        pipeline_json("a", &[("s1", "One")]),
        pipeline_json("b", &[("s1", "One")])
    ] });
    assert_eq!(post(&mock, "/deal-stages", &existing).0, 201);

    // Act
    let (status, body) = post(
        &mock,
        "/deal-stages",
        &json!({ "pipelines": [
            pipeline_json("c", &[("s1", "One")]),
            pipeline_json("b", &[("s1", "Changed")]),
            pipeline_json("a", &[("s1", "Changed")])
        ] }),
    );

    // Assert
    assert_eq!(status, 409);
    assert_eq!(
        body,
        business_error(
            409,
            DEAL_STAGES,
            "Conflict",
            "Pipeline(s) already exist: b, a"
        )
    );
    assert_eq!(
        mock.pipelines(),
        vec![
            pipeline("a", &[("s1", "One")]),
            pipeline("b", &[("s1", "One")])
        ]
    );
}

#[test]
fn a_single_conflicting_pipeline_is_named_alone() {
    // Arrange
    let mock = mock();
    let existing = json!({ "pipelines": [pipeline_json("smb-pipeline", &[("s1", "One")])] });
    assert_eq!(post(&mock, "/deal-stages", &existing).0, 201);

    // Act
    let answer = post(&mock, "/deal-stages", &existing);

    // Assert
    assert_eq!(
        answer,
        (
            409,
            business_error(
                409,
                DEAL_STAGES,
                "Conflict",
                "Pipeline(s) already exist: smb-pipeline"
            )
        )
    );
    assert_eq!(mock.pipelines().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// POST /sales-activities (docs/api.md §5.3)
// ---------------------------------------------------------------------------------------------

#[test]
fn activities_missing_empty_or_more_than_fifty_fail_the_array_checks() {
    // Arrange
    let mock = mock();
    let many: Vec<Value> = (0..51)
        .map(|i| call(&format!("a-{i}"), "acme.com"))
        .collect();

    // Act
    let missing = post(&mock, "/sales-activities", &json!({ "activities": null }));
    let empty = post(&mock, "/sales-activities", &json!({ "activities": [] }));
    let too_many = post(&mock, "/sales-activities", &json!({ "activities": many }));
    let fifty = post(
        &mock,
        "/sales-activities",
        &json!({ "activities": many[..50].to_vec() }),
    );

    // Assert
    assert_eq!(
        missing,
        validation(
            ACTIVITIES,
            vec![violation(
                "activities",
                "isArray",
                "activities must be an array"
            )]
        )
    );
    assert_eq!(
        empty,
        validation(
            ACTIVITIES,
            vec![violation(
                "activities",
                "arrayMinSize",
                "activities must contain at least 1 elements"
            )]
        )
    );
    assert_eq!(
        too_many,
        validation(
            ACTIVITIES,
            vec![violation(
                "activities",
                "arrayMaxSize",
                "activities must contain no more than 50 elements"
            )]
        )
    );
    assert_eq!(fifty.0, 200);
    assert_eq!(
        fifty.1["data"]["summary"],
        json!({ "total": 50, "created": 50, "failed": 0, "skipped": 0 })
    );
}

#[test]
fn an_empty_activity_fails_each_required_field_in_the_documented_order() {
    // Arrange
    let mock = mock();

    // Act
    let answer = post(&mock, "/sales-activities", &json!({ "activities": [{}] }));

    // Assert
    assert_eq!(
        answer,
        validation(
            ACTIVITIES,
            vec![
                violation(
                    "externalActivityId",
                    "isNotEmpty",
                    "externalActivityId should not be empty"
                ),
                violation(
                    "activityType",
                    "isNotEmpty",
                    "activityType should not be empty"
                ),
                violation(
                    "occurredAt",
                    "isIso8601",
                    "occurredAt must be a valid ISO 8601 date string"
                ),
                violation("domain", "isNotEmpty", "domain should not be empty"),
                violation("ownerEmail", "isEmail", "ownerEmail must be an email"),
                violation("contacts", "isArray", "contacts must be an array"),
            ]
        )
    );
}

#[test]
fn activity_fields_of_the_wrong_shape_are_reported_in_order_with_contact_errors_at_their_place() {
    // Arrange
    let mock = mock();
    let body = r#"{"activities":[{
        "mood":"good",
        "from":{"name":5,"phone":"1"},
        "clickCount":"3",
        "openCount":"2",
        "durationMinutes":"5",
        "direction":1,
        "outcome":1,
        "callTitle":1,
        "ownerId":1,
        "ownerName":1,
        "subject":1,
        "accountName":1,
        "contacts":[{"email":5,"age":40,"name":"Ann"}],
        "ownerEmail":"rep@",
        "domain":7,
        "occurredAt":"2026-02-30T10:00:00Z",
        "activityType":5,
        "externalActivityId":" "
    }]}"#;

    // Act
    let answer = post_text(&mock, "/sales-activities", body);

    // Assert
    assert_eq!(
        answer,
        validation(
            ACTIVITIES,
            vec![
                violation("activityType", "isString", "activityType must be a string"),
                violation("domain", "isString", "domain must be a string"),
                violation("ownerEmail", "isEmail", "ownerEmail must be an email"),
                violation("email", "isEmail", "email must be an email"),
                violation(
                    "age",
                    "whitelistValidation",
                    "property age should not exist"
                ),
                violation("accountName", "isString", "accountName must be a string"),
                violation("subject", "isString", "subject must be a string"),
                violation("ownerName", "isString", "ownerName must be a string"),
                violation("ownerId", "isString", "ownerId must be a string"),
                violation("callTitle", "isString", "callTitle must be a string"),
                violation("outcome", "isString", "outcome must be a string"),
                violation("direction", "isString", "direction must be a string"),
                violation(
                    "durationMinutes",
                    "isNumber",
                    "durationMinutes must be a number conforming to the specified constraints"
                ),
                violation(
                    "openCount",
                    "isNumber",
                    "openCount must be a number conforming to the specified constraints"
                ),
                violation(
                    "clickCount",
                    "isNumber",
                    "clickCount must be a number conforming to the specified constraints"
                ),
                violation("name", "isString", "name must be a string"),
                violation(
                    "phone",
                    "whitelistValidation",
                    "property phone should not exist"
                ),
                violation(
                    "mood",
                    "whitelistValidation",
                    "property mood should not exist"
                ),
            ]
        )
    );
    assert!(mock.activities().is_empty());
}

#[test]
fn contacts_must_be_a_non_empty_array_of_objects_and_from_an_object() {
    // Arrange
    let mock = mock();
    let with = |field: &str, value: Value| {
        let mut activity = call("a-1", "acme.com");
        activity[field] = value;
        json!({ "activities": [activity] })
    };

    // Act
    let not_array = post(
        &mock,
        "/sales-activities",
        &with("contacts", json!("ann@acme.com")),
    );
    let empty = post(&mock, "/sales-activities", &with("contacts", json!([])));
    let not_objects = post(
        &mock,
        "/sales-activities",
        &with("contacts", json!(["ann"])),
    );
    let from = post(
        &mock,
        "/sales-activities",
        &with("from", json!("ann@acme.com")),
    );

    // Assert
    assert_eq!(
        not_array,
        validation(
            ACTIVITIES,
            vec![violation(
                "contacts",
                "isArray",
                "contacts must be an array"
            )]
        )
    );
    assert_eq!(
        empty,
        validation(
            ACTIVITIES,
            vec![violation(
                "contacts",
                "arrayMinSize",
                "contacts must contain at least 1 elements"
            )]
        )
    );
    assert_eq!(
        not_objects,
        validation(
            ACTIVITIES,
            vec![violation(
                "contacts",
                "nestedValidation",
                "each value in nested property contacts must be either object or array"
            )]
        )
    );
    assert_eq!(
        from,
        validation(
            ACTIVITIES,
            vec![violation("from", "isObject", "from must be an object")]
        )
    );
    assert!(mock.activities().is_empty());
}

#[test]
fn calls_and_emails_are_created_other_types_skipped_and_known_ids_failed_even_within_one_batch() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let mut email = call("a-2", "unknown.com");
    email["activityType"] = json!("email");
    let mut meeting = call("a-3", "acme.com");
    meeting["activityType"] = json!("meeting");
    let request = json!({ "activities": [
        call("a-1", "https://www.ACME.com/x"),
        email,
        meeting,
        call("a-1", "acme.com")
    ] });

    // Act
    let (status, body) = post(&mock, "/sales-activities", &request);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body,
        success(
            200,
            ACTIVITIES,
            json!({ "results": [
                        { "externalActivityId": "a-1", "status": "created" },
                        { "externalActivityId": "a-2", "status": "created" },
                        { "externalActivityId": "a-3", "status": "skipped" },
                        { "externalActivityId": "a-1", "status": "failed",
                          "error": "Activity with externalActivityId 'a-1' already exists" }
                    ],
                    "summary": { "total": 4, "created": 2, "failed": 1, "skipped": 1 } })
        )
    );
    let acme = mock.account_by_domain("acme.com").unwrap().id();
    let stored: Vec<(String, Option<String>)> = mock
        .activities()
        .iter()
        .map(|a| {
            (
                a.external_activity_id.clone(),
                a.rtp_aid.map(|id| id.to_string()),
            )
        })
        .collect();
    assert_eq!(
        stored,
        vec![
            ("a-1".to_string(), Some(acme.to_string())),
            ("a-2".to_string(), None)
        ]
    );
}

#[test]
fn an_activity_id_stored_by_an_earlier_request_fails_in_a_later_one() {
    // Arrange
    let mock = mock();
    let first = post(
        &mock,
        "/sales-activities",
        &json!({ "activities": [call("a-1", "acme.com")] }),
    );
    assert_eq!(first.0, 200);

    // Act
    let (status, body) = post(
        &mock,
        "/sales-activities",
        &json!({ "activities": [call("a-1", "acme.com"), call("a-2", "acme.com")] }),
    );

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        body["data"],
        json!({ "results": [
                    { "externalActivityId": "a-1", "status": "failed",
                      "error": "Activity with externalActivityId 'a-1' already exists" },
                    { "externalActivityId": "a-2", "status": "created" }
                ],
                "summary": { "total": 2, "created": 1, "failed": 1, "skipped": 0 } })
    );
    assert_eq!(mock.activities().len(), 2);
}

#[test]
fn a_created_activity_keeps_every_field_sent_and_the_account_it_was_linked_to() {
    // Arrange
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let acme = mock.account_by_domain("acme.com").unwrap().id();
    let request = json!({ "activities": [{
        "externalActivityId": "em-1", "activityType": "email",
        "occurredAt": "2026-04-29T15:00:00Z", "domain": "WWW.Acme.com",
        "ownerEmail": "rep@seller.com",
        "contacts": [{ "email": "ann@acme.com", "externalContactId": "c-1", "name": "Ann",
                       "title": "CTO", "department": "IT", "seniority": "C-level",
                       "phone": "+1 555", "linkedinUrl": "https://linkedin.com/in/ann" }],
        "accountName": "Acme Corp", "subject": "Renewal", "ownerName": "Rep",
        "ownerId": "u-1", "callTitle": "n/a", "outcome": "replied", "direction": "outbound",
        "durationMinutes": 0, "openCount": 3, "clickCount": 1,
        "from": { "name": "Rep", "email": "rep@seller.com" }
    }] });

    // Act
    let (status, _) = post(&mock, "/sales-activities", &request);

    // Assert
    assert_eq!(status, 200);
    assert_eq!(
        mock.activities(),
        vec![Activity {
            external_activity_id: "em-1".into(),
            activity_type: "email".into(),
            occurred_at: "2026-04-29T15:00:00Z".into(),
            domain: "WWW.Acme.com".into(),
            owner_email: "rep@seller.com".into(),
            contacts: vec![Contact {
                email: some("ann@acme.com"),
                external_contact_id: some("c-1"),
                name: some("Ann"),
                title: some("CTO"),
                department: some("IT"),
                seniority: some("C-level"),
                phone: some("+1 555"),
                linkedin_url: some("https://linkedin.com/in/ann"),
            }],
            account_name: some("Acme Corp"),
            subject: some("Renewal"),
            owner_name: some("Rep"),
            owner_id: some("u-1"),
            call_title: some("n/a"),
            outcome: some("replied"),
            direction: some("outbound"),
            duration_minutes: Some(Number::from(0)),
            open_count: Some(Number::from(3)),
            click_count: Some(Number::from(1)),
            from: Some(Sender {
                name: some("Rep"),
                email: some("rep@seller.com"),
            }),
            rtp_aid: Some(acme),
            created_at: Some(FROZEN.parse().unwrap()),
        }]
    );
}

// ---------------------------------------------------------------------------------------------
// The read-only catalogues (docs/api.md §5.4)
// ---------------------------------------------------------------------------------------------

#[test]
fn journey_stages_are_a_bare_array_without_the_envelope() {
    // Arrange
    let mock = mock();

    // Act
    let answer = get_plain(&mock, "/journey-stages", Some(mock.api_key()));

    // Assert
    assert_eq!(
        answer,
        (
            200,
            json!([
                "Unaware",
                "Aware",
                "Consideration",
                "Opportunity",
                "Customer"
            ])
        )
    );
}

#[test]
fn deal_stages_are_an_empty_bare_array_when_no_pipeline_is_registered() {
    // Arrange
    let mock = mock();

    // Act
    let answer = get_plain(&mock, "/deal-stages", Some(mock.api_key()));

    // Assert
    assert_eq!(answer, (200, json!([])));
}

#[test]
fn the_catalogues_still_need_a_valid_api_key_and_answer_401_in_the_envelope() {
    // Arrange
    let mock = mock();

    // Act + Assert
    for path in [JOURNEY_STAGES, DEAL_STAGES] {
        let relative = path.strip_prefix("/api/v1").unwrap();
        assert_eq!(
            get_plain(&mock, relative, None),
            (
                401,
                business_error(
                    401,
                    path,
                    "Unauthorized access",
                    "X-Api-Key header is required"
                )
            ),
            "{path} without a key"
        );
        assert_eq!(
            get_plain(&mock, relative, Some("wrong-key")),
            (
                401,
                business_error(401, path, "Unauthorized access", "Invalid API key")
            ),
            "{path} with a wrong key"
        );
    }
}

#[test]
fn deal_stages_list_only_the_pipelines_of_the_keys_team() {
    // Arrange
    let mock = mock();
    mock.add_api_key("other-key", "other-team", None);
    let request = json!({ "pipelines": [pipeline_json("p-1", &[("s1", "One")])] });
    assert_eq!(post(&mock, "/deal-stages", &request).0, 201);

    // Act
    let own = get_plain(&mock, "/deal-stages", Some(mock.api_key()));
    let other = get_plain(&mock, "/deal-stages", Some("other-key"));

    // Assert
    assert_eq!(own, (200, json!([pipeline_json("p-1", &[("s1", "One")])])));
    assert_eq!(other, (200, json!([])));
}

// ---------------------------------------------------------------------------------------------
// Inspection through the admin API and the state document, and reset (docs/control.md §4, §5)
// ---------------------------------------------------------------------------------------------

/// A mock holding the account `acme.com`, the deal `d-1` linked to it, the pipeline `p-1` and
/// the call `a-1` linked to it, all pushed through the API.
fn mock_with_sales_data() -> MockRecotap {
    let mock = mock();
    mock.add_account(NewAccount::new("acme.com", "Acme Corp"));
    let deals = json!({ "deals": [{ "externalDealId": "d-1", "name": "Acme renewal", "amount": 50000,
                                    "associatedAccounts": [{ "domain": "acme.com", "name": "Acme" }] }] });
    assert_eq!(post(&mock, "/deals", &deals).0, 200);
    let pipelines = json!({ "pipelines": [pipeline_json("p-1", &[("s1", "One")])] });
    assert_eq!(post(&mock, "/deal-stages", &pipelines).0, 201);
    let activities = json!({ "activities": [call("a-1", "acme.com")] });
    assert_eq!(post(&mock, "/sales-activities", &activities).0, 200);
    mock
}

#[test]
fn deals_pipelines_and_activities_are_visible_through_the_admin_api() {
    // Arrange
    let mock = mock_with_sales_data();
    let acme = id_of(&mock, "acme.com");

    // Act
    let deals = admin(&mock, Method::GET, "/_mock/deals");
    let pipelines = admin(&mock, Method::GET, "/_mock/pipelines");
    let activities = admin(&mock, Method::GET, "/_mock/activities");

    // Assert
    assert_eq!(
        deals,
        (
            200,
            json!([{ "externalDealId": "d-1", "name": "Acme renewal", "amount": 50000,
                     "stageId": null, "stageLabel": null, "pipelineId": null, "pipelineLabel": null,
                     "ownerName": null, "ownerId": null, "ownerEmail": null,
                     "dealCurrencyCode": null, "startDate": null, "closedDate": null,
                     "associatedAccounts": [{ "externalId": null, "domain": "acme.com",
                                              "name": "Acme", "rtp_aid": acme }] }])
        )
    );
    assert_eq!(
        pipelines,
        (200, json!([pipeline_json("p-1", &[("s1", "One")])]))
    );
    assert_eq!(
        activities,
        (
            200,
            json!([{ "externalActivityId": "a-1", "activityType": "call",
                     "occurredAt": "2026-04-29T15:00:00.000Z", "domain": "acme.com",
                     "ownerEmail": "rep@seller.com",
                     "contacts": [{ "email": "ann@buyer.com", "externalContactId": null,
                                    "name": null, "title": null, "department": null,
                                    "seniority": null, "phone": null, "linkedinUrl": null }],
                     "accountName": null,
                     "subject": null, "ownerName": null, "ownerId": null, "callTitle": null,
                     "outcome": null, "direction": null, "durationMinutes": null,
                     "openCount": null, "clickCount": null, "from": null,
                     "rtp_aid": acme, "createdAt": FROZEN }])
        )
    );
}

#[test]
fn the_admin_sales_lists_take_a_team_and_answer_404_for_an_unknown_one() {
    // Arrange
    let mock = mock_with_sales_data();
    mock.add_api_key("other-key", "other-team", None);

    // Act + Assert
    for list in ["deals", "pipelines", "activities"] {
        assert_eq!(
            admin(
                &mock,
                Method::GET,
                &format!("/_mock/{list}?team=other-team")
            ),
            (200, json!([])),
            "{list} of an empty team"
        );
        assert_eq!(
            admin(&mock, Method::GET, &format!("/_mock/{list}?team=nobody")),
            (404, json!({ "error": "Team 'nobody' not found" })),
            "{list} of an unknown team"
        );
    }
}

#[test]
fn the_state_document_holds_the_same_deals_pipelines_and_activities() {
    // Arrange
    let mock = mock_with_sales_data();

    // Act
    let (status, state) = admin(&mock, Method::GET, "/_mock/state");

    // Assert
    assert_eq!(status, 200);
    let team = &state["teams"][0];
    assert_eq!(team["name"], json!("default"));
    assert_eq!(team["deals"], admin(&mock, Method::GET, "/_mock/deals").1);
    assert_eq!(
        team["pipelines"],
        admin(&mock, Method::GET, "/_mock/pipelines").1
    );
    assert_eq!(
        team["activities"],
        admin(&mock, Method::GET, "/_mock/activities").1
    );
    let snapshot = mock.snapshot();
    assert_eq!(snapshot.teams[0].deals, mock.deals());
    assert_eq!(snapshot.teams[0].pipelines, mock.pipelines());
    assert_eq!(snapshot.teams[0].activities, mock.activities());
}

#[test]
fn an_admin_reset_clears_deals_pipelines_and_activities() {
    // Arrange
    let mock = mock_with_sales_data();

    // Act
    let reset = admin(&mock, Method::POST, "/_mock/reset");

    // Assert
    assert_eq!(reset, (204, Value::Null));
    assert!(mock.deals().is_empty());
    assert!(mock.pipelines().is_empty());
    assert!(mock.activities().is_empty());
    assert_eq!(admin(&mock, Method::GET, "/_mock/deals"), (200, json!([])));
    assert_eq!(
        get_plain(&mock, "/deal-stages", Some(mock.api_key())),
        (200, json!([]))
    );
}

#[test]
fn after_a_handle_reset_the_same_ids_can_be_pushed_again() {
    // Arrange
    let mock = mock_with_sales_data();

    // Act
    mock.reset();
    let pipelines = post(
        &mock,
        "/deal-stages",
        &json!({ "pipelines": [pipeline_json("p-1", &[("s1", "One")])] }),
    );
    let activities = post(
        &mock,
        "/sales-activities",
        &json!({ "activities": [call("a-1", "acme.com")] }),
    );

    // Assert
    assert_eq!(pipelines.0, 201);
    assert_eq!(
        activities.1["data"]["results"],
        json!([{ "externalActivityId": "a-1", "status": "created" }])
    );
    assert!(mock.deals().is_empty());
}
