//! What a document holds, for comparison: its XCCDF rules, groups, values
//! and profiles, each reduced to named fields (text, sets, maps, and check
//! logic as OVAL fingerprints). Works on a data stream, a lone XCCDF
//! benchmark, or an OVAL document (then only checks are compared through
//! the rules that reference them, so a lone OVAL file yields its definitions).

use crate::oval::{OvalIndex, NS_OVAL_DEF};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::{BTreeMap, BTreeSet};

pub const NS_XCCDF12: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const NS_XCCDF11: &str = "http://checklists.nist.gov/xccdf/1.1";
const NS_OVAL_CHECK: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";

/// One field of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Text(String),
    Set(BTreeSet<String>),
    Map(BTreeMap<String, String>),
    /// Check logic: what is shown (the check names), what is compared (the
    /// fingerprint of everything the checks reference), and the OVAL ids
    /// whose logic is rendered as text when the fingerprints differ.
    Logic {
        shown: String,
        key: u64,
        refs: Vec<String>,
    },
}

/// A rule, group, value or profile: its title and fields by name.
#[derive(Debug, Clone)]
pub struct Item {
    pub title: String,
    pub fields: BTreeMap<&'static str, Field>,
}

/// The kinds of items, in report order.
pub const KINDS: [&str; 5] = ["rule", "group", "value", "profile", "oval definition"];

#[derive(Debug, Default)]
pub struct Content {
    /// Items by kind (index into [`KINDS`]), then by id.
    pub items: [BTreeMap<String, Item>; 5],
}

fn is_xccdf(t: &Tree, n: NodeId, local: &str) -> bool {
    t.is(n, NS_XCCDF12, local) || t.is(n, NS_XCCDF11, local)
}

fn all_xccdf(t: &Tree, local: &str) -> Vec<NodeId> {
    let mut v: Vec<NodeId> = t.all(NS_XCCDF12, local).to_vec();
    v.extend_from_slice(t.all(NS_XCCDF11, local));
    v
}

fn kids<'t>(t: &'t Tree, n: NodeId, local: &'t str) -> impl Iterator<Item = NodeId> + 't {
    t.children(n).filter(move |&c| is_xccdf(t, c, local))
}

/// Whitespace collapsed to single spaces.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_words(&mut out, s);
    out
}

