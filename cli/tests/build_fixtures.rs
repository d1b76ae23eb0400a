//! Fixture-driven tests of `scapc build`.
//!
//! `tests/fixtures/valid/minimal` is a small, complete content tree. Each
//! folder in `tests/fixtures/invalid/` is an overlay: its files replace or
//! add to the minimal tree, breaking it in one way. The test builds the
//! result and compares the diagnostics with the folder's `expected.txt`.
//!
//! To update the golden files after an intended change:
//! `SCAPC_BLESS=1 cargo test -p scapc --test build_fixtures`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target);
        } else if entry.file_name() != "expected.txt" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn scapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("run scapc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn minimal_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("tests/fixtures/valid/minimal"), tmp.path());
    tmp
}

#[test]
fn every_invalid_fixture_fails_with_its_expected_diagnostics() {
    let bless = std::env::var_os("SCAPC_BLESS").is_some();
    let dir = repo().join("tests/fixtures/invalid");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 15, "expected the fixture set, found {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = minimal_copy();
        copy_tree(case, tmp.path());
        let (code, _stdout, stderr) = scapc(tmp.path(), &["build", "-C", ".", "-o", "out"]);
        if code != 1 {
            failures.push(format!("{name}: exit code {code}, expected 1\n{stderr}"));
            continue;
        }
        if tmp.path().join("out").exists() {
            failures.push(format!("{name}: a failed build left files in the output directory"));
        }
        if !stderr.lines().any(|l| l.contains(": error[")) {
            failures.push(format!("{name}: no located error in:\n{stderr}"));
        }
        let golden = case.join("expected.txt");
        if bless {
            std::fs::write(&golden, &stderr).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected != stderr {
            let diff = similar::TextDiff::from_lines(&expected, &stderr)
                .unified_diff()
                .header("expected", "actual")
                .to_string();
            failures.push(format!("{name}: output differs from expected.txt (SCAPC_BLESS=1 to update)\n{diff}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn minimal_tree_builds_and_is_byte_identical_twice() {
    let tmp = minimal_copy();
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", ".", "-o", "a"]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", ".", "-o", "b"]);
    assert_eq!(code, 0, "{stderr}");
    let names = [
        "demo-ds.xml",
        "demo-xccdf.xml",
        "demo-oval.xml",
        "demo-ocil.xml",
        "demo-cpe-dictionary.xml",
        "demo-cpe-oval.xml",
    ];
    for n in names {
        let a = std::fs::read(tmp.path().join("a").join(n)).unwrap();
        let b = std::fs::read(tmp.path().join("b").join(n)).unwrap();
        assert!(a.len() > 200, "{n} is suspiciously small");
        assert_eq!(a, b, "{n} differs between two builds");
    }
    let ds = std::fs::read_to_string(tmp.path().join("a/demo-ds.xml")).unwrap();
    // SOURCE_DATE_EPOCH=1700000000 sets every timestamp.
    assert!(ds.contains("timestamp=\"2023-11-14T22:13:20\""));
    assert!(!ds.contains("2026-"), "a timestamp did not come from SOURCE_DATE_EPOCH");
}

#[test]
fn minimal_tree_output_has_the_expected_structure() {
    let tmp = minimal_copy();
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", ".", "-o", "a"]);
    assert_eq!(code, 0, "{stderr}");
    let read = |n: &str| std::fs::read_to_string(tmp.path().join("a").join(n)).unwrap();
    let ds = read("demo-ds.xml");
    // Five components, each referenced once, ids never doubled.
    for part in ["xccdf", "oval", "ocil", "cpe-dictionary", "cpe-oval"] {
        assert!(ds.contains(&format!("<ds:component id=\"scap_org.example_comp_demo-{part}.xml\"")), "{part}");
    }
    assert!(!ds.contains("cref_scap_"), "doubled ids");
    let x = read("demo-xccdf.xml");
    // Template parameters reached the fix; xccdf_value became a sub.
    assert!(x.contains("chmod 0644 &apos;/etc/passwd&apos;") || x.contains("chmod 0644 '/etc/passwd'"), "{x}");
    assert!(x.contains("<xccdf-1.2:sub idref=\"xccdf_org.example_value_var_mode\" use=\"legacy\"/>"));
    // Platform: expression, CPE-AL logical test, and the bash guard.
    assert!(x.contains("<xccdf-1.2:platform idref=\"#package_passwd\"/>"));
    assert!(x.contains("<cpe-lang:check-fact-ref system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\" href=\"demo-cpe-oval.xml\""));
    // Profiles are resolved: strict has base's selection plus its own changes.
    let strict = &x[x.find("profile_strict").unwrap()..];
    let strict = &strict[..strict.find("</xccdf-1.2:Profile>").unwrap()];
    assert!(strict.contains("rule_passwd_mode\" selected=\"true\""));
    assert!(strict.contains("rule_etc_group_mode\" selected=\"false\""));
    assert!(strict.contains("refine-value idref=\"xccdf_org.example_value_var_mode\" selector=\"strict\""));
    assert!(strict.contains("refine-rule idref=\"xccdf_org.example_rule_passwd_mode\" severity=\"high\""));
    // The manual rule has only an OCIL check.
    let manual = &x[x.find("Rule id=\"xccdf_org.example_rule_manual_review\"").unwrap()..];
    let manual = &manual[..manual.find("</xccdf-1.2:Rule>").unwrap()];
    assert!(manual.contains("http://scap.nist.gov/schema/ocil/2"));
    assert!(!manual.contains("oval-definitions-5"));
    let o = read("demo-oval.xml");
    assert!(o.contains("<reference source=\"CCE\" ref_id=\"CCE-80001-1\"/>"), "{o}");
}

#[test]
fn missing_tree_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", "nowhere"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a directory"), "{stderr}");
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", "."]);
    assert_eq!(code, 1);
    assert!(stderr.contains("no product found"), "{stderr}");
}

