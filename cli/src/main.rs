//! The `recotap-mock` binary: parses flags, starts a mock on the shared runtime, prints the one
//! listening line on stdout, logs to stderr, and stops gracefully on SIGINT or SIGTERM (or at
//! the end of stdin, with `--exit-with-stdin`); or, with `export` / `import`, converts a state
//! file to a JSON state document and back; with `health`, asks a running mock whether it is
//! up; with `parity`, compares the emulator with a server that speaks the API (cli/src/parity/).

use std::io::Write;
use std::net::IpAddr;
use std::process::ExitCode;

use std::path::PathBuf;

use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};
use recotap_mock::{
    parse_document, MockRecotap, Profile, StartError, StateError, DEFAULT_JOURNAL_BYTES,
};

mod convert;
mod health;
mod parity;
mod shutdown;

/// An in-memory emulator of Recotap's External API v1, for integration tests in any language.
///
/// The API is served under /api/v1; the admin API (seeding, inspection, reset) under /_mock.
#[derive(Parser, Debug)]
#[command(name = "recotap-mock", version)]
struct Flags {
    /// Without a command, the mock serves.
    #[command(subcommand)]
    command: Option<Command>,

    /// Address to bind. Keep the loopback default unless the mock must be reached from elsewhere.
    #[arg(
        long,
        env = "RECOTAP_MOCK_HOST",
        default_value = "127.0.0.1",
        global = true
    )]
    host: String,

    /// Port to bind; 0 picks a free port (read it from the "listening on" line).
    #[arg(long, env = "RECOTAP_MOCK_PORT", default_value_t = 8080, global = true)]
    port: u16,

    /// An API key of team `default`, or `KEY@TEAM` for another team. Repeatable.
    /// Without any, the mock accepts `test-api-key`.
    #[arg(
        long = "api-key",
        env = "RECOTAP_MOCK_API_KEY",
        value_name = "KEY",
        value_delimiter = ',',
        hide_env_values = true
    )]
    api_keys: Vec<String>,

    /// Limit each API key to N requests per second (a token bucket on the mock's clock);
    /// requests over the budget get 429 with Retry-After.
    #[arg(long, env = "RECOTAP_MOCK_RATE_LIMIT", value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    rate_limit: Option<u32>,

    /// A state document (JSON) to start from; POST /_mock/reset returns to it.
    #[arg(long, env = "RECOTAP_MOCK_SEED", value_name = "FILE")]
    seed: Option<PathBuf>,

    /// Keep the state in FILE, a SQLite database: loaded at start if it exists, and every change
    /// committed before its request is answered, so a crash loses nothing acknowledged. A JSON
    /// state document found there is migrated once. One mock per file.
    #[arg(long, env = "RECOTAP_MOCK_STATE_FILE", value_name = "FILE")]
    state_file: Option<PathBuf>,

    /// Largest accepted request body in bytes; larger ones are answered 413.
    #[arg(long, env = "RECOTAP_MOCK_MAX_BODY_BYTES", value_name = "N", default_value_t = 1024 * 1024)]
    max_body_bytes: usize,

    /// How many requests the journal (GET /_mock/requests) keeps; the oldest go first.
    #[arg(
        long,
        env = "RECOTAP_MOCK_JOURNAL_SIZE",
        value_name = "N",
        default_value_t = 10_000
    )]
    journal_size: usize,

    /// Largest body the admin API (/_mock) accepts in bytes, so that any state the mock holds
    /// can be read with GET /_mock/state and PUT back.
    #[arg(long, env = "RECOTAP_MOCK_ADMIN_MAX_BODY_BYTES", value_name = "N", default_value_t = 1024 * 1024 * 1024)]
    admin_max_body_bytes: usize,

    /// Let the page origin ORIGIN (`http://localhost:3000`) call the mock with credentials:
    /// answers name it in Access-Control-Allow-Origin with Access-Control-Allow-Credentials.
    /// Repeatable; implies --cors; other origins get no CORS headers.
    #[arg(
        long = "cors-origin",
        env = "RECOTAP_MOCK_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,

    /// What to log on stderr besides start and stop: `requests` adds one line per API request
    /// (method, path, status, team, milliseconds).
    #[arg(
        long,
        env = "RECOTAP_MOCK_LOG",
        value_name = "WHAT",
        value_parser = clap::builder::PossibleValuesParser::new(["requests"])
    )]
    log: Option<String>,

    /// Answer CORS preflights and let any origin read answers, so that a web page served from
    /// another origin can call the mock (the admin API too: keep it to development).
    #[arg(long, env = "RECOTAP_MOCK_CORS", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    cors: bool,

    /// Where the vendor's reference and its live sandbox differ, follow the reference
    /// (`documented`) or reproduce the sandbox (`sandbox`): error bodies without `data`, extra
    /// properties of PUT /accounts/:rtp_aid ignored, names lower-cased and times without
    /// milliseconds in GET /accounts. POST /_mock/profile changes it while running.
    /// [default: documented, or the seed's or state file's profile]
    #[arg(
        long,
        env = "RECOTAP_MOCK_PROFILE",
        value_name = "PROFILE",
        value_parser = clap::builder::PossibleValuesParser::new(["documented", "sandbox"])
            .map(|name| name.parse::<Profile>().expect("one of the listed names"))
    )]
    profile: Option<Profile>,

    /// Require `Authorization: Bearer T` on the admin API (/_mock). Without it the admin API is
    /// open to anyone who can reach the port.
    #[arg(
        long,
        env = "RECOTAP_MOCK_ADMIN_TOKEN",
        value_name = "T",
        hide_env_values = true,
        global = true
    )]
    admin_token: Option<String>,

    /// Stop gracefully when standard input reaches its end: a parent that starts the mock with
    /// a pipe on stdin (and writes nothing) takes it along when it dies, however it dies. Not
    /// for a stdin that is a terminal or /dev/null (the mock would stop at once).
    #[arg(long, env = "RECOTAP_MOCK_EXIT_WITH_STDIN", value_parser = clap::builder::BoolishValueParser::new(), num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    exit_with_stdin: bool,
}

