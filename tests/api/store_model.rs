//! Property tests of the store: random sequences of creates, upserts, custom field updates,
//! external id mappings and segment adds, over a small set of messy domains, must agree with a
//! simple reference model written here, response by response and in the whole state after
//! each step; and the store's own invariants must hold throughout.
//!
//! The mock is driven in-process through its router (`__fuzz::Router`, the same function the
//! server calls), so that hundreds of cases run in a second or two.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::Request;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use recotap_mock::__fuzz::Router;
use serde_json::{json, Map, Value};

/// Raw domains as clients send them, with what cleaning makes of them (docs/api.md §1.9) and
/// whether that is a valid domain. Several raw forms share one cleaned domain.
const DOMAINS: &[(&str, &str, bool)] = &[
    ("acme.com", "acme.com", true),
    ("ACME.COM", "acme.com", true),
    ("https://www.acme.com/pricing", "acme.com", true),
    (" http://Acme.com:8080 ", "acme.com", true),
    ("acme.com.", "acme.com", true),
    ("globex.com", "globex.com", true),
    ("www.Globex.com?utm=x", "globex.com", true),
    ("globex.com#top", "globex.com", true),
    ("www.www.initech.io", "www.initech.io", true),
    ("https://WWW.initech.io", "initech.io", true),
    ("bücher.de", "bücher.de", true),
    ("BÜCHER.DE/", "bücher.de", true),
    ("localhost", "localhost", false),
    ("not a domain.com", "not a domain.com", false),
    ("http://", "", false),
    ("www.", "", false),
];

/// Custom field keys a request may name: two active, one inactive, one unknown.
const FIELDS: &[&str] = &["TIER_C", "REGION_C", "OLD_C", "BOGUS_C"];
const ACTIVE_FIELDS: &[&str] = &["TIER_C", "REGION_C"];

/// Segments a batch may name, and what the API says about each.
const SEGMENTS: &[&str] = &[
    "seg-open",
    "seg-draft",
    "seg-closed",
    "seg-dyn",
    "seg-missing",
];

/// An id that no account ever has (ids start with the frozen clock's seconds).
const STRANGER: &str = "ffffffffffffffffffffffff";

#[derive(Clone, Debug)]
struct Item {
    domain: usize,
    name: u8,
    external_id: Option<u8>,
    tags: Option<Vec<u8>>,
    custom_fields: Option<Vec<(usize, u8)>>,
}

#[derive(Clone, Debug)]
enum Op {
    Create {
        items: Vec<Item>,
        upsert: bool,
        segment: Option<usize>,
    },
    /// `PUT /accounts/:id` of the account whose cleaned domain is `DOMAINS[domain]`'s (or of
    /// an id that matches nothing, when there is none).
    Update {
        domain: usize,
        custom_fields: Vec<(usize, u8)>,
    },
    MapExternalIds {
        mappings: Vec<(usize, u8)>,
    },
}

fn custom_fields() -> impl Strategy<Value = Vec<(usize, u8)>> {
    vec((0..FIELDS.len(), 0u8..3), 0..3)
}

fn item() -> impl Strategy<Value = Item> {
    (
        0..DOMAINS.len(),
        0u8..4,
        option::of(0u8..3),
        option::of(vec(0u8..3, 0..3)),
        option::of(custom_fields()),
    )
        .prop_map(|(domain, name, external_id, tags, custom_fields)| Item {
            domain,
            name,
            external_id,
            tags,
            custom_fields,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (vec(item(), 1..6), any::<bool>(), option::of(0..SEGMENTS.len()))
            .prop_map(|(items, upsert, segment)| Op::Create { items, upsert, segment }),
        1 => (0..DOMAINS.len(), custom_fields())
            .prop_map(|(domain, custom_fields)| Op::Update { domain, custom_fields }),
        1 => vec((0..DOMAINS.len(), 0u8..3), 1..5)
            .prop_map(|mappings| Op::MapExternalIds { mappings }),
    ]
}

/// The JSON object a request sends for these custom fields: a repeated key keeps its first
/// place and takes its last value, as JSON parsers read repeated keys.
fn fields_object(values: &[(usize, u8)]) -> Map<String, Value> {
    let mut object = Map::new();
    for (field, value) in values {
        object.insert(FIELDS[*field].to_string(), json!(format!("v{value}")));
    }
    object
}

// ---------------------------------------------------------------------------------------------
// The reference model
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug, Default)]
struct ModelAccount {
    id: String,
    name: String,
    external_id: Option<String>,
    tags: Vec<String>,
    custom_fields: Map<String, Value>,
}

