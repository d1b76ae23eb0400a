//! `scapc validate` against real content: the SSG data streams validate
//! without errors and with every finding OpenSCAP's Schematron reports; a
//! real data stream mutated to break one requirement at a time is flagged
//! with that requirement's ID; hostile and broken input gets a clear error.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const SSG: &str = "/usr/share/xml/scap/ssg/content";
const BASE: &str = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
const XSL: &str = "/usr/share/openscap/schemas/sds/1.3/source-data-stream-1.3.xsl";

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

struct Run {
    code: i32,
    /// (requirement id, severity) → count.
    found: BTreeMap<(String, String), usize>,
    stdout: String,
}

fn validate(file: &Path, extra: &[&str]) -> Run {
    let out = scapc().arg("validate").arg("--format").arg("json").args(extra).arg(file).output().expect("run scapc");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    let list = v
        .as_array()
        .cloned()
        .or_else(|| v.get("diagnostics").and_then(|d| d.as_array()).cloned())
        .expect("a diagnostics list");
    let mut found = BTreeMap::new();
    for d in list {
        let code = d["code"].as_str().unwrap().to_owned();
        let sev = d["severity"].as_str().unwrap().to_owned();
        *found.entry((code, sev)).or_insert(0) += 1;
    }
    Run { code: out.status.code().unwrap_or(-1), found, stdout }
}

fn ids(r: &Run) -> BTreeSet<String> {
    r.found.keys().map(|(c, _)| c.clone()).collect()
}

fn have_ssg() -> bool {
    Path::new(BASE).is_file() && Path::new(XSL).is_file()
}

