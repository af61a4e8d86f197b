//! `/api/v1/deals`, `/deal-stages`, `/sales-activities` and `/journey-stages` (docs/api.md §5):
//! validation into typed records, one store transaction each, and the bare catalogues.

use crate::fidelity::jsvalue::{JsObject, JsValue};
use http::StatusCode;
use serde::Serialize;

use super::envelope::{Failure, Reply};
use super::{work, Call, Work};
use crate::data::sales::{Activity, AssociatedAccount, Contact, Deal, Pipeline, Sender, Stage};
use crate::fidelity::validate::{field, Presence, Validator};

/// The journey stages the vendor answers with, in funnel order.
pub const JOURNEY_STAGES: &[&str] = &[
    "Unaware",
    "Aware",
    "Consideration",
    "Opportunity",
    "Customer",
];

type Object = JsObject;

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_string)
}

/// Counts of a batch's statuses, in the order the response lists them: `total` first, then
/// one count per name.
fn tally(statuses: impl Iterator<Item = &'static str>, names: &[&'static str]) -> Summary {
    let statuses: Vec<&str> = statuses.collect();
    let mut counts = vec![("total", statuses.len())];
    for name in names {
        let count = statuses.iter().filter(|status| *status == name).count();
        counts.push((name, count));
    }
    Summary(counts)
}

/// A batch's `summary`: named counts, written as an object in their order.
struct Summary(Vec<(&'static str, usize)>);

impl Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, count) in &self.0 {
            map.serialize_entry(name, count)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct Batch<'a, T> {
    results: &'a [T],
    summary: Summary,
}

/// `POST /deals`.
pub fn create_deals<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let body = call.json_object()?;
    let mut v = Validator::new();
    let items = v.object_array("deals", field(&body, "deals"), Presence::Required, 1, 100);
    let deals: Vec<Deal> = items
        .unwrap_or_default()
        .into_iter()
        .map(|item| parse_deal(&mut v, item))
        .collect();
    v.reject_unknown(&body, &["deals"]);
    let deals = v.finish(deals).map_err(Failure::Violations)?;
    work(move |tx| {
        let results = tx.world.store.upsert_deals(tx.team, deals);
        let summary = tally(results.iter().map(|r| r.status), &["upserted", "failed"]);
        Ok(Reply::ok(&Batch {
            results: &results,
            summary,
        }))
    })
}

fn parse_deal(v: &mut Validator, item: &Object) -> Deal {
    let get = |name: &str| field(item, name);
    let external_deal_id = v.non_empty_string("externalDealId", get("externalDealId"));
    let name = v.non_empty_string("name", get("name"));
    let amount = get("amount").cloned();
    v.optional_number("amount", amount.as_ref());
    let text = |v: &mut Validator, name: &str| owned(v.optional_string(name, get(name)));
    let stage_id = text(v, "stageId");
    let stage_label = text(v, "stageLabel");
    let pipeline_id = text(v, "pipelineId");
    let pipeline_label = text(v, "pipelineLabel");
    let owner_name = text(v, "ownerName");
    let owner_id = text(v, "ownerId");
    let deal_currency_code = text(v, "dealCurrencyCode");
    let start_date = owned(v.iso8601("startDate", get("startDate"), Presence::Optional));
    let closed_date = owned(v.iso8601("closedDate", get("closedDate"), Presence::Optional));
    let owner_email = owned(v.email("ownerEmail", get("ownerEmail"), Presence::Optional));
    let associated = v.object_array(
        "associatedAccounts",
        get("associatedAccounts"),
        Presence::Optional,
        0,
        usize::MAX,
    );
    let associated_accounts = associated
        .unwrap_or_default()
        .into_iter()
        .map(|account| {
            let external_id = owned(v.optional_string("externalId", field(account, "externalId")));
            let domain = owned(v.optional_string("domain", field(account, "domain")));
            let name = owned(v.optional_string("name", field(account, "name")));
            v.reject_unknown(account, &["externalId", "domain", "name"]);
            AssociatedAccount {
                external_id,
                domain,
                name,
                rtp_aid: None,
            }
        })
        .collect();
    v.reject_unknown(
        item,
        &[
            "externalDealId",
            "name",
            "amount",
            "stageId",
            "stageLabel",
            "pipelineId",
            "pipelineLabel",
            "ownerName",
            "ownerId",
            "dealCurrencyCode",
            "startDate",
            "closedDate",
            "ownerEmail",
            "associatedAccounts",
        ],
    );
    Deal {
        external_deal_id: external_deal_id.unwrap_or_default().to_string(),
        name: name.unwrap_or_default().to_string(),
        amount: amount.and_then(|value| value.as_number().cloned()),
        stage_id,
        stage_label,
        pipeline_id,
        pipeline_label,
        owner_name,
        owner_id,
        owner_email,
        deal_currency_code,
        start_date,
        closed_date,
        associated_accounts,
    }
}

