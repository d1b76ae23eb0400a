//! Checks inside one XCCDF 1.2 Benchmark.

use super::{cce_form, cce_valid, Cx};
use crate::detect::*;
use crate::tree::{NodeId, NS_XML};
use std::collections::{HashMap, HashSet};

const X: &str = NS_XCCDF12;
pub const SYS_CCE: &str = "http://cce.mitre.org";
pub const SYS_CVE: &str = "http://cve.mitre.org";
pub const SYS_CPE: &str = "http://cpe.mitre.org";

pub fn is_scap_ident(system: &str) -> bool {
    matches!(system, SYS_CCE | SYS_CVE | SYS_CPE)
}

const ITEMS: [&str; 4] = ["Profile", "Value", "Group", "Rule"];

/// Every check of a Benchmark that needs nothing outside it.
pub fn benchmark(cx: &mut Cx<'_>, b: NodeId) {
    let t = cx.t;
    let bid = t.attr(b, "id").unwrap_or("").to_owned();
    // Titles and descriptions.
    let mut items = vec![b];
    for k in ITEMS {
        items.extend_from_slice(t.all_in(b, X, k));
    }
    for &it in &items {
        let kind = t.local(it).to_owned();
        let id = t.attr(it, "id").unwrap_or("").to_owned();
        if t.child(it, X, "description").is_none() {
            cx.report("SRC-10-1", it, format!("{kind} `{id}` has no description; add an xccdf:description"));
        }
        let titles: Vec<NodeId> = t.children_named(it, X, "title").collect();
        if titles.is_empty() {
            cx.report("SRC-9-1", it, format!("{kind} `{id}` has no title; add an xccdf:title"));
        } else if titles.len() > 1 {
            if titles.iter().any(|&x| t.attr_ns(x, NS_XML, "lang").is_none()) {
                cx.report(
                    "SRC-9-2",
                    it,
                    format!("{kind} `{id}` has {} titles, and not all of them carry xml:lang", titles.len()),
                );
            }
            if !titles.iter().any(|&x| t.attr_ns(x, NS_XML, "lang") == Some("en-US")) {
                cx.report(
                    "SRC-9-3",
                    it,
                    format!("{kind} `{id}` has {} titles, and none is xml:lang=\"en-US\"", titles.len()),
                );
            }
        }
    }
    if t.attr_ns(b, NS_XML, "lang").is_none() {
        cx.report(
            "SRC-2-1",
            b,
            format!("Benchmark `{bid}` has no xml:lang attribute; add xml:lang=\"en-US\" (or the content's language)"),
        );
    }
    if let Some(&c) = t.all_in(b, X, "check-content").first() {
        cx.report("SRC-25-1", c, "inline xccdf:check-content is not allowed in SCAP content; put the check in an OVAL or OCIL component and reference it with check-content-ref");
    }
    for k in ["source", "complex-value", "complex-default", "complex-choice"] {
        for &n in t.all_in(b, X, k) {
            if t.ancestor(n, X, "Value").is_some() {
                cx.report(
                    "SRC-276-1",
                    n,
                    format!("xccdf:{k} is not allowed in a Value in SCAP content; use plain value/default/choices"),
                );
            }
        }
    }
    for &n in t.all_in(b, X, "set-complex-value") {
        cx.report("SRC-343-1", n, "xccdf:set-complex-value is not allowed in SCAP content; use set-value");
    }
    for &n in t.all_in(b, NS_XINCLUDE, "include") {
        cx.report("SRC-339-1", n, "XInclude is not allowed in XCCDF content; include the content itself");
    }
    let version = t.child(b, X, "version");
    match version {
        Some(v) if t.attr(v, "time").is_none() => {
            cx.report("SRC-3-2", v, "the Benchmark version has no @time; add the time the benchmark was defined")
        }
        None => {}
        _ => {}
    }
    if !t.all_in(b, X, "version").iter().any(|&v| t.attr(v, "update").is_some_and(|u| !u.is_empty())) {
        cx.report(
            "SRC-341-1",
            version.unwrap_or(b),
            "the Benchmark version has no @update; add the URI where updates are published",
        );
    }
    let want_style = if cx.scap == "1.2" { "SCAP_1.2" } else { "SCAP_1.3" };
    if t.attr(b, "style") != Some(want_style) {
        let have = t.attr(b, "style").map(|s| format!("is `{s}`")).unwrap_or_else(|| "is missing".into());
        cx.report("SRC-4-1", b, format!("Benchmark @style {have}; SCAP content should say style=\"{want_style}\""));
    }
    match t.child(b, X, "metadata") {
        None => cx.report("SRC-8-2", b, format!("Benchmark `{bid}` has no xccdf:metadata; add one with dc:creator, dc:publisher, dc:contributor and dc:source")),
        Some(m) => {
            let missing: Vec<&str> = ["creator", "publisher", "contributor", "source"]
                .into_iter()
                .filter(|k| !t.children_named(m, NS_DC, k).any(|n| !t.text(n).trim().is_empty()))
                .collect();
            if !missing.is_empty() {
                let list: Vec<String> = missing.iter().map(|k| format!("dc:{k}")).collect();
                cx.report("SRC-8-1", m, format!("the Benchmark metadata lacks {} (each needs text)", list.join(", ")));
            }
        }
    }
    for &s in t.all_in(b, X, "status") {
        let v = t.text(s).trim();
        if v != "draft" && v != "accepted" {
            cx.report("SRC-5-1", s, format!("status `{v}` is not allowed in SCAP content; use `draft` or `accepted`"));
        }
        if t.attr(s, "date").is_none_or(|d| d.is_empty()) {
            cx.report("SRC-5-2", s, "the status has no @date; add the date of the last status change");
        }
    }
    rules(cx, b);
    references(cx, b);
    values(cx, b);
}

