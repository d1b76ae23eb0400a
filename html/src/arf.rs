//! Reading an ARF (from `scapc eval` or `oscap xccdf eval`): the source
//! data stream it carries, made to stand alone and read by the shared
//! reader; the XCCDF TestResult; and, from the OVAL results and system
//! characteristics it holds, the evidence of each rule (the tests of its
//! definition, their results, the objects' flags and up to five items
//! each, failing items first), as `scapc eval` shows it.

use crate::page::Outcome;
use crate::report::Results;
use scapc_eval::xccdf::content::{raw_element, Content};
use scapc_eval::xccdf::run::Evidence;
use scapc_eval::xccdf::{NS_DS, NS_XCCDF, NS_XCCDF_11, SYS_OVAL};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::HashMap;
use std::path::Path;

const NS_ARF: &str = "http://scap.nist.gov/schema/asset-reporting-format/1.1";
const NS_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";
const NS_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
const NS_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
/// At most this many tests per rule, and items per test.
const MAX_TESTS: usize = 20;
const MAX_ITEMS: usize = 5;

/// The reverse DNS name an XCCDF 1.1.4 results document's ids get when it
/// is read as XCCDF 1.2 (the ids only need to agree within the document).
const RDNS_11: &str = "org.open-scap";

/// Reads a results file: an ARF (scapc's or oscap's), or an XCCDF results
/// document (a Benchmark holding a TestResult, XCCDF 1.2 or 1.1.4, as
/// `--results` writes it) whose OVAL results files lie beside it.
pub fn load_results(path: &Path) -> Result<(Content, Results), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let src = String::from_utf8(bytes).map_err(|e| format!("{}: the file is not UTF-8: {e}", path.display()))?;
    let tree = parse(path, &src)?;
    let root = tree.root();
    if tree.is(root, NS_XCCDF, "Benchmark") {
        xccdf_results(path, src, Some(tree))
    } else if tree.is(root, NS_XCCDF_11, "Benchmark") {
        drop(tree);
        let src = scapc_eval::xccdf::v114::to_xccdf12(&src, RDNS_11).map_err(|e| format!("{}: {e}", path.display()))?;
        xccdf_results(path, src, None)
    } else {
        arf(path, src, tree)
    }
}

fn parse(path: &Path, src: &str) -> Result<Tree, String> {
    Tree::parse(src).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))
}

/// Reads an ARF (scapc's or oscap's): the source data stream it carries
/// (read by the shared reader) and its XCCDF TestResult.
pub fn load_arf(path: &Path) -> Result<(Content, Results), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let src = String::from_utf8(bytes).map_err(|e| format!("{}: the file is not UTF-8: {e}", path.display()))?;
    let tree = parse(path, &src)?;
    arf(path, src, tree)
}

/// An XCCDF results document: the benchmark made to stand alone with the
/// files it names (as `scapc eval` reads a standalone benchmark), its last
/// TestResult, and the evidence from the OVAL results files beside it
/// (`<href>.result.xml`, the name oscap and scapc give them).
fn xccdf_results(path: &Path, src: String, tree: Option<Tree>) -> Result<(Content, Results), String> {
    let tree = match tree {
        Some(t) => t,
        None => parse(path, &src)?,
    };
    let tr = *tree.all(NS_XCCDF, "TestResult").last().ok_or_else(|| {
        format!("{}: the benchmark holds no TestResult: it is not a results document", path.display())
    })?;
    let mut results = Results::from_test_result(&tree, tr);
    let dir = path.parent().unwrap_or(Path::new("."));
    file_evidence(&tree, tr, dir, &mut results);
    drop(tree);
    let a = scapc_eval::xccdf::standalone::assemble(path, src, &[], false)?;
    let content = Content::from_source(path, a.xml, None, None)?;
    Ok((content, results))
}

