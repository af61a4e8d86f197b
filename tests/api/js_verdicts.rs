//! The emulator's validators and JavaScript readings against the real libraries' answers:
//! `tests/data/js-verdicts.json` holds, per (check, input), what validator.js, class-validator
//! and Node.js answered (written by `tools/js-verdicts/generate.mjs`; no Node needed here).

use recotap_mock::__js;
use serde_json::Value;

fn table() -> Value {
    let text = include_str!("../data/js-verdicts.json");
    serde_json::from_str(text).expect("the verdict table is JSON")
}

/// A JavaScript number as the table writes it: a JSON number, or `NaN` / `Infinity` by name.
fn js_number(value: &Value) -> f64 {
    match value {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(name) if name == "NaN" => f64::NAN,
        Value::String(name) if name == "Infinity" => f64::INFINITY,
        Value::String(name) if name == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number in the table: {other}"),
    }
}

fn same_number(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b
}

#[test]
fn every_verdict_in_the_table_is_the_emulators_too() {
    let table = table();
    let rows = table["rows"].as_array().unwrap();
    let accepted_iso: Vec<&str> = rows
        .iter()
        .filter(|row| row["check"] == "isISO8601" && row["verdict"] == true)
        .map(|row| row["input"].as_str().unwrap())
        .collect();
    let iso_rows: Vec<&str> = rows
        .iter()
        .filter(|row| row["check"] == "isISO8601")
        .map(|row| row["input"].as_str().unwrap())
        .collect();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for row in rows {
        let check = row["check"].as_str().unwrap();
        let input = &row["input"];
        let text = input.as_str().unwrap_or_default();
        let verdict = &row["verdict"];
        let agrees = match check {
            "isEmail" => Some(__js::is_email(text) == verdict.as_bool().unwrap()),
            "isISO8601" => Some(__js::is_iso8601(text) == verdict.as_bool().unwrap()),
            "isMongoId" => Some(__js::is_mongo_id(text) == verdict.as_bool().unwrap()),
            "Number" => Some(same_number(__js::number(text), js_number(verdict))),
            "trim" => Some(__js::trim(text) == verdict.as_str().unwrap()),
            // `new Date()` matters for what `isISO8601` lets through (a `lastSync`) and for
            // the extra instants listed after the ISO rows.
            "newDate" if accepted_iso.contains(&text) || !iso_rows.contains(&text) => {
                Some(__js::new_date(text) == verdict.as_i64())
            }
            "newDate" => None,
            _ => {
                let allowed: Vec<&str> = row["allowed"]
                    .as_array()
                    .map(|list| list.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let bound = row["bound"].as_f64().unwrap_or(0.0);
                let ours = __js::class_validator_verdict(check, input.clone(), &allowed, bound);
                let ours = ours.unwrap_or_else(|| panic!("no verdict for check {check}"));
                Some(ours == verdict.as_bool().unwrap())
            }
        };
        if let Some(agrees) = agrees {
            checked += 1;
            if !agrees {
                disagreements.push(format!("{check}({input}) should be {verdict}"));
            }
        }
    }
    assert!(checked > 500, "only {checked} rows checked");
    assert!(
        disagreements.is_empty(),
        "{} of {checked} verdicts differ:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

#[test]
fn the_table_says_where_each_verdict_comes_from() {
    let table = table();
    assert!(table["sources"]["validator"]
        .as_str()
        .unwrap()
        .starts_with("validator@"));
    for row in table["rows"].as_array().unwrap() {
        assert!(
            row["source"].as_str().is_some_and(|s| !s.is_empty()),
            "{row}"
        );
    }
}

#[test]
fn an_integer_to_class_validator_is_a_finite_whole_number_from_number() {
    for (text, integer) in [
        ("0x10", true),
        ("0b11", true),
        ("0o17", true),
        (" 7 ", true),
        ("1e2", true),
        ("", true),
        ("1.5", false),
        ("7px", false),
        ("Infinity", false),
        ("1e400", false),
        ("99999999999999999999", true),
    ] {
        assert_eq!(__js::is_integer(__js::number(text)), integer, "{text:?}");
    }
}
