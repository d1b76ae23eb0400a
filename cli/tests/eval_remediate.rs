//! `scapc eval --remediate` on a `dir:` target: the failed rules' fixes run
//! chrooted in the root filesystem; a rule whose fix works is `fixed`, one
//! whose fix does nothing is `error`, each with the fix's outcome as a
//! message in the results; `scapc fix --results` then keeps only the rules
//! that failed; `scapc remediate` fixes the failures of a results file in
//! the root.
//!
//! The root filesystem is made here: bash and its libraries. Needs root
//! (chroot, namespaces); skipped with a notice otherwise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn is_root() -> bool {
    let ok = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        == Some(true);
    if !ok {
        eprintln!("NOTICE: not root; the eval --remediate tests are skipped");
    }
    ok
}

/// A root filesystem holding only bash, its libraries and an empty /etc.
fn mini_root(dir: &Path) {
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::create_dir_all(dir.join("etc")).unwrap();
    std::fs::copy("/bin/bash", dir.join("bin/bash")).unwrap();
    let ldd = Command::new("ldd").arg("/bin/bash").output().unwrap();
    for word in String::from_utf8_lossy(&ldd.stdout).split_whitespace() {
        if word.starts_with('/') {
            let to = dir.join(word.trim_start_matches('/'));
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(word, &to).unwrap();
        }
    }
}

fn scapc(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc")).args(args).env("NO_COLOR", "1").output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn build(case: &str, out: &Path) -> PathBuf {
    let tree = repo().join("tests/fixtures/scenario").join(case);
    let (code, _, err) = scapc(&["build", "-q", "-C", tree.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    out.join("debian12-ds.xml")
}

#[test]
fn a_working_fix_is_fixed_and_recorded() {
    if !is_root() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ds = build("scenario_fails_to_run", &tmp.path().join("b"));
    let root = tmp.path().join("root");
    mini_root(&root);
    let arf = tmp.path().join("arf.xml");
    let target = format!("dir:{}", root.display());
    // without --remediate: fail, nothing changes
    let (code, out, err) = scapc(&["eval", ds.to_str().unwrap(), "--profile", "(all)", "--target", &target]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!root.join("etc/scapc-fixture.conf").exists());
    let (code, out, err) = scapc(&[
        "eval",
        ds.to_str().unwrap(),
        "--profile",
        "(all)",
        "--target",
        &target,
        "--remediate",
        "--results-arf",
        arf.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 fixed"), "{out}");
    assert_eq!(std::fs::read_to_string(root.join("etc/scapc-fixture.conf")).unwrap(), "setting = good\n");
    let x = std::fs::read_to_string(&arf).unwrap();
    assert!(x.contains("<result>fixed</result>"), "{x}");
    assert!(x.contains("the bash fix exited 0; rechecked, the rule is `pass`"), "{x}");
    // the fixes ran in a private namespace: nothing is left mounted in the root
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(root.to_str().unwrap()), "{mounts}");
    assert!(!root.join("tmp/scapc-fix-0.sh").exists() && !root.join("dev/null").exists());
}

#[test]
fn a_fix_that_does_nothing_is_an_error_and_fix_results_selects_it() {
    if !is_root() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ds = build("fix_does_nothing", &tmp.path().join("b"));
    let root = tmp.path().join("root");
    mini_root(&root);
    let arf = tmp.path().join("arf.xml");
    let target = format!("dir:{}", root.display());
    let (code, out, err) = scapc(&[
        "eval",
        ds.to_str().unwrap(),
        "--profile",
        "(all)",
        "--target",
        &target,
        "--remediate",
        "--results-arf",
        arf.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    let x = std::fs::read_to_string(&arf).unwrap();
    assert!(x.contains("<result>error</result>"), "{x}");
    assert!(x.contains("rechecked, the rule is `fail`"), "{x}");
    // a scan without remediation, then the fix of what failed
    let arf2 = tmp.path().join("arf2.xml");
    let (_, _, _) = scapc(&[
        "eval",
        ds.to_str().unwrap(),
        "--profile",
        "(all)",
        "--target",
        &target,
        "--results-arf",
        arf2.to_str().unwrap(),
    ]);
    let (code, out, err) =
        scapc(&["fix", ds.to_str().unwrap(), "--profile", "(all)", "--results", arf2.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("for 'xccdf_org.example_rule_fixture_fix_does_nothing'"), "{out}");
    assert!(out.contains("(1 failed)"), "{out}");
}

#[test]
fn remediate_fixes_the_failures_of_a_results_file_in_a_root() {
    if !is_root() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ds = build("scenario_fails_to_run", &tmp.path().join("b"));
    let root = tmp.path().join("root");
    mini_root(&root);
    let target = format!("dir:{}", root.display());
    // the XCCDF results beside the OVAL file their checks name
    let results = tmp.path().join("b/results.xml");
    let r = results.to_str().unwrap();
    let (code, out, err) =
        scapc(&["eval", ds.to_str().unwrap(), "--profile", "(all)", "--target", &target, "--results", r]);
    assert_eq!(code, 2, "{out}{err}");
    let before = std::fs::read_to_string(&results).unwrap();
    let (code, out, err) = scapc(&["remediate", r, "--target", &target, "--results", r]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("1 fixed, 0 error"), "{out}");
    assert_eq!(std::fs::read_to_string(root.join("etc/scapc-fixture.conf")).unwrap(), "setting = good\n");
    let after = std::fs::read_to_string(&results).unwrap();
    // the scan's TestResult is kept byte for byte; the new one follows it
    let end = before.rfind("</TestResult>").unwrap() + "</TestResult>".len();
    assert!(after.starts_with(&before[..end]), "{after}");
    let new = &after[end..];
    assert!(new.contains("id=\"xccdf_org.scapc_testresult_default001\""), "{new}");
    assert!(
        new.contains("<result>fixed</result>") && new.contains("<fix system=\"urn:xccdf:fix:script:sh\">"),
        "{new}"
    );
    assert!(new.contains(">100.000000</score>"), "{new}");
    // the last TestResult now holds no failure: nothing to do, exit 0
    let (code, out, err) = scapc(&["remediate", r, "--target", &target]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("as xccdf_org.scapc_testresult_default001001: 0 fixed"), "{out}");
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    assert!(!mounts.contains(root.to_str().unwrap()), "{mounts}");
}
