//! The test kit a test leans on: the handle, sessions, faults, verification, the admin API,
//! lifecycle, CORS and the OpenAPI document.
//!
//! One test binary per theme (one link instead of one per file); each module is one file of
//! this folder.

#[path = "../common/mod.rs"]
mod common;
/// The example's `main`, run as a test (in `faults`): it asserts its own outcome.
#[path = "../../examples/retry.rs"]
mod retry_example;

mod concurrency;
mod cors;
mod fault_shapes;
mod faults;
mod lifecycle;
mod misuse;
mod openapi;
mod sessions;
mod trust;
mod verification;
mod web_page;
