//! `scapc test`: the fixture trees in `tests/fixtures/scenario/<case>/`
//! each hold one rule broken in one way, and the run must report it by rule
//! and scenario with evidence; a sample of the bundled rules passes; the
//! sandbox leaves nothing behind (no mount, no file in the base, no job
//! directory) and cleans a dead run's directories.
//!
//! Needs root (namespaces, overlay mounts) and the base root filesystem
//! `scripts/test` makes (`$SCAPC_TEST_ROOTFS`, default
//! /var/tmp/scapc-bookworm); without them the tests are skipped with a
//! notice. The ComplianceAsCode sample also needs `../shared` (the CaC
//! tarball) and network for its package layer (apt).

mod cac_tree;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn rootfs() -> Option<PathBuf> {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")));
    if uid != Some(true) {
        eprintln!("NOTICE: not root; the scapc test sandbox tests are skipped");
        return None;
    }
    let r = PathBuf::from(std::env::var("SCAPC_TEST_ROOTFS").unwrap_or_else(|_| "/var/tmp/scapc-bookworm".into()));
    if !r.join("var/lib/dpkg/status").is_file() {
        eprintln!("NOTICE: no base root filesystem at {}; run scripts/test (it makes one); skipped", r.display());
        return None;
    }
    Some(r)
}

/// Runs `scapc test` with JSON output: (exit code, reports, stderr).
fn test(tree: &Path, base: &Path, cache: &Path, extra: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .arg("test")
        .arg("-C")
        .arg(tree)
        .arg("--rootfs")
        .arg(base)
        .arg("--cache")
        .arg(cache)
        .args(["--format", "json"])
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}\n{stderr}"));
    let reports = v["scenarios"].as_array().cloned().unwrap_or_else(|| panic!("no `scenarios` array:\n{stdout}"));
    // The summary counts what the reports say.
    let count = |st: &str| reports.iter().filter(|r| r["status"] == st).count();
    for st in ["passed", "failed", "error", "skipped"] {
        assert_eq!(v["summary"][st].as_u64(), Some(count(st) as u64), "summary `{st}`:\n{stdout}");
    }
    let grouped: u64 = v["summary"]["causes"].as_array().unwrap().iter().map(|c| c["count"].as_u64().unwrap()).sum();
    assert_eq!(grouped as usize, reports.len() - count("passed"), "every scenario that did not pass has a cause");
    (out.status.code().unwrap_or(-1), reports, stderr)
}

fn mounts_mentioning(s: &str) -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains(s))
        .map(str::to_owned)
        .collect()
}

fn one<'a>(reports: &'a [Value], scenario: &str) -> &'a Value {
    reports
        .iter()
        .find(|r| r["scenario"] == scenario)
        .unwrap_or_else(|| panic!("no report for {scenario}: {reports:#?}"))
}

fn findings(r: &Value) -> String {
    r["findings"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_owned()).collect::<Vec<_>>().join("\n")
}

fn step_output(r: &Value, step: &str) -> String {
    r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == step)
        .map(|s| s["output"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// Each fixture: (case, scenario that must be caught, status, words of the
/// finding, words of the evidence).
/// (case, scenario, status, finding, (step, evidence))
type Case = (&'static str, &'static str, &'static str, &'static str, (&'static str, &'static str));

const CASES: &[Case] = &[
    (
        "check_always_passes",
        "bad.fail.sh",
        "failed",
        "the check gave `pass`, the scenario promises `fail`",
        ("check", "/etc/passwd"),
    ),
    (
        "check_never_passes",
        "good.pass.sh",
        "failed",
        "the check gave `fail`, the scenario promises `pass`",
        ("check", "does not exist"),
    ),
    (
        "fix_does_nothing",
        "bad.fail.sh",
        "failed",
        "the fix does not fix",
        ("check after remediation", "does not exist"),
    ),
    (
        "fix_not_idempotent",
        "bad.fail.sh",
        "failed",
        // what changed, and that it changes again on every run
        "the fix is not idempotent: run a second time it changed the content of /etc/scapc-fixture.conf (+1 line: \"setting = good\"); a third run changed it again",
        // with the line it gained
        ("second remediation", "changed the content of /etc/scapc-fixture.conf (+1 line: \"setting = good\")"),
    ),
    (
        "scenario_fails_to_run",
        "broken.fail.sh",
        "error",
        "failed to run: exit status 127",
        ("scenario", "scapc-no-such-command"),
    ),
    (
        "scenario_writes_kernel_parameter",
        "sysctl.fail.sh",
        "error",
        "failed to run",
        ("scenario", "Read-only file system"),
    ),
    ("scenario_makes_device_node", "mknod.fail.sh", "error", "failed to run", ("scenario", "Operation not permitted")),
];

#[test]
fn fixtures_are_caught_with_rule_scenario_and_evidence() {
    let Some(base) = rootfs() else { return };
    let cache = tempfile::tempdir().unwrap();
    let marker = base.join("etc/scapc-fixture.conf");
    assert!(!marker.exists(), "{} exists before the run", marker.display());
    for (case, scenario, status, finding, (step, evidence)) in CASES {
        let tree = repo().join("tests/fixtures/scenario").join(case);
        let (code, reports, stderr) = test(&tree, &base, cache.path(), &[]);
        assert_eq!(code, 1, "{case}: a finding must make the exit code 1\n{stderr}");
        let r = one(&reports, scenario);
        assert_eq!(r["status"], *status, "{case}: {r:#}");
        assert!(r["rule"].as_str().unwrap().starts_with("fixture_"), "{case}: {r:#}");
        assert!(findings(r).contains(finding), "{case}: findings {}", findings(r));
        assert!(step_output(r, step).contains(evidence), "{case}: evidence of `{step}`: {r:#}");
        // the other scenario of the rule is fine (except where the check never passes)
        let others: Vec<&Value> = reports.iter().filter(|x| x["scenario"] != *scenario).collect();
        if *case != "check_never_passes" {
            assert!(others.iter().all(|x| x["status"] == "passed"), "{case}: {others:#?}");
        }
    }
    // Nothing outside the overlays changed, and nothing is left mounted.
    assert!(!marker.exists(), "a scenario wrote into the base root filesystem: {}", marker.display());
    assert!(
        mounts_mentioning("scapc-test").is_empty() && mounts_mentioning(&cache.path().display().to_string()).is_empty()
    );
    let left: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().starts_with("run-")), "job directories left: {left:?}");
}