/// What the binary does besides serving.
#[derive(Subcommand, Debug)]
enum Command {
    /// Write the state held in a state file as a JSON state document (stdout by default).
    Export {
        /// The state file to read (the mock using it must be stopped).
        #[arg(long, env = "RECOTAP_MOCK_STATE_FILE", value_name = "FILE")]
        state_file: PathBuf,
        /// Write the document to OUT instead of stdout.
        #[arg(long, value_name = "OUT")]
        output: Option<PathBuf>,
    },
    /// Replace the state held in a state file (created if missing) with a JSON state document
    /// (stdin by default), checked as --seed is.
    Import {
        /// The state file to write (the mock using it must be stopped).
        #[arg(long, env = "RECOTAP_MOCK_STATE_FILE", value_name = "FILE")]
        state_file: PathBuf,
        /// Read the document from IN instead of stdin.
        #[arg(long, value_name = "IN")]
        input: Option<PathBuf>,
    },
    /// Is the mock still the service? Run the built-in scenarios against a target (the
    /// vendor's sandbox, or another mock) and an in-process emulator with the same inputs, and
    /// list where their answers differ. Exit 0: none differ; 1: some do; 2: the target is not
    /// the API.
    Parity(parity::ParityArgs),
    /// Exit 0 when the mock at --host and --port (RECOTAP_MOCK_HOST, RECOTAP_MOCK_PORT) answers
    /// GET /_mock/health with 200, else 1 with the reason: a container's health check, with no
    /// shell or curl needed. 0.0.0.0 and :: are asked at loopback; --admin-token is sent.
    Health,
}

