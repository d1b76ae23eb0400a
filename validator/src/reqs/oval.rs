//! Checks inside one OVAL definitions document.

use super::Cx;
use crate::detect::*;
use crate::tree::NodeId;
// OVAL ids are long and looked up per reference: a fast hash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

const O: &str = NS_OVAL_DEF;

fn refs_of(cx: &Cx<'_>, d: NodeId, source: &[&str]) -> Vec<NodeId> {
    let t = cx.t;
    let Some(m) = t.child(d, O, "metadata") else { return Vec::new() };
    t.children_named(m, O, "reference").filter(|&r| source.contains(&t.attr(r, "source").unwrap_or(""))).collect()
}

pub fn document(cx: &mut Cx<'_>, root: NodeId) {
    let t = cx.t;
    // The definitions and what each extends.
    let defs: Vec<NodeId> = t.all_in(root, O, "definition").to_vec();
    let mut class_of: HashMap<&str, &str> = HashMap::default();
    let mut extends: HashMap<&str, Vec<&str>> = HashMap::default();
    for &d in &defs {
        let id = t.attr(d, "id").unwrap_or("");
        class_of.insert(id, t.attr(d, "class").unwrap_or(""));
        let e: Vec<&str> =
            t.all_in(d, O, "extend_definition").iter().filter_map(|&x| t.attr(x, "definition_ref")).collect();
        extends.insert(id, e);
    }
    for &d in &defs {
        let id = t.attr(d, "id").unwrap_or("").to_owned();
        let class = t.attr(d, "class").unwrap_or("").to_owned();
        match class.as_str() {
            "compliance" if refs_of(cx, d, &["http://cce.mitre.org", "CCE"]).is_empty() => {
                cx.report("SRC-207-1", d, format!("compliance definition `{id}` references no CCE; add a reference with source=\"CCE\" where one exists"))
            }
            "vulnerability" if refs_of(cx, d, &["http://cve.mitre.org", "CVE"]).is_empty() => {
                cx.report("SRC-214-1", d, format!("vulnerability definition `{id}` references no CVE"))
            }
            "inventory" => {
                let ok = refs_of(cx, d, &["http://cpe.mitre.org", "CPE"]).iter().any(|&r| {
                    let v = t.attr(r, "ref_id").unwrap_or("");
                    (v.starts_with("cpe:/") || v.starts_with("cpe:2.3:")) && !v.contains(char::is_whitespace)
                });
                if !ok {
                    cx.report("SRC-209-1", d, format!("inventory definition `{id}` references no well-formed CPE name"));
                }
            }
            _ => {}
        }
        for r in refs_of(cx, d, &["http://cce.mitre.org", "CCE"]) {
            let v = t.attr(r, "ref_id").unwrap_or("").to_owned();
            super::xccdf::cce_checks(cx, r, &v);
        }
        // The classes this definition may extend (directly or not).
        let (allowed, req): (&[&str], &str) = match class.as_str() {
            "compliance" => (&["compliance", "inventory"], "SRC-208-1"),
            "inventory" => (&["inventory"], "SRC-210-1"),
            "patch" => (&["patch", "inventory"], "SRC-213-1"),
            "vulnerability" => (&["inventory", "vulnerability"], "SRC-215-1"),
            _ => continue,
        };
        let mut seen: HashSet<&str> = HashSet::default();
        let mut stack: Vec<&str> = extends.get(id.as_str()).cloned().unwrap_or_default();
        while let Some(x) = stack.pop() {
            if !seen.insert(x) {
                continue;
            }
            if let Some(c) = class_of.get(x) {
                if !allowed.contains(c) {
                    cx.report(req, d, format!("{class} definition `{id}` extends `{x}`, which is of class {c}; a {class} definition may only extend {}", allowed.join(" or ")));
                    break;
                }
            }
            stack.extend(extends.get(x).cloned().unwrap_or_default());
        }
    }
    // OVAL-2: cycles.
    let mut done: HashSet<&str> = HashSet::default();
    let mut ids: Vec<&str> = extends.keys().copied().collect();
    ids.sort();
    for start in ids {
        if done.contains(start) {
            continue;
        }
        // Depth-first with an explicit path.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        let mut on_path: HashSet<&str> = HashSet::from_iter([start]);
        while let Some(&mut (node, ref mut i)) = path.last_mut() {
            let next = extends.get(node).and_then(|v| v.get(*i)).copied();
            *i += 1;
            match next {
                None => {
                    done.insert(node);
                    on_path.remove(node);
                    path.pop();
                }
                Some(n) if on_path.contains(n) => {
                    let cyc: Vec<&str> = path.iter().map(|(x, _)| *x).skip_while(|x| *x != n).chain([n]).collect();
                    let d = defs.iter().copied().find(|&d| t.attr(d, "id") == Some(n)).unwrap_or(root);
                    cx.report("OVAL-2", d, format!("extend_definition cycle: {}", cyc.join(" → ")));
                    for x in &cyc {
                        done.insert(x);
                    }
                }
                Some(n) if done.contains(n) || !extends.contains_key(n) => {}
                Some(n) => {
                    on_path.insert(n);
                    path.push((n, 0));
                }
            }
        }
    }
    generator(cx, root);
    references(cx, root);
}

