//! The ComplianceAsCode tree at commit b3a2cca for the CLI's CaC tests
//! (`cac_compat.rs`, `cac_eval.rs`, `cac_all.rs`): unpacked once from
//! `../shared/reference/cac/content-b3a2cca.tar.xz` into a cache the tests
//! share; `None`, with a visible notice, when `../shared` is absent.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

const TARBALL: &str = "reference/cac/content-b3a2cca.tar.xz";

/// `../shared` beside the checkout.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

/// The unpacked tree (the directory holding `products/`), or None with a
/// notice naming `what` is skipped. Concurrent tests each unpack into their
/// own temporary directory and rename it into place.
pub fn content_tree(what: &str) -> Option<PathBuf> {
    let shared = shared();
    if !shared.is_dir() {
        eprintln!("NOTICE: {} is absent; {what} is skipped", shared.display());
        return None;
    }
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scapc-cac-b3a2cca");
    let tree = cache.join("content");
    if tree.join("products").is_dir() {
        return Some(tree);
    }
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "scapc-cac-b3a2cca.tmp-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let st = Command::new("tar").arg("-xJf").arg(shared.join(TARBALL)).arg("-C").arg(&tmp).status().unwrap();
    assert!(st.success(), "tar -xJf {} failed", shared.join(TARBALL).display());
    if std::fs::rename(&tmp, &cache).is_err() {
        // Another test unpacked it first.
        let _ = std::fs::remove_dir_all(&tmp);
    }
    assert!(tree.join("products").is_dir(), "{} has no products/", tree.display());
    Some(tree)
}

/// CaC's own data stream of `product` (`ssg-<product>-ds.xml.gz`), as text.
pub fn reference_ds(product: &str) -> String {
    let gz = shared().join(format!("reference/cac/ssg-{product}-ds.xml.gz"));
    let out = Command::new("gzip").arg("-dc").arg(&gz).output().unwrap();
    assert!(out.status.success(), "gzip -dc {}", gz.display());
    String::from_utf8(out.stdout).unwrap()
}
