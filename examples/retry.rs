//! A small sync client that pushes accounts the way a careful integration would: batches of
//! 100, `429` retried after `Retry-After`, `5xx` retried with capped exponential back-off, and a
//! lost response treated as "maybe applied", so the retry re-sends with `upsert: true`.
//!
//! `cargo run --example retry` runs it against a mock that injects one of each failure.

use std::thread::sleep;
use std::time::Duration;

use recotap_mock::{Fault, MockRecotap};
use reqwest::blocking::Client;
use serde_json::{json, Value};

const BATCH: usize = 100;
const ATTEMPTS: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Sends one batch until the API has acknowledged every account in it.
fn push_batch(client: &Client, url: &str, key: &str, batch: &[Value]) -> Result<(), String> {
    let mut upsert = false;
    let mut backoff = FIRST_BACKOFF;
    for _ in 0..ATTEMPTS {
        let body = json!({ "accounts": batch, "upsert": upsert });
        let wait = match client.post(url).header("X-Api-Key", key).json(&body).send() {
            // No response (reset, timeout): the batch may have been stored.
            Err(_) => {
                upsert = true;
                backoff
            }
            Ok(response) if response.status() == 429 => {
                let header = response.headers().get("retry-after");
                let secs = header
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(1);
                Duration::from_secs(secs)
            }
            Ok(response) if response.status().is_server_error() => backoff,
            Ok(response) if response.status().is_success() => match response.json::<Value>() {
                Ok(reply) if reply["data"]["summary"]["failed"] == 0 => return Ok(()),
                Ok(reply) => return Err(format!("accounts refused: {}", reply["data"]["results"])),
                // A body cut short is a lost response too.
                Err(_) => {
                    upsert = true;
                    backoff
                }
            },
            Ok(response) => {
                return Err(format!(
                    "batch refused: {}",
                    response.text().unwrap_or_default()
                ))
            }
        };
        sleep(wait);
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
    Err(format!("no answer after {ATTEMPTS} attempts"))
}

pub fn main() {
    let mock = MockRecotap::start();
    // Each fault hits once, in the order added: the first five requests meet one each.
    let accounts_post = |fault: Fault| fault.on("POST", "/api/v1/accounts").times(1);
    mock.add_fault(accounts_post(Fault::status(503)));
    mock.add_fault(accounts_post(Fault::rate_limit(1)));
    mock.add_fault(accounts_post(Fault::reset().applied()));
    mock.add_fault(accounts_post(Fault::malformed().applied()));
    mock.add_fault(accounts_post(Fault::hang().applied()));

    let client = Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let url = format!("{}/accounts", mock.base_url());
    let accounts: Vec<Value> = (0..250)
        .map(|i| json!({ "domain": format!("company-{i}.com"), "name": format!("Company {i}") }))
        .collect();
    for batch in accounts.chunks(BATCH) {
        push_batch(&client, &url, mock.api_key(), batch).expect("the batch is stored");
    }

    let statuses: Vec<u16> = mock.requests().iter().map(|r| r.status).collect();
    println!("responses (0 = none): {statuses:?}");
    println!("accounts stored: {}", mock.accounts().len());
    assert_eq!(mock.accounts().len(), 250);
}
