//! Section `sessions`: what a test pays for an isolated session on a shared mock, against a
//! mock of its own. Over HTTP (what the Python fixture does, each call on a fresh connection):
//! `POST /_mock/sessions`, seed a custom field, `DELETE /_mock/sessions/{team}`. In process:
//! `mock.session()`, seed a field, drop. Reference: `MockRecotap::start()`, seed, drop.

use std::time::{Duration, Instant};

use bytes::Bytes;
use recotap_mock::{CustomField, LabelType, MockRecotap};

use crate::harness::{current_thread_runtime, send_fresh, Target};
use crate::report::{fmt_duration, quantile, ratio, Goal, Row};
use crate::Mode;

pub fn sessions(mode: Mode) -> Vec<Row> {
    let cycles = mode.pick(500, 10);
    let mock = MockRecotap::start();
    let target = Target::of(&mock);
    let runtime = current_thread_runtime();
    let field = Bytes::from_static(br#"{"label":"Contract Value","labelType":"number"}"#);
    let (mut http, mut in_process, mut own_mock) = (Vec::new(), Vec::new(), Vec::new());
    for cycle in 0..cycles + mode.pick(20, 2) {
        let record = cycle >= mode.pick(20, 2);
        let started = Instant::now();
        runtime.block_on(async {
            let request = target.post("/_mock/sessions", Bytes::new());
            let (status, reply) = send_fresh(&target, request).await;
            assert_eq!(status.as_u16(), 201, "a session is created");
            let created: serde_json::Value =
                serde_json::from_slice(&reply).expect("the session answer is JSON");
            let team = created["team"].as_str().expect("a team").to_string();
            let seed = target.post(&format!("/_mock/custom-fields?team={team}"), field.clone());
            let (status, _) = send_fresh(&target, seed).await;
            assert_eq!(status.as_u16(), 201, "the field is seeded");
            let delete = target.delete(&format!("/_mock/sessions/{team}"));
            let (status, _) = send_fresh(&target, delete).await;
            assert_eq!(status.as_u16(), 204, "the session is deleted");
        });
        let http_time = started.elapsed();

        let started = Instant::now();
        {
            let session = mock.session();
            session.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
        }
        let in_process_time = started.elapsed();

        let started = Instant::now();
        {
            let own = MockRecotap::start();
            own.add_custom_field(CustomField::new("Contract Value", LabelType::Number));
        }
        let own_time = started.elapsed();
        if record {
            http.push(http_time);
            in_process.push(in_process_time);
            own_mock.push(own_time);
        }
    }
    println!(
        "{cycles} cycles; over HTTP each call on a fresh connection; reference: a mock of its \
         own (start, seed, drop)"
    );
    let median = |times: &[Duration]| quantile(times, 0.5);
    let own = median(&own_mock);
    let row = |measure: &str, times: &[Duration]| {
        let figure = median(times);
        Row::info(
            measure,
            fmt_duration(figure),
            fmt_duration(own),
            Some(ratio(figure, own)),
        )
    };
    let in_process_median = median(&in_process).as_secs_f64() * 1e6;
    vec![
        row("session over HTTP: create+seed+delete", &http),
        Row::figure_goal(
            row("mock.session(): create+seed+drop", &in_process),
            in_process_median,
            Goal::AtMost(15.0),
            "≤ 15 µs",
        ),
    ]
}
