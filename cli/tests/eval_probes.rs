//! Probe parity on small offline root filesystems.
//!
//! Each directory `tests/fixtures/eval-probes/<name>/` holds:
//! - `xccdf.xml`: an XCCDF 1.2 benchmark whose rules each check one OVAL
//!   definition of `oval.xml`;
//! - `oval.xml`: the definitions, about the files under `root/`;
//! - `root/`: the target, evaluated as `dir:root` by scapc and with
//!   `oscap-chroot root` by oscap;
//! - `expected.txt`: `RULE-ID RESULT` lines;
//! - optionally `oscap-defects.txt`: `RULE-ID OSCAP-RESULT OBJECT-ID` lines
//!   for the rules where oscap is wrong; each must be explained in
//!   docs/eval-differences.md (the test checks that the rule is named
//!   there, and that oscap still gives that result).
//!
//! The test composes a data stream with `scapc ds compose`, evaluates it
//! with both tools and asserts that each gives the expected result for
//! every rule, and that both collected the same objects (flag) and the
//! same items (every entity and value).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";
const NS_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/eval-probes")
}

fn run(mut c: Command) -> (i32, String) {
    let out = c
        .output()
        .unwrap_or_else(|e| panic!("cannot run {c:?}: {e} (run scripts/test, which installs the reference tools)"));
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

fn rule_results(tree: &scapc_xml::tree::Tree) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for &rr in tree.all(NS_XCCDF, "rule-result") {
        let id = tree.attr(rr, "idref").unwrap().to_owned();
        let r = tree.child(rr, NS_XCCDF, "result").map(|r| tree.text(r).trim().to_owned()).unwrap();
        out.insert(id, r);
    }
    out
}

/// Object id → (flag, sorted item texts). An item's text lists its kind,
/// status and every entity (name, datatype, status, value, and record
/// fields, by name), so two engines agree only if they collected the same
/// things.
fn collected(tree: &scapc_xml::tree::Tree) -> BTreeMap<String, (String, Vec<String>)> {
    let mut items = BTreeMap::new();
    for &sd in tree.all(NS_SC, "system_data") {
        for item in tree.children(sd) {
            let mut text = format!("{} [{}]", tree.local(item), tree.attr(item, "status").unwrap_or("exists"));
            for e in tree.children(item) {
                text.push_str(&format!(
                    " {}({}{})={:?}",
                    tree.local(e),
                    tree.attr(e, "datatype").unwrap_or("string"),
                    tree.attr(e, "status").map(|s| format!(",{s}")).unwrap_or_default(),
                    tree.text(e)
                ));
                // A record's fields in name order: their order means
                // nothing (oscap writes them in hash-table order), the
                // order of one name's values does.
                let mut fields: Vec<(&str, String)> = tree
                    .children(e)
                    .map(|f| {
                        let name = tree.attr(f, "name").unwrap_or("");
                        (name, format!(" [{name}:{}={:?}]", tree.attr(f, "datatype").unwrap_or("string"), tree.text(f)))
                    })
                    .collect();
                fields.sort_by_key(|f| f.0);
                fields.into_iter().for_each(|(_, f)| text.push_str(&f));
            }
            items.insert(tree.attr(item, "id").unwrap().to_owned(), text);
        }
    }
    let mut out = BTreeMap::new();
    for &co in tree.all(NS_SC, "collected_objects") {
        for o in tree.children(co) {
            let refs: Vec<String> = tree
                .children(o)
                .filter(|&r| tree.local(r) == "reference")
                .map(|r| {
                    items.get(tree.attr(r, "item_ref").unwrap()).cloned().unwrap_or_else(|| "dangling item_ref".into())
                })
                .collect();
            let mut refs = refs;
            refs.sort();
            out.insert(tree.attr(o, "id").unwrap().to_owned(), (tree.attr(o, "flag").unwrap().to_owned(), refs));
        }
    }
    out
}