fn generator(cx: &mut Cx<'_>, root: NodeId) {
    let t = cx.t;
    let Some(g) = t.child(root, O, "generator") else { return };
    for v in t.children_named(g, NS_OVAL_COMMON, "schema_version") {
        let text = t.text(v).trim();
        if t.attr(v, "platform").is_some() {
            let ok =
                matches!(text, "5.11.1:1.0" | "5.11.1:1.1" | "5.11.1:1.2" | "5.11.2:1.0" | "5.11.2:1.1" | "5.11.2:1.2");
            if !ok {
                cx.report("SRC-216-2", v, format!("OVAL platform schema version `{text}` is not approved for SCAP 1.3 (5.11.1 or 5.11.2 with platform 1.0 to 1.2)"));
            }
        } else {
            let ok = matches!(
                text,
                "5.3"
                    | "5.4"
                    | "5.5"
                    | "5.6"
                    | "5.7"
                    | "5.8"
                    | "5.9"
                    | "5.10"
                    | "5.10.1"
                    | "5.11"
                    | "5.11.1"
                    | "5.11.2"
            );
            if !ok {
                cx.report(
                    "SRC-216-1",
                    v,
                    format!("OVAL schema version `{text}` is not allowed in SCAP 1.3 (5.3 to 5.11.2)"),
                );
            }
        }
    }
}

/// The type part of a test, object or state name: `textfilecontent54`.
fn stem<'s>(local: &'s str, suffix: &str) -> Option<&'s str> {
    local.strip_suffix(suffix)
}

/// OVAL-1, OVAL-3, OVAL-4.
fn references(cx: &mut Cx<'_>, root: NodeId) {
    let t = cx.t;
    let section = |name: &str| -> HashMap<&str, NodeId> {
        t.child(root, O, name)
            .map(|s| t.children(s).filter_map(|c| t.attr(c, "id").map(|id| (id, c))).collect())
            .unwrap_or_default()
    };
    let defs: HashMap<&str, NodeId> =
        t.all_in(root, O, "definition").iter().filter_map(|&d| t.attr(d, "id").map(|id| (id, d))).collect();
    let tests = section("tests");
    let objects = section("objects");
    let states = section("states");
    let variables = section("variables");
    let missing = |cx: &mut Cx<'_>, n: NodeId, what: &str, id: &str| {
        cx.report("OVAL-3", n, format!("{what} `{id}` does not exist in this OVAL document"));
    };
    for &c in t.all_in(root, O, "criterion") {
        if let Some(r) = t.attr(c, "test_ref") {
            if !tests.contains_key(r) {
                missing(cx, c, "criterion test_ref", r);
            }
        }
    }
    for &e in t.all_in(root, O, "extend_definition") {
        if let Some(r) = t.attr(e, "definition_ref") {
            if !defs.contains_key(r) {
                missing(cx, e, "extend_definition definition_ref", r);
            }
        }
    }
    let mut ids: Vec<(&str, NodeId)> = tests.iter().map(|(k, v)| (*k, *v)).collect();
    ids.sort_by_key(|x| x.1);
    for (tid, test) in ids {
        let tlocal = t.local(test);
        let tns = t.ns(test);
        let Some(kind) = stem(tlocal, "_test") else { continue };
        for c in t.children(test) {
            let (r, table, suffix) = match t.local(c) {
                "object" => (t.attr(c, "object_ref"), &objects, "_object"),
                "state" => (t.attr(c, "state_ref"), &states, "_state"),
                _ => continue,
            };
            let Some(r) = r else { continue };
            match table.get(r) {
                None => missing(cx, c, &format!("{} reference", t.local(c)), r),
                Some(&target) => {
                    let ok = stem(t.local(target), suffix) == Some(kind) && t.ns(target) == tns;
                    if !ok {
                        cx.report("OVAL-1", c, format!("{tlocal} `{tid}` references `{r}`, a {}; it must reference a {kind}{suffix} of the same namespace", t.local(target)));
                    }
                }
            }
        }
    }
    // var_ref, filters, set object references.
    let end = t.subtree_end(root);
    let first_var_user = t.child(root, O, "tests").unwrap_or(root);
    for n in first_var_user..end {
        if let Some(v) = t.attr(n, "var_ref") {
            match variables.get(v) {
                None => missing(cx, n, "var_ref", v),
                Some(&var) => {
                    // OVAL-4: entities of tests, objects and states.
                    let in_entity = t.ancestor(n, O, "variables").is_none() && t.local(n) != "variable_component";
                    if in_entity {
                        let have = t.attr(n, "datatype").unwrap_or("string");
                        let want = t.attr(var, "datatype").unwrap_or("");
                        if have != want && !compatible(have, want) {
                            cx.report(
                                "OVAL-4",
                                n,
                                format!(
                                    "`{}` has datatype {have}, but its variable `{v}` has datatype {want}",
                                    t.local(n)
                                ),
                            );
                        }
                    }
                }
            }
        }
        match t.local(n) {
            "filter" if t.ns(n) == O => {
                let s = t.text(n).trim();
                if !states.contains_key(s) {
                    missing(cx, n, "filter state", s);
                }
            }
            "object_reference" if t.ns(n) == O => {
                let s = t.text(n).trim();
                if !objects.contains_key(s) {
                    missing(cx, n, "set object_reference", s);
                }
            }
            "object_component" if t.ns(n) == O => {
                if let Some(o) = t.attr(n, "object_ref") {
                    if !objects.contains_key(o) {
                        missing(cx, n, "object_component object_ref", o);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Datatypes the OVAL interpreter converts between without loss.
fn compatible(entity: &str, var: &str) -> bool {
    matches!(
        (entity, var),
        ("string", "string") | ("evr_string", "string") | ("debian_evr_string", "string") | ("version", "string")
    )
}

pub fn everywhere(_cx: &mut Cx<'_>) {}
