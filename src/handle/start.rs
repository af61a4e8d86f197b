//! Starting a mock from its builder: the initial store, the state file it resumes from, the
//! bound port and the server; [`StartError`] says why a start failed.

use std::sync::Arc;

use super::builder::MockRecotapBuilder;
use crate::data::document::StateError;
use crate::data::model::IdGenerator;
use crate::data::profile::Profile;
use crate::fidelity::clock::Clock;
#[cfg(feature = "persistence")]
use crate::fidelity::clock::Millis;
use crate::handle::team::{Scope, TeamView};
use crate::handle::{MockRecotap, DEFAULT_API_KEY};
#[cfg(feature = "persistence")]
use crate::persist;
use crate::server;
use crate::store::{Store, DEFAULT_TEAM};
use crate::world::shared::{Settings, Shared};
use crate::world::traffic::Traffic;

impl MockRecotapBuilder {
    /// Starts the mock.
    ///
    /// # Panics
    /// If it cannot start; the message says why and what to do.
    /// [`try_start`](Self::try_start) returns the [`StartError`] instead.
    pub fn start(self) -> MockRecotap {
        self.try_start().unwrap_or_else(|error| {
            let fix = match &error {
                StartError::Bind { .. } => {
                    "use port 0 (the default) for a free port, or stop what holds this one"
                }
                StartError::InvalidInitialState(_) => "fix the document given to initial_state",
                StartError::StateFile(_) => "fix the state file, or move it away to start empty",
            };
            panic!("recotap-mock: {error}; {fix}")
        })
    }

    /// Starts the mock, or says why it could not.
    ///
    /// # Errors
    /// [`StartError::Bind`] if the address cannot be bound, [`StartError::InvalidInitialState`]
    /// if the initial state is invalid, [`StartError::StateFile`] if the state file cannot be
    /// read or holds an invalid document. Each names the entry at fault.
    pub fn try_start(self) -> Result<MockRecotap, StartError> {
        let ids = match self.id_seed {
            Some(seed) => IdGenerator::seeded(seed),
            None => IdGenerator::random(),
        };
        let mut clock = Clock::default();
        if let Some(at) = self.frozen_at {
            clock.freeze(at);
        }
        let mut initial = match &self.initial_state {
            None => Store::new(ids),
            Some(document) => Store::from_document(document, ids, clock.now())
                .map_err(StartError::InvalidInitialState)?,
        };
        add_configured_keys(&mut initial, &self.api_keys);
        set_configured_profile(&mut initial, self.profile);
        // The state file, if there is one, is where the mock resumes; `reset` still returns
        // to the initial state. Configured keys and profile are set on both.
        #[cfg(feature = "persistence")]
        let (current, writer) = self.resume(&initial, clock.now())?;
        #[cfg(not(feature = "persistence"))]
        let (current, writer) = (initial.clone(), None);
        let api_key = self
            .api_keys
            .iter()
            .find(|(_, team)| team == DEFAULT_TEAM)
            .map(|(key, _)| key.clone())
            .or_else(|| current.first_key_of(DEFAULT_TEAM))
            .unwrap_or_else(|| DEFAULT_API_KEY.to_string());
        let wanted = format!("{}:{}", self.host, self.port);
        let bind_error = |source| StartError::Bind {
            address: wanted.clone(),
            source,
        };
        let listener = server::bind(&self.host, self.port).map_err(bind_error)?;
        let address = listener.local_addr().map_err(bind_error)?;
        let settings = Settings {
            max_body_bytes: self.max_body_bytes,
            rate_limit: self.rate_limit,
            admin_token: self.admin_token,
            header_read_timeout: self.header_read_timeout,
            cors: self.cors || !self.cors_origins.is_empty(),
            cors_origins: self.cors_origins,
            admin_max_body_bytes: self.admin_max_body_bytes,
        };
        let journal = Traffic::new(self.journal_entries, self.journal_bytes);
        let shared = Shared::resuming(current, initial, journal, clock, settings);
        let shared = Arc::new(shared.with_state_file(writer));
        let server = server::spawn(listener, shared.clone()).map_err(bind_error)?;
        Ok(MockRecotap {
            view: TeamView::new(shared.clone(), Scope::Mock),
            shared,
            address,
            api_key,
            server,
            ephemeral_port: self.port == 0,
            finished: false,
        })
    }

    /// The store the mock resumes from, and the state file's writer: with a state file that
    /// holds a state, that state (`reset` still returns to `initial`); else `initial`. The
    /// configured keys are added to both, so a restart with a new `--api-key` accepts it. What
    /// the file lacks (all of a new file, the added keys) is written before the mock serves.
    #[cfg(feature = "persistence")]
    fn resume(
        &self,
        initial: &Store,
        now: Millis,
    ) -> Result<(Store, Option<persist::Writer>), StartError> {
        let Some(path) = &self.state_file else {
            return Ok((initial.clone(), None));
        };
        let fail = StartError::StateFile;
        // A directory that is missing, or a path that is one, is refused here with the reason,
        // before SQLite's own, vaguer, "unable to open database file".
        persist::check_writable(path).map_err(fail)?;
        let opened = persist::open(path).map_err(fail)?;
        let current = match &opened.document {
            Some(document) => {
                let mut resumed = Store::from_document(document, initial.id_generator(), now)
                    .map_err(|error| {
                        fail(StateError::InFile {
                            path: path.clone(),
                            error: Box::new(error),
                        })
                    })?;
                resumed.note_changes();
                add_configured_keys(&mut resumed, &self.api_keys);
                set_configured_profile(&mut resumed, self.profile);
                resumed
            }
            None => {
                let mut fresh = initial.clone();
                fresh.note_changes();
                fresh.note_everything();
                fresh
            }
        };
        let mut current = current;
        let writer = persist::Writer::start(opened.connection, &mut current, path.clone())
            .map_err(|problem| {
                fail(StateError::Unreadable {
                    path: path.clone(),
                    problem,
                })
            })?;
        Ok((current, Some(writer)))
    }
}

/// Adds the keys given to the builder; a team `default` without any key gets `test-api-key`
/// (docs/control.md §1: the mock starts with one team holding one key).
fn add_configured_keys(store: &mut Store, keys: &[(String, String)]) {
    for (key, team) in keys {
        store.add_key(key, team, None);
    }
    if store.first_key_of(DEFAULT_TEAM).is_none() {
        store.add_key(DEFAULT_API_KEY, DEFAULT_TEAM, None);
    }
}

/// The builder's profile, when one was given, as the mock-wide one of `store`.
fn set_configured_profile(store: &mut Store, profile: Option<Profile>) {
    if let Some(profile) = profile {
        store
            .set_profile(None, profile)
            .expect("the mock-wide profile needs no team");
    }
}

/// Why a mock could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// `address` (`host:port`) could not be bound: in use, not an address of this machine,
    /// or not permitted.
    Bind {
        address: String,
        source: std::io::Error,
    },
    /// The document given to [`MockRecotapBuilder::initial_state`] is invalid.
    InvalidInitialState(StateError),
    /// The state file cannot be read, holds an invalid document, or cannot be written where it
    /// is to go (its directory missing or not writable).
    StateFile(StateError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Bind { address, source } => {
                write!(f, "cannot listen on {address}: {source}")
            }
            StartError::InvalidInitialState(error) => write!(f, "invalid initial state: {error}"),
            StartError::StateFile(error) => write!(f, "invalid state file: {error}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Bind { source, .. } => Some(source),
            StartError::InvalidInitialState(error) | StartError::StateFile(error) => Some(error),
        }
    }
}
