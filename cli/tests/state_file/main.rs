//! The SQLite state file through the real binary: durability, migration, import and export, and
//! its checks.
//!
//! One test binary per theme (one link instead of one per file); each module is one file of
//! this folder.

#[path = "../support/mod.rs"]
mod support;

mod state_file;
mod state_file_checks;
