//! `scapc diff`: fixture pairs (the base fixture and edited copies of it),
//! one per kind of change; exit codes; formats; SSG data streams.

use std::path::{Path, PathBuf};
use std::process::Command;

fn base_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/diff/base-ds.xml")
}

fn base() -> String {
    std::fs::read_to_string(base_path()).unwrap()
}

fn scapc(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc")).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Diffs the base fixture against a copy with each (from, to) replacement made.
fn diff_edit(edits: &[(&str, &str)], format: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = base();
    for (from, to) in edits {
        assert!(text.contains(from), "the fixture has no {from:?}");
        text = text.replace(from, to);
    }
    let b = dir.path().join("b.xml");
    std::fs::write(&b, text).unwrap();
    let (code, out, err) = scapc(&["diff", base_path().to_str().unwrap(), b.to_str().unwrap(), "--format", format]);
    assert!(err.is_empty(), "stderr: {err}");
    (code, out)
}

#[test]
fn identical_documents_exit_0() {
    let p = base_path();
    let (code, out, _) = scapc(&["diff", p.to_str().unwrap(), p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.contains("no differences"), "{out}");
}

#[test]
fn renumbered_oval_ids_are_no_change() {
    // Every OVAL id renumbered, comments and versions changed, definition
    // metadata reworded, elements' ids swapped: no change in meaning.
    let edits = [
        ("oval:x:def:1", "oval:y:def:7"),
        ("oval:x:tst:10", "oval:y:tst:99"),
        ("oval:x:obj:10", "oval:y:obj:3"),
        ("oval:x:ste:10", "oval:y:ste:3"),
        ("oval:x:var:20", "oval:y:var:1"),
        ("comment=\"root login\"", "comment=\"other words\""),
        ("<title>sshd root login</title>", "<title>renamed</title>"),
        ("id=\"oval:x:tst:20\" version=\"1\"", "id=\"oval:x:tst:20\" version=\"4\""),
    ];
    let (code, out) = diff_edit(&edits, "text");
    assert_eq!(code, 0, "{out}");
}

#[test]
fn oval_state_change_is_a_check_logic_change() {
    let (code, out) = diff_edit(
        &[("<ind:subexpression>no</ind:subexpression>", "<ind:subexpression>yes</ind:subexpression>")],
        "text",
    );
    assert_eq!(code, 1);
    assert!(out.contains("~ xccdf_org.example_rule_sshd_no_root"), "{out}");
    assert!(out.contains("check: oval:x:def:1 (logic changed)"), "{out}");
    assert!(
        out.contains("-")
            && out.contains("subexpression \"no\"")
            && out.contains("+")
            && out.contains("subexpression \"yes\""),
        "{out}"
    );
    // The other rule's check is untouched.
    assert!(!out.contains("rule_max_days"), "{out}");
}

#[test]
fn external_variable_change_reaches_the_rule() {
    let (code, out) =
        diff_edit(&[("datatype=\"int\" comment=\"max days\"", "datatype=\"string\" comment=\"max days\"")], "text");
    assert_eq!(code, 1);
    assert!(out.contains("~ xccdf_org.example_rule_max_days") && out.contains("check:"), "{out}");
}

#[test]
fn rule_fields() {
    let edits = [
        ("<title>Disable root login over SSH</title>", "<title>Forbid root login over SSH</title>"),
        ("severity=\"high\"", "severity=\"medium\""),
        ("CCE-1000-1", "CCE-1000-9"),
        (">5.2.10<", ">5.2.11<"),
        ("<platform idref=\"#machine\"/>", "<platform idref=\"#container\"/>"),
        ("PermitRootLogin no/'", "PermitRootLogin no/' -e 's/x/y/'"),
    ];
    let (code, out) = diff_edit(&edits, "text");
    assert_eq!(code, 1);
    for want in [
        "rules: 0 added, 0 removed, 1 changed",
        "title: Disable root login over SSH -> Forbid root login over SSH",
        "severity: high -> medium",
        "idents: + CCE-1000-9 (https://ncp.nist.gov/cce)",
        "idents: - CCE-1000-1 (https://ncp.nist.gov/cce)",
        "references: + 5.2.11 (https://www.cisecurity.org/)",
        "platform: + #container",
        "platform: - #machine",
        "fix urn:xccdf:fix:script:sh:",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn multi_line_fix_change_shows_a_diff() {
    let (code, out) =
        diff_edit(&[("/etc/login.defs</fix>", "/etc/login.defs\nchmod 0640 /etc/login.defs</fix>")], "text");
    assert_eq!(code, 1);
    assert!(out.contains("fix urn:xccdf:fix:script:sh: changed"), "{out}");
    assert!(out.contains("+chmod 0640 /etc/login.defs"), "{out}");
}

#[test]
fn rules_added_and_removed() {
    let edits = [("rule_sshd_banner", "rule_sshd_banner_v2")];
    let (code, out) = diff_edit(&edits, "text");
    assert_eq!(code, 1);
    assert!(out.contains("+ xccdf_org.example_rule_sshd_banner_v2  Set the SSH banner"), "{out}");
    assert!(out.contains("- xccdf_org.example_rule_sshd_banner  Set the SSH banner"), "{out}");
}

#[test]
fn profile_selections_and_values() {
    let edits = [
        (
            "<select idref=\"xccdf_org.example_rule_max_days\" selected=\"true\"/>",
            "<select idref=\"xccdf_org.example_rule_max_days\" selected=\"false\"/>\n<select idref=\"xccdf_org.example_rule_sshd_banner\" selected=\"true\"/>",
        ),
        ("selector=\"90\"/>", "selector=\"365\"/>"),
    ];
    let (code, out) = diff_edit(&edits, "text");
    assert_eq!(code, 1);
    for want in [
        "~ xccdf_org.example_profile_base  Base",
        "selects: + xccdf_org.example_rule_sshd_banner",
        "selects: - xccdf_org.example_rule_max_days",
        "unselects: + xccdf_org.example_rule_max_days",
        "refine-value xccdf_org.example_value_max_days: 90 -> 365",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}

#[test]
fn values_changed() {
    let (code, out) = diff_edit(&[("<value>60</value>", "<value>45</value>")], "text");
    assert_eq!(code, 1);
    assert!(out.contains("~ xccdf_org.example_value_max_days"), "{out}");
    assert!(out.contains("values (default): 60 -> 45"), "{out}");
}

#[test]
fn group_moves_and_titles() {
    let (code, out) = diff_edit(&[("<title>Accounts</title>", "<title>Account settings</title>")], "text");
    assert_eq!(code, 1);
    assert!(
        out.contains("groups: 0 added, 0 removed, 1 changed") && out.contains("title: Accounts -> Account settings"),
        "{out}"
    );
}

#[test]
fn json_and_markdown() {
    let edits = [("severity=\"high\"", "severity=\"low\""), ("<value>60</value>", "<value>45</value>")];
    let (code, out) = diff_edit(&edits, "json");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules = &v["kinds"][0];
    assert_eq!(rules["kind"], "rule");
    assert_eq!(rules["changed"][0]["changes"][0]["field"], "severity");
    assert_eq!(rules["changed"][0]["changes"][0]["before"], "high");
    assert_eq!(rules["changed"][0]["changes"][0]["after"], "low");
    let (code, md) = diff_edit(&edits, "markdown");
    assert_eq!(code, 1);
    assert!(md.contains("| rules | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("| values | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("<details><summary><b>rules</b>"), "{md}");
    assert!(md.contains("**severity**: high → low"), "{md}");
}

#[test]
fn bad_input_exits_2_with_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.xml");
    std::fs::write(&bad, "<a>\n  <b>\n</a>\n").unwrap();
    let (code, out, err) = scapc(&["diff", base_path().to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("bad.xml:3:"), "{err}");
    let (code, _, err) = scapc(&["diff", base_path().to_str().unwrap(), "/nonexistent/x.xml"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn ssg_stream_against_an_edited_copy() {
    let p = Path::new("/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml");
    if !p.exists() {
        eprintln!("skipped: {} is absent", p.display());
        return;
    }
    let text = std::fs::read_to_string(p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Renumber one definition everywhere: no change.
    let from = "oval:ssg-sshd_disable_root_login:def:1";
    assert!(text.contains(from));
    let renumbered = dir.path().join("renumbered.xml");
    std::fs::write(&renumbered, text.replace(from, "oval:ssg-sshd_disable_root_login:def:42")).unwrap();
    let (code, out, err) = scapc(&["diff", p.to_str().unwrap(), renumbered.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    // Change one rule's severity: exactly that.
    let rule = "id=\"xccdf_org.ssgproject.content_rule_sshd_disable_root_login\" severity=\"medium\"";
    assert!(text.contains(rule));
    let edited = dir.path().join("edited.xml");
    std::fs::write(&edited, text.replace(rule, &rule.replace("medium", "high"))).unwrap();
    let (code, out, _) = scapc(&["diff", p.to_str().unwrap(), edited.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("rules: 0 added, 0 removed, 1 changed") && out.contains("severity: medium -> high"), "{out}");
}
