//! `scapc eval --format junit|sarif|github` (the shared format names), and
//! the options `--engine oscap` and ssh targets cannot pass on: a usage
//! error (exit 64) naming them, where they used to be dropped silently.
//! Self-contained: a standalone benchmark with its OVAL beside it.

use std::path::Path;
use std::process::Command;

const OVAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
  <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <definitions>
    <definition class="compliance" id="oval:t:def:1" version="1">
      <metadata><title>pass</title><description>pass</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:1"/></criteria>
    </definition>
    <definition class="compliance" id="oval:t:def:2" version="1">
      <metadata><title>fail</title><description>fail</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:2"/></criteria>
    </definition>
  </definitions>
  <tests>
    <ind:variable_test id="oval:t:tst:1" version="1" check="all" comment="always pass"><ind:object object_ref="oval:t:obj:1"/></ind:variable_test>
    <ind:variable_test id="oval:t:tst:2" version="1" check="all" check_existence="none_exist" comment="always fail"><ind:object object_ref="oval:t:obj:1"/></ind:variable_test>
  </tests>
  <objects>
    <ind:variable_object id="oval:t:obj:1" version="1"><ind:var_ref>oval:t:var:1</ind:var_ref></ind:variable_object>
  </objects>
  <variables>
    <constant_variable id="oval:t:var:1" version="1" datatype="int" comment="x"><value>100</value></constant_variable>
  </variables>
</oval_definitions>
"#;

const XCCDF: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_formats" resolved="1">
  <status>draft</status>
  <version>1</version>
  <Rule id="xccdf_t_rule_passes" selected="true" severity="low">
    <title>Passes</title>
    <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
      <check-content-ref href="oval.xml" name="oval:t:def:1"/>
    </check>
  </Rule>
  <Rule id="xccdf_t_rule_fails" selected="true" severity="high">
    <title>Fails &amp; says so</title>
    <description>A rule that fails.</description>
    <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
      <check-content-ref href="oval.xml" name="oval:t:def:2"/>
    </check>
  </Rule>
  <Rule id="xccdf_t_rule_unchecked" selected="true">
    <title>No check engine</title>
    <check system="urn:example:nothing"><check-content-ref href="x"/></check>
  </Rule>
  <Rule id="xccdf_t_rule_unselected" selected="false">
    <title>Not selected</title>
  </Rule>
</Benchmark>
"#;

fn setup() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("xccdf.xml"), XCCDF).unwrap();
    std::fs::write(t.path().join("oval.xml"), OVAL).unwrap();
    t
}

