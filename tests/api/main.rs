//! The emulated API, endpoint by endpoint: the vendor's rules and exact messages, JavaScript
//! fidelity, profiles, and the store against a reference model.
//!
//! One test binary per theme (one link instead of one per file); each module is one file of
//! this folder.

#[path = "../common/mod.rs"]
mod common;

mod accounts_sync;
mod conventions;
mod create_accounts;
mod fast_path;
mod javascript_stack;
mod js_fidelity;
mod js_verdicts;
mod null_scores;
mod profiles;
mod route_parameters;
mod sales;
mod segments_and_fields;
mod store_model;
