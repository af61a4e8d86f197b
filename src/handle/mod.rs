//! `MockRecotap`, the handle a Rust test holds: start, where the mock is, its teams and
//! sessions, its whole state; everything else through [`TeamView`] (which it derefs to, for
//! the whole mock). Every method is synchronous, cheap, and safe to call from inside an async
//! test; dropping the handle checks its expectations and stops the server.

pub(crate) mod builder;
pub(crate) mod checks;
pub(crate) mod control;
pub(crate) mod session;
pub(crate) mod start;
pub(crate) mod stop;
pub(crate) mod team;
pub(crate) mod team_control;

use std::net::SocketAddr;
use std::sync::Arc;

use std::ops::Deref;

use crate::handle::builder::MockRecotapBuilder;
use crate::handle::session::Session;
use crate::handle::team::{Scope, TeamView};
use crate::server::ServerHandle;
use crate::world::shared::Shared;

/// The API key a mock accepts unless configured otherwise.
pub const DEFAULT_API_KEY: &str = "test-api-key";

/// A running Recotap emulator on `127.0.0.1`, with its state in memory.
///
/// Seeding, inspection, the journal, faults, the clock, expectations, checks and reset are
/// [`TeamView`]'s, which this handle derefs to for the whole mock (seeding and inspection on
/// team `default`); [`team`](Self::team) and [`session`](Self::session) give the same surface
/// for one team. (`Deref` rather than a trait: one surface, written once, with nothing to
/// import; the handle owns the view it derefs to, as a smart pointer owns its target.)
///
/// ```
/// use recotap_mock::{CustomField, LabelType, MockRecotap};
///
/// let mock = MockRecotap::start();
/// mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
///
/// let response = reqwest::blocking::Client::new()
///     .post(format!("{}/accounts", mock.base_url()))
///     .header("X-Api-Key", mock.api_key())
///     .json(&serde_json::json!({ "accounts": [
///         { "domain": "https://www.Acme.com/", "name": "Acme",
///           "customFields": { "CONTRACT_VALUE_C": 1200 } } ] }))
///     .send()
///     .unwrap();
/// assert_eq!(response.status(), 200);
///
/// let acme = mock.account_by_domain("acme.com").unwrap();
/// assert_eq!(acme.custom_fields["CONTRACT_VALUE_C"], 1200);
/// ```
#[must_use = "the mock stops when its handle is dropped"]
#[derive(Debug)]
pub struct MockRecotap {
    pub(crate) shared: Arc<Shared>,
    /// The whole mock's view, which the handle derefs to.
    pub(crate) view: TeamView,
    pub(crate) address: SocketAddr,
    pub(crate) api_key: String,
    pub(crate) server: ServerHandle,
    /// Whether the port was picked by the system (port 0): then nobody waits to bind it
    /// again, and dropping the handle need not wait until it is closed.
    pub(crate) ephemeral_port: bool,
    /// Whether the server was stopped and the state file's writer finished (`stop`,
    /// `try_stop`), so that the drop does not do it, or report its failure, again.
    pub(crate) finished: bool,
}

impl MockRecotap {
    /// Starts a mock on a free port of `127.0.0.1`, with team `default` and key `test-api-key`.
    /// It accepts connections as soon as this returns. Works from any thread or runtime.
    pub fn start() -> MockRecotap {
        MockRecotap::builder().start()
    }

    /// A mock shared by the whole process, started on first use and never stopped (it ends with
    /// the process). With [`session`](Self::session) it is the fast default for large suites:
    /// each test takes an isolated session on it (a few microseconds) instead of starting a
    /// server of its own, and tests running in parallel never see each other.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, NewAccount};
    /// let session = MockRecotap::shared().session();
    /// session.add_account(NewAccount::new("acme.com", "Acme"));
    /// assert_eq!(session.accounts().len(), 1);
    /// ```
    ///
    /// # Panics
    /// If the shared mock cannot start (no free loopback port).
    pub fn shared() -> &'static MockRecotap {
        static SHARED: std::sync::OnceLock<MockRecotap> = std::sync::OnceLock::new();
        SHARED.get_or_init(MockRecotap::start)
    }

    /// A builder for a configured mock.
    pub fn builder() -> MockRecotapBuilder {
        MockRecotapBuilder::default()
    }

    /// The API's base URL, `http://127.0.0.1:PORT/api/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api/v1", self.address)
    }

    /// The server's root URL, `http://127.0.0.1:PORT` (the admin API lives under `/_mock`).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The address the mock listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The API key of team `default` (`test-api-key` unless configured).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The same surface as the mock's own, for team `name`: seeding, inspection, its journal,
    /// faults that hit only its requests, its expectations and checks, its reset.
    pub fn team(&self, name: &str) -> TeamView {
        let scope = Scope::Team {
            name: name.to_string(),
            session: false,
        };
        TeamView::new(self.shared.clone(), scope)
    }

    /// A fresh, isolated session on this mock: its own team, key and base URL, journal,
    /// faults, clock, expectations and reset (see [`Session`]). Costs a few microseconds; a
    /// thousand live sessions are fine.
    pub fn session(&self) -> Session {
        Session::create(self.shared.clone(), &self.url())
    }
}

impl Deref for MockRecotap {
    type Target = TeamView;

    /// The whole mock's view: seeding and inspection on team `default`; the journal, faults,
    /// clock, expectations and reset of the whole mock.
    fn deref(&self) -> &TeamView {
        &self.view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handle_can_be_shared_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<MockRecotap>();
    }
}
