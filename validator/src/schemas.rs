//! Where the official XSDs are, and which one validates which document.
//!
//! The schemas are looked up, in order, in `--schemas DIR`, in
//! `$SCAPC_SCHEMAS`, and in OpenSCAP's install path
//! (`/usr/share/openscap/schemas`, Debian package `openscap-common`). Each
//! loaded schema is kept for the rest of the run and shared between threads,
//! loaded without the identity constraints scapc checks itself
//! ([`crate::idc`]), which come with it.

use crate::detect::Kind;
use crate::idc::Set;
use crate::xsd::Schema;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

pub const DEFAULT_DIR: &str = "/usr/share/openscap/schemas";
pub const ENV: &str = "SCAPC_SCHEMAS";

/// Finds the schema directory. `Err` explains where it looked.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, String> {
    let probe = |d: &Path| d.join("sds/1.3/scap-source-data-stream_1.3.xsd").is_file();
    if let Some(d) = explicit {
        return if probe(d) {
            Ok(d.to_path_buf())
        } else {
            Err(format!(
                "--schemas {}: no SCAP schemas there (expected sds/1.3/scap-source-data-stream_1.3.xsd inside)",
                d.display()
            ))
        };
    }
    if let Some(d) = std::env::var_os(ENV) {
        let d = PathBuf::from(d);
        return if probe(&d) {
            Ok(d)
        } else {
            Err(format!(
                "${ENV}={}: no SCAP schemas there (expected sds/1.3/scap-source-data-stream_1.3.xsd inside)",
                d.display()
            ))
        };
    }
    let d = PathBuf::from(DEFAULT_DIR);
    if probe(&d) {
        return Ok(d);
    }
    Err(format!(
        "the official SCAP schemas were not found: not in {DEFAULT_DIR} (install the Debian package `openscap-common`), and neither --schemas nor ${ENV} was given"
    ))
}

/// The OVAL schema directory for a `schema_version` such as `5.11.1` or
/// `5.11.1:1.2` (the platform part is ignored).
pub fn oval_dir(root: &Path, schema_version: &str) -> PathBuf {
    let v = schema_version.trim().split(':').next().unwrap_or("").trim();
    let oval = root.join("oval");
    if !v.is_empty() && oval.join(v).is_dir() {
        return oval.join(v);
    }
    // Unknown minor versions fall back to the newest of their line.
    let line = if v.starts_with("5.10") { "5.10.1" } else { "5.11.3" };
    oval.join(line)
}

/// The schema file for a document kind. OVAL documents need their
/// `schema_version`.
pub fn schema_for(root: &Path, kind: &Kind, oval_version: &str) -> PathBuf {
    match kind {
        Kind::DataStream { scap } if scap == "1.2" => root.join("sds/1.2/scap-source-data-stream_1.2.xsd"),
        Kind::DataStream { .. } => root.join("sds/1.3/scap-source-data-stream_1.3.xsd"),
        Kind::XccdfBenchmark { version } | Kind::XccdfTailoring { version } if version == "1.2" => {
            root.join("xccdf/1.2/xccdf_1.2.xsd")
        }
        Kind::XccdfTailoring { .. } => root.join("xccdf/1.1-tailoring/xccdf-1.1-tailoring.xsd"),
        Kind::XccdfBenchmark { .. } => root.join("xccdf/1.1/xccdf-schema.xsd"),
        Kind::OvalDefinitions => oval_dir(root, oval_version).join("oval-definitions-schema.xsd"),
        Kind::OvalVariables => oval_dir(root, oval_version).join("oval-variables-schema.xsd"),
        Kind::OvalResults => oval_dir(root, oval_version).join("oval-results-schema.xsd"),
        Kind::OvalSystemCharacteristics => oval_dir(root, oval_version).join("oval-system-characteristics-schema.xsd"),
        Kind::Ocil => root.join("ocil/2.0/ocil-2.0.xsd"),
        Kind::CpeDictionary => root.join("cpe/2.3/cpe-dictionary_2.3.xsd"),
        Kind::CpeLanguage => root.join("cpe/2.3/cpe-language_2.3.xsd"),
        Kind::Arf => root.join("arf/1.1/asset-reporting-format_1.1.0.xsd"),
    }
}

/// One schema: its identity constraints, checked by scapc, and the schema
/// libxml2 loads without them.
#[derive(Default)]
struct Entry {
    constraints: OnceLock<Arc<Set>>,
    /// The schema's files without the constraints, until libxml2 loads them.
    overlay: Mutex<Option<HashMap<PathBuf, String>>>,
    schema: OnceLock<Result<Arc<Schema>, String>>,
}

/// Loaded schemas, each loaded once even when threads ask at the same time.
#[derive(Default)]
pub struct Cache {
    slots: Mutex<HashMap<PathBuf, Arc<Entry>>>,
    /// Leave every identity constraint to libxml2.
    libxml2_identity: bool,
}

impl Cache {
    /// A cache whose schemas keep all their identity constraints, for
    /// libxml2 to check (the differential test's reference).
    pub fn libxml2_identity() -> Cache {
        Cache { libxml2_identity: true, ..Default::default() }
    }

    fn entry(&self, path: &Path) -> Arc<Entry> {
        let mut m = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        m.entry(path.to_path_buf()).or_default().clone()
    }

    /// The identity constraints scapc checks for the schema at `path`
    /// (read from its files, without waiting for libxml2 to load it).
    /// Empty when they cannot be read: libxml2 then checks them all.
    pub fn constraints(&self, path: &Path) -> Arc<Set> {
        let e = self.entry(path);
        self.constraints_of(&e, path)
    }

    fn constraints_of(&self, e: &Entry, path: &Path) -> Arc<Set> {
        e.constraints
            .get_or_init(|| {
                if self.libxml2_identity {
                    return Arc::new(Set::default());
                }
                let mut set = Set::compile(path).unwrap_or_default();
                *e.overlay.lock().unwrap_or_else(|e| e.into_inner()) = Some(std::mem::take(&mut set.overlay));
                Arc::new(set)
            })
            .clone()
    }

    /// The schema at `path`, loaded by libxml2 without the identity
    /// constraints of [`Cache::constraints`].
    pub fn get(&self, path: &Path) -> Result<Arc<Schema>, String> {
        let e = self.entry(path);
        self.constraints_of(&e, path);
        e.schema
            .get_or_init(|| {
                // The stripped texts are not needed once libxml2 has them.
                let overlay = e.overlay.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
                let loaded =
                    if overlay.is_empty() { Schema::load(path) } else { Schema::load_with_overlay(path, overlay) };
                loaded.map(Arc::new).map_err(|errs| {
                    format!(
                        "cannot load the schema {}: {}",
                        path.display(),
                        errs.iter().take(3).map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ")
                    )
                })
            })
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oval_versions_pick_directories() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("oval/5.11.1")).unwrap();
        assert_eq!(oval_dir(t.path(), "5.11.1:1.2"), t.path().join("oval/5.11.1"));
        assert_eq!(oval_dir(t.path(), "5.11.9"), t.path().join("oval/5.11.3"));
        assert_eq!(oval_dir(t.path(), "5.10"), t.path().join("oval/5.10.1"));
    }

    #[test]
    fn missing_schema_directory_is_explained() {
        let t = tempfile::tempdir().unwrap();
        let e = locate(Some(t.path())).unwrap_err();
        assert!(e.contains("no SCAP schemas there"), "{e}");
    }
}
