//! A benchmark's inheritance resolved (`scapc resolve`, OpenSCAP's
//! `xccdf resolve`), as XCCDF 1.2 §7.2.3 ("Loading.Resolve") describes it
//! and as oscap does it where the specification leaves a choice:
//!
//! - every Profile, Rule and Value with `extends` takes the properties of
//!   the item it extends (itself resolved first; a loop is an error):
//!   missing attributes (`selected`, `hidden`, `weight`, `severity`,
//!   `role`, `type`, `operator`, ...) and a missing `version` or `check`
//!   are inherited; lists (`platform`, `requires`, `conflicts`, `ident`,
//!   `reference`, `fix`, ...) get the base's entries the item does not
//!   have, before its own; a text (`title`, `description`, ...) in the
//!   same language as the base's and without `override="true"` is the
//!   base's text followed by its own; a text the item lacks is inherited;
//! - a Profile's `select`, `set-value`, `set-complex-value`,
//!   `refine-rule` and `refine-value` are the base's for the items the
//!   profile does not name itself, then its own (so its own win);
//! - a Value's `value`, `default`, `match`, bounds and `choices` are
//!   inherited per selector;
//! - a Group's `extends` is resolved in XCCDF 1.1.4 only (the base's
//!   Values, Groups and Rules are copied in with new ids); XCCDF 1.2
//!   deprecates it, and it is left as written (as oscap leaves it), with a
//!   warning;
//! - `extends` naming an item that does not exist is left as written,
//!   with a warning (oscap is silent; its evaluation ignores it too);
//! - then abstract Profiles, Groups, Rules and Values are removed, and the
//!   Benchmark gets `resolved="1"`.

use super::{NS_XCCDF, NS_XCCDF_11};
use scapc_xml::{Element, Node};
use std::collections::{HashMap, HashSet};

/// The resolved benchmark and the warnings met on the way.
pub struct Resolved {
    pub xml: String,
    pub warnings: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    Profile,
    Group,
    Rule,
    Value,
}

impl Kind {
    fn of(local: &str) -> Option<Kind> {
        Some(match local {
            "Profile" => Kind::Profile,
            "Group" => Kind::Group,
            "Rule" => Kind::Rule,
            "Value" => Kind::Value,
            _ => return None,
        })
    }
    fn word(self) -> &'static str {
        match self {
            Kind::Profile => "profile",
            Kind::Group => "group",
            Kind::Rule => "rule",
            Kind::Value => "value",
        }
    }
}

/// How a child element is combined with the base item's.
#[derive(Clone, Copy, PartialEq)]
enum Merge {
    /// the item's own only
    Own,
    /// the base's when the item has none
    Inherit,
    /// the base's entries the item lacks (by key), then the item's
    Append,
    /// per language: the base's text before the item's unless
    /// `override="true"`; the base's when the item has none in that language
    Text,
    /// keyed by `selector`: the base's for the selectors the item lacks
    Selector,
    /// a Profile's selections, keyed by element class and `idref`
    Selections,
}

use Merge::*;

/// The child elements of each kind in schema order, with their merge. A
/// bucket of several names keeps the items' own interleaving.
fn layout(kind: Kind) -> Vec<(&'static [&'static str], Merge)> {
    let mut v: Vec<(&'static [&'static str], Merge)> = vec![
        (&["status"], Append),
        (&["dc-status"], Append),
        (&["version"], Inherit),
        (&["title"], Text),
        (&["description"], Text),
    ];
    match kind {
        Kind::Profile => {
            v.push((&["reference"], Append));
            v.push((&["platform"], Append));
            v.push((&["select", "set-complex-value", "set-value", "refine-value", "refine-rule"], Selections));
            v.push((&["metadata"], Append));
        }
        _ => {
            v.push((&["warning"], Text));
            v.push((&["question"], Text));
            v.push((&["reference"], Append));
            v.push((&["metadata"], Append));
        }
    }
    match kind {
        Kind::Profile => {}
        Kind::Value => {
            v.push((&["value"], Selector));
            v.push((&["default"], Selector));
            v.push((&["match"], Selector));
            v.push((&["lower-bound"], Selector));
            v.push((&["upper-bound"], Selector));
            v.push((&["choices"], Selector));
            v.push((&["source"], Append));
        }
        Kind::Group | Kind::Rule => {
            v.push((&["rationale"], Text));
            v.push((&["platform"], Append));
            v.push((&["requires"], Append));
            v.push((&["conflicts"], Append));
            if kind == Kind::Group {
                v.push((&["Value"], Own));
                v.push((&["Group", "Rule"], Own));
            } else {
                v.push((&["ident"], Append));
                v.push((&["impact-metric"], Inherit));
                v.push((&["profile-note"], Text));
                v.push((&["fixtext"], Text));
                v.push((&["fix"], Append));
                v.push((&["check", "complex-check"], Inherit));
            }
        }
    }
    v.push((&["signature"], Own));
    v
}

