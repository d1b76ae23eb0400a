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
//! each through `scapc eval --remediate`, `scapc remediate` (oscap's
//! `xccdf remediate`) or `scapc fix`, and prints a table:
//! `pass`, `fail` or `differs` (a
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
/// `scapc remediate --results`, and the new TestResult (`…001`) must say
/// `fixed` (or `want`) with the fix in it, and the fix must have run.
fn remediate_case(c: &Ctx, name: &str, want: &str, contains: &[&str]) -> Out {
    let mut e = Vec::new();
    let x = c.unit(&format!("{name}.xccdf.xml"));
    let r = c.scapc(name, &["remediate", "--results", "rem.xml", &x], &[]);
    let code = if want == "fixed" { 0 } else { 2 };
    if r.code != code || !r.stderr.trim().is_empty() {
        e.push(format!("exit {} (want {code}), stderr {}", r.code, r.stderr.trim()));
    }
    let Ok(d) = Doc::open(&r.cwd.join("rem.xml")) else { return Out::Fail("no results".into()) };
    let tr = "//TestResult[@id=\"xccdf_org.open-scap_testresult_default-profile001\"]";
    d.exists(2, "//TestResult", &mut e);
    d.exists(1, &format!("{tr}/rule-result/result[text()=\"{want}\"]"), &mut e);
    d.exists(1, &format!("{tr}/rule-result/fix"), &mut e);
    d.exists(1, &format!("{tr}/rule-result/message"), &mut e);
    for t in contains {
        d.exists(1, &format!("{tr}/rule-result/fix[contains(text(), \"{t}\")]"), &mut e);
    }
    d.exists(0, &format!("{tr}/rule-result/fix/object"), &mut e);
    // the input's TestResult is kept as it was
    d.exists(
        1,
        "//TestResult[@id=\"xccdf_org.open-scap_testresult_default-profile\"]/rule-result/result[text()=\"fail\"]",
        &mut e,
    );
    if (want == "fixed") != r.cwd.join("test_file").is_file() {
        e.push(format!("test_file exists: {}", r.cwd.join("test_file").is_file()));
    }
    outcome(e)
}