/// Fixtures that must pass: `fix_idempotent_with_backup`, whose fix's
/// second run rewrites its file with the same content, refreshes the
/// backups it keeps (`F-`, `F.bak`) and appends to a log under /var/log
/// (no change of configuration: it is idempotent); `sandbox_has_loopback`,
/// whose fix needs an active loopback interface, as postfix's newaliases.
#[test]
fn idempotent_fixes_and_loopback_pass() {
    let Some(base) = rootfs() else { return };
    let cache = tempfile::tempdir().unwrap();
    for (case, scenario) in [("fix_idempotent_with_backup", "bad.fail.sh"), ("sandbox_has_loopback", "lo_down.fail.sh")]
    {
        let tree = repo().join("tests/fixtures/scenario").join(case);
        let (code, reports, stderr) = test(&tree, &base, cache.path(), &[]);
        let r = one(&reports, scenario);
        assert_eq!(r["status"], "passed", "{case}: {r:#}\n{stderr}");
        assert!(
            r["steps"].as_array().unwrap().iter().any(|s| s["name"] == "second remediation"),
            "{case}: the fix did not run twice: {r:#}"
        );
        assert_eq!(code, 0, "{case}: {reports:#?}\n{stderr}");
    }
}

#[test]
fn junit_has_one_case_per_scenario_and_stale_runs_are_cleaned() {
    let Some(base) = rootfs() else { return };
    let cache = tempfile::tempdir().unwrap();
    // a dead run's leftovers
    let stale = cache.path().join("run-4000000000/job-3");
    std::fs::create_dir_all(&stale).unwrap();
    let junit = cache.path().join("out.xml");
    let tree = repo().join("tests/fixtures/scenario/fix_does_nothing");
    let (code, reports, stderr) = test(&tree, &base, cache.path(), &["--junit", junit.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(!cache.path().join("run-4000000000").exists(), "the dead run's directory was not removed");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(x.matches("<testcase ").count(), reports.len());
    assert_eq!(x.matches("<failure ").count(), 1, "{x}");
    assert!(x.contains("name=\"bad.fail.sh\"") && x.contains("the fix does not fix"), "{x}");
    // --remediation none: the fail scenario only needs to fail
    let (code, reports, stderr) = test(&tree, &base, cache.path(), &["--remediation", "none"]);
    assert_eq!(code, 0, "{stderr}\n{reports:#?}");
}

#[test]
fn a_sample_of_the_bundled_rules_passes_with_remediation() {
    let Some(base) = rootfs() else { return };
    let cache = tempfile::tempdir().unwrap();
    // Rules whose scenarios need no package (CI stays fast and offline).
    let rules = [
        "file_permissions_etc_passwd",
        "file_owner_etc_shells",
        "accounts_maximum_age_login_defs",
        "no_empty_passwords_etc_shadow",
        "file_groupowner_etc_shells",
    ];
    let mut args = Vec::new();
    for r in &rules {
        args.push("--rule");
        args.push(r);
    }
    let (code, reports, stderr) = test(&repo(), &base, cache.path(), &args);
    let bad: Vec<&Value> = reports.iter().filter(|r| r["status"] != "passed").collect();
    assert!(bad.is_empty(), "{bad:#?}\n{stderr}");
    assert_eq!(code, 0, "{stderr}");
    for r in &rules {
        assert!(reports.iter().any(|x| x["rule"] == *r && x["expect"] == "fail"), "{r} has no fail scenario run");
    }
    // an unknown rule is a usage error
    let (code, _, _) = {
        let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .arg("test")
            .arg("-C")
            .arg(repo())
            .arg("--rootfs")
            .arg(&base)
            .arg("--cache")
            .arg(cache.path())
            .args(["--rule", "no_such_rule_anywhere"])
            .output()
            .unwrap();
        (out.status.code().unwrap_or(-1), (), ())
    };
    assert_eq!(code, 64);
}

#[test]
fn oscap_chroot_engine_finds_the_same() {
    let Some(base) = rootfs() else { return };
    if !Path::new("/usr/bin/oscap-chroot").exists() {
        eprintln!("NOTICE: oscap-chroot is not installed; skipped (scripts/test installs it)");
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let tree = repo().join("tests/fixtures/scenario/fix_not_idempotent");
    let (code, reports, stderr) = test(&tree, &base, cache.path(), &["--engine", "oscap"]);
    assert_eq!(code, 1, "{stderr}");
    let r = one(&reports, "bad.fail.sh");
    assert_eq!(r["status"], "failed", "{r:#}");
    assert!(findings(r).contains("not idempotent"), "{r:#}");
    assert_eq!(one(&reports, "good.pass.sh")["status"], "passed", "{reports:#?}");
}

/// ComplianceAsCode's debian12 scenarios run end to end: a sample of rules
/// whose scenarios are the rule's own, a template's (rendered with the
/// template's variables), or need CaC's `tests/shared` (absent from the
/// tarball: reported under that cause, not run). This checks the runner,
/// not how many pass.
#[test]
fn cac_debian12_sample_runs() {
    let Some(base) = rootfs() else { return };
    let Some(tree) = cac_tree::content_tree("the CaC scenario sample") else { return };
    let cache = tempfile::tempdir().unwrap();
    let rules = ["file_permissions_etc_group", "sshd_disable_root_login", "auditd_data_disk_full_action_stig"];
    let mut args = vec!["--product", "debian12"];
    for r in &rules {
        args.extend(["--rule", r]);
    }
    let (code, reports, stderr) = test(&tree, &base, cache.path(), &args);
    assert!(code == 0 || code == 1, "exit {code}:\n{stderr}");
    for r in &rules {
        assert!(reports.iter().any(|x| x["rule"] == *r), "no scenario of {r}: {reports:#?}");
    }
    let of = |rule: &'static str| reports.iter().filter(move |x| x["rule"] == rule);
    // Template scenarios, rendered: file_permissions_etc_group has no tests/
    // of its own.
    let templated: Vec<&Value> = of("file_permissions_etc_group").collect();
    assert!(
        templated.iter().all(|x| x["origin"] == "template file_permissions"),
        "file_permissions_etc_group's scenarios come from its template: {templated:#?}"
    );
    assert!(templated.iter().any(|x| x["expect"] == "fail") && templated.iter().any(|x| x["expect"] == "pass"));
    for x in reports.iter().filter(|x| x["status"] != "skipped") {
        let steps = x["steps"].as_array().unwrap();
        assert!(!steps.is_empty(), "a scenario that ran has steps: {x:#}");
        let script = step_output(x, "scenario");
        assert!(!script.contains("{{{") && !script.contains("{{%"), "unrendered Jinja reached the shell: {x:#}");
    }
    // Each scenario of a rule whose fix exists and that failed as promised
    // had its remediation run.
    assert!(
        reports.iter().any(|x| x["expect"] == "fail"
            && x["steps"].as_array().unwrap().iter().any(|s| s["name"] == "check after remediation")),
        "no fail scenario was remediated: {reports:#?}"
    );
    // Scenarios that source $SHARED are reported under their cause.
    let shared: Vec<&Value> = of("auditd_data_disk_full_action_stig")
        .filter(|x| step_output(x, "scenario").is_empty() && x["status"] == "skipped")
        .collect();
    assert!(
        shared.iter().any(|x| x["cause"].as_str().unwrap().contains("tests/shared")),
        "the scenarios that need CaC's tests/shared are not reported so: {:#?}",
        of("auditd_data_disk_full_action_stig").collect::<Vec<_>>()
    );
    // Scenarios for other platforms are skipped, saying so.
    assert!(of("sshd_disable_root_login")
        .any(|x| x["status"] == "skipped" && x["cause"].as_str().unwrap().contains("platform")));
}
