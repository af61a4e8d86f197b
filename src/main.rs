//! The `recotap-mock` binary: parses flags, starts a mock on the shared runtime, prints the one
//! listening line on stdout, logs to stderr, and stops gracefully on SIGINT or SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use recotap_mock::MockRecotap;

/// An in-memory emulator of Recotap's External API v1, for integration tests in any language.
///
/// The API is served under /api/v1; the admin API (seeding, inspection, reset) under /_mock.
#[derive(Parser, Debug)]
#[command(name = "recotap-mock", version)]
struct Flags {
    /// Address to bind. Keep the loopback default unless the mock must be reached from elsewhere.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,

    /// Port to bind; 0 picks a free port (read it from the "listening on" line).
    #[arg(long, default_value_t = 8080)]
    port: u16,

    /// An API key of team `default`, or `KEY@TEAM` for another team. Repeatable.
    /// Without any, the mock accepts `test-api-key`.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,
}

fn main() -> ExitCode {
    let flags = Flags::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let mut builder = MockRecotap::builder().host(&flags.host).port(flags.port);
    for key in &flags.api_keys {
        builder = match key.rsplit_once('@') {
            Some((key, team)) if !key.is_empty() && !team.is_empty() => {
                builder.team_api_key(key, team)
            }
            _ if !key.is_empty() => builder.api_key(key),
            _ => {
                eprintln!("recotap-mock: --api-key needs a non-empty KEY or KEY@TEAM, got {key:?}");
                return ExitCode::from(2);
            }
        };
    }
    let mock = match builder.try_start() {
        Ok(mock) => mock,
        Err(error) => {
            eprintln!(
                "recotap-mock: cannot listen on {}:{}: {error}",
                flags.host, flags.port
            );
            return ExitCode::from(1);
        }
    };

    println!("recotap-mock listening on {}", mock.url());
    let _ = std::io::stdout().flush();
    tracing::info!(base_url = %mock.base_url(), api_key = mock.api_key(), "serving");

    recotap_mock::__private::block_on(shutdown_signal());
    tracing::info!("shutting down");
    mock.stop();
    ExitCode::SUCCESS
}

async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