/// Appends the words of `s` to `out`, each after a space unless `out` is
/// empty.
fn push_words(out: &mut String, s: &str) {
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// The text of a subtree (markup left out, `sub` and other empty elements
/// shown by their idref), whitespace collapsed.
fn deep_text(t: &Tree, n: NodeId) -> String {
    let mut out = String::new();
    for m in n..t.subtree_end(n) {
        push_words(&mut out, t.text(m));
        if let Some(r) = t.attr(m, "idref") {
            if r.contains(char::is_whitespace) {
                push_words(&mut out, &format!("[{r}]"));
            } else {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push('[');
                out.push_str(r);
                out.push(']');
            }
        }
    }
    out
}

/// `text (label)`, built on `text` (format! sizes its buffer by guess and
/// grows it, which costs more than the rest of reading a reference).
fn labelled(mut text: String, label: &str) -> String {
    text.reserve(label.len() + 3);
    text.push_str(" (");
    text.push_str(label);
    text.push(')');
    text
}

fn first_text(t: &Tree, n: NodeId, local: &str) -> Option<String> {
    kids(t, n, local).next().map(|c| deep_text(t, c))
}

fn put_text(fields: &mut BTreeMap<&'static str, Field>, key: &'static str, v: Option<String>) {
    if let Some(v) = v.filter(|v| !v.is_empty()) {
        fields.insert(key, Field::Text(v));
    }
}

fn put_set(fields: &mut BTreeMap<&'static str, Field>, key: &'static str, v: BTreeSet<String>) {
    if !v.is_empty() {
        fields.insert(key, Field::Set(v));
    }
}

fn put_map(fields: &mut BTreeMap<&'static str, Field>, key: &'static str, v: BTreeMap<String, String>) {
    if !v.is_empty() {
        fields.insert(key, Field::Map(v));
    }
}

/// The id of the nearest enclosing Group or Benchmark.
fn parent_id(t: &Tree, n: NodeId) -> Option<String> {
    let p = t.parent(n)?;
    t.attr(p, "id").map(str::to_owned)
}

/// Reads everything comparable from one parsed document, through its OVAL
/// index (which keeps the fingerprints, and renders the logic of the checks
/// that differ).
pub fn extract(t: &Tree, oval: &mut OvalIndex<'_>) -> Content {
    let mut c = Content::default();
    for r in all_xccdf(t, "Rule") {
        let Some(id) = t.attr(r, "id") else { continue };
        let item = rule(t, r, oval);
        c.items[0].insert(id.to_owned(), item);
    }
    for g in all_xccdf(t, "Group") {
        let Some(id) = t.attr(g, "id") else { continue };
        let mut f = BTreeMap::new();
        put_text(&mut f, "description", first_text(t, g, "description"));
        put_text(&mut f, "parent", parent_id(t, g));
        put_text(&mut f, "selected", t.attr(g, "selected").map(str::to_owned));
        put_set(
            &mut f,
            "platform",
            kids(t, g, "platform").filter_map(|p| t.attr(p, "idref")).map(str::to_owned).collect(),
        );
        c.items[1].insert(id.to_owned(), Item { title: first_text(t, g, "title").unwrap_or_default(), fields: f });
    }
    for v in all_xccdf(t, "Value") {
        let Some(id) = t.attr(v, "id") else { continue };
        let mut f = BTreeMap::new();
        put_text(&mut f, "type", t.attr(v, "type").map(str::to_owned));
        put_text(&mut f, "operator", t.attr(v, "operator").map(str::to_owned));
        put_text(&mut f, "description", first_text(t, v, "description"));
        let values = kids(t, v, "value")
            .map(|x| (t.attr(x, "selector").unwrap_or("(default)").to_owned(), t.text(x).trim().to_owned()))
            .collect();
        put_map(&mut f, "values", values);
        c.items[2].insert(id.to_owned(), Item { title: first_text(t, v, "title").unwrap_or_default(), fields: f });
    }
    for p in all_xccdf(t, "Profile") {
        let Some(id) = t.attr(p, "id") else { continue };
        let mut f = BTreeMap::new();
        put_text(&mut f, "description", first_text(t, p, "description"));
        put_text(&mut f, "extends", t.attr(p, "extends").map(str::to_owned));
        let mut selected = BTreeSet::new();
        let mut unselected = BTreeSet::new();
        for s in kids(t, p, "select") {
            let Some(idref) = t.attr(s, "idref") else { continue };
            if matches!(t.attr(s, "selected"), Some("true" | "1")) {
                selected.insert(idref.to_owned());
            } else {
                unselected.insert(idref.to_owned());
            }
        }
        put_set(&mut f, "selects", selected);
        put_set(&mut f, "unselects", unselected);
        let pairs = |local: &'static str, val: &dyn Fn(NodeId) -> String| -> BTreeMap<String, String> {
            kids(t, p, local).filter_map(|x| Some((t.attr(x, "idref")?.to_owned(), val(x)))).collect()
        };
        put_map(&mut f, "refine-value", pairs("refine-value", &|x| t.attr(x, "selector").unwrap_or("").to_owned()));
        put_map(&mut f, "set-value", pairs("set-value", &|x| t.text(x).trim().to_owned()));
        put_map(
            &mut f,
            "refine-rule",
            pairs("refine-rule", &|x| {
                let mut a: Vec<String> = ["severity", "weight", "role", "selector"]
                    .iter()
                    .filter_map(|k| t.attr(x, k).map(|v| format!("{k}={v}")))
                    .collect();
                a.sort();
                a.join(" ")
            }),
        );
        c.items[3].insert(id.to_owned(), Item { title: first_text(t, p, "title").unwrap_or_default(), fields: f });
    }
    // A lone OVAL document: compare its definitions themselves.
    if c.items[0].is_empty() {
        for &defs in t.all(NS_OVAL_DEF, "definitions") {
            for d in t.children_named(defs, NS_OVAL_DEF, "definition") {
                let Some(id) = t.attr(d, "id") else { continue };
                let title = t
                    .child(d, NS_OVAL_DEF, "metadata")
                    .and_then(|m| t.child(m, NS_OVAL_DEF, "title"))
                    .map(|x| squash(t.text(x)))
                    .unwrap_or_default();
                let mut f = BTreeMap::new();
                let key = oval.fingerprint(id).unwrap_or(0);
                f.insert("check", Field::Logic { shown: id.to_owned(), key, refs: vec![id.to_owned()] });
                c.items[4].insert(id.to_owned(), Item { title, fields: f });
            }
        }
    }
    c
}