fn rules(cx: &mut Cx<'_>, b: NodeId) {
    let t = cx.t;
    for &r in t.all_in(b, X, "Rule") {
        let rid = t.attr(r, "id").unwrap_or("").to_owned();
        let idents: Vec<NodeId> = t.children_named(r, X, "ident").collect();
        if !idents.iter().any(|&i| is_scap_ident(t.attr(i, "system").unwrap_or(""))) {
            cx.report("SRC-251-1", r, format!("Rule `{rid}` has no CCE, CVE or CPE ident"));
        }
        let mut seen_other = None;
        for &i in &idents {
            if is_scap_ident(t.attr(i, "system").unwrap_or("")) {
                if let Some(o) = seen_other {
                    let _ = o;
                    cx.report("SRC-257-1", i, format!("Rule `{rid}`: this CCE/CVE/CPE ident comes after an ident of another system; list SCAP idents first"));
                    break;
                }
            } else if seen_other.is_none() {
                seen_other = Some(i);
            }
        }
        let missing: Vec<&str> =
            ["selected", "weight", "role", "severity"].into_iter().filter(|a| t.attr(r, a).is_none()).collect();
        if !missing.is_empty() {
            cx.report(
                "A-26-1",
                r,
                format!(
                    "Rule `{rid}` leaves {} to their defaults; state them explicitly",
                    missing.iter().map(|a| format!("@{a}")).collect::<Vec<_>>().join(", ")
                ),
            );
        }
        for &c in t.all_in(r, X, "check") {
            if t.child(c, X, "check-content-ref").is_none() {
                cx.report("SRC-175-1", c, format!("a check of Rule `{rid}` has no check-content-ref"));
            }
        }
        let checks: Vec<NodeId> = t.children_named(r, X, "check").collect();
        for &c in &checks {
            let sys = t.attr(c, "system").unwrap_or("");
            if sys != NS_OVAL_DEF && sys != "http://scap.nist.gov/schema/ocil/2" {
                cx.report("SRC-118-1", c, format!("Rule `{rid}` uses the checking system `{sys}`; SCAP content may only use OVAL ({NS_OVAL_DEF}) and OCIL (http://scap.nist.gov/schema/ocil/2)"));
            }
            if rid.ends_with("security_patches_up_to_date") && sys != NS_OVAL_DEF {
                cx.report("SRC-169-2", c, format!("the patches up-to-date Rule `{rid}` must check with OVAL only"));
            }
        }
        if !checks.is_empty() && !checks.iter().any(|&c| t.attr(c, "selector").is_none_or(|s| s.is_empty())) {
            cx.report(
                "XCCDF-7",
                r,
                format!(
                    "every check of Rule `{rid}` has a @selector; give one check no selector so that it is the default"
                ),
            );
        }
        if rid.ends_with("security_patches_up_to_date") {
            for &c in &checks {
                let multi = t.attr(c, "multi-check") == Some("true");
                let refs: Vec<NodeId> = t.children_named(c, X, "check-content-ref").collect();
                for &cr in &refs {
                    if multi && t.attr(cr, "name").is_some() {
                        cx.report(
                            "SRC-171-1",
                            cr,
                            format!("the multi-check patches Rule `{rid}` must not name one definition; remove @name"),
                        );
                    }
                    if !multi && t.attr(cr, "name").is_none() {
                        cx.report(
                            "SRC-379-1",
                            cr,
                            format!("the single-check patches Rule `{rid}` must name its patch definition with @name"),
                        );
                    }
                }
            }
        }
    }
    // Identifier formats, wherever they are.
    for &i in t.all_in(b, X, "ident") {
        let sys = t.attr(i, "system").unwrap_or("");
        if sys == SYS_CCE || sys == "CCE" {
            let v = t.text(i).trim().to_owned();
            cce_checks(cx, i, &v);
        }
    }
}

