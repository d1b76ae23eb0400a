//! The bundled Debian 12 content, built and checked with the reference
//! tools: `oscap` validates and evaluates it, OpenSCAP's SP 800-126
//! Schematron (run with `xsltproc`) reports no errors, and the content meets
//! the shape the project promises (counts, scenarios, profiles).
//!
//! These tests need `oscap` and `xsltproc`; `scripts/test` installs them.
//! They fail (not skip) without them, so that CI cannot pass vacuously.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SCHEMATRON: &str = "/usr/share/openscap/schemas/sds/1.3/source-data-stream-1.3.xsl";
const EPOCH: &str = "1700000000";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Builds the bundled content once per test binary into a temp dir.
fn built() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .args(["build", "-C"])
            .arg(repo())
            .arg("-o")
            .arg(tmp.path().join("build"))
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the bundled content does not build:\n{stderr}");
        assert!(!stderr.contains("warning["), "the bundled content builds with warnings:\n{stderr}");
        tmp
    })
    .path()
}

fn products() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo().join("products"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    assert!(!v.is_empty());
    v
}

fn tool(cmd: &str) -> Command {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "`{cmd}` is not installed: run scripts/test, which installs the reference tools");
    Command::new(cmd)
}

fn run(mut c: Command) -> (i32, String) {
    let out = c.output().unwrap();
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

#[test]
fn oscap_validates_every_output() {
    let b = built().join("build");
    for p in products() {
        let f = |part: &str| b.join(format!("{p}-{part}.xml"));
        let mut c = tool("oscap");
        c.args(["ds", "sds-validate"]).arg(f("ds"));
        let (code, out) = run(c);
        assert_eq!(code, 0, "oscap ds sds-validate {p}:\n{out}");
        let mut c = tool("oscap");
        c.args(["xccdf", "validate"]).arg(f("xccdf"));
        let (code, out) = run(c);
        assert_eq!(code, 0, "oscap xccdf validate {p}:\n{out}");
        for part in ["oval", "cpe-oval"] {
            let mut c = tool("oscap");
            c.args(["oval", "validate"]).arg(f(part));
            let (code, out) = run(c);
            assert_eq!(code, 0, "oscap oval validate {p}-{part}:\n{out}");
        }
        let mut c = tool("oscap");
        c.args(["cpe", "validate"]).arg(f("cpe-dictionary"));
        let (code, out) = run(c);
        assert_eq!(code, 0, "oscap cpe validate {p}:\n{out}");
    }
}

#[test]
fn sp800_126_schematron_reports_no_errors() {
    let b = built().join("build");
    for p in products() {
        let mut c = tool("xsltproc");
        c.arg(SCHEMATRON).arg(b.join(format!("{p}-ds.xml")));
        let (code, out) = run(c);
        assert_eq!(code, 0, "xsltproc failed:\n{out}");
        let errors: Vec<&str> = out.lines().filter(|l| l.contains("Error:")).collect();
        assert!(errors.is_empty(), "Schematron errors for {p}:\n{}", errors.join("\n"));
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["build", "-q", "-C"])
        .arg(repo())
        .arg("-o")
        .arg(tmp.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert!(out.status.success());
    let a = built().join("build");
    let mut n = 0;
    for e in std::fs::read_dir(&a).unwrap() {
        let e = e.unwrap();
        let other = tmp.path().join(e.file_name());
        assert_eq!(std::fs::read(e.path()).unwrap(), std::fs::read(&other).unwrap(), "{:?} differs", e.file_name());
        n += 1;
    }
    assert_eq!(n, 6 * products().len());
}

/// Rule ids with an OVAL check, read from the built XCCDF.
fn oval_rules(xccdf: &str) -> Vec<String> {
    let mut out = Vec::new();
    for chunk in xccdf.split("<xccdf-1.2:Rule id=\"").skip(1) {
        let id = &chunk[..chunk.find('"').unwrap()];
        let body = &chunk[..chunk.find("</xccdf-1.2:Rule>").unwrap()];
        if body.contains("check system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"") {
            out.push(id.to_owned());
        }
    }
    out
}

fn profiles_of(xccdf: &str) -> Vec<String> {
    xccdf.split("<xccdf-1.2:Profile id=\"").skip(1).map(|c| c[..c.find('"').unwrap()].to_owned()).collect()
}

#[test]
fn oscap_evaluates_every_profile_without_errors_on_this_host() {
    let b = built().join("build");
    for p in products() {
        let xccdf = std::fs::read_to_string(b.join(format!("{p}-xccdf.xml"))).unwrap();
        let checked = oval_rules(&xccdf);
        let profiles = profiles_of(&xccdf);
        assert!(profiles.len() >= 2);
        for prof in profiles {
            let mut c = tool("oscap");
            c.args(["xccdf", "eval", "--profile", &prof]).arg(b.join(format!("{p}-ds.xml")));
            let (code, out) = run(c);
            // 0: all pass, 2: some fail; 1 is an error.
            assert!(code == 0 || code == 2, "oscap eval {prof} exited {code}:\n{out}");
            let mut results: BTreeMap<String, String> = BTreeMap::new();
            let mut rule = None;
            // oscap writes `Rule\r\t<id>`: drop the carriage returns.
            for line in out.replace('\r', "").lines() {
                if let Some(r) = line.strip_prefix("Rule\t") {
                    rule = Some(r.trim().to_owned());
                } else if let (Some(res), Some(r)) = (line.strip_prefix("Result\t"), rule.take()) {
                    results.insert(r, res.trim().to_owned());
                }
            }
            assert!(!results.is_empty(), "no results for {prof}:\n{out}");
            for (r, res) in &results {
                if checked.contains(r) {
                    assert!(
                        matches!(res.as_str(), "pass" | "fail" | "notapplicable"),
                        "{prof}: OVAL-checked rule {r} got `{res}`"
                    );
                }
            }
        }
    }
}

fn rule_dirs() -> Vec<PathBuf> {
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                if p.join("rule.yml").is_file() {
                    out.push(p);
                } else {
                    walk(&p, out);
                }
            }
        }
    }
    let mut v = Vec::new();
    walk(&repo().join("rules"), &mut v);
    v.sort();
    v
}

