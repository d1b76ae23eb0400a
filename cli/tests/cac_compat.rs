//! ComplianceAsCode compatibility: scapc reads the CaC tree at commit
//! b3a2cca (`../shared/reference/cac/content-b3a2cca.tar.xz`) and its
//! benchmarks are compared with the data streams CaC's own build made from
//! that commit (`ssg-<product>-ds.xml.gz`): the ids of every Group, Rule,
//! Value and Profile; per Profile the selected rules, refined values and
//! refined rules; per Rule the title, severity, idents, references,
//! platforms, check systems and check references (names, exports,
//! imports), and the OVAL definition of the rule with everything it
//! reaches (compared as `compiler/tests/cac_ref/oval_cmp.rs` does: ids,
//! versions, comments and metadata set aside); its bash and Ansible fixes
//! (bash with whitespace collapsed, Ansible as YAML task lists with CaC's
//! `when` and `tags`); the CPE platforms (ids and logical tests, OVAL ids
//! shortened) and the CPE dictionary. rhel9 is built with SCE, as CaC's
//! reference is. A per-category table goes to stderr;
//! `SCAPC_CAC_EXAMPLES=N` prints N rules whose OVAL or fixes differ.
//!
//! What already matches completely is asserted at 100%; everything else
//! is asserted at its measured share as a floor, so it can only go up.
//! docs/cac.md says what is missing and why.
//!
//! Skipped, with a notice, when `../shared` is not there. With
//! `SCAPC_CAC_DUMP=DIR` the benchmarks scapc made are written to DIR.

#[path = "../../compiler/tests/cac_ref/mod.rs"]
mod cac_ref;
mod cac_tree;

