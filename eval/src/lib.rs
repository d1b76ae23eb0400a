//! Evaluating SCAP content on a target: `scapc eval`.
//!
//! - [`xccdf`] reads the benchmark from a data stream and evaluates it:
//!   profiles, applicability, checks, scores.
//! - [`oval`] is the OVAL 5.11 interpreter; [`probes`] collect items from a
//!   [`target`] (this host or an offline root filesystem).
//! - [`sce`] runs Script Check Engine checks when the user allows it.
//! - [`results`] writes OVAL results, the XCCDF TestResult and ARF (the
//!   HTML report is `scapc-html`'s).
//!
//! Invariants: probes only read the target; evaluation never panics on bad
//! content (a broken part evaluates to `error`); every result that scapc
//! cannot compute is `not evaluated`/`notchecked`, never a guess.

pub mod fetch;
pub mod oval;
pub mod probes;
pub mod results;
pub mod sce;
pub mod target;
pub mod xccdf;
