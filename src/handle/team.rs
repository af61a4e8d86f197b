//! `TeamView`: the Rust handle's one surface, written once. Seeding and inspection here; the
//! journal, faults, the clock, checks and reset in `team_control`. `MockRecotap` reaches it
//! for the whole mock (seeding team `default`), `Session` for its own team and
//! `mock.team("name")` for any team, all by `Deref` or as a value.

use std::sync::Arc;

use crate::data::model::{
    Account, CustomField, FieldStatus, NewAccount, ObjectId, ScoreUpdate, Segment,
};
use crate::data::profile::Profile;
use crate::data::sales::{Activity, Deal, Pipeline};
use crate::fidelity::clock::Millis;
use crate::fidelity::domain::clean_domain;
use crate::store::{Store, StoreError, DEFAULT_TEAM};
use crate::world::shared::Shared;

/// Seeding, inspection, the journal, faults, the clock, expectations and checks, and reset,
/// for one scope of a running mock: the whole mock (what [`MockRecotap`](crate::MockRecotap)
/// derefs to: seeding and inspection on team `default`, everything else on the whole mock),
/// one session (what [`Session`](crate::Session) derefs to), or any team
/// (`mock.team("name")`). Seeding through a team's view creates the team if it does not exist
/// yet; inspecting a team that does not exist finds nothing.
///
/// ```
/// use recotap_mock::{MockRecotap, NewAccount};
///
/// let mock = MockRecotap::builder().team_api_key("k2", "team2").start();
/// mock.team("team2").add_account(NewAccount::new("acme.com", "Acme (team 2)"));
/// assert_eq!(mock.team("team2").accounts().len(), 1);
/// assert!(mock.accounts().is_empty(), "team default is untouched");
/// ```
#[derive(Clone, Debug)]
pub struct TeamView {
    pub(crate) shared: Arc<Shared>,
    pub(crate) scope: Scope,
}

/// Whose view a [`TeamView`] is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The whole mock: seeding and inspection on team `default`; the journal, faults, clock,
    /// expectations and reset of the whole mock.
    Mock,
    /// One team. `session`: the view of a session, whose clock and reset need the session to
    /// exist still (a whole-mock reset removes it) rather than falling back to the mock's.
    Team { name: String, session: bool },
}

impl TeamView {
    pub(crate) fn new(shared: Arc<Shared>, scope: Scope) -> Self {
        TeamView { shared, scope }
    }

    /// The team seeding and inspection work on: this team's name, or `default` for the whole
    /// mock.
    pub fn name(&self) -> &str {
        match &self.scope {
            Scope::Mock => DEFAULT_TEAM,
            Scope::Team { name, .. } => name,
        }
    }

    /// The team the journal, faults, checks and reset are scoped to (`None`: the whole mock).
    pub(crate) fn scope_team(&self) -> Option<&str> {
        match &self.scope {
            Scope::Mock => None,
            Scope::Team { name, .. } => Some(name),
        }
    }

    /// Runs one change on the store, at the mock's time, and notes it for the state file.
    fn write<R>(&self, change: impl FnOnce(&mut Store, Millis) -> R) -> R {
        self.shared.change(|world| {
            let now = world.now_for(Some(self.name()));
            change(&mut world.store, now)
        })
    }

    /// Adds a custom field to the team and returns it as stored.
    ///
    /// # Errors
    /// [`StoreError::CustomFieldExists`] if an active field with the same key exists (the API
    /// would answer 409).
    pub fn try_add_custom_field(&self, field: CustomField) -> Result<CustomField, StoreError> {
        self.write(|store, _| store.add_custom_field(self.name(), field))
    }

    /// Adds a custom field to the team and returns it as stored.
    ///
    /// # Panics
    /// If an active field with the same key exists; the message names the field that holds
    /// the key. [`try_add_custom_field`](Self::try_add_custom_field) returns the error instead.
    pub fn add_custom_field(&self, field: CustomField) -> CustomField {
        let asked = format!("add custom field {:?} (key {})", field.label, field.key);
        self.try_add_custom_field(field)
            .unwrap_or_else(|error| self.refuse(&asked, &error))
    }