/// `xccdf remediate` of each TestResult of test_remediate_simple in turn
/// (the first run on the benchmark, the others on the results written):
/// the chosen TestResult (default: the last) is copied to the first free
/// `ID001`, `ID002`, … with start and end times of now; only `fail`
/// rule-results are remediated, each checked again with the check its
/// rule-result names (`def:0000`, which does not exist, cannot pass:
/// `error`); the TestResults read are kept as they were.
fn remediate_simple(c: &Ctx) -> Out {
    let mut e = Vec::new();
    let cwd = c.cwd("remediate_simple");
    std::fs::copy(c.dir.join("test_remediation_simple.oval.xml"), cwd.join("test_remediation_simple.oval.xml"))
        .unwrap();
    let x = c.unit("test_remediate_simple.xccdf.xml");
    let base = "xccdf_org.open-scap_testresult_default-profile";
    let today = |d: &Doc, id: &str, e: &mut Vec<String>| {
        let now = scapc_now();
        for attr in ["start-time", "end-time"] {
            let t = d.text(&format!("//TestResult[@id=\"{id}\"]/@{attr}"));
            if !t.starts_with(&now[..13]) {
                e.push(format!("{id}/@{attr} is {t:?}, not now ({now})"));
            }
        }
    };
    // (result-id, input, exit, new id, TestResults after)
    let steps = [
        (None, x.as_str(), 0, "002001", 4),
        (Some("002"), "r.xml", 0, "002002", 5),
        (Some("001"), "r.xml", 2, "001001", 6),
        (Some(""), "r.xml", 0, "003", 7),
    ];
    // (the new rule-result's result, test_file made, its messages: None unchecked)
    let wants =
        [("notchecked", false, None), ("notchecked", false, None), ("error", true, Some(2)), ("fixed", true, Some(1))];
    for ((id, input, code, new, count), (result, made, messages)) in steps.into_iter().zip(wants) {
        let full = id.map(|s| format!("{base}{s}"));
        let mut args = vec!["remediate"];
        if let Some(f) = &full {
            args.extend(["--result-id", f.as_str()]);
        }
        args.extend(["--results", "r.xml", input]);
        let r = c.scapc("remediate_simple", &args, &[]);
        if r.code != code || !r.stderr.trim().is_empty() {
            e.push(format!("{args:?}: exit {} (want {code}), stderr {}", r.code, r.stderr.trim()));
        }
        if cwd.join("test_file").exists() != made {
            e.push(format!("{args:?}: test_file exists: {}", !made));
        }
        let _ = std::fs::remove_file(cwd.join("test_file"));
        let d = match Doc::open(&cwd.join("r.xml")) {
            Ok(d) => d,
            Err(m) => return Out::Fail(m),
        };
        let tr = format!("{base}{new}");
        d.exists(count, "//TestResult", &mut e);
        d.exists(1, &format!("//TestResult[@id=\"{tr}\"]/rule-result/result[text()=\"{result}\"]"), &mut e);
        today(&d, &tr, &mut e);
        if let Some(messages) = messages {
            d.exists(messages, &format!("//TestResult[@id=\"{tr}\"]/rule-result/message"), &mut e);
            d.exists(1, &format!("//TestResult[@id=\"{tr}\"]/rule-result/fix"), &mut e);
        }
    }
    // the input's TestResults are kept
    if let Ok(d) = Doc::open(&cwd.join("r.xml")) {
        for (id, start, result, msgs) in [
            ("", "2013-02-27T14:54:43", "fail", 0),
            ("001", "2013-02-27T15:01:56", "fail", 0),
            ("002", "2013-02-27T15:01:57", "notchecked", 1),
        ] {
            let tr = format!("//TestResult[@id=\"{base}{id}\"]");
            d.exists(1, &format!("{tr}[@start-time=\"{start}\"]"), &mut e);
            d.exists(1, &format!("{tr}/rule-result/result[text()=\"{result}\"]"), &mut e);
            d.exists(0, &format!("{tr}/rule-result/fix"), &mut e);
            d.exists(msgs, &format!("{tr}/rule-result/message"), &mut e);
        }
        d.exists(1, &format!("//TestResult[@id=\"{base}\"]/target[text()=\"x.x.example.com\"]"), &mut e);
        d.exists(2, &format!("//TestResult[@id=\"{base}\"]/target-address"), &mut e);
    }
    outcome(e)
}

