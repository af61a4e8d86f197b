//! What every section uses to talk to a server: the request bodies, the target a request goes
//! to, a one-request-at-a-time HTTP/1.1 client on keep-alive connections, the reply check that
//! fails the bench on an unexpected status or body, and the mock under test with its seed data.

use std::fmt::Write as _;
use std::net::SocketAddr;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST};
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1 as client_http1;
use hyper_util::rt::TokioIo;
use recotap_mock::{CustomField, LabelType, MockRecotap};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

pub const ACCOUNTS_PATH: &str = "/api/v1/accounts";
/// The key of the one custom field every mock is seeded with, and every account sends.
const FIELD_KEY: &str = "CONTRACT_VALUE_C";
pub const ACCOUNTS_PER_REQUEST: u64 = 100;
/// Keep-alive connections of the load generator.
pub const CONNECTIONS: usize = 16;

/// Company names as (display, slug), and second words: deterministic variety.
const FIRST: [(&str, &str); 8] = [
    ("Acme", "acme"),
    ("Globex", "globex"),
    ("Initech", "initech"),
    ("Umbrella", "umbrella"),
    ("Vandelay", "vandelay"),
    ("Cyberdyne", "cyberdyne"),
    ("Soylent", "soylent"),
    ("Aperture", "aperture"),
];
const SECOND: [&str; 4] = ["Logistics", "Analytics", "Robotics", "Capital"];
const REGIONS: [&str; 3] = ["emea", "amer", "apac"];

/// A `POST /accounts` body of 100 accounts: batch `batch` of the domain family `family`.
/// The same arguments always give the same bytes; different batches never share a domain.
pub fn accounts_body(family: &str, batch: u64, upsert: bool) -> Bytes {
    let mut out = String::with_capacity(24 * 1024);
    out.push_str("{\"accounts\":[");
    for i in 0..ACCOUNTS_PER_REQUEST {
        if i > 0 {
            out.push(',');
        }
        push_account(&mut out, family, batch * ACCOUNTS_PER_REQUEST + i);
    }
    let _ = write!(out, "],\"upsert\":{upsert}}}");
    Bytes::from(out)
}

/// A `POST /accounts` body of one account, account `n` of the domain family `family` (the
/// common case in user tests).
pub fn one_account_body(family: &str, n: u64, upsert: bool) -> Bytes {
    let mut out = String::with_capacity(256);
    out.push_str("{\"accounts\":[");
    push_account(&mut out, family, n);
    let _ = write!(out, "],\"upsert\":{upsert}}}");
    Bytes::from(out)
}

/// The domain of account `n` of `family` (what [`accounts_body`] sends).
pub fn domain_of(family: &str, n: u64) -> String {
    let (_, slug) = FIRST[(n % 8) as usize];
    format!("{slug}-{family}{n:07}.com")
}

/// One account of about 220 bytes, every documented field present.
fn push_account(out: &mut String, family: &str, n: u64) {
    let (first, slug) = FIRST[(n % 8) as usize];
    let second = SECOND[(n / 8 % 4) as usize];
    let region = REGIONS[(n % 3) as usize];
    let tier = n % 3 + 1;
    let value = (n * 7919) % 100_000;
    let _ = write!(
        out,
        "{{\"domain\":\"{domain}\",\"name\":\"{first} {second}\",\
         \"externalId\":\"crm-{n:07}\",\"shortName\":\"{first}\",\
         \"linkedinUrl\":\"https://linkedin.com/company/{slug}\",\
         \"tags\":[\"tier{tier}\",\"{region}\"],\"customFields\":{{\"{FIELD_KEY}\":{value}}}}}",
        domain = domain_of(family, n),
    );
}

// Client: one request at a time per keep-alive connection.

/// Where requests go and the key they carry.
#[derive(Clone)]
pub struct Target {
    host: HeaderValue,
    pub addr: SocketAddr,
    api_key: HeaderValue,
}

impl Target {
    pub fn new(addr: SocketAddr, api_key: &str) -> Target {
        Target {
            host: HeaderValue::from_str(&addr.to_string()).expect("an address is a header value"),
            addr,
            api_key: HeaderValue::from_str(api_key).expect("the API key is a header value"),
        }
    }

    pub fn of(mock: &MockRecotap) -> Target {
        Target::new(mock.address(), mock.api_key())
    }

    fn request(&self, method: Method, path: &str, body: Bytes) -> Request<Full<Bytes>> {
        Request::builder()
            .method(method)
            .uri(path)
            .header(HOST, self.host.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("x-api-key", self.api_key.clone())
            .body(Full::new(body))
            .expect("the request is well formed")
    }

    pub fn post(&self, path: &str, body: Bytes) -> Request<Full<Bytes>> {
        self.request(Method::POST, path, body)
    }

    pub fn get(&self, path: &str) -> Request<Full<Bytes>> {
        self.request(Method::GET, path, Bytes::new())
    }

    pub fn delete(&self, path: &str) -> Request<Full<Bytes>> {
        self.request(Method::DELETE, path, Bytes::new())
    }
}

pub type Sender = client_http1::SendRequest<Full<Bytes>>;

/// Opens a keep-alive HTTP/1.1 connection whose driver runs on the current runtime.
pub async fn open(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = client_http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
}

/// Sends one request and reads the whole response.
pub async fn send(
    sender: &mut Sender,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// Sends one request on a fresh connection, which closes when this returns.
pub async fn send_fresh(target: &Target, request: Request<Full<Bytes>>) -> (StatusCode, Bytes) {
    let mut sender = open(target.addr).await.unwrap_or_else(|e| panic!("{e}"));
    send(&mut sender, request)
        .await
        .unwrap_or_else(|e| panic!("request failed: {e}"))
}

/// `Err` with a readable description unless the reply is a 200 whose end holds `expect`
/// (the summary counts sit at the end of every envelope this bench checks).
pub fn check_reply(status: StatusCode, body: &[u8], expect: &str) -> Result<(), String> {
    let tail = &body[body.len().saturating_sub(512)..];
    let found = tail
        .windows(expect.len())
        .any(|window| window == expect.as_bytes());
    if status == StatusCode::OK && found {
        return Ok(());
    }
    let head = String::from_utf8_lossy(&body[..body.len().min(400)]);
    Err(format!(
        "{status}, expected {expect:?} in the reply: {head}"
    ))
}

pub fn expect_reply(status: StatusCode, body: &[u8], expect: &str) {
    if let Err(problem) = check_reply(status, body, expect) {
        panic!("unexpected reply: {problem}");
    }
}

pub fn current_thread_runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime starts")
}

/// One request on a fresh connection from a throwaway runtime (for set-up steps).
pub fn send_blocking(target: &Target, request: Request<Full<Bytes>>) -> (StatusCode, Bytes) {
    current_thread_runtime().block_on(send_fresh(target, request))
}

// The mock under test.

/// A mock with default settings and the one custom field every body uses.
pub fn start_mock() -> MockRecotap {
    let mock = MockRecotap::start();
    seed_field(&mock);
    mock
}

pub fn seed_field(mock: &MockRecotap) {
    let field = mock.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
    assert_eq!(field.key, FIELD_KEY, "the bench's bodies name this key");
}

/// Creates the steady mix's 100 accounts, so that every measured request is an update.
pub fn seed_steady(mock: &MockRecotap, body: &Bytes) {
    let target = Target::of(mock);
    let (status, reply) = send_blocking(&target, target.post(ACCOUNTS_PATH, body.clone()));
    expect_reply(status, &reply, "\"created\":100,");
}
