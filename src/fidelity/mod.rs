//! Fidelity to the vendor's stack: class-validator's checks and messages (`validate`),
//! validator.js's verdicts and JavaScript's `Number()`, `trim` and `new Date()` (`js`), JSON as
//! JavaScript reads and writes it (`jsvalue`, `jsjson`), the clock and its instants as
//! `Date.prototype.toISOString` writes them (`clock`), domain cleaning (`domain`) and MongoDB
//! ObjectIds (`ids`). Holds no state of the mock's.

pub(crate) mod clock;
pub(crate) mod domain;
pub(crate) mod ids;
pub(crate) mod js;
pub(crate) mod jsjson;
pub(crate) mod jsvalue;
pub(crate) mod validate;
