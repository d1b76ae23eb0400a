//! OpenSCAP's remediation and fix-generation unit cases
//! (`tests/API/XCCDF/unittests` in `../shared/reference/openscap-tests-*.tar.xz`)
//! through `scapc fix`, where they concern behaviour: which value a `<sub>`
//! becomes (refine-value, the default, the first value, a Value's title, an
//! empty plain-text), entity and CDATA decoding, comments, fixes that
//! cannot be substituted (`<instance>`) or have no system, and that the
//! script does what the fix says when run (in a temporary directory).
//!
//! `openscap_remediation_unit_cases` goes through every remediation and
//! fix-generation script of that directory (the `*fix*`, `*remediat*`
//! scripts of OpenSCAP's repository; their assertions restated below), runs
//! each through `scapc eval --remediate` or `scapc fix`, and prints a table:
//! `pass`, `fail`, `feature-missing` (with the feature) or `differs` (a
//! deliberate difference, named). Assertions on oscap's wording of messages
//! are left out; results, exit codes, an empty stderr, the files the fixes
//! make, the fix copied into the rule-result and the script's content are
//! kept. It fails on any `fail`.
//!
//! Skipped with a notice when the archive is absent.

mod common;

use common::Doc;
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

/// How a unit case ended.
enum Out {
    Pass,
    Fail(String),
    Missing(String),
    Differs(String),
}

fn outcome(e: Vec<String>) -> Out {
    if e.is_empty() {
        Out::Pass
    } else {
        Out::Fail(e.join("; "))
    }
}

struct Ctx {
    dir: PathBuf,
    work: tempfile::TempDir,
}

/// One run of scapc in a working directory of its own.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    cwd: PathBuf,
}

impl Ctx {
    fn cwd(&self, name: &str) -> PathBuf {
        let d = self.work.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
    fn unit(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }
    fn scapc(&self, case: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        let cwd = self.cwd(case);
        let o = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(&cwd)
            .output()
            .unwrap();
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            cwd,
        }
    }
}

/// `eval` then `eval --remediate` of one unit case (OpenSCAP's
/// test_remediation_* scripts): the plain scan must fail with score 0 and
/// no fix in the rule-result, the remediation give `want` (exit code
/// `code`), with the run fix in the rule-result when one ran, score
/// `score`, and an empty stderr each time. Returns the remediation's
/// results for more checks.
fn eval_then_remediate(
    c: &Ctx,
    name: &str,
    extra: &[&str],
    want: &str,
    code: i32,
    score: &str,
    e: &mut Vec<String>,
) -> Option<(Doc, Run)> {
    let x = c.unit(&format!("{name}.xccdf.xml"));
    let mut args = vec!["eval", "--results", "plain.xml"];
    args.extend(extra);
    args.push(&x);
    let r = c.scapc(name, &args, &[]);
    if r.code != 2 || !r.stderr.trim().is_empty() {
        e.push(format!("eval: exit {}, stderr {}", r.code, r.stderr.trim()));
    }
    let d = Doc::open(&r.cwd.join("plain.xml")).ok()?;
    d.exists(1, "//rule-result/result[text()=\"fail\"]", e);
    d.exists(0, "//rule-result/fix", e);
    d.exists(1, "//score[text()=\"0.000000\"]", e);
    let _ = std::fs::remove_file(r.cwd.join("test_file"));
    let mut args = vec!["eval", "--remediate", "--results", "rem.xml"];
    args.extend(extra);
    args.push(&x);
    let r = c.scapc(name, &args, &[]);
    if r.code != code || !r.stderr.trim().is_empty() {
        e.push(format!("eval --remediate: exit {} (want {code}), stderr {}", r.code, r.stderr.trim()));
    }
    let d = match Doc::open(&r.cwd.join("rem.xml")) {
        Ok(d) => d,
        Err(m) => {
            e.push(m);
            return None;
        }
    };
    d.exists(1, &format!("//rule-result/result[text()=\"{want}\"]"), e);
    d.exists(1, &format!("//score[text()=\"{score}\"]"), e);
    d.exists(0, "//rule-result/fix/sub", e);
    Some((d, r))
}

