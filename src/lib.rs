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
//! | module | owns |
//! |---|---|
//! | `handle`, `control`, `builder`, `stop`, `team`, `team_control`, `session`, `checks` | [`MockRecotap`] (start with [`StartError`], stop with [`StopError`], keys and the whole state), [`TeamView`] (the one surface, written once: seeding, inspection, journal, faults, clock, checks, reset; the mock and a [`Session`] deref to it), expectations: what a Rust test holds |
//! | `paths` | the one path grammar of faults, expectations and journal filters |
//! | `server` (`socket`, `framing`) | the accept loop, connections, the body limit, refusing ambiguous framing |
//! | `api` (`pipeline`, `faulted`, `envelope`, `query`, one file per resource, `admin`) | requests to responses, never a socket |
//! | `shared`, `world` | one mock's settings, and its one state: store, faults, limiter, clock, journal |
//! | `store` (`batch`, `listing`, `updates`, `document`, `error`) | every business rule, per team |
//! | `faults` (`spec`, `table`), `rate_limit`, `journal`, `clock` | the parts of the world besides the store |
//! | `validate`, `js`, `jsvalue`, `jsjson`, `domain`, `ids` | fidelity: class-validator's checks and messages, validator.js's verdicts and JavaScript's `Number()`, `trim` and `new Date()`, JSON as JavaScript reads and writes it (`JSON.parse`, `JSON.stringify`), domain cleaning, ObjectIds |
//! | `account`, `model`, `sales`, `state`, `timestamp`, `record` | data: public types, the state document, the compact stored account |
//! | `profile` | [`Profile`]: the vendor's reference or its live sandbox, where they differ |
//! | `persist` (`db`, `writer`) | the state file: a SQLite database written per change (feature `persistence`) |
//!
//! Dependencies point down the table: nothing below `api` knows about HTTP, nothing below
//! `server` holds a socket, and the store never locks or does I/O.

mod account;
mod api;
mod builder;
mod checks;
mod clock;
mod control;
mod domain;
mod faults;
mod handle;
#[cfg(feature = "test-hooks")]
mod harness;
mod ids;
mod journal;
mod js;
mod jsjson;
mod jsvalue;
mod model;
mod paths;
mod persist;
mod profile;
mod rate_limit;
mod record;
mod sales;
mod server;
mod session;
mod shared;
mod state;
mod stop;
mod store;
mod team;
mod team_control;
mod timestamp;
mod validate;
mod verify;
mod world;

pub use builder::{MockRecotapBuilder, StartError};
pub use checks::{ExpectationsNotMet, Expected};
pub use domain::clean_domain;
pub use faults::{ActiveFault, Fault, FaultId, FaultKind, InvalidFault};
pub use handle::{MockRecotap, DEFAULT_API_KEY};
pub use journal::DEFAULT_MAX_BODY_BYTES as DEFAULT_JOURNAL_BYTES;
pub use journal::{RecordedRequest, RequestFilter};
pub use model::{
    Account, CustomField, FieldStatus, InvalidObjectId, LabelType, NewAccount, ObjectId,
    ScoreUpdate, Segment, SegmentStatus, SegmentType,
};
/// The state file (feature `persistence`) as a state document, and back: what
/// `recotap-mock export` and `recotap-mock import` do.
#[cfg(feature = "persistence")]
pub use persist::{export as export_state_file, import as import_state_file};
pub use profile::{Profile, UnknownProfile};
pub use sales::{Activity, AssociatedAccount, Contact, Deal, Pipeline, Sender, Stage};
pub use session::Session;
pub use state::{parse_document, ApiKey, StateDocument, StateError, TeamDocument, TeamSettings};
pub use stop::StopError;
pub use store::StoreError;
pub use team::TeamView;
pub use timestamp::{IntoTimestamp, InvalidTimestamp, Timestamp};
pub use verify::{Count, RequestPattern};
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
    pub use crate::js::{is_email, is_integer, is_iso8601, is_mongo_id, new_date, number, trim};
    pub use crate::validate::class_validator_verdict;
}
