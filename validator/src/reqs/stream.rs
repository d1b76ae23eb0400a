//! Checks across a data stream collection: component references and their
//! resolution through catalogs, use cases, CPE, signatures, and the checks
//! that compare XCCDF with the OVAL and OCIL it references.

use super::xccdf::{is_scap_ident, SYS_CCE, SYS_CPE, SYS_CVE};
use super::Cx;
use crate::detect::*;
use crate::tree::NodeId;
use scapc_datastream::catalog::{self, Catalog, Entry};
use std::collections::{HashMap, HashSet};

const X: &str = NS_XCCDF12;
const SYS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2";

struct Cref {
    node: NodeId,
    id: String,
    href: String,
    role: String,
    /// Its `cat:catalog`, resolved by the one catalog resolver.
    catalog: Catalog,
}

struct Stream {
    node: NodeId,
    id: String,
    use_case: String,
    crefs: Vec<Cref>,
}

struct Model {
    streams: Vec<Stream>,
    /// Component id → its content root element.
    components: HashMap<String, NodeId>,
}

fn model(cx: &Cx<'_>) -> Model {
    let t = cx.t;
    let mut components = HashMap::new();
    for k in ["component", "extended-component"] {
        for &c in t.all(NS_SDS, k) {
            if let (Some(id), Some(root)) = (t.attr(c, "id"), t.children(c).next()) {
                components.insert(id.to_owned(), root);
            }
        }
    }
    let mut streams = Vec::new();
    for &s in t.all(NS_SDS, "data-stream") {
        let mut crefs = Vec::new();
        for role in t.children(s) {
            for r in t.children_named(role, NS_SDS, "component-ref") {
                let mut catalog = Catalog::default();
                if let Some(cat) = t.child(r, NS_CAT, "catalog") {
                    let get = |e: NodeId, k: &str| t.attr(e, k).unwrap_or("").to_owned();
                    for e in t.children(cat).filter(|&e| t.ns(e) == NS_CAT) {
                        match t.local(e) {
                            "uri" => catalog.entries.push(Entry::Uri { name: get(e, "name"), uri: get(e, "uri") }),
                            "rewriteURI" => catalog.entries.push(Entry::RewriteUri {
                                start: get(e, "uriStartString"),
                                prefix: get(e, "rewritePrefix"),
                            }),
                            _ => {}
                        }
                    }
                }
                crefs.push(Cref {
                    node: r,
                    id: t.attr(r, "id").unwrap_or("").to_owned(),
                    href: t.attr_ns(r, NS_XLINK, "href").unwrap_or("").to_owned(),
                    role: t.local(role).to_owned(),
                    catalog,
                });
            }
        }
        streams.push(Stream {
            node: s,
            id: t.attr(s, "id").unwrap_or("").to_owned(),
            use_case: t.attr(s, "use-case").unwrap_or("").to_owned(),
            crefs,
        });
    }
    Model { streams, components }
}

impl Stream {
    /// The component-ref an href resolves to, from the catalog of `from`.
    /// ([`scapc_datastream::catalog`], the rules every command follows).
    fn resolve(&self, from: &Cref, href: &str) -> Option<&Cref> {
        let uri = from.catalog.resolve(href)?;
        let id = catalog::ref_id(&uri)?;
        self.crefs.iter().find(|c| c.id == id)
    }
}

impl Model {
    fn content(&self, cref: &Cref) -> Option<NodeId> {
        cref.href.strip_prefix('#').and_then(|id| self.components.get(id)).copied()
    }
}

/// What a resolved check-content-ref points at.
enum Target {
    /// Resolved to a remote component-ref: nothing more can be checked.
    External,
    Local(NodeId),
    /// The component-ref's own href dangles (the reader reports that).
    Dangling,
}

