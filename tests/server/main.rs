//! The server under abuse and at the edges: connections, hostile input, portability, the package
//! and its metadata.
//!
//! One test binary per theme (one link instead of one per file); each module is one file of
//! this folder.

#[path = "../common/mod.rs"]
mod common;

mod connections;
mod hostile_input;
mod metadata;
mod package;
mod portability;