/// Attributes an item takes from its base when it does not set them.
const INHERITED_ATTRS: &[&str] = &[
    "selected",
    "hidden",
    "prohibitChanges",
    "interactive",
    "multiple",
    "weight",
    "role",
    "severity",
    "cluster-id",
    "type",
    "operator",
    "interfaceHint",
    "note-tag",
];

fn get<'a>(root: &'a Element, path: &[usize]) -> &'a Element {
    let mut e = root;
    for &i in path {
        match &e.children[i] {
            Node::Element(c) => e = c,
            _ => unreachable!("an item path names an element"),
        }
    }
    e
}

fn get_mut<'a>(root: &'a mut Element, path: &[usize]) -> &'a mut Element {
    let mut e = root;
    for &i in path {
        match &mut e.children[i] {
            Node::Element(c) => e = c,
            _ => unreachable!("an item path names an element"),
        }
    }
    e
}

struct State<'f> {
    file: &'f str,
    v12: bool,
    items: HashMap<(Kind, String), Vec<usize>>,
    done: HashSet<(Kind, String)>,
    visiting: Vec<(Kind, String)>,
    ids: HashSet<String>,
    next_id: usize,
    warnings: Vec<String>,
}

/// Resolves the XCCDF 1.2 or 1.1.4 benchmark `src` (read from `file`,
/// named in messages).
pub fn resolve(src: &str, file: &str) -> Result<Resolved, String> {
    let tree = scapc_xml::tree::Tree::parse(src).map_err(|e| format!("{file}:{}:{}: {}", e.line, e.col, e.message))?;
    let r = tree.root();
    let v12 = tree.is(r, NS_XCCDF, "Benchmark");
    if !v12 && !tree.is(r, NS_XCCDF_11, "Benchmark") {
        return Err(format!(
            "{file}: not an XCCDF 1.2 or 1.1.4 benchmark (root element `{}` in `{}`); for a data stream, \
             take the benchmark out first with `scapc ds split`",
            tree.local(r),
            tree.ns(r)
        ));
    }
    drop(tree);
    let mut root = scapc_xml::parse(src).map_err(|e| format!("{file}:{e}"))?;
    let mut st = State {
        file,
        v12,
        items: HashMap::new(),
        done: HashSet::new(),
        visiting: Vec::new(),
        ids: HashSet::new(),
        next_id: 1,
        warnings: Vec::new(),
    };
    let mut order = Vec::new();
    collect(&root, &mut Vec::new(), true, &mut st, &mut order);
    for key in &order {
        resolve_item(&mut root, key, &mut st)?;
    }
    remove_abstract(&mut root, true);
    root.set_attr("resolved", "1");
    let mut xml = String::with_capacity(src.len() + 64);
    xml.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    root.write_to(&mut xml);
    xml.push('\n');
    Ok(Resolved { xml, warnings: st.warnings })
}

/// Every Profile (children of the Benchmark), Group, Rule and Value with
/// its path, in document order.
fn collect(e: &Element, path: &mut Vec<usize>, top: bool, st: &mut State, order: &mut Vec<(Kind, String)>) {
    for (i, c) in e.children.iter().enumerate() {
        let Node::Element(c) = c else { continue };
        let Some(kind) = Kind::of(c.local_name()) else { continue };
        if kind == Kind::Profile && !top {
            continue;
        }
        path.push(i);
        if let Some(id) = c.attr("id") {
            st.ids.insert(id.to_owned());
            let key = (kind, id.to_owned());
            if !st.items.contains_key(&key) {
                st.items.insert(key.clone(), path.clone());
                order.push(key);
            }
        }
        if kind == Kind::Group {
            collect(c, path, false, st, order);
        }
        path.pop();
    }
}

