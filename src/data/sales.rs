//! Pipeline data a team pushes besides accounts: deals, deal-stage pipelines and sales
//! activities (docs/api.md §5), with their upsert / all-or-nothing / dedupe rules. Pure data and
//! rules: no HTTP, no locking; accounts are reached through a domain → id lookup.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Number;

use crate::data::timestamp::Timestamp;
use crate::fidelity::clock::Millis;
use crate::fidelity::domain::clean_domain as cleaned;

fn clean_domain(raw: &str) -> String {
    cleaned(raw).into_owned()
}
use crate::data::model::ObjectId;

/// An account a deal names; linked to a stored account by cleaned domain when one exists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssociatedAccount {
    #[serde(default)]
    pub external_id: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The linked account, `None` while no account has the domain.
    #[serde(default, rename = "rtp_aid")]
    pub rtp_aid: Option<ObjectId>,
}

/// A deal, keyed by `externalDealId`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deal {
    pub external_deal_id: String,
    pub name: String,
    #[serde(default)]
    pub amount: Option<Number>,
    #[serde(default)]
    pub stage_id: Option<String>,
    #[serde(default)]
    pub stage_label: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<String>,
    #[serde(default)]
    pub pipeline_label: Option<String>,
    #[serde(default)]
    pub owner_name: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub owner_email: Option<String>,
    #[serde(default)]
    pub deal_currency_code: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub closed_date: Option<String>,
    #[serde(default)]
    pub associated_accounts: Vec<AssociatedAccount>,
}

/// One stage of a pipeline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Stage {
    pub stage_id: String,
    pub stage_label: String,
}

/// A deal pipeline and its stages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Pipeline {
    pub pipeline_id: String,
    pub pipeline_label: String,
    pub stages: Vec<Stage>,
}

/// A person on a sales activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Contact {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub external_contact_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub seniority: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub linkedin_url: Option<String>,
}

/// The sender of an email activity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sender {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A call or email, keyed by `externalActivityId`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Activity {
    pub external_activity_id: String,
    pub activity_type: String,
    pub occurred_at: String,
    pub domain: String,
    pub owner_email: String,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub account_name: Option<String>,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub owner_name: Option<String>,
    #[serde(default)]
    pub owner_id: Option<String>,
    #[serde(default)]
    pub call_title: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub duration_minutes: Option<Number>,
    #[serde(default)]
    pub open_count: Option<Number>,
    #[serde(default)]
    pub click_count: Option<Number>,
    #[serde(default)]
    pub from: Option<Sender>,
    /// The account of the cleaned `domain` when the activity was stored, if any.
    #[serde(default, rename = "rtp_aid")]
    pub rtp_aid: Option<ObjectId>,
    /// When the mock stored it.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// One entry of `results` in `POST /deals`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DealResult {
    pub external_deal_id: String,
    pub status: &'static str,
}

/// One entry of `results` in `POST /sales-activities`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityResult {
    pub external_activity_id: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// `POST /deal-stages` refused: these pipeline ids exist already (request order, no repeats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelinesExist(pub Vec<String>);

impl fmt::Display for PipelinesExist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pipeline(s) already exist: {}", self.0.join(", "))
    }
}

/// A team's deals, pipelines and activities.
#[derive(Clone, Debug, Default)]
pub struct SalesBook {
    /// Insertion order; `deal_index` finds a deal by `externalDealId`.
    deals: Vec<Deal>,
    deal_index: HashMap<String, usize>,
    pipelines: Vec<Pipeline>,
    activities: Vec<Activity>,
    activity_ids: HashSet<String>,
}

impl SalesBook {
    /// Upserts each deal by `externalDealId` (a known deal is replaced whole **\[choice\]**) and
    /// links associated accounts by cleaned domain.
    pub fn upsert_deals(
        &mut self,
        deals: Vec<Deal>,
        account_of: impl Fn(&str) -> Option<ObjectId>,
    ) -> Vec<DealResult> {
        let mut results = Vec::with_capacity(deals.len());
        for mut deal in deals {
            for associated in &mut deal.associated_accounts {
                associated.rtp_aid = associated
                    .domain
                    .as_deref()
                    .and_then(|domain| account_of(&clean_domain(domain)));
            }
            results.push(DealResult {
                external_deal_id: deal.external_deal_id.clone(),
                status: "upserted",
            });
            self.store_deal(deal);
        }
        results
    }

    fn store_deal(&mut self, deal: Deal) {
        match self.deal_index.get(&deal.external_deal_id) {
            Some(&index) => self.deals[index] = deal,
            None => {
                self.deal_index
                    .insert(deal.external_deal_id.clone(), self.deals.len());
                self.deals.push(deal);
            }
        }
    }

    /// Creates every pipeline, or none if any id exists already (or repeats in the request).
    pub fn create_pipelines(
        &mut self,
        pipelines: Vec<Pipeline>,
    ) -> Result<Vec<String>, PipelinesExist> {
        let mut seen = HashSet::new();
        let mut conflicts: Vec<String> = Vec::new();
        for pipeline in &pipelines {
            let id = &pipeline.pipeline_id;
            let exists = self.pipelines.iter().any(|p| &p.pipeline_id == id) || !seen.insert(id);
            if exists && !conflicts.contains(id) {
                conflicts.push(id.clone());
            }
        }
        if !conflicts.is_empty() {
            return Err(PipelinesExist(conflicts));
        }
        let ids = pipelines.iter().map(|p| p.pipeline_id.clone()).collect();
        self.pipelines.extend(pipelines);
        Ok(ids)
    }