pub fn check(cx: &mut Cx<'_>) {
    let t = cx.t;
    let m = model(cx);
    let root = t.root();
    // Collection level.
    let any_13 = m.streams.iter().any(|s| t.attr(s.node, "scap-version") == Some("1.3"));
    if any_13 && t.attr(root, "schematron-version") != Some("1.3") {
        let have = t.attr(root, "schematron-version").unwrap_or("(none)").to_owned();
        cx.report("SRC-330-2", root, format!("the collection holds SCAP 1.3 data streams but declares schematron-version `{have}`; set schematron-version=\"1.3\""));
    }
    let benchmarks: Vec<NodeId> = t.all(X, "Benchmark").to_vec();
    let mut seen: HashMap<(String, String), NodeId> = HashMap::new();
    for &b in &benchmarks {
        let key = (
            t.attr(b, "id").unwrap_or("").to_owned(),
            t.child(b, X, "version").map(|v| t.text(v).trim().to_owned()).unwrap_or_default(),
        );
        if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(key.clone()) {
            slot.insert(b);
        } else {
            cx.report(
                "SRC-3-3",
                b,
                format!("another Benchmark in this collection has the same id `{}` and version `{}`", key.0, key.1),
            );
        }
    }
    let mut profiles: HashSet<&str> = HashSet::new();
    for &b in &benchmarks {
        for &p in t.all_in(b, X, "Profile") {
            if let Some(id) = t.attr(p, "id") {
                if !profiles.insert(id) {
                    cx.report("A-25-1", p, format!("the Profile id `{id}` is used more than once in this collection"));
                }
            }
        }
    }
    for &b in &benchmarks {
        super::xccdf::benchmark(cx, b);
    }
    for &o in t.all(NS_OVAL_DEF, "oval_definitions") {
        super::oval::document(cx, o);
    }
    for &c in t.all(NS_SDS, "check-system-content") {
        let ct = t.attr(c, "content-type").unwrap_or("");
        let first = t.children(c).next();
        let want_oval = matches!(ct, "OVAL_COMPLIANCE" | "OVAL_PATCH" | "CPE_INVENTORY" | "OVAL_VULNERABILITY");
        if want_oval && !first.is_some_and(|f| t.is(f, NS_OVAL_DEF, "oval_definitions")) {
            cx.report("A-18-1", c, format!("content-type {ct} needs an oval_definitions element inside"));
        }
        if ct == "OCIL_QUESTIONS" && !first.is_some_and(|f| t.is(f, NS_OCIL, "ocil")) {
            cx.report("A-18-1", c, "content-type OCIL_QUESTIONS needs an ocil:ocil element inside");
        }
    }
    for s in &m.streams {
        stream(cx, &m, s);
    }
    signatures(cx, &m);
    unused_definitions(cx, &m);
}

fn stream(cx: &mut Cx<'_>, m: &Model, s: &Stream) {
    let t = cx.t;
    let uc = s.use_case.as_str();
    if !matches!(uc, "CONFIGURATION" | "VULNERABILITY" | "INVENTORY" | "OTHER") {
        cx.report(
            "SRC-324-1",
            s.node,
            format!("data stream `{}` has use-case `{uc}`; use CONFIGURATION, VULNERABILITY, INVENTORY or OTHER", s.id),
        );
    }
    let mut hrefs: HashSet<&str> = HashSet::new();
    for c in &s.crefs {
        if !hrefs.insert(&c.href) {
            cx.report("SRC-333-1", c.node, format!("data stream `{}` references `{}` more than once", s.id, c.href));
        }
    }
    let checklists: Vec<&Cref> = s.crefs.iter().filter(|c| c.role == "checklists").collect();
    let bench_of = |c: &Cref| m.content(c).filter(|&r| t.is(r, X, "Benchmark"));
    let has_benchmark = checklists.iter().any(|c| bench_of(c).is_some());
    let need = match uc {
        "CONFIGURATION" => Some("SRC-236-1"),
        "VULNERABILITY" => Some("SRC-242-1"),
        "INVENTORY" => Some("SRC-248-1"),
        _ => None,
    };
    if let Some(req) = need {
        if !has_benchmark {
            cx.report(
                req,
                s.node,
                format!("the {uc} data stream `{}` has no checklist that is an XCCDF Benchmark", s.id),
            );
        }
    }
    // SRC-30-1 / SRC-33-1.
    if uc == "CONFIGURATION" || uc == "VULNERABILITY" {
        let uses_platforms = checklists
            .iter()
            .filter_map(|c| m.content(c))
            .any(|r| !t.all_in(r, X, "platform").is_empty() || !t.all_in(r, NS_CPE_DICT, "cpe-item").is_empty());
        if uses_platforms {
            let has_dict = s.crefs.iter().any(|c| c.role == "dictionaries");
            let has_inv = s.crefs.iter().filter(|c| c.role == "checks").filter_map(|c| m.content(c)).any(|r| {
                t.all_in(r, NS_OVAL_DEF, "definition").iter().any(|&d| t.attr(d, "class") == Some("inventory"))
            });
            if !(has_dict && has_inv) {
                let req = if uc == "CONFIGURATION" { "SRC-30-1" } else { "SRC-33-1" };
                cx.report(req, s.node, format!("the benchmark of data stream `{}` uses platforms, so the data stream needs a CPE dictionary and an OVAL component with an inventory definition", s.id));
            }
        }
    }
    for c in &checklists {
        if let Some(b) = bench_of(c) {
            benchmark_refs(cx, m, s, c, b);
        }
    }
    dictionaries(cx, m, s);
    platforms(cx, m, s, &checklists);
}