fn resolve_item(root: &mut Element, key: &(Kind, String), st: &mut State) -> Result<(), String> {
    if st.done.contains(key) {
        return Ok(());
    }
    let path = st.items[key].clone();
    if let Some(at) = st.visiting.iter().position(|k| k == key) {
        let el = get(root, &path);
        let chain: Vec<&str> = st.visiting[at..].iter().map(|k| k.1.as_str()).collect();
        return Err(format!(
            "{}:{}:{}: {} `{}` extends itself: {} -> {}; remove one `extends` of the loop",
            st.file,
            el.line,
            el.col,
            key.0.word(),
            key.1,
            chain.join(" -> "),
            key.1
        ));
    }
    let el = get(root, &path);
    let Some(base_id) = el.attr("extends").map(str::to_owned) else {
        st.done.insert(key.clone());
        return Ok(());
    };
    let (line, col) = (el.line, el.col);
    let kind = key.0;
    let base_key = (kind, base_id.clone());
    if !st.items.contains_key(&base_key) {
        st.warnings.push(format!(
            "{}:{line}:{col}: {} `{}` extends `{base_id}`, which is not a {} of the benchmark: left unresolved",
            st.file,
            kind.word(),
            key.1,
            kind.word()
        ));
        st.done.insert(key.clone());
        return Ok(());
    }
    if kind == Kind::Group && st.v12 {
        st.warnings.push(format!(
            "{}:{line}:{col}: group `{}` extends `{base_id}`: XCCDF 1.2 deprecates a Group's `extends`; left unresolved",
            st.file, key.1
        ));
        st.done.insert(key.clone());
        return Ok(());
    }
    st.visiting.push(key.clone());
    resolve_item(root, &base_key, st)?;
    if kind == Kind::Group {
        // the base's items are copied resolved
        let base_path = &st.items[&base_key];
        let mut inner = Vec::new();
        let mut p = base_path.clone();
        let mut scratch = shallow(st);
        collect(get(root, base_path), &mut p, false, &mut scratch, &mut inner);
        for k in inner {
            resolve_item(root, &k, st)?;
        }
    }
    st.visiting.pop();
    let base = get(root, &st.items[&base_key]).clone();
    let depth = path.len();
    let copies = if kind == Kind::Group { group_copies(&base, st) } else { Vec::new() };
    let item = get_mut(root, &path);
    merge(item, &base, kind, depth, copies);
    st.done.insert(key.clone());
    Ok(())
}

/// An empty state for collecting the items under one group.
fn shallow<'f>(st: &State<'f>) -> State<'f> {
    State {
        file: st.file,
        v12: st.v12,
        items: HashMap::new(),
        done: HashSet::new(),
        visiting: Vec::new(),
        ids: HashSet::new(),
        next_id: 0,
        warnings: Vec::new(),
    }
}

/// The base group's Values, Groups and Rules, copied with new ids (every
/// item inside a copy too, so that no id appears twice).
fn group_copies(base: &Element, st: &mut State) -> Vec<Element> {
    let mut out = Vec::new();
    for c in base.elements() {
        if !matches!(c.local_name(), "Value" | "Group" | "Rule") {
            continue;
        }
        let mut copy = c.clone();
        copy.walk_mut(&mut |e: &mut Element| {
            if let Some(kind) = Kind::of(e.local_name()) {
                if kind != Kind::Profile && e.attr("id").is_some() {
                    let id = loop {
                        let id = format!("inherited-{}-{}", kind.word(), st.next_id);
                        st.next_id += 1;
                        if st.ids.insert(id.clone()) {
                            break id;
                        }
                    };
                    e.set_attr("id", id);
                }
            }
        });
        out.push(copy);
    }
    out
}

fn is_true(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some("true" | "1"))
}

fn lang(e: &Element) -> &str {
    e.attr("xml:lang").unwrap_or("")
}

/// The key of an entry of an `Append` list: entries with equal keys are
/// the same entry.
fn append_key(e: &Element) -> String {
    match e.local_name() {
        "platform" | "requires" | "conflicts" => e.attr("idref").unwrap_or("").to_owned(),
        "ident" => format!("{}\u{0}{}", e.attr("system").unwrap_or(""), e.text().trim()),
        _ => e.to_xml(),
    }
}

fn selection_class(local: &str) -> &'static str {
    match local {
        "select" => "select",
        "set-value" | "set-complex-value" => "set-value",
        "refine-value" => "refine-value",
        _ => "refine-rule",
    }
}

