//! OpenSCAP's remediation and fix-generation unit cases
//! (`tests/API/XCCDF/unittests` in `../shared/reference/openscap-tests-*.tar.xz`)
//! through `scapc fix`, where they concern behaviour: which value a `<sub>`
//! becomes (refine-value, the default, the first value, a Value's title, an
//! empty plain-text), entity and CDATA decoding, comments, fixes that
//! cannot be substituted (`<instance>`) or have no system, and that the
//! script does what the fix says when run (in a temporary directory).
//!
//! Skipped with a notice when the archive is absent.

use std::path::{Path, PathBuf};
use std::process::Command;

fn unittests() -> Option<(tempfile::TempDir, PathBuf)> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference");
    let archive = std::fs::read_dir(&shared).ok().and_then(|rd| {
        rd.flatten().map(|e| e.path()).find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with("openscap-tests-") && n.ends_with(".tar.xz")
        })
    });
    let Some(archive) = archive else {
        eprintln!("NOTICE: no openscap-tests archive in {}; skipped", shared.display());
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    let st = Command::new("tar").arg("-xJf").arg(&archive).arg("-C").arg(tmp.path()).status().unwrap();
    assert!(st.success(), "cannot unpack {}", archive.display());
    let dir = tmp.path().join("openscap-tests/tests/API/XCCDF/unittests");
    assert!(dir.is_dir(), "{} is missing from the archive", dir.display());
    Some((tmp, dir))
}

/// `scapc fix` on a unit case: (exit code, script, stderr).
fn fix(dir: &Path, name: &str, extra: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .arg("fix")
        .arg(dir.join(format!("{name}.xccdf.xml")))
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Runs a script in an empty directory; returns (exit code, the directory).
fn run_in_tmp(script: &str) -> (i32, tempfile::TempDir) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("fix.sh"), script).unwrap();
    let st = Command::new("bash").arg("fix.sh").current_dir(d.path()).output().unwrap();
    (st.status.code().unwrap_or(-1), d)
}

#[test]
fn substitutions_make_the_fix_touch_test_file() {
    let Some((_keep, dir)) = unittests() else { return };
    // (case, profile)
    let cases: &[(&str, Option<&str>)] = &[
        ("test_remediation_simple", None),
        ("test_remediation_subs_value_refine_value", Some("xccdf_moc.elpmaxe.www_profile_1")),
        ("test_remediation_subs_value_take_first", None),
        ("test_remediation_subs_value_without_selector", None),
        ("test_remediation_subs_value_title", None),
        ("test_remediation_subs_plain_text_empty", None),
        ("test_remediation_amp_escaping", None),
        ("test_remediation_cdata", None),
        ("test_remediation_xml_comments", None),
    ];
    for (name, profile) in cases {
        let mut extra = Vec::new();
        if let Some(p) = profile {
            extra.extend(["--profile", p]);
        }
        let (code, script, err) = fix(&dir, name, &extra);
        assert_eq!(code, 0, "{name}: {err}");
        assert!(script.contains("chmod a-x test_file"), "{name}: {script}");
        assert!(!script.contains("<sub") && !script.contains("delme"), "{name}: wrong value:\n{script}");
        assert!(!script.contains("exit 9"), "{name}: a comment became code:\n{script}");
        let (rc, d) = run_in_tmp(&script);
        assert_eq!(rc, 0, "{name}: the script failed:\n{script}");
        let m = std::fs::metadata(d.path().join("test_file")).unwrap_or_else(|_| panic!("{name}: no test_file"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(m.permissions().mode() & 0o111, 0, "{name}: test_file is executable");
    }
    let (_, s, _) = fix(&dir, "test_remediation_amp_escaping", &[]);
    assert!(s.contains("true &&touch test_file"), "{s}");
    let (_, s, _) = fix(&dir, "test_remediation_subs_plain_text_empty", &[]);
    assert!(s.contains("touch test_file"), "{s}");
}

#[test]
fn special_characters_are_decoded() {
    let Some((_keep, dir)) = unittests() else { return };
    let (code, s, err) = fix(&dir, "test_remediation_invalid_characters", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(s.contains(r#"echo "<tag>""#), "{s}");
    assert!(s.contains(r#"echo -e "\a \b \r \x1F""#), "{s}");
}

#[test]
fn unsubstitutable_and_systemless_fixes_are_left_out() {
    let Some((_keep, dir)) = unittests() else { return };
    // <instance/>: oscap aborts the fix ("Text substitution failed")
    let (code, s, err) = fix(&dir, "test_remediation_subs_unresolved", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!s.contains("touch test_file"), "{s}");
    assert!(s.contains("Left out, text substitution failed: xccdf_moc.elpmaxe.www_rule_1"), "{s}");
    // a fix without a system is no bash fix
    let (code, s, err) = fix(&dir, "test_remediation_fix_without_system", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!s.contains("touch test_file") && s.contains("1 without a fix of this kind"), "{s}");
}