/// `POST /deal-stages`: all or nothing, `201`.
pub fn create_pipelines<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let body = call.json_object()?;
    let mut v = Validator::new();
    let items = v.object_array(
        "pipelines",
        field(&body, "pipelines"),
        Presence::Required,
        1,
        20,
    );
    let pipelines: Vec<Pipeline> = items
        .unwrap_or_default()
        .into_iter()
        .map(|item| parse_pipeline(&mut v, item))
        .collect();
    v.reject_unknown(&body, &["pipelines"]);
    let pipelines = v.finish(pipelines).map_err(Failure::Violations)?;
    work(move |tx| {
        let created = tx
            .world
            .store
            .create_pipelines(tx.team, pipelines)
            .map_err(|conflict| {
                Failure::CustomMessage(StatusCode::CONFLICT, conflict.to_string())
            })?;
        let results: Vec<PipelineResult> = created
            .iter()
            .map(|id| PipelineResult {
                pipeline_id: id,
                status: "created",
            })
            .collect();
        let summary = tally(created.iter().map(|_| "created"), &["created"]);
        Ok(Reply::new(
            StatusCode::CREATED,
            &Batch {
                results: &results,
                summary,
            },
        ))
    })
}

/// One result of `POST /deal-stages`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineResult<'a> {
    pipeline_id: &'a str,
    status: &'static str,
}

fn parse_pipeline(v: &mut Validator, item: &Object) -> Pipeline {
    let pipeline_id = v.non_empty_string("pipelineId", field(item, "pipelineId"));
    let pipeline_label = v.non_empty_string("pipelineLabel", field(item, "pipelineLabel"));
    let stages = v.object_array(
        "stages",
        field(item, "stages"),
        Presence::Required,
        1,
        usize::MAX,
    );
    let stages = stages
        .unwrap_or_default()
        .into_iter()
        .map(|stage| {
            let stage_id = v.non_empty_string("stageId", field(stage, "stageId"));
            let stage_label = v.non_empty_string("stageLabel", field(stage, "stageLabel"));
            v.reject_unknown(stage, &["stageId", "stageLabel"]);
            Stage {
                stage_id: stage_id.unwrap_or_default().to_string(),
                stage_label: stage_label.unwrap_or_default().to_string(),
            }
        })
        .collect();
    v.reject_unknown(item, &["pipelineId", "pipelineLabel", "stages"]);
    Pipeline {
        pipeline_id: pipeline_id.unwrap_or_default().to_string(),
        pipeline_label: pipeline_label.unwrap_or_default().to_string(),
        stages,
    }
}

/// `POST /sales-activities`.
pub fn create_activities<'r>(call: &Call<'r>) -> Result<Work<'r>, Failure> {
    let body = call.json_object()?;
    let mut v = Validator::new();
    let items = v.object_array(
        "activities",
        field(&body, "activities"),
        Presence::Required,
        1,
        50,
    );
    let activities: Vec<Activity> = items
        .unwrap_or_default()
        .into_iter()
        .map(|item| parse_activity(&mut v, item))
        .collect();
    v.reject_unknown(&body, &["activities"]);
    let activities = v.finish(activities).map_err(Failure::Violations)?;
    work(move |tx| {
        let results = tx.world.store.add_activities(tx.team, activities, tx.now);
        let summary = tally(
            results.iter().map(|r| r.status),
            &["created", "failed", "skipped"],
        );
        Ok(Reply::ok(&Batch {
            results: &results,
            summary,
        }))
    })
}