/// Every SCAP 1.3 SSG data stream: no errors, and every SRC/A id that
/// OpenSCAP's Schematron XSL reports is reported at the same severity and
/// as often.
#[test]
fn ssg_data_streams_validate_with_schematron_parity() {
    assert!(have_ssg(), "the ssg-* and openscap-common packages are needed (scripts/test installs them)");
    let mut files: Vec<PathBuf> = std::fs::read_dir(SSG)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with("-ds.xml"))
        .collect();
    files.sort();
    assert!(files.len() >= 31, "{} data streams", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let ours = validate(f, &[]);
        let errors: Vec<_> = ours.found.iter().filter(|((_, s), _)| s == "error").collect();
        if ours.code != 0 || !errors.is_empty() {
            failures.push(format!("{}: exit {}, errors {errors:?}", f.display(), ours.code));
        }
        let xsl = Command::new("xsltproc").arg(XSL).arg(f).output().unwrap();
        let mut theirs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for line in String::from_utf8_lossy(&xsl.stdout).lines() {
            let Some((sev, rest)) = line.split_once(": ") else { continue };
            let sev = match sev {
                "Error" => "error",
                "Warning" => "warning",
                _ => continue,
            };
            let id = rest.split('|').next().unwrap().trim().to_owned();
            *theirs.entry((id, sev.to_owned())).or_insert(0) += 1;
        }
        for (k, n) in &theirs {
            let have = ours.found.get(k).copied().unwrap_or(0);
            if have != *n {
                failures.push(format!("{}: {k:?} reported {n} times by the XSL, {have} times by scapc", f.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A mutation: replace the first `from` (which must occur) with `to`.
struct M {
    id: &'static str,
    why: &'static str,
    edits: Vec<(String, String)>,
}

fn m(id: &'static str, why: &'static str, from: &str, to: &str) -> M {
    M { id, why, edits: vec![(from.to_owned(), to.to_owned())] }
}

/// Inserts `what` into the Rule `rule` before its first fixtext, fix or check.
fn in_rule(base: &str, rule: &str, what: &str) -> (String, String) {
    let start = base.find(&format!("id=\"{rule}\" severity=")).unwrap_or_else(|| panic!("no rule {rule}"));
    let at = ["<xccdf-1.2:fixtext", "<xccdf-1.2:fix ", "<xccdf-1.2:check "]
        .iter()
        .filter_map(|k| base[start..].find(k))
        .min()
        .unwrap()
        + start;
    // A unique anchor: everything from the rule start to the insertion point.
    let anchor = base[start..at].to_owned();
    (anchor.clone(), format!("{anchor}{what}"))
}

fn mutations(base: &str) -> Vec<M> {
    let r = "xccdf_org.ssgproject.content_rule_apt_conf_disallow_unauthenticated";
    let ident = |sys: &str, v: &str| format!("<xccdf-1.2:ident system=\"{sys}\">{v}</xccdf-1.2:ident>\n");
    let mut v = vec![
        m("SRC-2-1", "Benchmark without xml:lang", "resolved=\"true\" xml:lang=\"en-US\">", "resolved=\"true\">"),
        m("SRC-341-1", "version without @update", "<xccdf-1.2:version update=\"https://github.com/ComplianceAsCode/content/releases/latest\">", "<xccdf-1.2:version>"),
        m("SRC-5-1", "status neither draft nor accepted", "<xccdf-1.2:status date=\"2022-12-21\">draft<", "<xccdf-1.2:status date=\"2022-12-21\">interim<"),
        m("SRC-5-2", "status without @date", "<xccdf-1.2:status date=\"2022-12-21\">draft<", "<xccdf-1.2:status>draft<"),
        m("SRC-8-1", "metadata without dc:creator", "<dc:creator>SCAP Security Guide Project</dc:creator>", ""),
        m("SRC-9-1", "Profile without title", "<xccdf-1.2:title override=\"true\">Profile for ANSSI DAT-NT28 Average (Intermediate) Level</xccdf-1.2:title>", ""),
        m("SRC-118-1", "a check with a foreign checking system", "<xccdf-1.2:check system=\"http://scap.nist.gov/schema/ocil/2\">", "<xccdf-1.2:check system=\"http://open-scap.org/page/SCE\">"),
        m("SRC-31-1", "check-content-ref href that resolves to nothing", "href=\"ssg-debian11-ocil.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"", "href=\"nowhere.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\""),
        m("SRC-263-1", "an OCIL check-content-ref whose href names no component of the stream", "href=\"ssg-debian11-ocil.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"", "href=\"nowhere.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\""),
        M {
            id: "SRC-266-1",
            why: "an OVAL check-content-ref of a VULNERABILITY stream whose href names no component",
            edits: vec![
                ("use-case=\"OTHER\"".into(), "use-case=\"VULNERABILITY\"".into()),
                ("<xccdf-1.2:check-content-ref href=\"ssg-debian11-oval.xml\"".into(), "<xccdf-1.2:check-content-ref href=\"nowhere-oval.xml\"".into()),
            ],
        },
        m("SRC-349-1", "OCIL questionnaire that does not exist", "name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"", "name=\"ocil:ssg-no_such_thing:questionnaire:1\""),
        m("SRC-348-1", "OCIL check pointing at the OVAL component", "href=\"ssg-debian11-ocil.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"", "href=\"ssg-debian11-oval.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\""),
        m("SRC-324-1", "unknown use-case", "use-case=\"OTHER\"", "use-case=\"TESTING\""),
        m("SRC-330-2", "SCAP 1.3 collection with schematron-version 1.2", "schematron-version=\"1.3\"", "schematron-version=\"1.2\""),
        m("SRC-216-1", "OVAL schema version outside SCAP 1.3", "<oval:schema_version>5.11</oval:schema_version>", "<oval:schema_version>5.12</oval:schema_version>"),
        m("SRC-72-1", "CPE item checked by a missing definition", ">oval:ssg-installed_env_has_audit_package:def:1</cpe-dict:check>", ">oval:ssg-no_such_definition:def:1</cpe-dict:check>"),
        m("SRC-118-2", "CPE item checked by a foreign system", "<cpe-dict:check system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\" href=\"ssg-debian11-cpe-oval.xml\">oval:ssg-installed_env_has_audit_package", "<cpe-dict:check system=\"urn:example:checker\" href=\"ssg-debian11-cpe-oval.xml\">oval:ssg-installed_env_has_audit_package"),
        m("SRC-15-1", "platform that no dictionary item matches", "<xccdf-1.2:platform idref=\"cpe:/o:debian:debian_linux:11\"/>", "<xccdf-1.2:platform idref=\"cpe:/o:example:nothing:1\"/>"),
        m("SRC-38-1", "number Value exported to a string variable", "datatype=\"int\" id=\"oval:ssg-var_accounts_maximum_age_login_defs:var:1\"", "datatype=\"string\" id=\"oval:ssg-var_accounts_maximum_age_login_defs:var:1\""),
        m("SRC-208-1", "compliance definition extending a vulnerability definition", "<oval-def:definition class=\"compliance\" id=\"oval:ssg-sshd_not_required_or_unset:def:1\"", "<oval-def:definition class=\"vulnerability\" id=\"oval:ssg-sshd_not_required_or_unset:def:1\""),
        m("A-25-1", "two Profiles with one id", "<xccdf-1.2:Profile id=\"xccdf_org.ssgproject.content_profile_anssi_np_nt28_high\">", "<xccdf-1.2:Profile id=\"xccdf_org.ssgproject.content_profile_anssi_np_nt28_average\">"),
        m("XCCDF-1", "select of a rule that does not exist", "<xccdf-1.2:select idref=\"xccdf_org.ssgproject.content_rule_apt_conf_disallow_unauthenticated\" selected=\"true\"/>", "<xccdf-1.2:select idref=\"xccdf_org.ssgproject.content_rule_no_such_rule\" selected=\"true\"/>"),
        m("XCCDF-5", "refine-value selector the Value lacks", "<xccdf-1.2:refine-value idref=\"xccdf_org.ssgproject.content_value_sshd_idle_timeout_value\" selector=\"5_minutes\"/>", "<xccdf-1.2:refine-value idref=\"xccdf_org.ssgproject.content_value_sshd_idle_timeout_value\" selector=\"6_minutes\"/>"),
        m("OVAL-1", "test whose object is of another type", "<ind:object object_ref=\"oval:ssg-obj_unauthenticated_apt_conf:obj:1\"/>", "<ind:object object_ref=\"oval:ssg-object_no_rsh_trust_files_root:obj:1\"/>"),
        m("OVAL-3", "test that references a missing object", "<ind:object object_ref=\"oval:ssg-obj_unauthenticated_apt_conf:obj:1\"/>", "<ind:object object_ref=\"oval:ssg-obj_missing:obj:1\"/>"),
        m("A-10-1", "schema violation inside a component", "<xccdf-1.2:Profile id=\"xccdf_org.ssgproject.content_profile_anssi_np_nt28_high\">", "<xccdf-1.2:Profile id=\"xccdf_org.ssgproject.content_profile_anssi_np_nt28_high\" colour=\"blue\">"),
        m("SRC-329-1", "schema violation in the collection frame", "<ds:data-stream id=\"scap_org.open-scap_datastream_from_xccdf_ssg-debian11-xccdf.xml\" scap-version=\"1.3\"", "<ds:data-stream id=\"scap_org.open-scap_datastream_from_xccdf_ssg-debian11-xccdf.xml\" scap-version=\"1.3\" owner=\"me\""),
    ];
    // Check-content instead of a reference: SRC-25-1 and SRC-175-1.
    v.push(m(
        "SRC-25-1",
        "inline check-content",
        "<xccdf-1.2:check-content-ref href=\"ssg-debian11-ocil.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"/>",
        "<xccdf-1.2:check-content>inline</xccdf-1.2:check-content>",
    ));
    v.push(m(
        "SRC-175-1",
        "a check without check-content-ref",
        "<xccdf-1.2:check-content-ref href=\"ssg-debian11-ocil.xml\" name=\"ocil:ssg-prefer_64bit_os_ocil:questionnaire:1\"/>",
        "<xccdf-1.2:check-content>inline</xccdf-1.2:check-content>",
    ));
    // Idents on a rule checked by a compliance definition.
    let (a, b) = in_rule(base, r, &ident("http://cpe.mitre.org", "cpe:/a:example:thing"));
    v.push(M { id: "SRC-331-3", why: "CPE ident on a rule checked by a compliance definition", edits: vec![(a, b)] });
    let (a, b) = in_rule(
        base,
        r,
        &format!("{}{}", ident("https://example.org/ids", "EX-1"), ident("http://cce.mitre.org", "CCE-80644-8")),
    );
    v.push(M { id: "SRC-257-1", why: "CCE ident after a non-SCAP ident", edits: vec![(a, b)] });
    let (a, b) = in_rule(base, r, &ident("http://cce.mitre.org", "CCE-80644-7"));
    v.push(M { id: "A-17-1", why: "CCE with a wrong check digit", edits: vec![(a, b)] });
    let (a, b) = in_rule(base, r, &ident("http://cce.mitre.org", ""));
    v.push(M { id: "A-16-1", why: "empty CCE ident", edits: vec![(a, b)] });
    // A data stream that references one component twice.
    v.push(m(
        "SRC-333-1",
        "component referenced twice",
        "xlink:href=\"#scap_org.open-scap_comp_ssg-debian11-ocil.xml\"",
        "xlink:href=\"#scap_org.open-scap_comp_ssg-debian11-oval.xml\"",
    ));
    v
}

fn apply(base: &str, mu: &M) -> String {
    let mut s = base.to_owned();
    for (from, to) in &mu.edits {
        assert!(s.contains(from.as_str()), "{}: the text to mutate is not in the base data stream: {from}", mu.id);
        s = s.replacen(from.as_str(), to, 1);
    }
    s
}

#[test]
fn mutated_data_streams_are_flagged_by_requirement() {
    assert!(have_ssg(), "the ssg-debian package is needed (scripts/test installs it)");
    let base = std::fs::read_to_string(BASE).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clean = validate(Path::new(BASE), &[]);
    assert_eq!(clean.code, 0, "the unmutated base must validate: {}", clean.stdout);
    let baseline = ids(&clean);
    let muts = mutations(&base);
    let distinct: BTreeSet<&str> = muts.iter().map(|m| m.id).collect();
    assert!(distinct.len() >= 25, "only {} distinct requirement ids are mutated", distinct.len());
    let results: Vec<(String, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = muts
            .chunks(muts.len().div_ceil(4))
            .map(|chunk| {
                let base = &base;
                let baseline = &baseline;
                let dir = dir.path();
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|mu| {
                            let path = dir.join(format!("{}.xml", mu.id));
                            std::fs::write(&path, apply(base, mu)).unwrap();
                            // Warnings count only when they are new: every other
                            // id the base already has is ignored.
                            let mut extra: Vec<String> = vec!["--warnings-as-errors".into()];
                            for id in baseline.iter().filter(|i| i.as_str() != mu.id) {
                                extra.push("--ignore".into());
                                extra.push(id.clone());
                            }
                            let args: Vec<&str> = extra.iter().map(|s| s.as_str()).collect();
                            let r = validate(&path, &args);
                            let ok = !baseline.contains(mu.id);
                            let problem = if r.code != 1 {
                                Some(format!("exit code {} (want 1)", r.code))
                            } else if !r.found.keys().any(|(c, _)| c == mu.id) {
                                Some(format!("not reported; found {:?}", r.found.keys().collect::<Vec<_>>()))
                            } else if !ok {
                                Some("the base already has this finding, so the mutation proves nothing".into())
                            } else {
                                None
                            };
                            (format!("{} ({})", mu.id, mu.why), problem)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let failed: Vec<String> = results.iter().filter_map(|(n, p)| p.as_ref().map(|p| format!("{n}: {p}"))).collect();
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn signed_data_stream_requirements() {
    assert!(have_ssg());
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.pem");
    let cert = dir.path().join("k.crt");
    let ok = Command::new("openssl")
        .args(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out"])
        .arg(&key)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let ok = Command::new("openssl")
        .args(["req", "-new", "-x509", "-subj", "/CN=scapc test", "-days", "3", "-key"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let signed = dir.path().join("signed.xml");
    let st = scapc()
        .arg("sign")
        .arg(BASE)
        .arg("--key")
        .arg(&key)
        .arg("--cert")
        .arg(&cert)
        .arg("-o")
        .arg(&signed)
        .status()
        .unwrap();
    assert!(st.success());
    let good = validate(&signed, &[]);
    assert_eq!(good.code, 0, "a data stream signed by scapc must validate: {}", good.stdout);
    let text = std::fs::read_to_string(&signed).unwrap();
    for (id, from, to) in [
        ("SRC-290-1", "<dsig:KeyInfo>", "<dsig:KeyInfo-removed>"),
        ("SRC-286-1", "URI=\"#scap_org.open-scap_datastream_from_xccdf_ssg-debian11-xccdf.xml\"", "URI=\"#nothing\""),
        (
            "SRC-284-2",
            "<dsig:Reference URI=\"#scap_org.open-scap_comp_ssg-debian11-ocil.xml\"",
            "<dsig:Reference URI=\"#something-else\"",
        ),
    ] {
        let (prefix, _) = text.split_once("<dsig:Signature").expect("a signature");
        let (sig_head, rest) =
            text[prefix.len()..].split_once(from).unwrap_or_else(|| panic!("{id}: `{from}` not in the signature"));
        let mut mutated = format!("{prefix}{sig_head}{to}{rest}");
        if id == "SRC-290-1" {
            mutated = mutated.replacen("</dsig:KeyInfo>", "</dsig:KeyInfo-removed>", 1);
            // Keep it well-formed: the renamed element is outside the schema,
            // which the XSD layer reports too; only the requirement matters.
        }
        let p = dir.path().join(format!("{id}.xml"));
        std::fs::write(&p, mutated).unwrap();
        let r = validate(&p, &["--no-xsd"]);
        assert!(r.found.keys().any(|(c, _)| c == id), "{id} not reported: {:?}", r.found.keys().collect::<Vec<_>>());
    }
}

#[test]
fn hostile_and_broken_input() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &[u8], &str)] = &[
        ("laughs.xml", b"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>\n<lolz>&lol3;</lolz>", "refuses"),
        ("xxe.xml", b"<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r>&x;</r>", "refuses"),
        ("empty.xml", b"", "empty"),
        ("text.xml", b"this is not XML\n", "XML"),
        ("binary.xml", b"\x00\x01\xff\xfe\x00garbage", "UTF-8"),
        ("utf16.xml", b"\xff\xfe<\x00a\x00/\x00>\x00", "UTF-16"),
        ("latin1.xml", b"<?xml version=\"1.0\"?><a>caf\xe9</a>", "UTF-8"),
        ("truncated.xml", b"<?xml version=\"1.0\"?>\n<ds:data-stream-collection xmlns:ds=\"http://scap.nist.gov/schema/scap/source/1.2\">\n<ds:data-stream>", "never closed"),
        ("html.xml", b"<html><body/></html>", "not an SCAP document"),
    ];
    for (name, bytes, want) in cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let out = scapc().arg("validate").arg(&p).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {text}");
        assert!(text.contains(want), "{name}: want `{want}` in:\n{text}");
        assert!(!text.contains("panicked"), "{name}: {text}");
    }
    // A missing file is an I/O problem: exit code 64.
    let out = scapc().arg("validate").arg(dir.path().join("missing.xml")).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cannot read"));
    // No schemas where we were told to look.
    let out = scapc().arg("validate").arg("--schemas").arg(dir.path()).arg(BASE).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no SCAP schemas there"));
}

#[test]
fn output_formats() {
    assert!(have_ssg());
    let f = Path::new(BASE);
    let sarif = scapc().args(["validate", "--format", "sarif"]).arg(f).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(v["version"], "2.1.0");
    assert!(v["runs"][0]["results"].as_array().unwrap().iter().any(|r| r["ruleId"] == "SRC-251-1"));
    let junit = scapc().args(["validate", "--format", "junit", "--warnings-as-errors"]).arg(f).output().unwrap();
    let j = String::from_utf8_lossy(&junit.stdout);
    assert!(j.starts_with("<?xml") && j.contains("<testcase") && j.contains("finding(s) of SRC-251-1"), "{j}");
    assert_eq!(junit.status.code(), Some(1));
    let text = scapc().args(["validate", "--ignore", "SRC-251", "--ignore", "A-26-1"]).arg(f).output().unwrap();
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(text.status.success());
    assert!(!t.contains("SRC-251-1") && !t.contains("A-26-1") && t.contains("SRC-207-1"), "{t}");
}

/// The bundled content validates cleanly, and the build gate runs it.
#[test]
fn build_gate_validates_what_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = scapc().arg("build").arg("--root").arg(&root).arg("--out").arg(dir.path()).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("validated"), "the build should say it validated its output: {err}");
    let ds = dir.path().join("debian12-ds.xml");
    let r = validate(&ds, &[]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(r.found.keys().all(|(_, s)| s != "error"));
}

/// Every document type is detected and valid content of each type passes:
/// the build's own files, OpenSCAP's results of evaluating them, a SCAP 1.2
/// data stream, and small hand-written documents of the rarer types.
#[test]
fn documents_of_every_type() {
    assert!(have_ssg());
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = dir.path().join("b");
    assert!(scapc().arg("build").arg("--root").arg(&root).arg("--out").arg(&out).output().unwrap().status.success());
    let ds = out.join("debian12-ds.xml");
    let st = Command::new("oscap")
        .args(["xccdf", "eval", "--profile", "xccdf_org.scapc_profile_standard", "--oval-results", "--results-arf"])
        .arg(dir.path().join("arf.xml"))
        .arg("--results")
        .arg(dir.path().join("results.xml"))
        .arg(&ds)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        matches!(st.status.code(), Some(0) | Some(2)),
        "oscap eval failed: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let w = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let tailoring = w(
        "tailoring.xml",
        r#"<?xml version="1.0"?>
<xccdf:Tailoring xmlns:xccdf="http://checklists.nist.gov/xccdf/1.2" id="xccdf_org.example_tailoring_t">
  <xccdf:benchmark href="debian12-ds.xml"/>
  <xccdf:version time="2026-01-01T00:00:00">1</xccdf:version>
  <xccdf:Profile id="xccdf_org.example_profile_t" extends="xccdf_org.scapc_profile_standard">
    <xccdf:title>Tailored</xccdf:title>
    <xccdf:select idref="xccdf_org.scapc_rule_sshd_disable_root_login" selected="false"/>
  </xccdf:Profile>
</xccdf:Tailoring>
"#,
    );
    let variables = w(
        "variables.xml",
        r#"<?xml version="1.0"?>
<oval_variables xmlns="http://oval.mitre.org/XMLSchema/oval-variables-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5">
  <generator><oval:schema_version>5.11.2</oval:schema_version><oval:timestamp>2026-01-01T00:00:00</oval:timestamp></generator>
  <variables><variable id="oval:x:var:1" datatype="int" comment="c"><value>5</value></variable></variables>
</oval_variables>
"#,
    );
    let language = w(
        "platforms.xml",
        r#"<?xml version="1.0"?>
<cpe-lang:platform-specification xmlns:cpe-lang="http://cpe.mitre.org/language/2.0">
  <cpe-lang:platform id="p"><cpe-lang:logical-test operator="AND" negate="false"><cpe-lang:fact-ref name="cpe:/o:debian:debian_linux:12"/></cpe-lang:logical-test></cpe-lang:platform>
</cpe-lang:platform-specification>
"#,
    );
    let cases: Vec<(PathBuf, &str)> = vec![
        (out.join("debian12-xccdf.xml"), "XCCDF 1.2 benchmark"),
        (out.join("debian12-oval.xml"), "OVAL definitions"),
        (out.join("debian12-ocil.xml"), "OCIL 2.0 document"),
        (out.join("debian12-cpe-dictionary.xml"), "CPE dictionary"),
        (dir.path().join("arf.xml"), "ARF 1.1 result"),
        (dir.path().join("results.xml"), "XCCDF 1.2 benchmark"),
        (dir.path().join("debian12-oval.xml.result.xml"), "OVAL results"),
        (PathBuf::from(format!("{SSG}/ssg-debian11-ds-1.2.xml")), "SCAP 1.2 source data stream"),
        (tailoring, "XCCDF 1.2 tailoring"),
        (variables, "OVAL variables"),
        (language, "CPE applicability language document"),
    ];
    for (p, kind) in cases {
        let o = scapc().arg("validate").arg(&p).output().unwrap();
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains(&format!(": {kind}: ")), "{}: want {kind}:\n{t}", p.display());
        assert_eq!(o.status.code(), Some(0), "{}:\n{t}", p.display());
    }
    // A directory stands for the XML files under it, validated together.
    let o = scapc().arg("validate").arg(&out).output().unwrap();
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success() && t.contains("6 file(s): 6 valid, 0 invalid"), "{t}");
    // A broken ARF is caught by its schema.
    let arf = std::fs::read_to_string(dir.path().join("arf.xml")).unwrap();
    let bad = w("bad-arf.xml", &arf.replacen("<arf:reports>", "<arf:reports><arf:bogus/>", 1));
    let o = scapc().arg("validate").arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).contains("A-10-1"));
}
