//! Evaluation parity with ComplianceAsCode's own build: scapc builds
//! debian12 from the CaC tree at commit b3a2cca
//! (`../shared/reference/cac/content-b3a2cca.tar.xz`), and its data stream
//! and CaC's (`ssg-debian12-ds.xml.gz`, built from the same commit) are
//! evaluated on this host:
//!
//! - `oscap xccdf eval --profile standard` of both gives the same result for
//!   every rule;
//! - `scapc eval` of both gives the same result for every rule under the
//!   other debian12 profiles: by default `cis_level1_server`,
//!   `cis_level2_server`, `anssi_bp28_minimal`, `anssi_np_nt28_minimal` and
//!   `anssi_np_nt28_average` (each scan of the host takes a while);
//!   `SCAPC_CAC_EVAL_PROFILES=all` (or a comma-separated list of short ids)
//!   evaluates those instead. `anssi_np_nt28_average` is the case where the
//!   benchmark's document order decides a rule's selection (`requires`
//!   resolved top-down; docs/cac.md).
//!
//! Results are compared per rule id; a difference prints the rule and both
//! results. Skipped, with a notice, when `../shared` is not there. The tree
//! is unpacked once into the cache `cac_compat.rs` uses; `oscap` must be
//! installed (`scripts/test` installs it).

mod cac_tree;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const PRODUCT: &str = "debian12";
const PROFILE_PREFIX: &str = "xccdf_org.ssgproject.content_profile_";
const DEFAULT_PROFILES: &[&str] =
    &["cis_level1_server", "cis_level2_server", "anssi_bp28_minimal", "anssi_np_nt28_minimal", "anssi_np_nt28_average"];

/// Both data streams, once per test binary: (scapc's, CaC's), in a
/// temporary directory that lives as long as the process.
fn streams() -> Option<&'static (PathBuf, PathBuf)> {
    static DIR: OnceLock<Option<(tempfile::TempDir, (PathBuf, PathBuf))>> = OnceLock::new();
    DIR.get_or_init(|| {
        let tree = cac_tree::content_tree("the CaC evaluation parity test")?;
        let tmp = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .args(["build", "-p", PRODUCT, "-C"])
            .arg(&tree)
            .arg("-o")
            .arg(tmp.path().join("build"))
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "scapc build -p {PRODUCT} of the CaC tree failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ours = tmp.path().join("build").join(format!("{PRODUCT}-ds.xml"));
        assert!(ours.is_file(), "scapc build wrote no {}", ours.display());
        let theirs = tmp.path().join(format!("ssg-{PRODUCT}-ds.xml"));
        std::fs::write(&theirs, cac_tree::reference_ds(PRODUCT)).unwrap();
        Some((tmp, (ours, theirs)))
    })
    .as_ref()
    .map(|(_, p)| p)
}

/// The profiles of a data stream, short ids (`standard`), in order.
fn profiles(ds: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(ds).unwrap();
    text.split("<xccdf-1.2:Profile id=\"")
        .skip(1)
        .map(|c| c[..c.find('"').unwrap()].trim_start_matches(PROFILE_PREFIX).to_owned())
        .collect()
}

/// Rule id -> result from `oscap xccdf eval`'s output (`Rule\t<id>`, then
/// `Result\t<result>`; oscap writes carriage returns between them).
fn oscap_results(ds: &Path, profile: &str) -> BTreeMap<String, String> {
    let out = Command::new("oscap")
        .args(["xccdf", "eval", "--profile", profile])
        .arg(ds)
        .output()
        .unwrap_or_else(|e| panic!("`oscap` cannot run ({e}): run scripts/test, which installs it"));
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    // 0: all pass, 2: some fail; anything else is an error.
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "oscap xccdf eval --profile {profile} {} exited {:?}:\n{text}\n{}",
        ds.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut results = BTreeMap::new();
    let mut rule = None;
    for line in text.lines() {
        if let Some(r) = line.strip_prefix("Rule\t") {
            rule = Some(r.trim().to_owned());
        } else if let (Some(res), Some(r)) = (line.strip_prefix("Result\t"), rule.take()) {
            results.insert(r, res.trim().to_owned());
        }
    }
    results
}

/// Rule id -> result from `scapc eval --format json`.
fn scapc_results(ds: &Path, profile: &str) -> BTreeMap<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["eval", "--format", "json", "--profile", profile])
        .arg(ds)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // 0: all pass, 2: some fail; anything else is an error.
    assert!(
        matches!(out.status.code(), Some(0 | 2)),
        "scapc eval --profile {profile} {} exited {:?}:\n{}",
        ds.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("scapc eval --format json prints JSON");
    v["rules"]
        .as_array()
        .expect("`rules` in scapc eval's JSON")
        .iter()
        .map(|r| (r["id"].as_str().unwrap_or("").to_owned(), r["result"].as_str().unwrap_or("").to_owned()))
        .collect()
}

/// The rules whose results differ (or that one side lacks), one line each.
fn differences(ours: &BTreeMap<String, String>, theirs: &BTreeMap<String, String>) -> Vec<String> {
    let none = String::from("(no result)");
    let ids: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    ids.into_iter()
        .filter_map(|id| {
            let (a, b) = (ours.get(id).unwrap_or(&none), theirs.get(id).unwrap_or(&none));
            (a != b).then(|| format!("{id}: scapc's data stream {a}, CaC's {b}"))
        })
        .collect()
}

/// Counts of each result, for the notice printed with every comparison.
fn tally(results: &BTreeMap<String, String>) -> BTreeMap<&str, usize> {
    let mut t = BTreeMap::new();
    for r in results.values() {
        *t.entry(r.as_str()).or_default() += 1;
    }
    t
}

#[test]
fn oscap_gives_the_same_result_per_rule_for_the_standard_profile() {
    let Some((ours, theirs)) = streams() else { return };
    let (a, b) = (oscap_results(ours, "standard"), oscap_results(theirs, "standard"));
    assert!(!b.is_empty(), "oscap evaluated no rule of CaC's data stream");
    eprintln!("oscap, debian12 standard: {} rules, {:?}", b.len(), tally(&b));
    let d = differences(&a, &b);
    assert!(d.is_empty(), "{} rules differ under oscap (standard):\n{}", d.len(), d.join("\n"));
}

#[test]
fn scapc_eval_gives_the_same_result_per_rule_for_the_other_profiles() {
    let Some((ours, theirs)) = streams() else { return };
    let names = profiles(theirs);
    assert_eq!(profiles(ours), names, "the two data streams have different profiles");
    let wanted: Vec<String> = match std::env::var("SCAPC_CAC_EVAL_PROFILES") {
        Ok(v) if v == "all" => names.iter().filter(|p| *p != "standard").cloned().collect(),
        Ok(v) => v.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect(),
        Err(_) => DEFAULT_PROFILES.iter().map(|p| (*p).to_owned()).collect(),
    };
    let mut failed = Vec::new();
    for p in &wanted {
        assert!(names.contains(p), "debian12 has no profile `{p}` (it has {names:?})");
        let (a, b) = (scapc_results(ours, p), scapc_results(theirs, p));
        assert!(!b.is_empty(), "scapc eval evaluated no rule of CaC's data stream under {p}");
        eprintln!("scapc eval, debian12 {p}: {} rules, {:?}", b.len(), tally(&b));
        let d = differences(&a, &b);
        if !d.is_empty() {
            eprintln!("  {p}: {} rules differ:\n  {}", d.len(), d.join("\n  "));
            failed.push(format!("{p}: {} rules differ:\n  {}", d.len(), d.join("\n  ")));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