/// The OVAL results file of the OVAL document `href` in `dir`, read.
fn oval_results_file(dir: &Path, href: &str) -> Option<Tree> {
    let href = href.strip_prefix("file://").or_else(|| href.strip_prefix("file:")).unwrap_or(href);
    [format!("{href}.result.xml"), format!("{}.result.xml", href.replace('%', "%25").replace('/', "%2F"))]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| Tree::parse(&t).ok())
}

/// Adds to each rule of `res` the evidence its OVAL check left in the
/// OVAL results files beside an XCCDF results document.
fn file_evidence(t: &Tree, tr: NodeId, dir: &Path, res: &mut Results) {
    let mut files: Vec<(String, Tree)> = Vec::new();
    let mut checks: Vec<(&str, &str, &str)> = Vec::new(); // (rule, href, definition)
    for rr in t.children_named(tr, NS_XCCDF, "rule-result") {
        let Some(rule) = t.attr(rr, "idref") else { continue };
        for c in t.all_in(rr, NS_XCCDF, "check") {
            if t.attr(*c, "system") != Some(SYS_OVAL) {
                continue;
            }
            for cr in t.children_named(*c, NS_XCCDF, "check-content-ref") {
                let (Some(href), Some(name)) = (t.attr(cr, "href"), t.attr(cr, "name")) else { continue };
                if !files.iter().any(|(h, _)| h == href) {
                    if let Some(doc) = oval_results_file(dir, href) {
                        files.push((href.to_owned(), doc));
                    }
                }
                checks.push((rule, href, name));
            }
        }
    }
    struct File<'t> {
        href: &'t str,
        tree: &'t Tree,
        tests: HashMap<&'t str, NodeId>,
        doc: OvalDoc<'t>,
    }
    let docs: Vec<File<'_>> = files
        .iter()
        .filter_map(|(h, ft)| {
            let root = ft.all(NS_RES, "oval_results").first().copied()?;
            Some(File { href: h.as_str(), tree: ft, tests: tests_of(ft), doc: OvalDoc::new(ft, root) })
        })
        .collect();
    for (rule, href, name) in checks {
        let Some(outcome) = res.rules.get_mut(rule) else { continue };
        let Some(f) = docs.iter().find(|f| f.href == href) else { continue };
        if let Some(&def) = f.doc.definitions.get(name) {
            walk(f.tree, &f.doc, &f.tests, def, outcome);
        }
    }
}

/// The OVAL tests (by id) of every OVAL definitions document in `t`.
fn tests_of(t: &Tree) -> HashMap<&str, NodeId> {
    let mut tests: HashMap<&str, NodeId> = HashMap::new();
    for (i, n) in t.nodes.iter().enumerate() {
        let ns = t.ns(i as NodeId);
        if !ns.starts_with(NS_DEF) || t.name(n.local) == "definition" {
            continue;
        }
        if let Some(id) = t.attr(i as NodeId, "id").filter(|id| id.contains(":tst:")) {
            tests.entry(id).or_insert(i as NodeId);
        }
    }
    tests
}

fn arf(path: &Path, src: String, tree: Tree) -> Result<(Content, Results), String> {
    let tr = *tree.all(NS_XCCDF, "TestResult").first().ok_or_else(|| {
        format!(
            "{}: no XCCDF 1.2 TestResult in the file (is it an ARF made by `scapc eval --results-arf` or `oscap xccdf eval --results-arf`?)",
            path.display()
        )
    })?;
    let coll = *tree.all(NS_DS, "data-stream-collection").first().ok_or_else(|| {
        format!(
            "{}: the ARF carries no source data stream, so its rules cannot be described (oscap adds it unless told not to)",
            path.display()
        )
    })?;
    let results = results(&tree, tr);
    let bench_id = tree.child(tr, NS_XCCDF, "benchmark").and_then(|b| tree.attr(b, "id")).map(str::to_owned);
    // the collection made to stand alone: the namespaces it inherits declared on it
    let mut scope: Vec<(String, String)> = Vec::new();
    let mut anc = Vec::new();
    let mut cur = tree.parent(coll);
    while let Some(p) = cur {
        anc.push(p);
        cur = tree.parent(p);
    }
    for a in anc.into_iter().rev() {
        for (p, u) in declarations(&src[tree.node(a).pos..]) {
            scope.retain(|(q, _)| *q != p);
            scope.push((p, u));
        }
    }
    let raw = raw_element(&src, &tree, coll);
    // Blank lines and spaces before it keep the ARF's line and column
    // numbers in any message about the data stream.
    let (line, col) = tree.pos(coll);
    let mut ds = "\n".repeat(line as usize - 1);
    ds.push_str(&" ".repeat(col as usize - 1));
    scapc_xml::ns::with_inherited_into(&mut ds, raw, &scope, false);
    drop(tree);
    let content = Content::from_source(path, ds, None, bench_id.as_deref())
        .map_err(|e| format!("the data stream inside the ARF: {e}"))?;
    Ok((content, results))
}

