//! Reading a state file's tables back as one state document (at start, and for `export`):
//! each list in the order the state document gives it.

use rusqlite::Connection;

use crate::data::document::{ApiKey, StateDocument, TeamDocument};

/// A column of JSON read as `T`; a row that does not parse is a conversion error naming it.
fn parsed<T: serde::de::DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
    })
}

/// Every list of a team, each in its order, from `table`'s `body` column.
fn bodies<T: serde::de::DeserializeOwned>(
    connection: &Connection,
    table: &str,
    order: &str,
    team: &str,
) -> rusqlite::Result<Vec<T>> {
    let sql = format!("SELECT body FROM {table} WHERE team = ?1 ORDER BY {order}");
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map([team], |row| parsed(row.get_ref(0)?.as_str()?))?;
    rows.collect()
}

/// The whole state as a state document.
pub(crate) fn read_document(connection: &Connection) -> rusqlite::Result<StateDocument> {
    let mut teams = Vec::new();
    let mut statement = connection.prepare("SELECT name, settings FROM teams ORDER BY position")?;
    let names = statement.query_map([], |row| Ok((row.get(0)?, row.get::<_, String>(1)?)))?;
    for named in names {
        let (name, settings): (String, String) = named?;
        let mut team = TeamDocument::new(&name);
        team.settings = parsed(&settings)?;
        let mut keys = connection
            .prepare_cached("SELECT key, user FROM api_keys WHERE team = ?1 ORDER BY serial")?;
        team.api_keys = keys
            .query_map([&name], |row| {
                Ok(match row.get::<_, Option<String>>(1)? {
                    None => ApiKey::Plain(row.get(0)?),
                    user => ApiKey::Held {
                        key: row.get(0)?,
                        user,
                    },
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        team.custom_fields = bodies(connection, "custom_fields", "position", &name)?;
        team.segments = bodies(connection, "segments", "segment_id", &name)?;
        let mut members = connection.prepare_cached(
            "SELECT rtp_aid FROM segment_members WHERE team = ?1 AND segment_id = ?2 ORDER BY rowid",
        )?;
        for segment in &mut team.segments {
            let id = segment.segment_id.clone().unwrap_or_default();
            segment.members = members
                .query_map([&name, &id], |row| parsed_id(row.get_ref(0)?.as_str()?))?
                .collect::<rusqlite::Result<_>>()?;
        }
        team.accounts = bodies(connection, "accounts", "rtp_aid", &name)?;
        team.deals = bodies(connection, "deals", "position", &name)?;
        team.pipelines = bodies(connection, "pipelines", "position", &name)?;
        team.activities = bodies(connection, "activities", "position", &name)?;
        teams.push(team);
    }
    Ok(StateDocument {
        teams,
        ..StateDocument::default()
    })
}

fn parsed_id(text: &str) -> rusqlite::Result<crate::data::model::ObjectId> {
    text.parse().map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(error))
    })
}