fn scapc(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc")).current_dir(dir).args(args).output().unwrap();
    let (out, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(!err.contains("panicked"), "{err}");
    (o.status.code().unwrap_or(-1), out, err)
}

#[test]
fn junit_one_case_per_evaluated_rule() {
    let t = setup();
    let (code, out, err) = scapc(t.path(), &["eval", "-q", "--format", "junit", "xccdf.xml"]);
    assert_eq!(code, 2, "{err}");
    let doc = scapc_libxml2::Document::parse(out.as_bytes(), "", scapc_libxml2::Limits::Huge).expect(&out);
    let count = |x: &str| match doc.xpath(&format!("count({x})")) {
        Ok(scapc_libxml2::XPathValue::Number(n)) => n as usize,
        other => panic!("{x}: {other:?}"),
    };
    assert_eq!(count("//testcase"), 3, "{out}");
    assert_eq!(count("//testcase[@name='xccdf_t_rule_passes' and not(*)]"), 1, "{out}");
    assert_eq!(count("//testcase[@name='xccdf_t_rule_fails']/failure[@message='fail: Fails & says so']"), 1, "{out}");
    assert_eq!(count("//testcase[@name='xccdf_t_rule_unchecked']/skipped[@message='notchecked']"), 1, "{out}");
    assert_eq!(count("/testsuites[@tests='3' and @failures='1' and @errors='0' and @skipped='1']"), 1, "{out}");
    assert_eq!(count("//testsuite[@name='default selection']/testcase[@classname='xccdf_t_benchmark_formats']"), 3);
}

#[test]
fn sarif_one_result_per_failed_rule_with_its_metadata() {
    let t = setup();
    let (code, out, err) = scapc(t.path(), &["eval", "-q", "--format", "sarif", "xccdf.xml"]);
    assert_eq!(code, 2, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
    let run = &v["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{out}");
    assert_eq!(results[0]["ruleId"], "xccdf_t_rule_fails");
    assert_eq!(results[0]["level"], "error");
    let loc = &results[0]["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "xccdf.xml");
    // the Rule element's line in the benchmark
    assert_eq!(loc["region"]["startLine"], 11, "{out}");
    let rule = &run["tool"]["driver"]["rules"][0];
    assert_eq!(rule["id"], "xccdf_t_rule_fails");
    assert_eq!(rule["shortDescription"]["text"], "Fails & says so");
    assert_eq!(rule["fullDescription"]["text"], "A rule that fails.");
    assert_eq!(rule["defaultConfiguration"]["level"], "error");
}

#[test]
fn github_annotations_for_failed_rules() {
    let t = setup();
    let (code, out, err) = scapc(t.path(), &["eval", "-q", "--format", "github", "xccdf.xml"]);
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with(
            "::error file=xccdf.xml,line=11,col=3,title=xccdf_t_rule_fails::Fails & says so (fail, severity high)"
        ),
        "{out}"
    );
}

#[test]
fn options_that_cannot_be_passed_on_are_usage_errors() {
    let t = setup();
    let cases: [(&[&str], &str); 6] = [
        (&["--engine", "oscap", "--reference", "NIST:AC-2"], "--reference"),
        (&["--engine", "oscap", "--oval-results", "dir"], "--oval-results"),
        (&["--engine", "oscap", "--export-variables"], "--export-variables"),
        (&["--target", "ssh://nobody@192.0.2.1", "--cpe", "oval.xml"], "--cpe"),
        (&["--target", "ssh://nobody@192.0.2.1", "--stig-viewer", "s.xml"], "--stig-viewer"),
        (&["--target", "ssh://nobody@192.0.2.1", "--local-files", "."], "--local-files"),
    ];
    for (extra, flag) in cases {
        let mut args = vec!["eval"];
        args.extend_from_slice(extra);
        args.push("xccdf.xml");
        let (code, _, err) = scapc(t.path(), &args);
        assert_eq!(code, 64, "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
    }
    // OVAL-only evaluation: no rules for junit, and no oscap engine
    for (extra, word) in
        [(&["--format", "junit"][..], "--format junit"), (&["--engine", "oscap"][..], "--engine oscap")]
    {
        let mut args = vec!["eval"];
        args.extend_from_slice(extra);
        args.push("oval.xml");
        let (code, _, err) = scapc(t.path(), &args);
        assert_eq!(code, 64, "{args:?}: {err}");
        assert!(err.contains(word), "{args:?}: {err}");
    }
}

/// With oscap installed: `--rule` and `--skip-rule` reach oscap.
#[test]
fn rule_selection_reaches_oscap() {
    if !Command::new("oscap").arg("--version").output().is_ok_and(|o| o.status.success()) {
        eprintln!("NOTICE: skipped: oscap is not installed");
        return;
    }
    let t = setup();
    let json = |extra: &[&str]| {
        let mut args = vec!["eval", "--engine", "oscap", "--format", "json"];
        args.extend_from_slice(extra);
        args.push("xccdf.xml");
        let (code, out, err) = scapc(t.path(), &args);
        assert!(code == 0 || code == 2, "{args:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
        let mut ids: Vec<String> =
            v["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    assert_eq!(json(&["--rule", "xccdf_t_rule_passes"]), ["xccdf_t_rule_passes"]);
    let skipped = json(&["--skip-rule", "xccdf_t_rule_fails"]);
    assert!(
        !skipped.contains(&"xccdf_t_rule_fails".to_owned()) && skipped.contains(&"xccdf_t_rule_passes".to_owned()),
        "{skipped:?}"
    );
}
