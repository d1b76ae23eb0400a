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
mod environmentvariable;
mod environmentvariable58;
mod family;
mod file;
mod filehash58;
pub mod fs;
mod interface;
pub use interface::host_addresses;
mod partition;
mod password;
mod process58;
mod rpminfo;
mod selinuxboolean;
mod symlink;
mod sysctl;
mod systemd;
mod textfilecontent;
mod textfilecontent54;
mod uname;
mod xmlfilecontent;
mod xpath;
mod yamlfilecontent;

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
    /// The object's filters, when it has any: a probe that may find many
    /// items (a whole-filesystem `file_object`) drops the ones they
    /// exclude as it goes, instead of holding them all. The engine applies
    /// the filters again afterwards, so a probe may ignore this.
    pub keep: Option<&'a (dyn Fn(&Item) -> bool + Sync)>,
}

impl ProbeCtx<'_> {
    pub fn expired(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Whether the object's filters keep this item.
    pub fn keeps(&self, item: &Item) -> bool {
        self.keep.is_none_or(|k| k(item))
    }
}

pub type ProbeFn = fn(&ProbeCtx<'_>, &ObjectSpec) -> Collected;

/// Every probe: (family, object name without `_object`, `family:kind`,
/// function).
const PROBES: &[(&str, &str, &str, ProbeFn)] = &[
    ("independent", "family", "independent:family", family::collect),
    ("independent", "textfilecontent54", "independent:textfilecontent54", textfilecontent54::collect),
    ("independent", "yamlfilecontent", "independent:yamlfilecontent", yamlfilecontent::collect),
    ("unix", "file", "unix:file", file::collect),
    ("linux", "dpkginfo", "linux:dpkginfo", dpkginfo::collect),
    ("linux", "rpminfo", "linux:rpminfo", rpminfo::collect),
    ("unix", "sysctl", "unix:sysctl", sysctl::collect),
    ("linux", "partition", "linux:partition", partition::collect),
    ("unix", "uname", "unix:uname", uname::collect),
    ("independent", "environmentvariable58", "independent:environmentvariable58", environmentvariable58::collect),
    ("unix", "password", "unix:password", password::collect_passwd),
    ("unix", "shadow", "unix:shadow", password::collect_shadow),
    ("unix", "symlink", "unix:symlink", symlink::collect),
    ("independent", "filehash58", "independent:filehash58", filehash58::collect),
    ("linux", "selinuxboolean", "linux:selinuxboolean", selinuxboolean::collect),
    ("unix", "process58", "unix:process58", process58::collect),
    ("unix", "interface", "unix:interface", interface::collect),
    ("linux", "systemdunitproperty", "linux:systemdunitproperty", systemd::collect_property),
    ("linux", "systemdunitdependency", "linux:systemdunitdependency", systemd::collect_dependency),
    ("independent", "xmlfilecontent", "independent:xmlfilecontent", xmlfilecontent::collect),
    ("independent", "textfilecontent", "independent:textfilecontent", textfilecontent::collect),
    ("independent", "environmentvariable", "independent:environmentvariable", environmentvariable::collect),
];

/// The probe for an object type, by schema family and object name (without
/// `_object`).
pub fn lookup(family: &str, kind: &str) -> Option<ProbeFn> {
    PROBES.iter().find(|(f, k, _, _)| *f == family && *k == kind).map(|(_, _, _, p)| *p)
}

/// Every object type with a probe, as `family:kind`, for documentation.
pub fn supported() -> Vec<&'static str> {
    PROBES.iter().map(|(_, _, name, _)| *name).collect()
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
    if let Some(fp) = f.item_filepath() {
        item.s("filepath", fp);
    }
    item.s("path", f.item_path());
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
