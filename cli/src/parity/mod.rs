//! `recotap-mock parity`: is the mock still the service? Runs the built-in scenarios against a
//! target (the vendor's sandbox, or any server speaking the API) and, with the same inputs,
//! against an in-process emulator of the chosen profile; compares the normalised answers and
//! prints one line per scenario and a table of differences. `--record` writes the target's
//! normalised exchanges, `--replay` holds the emulator to such recordings offline.
//!
//! Exit codes: 0 no differences, 1 differences, 2 the target is not the API (or bad input).

mod client;
mod compare;
mod json;
mod normalize;
mod record;
mod report;
mod scenarios;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::TypedValueParser;
use recotap_mock::{MockRecotap, Profile};

use self::client::Side;
use self::normalize::Normalizer;
use self::record::{Recorded, Recording};
use self::scenarios::Scenario;

/// Flags of `recotap-mock parity`.
#[derive(clap::Args, Debug)]
pub struct ParityArgs {
    /// The API's base URL, as `https://eapi.recotap.com/api/v1` (`/api/v1` is added when the
    /// URL does not end with it).
    #[arg(
        long,
        env = "RECOTAP_PARITY_TARGET",
        value_name = "URL",
        required_unless_present_any = ["replay", "list"]
    )]
    target: Option<String>,

    /// The target's API key. Never printed nor written to a file; prefer the environment
    /// variable, which keeps it off the command line.
    #[arg(
        long = "api-key",
        env = "RECOTAP_PARITY_API_KEY",
        value_name = "KEY",
        hide_env_values = true,
        required_unless_present_any = ["replay", "list"]
    )]
    api_key: Option<String>,

    /// The emulator's profile to compare with: the vendor's reference (`documented`) or what
    /// its live sandbox was seen to answer (`sandbox`).
    #[arg(
        long,
        value_name = "PROFILE",
        default_value = "documented",
        value_parser = clap::builder::PossibleValuesParser::new(["documented", "sandbox"])
            .map(|name| name.parse::<Profile>().expect("one of the listed names"))
    )]
    profile: Profile,

    /// Write the target's normalised exchanges to DIR, one JSON file per scenario.
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    record: Option<PathBuf>,

    /// Compare the emulator with the recordings in DIR instead of a target (offline).
    #[arg(long, value_name = "DIR")]
    replay: Option<PathBuf>,

    /// Run only this scenario (repeatable); `--list` names them.
    #[arg(long = "only", value_name = "SCENARIO")]
    only: Vec<String>,

    /// What the recordings' `recordedFrom` says the target was [default: the target's host].
    #[arg(long, value_name = "TEXT", requires = "record")]
    recorded_from: Option<String>,

    /// How long to wait for each of the target's answers.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,

    /// List the scenarios and what each covers, and exit.
    #[arg(long)]
    list: bool,
}

/// What the emulator is compared with.
enum Against<'a> {
    /// A server speaking the API, and what its recordings say it was.
    Target(Side, String),
    /// A directory of recordings.
    Recordings(&'a std::path::Path),
}

/// Exit code: the target does not look like the API, or the input is unusable.
const NOT_THE_API: u8 = 2;

pub fn run(args: &ParityArgs) -> ExitCode {
    let key = args.api_key.clone().unwrap_or_default();
    match execute(args) {
        Ok(same) => ExitCode::from(u8::from(!same)),
        Err(message) => {
            // A server that echoes headers must not make the key appear here either.
            let message = if key.is_empty() {
                message
            } else {
                message.replace(&key, "<api key>")
            };
            eprintln!("recotap-mock parity: {message}");
            ExitCode::from(NOT_THE_API)
        }
    }
}