/// The namespace declarations of the start tag at the beginning of `tag`.
fn declarations(tag: &str) -> Vec<(String, String)> {
    let mut r = quick_xml::Reader::from_str(tag);
    let mut out = Vec::new();
    if let Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) = r.read_event() {
        for a in e.attributes().flatten() {
            let k = a.key.as_ref();
            let v = a.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
            if k == b"xmlns" {
                out.push((String::new(), v));
            } else if let Some(p) = k.strip_prefix(b"xmlns:") {
                out.push((String::from_utf8_lossy(p).into_owned(), v));
            }
        }
    }
    out
}

/// One OVAL results document of the ARF, indexed.
struct OvalDoc<'t> {
    definitions: HashMap<&'t str, NodeId>,
    tests: HashMap<&'t str, NodeId>,
    objects: HashMap<&'t str, NodeId>,
    items: HashMap<&'t str, NodeId>,
}

impl<'t> OvalDoc<'t> {
    fn new(t: &'t Tree, root: NodeId) -> OvalDoc<'t> {
        let by = |ns: &'t str, local: &'t str, attr: &'t str| -> HashMap<&'t str, NodeId> {
            t.all_in(root, ns, local).iter().filter_map(|&n| Some((t.attr(n, attr)?, n))).collect()
        };
        let mut items = HashMap::new();
        for &sd in t.all_in(root, NS_SC, "system_data") {
            for k in t.children(sd) {
                if let Some(id) = t.attr(k, "id") {
                    items.insert(id, k);
                }
            }
        }
        OvalDoc {
            definitions: by(NS_RES, "definition", "definition_id"),
            tests: by(NS_RES, "test", "test_id"),
            objects: by(NS_SC, "object", "id"),
            items,
        }
    }
}

/// The results of the TestResult `tr` of a parsed ARF, with each rule's
/// evidence from the ARF's OVAL results.
pub fn results(tree: &Tree, tr: NodeId) -> Results {
    let mut r = Results::from_test_result(tree, tr);
    evidence(tree, tr, &mut r);
    r
}

/// Adds to each rule of `res` the evidence its OVAL check left in the ARF.
fn evidence(t: &Tree, tr: NodeId, res: &mut Results) {
    // the definitions' tests (comment, object), from any OVAL definitions in the file
    let tests = tests_of(t);
    let reports: HashMap<&str, NodeId> = t
        .all(NS_ARF, "report")
        .iter()
        .filter_map(|&r| Some((t.attr(r, "id")?, *t.all_in(r, NS_RES, "oval_results").first()?)))
        .collect();
    let mut docs: HashMap<&str, OvalDoc<'_>> = HashMap::new();
    for rr in t.children_named(tr, NS_XCCDF, "rule-result") {
        let Some(outcome) = t.attr(rr, "idref").and_then(|id| res.rules.get_mut(id)) else { continue };
        for c in t.all_in(rr, NS_XCCDF, "check") {
            if t.attr(*c, "system") != Some(SYS_OVAL) {
                continue;
            }
            for cr in t.children_named(*c, NS_XCCDF, "check-content-ref") {
                let (Some(href), Some(name)) = (t.attr(cr, "href"), t.attr(cr, "name")) else { continue };
                let Some(&root) = reports.get(href.trim_start_matches('#')) else { continue };
                let doc = docs.entry(href).or_insert_with(|| OvalDoc::new(t, root));
                if let Some(&def) = doc.definitions.get(name) {
                    walk(t, doc, &tests, def, outcome);
                }
            }
        }
    }
}

fn walk(t: &Tree, doc: &OvalDoc<'_>, tests: &HashMap<&str, NodeId>, n: NodeId, out: &mut Outcome) {
    for k in t.children(n) {
        match t.local(k) {
            "criteria" => walk(t, doc, tests, k, out),
            "criterion" if out.evidence.len() < MAX_TESTS => {
                let Some(test_ref) = t.attr(k, "test_ref") else { continue };
                out.evidence.push(one_test(t, doc, tests, test_ref, t.attr(k, "result").unwrap_or("")));
            }
            _ => {}
        }
    }
}

fn one_test(t: &Tree, doc: &OvalDoc<'_>, tests: &HashMap<&str, NodeId>, test_ref: &str, result: &str) -> Evidence {
    let def = tests.get(test_ref).copied();
    let object_id = def
        .and_then(|d| t.children(d).find(|&c| t.local(c) == "object"))
        .and_then(|o| t.attr(o, "object_ref"))
        .unwrap_or("")
        .to_owned();
    let obj = doc.objects.get(object_id.as_str()).copied();
    let mut ev = Evidence {
        test_id: test_ref.to_owned(),
        comment: def.and_then(|d| t.attr(d, "comment")).unwrap_or("").to_owned(),
        result: result.to_owned(),
        object_id: object_id.clone(),
        flag: obj.and_then(|o| t.attr(o, "flag")).unwrap_or("not collected").to_owned(),
        items: Vec::new(),
        messages: obj
            .map(|o| {
                t.children(o)
                    .filter(|&m| t.local(m) == "message")
                    .map(|m| t.text(m).trim().to_owned())
                    .take(3)
                    .collect()
            })
            .unwrap_or_default(),
    };
    // the items the test looked at, failing ones first
    let mut tested: Vec<(&str, bool)> = doc
        .tests
        .get(test_ref)
        .map(|&x| {
            t.children_named(x, NS_RES, "tested_item")
                .filter_map(|i| Some((t.attr(i, "item_id")?, t.attr(i, "result") == Some("true"))))
                .collect()
        })
        .unwrap_or_default();
    if tested.is_empty() {
        if let Some(o) = obj {
            tested = t
                .children(o)
                .filter(|&r| t.local(r) == "reference")
                .filter_map(|r| Some((t.attr(r, "item_ref")?, true)))
                .collect();
        }
    }
    tested.sort_by_key(|(_, ok)| *ok);
    for (id, _) in tested.into_iter().take(MAX_ITEMS) {
        let Some(&item) = doc.items.get(id) else { continue };
        let mut fields = Vec::new();
        fields_of(t, item, "", &mut fields);
        ev.items.push(fields);
    }
    ev
}

/// An item's entities as (name, value); record fields as `name.field`.
fn fields_of(t: &Tree, n: NodeId, prefix: &str, out: &mut Vec<(String, String)>) {
    for k in t.children(n) {
        let name = t.local(k);
        let key = if prefix.is_empty() {
            t.attr(k, "name").filter(|_| name == "field").unwrap_or(name).to_owned()
        } else {
            format!("{prefix}.{}", t.attr(k, "name").unwrap_or(name))
        };
        if t.node(k).children.is_empty() {
            let v = match t.attr(k, "status") {
                Some(s) if s != "exists" => format!("({s})"),
                _ => {
                    let v = t.text(k);
                    if v.chars().count() > 300 {
                        format!("{}…", v.chars().take(300).collect::<String>())
                    } else {
                        v.to_owned()
                    }
                }
            };
            out.push((key, v));
        } else if prefix.is_empty() {
            fields_of(t, k, &key, out);
        }
    }
}
