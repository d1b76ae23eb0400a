//! HTML pages of SCAP benchmarks, one renderer for all of them:
//!
//! - [`guide::guide`]: a profile's guide (`scapc guide`, `scapc build --guides`);
//! - [`report::report`]: a scan report, from a native scan
//!   ([`report::Results::from_scan`], `scapc eval --report`) or from any ARF
//!   ([`arf::load_arf`], `scapc report`).
//!
//! Modules: [`xhtml`] (XCCDF prose to safe HTML, Values substituted),
//! [`model`] (profile selection and Values, the Group tree, the check in
//! words), [`arf`] (an ARF's data stream, TestResult and OVAL evidence),
//! [`page`] (the shared page: frame, toolbar, tree, rule cards,
//! CSS and script), [`guide`], [`report`].
//!
//! The benchmark is read by `scapc_eval`'s reader (which reads data
//! streams with the shared `scapc_datastream` reader). Pages are
//! self-contained (inline CSS and script, nothing from the network) and
//! deterministic: the same input gives the same bytes.
#![forbid(unsafe_code)]

pub mod arf;
pub mod guide;
pub mod model;
pub mod page;
pub mod report;
pub mod xhtml;

pub use arf::{load_arf, load_results};
pub use guide::guide;
pub use report::{report, Results};
