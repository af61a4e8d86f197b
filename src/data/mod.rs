//! The data a test reads and writes: the public account, configuration and sales types, the
//! state document (`document`), timestamps, the compact stored account (`record`), and the
//! profile. Plain shapes: no HTTP, no locking, no business rules.

pub(crate) mod account;
pub(crate) mod document;
pub(crate) mod model;
pub(crate) mod profile;
pub(crate) mod record;
pub(crate) mod sales;
pub(crate) mod timestamp;
