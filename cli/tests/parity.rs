//! `recotap-mock parity` over the real binary: it finds exactly the differences between the
//! two profiles (README's fidelity table) and none between a profile and itself, reports a
//! fault at its step, exits 2 on servers that are not the API, records byte-identical files
//! twice over without ever writing the key, and the committed recordings replay green.

mod parity_support;
mod support;

use std::collections::BTreeSet;

use parity_support::expected::{fidelity_rows, SCENARIOS};
use parity_support::{closed_port_url, parity, repository, Mock, NotTheApi, Ran};

const KEY: &str = "sk-parity-SECRET-4f1d9c";

fn all_same(ran: &Ran) {
    let verdicts = ran.verdicts();
    let names: Vec<&str> = verdicts.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, SCENARIOS, "{}", ran.stdout);
    assert!(
        verdicts.iter().all(|(_, verdict)| verdict == "same"),
        "{}",
        ran.stdout
    );
    assert!(ran.rows().is_empty(), "{}", ran.stdout);
    assert!(
        ran.stdout.ends_with("15 scenarios, no differences\n"),
        "{}",
        ran.stdout
    );
}

#[test]
fn against_the_other_profile_it_lists_exactly_the_fidelity_tables_differences() {
    // The documented emulator against a sandbox target, then the other way round.
    for (emulator, target) in [("documented", "sandbox"), ("sandbox", "documented")] {
        // Arrange
        let mock = Mock::start(target, KEY);

        // Act
        let ran = parity(&[
            "--target",
            &mock.url,
            "--api-key",
            KEY,
            "--profile",
            emulator,
        ]);

        // Assert
        ran.expect_code(1);
        let rows = ran.rows();
        let rows = match emulator {
            "documented" => rows,
            _ => rows
                .into_iter()
                .map(|[s, t, p, ours, theirs]| [s, t, p, theirs, ours])
                .collect(),
        };
        assert_fidelity_rows(&rows, &ran.stdout);
    }
}

/// `rows` (the documented side's values first) are one for each place the fidelity table
/// predicts, with the predicted values.
fn assert_fidelity_rows(rows: &[[String; 5]], stdout: &str) {
    let expected = fidelity_rows();
    let found: BTreeSet<(String, String)> = rows
        .iter()
        .map(|row| (format!("{}/{}", row[0], row[1]), row[2].clone()))
        .collect();
    let predicted: BTreeSet<(String, String)> = expected
        .iter()
        .map(|(step, path, _, _)| (step.clone(), path.clone()))
        .collect();
    assert_eq!(found, predicted, "{stdout}");
    assert_eq!(rows.len(), expected.len(), "one row each:\n{stdout}");
    for [scenario, step, path, documented, sandbox] in rows {
        let step = format!("{scenario}/{step}");
        let (_, _, want_documented, want_sandbox) = expected
            .iter()
            .find(|(s, p, _, _)| *s == step && p == path)
            .unwrap();
        assert!(
            want_documented == "*" || want_documented == documented,
            "{step} {path}: {documented}"
        );
        assert!(
            want_sandbox == "*" || want_sandbox == sandbox,
            "{step} {path}: {sandbox}"
        );
        // A lower-cased name is the stored one, lower-cased.
        if path.ends_with("/name") {
            assert_eq!(&documented.to_lowercase(), sandbox, "{path}");
            assert_ne!(documented, sandbox, "{path}");
        }
    }
}

#[test]
fn against_the_same_profile_it_finds_nothing() {
    for profile in ["documented", "sandbox"] {
        let mock = Mock::start(profile, KEY);
        let ran = parity(&[
            "--target",
            &mock.url,
            "--api-key",
            KEY,
            "--profile",
            profile,
        ]);
        ran.expect_code(0);
        all_same(&ran);
    }
}

