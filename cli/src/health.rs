//! `recotap-mock health`: exits 0 when the mock on the configured host and port answers
//! `GET /_mock/health` with 200, else 1 with the reason on stderr. It is a container's
//! HEALTHCHECK (`["/recotap-mock", "health"]` in an image with no shell and no curl), so it is
//! one plain HTTP/1.1 request over `std::net::TcpStream`, bounded in time.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// How long connecting, sending and reading may each take: a health check that hangs is
/// worse than one that fails.
const PATIENCE: Duration = Duration::from_secs(3);

/// The most of the answer read: the status line is all that is needed.
const ANSWER_LIMIT: u64 = 4096;

/// Asks the mock at `host:port` (the serving flags, so the image's RECOTAP_MOCK_HOST and
/// RECOTAP_MOCK_PORT) for its health, with `admin_token` when the admin API needs one.
pub fn run(host: &str, port: u16, admin_token: Option<&str>) -> ExitCode {
    match check(host, port, admin_token) {
        Ok(address) => {
            println!("recotap-mock health: ok (http://{address})");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("recotap-mock health: {problem}");
            ExitCode::from(1)
        }
    }
}

fn check(host: &str, port: u16, admin_token: Option<&str>) -> Result<SocketAddr, String> {
    let address = target(host, port)?;
    let mut stream = TcpStream::connect_timeout(&address, PATIENCE)
        .map_err(|error| format!("cannot connect to {address}: {error}"))?;
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let _ = stream.set_write_timeout(Some(PATIENCE));
    let authorization = admin_token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET /_mock/health HTTP/1.1\r\nHost: {address}\r\n{authorization}Connection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|error| format!("cannot send to {address}: {error}"))?;
    let mut answer = Vec::new();
    // An error after some bytes (a reset once the answer is sent) still leaves the status line.
    let read = stream.take(ANSWER_LIMIT).read_to_end(&mut answer);
    let status_line = answer
        .split(|&byte| byte == b'\n')
        .next()
        .map(|line| String::from_utf8_lossy(line).trim().to_string())
        .unwrap_or_default();
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(address),
        Some("401") => Err(format!(
            "http://{address}/_mock/health answered 401: the admin API needs the token \
             (--admin-token or RECOTAP_MOCK_ADMIN_TOKEN, as the mock was given)"
        )),
        Some(status) => Err(format!(
            "http://{address}/_mock/health answered {status}, not 200"
        )),
        None => Err(match read {
            Err(error) => format!("no answer from {address}: {error}"),
            Ok(_) => format!("no HTTP answer from {address} (is it recotap-mock?)"),
        }),
    }
}

/// Where to connect: `host` as an address, the unspecified addresses (a mock bound to every
/// interface) as loopback, and a name resolved (an image has no resolver files, so the image
/// sets an address).
fn target(host: &str, port: u16) -> Result<SocketAddr, String> {
    let literal = host
        .strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = literal.parse::<IpAddr>() {
        let ip = match ip {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        return Ok(SocketAddr::new(ip, port));
    }
    (host, port)
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve --host {host}: {error}"))?
        .next()
        .ok_or_else(|| format!("--host {host} resolves to no address"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_addresses_are_asked_at_loopback() {
        assert_eq!(
            target("0.0.0.0", 8080).unwrap().to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(target("::", 8080).unwrap().to_string(), "[::1]:8080");
        assert_eq!(target("[::]", 81).unwrap().to_string(), "[::1]:81");
        assert_eq!(target("10.1.2.3", 9).unwrap().to_string(), "10.1.2.3:9");
    }
}
