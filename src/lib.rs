#![doc = include_str!("../docs/rust.md")]
//!
//! # How the crate is built
//!
//! A request goes through one function, `api::pipeline::handle`, top to bottom, once; its doc
//! comment lists the stages.
//! Everything a request changes lives in one `World` behind one lock, taken once per
//! request, so a request, a reset or a restore is one transaction. `docs/ARCHITECTURE.md` in
//! the repository draws the whole picture. The modules, from the handle down:
//!
//! | folder | owns |
//! |---|---|
//! | `handle` (`builder`, `start`, `control`, `stop`, `team`, `team_control`, `session`, `checks`) | what a Rust test holds: [`MockRecotap`] (start with [`StartError`], stop with [`StopError`], keys and the whole state), [`TeamView`] (the one surface, written once: seeding, inspection, journal, faults, clock, checks, reset; the mock and a [`Session`] deref to it) |
//! | `server` (`request`, `socket`, `framing`, `inflate`, `cors`, `target`) | the accept loop, connections, reading a body within the limit, refusing ambiguous framing |
//! | `api` (`pipeline`, `caller`, `refusal`, `faulted`, `envelope`, `query`, one file per resource, `admin`) | requests to responses, never a socket |
//! | `world` (`shared`, `traffic`, `journal`, `faults`, `verify`, `report`, `rate_limit`, `paths`) | one mock's settings and its world behind one lock: the store, each team's traffic (journal log, faults, expectations ([`RequestPattern`]), in one place per team), the limiter, the clock; the report of what happened; the one path grammar of faults, expectations and journal filters |
//! | `store` (`batch`, `listing`, `updates`, `seeding`, `sales_data`, `sessions`, `summary`, `document`, `changes`, `rows`, `invariants`, `error`) | each team's data, settings and profile (a session's clock and id generator too), the key index, and every business rule |
//! | `fidelity` (`validate`, `js`, `jsvalue`, `jsjson`, `clock`, `domain`, `ids`) | class-validator's checks and messages, validator.js's verdicts and JavaScript's `Number()`, `trim` and `new Date()`, JSON as JavaScript reads and writes it (`JSON.parse`, `JSON.stringify`), the clock and its instants as `toISOString` writes them, domain cleaning, ObjectIds |
//! | `data` (`account`, `model`, `sales`, `document`, `timestamp`, `record`, `profile`) | public types, the state document, the compact stored account, [`Profile`] (the vendor's reference or its live sandbox, where they differ) |
//! | `persist` (`db`, `writer`, `commit`, `read`) | the state file: a SQLite database written per change (feature `persistence`) |
//!
//! Dependencies point down the table, with two exceptions that read the API's request
//! vocabulary: the path grammar (`world::paths`) reads the API's route table, and a journal
//! entry reads the notes the router left on its request. `persist` sits beside the table (the
//! world hands it rows). Nothing below `api` answers HTTP, nothing below `server` holds a
//! socket, and the store never locks or does I/O.

mod api;
mod data;
mod fidelity;
mod handle;
#[cfg(feature = "test-hooks")]
mod harness;
mod persist;
mod server;
mod store;
mod world;

pub use data::document::{
    parse_document, ApiKey, StateDocument, StateError, TeamDocument, TeamSettings,
};
pub use data::model::{
    Account, CustomField, FieldStatus, InvalidObjectId, LabelType, NewAccount, ObjectId,
    ScoreUpdate, Segment, SegmentStatus, SegmentType,
};
pub use data::profile::{Profile, UnknownProfile};
pub use data::sales::{Activity, AssociatedAccount, Contact, Deal, Pipeline, Sender, Stage};
pub use data::timestamp::{IntoTimestamp, InvalidTimestamp, Timestamp};
pub use fidelity::domain::clean_domain;
pub use handle::builder::MockRecotapBuilder;
pub use handle::checks::{ExpectationsNotMet, Expected};
pub use handle::session::Session;
pub use handle::start::StartError;
pub use handle::stop::StopError;
pub use handle::team::TeamView;
pub use handle::{MockRecotap, DEFAULT_API_KEY};
/// The state file (feature `persistence`) as a state document, and back: what
/// `recotap-mock export` and `recotap-mock import` do.
#[cfg(feature = "persistence")]
pub use persist::{export as export_state_file, import as import_state_file};
pub use store::StoreError;
pub use world::faults::{ActiveFault, Fault, FaultId, FaultKind, InvalidFault};
pub use world::journal::DEFAULT_MAX_BODY_BYTES as DEFAULT_JOURNAL_BYTES;
pub use world::journal::{RecordedRequest, RequestFilter};
pub use world::verify::{Count, RequestPattern};
/// The former name of [`RequestPattern`].
#[deprecated(note = "renamed RequestPattern: it is a pattern requests are matched against")]
#[doc(hidden)]
pub type Request = RequestPattern;

#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod __fuzz {
    //! The router without a socket, for the fuzz target and the property tests; not a stable API.
    pub use crate::harness::{read_json, watch_framing, FramingOutcome, Router, FROZEN};
}

#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub mod __js {
    //! The emulator's readings of validator.js, class-validator and JavaScript built-ins, for
    //! `tests/api/js_verdicts.rs` (which holds them against the real libraries' answers); not a
    //! stable API.
    pub use crate::fidelity::js::{
        is_email, is_integer, is_iso8601, is_mongo_id, new_date, number, trim,
    };
    pub use crate::fidelity::validate::class_validator_verdict;
}
