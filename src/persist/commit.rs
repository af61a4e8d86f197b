//! Committing rows to the state file: a group of batches in one transaction, skipping rows a
//! later one overwrites whole, each row written by its table's statement.

use std::collections::HashSet;

use rusqlite::{params, Connection, Transaction};

use super::db::TEAM_TABLES;
use crate::data::model::ObjectId;
use crate::store::{write_account_json, Row, Rows};

/// Writes `batches` in one transaction. A row that a later row of the group overwrites whole is
/// skipped (see [`superseded`]): concurrent requests that upsert the same accounts write each
/// account once per commit, not once per request. After a batch that rewrote everything, the
/// write-ahead log is folded into the file and truncated.
///
/// # Errors
/// SQLite's error if the transaction fails; nothing of it is then kept.
pub(crate) fn commit(
    connection: &mut Connection,
    batches: impl IntoIterator<Item = Rows>,
) -> rusqlite::Result<()> {
    let transaction = connection.transaction()?;
    let mut pending: Vec<Row> = Vec::new();
    let mut everything = false;
    let flush = |pending: &mut Vec<Row>| -> rusqlite::Result<()> {
        let skip = superseded(pending);
        // Most rows are accounts: their statement is looked up once per flush, not per row
        // (the cache's lookup hashes the whole SQL text).
        let mut upsert_account = transaction.prepare_cached(UPSERT_ACCOUNT)?;
        // One buffer for every account's JSON, not a new string per row.
        let mut json = Vec::with_capacity(1024);
        for (row, skip) in pending.iter().zip(skip) {
            match row {
                _ if skip => {}
                Row::Account { team, record } => {
                    write_account(&mut upsert_account, team, record, &mut json)?
                }
                row => apply(&transaction, row)?,
            }
        }
        pending.clear();
        Ok(())
    };
    for rows in batches {
        match rows {
            Rows::None => {}
            Rows::Some(rows) => pending.extend(rows),
            Rows::Everything(store) => {
                everything = true;
                flush(&mut pending)?;
                let mut failure = None;
                store.all_rows(&mut |row| {
                    if failure.is_none() {
                        failure = apply(&transaction, &row).err();
                    }
                });
                if let Some(error) = failure {
                    return Err(error);
                }
            }
        }
    }
    flush(&mut pending)?;
    transaction.commit()?;
    if everything {
        // A whole store went through the write-ahead log: fold it into the file now and cut
        // the log back to nothing. Otherwise the log keeps the whole store's size on disk
        // for as long as the mock runs, since the file is
        // held open and SQLite only reuses the log from its start. The change is committed by
        // now: a checkpoint that fails only leaves the log as it was, so it is logged, not
        // reported as a failed commit (which would refuse every later change).
        if let Err(error) = connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        {
            tracing::warn!(%error, "the state file's log could not be folded into the file");
        }
    }
    Ok(())
}

/// Which of `rows` a later one overwrites whole: an upsert (or deletion) of the same account,
/// key, deal or activity. Skipping those leaves the tables as writing every row would, since
/// such a row replaces the thing's whole row and nothing else reads it in between. (Rows whose
/// effect depends on what came before, team rows, fields, segments and members, are all kept.)
fn superseded(rows: &[Row]) -> Vec<bool> {
    // foldhash, not SipHash: this runs for every row of every commit; its seeded hasher is
    // enough against crafted names in a mock.
    let mut later: HashSet<(u8, &str, &str, Option<ObjectId>), foldhash::fast::RandomState> =
        HashSet::default();
    let mut skip = vec![false; rows.len()];
    for (index, row) in rows.iter().enumerate().rev() {
        let key = match row {
            Row::Account { team, record } => (0, &**team, "", Some(record.id)),
            Row::Key { key, .. } | Row::NoKey(key) => (1, "", key.as_str(), None),
            Row::Deal { team, id, .. } => (2, team.as_str(), id.as_str(), None),
            Row::Activity { team, id, .. } => (3, team.as_str(), id.as_str(), None),
            _ => continue,
        };
        skip[index] = !later.insert(key);
    }
    skip
}

