//! The Rust blocks of the README and `docs/` (extracted by `build.rs`, one module per heading),
//! compiled as a user's test file and run. A warning is an error: a snippet must paste into a
//! new crate's `tests/` and compile clean, and every block must hold a `#[test]` that runs it.
#![deny(warnings)]

include!(concat!(env!("OUT_DIR"), "/walkthroughs.rs"));
