//! `scapc eval` on the content people have besides source data streams,
//! against oscap rule by rule: a standalone XCCDF 1.2 benchmark with its
//! OVAL, OCIL and CPE files beside it (`--cpe`), an XCCDF 1.1.4 benchmark
//! made from SSG content (standalone, and inside a data stream), and the
//! oscap-compatible outputs (`--results` read by `oscap xccdf generate
//! report` and `scapc validate`, `--oval-results`). Also XCCDF processing:
//! check-content-ref without `@name`, `multi-check`, profile suffixes.
//!
//! Skipped, with a notice, when the SSG content or oscap is not installed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const SSG: &str = "/usr/share/xml/scap/ssg/content";

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

fn have(cmd: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {cmd}")).output().is_ok_and(|o| o.status.success())
}

/// The SSG Debian 11 files and oscap, or a notice and `None`.
fn ssg() -> Option<PathBuf> {
    let d = Path::new(SSG);
    if !d.join("ssg-debian11-xccdf.xml").is_file() || !have("oscap") {
        eprintln!("NOTICE: skipped: needs {SSG}/ssg-debian11-*.xml and oscap (scripts/test installs them)");
        return None;
    }
    Some(d.to_path_buf())
}

fn run(mut c: Command) -> (i32, String) {
    let out = c.output().unwrap();
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

/// rule id → results (several for a multi-check), from any XCCDF version's
/// results or an ARF.
fn results(path: &Path) -> BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for i in 0..tree.nodes.len() {
        let n = i as scapc_xml::tree::NodeId;
        if tree.local(n) != "rule-result" {
            continue;
        }
        let mut r =
            tree.children(n).find(|k| tree.local(*k) == "result").map(|r| tree.text(r).trim().to_owned()).unwrap();
        // one rule-result of a multi-check: which definition gave it
        let check = tree.children(n).find(|k| tree.local(*k) == "check");
        if let Some(c) = check.filter(|c| tree.attr(*c, "multi-check").is_some()) {
            let name = tree.children(c).find_map(|k| tree.attr(k, "name")).unwrap_or("");
            r = format!("{name}={r}");
        }
        out.entry(tree.attr(n, "idref").unwrap().to_owned()).or_default().push(r);
    }
    // oscap orders the rule-results of a multi-check as its hash table
    // does; the XCCDF specification gives no order
    out.values_mut().for_each(|v| v.sort());
    out
}

fn assert_same(case: &str, ours: &Path, theirs: &Path) {
    let a = results(ours);
    let b = results(theirs);
    assert!(!a.is_empty(), "{case}: scapc reported no rules");
    let evaluated = a.values().flatten().filter(|r| *r != "notselected").count();
    let diffs: Vec<String> = a
        .iter()
        .filter(|(id, r)| b.get(*id) != Some(r))
        .map(|(id, r)| format!("{id}: scapc {r:?}, oscap {:?}", b.get(id)))
        .collect();
    assert!(diffs.is_empty() && a.len() == b.len(), "{case}: {} differences:\n{}", diffs.len(), diffs.join("\n"));
    eprintln!("{case}: {} rules, {evaluated} evaluated, the same results as oscap", a.len());
}

/// Copies the Debian 11 SSG files into `dir`, the benchmark without its
/// Debian 11 platform (so that it applies to this host); `v11` makes it an
/// XCCDF 1.1.4 benchmark. Returns the benchmark's path.
fn debian11_benchmark(ssg: &Path, dir: &Path, v11: bool) -> PathBuf {
    for f in ["oval", "ocil", "cpe-dictionary", "cpe-oval"] {
        let name = format!("ssg-debian11-{f}.xml");
        std::fs::copy(ssg.join(&name), dir.join(&name)).unwrap();
    }
    let mut s = std::fs::read_to_string(ssg.join("ssg-debian11-xccdf.xml")).unwrap();
    let line = "<xccdf-1.2:platform idref=\"cpe:/o:debian:debian_linux:11\"/>";
    assert!(s.contains(line));
    s = s.replace(line, "");
    if v11 {
        // XCCDF 1.1.4: its namespace, and no `sub/@use` (new in 1.2);
        // SSG's ids are NCNames, which 1.1.4 asks for.
        s = s.replace("http://checklists.nist.gov/xccdf/1.2", "http://checklists.nist.gov/xccdf/1.1");
        for u in ["legacy", "title", "value"] {
            s = s.replace(&format!(" use=\"{u}\""), "");
        }
    }
    let p = dir.join(if v11 { "b11-xccdf.xml" } else { "ssg-debian11-xccdf.xml" });
    std::fs::write(&p, s).unwrap();
    p
}