pub fn cce_checks(cx: &mut Cx<'_>, node: NodeId, v: &str) {
    if v.is_empty() {
        cx.report("A-16-1", node, "the CCE identifier is empty; fill in the CCE or remove the element");
    } else if !cce_form(v) {
        cx.report("A-17-1", node, format!("`{v}` is not a CCE: the form is CCE-<digits>-<check digit>"));
    } else if !cce_valid(v) {
        cx.report(
            "A-17-1",
            node,
            format!("the check digit of `{v}` is wrong (CCE uses the Luhn algorithm); check the identifier"),
        );
    }
}

/// XCCDF-1, -2, -5, -6, -8: idrefs inside the Benchmark.
fn references(cx: &mut Cx<'_>, b: NodeId) {
    let t = cx.t;
    let mut kind_of: HashMap<&str, &str> = HashMap::new();
    let mut clusters: HashSet<&str> = HashSet::new();
    for k in ["Profile", "Value", "Group", "Rule", "plain-text"] {
        for &n in t.all_in(b, X, k) {
            let Some(id) = t.attr(n, "id") else { continue };
            if let Some(prev) = kind_of.insert(id, k) {
                let _ = prev;
                cx.report(
                    "XCCDF-2",
                    n,
                    format!("the id `{id}` is used by more than one item in this Benchmark; ids must be unique"),
                );
            }
            if let Some(c) = t.attr(n, "cluster-id") {
                clusters.insert(c);
            }
        }
    }
    let mut platforms: HashSet<&str> = HashSet::new();
    for &p in t.all_in(b, NS_CPE_LANG, "platform") {
        if let Some(id) = t.attr(p, "id") {
            platforms.insert(id);
        }
    }
    let want = |cx: &mut Cx<'_>, n: NodeId, idref: &str, kinds: &[&str], what: &str| {
        let ok = kind_of.get(idref).is_some_and(|k| kinds.contains(k)) || clusters.contains(idref);
        if !ok {
            let found = kind_of.get(idref).map(|k| format!(" (it is a {k})")).unwrap_or_default();
            cx.report(
                "XCCDF-1",
                n,
                format!("{what} `{idref}` names no {} in this Benchmark{found}", kinds.join(" or ")),
            );
        }
    };
    for &p in t.all_in(b, X, "Profile") {
        for c in t.children(p) {
            let Some(idref) = t.attr(c, "idref") else { continue };
            match t.local(c) {
                "select" => want(cx, c, idref, &["Rule", "Group"], "select"),
                "refine-rule" => want(cx, c, idref, &["Rule", "Group"], "refine-rule"),
                "set-value" => want(cx, c, idref, &["Value"], "set-value"),
                "refine-value" => {
                    want(cx, c, idref, &["Value"], "refine-value");
                    if let (Some(sel), Some(&"Value")) = (t.attr(c, "selector"), kind_of.get(idref)) {
                        // XCCDF-5: the selector exists on the Value.
                        let v = t.all_in(b, X, "Value").iter().copied().find(|&v| t.attr(v, "id") == Some(idref));
                        if let Some(v) = v {
                            if !t.children(v).any(|c| t.attr(c, "selector") == Some(sel)) {
                                cx.report("XCCDF-5", c, format!("refine-value selects `{sel}`, but Value `{idref}` has no value with that selector"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for &e in t.all_in(b, X, "check-export") {
        if let Some(v) = t.attr(e, "value-id") {
            want(cx, e, v, &["Value"], "check-export value-id");
        }
    }
    for &s in t.all_in(b, X, "sub") {
        if let Some(v) = t.attr(s, "idref") {
            want(cx, s, v, &["Value", "plain-text"], "sub");
        }
    }
    for k in ["requires", "conflicts"] {
        for &n in t.all_in(b, X, k) {
            for idref in t.attr(n, "idref").unwrap_or("").split_whitespace() {
                want(cx, n, idref, &["Rule", "Group"], k);
            }
        }
    }
    // extends: same kind, no cycle.
    for k in ["Profile", "Value", "Group", "Rule"] {
        let mut ext: HashMap<&str, (&str, NodeId)> = HashMap::new();
        for &n in t.all_in(b, X, k) {
            if let (Some(id), Some(e)) = (t.attr(n, "id"), t.attr(n, "extends")) {
                want(cx, n, e, &[k], "extends");
                ext.insert(id, (e, n));
            }
        }
        let mut reported: HashSet<&str> = HashSet::new();
        let mut keys: Vec<&str> = ext.keys().copied().collect();
        keys.sort();
        for start in keys {
            let mut seen = vec![start];
            let mut cur = start;
            while let Some(&(next, _)) = ext.get(cur) {
                if next == start {
                    if seen.iter().all(|s| !reported.contains(s)) {
                        let node = ext[start].1;
                        seen.push(start);
                        cx.report("XCCDF-6", node, format!("{k} extends itself through {}", seen.join(" → ")));
                    }
                    reported.extend(seen.iter().copied());
                    break;
                }
                if seen.contains(&next) {
                    break;
                }
                seen.push(next);
                cur = next;
            }
        }
    }
    // XCCDF results written by oscap keep the rules' `#id` platforms but
    // drop the platform specification; only source content is held to it.
    let results_doc = !t.all_in(b, X, "TestResult").is_empty();
    for &p in t.all_in(b, X, "platform") {
        let idref = t.attr(p, "idref").unwrap_or("");
        if let Some(id) = idref.strip_prefix('#') {
            if !platforms.contains(id) && !results_doc {
                cx.report("XCCDF-1", p, format!("platform `{idref}` names no cpe-lang:platform in this Benchmark"));
            }
        } else if !(idref.starts_with("cpe:/") || idref.starts_with("cpe:2.3:")) {
            cx.report(
                "XCCDF-8",
                p,
                format!("platform `{idref}` is neither a CPE name (cpe:/ or cpe:2.3:) nor `#` + a CPE-AL platform id"),
            );
        }
    }
}

/// XCCDF-3 and XCCDF-4: Value contents.
fn values(cx: &mut Cx<'_>, b: NodeId) {
    let t = cx.t;
    for &v in t.all_in(b, X, "Value") {
        let vid = t.attr(v, "id").unwrap_or("").to_owned();
        let mut count: HashMap<(&str, &str), u32> = HashMap::new();
        for c in t.children(v) {
            let k = t.local(c);
            if matches!(k, "value" | "default" | "choices" | "lower-bound" | "upper-bound" | "match") {
                let sel = t.attr(c, "selector").unwrap_or("");
                let n = count.entry((k, sel)).or_insert(0);
                *n += 1;
                if *n == 2 {
                    let s =
                        if sel.is_empty() { "without a selector".to_owned() } else { format!("with selector `{sel}`") };
                    cx.report("XCCDF-3", c, format!("Value `{vid}` has more than one {k} {s}"));
                }
            }
        }
        let ty = t.attr(v, "type").unwrap_or("string");
        let bound = |k: &str, sel: &str| -> Option<f64> {
            let pick = t
                .children_named(v, X, k)
                .find(|&c| t.attr(c, "selector").unwrap_or("") == sel)
                .or_else(|| t.children_named(v, X, k).find(|&c| t.attr(c, "selector").is_none()));
            pick.and_then(|c| t.text(c).trim().parse().ok())
        };
        for c in t.children(v) {
            if !matches!(t.local(c), "value" | "default") {
                continue;
            }
            let text = t.text(c).trim();
            let sel = t.attr(c, "selector").unwrap_or("");
            match ty {
                "number" => match text.parse::<f64>() {
                    Err(_) if !text.is_empty() => {
                        cx.report("XCCDF-4", c, format!("Value `{vid}` is a number, but `{text}` is not"))
                    }
                    Ok(x) => {
                        if let Some(lo) = bound("lower-bound", sel) {
                            if x < lo {
                                cx.report("XCCDF-4", c, format!("Value `{vid}`: {x} is below the lower bound {lo}"));
                            }
                        }
                        if let Some(hi) = bound("upper-bound", sel) {
                            if x > hi {
                                cx.report("XCCDF-4", c, format!("Value `{vid}`: {x} is above the upper bound {hi}"));
                            }
                        }
                    }
                    _ => {}
                },
                "boolean" if !matches!(text, "true" | "false" | "1" | "0" | "") => cx.report(
                    "XCCDF-4",
                    c,
                    format!("Value `{vid}` is a boolean, but `{text}` is not (use true, false, 1 or 0)"),
                ),
                _ => {}
            }
        }
    }
}

/// Checks on XCCDF elements wherever they are (also outside Benchmarks).
pub fn everywhere(_cx: &mut Cx<'_>) {}
