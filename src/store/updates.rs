//! Changes to existing accounts: custom-field updates (docs/api.md §2.3), external-id mapping
//! (§2.4) and the vendor-side scores a test sets.

use super::*;

impl Store {
    /// `PUT /accounts/:rtp_aid` (docs/api.md §2.3): merges active custom fields, bumps the update time.
    pub fn update_custom_fields(
        &mut self,
        team: &str,
        id: ObjectId,
        values: Option<JsObject>,
        now: Millis,
    ) -> Result<(), StoreError> {
        let not_found = || StoreError::AccountNotFound(id.to_string());
        let name = team;
        let team = self.team_mut(name).ok_or_else(not_found)?;
        if !team.accounts.contains_key(&id) {
            return Err(not_found());
        }
        let values = values.unwrap_or_default();
        let unknown = team.unknown_keys(values.keys().map(String::as_str));
        if !unknown.is_empty() {
            return Err(StoreError::UnknownCustomFields(unknown));
        }
        let account = team.accounts.get_mut(&id).ok_or_else(not_found)?;
        account.updated_at = now;
        let differs = values
            .iter()
            .any(|(key, value)| account.custom_field(key) != Some(value));
        if differs {
            let data = account.data_mut();
            for (key, value) in values {
                data.set_custom_field(Cow::Owned(key), value);
            }
        }
        self.note_account(name, id);
        Ok(())
    }

    /// `PATCH /accounts/external-ids` (docs/api.md §2.4). `mappings` holds (domain as sent, external id).
    pub fn map_external_ids(
        &mut self,
        team: &str,
        mappings: &[(String, String)],
        now: Millis,
    ) -> ExternalIdOutcome {
        let mut outcome = ExternalIdOutcome::default();
        let name = team;
        let changes_on = self.changes.is_on();
        let mut changed = Vec::new();
        let team = self.team_or_create(name);
        // Last mapping per cleaned domain wins; first-seen order is kept for `notFound`.
        let mut last: Vec<(String, &str, &str)> = Vec::new();
        for (raw, external_id) in mappings {
            let cleaned = clean_domain(raw).into_owned();
            match last.iter_mut().find(|(seen, _, _)| *seen == cleaned) {
                Some(entry) => entry.2 = external_id,
                None => last.push((cleaned, raw, external_id)),
            }
        }
        for (cleaned, raw, external_id) in last {
            let Some(id) = team.by_domain.get(cleaned.as_str()) else {
                outcome.not_found.push(raw.to_string());
                continue;
            };
            let account = team
                .accounts
                .get_mut(id)
                .expect("by_domain only names stored accounts");
            outcome.matched += 1;
            if account.external_id.as_deref() != Some(external_id) {
                account.data_mut().external_id = Some(Box::from(external_id));
                account.updated_at = now;
                outcome.updated += 1;
                if changes_on {
                    changed.push(*id);
                }
            }
        }
        for id in changed {
            self.note_account(name, id);
        }
        outcome
    }

    /// Sets what the vendor computes (scores, journey stage), bumping the update time.
    pub fn update_scores(
        &mut self,
        team: &str,
        id: ObjectId,
        update: &ScoreUpdate,
        now: Millis,
    ) -> Result<Account, StoreError> {
        let not_found = || StoreError::AccountNotFound(id.to_string());
        let name = team;
        let team = self.team_mut(name).ok_or_else(not_found)?;
        let account = team.accounts.get_mut(&id).ok_or_else(not_found)?;
        account.data_mut().apply_scores(update);
        // A chosen update time (to place the change for a delta sync), else now.
        account.updated_at = update
            .rtp_last_account_date
            .map_or(now, crate::data::timestamp::Timestamp::as_millis);
        let updated = account.to_account();
        self.note_account(name, id);
        Ok(updated)
    }
}

/// The answer of `PATCH /accounts/external-ids`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalIdOutcome {
    pub matched: usize,
    pub updated: usize,
    pub not_found: Vec<String>,
}
