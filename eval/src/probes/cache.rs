//! State shared by all probes during one evaluation.
//!
//! Probes run in parallel (rayon); anything expensive that several objects
//! need is computed once here: directory listings for the shared file
//! walk, the parsed dpkg database, `/etc/passwd` and `/etc/shadow`, the
//! mount table, the offline sysctl configuration, the process table.
//! Each field is filled on first use and read-only afterwards.

use super::dpkginfo::DpkgPackage;
use super::fs::Listing;
use super::partition::Mount;
use super::password::{PasswdEntry, ShadowEntry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Expensive results computed once per evaluation and shared between
/// threads (each field is filled on first use).
#[derive(Default)]
pub struct Cache {
    /// Directory listings of the file walk, by target path.
    pub(super) dirs: Mutex<HashMap<String, Arc<Listing>>>,
    /// Host mount points (paths on this host) of filesystems that are not
    /// local (network or pseudo filesystems), for `recurse_file_system`.
    pub(super) nonlocal_mounts: OnceLock<Vec<String>>,
    /// Device ids of this host's kernel pseudo filesystems (`proc`,
    /// `sysfs`, ...), which a walk reaches only by starting there.
    pub(super) pseudo_devs: OnceLock<std::collections::HashSet<u64>>,
    /// `/var/lib/dpkg/status`, installed packages only.
    pub(super) dpkg: OnceLock<Result<Arc<Vec<DpkgPackage>>, String>>,
    pub(super) passwd: OnceLock<Result<Arc<Vec<PasswdEntry>>, String>>,
    pub(super) shadow: OnceLock<Result<Arc<Vec<ShadowEntry>>, String>>,
    pub(super) mounts: OnceLock<Result<Arc<Vec<Mount>>, String>>,
    /// Offline sysctl configuration: name -> value, after precedence.
    pub(super) sysctl_conf: OnceLock<Arc<Vec<(String, String)>>>,
    /// Local `/proc/sys` names and values.
    pub(super) sysctl_proc: OnceLock<Arc<Vec<(String, String)>>>,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }
}