use cac_ref::OvalIndex;
use scapc_compiler::build::{self, BuildOptions};
use scapc_compiler::xccdf;
use scapc_xml::tree::{NodeId, Tree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";
/// The URI of CaC's `stigref` and `stigref_vulnerability_id` references.
const STIGREF_URI: &str = "https://www.cyber.mil/stigs/srg-stig-tools";

/// CaC's data stream for `product`, parsed.
fn reference(product: &str) -> Tree {
    Tree::parse(&cac_tree::reference_ds(product)).unwrap()
}

/// Text of an element and its descendants, whitespace collapsed.
fn text(t: &Tree, id: NodeId) -> String {
    fn collect(t: &Tree, id: NodeId, out: &mut String) {
        out.push_str(t.text(id));
        for c in t.children(id) {
            out.push(' ');
            collect(t, c, out);
        }
    }
    let mut s = String::new();
    collect(t, id, &mut s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default, Debug)]
struct RuleFacts {
    title: String,
    /// Description and rationale as [`prose`] shows them.
    prose: String,
    severity: String,
    idents: BTreeSet<(String, String)>,
    references: BTreeSet<(String, String)>,
    platforms: BTreeSet<String>,
    /// Check systems, in order.
    checks: Vec<String>,
    /// Per check: system, check-content-ref name, exports and imports.
    check_refs: Vec<String>,
}

#[derive(Default, Debug)]
struct ProfileFacts {
    /// `<version>` and `<reference>` texts.
    meta: Vec<String>,
    selected: BTreeSet<String>,
    values: BTreeSet<(String, String)>,
    refines: BTreeSet<(String, String)>,
}

/// A group's title and platform idrefs.
type GroupFacts = (String, BTreeSet<String>);

#[derive(Default, Debug)]
struct Facts {
    /// The Benchmark's title and description.
    benchmark: (String, String),
    /// The Benchmark's version (with its update URI) and its metadata
    /// but the contributors (CaC's `Contributors.xml` is not in the
    /// tarball).
    benchmark_meta: Vec<String>,
    ids: BTreeMap<&'static str, BTreeSet<String>>,
    /// Group, Rule and Value ids in document order (it decides how
    /// `requires`/`conflicts` resolve and the order of fixes).
    order: Vec<String>,
    rules: BTreeMap<String, RuleFacts>,
    /// Group id -> (title, platform idrefs); Value id -> title.
    groups: BTreeMap<String, GroupFacts>,
    values: BTreeMap<String, String>,
    profiles: BTreeMap<String, ProfileFacts>,
}

/// An XCCDF prose element (description, rationale) as text with its
/// markup named: XHTML elements as `<h:name>`, XCCDF `<sub>` with its Value,
/// whitespace collapsed. `<tt>` and `<code>` are one (CaC writes `<code>`).
fn prose(t: &Tree, id: NodeId) -> String {
    fn collect(t: &Tree, id: NodeId, out: &mut String) {
        out.push_str(t.text(id));
        for c in t.children(id) {
            let tag = match (t.ns(c), t.local(c)) {
                (XCCDF, "sub") => format!("<x:sub {}/>", t.attr(c, "idref").unwrap_or("")),
                ("http://www.w3.org/1999/xhtml", "tt") => "<h:code>".to_owned(),
                ("http://www.w3.org/1999/xhtml", l) => format!("<h:{l}>"),
                (ns, l) => format!("<{{{ns}}}{l}>"),
            };
            out.push(' ');
            out.push_str(&tag);
            collect(t, c, out);
        }
    }
    let mut s = String::new();
    collect(t, id, &mut s);
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What the comparison looks at, from the one Benchmark in `t`.
fn facts(t: &Tree) -> Facts {
    let mut f = Facts::default();
    if let Some(&b) = t.all(XCCDF, "Benchmark").first() {
        let part = |name: &str| t.child(b, XCCDF, name).map(|x| text(t, x)).unwrap_or_default();
        f.benchmark = (part("title"), part("description"));
        if let Some(v) = t.child(b, XCCDF, "version") {
            f.benchmark_meta.push(format!("version={} update={:?}", text(t, v), t.attr(v, "update")));
        }
        if let Some(m) = t.child(b, XCCDF, "metadata") {
            for c in t.children(m).filter(|&c| t.local(c) != "contributor") {
                f.benchmark_meta.push(format!("{}={}", t.local(c), text(t, c)));
            }
        }
        // Dublin Core elements in any order.
        f.benchmark_meta.sort();
    }
    for kind in ["Group", "Rule", "Value", "Profile"] {
        f.ids.insert(kind, t.all(XCCDF, kind).iter().filter_map(|&e| t.attr(e, "id")).map(str::to_owned).collect());
    }
    let mut items: Vec<NodeId> =
        ["Group", "Rule", "Value"].iter().flat_map(|k| t.all(XCCDF, k).iter().copied()).collect();
    items.sort_unstable();
    f.order = items.iter().filter_map(|&e| t.attr(e, "id")).map(str::to_owned).collect();
    for &g in t.all(XCCDF, "Group") {
        let title = t.child(g, XCCDF, "title").map(|x| text(t, x)).unwrap_or_default();
        let platforms =
            t.children_named(g, XCCDF, "platform").filter_map(|p| t.attr(p, "idref")).map(str::to_owned).collect();
        f.groups.insert(t.attr(g, "id").unwrap_or("").to_owned(), (title, platforms));
    }
    for &v in t.all(XCCDF, "Value") {
        let title = t.child(v, XCCDF, "title").map(|x| text(t, x)).unwrap_or_default();
        f.values.insert(t.attr(v, "id").unwrap_or("").to_owned(), title);
    }
    for &r in t.all(XCCDF, "Rule") {
        let mut rf = RuleFacts {
            title: t.child(r, XCCDF, "title").map(|x| text(t, x)).unwrap_or_default(),
            prose: ["description", "rationale"]
                .iter()
                .map(|n| t.child(r, XCCDF, n).map(|x| prose(t, x)).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" | "),
            severity: t.attr(r, "severity").unwrap_or("unknown").to_owned(),
            ..Default::default()
        };
        for c in t.children(r) {
            match t.local(c) {
                "ident" => {
                    rf.idents.insert((t.attr(c, "system").unwrap_or("").to_owned(), text(t, c)));
                }
                "reference" => {
                    rf.references.insert((t.attr(c, "href").unwrap_or("").to_owned(), text(t, c)));
                }
                "platform" => {
                    rf.platforms.insert(t.attr(c, "idref").unwrap_or("").to_owned());
                }
                "check" => {
                    let system = t.attr(c, "system").unwrap_or("").to_owned();
                    let mut parts = vec![system.clone()];
                    for x in t.children(c) {
                        let a = |k: &str| t.attr(x, k).unwrap_or("").to_owned();
                        parts.push(match t.local(x) {
                            "check-content-ref" => format!("ref {}", a("name")),
                            "check-export" => format!("export {}={}", a("export-name"), a("value-id")),
                            "check-import" => format!("import {}", a("import-name")),
                            other => other.to_owned(),
                        });
                    }
                    rf.checks.push(system);
                    rf.check_refs.push(parts.join(" "));
                }
                _ => {}
            }
        }
        f.rules.insert(t.attr(r, "id").unwrap_or("").to_owned(), rf);
    }
    for &p in t.all(XCCDF, "Profile") {
        let mut pf = ProfileFacts::default();
        for c in t.children(p) {
            let idref = t.attr(c, "idref").unwrap_or("").to_owned();
            match t.local(c) {
                "select" if t.attr(c, "selected") == Some("true") => {
                    pf.selected.insert(idref);
                }
                "version" | "reference" => pf.meta.push(format!("{}={}", t.local(c), text(t, c))),
                "title" | "description" => pf.meta.push(format!("{} override={:?}", t.local(c), t.attr(c, "override"))),
                "refine-value" => {
                    pf.values.insert((idref, t.attr(c, "selector").unwrap_or("").to_owned()));
                }
                "refine-rule" => {
                    for a in ["severity", "weight", "role", "selector"] {
                        if let Some(v) = t.attr(c, a) {
                            pf.refines.insert((idref.clone(), format!("{a}={v}")));
                        }
                    }
                }
                _ => {}
            }
        }
        f.profiles.insert(t.attr(p, "id").unwrap_or("").to_owned(), pf);
    }
    f
}

/// (matching, total) for one category.
type Score = (usize, usize);

fn jaccard<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> Score {
    (a.intersection(b).count(), a.union(b).count())
}

fn pct((m, t): Score) -> f64 {
    if t == 0 {
        100.0
    } else {
        100.0 * m as f64 / t as f64
    }
}

/// Compares scapc's benchmark with CaC's, category by category.
fn compare(ours: &Facts, theirs: &Facts) -> Vec<(String, Score)> {
    let mut out = Vec::new();
    out.push(("benchmark title".into(), (usize::from(ours.benchmark.0 == theirs.benchmark.0), 1)));
    out.push((
        "benchmark version and metadata".into(),
        (usize::from(ours.benchmark_meta == theirs.benchmark_meta && !ours.benchmark_meta.is_empty()), 1),
    ));
    for kind in ["Group", "Rule", "Value", "Profile"] {
        out.push((format!("{kind} ids"), jaccard(&ours.ids[kind], &theirs.ids[kind])));
    }
    let both_profiles: Vec<&String> = theirs.profiles.keys().filter(|k| ours.profiles.contains_key(*k)).collect();
    let mut sel = (0, 0);
    let mut val = (0, 0);
    let mut refi = (0, 0);
    for p in &both_profiles {
        let (a, b) = (&ours.profiles[*p], &theirs.profiles[*p]);
        for (acc, s) in [
            (&mut sel, jaccard(&a.selected, &b.selected)),
            (&mut val, jaccard(&a.values, &b.values)),
            (&mut refi, jaccard(&a.refines, &b.refines)),
        ] {
            acc.0 += s.0;
            acc.1 += s.1;
        }
    }
    // Document order: the share of items at the same place in both.
    let same_place = ours.order.iter().zip(&theirs.order).filter(|(a, b)| a == b).count();
    out.push(("document order".into(), (same_place, ours.order.len().max(theirs.order.len()))));
    out.push(("profile selections".into(), sel));
    out.push(("profile refine-values".into(), val));
    out.push(("profile refine-rules".into(), refi));
    let meta_same = both_profiles.iter().filter(|p| ours.profiles[**p].meta == theirs.profiles[**p].meta).count();
    out.push(("profile version, reference, override".into(), (meta_same, both_profiles.len())));
    let both_rules: Vec<&String> = theirs.rules.keys().filter(|k| ours.rules.contains_key(*k)).collect();
    let n = both_rules.len();
    let count = |f: &dyn Fn(&RuleFacts, &RuleFacts) -> bool| -> Score {
        (both_rules.iter().filter(|r| f(&ours.rules[**r], &theirs.rules[**r])).count(), n)
    };
    out.push(("rule titles".into(), count(&|a, b| a.title == b.title)));
    out.push(("rule severities".into(), count(&|a, b| a.severity == b.severity)));
    out.push(("rule description and rationale".into(), count(&|a, b| a.prose == b.prose)));
    out.push(("rule idents".into(), count(&|a, b| a.idents == b.idents)));
    out.push(("rule references".into(), count(&|a, b| a.references == b.references)));
    // Without DISA's STIG file (not in the tarball) a rule has no `stigref`
    // references (docs/cac.md); everything else must match.
    let no_stigref = |r: &RuleFacts| -> BTreeSet<(String, String)> {
        r.references.iter().filter(|(href, _)| !href.starts_with(STIGREF_URI)).cloned().collect()
    };
    out.push(("rule references, stigref aside".into(), count(&|a, b| no_stigref(a) == no_stigref(b))));
    out.push(("rule platforms".into(), count(&|a, b| a.platforms == b.platforms)));
    out.push(("rule check systems".into(), count(&|a, b| a.checks == b.checks)));
    out.push(("rule check refs".into(), count(&|a, b| a.check_refs == b.check_refs)));
    let groups: Vec<&String> = theirs.groups.keys().filter(|k| ours.groups.contains_key(*k)).collect();
    let same = |f: &dyn Fn(&GroupFacts, &GroupFacts) -> bool| -> Score {
        (groups.iter().filter(|g| f(&ours.groups[**g], &theirs.groups[**g])).count(), groups.len())
    };
    out.push(("group titles".into(), same(&|a, b| a.0 == b.0)));
    out.push(("group platforms".into(), same(&|a, b| a.1 == b.1)));
    let values: Vec<&String> = theirs.values.keys().filter(|k| ours.values.contains_key(*k)).collect();
    out.push((
        "value titles".into(),
        (values.iter().filter(|v| ours.values[**v] == theirs.values[**v]).count(), values.len()),
    ));
    out
}

const SCE: &str = "http://open-scap.org/page/SCE_xccdf_stream";

/// The SCE scripts of a data stream: rule id -> script (from the
/// extended components `..._ecomp_<product>-checks-sce-<rule>.sh`).
fn sce_scripts(t: &Tree) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for &s in t.all(SCE, "script") {
        let Some(parent) = t.parent(s) else { continue };
        let id = t.attr(parent, "id").unwrap_or("");
        if let Some(rest) = id.split("-checks-sce-").nth(1) {
            out.insert(rest.trim_end_matches(".sh").to_owned(), t.text(s).to_owned());
        }
    }
    out
}

/// What scapc made besides the benchmark's facts: the XCCDF text, the CPE
/// dictionary text, and the CPE OVAL's definition ids shortened.
struct Extra {
    xccdf: String,
    cpe_dict: String,
    cpe_oval_short: BTreeMap<String, String>,
}

fn ours(tree: &Path, product: &str, sce: bool) -> (Facts, OvalIndex, BTreeMap<String, String>, Extra) {
    let opts = BuildOptions {
        root: tree.to_path_buf(),
        out_dir: tree.join("build"),
        products: vec![product.to_owned()],
        sce,
        epoch: Some(0),
    };
    let (compiled, diags) = build::compile_tree(&opts);
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for d in diags.iter() {
        *by_code.entry(format!("{:?} {}", d.severity, d.code)).or_default() += 1;
    }
    eprintln!("{product}: diagnostics by severity and code: {by_code:?}");
    let notable = |d: &&scapc_diagnostics::Diagnostic| {
        d.severity == scapc_diagnostics::Severity::Error || !d.message.contains("fixes of ComplianceAsCode")
    };
    for d in diags.iter().filter(notable).take(15) {
        eprintln!("  {}", d.one_line());
    }
    let c = compiled.iter().find(|c| c.product.id == product).expect("the product did not compile");
    let mut d = Vec::new();
    let doc = xccdf::emit(c, &mut d);
    let oval = c.oval.emit(&c.timestamp, None);
    // For looking into differences: SCAPC_CAC_DUMP=DIR keeps each benchmark and OVAL.
    if let Some(dir) = std::env::var_os("SCAPC_CAC_DUMP") {
        std::fs::write(Path::new(&dir).join(format!("{product}-xccdf.xml")), &doc).unwrap();
        std::fs::write(Path::new(&dir).join(format!("{product}-oval.xml")), &oval).unwrap();
    }
    let tree = Tree::parse(&doc).expect("scapc's XCCDF is not well-formed");
    let oval = OvalIndex::from_tree(Tree::parse(&oval).expect("scapc's OVAL is not well-formed"));
    let scripts = c.rules.iter().filter_map(|(id, r)| r.sce.as_ref().map(|s| (id.clone(), s.script.clone()))).collect();

    let mut cpe_oval_short = BTreeMap::new();
    let checks =
        c.instances.values().map(|i| i.check.clone()).chain(c.product.cpes.iter().map(|p| p.check_id.value.clone()));
    for short in checks {
        if let Some(full) = c.cpe_oval.id(scapc_compiler::oval::Kind::Def, &short) {
            cpe_oval_short.insert(full.to_owned(), short);
        }
    }
    let extra = Extra { xccdf: doc.clone(), cpe_dict: scapc_compiler::cpe::emit(c), cpe_oval_short };
    (facts(&tree), oval, scripts, extra)
}

/// Per rule both have, whether the rule's OVAL definition with everything
/// it reaches is the same on both sides (rules with OVAL on neither side
/// are not counted); the rules that differ, with the first differences.
fn compare_oval(ours: &Facts, theirs: &Facts, a: &OvalIndex, b: &OvalIndex) -> (Score, Vec<String>) {
    let (mut same, mut total, mut diffs) = (0, 0, Vec::new());
    for id in theirs.rules.keys().filter(|k| ours.rules.contains_key(*k)) {
        let short = id.trim_start_matches("xccdf_org.ssgproject.content_rule_");
        let def = format!("oval:ssg-{short}:def:1");
        let (x, y) = (cac_ref::oval_closure_signature(a, &def), cac_ref::oval_closure_signature(b, &def));
        if x.is_none() && y.is_none() {
            continue;
        }
        total += 1;
        if x == y {
            same += 1;
            continue;
        }
        let why = match (x, y) {
            (None, _) => "scapc has no OVAL definition".to_owned(),
            (_, None) => "CaC has no OVAL definition".to_owned(),
            (Some(x), Some(y)) => {
                let only_ours: Vec<&String> = x.iter().filter(|l| !y.contains(l)).take(3).collect();
                let only_theirs: Vec<&String> = y.iter().filter(|l| !x.contains(l)).take(3).collect();
                format!("scapc only: {only_ours:?}\n    CaC only: {only_theirs:?}")
            }
        };
        diffs.push(format!("{short}: {why}"));
    }
    ((same, total), diffs)
}

/// CaC's short id of a CPE OVAL definition (`oval:ssg-X:def:1` -> X).
fn cac_short(id: &str) -> String {
    id.strip_prefix("oval:ssg-").and_then(|r| r.strip_suffix(":def:1")).unwrap_or(id).to_owned()
}

/// Each `cpe-lang:platform` of a document as a canonical text: its logical
/// tests (operator, negation, the short ids of the checks, nested tests),
/// children sorted.
fn platform_spec(t: &Tree, short: &dyn Fn(&str) -> String) -> BTreeMap<String, String> {
    const CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";
    fn test(t: &Tree, id: NodeId, short: &dyn Fn(&str) -> String) -> String {
        let mut parts: Vec<String> = t
            .children(id)
            .map(|c| match t.local(c) {
                "check-fact-ref" => short(t.attr(c, "id-ref").unwrap_or("")),
                _ => test(t, c, short),
            })
            .collect();
        parts.sort();
        format!(
            "{}{}({})",
            if t.attr(id, "negate") == Some("true") { "!" } else { "" },
            t.attr(id, "operator").unwrap_or(""),
            parts.join(",")
        )
    }
    let mut out = BTreeMap::new();
    for &p in t.all(CPE_LANG, "platform") {
        let body: Vec<String> = t.children(p).map(|c| test(t, c, short)).collect();
        out.insert(t.attr(p, "id").unwrap_or("").to_owned(), body.join(","));
    }
    out
}

/// The CPE items of the dictionaries in a document: (name, check's short id).
fn cpe_items(t: &Tree, short: &dyn Fn(&str) -> String) -> BTreeSet<(String, String)> {
    const DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
    t.all(DICT, "cpe-item")
        .iter()
        .map(|&i| {
            let check = t.child(i, DICT, "check").map(|c| short(t.text(c).trim())).unwrap_or_default();
            (t.attr(i, "name").unwrap_or("").to_owned(), check)
        })
        .collect()
}

/// Ansible tasks as CaC's build reads them (YAML 1.1), `!!str` tags and
/// XCCDF subs made plain text.
fn ansible_tasks(text: &str) -> Option<serde_json::Value> {
    let text = text.replace("!!str ", "");
    Some(cac_ref::yaml11(&scapc_compiler::yaml::parse_pyyaml(&text).ok()?))
}

/// Per-rule fixes of the rules both have: bash equal with whitespace
/// collapsed, Ansible task lists equal (with CaC's `when` and `tags`).
/// Returns the scores and, per language, the rules that differ.
/// Per language, the rules whose fixes differ, with why.
type FixDiffs = BTreeMap<&'static str, Vec<String>>;

fn compare_fixes(ours: &str, theirs: &str) -> (Vec<(String, Score)>, FixDiffs) {
    let (a, b) = (cac_ref::ds_rules(ours), cac_ref::ds_rules(theirs));
    let sub = |v: &str| format!("(sub {v})");
    let mut scores = Vec::new();
    let mut diffs = BTreeMap::new();
    for (lang, system) in [("bash", "urn:xccdf:fix:script:sh"), ("ansible", "urn:xccdf:fix:script:ansible")] {
        let (mut same, mut total) = (0, 0);
        let mut d = Vec::new();
        for id in b.keys().filter(|k| a.contains_key(*k)) {
            let (x, y) = (cac_ref::ds_fix(&a, id, system, sub), cac_ref::ds_fix(&b, id, system, sub));
            if x.is_none() && y.is_none() {
                continue;
            }
            total += 1;
            let equal = match (&x, &y) {
                (Some(x), Some(y)) if lang == "bash" => cac_ref::squash(x) == cac_ref::squash(y),
                (Some(x), Some(y)) => ansible_tasks(x).is_some() && ansible_tasks(x) == ansible_tasks(y),
                _ => false,
            };
            if equal {
                same += 1;
            } else {
                let why = match (&x, &y) {
                    (None, _) => "scapc has none".to_owned(),
                    (_, None) => "CaC has none".to_owned(),
                    (Some(x), Some(y)) if lang == "ansible" => match (ansible_tasks(x), ansible_tasks(y)) {
                        (Some(p), Some(q)) => {
                            let (p, q) =
                                (p.as_array().cloned().unwrap_or_default(), q.as_array().cloned().unwrap_or_default());
                            match p.iter().zip(&q).find(|(s, t)| s != t) {
                                Some((s, t)) => format!("ours: {s} cac: {t}").chars().take(1500).collect(),
                                None => format!("{} tasks vs CaC's {}", p.len(), q.len()),
                            }
                        }
                        (p, q) => format!("YAML read: ours {}, CaC's {}", p.is_some(), q.is_some()),
                    },
                    (Some(x), Some(y)) => {
                        let (x, y) = (cac_ref::squash(x), cac_ref::squash(y));
                        let at = x.chars().zip(y.chars()).take_while(|(p, q)| p == q).count();
                        let from = at.saturating_sub(40);
                        format!(
                            "ours: …{}… cac: …{}…",
                            x.chars().skip(from).take(120).collect::<String>(),
                            y.chars().skip(from).take(120).collect::<String>()
                        )
                    }
                };
                d.push(format!("{id}: {why}"));
            }
        }
        scores.push((format!("rule {lang} fixes"), (same, total)));
        diffs.insert(lang, d);
    }
    (scores, diffs)
}

/// Compares one product and checks each category against its floor (in
/// percent; 100 means it must match exactly).
fn check(product: &str, sce: bool, floors: &[(&str, f64)]) {
    let Some(tree) = cac_tree::content_tree("the CaC compatibility test") else { return };
    let theirs_tree = reference(product);
    let theirs = facts(&theirs_tree);
    let theirs_sce = sce_scripts(&theirs_tree);
    let theirs_oval = OvalIndex::from_tree(theirs_tree);
    let (ours, ours_oval, ours_sce, extra) = ours(&tree, product, sce);
    let mut table = compare(&ours, &theirs);
    let (score, diffs) = compare_oval(&ours, &theirs, &ours_oval, &theirs_oval);
    table.push(("rule OVAL".into(), score));
    if sce {
        let ids: BTreeSet<&String> = ours_sce.keys().chain(theirs_sce.keys()).collect();
        let same = ids.iter().filter(|id| ours_sce.get(**id) == theirs_sce.get(**id)).count();
        table.push(("rule SCE scripts".into(), (same, ids.len())));
        for id in ids.iter().filter(|id| ours_sce.get(**id) != theirs_sce.get(**id)).take(3) {
            eprintln!("  SCE differs: {id}:\n{:?}\n{:?}", ours_sce.get(*id), theirs_sce.get(*id));
        }
    }
    let shown: usize = std::env::var("SCAPC_CAC_EXAMPLES").ok().and_then(|n| n.parse().ok()).unwrap_or(0);
    for d in diffs.iter().take(shown) {
        eprintln!("  OVAL differs: {d}");
    }
    // CPE platforms and dictionary, with OVAL ids shortened on both sides.
    let short_ours = |id: &str| extra.cpe_oval_short.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let ours_tree = Tree::parse(&extra.xccdf).unwrap();
    let (pa, pb) = (platform_spec(&ours_tree, &short_ours), platform_spec(&theirs_oval.tree, &cac_short));
    let ids = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<BTreeSet<String>>();
    table.push(("CPE platform ids".into(), jaccard(&ids(&pa), &ids(&pb))));
    let both: Vec<&String> = pb.keys().filter(|k| pa.contains_key(*k)).collect();
    table.push(("CPE platform tests".into(), (both.iter().filter(|k| pa[**k] == pb[**k]).count(), both.len())));
    for k in both.iter().filter(|k| pa[**k] != pb[**k]).take(5) {
        eprintln!("  platform {k}: ours {} cac {}", pa[*k], pb[*k]);
    }
    let dict_ours = cpe_items(&Tree::parse(&extra.cpe_dict).unwrap(), &short_ours);
    table.push(("CPE dictionary items".into(), jaccard(&dict_ours, &cpe_items(&theirs_oval.tree, &cac_short))));
    let (fix_scores, fix_diffs) = compare_fixes(&extra.xccdf, &cac_ref::data_stream(product));
    table.extend(fix_scores);
    for (lang, d) in &fix_diffs {
        eprintln!("  {lang} fixes differing: {}", d.len());
        for x in d.iter().take(shown.max(5)) {
            eprintln!("    {x}");
        }
    }
    eprintln!("\nCaC compatibility, {product} (scapc vs CaC b3a2cca):");
    eprintln!("  {:<24} {:>7} {:>7} {:>8}", "category", "match", "total", "percent");
    for (name, s) in &table {
        eprintln!("  {:<24} {:>7} {:>7} {:>7.1}%", name, s.0, s.1, pct(*s));
    }
    for kind in ["Rule", "Group", "Value", "Profile"] {
        let missing: Vec<&String> = theirs.ids[kind].difference(&ours.ids[kind]).take(8).collect();
        let extra: Vec<&String> = ours.ids[kind].difference(&theirs.ids[kind]).take(8).collect();
        eprintln!("  {kind}: missing e.g. {missing:?}; extra e.g. {extra:?}");
    }
    let mut failed = Vec::new();
    for (name, floor) in floors {
        let s = table.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no category `{name}`")).1;
        let p = pct(s);
        if p + 1e-9 < *floor {
            failed.push(format!("{name}: {p:.1}% is below its floor {floor}%"));
        }
    }
    assert!(failed.is_empty(), "{product}: {}", failed.join("; "));
}

// Floors, in percent, measured at 2026-12-07 on b3a2cca. 100 means the
// category must match exactly. What keeps the others below 100 (see
// docs/cac.md): rhel9's `stigref` references, which CaC's build takes from
// DISA STIG files that the tarball does not hold (with the file, 100%);
// a few Ansible fixes.

#[test]
fn debian12() {
    check(
        "debian12",
        false,
        &[
            ("benchmark title", 100.0),
            ("benchmark version and metadata", 100.0),
            ("Group ids", 100.0),
            ("Rule ids", 100.0),
            ("Value ids", 100.0),
            ("Profile ids", 100.0),
            ("document order", 100.0),
            ("profile selections", 100.0),
            ("profile refine-values", 100.0),
            ("profile refine-rules", 100.0),
            ("profile version, reference, override", 100.0),
            ("rule titles", 100.0),
            ("rule severities", 100.0),
            ("rule description and rationale", 100.0),
            ("rule idents", 100.0),
            ("rule references", 100.0),
            ("rule references, stigref aside", 100.0),
            ("rule platforms", 100.0),
            ("rule check systems", 100.0),
            ("rule check refs", 100.0),
            ("rule OVAL", 100.0),
            ("group titles", 100.0),
            ("group platforms", 100.0),
            ("value titles", 100.0),
            ("CPE platform ids", 100.0),
            ("CPE platform tests", 100.0),
            ("CPE dictionary items", 100.0),
            ("rule bash fixes", 100.0),
            ("rule ansible fixes", 100.0),
        ],
    );
}

#[test]
fn example() {
    check(
        "example",
        false,
        &[
            ("benchmark title", 100.0),
            ("benchmark version and metadata", 100.0),
            ("Group ids", 100.0),
            ("Rule ids", 100.0),
            ("Value ids", 100.0),
            ("Profile ids", 100.0),
            ("document order", 100.0),
            ("profile selections", 100.0),
            ("profile refine-values", 100.0),
            ("profile refine-rules", 100.0),
            ("profile version, reference, override", 100.0),
            ("rule titles", 100.0),
            ("rule severities", 100.0),
            ("rule description and rationale", 100.0),
            ("rule idents", 100.0),
            ("rule references", 100.0),
            ("rule references, stigref aside", 100.0),
            ("rule platforms", 100.0),
            ("rule check systems", 100.0),
            ("rule check refs", 100.0),
            ("rule OVAL", 100.0),
            ("group titles", 100.0),
            ("group platforms", 100.0),
            ("value titles", 100.0),
            ("CPE platform ids", 100.0),
            ("CPE platform tests", 100.0),
            ("CPE dictionary items", 100.0),
            ("rule bash fixes", 100.0),
            ("rule ansible fixes", 100.0),
        ],
    );
}

#[test]
fn rhel9() {
    check(
        "rhel9",
        true,
        &[
            ("benchmark title", 100.0),
            ("benchmark version and metadata", 100.0),
            ("Group ids", 100.0),
            ("Rule ids", 100.0),
            ("Value ids", 100.0),
            ("Profile ids", 100.0),
            ("document order", 100.0),
            ("profile selections", 100.0),
            ("profile refine-values", 100.0),
            ("profile refine-rules", 100.0),
            ("profile version, reference, override", 100.0),
            ("rule titles", 100.0),
            ("rule severities", 100.0),
            ("rule description and rationale", 100.0),
            ("rule idents", 100.0),
            ("rule references", 68.7),
            ("rule references, stigref aside", 100.0),
            ("rule platforms", 100.0),
            ("rule check systems", 100.0),
            ("rule check refs", 100.0),
            ("rule OVAL", 100.0),
            ("rule SCE scripts", 100.0),
            ("group titles", 100.0),
            ("group platforms", 100.0),
            ("value titles", 100.0),
            ("CPE platform ids", 100.0),
            ("CPE platform tests", 99.0),
            ("CPE dictionary items", 100.0),
            ("rule bash fixes", 100.0),
            ("rule ansible fixes", 100.0),
        ],
    );
}
