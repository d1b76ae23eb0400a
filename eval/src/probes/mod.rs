//! Probes: each collects the items of one OVAL object type from a target.
//!
//! One file per probe. A probe is a plain function from a resolved object
//! ([`ObjectSpec`]) to what it found ([`Collected`]). Probes:
//! - only read the target (through [`Target`], never the host path
//!   directly), and never modify it;
//! - survive unreadable files, symlink loops, huge files and `/proc`: a
//!   problem with one file becomes a message or an item status, not a panic;
//! - stop at the context's deadline with flag `incomplete` (or `error`);
//! - share expensive work through [`Cache`] (one filesystem walk, one parse
//!   of the dpkg database, ...), since objects are collected in parallel.
//!
//! An object type with no probe here is reported `not collected` by the
//! engine, which makes its tests `not evaluated`: never a wrong answer.

mod cache;
mod family;

pub use cache::Cache;

use crate::oval::item::{Collected, ObjectSpec};
use crate::target::Target;
use std::time::Instant;

/// What a probe may use besides the object.
pub struct ProbeCtx<'a> {
    pub target: &'a Target,
    pub cache: &'a Cache,
    /// When collection must stop.
    pub deadline: Instant,
}

impl ProbeCtx<'_> {
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

pub type ProbeFn = fn(&ProbeCtx<'_>, &ObjectSpec) -> Collected;

/// The probe for an object type, by schema family and object name (without
/// `_object`).
pub fn lookup(family: &str, kind: &str) -> Option<ProbeFn> {
    Some(match (family, kind) {
        ("independent", "family") => family::collect,
        _ => return None,
    })
}

/// Every object type with a probe, as `family:kind`, for documentation.
pub fn supported() -> Vec<&'static str> {
    vec!["independent:family"]
}