/// A case whose fix must fix: `fixed`, the file made, the fix in the
/// rule-result containing each of `texts`.
fn fixed_case(c: &Ctx, name: &str, extra: &[&str], texts: &[&str]) -> Out {
    let mut e = Vec::new();
    if let Some((d, r)) = eval_then_remediate(c, name, extra, "fixed", 0, "100.000000", &mut e) {
        d.exists(1, "//rule-result/fix[@system=\"urn:xccdf:fix:script:sh\"]", &mut e);
        d.exists(1, "//rule-result/message", &mut e);
        for t in texts {
            d.exists(1, &format!("//rule-result/fix[contains(text(), \"{t}\")]"), &mut e);
        }
        if !r.cwd.join("test_file").is_file() {
            e.push("the fix did not make test_file".into());
        }
    }
    outcome(e)
}

/// A case whose fix must not run: `result`, no test_file.
fn not_run_case(c: &Ctx, name: &str, result: &str, fixes_in_result: usize) -> Out {
    let mut e = Vec::new();
    if let Some((d, r)) = eval_then_remediate(c, name, &[], result, 2, "0.000000", &mut e) {
        d.exists(fixes_in_result, "//rule-result/fix", &mut e);
        d.exists(1, "//rule-result/message", &mut e);
        if r.cwd.join("test_file").exists() {
            e.push("the fix ran: test_file exists".into());
        }
    }
    outcome(e)
}

/// OpenSCAP's `xccdf remediate` cases on a benchmark holding a TestResult:
/// scapc has no remediation of a results file, so the same benchmark goes
/// through `eval --remediate`, and the new TestResult must say `fixed`
/// (or `want`) with the fix in it, and the fix must have run.
fn remediate_case(c: &Ctx, name: &str, want: &str, contains: &[&str]) -> Out {
    let mut e = Vec::new();
    let x = c.unit(&format!("{name}.xccdf.xml"));
    let r = c.scapc(name, &["eval", "--remediate", "--results", "rem.xml", &x], &[]);
    if !r.stderr.trim().is_empty() {
        e.push(format!("stderr: {}", r.stderr.trim()));
    }
    let Ok(d) = Doc::open(&r.cwd.join("rem.xml")) else { return Out::Fail("no results".into()) };
    d.exists(2, "//TestResult", &mut e);
    d.exists(1, &format!("//TestResult[last()]/rule-result/result[text()=\"{want}\"]"), &mut e);
    d.exists(1, "//TestResult[last()]/rule-result/fix", &mut e);
    for t in contains {
        d.exists(1, &format!("//TestResult[last()]/rule-result/fix[contains(text(), \"{t}\")]"), &mut e);
    }
    d.exists(0, "//TestResult[last()]/rule-result/fix/object", &mut e);
    if (want == "fixed") != r.cwd.join("test_file").is_file() {
        e.push(format!("test_file exists: {}", r.cwd.join("test_file").is_file()));
    }
    outcome(e)
}

