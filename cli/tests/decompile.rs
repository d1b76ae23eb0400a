//! `scapc decompile`: SSG data streams decompiled, rebuilt with `scapc
//! build`, and compared with the original: the same Group, Rule, Value
//! and Profile ids, the same rules selected and values refined by each
//! profile, and the same per-rule results of `scapc eval` (on this host,
//! and on a small root made to look like Debian 11 so that the debian11
//! rules apply). Also a small fixture round trip, and broken or hostile
//! input: a clear error, exit 1, nothing written.
//!
//! The SSG tests need the `ssg-debian` package's data streams
//! (/usr/share/xml/scap/ssg/content); without them they are skipped with
//! a notice.

use scapc_xml::tree::Tree;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const SSG: &str = "/usr/share/xml/scap/ssg/content";
const XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";

fn scapc(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc")).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn ssg(name: &str) -> Option<PathBuf> {
    let p = Path::new(SSG).join(format!("ssg-{name}-ds.xml"));
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("NOTICE: {} is absent (install ssg-debian and friends); skipped", p.display());
        None
    }
}

/// What the round trip must keep, read from a data stream.
#[derive(Debug, PartialEq, Eq)]
struct Bench {
    groups: BTreeSet<String>,
    rules: BTreeSet<String>,
    values: BTreeSet<String>,
    profiles: BTreeMap<String, Profile>,
}

#[derive(Debug, PartialEq, Eq)]
struct Profile {
    /// Rules the profile selects (last select of a rule wins).
    selected: BTreeSet<String>,
    refine_values: BTreeMap<String, String>,
    refine_rules: BTreeSet<(String, String, String)>,
}

fn ids(t: &Tree, local: &str) -> BTreeSet<String> {
    t.all(XCCDF, local).iter().filter_map(|&n| t.attr(n, "id")).map(str::to_owned).collect()
}

fn read_bench(path: &Path) -> Bench {
    let text = std::fs::read_to_string(path).unwrap();
    let t = Tree::parse(&text).unwrap();
    let rules = ids(&t, "Rule");
    let mut profiles = BTreeMap::new();
    for &p in t.all(XCCDF, "Profile") {
        let mut sel: BTreeMap<String, bool> = BTreeMap::new();
        let mut refine_values = BTreeMap::new();
        let mut refine_rules = BTreeSet::new();
        for c in t.children(p) {
            let idref = t.attr(c, "idref").unwrap_or_default().to_owned();
            match t.local(c) {
                "select" => {
                    sel.insert(idref, t.attr(c, "selected") == Some("true"));
                }
                "refine-value" => {
                    refine_values.insert(idref, t.attr(c, "selector").unwrap_or_default().to_owned());
                }
                "refine-rule" => {
                    for a in ["severity", "weight", "role", "selector"] {
                        if let Some(v) = t.attr(c, a) {
                            refine_rules.insert((idref.clone(), a.to_owned(), v.to_owned()));
                        }
                    }
                }
                _ => {}
            }
        }
        let selected = sel.into_iter().filter(|(id, on)| *on && rules.contains(id)).map(|(id, _)| id).collect();
        profiles.insert(t.attr(p, "id").unwrap().to_owned(), Profile { selected, refine_values, refine_rules });
    }
    Bench { groups: ids(&t, "Group"), rules, values: ids(&t, "Value"), profiles }
}

/// Decompiles `ds` and builds the tree; returns the rebuilt data stream.
fn decompile_and_build(ds: &Path, work: &Path) -> PathBuf {
    let src = work.join("src");
    let (code, out, err) = scapc(&["decompile", ds.to_str().unwrap(), "-o", src.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "decompile {}: {err}", ds.display());
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let product = summary["summary"]["product"].as_str().unwrap().to_owned();
    let build = work.join("build");
    let (code, _, err) = scapc(&["build", "-C", src.to_str().unwrap(), "-o", build.to_str().unwrap(), "-q"]);
    assert_eq!(code, 0, "build of the decompiled {}: {err}", ds.display());
    let rebuilt = build.join(format!("{product}-ds.xml"));
    assert!(rebuilt.is_file(), "no {}", rebuilt.display());
    rebuilt
}

fn assert_same_content(original: &Path, rebuilt: &Path) {
    let (a, b) = (read_bench(original), read_bench(rebuilt));
    assert!(!a.rules.is_empty());
    assert_eq!(a.groups, b.groups, "{}: group ids", original.display());
    assert_eq!(a.rules, b.rules, "{}: rule ids", original.display());
    assert_eq!(a.values, b.values, "{}: value ids", original.display());
    assert_eq!(
        a.profiles.keys().collect::<Vec<_>>(),
        b.profiles.keys().collect::<Vec<_>>(),
        "{}: profile ids",
        original.display()
    );
    for (id, p) in &a.profiles {
        assert_eq!(p, &b.profiles[id], "{}: profile {id}", original.display());
    }
}

/// Per-rule results of `scapc eval --format json`.
fn eval(ds: &Path, profile: &str, target: &str) -> BTreeMap<String, String> {
    let (code, out, err) =
        scapc(&["eval", "--profile", profile, "--target", target, "--format", "json", ds.to_str().unwrap()]);
    assert!(code == 0 || code == 2, "eval {} {profile}: exit {code}: {err}", ds.display());
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["result"].as_str().unwrap().to_owned()))
        .collect()
}