/// The current UTC time as `YYYY-MM-DDTHH:MM`, from date(1).
fn scapc_now() -> String {
    let o = Command::new("date").args(["-u", "+%Y-%m-%dT%H:%M"]).output().unwrap();
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

/// test_fix_instance: `eval` on a benchmark whose TestResult holds two
/// rule-results of one rule (instances `a` and `b`) keeps them beside the
/// new one; `remediate --result-id` runs the fix once per instance with
/// `<instance/>` replaced by it, and records each.
fn fix_instance(c: &Ctx) -> Out {
    let mut e = Vec::new();
    let x = c.unit("test_fix_instance.xccdf.xml");
    let cwd = c.cwd("fix_instance");
    let r = c.scapc("fix_instance", &["eval", "--results", "e.xml", &x], &[]);
    if r.code != 2 {
        e.push(format!("eval: exit {}, stderr {}", r.code, r.stderr.trim()));
    }
    match Doc::open(&cwd.join("e.xml")) {
        Ok(d) => {
            d.exists(1, "/Benchmark/Rule/fix/instance", &mut e);
            d.exists(3, "//rule-result", &mut e);
            d.exists(2, "//rule-result/instance", &mut e);
            d.exists(1, "//rule-result/instance[text()=\"a\"]", &mut e);
            d.exists(1, "//rule-result/instance[text()=\"b\"]", &mut e);
            d.exists(3, "//rule-result/result[text()=\"fail\"]", &mut e);
        }
        Err(m) => e.push(m),
    }
    let r = c.scapc(
        "fix_instance",
        &["remediate", "--result-id", "xccdf_org.open-scap_testresult_default-profile", "--results", "r.xml", &x],
        &[],
    );
    if !r.stderr.trim().is_empty() {
        e.push(format!("remediate: stderr {}", r.stderr.trim()));
    }
    let mut fixed = 0;
    match Doc::open(&cwd.join("r.xml")) {
        Ok(d) => {
            d.exists(1, "/Benchmark/Rule/fix/instance", &mut e);
            d.exists(4, "//rule-result", &mut e);
            d.exists(2, "//rule-result/instance[text()=\"a\"]", &mut e);
            d.exists(2, "//rule-result/instance[text()=\"b\"]", &mut e);
            d.exists(2, "//rule-result/fix", &mut e);
            d.exists(1, "//rule-result/fix[contains(text(), \"echo Hello > test_file #a\")]", &mut e);
            d.exists(1, "//rule-result/fix[contains(text(), \"echo Hello > test_file #b\")]", &mut e);
            d.exists(2, "//rule-result/result[text()=\"fail\"]", &mut e);
            fixed = d.count("//rule-result/result[text()=\"fixed\"]");
        }
        Err(m) => e.push(m),
    }
    if std::fs::read_to_string(cwd.join("test_file")).unwrap_or_default() != "Hello\n" {
        e.push("the fixes did not write test_file".into());
    }
    // The check's state compares the item's filepath with `./test_file`:
    // items report a relative path as written, as oscap's do.
    if fixed != 2 {
        e.push(format!("{fixed} rule-results `fixed`, want 2"));
    }
    outcome(e)
}

/// A file generated by `scapc fix` in the case's directory: (exit, text, stderr).
fn gen(c: &Ctx, case: &str, args: &[&str]) -> (i32, String, String) {
    let mut a = vec!["fix"];
    a.extend(args);
    let r = c.scapc(case, &a, &[]);
    (r.code, r.stdout, r.stderr)
}

/// From the first line that starts with `from` on, lines matching `drop` left out.
fn body(text: &str, from: &str, drop: &str) -> String {
    let mut on = false;
    let mut out = String::new();
    for l in text.lines() {
        on |= l.starts_with(from);
        if on && (drop.is_empty() || !l.starts_with(drop)) {
            out.push_str(l);
            out.push('\n');
        }
    }
    out
}

/// test_remediation_kickstart: the kickstart of profile `common` equals the
/// expected one after the header (the random `rootpw` aside); with a
/// tailoring the tailored lists and the tailoring copied into `%post`; none
/// from results; each bad fix line named on stderr.
fn kickstart(c: &Ctx) -> Out {
    let mut e = Vec::new();
    let ds = c.unit("test_remediation_kickstart.ds.xml");
    let (code, ks, err) = gen(c, "kickstart", &["--fix-type", "kickstart", "--profile", "common", &ds]);
    if code != 0 || !err.is_empty() {
        e.push(format!("exit {code}, stderr {err}"));
    }
    let want = std::fs::read_to_string(c.dir.join("test_remediation_kickstart_expected.cfg")).unwrap();
    if body(&ks, "# Default values", "rootpw ") != body(&want, "# Default values", "rootpw ") {
        e.push(format!("the kickstart differs from the expected one:\n{ks}"));
    }
    for want in [
        "# Kickstart for Common hardening profile",
        "# This is a very cool profile",
        "# Profile ID:  xccdf_org.openscap.www_profile_common",
        "# Benchmark ID:  xccdf_org.openscap.www_benchmark_test",
        "# Benchmark Version:  1.0",
    ] {
        if !ks.lines().any(|l| l == want) {
            e.push(format!("the header lacks `{want}`"));
        }
    }
    if !ks.lines().any(|l| l.starts_with("rootpw ") && l.len() > 20) {
        e.push("no random root password".into());
    }
    let t = c.unit("test_remediation_kickstart.tailoring.xml");
    let (code, ks, err) =
        gen(c, "kickstart", &["--tailoring", &t, "--fix-type", "kickstart", "--profile", "custom", &ds]);
    if code != 0 || !err.is_empty() {
        e.push(format!("tailoring: exit {code}, stderr {err}"));
    }
    // oscap writes `<<END_OF_TAILORING`, whose text the shell expands
    // (`$(…)` in a tailoring would run); scapc quotes the delimiter.
    for want in [
        "services --enabled=auditd,rsyslog",
        "cat >/root/oscap_tailoring.xml <<'END_OF_TAILORING'",
        "ns0:Tailoring",
        "oscap xccdf eval --remediate --tailoring-file /root/oscap_tailoring.xml",
    ] {
        if !ks.contains(want) {
            e.push(format!("tailoring: no `{want}`"));
        }
    }
    if ks.contains("openssh-server") {
        e.push("tailoring: openssh-server (rule 5 is unselected)".into());
    }
    let (code, _, err) = gen(
        c,
        "kickstart",
        &[
            "--fix-type",
            "kickstart",
            "--result-id",
            "xccdf_org.open-scap_testresult_xccdf_org.ssgproject.content_profile_ospp",
            &ds,
        ],
    );
    if code != 1 || !err.contains("cannot be made from a scan's results") {
        e.push(format!("results-oriented: exit {code}, stderr {err}"));
    }
    let bad = c.unit("test_remediation_kickstart_invalid.ds.xml");
    for (profile, want) in [
        ("broken_service", "Unsupported 'service' command keyword 'slow' in command: 'service slow down'"),
        ("broken_package", "Unsupported 'package' command keyword 'build' in command:'package build sources'"),
        ("broken_logvol", "Unexpected string 'crypto' in command: 'logvol /var 158 crypto'"),
        ("unknown_command", "Unsupported command keyword 'unknown' in command: 'unknown command'"),
    ] {
        let (code, _, err) = gen(c, "kickstart", &["--fix-type", "kickstart", "--profile", profile, &bad]);
        if code != 0 || !err.contains(want) {
            e.push(format!("{profile}: exit {code}, stderr {err}"));
        }
    }
    outcome(e)
}

fn kickstart_raw(c: &Ctx) -> Out {
    let ds = c.unit("test_remediation_kickstart.ds.xml");
    let (code, ks, err) = gen(c, "kickstart_raw", &["--fix-type", "kickstart", "--raw", "--profile", "common", &ds]);
    let want = std::fs::read_to_string(c.dir.join("test_remediation_kickstart_expected_raw.cfg")).unwrap();
    if code != 0 || !err.is_empty() || ks != want {
        return Out::Fail(format!("exit {code}, stderr {err}, kickstart:\n{ks}"));
    }
    Out::Pass
}

/// test_remediation_blueprint: the blueprint equals the expected one from
/// `name =` on; the header names the profile and benchmark.
fn blueprint(c: &Ctx) -> Out {
    let mut e = Vec::new();
    let x = c.unit("test_remediation_blueprint.xccdf.xml");
    let (code, bp, err) = gen(c, "blueprint", &["--fix-type", "blueprint", "--profile", "common", &x]);
    if code != 0 || !err.is_empty() {
        e.push(format!("exit {code}, stderr {err}"));
    }
    let want = std::fs::read_to_string(c.dir.join("test_remediation_blueprint.toml")).unwrap();
    if body(&bp, "name = \"hardened_", "") != body(&want, "name = \"hardened_", "") {
        e.push(format!("the blueprint differs from the expected one:\n{bp}"));
    }
    for want in [
        "# Blueprint for Profile title on one line",
        "# Profile description",
        "# Profile ID:  xccdf_moc.elpmaxe.www_profile_common",
        "# Benchmark ID:  xccdf_moc.elpmaxe.www_benchmark_test",
    ] {
        if !bp.lines().any(|l| l == want) {
            e.push(format!("the header lacks `{want}`"));
        }
    }
    outcome(e)
}

/// OpenSCAP's tests/API/XCCDF/unittests/test_remediation_bootc_expected_output.sh
/// (a .sh, so not in the archive; restated).
const BOOTC_EXPECTED: &str =
    "#!/bin/bash\ndnf -y install \\\n    rsyslog \\\n    reboot \\\n    podman\n\ndnf -y remove \\\n    usbguard\n";

fn bootc(c: &Ctx) -> (i32, String, String) {
    let ds = c.unit("test_remediation_bootc.ds.xml");
    gen(c, "bootc", &["--fix-type", "bootc", "--profile", "common", &ds])
}

/// The anaconda cases: `scapc fix --fix-type anaconda` holds each of
/// `want` as a line and nothing else but white space and punctuation.
fn anaconda(c: &Ctx, case: &str, args: &[&str], want: &[&str]) -> Vec<String> {
    let mut a = vec!["--fix-type", "anaconda"];
    a.extend(args);
    let (code, text, err) = gen(c, case, &a);
    let mut e = Vec::new();
    if code != 0 || !err.is_empty() {
        e.push(format!("{args:?}: exit {code}, stderr {err}"));
    }
    for w in want {
        if !text.lines().any(|l| l.trim() == *w) {
            e.push(format!("{args:?}: no line `{w}`"));
        }
    }
    let rest: String = text
        .lines()
        .filter(|l| !want.contains(&l.trim()))
        .flat_map(|l| l.chars())
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !rest.is_empty() {
        e.push(format!("{args:?}: more than the fixes: {text}"));
    }
    e
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
            // `<something/>` in the fix: not run, error; oscap copies the
            // unrun fix into the rule-result, scapc copies only fixes it ran
            let x = c.unit("test_remediate_unresolved.xccdf.xml");
            let r = c.scapc("remediate_unresolved", &["remediate", "--results", "rem.xml", &x], &[]);
            let mut e = Vec::new();
            if r.code != 2 || !r.stderr.trim().is_empty() {
                e.push(format!("exit {}, stderr {}", r.code, r.stderr.trim()));
            }
            let tr = "//TestResult[@id=\"xccdf_org.open-scap_testresult_default-profile001\"]";
            match Doc::open(&r.cwd.join("rem.xml")) {
                Ok(d) => {
                    d.exists(1, "//Rule/fix[@system=\"urn:xccdf:fix:script:sh\"]/something", &mut e);
                    d.exists(2, "//TestResult", &mut e);
                    d.exists(1, &format!("{tr}/rule-result/result[text()=\"error\"]"), &mut e);
                    d.exists(1, &format!("{tr}/rule-result/message"), &mut e);
                }
                Err(m) => e.push(m),
            }
            if r.cwd.join("test_file").exists() {
                e.push("the fix ran".into());
            }
            outcome(e)
        }),
        ("test_remediate_simple", remediate_simple),
        ("test_fix_instance", fix_instance),
        ("test_fix_resultid_by_suffix", |c| {
            // a unique end of an id chooses the TestResult; none or several is an error
            let x = c.unit("test_fix_resultid_by_suffix.xml");
            let mut e = Vec::new();
            for (id, code, err) in [
                ("standard", 0, ""),
                ("_common", 0, ""),
                ("rare", 1, "no TestResult has the id `rare`"),
                ("common", 1, "several TestResults have an id that ends with `common`"),
            ] {
                let (got, _, stderr) = gen(c, "resultid", &["--result-id", id, "-o", "fix.sh", &x]);
                if got != code || !stderr.contains(err) {
                    e.push(format!("--result-id {id}: exit {got} (want {code}), stderr {stderr}"));
                }
            }
            outcome(e)
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
            // the TestResult by its id (scapc names it after the profile)
            let id =
                Doc::open(&c.cwd("fix_arf").join("arf.xml")).map(|d| d.text("//TestResult/@id")).unwrap_or_default();
            if !id.ends_with("_profile_standard") {
                e.push(format!("the ARF's TestResult id is {id:?}"));
            }
            let by_id = c.scapc("fix_arf", &["fix", &x, "--results", "arf.xml", "--result-id", &id], &[]);
            let by_id_a = c.scapc(
                "fix_arf",
                &["fix", &x, "--results", "arf.xml", "--result-id", &id, "--fix-type", "ansible"],
                &[],
            );
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
                ("bash --result-id", &by_id, &["echo fix_me_please"][..], &["echo this_is_ok"][..]),
                (
                    "ansible --result-id",
                    &by_id_a,
                    &["name: correct the failing case", "shell: /bin/false"][..],
                    &["name: ensure everything passes", "shell: /bin/true"][..],
                ),
            ] {
                if r.code != 0 || !r.stderr.trim().is_empty() {
                    e.push(format!("fix {what}: exit {}, stderr {}", r.code, r.stderr.trim()));
                }
                e.extend(want.iter().filter(|w| !r.stdout.contains(*w)).map(|w| format!("fix {what} lacks {w}")));
                e.extend(not.iter().filter(|w| r.stdout.contains(*w)).map(|w| format!("fix {what} has {w}")));
            }
            outcome(e)
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
        ("test_fix_filtering", |c| {
            // of two anaconda fixes, the one that needs no reboot
            outcome(anaconda(c, "fix_filtering", &[&c.unit("test_fix_filtering.xccdf.xml")], &["part /var"]))
        }),
        ("test_remediation_kickstart", kickstart),
        ("test_remediation_kickstart_raw", kickstart_raw),
        ("test_remediation_blueprint", blueprint),
        ("test_remediation_bootc", |c| {
            let (code, text, err) = bootc(c);
            if code != 0 || !err.is_empty() || text != BOOTC_EXPECTED {
                return Out::Fail(format!("exit {code}, stderr {err}, script:\n{text}"));
            }
            Out::Pass
        }),
        ("test_remediation_bootc_expected_output", |c| {
            // the expected output is itself a script: ours is it, and bash reads it
            let (_, text, _) = bootc(c);
            let d = c.cwd("bootc");
            std::fs::write(d.join("bootc.sh"), &text).unwrap();
            let ok = Command::new("bash").arg("-n").arg(d.join("bootc.sh")).status().unwrap().success();
            if text == BOOTC_EXPECTED && ok {
                Out::Pass
            } else {
                Out::Fail(format!("bash -n: {ok}; script:\n{text}"))
            }
        }),
        ("test_report_anaconda_fixes", |c| {
            // despite the name, OpenSCAP's script generates anaconda fixes;
            // the guide (OpenSCAP's shows each fix as a "Remediation
            // Anaconda snippet") shows them too, the Value substituted
            let x = c.unit("test_report_anaconda_fixes.xccdf.xml");
            let t = c.unit("test_report_anaconda_fixes.tailoring.xml");
            let (l1, l2, l3) = ("part /tmp", "part /tmp --mountoptions=nodev", "passwd --minlen=14");
            let mut e = anaconda(c, "anaconda", &[&x], &[l1, l2]);
            let g = c.scapc(
                "anaconda",
                &["guide", &x, "--profile", "xccdf_moc.elpmaxe.www_profile_1", "-o", "g.html"],
                &[],
            );
            let html = std::fs::read_to_string(g.cwd.join("g.html")).unwrap_or_default();
            if g.code != 0 || html.matches(">Anaconda<").count() != 3 || ![l1, l2, l3].iter().all(|l| html.contains(l))
            {
                e.push(format!("the guide does not show the 3 anaconda fixes (exit {}): {}", g.code, g.stderr));
            }
            e.extend(anaconda(c, "anaconda", &["--profile", "xccdf_moc.elpmaxe.www_profile_1", &x], &[l1, l2, l3]));
            e.extend(anaconda(
                c,
                "anaconda",
                &["--tailoring", &t, "--profile", "xccdf_org.open-scap_profile_unselecting", &x],
                &[],
            ));
            e.extend(anaconda(
                c,
                "anaconda",
                &["--tailoring", &t, "--profile", "xccdf_org.open-scap_profile_override", &x],
                &["passwd --minlen=8"],
            ));
            outcome(e)
        }),
        ("test_report_anaconda_fixes_ds", |c| {
            let ds = c.unit("test_report_anaconda_fixes.sds.xml");
            let (l1, l2, l3) = ("part /tmp", "part /tmp --mountoptions=nodev", "passwd --minlen=14");
            let mut e = anaconda(
                c,
                "anaconda_ds",
                &[
                    "--datastream-id",
                    "scap_org.open-scap_datastream_from_xccdf_test_report_anaconda_fixes.xccdf.xml",
                    &ds,
                ],
                &[l1, l2],
            );
            e.extend(anaconda(c, "anaconda_ds", &["--profile", "xccdf_moc.elpmaxe.www_profile_1", &ds], &[l1, l2, l3]));
            outcome(e)
        }),
    ]
}

#[test]
fn openscap_remediation_unit_cases() {
    let Some((keep, dir)) = unittests() else { return };
    let c = Ctx { dir, work: tempfile::tempdir().unwrap() };
    let (mut pass, mut fail, mut differs) = (0, 0, 0);
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
            Out::Differs(m) => {
                differs += 1;
                ("differs", m)
            }
        };
        println!("{name:<48} {word} {why}");
    }
    println!("{pass} pass, {fail} fail, {differs} differs");
    drop(keep);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