/// Exit code for bad flags or an unreadable or invalid seed or state file.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let flags = Flags::parse();
    match &flags.command {
        Some(Command::Parity(args)) => return parity::run(args),
        Some(Command::Health) => {
            return health::run(&flags.host, flags.port, flags.admin_token.as_deref())
        }
        Some(command) => return convert::run(command),
        None => {}
    }
    // Per-request lines only when asked (`--log requests`); RUST_LOG, when set, decides alone.
    let default_filter = match flags.log.as_deref() {
        Some("requests") => "info",
        _ => "info,recotap_mock::requests=off",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter)),
        )
        .init();
    if let Some(problem) = flag_problem(&flags) {
        eprintln!("recotap-mock: {problem}");
        return ExitCode::from(USAGE);
    }

    let mut builder = MockRecotap::builder()
        .host(&flags.host)
        .port(flags.port)
        .max_body_bytes(flags.max_body_bytes)
        .journal_limits(flags.journal_size, DEFAULT_JOURNAL_BYTES);
    if let Some(path) = &flags.seed {
        let document = std::fs::read(path)
            .map_err(|error| error.to_string())
            .and_then(|bytes| parse_document(&bytes).map_err(|error| error.to_string()));
        match document {
            Ok(document) => builder = builder.initial_state(document),
            Err(error) => {
                eprintln!("recotap-mock: --seed {}: {error}", path.display());
                return ExitCode::from(USAGE);
            }
        }
    }
    if let Some(path) = &flags.state_file {
        builder = builder.state_file(path);
    }
    builder = builder
        .cors(flags.cors)
        .admin_max_body_bytes(flags.admin_max_body_bytes);
    for origin in &flags.cors_origins {
        builder = builder.cors_origin(origin.trim());
    }
    // A profile given on the command line (or in the environment) wins over a seed's or a
    // state file's; without one, theirs stands (and `documented` where they have none).
    if let Some(profile) = flags.profile {
        builder = builder.profile(profile);
    }
    if let Some(token) = &flags.admin_token {
        builder = builder.admin_token(token);
    }
    let resolved = resolve(&flags.host);
    if let Some(warning) = exposure_warning(&flags.host, &resolved, flags.admin_token.is_some()) {
        eprintln!("{warning}");
    }
    if let Some(per_second) = flags.rate_limit {
        builder = builder.rate_limit(per_second);
    }
    // A list in RECOTAP_MOCK_API_KEY is split on commas; "k1, k2" means k1 and k2.
    for key in flags.api_keys.iter().map(|key| key.trim()) {
        builder = match key.rsplit_once('@') {
            Some((key, team)) if !key.is_empty() && !team.is_empty() => {
                builder.team_api_key(key, team)
            }
            None if !key.is_empty() => builder.api_key(key),
            _ => {
                eprintln!("recotap-mock: --api-key needs a non-empty KEY or KEY@TEAM, got {key:?}");
                return ExitCode::from(USAGE);
            }
        };
    }
    let mock = match builder.try_start() {
        Ok(mock) => mock,
        Err(StartError::InvalidInitialState(error)) => {
            let source = match &flags.seed {
                Some(seed) => format!("--seed {}", seed.display()),
                None => "--seed".to_string(),
            };
            eprintln!("recotap-mock: invalid state ({source}): {error}");
            return ExitCode::from(USAGE);
        }
        Err(StartError::StateFile(error @ StateError::Unwritable { .. })) => {
            eprintln!("recotap-mock: --state-file {error}");
            return ExitCode::from(USAGE);
        }
        Err(StartError::StateFile(error)) => {
            eprintln!("recotap-mock: invalid state (--state-file): {error}");
            return ExitCode::from(USAGE);
        }
        Err(error) => {
            eprintln!("recotap-mock: {error}");
            return ExitCode::from(1);
        }
    };

    let shutdown = shutdown::Shutdown::install(flags.exit_with_stdin);
    println!("recotap-mock listening on {}", mock.url());
    let _ = std::io::stdout().flush();
    let web_page = format!("{}/_mock/ui", mock.url());
    tracing::info!(base_url = %mock.base_url(), api_key = mock.api_key(), %web_page, "serving");

    match shutdown.wait() {
        shutdown::Reason::Signal => tracing::info!("shutting down"),
        shutdown::Reason::StdinClosed => tracing::info!("standard input ended: shutting down"),
    }
    // A failed final write loses the last changes: not a graceful shutdown.
    match mock.try_stop() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("recotap-mock: {error}");
            ExitCode::from(1)
        }
    }
}