/// SRC-31, 345, 346, 348, 349, 331, 251-2, 236-2, 242-2, 248-2, 262, 265, 38, 169-1, 377.
fn benchmark_refs(cx: &mut Cx<'_>, m: &Model, s: &Stream, from: &Cref, b: NodeId) {
    let t = cx.t;
    let uc = s.use_case.clone();
    let resolve = |href: &str| -> Option<Target> {
        let cref = s.resolve(from, href)?;
        if !cref.href.starts_with('#') {
            return Some(Target::External);
        }
        Some(m.content(cref).map(Target::Local).unwrap_or(Target::Dangling))
    };
    let mut benchmark_has_good = false;
    // Value id → type, for SRC-38.
    let value_type: HashMap<&str, &str> = t
        .all_in(b, X, "Value")
        .iter()
        .filter_map(|&v| t.attr(v, "id").map(|id| (id, t.attr(v, "type").unwrap_or("string"))))
        .collect();
    for &r in t.all_in(b, X, "Rule") {
        let rid = t.attr(r, "id").unwrap_or("").to_owned();
        let idents: Vec<(String, String)> = t
            .children_named(r, X, "ident")
            .filter_map(|i| {
                let sys = t.attr(i, "system").unwrap_or("");
                is_scap_ident(sys).then(|| (sys.to_owned(), t.text(i).trim().to_owned()))
            })
            .collect();
        let mut rule_named_local = false;
        let mut rule_good = false;
        let mut rule_good_vuln = false;
        let mut rule_good_inv = false;
        for &check in t.all_in(r, X, "check") {
            let sys = t.attr(check, "system").unwrap_or("").to_owned();
            let multi = t.attr(check, "multi-check") == Some("true");
            let ccrs: Vec<NodeId> = t.children_named(check, X, "check-content-ref").collect();
            for &ccr in &ccrs {
                let href = t.attr(ccr, "href").unwrap_or("").to_owned();
                let name = t.attr(ccr, "name").map(str::to_owned);
                let target = match resolve(&href) {
                    None | Some(Target::Dangling) => {
                        cx.report("SRC-31-1", ccr, format!("check-content-ref href `{href}` of Rule `{rid}` resolves to no component-ref of data stream `{}` (neither `#` + a component-ref id nor a name in the checklist's catalog)", s.id));
                        // SRC-263 / SRC-266: the OVAL or OCIL it names must be in the stream.
                        let what = match sys.as_str() {
                            NS_OVAL_DEF => Some("OVAL"),
                            SYS_OCIL => Some("OCIL"),
                            _ => None,
                        };
                        if let Some(what) = what {
                            let req = if uc == "VULNERABILITY" { "SRC-266-1" } else { "SRC-263-1" };
                            cx.report(req, ccr, format!("the {what} check of Rule `{rid}` references `{href}`, which is not in data stream `{}`, so the rule can only ever be notchecked; add the {what} component to the data stream (a component, a component-ref in `checks` and a catalog entry named `{href}`)", s.id));
                        }
                        continue;
                    }
                    Some(Target::External) => continue,
                    Some(Target::Local(root)) => root,
                };
                if name.is_some() && (sys == NS_OVAL_DEF || sys == SYS_OCIL) {
                    rule_named_local = true;
                }
                if sys == NS_OVAL_DEF {
                    if !t.is(target, NS_OVAL_DEF, "oval_definitions") {
                        cx.report(
                            "SRC-345-1",
                            ccr,
                            format!(
                                "the OVAL check of Rule `{rid}` points at `{href}`, which is a {} component, not OVAL",
                                t.local(target)
                            ),
                        );
                        continue;
                    }
                    let ix = cx.oval(target);
                    let def = name.as_ref().map(|n| ix.definitions.get(n).map(|(d, c)| (*d, c.clone())));
                    match def {
                        Some(None) => {
                            let n = name.clone().unwrap_or_default();
                            cx.report(
                                "SRC-346-1",
                                ccr,
                                format!("Rule `{rid}` checks OVAL definition `{n}`, which is not in `{href}`"),
                            );
                        }
                        Some(Some((d, class))) => {
                            match class.as_str() {
                                "compliance" | "patch" => rule_good = true,
                                _ => {}
                            }
                            if class == "vulnerability" || class == "patch" {
                                rule_good_vuln = true;
                            }
                            if class == "inventory" {
                                rule_good_inv = true;
                            }
                            if class == "compliance" {
                                benchmark_has_good = true;
                            }
                            for (sys, val) in &idents {
                                let (want, req) = match sys.as_str() {
                                    SYS_CCE => ("compliance", "SRC-331-1"),
                                    SYS_CVE => ("vulnerability", "SRC-331-2"),
                                    _ => ("inventory", "SRC-331-3"),
                                };
                                if class != want {
                                    cx.report(req, ccr, format!("Rule `{rid}` has a {} ident, so the OVAL definition it checks must be of class {want}; `{}` is {class}", ident_name(sys), name.clone().unwrap_or_default()));
                                }
                                // SRC-251-2: a contradiction between the rule's ident and the definition's.
                                let sources: &[&str] = match sys.as_str() {
                                    SYS_CCE => &["CCE", SYS_CCE],
                                    SYS_CVE => &["CVE", SYS_CVE],
                                    _ => &["CPE", SYS_CPE],
                                };
                                let theirs: Vec<&str> = t
                                    .child(d, NS_OVAL_DEF, "metadata")
                                    .map(|md| {
                                        t.children_named(md, NS_OVAL_DEF, "reference")
                                            .filter(|&x| sources.contains(&t.attr(x, "source").unwrap_or("")))
                                            .filter_map(|x| t.attr(x, "ref_id"))
                                            .collect()
                                    })
                                    .unwrap_or_default();
                                if !theirs.is_empty() && !theirs.contains(&val.as_str()) {
                                    cx.report("SRC-251-2", ccr, format!("Rule `{rid}` has ident `{val}`, but the OVAL definition it checks names {} instead", theirs.join(", ")));
                                }
                            }
                            if rid.ends_with("security_patches_up_to_date")
                                && !multi
                                && (class != "patch" || ccrs.len() != 1)
                            {
                                cx.report("SRC-377-1", ccr, format!("the single-check patches Rule `{rid}` must reference exactly one OVAL definition of class patch"));
                            }
                        }
                        None => {}
                    }
                    if rid.ends_with("security_patches_up_to_date") && multi {
                        let patches = cx.oval(target).definitions.values().filter(|(_, c)| c == "patch").count();
                        if patches == 0 {
                            cx.report("SRC-169-1", ccr, format!("the multi-check patches Rule `{rid}` references `{href}`, which has no patch definitions"));
                        }
                    }
                    // SRC-38: exported Values against OVAL variable datatypes.
                    for e in t.children_named(check, X, "check-export") {
                        let (Some(vid), Some(var)) = (t.attr(e, "value-id"), t.attr(e, "export-name")) else {
                            continue;
                        };
                        let Some(&vt) = value_type.get(vid) else { continue };
                        let ix = cx.oval(target);
                        let Some((_, dt)) = ix.variables.get(var).cloned() else { continue };
                        let (ok, req, allowed) = match vt {
                            "number" => (matches!(dt.as_str(), "int" | "float"), "SRC-38-1", "int or float"),
                            "boolean" => (dt == "boolean", "SRC-38-2", "boolean"),
                            _ => (
                                matches!(
                                    dt.as_str(),
                                    "string" | "evr_string" | "version" | "ios_version" | "fileset_revision" | "binary"
                                ),
                                "SRC-38-3",
                                "string, evr_string, version, ios_version, fileset_revision or binary",
                            ),
                        };
                        if !ok {
                            cx.report(req, e, format!("Value `{vid}` is of type {vt}, but it is exported to OVAL variable `{var}` of datatype {dt}; a {vt} Value binds only to {allowed}"));
                        }
                    }
                } else if sys == SYS_OCIL {
                    if !t.is(target, NS_OCIL, "ocil") {
                        cx.report(
                            "SRC-348-1",
                            ccr,
                            format!(
                                "the OCIL check of Rule `{rid}` points at `{href}`, which is a {} component, not OCIL",
                                t.local(target)
                            ),
                        );
                        continue;
                    }
                    if let Some(n) = &name {
                        let found = t
                            .all_in(target, NS_OCIL, "questionnaire")
                            .iter()
                            .any(|&q| t.attr(q, "id") == Some(n.as_str()));
                        if !found {
                            cx.report(
                                "SRC-349-1",
                                ccr,
                                format!("Rule `{rid}` uses OCIL questionnaire `{n}`, which is not in `{href}`"),
                            );
                        } else {
                            rule_good = true;
                            rule_good_vuln = true;
                            rule_good_inv = true;
                            benchmark_has_good = true;
                        }
                    }
                }
            }
        }
        match uc.as_str() {
            "CONFIGURATION" if rule_named_local && !rule_good => {
                cx.report("SRC-236-2", r, format!("Rule `{rid}` references neither an OVAL compliance or patch definition nor an OCIL questionnaire"));
            }
            "VULNERABILITY" if !rule_good_vuln => {
                cx.report("SRC-242-2", r, format!("Rule `{rid}` references neither an OVAL vulnerability or patch definition nor an OCIL questionnaire"));
            }
            "INVENTORY" if !rule_good_inv => {
                cx.report(
                    "SRC-248-2",
                    r,
                    format!("Rule `{rid}` references neither an OVAL inventory definition nor an OCIL questionnaire"),
                );
            }
            _ => {}
        }
    }
    if uc == "CONFIGURATION" && !benchmark_has_good && !t.all_in(b, X, "check-content-ref").is_empty() {
        cx.report(
            "SRC-262-1",
            b,
            "no rule of this benchmark is checked by an OVAL compliance definition or an OCIL questionnaire",
        );
    }
    if uc == "VULNERABILITY" {
        let any_vuln = t.all_in(b, X, "Rule").iter().any(|&r| {
            t.all_in(r, X, "check-content-ref").iter().any(|&ccr| {
                let (Some(href), Some(n)) = (t.attr(ccr, "href"), t.attr(ccr, "name")) else { return false };
                match resolve(href) {
                    Some(Target::Local(root)) => {
                        cx.oval(root).definitions.get(n).is_some_and(|(_, c)| c == "vulnerability")
                            || t.all_in(root, NS_OCIL, "questionnaire").iter().any(|&q| t.attr(q, "id") == Some(n))
                    }
                    _ => false,
                }
            })
        });
        if !any_vuln {
            cx.report(
                "SRC-265-1",
                b,
                "no rule of this benchmark is checked by an OVAL vulnerability definition or an OCIL questionnaire",
            );
        }
    }
    // A-27-1 and SRC-118-3: CPE-AL check-fact-refs.
    for &f in t.all_in(b, NS_CPE_LANG, "check-fact-ref") {
        let sys = t.attr(f, "system").unwrap_or("").to_owned();
        if sys != NS_OVAL_DEF && sys != SYS_OCIL {
            cx.report("SRC-118-3", f, format!("check-fact-ref uses the checking system `{sys}`; use OVAL or OCIL"));
        }
        let href = t.attr(f, "href").unwrap_or("").to_owned();
        let idref = t.attr(f, "id-ref").unwrap_or("").to_owned();
        match resolve(&href) {
            None => cx.report(
                "A-27-1",
                f,
                format!("check-fact-ref href `{href}` resolves to no component-ref of data stream `{}`", s.id),
            ),
            Some(Target::Local(root)) if sys == NS_OVAL_DEF && !cx.oval(root).definitions.contains_key(&idref) => {
                cx.report(
                    "A-27-1",
                    f,
                    format!("check-fact-ref names OVAL definition `{idref}`, which is not in `{href}`"),
                );
            }
            _ => {}
        }
    }
}