fn check_fixture(dir: &Path) -> Vec<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let root = dir.join("root");
    let tmp = tempfile::tempdir().unwrap();
    let ds = tmp.path().join("ds.xml");
    let mut c = Command::new(env!("CARGO_BIN_EXE_scapc"));
    c.args(["ds", "compose"]).arg(dir.join("xccdf.xml")).arg("-o").arg(&ds);
    let (code, out) = run(c);
    assert_eq!(code, 0, "{name}: compose failed: {out}");

    let ours = tmp.path().join("scapc.xml");
    let mut c = Command::new(env!("CARGO_BIN_EXE_scapc"));
    c.arg("eval")
        .arg(&ds)
        .arg("-q")
        .arg("--target")
        .arg(format!("dir:{}", root.display()))
        .arg("--results-arf")
        .arg(&ours);
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{name}: scapc eval failed ({code}): {out}");

    let theirs = tmp.path().join("oscap.xml");
    let mut c = Command::new("oscap-chroot");
    c.arg(&root).args(["xccdf", "eval", "--results-arf"]).arg(&theirs).arg(&ds);
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{name}: oscap-chroot failed ({code}): {out}");

    let expected: BTreeMap<String, String> = std::fs::read_to_string(dir.join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (a, b) = l.split_once(' ').unwrap_or_else(|| panic!("{name}/expected.txt: bad line {l:?}"));
            (a.to_owned(), b.trim().to_owned())
        })
        .collect();
    // rule -> (oscap's wrong result, the object whose items differ)
    let defects: BTreeMap<String, (String, String)> = std::fs::read_to_string(dir.join("oscap-defects.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 3, "{name}/oscap-defects.txt: bad line {l:?}");
            (f[0].to_owned(), (f[1].to_owned(), f[2].to_owned()))
        })
        .collect();
    let doc = std::fs::read_to_string(dir.join("../../../../docs/eval-differences.md")).unwrap();
    for rule in defects.keys() {
        assert!(
            doc.contains(&format!("`{rule}`")),
            "{name}: the oscap defect of {rule} is not explained in docs/eval-differences.md"
        );
    }
    let ours = scapc_xml::tree::Tree::parse(&std::fs::read_to_string(&ours).unwrap()).unwrap();
    let theirs = scapc_xml::tree::Tree::parse(&std::fs::read_to_string(&theirs).unwrap()).unwrap();
    let (a, b) = (rule_results(&ours), rule_results(&theirs));
    let mut problems = Vec::new();
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{name}: scapc's rules differ from expected.txt"
    );
    for (rule, want) in &expected {
        for (tool, got) in [("scapc", &a), ("oscap", &b)] {
            let got = got.get(rule).map(String::as_str).unwrap_or("(missing)");
            let want = match defects.get(rule) {
                Some((wrong, _)) if tool == "oscap" => wrong,
                _ => want,
            };
            if got != want {
                problems.push(format!("{name}: {tool} gives {got}, expected {want}: {rule}"));
            }
        }
    }
    // `--engine oscap` runs oscap-chroot for a dir: target.
    let mut c = Command::new(env!("CARGO_BIN_EXE_scapc"));
    c.arg("eval")
        .arg(&ds)
        .args(["--engine", "oscap", "--format", "json", "--target"])
        .arg(format!("dir:{}", root.display()));
    c.stderr(std::process::Stdio::null());
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "{name}: scapc eval --engine oscap failed ({code}): {out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {out}"));
    assert_eq!(v["engine"], "oscap");
    for r in v["rules"].as_array().unwrap() {
        let (id, got) = (r["id"].as_str().unwrap(), r["result"].as_str().unwrap());
        let want = defects.get(id).map(|d| &d.0).or(expected.get(id));
        if want.map(String::as_str) != Some(got) {
            problems.push(format!("{name}: --engine oscap gives {got}, expected {want:?}: {id}"));
        }
    }
    let (ca, cb) = (collected(&ours), collected(&theirs));
    assert!(!ca.is_empty(), "{name}: scapc wrote no collected objects");
    let skip: Vec<&String> = defects.values().map(|d| &d.1).collect();
    for (id, (flag, items)) in cb.iter().filter(|(id, _)| !skip.contains(id)) {
        match ca.get(id) {
            None => problems.push(format!("{name}: scapc did not collect {id}")),
            Some((f, _)) if f != flag => problems.push(format!("{name}: {id}: flag scapc {f}, oscap {flag}")),
            Some((_, i)) if i != items => {
                problems.push(format!("{name}: {id}: items differ\n  scapc: {i:#?}\n  oscap: {items:#?}"))
            }
            _ => {}
        }
    }
    problems
}

#[test]
fn probes_match_oscap_on_fixture_root_filesystems() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("xccdf.xml").exists())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let problems: Vec<String> = dirs.iter().flat_map(|d| check_fixture(d)).collect();
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}