fn assert_same_results(original: &Path, rebuilt: &Path, profile: &str, target: &str) -> BTreeMap<String, usize> {
    let (a, b) = (eval(original, profile, target), eval(rebuilt, profile, target));
    assert_eq!(a.len(), b.len(), "{} {profile} on {target}: number of results", original.display());
    let differ: Vec<String> = a
        .iter()
        .filter(|(id, r)| b.get(*id) != Some(*r))
        .map(|(id, r)| format!("{id}: {r} -> {:?}", b.get(id)))
        .collect();
    assert!(differ.is_empty(), "{} {profile} on {target}: results differ:\n{}", original.display(), differ.join("\n"));
    let mut counts = BTreeMap::new();
    for r in a.values() {
        *counts.entry(r.clone()).or_default() += 1;
    }
    counts
}

/// A small root that identifies as Debian 11, with some of this host's
/// configuration, so that the debian11 rules evaluate to pass and fail.
fn debian11_root(dir: &Path) -> String {
    for d in ["etc/pam.d", "etc/ssh", "var/lib/dpkg"] {
        std::fs::create_dir_all(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("etc/debian_version"), "11.6\n").unwrap();
    for f in [
        "etc/passwd",
        "etc/group",
        "etc/login.defs",
        "etc/fstab",
        "etc/sysctl.conf",
        "etc/ssh/sshd_config",
        "var/lib/dpkg/status",
    ] {
        let _ = std::fs::copy(Path::new("/").join(f), dir.join(f));
    }
    if let Ok(rd) = std::fs::read_dir("/etc/pam.d") {
        for e in rd.flatten() {
            let _ = std::fs::copy(e.path(), dir.join("etc/pam.d").join(e.file_name()));
        }
    }
    format!("dir:{}", dir.display())
}

#[test]
fn ssg_debian11_round_trip() {
    let Some(ds) = ssg("debian11") else { return };
    let work = tempfile::tempdir().unwrap();
    let rebuilt = decompile_and_build(&ds, work.path());
    assert_same_content(&ds, &rebuilt);
    assert_same_results(&ds, &rebuilt, "(all)", "local");
    let root = tempfile::tempdir().unwrap();
    let target = debian11_root(root.path());
    let counts = assert_same_results(&ds, &rebuilt, "(all)", &target);
    eprintln!("debian11 (all) on a Debian 11 root: {counts:?}");
    // The comparison means something only when the rules really ran.
    assert!(
        counts.get("pass").copied().unwrap_or(0) > 10 && counts.get("fail").copied().unwrap_or(0) > 10,
        "{counts:?}"
    );
    for profile in ["standard", "anssi_np_nt28_high"] {
        assert_same_results(&ds, &rebuilt, profile, &target);
    }
}

#[test]
fn ssg_other_streams_round_trip() {
    let mut done = 0;
    for name in ["debian10", "ubuntu2204", "rhel8", "sle15", "firefox", "fedora"] {
        let Some(ds) = ssg(name) else { continue };
        let work = tempfile::tempdir().unwrap();
        let rebuilt = decompile_and_build(&ds, work.path());
        assert_same_content(&ds, &rebuilt);
        let counts = assert_same_results(&ds, &rebuilt, "(all)", "local");
        eprintln!("{name} (all) on this host: {counts:?}");
        done += 1;
    }
    eprintln!("{done} SSG data streams round-tripped");
}

/// `../shared` beside the checkout, or `$SCAPC_SHARED`.
fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("SCAPC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("NOTICE: {} is absent; the ComplianceAsCode data stream round trip is skipped", p.display());
        None
    }
}