fn merge(item: &mut Element, base: &Element, kind: Kind, depth: usize, copies: Vec<Element>) {
    for a in INHERITED_ATTRS {
        if item.attr(a).is_none() {
            if let Some(v) = base.attr(a) {
                item.set_attr(a, v);
            }
        }
    }
    item.attrs.retain(|(k, _)| k != "extends");
    let layout = layout(kind);
    let bucket_of = |e: &Element| layout.iter().position(|(names, _)| names.contains(&e.local_name()));
    let old = std::mem::take(&mut item.children);
    let mut own: Vec<Vec<Element>> = vec![Vec::new(); layout.len()];
    let mut other: Vec<Node> = Vec::new();
    let mut comments: Vec<Node> = Vec::new();
    for n in old {
        match n {
            Node::Element(e) => match bucket_of(&e) {
                Some(b) => own[b].push(e),
                None => other.push(Node::Element(e)),
            },
            Node::Comment(_) => comments.push(n),
            _ => {}
        }
    }
    let mut from_base: Vec<Vec<&Element>> = vec![Vec::new(); layout.len()];
    for e in base.elements() {
        if let Some(b) = bucket_of(e) {
            from_base[b].push(e);
        }
    }
    let mut copies = Some(copies);
    let mut out: Vec<Element> = Vec::new();
    for (b, (names, how)) in layout.iter().enumerate() {
        let mine = std::mem::take(&mut own[b]);
        let theirs = &from_base[b];
        match how {
            Own => {
                out.extend(mine);
                if names.contains(&"Value") {
                    let all = copies.take().unwrap_or_default();
                    let (values, rest): (Vec<Element>, Vec<Element>) =
                        all.into_iter().partition(|e| e.local_name() == "Value");
                    out.extend(values);
                    copies = Some(rest);
                } else if names.contains(&"Rule") {
                    out.extend(copies.take().unwrap_or_default());
                }
            }
            Inherit => {
                if mine.is_empty() {
                    out.extend(theirs.iter().map(|e| (*e).clone()));
                } else {
                    out.extend(mine);
                }
            }
            Append => {
                let keys: HashSet<String> = mine.iter().map(append_key).collect();
                out.extend(theirs.iter().filter(|e| !keys.contains(&append_key(e))).map(|e| (*e).clone()));
                out.extend(mine);
            }
            Selections => {
                let key = |e: &Element| (selection_class(e.local_name()), e.attr("idref").unwrap_or("").to_owned());
                let keys: HashSet<_> = mine.iter().map(key).collect();
                out.extend(theirs.iter().filter(|e| !keys.contains(&key(e))).map(|e| (*e).clone()));
                out.extend(mine);
            }
            Selector => {
                let sel = |e: &Element| e.attr("selector").unwrap_or("").to_owned();
                let keys: HashSet<String> = mine.iter().map(sel).collect();
                out.extend(mine);
                out.extend(theirs.iter().filter(|e| !keys.contains(&sel(e))).map(|e| (*e).clone()));
            }
            Text => {
                let langs: HashSet<&str> = mine.iter().map(lang).collect();
                let inherited: Vec<Element> =
                    theirs.iter().filter(|e| !langs.contains(lang(e))).map(|e| (*e).clone()).collect();
                out.extend(inherited);
                for mut e in mine {
                    if !is_true(e.attr("override")) {
                        if let Some(b) = theirs.iter().find(|t| lang(t) == lang(&e)) {
                            let mut children = b.children.clone();
                            children.append(&mut e.children);
                            e.children = children;
                        }
                    }
                    out.push(e);
                }
            }
        }
    }
    let indent = |d: usize| Node::Text(format!("\n{}", "  ".repeat(d)));
    let mut children = Vec::new();
    for n in comments.into_iter().chain(out.into_iter().map(Node::Element)).chain(other) {
        children.push(indent(depth + 1));
        children.push(n);
    }
    if !children.is_empty() {
        children.push(indent(depth));
    }
    item.children = children;
}

