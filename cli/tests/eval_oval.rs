//! OVAL-only evaluation (`scapc eval DEFS.xml`) on MITRE's OVAL
//! interpreter test content (`../shared/reference/mitre-oval/`), run as
//! OpenSCAP's test suite runs it: `support.tgz` unpacked to `/tmp/support`
//! (the definitions name files there by absolute path), its external
//! variables document as `--variables`. Every case is run by scapc and,
//! when it is installed, by `oscap oval eval`; the test prints a table
//! (case, expected, scapc, oscap) and fails when a case that oscap passes
//! is not passed by scapc with the same result for every definition.
//! Skipped with a notice when ../shared is absent. Where the two differ,
//! docs/eval-differences.md says why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NS_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn have(cmd: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {cmd}")).output().map(|o| o.status.success()).unwrap_or(false)
}

/// definition id → result, from an OVAL results document.
fn def_results(path: &Path) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).ok()?;
    let tree = scapc_xml::tree::Tree::parse(&text).ok()?;
    let mut out = BTreeMap::new();
    for &d in tree.all(NS_RES, "definition") {
        if let (Some(id), Some(r)) = (tree.attr(d, "definition_id"), tree.attr(d, "result")) {
            out.insert(id.to_owned(), r.to_owned());
        }
    }
    Some(out)
}

/// `/tmp/support` as OpenSCAP's suite lays it out (unpacked once; the
/// external variables document's schema version raised to 5.5).
fn support(dir: &Path) -> PathBuf {
    let vars = Path::new("/tmp/support/var/linux-external-variables.xml");
    if !vars.exists() {
        let st = Command::new("tar").arg("-xzf").arg(dir.join("support.tgz")).arg("-C").arg("/tmp").status().unwrap();
        assert!(st.success(), "cannot unpack support.tgz into /tmp");
        let v = std::fs::read_to_string(vars).unwrap();
        let v = v.replacen("<oval:schema_version>5.0<", "<oval:schema_version>5.5<", 1);
        std::fs::write(vars, v).unwrap();
    }
    vars.to_path_buf()
}

/// Whether `got` meets the expectation: one result for every definition,
/// or `definition=result` pairs.
fn meets(expected: &str, got: &BTreeMap<String, String>) -> bool {
    if got.is_empty() {
        return false;
    }
    if expected.contains('=') {
        expected.split_whitespace().all(|pair| {
            let (d, r) = pair.split_once('=').unwrap();
            got.get(d).map(String::as_str) == Some(r)
        })
    } else {
        got.values().all(|r| r == expected)
    }
}

#[test]
fn mitre_oval_test_content() {
    let dir = repo().join("../shared/reference/mitre-oval");
    let Ok(tsv) = std::fs::read_to_string(dir.join("expected.tsv")) else {
        eprintln!("notice: {} is absent; MITRE OVAL test content skipped", dir.display());
        return;
    };
    let vars = support(&dir);
    let oscap = have("oscap");
    if !oscap {
        eprintln!("notice: oscap is not installed; scapc's results are checked against expected.tsv only");
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let (mut s_pass, mut o_pass) = (0, 0);
    let mut seen = std::collections::BTreeSet::new();
    for line in tsv.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let (file, expected) = line.split_once('\t').unwrap();
        if !seen.insert(file.to_owned()) {
            continue; // listed twice in expected.tsv
        }
        let s_out = tmp.path().join(format!("s-{file}"));
        let st = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .arg("eval")
            .arg(dir.join(file))
            .arg("--variables")
            .arg(&vars)
            .arg("--results")
            .arg(&s_out)
            .arg("-q")
            .output()
            .unwrap();
        let s = if st.status.success() { def_results(&s_out).unwrap_or_default() } else { BTreeMap::new() };
        let s_ok = meets(expected, &s);
        s_pass += usize::from(s_ok);
        let o = if oscap {
            let o_out = tmp.path().join(format!("o-{file}"));
            let _ = Command::new("oscap")
                .args(["oval", "eval", "--variables"])
                .arg(&vars)
                .arg("--results")
                .arg(&o_out)
                .arg(dir.join(file))
                .output()
                .unwrap();
            def_results(&o_out).unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        let o_ok = oscap && meets(expected, &o);
        o_pass += usize::from(o_ok);
        if o_ok && (!s_ok || s != o) {
            let diff: Vec<String> = o
                .iter()
                .filter(|(d, r)| s.get(*d) != Some(*r))
                .map(|(d, r)| format!("{d}: oscap {r}, scapc {}", s.get(d).map_or("-", String::as_str)))
                .collect();
            failures.push(format!(
                "{file}: {} {}",
                diff.join("; "),
                if st.status.success() { String::new() } else { String::from_utf8_lossy(&st.stderr).into_owned() }
            ));
        }
        rows.push(format!(
            "{file:<48} {:<8} {:<5} {}",
            if expected.contains('=') { "pairs" } else { expected },
            if s_ok { "pass" } else { "FAIL" },
            if !oscap {
                "-"
            } else if o_ok {
                "pass"
            } else {
                "FAIL"
            }
        ));
    }
    eprintln!("{:<48} {:<8} {:<5} oscap", "case", "expected", "scapc");
    for r in &rows {
        eprintln!("{r}");
    }
    eprintln!("scapc passes {s_pass} of {}, oscap {o_pass}", rows.len());
    assert!(
        failures.is_empty(),
        "cases oscap passes and scapc does not, or with other results:\n{}",
        failures.join("\n")
    );
    if oscap {
        assert!(s_pass >= o_pass, "scapc passes {s_pass}, oscap {o_pass}");
    }
}
