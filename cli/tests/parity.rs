//! `recotap-mock parity` over the real binary: it finds exactly the differences between the
//! two profiles (README's fidelity table) and none between a profile and itself, reports a
//! fault at its step, exits 2 on servers that are not the API, records byte-identical files
//! twice over without ever writing the key, and the committed recordings replay green.

mod parity_support;
mod support;

use std::collections::BTreeSet;

use parity_support::{closed_port_url, parity, repository, Mock, NotTheApi, Ran};

const KEY: &str = "sk-parity-SECRET-4f1d9c";

/// Every scenario, in the order they run.
const SCENARIOS: [&str; 15] = [
    "create",
    "duplicate",
    "upsert",
    "unknown-custom-field",
    "segment-validation",
    "listing-and-delta-sync",
    "put",
    "external-ids",
    "missing-external-ids",
    "custom-fields",
    "deals",
    "deal-stages",
    "activities",
    "validation-errors",
    "auth",
];

/// The steps answered with an error (documented: with `data`; sandbox: without).
const ERROR_STEPS: [&str; 31] = [
    "segment-validation/unknown-segment",
    "segment-validation/segment-id-not-a-string",
    "segment-validation/limit-zero",
    "segment-validation/unknown-parameter",
    "put/unknown-key",
    "put/malformed-id",
    "put/unknown-account",
    "external-ids/missing-external-id",
    "missing-external-ids/cursor-refused",
    "custom-fields/duplicate",
    "custom-fields/selection-without-options",
    "custom-fields/bad-definition",
    "deals/invalid",
    "deals/empty",
    "deal-stages/conflict",
    "deal-stages/invalid",
    "activities/malformed-contact-email",
    "activities/missing-fields",
    "validation-errors/no-accounts",
    "validation-errors/empty-accounts",
    "validation-errors/item-errors",
    "validation-errors/array-item",
    "validation-errors/malformed-json",
    "validation-errors/bad-queries",
    "validation-errors/limit-over-1000",
    "validation-errors/unknown-route",
    "auth/no-key",
    "auth/wrong-key",
    "auth/write-without-key",
    "auth/unknown-route-without-key",
    "auth/catalogue-without-key",
];

/// The `GET /accounts` steps and how many rows each lists (names and times differ per row).
const ROW_STEPS: [(&str, usize); 9] = [
    ("create/rows", 2),
    ("duplicate/rows", 2),
    ("upsert/rows", 2),
    ("listing-and-delta-sync/first-page", 2),
    ("listing-and-delta-sync/second-page", 1),
    ("listing-and-delta-sync/since-last-sync", 1),
    ("put/rows", 1),
    ("external-ids/rows", 2),
    ("custom-fields/rows", 1),
];

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

/// The rows the fidelity table predicts between the `documented` emulator and a `sandbox`
/// target, as (scenario/step, path, emulator, target); `*` stands for any value.
fn fidelity_rows() -> BTreeSet<(String, String, String, String)> {
    let mut rows = BTreeSet::new();
    let mut add = |step: &str, path: &str, emulator: &str, target: &str| {
        rows.insert((step.into(), path.into(), emulator.into(), target.into()));
    };
    // Error bodies carry no `data` key in the sandbox.
    for step in ERROR_STEPS {
        add(step, "/data", "*", "(absent)");
    }
    // Names lower-cased, rtp_last_account_date without milliseconds, in every GET /accounts row.
    for (step, rows) in ROW_STEPS {
        for row in 0..rows {
            add(step, &format!("/data/data/{row}/name"), "*", "*");
            add(
                step,
                &format!("/data/data/{row}/rtp_last_account_date"),
                "\"<timestamp YYYY-MM-DDTHH:MM:SS.fffZ>\"",
                "\"<timestamp YYYY-MM-DDTHH:MM:SSZ>\"",
            );
        }
    }
    // PUT /accounts/:rtp_aid with a property besides customFields: 400 refused, 200 ignored.
    add("put/extra-property", "status", "400", "200");
    add("put/extra-property", "/statusCode", "400", "200");
    add(
        "put/extra-property",
        "/message",
        "\"Bad Request\"",
        "(absent)",
    );
    // The refusal's validation array (cut in the table) against the success's message.
    add(
        "put/extra-property",
        "/data",
        "*",
        "{\"message\":\"Account updated successfully\"}",
    );
    rows
}

#[test]
fn against_the_other_profile_it_lists_exactly_the_fidelity_tables_differences() {
    // Arrange
    let sandbox = Mock::start("sandbox", KEY);

    // Act
    let ran = parity(&[
        "--target",
        &sandbox.url,
        "--api-key",
        KEY,
        "--profile",
        "documented",
    ]);

    // Assert: one row for each predicted place, with the predicted values.
    ran.expect_code(1);
    let expected = fidelity_rows();
    let rows = ran.rows();
    let places = |rows: Vec<(String, String)>| rows.into_iter().collect::<BTreeSet<_>>();
    assert_eq!(
        places(
            rows.iter()
                .map(|row| (format!("{}/{}", row[0], row[1]), row[2].clone()))
                .collect()
        ),
        places(
            expected
                .iter()
                .map(|(step, path, _, _)| (step.clone(), path.clone()))
                .collect()
        ),
        "{}",
        ran.stdout
    );
    assert_eq!(rows.len(), expected.len(), "one row each:\n{}", ran.stdout);
    for [scenario, step, path, emulator, target] in &rows {
        let step = format!("{scenario}/{step}");
        let (_, _, want_emulator, want_target) = expected
            .iter()
            .find(|(s, p, _, _)| *s == step && p == path)
            .unwrap();
        assert!(
            want_emulator == "*" || want_emulator == emulator,
            "{step} {path}: {emulator}"
        );
        assert!(
            want_target == "*" || want_target == target,
            "{step} {path}: {target}"
        );
    }
    // Every lower-cased name is the emulator's, lower-cased.
    for [_, _, path, emulator, target] in rows {
        if path.ends_with("/name") {
            assert_eq!(emulator.to_lowercase(), target, "{path}");
            assert_ne!(emulator, target, "{path}");
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
