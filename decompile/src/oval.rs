//! OVAL back into `<def-group>` fragments: a definition and everything it
//! reaches (extended definitions, tests, objects, states, variables),
//! with ids turned into the short names the compiler numbers again.
//!
//! Short names are global per OVAL document, so an item shared by several
//! rules is written identically into each rule's fragment (the compiler
//! accepts a short id defined twice with the same content). A rule's own
//! definition is named after the rule, an external variable after the
//! Value the rule exports to it.

use crate::doc::{uri_of, Extra};
use scapc_xml::{escape_attr, escape_text, Element, Node};
use std::collections::{BTreeSet, HashMap, HashSet};

/// An OVAL item kind, as the compiler classifies element names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Def,
    Tst,
    Obj,
    Ste,
    Var,
}

pub fn classify(local: &str) -> Option<Kind> {
    Some(match local {
        "definition" => Kind::Def,
        "external_variable" | "constant_variable" | "local_variable" => Kind::Var,
        l if l.ends_with("_test") => Kind::Tst,
        l if l.ends_with("_object") => Kind::Obj,
        l if l.ends_with("_state") => Kind::Ste,
        _ => return None,
    })
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

fn ref_attr(attr: &str) -> bool {
    matches!(attr, "definition_ref" | "test_ref" | "object_ref" | "state_ref" | "var_ref")
}

fn ref_text(local_name: &str) -> bool {
    matches!(local_name, "filter" | "object_reference" | "var_ref")
}

/// One OVAL definitions document, indexed by id, with its short names.
pub struct OvalDoc {
    items: HashMap<String, Element>,
    names: HashMap<String, String>,
    taken: HashSet<(Kind, String)>,
}

impl OvalDoc {
    /// Indexes the items of an `oval_definitions` element.
    pub fn new(root: &Element) -> OvalDoc {
        let mut items = HashMap::new();
        for section in root.elements() {
            for item in section.elements() {
                if classify(local(&item.name)).is_some() {
                    if let Some(id) = item.attr("id") {
                        items.insert(id.to_owned(), item.clone());
                    }
                }
            }
        }
        OvalDoc { items, names: HashMap::new(), taken: HashSet::new() }
    }

    pub fn has(&self, id: &str) -> bool {
        self.items.contains_key(id)
    }

    fn kind(&self, id: &str) -> Option<Kind> {
        self.items.get(id).and_then(|e| classify(local(&e.name)))
    }

    /// Gives `id` the short name `name` if both are still free; true when
    /// `id` is now called `name`.
    pub fn claim(&mut self, id: &str, name: &str) -> bool {
        if let Some(n) = self.names.get(id) {
            return n == name;
        }
        let Some(kind) = self.kind(id) else { return false };
        if !self.taken.insert((kind, name.to_owned())) {
            return false;
        }
        self.names.insert(id.to_owned(), name.to_owned());
        true
    }

    /// Reserves a short name (a rule id) so that no other item takes it.
    pub fn reserve(&mut self, kind: Kind, name: &str) {
        self.taken.insert((kind, name.to_owned()));
    }

    /// The short name of an id, made on first use from the id itself.
    fn name(&mut self, id: &str) -> String {
        if let Some(n) = self.names.get(id) {
            return n.clone();
        }
        let kind = self.kind(id).unwrap_or(Kind::Def);
        let base = base_name(id);
        let mut name = base.clone();
        let mut n = 1;
        while self.taken.contains(&(kind, name.clone())) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.taken.insert((kind, name.clone()));
        self.names.insert(id.to_owned(), name.clone());
        name
    }

    /// Every id `root` reaches, `root` first, then by kind in the order
    /// found. Ids defined nowhere are returned in `missing`.
    pub fn reach(&self, root: &str, missing: &mut BTreeSet<String>) -> Vec<String> {
        let mut seen: HashSet<String> = HashSet::new();
        let mut order = Vec::new();
        let mut stack = vec![root.to_owned()];
        while let Some(id) = stack.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(el) = self.items.get(&id) else {
                missing.insert(id);
                continue;
            };
            order.push(id);
            let mut found = Vec::new();
            refs(el, &mut found);
            for r in found.into_iter().rev() {
                if !seen.contains(&r) {
                    stack.push(r);
                }
            }
        }
        let first = order.remove(0);
        order.sort_by_key(|id| self.kind(id));
        order.insert(0, first);
        order
    }

    /// The `<def-group>` fragment of `root` and what it reaches, with
    /// `root` itself named `root_name`.
    pub fn fragment(&mut self, root: &str, root_name: &str, extra: &Extra, missing: &mut BTreeSet<String>) -> String {
        let ids = self.reach(root, missing);
        let mut out = String::from("<def-group>\n");
        for id in &ids {
            let name = if id == root { root_name.to_owned() } else { self.name(id) };
            let mut el = self.items[id].clone();
            self.rename(&mut el);
            // OVAL 5.11 requires a test's comment; fill it where missing.
            if classify(local(&el.name)) == Some(Kind::Tst) && el.attr("comment").is_none() {
                el.set_attr("comment", name.clone());
            }
            el.set_attr("id", name);
            out.push_str("  ");
            write_item(&el, extra, &mut out);
            out.push('\n');
        }
        out.push_str("</def-group>\n");
        out
    }

    fn rename(&mut self, el: &mut Element) {
        let attrs: Vec<(usize, String)> =
            el.attrs.iter().enumerate().filter(|(_, (k, _))| ref_attr(k)).map(|(i, (_, v))| (i, v.clone())).collect();
        for (i, v) in attrs {
            if self.items.contains_key(&v) {
                el.attrs[i].1 = self.name(&v);
            }
        }
        if ref_text(local(&el.name)) {
            let t = el.text().trim().to_owned();
            if self.items.contains_key(&t) {
                let n = self.name(&t);
                el.set_text(n);
            }
            return;
        }
        for c in el.children.iter_mut() {
            if let Node::Element(e) = c {
                self.rename(e);
            }
        }
    }
}

