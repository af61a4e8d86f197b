//! `TeamView`: the seeding and inspection methods of the Rust handle, for one team. The
//! handle's own methods work on team `default`; `mock.team("name")` reaches any other.

use crate::clock::Millis;
use crate::model::{Account, CustomField, NewAccount, ObjectId, ScoreUpdate, Segment};
use crate::sales::{Activity, Deal, Pipeline};
use crate::shared::Shared;
use crate::store::{Store, StoreError};

/// One team of a running mock. Seeding through it creates the team if it does not exist yet;
/// inspecting a team that does not exist finds nothing.
///
/// ```
/// use recotap_mock::{MockRecotap, NewAccount};
///
/// let mock = MockRecotap::builder().team_api_key("k2", "team2").start();
/// mock.team("team2").add_account(NewAccount::new("acme.com", "Acme (team 2)"));
/// assert_eq!(mock.team("team2").accounts().len(), 1);
/// assert!(mock.accounts().is_empty(), "team default is untouched");
/// ```
#[derive(Debug)]
pub struct TeamView<'m> {
    shared: &'m Shared,
    name: String,
}

impl<'m> TeamView<'m> {
    pub(crate) fn new(shared: &'m Shared, name: &str) -> Self {
        TeamView {
            shared,
            name: name.to_string(),
        }
    }

    /// The team's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Runs one change on the store, at the mock's time, and notes it for the state file.
    fn write<R>(&self, change: impl FnOnce(&mut Store, Millis) -> R) -> R {
        self.shared.change(|world| {
            let now = world.now();
            change(&mut world.store, now)
        })
    }

    /// Adds a custom field to the team and returns it as stored.
    ///
    /// # Panics
    /// If an active field with the same key exists (the API would answer 409).
    pub fn add_custom_field(&self, field: CustomField) -> CustomField {
        let added = self.write(|store, _| store.add_custom_field(&self.name, field));
        added.unwrap_or_else(|error| panic!("recotap-mock: cannot add custom field: {error}"))
    }

    /// Adds a segment (any type and status; id generated unless chosen) and returns it.
    ///
    /// # Panics
    /// If the id is taken or a member is not an account of the team.
    pub fn add_segment(&self, segment: Segment) -> Segment {
        let added = self.write(|store, now| store.add_segment(&self.name, segment, now));
        added.unwrap_or_else(|error| panic!("recotap-mock: cannot add segment: {error}"))
    }

    /// Adds an account (domain cleaned, id and timestamps filled in) and returns it as stored.
    pub fn try_add_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        self.write(|store, now| store.insert_account(&self.name, account, now))
    }

    /// Adds an account and returns it as stored.
    ///
    /// # Panics
    /// If the domain is invalid or taken; use [`TeamView::try_add_account`] to handle that.
    pub fn add_account(&self, account: NewAccount) -> Account {
        self.try_add_account(account)
            .unwrap_or_else(|error| panic!("recotap-mock: cannot add account: {error}"))
    }

    /// Sets the scores and journey stage of the account with domain `domain` (cleaned), as the
    /// vendor would; bumps its update time (so delta syncs see the change). Returns the account.
    ///
    /// # Panics
    /// If there is no account with that domain.
    pub fn set_scores(&self, domain: &str, update: ScoreUpdate) -> Account {
        self.write(|store, now| {
            let id = store
                .account_by_domain(&self.name, domain)
                .unwrap_or_else(|| panic!("recotap-mock: no account with domain {domain:?}"))
                .id();
            store
                .update_scores(&self.name, id, &update, now)
                .expect("the account was just found")
        })
    }

    /// Every account of the team, in id order.
    pub fn accounts(&self) -> Vec<Account> {
        self.shared.world().store.accounts(&self.name)
    }

    /// The account whose domain matches `domain` once cleaned (`"https://www.acme.com"` finds `acme.com`).
    pub fn account_by_domain(&self, domain: &str) -> Option<Account> {
        self.shared
            .world()
            .store
            .account_by_domain(&self.name, domain)
    }

    /// The account with id `rtp_aid`.
    pub fn account(&self, rtp_aid: ObjectId) -> Option<Account> {
        self.shared.world().store.account(&self.name, rtp_aid)
    }

    /// The segment with id `segment_id`, members included.
    pub fn segment(&self, segment_id: &str) -> Option<Segment> {
        self.shared.world().store.segment(&self.name, segment_id)
    }

    /// The members of a segment, in the order they joined (empty if there is no such segment).
    pub fn segment_members(&self, segment_id: &str) -> Vec<ObjectId> {
        self.segment(segment_id)
            .map(|s| s.members)
            .unwrap_or_default()
    }

    /// Every custom field of the team, inactive ones included, in creation order.
    pub fn custom_fields(&self) -> Vec<CustomField> {
        self.shared.world().store.custom_fields(&self.name)
    }

    /// Every deal of the team, in the order first pushed.
    pub fn deals(&self) -> Vec<Deal> {
        self.shared.world().store.deals(&self.name)
    }

    /// Every deal pipeline of the team, in creation order.
    pub fn pipelines(&self) -> Vec<Pipeline> {
        self.shared.world().store.pipelines(&self.name)
    }

    /// Every sales activity of the team, in creation order.
    pub fn activities(&self) -> Vec<Activity> {
        self.shared.world().store.activities(&self.name)
    }
}
