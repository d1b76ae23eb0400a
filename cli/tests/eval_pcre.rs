//! OVAL `pattern match` is PCRE: every literal pattern in the SSG data
//! streams (/usr/share/xml/scap/ssg/content) and CaC's
//! (`../shared/reference/cac/*.xml.gz`) compiles in scapc, and on a sample
//! of lines from this host's configuration files it matches exactly the
//! lines that oscap's matches. oscap does the matching on a generated OVAL
//! document (one `textfilecontent54_object` collects the lines, one test
//! per pattern compares them through a state), and its `tested_item`
//! results are compared with scapc's, line by line. Skipped with a notice
//! when the content or oscap is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use scapc_eval::oval::compare;

const NS_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";
const NS_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
const NS_IND_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5#independent";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// Literal `pattern match` values (not var_ref) of one document.
fn patterns_of(text: &str, out: &mut BTreeSet<String>) {
    let needle = "operation=\"pattern match\"";
    let mut at = 0;
    while let Some(i) = text[at..].find(needle) {
        let pos = at + i;
        at = pos + needle.len();
        // the element's start tag around `pos`
        let Some(open) = text[..pos].rfind('<') else { continue };
        let Some(close) = text[pos..].find('>').map(|g| pos + g) else { continue };
        let tag = &text[open..close];
        if tag.contains("var_ref=") || text[..close].ends_with('/') {
            continue;
        }
        let Some(end) = text[close + 1..].find("</").map(|e| close + 1 + e) else { continue };
        let body = &text[close + 1..end];
        if body.contains('<') || body.is_empty() {
            continue;
        }
        out.insert(unescape(body));
    }
}

fn all_patterns() -> Option<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut files = 0;
    if let Ok(rd) = std::fs::read_dir("/usr/share/xml/scap/ssg/content") {
        for e in rd.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with("-ds.xml") {
                patterns_of(&std::fs::read_to_string(&p).unwrap(), &mut out);
                files += 1;
            }
        }
    }
    if let Ok(rd) = std::fs::read_dir(repo().join("../shared/reference/cac")) {
        for e in rd.flatten() {
            let p = e.path();
            if p.to_string_lossy().ends_with(".xml.gz") {
                let mut s = String::new();
                flate2_free_gunzip(&p, &mut s);
                patterns_of(&s, &mut out);
                files += 1;
            }
        }
    }
    eprintln!("{} distinct literal patterns in {files} data streams", out.len());
    (files > 0).then_some(out)
}

/// gunzip through the system's `gzip` (the test needs no crate for it).
fn flate2_free_gunzip(p: &Path, out: &mut String) {
    let mut c = Command::new("gzip").arg("-dc").arg(p).stdout(std::process::Stdio::piped()).spawn().unwrap();
    c.stdout.take().unwrap().read_to_string(out).unwrap();
    assert!(c.wait().unwrap().success());
}

#[test]
fn every_pattern_compiles() {
    let Some(patterns) = all_patterns() else {
        eprintln!("notice: no SSG or CaC data streams here; skipped");
        return;
    };
    let mut bad = Vec::new();
    for p in &patterns {
        for (multiline, dotall) in [(false, false), (true, false)] {
            if let Err(e) = compare::regex(p, multiline, dotall, false) {
                bad.push(format!("{p}: {e}"));
            }
        }
    }
    assert!(bad.is_empty(), "{} patterns do not compile:\n{}", bad.len(), bad.join("\n"));
}

