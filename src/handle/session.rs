//! [`Session`]: one isolated team on a shared mock, as a Rust handle — its own key and base
//! URL, and (through [`TeamView`], which it derefs to) its own data, journal, faults, clock,
//! expectations and reset; checked and deleted when dropped.

use std::ops::Deref;
use std::sync::Arc;

use crate::api::admin::session_names;
use crate::handle::team::{Scope, TeamView};
use crate::store::SessionOrigin;
use crate::world::shared::Shared;

/// A session: a fresh team with its own API key and base URL on a running mock. Everything it
/// does is scoped to that team — seeding and inspection, the journal, faults, the clock,
/// expectations and reset, all of [`TeamView`], which it derefs to — so tests that each hold
/// one never see each other. Dropping it checks its expectations and deletes the team.
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
pub struct Session {
    view: TeamView,
    api_key: String,
    base_url: String,
}

impl Session {
    /// Creates a session on `shared`, served at `root` (`http://HOST:PORT`), with a real
    /// clock and random ids.
    pub(crate) fn create(shared: Arc<Shared>, root: &str) -> Self {
        let (team, key) = session_names(&shared);
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
            view: TeamView::new(
                shared,
                Scope::Team {
                    name: team,
                    session: true,
                },
            ),
            api_key: key,
        }
    }

    /// The session's API key: requests with it are this session's.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The session's own base URL, `http://127.0.0.1:PORT/s/<team>/api/v1`: every request
    /// under it is this session's whatever key it carries, so a missing or wrong key in the
    /// code under test is answered `401` and shows in this session's report and
    /// [`assert_no_client_errors`](TeamView::assert_no_client_errors). Behind the prefix it is
    /// the API of `/api/v1` (the journal, faults and expectations see `/api/v1/...`); the
    /// session's key works on the mock's plain `/api/v1` too.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Deref for Session {
    type Target = TeamView;

    fn deref(&self) -> &TeamView {
        &self.view
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let verdict = self.view.try_verify();
        let team = self.view.name().to_string();
        let _ = self.view.shared.change(|world| world.delete_team(&team));
        if let Err(failure) = verdict {
            if !std::thread::panicking() {
                panic!("recotap-mock: {failure}");
            }
        }
    }
}
