//! `recotap-mock export` and `recotap-mock import`: a state file (SQLite) to a JSON state
//! document and back, so that state can be read, diffed and edited as text.

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;

use recotap_mock::{export_state_file, import_state_file, parse_document};

use crate::{Command, USAGE};

/// Runs `command`; exit code 0, or 2 with the reason on stderr.
pub fn run(command: &Command) -> ExitCode {
    let outcome = match command {
        Command::Export { state_file, output } => export(state_file, output.as_deref()),
        Command::Import { state_file, input } => import(state_file, input.as_deref()),
        Command::Parity(_) => unreachable!("main runs parity itself"),
        Command::Health => unreachable!("main runs `health` itself: it needs the serving flags"),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("recotap-mock: {message}");
            ExitCode::from(USAGE)
        }
    }
}

fn export(state_file: &Path, output: Option<&Path>) -> Result<(), String> {
    let document = export_state_file(state_file).map_err(|error| error.to_string())?;
    let mut text = serde_json::to_vec_pretty(&document).map_err(|error| error.to_string())?;
    text.push(b'\n');
    match output {
        Some(path) => std::fs::write(path, text)
            .map_err(|error| format!("--output {}: {error}", path.display())),
        None => std::io::stdout()
            .write_all(&text)
            .map_err(|error| format!("stdout: {error}")),
    }
}

fn import(state_file: &Path, input: Option<&Path>) -> Result<(), String> {
    let text = match input {
        Some(path) => {
            std::fs::read(path).map_err(|error| format!("--input {}: {error}", path.display()))?
        }
        None => {
            let mut text = Vec::new();
            std::io::stdin()
                .read_to_end(&mut text)
                .map_err(|error| format!("stdin: {error}"))?;
            text
        }
    };
    let document = parse_document(&text).map_err(|error| error.to_string())?;
    import_state_file(state_file, &document).map_err(|error| error.to_string())
}
