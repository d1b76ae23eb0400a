//! OpenSCAP's own test data for data streams (`tests/DS`) and XCCDF
//! processing (`tests/API/XCCDF/unittests`), run through `scapc eval`
//! with the assertions of OpenSCAP's test scripts, translated case by case
//! into Rust (the scripts are not in the data archive: each case below
//! says what its script runs and checks).
//!
//! Each case ends as `pass`, `fail` or `feature-missing` (with the
//! feature), and the table is printed. The test fails on any `fail`.
//! Assertions on the exact wording of oscap's messages are left out, as
//! are checks of oscap's own stdout layout; XPath counts on the results
//! document, exit codes and an empty stderr are kept. Results documents
//! are checked against the XCCDF schema with `oscap xccdf validate
//! --skip-schematron` where the script does that and oscap is installed.
//!
//! Data: `../shared/reference/openscap-tests-9f2c4a6.tar.xz`; skipped with
//! a notice when it is absent. Every script of the two suites is either a
//! case here or listed in `ELSEWHERE` with the reason (another test file
//! covers it, or it tests OpenSCAP's libraries rather than its command
//! line).

mod common;

use common::Doc;
use std::path::{Path, PathBuf};
use std::process::Command;

fn archive() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/openscap-tests-9f2c4a6.tar.xz")
}

enum Out {
    Pass,
    Fail(String),
    Missing(String),
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    result: PathBuf,
}

struct Env {
    root: PathBuf,
    _tmp: tempfile::TempDir,
    work: PathBuf,
    oscap: bool,
}

impl Env {
    fn unit(&self, f: &str) -> PathBuf {
        self.root.join("tests/API/XCCDF/unittests").join(f)
    }
    fn ds(&self, f: &str) -> PathBuf {
        self.root.join("tests/DS").join(f)
    }
    /// A fresh working directory (the scripts run in their own).
    fn cwd(&self, name: &str) -> PathBuf {
        let d = self.work.join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
    /// `scapc eval ARGS --results R INPUT` in `cwd`.
    fn eval(&self, cwd: &Path, args: &[&str], input: &Path) -> Result<Run, Out> {
        self.eval_to(cwd, args, input, "--results")
    }
    /// `scapc eval ARGS OUTPUT_FLAG R INPUT` in `cwd` (`--results` or
    /// `--results-arf`).
    fn eval_to(&self, cwd: &Path, args: &[&str], input: &Path, flag: &str) -> Result<Run, Out> {
        let result = cwd.join(format!("result-{}.xml", args.len() + rand_part()));
        let mut all: Vec<&str> = vec!["eval"];
        all.extend_from_slice(args);
        all.push(flag);
        all.push(result.to_str().unwrap());
        all.push(input.to_str().unwrap());
        let mut r = self.scapc(cwd, &all)?;
        r.result = result;
        Ok(r)
    }
    /// `scapc ARGS` in `cwd`; an option scapc does not have makes the case
    /// `feature-missing`.
    fn scapc(&self, cwd: &Path, args: &[&str]) -> Result<Run, Out> {
        let out = Command::new(env!("CARGO_BIN_EXE_scapc")).current_dir(cwd).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if let Some(arg) = unknown_argument(&stderr) {
            return Err(Out::Missing(format!("option {arg}")));
        }
        if stderr.contains("panicked at") {
            return Err(Out::Fail(format!("scapc panicked: {stderr}")));
        }
        Ok(Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr,
            result: PathBuf::new(),
        })
    }
    /// `oscap xccdf validate --skip-schematron` on a results document.
    fn schema_valid(&self, p: &Path, e: &mut Vec<String>) {
        if !self.oscap {
            return;
        }
        let o = Command::new("oscap").args(["xccdf", "validate", "--skip-schematron"]).arg(p).output().unwrap();
        if !o.status.success() {
            e.push(format!("not valid against the XCCDF schema: {}", String::from_utf8_lossy(&o.stdout)));
        }
    }
}

fn rand_part() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed) * 100
}

/// clap's "unexpected argument '--x'": an option scapc does not have.
fn unknown_argument(stderr: &str) -> Option<String> {
    let i = stderr.find("unexpected argument '")?;
    let rest = &stderr[i + 21..];
    Some(rest[..rest.find('\'')?].to_owned())
}

/// OpenSCAP's scripts `touch not_executable` and their OVAL looks for it
/// at `./`, relative to the working directory of the process, as scapc
/// resolves it for a `local` target: the case runs as written.
fn relative(env: &Env, cwd: &Path, xccdf: &str, case: fn(&Env, &Path, &Path) -> Out) -> Out {
    case(env, cwd, &env.unit(xccdf))
}

fn outcome(e: Vec<String>) -> Out {
    if e.is_empty() {
        Out::Pass
    } else {
        Out::Fail(e.join("; "))
    }
}

/// Exit 0, or 2 where the script allows it.
fn exit_ok(r: &Run, allow2: bool, e: &mut Vec<String>) {
    if !(r.code == 0 || (allow2 && r.code == 2)) {
        e.push(format!("exit {}: {}", r.code, r.stderr.trim()));
    }
}

/// OpenSCAP's scripts want an empty stderr. scapc warns, on purpose, when
/// a scan evaluates no rule or finds every rule notapplicable (issue #14),
/// and when `--skip-rule` names no rule of the benchmark, where oscap says
/// nothing (docs/eval-differences.md): those warnings alone (with their
/// indented lines) do not count.
fn stderr_empty(r: &Run, e: &mut Vec<String>) {
    // scapc's deliberate warnings, and the status line of a command that
    // writes a file (`wrote report.html`), are not errors
    let allowed =
        ["warning: no rule was evaluated", "warning: every rule is notapplicable", "warning: --skip-rule: ", "wrote "];
    let mut rest: Vec<&str> = Vec::new();
    let mut in_warning = false;
    for l in r.stderr.lines() {
        if allowed.iter().any(|a| l.starts_with(a)) {
            in_warning = true;
        } else if !(in_warning && l.starts_with(' ')) {
            in_warning = false;
            if !l.trim().is_empty() {
                rest.push(l);
            }
        }
    }
    if !rest.is_empty() {
        e.push(format!("stderr not empty: {}", rest.join("\n")));
    }
}

macro_rules! tryrun {
    ($x:expr) => {
        match $x {
            Ok(v) => v,
            Err(o) => return o,
        }
    };
}

/// The results document of a run, or the case fails with what scapc said.
macro_rules! doc {
    ($r:expr) => {
        match Doc::open(&$r.result) {
            Ok(d) => d,
            Err(m) => return Out::Fail(format!("results: {m} (exit {}: {})", $r.code, $r.stderr.trim())),
        }
    };
}