const CONTACT_FIELDS: &[&str] = &[
    "email",
    "externalContactId",
    "name",
    "title",
    "department",
    "seniority",
    "phone",
    "linkedinUrl",
];

fn parse_activity(v: &mut Validator, item: &Object) -> Activity {
    let get = |name: &str| field(item, name);
    let required = |v: &mut Validator, name: &str| {
        v.non_empty_string(name, get(name))
            .unwrap_or_default()
            .to_string()
    };
    let external_activity_id = required(v, "externalActivityId");
    let activity_type = required(v, "activityType");
    let occurred_at = v
        .iso8601("occurredAt", get("occurredAt"), Presence::Required)
        .unwrap_or_default()
        .to_string();
    let domain = required(v, "domain");
    let owner_email = v
        .email("ownerEmail", get("ownerEmail"), Presence::Required)
        .unwrap_or_default()
        .to_string();
    // Required, as the vendor's reference marks it; a contact's email is checked with
    // `isEmail` (one malformed contact email refuses the request, as observed live).
    let contacts = v.object_array(
        "contacts",
        get("contacts"),
        Presence::Required,
        1,
        usize::MAX,
    );
    let contacts = contacts
        .unwrap_or_default()
        .into_iter()
        .map(|contact| {
            let email = v.email("email", field(contact, "email"), Presence::Optional);
            let mut text = |name: &str| owned(v.optional_string(name, field(contact, name)));
            let parsed = Contact {
                email: owned(email),
                external_contact_id: text("externalContactId"),
                name: text("name"),
                title: text("title"),
                department: text("department"),
                seniority: text("seniority"),
                phone: text("phone"),
                linkedin_url: text("linkedinUrl"),
            };
            v.reject_unknown(contact, CONTACT_FIELDS);
            parsed
        })
        .collect();
    let text = |v: &mut Validator, name: &str| owned(v.optional_string(name, get(name)));
    let account_name = text(v, "accountName");
    let subject = text(v, "subject");
    let owner_name = text(v, "ownerName");
    let owner_id = text(v, "ownerId");
    let call_title = text(v, "callTitle");
    let outcome = text(v, "outcome");
    let direction = text(v, "direction");
    let number = |v: &mut Validator, name: &str| {
        v.optional_number(name, get(name))?;
        get(name).and_then(JsValue::as_number).cloned()
    };
    let duration_minutes = number(v, "durationMinutes");
    let open_count = number(v, "openCount");
    let click_count = number(v, "clickCount");
    let from = v.optional_object("from", get("from")).map(|sender| {
        let name = owned(v.optional_string("name", field(sender, "name")));
        let email = owned(v.optional_string("email", field(sender, "email")));
        v.reject_unknown(sender, &["name", "email"]);
        Sender { name, email }
    });
    v.reject_unknown(
        item,
        &[
            "externalActivityId",
            "activityType",
            "occurredAt",
            "domain",
            "ownerEmail",
            "contacts",
            "accountName",
            "subject",
            "ownerName",
            "ownerId",
            "callTitle",
            "outcome",
            "direction",
            "durationMinutes",
            "openCount",
            "clickCount",
            "from",
        ],
    );
    Activity {
        external_activity_id,
        activity_type,
        occurred_at,
        domain,
        owner_email,
        contacts,
        account_name,
        subject,
        owner_name,
        owner_id,
        call_title,
        outcome,
        direction,
        duration_minutes,
        open_count,
        click_count,
        from,
        rtp_aid: None,
        created_at: None,
    }
}

/// `GET /journey-stages`: a bare array, no envelope (observed live).
pub fn journey_stages<'r>(_call: &Call<'r>) -> Result<Work<'r>, Failure> {
    work(|_| Ok(Reply::bare(&JOURNEY_STAGES)))
}

/// `GET /deal-stages`: the team's pipelines as a bare array, no envelope (observed live).
pub fn list_pipelines<'r>(_call: &Call<'r>) -> Result<Work<'r>, Failure> {
    work(|tx| Ok(Reply::bare(&tx.world.store.pipelines(tx.team))))
}
