//! The rows a store's noted changes come to, committed after each transaction, always read
//! back as the store's own state document: every kind of change, deletions and rewrites too.

use std::borrow::Cow;

use serde_json::json;

use super::{db, read};
use crate::data::model::{CustomField, IdGenerator, LabelType, ScoreUpdate, Segment};
use crate::data::sales::{Activity, Deal, Pipeline};
use crate::store::{AccountInput, CreateAccounts, SessionOrigin, Store, DEFAULT_TEAM};

const NOW: i64 = 1_777_543_200_000;

fn batch(domains: &[&str], segment: Option<&str>) -> CreateAccounts<'static> {
    CreateAccounts {
        accounts: domains
            .iter()
            .map(|domain| AccountInput {
                domain: Cow::Owned(domain.to_string()),
                name: Cow::Borrowed("Name"),
                ..AccountInput::default()
            })
            .collect(),
        segment_id: segment.map(str::to_string),
        upsert: true,
    }
}

#[test]
fn after_every_transaction_the_file_reads_back_as_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut initial = Store::new(IdGenerator::seeded(3));
    initial.add_key("k", DEFAULT_TEAM, None);
    let mut store = initial.clone();
    store.note_changes();
    store.note_everything();
    let opened = db::open(&path).unwrap();
    assert!(opened.document.is_none());
    let mut connection = opened.connection;
    let mut check = |store: &mut Store, what: &str| {
        db::commit(&mut connection, [store.drain_rows()]).unwrap();
        let document = read::read_document(&connection).unwrap();
        assert_eq!(document, store.to_document(), "after {what}");
    };
    check(&mut store, "the first write");
    let tier = CustomField::new("Tier", LabelType::Number);
    store.add_custom_field(DEFAULT_TEAM, tier).unwrap();
    store
        .add_segment(DEFAULT_TEAM, Segment::new("S").id("s1"), NOW)
        .unwrap();
    check(&mut store, "a field and a segment");
    store
        .create_accounts(DEFAULT_TEAM, batch(&["a.com", "b.com"], Some("s1")), NOW)
        .unwrap();
    store
        .create_accounts(
            DEFAULT_TEAM,
            batch(&["b.com", "c.com"], Some("s1")),
            NOW + 1,
        )
        .unwrap();
    check(&mut store, "batches into a segment");
    let id = store
        .account_by_domain(DEFAULT_TEAM, "a.com")
        .unwrap()
        .rtp_aid;
    let scores: ScoreUpdate = serde_json::from_value(json!({ "rtp_account_score": 7 })).unwrap();
    store
        .update_scores(DEFAULT_TEAM, id, &scores, NOW + 2)
        .unwrap();
    let mappings = [("b.com".to_string(), "crm-b".to_string())];
    store.map_external_ids(DEFAULT_TEAM, &mappings, NOW + 3);
    check(&mut store, "account updates");
    let deal: Deal = serde_json::from_value(json!({ "externalDealId": "d", "name": "D" })).unwrap();
    store.upsert_deals(
        DEFAULT_TEAM,
        vec![
            deal.clone(),
            Deal {
                name: "E".into(),
                ..deal
            },
        ],
    );
    let pipeline: Pipeline =
        serde_json::from_value(json!({ "pipelineId": "p", "pipelineLabel": "P", "stages": [] }))
            .unwrap();
    store.create_pipelines("other", vec![pipeline]).unwrap();
    let activity: Activity = serde_json::from_value(json!({ "externalActivityId": "x",
        "activityType": "call", "occurredAt": "2026-04-30T10:00:00Z", "domain": "a.com",
        "ownerEmail": "o@a.com", "contacts": [{ "email": "c@a.com" }] }))
    .unwrap();
    store.add_activities(DEFAULT_TEAM, vec![activity], NOW);
    check(&mut store, "sales data, a new team");
    store.add_key("u1", DEFAULT_TEAM, Some("ann"));
    store.add_key("u2", DEFAULT_TEAM, Some("ann"));
    let origin = SessionOrigin {
        key: "sk".to_string(),
        profile: None,
        frozen_at: Some(NOW),
        id_seed: Some(1),
    };
    store.create_session("session", origin).unwrap();
    store
        .create_accounts("session", batch(&["s.com"], None), NOW)
        .unwrap();
    check(&mut store, "a revoked key, a session");
    store.reset_team(DEFAULT_TEAM, &initial).unwrap();
    store.delete_team("session").unwrap();
    check(&mut store, "a team reset, a session deleted");
    let mut replacement = initial.clone();
    replacement.add_key("fresh", "third", None);
    store = replacement;
    store.note_changes();
    store.note_everything();
    check(&mut store, "a replacement");
}

#[test]
fn a_group_of_batches_that_touch_the_same_things_commits_to_the_last_state() {
    let dir = tempfile::tempdir().unwrap();
    let mut connection = db::open(&dir.path().join("state.db")).unwrap().connection;
    let mut store = Store::new(IdGenerator::seeded(5));
    store.note_changes();
    store.note_everything();
    let mut batches = vec![store.drain_rows()];
    for round in 0..3 {
        store
            .create_accounts(DEFAULT_TEAM, batch(&["a.com", "b.com"], None), NOW + round)
            .unwrap();
        store.add_key("u1", DEFAULT_TEAM, Some("ann"));
        store.add_key(&format!("k{round}"), DEFAULT_TEAM, Some("ann"));
        batches.push(store.drain_rows());
    }
    store
        .reset_team(DEFAULT_TEAM, &Store::new(IdGenerator::seeded(5)))
        .unwrap();
    store
        .create_accounts(DEFAULT_TEAM, batch(&["c.com"], None), NOW + 9)
        .unwrap();
    batches.push(store.drain_rows());
    db::commit(&mut connection, batches).unwrap();
    let document = read::read_document(&connection).unwrap();
    assert_eq!(document, store.to_document());
}

#[test]
fn a_whole_store_written_leaves_no_write_ahead_log_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let mut store = Store::new(IdGenerator::seeded(3));
    store.add_key("k", DEFAULT_TEAM, None);
    let domains: Vec<String> = (0..2_000).map(|i| format!("d{i}.com")).collect();
    let domains: Vec<&str> = domains.iter().map(String::as_str).collect();
    for chunk in domains.chunks(100) {
        store
            .create_accounts(DEFAULT_TEAM, batch(chunk, None), NOW)
            .unwrap();
    }
    store.note_changes();
    store.note_everything();
    let mut connection = db::open(&path).unwrap().connection;
    db::commit(&mut connection, [store.drain_rows()]).unwrap();
    let log = std::fs::metadata(dir.path().join("state.db-wal")).map_or(0, |meta| meta.len());
    assert_eq!(log, 0, "the log after writing 2,000 accounts");
    store
        .create_accounts(DEFAULT_TEAM, batch(&["new.com"], None), NOW)
        .unwrap();
    db::commit(&mut connection, [store.drain_rows()]).unwrap();
    let log = std::fs::metadata(dir.path().join("state.db-wal"))
        .unwrap()
        .len();
    assert!(
        log > 0 && log < 64 * 1024,
        "a small change logs a few pages: {log}"
    );
    assert_eq!(
        read::read_document(&connection).unwrap(),
        store.to_document()
    );
}