fn ident_name(sys: &str) -> &'static str {
    match sys {
        SYS_CCE => "CCE",
        SYS_CVE => "CVE",
        _ => "CPE",
    }
}

/// SRC-72-1, SRC-118-2: CPE dictionary checks.
fn dictionaries(cx: &mut Cx<'_>, m: &Model, s: &Stream) {
    let t = cx.t;
    for c in s.crefs.iter().filter(|c| c.role == "dictionaries") {
        let Some(root) = m.content(c) else { continue };
        for &ck in t.all_in(root, NS_CPE_DICT, "check") {
            let sys = t.attr(ck, "system").unwrap_or("").to_owned();
            let item = t.ancestor(ck, NS_CPE_DICT, "cpe-item").and_then(|i| t.attr(i, "name")).unwrap_or("").to_owned();
            if sys != NS_OVAL_DEF && sys != SYS_OCIL {
                cx.report("SRC-118-2", ck, format!("CPE item `{item}` is checked with `{sys}`; use OVAL or OCIL"));
            }
            if sys != NS_OVAL_DEF {
                cx.report("SRC-72-1", ck, format!("CPE item `{item}` must be checked by an OVAL inventory definition"));
                continue;
            }
            let href = t.attr(ck, "href").unwrap_or("").to_owned();
            let def = t.text(ck).trim().to_owned();
            match s.resolve(c, &href) {
                None => cx.report(
                    "SRC-72-1",
                    ck,
                    format!(
                        "CPE item `{item}`: the check href `{href}` resolves to no component-ref of data stream `{}`",
                        s.id
                    ),
                ),
                Some(target) => {
                    if let Some(r) = m.content(target) {
                        if !t.is(r, NS_OVAL_DEF, "oval_definitions") || !cx.oval(r).definitions.contains_key(&def) {
                            cx.report(
                                "SRC-72-1",
                                ck,
                                format!(
                                    "CPE item `{item}` is checked by OVAL definition `{def}`, which is not in `{href}`"
                                ),
                            );
                        }
                    }
                }
            }
        }
    }
}