fn rule(t: &Tree, r: NodeId, oval: &mut OvalIndex<'_>) -> Item {
    let mut f = BTreeMap::new();
    put_text(&mut f, "severity", Some(t.attr(r, "severity").unwrap_or("unknown").to_owned()));
    put_text(&mut f, "selected", t.attr(r, "selected").map(str::to_owned));
    put_text(&mut f, "description", first_text(t, r, "description"));
    put_text(&mut f, "rationale", first_text(t, r, "rationale"));
    put_text(&mut f, "group", parent_id(t, r));
    put_set(&mut f, "platform", kids(t, r, "platform").filter_map(|p| t.attr(p, "idref")).map(str::to_owned).collect());
    put_set(
        &mut f,
        "idents",
        kids(t, r, "ident").map(|i| labelled(t.text(i).trim().to_owned(), t.attr(i, "system").unwrap_or(""))).collect(),
    );
    put_set(
        &mut f,
        "references",
        kids(t, r, "reference").map(|i| labelled(deep_text(t, i), t.attr(i, "href").unwrap_or(""))).collect(),
    );
    let mut fixes = BTreeMap::new();
    for x in kids(t, r, "fix") {
        let system = t.attr(x, "system").unwrap_or("").to_owned();
        let mut text = String::new();
        for m in x..t.subtree_end(x) {
            text.push_str(t.text(m));
            if m != x {
                if let Some(id) = t.attr(m, "idref") {
                    text.push('[');
                    text.push_str(id);
                    text.push(']');
                }
            }
        }
        let key = if fixes.contains_key(&system) { format!("{system} #{}", fixes.len()) } else { system };
        fixes.insert(key, text.trim().to_owned());
    }
    put_map(&mut f, "fix", fixes);
    // Checks: the systems and names, compared through the OVAL fingerprints.
    let mut shown = Vec::new();
    let mut refs = Vec::new();
    let mut h = crate::hash::Fingerprinter::default();
    let mut any = false;
    let checks = t.all_in(r, NS_XCCDF12, "check").iter().chain(t.all_in(r, NS_XCCDF11, "check"));
    for &chk in checks {
        any = true;
        use std::hash::Hash;
        let system = t.attr(chk, "system").unwrap_or("");
        system.hash(&mut h);
        t.attr(chk, "negate").hash(&mut h);
        let mut exports: Vec<(String, String)> = kids(t, chk, "check-export")
            .map(|e| {
                let var = t.attr(e, "export-name").unwrap_or("");
                let v = match oval.fingerprint(var) {
                    Some(fp) => format!("{fp:x}"),
                    None => var.to_owned(),
                };
                (t.attr(e, "value-id").unwrap_or("").to_owned(), v)
            })
            .collect();
        exports.sort();
        exports.hash(&mut h);
        for cref in kids(t, chk, "check-content-ref") {
            let name = t.attr(cref, "name").unwrap_or("");
            shown.push(if system == NS_OVAL_CHECK {
                name.to_owned()
            } else if system.contains("ocil") {
                format!("ocil:{name}")
            } else {
                format!("{system}:{name}")
            });
            match oval.fingerprint(name) {
                Some(fp) => {
                    fp.hash(&mut h);
                    refs.push(name.to_owned());
                }
                None => name.hash(&mut h),
            }
        }
    }
    if any {
        use std::hash::Hasher;
        f.insert("check", Field::Logic { shown: shown.join(", "), key: h.finish(), refs });
    }
    Item { title: first_text(t, r, "title").unwrap_or_default(), fields: f }
}
