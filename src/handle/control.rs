//! What only the whole mock's handle does: issue keys, take and restore the whole state, and
//! report caught panics (the rest is `TeamView`'s, which the handle derefs to).

use crate::data::document::{StateDocument, StateError};
use crate::handle::MockRecotap;
use crate::store::StoreError;

impl MockRecotap {
    /// Adds an API key to `team` (created empty if new). A key for a `user` who holds one
    /// revokes the old key at once.
    ///
    /// # Panics
    /// If the key is already known (the admin API answers 409): a key never moves between
    /// teams. [`try_add_api_key`](Self::try_add_api_key) returns the error instead.
    pub fn add_api_key(&self, key: &str, team: &str, user: Option<&str>) {
        self.try_add_api_key(key, team, user).unwrap_or_else(|error| {
            panic!("recotap-mock: cannot add API key {key:?} to team {team:?}: {error}; pick a key that is not issued yet")
        })
    }

    /// Adds an API key like [`add_api_key`](Self::add_api_key), or says why it cannot.
    ///
    /// # Errors
    /// [`StoreError::ApiKeyExists`] if the key is already known.
    pub fn try_add_api_key(
        &self,
        key: &str,
        team: &str,
        user: Option<&str>,
    ) -> Result<(), StoreError> {
        self.shared.change(|world| world.issue_key(key, team, user))
    }

    /// The whole state as a state document (docs/control.md §5).
    pub fn snapshot(&self) -> StateDocument {
        self.shared.world().store.to_document()
    }

    /// Replaces the whole state with `document`; on error nothing changes.
    ///
    /// ```
    /// use recotap_mock::{MockRecotap, NewAccount};
    /// let mock = MockRecotap::start();
    /// let empty = mock.snapshot();
    /// mock.add_account(NewAccount::new("acme.com", "Acme"));
    /// mock.restore(&empty).unwrap();
    /// assert!(mock.accounts().is_empty());
    /// ```
    pub fn restore(&self, document: &StateDocument) -> Result<(), StateError> {
        self.shared.restore_document(document)
    }

    /// Messages of panics the mock caught while serving (each was answered with 500).
    /// A non-empty list is a bug in recotap-mock: please report it.
    pub fn caught_panics(&self) -> Vec<String> {
        self.shared.panics.lock().clone()
    }

    /// Test hook for recotap-mock's own tests: the next API request panics inside the router.
    #[cfg(feature = "test-hooks")]
    #[doc(hidden)]
    pub fn panic_on_next_request(&self) {
        self.shared
            .panic_next_request
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Test hook for recotap-mock's own tests: the state file's next commit fails (as a full
    /// disk would make it). Does nothing without a state file.
    #[cfg(all(feature = "test-hooks", feature = "persistence"))]
    #[doc(hidden)]
    pub fn fail_next_commit(&self) {
        if let Some(writer) = &self.shared.state_file {
            writer.fail_next_commit();
        }
    }

    /// Test hook for recotap-mock's own tests: how many state-file commits requests made on
    /// their own threads rather than the writer's (`0` without a state file).
    #[cfg(all(feature = "test-hooks", feature = "persistence"))]
    #[doc(hidden)]
    pub fn inline_commits(&self) -> u64 {
        self.shared
            .state_file
            .as_ref()
            .map_or(0, |writer| writer.inline_commits())
    }
}
