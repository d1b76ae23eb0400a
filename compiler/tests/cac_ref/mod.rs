//! The ComplianceAsCode reference data shared by the CaC tests: the CaC
//! source tree (unpacked once from `shared/reference/cac/content-*.tar.xz`,
//! or taken from `SCAPC_CAC_TREE`) and CaC's built data streams.
#![allow(dead_code)]

use scapc_compiler::jinja::{cac, Dialect, Jinja};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// `shared/reference/cac` beside the repository (CI lays `shared/` there).
pub fn reference_dir() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    for cand in
        [repo.join("../shared/reference/cac"), repo.join("shared/reference/cac"), "/work/shared/reference/cac".into()]
    {
        if cand.is_dir() {
            return cand;
        }
    }
    panic!("the CaC reference data (shared/reference/cac) is not beside the repository at {}", repo.display());
}

/// The CaC content tree (the directory holding `shared/`, `linux_os/`, ...).
pub fn tree() -> &'static Path {
    static TREE: OnceLock<PathBuf> = OnceLock::new();
    TREE.get_or_init(|| {
        if let Some(t) = std::env::var_os("SCAPC_CAC_TREE") {
            return PathBuf::from(t);
        }
        let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cac-tree");
        let done = dest.join("content/shared/macros");
        if done.is_dir() {
            return dest.join("content");
        }
        let tarball = std::fs::read_dir(reference_dir())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("content-"))
            .expect("no content-*.tar.xz in shared/reference/cac");
        // Unpack beside, then rename: test binaries may race.
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cac-tree.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).unwrap();
        let st = Command::new("tar").arg("-xJf").arg(&tarball).arg("-C").arg(&tmp).status().expect("tar runs");
        assert!(st.success(), "unpacking {} failed", tarball.display());
        if std::fs::rename(&tmp, &dest).is_err() {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        assert!(done.is_dir(), "{} has no shared/macros", dest.display());
        dest.join("content")
    })
}

/// CaC's data stream of `product` (`ssg-<product>-ds.xml.gz`), as text.
pub fn data_stream(product: &str) -> String {
    let path = reference_dir().join(format!("ssg-{product}-ds.xml.gz"));
    let out = Command::new("gzip").arg("-dc").arg(&path).output().expect("gzip runs");
    assert!(out.status.success(), "cannot read {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

pub fn read_dir_sorted(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    v.sort();
    v
}

/// The macro files of the tree as (name, source).
pub fn macro_files() -> Vec<(String, String)> {
    read_dir_sorted(&tree().join("shared/macros"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jinja"))
        .map(|p| {
            (
                format!("shared/macros/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

/// The product's properties as CaC computes them.
pub fn properties(product: &str) -> BTreeMap<String, serde_json::Value> {
    let yml = std::fs::read_to_string(tree().join(format!("products/{product}/product.yml"))).unwrap();
    let node = scapc_compiler::yaml::parse(&yml).unwrap();
    let serde_json::Value::Object(map) = node.to_json() else { panic!("product.yml is not a mapping") };
    let files: Vec<(String, String)> = read_dir_sorted(&tree().join("product_properties"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    cac::product_properties(&map, &files).unwrap()
}

/// A CaC-dialect environment for `product` with all macros loaded.
pub fn jinja(product: &str) -> Jinja {
    Jinja::with_dialect(Dialect::Cac, &macro_files(), &properties(product))
        .unwrap_or_else(|(f, e)| panic!("{f}:{:?}: {}", e.line, e.message))
}

/// Collapses whitespace runs to one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Undoes XML escaping of text.
pub fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}