type Case = (&'static str, fn(&Ctx) -> Out);

fn cases() -> Vec<Case> {
    vec![
        ("test_remediation_simple", |c| fixed_case(c, "test_remediation_simple", &[], &["touch test_file"])),
        ("test_remediation_amp_escaping", |c| {
            fixed_case(c, "test_remediation_amp_escaping", &[], &["true &&touch test_file", "chmod a-x test_file"])
        }),
        ("test_remediation_cdata", |c| {
            fixed_case(c, "test_remediation_cdata", &[], &[":> test_file", "chmod a-x test_file"])
        }),
        ("test_remediation_xml_comments", |c| {
            let o = fixed_case(c, "test_remediation_xml_comments", &[], &["chmod a-x test_file"]);
            // the comment (`<!-- exit 9 -->`) is not part of the fix run
            let t = std::fs::read_to_string(c.cwd("test_remediation_xml_comments").join("rem.xml")).unwrap_or_default();
            match o {
                Out::Pass if t.contains("exit 9") && t.contains("<fix system") && !t.contains("<!-- exit 9 -->") => {
                    Out::Fail("the comment's text was run".into())
                }
                o => o,
            }
        }),
        ("test_remediation_subs_plain_text", |c| {
            fixed_case(c, "test_remediation_subs_plain_text", &[], &["touch test_file", "chmod a-x test_file"])
        }),
        ("test_remediation_subs_plain_text_empty", |c| {
            fixed_case(c, "test_remediation_subs_plain_text_empty", &[], &["chmod a-x test_file"])
        }),
        ("test_remediation_subs_value_refine_value", |c| {
            fixed_case(
                c,
                "test_remediation_subs_value_refine_value",
                &["--profile", "xccdf_moc.elpmaxe.www_profile_1"],
                &["touch test_file", "chmod a-x test_file"],
            )
        }),
        ("test_remediation_subs_value_take_first", |c| {
            fixed_case(c, "test_remediation_subs_value_take_first", &[], &["chmod a-x test_file"])
        }),
        ("test_remediation_subs_value_title", |c| {
            fixed_case(c, "test_remediation_subs_value_title", &[], &["chmod a-x test_file"])
        }),
        ("test_remediation_subs_value_without_selector", |c| {
            fixed_case(c, "test_remediation_subs_value_without_selector", &[], &["chmod a-x test_file"])
        }),
        ("test_remediation_bad_fix", |c| {
            // the fix runs (exit 0) but does not fix: error, test_file absent
            let mut e = Vec::new();
            if let Some((d, r)) =
                eval_then_remediate(c, "test_remediation_bad_fix", &[], "error", 2, "0.000000", &mut e)
            {
                d.exists(1, "//rule-result/fix", &mut e);
                if r.cwd.join("test_file").exists() {
                    e.push("test_file exists".into());
                }
            }
            outcome(e)
        }),
        // <instance/> cannot be substituted: error, not run. oscap copies
        // the unrun fix into the rule-result; scapc copies only fixes it ran.
        ("test_remediation_subs_unresolved", |c| not_run_case(c, "test_remediation_subs_unresolved", "error", 0)),
        // no system: no suitable fix, the rule keeps `fail`
        ("test_remediation_fix_without_system", |c| not_run_case(c, "test_remediation_fix_without_system", "fail", 0)),
        ("test_remediation_invalid_characters", |c| {
            let x = c.unit("test_remediation_invalid_characters.xccdf.xml");
            let r = c.scapc("invalid_characters", &["eval", "--remediate", "--results", "rem.xml", &x], &[]);
            let mut e = Vec::new();
            if r.code != 0 || !r.stderr.trim().is_empty() {
                e.push(format!("exit {}, stderr {}", r.code, r.stderr.trim()));
            }
            match Doc::open(&r.cwd.join("rem.xml")) {
                Ok(d) => d.exists(1, "//message[contains(text(),'<tag>')]", &mut e),
                Err(m) => e.push(m),
            }
            outcome(e)
        }),
        ("test_remediation_environment", |c| {
            // the fix sees scapc's environment: exported and per-process variables, PATH
            let x = c.unit("test_remediation_environment.xccdf.xml");
            let r = c.scapc(
                "environment",
                &["eval", "--remediate", &x],
                &[("CANARY_EXPORTED", "CANARY_EXPORTED_VALUE"), ("CANARY_PROCESS", "CANARY_PROCESS_VALUE")],
            );
            let env = std::fs::read_to_string(r.cwd.join("remediation.env")).unwrap_or_default();
            let path = std::env::var("PATH").unwrap_or_default();
            let mut e = Vec::new();
            for want in [path.as_str(), "CANARY_EXPORTED_VALUE", "CANARY_PROCESS_VALUE"] {
                if !env.contains(want) {
                    e.push(format!("remediation.env lacks {want}: {env}"));
                }
            }
            outcome(e)
        }),
        ("test_remediation_offline", |_| {
            Out::Differs("oscap refuses remediation of an offline root; scapc remediates `dir:` roots chrooted in private namespaces (cli/tests/eval_remediate.rs)".into())
        }),
        ("test_remediate_perl", |c| remediate_case(c, "test_remediate_perl", "fixed", &[])),
        ("test_remediate_python", |c| remediate_case(c, "test_remediate_python", "fixed", &[])),
        ("test_remediate_python_subs", |c| {
            remediate_case(c, "test_remediate_python_subs", "fixed", &["import os", "touch('test_file')"])
        }),
        ("test_remediate_unresolved", |c| {
            // `<something/>` in the fix: not run, error; scapc copies only run fixes
            let x = c.unit("test_remediate_unresolved.xccdf.xml");
            let r = c.scapc("remediate_unresolved", &["eval", "--remediate", "--results", "rem.xml", &x], &[]);
            let mut e = Vec::new();
            if r.code != 2 || !r.stderr.trim().is_empty() {
                e.push(format!("exit {}, stderr {}", r.code, r.stderr.trim()));
            }
            match Doc::open(&r.cwd.join("rem.xml")) {
                Ok(d) => d.exists(1, "//TestResult[last()]/rule-result/result[text()=\"error\"]", &mut e),
                Err(m) => e.push(m),
            }
            if r.cwd.join("test_file").exists() {
                e.push("the fix ran".into());
            }
            outcome(e)
        }),
        ("test_remediate_simple", |_| {
            Out::Missing("`xccdf remediate`: remediating the failures recorded in a results file (scapc remediates within `eval --remediate`; `scapc fix --results` writes their fix)".into())
        }),
        ("test_fix_instance", |_| {
            Out::Missing(
                "rule-result/instance: rules evaluated once per instance, and fixes with `<instance>` run for each"
                    .into(),
            )
        }),
        ("test_fix_resultid_by_suffix", |_| {
            Out::Missing("`scapc fix --result-id`: choosing one TestResult of several in a results file".into())
        }),
        ("test_fix_arf", |c| {
            // eval --results-arf, then the fixes of the profile from the ARF
            let x = c.unit("test_fix_arf.xccdf.xml");
            let p = "xccdf_moc.elpmaxe.www_profile_standard";
            // as the script: the first rule's check finds this file
            std::fs::write(c.cwd("fix_arf").join("not_executable"), "").unwrap();
            let r = c.scapc("fix_arf", &["eval", "--profile", p, "--results-arf", "arf.xml", &x], &[]);
            let mut e = Vec::new();
            if r.code != 2 || !r.stderr.trim().is_empty() {
                e.push(format!("eval: exit {}, stderr {}", r.code, r.stderr.trim()));
            }
            let f = c.scapc("fix_arf", &["fix", &x, "--profile", p], &[]);
            let a = c.scapc("fix_arf", &["fix", &x, "--profile", p, "--fix-type", "ansible"], &[]);
            let only = c.scapc("fix_arf", &["fix", &x, "--results", "arf.xml"], &[]);
            for (what, r, want, not) in [
                ("bash", &f, &["echo this_is_ok", "echo fix_me_please"][..], &[][..]),
                (
                    "ansible",
                    &a,
                    &[
                        "name: ensure everything passes",
                        "shell: /bin/true",
                        "name: correct the failing case",
                        "shell: /bin/false",
                    ][..],
                    &[][..],
                ),
                ("bash --results", &only, &["echo fix_me_please"][..], &["echo this_is_ok"][..]),
            ] {
                if r.code != 0 || !r.stderr.trim().is_empty() {
                    e.push(format!("fix {what}: exit {}, stderr {}", r.code, r.stderr.trim()));
                }
                e.extend(want.iter().filter(|w| !r.stdout.contains(*w)).map(|w| format!("fix {what} lacks {w}")));
                e.extend(not.iter().filter(|w| r.stdout.contains(*w)).map(|w| format!("fix {what} has {w}")));
            }
            match outcome(e) {
                Out::Pass => Out::Missing("`--result-id` (the profile and --results parts pass)".into()),
                o => o,
            }
        }),
        ("test_fix_script_header", |c| {
            let x = c.unit("test_fix_script_header.xccdf.xml");
            let r = c.scapc("header", &["fix", &x, "--profile", "xccdf_moc.elpmaxe.www_profile_standard"], &[]);
            let mut e = Vec::new();
            for want in [
                "Standard System Security Profile",
                "This profile contains rules to ensure standard security baseline of your system.",
                "xccdf_moc.elpmaxe.www_profile_standard",
                "xccdf_moc.elpmaxe.www_benchmark_test version 1.0",
            ] {
                if !r.stdout.lines().any(|l| l.starts_with('#') && l.contains(want)) {
                    e.push(format!("no header line with {want}"));
                }
            }
            outcome(e)
        }),
        ("test_remediation_metadata", |c| {
            let x = c.unit("test_remediation_metadata.xccdf.xml");
            let mut e = Vec::new();
            for (p, kind, title) in [
                ("common", "bash", "Profile title on one line"),
                ("second", "ansible", "Second profile title on one line"),
            ] {
                let r = c.scapc("metadata", &["fix", &x, "--profile", p, "--fix-type", kind], &[]);
                for want in [title, "Profile description", "that spans two lines"] {
                    if !r.stdout.lines().any(|l| l.starts_with('#') && l.contains(want)) {
                        e.push(format!("{kind}: no comment line with {want}"));
                    }
                }
            }
            outcome(e)
        }),
        ("test_generate_fix_ansible_vars", |c| {
            // the variables of the playbook equal the golden file's, with the
            // profile and with a tailored profile
            let ds = c.unit("test_generate_fix_ansible_vars_ds.xml");
            let t = c.unit("test_generate_fix_ansible_vars_ds-tailoring.xml");
            let mut e = Vec::new();
            for (args, golden) in [
                (
                    vec!["--profile", "xccdf_com.example.www_profile_test_ansible_vars"],
                    "test_generate_fix_ansible_vars_golden.yml",
                ),
                (
                    vec!["--profile", "xccdf_com.example.www_profile_test_ansible_vars_tailored", "--tailoring", &t],
                    "test_generate_fix_ansible_vars_golden_tailoring.yml",
                ),
            ] {
                let mut a = vec!["fix", &ds, "--fix-type", "ansible"];
                a.extend(args);
                let r = c.scapc("ansible_vars", &a, &[]);
                let want = std::fs::read_to_string(c.dir.join(golden)).unwrap();
                let vars = |s: &str| -> Vec<String> {
                    s.lines()
                        .filter(|l| l.trim_start().starts_with("www_value_") || l.trim_start().starts_with("var_"))
                        .map(|l| l.trim().replace(['"', '\''], ""))
                        .collect()
                };
                if r.code != 0 || vars(&r.stdout) != vars(&want) {
                    e.push(format!(
                        "{golden}: vars {:?}, want {:?} ({})",
                        vars(&r.stdout),
                        vars(&want),
                        r.stderr.trim()
                    ));
                }
            }
            outcome(e)
        }),
        ("test_xccdf_fix_attr_export", |c| {
            // the Rules' fix attributes survive into the results' benchmark; no fix in rule-results
            let x = c.unit("test_xccdf_fix_attr_export.xccdf.xml");
            let r = c.scapc("attr_export", &["eval", "--results", "r.xml", &x], &[]);
            let mut e = Vec::new();
            match Doc::open(&r.cwd.join("r.xml")) {
                Ok(d) => {
                    d.exists(3, "//Rule/fix", &mut e);
                    d.exists(0, "//rule-result/fix", &mut e);
                    d.exists(
                        1,
                        "//fix[@id=\"fix-unknown\" and @disruption=\"unknown\" and @complexity=\"unknown\"]",
                        &mut e,
                    );
                    d.exists(1, "//fix[@id=\"fix-restrict\" and @disruption=\"medium\" and @complexity=\"high\" and @strategy=\"restrict\"]", &mut e);
                }
                Err(m) => e.push(m),
            }
            outcome(e)
        }),
        ("test_fix_filtering", |_| Out::Missing("--fix-type anaconda".into())),
        ("test_remediation_kickstart", |_| Out::Missing("--fix-type kickstart".into())),
        ("test_remediation_kickstart_raw", |_| Out::Missing("--fix-type kickstart".into())),
        ("test_remediation_blueprint", |_| Out::Missing("--fix-type blueprint".into())),
        ("test_remediation_bootc", |_| Out::Missing("--fix-type bootc".into())),
        ("test_remediation_bootc_expected_output", |_| Out::Missing("--fix-type bootc".into())),
        ("test_report_anaconda_fixes", |_| Out::Missing("anaconda fixes in the HTML guide".into())),
        ("test_report_anaconda_fixes_ds", |_| Out::Missing("anaconda fixes in the HTML guide".into())),
    ]
}

#[test]
fn openscap_remediation_unit_cases() {
    let Some((keep, dir)) = unittests() else { return };
    let c = Ctx { dir, work: tempfile::tempdir().unwrap() };
    let (mut pass, mut fail, mut missing, mut differs) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    println!("{:<48} outcome", "case");
    for (name, case) in cases() {
        let (word, why) = match case(&c) {
            Out::Pass => {
                pass += 1;
                ("pass", String::new())
            }
            Out::Fail(m) => {
                fail += 1;
                failures.push(format!("{name}: {m}"));
                ("fail", m)
            }
            Out::Missing(m) => {
                missing += 1;
                ("feature-missing", m)
            }
            Out::Differs(m) => {
                differs += 1;
                ("differs", m)
            }
        };
        println!("{name:<48} {word} {why}");
    }
    println!("{pass} pass, {fail} fail, {missing} feature-missing, {differs} differs");
    drop(keep);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