fn validate(p: &Path) {
    let (code, out) = run({
        let mut c = scapc();
        c.arg("validate").arg(p);
        c
    });
    assert_eq!(code, 0, "scapc validate {}: {out}", p.display());
}

fn oscap_report(p: &Path) {
    let out = Command::new("oscap").args(["xccdf", "generate", "report"]).arg(p).output().unwrap();
    assert!(
        out.status.success() && out.stdout.len() > 10_000,
        "oscap xccdf generate report {}: {}",
        p.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Evaluates `input` with both tools (same arguments) and compares the
/// XCCDF results rule by rule; returns scapc's results file.
fn both(case: &str, dir: &Path, input: &Path, args: &[&str], oscap_args: &[&str]) -> PathBuf {
    let ours = dir.join(format!("{case}-scapc.xml"));
    let theirs = dir.join(format!("{case}-oscap.xml"));
    let mut c = scapc();
    c.arg("eval").arg(input).args(args).arg("--results").arg(&ours).arg("-q");
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{case}: scapc eval ({code}): {out}");
    let mut o = Command::new("oscap");
    o.args(["xccdf", "eval"]).args(oscap_args).args(args).arg("--results").arg(&theirs).arg(input);
    let (code, out) = run(o);
    assert!(code == 0 || code == 2, "{case}: oscap ({code}): {out}");
    assert_same(case, &ours, &theirs);
    ours
}

#[test]
fn standalone_xccdf_12_with_its_files_beside_it() {
    let Some(ssg) = ssg() else { return };
    let t = tempfile::tempdir().unwrap();
    let b = debian11_benchmark(&ssg, t.path(), false);
    let cpe = t.path().join("ssg-debian11-cpe-dictionary.xml");
    let cpe = cpe.to_str().unwrap();
    let ours = both("standard", t.path(), &b, &["--profile", "standard", "--cpe", cpe], &[]);
    // the whole document: benchmark and TestResult, which both tools read
    validate(&ours);
    oscap_report(&ours);
    // --oval-results: the OVAL results files, named as oscap names them
    let dir = t.path().join("oval");
    let mut c = scapc();
    c.arg("eval").arg(&b).args(["--profile", "standard", "--cpe", cpe, "-q", "--oval-results"]).arg(&dir);
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{out}");
    for f in ["ssg-debian11-oval.xml.result.xml", "ssg-debian11-cpe-oval.xml.result.xml"] {
        assert!(dir.join(f).is_file(), "{f} not written: {out}");
        validate(&dir.join(f));
    }
    // a referenced file that is missing: a warning, and the rules it
    // checks are notchecked, as in oscap
    std::fs::remove_file(t.path().join("ssg-debian11-oval.xml")).unwrap();
    let r = t.path().join("missing.xml");
    let mut c = scapc();
    c.arg("eval").arg(&b).args(["--profile", "standard", "--cpe", cpe, "--results"]).arg(&r);
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{out}");
    assert!(out.contains("ssg-debian11-oval.xml") && out.contains("does not exist"), "{out}");
    let res = results(&r);
    assert!(res.values().flatten().any(|r| r == "notchecked"), "{res:?}");
    assert!(!res.values().flatten().any(|r| r == "pass"), "{res:?}");
}

#[test]
fn xccdf_114_standalone_and_in_a_data_stream() {
    let Some(ssg) = ssg() else { return };
    let t = tempfile::tempdir().unwrap();
    let b = debian11_benchmark(&ssg, t.path(), true);
    // the 1.1.4 benchmark is valid against the XCCDF 1.1.4 schema
    validate(&b);
    let cpe = t.path().join("ssg-debian11-cpe-dictionary.xml");
    let ours = both("standard-1.1.4", t.path(), &b, &["--profile", "standard", "--cpe", cpe.to_str().unwrap()], &[]);
    // results are XCCDF 1.1.4, valid, and oscap renders them
    let text = std::fs::read_to_string(&ours).unwrap();
    assert!(text.contains("<TestResult xmlns=\"http://checklists.nist.gov/xccdf/1.1\""));
    validate(&ours);
    oscap_report(&ours);
    // inside a data stream (oscap's schema check refuses XCCDF 1.1.4 there,
    // so it evaluates with --skip-validation)
    let ds = t.path().join("ds11.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.args(["ds", "compose"]).arg(&b).arg("-o").arg(&ds);
        c
    });
    assert_eq!(code, 0, "{out}");
    both("standard-1.1.4-ds", t.path(), &ds, &["--profile", "standard"], &["--skip-validation"]);
    // scapc convert: the same benchmark as XCCDF 1.2 is valid and
    // evaluates to the same results (SSG's ids are already conformant)
    let b12 = t.path().join("b12-xccdf.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("convert").arg(&b).arg("-o").arg(&b12).args(["--reverse-dns", "org.ssgproject.content"]);
        c
    });
    assert_eq!(code, 0, "{out}");
    validate(&b12);
    let converted =
        both("standard-converted", t.path(), &b12, &["--profile", "standard", "--cpe", cpe.to_str().unwrap()], &[]);
    assert_eq!(results(&converted), results(&ours), "the 1.2 conversion evaluates differently");
}