#[derive(Debug, Default)]
struct Model {
    /// Cleaned domain → account.
    accounts: BTreeMap<String, ModelAccount>,
    /// Members of the open segments, by cleaned domain, in joining order.
    members: BTreeMap<&'static str, Vec<String>>,
}

impl Model {
    /// What `POST /accounts` answers (status, `data` or `customMessage`), applying it.
    /// `fresh_ids` yields the ids the mock generated, in order, as the model cannot predict them.
    fn create(
        &mut self,
        items: &[Item],
        upsert: bool,
        segment: Option<usize>,
        fresh_ids: &mut dyn Iterator<Item = String>,
    ) -> (u16, Value) {
        if let Some(segment) = segment.map(|index| SEGMENTS[index]) {
            let refusal = match segment {
                "seg-closed" => Some("is not active or draft and cannot accept new members"),
                "seg-dyn" => Some("is not a static segment"),
                "seg-missing" => Some("not found"),
                _ => None,
            };
            if let Some(refusal) = refusal {
                return (400, json!(format!("Segment '{segment}' {refusal}")));
            }
        }
        let mut results = Vec::new();
        let mut joining = Vec::new();
        for item in items {
            let (raw, cleaned, valid) = DOMAINS[item.domain];
            let existing = self.accounts.get(cleaned).map(|account| account.id.clone());
            let failed = |id: Option<String>, domain: &str, error: String| json!({ "rtp_aid": id, "domain": domain, "status": "failed", "error": error });
            if !valid {
                results.push(failed(None, raw, format!("Invalid domain '{raw}'")));
                continue;
            }
            let sent_fields = item.custom_fields.as_deref().map(fields_object);
            let unknown: Vec<&str> = sent_fields
                .iter()
                .flat_map(|fields| fields.keys())
                .map(String::as_str)
                .filter(|key| !ACTIVE_FIELDS.contains(key))
                .collect();
            if !unknown.is_empty() {
                let error = format!(
                    "Custom field key(s) not found: {}. Unable to add this account.",
                    unknown.join(", ")
                );
                results.push(failed(existing, cleaned, error));
                continue;
            }
            if existing.is_some() && !upsert {
                let error = format!(
                    "Account with domain '{cleaned}' already exists. \
                     Set upsert: true to update this account via this endpoint."
                );
                results.push(failed(existing, cleaned, error));
                continue;
            }
            let status = if existing.is_some() {
                "updated"
            } else {
                "created"
            };
            let account =
                self.accounts
                    .entry(cleaned.to_string())
                    .or_insert_with(|| ModelAccount {
                        id: fresh_ids.next().expect("the mock reported a new id"),
                        ..ModelAccount::default()
                    });
            account.name = format!("Name{}", item.name);
            if let Some(external_id) = item.external_id {
                account.external_id = Some(format!("ext{external_id}"));
            }
            if let Some(tags) = &item.tags {
                account.tags = tags.iter().map(|tag| format!("t{tag}")).collect();
            }
            if let Some(fields) = sent_fields {
                account.custom_fields.extend(fields);
            }
            results.push(json!({ "rtp_aid": account.id, "domain": cleaned, "status": status }));
            joining.push(cleaned.to_string());
        }
        if let Some(segment) = segment.map(|index| SEGMENTS[index]) {
            let members = self.members.entry(segment).or_default();
            for domain in joining {
                if !members.contains(&domain) {
                    members.push(domain);
                }
            }
        }
        let count = |status: &str| results.iter().filter(|r| r["status"] == status).count();
        let summary = json!({ "total": results.len(), "created": count("created"),
                              "updated": count("updated"), "failed": count("failed") });
        (200, json!({ "results": results, "summary": summary }))
    }

    /// The id `PUT /accounts/:id` targets for `domain`.
    fn id_for(&self, domain: usize) -> String {
        let cleaned = DOMAINS[domain].1;
        self.accounts
            .get(cleaned)
            .map_or_else(|| STRANGER.to_string(), |account| account.id.clone())
    }