    /// Stores calls and emails; other types are skipped, known ids fail.
    pub fn add_activities(
        &mut self,
        activities: Vec<Activity>,
        now: Millis,
        account_of: impl Fn(&str) -> Option<ObjectId>,
    ) -> Vec<ActivityResult> {
        let mut results = Vec::with_capacity(activities.len());
        for mut activity in activities {
            let id = activity.external_activity_id.clone();
            let (status, error) = if !matches!(activity.activity_type.as_str(), "call" | "email") {
                ("skipped", None)
            } else if !activity.contacts.iter().any(|c| c.email.is_some()) {
                // **\[choice\]**, after the type check and before the duplicate check: an
                // activity with no contact email cannot be linked (observed live).
                let error = "At least one contact with an email is required".to_string();
                ("failed", Some(error))
            } else if self.activity_ids.contains(&id) {
                let error = format!("Activity with externalActivityId '{id}' already exists");
                ("failed", Some(error))
            } else {
                activity.rtp_aid = account_of(&clean_domain(&activity.domain));
                activity.created_at = Some(Timestamp::from_millis(now));
                self.activity_ids.insert(id.clone());
                self.activities.push(activity);
                ("created", None)
            };
            results.push(ActivityResult {
                external_activity_id: id,
                status,
                error,
            });
        }
        results
    }

    /// The deal `id` and its position in [`deals`](Self::deals).
    #[cfg(feature = "persistence")]
    pub fn deal_at(&self, id: &str) -> Option<(usize, &Deal)> {
        let position = *self.deal_index.get(id)?;
        Some((position, &self.deals[position]))
    }

    /// Deals in the order first pushed.
    pub fn deals(&self) -> &[Deal] {
        &self.deals
    }

    /// Pipelines in creation order.
    pub fn pipelines(&self) -> &[Pipeline] {
        &self.pipelines
    }

    /// Activities in creation order.
    pub fn activities(&self) -> &[Activity] {
        &self.activities
    }

    /// A book holding exactly these records (state document restore), or the first id that
    /// appears twice.
    pub fn restore(
        deals: Vec<Deal>,
        pipelines: Vec<Pipeline>,
        activities: Vec<Activity>,
    ) -> Result<Self, String> {
        let mut book = SalesBook::default();
        // What `POST /deal-stages` and `POST /deals` refuse, a document must not hold either:
        // `GET /deal-stages` could not describe such a pipeline.
        for pipeline in &pipelines {
            let id = &pipeline.pipeline_id;
            let problem = if id.is_empty() {
                Some("a pipeline has an empty pipelineId")
            } else if pipeline.pipeline_label.is_empty() {
                Some("has an empty pipelineLabel")
            } else if pipeline.stages.is_empty() {
                Some("has no stages (the API takes at least one)")
            } else if pipeline
                .stages
                .iter()
                .any(|stage| stage.stage_id.is_empty() || stage.stage_label.is_empty())
            {
                Some("has a stage with an empty stageId or stageLabel")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(match id.is_empty() {
                    true => problem.to_string(),
                    false => format!("pipeline '{id}' {problem}"),
                });
            }
        }
        if deals.iter().any(|deal| deal.external_deal_id.is_empty()) {
            return Err("a deal has an empty externalDealId".to_string());
        }
        if activities
            .iter()
            .any(|activity| activity.external_activity_id.is_empty())
        {
            return Err("an activity has an empty externalActivityId".to_string());
        }
        for deal in deals {
            if book.deal_index.contains_key(&deal.external_deal_id) {
                return Err(format!("deal '{}' appears twice", deal.external_deal_id));
            }
            book.store_deal(deal);
        }
        book.create_pipelines(pipelines)
            .map_err(|error| error.to_string())?;
        for activity in activities {
            if !book
                .activity_ids
                .insert(activity.external_activity_id.clone())
            {
                let id = activity.external_activity_id;
                return Err(format!("activity '{id}' appears twice"));
            }
            book.activities.push(activity);
        }
        Ok(book)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(id: &str) -> Pipeline {
        Pipeline {
            pipeline_id: id.to_string(),
            pipeline_label: id.to_uppercase(),
            stages: vec![Stage {
                stage_id: "s1".into(),
                stage_label: "Stage 1".into(),
            }],
        }
    }

    #[test]
    fn pipelines_are_all_or_nothing_and_name_every_conflict() {
        let mut book = SalesBook::default();
        book.create_pipelines(vec![pipeline("a"), pipeline("b")])
            .unwrap();
        let refused = book
            .create_pipelines(vec![
                pipeline("c"),
                pipeline("b"),
                pipeline("a"),
                pipeline("c"),
            ])
            .unwrap_err();
        assert_eq!(refused.to_string(), "Pipeline(s) already exist: b, a, c");
        assert_eq!(book.pipelines().len(), 2);
    }

    #[test]
    fn a_known_deal_is_replaced_in_place() {
        let mut book = SalesBook::default();
        let deal = |name: &str| Deal {
            external_deal_id: "d-1".into(),
            name: name.into(),
            ..Deal::default()
        };
        book.upsert_deals(vec![deal("first")], |_| None);
        book.upsert_deals(vec![deal("second")], |_| None);
        assert_eq!(book.deals().len(), 1);
        assert_eq!(book.deals()[0].name, "second");
    }
}