/// `scapc convert` gives every id and reference that OpenSCAP's
/// xccdf_1.1_to_1.2.xsl gives (run with xsltproc).
#[test]
fn convert_matches_openscap_xsl() {
    let xsl = Path::new("/usr/share/openscap/xsl/xccdf_1.1_to_1.2.xsl");
    if !xsl.is_file() || !have("xsltproc") {
        eprintln!("NOTICE: skipped: needs xsltproc and {}", xsl.display());
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let b = t.path().join("b11.xml");
    std::fs::write(
        &b,
        r#"<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="bench" resolved="1">
  <status>draft</status><title>t</title><version>1</version>
  <Profile id="base"><title>b</title><select idref="r1" selected="true"/><set-value idref="v1">3</set-value></Profile>
  <Profile id="derived" extends="base"><title>d</title><refine-rule idref="r2" weight="2"/><refine-value idref="v1" selector="s"/></Profile>
  <Value id="v1"><title>v</title><value>1</value><value selector="s">2</value></Value>
  <Group id="g1"><title>g</title>
    <Rule id="r1"><title>r <sub idref="v1"/></title><requires idref="g1 r2"/>
      <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5"><check-export value-id="v1" export-name="oval:x:var:1"/><check-content-ref href="o.xml" name="oval:x:def:1"/></check></Rule>
    <Rule id="r2"><title>r2</title><conflicts idref="r1"/></Rule>
  </Group>
</Benchmark>
"#,
    )
    .unwrap();
    let ours = t.path().join("ours.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("convert").arg(&b).arg("-o").arg(&ours).args(["--reverse-dns", "com.example"]);
        c
    });
    assert_eq!(code, 0, "{out}");
    let theirs = Command::new("xsltproc")
        .args(["--stringparam", "reverse_DNS", "com.example"])
        .arg(xsl)
        .arg(&b)
        .output()
        .unwrap();
    assert!(theirs.status.success());
    // (element, attribute, value) of every id-like attribute, both sides
    let refs = |text: &str| {
        let t = scapc_xml::tree::Tree::parse(text).unwrap();
        assert_eq!(t.ns(t.root()), "http://checklists.nist.gov/xccdf/1.2");
        let mut v: Vec<(String, String, String)> = Vec::new();
        for i in 0..t.nodes.len() {
            let n = i as scapc_xml::tree::NodeId;
            for a in ["id", "idref", "value-id", "extends"] {
                if let Some(x) = t.attr(n, a) {
                    v.push((t.local(n).to_owned(), a.to_owned(), x.to_owned()));
                }
            }
        }
        v.sort();
        v
    };
    let a = refs(&std::fs::read_to_string(&ours).unwrap());
    let b = refs(&String::from_utf8_lossy(&theirs.stdout));
    assert_eq!(a, b);
    assert!(a.iter().any(|(_, _, v)| v == "xccdf_com.example_rule_r1"));
}

const OVAL: &str = r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
  <generator><oval:schema_version>5.11.2</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <definitions>
    <definition class="compliance" id="oval:t:def:1" version="1">
      <metadata><title>true</title><description>d</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:1"/></criteria>
    </definition>
    <definition class="compliance" id="oval:t:def:2" version="1">
      <metadata><title>false</title><description>d</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:1" negate="true"/></criteria>
    </definition>
  </definitions>
  <tests>
    <ind:family_test id="oval:t:tst:1" version="1" check="all" check_existence="at_least_one_exists" comment="unix">
      <ind:object object_ref="oval:t:obj:1"/>
      <ind:state state_ref="oval:t:ste:1"/>
    </ind:family_test>
  </tests>
  <objects><ind:family_object id="oval:t:obj:1" version="1"/></objects>
  <states><ind:family_state id="oval:t:ste:1" version="1"><ind:family>unix</ind:family></ind:family_state></states>