    fn update(&mut self, domain: usize, values: &[(usize, u8)]) -> (u16, Value) {
        let cleaned = DOMAINS[domain].1;
        let Some(account) = self.accounts.get_mut(cleaned) else {
            return (
                404,
                json!(format!("Account with rtp_aid '{STRANGER}' not found")),
            );
        };
        let fields = fields_object(values);
        let unknown: Vec<&str> = fields
            .keys()
            .map(String::as_str)
            .filter(|key| !ACTIVE_FIELDS.contains(key))
            .collect();
        if !unknown.is_empty() {
            let message = format!("Custom field key(s) not found: {}", unknown.join(", "));
            return (400, json!(message));
        }
        account.custom_fields.extend(fields);
        (200, json!({ "message": "Account updated successfully" }))
    }

    fn map_external_ids(&mut self, mappings: &[(usize, u8)]) -> (u16, Value) {
        // Last mapping per cleaned domain wins; the first raw form is the one reported.
        let mut last: Vec<(&str, &str, String)> = Vec::new();
        for (domain, external_id) in mappings {
            let (raw, cleaned, _) = DOMAINS[*domain];
            let external_id = format!("ext{external_id}");
            match last.iter_mut().find(|(seen, _, _)| *seen == cleaned) {
                Some(entry) => entry.2 = external_id,
                None => last.push((cleaned, raw, external_id)),
            }
        }
        let (mut matched, mut updated, mut not_found) = (0, 0, Vec::new());
        for (cleaned, raw, external_id) in last {
            let Some(account) = self.accounts.get_mut(cleaned) else {
                not_found.push(raw);
                continue;
            };
            matched += 1;
            if account.external_id.as_deref() != Some(external_id.as_str()) {
                account.external_id = Some(external_id);
                updated += 1;
            }
        }
        (
            200,
            json!({ "matched": matched, "updated": updated, "notFound": not_found }),
        )
    }

    /// Every account as `GET /_mock/accounts` lists it (id order, which is creation order
    /// here), reduced to the fields the model follows.
    fn accounts_listing(&self) -> Vec<Value> {
        let mut accounts: Vec<(&String, &ModelAccount)> = self.accounts.iter().collect();
        accounts.sort_by(|a, b| a.1.id.cmp(&b.1.id));
        accounts
            .into_iter()
            .map(|(domain, account)| {
                json!({ "rtp_aid": account.id, "domain": domain, "name": account.name,
                        "externalId": account.external_id, "tags": account.tags,
                        "customFields": account.custom_fields })
            })
            .collect()
    }