type Case = (&'static str, fn(&Env) -> Out);

fn unittests() -> Vec<Case> {
    vec![
        ("unittests/test_xccdf_check_content_ref_without_name_attr", |env| {
            let cwd = env.cwd("without_name");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_content_ref_without_name_attr.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "/Benchmark/status[not(@date)]", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result[@idref=\"def-20120006\"]/result[text()=\"fail\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref[not(@name)]", &mut e);
            d.exists(0, "//check[@multi-check]", &mut e);
            d.exists(
                1,
                "/Benchmark/TestResult/score[@system=\"urn:xccdf:scoring:default\"][text()=\"0.000000\"]",
                &mut e,
            );
            outcome(e)
        }),
        ("unittests/test_xccdf_check_multi_check", |env| {
            let cwd = env.cwd("multi_check");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_multi_check.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(0, "//check[not(@multi-check)]", &mut e);
            for (rule, v) in [(1, "true"), (2, "true"), (3, "false"), (4, "false")] {
                // xs:boolean: `1` is `true` (oscap rewrites it, scapc copies it)
                let one = if v == "true" { "1" } else { "0" };
                let x = format!(
                    "//Rule[@id=\"xccdf_moc.elpmaxe.www_rule_{rule}\"]/check[@multi-check=\"{v}\" or @multi-check=\"{one}\"]"
                );
                d.exists(1, &x, &mut e);
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_check_multi_check2", |env| {
            let cwd = env.cwd("multi_check2");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_xccdf_check_multi_check2.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &[], input));
                let mut e = Vec::new();
                exit_ok(&r, true, &mut e);
                stderr_empty(&r, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(1, "//Rule[@id=\"xccdf_moc.elpmaxe.www_rule_1\"]/check[@multi-check=\"true\"]", &mut e);
                d.exists(1, "//check-content-ref[not(@name)]", &mut e);
                d.exists(2, "//rule-result", &mut e);
                d.exists(2, "//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_1\"]", &mut e);
                d.exists(1, "//rule-result[result/text()=\"fail\"]", &mut e);
                d.exists(1, "//rule-result[result/text()=\"pass\"]", &mut e);
                d.exists(2, "//rule-result/check[@multi-check=\"true\"]", &mut e);
                d.exists(
                    2,
                    "//rule-result/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]",
                    &mut e,
                );
                d.exists(
                    2,
                    "//rule-result/check/check-content-ref[@href=\"test_xccdf_check_content_ref_without_name_attr.oval.xml\"]",
                    &mut e,
                );
                d.exists(
                    1,
                    "//rule-result[result/text()=\"fail\"]/check/check-content-ref[@name=\"oval:moc.elpmaxe.www:def:2\"]",
                    &mut e,
                );
                d.exists(
                    1,
                    "//rule-result[result/text()=\"pass\"]/check/check-content-ref[@name=\"oval:moc.elpmaxe.www:def:1\"]",
                    &mut e,
                );
                outcome(e)
            })
        }),
        ("unittests/test_xccdf_check_multi_check_zero_definitions", |env| {
            let cwd = env.cwd("multi_zero");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_multi_check_zero_definitions.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(2, "//check-content-ref[not(@name)]", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result[result/text()=\"unknown\"]", &mut e);
            d.exists(1, "//rule-result/check[@multi-check=\"true\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref[@href=\"oval_without_definitions.oval.xml\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref[not(@name)]", &mut e);
            d.exists(1, "//rule-result/message[@severity=\"info\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_negate", |env| {
            // as the script: no `not_executable` here, the OVAL check is
            // false and its negation passes
            let cwd = env.cwd("negate");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_negate.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(0, "//complex-check", &mut e);
            d.exists(1, "//Rule/check[@negate=\"true\"]", &mut e);
            d.exists(1, "//rule-result/check[@negate=\"true\"]", &mut e);
            d.exists(1, "//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_1\"]/result[text()=\"pass\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_processing_complex_priority", |env| {
            let cwd = env.cwd("complex_priority");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_xccdf_check_processing_complex_priority.xccdf.xml", |env, cwd, input| {
                let mut e = Vec::new();
                for args in [&[][..], &["--profile", "xccdf_moc.elpmaxe.www_profile_1"][..]] {
                    let r = tryrun!(env.eval(cwd, args, input));
                    exit_ok(&r, false, &mut e);
                    let d = doc!(r);
                    d.exists(1, "//rule-result", &mut e);
                    d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
                    d.exists(1, "//rule-result[not(check)]", &mut e);
                    d.exists(1, "//rule-result/complex-check/check", &mut e);
                    d.exists(
                        1,
                        "//rule-result/complex-check/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]/check-content-ref[@name=\"oval:moc.elpmaxe.www:def:1\" and @href=\"test_xccdf_check_content_ref_without_name_attr.oval.xml\"]",
                        &mut e,
                    );
                    d.exists(1, "//Rule/complex-check[not(@system)]", &mut e);
                    d.exists(1, "//rule-result/complex-check[not(@system)]", &mut e);
                    d.exists(1, "//Rule/complex-check[@operator=\"AND\"]", &mut e);
                    d.exists(1, "//rule-result/complex-check[@operator=\"AND\"]", &mut e);
                }
                outcome(e)
            })
        }),
        ("unittests/test_xccdf_complex_check_and_notchecked", |env| {
            let cwd = env.cwd("complex_notchecked");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_complex_check_and_notchecked.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(2, "//complex-check", &mut e);
            d.exists(2, "//complex-check[@operator=\"AND\"]", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notchecked\"]", &mut e);
            d.exists(1, "//rule-result/complex-check[@operator=\"AND\"]", &mut e);
            d.exists(2, "//rule-result/complex-check/check", &mut e);
            d.exists(2, "//rule-result/complex-check/check/check-content-ref", &mut e);
            d.exists(1, "//score[text()=\"0.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_processing_invalid_content_refs", |env| {
            let cwd = env.cwd("invalid_refs");
            let r =
                tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_processing_invalid_content_refs.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result[result/text()=\"notchecked\"]", &mut e);
            d.exists(1, "//rule-result/check[@multi-check=\"true\"]", &mut e);
            d.exists(
                1,
                "//rule-result/check/check-content-ref[@href=\"test_xccdf_check_content_ref_without_name_attr.oval.xml\" and @name=\"nonexistent\"]",
                &mut e,
            );
            d.exists(1, "//rule-result/check/check-content-ref[@href=\"nonexistent-file\" and @name=\"x\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref[@href=\"nonexistent-file\" and not(@name)]", &mut e);
            d.exists(1, "//rule-result/message[@severity=\"info\"]", &mut e);
            d.exists(1, "/Benchmark/TestResult/score[@maximum=\"100.000000\"][text()=\"0.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_processing_selector_bad", |env| {
            let cwd = env.cwd("selector_bad");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_xccdf_check_processing_selector_bad.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &["--profile", "xccdf_moc.elpmaxe.www_profile_1"], input));
                let mut e = Vec::new();
                exit_ok(&r, false, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(1, "//rule-result", &mut e);
                d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(1, "//rule-result/check[not(@selector)]", &mut e);
                d.exists(1, "//rule-result/check/check-content-ref[@name=\"oval:moc.elpmaxe.www:def:1\"]", &mut e);
                outcome(e)
            })
        }),
        ("unittests/test_xccdf_check_processing_selector_empty", |env| {
            let cwd = env.cwd("selector_empty");
            let r = tryrun!(env.eval(
                &cwd,
                &["--profile", "xccdf_moc.elpmaxe.www_profile_1"],
                &env.unit("test_xccdf_check_processing_selector_empty.xccdf.xml")
            ));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notchecked\"]", &mut e);
            d.exists(1, "//rule-result/message[@severity=\"info\"]", &mut e);
            d.exists(0, "//rule-result/check", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_unsupported_check_system", |env| {
            let cwd = env.cwd("unsupported");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_unsupported_check_system.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_1\"]/result[text()=\"notchecked\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_check_without_content_refs", |env| {
            let cwd = env.cwd("without_refs");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_without_content_refs.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "/Benchmark/status[not(@date)]", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result[@idref=\"def-20120006\"]/result[text()=\"notchecked\"]", &mut e);
            d.exists(0, "//rule-result/check/check-content-ref", &mut e);
            d.exists(0, "//check[@multi-check]", &mut e);
            d.exists(
                1,
                "/Benchmark/TestResult/score[@system=\"urn:xccdf:scoring:default\"][text()=\"0.000000\"]",
                &mut e,
            );
            outcome(e)
        }),
        ("unittests/test_xccdf_notchecked_has_check", |env| {
            let cwd = env.cwd("notchecked_has_check");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_notchecked_has_check.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notchecked\"]", &mut e);
            d.exists(0, "//rule-result/check", &mut e);
            d.exists(1, "//score[text()=\"0.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_refine_rule", |env| {
            let cwd = env.cwd("refine_rule");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_refine_rule.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(0, "//refine-rule[@weight]", &mut e);
            d.exists(1, "//refine-rule[not(@weight)]", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notchecked\"]", &mut e);
            d.exists(0, "//rule-result/check", &mut e);
            d.exists(1, "//rule-result/message[@severity=\"info\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_requires_conflicts", |env| {
            let cwd = env.cwd("requires_conflicts");
            let src = env.unit("test_xccdf_requires_conflicts.xml");
            let r = tryrun!(env.eval(&cwd, &["--profile", "xccdf_org.open-scap_profile_override"], &src));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            let rr = |id: &str, res: &str| {
                format!("//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_{id}\"]/result[text()=\"{res}\"]")
            };
            for id in ["3", "5", "7", "9", "11", "13", "15", "16"] {
                d.exists(1, &rr(id, "pass"), &mut e);
            }
            for id in ["1", "1_2", "1_3", "2", "4", "6", "8", "10", "12", "14", "17"] {
                d.exists(1, &rr(id, "notselected"), &mut e);
            }
            if !e.is_empty() {
                return outcome(e);
            }
            // the rest of the script selects rules with --rule
            let r = tryrun!(env.eval(&cwd, &["--rule", "xccdf_moc.elpmaxe.www_rule_2"], &src));
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            d.exists(1, &rr("2", "pass"), &mut e);
            d.exists(1, &rr("3", "notselected"), &mut e);
            let r = tryrun!(env.eval(&cwd, &["--rule", "xccdf_moc.elpmaxe.www_rule_3"], &src));
            let d = doc!(r);
            d.exists(1, &rr("3", "pass"), &mut e);
            d.exists(1, &rr("4", "notselected"), &mut e);
            outcome(e)
        }),
        ("unittests/test_inherit_selector (--export-variables)", |env| {
            let cwd = env.cwd("inherit_selector");
            let x = env.unit("test_inherit_selector.xccdf.xml");
            let t = env.unit("test_inherit_selector.tailoring.xml");
            let mut e = Vec::new();
            let runs: [&[&str]; 2] = [
                &["--profile", "test2", "--export-variables"],
                &["--profile", "test2_tailored", "--export-variables", "--tailoring-file", t.to_str().unwrap()],
            ];
            for args in runs {
                let vars = cwd.join("test_inherit_selector.oval.xml-0.variables-0.xml");
                let _ = std::fs::remove_file(&vars);
                let r = tryrun!(env.eval(&cwd, args, &x));
                exit_ok(&r, true, &mut e);
                stderr_empty(&r, &mut e);
                let vr = Run { result: vars, ..r };
                let d = doc!(vr);
                d.exists(1, "//variable[@id=\"oval:ssg:var:1\"]/value[text()=\"600\"]", &mut e);
                d.exists(1, "//variable[@id=\"oval:ssg:var:2\"]/value[text()=\"300\"]", &mut e);
                d.exists(1, "//variable[@id=\"oval:ssg:var:3\"]/value[text()=\"600\"]", &mut e);
            }
            outcome(e)
        }),
        ("unittests/test_default_selector (--export-variables)", |env| {
            let cwd = env.cwd("default_selector");
            let r = tryrun!(env.eval(&cwd, &["--export-variables"], &env.unit("test_default_selector.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let vr = Run { result: cwd.join("test_default_selector.oval.xml-0.variables-0.xml"), ..r };
            let d = doc!(vr);
            d.exists(3, "/oval_variables/variables/variable", &mut e);
            d.exists(3, "//variable/*", &mut e);
            d.exists(0, "//variable/value/@*", &mut e);
            for v in 1..=3 {
                d.exists(1, &format!("//variable[@id=\"oval:ssg:var:{v}\"]/value"), &mut e);
            }
            d.exists(3, "//variable/value[text()=\"100\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_empty_variable", |env| {
            let cwd = env.cwd("empty_variable");
            let r =
                tryrun!(env.eval(&cwd, &["--profile", "RHEL6-Default"], &env.unit("test_empty_variable.xccdf.xml")));
            let mut e = Vec::new();
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref[@href=\"test_empty_variable.oval.xml\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_oval_without_definition", |env| {
            let cwd = env.cwd("oval_without_definition");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_oval_without_definition.xccdf.xml")));
            let mut e = Vec::new();
            if r.code != 2 {
                e.push(format!("exit {}, expected 2", r.code));
            }
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"error\"]", &mut e);
            d.exists(1, "//score[text()=\"0.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_xml_escaping_value", |env| {
            let cwd = env.cwd("escaping");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_xml_escaping_value.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            // the value keeps its `&`, escaped once
            d.exists(
                1,
                "//Value/value[@selector=\"dod_short\" and text()=\"I have read & consent to terms in IS user agreement.\"]",
                &mut e,
            );
            let text = std::fs::read_to_string(&r.result).unwrap_or_default();
            if !text.contains("I have read &amp; consent") {
                e.push("the `&` is not written as `&amp;`".into());
            }
            outcome(e)
        }),
        ("unittests/test_single_line_tailoring", |env| {
            let cwd = env.cwd("single_line_tailoring");
            let t = env.unit("test_single_line_tailoring.tailoring.xml");
            let r = tryrun!(env.eval(
                &cwd,
                &["--profile", "xccdf_com.example.www_profile_custom", "--tailoring-file", t.to_str().unwrap()],
                &env.unit("test_single_line_tailoring.xml")
            ));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            let d = doc!(r);
            let rr = |id: &str, res: &str| {
                format!("//rule-result[@idref=\"xccdf_com.example.www_rule_{id}\"]/result[text()=\"{res}\"]")
            };
            d.exists(1, &rr("R1", "pass"), &mut e);
            for id in ["R2", "R3", "R4"] {
                d.exists(1, &rr(id, "notselected"), &mut e);
            }
            outcome(e)
        }),
        ("unittests/test_no_newline_between_select_elements", |env| {
            let cwd = env.cwd("no_newline");
            let r = tryrun!(env.eval(
                &cwd,
                &["--profile", "xccdf_com.example.www_profile_test"],
                &env.unit("test_no_newline_between_select_elements.xml")
            ));
            let mut e = Vec::new();
            let d = doc!(r);
            d.exists(1, "//rule-result[@idref=\"xccdf_com.example.www_rule_first\"]/result[text()=\"pass\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_deriving_xccdf_result_from_oval", |env| {
            let cwd = env.cwd("deriving");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_deriving_xccdf_result_from_oval.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &[], input));
                let mut e = Vec::new();
                exit_ok(&r, false, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(8, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(
                    8,
                    "//rule-result/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]",
                    &mut e,
                );
                d.exists(4, "//rule-result/check[@negate=\"true\"]", &mut e);
                d.exists(4, "//rule-result/check/check-content-ref[@href=\"test_deriving_xccdf_result_from_oval_fail.oval.xml\"]", &mut e);
                d.exists(4, "//rule-result/check/check-content-ref[@href=\"test_deriving_xccdf_result_from_oval_pass.oval.xml\"]", &mut e);
                d.exists(0, "//message", &mut e);
                d.exists(1, "//TestResult/score[@system=\"urn:xccdf:scoring:default\"][text()=\"100.000000\"]", &mut e);
                outcome(e)
            })
        }),
        ("unittests/test_deriving_xccdf_result_from_oval_multicheck", |env| {
            let cwd = env.cwd("deriving_multi");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_deriving_xccdf_result_from_oval_multicheck.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &[], input));
                let mut e = Vec::new();
                exit_ok(&r, false, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(8, "//rule-result", &mut e);
                d.exists(8, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(4, "//rule-result/check[@negate=\"true\"]", &mut e);
                d.exists(4, "//rule-result/check/check-content-ref[@href=\"test_deriving_xccdf_result_from_oval_fail.oval.xml\"]", &mut e);
                d.exists(4, "//rule-result/check/check-content-ref[@href=\"test_deriving_xccdf_result_from_oval_pass.oval.xml\"]", &mut e);
                d.exists(0, "//message", &mut e);
                d.exists(1, "//TestResult/score[@system=\"urn:xccdf:scoring:default\"][text()=\"100.000000\"]", &mut e);
                d.exists(1, "//TestResult[@version=\"1.0\"]", &mut e);
                outcome(e)
            })
        }),
        ("unittests/test_xccdf_role_unchecked", |env| {
            let cwd = env.cwd("role_unchecked");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_role_unchecked.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notselected\"]", &mut e);
            d.exists(0, "//rule-result/message", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_role_unscored", |env| {
            let cwd = env.cwd("role_unscored");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_role_unscored.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"informational\"]", &mut e);
            d.exists(1, "//rule-result/check/check-content-ref", &mut e);
            d.exists(1, "//score[@system=\"urn:xccdf:scoring:default\" and text()=\"0.000000\"]", &mut e);
            d.exists(1, "//score[@system=\"urn:xccdf:scoring:flat\" and text()=\"0.000000\"]", &mut e);
            d.exists(1, "//score[@system=\"urn:xccdf:scoring:flat-unweighted\" and text()=\"0.000000\"]", &mut e);
            d.exists(1, "//score[@system=\"urn:xccdf:scoring:absolute\" and text()=\"1.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_selectors_cluster1", |env| {
            let cwd = env.cwd("cluster1");
            let r = tryrun!(env.eval(
                &cwd,
                &["--profile", "xccdf_moc.elpmaxe.www_profile_1"],
                &env.unit("test_xccdf_selectors_cluster1.xccdf.xml")
            ));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(2, "//Profile/select", &mut e);
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result/result[text()=\"notselected\"]", &mut e);
            d.exists(1, "//score[text()=\"0.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_profile_selection_by_suffix", |env| {
            let cwd = env.cwd("by_suffix");
            let x = env.unit("test_profile_selection_by_suffix.xccdf.xml");
            let t = env.unit("test_profile_selection_by_suffix_tailoring.xccdf.xml");
            let t = t.to_str().unwrap();
            let mut e = Vec::new();
            let error = |r: &Run, what: &str, e: &mut Vec<String>| {
                if r.code != 1 {
                    e.push(format!("{what}: exit {}, expected 1", r.code));
                }
            };
            // (arguments, the profile chosen, or None for an error)
            let cases: [(&[&str], Option<&str>); 7] = [
                (&["--profile", "common"], None),
                (&["--profile", "_common"], Some("xccdf_moc.elpmaxe.www_profile_common")),
                (&["--profile", "xcommon"], None),
                (
                    &["--tailoring-file", t, "--profile", "common"],
                    Some("xccdf_org.ssgproject.content_profile_verycommon"),
                ),
                (&["--tailoring-file", t, "--profile", "her"], None),
                (&["--tailoring-file", t, "--profile", "_her"], Some("xccdf_org.ssgproject.content_profile_her")),
                (&["--tailoring-file", t, "--profile", "another"], None),
            ];
            for (args, want) in cases {
                let r = tryrun!(env.eval(&cwd, args, &x));
                match want {
                    None => error(&r, &args.join(" "), &mut e),
                    Some(p) => {
                        exit_ok(&r, true, &mut e);
                        let d = doc!(r);
                        d.exists(1, &format!("//TestResult/profile[@idref=\"{p}\"]"), &mut e);
                    }
                }
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_selectors_cluster2 (rule-results)", |env| {
            let cwd = env.cwd("cluster2");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_xccdf_selectors_cluster2.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &["--profile", "xccdf_moc.elpmaxe.www_profile_1"], input));
                let mut e = Vec::new();
                exit_ok(&r, false, &mut e);
                let d = doc!(r);
                d.exists(4, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(1, "//score[text()=\"100.000000\"]", &mut e);
                outcome(e)
            })
        }),
        ("unittests/test_xccdf_selectors_cluster3 (rule-results)", |env| {
            let cwd = env.cwd("cluster3");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            relative(env, &cwd, "test_xccdf_selectors_cluster3.xccdf.xml", |env, cwd, input| {
                let r = tryrun!(env.eval(cwd, &["--profile", "xccdf_moc.elpmaxe.www_profile_3"], input));
                let mut e = Vec::new();
                exit_ok(&r, false, &mut e);
                let d = doc!(r);
                d.exists(3, "//rule-result", &mut e);
                d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(2, "//rule-result/result[text()=\"notselected\"]", &mut e);
                d.exists(1, "//score[text()=\"100.000000\"]", &mut e);
                outcome(e)
            })
        }),
        // The script's --tailoring-id names no component-ref of the data
        // stream (oscap 1.3.7 ignores it and uses the stream's tailoring;
        // scapc refuses an unknown id): run with the stream's tailoring
        // (no --tailoring-id) and with the right id.
        ("DS/sds_tailoring (stream's tailoring; --tailoring-id)", |env| {
            let cwd = env.cwd("sds_tailoring");
            let mut e = Vec::new();
            for id in [None, Some("scap_com.example_cref_tailoring_01")] {
                let mut args = vec!["--datastream-id", "scap_com.example_datastream_with_tailoring"];
                if let Some(id) = id {
                    args.extend(["--tailoring-id", id]);
                }
                args.extend(["--profile", "xccdf_com.example_profile_tailoring"]);
                let r = tryrun!(env.eval(&cwd, &args, &env.ds("sds_tailoring/sds.ds.xml")));
                exit_ok(&r, true, &mut e);
                let d = doc!(r);
                d.exists(2, "//Rule", &mut e);
                d.exists(1, "//Rule[@id=\"xccdf_com.example_rule_1\" and @selected=\"true\"]", &mut e);
                d.exists(1, "//Rule[@id=\"xccdf_com.example_rule_2\" and @selected=\"false\"]", &mut e);
                d.exists(2, "//rule-result", &mut e);
                d.exists(
                    1,
                    "//rule-result[@idref=\"xccdf_com.example_rule_1\"]/result[text()=\"notselected\"]",
                    &mut e,
                );
                d.exists(1, "//rule-result[@idref=\"xccdf_com.example_rule_2\"]/result[text()=\"pass\"]", &mut e);
            }
            outcome(e)
        }),
        ("DS/sds_external_xccdf (checklist in the data stream)", |env| {
            let cwd = env.cwd("external1");
            let r = tryrun!(env.eval(
                &cwd,
                &[
                    "--xccdf-id",
                    "scap_org.open-scap_cref_xccdf.xml",
                    "--profile",
                    "xccdf_external_profile_datastream_1"
                ],
                &env.ds("sds_external_xccdf/sds.ds.xml")
            ));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
            d.exists(1, "//TestResult/benchmark[@href=\"file:xccdf.sds.xml#scap_1_comp_xccdf.xml\"]", &mut e);
            outcome(e)
        }),
        ("DS/sds_external_xccdf (checklist in a local file)", |env| {
            let cwd = env.cwd("external2");
            let r = tryrun!(env.eval(
                &cwd,
                &["--xccdf-id", "scap_org.open-scap_cref_xccdf-file.xml", "--profile", "xccdf_external_profile_file_1"],
                &env.ds("sds_external_xccdf/sds.ds.xml")
            ));
            if r.code == 1 && r.stderr.contains("no benchmark") {
                return Out::Missing("checklist component-ref to a local file".into());
            }
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
            d.exists(1, "//TestResult/benchmark[@href=\"file:xccdf.xml\"]", &mut e);
            outcome(e)
        }),
        ("DS/eval_cpe (applicability)", |env| {
            let cwd = env.cwd("eval_cpe");
            let r = tryrun!(env.eval(&cwd, &[], &env.ds("eval_cpe/sds.xml")));
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            for (rule, res) in [
                ("rule_applicable_pass", "pass"),
                ("rule_applicable_fail", "fail"),
                ("rule_notapplicable", "notapplicable"),
            ] {
                d.exists(1, &format!("//rule-result[contains(@idref, \"{rule}\")]/result[text()=\"{res}\"]"), &mut e);
            }
            outcome(e)
        }),
        ("DS/cpe_in_ds", |env| {
            let cwd = env.cwd("cpe_in_ds");
            let r = tryrun!(env.eval(&cwd, &[], &env.ds("cpe_in_ds/sds.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            outcome(e)
        }),
        ("DS/ds_continue_without_remote_resources", |env| {
            let cwd = env.cwd("remote");
            let dir = cwd.join("oval");
            let r = tryrun!(env.eval(
                &cwd,
                &[
                    "--oval-results",
                    dir.to_str().unwrap(),
                    "--profile",
                    "xccdf_com.example.www_profile_test_remote_res"
                ],
                &env.ds("ds_continue_without_remote_resources/remote_content_1.2.ds.xml")
            ));
            let mut e = Vec::new();
            let d = doc!(r);
            let rr = |id: &str, res: &str| {
                format!("//rule-result[@idref=\"xccdf_com.example.www_rule_{id}\"]/result[text()=\"{res}\"]")
            };
            d.exists(1, &rr("test-pass", "pass"), &mut e);
            d.exists(1, &rr("test-remote_res", "notchecked"), &mut e);
            d.exists(1, &rr("test-pass2", "pass"), &mut e);
            outcome(e)
        }),
        ("DS/eval_xccdf_id (--datastream-id, --xccdf-id)", |env| {
            let cwd = env.cwd("xccdf_id");
            let mut e = Vec::new();
            for (cref, rule) in [("first-xccdf.xml", "first"), ("second-xccdf.xml", "second")] {
                let r = tryrun!(env.eval(
                    &cwd,
                    &[
                        "--datastream-id",
                        "scap_org.open-scap_datastream_tst",
                        "--xccdf-id",
                        &format!("scap_org.open-scap_cref_{cref}")
                    ],
                    &env.ds("eval_xccdf_id/sds.xml")
                ));
                exit_ok(&r, false, &mut e);
                let d = doc!(r);
                let x = format!("//rule-result[contains(@idref, \"{rule}\")]");
                if d.count(&x) == 0 {
                    e.push(format!("no rule of the {rule} benchmark"));
                }
            }
            for (b, rule) in [("first", "first"), ("second", "second")] {
                let r = tryrun!(env.eval(
                    &cwd,
                    &["--benchmark-id", &format!("xccdf_moc.elpmaxe.www_benchmark_{b}")],
                    &env.ds("eval_xccdf_id/sds.xml")
                ));
                exit_ok(&r, false, &mut e);
                let d = doc!(r);
                if d.count(&format!("//rule-result[contains(@idref, \"{rule}\")]")) == 0 {
                    e.push(format!("--benchmark-id: no rule of the {rule} benchmark"));
                }
            }
            outcome(e)
        }),
        ("DS/eval_xccdf_id (sds-complex, second stream)", |env| {
            let cwd = env.cwd("complex");
            let r = tryrun!(env.eval(
                &cwd,
                &[
                    "--datastream-id",
                    "scap_org.open-scap_datastream_tst2",
                    "--xccdf-id",
                    "scap_org.open-scap_cref_second-xccdf.xml2",
                    "--profile",
                    "xccdf_moc.elpmaxe.www_profile_2"
                ],
                &env.ds("eval_xccdf_id/sds-complex.xml")
            ));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result[result/text()!=\"notselected\"]", &mut e);
            d.exists(
                1,
                "//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_second\" and @role=\"full\" and @severity=\"unknown\" and @weight]/result[text()=\"pass\"]",
                &mut e,
            );
            outcome(e)
        }),
        // test_rds.sh: the index of a result data stream names its assets,
        // reports and report requests
        ("DS/rds_index_simple (ds info on ARF)", |env| {
            let o = Command::new(env!("CARGO_BIN_EXE_scapc"))
                .args(["ds", "info"])
                .arg(env.ds("rds_index_simple/arf.xml"))
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&o.stdout);
            let mut e = Vec::new();
            if !o.status.success() {
                e.push(format!("exit {:?}: {}", o.status.code(), String::from_utf8_lossy(&o.stderr)));
            }
            for want in ["asset0", "asset1", "xccdf1", "collection1"] {
                if !text.contains(want) {
                    e.push(format!("`{want}` is not in the index"));
                }
            }
            outcome(e)
        }),
        ("DS/eval_invalid (exit 1)", |env| {
            let cwd = env.cwd("invalid");
            let r = tryrun!(env.eval(&cwd, &[], &env.ds("eval_invalid/sds.xml")));
            if r.code == 1 {
                Out::Pass
            } else {
                Out::Fail(format!("exit {}, expected 1", r.code))
            }
        }),
    ]
}

/// The rule-result of `idref` has `res`.
fn rr(idref: &str, res: &str) -> String {
    format!("//rule-result[@idref=\"{idref}\"]/result[text()=\"{res}\"]")
}

/// Exit `want`, or the case fails.
fn exit_is(r: &Run, want: i32, what: &str, e: &mut Vec<String>) {
    if r.code != want {
        e.push(format!("{what}: exit {}, expected {want}: {}", r.code, r.stderr.trim()));
    }
}

/// The OVAL results files oscap's `--oval-results` writes are named
/// `<OVAL file name>.result.xml`; scapc writes them into the directory
/// given. A name with `pattern`'s parts in order must be there.
fn has_file_like(dir: &Path, parts: &[&str], suffix: &str) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else { return false };
    rd.filter_map(|e| e.ok()).any(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        let mut rest = n.as_str();
        n.ends_with(suffix)
            && parts.iter().all(|p| match rest.find(p) {
                Some(i) => {
                    rest = &rest[i + p.len()..];
                    true
                }
                None => false,
            })
    })
}

/// XCCDF processing cases beyond check processing: rule selection on the
/// command line, results files, reports, tailoring of refinements.
fn unittests_more() -> Vec<Case> {
    vec![
        ("unittests/test_deriving_xccdf_result_from_oval2", |env| {
            let cwd = env.cwd("deriving2");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_deriving_xccdf_result_from_oval2.xccdf.xml")));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(2, "//rule-result", &mut e);
            d.exists(2, "//rule-result/result[text()=\"pass\"]", &mut e);
            d.exists(2, "//rule-result/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]", &mut e);
            d.exists(1, "//rule-result/check[@negate=\"true\"]", &mut e);
            d.exists(2, "//rule-result/check/check-content-ref", &mut e);
            for f in ["fail", "pass"] {
                let x = format!(
                    "//rule-result/check/check-content-ref[@href=\"test_deriving_xccdf_result_from_oval_{f}.oval.xml\"]"
                );
                d.exists(1, &x, &mut e);
            }
            d.exists(0, "//message", &mut e);
            d.exists(0, "//check/@multi-check", &mut e);
            d.exists(1, "//score", &mut e);
            d.exists(1, "//score[text()=\"100.000000\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_multiple_oval_files_with_same_basename", |env| {
            let cwd = env.cwd("same_basename");
            std::fs::write(cwd.join("not_executable"), "").unwrap();
            let mut e = Vec::new();
            let sds = env.unit("test_multiple_oval_files_with_same_basename.sds.xml");
            for input in [env.unit("test_multiple_oval_files_with_same_basename.xccdf.xml"), sds.clone()] {
                let r = tryrun!(env.eval(&cwd, &[], &input));
                exit_ok(&r, false, &mut e);
                stderr_empty(&r, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(8, "//rule-result/result[text()=\"pass\"]", &mut e);
                d.exists(
                    8,
                    "//rule-result/check[@system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"]",
                    &mut e,
                );
                d.exists(4, "//rule-result/check[@negate=\"true\"]", &mut e);
                d.exists(4, "//rule-result/check[not(@negate)]", &mut e);
                d.exists(4, "//rule-result/check/check-content-ref[@href=\"oval/pass/oval.xml\"]", &mut e);
                d.exists(
                    4,
                    "//rule-result/check[@negate=\"true\"]/check-content-ref[@href=\"oval/fail/oval.xml\"]",
                    &mut e,
                );
                d.exists(0, "//message", &mut e);
                d.exists(1, "//TestResult/score[@system=\"urn:xccdf:scoring:default\"][text()=\"100.000000\"]", &mut e);
                d.exists(1, "//TestResult/score[@system=\"urn:xccdf:scoring:flat\"][text()=\"8.000000\"]", &mut e);
            }
            // `oscap ds sds-validate` and `oscap info` on the data stream
            for args in [&["validate", "--no-requirements"][..], &["ds", "info"][..]] {
                let mut a = args.to_vec();
                a.push(sds.to_str().unwrap());
                let r = tryrun!(env.scapc(&cwd, &a));
                exit_is(&r, 0, &a.join(" "), &mut e);
                stderr_empty(&r, &mut e);
            }
            outcome(e)
        }),
        ("unittests/test_reference (--reference)", |env| {
            let cwd = env.cwd("reference");
            let ds = env.unit("test_reference_ds.xml");
            let p1 = ["--profile", "xccdf_com.example.www_profile_P1"];
            let rule = |n: u8| format!("xccdf_com.example.www_rule_R{n}");
            let mut e = Vec::new();
            let r = tryrun!(env.eval(&cwd, &p1, &ds));
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            for n in 1..=4 {
                d.exists(1, &rr(&rule(n), "pass"), &mut e);
            }
            if !e.is_empty() {
                return outcome(e);
            }
            // (reference, the rules that stay selected)
            let cases: [(&str, &[u8]); 4] = [
                ("animals:3.14", &[1]),
                ("fruit:42.42", &[1]),
                ("animals:17.71.777", &[2, 3]),
                ("animals:99.66.33", &[]),
            ];
            for (reference, kept) in cases {
                let r = tryrun!(env.eval(&cwd, &[p1[0], p1[1], "--reference", reference], &ds));
                stderr_empty(&r, &mut e);
                let d = doc!(r);
                for n in 1..=4 {
                    d.exists(1, &rr(&rule(n), if kept.contains(&n) { "pass" } else { "notselected" }), &mut e);
                }
            }
            // an unknown reference type: said on stderr, and no rule filtered
            let r = tryrun!(env.eval(&cwd, &[p1[0], p1[1], "--reference", "aliens:XXX"], &ds));
            if r.stderr.trim().is_empty() {
                e.push("--reference aliens:XXX: nothing on stderr".into());
            }
            let d = doc!(r);
            for n in 1..=4 {
                d.exists(1, &rr(&rule(n), "pass"), &mut e);
            }
            let r = tryrun!(env.eval(&cwd, &[p1[0], p1[1], "--reference", "animals"], &ds));
            if r.code == 0 || r.stderr.is_empty() {
                e.push(format!("--reference animals: exit {}, expected an error", r.code));
            }
            outcome(e)
        }),
        // OSCAP_PROBE_ROOT: an offline root is `--target dir:ROOT`
        ("unittests/test_results_hostname (--target dir:)", |env| {
            let cwd = env.cwd("hostname");
            let root = cwd.join("root");
            std::fs::create_dir_all(root.join("etc")).unwrap();
            std::fs::write(root.join("etc/hostname"), "hostname_defined_in_etc_hostname\n").unwrap();
            let target = format!("dir:{}", root.display());
            let ds = env.unit("test_single_rule.ds.xml");
            let mut e = Vec::new();
            let r = tryrun!(env.eval(&cwd, &["--target", &target], &ds));
            let d = doc!(r);
            d.exists(1, "/Benchmark/TestResult/target[text()=\"hostname_defined_in_etc_hostname\"]", &mut e);
            std::fs::remove_file(root.join("etc/hostname")).unwrap();
            std::fs::create_dir_all(root.join("proc/sys/kernel")).unwrap();
            std::fs::write(root.join("proc/sys/kernel/hostname"), "hostname_defined_in_proc_sys_kernel\n").unwrap();
            let r = tryrun!(env.eval(&cwd, &["--target", &target], &ds));
            let d = doc!(r);
            d.exists(0, "/Benchmark/TestResult/target[text()=\"hostname_defined_in_etc_hostname\"]", &mut e);
            d.exists(1, "/Benchmark/TestResult/target[text()=\"hostname_defined_in_proc_sys_kernel\"]", &mut e);
            outcome(e)
        }),
        ("unittests/test_single_rule (--rule)", |env| {
            let cwd = env.cwd("single_rule");
            let x = env.unit("test_single_rule.xccdf.xml");
            let ds = env.unit("test_single_rule.ds.xml");
            let t = env.unit("test_single_rule-tailoring.xml");
            let (p1, p2) =
                ("xccdf_com.example.www_profile_test_single_rule", "xccdf_com.example.www_profile_test_single_rule_2");
            let (pass, fail) = ("xccdf_com.example.www_rule_test-pass", "xccdf_com.example.www_rule_test-fail");
            let p1c = format!("{p1}_customized");
            let mut e = Vec::new();
            // (arguments, input, expected exit, result of rule test-pass, of test-fail)
            let runs: Vec<(Vec<&str>, &Path, i32, &str, &str)> = vec![
                (vec!["--profile", p1], x.as_path(), 0, "pass", "pass"),
                (vec!["--profile", p1, "--rule", pass], x.as_path(), 0, "pass", "notselected"),
                (vec!["--profile", p1, "--rule", pass, "--rule", fail], x.as_path(), 0, "pass", "pass"),
                (vec!["--rule", pass], x.as_path(), 0, "pass", "notselected"),
                (vec!["--rule", fail], x.as_path(), 2, "notselected", "fail"),
                (vec!["--profile", p1, "--rule", fail], x.as_path(), 0, "notselected", "pass"),
                (vec!["--profile", p1, "--rule", pass], ds.as_path(), 0, "pass", "notselected"),
                (vec!["--profile", p1, "--rule", pass, "--rule", fail], ds.as_path(), 0, "pass", "pass"),
                (
                    vec!["--tailoring-file", t.to_str().unwrap(), "--profile", p1c.as_str(), "--rule", pass],
                    ds.as_path(),
                    0,
                    "pass",
                    "notselected",
                ),
            ];
            for (args, input, code, rp, rf) in runs {
                let r = tryrun!(env.eval(&cwd, &args, input));
                let what = args.join(" ");
                exit_is(&r, code, &what, &mut e);
                stderr_empty(&r, &mut e);
                env.schema_valid(&r.result, &mut e);
                let d = doc!(r);
                d.exists(1, &rr(pass, rp), &mut e);
                d.exists(1, &rr(fail, rf), &mut e);
            }
            let r = tryrun!(env.eval(&cwd, &["--profile", p2, "--rule", pass], &x));
            stderr_empty(&r, &mut e);
            let r = tryrun!(env.eval(&cwd, &["--rule", "xccdf_non_existent"], &x));
            exit_is(&r, 1, "--rule xccdf_non_existent", &mut e);
            if r.stderr.trim().is_empty() {
                e.push("--rule xccdf_non_existent: nothing on stderr".into());
            }
            outcome(e)
        }),
        ("unittests/test_single_rule_stigw (--stig-viewer)", |env| {
            let cwd = env.cwd("stigw");
            let out = cwd.join("stigw.xml");
            let r = tryrun!(env.eval(
                &cwd,
                &["--stig-viewer", out.to_str().unwrap()],
                &env.unit("test_single_rule.xccdf.xml")
            ));
            let mut e = Vec::new();
            exit_is(&r, 2, "--stig-viewer", &mut e);
            stderr_empty(&r, &mut e);
            // stig-viewer-equivalence.py: the same rule-results (idref,
            // weight, result, check system, content ref, export) as the
            // script's expected file
            let want = stig_results(&env.unit("correct_stigw_result.xml"));
            let got = stig_results(&out);
            if want.is_empty() || want != got {
                e.push(format!("STIG Viewer rule-results differ: expected {want:?}, got {got:?}"));
            }
            outcome(e)
        }),
        ("unittests/test_skip_rule (--skip-rule)", |env| {
            let cwd = env.cwd("skip_rule");
            let ds = env.unit("test_skip_rule.ds.xml");
            let rule = |n: &str| format!("xccdf_com.example.www_rule_{n}");
            let mut e = Vec::new();
            let runs: [(&[&str], &[&str]); 4] =
                [(&[], &[]), (&["R1"], &["R1"]), (&["R1", "R2"], &["R1", "R2"]), (&["nonexistent"], &[])];
            for (skip, skipped) in runs {
                let mut args = vec!["--profile".to_owned(), "xccdf_com.example.www_profile_P1".to_owned()];
                for s in skip {
                    args.extend(["--skip-rule".to_owned(), rule(s)]);
                }
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let r = tryrun!(env.eval(&cwd, &args, &ds));
                stderr_empty(&r, &mut e);
                let d = doc!(r);
                for n in ["R1", "R2", "R3", "R4"] {
                    d.exists(1, &rr(&rule(n), if skipped.contains(&n) { "notselected" } else { "pass" }), &mut e);
                }
            }
            outcome(e)
        }),
        // `oscap info` on a truncated benchmark: exit 1 and an error. scapc
        // reads a benchmark with `eval` (`ds info` takes data streams only).
        ("unittests/test_unfinished", |env| {
            let cwd = env.cwd("unfinished");
            let r = tryrun!(env.scapc(&cwd, &["eval", env.unit("test_unfinished.xccdf.xml").to_str().unwrap()]));
            let mut e = Vec::new();
            exit_is(&r, 1, "eval", &mut e);
            if r.stderr.trim().is_empty() {
                e.push("no error on stderr".into());
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_check_ocil", |env| {
            let cwd = env.cwd("ocil");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_check_ocil.xml")));
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, &rr("xccdf_moc.elpmaxe.www_rule_1", "notchecked"), &mut e);
            outcome(e)
        }),
        // The results are written into the benchmark evaluated, five times:
        // the TestResults accumulate with new ids. oscap names its
        // TestResult `xccdf_org.open-scap_testresult_default-profile`,
        // scapc `xccdf_org.scapc_testresult_default`; the script's id
        // checks are translated to scapc's name (the first run keeps the
        // name, later ones add 001, 002, ... as oscap does).
        ("unittests/test_xccdf_multiple_testresults", |env| {
            let cwd = env.cwd("multiple_testresults");
            let file = cwd.join("result.xml");
            std::fs::copy(env.unit("test_xccdf_multiple_testresults.xccdf.xml"), &file).unwrap();
            let f = file.to_str().unwrap();
            let id = "xccdf_org.scapc_testresult_default";
            let mut e = Vec::new();
            for i in 1..=5 {
                let r = tryrun!(env.scapc(&cwd, &["eval", "--results", f, f]));
                if i == 1 && r.code == 1 && r.stderr.contains(f) {
                    return Out::Missing(format!("results written into the benchmark evaluated ({})", r.stderr.trim()));
                }
                // oscap: "Skipping .../non_existent.oval.xml file which is
                // referenced from XCCDF content"
                if !r.stderr.contains("non_existent.oval.xml") {
                    e.push(format!("run {i}: the missing non_existent.oval.xml is not reported"));
                }
                env.schema_valid(&file, &mut e);
                let r = Run { result: file.clone(), ..r };
                let d = doc!(r);
                d.exists(i, "//TestResult", &mut e);
                d.exists(i, "//TestResult/rule-result/result[text()=\"notchecked\"]", &mut e);
                d.exists(i, "//TestResult/score", &mut e);
                d.exists(1, &format!("//TestResult[@id=\"{id}\"]"), &mut e);
                d.exists(i, &format!("//TestResult[contains(@id, \"{id}\")]"), &mut e);
                d.exists(i - 1, &format!("//TestResult[contains(@id, \"{id}00\")]"), &mut e);
                for j in 1..i {
                    d.exists(1, &format!("//TestResult[contains(@id, \"{id}00{j}\")]"), &mut e);
                }
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_oval_absolute_path", |env| {
            let mut e = Vec::new();
            for (n, prefix) in ["", "file://"].into_iter().enumerate() {
                let dir = oval_path_dir(env, &format!("absolute{n}"), "test_xccdf_oval_absolute_path.xccdf.xml");
                let x = dir.join("test_xccdf_oval_absolute_path.xccdf.xml");
                let text = std::fs::read_to_string(&x).unwrap();
                std::fs::write(&x, text.replace("%%TEST_DIR_PATH%%", &format!("{prefix}{}", dir.display()))).unwrap();
                tryrun!(oval_path_run(env, &dir, &x, &mut e));
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_oval_relative_path", |env| {
            let mut e = Vec::new();
            let dir = oval_path_dir(env, "relative", "test_xccdf_oval_relative_path.xccdf.xml");
            tryrun!(oval_path_run(env, &dir, &dir.join("test_xccdf_oval_relative_path.xccdf.xml"), &mut e));
            let other = env.cwd("relative_elsewhere");
            let original = env.root.join("tests/API/XCCDF/unittests/test_xccdf_oval_relative_path.xccdf.xml");
            tryrun!(oval_path_run(env, &other, &original, &mut e));
            outcome(e)
        }),
        ("unittests/test_xccdf_refine_rule_refine", |env| {
            let cwd = env.cwd("refine_rule_refine");
            let x = env.unit("test_xccdf_refine_rule_refine.xccdf.xml");
            let mut e = Vec::new();
            let r = tryrun!(env.eval(&cwd, &["--profile", "child"], &x));
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(17, "//Rule", &mut e);
            d.exists(17, "//TestResult/rule-result/result", &mut e);
            d.exists(4, "//Rule[@role=\"unchecked\"]", &mut e);
            refine_rule_results(&d, &mut e);
            // the script's tailoring: the benchmark's profiles, renamed
            let t = cwd.join("tailoring.xml");
            std::fs::write(&t, refine_tailoring(&std::fs::read_to_string(&x).unwrap())).unwrap();
            let r =
                tryrun!(env.eval(&cwd, &["--tailoring-file", t.to_str().unwrap(), "--profile", "tailor-child"], &x));
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            refine_rule_results(&d, &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_refine_value_bad", |env| {
            let cwd = env.cwd("refine_value_bad");
            let r = tryrun!(env.eval(
                &cwd,
                &["--profile", "PASS_MIN_LEN"],
                &env.unit("test_xccdf_refine_value_bad.xccdf.xml")
            ));
            let mut e = Vec::new();
            if !r.result.is_file() {
                e.push(format!("no results (exit {}: {})", r.code, r.stderr.trim()));
            }
            env.schema_valid(&r.result, &mut e);
            outcome(e)
        }),
        ("unittests/test_xccdf_results_arf_asset", |env| {
            let cwd = env.cwd("arf_asset");
            let r =
                tryrun!(env.eval_to(&cwd, &[], &env.unit("test_xccdf_results_arf_no_oval.xccdf.xml"), "--results-arf"));
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            let d = doc!(r);
            let asset = "/asset-report-collection/assets/asset[@id=\"asset0\"]/computing-device";
            let cmd = |args: &[&str]| {
                Command::new("hostname")
                    .args(args)
                    .output()
                    .ok()
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            };
            if let Some(fqdn) = cmd(&["--fqdn"]) {
                d.exists(1, &format!("{asset}/fqdn[text()=\"{fqdn}\"]"), &mut e);
            }
            if let Some(host) = cmd(&[]) {
                d.exists(1, &format!("{asset}/hostname[text()=\"{host}\"]"), &mut e);
            }
            for mac in host_macs() {
                d.exists(1, &format!("{asset}/connections/connection/mac-address[text()=\"{mac}\"]"), &mut e);
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_results_arf_no_oval", |env| {
            let cwd = env.cwd("arf_no_oval");
            let x = env.unit("test_xccdf_results_arf_no_oval.xccdf.xml");
            let arf = cwd.join("arf.xml");
            let r = tryrun!(env.eval(&cwd, &["--results-arf", arf.to_str().unwrap()], &x));
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let v = tryrun!(env.scapc(&cwd, &["validate", "--no-requirements", arf.to_str().unwrap()]));
            exit_is(&v, 0, "validate ARF", &mut e);
            let i = tryrun!(env.scapc(&cwd, &["ds", "info", arf.to_str().unwrap()]));
            exit_is(&i, 0, "ds info ARF", &mut e);
            stderr_empty(&i, &mut e);
            let r = Run { result: arf.clone(), ..r };
            let d = doc!(r);
            let id = d.text("//TestResult/@id");
            for want in ["asset0", "xccdf1", "collection1", &id] {
                if want.is_empty() || !i.stdout.contains(want) {
                    e.push(format!("`{want}` is not in `ds info`'s summary"));
                }
            }
            // the source benchmark, by its href (oscap) or its id (scapc)
            let (href, bid) = (d.text("//TestResult/benchmark/@href"), d.text("//TestResult/benchmark/@id"));
            if !href.ends_with("test_xccdf_results_arf_no_oval.xccdf.xml")
                || !(i.stdout.contains(&href) || (!bid.is_empty() && i.stdout.contains(&bid)))
            {
                e.push(format!("the source benchmark ({href}) is not in `ds info`'s summary"));
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_sub_title", |env| {
            let cwd = env.cwd("sub_title");
            let x = env.unit("test_xccdf_sub_title.xccdf.xml");
            let mut e = Vec::new();
            let profiles = [
                (None, "No profile"),
                (Some("xccdf_moc.elpmaxe.www_profile_1"), "The First Profile"),
                (Some("xccdf_moc.elpmaxe.www_profile_2"), "The Second Profile"),
            ];
            for (profile, value) in profiles {
                let report = cwd.join("report.html");
                let mut args = vec!["--report", report.to_str().unwrap()];
                if let Some(p) = profile {
                    args.extend(["--profile", p]);
                }
                let r = tryrun!(env.eval(&cwd, &args, &x));
                stderr_empty(&r, &mut e);
                env.schema_valid(&r.result, &mut e);
                let html = std::fs::read_to_string(&report).unwrap_or_default();
                sub_title_page(&html, value, true, &mut e);
                let guide = cwd.join("guide.html");
                let mut g = vec!["guide", "-o", guide.to_str().unwrap()];
                if let Some(p) = profile {
                    g.extend(["--profile", p]);
                }
                g.push(x.to_str().unwrap());
                let r = tryrun!(env.scapc(&cwd, &g));
                exit_is(&r, 0, "guide", &mut e);
                sub_title_page(&std::fs::read_to_string(&guide).unwrap_or_default(), value, false, &mut e);
            }
            outcome(e)
        }),
        // @test-system names the tool (oscap writes its own CPE there)
        ("unittests/test_xccdf_test_system", |env| {
            let cwd = env.cwd("test_system");
            let r = tryrun!(env.eval(&cwd, &[], &env.unit("test_xccdf_test_system.xccdf.xml")));
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            env.schema_valid(&r.result, &mut e);
            let d = doc!(r);
            d.exists(1, "//TestResult", &mut e);
            d.exists(1, "//TestResult[starts-with(@test-system, \"cpe:\")]", &mut e);
            outcome(e)
        }),
        // `oscap info` must not crash on malformed content (read by `eval`)
        ("unittests/test_null_ptr_regression", |env| {
            let cwd = env.cwd("null_ptr_unit");
            let mut e = Vec::new();
            for f in [
                "test_null_ptr_xccdf_empty_testresult.xml",
                "test_null_ptr_xccdf_platform_no_idref.xml",
                "test_null_ptr_xccdf_tailoring_empty_profile.xml",
            ] {
                let r = tryrun!(env.scapc(&cwd, &["eval", env.unit(f).to_str().unwrap()]));
                if r.code < 0 {
                    e.push(format!("{f}: killed by a signal"));
                }
            }
            outcome(e)
        }),
        ("unittests/openscap_2289_regression", |env| {
            let cwd = env.cwd("2289");
            let r = tryrun!(env.scapc(&cwd, &["eval", env.unit("openscap_2289_regression.xml").to_str().unwrap()]));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            outcome(e)
        }),
    ]
}

/// The rule-results of a STIG Viewer results file as
/// stig-viewer-equivalence.py compares them, sorted.
fn stig_results(p: &Path) -> Vec<String> {
    let Ok(d) = Doc::open(p) else { return Vec::new() };
    let n = d.count("//rule-result");
    let mut out: Vec<String> = (1..=n)
        .map(|i| {
            let at = |x: &str| d.text(&format!("(//rule-result)[{i}]/{x}"));
            [
                "@idref",
                "@weight",
                "result",
                "check/@system",
                "check/check-content-ref/@href",
                "check/check-content-ref/@name",
                "check/check-export/@export-name",
                "check/check-export/@value-id",
            ]
            .map(at)
            .join(" ")
        })
        .collect();
    out.sort();
    out
}

/// A directory like the one OpenSCAP's oval-path scripts make: the
/// benchmark, `test_default_selector.oval.xml` and
/// `oval/always-fail/oval.xml`.
fn oval_path_dir(env: &Env, name: &str, xccdf: &str) -> PathBuf {
    let dir = env.cwd(name);
    std::fs::create_dir_all(dir.join("oval/always-fail")).unwrap();
    std::fs::copy(env.unit(xccdf), dir.join(xccdf)).unwrap();
    std::fs::copy(env.unit("test_default_selector.oval.xml"), dir.join("test_default_selector.oval.xml")).unwrap();
    std::fs::copy(env.unit("oval/always-fail/oval.xml"), dir.join("oval/always-fail/oval.xml")).unwrap();
    dir
}

/// `oscap xccdf eval --oval-results --results R --report P X` in `dir`.
fn oval_path_run(env: &Env, dir: &Path, x: &Path, e: &mut Vec<String>) -> Result<(), Out> {
    let report = dir.join("report.html");
    let r = env.eval(dir, &["--oval-results", dir.to_str().unwrap(), "--report", report.to_str().unwrap()], x)?;
    if !has_file_like(dir, &["oval", "always-fail", "oval.xml"], ".result.xml") {
        e.push(format!("no OVAL results file for oval/always-fail/oval.xml in {}", dir.display()));
    }
    stderr_empty(&r, e);
    let d = Doc::open(&r.result).map_err(|m| Out::Fail(format!("results: {m} ({})", r.stderr.trim())))?;
    d.exists(2, "//rule-result/result", e);
    d.exists(2, "//rule-result/result[text()=\"pass\" or text()=\"fail\"]", e);
    if !std::fs::read_to_string(&report).unwrap_or_default().contains("Testing permissions on /not_executable") {
        e.push("the report does not show the OVAL test".into());
    }
    Ok(())
}

/// `check_results` of test_xccdf_refine_rule_refine.sh.
fn refine_rule_results(d: &Doc, e: &mut Vec<String>) {
    let res = |id: &str| format!("//TestResult/rule-result[@idref=\"{id}\"]");
    for id in ["rule-id-selected-and-role", "rule-id-checked", "rule-id-enable-parent-check", "rule-id-unscored"] {
        d.exists(1, &format!("{}/result[text()!=\"notchecked\"]", res(id)), e);
    }
    for id in [
        "rule-id-without-refine",
        "rule-id-inherited",
        "rule-id-simple",
        "rule-id-cluster",
        "rule-id-partially-refined-2",
    ] {
        d.exists(1, &format!("{}/result[text()=\"notchecked\"]", res(id)), e);
    }
    d.exists(1, &format!("{}/result[text()!=\"notchecked\"]", res("rule-id-partially-refined")), e);
    for (id, w) in [("rule-id-override-refine", "8"), ("rule-id-weight", "2"), ("rule-id-weight-override", "4")] {
        d.exists(1, &format!("//rule-result[@idref=\"{id}\" and starts-with(@weight, \"{w}\")]"), e);
    }
    d.exists(
        1,
        &format!("{}//check-content-ref[@name=\"oval:moc.elpmaxe.www:def:2\"]", res("rule-id-multiple-check")),
        e,
    );
    d.exists(1, &format!("{}/result[text()!=\"notchecked\"]", res("rule-id-multiple-check")), e);
    d.exists(1, "//rule-result[@idref=\"rule-id-severity\" and @severity=\"high\"]", e);
    d.exists(1, "//rule-result[@idref=\"rule-id-keep-parent-severity\" and @severity=\"low\"]", e);
}

/// The script's `create_tailoring`: an XCCDF 1.1 tailoring document (in
/// OpenSCAP's namespace for 1.1 tailoring) holding the benchmark's
/// profiles, `child`, `parent` and `grandparent` renamed `tailor-…`.
fn refine_tailoring(benchmark: &str) -> String {
    let start = benchmark.find("<Profile").expect("a Profile");
    let end = benchmark.rfind("</Profile>").expect("a Profile") + "</Profile>".len();
    let mut profiles = benchmark[start..end].to_owned();
    for p in ["child", "parent", "grandparent"] {
        profiles = profiles.replace(&format!("\"{p}\""), &format!("\"tailor-{p}\""));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cdf-11-tailoring:Tailoring xmlns:cdf-11-tailoring=\"http://open-scap.org/page/Xccdf-1.1-tailoring\" xmlns=\"http://checklists.nist.gov/xccdf/1.1\" id=\"xccdf_scap-workbench_tailoring_default\">\n<cdf-11-tailoring:version time=\"2014-03-13T12:22:15\">1</cdf-11-tailoring:version>\n{profiles}\n</cdf-11-tailoring:Tailoring>\n"
    )
}

/// The `grep`s of test_xccdf_sub_title.sh on a report or guide.
fn sub_title_page(html: &str, value: &str, report: bool, e: &mut Vec<String>) {
    let text = strip_tags(html);
    let mut wants = vec![format!("This title is variable: {value}")];
    if report {
        wants.push(format!("This description is substituted according to the selected policy: {value}"));
    }
    for w in wants {
        if !text.contains(&w) {
            e.push(format!("the {} does not say `{w}`", if report { "report" } else { "guide" }));
        }
    }
    if html.contains("sub ") {
        e.push("a `sub ` is left in the page".into());
    }
}

/// Text of an HTML page: tags removed, white space collapsed.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ").replace(" :", ":")
}

/// This host's MAC addresses, upper case, as the script reads them from
/// `ifconfig` (interfaces with an all-zero address left out).
fn host_macs() -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir("/sys/class/net")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read_to_string(e.path().join("address")).ok())
        .map(|a| a.trim().to_uppercase())
        .filter(|a| !a.is_empty() && a != "00:00:00:00:00:00")
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Reports from an XCCDF results document and `xccdf resolve`.
fn unittests_reports() -> Vec<Case> {
    vec![
        ("unittests/test_report_check_with_empty_selector", |env| {
            let cwd = env.cwd("report_empty_selector");
            for f in ["xccdf", "oval"] {
                let n = format!("test_report_check_with_empty_selector.{f}.xml.result.xml");
                std::fs::copy(env.unit(&n), cwd.join(&n)).unwrap();
            }
            let out = cwd.join("report.html");
            let input = cwd.join("test_report_check_with_empty_selector.xccdf.xml.result.xml");
            let r = tryrun!(env.scapc(&cwd, &["report", "-o", out.to_str().unwrap(), input.to_str().unwrap()]));
            if r.code != 0 {
                return Out::Missing(format!("a report from an XCCDF results document ({})", r.stderr.trim()));
            }
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            let html = std::fs::read_to_string(&out).unwrap_or_default();
            if !html.contains("Testing file permissions of /etc/shadow") {
                e.push("the report does not show the OVAL test".into());
            }
            if !html.contains("---------") {
                e.push("the report does not show the file's mode".into());
            }
            outcome(e)
        }),
        ("unittests/test_report_without_oval_poses_no_errors", |env| {
            let cwd = env.cwd("report_without_oval");
            let out = cwd.join("report.html");
            let input = env.unit("test_report_without_oval_poses_no_errors.xccdf.xml.result.xml");
            let r = tryrun!(env.scapc(&cwd, &["report", "-o", out.to_str().unwrap(), input.to_str().unwrap()]));
            if r.code != 0 {
                return Out::Missing(format!("a report from an XCCDF results document ({})", r.stderr.trim()));
            }
            let mut e = Vec::new();
            stderr_empty(&r, &mut e);
            if !r.stdout.trim().is_empty() {
                e.push("stdout is not empty".into());
            }
            outcome(e)
        }),
        ("unittests/test_xccdf_resolve", |env| resolve(env, "test_xccdf_resolve.xccdf.xml")),
        ("unittests/test_xccdf_resolve_profile_platform", |env| {
            resolve(env, "test_xccdf_resolve_profile_platform.xccdf.xml")
        }),
    ]
}

/// `oscap xccdf resolve --output R IN` (here `scapc resolve IN -o R`),
/// then `xccdf validate --skip-schematron R`, and the script's counts.
fn resolve(env: &Env, f: &str) -> Out {
    let cwd = env.cwd(f);
    let out = cwd.join("resolved.xml");
    let r = tryrun!(env.scapc(&cwd, &["resolve", "--output", out.to_str().unwrap(), env.unit(f).to_str().unwrap()]));
    let mut e = Vec::new();
    exit_is(&r, 0, "resolve", &mut e);
    stderr_empty(&r, &mut e);
    env.schema_valid(&out, &mut e);
    let r = Run { result: out, ..r };
    let d = doc!(r);
    d.exists(1, "//Benchmark[@resolved=\"1\"]", &mut e);
    let sel = |p: &str, rule: &str, on: &str| {
        format!("//Profile[@id=\"xccdf_resolve_profile_{p}\"]/select[@idref=\"xccdf_test_rule_{rule}\" and @selected=\"{on}\"]")
    };
    if f == "test_xccdf_resolve.xccdf.xml" {
        d.exists(2, "//Profile[@id=\"xccdf_resolve_profile_grandparent\"]/select", &mut e);
        d.exists(1, &sel("grandparent", "inherited", "true"), &mut e);
        d.exists(1, &sel("grandparent", "overridden", "true"), &mut e);
        d.exists(2, "//Profile[@id=\"xccdf_resolve_profile_parent\"]/select", &mut e);
        d.exists(1, &sel("parent", "inherited", "true"), &mut e);
        d.exists(1, &sel("parent", "overridden", "false"), &mut e);
        d.exists(3, "//Profile[@id=\"xccdf_resolve_profile_child\"]/select", &mut e);
        d.exists(1, &sel("child", "inherited", "true"), &mut e);
        d.exists(1, &sel("child", "overridden", "false"), &mut e);
        d.exists(1, &sel("child", "own", "true"), &mut e);
        let req = |kind: &str, n: &str, idref: &str| {
            format!("//{kind}[@id=\"xccdf_moc.eplmaxe.www_{}_{n}\"]/requires[@idref=\"{idref}\"]", kind.to_lowercase())
        };
        d.exists(1, &req("Rule", "2", "xccdf_moc.elpmaxe.www_rule_1"), &mut e);
        d.exists(1, &req("Rule", "3", "xccdf_moc.elpmaxe.www_rule_1 xccdf_moc.elpmaxe.www_rule_2"), &mut e);
        d.exists(1, &req("Group", "2", "xccdf_moc.elpmaxe.www_group_1"), &mut e);
        d.exists(1, &req("Group", "3", "xccdf_moc.elpmaxe.www_group_1 xccdf_moc.elpmaxe.www_group_2"), &mut e);
    } else {
        d.exists(2, "//Profile[@id=\"xccdf_resolve_profile_platform\"]/select", &mut e);
        d.exists(
            1,
            "//Profile[@id=\"xccdf_resolve_profile_platform\"]/platform[@idref=\"cpe:/a:open-scap:oscap\"]",
            &mut e,
        );
    }
    outcome(e)
}

/// `tests/DS` cases beyond the ones above: ARF output, OVAL-only data
/// streams, remote and local resources, validation, robustness.
fn ds_more() -> Vec<Case> {
    vec![
        ("DS/sds_external_xccdf_in_ds (ARF)", |env| {
            let cwd = env.cwd("external_arf1");
            let args =
                ["--xccdf-id", "scap_org.open-scap_cref_xccdf.xml", "--profile", "xccdf_external_profile_datastream_1"];
            let r = tryrun!(env.eval_to(&cwd, &args, &env.ds("sds_external_xccdf/sds.ds.xml"), "--results-arf"));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
            d.exists(1, "//TestResult/benchmark[@href=\"file:xccdf.sds.xml#scap_1_comp_xccdf.xml\"]", &mut e);
            outcome(e)
        }),
        ("DS/sds_external_xccdf (local file, ARF)", |env| {
            let cwd = env.cwd("external_arf2");
            let args =
                ["--xccdf-id", "scap_org.open-scap_cref_xccdf-file.xml", "--profile", "xccdf_external_profile_file_1"];
            let r = tryrun!(env.eval_to(&cwd, &args, &env.ds("sds_external_xccdf/sds.ds.xml"), "--results-arf"));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            let d = doc!(r);
            d.exists(1, "//rule-result/result[text()=\"pass\"]", &mut e);
            d.exists(1, "//TestResult/benchmark[@href=\"file:xccdf.xml\"]", &mut e);
            outcome(e)
        }),
        // oscap skips it without an rpm database (its OVAL asks rpminfo)
        ("DS/eval_simple", |env| {
            let cwd = env.cwd("eval_simple");
            let r = tryrun!(env.eval(&cwd, &[], &env.ds("eval_simple/sds.xml")));
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            stderr_empty(&r, &mut e);
            outcome(e)
        }),
        ("DS/eval_invalid_oval (OVAL-only eval, exit 1)", |env| {
            let cwd = env.cwd("invalid_oval");
            let r = tryrun!(env.scapc(&cwd, &["eval", env.ds("eval_invalid/sds-oval.xml").to_str().unwrap()]));
            let mut e = Vec::new();
            exit_is(&r, 1, "eval", &mut e);
            outcome(e)
        }),
        ("DS/eval_benchmark_id_conflict", |env| {
            let cwd = env.cwd("benchmark_conflict");
            let r = tryrun!(env.eval(
                &cwd,
                &["--benchmark-id", "xccdf_moc.elpmaxe.www_benchmark_first"],
                &env.ds("eval_benchmark_id_conflict/sds.xml")
            ));
            let mut e = Vec::new();
            exit_is(&r, 0, "eval", &mut e);
            let d = doc!(r);
            if d.count("//rule-result[contains(@idref, \"first\")]") == 0 {
                e.push("no rule of the first benchmark".into());
            }
            outcome(e)
        }),
        ("DS/eval_just_oval (OVAL-only data stream)", |env| {
            let cwd = env.cwd("just_oval");
            let r = tryrun!(env.scapc(&cwd, &["eval", env.ds("eval_just_oval/sds.xml").to_str().unwrap()]));
            if r.code == 1 {
                return Out::Missing(format!(
                    "OVAL evaluation of a data stream without a benchmark ({})",
                    r.stderr.trim()
                ));
            }
            let mut e = Vec::new();
            exit_ok(&r, true, &mut e);
            outcome(e)
        }),
        ("DS/eval_oval_id1", |env| oval_id(env, "1")),
        ("DS/eval_oval_id2", |env| oval_id(env, "2")),
        ("DS/test_eval_complex (ARF)", |env| {
            let cwd = env.cwd("complex_arf");
            let args = [
                "--datastream-id",
                "scap_org.open-scap_datastream_tst2",
                "--xccdf-id",
                "scap_org.open-scap_cref_second-xccdf.xml2",
                "--profile",
                "xccdf_moc.elpmaxe.www_profile_2",
            ];
            let r = tryrun!(env.eval_to(&cwd, &args, &env.ds("eval_xccdf_id/sds-complex.xml"), "--results-arf"));
            let mut e = Vec::new();
            exit_ok(&r, false, &mut e);
            stderr_empty(&r, &mut e);
            let v = tryrun!(env.scapc(&cwd, &["validate", "--no-requirements", r.result.to_str().unwrap()]));
            exit_is(&v, 0, "validate ARF", &mut e);
            let d = doc!(r);
            // assert_correct_xlinks: every component-ref points at a component
            if d.count("//component-ref") == 0 {
                e.push("no component-ref".into());
            }
            // (the script's XPath names `@ds:id`, which matches nothing, so
            // there it holds vacuously; this is the check it means)
            d.exists(
                0,
                "//component-ref[starts-with(@href, \"#\")][not(substring(@href, 2) = (//component/@id | //extended-component/@id))]",
                &mut e,
            );
            d.exists(1, "//rule-result", &mut e);
            d.exists(1, "//rule-result[@idref=\"xccdf_moc.elpmaxe.www_rule_second\"]/result[text()=\"pass\"]", &mut e);
            d.exists(1, "//TestResult/benchmark[@href=\"#scap_org.open-scap_comp_second-xccdf.xml2\"]", &mut e);
            outcome(e)
        }),
        ("DS/test_ds_1_3_continue_without_remote_resources", |env| {
            let cwd = env.cwd("remote13");
            let dir = cwd.join("oval");
            let r = tryrun!(env.eval(
                &cwd,
                &[
                    "--oval-results",
                    dir.to_str().unwrap(),
                    "--profile",
                    "xccdf_com.example.www_profile_test_remote_res"
                ],
                &env.ds("ds_continue_without_remote_resources/remote_content_1.3.ds.xml")
            ));
            let mut e = Vec::new();
            let d = doc!(r);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-pass", "pass"), &mut e);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-remote_res", "notchecked"), &mut e);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-pass2", "pass"), &mut e);
            outcome(e)
        }),
        ("DS/test_ds_1_2_error_remote_resources", |env| remote_fetch(env, "1.2")),
        ("DS/test_ds_1_3_error_remote_resources", |env| remote_fetch(env, "1.3")),
        ("DS/ds_use_local_remote_resources (--local-files)", |env| {
            let cwd = env.cwd("local_files");
            let (files, ds_dir) = (cwd.join("files"), cwd.join("ds"));
            std::fs::create_dir_all(&files).unwrap();
            std::fs::create_dir_all(&ds_dir).unwrap();
            let ds = ds_dir.join("remote_content_1.3.ds.xml");
            std::fs::copy(env.ds("ds_use_local_remote_resources/remote_content_1.3.ds.xml"), &ds).unwrap();
            std::fs::copy(env.ds("ds_use_local_remote_resources/remote.oval.xml"), files.join("remote.oval.xml"))
                .unwrap();
            let profile = ["--profile", "xccdf_com.example.www_profile_test_remote_res"];
            let r = tryrun!(env.eval(&cwd, &["--local-files", files.to_str().unwrap(), profile[0], profile[1]], &ds));
            let mut e = Vec::new();
            exit_is(&r, 2, "--local-files", &mut e);
            let d = doc!(r);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-pass", "pass"), &mut e);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-pass2", "pass"), &mut e);
            // a multi-check: one rule-result per definition of the file
            d.exists(1, &rr("xccdf_com.example.www_rule_test-remote_res", "pass"), &mut e);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-remote_res", "fail"), &mut e);
            // without the file there, the rule is not checked
            std::fs::remove_file(files.join("remote.oval.xml")).unwrap();
            let r = tryrun!(env.eval(&cwd, &["--local-files", files.to_str().unwrap(), profile[0], profile[1]], &ds));
            let d = doc!(r);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-remote_res", "notchecked"), &mut e);
            // without --local-files, a file of that name beside the stream
            // is not used
            std::fs::copy(env.ds("ds_use_local_remote_resources/remote.oval.xml"), ds_dir.join("remote.oval.xml"))
                .unwrap();
            // (the script's later `[ "$ret" = 2 ]` see the exit code of the
            // first run: `ret` is not reset, and oscap 1.3.7 exits 0 here)
            let r = tryrun!(env.eval(&ds_dir, &[profile[0], profile[1]], &ds));
            let d = doc!(r);
            d.exists(1, &rr("xccdf_com.example.www_rule_test-remote_res", "notchecked"), &mut e);
            // a SCAP 1.2 stream: --local-files is not used, and stderr says so
            let v12 = env.ds("ds_continue_without_remote_resources/remote_content_1.2.ds.xml");
            let r = tryrun!(env.eval(&cwd, &["--local-files", files.to_str().unwrap(), profile[0], profile[1]], &v12));
            if !r.stderr.contains("1.3") {
                e.push("--local-files on a SCAP 1.2 stream: no warning".into());
            }
            outcome(e)
        }),
        // assert_no_crash
        ("DS/test_null_ptr_regression (3 inputs)", |env| {
            let cwd = env.cwd("null_ptr_ds");
            let mut e = Vec::new();
            let runs: [Vec<&str>; 3] =
                [vec!["ds", "info"], vec!["eval"], vec!["eval", "--datastream-id", "regression-test-id"]];
            let files = [
                "test_null_ptr_rds_missing_rel_type.xml",
                "test_null_ptr_sds_empty_collection.xml",
                "test_null_ptr_sds_stream_no_id.xml",
            ];
            for (args, f) in runs.into_iter().zip(files) {
                let p = env.ds(f);
                let mut a = args.clone();
                a.push(p.to_str().unwrap());
                let r = tryrun!(env.scapc(&cwd, &a));
                if r.code < 0 {
                    e.push(format!("{f}: killed by a signal"));
                }
            }
            outcome(e)
        }),
        ("DS/validate (8 documents)", |env| {
            let cwd = env.cwd("validate");
            let mut e = Vec::new();
            for (f, ok) in [
                ("sds-valid.xml", true),
                ("sds-1.3-valid.xml", true),
                ("sds-invalid.xml", false),
                ("sds-1.3-invalid.xml", false),
                ("sds-invalid-xccdf.xml", false),
                ("sds-invalid-oval.xml", false),
                ("rds-valid.xml", true),
                ("rds-invalid.xml", false),
            ] {
                let p = env.ds(&format!("validate/{f}"));
                if !p.is_file() {
                    e.push(format!("{f} is not in the archive"));
                    continue;
                }
                let r = tryrun!(env.scapc(&cwd, &["validate", "--no-requirements", p.to_str().unwrap()]));
                if (r.code == 0) != ok {
                    e.push(format!("{f}: exit {}, expected {}", r.code, if ok { "0" } else { "non-zero" }));
                }
            }
            outcome(e)
        }),
        ("DS/schematron (2 documents)", |env| {
            let cwd = env.cwd("schematron");
            let mut e = Vec::new();
            for (f, ok) in [("simple_ds.xml", true), ("simple_ds_xccdf_schematron_error.xml", false)] {
                let r = tryrun!(env.scapc(&cwd, &["validate", env.ds(&format!("schematron/{f}")).to_str().unwrap()]));
                if (r.code == 0) != ok {
                    e.push(format!(
                        "{f}: exit {}, expected {}: {}",
                        r.code,
                        if ok { "0" } else { "non-zero" },
                        r.stdout.trim()
                    ));
                }
            }
            outcome(e)
        }),
        ("DS/sds_detect_version (1.2, 1.3)", |env| {
            let cwd = env.cwd("detect_version");
            let text = std::fs::read_to_string(env.ds("sds_detect_version/scap-ds.xml")).unwrap();
            let mut e = Vec::new();
            for v in ["1.2", "1.3"] {
                let p = cwd.join(format!("ds-{v}.xml"));
                std::fs::write(&p, text.replace("X.X", v)).unwrap();
                let r = tryrun!(env.scapc(&cwd, &["ds", "info", "--format", "json", p.to_str().unwrap()]));
                stderr_empty(&r, &mut e);
                if !r.stdout.contains(&format!("\"{v}\"")) {
                    e.push(format!("ds info does not give version {v}"));
                }
            }
            outcome(e)
        }),
        ("DS/ds_without_cpe_dict", |env| {
            let cwd = env.cwd("without_cpe_dict");
            let r = tryrun!(env.eval(&cwd, &[], &env.ds("ds_without_cpe_dict/ds_without_cpe_dict.xml")));
            let mut e = Vec::new();
            let d = doc!(r);
            d.exists(1, &rr("xccdf_moc.elpmaxe.www_rule_1", "pass"), &mut e);
            outcome(e)
        }),
    ]
}

/// `oscap oval eval --datastream-id D --oval-id C sds.xml`: the chosen
/// OVAL component's definition is in the output.
fn oval_id(env: &Env, n: &str) -> Out {
    let cwd = env.cwd(&format!("oval_id{n}"));
    let comp = format!("scap_org.open-scap_cref_scap-oval{n}.xml");
    let r = tryrun!(env.scapc(
        &cwd,
        &[
            "eval",
            "--datastream-id",
            "scap_org.open-scap_datastream_just_oval",
            "--oval-id",
            &comp,
            env.ds("eval_oval_id/sds.xml").to_str().unwrap()
        ]
    ));
    let mut e = Vec::new();
    exit_is(&r, 0, "eval", &mut e);
    if !r.stdout.contains(&format!("oval:x:def:{n}")) {
        e.push(format!("oval:x:def:{n} is not in the output"));
    }
    outcome(e)
}

/// `--fetch-remote-resources` on a stream whose OVAL is at example.com
/// (OpenSCAP runs it only with internet access): the download fails (no
/// such file there, or no network), an error.
fn remote_fetch(env: &Env, version: &str) -> Out {
    let cwd = env.cwd(&format!("fetch{version}"));
    let r = tryrun!(env.eval(
        &cwd,
        &["--fetch-remote-resources", "--profile", "xccdf_com.example.www_profile_test_remote_res"],
        &env.ds(&format!("ds_continue_without_remote_resources/remote_content_{version}.ds.xml"))
    ));
    // oscap: "Downloading: https://www.example.com/security/data/oval/oval.xml.bz2
    // ... error" and "OpenSCAP Error: Download failed"; the download from
    // a local server is `cli/tests/eval_remote.rs`
    let mut e = Vec::new();
    let url = "https://www.example.com/security/data/oval/oval.xml.bz2";
    if !(r.stderr.contains(url) && r.stderr.contains("failed")) {
        e.push(format!("the failed download of {url} is not reported (exit {}): {}", r.code, r.stderr.trim()));
    }
    if r.code == 0 {
        e.push("a failed download exits 0".into());
    }
    outcome(e)
}

/// Cases of the two suites that this harness does not run, and why: other
/// test files cover them (fix generation and remediation belong to
/// `cli/tests/fix_openscap.rs`, signatures to `cli/tests/sign_openscap.rs`),
/// or they test OpenSCAP's libraries rather than its command line.
const ELSEWHERE: &[(&str, &str)] = &[
    ("DS/signed (10 checks)", "covered by sign_openscap.rs"),
    ("DS/test_sds_fix_from_results", "fix generation: covered by fix_openscap.rs"),
    ("DS/test_sds_fix_from_source", "fix generation: covered by fix_openscap.rs"),
    ("DS/ds_sds_index (2 C programs)", "tests OpenSCAP's C API for data stream indexes"),
    ("unittests/test_xccdf_shall_pass1", "tests OpenSCAP's C API (check engines registered by the program)"),
    ("unittests/test_xccdf_shall_pass2", "tests OpenSCAP's C API (check engines registered by the program)"),
    ("unittests/test_xccdf_shall_pass3", "tests OpenSCAP's C API (check engines registered by the program)"),
    ("unittests/test_xccdf_overrides", "tests OpenSCAP's C API (the program adds an override to an ARF)"),
    ("unittests/test_oscap_common", "tests OpenSCAP's C utility library"),
    ("unittests/test_xccdf_result_sysinfo_platform", "OpenSCAP runs it only on macOS and FreeBSD"),
    ("unittests/test_xccdf_transformation", "its input (tests/nist/R1100) is not in the data archive"),
    ("unittests/all_python", "remediation (test_remediate_python*): covered by fix_openscap.rs"),
    ("unittests/test_ansible_yaml_block_scalar", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_report_anaconda_fixes", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_report_anaconda_fixes_ds", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_xccdf_fix_attr_export", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_fix_* (5 scripts)", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_generate_fix_ansible_vars", "fix generation: covered by fix_openscap.rs"),
    ("unittests/test_remediate_* (5 scripts)", "remediation: covered by fix_openscap.rs"),
    ("unittests/test_remediation_* (22 scripts)", "remediation: covered by fix_openscap.rs"),
    ("unittests/test_report_without_xsl_fails_gracefully", "sets oscap's XSLT path; scapc's reports use no XSLT files"),
];

#[test]
fn openscap_test_suites() {
    let a = archive();
    if !a.is_file() {
        eprintln!("NOTICE: skipped: {} is absent (../shared)", a.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let st = Command::new("tar").arg("xJf").arg(&a).arg("-C").arg(tmp.path()).status().unwrap();
    assert!(st.success(), "cannot unpack {}", a.display());
    let root = tmp.path().join("openscap-tests");
    let work = tmp.path().join("work");
    let oscap = Command::new("oscap").arg("--version").output().is_ok_and(|o| o.status.success());
    if !oscap {
        eprintln!("NOTICE: oscap is not installed: results are not checked against the XCCDF schema");
    }
    let env = Env { root, work, _tmp: tmp, oscap };
    let (mut pass, mut fail, mut missing) = (0, 0, 0);
    let mut failures = Vec::new();
    println!("{:<70} outcome", "case");
    let cases = [unittests(), unittests_more(), unittests_reports(), ds_more()].concat();
    for (name, case) in cases {
        let (word, why) = match case(&env) {
            Out::Pass => {
                pass += 1;
                ("pass", String::new())
            }
            Out::Fail(m) => {
                fail += 1;
                failures.push(format!("{name}: {m}"));
                ("fail", m)
            }
            Out::Missing(f) => {
                missing += 1;
                ("feature-missing", f)
            }
        };
        println!("{name:<70} {word} {why}");
    }
    for (name, why) in ELSEWHERE {
        println!("{name:<70} not run here: {why}");
    }
    println!("{pass} pass, {fail} fail, {missing} feature-missing; {} not run here", ELSEWHERE.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
