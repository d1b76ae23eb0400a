//! The compiler as a pipeline: each product of a tree goes through four
//! phases, each a module with one entry point.
//!
//! 1. [`read`]: the product's sources, each file read once through the
//!    tree's source cache (shared by all products and the linter),
//!    rendered with the product's Jinja environment and parsed into a
//!    [`crate::model::Content`].
//! 2. [`resolve`]: platforms, templates, rule-local files and profiles
//!    resolved ([`resolve::Resolved`]); no I/O.
//! 3. [`link`]: OVAL linked and numbered, exports and references checked;
//!    a ComplianceAsCode benchmark cut down to what its profiles select,
//!    then its fixes and checks built ([`crate::compile::Compiled`]).
//! 4. [`emit`]: the documents and the data stream, as strings.
//!
//! [`crate::build`] runs the phases for every product in parallel, then
//! the validation gate on each data stream, dropping each product's model
//! as soon as its documents are checked, and writes all outputs as one
//! set. [`crate::compile::compile`] is phases 2 and 3.

pub mod emit;
pub mod link;
pub mod read;
pub mod resolve;
