//! [`Session`]: one isolated team on a shared mock, as a Rust handle — its own key, data,
//! journal, faults, clock, expectations and reset; dropped with the handle.

use std::ops::Deref;
use std::time::Duration;

use crate::api::admin::session_names;
use crate::checks::{Checks, ExpectationsNotMet, Expected};
use crate::clock::Millis;
use crate::faults::{ActiveFault, Fault, FaultId, InvalidFault};
use crate::journal::{RecordedRequest, RequestFilter};
use crate::shared::Shared;
use crate::store::SessionOrigin;
use crate::team::TeamView;
use crate::timestamp::{IntoTimestamp, Timestamp};
use crate::verify::Request;

/// A session: a fresh team with its own API key on a running mock. Everything it does is
/// scoped to that team — seeding and inspection (through [`TeamView`], which it derefs to),
/// the journal, faults, the clock, expectations and reset — so tests that each hold one never
/// see each other. Dropping it checks its expectations and deletes the team.
///
/// ```
/// use recotap_mock::{MockRecotap, NewAccount};
/// let mock = MockRecotap::start();
/// let a = mock.session();
/// let b = mock.session();
/// a.add_account(NewAccount::new("acme.com", "Acme"));
/// assert_eq!(a.accounts().len(), 1);
/// assert!(b.accounts().is_empty());
/// assert_ne!(a.api_key(), b.api_key());
/// ```
#[must_use = "the session is deleted when its handle is dropped"]
#[derive(Debug)]
pub struct Session<'m> {
    view: TeamView<'m>,
    shared: &'m Shared,
    api_key: String,
    base_url: String,
}

impl<'m> Session<'m> {
    /// Creates a session on `shared`, served at `root` (`http://HOST:PORT`), with a real
    /// clock and random ids.
    pub(crate) fn create(shared: &'m Shared, root: &str) -> Self {
        let (team, key) = session_names(shared);
        let origin = SessionOrigin {
            key: key.clone(),
            profile: None,
            frozen_at: None,
            id_seed: None,
        };
        shared
            .change(|world| world.store.create_session(&team, origin))
            .expect("a fresh session name is free");
        Session {
            base_url: format!("{root}/s/{team}/api/v1"),
            view: TeamView::new(shared, &team),
            shared,
            api_key: key,
        }
    }

    /// Runs `change` on this session's own clock.
    ///
    /// # Panics
    /// If the session no longer exists (a whole-mock reset or restore removes sessions).
    fn with_clock<R>(&self, change: impl FnOnce(&mut crate::clock::Clock) -> R) -> R {
        let mut world = self.shared.world();
        match world.session_clock(self.view.name()) {
            Some(clock) => change(clock),
            None => {
                drop(world);
                panic!("{}", self.gone())
            }
        }
    }

    fn gone(&self) -> String {
        format!(
            "recotap-mock: session {} no longer exists: a whole-mock reset or restore removes \
             every session; reset one session with session.reset() instead",
            self.view.name()
        )
    }