#[test]
fn a_fault_on_the_target_is_reported_at_its_step_and_nowhere_else() {
    // Arrange: the target answers its first GET /deal-stages with a 503.
    let mock = Mock::start("documented", KEY);
    mock.add_fault(
        r#"{"kind":"status","status":503,"match":{"method":"GET","path":"/api/v1/deal-stages"},"times":1}"#,
    );

    // Act
    let ran = parity(&["--target", &mock.url, "--api-key", KEY]);

    // Assert
    ran.expect_code(1);
    for (name, verdict) in ran.verdicts() {
        let expected = if name == "deal-stages" {
            "differs"
        } else {
            "same"
        };
        assert_eq!(verdict, expected, "{name}\n{}", ran.stdout);
    }
    let rows = ran.rows();
    assert!(
        rows.iter()
            .all(|row| row[0] == "deal-stages" && row[1] == "list"),
        "{}",
        ran.stdout
    );
    assert!(
        rows.iter()
            .any(|row| row[2] == "status" && row[3] == "200" && row[4] == "503"),
        "{}",
        ran.stdout
    );
}

#[test]
fn a_server_that_is_not_the_api_exits_2_saying_what_answered() {
    let html = NotTheApi::start(
        "200 OK",
        "text/html",
        "<!doctype html><title>Welcome</title>",
    );
    let not_found = NotTheApi::start("404 Not Found", "text/html", "<h1>Not Found</h1>");
    let json = NotTheApi::start(
        "404 Not Found",
        "application/json",
        r#"{"error":"no route"}"#,
    );
    let closed = closed_port_url();
    let cases = [
        (
            html.url.clone(),
            vec!["answered 200 (text/html), not JSON", "<!doctype html>"],
        ),
        (
            not_found.url.clone(),
            vec!["answered 404 (text/html), not JSON", "Not Found"],
        ),
        (
            json.url.clone(),
            vec!["answered 404 with JSON that is not the API's envelope"],
        ),
        (closed.clone(), vec!["got no answer", "onnection refused"]),
    ];
    for (url, said) in cases {
        let ran = parity(&["--target", &url, "--api-key", KEY]);
        ran.expect_code(2);
        assert!(ran.stdout.is_empty(), "{}", ran.stdout);
        assert!(
            ran.stderr.contains("does not look like Recotap's API"),
            "{}",
            ran.stderr
        );
        for words in said {
            assert!(
                ran.stderr.contains(words),
                "{url}: {words:?} in {}",
                ran.stderr
            );
        }
        assert!(!ran.stderr.contains(KEY), "{}", ran.stderr);
    }
}

#[test]
fn a_wrong_key_is_refused_before_any_scenario() {
    let mock = Mock::start("documented", KEY);
    let ran = parity(&["--target", &mock.url, "--api-key", "not-the-key"]);
    ran.expect_code(2);
    assert!(
        ran.stderr.contains("the target refused the API key"),
        "{}",
        ran.stderr
    );
}

#[test]
fn recording_twice_writes_the_same_bytes_and_never_the_key() {
    // Arrange: one long-lived target for both runs, as the vendor's sandbox is.
    let mock = Mock::start("documented", KEY);
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();

    // Act
    let runs: Vec<Ran> = [&first, &second]
        .iter()
        .map(|dir| {
            let dir = dir.path().to_str().unwrap();
            parity(&["--target", &mock.url, "--api-key", KEY, "--record", dir])
        })
        .collect();

    // Assert
    for ran in &runs {
        ran.expect_code(0);
        assert!(!ran.stdout.contains(KEY) && !ran.stderr.contains(KEY));
    }
    let files = |dir: &tempfile::TempDir| -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        files.sort();
        files
    };
    let (first, second) = (files(&first), files(&second));
    let names: Vec<String> = SCENARIOS
        .iter()
        .map(|name| format!("{name}.json"))
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(
        first
            .iter()
            .map(|(name, _)| name.clone())
            .collect::<Vec<_>>(),
        sorted
    );
    for ((name, one), (_, two)) in first.iter().zip(&second) {
        assert!(one == two, "{name} differs between two recordings");
        let text = String::from_utf8(one.clone()).unwrap();
        assert!(!text.contains(KEY), "{name} holds the key");
        assert!(text.contains("\"recordedFrom\": \"127.0.0.1\""), "{name}");
    }
}