/// Runs the scenarios; `Ok(true)` when no scenario differs.
fn execute(args: &ParityArgs) -> Result<bool, String> {
    if args.list {
        for scenario in scenarios::all() {
            println!("{:<24}{}", scenario.name, scenario.covers);
        }
        return Ok(true);
    }
    let chosen = choose(&args.only)?;
    let run_id = run_id();
    let timeout = Duration::from_secs(args.timeout.max(1));
    // The emulator is on loopback: never through a proxy.
    let loopback = client::client(timeout, false)?;
    let emulator_key = format!("parity-emulator-{run_id}");
    let against = match &args.replay {
        Some(dir) => {
            eprintln!(
                "recotap-mock parity: the {} emulator against the recordings in {}",
                args.profile.as_str(),
                dir.display()
            );
            Against::Recordings(dir)
        }
        None => {
            let (side, recorded_from) = target(args, timeout)?;
            side.probe().map_err(|found| {
                format!("{} does not look like Recotap's API: {found}", side.base)
            })?;
            eprintln!(
                "recotap-mock parity: run {run_id}, the {} emulator against {}",
                args.profile.as_str(),
                side.base
            );
            Against::Target(side, recorded_from)
        }
    };

    let sandbox = args.profile == Profile::Sandbox;
    let mut differences = Vec::new();
    for (index, scenario) in &chosen {
        // Each scenario has a namespace of its own, so that its data on a long-lived target
        // (shared by every scenario and run) is as fresh as on its own new emulator.
        let namespace = format!("{run_id}{index:02}");
        let emulator = MockRecotap::builder()
            .profile(args.profile)
            .api_key(&emulator_key)
            .try_start()
            .map_err(|error| format!("the in-process emulator did not start: {error}"))?;
        let ours = Side {
            client: loopback.clone(),
            base: emulator.base_url(),
            key: emulator_key.clone(),
        };
        let our_steps = normalize::scenario(
            scenario,
            &ours.run(scenario, &namespace),
            Normalizer::new(&namespace, &ours.key, &ours.base),
            sandbox,
        );
        let their_steps = match &against {
            Against::Target(theirs, recorded_from) => {
                let steps = normalize::scenario(
                    scenario,
                    &theirs.run(scenario, &namespace),
                    Normalizer::new(&namespace, &theirs.key, &theirs.base),
                    sandbox,
                );
                if let Some(dir) = &args.record {
                    record::write(
                        dir,
                        &recording(scenario, args.profile, recorded_from, &steps),
                    )?;
                }
                steps
            }
            Against::Recordings(dir) => {
                let recording = record::read(dir, scenario.name)?;
                if recording.profile != args.profile.as_str() {
                    return Err(format!(
                        "{}: recorded for profile {}; replay it with --profile {}",
                        dir.join(format!("{}.json", scenario.name)).display(),
                        recording.profile,
                        recording.profile
                    ));
                }
                recording.steps
            }
        };
        differences.extend(compare::scenario(scenario.name, &our_steps, &their_steps));
    }

    let names: Vec<&str> = chosen.iter().map(|(_, scenario)| scenario.name).collect();
    print!("{}", report::render(&names, &differences));
    Ok(differences.is_empty())
}

/// The scenarios to run with their place in the built-in list (which makes their namespace).
fn choose(only: &[String]) -> Result<Vec<(usize, &'static Scenario)>, String> {
    let all = scenarios::all();
    if let Some(unknown) = only
        .iter()
        .find(|name| !all.iter().any(|s| s.name == name.as_str()))
    {
        let names: Vec<&str> = all.iter().map(|scenario| scenario.name).collect();
        return Err(format!(
            "--only {unknown}: no such scenario (there are {})",
            names.join(", ")
        ));
    }
    Ok(all
        .into_iter()
        .enumerate()
        .filter(|(_, scenario)| only.is_empty() || only.iter().any(|name| name == scenario.name))
        .collect())
}

/// The target's side and what its recordings say they were recorded from.
fn target(args: &ParityArgs, timeout: Duration) -> Result<(Side, String), String> {
    let given = args.target.as_deref().unwrap_or_default().trim();
    let key = args.api_key.clone().unwrap_or_default();
    if key.is_empty() {
        return Err("--api-key (RECOTAP_PARITY_API_KEY) is empty".to_string());
    }
    let url = reqwest::Url::parse(given).map_err(|error| format!("--target {given:?}: {error}"))?;
    let host = url.host_str().unwrap_or_default().to_string();
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback());
    let trimmed = given.trim_end_matches('/');
    let base = if trimmed.ends_with("/api/v1") {
        trimmed.to_string()
    } else {
        format!("{trimmed}/api/v1")
    };
    // A proxy the environment names is used, but never for loopback.
    let client = client::client(timeout, !loopback)?;
    let recorded_from = args.recorded_from.clone().unwrap_or(host);
    Ok((Side { client, base, key }, recorded_from))
}

fn recording(scenario: &Scenario, profile: Profile, from: &str, steps: &[Recorded]) -> Recording {
    Recording {
        scenario: scenario.name.to_string(),
        covers: scenario.covers.to_string(),
        profile: profile.as_str().to_string(),
        recorded_from: from.to_string(),
        steps: steps.to_vec(),
    }
}

/// A fresh id for this run: `pr` and 8 base-36 digits from the clock, the process and a
/// random seed, so that no two runs share data on a long-lived target.
fn run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    hasher.write_u128(now.as_nanos());
    hasher.write_u32(std::process::id());
    let mut bits = hasher.finish();
    let mut id = String::from("pr");
    for _ in 0..8 {
        id.push(char::from_digit((bits % 36) as u32, 36).expect("a base-36 digit"));
        bits /= 36;
    }
    id
}