    fn checks(&self) -> Checks<'_> {
        Checks {
            shared: self.shared,
            team: Some(self.view.name()),
        }
    }

    /// The session's API key: requests with it are this session's.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The session's own base URL, `http://127.0.0.1:PORT/s/<team>/api/v1`: every request
    /// under it is this session's whatever key it carries, so a missing or wrong key in the
    /// code under test is answered `401` and shows in this session's report and
    /// [`assert_no_client_errors`](Session::assert_no_client_errors). Behind the prefix it is
    /// the API of `/api/v1` (the journal, faults and expectations see `/api/v1/...`); the
    /// session's key works on the mock's plain `/api/v1` too.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// This session's journal, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.checks().requests()
    }

    /// Adds a fault that hits only this session's requests.
    ///
    /// # Panics
    /// If the fault is inconsistent (a `Fault` built through its methods never is).
    pub fn add_fault(&self, fault: Fault) -> FaultId {
        let added = self
            .shared
            .world()
            .add_fault(fault.for_team(self.view.name()));
        added.unwrap_or_else(|error| panic!("recotap-mock: cannot add fault: {error}"))
    }

    /// Adds a fault that hits only this session's requests, or says which field is
    /// inconsistent (a `Fault` built through its methods never is).
    ///
    /// # Errors
    /// [`InvalidFault`] naming the field.
    pub fn try_add_fault(&self, fault: Fault) -> Result<FaultId, InvalidFault> {
        let added = self
            .shared
            .world()
            .add_fault(fault.for_team(self.view.name()));
        added.map_err(|problem| InvalidFault { problem })
    }

    /// This session's journal entries `filter` selects (its `team` is replaced by this
    /// session's), oldest first.
    pub fn requests_matching(&self, filter: &RequestFilter) -> Vec<RecordedRequest> {
        let filter = RequestFilter {
            team: Some(self.view.name().to_string()),
            ..filter.clone()
        };
        self.shared.world().journal.query(&filter)
    }

    /// This session's faults with uses left.
    pub fn faults(&self) -> Vec<ActiveFault> {
        self.shared.world().faults.list_team(self.view.name())
    }

    /// Removes this session's faults.
    pub fn clear_faults(&self) {
        self.shared.world().clear_faults(Some(self.view.name()));
    }

    /// The session's time (its own clock).
    pub fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.shared.world().now_for(Some(self.view.name())))
    }

    /// Freezes the session's clock at `at` (other sessions keep their time).
    ///
    /// # Panics
    /// If `at` is text that is not an ISO 8601 date or date-time.
    pub fn freeze_clock(&self, at: impl IntoTimestamp) {
        let at = at
            .into_timestamp()
            .unwrap_or_else(|error| panic!("recotap-mock: cannot freeze the clock: {error}"));
        self.with_clock(|clock| clock.freeze(at.as_millis()));
    }

    /// Moves the session's clock forward (a real clock becomes frozen at the later instant).
    ///
    /// # Panics
    /// Past 9999-12-31T23:59:59.999Z, the last instant the API's timestamps can show.
    pub fn advance_clock(&self, by: Duration) {
        let by = Millis::try_from(by.as_millis()).unwrap_or(Millis::MAX);
        self.with_clock(|clock| clock.advance(by))
            .unwrap_or_else(|error| panic!("recotap-mock: {error}"));
    }

    /// Returns the session's clock to real time.
    pub fn unfreeze_clock(&self) {
        self.with_clock(|clock| clock.unfreeze());
    }

    /// Back to the session as created: no data, journal entries, faults or expectations.
    pub fn reset(&self) {
        let team = self.view.name();
        let reset = self.shared.change(|world| {
            if !world.store.is_session(team) {
                return Err(());
            }
            world.reset_team(team, &self.shared.initial).map_err(|_| ())
        });
        if reset.is_err() {
            panic!("{}", self.gone());
        }
    }

    /// Expects requests matching `request` from this session (at least one unless changed).
    pub fn expect(&self, request: Request) -> Expected<'_> {
        self.checks().expect(request)
    }

    /// Checks this session's expectations.
    ///
    /// # Panics
    /// With what was expected, what was received and what to check, if one does not hold.
    pub fn verify(&self) {
        self.checks().verify();
    }

    /// Checks this session's expectations, returning the failure text instead of panicking.
    ///
    /// # Errors
    /// The report of the expectations that do not hold.
    pub fn try_verify(&self) -> Result<(), ExpectationsNotMet> {
        self.checks().try_verify()
    }

    /// Panics, listing each, if the code under test got a 4xx or a `failed` item inside a
    /// `200` batch in this session.
    pub fn assert_no_client_errors(&self) {
        self.checks().assert_no_client_errors();
    }

    /// A plain-text summary of this session's requests, client errors, accounts and faults.
    pub fn report(&self) -> String {
        self.checks().report()
    }
}

impl<'m> Deref for Session<'m> {
    type Target = TeamView<'m>;

    fn deref(&self) -> &TeamView<'m> {
        &self.view
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let verdict = self.try_verify();
        let team = self.view.name().to_string();
        let _ = self.shared.change(|world| world.delete_team(&team));
        if let Err(failure) = verdict {
            if !std::thread::panicking() {
                panic!("recotap-mock: {failure}");
            }
        }
    }
}