#[test]
fn a_key_the_target_echoes_back_is_neither_printed_nor_written() {
    // Arrange: a server that answers the API's envelope with the key it was sent.
    let echo = NotTheApi::echoing_the_key();
    let dir = tempfile::tempdir().unwrap();

    // Act
    let ran = parity(&[
        "--target",
        &echo.url,
        "--api-key",
        KEY,
        "--record",
        dir.path().to_str().unwrap(),
    ]);

    // Assert: it differs everywhere, and the key is `<api key>` wherever it came back.
    ran.expect_code(1);
    assert!(
        !ran.stdout.contains(KEY) && !ran.stderr.contains(KEY),
        "{}",
        ran.stdout
    );
    let put = std::fs::read_to_string(dir.path().join("put.json")).unwrap();
    assert!(put.contains(r#""echo": "<api key>""#), "{put}");
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(KEY));
    }
    // Nor does `--help` print a key given in the environment.
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_recotap-mock"))
        .args(["parity", "--help"])
        .env("RECOTAP_PARITY_API_KEY", KEY)
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("RECOTAP_PARITY_API_KEY") && !help.contains(KEY),
        "{help}"
    );
}

#[test]
fn a_recording_replays_green_and_a_changed_one_is_caught() {
    // Arrange: record the sandbox profile, then change one answer of the recording.
    let mock = Mock::start("sandbox", KEY);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    parity(&[
        "--target",
        &mock.url,
        "--api-key",
        KEY,
        "--profile",
        "sandbox",
        "--record",
        path,
    ])
    .expect_code(0);

    // Act and assert: the recording replays green.
    all_same(parity(&["--replay", path, "--profile", "sandbox"]).expect_code(0));

    // Act and assert: an answer the emulator no longer gives is one difference at its place.
    let put = dir.path().join("put.json");
    let text = std::fs::read_to_string(&put).unwrap();
    std::fs::write(
        &put,
        text.replacen("Account updated successfully", "Account updated", 1),
    )
    .unwrap();
    let ran = parity(&["--replay", path, "--profile", "sandbox", "--only", "put"]);
    ran.expect_code(1);
    assert_eq!(
        ran.rows(),
        [[
            "put",
            "set-field",
            "/data/message",
            "\"Account updated successfully\"",
            "\"Account updated\""
        ]
        .map(String::from)]
    );

    // A recording of one profile is not replayed with the other.
    let ran = parity(&["--replay", path, "--profile", "documented"]);
    ran.expect_code(2);
    assert!(
        ran.stderr.contains("replay it with --profile sandbox"),
        "{}",
        ran.stderr
    );
}

#[test]
fn the_committed_recordings_of_both_profiles_replay_green() {
    for profile in ["documented", "sandbox"] {
        let dir = repository().join("parity").join(profile);
        let ran = parity(&["--replay", dir.to_str().unwrap(), "--profile", profile]);
        ran.expect_code(0);
        all_same(&ran);
    }
}

#[test]
fn only_runs_the_named_scenarios_and_refuses_unknown_names() {
    let mock = Mock::start("documented", KEY);
    let ran = parity(&[
        "--target",
        &mock.url,
        "--api-key",
        KEY,
        "--only",
        "put",
        "--only",
        "auth",
    ]);
    ran.expect_code(0);
    assert_eq!(
        ran.verdicts(),
        [("put", "same"), ("auth", "same")].map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let ran = parity(&["--replay", "parity/documented", "--only", "nope"]);
    ran.expect_code(2);
    assert!(
        ran.stderr.contains("--only nope: no such scenario"),
        "{}",
        ran.stderr
    );
}
