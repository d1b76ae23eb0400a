//! Components read into the small DOM with their names made canonical:
//! every element and attribute carries a fixed prefix for the namespaces
//! decompile knows (`xccdf:`, `html:`, `ind:`, ...; OVAL definitions are
//! unprefixed), whatever prefixes the data stream used, and `xmlns`
//! attributes are gone. Other namespaces keep their prefix (renamed when
//! it clashes) and are remembered so that OVAL can declare them again.

use scapc_xml::{Element, Node};
use std::collections::{BTreeMap, HashMap};

pub const XCCDF12: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
pub const OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const OCIL: &str = "http://scap.nist.gov/schema/ocil/2.0";
pub const CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";

/// Namespace → the prefix decompile gives it.
const KNOWN: &[(&str, &str)] = &[
    (XCCDF12, "xccdf"),
    (XHTML, "html"),
    (OVAL_DEF, ""),
    ("http://oval.mitre.org/XMLSchema/oval-common-5", "oval"),
    ("http://oval.mitre.org/XMLSchema/oval-definitions-5#independent", "ind"),
    ("http://oval.mitre.org/XMLSchema/oval-definitions-5#unix", "unix"),
    ("http://oval.mitre.org/XMLSchema/oval-definitions-5#linux", "linux"),
    (CPE_DICT, "cpe-dict"),
    ("http://cpe.mitre.org/language/2.0", "cpe-lang"),
    (OCIL, "ocil"),
    ("http://www.w3.org/2001/XMLSchema-instance", "xsi"),
    ("http://www.w3.org/XML/1998/namespace", "xml"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
];

/// Prefixes given to namespaces decompile does not know (prefix → URI).
#[derive(Debug, Default)]
pub struct Extra {
    pub prefixes: BTreeMap<String, String>,
    by_uri: HashMap<String, String>,
}

impl Extra {
    fn prefix_for(&mut self, original: &str, uri: &str) -> String {
        if let Some((_, p)) = KNOWN.iter().find(|(u, _)| *u == uri) {
            return (*p).to_owned();
        }
        if let Some(p) = self.by_uri.get(uri) {
            return p.clone();
        }
        let taken = |p: &str| KNOWN.iter().any(|(_, k)| *k == p) || self.prefixes.contains_key(p);
        let mut p = if original.is_empty() { "ns1".to_owned() } else { original.to_owned() };
        let mut n = 1;
        while taken(&p) {
            n += 1;
            p = format!("ns{n}");
        }
        self.prefixes.insert(p.clone(), uri.to_owned());
        self.by_uri.insert(uri.to_owned(), p.clone());
        p
    }
}

/// Parses a component (its bytes made to stand alone with the namespaces
/// it inherits) and makes its names canonical.
pub fn parse(text: &str, extra: &mut Extra) -> Result<Element, scapc_xml::ParseError> {
    let mut root = scapc_xml::parse(text)?;
    let mut scopes: Vec<(String, String)> = Vec::new();
    canon(&mut root, &mut scopes, extra);
    Ok(root)
}

fn resolve<'a>(scopes: &'a [(String, String)], prefix: &str) -> Option<&'a str> {
    scopes.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
}

fn canon(el: &mut Element, scopes: &mut Vec<(String, String)>, extra: &mut Extra) {
    let mark = scopes.len();
    for (k, v) in &el.attrs {
        if k == "xmlns" {
            scopes.push((String::new(), v.clone()));
        } else if let Some(p) = k.strip_prefix("xmlns:") {
            scopes.push((p.to_owned(), v.clone()));
        }
    }
    el.attrs.retain(|(k, _)| k != "xmlns" && !k.starts_with("xmlns:"));
    let (prefix, local) = match el.name.split_once(':') {
        Some((p, l)) => (p.to_owned(), l.to_owned()),
        None => (String::new(), el.name.clone()),
    };
    el.name = match resolve(scopes, &prefix) {
        Some(uri) if !uri.is_empty() => qualify(&extra.prefix_for(&prefix, uri), &local),
        _ => local,
    };
    for (k, _) in el.attrs.iter_mut() {
        if let Some((p, l)) = k.split_once(':') {
            let uri = if p == "xml" { Some("http://www.w3.org/XML/1998/namespace") } else { resolve(scopes, p) };
            if let Some(uri) = uri {
                *k = qualify(&extra.prefix_for(p, uri), l);
            }
        }
    }
    for c in el.children.iter_mut() {
        if let Node::Element(e) = c {
            canon(e, scopes, extra);
        }
    }
    scopes.truncate(mark);
}

fn qualify(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}

/// The element children of `el` named `name` (canonical).
pub fn kids<'a>(el: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
    el.elements().filter(move |e| e.name == name)
}

/// The first element child named `name`.
pub fn kid<'a>(el: &'a Element, name: &str) -> Option<&'a Element> {
    el.elements().find(|e| e.name == name)
}

/// The text of the first child named `name`, trimmed.
pub fn kid_text(el: &Element, name: &str) -> Option<String> {
    kid(el, name).map(|e| e.text().trim().to_owned())
}

/// The namespace URI of a canonical prefix (known or extra).
pub fn uri_of<'a>(prefix: &str, extra: &'a Extra) -> Option<&'a str> {
    KNOWN.iter().find(|(_, p)| *p == prefix).map(|(u, _)| *u).or_else(|| extra.prefixes.get(prefix).map(String::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_become_canonical() {
        let mut x = Extra::default();
        let src = r#"<b:Benchmark xmlns:b="http://checklists.nist.gov/xccdf/1.2" xmlns:h="http://www.w3.org/1999/xhtml" xmlns:w="urn:w"><b:description>a <h:tt>b</h:tt></b:description><w:x w:y="1"/></b:Benchmark>"#;
        let r = parse(src, &mut x).unwrap();
        assert_eq!(r.name, "xccdf:Benchmark");
        let d = kid(&r, "xccdf:description").unwrap();
        assert_eq!(d.elements().next().unwrap().name, "html:tt");
        let w = kid(&r, "w:x").unwrap();
        assert_eq!(w.attrs[0].0, "w:y");
        assert_eq!(uri_of("w", &x), Some("urn:w"));
    }
}