#[test]
fn json_and_sarif_diagnostics_are_machine_readable() {
    let tmp = minimal_copy();
    copy_tree(&repo().join("tests/fixtures/invalid/unknown_key"), tmp.path());
    let (code, stdout, _) = scapc(tmp.path(), &["build", "-C", ".", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "E0102");
    assert_eq!(d["location"]["file"], "rules/files/manual_review/rule.yml");
    assert_eq!(d["location"]["line"], 2);
    assert_eq!(d["location"]["column"], 1);
    let (_, stdout, _) = scapc(tmp.path(), &["build", "-C", ".", "--format", "sarif"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "E0102");
}

#[test]
fn bad_source_date_epoch_is_a_usage_error() {
    let tmp = minimal_copy();
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["build", "-C", "."])
        .current_dir(tmp.path())
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH"));
}

#[test]
fn a_tree_without_ocil_gets_no_ocil_component() {
    let tmp = minimal_copy();
    std::fs::remove_dir_all(tmp.path().join("rules/files/manual_review")).unwrap();
    let rule = tmp.path().join("rules/files/passwd_mode/rule.yml");
    let text = std::fs::read_to_string(&rule).unwrap();
    let text: String = text.lines().filter(|l| !l.starts_with("ocil")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&rule, text).unwrap();
    let strict = tmp.path().join("profiles/strict.profile");
    let p = std::fs::read_to_string(&strict).unwrap().replace("  - manual_review\n", "");
    std::fs::write(&strict, p).unwrap();
    let (code, _, stderr) = scapc(tmp.path(), &["build", "-C", ".", "-o", "out"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!tmp.path().join("out/demo-ocil.xml").exists());
    let ds = std::fs::read_to_string(tmp.path().join("out/demo-ds.xml")).unwrap();
    assert!(!ds.contains("ocil"), "an OCIL reference is left in the data stream");
    if let Ok(o) = Command::new("oscap").args(["ds", "sds-validate"]).arg(tmp.path().join("out/demo-ds.xml")).output() {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
}