/// SRC-15-1: platforms named by the benchmark are in a dictionary.
fn platforms(cx: &mut Cx<'_>, m: &Model, s: &Stream, checklists: &[&Cref]) {
    let t = cx.t;
    let mut dict: Vec<Vec<String>> = Vec::new();
    for c in s.crefs.iter().filter(|c| c.role == "dictionaries") {
        if let Some(root) = m.content(c) {
            for &i in t.all_in(root, NS_CPE_DICT, "cpe-item") {
                if let Some(n) = t.attr(i, "name") {
                    dict.push(cpe_parts(n));
                }
            }
        }
    }
    let covered = |name: &str| {
        let p = cpe_parts(name);
        dict.iter().any(|d| superset_or_equal(&p, d))
    };
    for c in checklists {
        let Some(b) = m.content(c) else { continue };
        for &p in t.all_in(b, X, "platform") {
            let idref = t.attr(p, "idref").unwrap_or("");
            if idref.starts_with('#') || idref.is_empty() {
                continue;
            }
            if !covered(idref) {
                cx.report(
                    "SRC-15-1",
                    p,
                    format!("platform `{idref}` matches no CPE item in the data stream's dictionaries"),
                );
            }
        }
        for &f in t.all_in(b, NS_CPE_LANG, "fact-ref") {
            let name = t.attr(f, "name").unwrap_or("");
            if !covered(name) {
                cx.report(
                    "SRC-15-1",
                    f,
                    format!("fact-ref `{name}` matches no CPE item in the data stream's dictionaries"),
                );
            }
        }
    }
}