#[test]
fn cac_debian12_and_rhel9_round_trip() {
    // ComplianceAsCode's current build: debian12 applies to this host, so
    // its rules really run; rhel9 carries SCE checks (not decompiled).
    let Some(shared) = shared() else { return };
    for name in ["debian12", "rhel9"] {
        let gz = shared.join(format!("reference/cac/ssg-{name}-ds.xml.gz"));
        let mut text = String::new();
        use std::io::Read;
        flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()).read_to_string(&mut text).unwrap();
        let work = tempfile::tempdir().unwrap();
        let ds = work.path().join(format!("ssg-{name}-ds.xml"));
        std::fs::write(&ds, text).unwrap();
        let rebuilt = decompile_and_build(&ds, work.path());
        assert_same_content(&ds, &rebuilt);
        let counts = assert_same_results(&ds, &rebuilt, "(all)", "local");
        eprintln!("CaC {name} (all) on this host: {counts:?}");
    }
}

#[test]
fn fixture_round_trip() {
    // scapc's trees hold rule, group and value ids in one name space, so
    // the fixture's Value `max_days` (a Rule has that id too) is renamed.
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diff/base-ds.xml"))
            .unwrap()
            .replace("xccdf_org.example_value_max_days", "xccdf_org.example_value_var_max_days");
    let work = tempfile::tempdir().unwrap();
    let ds = work.path().join("base-ds.xml");
    std::fs::write(&ds, base).unwrap();
    let rebuilt = decompile_and_build(&ds, work.path());
    assert_same_content(&ds, &rebuilt);
    let (code, out, err) = scapc(&["diff", ds.to_str().unwrap(), rebuilt.to_str().unwrap()]);
    assert!(code == 0 || code == 1, "{err}");
    // The OVAL logic comes back unchanged (a fix gains a final newline,
    // and the fixture's `#machine` names no platform the stream defines).
    assert!(!out.contains("logic changed") && !out.contains("check:"), "{out}");
}

/// Runs decompile on `text` and checks: exit 1, the message, nothing written.
fn refused(text: &str, want: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("in.xml");
    std::fs::write(&ds, text).unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = scapc(&["decompile", ds.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(want), "expected {want:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    let written = std::fs::read_dir(&out).map(|d| d.count()).unwrap_or(0);
    assert_eq!(written, 0, "something was written for a refused input");
    err
}

#[test]
fn broken_and_hostile_input_is_refused_and_nothing_written() {
    let base =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diff/base-ds.xml"))
            .unwrap();
    // Truncated: the error names the place.
    let err = refused(&base[..base.len() / 2], "in.xml:");
    assert!(err.contains("in.xml:") && err.matches(':').count() >= 3, "{err}");
    // Entity declarations (billion laughs) are refused, not expanded.
    refused(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]>\n<x>&b;</x>\n",
        "in.xml",
    );
    // Not a data stream.
    refused("<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\"/>\n", "in.xml");
    // A data stream without a benchmark.
    let no_bench = base.replace("ds:checklists>", "ds:dictionaries>");
    assert_ne!(no_bench, base);
    refused(&no_bench, "no XCCDF benchmark");
    // Not UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let ds = dir.path().join("bin.xml");
    std::fs::write(&ds, [0xff, 0xfe, 0x00]).unwrap();
    let (code, _, err) = scapc(&["decompile", ds.to_str().unwrap(), "-o", dir.path().join("o").to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("UTF-8"), "{err}");
}

#[test]
fn output_directory_rules_and_usage() {
    let ds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diff/base-ds.xml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "x").unwrap();
    let out = dir.path().to_str().unwrap();
    let (code, _, err) = scapc(&["decompile", ds.to_str().unwrap(), "-o", out]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not empty") && err.contains("--force"), "{err}");
    assert!(!dir.path().join("products").exists());
    let (code, _, err) = scapc(&["decompile", ds.to_str().unwrap(), "-o", out, "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.path().join("products").is_dir() && dir.path().join("keep.txt").is_file());
    // A usage error exits 64.
    let (code, _, _) = scapc(&["decompile", ds.to_str().unwrap()]);
    assert_eq!(code, 64);
    let (code, out, _) = scapc(&["decompile", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:"), "{out}");
}
