//! Seeding (the handle, the admin API, state documents): an account as given, a custom field,
//! a segment with its members — each checked against what the team already holds.

use super::*;

impl Store {
    /// Stores a seeded account as given (domain cleaned; id and timestamps filled in if missing).
    pub fn insert_account(
        &mut self,
        team: &str,
        account: NewAccount,
        now: Millis,
    ) -> Result<Account, StoreError> {
        let name = team;
        let (team, store_ids) = self.team_and_store_ids(name);
        let domain = clean_domain(&account.domain).into_owned();
        if !is_valid_domain(&domain) {
            return Err(StoreError::InvalidDomain(account.domain));
        }
        if team.by_domain.contains_key(domain.as_str()) {
            return Err(StoreError::DomainTaken(domain));
        }
        let id = match account.rtp_aid {
            Some(id) if team.accounts.contains_key(&id) => {
                return Err(StoreError::AccountIdTaken(id.to_string()))
            }
            Some(id) => id,
            None => {
                let ids = ids_of(&mut team.session, store_ids);
                ids.next_free(now, |id| team.accounts.contains_key(id))
            }
        };
        let domain: Arc<str> = Arc::from(domain);
        let record = AccountRecord::from_seed(account, id, Arc::clone(&domain), now);
        let stored = record.to_account();
        team.by_domain.insert(domain, id);
        team.accounts.insert(id, record);
        self.note_account(name, id);
        Ok(stored)
    }

    /// Adds a custom field. An active field with the same key is a conflict; an inactive one
    /// is replaced by the new definition **\[choice\]**. Options are kept only for selections.
    pub fn add_custom_field(
        &mut self,
        team: &str,
        mut field: CustomField,
    ) -> Result<CustomField, StoreError> {
        let name = team;
        let team = self.team_or_create(name);
        if team.is_active_field(&field.key) {
            return Err(StoreError::CustomFieldExists(field.key));
        }
        team.custom_fields
            .retain(|existing| existing.key != field.key);
        if !field.label_type.is_selection() {
            field.options.clear();
        }
        team.custom_fields.push(field.clone());
        self.changes.note(|| Change::Fields(name.to_string()));
        Ok(field)
    }

    /// Adds a segment (id generated when the seed has none). Members must be accounts of the team.
    pub fn add_segment(
        &mut self,
        team: &str,
        segment: Segment,
        now: Millis,
    ) -> Result<Segment, StoreError> {
        if segment.segment_id.as_deref() == Some("") {
            return Err(StoreError::EmptySegmentId);
        }
        let name = team;
        let (team, store_ids) = self.team_and_store_ids(name);
        let id = match &segment.segment_id {
            Some(id) => id.clone(),
            None => ids_of(&mut team.session, store_ids)
                .next_free(now, |id| team.segments.contains_key(&id.to_string()))
                .to_string(),
        };
        if team.segments.contains_key(&id) {
            return Err(StoreError::SegmentIdTaken(id));
        }
        if let Some(stranger) = segment
            .members
            .iter()
            .find(|member| !team.accounts.contains_key(member))
        {
            return Err(StoreError::UnknownMember(id, *stranger));
        }
        let mut record = SegmentRecord {
            name: segment.name,
            segment_type: segment.segment_type,
            status: segment.status,
            members: Vec::new(),
            member_set: HashSet::new(),
        };
        for member in segment.members {
            record.add_member(member);
        }
        let stored = record.to_segment(&id);
        team.segments.insert(id.clone(), record);
        self.changes.note(|| Change::Segment(name.to_string(), id));
        Ok(stored)
    }
}