</oval_definitions>
"#;

fn rule(id: &str, check: &str) -> String {
    format!(
        "<Rule id=\"xccdf_t_rule_{id}\" selected=\"true\"><title>{id}</title>\
         <check system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"{check}>\
         <check-content-ref href=\"t-oval.xml\"/></check></Rule>\n"
    )
}

#[test]
fn check_content_ref_without_name_and_multi_check_as_oscap() {
    if !have("oscap") {
        eprintln!("NOTICE: skipped: oscap is not installed");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("t-oval.xml"), OVAL).unwrap();
    let b = format!(
        "<?xml version=\"1.0\"?>\n<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_t_benchmark_b\">\
         <status>draft</status><version>1</version>\n{}{}{}</Benchmark>\n",
        rule("all", ""),
        rule("multi", " multi-check=\"true\""),
        rule("multi1", " multi-check=\"1\"")
    );
    let p = t.path().join("t-xccdf.xml");
    std::fs::write(&p, b).unwrap();
    let ours = both("multi-check", t.path(), &p, &[], &[]);
    let r = results(&ours);
    // without @name: both definitions ANDed; multi-check: one each
    assert_eq!(r["xccdf_t_rule_all"], ["fail"]);
    assert_eq!(r["xccdf_t_rule_multi"], ["oval:t:def:1=pass", "oval:t:def:2=fail"]);
    assert_eq!(r["xccdf_t_rule_multi1"], ["oval:t:def:1=pass", "oval:t:def:2=fail"]);
    let text = std::fs::read_to_string(&ours).unwrap();
    assert_eq!(text.matches("name=\"oval:t:def:2\"").count(), 2, "{text}");
}

#[test]
fn profile_suffixes_as_oscap_matches_them() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("t-oval.xml"), OVAL).unwrap();
    let p = t.path().join("t-xccdf.xml");
    let profile = |id: &str| format!("<Profile id=\"xccdf_t_profile_{id}\"><title>{id}</title></Profile>");
    std::fs::write(
        &p,
        format!(
            "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_t_benchmark_b\">\
             <status>draft</status><version>1</version>{}{}{}</Benchmark>",
            profile("common"),
            profile("uncommon"),
            rule("all", "")
        ),
    )
    .unwrap();
    let eval = |prof: &str| {
        let mut c = scapc();
        c.arg("eval").arg(&p).args(["-q", "--profile", prof]);
        run(c)
    };
    // `common` ends two ids: an error naming both
    let (code, out) = eval("common");
    assert!(code != 0 && code != 2, "{code}: {out}");
    assert!(out.contains("xccdf_t_profile_common") && out.contains("xccdf_t_profile_uncommon"), "{out}");
    // the full id, and a suffix that ends one id only
    for ok in ["xccdf_t_profile_common", "uncommon", "_common"] {
        let (code, out) = eval(ok);
        assert!(code == 0 || code == 2, "{ok}: {out}");
    }
    let (code, out) = eval("mmon");
    assert!(code != 0 && code != 2 && out.contains("ambiguous"), "{out}");
    let (code, out) = eval("nosuch");
    assert!(code != 0 && code != 2 && out.contains("xccdf_t_profile_uncommon"), "{out}");
}

/// The files a standalone benchmark reads are inputs: no output may
/// replace one of them.
#[test]
fn standalone_files_are_not_overwritten() {
    let t = tempfile::tempdir().unwrap();
    let oval = t.path().join("t-oval.xml");
    std::fs::write(&oval, OVAL).unwrap();
    let p = t.path().join("t-xccdf.xml");
    std::fs::write(
        &p,
        format!(
            "<Benchmark xmlns=\"http://checklists.nist.gov/xccdf/1.2\" id=\"xccdf_t_benchmark_b\">\
             <status>draft</status><version>1</version>{}</Benchmark>",
            rule("all", "")
        ),
    )
    .unwrap();
    let mut c = scapc();
    c.arg("eval").arg(&p).arg("--results").arg(&oval);
    let (code, out) = run(c);
    assert_eq!(code, 1, "{out}");
    assert_eq!(std::fs::read_to_string(&oval).unwrap(), OVAL, "the OVAL file was replaced");
}
