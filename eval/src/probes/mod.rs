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
mod dpkginfo;
mod family;
mod file;
pub mod fs;
mod partition;
mod password;
mod textfilecontent54;

#[cfg(test)]
mod tests;

pub use cache::Cache;

use crate::oval::item::{Collected, Item, ObjectSpec};
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

/// Every probe: (family, object name without `_object`, function).
const PROBES: &[(&str, &str, ProbeFn)] = &[
    ("independent", "family", family::collect),
    ("independent", "textfilecontent54", textfilecontent54::collect),
    ("unix", "file", file::collect),
    ("linux", "dpkginfo", dpkginfo::collect),
    ("linux", "partition", partition::collect),
    ("unix", "password", password::collect_passwd),
    ("unix", "shadow", password::collect_shadow),
];

/// The probe for an object type, by schema family and object name (without
/// `_object`).
pub fn lookup(family: &str, kind: &str) -> Option<ProbeFn> {
    PROBES.iter().find(|(f, k, _)| *f == family && *k == kind).map(|(_, _, p)| *p)
}

/// Every object type with a probe, as `family:kind`, for documentation.
pub fn supported() -> Vec<&'static str> {
    const NAMES: &[&str] = &[
        "independent:family",
        "independent:textfilecontent54",
        "unix:file",
        "linux:dpkginfo",
        "linux:partition",
        "unix:password",
        "unix:shadow",
    ];
    debug_assert_eq!(NAMES.len(), PROBES.len());
    NAMES.to_vec()
}

/// A boolean behavior (`true`/`1`), with its default.
pub(crate) fn bool_behavior(obj: &ObjectSpec, name: &str, default: bool) -> bool {
    match obj.behavior(name) {
        Some(v) => matches!(v.trim(), "true" | "1"),
        None => default,
    }
}

/// The `filepath`, `path` and `filename` entities of a file-based item
/// (a directory item has no `filepath` and an empty `filename`).
pub(crate) fn push_location(item: &mut Item, f: &fs::FileRef) {
    if let Some(fp) = f.filepath() {
        item.s("filepath", fp);
    }
    item.s("path", f.path.as_str());
    item.s("filename", f.filename.clone().unwrap_or_default());
}

/// Whether an item entity value satisfies the object's entity of that
/// name (absent entity: yes). A comparison error counts as no match and
/// is recorded once in `messages`.
pub(crate) fn entity_ok(obj: &ObjectSpec, name: &str, value: &str, messages: &mut Vec<String>) -> bool {
    let Some(e) = obj.entity(name) else { return true };
    match e.matches(value) {
        Ok(b) => b,
        Err(err) => {
            let m = format!("{name}: {err}");
            if !messages.contains(&m) {
                messages.push(m);
            }
            false
        }
    }
}