const UPSERT_ACCOUNT: &str = "INSERT INTO accounts (team, rtp_aid, body) VALUES (?1, ?2, ?3)
     ON CONFLICT (team, rtp_aid) DO UPDATE SET body = excluded.body";

/// An account's row written with `statement` (prepared from [`UPSERT_ACCOUNT`]).
fn write_account(
    statement: &mut rusqlite::Statement,
    team: &str,
    record: &crate::data::record::AccountRecord,
    json: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    json.clear();
    write_account_json(record, json);
    let body = std::str::from_utf8(json).expect("JSON written from strings is UTF-8");
    let id = record.id.hex();
    let id = std::str::from_utf8(&id).expect("hex digits are ASCII");
    statement.execute(params![team, id, body]).map(drop)
}

/// One row's write.
fn apply(tx: &Transaction, row: &Row) -> rusqlite::Result<()> {
    let run = |sql: &str, values: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<()> {
        tx.prepare_cached(sql)?.execute(values).map(drop)
    };
    match row {
        Row::DeleteAll => {
            for table in TEAM_TABLES.iter().chain(&["teams"]) {
                tx.execute(&format!("DELETE FROM {table}"), [])?;
            }
        }
        Row::DeleteTeamData(team) => {
            for table in TEAM_TABLES {
                run(
                    &format!("DELETE FROM {table} WHERE team = ?1"),
                    params![team],
                )?;
            }
        }
        Row::Team { name, settings } => run(
            "INSERT INTO teams (name, position, settings)
             VALUES (?1, (SELECT coalesce(max(position), -1) + 1 FROM teams), ?2)
             ON CONFLICT (name) DO UPDATE SET settings = excluded.settings",
            params![name, settings],
        )?,
        Row::NoTeam(name) => run("DELETE FROM teams WHERE name = ?1", params![name])?,
        Row::Key {
            key,
            team,
            user,
            serial,
        } => run(
            "INSERT OR REPLACE INTO api_keys (key, team, user, serial) VALUES (?1, ?2, ?3, ?4)",
            params![key, team, user, *serial as i64],
        )?,
        Row::NoKey(key) => run("DELETE FROM api_keys WHERE key = ?1", params![key])?,
        Row::Account { team, record } => {
            let mut json = Vec::new();
            write_account(
                &mut *tx.prepare_cached(UPSERT_ACCOUNT)?,
                team,
                record,
                &mut json,
            )?;
        }
        Row::Fields { team, fields } => {
            run("DELETE FROM custom_fields WHERE team = ?1", params![team])?;
            for (position, (key, body)) in fields.iter().enumerate() {
                run(
                    "INSERT INTO custom_fields (team, key, position, body) VALUES (?1, ?2, ?3, ?4)",
                    params![team, key, position as i64, body],
                )?;
            }
        }
        Row::Segment { team, id, body } => {
            // Its members follow as rows of their own.
            let members = "DELETE FROM segment_members WHERE team = ?1 AND segment_id = ?2";
            run(members, params![team, id])?;
            run(
                "INSERT OR REPLACE INTO segments (team, segment_id, body) VALUES (?1, ?2, ?3)",
                params![team, id, body],
            )?;
        }
        Row::Member {
            team,
            segment,
            account,
        } => run(
            "INSERT OR IGNORE INTO segment_members (team, segment_id, rtp_aid) VALUES (?1, ?2, ?3)",
            params![team, segment, account],
        )?,
        Row::Deal {
            team,
            id,
            position,
            body,
        } => run(
            "INSERT OR REPLACE INTO deals (team, external_deal_id, position, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![team, id, *position as i64, body],
        )?,
        Row::Pipelines { team, pipelines } => {
            run("DELETE FROM pipelines WHERE team = ?1", params![team])?;
            for (position, (id, body)) in pipelines.iter().enumerate() {
                run(
                    "INSERT INTO pipelines (team, pipeline_id, position, body)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![team, id, position as i64, body],
                )?;
            }
        }
        Row::Activity {
            team,
            id,
            position,
            body,
        } => run(
            "INSERT OR REPLACE INTO activities (team, external_activity_id, position, body)
             VALUES (?1, ?2, ?3, ?4)",
            params![team, id, *position as i64, body],
        )?,
    }
    Ok(())
}
