//! One mock's whole mutable state behind one lock: the store, the faults, the rate limiter's
//! buckets, the clock and the journal. Every operation is a whole method here (or on a part
//! reached through here), so one lock taken once makes a request, a reset or a restore one
//! transaction: a concurrent request sees the world before it or after it, never a mix.

use crate::clock::{Clock, Millis};
use crate::faults::FaultTable;
use crate::journal::{Journal, JournalEntry};
use crate::rate_limit::RateLimiter;
use crate::store::{Store, StoreError};

/// Everything a running mock changes while it serves.
#[derive(Debug)]
pub(crate) struct World {
    /// All business data of every team.
    pub store: Store,
    /// Faults, checked in the order added.
    pub faults: FaultTable,
    /// Token buckets per API key (only used with a rate limit).
    pub limiter: RateLimiter,
    /// Real or frozen time; every timestamp and generated id reads it.
    pub clock: Clock,
    /// Every `/api/v1` request, newest last, bounded.
    pub journal: Journal,
}

impl World {
    /// A world holding `store`, reading `clock`, recording into `journal`.
    pub fn new(store: Store, clock: Clock, journal: Journal) -> Self {
        World {
            store,
            faults: FaultTable::default(),
            limiter: RateLimiter::default(),
            clock,
            journal,
        }
    }

    /// The mock's current time in milliseconds.
    pub fn now(&self) -> Millis {
        self.clock.now()
    }

    /// Back to `initial`, in one step: the store replaced, the journal emptied, faults removed,
    /// every rate-limit bucket full again. The clock is left as it is (a test that froze it
    /// keeps its time).
    pub fn reset_to(&mut self, initial: Store) {
        self.store = initial;
        self.journal.clear();
        self.faults.clear();
        self.limiter.clear();
    }

    /// Issues `key` to `team` (created if new), held by `user` if given: a user's new key
    /// revokes that user's older one. The one rule for every way of adding a key (handle,
    /// admin API): a key that is already known is refused, never moved to another team.
    ///
    /// # Errors
    /// [`StoreError::ApiKeyExists`] if the key is known (the admin API answers 409).
    pub fn issue_key(
        &mut self,
        key: &str,
        team: &str,
        user: Option<&str>,
    ) -> Result<(), StoreError> {
        if self.store.team_for_key(key).is_some() {
            return Err(StoreError::ApiKeyExists(key.to_string()));
        }
        self.store.add_key(key, team, user);
        Ok(())
    }

    /// Appends a finished request to the journal.
    pub fn record(&mut self, entry: JournalEntry) {
        self.journal.record(entry);
    }
}