/// What is wrong with flags that clap accepts but the mock must not start with, if anything.
fn flag_problem(flags: &Flags) -> Option<String> {
    if flags
        .admin_token
        .as_deref()
        .is_some_and(|token| token.trim().is_empty())
    {
        // An unset CI secret: starting would answer every admin call 401.
        return Some(
            "--admin-token (RECOTAP_MOCK_ADMIN_TOKEN) is empty: give a token, or leave the \
             flag out for an open admin API"
                .to_string(),
        );
    }
    if let Some(origin) = flags.cors_origins.iter().find(|origin| {
        let origin = origin.trim();
        origin.is_empty() || origin == "*" || !origin.contains("://")
    }) {
        return Some(format!(
            "--cors-origin takes a page origin such as http://localhost:3000, got {origin:?} \
             (for any origin, use --cors)"
        ));
    }
    None
}

/// The addresses `host` stands for (none if it does not resolve: the bind then says why).
fn resolve(host: &str) -> Vec<IpAddr> {
    use std::net::ToSocketAddrs;
    (host, 0)
        .to_socket_addrs()
        .map(|addresses| addresses.map(|address| address.ip()).collect())
        .unwrap_or_default()
}

/// The warning to print when the open admin API may be reachable from other machines: some
/// address `host` resolves to is not loopback, and no admin token guards `/_mock`.
///
/// An IPv4-mapped IPv6 loopback (`::ffff:127.0.0.1`) is loopback too: `Ipv6Addr::is_loopback`
/// alone says otherwise, which once made such a bind warn for nothing.
fn exposure_warning(host: &str, resolved: &[IpAddr], admin_token: bool) -> Option<String> {
    let exposed = resolved
        .iter()
        .any(|address| !address.to_canonical().is_loopback());
    (exposed && !admin_token).then(|| {
        format!(
            "recotap-mock: warning: listening on {host} without --admin-token: anyone who can \
             reach the port can read and replace the mock's state through /_mock"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warns(host: &str, admin_token: bool) -> bool {
        exposure_warning(host, &resolve(host), admin_token).is_some()
    }

    #[test]
    fn loopback_hosts_never_warn() {
        for host in [
            "127.0.0.1",
            "127.0.0.2",
            "::1",
            "::ffff:127.0.0.1",
            "localhost",
        ] {
            assert!(!warns(host, false), "{host}");
        }
    }

    #[test]
    fn other_addresses_warn_without_an_admin_token_only() {
        for host in [
            "0.0.0.0",
            "::",
            "192.168.1.10",
            "10.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(warns(host, false), "{host}");
            assert!(!warns(host, true), "{host}");
        }
    }

    #[test]
    fn the_warning_names_the_host_and_the_risk() {
        let warning = exposure_warning("0.0.0.0", &resolve("0.0.0.0"), false);
        assert_eq!(
            warning.as_deref(),
            Some(
                "recotap-mock: warning: listening on 0.0.0.0 without --admin-token: anyone who \
                 can reach the port can read and replace the mock's state through /_mock"
            )
        );
    }

    #[test]
    fn a_host_that_does_not_resolve_is_left_to_the_bind_to_report() {
        assert_eq!(exposure_warning("no such host", &[], false), None);
    }
}
