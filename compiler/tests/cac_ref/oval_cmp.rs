//! The OVAL comparison shared by the ComplianceAsCode tests (the
//! compiler's `cac_jinja` and the command's `cac_compat`): elements reduced
//! to what is compared, CaC's data stream indexed by OVAL id, and the
//! signature of an element (ids, versions, comments and schema defaults
//! set aside; references shortened to CaC's short ids). Depends on
//! `scapc_xml` only, so that either test crate can include it.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

/// Collapses whitespace runs to one space.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An XML element reduced to what the OVAL comparison looks at.
pub struct X {
    pub local: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<X>,
}

impl X {
    pub fn from_dom(e: &scapc_xml::Element) -> X {
        let text = e
            .children
            .iter()
            .filter_map(|c| match c {
                scapc_xml::Node::Text(t) | scapc_xml::Node::CData(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        X {
            local: e.local_name().to_string(),
            attrs: e.attrs.iter().map(|(k, v)| (k.rsplit(':').next().unwrap().to_string(), v.clone())).collect(),
            text,
            children: e.elements().map(X::from_dom).collect(),
        }
    }

    pub fn from_tree(t: &scapc_xml::tree::Tree, id: scapc_xml::tree::NodeId) -> X {
        let n = t.node(id);
        X {
            local: t.local(id).to_string(),
            attrs: n.attrs.iter().map(|a| (t.name(a.local).to_string(), a.value.clone())).collect(),
            text: n.text.clone(),
            children: t.children(id).map(|c| X::from_tree(t, c)).collect(),
        }
    }

    pub fn attr(&self, k: &str) -> Option<&str> {
        self.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }
}

/// A data stream parsed, with its OVAL elements by id (`oval:ssg-...`).
pub struct OvalIndex {
    pub tree: scapc_xml::tree::Tree,
    pub ids: BTreeMap<String, scapc_xml::tree::NodeId>,
}

impl OvalIndex {
    pub fn from_ds(ds: &str) -> OvalIndex {
        OvalIndex::from_tree(scapc_xml::tree::Tree::parse(ds).expect("the data stream parses"))
    }

    /// Indexes the `oval:ssg-...` ids of a parsed document (of a data
    /// stream: those of the first component that has them).
    pub fn from_tree(tree: scapc_xml::tree::Tree) -> OvalIndex {
        let mut ids = BTreeMap::new();
        for i in 0..tree.nodes.len() as u32 {
            if let Some(id) = tree.attr(i, "id") {
                if id.starts_with("oval:ssg-") {
                    // The first: the check OVAL comes before the CPE OVAL,
                    // which may reuse an id for another element.
                    ids.entry(id.to_string()).or_insert(i);
                }
            }
        }
        OvalIndex { tree, ids }
    }

    pub fn get(&self, id: &str) -> Option<X> {
        self.ids.get(id).map(|&n| X::from_tree(&self.tree, n))
    }
}

/// `oval:ssg-X:kind:N` -> `X` (CaC's OVAL ids of short id X).
pub fn short_oval_id(id: &str) -> &str {
    match id.strip_prefix("oval:ssg-") {
        Some(rest) => rest.rsplitn(3, ':').nth(2).unwrap_or(rest),
        None => id,
    }
}

/// Whether an attribute has the value the OVAL schema gives it when it is
/// left out (CaC's build writes some of these defaults out).
fn is_oval_default(k: &str, v: &str) -> bool {
    matches!(
        (k, v),
        ("operator" | "state_operator", "AND")
            | ("negate" | "mask" | "deprecated", "false")
            | ("check_existence", "at_least_one_exists")
            | ("operation", "equals")
            | ("datatype", "string")
            | ("entity_check" | "var_check", "all")
    )
}

/// One line per element of the subtree (metadata left out): local name,
/// attributes other than ids, versions and comments (references shortened
/// to the short id), and the element's own text, whitespace collapsed.
pub fn oval_signature(e: &X, out: &mut Vec<String>) {
    if e.local == "metadata" {
        return;
    }
    let mut attrs: Vec<String> = e
        .attrs
        .iter()
        .filter(|(k, _)| !(k == "id" || k == "version" || k == "comment" || k.starts_with("xmlns")))
        .filter(|(k, v)| !is_oval_default(k, v))
        .map(|(k, v)| if k.ends_with("_ref") { format!("{k}={}", short_oval_id(v)) } else { format!("{k}={v}") })
        .collect();
    attrs.sort();
    let text = if e.local.ends_with("_ref") || e.local == "object_reference" || e.local == "filter" {
        short_oval_id(e.text.trim()).to_string()
    } else {
        squash(&e.text)
    };
    out.push(format!("{} [{}] {}", e.local, attrs.join(" "), text));
    for c in &e.children {
        oval_signature(c, out);
    }
}

/// CaC's kind code of an OVAL element.
pub fn oval_kind(local: &str) -> &'static str {
    match local {
        "definition" => "def",
        "variable" | "local_variable" | "external_variable" | "constant_variable" => "var",
        l if l.ends_with("_test") => "tst",
        l if l.ends_with("_object") => "obj",
        l if l.ends_with("_state") => "ste",
        _ => "",
    }
}

/// The signature of OVAL definition `def` with everything it reaches
/// (tests, objects, states, variables, extended definitions), one sorted
/// line per element; `None` when the definition is not in `oval`. Ids
/// missing from `oval` appear as `missing <id>`.
pub fn oval_closure_signature(oval: &OvalIndex, def: &str) -> Option<Vec<String>> {
    oval.ids.get(def)?;
    fn refs(e: &X, out: &mut Vec<String>) {
        for (k, v) in &e.attrs {
            if k.ends_with("_ref") {
                out.push(v.clone());
            }
        }
        if e.local.ends_with("_ref") || e.local == "filter" || e.local == "object_reference" {
            out.push(e.text.trim().to_string());
        }
        for c in &e.children {
            refs(c, out);
        }
    }
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut todo = vec![def.to_string()];
    let mut lines = Vec::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        match oval.get(&id) {
            None => lines.push(format!("missing {}", short_oval_id(&id))),
            Some(x) => {
                oval_signature(&x, &mut lines);
                refs(&x, &mut todo);
            }
        }
    }
    lines.sort();
    Some(lines)
}