/// Lines of this host's configuration files (distinct, no control
/// characters, at most `max`).
fn sample_lines(max: usize) -> Vec<String> {
    let mut files: Vec<PathBuf> = Vec::new();
    for d in ["/etc/pam.d", "/etc/security", "/etc/ssh", "/etc/audit", "/etc/sysctl.d", "/etc/default"] {
        if let Ok(rd) = std::fs::read_dir(d) {
            let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
            v.sort();
            files.extend(v);
        }
    }
    for f in ["/etc/login.defs", "/etc/fstab", "/etc/sysctl.conf", "/etc/group", "/etc/hosts", "/etc/sudoers"] {
        files.push(f.into());
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else { continue };
        for l in text.lines() {
            if l.trim().is_empty() || l.chars().any(|c| c.is_control() && c != '\t') || !seen.insert(l.to_owned()) {
                continue;
            }
            out.push(l.to_owned());
            if out.len() >= max {
                return out;
            }
        }
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[test]
fn patterns_match_the_same_lines_as_oscap() {
    let Some(patterns) = all_patterns() else {
        eprintln!("notice: no SSG or CaC data streams here; skipped");
        return;
    };
    if !Command::new("sh").arg("-c").arg("command -v oscap").output().is_ok_and(|o| o.status.success()) {
        eprintln!("notice: oscap is not installed; skipped");
        return;
    }
    // Every pattern with a look-around, back reference, possessive or
    // atomic group (where engines differ most), and every 7th other one.
    let hard = |p: &str| {
        ["(?=", "(?!", "(?<=", "(?<!", "(?>", "++", "*+", "?+"].iter().any(|k| p.contains(k))
            || (1..=9).any(|d| p.contains(&format!("\\{d}")))
    };
    let chosen: Vec<&String> =
        patterns.iter().enumerate().filter(|(i, p)| hard(p) || i % 7 == 0).map(|(_, p)| p).collect();
    let lines = sample_lines(250);
    assert!(lines.len() > 20, "too few sample lines: {}", lines.len());
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("lines.txt");
    std::fs::write(&data, lines.join("\n") + "\n").unwrap();

    let mut defs = String::new();
    let mut tests = String::new();
    let mut states = String::new();
    for (i, p) in chosen.iter().enumerate() {
        let n = i + 1;
        defs.push_str(&format!(
            "<definition id=\"oval:t:def:{n}\" version=\"1\" class=\"compliance\"><metadata><title>p{n}</title><description>d</description></metadata><criteria><criterion test_ref=\"oval:t:tst:{n}\"/></criteria></definition>\n"
        ));
        tests.push_str(&format!(
            "<ind:textfilecontent54_test id=\"oval:t:tst:{n}\" version=\"1\" check=\"all\" check_existence=\"at_least_one_exists\" comment=\"c\"><ind:object object_ref=\"oval:t:obj:1\"/><ind:state state_ref=\"oval:t:ste:{n}\"/></ind:textfilecontent54_test>\n"
        ));
        states.push_str(&format!(
            "<ind:textfilecontent54_state id=\"oval:t:ste:{n}\" version=\"1\"><ind:subexpression operation=\"pattern match\">{}</ind:subexpression></ind:textfilecontent54_state>\n",
            esc(p)
        ));
    }
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
<generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
<definitions>
{defs}</definitions>
<tests>
{tests}</tests>
<objects>
<ind:textfilecontent54_object id="oval:t:obj:1" version="1"><ind:filepath>{}</ind:filepath><ind:pattern operation="pattern match">^(.+)$</ind:pattern><ind:instance datatype="int" operation="greater than or equal">1</ind:instance></ind:textfilecontent54_object>
</objects>
<states>
{states}</states>
</oval_definitions>
"#,
        esc(&data.to_string_lossy())
    );
    let defs_path = tmp.path().join("defs.xml");
    std::fs::write(&defs_path, doc).unwrap();
    let res = tmp.path().join("res.xml");
    let out = Command::new("oscap").args(["oval", "eval", "--results"]).arg(&res).arg(&defs_path).output().unwrap();
    assert!(out.status.success(), "oscap: {}", String::from_utf8_lossy(&out.stderr));

    // oscap: item id -> line, then per test the lines it found matching
    let text = std::fs::read_to_string(&res).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
    let mut line_of: BTreeMap<String, String> = BTreeMap::new();
    for &it in tree.all(NS_IND_SC, "textfilecontent_item") {
        let id = tree.attr(it, "id").unwrap().to_owned();
        let sub = tree.child(it, NS_IND_SC, "subexpression").map(|s| tree.text(s).to_owned()).unwrap_or_default();
        line_of.insert(id, sub);
    }
    let _ = NS_SC;
    let mut checked = 0;
    let mut differ = Vec::new();
    for &t in tree.all(NS_RES, "test") {
        let tid = tree.attr(t, "test_id").unwrap();
        let n: usize = tid.rsplit(':').next().unwrap().parse().unwrap();
        let p = chosen[n - 1];
        for ti in tree.children_named(t, NS_RES, "tested_item") {
            let line = &line_of[tree.attr(ti, "item_id").unwrap()];
            let oscap = match tree.attr(ti, "result").unwrap() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            };
            let ours = compare::pattern_match(p, line).ok();
            checked += 1;
            if ours != oscap {
                differ.push(format!("pattern {p:?} on line {line:?}: oscap {oscap:?}, scapc {ours:?}"));
            }
        }
    }
    eprintln!("{} patterns × {} lines: {checked} comparisons, {} differ", chosen.len(), lines.len(), differ.len());
    assert!(checked >= chosen.len() * 20, "too few comparisons: {checked}");
    assert!(differ.is_empty(), "{}", differ.iter().take(30).cloned().collect::<Vec<_>>().join("\n"));
}
