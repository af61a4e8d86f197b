//! Session teams (one isolated team per test on a shared mock): creating one with its own key,
//! clock and id generator, deleting it, and a reset scoped to one team.

use super::*;

/// Sessions and team-scoped resets.
impl Store {
    /// Creates the session team `name` with the key `origin.key`, its own clock (frozen at
    /// `origin.frozen_at`, or real) and its own id generator (seeded with `origin.id_seed`).
    ///
    /// # Errors
    /// [`StoreError::TeamExists`] if a team of that name exists, [`StoreError::ApiKeyExists`]
    /// if the key is known.
    pub fn create_session(&mut self, name: &str, origin: SessionOrigin) -> Result<(), StoreError> {
        if self.teams.contains_key(name) {
            return Err(StoreError::TeamExists(name.to_string()));
        }
        if self.keys.contains_key(&origin.key) {
            return Err(StoreError::ApiKeyExists(origin.key));
        }
        let key = origin.key.clone();
        self.teams
            .insert(name.to_string(), Team::session(name, origin));
        self.add_key(&key, name, None);
        self.note_team(name);
        Ok(())
    }

    /// Drops session team `name` with everything it owns and every key that authenticates as it.
    ///
    /// # Errors
    /// [`StoreError::UnknownTeam`] if there is no such session.
    pub fn delete_team(&mut self, name: &str) -> Result<(), StoreError> {
        // Only sessions: `DELETE /_mock/sessions/default` must not take a seeded team away.
        let is_session = self
            .teams
            .get(name)
            .is_some_and(|team| team.session.is_some());
        if !is_session {
            return Err(StoreError::UnknownTeam(name.to_string()));
        }
        self.teams.shift_remove(name);
        self.keys.retain(|_, owner| owner.team != name);
        self.note_team(name);
        Ok(())
    }

    /// Removes team `name` if `created` says a seeding call just created it, the call having
    /// been refused: bad input changes nothing, not even which teams exist.
    pub fn forget_if_created(&mut self, name: &str, created: bool) {
        if created {
            self.teams.shift_remove(name);
            self.keys.retain(|_, owner| owner.team != name);
            self.note_team(name);
        }
    }

    /// Returns team `name` alone to where it started: a session to its creation (empty, its
    /// key, its clock and id seed as created); another team to its state in `initial` (or
    /// empty). Keys issued to the team since are revoked; its original keys come back.
    ///
    /// # Errors
    /// [`StoreError::UnknownTeam`] if there is no such team.
    pub fn reset_team(&mut self, name: &str, initial: &Store) -> Result<(), StoreError> {
        let current = self
            .teams
            .get_mut(name)
            .ok_or_else(|| StoreError::UnknownTeam(name.to_string()))?;
        self.keys.retain(|_, owner| owner.team != name);
        match current.session.as_ref().map(|time| time.origin.clone()) {
            Some(origin) => {
                *current = Team::session(name, origin.clone());
                self.add_key(&origin.key, name, None);
            }
            None => {
                *current = initial
                    .teams
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Team::new(name));
                let mut keys: Vec<(&String, &KeyOwner)> = initial
                    .keys
                    .iter()
                    .filter(|(_, owner)| owner.team == name)
                    .collect();
                keys.sort_by_key(|(_, owner)| owner.serial);
                for (key, owner) in keys {
                    self.add_key(key, name, owner.user.as_deref());
                }
            }
        }
        self.note_team(name);
        Ok(())
    }

    /// The clock of team `name` if it has its own (a session's).
    pub fn team_clock(&self, name: &str) -> Option<&Clock> {
        Some(&self.teams.get(name)?.session.as_ref()?.clock)
    }

    /// Whether team `name` is a session.
    pub fn is_session(&self, name: &str) -> bool {
        self.teams
            .get(name)
            .is_some_and(|team| team.session.is_some())
    }

    /// The clock of team `name` if it has its own, to change.
    pub fn team_clock_mut(&mut self, name: &str) -> Option<&mut Clock> {
        Some(&mut self.teams.get_mut(name)?.session.as_mut()?.clock)
    }

    /// The profile `team`'s requests follow: its own if it has one, else the mock's.
    pub fn profile_for(&self, team: Option<&str>) -> Profile {
        team.and_then(|team| self.teams.get(team)?.settings.profile)
            .or(self.profile)
            .unwrap_or_default()
    }

    /// Sets the profile of team `team` (`None`: the mock's, which teams without their own
    /// follow).
    ///
    /// # Errors
    /// [`StoreError::UnknownTeam`] if there is no such team.
    pub fn set_profile(&mut self, team: Option<&str>, profile: Profile) -> Result<(), StoreError> {
        match team {
            None => self.profile = Some(profile),
            Some(name) => {
                self.teams
                    .get_mut(name)
                    .ok_or_else(|| StoreError::UnknownTeam(name.to_string()))?
                    .settings
                    .profile = Some(profile);
            }
        }
        Ok(())
    }
}