fn refs(el: &Element, out: &mut Vec<String>) {
    for (k, v) in &el.attrs {
        if ref_attr(k) {
            out.push(v.clone());
        }
    }
    if ref_text(local(&el.name)) {
        out.push(el.text().trim().to_owned());
    }
    for e in el.elements() {
        refs(e, out);
    }
}

/// A short name from an OVAL id: CaC's `oval:ssg-<name>:<kind>:1` gives
/// `<name>` back; other ids keep their namespace and number.
pub fn base_name(id: &str) -> String {
    let parts: Vec<&str> = id.split(':').collect();
    let raw = match parts.as_slice() {
        ["oval", ns, _, n] => match ns.strip_prefix("ssg-") {
            Some(name) if *n == "1" => name.to_owned(),
            Some(name) => format!("{name}_{n}"),
            None => format!("{ns}_{n}"),
        },
        _ => id.to_owned(),
    };
    let s: String =
        raw.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') { c } else { '_' }).collect();
    if s.is_empty() {
        "item".to_owned()
    } else {
        s
    }
}

/// Writes one item; prefixes other than the ones every OVAL document of
/// the compiler declares are declared on the item.
fn write_item(el: &Element, extra: &Extra, out: &mut String) {
    let mut used = BTreeSet::new();
    prefixes(el, &mut used);
    let mut decls = String::new();
    for p in used {
        if matches!(p.as_str(), "oval" | "ind" | "unix" | "linux" | "xsi" | "xml") {
            continue;
        }
        if let Some(uri) = uri_of(&p, extra) {
            decls.push_str(&format!(" xmlns:{p}=\"{}\"", escape_attr(uri)));
        }
    }
    write_el(el, &decls, out);
}

fn prefixes(el: &Element, out: &mut BTreeSet<String>) {
    if let Some((p, _)) = el.name.split_once(':') {
        out.insert(p.to_owned());
    }
    for (k, _) in &el.attrs {
        if let Some((p, _)) = k.split_once(':') {
            out.insert(p.to_owned());
        }
    }
    for e in el.elements() {
        prefixes(e, out);
    }
}

fn write_el(el: &Element, decls: &str, out: &mut String) {
    out.push('<');
    out.push_str(&el.name);
    out.push_str(decls);
    for (k, v) in &el.attrs {
        out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
    }
    if el.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &el.children {
        match c {
            Node::Text(t) | Node::CData(t) => out.push_str(&escape_text(t)),
            Node::Element(e) => write_el(e, "", out),
            Node::Comment(_) => {}
        }
    }
    out.push_str(&format!("</{}>", el.name));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_ids() {
        assert_eq!(base_name("oval:ssg-test_x:tst:1"), "test_x");
        assert_eq!(base_name("oval:ssg-test_x:tst:2"), "test_x_2");
        assert_eq!(base_name("oval:com.example:def:42"), "com.example_42");
    }

    #[test]
    fn fragment_reaches_and_renames() {
        let src = r#"<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent"><definitions><definition id="oval:x:def:1" class="compliance" version="1"><criteria><criterion test_ref="oval:x:tst:1"/></criteria></definition></definitions><tests><ind:textfilecontent54_test id="oval:x:tst:1" check="all" version="1"><ind:object object_ref="oval:x:obj:1"/></ind:textfilecontent54_test></tests><objects><ind:textfilecontent54_object id="oval:x:obj:1" version="1"><ind:filepath>/a</ind:filepath></ind:textfilecontent54_object></objects></oval_definitions>"#;
        let mut extra = Extra::default();
        let root = crate::doc::parse(src, &mut extra).unwrap();
        let mut d = OvalDoc::new(&root);
        let mut missing = BTreeSet::new();
        let f = d.fragment("oval:x:def:1", "my_rule", &extra, &mut missing);
        assert!(missing.is_empty());
        assert!(f.contains(r#"<definition id="my_rule""#), "{f}");
        assert!(f.contains(r#"test_ref="x_1""#), "{f}");
        assert!(f.contains(r#"<ind:textfilecontent54_object id="x_1""#), "{f}");
    }
}