#[test]
fn content_has_the_promised_shape() {
    let rules = rule_dirs();
    assert!(rules.len() >= 50, "only {} rules", rules.len());
    let groups = {
        let mut n = 0;
        fn count(d: &Path, n: &mut usize) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    if p.join("group.yml").is_file() {
                        *n += 1;
                    }
                    count(&p, n);
                }
            }
        }
        count(&repo().join("rules"), &mut n);
        n
    };
    assert!(groups >= 8, "only {groups} groups");
    let templates = std::fs::read_dir(repo().join("templates"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("template.yml").is_file())
        .count();
    assert!(templates >= 10, "only {templates} templates");
    let sce = rules.iter().filter(|r| r.join("sce/shared.sh").is_file()).count();
    assert!(sce >= 1, "no SCE rule");
    let mut manual = 0;
    for r in &rules {
        let y = std::fs::read_to_string(r.join("rule.yml")).unwrap();
        let automated = y.contains("template:") || r.join("oval").is_dir() || r.join("sce").is_dir();
        if !automated && y.contains("ocil") {
            manual += 1;
        }
        let tests: Vec<String> = std::fs::read_dir(r.join("tests"))
            .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        assert!(tests.iter().any(|t| t.ends_with(".pass.sh")), "{} has no pass scenario", r.display());
        assert!(tests.iter().any(|t| t.ends_with(".fail.sh")), "{} has no fail scenario", r.display());
        for t in tests.iter().filter(|t| t.ends_with(".sh")) {
            let out = Command::new("bash").arg("-n").arg(r.join("tests").join(t)).output().unwrap();
            assert!(
                out.status.success(),
                "{}/tests/{t} is not valid bash: {}",
                r.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    assert!(manual >= 1, "no manual (OCIL-only) rule");
    let profiles: Vec<String> = std::fs::read_dir(repo().join("profiles"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert!(profiles.len() >= 2);
    assert!(profiles.iter().any(|p| p.contains("extends:")), "no profile extends another");
    assert!(
        profiles.iter().any(|p| p
            .lines()
            .any(|l| l.trim_start().starts_with("- ") && l.contains('=') && !l.contains(".severity"))),
        "no profile sets a value through a selector"
    );
}

#[test]
fn bash_fixes_are_valid_bash() {
    let b = built().join("build");
    for p in products() {
        let xccdf = std::fs::read_to_string(b.join(format!("{p}-xccdf.xml"))).unwrap();
        let mut n = 0;
        for chunk in xccdf.split("<xccdf-1.2:fix system=\"urn:xccdf:fix:script:sh\"").skip(1) {
            let body = &chunk[chunk.find('>').unwrap() + 1..chunk.find("</xccdf-1.2:fix>").unwrap()];
            // Replace <sub/> placeholders by a value, then unescape.
            let mut text = String::new();
            let mut rest = body;
            while let Some(i) = rest.find("<xccdf-1.2:sub ") {
                text.push_str(&rest[..i]);
                text.push_str("42");
                rest = &rest[i + rest[i..].find("/>").unwrap() + 2..];
            }
            text.push_str(rest);
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            let out = Command::new("bash").args(["-n", "-c", &text]).output().unwrap();
            assert!(
                out.status.success(),
                "a bash fix is not valid bash:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            n += 1;
        }
        assert!(n >= 40, "only {n} bash fixes");
        assert!(!xccdf.contains("{{{") && !xccdf.contains("{{%"), "unrendered Jinja reached the benchmark");
    }
}

#[test]
fn sce_checks_are_left_out_by_default_and_run_by_oscap_with_sce() {
    let default_ds = std::fs::read_to_string(built().join("build/debian12-ds.xml")).unwrap();
    assert!(!default_ds.contains("http://open-scap.org/page/SCE"), "the default build must stay SCAP 1.3 conformant");
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["build", "-q", "--sce", "-C"])
        .arg(repo())
        .arg("-o")
        .arg(tmp.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let ds = std::fs::read_to_string(tmp.path().join("debian12-ds.xml")).unwrap();
    assert!(ds.contains("<ds:extended-component id=\"scap_org.scapc_ecomp_debian12-checks-sce-"), "no SCE component");
    let xccdf = std::fs::read_to_string(tmp.path().join("debian12-xccdf.xml")).unwrap();
    let sce_rules: Vec<String> = xccdf
        .split("<xccdf-1.2:Rule id=\"")
        .skip(1)
        .filter(|c| {
            c[..c.find("</xccdf-1.2:Rule>").unwrap()].contains("check system=\"http://open-scap.org/page/SCE\"")
        })
        .map(|c| c[..c.find('"').unwrap()].to_owned())
        .collect();
    assert!(!sce_rules.is_empty());
    for r in sce_rules {
        let mut c = tool("oscap");
        c.args(["xccdf", "eval", "--rule", &r]).arg(tmp.path().join("debian12-ds.xml"));
        let (code, out) = run(c);
        assert!(code == 0 || code == 2, "oscap eval of SCE rule {r} exited {code}:\n{out}");
        let clean = out.replace('\r', "");
        let res =
            clean.lines().skip_while(|l| !l.contains(&r)).find_map(|l| l.strip_prefix("Result\t")).unwrap_or("none");
        assert!(matches!(res.trim(), "pass" | "fail"), "SCE rule {r} got `{res}`:\n{out}");
    }
}

#[test]
fn ansible_fixes_are_yaml_task_lists() {
    let b = built().join("build");
    for p in products() {
        let xccdf = std::fs::read_to_string(b.join(format!("{p}-xccdf.xml"))).unwrap();
        let mut n = 0;
        for chunk in xccdf.split("<xccdf-1.2:fix system=\"urn:xccdf:fix:script:ansible\"").skip(1) {
            let body = &chunk[chunk.find('>').unwrap() + 1..chunk.find("</xccdf-1.2:fix>").unwrap()];
            let mut text = String::new();
            let mut rest = body;
            while let Some(i) = rest.find("<xccdf-1.2:sub ") {
                text.push_str(&rest[..i]);
                text.push_str("42");
                rest = &rest[i + rest[i..].find("/>").unwrap() + 2..];
            }
            text.push_str(rest);
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            let doc = scapc_compiler::yaml::parse(&text)
                .unwrap_or_else(|e| panic!("an ansible fix is not YAML ({e:?}):\n{text}"));
            let tasks = doc.as_seq().unwrap_or_else(|| panic!("an ansible fix is not a task list:\n{text}"));
            assert!(tasks.iter().all(|t| t.get("name").is_some()), "a task without a name:\n{text}");
            n += 1;
        }
        assert!(n >= 40, "only {n} ansible fixes");
    }
}