    /// Adds a segment (any type and status; id generated unless chosen) and returns it.
    ///
    /// # Errors
    /// [`StoreError::SegmentIdTaken`] if the chosen id is taken, [`StoreError::UnknownMember`]
    /// if a member is not an account of the team.
    pub fn try_add_segment(&self, segment: Segment) -> Result<Segment, StoreError> {
        self.write(|store, now| store.add_segment(self.name(), segment, now))
    }

    /// Adds a segment (any type and status; id generated unless chosen) and returns it.
    ///
    /// # Panics
    /// If the id is taken or a member is not an account of the team; the message says what
    /// exists. [`try_add_segment`](Self::try_add_segment) returns the error instead.
    pub fn add_segment(&self, segment: Segment) -> Segment {
        let asked = format!("add segment {:?}", segment.name);
        self.try_add_segment(segment)
            .unwrap_or_else(|error| self.refuse(&asked, &error))
    }

    /// Adds an account (domain cleaned, id and timestamps filled in) and returns it as stored.
    ///
    /// # Errors
    /// [`StoreError::InvalidDomain`], [`StoreError::DomainTaken`] or
    /// [`StoreError::AccountIdTaken`].
    pub fn try_add_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        self.write(|store, now| store.insert_account(self.name(), account, now))
    }

    /// Adds an account and returns it as stored.
    ///
    /// # Panics
    /// If the domain is invalid or taken, or a chosen id is taken; the message names the
    /// account that holds it. [`try_add_account`](Self::try_add_account) returns the error.
    pub fn add_account(&self, account: NewAccount) -> Account {
        let asked = format!("add account {:?} ({:?})", account.domain, account.name);
        self.try_add_account(account)
            .unwrap_or_else(|error| self.refuse(&asked, &error))
    }

    /// Makes the team's requests follow `profile` (the vendor's reference or its live sandbox,
    /// where they differ), whatever the mock's profile is. Creates the team if it is new.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, Profile};
    /// let mock = MockRecotap::start();
    /// let session = mock.session();
    /// session.set_profile(Profile::Sandbox);
    /// assert_eq!(session.profile(), Profile::Sandbox);
    /// assert_eq!(mock.team("default").profile(), Profile::Documented);
    /// ```
    ///
    /// For the whole mock's view, the mock's profile, which every team without its own follows.
    pub fn set_profile(&self, profile: Profile) {
        let scope = self.scope_team();
        self.write(|store, _| {
            if let Some(team) = scope {
                store.team_or_create(team);
            }
            store
                .set_profile(scope, profile)
                .expect("the team exists: created above");
        });
    }

    /// The profile the team's requests follow: its own if set, else the mock's (for the whole
    /// mock's view, the mock's).
    pub fn profile(&self) -> Profile {
        self.shared.world().profile_for(self.scope_team())
    }

    /// Sets the scores and journey stage of the account with domain `domain` (cleaned), as the
    /// vendor would; bumps its update time (so delta syncs see the change). Returns the account.
    ///
    /// # Errors
    /// [`StoreError::DomainNotFound`] if no account of the team has that domain.
    pub fn try_set_scores(&self, domain: &str, update: ScoreUpdate) -> Result<Account, StoreError> {
        self.write(|store, now| {
            let not_found = || StoreError::DomainNotFound(clean_domain(domain).into_owned());
            let id = store
                .account_by_domain(self.name(), domain)
                .ok_or_else(not_found)?
                .id();
            store.update_scores(self.name(), id, &update, now)
        })
    }

    /// Sets the scores and journey stage like [`try_set_scores`](Self::try_set_scores).
    ///
    /// # Panics
    /// If there is no account with that domain; the message lists the team's domains.
    pub fn set_scores(&self, domain: &str, update: ScoreUpdate) -> Account {
        let asked = format!("set the scores of the account with domain {domain:?}");
        self.try_set_scores(domain, update)
            .unwrap_or_else(|error| self.refuse(&asked, &error))
    }

    /// Panics with what was `asked`, why it was refused, what exists, and what to do instead.
    fn refuse(&self, asked: &str, error: &StoreError) -> ! {
        let team = self.name();
        let world = self.shared.world();
        let store = &world.store;
        let (exists, fix) = match error {
            StoreError::CustomFieldExists(key) => {
                let holder = store
                    .custom_fields(team)
                    .into_iter()
                    .find(|field| &field.key == key && field.status == FieldStatus::Active);
                (
                    holder.map(|field| format!("the active field {:?} has that key", field.label)),
                    "add each field once, or add the older one with .inactive()",
                )
            }
            StoreError::SegmentIdTaken(id) => (
                store
                    .segment(team, id)
                    .map(|segment| format!("segment {id:?} is {:?}", segment.name)),
                "choose another id with Segment::id, or leave it out to have one generated",
            ),
            StoreError::UnknownMember(..) => (
                None,
                "add the accounts first, then the segment with their ids",
            ),
            StoreError::DomainTaken(domain) => (
                store.account_by_domain(team, domain).map(|account| {
                    format!("account {} holds it ({:?})", account.rtp_aid, account.name)
                }),
                "use another domain, or change the stored account through the API (upsert)",
            ),
            StoreError::AccountIdTaken(id) => (
                id.parse()
                    .ok()
                    .and_then(|id| store.account(team, id))
                    .map(|account| format!("account {:?} has that id", account.domain)),
                "choose another id with NewAccount::with_id, or leave it out",
            ),
            StoreError::InvalidDomain(_) => (
                None,
                "a domain needs a dot and no white space once cleaned (e.g. \"acme.com\")",
            ),
            StoreError::DomainNotFound(_) => {
                let domains: Vec<String> = store
                    .accounts(team)
                    .into_iter()
                    .take(5)
                    .map(|account| account.domain)
                    .collect();
                (
                    Some(format!(
                        "team {team:?} has the domains {domains:?} (first 5)"
                    )),
                    "add the account first with add_account",
                )
            }
            _ => (None, "see the error"),
        };
        let exists = exists.map_or_else(String::new, |text| format!("; {text}"));
        panic!("recotap-mock: cannot {asked} in team {team:?}: {error}{exists}; {fix}")
    }

    /// Every account of the team, in id order.
    pub fn accounts(&self) -> Vec<Account> {
        self.shared.world().store.accounts(self.name())
    }

    /// The account whose domain matches `domain` once cleaned (`"https://www.acme.com"` finds `acme.com`).
    pub fn account_by_domain(&self, domain: &str) -> Option<Account> {
        self.shared
            .world()
            .store
            .account_by_domain(self.name(), domain)
    }

    /// The account with id `rtp_aid`.
    pub fn account(&self, rtp_aid: ObjectId) -> Option<Account> {
        self.shared.world().store.account(self.name(), rtp_aid)
    }

    /// The segment with id `segment_id`, members included.
    pub fn segment(&self, segment_id: &str) -> Option<Segment> {
        self.shared.world().store.segment(self.name(), segment_id)
    }

    /// The members of a segment, in the order they joined (empty if there is no such segment).
    pub fn segment_members(&self, segment_id: &str) -> Vec<ObjectId> {
        self.segment(segment_id)
            .map(|s| s.members)
            .unwrap_or_default()
    }

    /// Every custom field of the team, inactive ones included, in creation order.
    pub fn custom_fields(&self) -> Vec<CustomField> {
        self.shared.world().store.custom_fields(self.name())
    }

    /// Every deal of the team, in the order first pushed.
    pub fn deals(&self) -> Vec<Deal> {
        self.shared.world().store.deals(self.name())
    }

    /// Every deal pipeline of the team, in creation order.
    pub fn pipelines(&self) -> Vec<Pipeline> {
        self.shared.world().store.pipelines(self.name())
    }

    /// Every sales activity of the team, in creation order.
    pub fn activities(&self) -> Vec<Activity> {
        self.shared.world().store.activities(self.name())
    }
}
