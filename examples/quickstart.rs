//! Quick start: run a Recotap mock, seed it, push two accounts the way an integration would,
//! then look at what the mock stored.
//!
//! Run with `cargo run --example quickstart`.

use recotap_mock::{CustomField, LabelType, MockRecotap, Segment};
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Start a mock on a free port of 127.0.0.1 and seed what the integration expects to find.
    let mock = MockRecotap::start();
    mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    mock.add_segment(Segment::new("Q2 Target Accounts").id("seg-001"));
    println!("Recotap mock listening on {}", mock.base_url());

    // 2. Push two accounts into the segment, exactly as the code under test would.
    let response: Value = reqwest::blocking::Client::new()
        .post(format!("{}/accounts", mock.base_url()))
        .header("X-Api-Key", mock.api_key())
        .json(&json!({
            "segmentId": "seg-001",
            "accounts": [
                { "domain": "https://www.Acme.com/", "name": "Acme Corp",
                  "customFields": { "CONTRACT_VALUE_C": 50000 } },
                { "domain": "globex.com", "name": "Globex", "tags": ["enterprise"] }
            ]
        }))
        .send()?
        .json()?;
    println!("summary: {}", response["data"]["summary"]);

    // 3. Inspect what the mock stored (domains are cleaned: `https://www.Acme.com/` → `acme.com`).
    for account in mock.accounts() {
        println!(
            "stored {} {:?} (rtp_aid {}), custom fields {}",
            account.domain,
            account.name,
            account.id(),
            Value::Object(account.custom_fields.clone()),
        );
    }
    let members: Vec<String> = mock
        .segment_members("seg-001")
        .iter()
        .map(|id| id.to_string())
        .collect();
    println!("members of seg-001: {}", members.join(", "));
    println!("requests received: {}", mock.requests().len());
    Ok(())
}