/// The attributes of a CPE name (2.2 URI or 2.3 formatted string), in the
/// order part, vendor, product, version, update, edition, language, ...
/// Missing trailing attributes of a URI are ANY ("*").
pub fn cpe_parts(name: &str) -> Vec<String> {
    let mut v: Vec<String> = if let Some(rest) = name.strip_prefix("cpe:2.3:") {
        rest.split(':').map(|x| x.to_ascii_lowercase()).collect()
    } else if let Some(rest) = name.strip_prefix("cpe:/") {
        rest.split(':').map(|x| if x.is_empty() { "*".to_owned() } else { x.to_ascii_lowercase() }).collect()
    } else {
        vec![name.to_owned()]
    };
    while v.len() < 11 {
        v.push("*".into());
    }
    v
}

/// Whether `source` is equal to or a superset of `target`, attribute by
/// attribute (ANY matches everything; NA matches only NA).
pub fn superset_or_equal(source: &[String], target: &[String]) -> bool {
    source.iter().zip(target).all(|(s, t)| s == "*" || s == t)
}

/// Signatures (SRC-282 to SRC-290).
fn signatures(cx: &mut Cx<'_>, m: &Model) {
    let t = cx.t;
    let root = t.root();
    let stream_ids: HashSet<String> = m.streams.iter().map(|s| format!("#{}", s.id)).collect();
    for sig in t.children_named(root, NS_DSIG, "Signature").collect::<Vec<_>>() {
        let sid = t.attr(sig, "Id").unwrap_or("").to_owned();
        let si = t.child(sig, NS_DSIG, "SignedInfo");
        let refs: Vec<NodeId> = si.map(|si| t.children_named(si, NS_DSIG, "Reference").collect()).unwrap_or_default();
        let uri = |i: usize| refs.get(i).and_then(|&r| t.attr(r, "URI")).unwrap_or("").to_owned();
        let ds_refs = refs.iter().filter(|&&r| stream_ids.contains(t.attr(r, "URI").unwrap_or(""))).count();
        if ds_refs > 1 {
            cx.report(
                "SRC-282-1",
                sig,
                format!("signature `{sid}` signs {ds_refs} data streams; sign each data stream with its own signature"),
            );
        }
        let objects: Vec<NodeId> = t.children_named(sig, NS_DSIG, "Object").collect();
        let manifests: Vec<NodeId> = objects.iter().flat_map(|&o| t.children_named(o, NS_DSIG, "Manifest")).collect();
        let props: Vec<NodeId> =
            objects.iter().flat_map(|&o| t.children_named(o, NS_DSIG, "SignatureProperties")).collect();
        if manifests.is_empty() {
            cx.report("SRC-284-1", sig, format!("signature `{sid}` has no dsig:Manifest in a dsig:Object"));
        }
        let has_info = props.iter().any(|&p| {
            t.children_named(p, NS_DSIG, "SignatureProperty")
                .any(|sp| t.child(sp, NS_TMSAD, "signature-info").is_some())
        });
        if !has_info {
            cx.report(
                "SRC-285-1",
                sig,
                format!("signature `{sid}` has no SignatureProperties holding a tmsad:signature-info"),
            );
        }
        let first = uri(0);
        if !stream_ids.contains(&first) {
            cx.report("SRC-286-1", sig, format!("the first reference of signature `{sid}` is `{first}`; it must be `#` + the id of the signed data stream"));
        } else if let Some(s) = m.streams.iter().find(|s| format!("#{}", s.id) == first) {
            // SRC-284-2: the manifest covers every local component the stream uses.
            let covered: HashSet<&str> = manifests
                .iter()
                .flat_map(|&mf| t.children_named(mf, NS_DSIG, "Reference"))
                .filter_map(|r| t.attr(r, "URI"))
                .collect();
            for c in &s.crefs {
                if c.href.starts_with('#') && !covered.contains(c.href.as_str()) {
                    cx.report(
                        "SRC-284-2",
                        sig,
                        format!(
                            "the Manifest of signature `{sid}` has no reference to `{}`, which data stream `{}` uses",
                            c.href, s.id
                        ),
                    );
                }
            }
        }
        let second = uri(1);
        if !props.iter().any(|&p| t.attr(p, "Id").is_some_and(|id| format!("#{id}") == second)) {
            cx.report("SRC-287-1", sig, format!("the second reference of signature `{sid}` is `{second}`; it must be `#` + the Id of its SignatureProperties"));
        }
        let third = uri(2);
        if !manifests.iter().any(|&mf| t.attr(mf, "Id").is_some_and(|id| format!("#{id}") == third)) {
            cx.report(
                "SRC-288-1",
                sig,
                format!(
                    "the third reference of signature `{sid}` is `{third}`; it must be `#` + the Id of its Manifest"
                ),
            );
        }
        if t.child(sig, NS_DSIG, "KeyInfo").is_none() {
            cx.report(
                "SRC-290-1",
                sig,
                format!("signature `{sid}` has no KeyInfo; include the signer's key or certificate"),
            );
        }
    }
}

