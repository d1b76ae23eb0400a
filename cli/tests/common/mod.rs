//! Shared by integration tests: a results document read the way
//! OpenSCAP's test scripts read it (namespaces taken away, counted with
//! XPath).

#![allow(dead_code)]

use std::path::Path;

/// The document with namespaces taken away (element and attribute local
/// names), so that XPath like `//rule-result` reads it as OpenSCAP's
/// scripts read results.
pub fn strip_namespaces(text: &str) -> Result<String, String> {
    use scapc_xml::tree::{NodeId, Tree};
    let t = Tree::parse(text).map_err(|e| format!("{}:{}: {}", e.line, e.col, e.message))?;
    fn write(t: &Tree, n: NodeId, out: &mut String) {
        let node = t.node(n);
        out.push('<');
        out.push_str(t.local(n));
        for a in &node.attrs {
            let name = t.name(a.local);
            if name == "xmlns" {
                continue;
            }
            out.push(' ');
            out.push_str(name);
            out.push_str("=\"");
            out.push_str(&scapc_xml::escape_attr(&a.value));
            out.push('"');
        }
        out.push('>');
        out.push_str(&scapc_xml::escape_text(&node.text));
        for &k in &node.children {
            write(t, k, out);
        }
        out.push_str("</");
        out.push_str(t.local(n));
        out.push('>');
    }
    let mut out = String::with_capacity(text.len());
    write(&t, t.root(), &mut out);
    Ok(out)
}

/// A results document to count XPath matches in.
pub struct Doc(scapc_libxml2::Document);

impl Doc {
    pub fn open(p: &Path) -> Result<Doc, String> {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
        let plain = strip_namespaces(&text)?;
        scapc_libxml2::Document::parse(plain.as_bytes(), "", scapc_libxml2::Limits::Huge)
            .map(Doc)
            .map_err(|e| format!("{e:?}"))
    }
    /// The string value of an XPath expression.
    pub fn text(&self, xpath: &str) -> String {
        match self.0.xpath(&format!("string({xpath})")) {
            Ok(scapc_libxml2::XPathValue::String(s)) => s,
            other => panic!("XPath {xpath}: {other:?}"),
        }
    }
    pub fn count(&self, xpath: &str) -> usize {
        match self.0.xpath(&format!("count({xpath})")) {
            Ok(scapc_libxml2::XPathValue::Number(n)) => n as usize,
            other => panic!("XPath {xpath}: {other:?}"),
        }
    }
    /// `assert_exists N XPATH`: a mismatch is pushed onto `e`.
    pub fn exists(&self, n: usize, xpath: &str, e: &mut Vec<String>) {
        let got = self.count(xpath);
        if got != n {
            e.push(format!("{xpath}: {got}, expected {n}"));
        }
    }
}
