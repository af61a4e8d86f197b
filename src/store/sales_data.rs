//! Deals, pipelines and sales activities (docs/api.md §5) in the store: the team's `SalesBook`
//! reached by name, and what the handle and admin API read back.

use super::*;

/// Deals, pipelines and activities (docs/api.md §5), each call one transaction.
impl Store {
    /// `POST /deals`: upsert by `externalDealId`, accounts linked by cleaned domain.
    pub fn upsert_deals(&mut self, team: &str, deals: Vec<Deal>) -> Vec<DealResult> {
        let name = team;
        let team = self.team_or_create(name);
        let by_domain = &team.by_domain;
        let results = team
            .sales
            .upsert_deals(deals, |domain| by_domain.get(domain).copied());
        for result in &results {
            let id = &result.external_deal_id;
            self.changes
                .note(|| Change::Deal(name.to_string(), id.clone()));
        }
        results
    }

    /// `POST /deal-stages`: all pipelines or none.
    pub fn create_pipelines(
        &mut self,
        team: &str,
        pipelines: Vec<Pipeline>,
    ) -> Result<Vec<String>, PipelinesExist> {
        let created = self
            .team_or_create(team)
            .sales
            .create_pipelines(pipelines)?;
        self.changes.note(|| Change::Pipelines(team.to_string()));
        Ok(created)
    }

    /// `POST /sales-activities`: calls and emails stored, others skipped, known ids failed.
    pub fn add_activities(
        &mut self,
        team: &str,
        activities: Vec<Activity>,
        now: Millis,
    ) -> Vec<ActivityResult> {
        let name = team;
        let team = self.team_or_create(name);
        let before = team.sales.activities().len();
        let by_domain = &team.by_domain;
        let results = team
            .sales
            .add_activities(activities, now, |domain| by_domain.get(domain).copied());
        if team.sales.activities().len() > before {
            self.changes
                .note(|| Change::ActivitiesFrom(name.to_string(), before));
        }
        results
    }

    /// The team's deals, in the order first pushed.
    pub fn deals(&self, team: &str) -> Vec<Deal> {
        self.team(team)
            .map(|team| team.sales.deals().to_vec())
            .unwrap_or_default()
    }

    /// The team's pipelines, in creation order.
    pub fn pipelines(&self, team: &str) -> Vec<Pipeline> {
        self.team(team)
            .map(|team| team.sales.pipelines().to_vec())
            .unwrap_or_default()
    }

    /// The team's activities, in creation order.
    pub fn activities(&self, team: &str) -> Vec<Activity> {
        self.team(team)
            .map(|team| team.sales.activities().to_vec())
            .unwrap_or_default()
    }
}