/// A-15-1: OVAL definitions in check components that nothing uses.
fn unused_definitions(cx: &mut Cx<'_>, m: &Model) {
    let t = cx.t;
    // (component root, definition id) pairs in use; a whole component when
    // a check-content-ref names no definition.
    let mut used: HashSet<(NodeId, String)> = HashSet::new();
    let mut whole: HashSet<NodeId> = HashSet::new();
    for s in &m.streams {
        for c in &s.crefs {
            let Some(b) = m.content(c) else { continue };
            let mut mark = |href: &str, name: Option<&str>| {
                if let Some(Some(root)) = s.resolve(c, href).map(|r| m.content(r)) {
                    match name {
                        Some(n) => {
                            used.insert((root, n.to_owned()));
                        }
                        None => {
                            whole.insert(root);
                        }
                    }
                }
            };
            for &ccr in t.all_in(b, X, "check-content-ref") {
                mark(t.attr(ccr, "href").unwrap_or(""), t.attr(ccr, "name"));
            }
            for &f in t.all_in(b, NS_CPE_LANG, "check-fact-ref") {
                mark(t.attr(f, "href").unwrap_or(""), t.attr(f, "id-ref"));
            }
            for &ck in t.all_in(b, NS_CPE_DICT, "check") {
                let def = t.text(ck).trim().to_owned();
                mark(t.attr(ck, "href").unwrap_or(""), Some(&def));
            }
        }
    }
    for s in &m.streams {
        for c in s.crefs.iter().filter(|c| c.role == "checks") {
            let Some(root) = m.content(c) else { continue };
            if !t.is(root, NS_OVAL_DEF, "oval_definitions") || whole.contains(&root) {
                continue;
            }
            let extended: HashSet<&str> = t
                .all_in(root, NS_OVAL_DEF, "extend_definition")
                .iter()
                .filter_map(|&e| t.attr(e, "definition_ref"))
                .collect();
            for &d in t.all_in(root, NS_OVAL_DEF, "definition") {
                let id = t.attr(d, "id").unwrap_or("");
                if !extended.contains(id)
                    && !used.contains(&(root, id.to_owned()))
                    && t.attr(d, "class") != Some("patch")
                {
                    cx.report(
                        "A-15-1",
                        d,
                        format!("OVAL definition `{id}` is used by no rule, CPE item or other definition"),
                    );
                }
            }
        }
    }
}