/// Removes abstract Profiles, Groups, Rules and Values (and the
/// whitespace before each).
fn remove_abstract(e: &mut Element, top: bool) {
    let mut keep: Vec<Node> = Vec::with_capacity(e.children.len());
    for n in std::mem::take(&mut e.children) {
        if let Node::Element(c) = &n {
            let kind = Kind::of(c.local_name());
            if kind.is_some_and(|k| k != Kind::Profile || top) && is_true(c.attr("abstract")) {
                if matches!(keep.last(), Some(Node::Text(t)) if t.trim().is_empty()) {
                    keep.pop();
                }
                continue;
            }
        }
        keep.push(n);
    }
    e.children = keep;
    for c in e.elements_mut() {
        if c.local_name() == "Group" {
            remove_abstract(c, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_1">
  <status>draft</status>
  <version>1</version>
  <Profile id="xccdf_t_profile_base" abstract="true">
    <title>Base</title>
    <select idref="xccdf_t_rule_a" selected="true"/>
    <set-value idref="xccdf_t_value_v">1</set-value>
  </Profile>
  <Profile id="xccdf_t_profile_p" extends="xccdf_t_profile_base">
    <title xml:lang="en">P</title>
    <select idref="xccdf_t_rule_a" selected="false"/>
  </Profile>
  <Value id="xccdf_t_value_base" type="number" abstract="true">
    <title>base</title>
    <value>1</value>
    <value selector="two">2</value>
  </Value>
  <Value id="xccdf_t_value_v" extends="xccdf_t_value_base">
    <value selector="two">22</value>
  </Value>
  <Rule id="xccdf_t_rule_base" abstract="true" severity="high">
    <title>Base rule: </title>
    <platform idref="cpe:/o:x"/>
    <check system="s"><check-content-ref href="o.xml" name="d"/></check>
  </Rule>
  <Rule id="xccdf_t_rule_a" extends="xccdf_t_rule_base" selected="true">
    <title>a</title>
    <platform idref="cpe:/o:y"/>
  </Rule>
</Benchmark>"#;

    fn elem(root: &Element, local: &str, id: &str) -> Option<Element> {
        let mut found = None;
        root.walk(&mut |e| {
            if found.is_none() && e.local_name() == local && e.attr("id") == Some(id) {
                found = Some(e.clone());
            }
        });
        found
    }

    #[test]
    fn profiles_rules_values() {
        let r = resolve(B, "b.xml").unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let root = scapc_xml::parse(&r.xml).unwrap();
        assert_eq!(root.attr("resolved"), Some("1"));
        assert!(elem(&root, "Profile", "xccdf_t_profile_base").is_none(), "abstract profile kept");
        let p = elem(&root, "Profile", "xccdf_t_profile_p").unwrap();
        assert_eq!(p.attr("extends"), None);
        let names: Vec<String> =
            p.elements().map(|e| format!("{}:{}", e.local_name(), e.attr("selected").unwrap_or(""))).collect();
        assert_eq!(names, ["title:", "title:", "set-value:", "select:false"]);
        let v = elem(&root, "Value", "xccdf_t_value_v").unwrap();
        assert_eq!(v.attr("type"), Some("number"));
        let vals: Vec<String> = v.elements().filter(|e| e.local_name() == "value").map(|e| e.text()).collect();
        assert_eq!(vals, ["22", "1"]);
        let a = elem(&root, "Rule", "xccdf_t_rule_a").unwrap();
        assert_eq!(a.attr("severity"), Some("high"));
        assert_eq!(a.child("title").unwrap().text(), "Base rule: a");
        let plats: Vec<&str> =
            a.elements().filter(|e| e.local_name() == "platform").map(|e| e.attr("idref").unwrap()).collect();
        assert_eq!(plats, ["cpe:/o:x", "cpe:/o:y"]);
        assert!(a.child("check").is_some());
        assert!(elem(&root, "Rule", "xccdf_t_rule_base").is_none());
    }

    #[test]
    fn a_loop_is_an_error_and_a_missing_base_a_warning() {
        let looped = B.replace(
            r#"<Profile id="xccdf_t_profile_base" abstract="true">"#,
            r#"<Profile id="xccdf_t_profile_base" abstract="true" extends="xccdf_t_profile_p">"#,
        );
        let e = resolve(&looped, "b.xml").err().unwrap();
        assert!(e.contains("extends itself") && e.starts_with("b.xml:"), "{e}");
        let missing = B.replace(r#"extends="xccdf_t_rule_base""#, r#"extends="xccdf_t_rule_nope""#);
        let r = resolve(&missing, "b.xml").unwrap();
        assert!(r.warnings.iter().any(|w| w.contains("xccdf_t_rule_nope")), "{:?}", r.warnings);
    }

    #[test]
    fn not_a_benchmark() {
        let e = resolve("<x/>", "x.xml").err().unwrap();
        assert!(e.contains("not an XCCDF"), "{e}");
    }
}
