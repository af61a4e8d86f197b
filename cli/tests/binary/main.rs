//! The binary: flags and environment, the seed file, the admin token, the handle beside the
//! binary, and security.
//!
//! One test binary per theme (one link instead of one per file); each module is one file of
//! this folder.

#[path = "../../../tests/common/mod.rs"]
mod common;
#[path = "../support/mod.rs"]
mod support;

mod binary_state;
mod environment;
mod handle_and_binary;
mod health_and_stdin;
mod security;