/// A-23-1: elements in namespaces no SCAP specification governs.
pub fn namespaces(cx: &mut Cx<'_>) {
    let t = cx.t;
    let mut reported: HashSet<String> = HashSet::new();
    for id in 0..t.nodes.len() as NodeId {
        let ns = t.ns(id);
        if governed(ns) || reported.contains(ns) {
            continue;
        }
        reported.insert(ns.to_owned());
        let shown = if ns.is_empty() { "no namespace".to_owned() } else { format!("namespace `{ns}`") };
        cx.report(
            "A-23-1",
            id,
            format!(
                "`<{}>` is in {shown}, which no SCAP specification governs; schema validation cannot check it",
                t.local(id)
            ),
        );
    }
}

fn governed(ns: &str) -> bool {
    ns.starts_with("http://oval.mitre.org/XMLSchema/")
        || matches!(
            ns,
            NS_SDS
                | NS_XCCDF12
                | NS_XCCDF11
                | NS_OCIL
                | NS_CPE_DICT
                | NS_CPE_LANG
                | NS_ARF
                | NS_CAT
                | NS_XLINK
                | NS_DSIG
                | NS_DC
                | NS_TMSAD
                | "http://www.w3.org/1999/xhtml"
                | "http://scap.nist.gov/schema/cpe-extension/2.3"
                | "http://scap.nist.gov/schema/scap/constructs/1.2"
                | "http://scap.nist.gov/schema/reporting-core/1.1"
                | "http://scap.nist.gov/schema/asset-identification/1.1"
                | "http://checklists.nist.gov/sccf/0.1"
                | "http://purl.org/dc/terms/"
                | "http://www.w3.org/2001/XMLSchema-instance"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpe_matching() {
        let p = |s: &str| cpe_parts(s);
        assert!(superset_or_equal(&p("cpe:/o:debian:debian_linux"), &p("cpe:/o:debian:debian_linux:11")));
        assert!(superset_or_equal(&p("cpe:/o:debian:debian_linux:11"), &p("cpe:/o:debian:debian_linux:11")));
        assert!(!superset_or_equal(&p("cpe:/o:debian:debian_linux:12"), &p("cpe:/o:debian:debian_linux:11")));
        assert!(superset_or_equal(
            &p("cpe:2.3:o:debian:debian_linux:*:*:*:*:*:*:*:*"),
            &p("cpe:/o:debian:debian_linux:11")
        ));
    }
}