    fn members_of(&self, segment: &str) -> Vec<String> {
        self.members
            .get(segment)
            .into_iter()
            .flatten()
            .map(|domain| self.accounts[domain].id.clone())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// The mock, through its router
// ---------------------------------------------------------------------------------------------

fn call(router: &Router, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("x-api-key", "test-api-key");
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let body = body.map_or_else(Bytes::new, |body| Bytes::from(body.to_string()));
    let response = router.handle(&request.body(body).expect("the request builds"));
    let status = response.status().as_u16();
    let body = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (status, body)
}

fn seeded_router() -> Router {
    let router = Router::new();
    let seeds = [
        (
            "/_mock/custom-fields",
            json!({ "label": "Tier", "labelType": "singleLineText" }),
        ),
        (
            "/_mock/custom-fields",
            json!({ "label": "Region", "labelType": "singleLineText" }),
        ),
        (
            "/_mock/custom-fields",
            json!({ "label": "Old", "labelType": "number", "status": "inactive" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Open", "segmentId": "seg-open" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Draft", "segmentId": "seg-draft", "status": "draft" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Closed", "segmentId": "seg-closed", "status": "archived" }),
        ),
        (
            "/_mock/segments",
            json!({ "name": "Dyn", "segmentId": "seg-dyn", "type": "dynamic" }),
        ),
    ];
    for (path, body) in seeds {
        let (status, answer) = call(&router, "POST", path, Some(&body));
        assert_eq!(status, 201, "seeding {path}: {answer}");
    }
    router
}

/// Sends `op`; returns the answer as the model words it (`data` on success, `customMessage`
/// on a refusal), and the ids of the accounts the answer reports as created.
fn apply(router: &Router, model: &Model, op: &Op) -> ((u16, Value), Vec<String>) {
    let (status, answer) = match op {
        Op::Create {
            items,
            upsert,
            segment,
        } => {
            let accounts: Vec<Value> = items
                .iter()
                .map(|item| {
                    let mut account = json!({ "domain": DOMAINS[item.domain].0,
                                              "name": format!("Name{}", item.name) });
                    if let Some(external_id) = item.external_id {
                        account["externalId"] = json!(format!("ext{external_id}"));
                    }
                    if let Some(tags) = &item.tags {
                        account["tags"] = tags.iter().map(|tag| json!(format!("t{tag}"))).collect();
                    }
                    if let Some(fields) = &item.custom_fields {
                        account["customFields"] = Value::Object(fields_object(fields));
                    }
                    account
                })
                .collect();
            let mut body = json!({ "accounts": accounts, "upsert": upsert });
            if let Some(segment) = segment {
                body["segmentId"] = json!(SEGMENTS[*segment]);
            }
            call(router, "POST", "/api/v1/accounts", Some(&body))
        }
        Op::Update {
            domain,
            custom_fields,
        } => {
            let path = format!("/api/v1/accounts/{}", model.id_for(*domain));
            let body = json!({ "customFields": fields_object(custom_fields) });
            call(router, "PUT", &path, Some(&body))
        }
        Op::MapExternalIds { mappings } => {
            let mappings: Vec<Value> = mappings
                .iter()
                .map(|(domain, id)| {
                    json!({ "domain": DOMAINS[*domain].0, "externalId": format!("ext{id}") })
                })
                .collect();
            let body = json!({ "mappings": mappings });
            call(
                router,
                "PATCH",
                "/api/v1/accounts/external-ids",
                Some(&body),
            )
        }
    };
    let created = answer["data"]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|result| result["status"] == "created")
        .filter_map(|result| result["rtp_aid"].as_str().map(str::to_string))
        .collect();
    let worded = match status {
        200 => answer["data"].clone(),
        _ => answer["customMessage"].clone(),
    };
    ((status, worded), created)
}

/// The state as the admin API shows it, reduced to the fields the model follows.
fn observed_accounts(router: &Router) -> Vec<Value> {
    let (status, accounts) = call(router, "GET", "/_mock/accounts", None);
    assert_eq!(status, 200);
    let keep = [
        "rtp_aid",
        "domain",
        "name",
        "externalId",
        "tags",
        "customFields",
    ];
    accounts
        .as_array()
        .expect("a list of accounts")
        .iter()
        .map(|account| {
            keep.iter()
                .map(|key| (key.to_string(), account[*key].clone()))
                .collect()
        })
        .collect()
}

fn observed_members(router: &Router, segment: &str) -> Vec<String> {
    let (status, found) = call(router, "GET", &format!("/_mock/segments/{segment}"), None);
    assert_eq!(status, 200);
    serde_json::from_value(found["members"].clone()).expect("a list of ids")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_sequences_of_writes_agree_with_the_reference_model(ops in vec(op(), 1..20)) {
        let router = seeded_router();
        let mut model = Model::default();
        for (step, op) in ops.iter().enumerate() {
            let (answer, created) = apply(&router, &model, op);
            let mut fresh_ids = created.into_iter();
            let expected = match op {
                Op::Create { items, upsert, segment } => {
                    model.create(items, *upsert, *segment, &mut fresh_ids)
                }
                Op::Update { domain, custom_fields } => model.update(*domain, custom_fields),
                Op::MapExternalIds { mappings } => model.map_external_ids(mappings),
            };
            prop_assert_eq!(&answer, &expected, "step {}: {:?}", step, op);
            prop_assert_eq!(fresh_ids.next(), None, "step {}: more ids than new accounts", step);
            prop_assert_eq!(router.check_invariants(), Ok(()), "step {}", step);
            prop_assert_eq!(observed_accounts(&router), model.accounts_listing(), "step {}", step);
            for segment in ["seg-open", "seg-draft"] {
                prop_assert_eq!(observed_members(&router, segment), model.members_of(segment));
            }
        }
    }
}
