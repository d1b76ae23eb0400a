//! Namespaces, written once for every reader: the bindings in scope while
//! streaming through a document ([`Scopes`], constant time per lookup
//! whatever the depth), and a part of a document made to stand alone with
//! the declarations it inherits ([`with_inherited`]), which `ds split`,
//! validation and evaluation all use.

use std::collections::{BTreeSet, HashMap};

pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// The namespace bindings of the open elements. Each prefix has its own
/// stack of URIs, so resolving a prefix never walks the open elements:
/// reading a document is linear in its size, however deep it nests.
#[derive(Debug, Default, Clone)]
pub struct Scopes {
    /// Prefix ("" for the default namespace) → URIs, innermost last.
    bound: HashMap<String, Vec<String>>,
    /// The declarations of each open element, outermost first.
    frames: Vec<Vec<(String, String)>>,
}

impl Scopes {
    pub fn new() -> Self {
        Self::default()
    }

    /// Opens an element with these declarations `(prefix, uri)`.
    pub fn push(&mut self, decls: Vec<(String, String)>) {
        for (p, u) in &decls {
            self.bound.entry(p.clone()).or_default().push(u.clone());
        }
        self.frames.push(decls);
    }

    /// Closes the innermost open element.
    pub fn pop(&mut self) {
        if let Some(decls) = self.frames.pop() {
            for (p, _) in decls.iter().rev() {
                if let Some(v) = self.bound.get_mut(p) {
                    v.pop();
                }
            }
        }
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.frames.len()
    }

    /// The URI bound to a prefix ("" for the default namespace; `xml` is
    /// always bound). An undeclared default namespace is "".
    pub fn resolve(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(NS_XML);
        }
        match self.bound.get(prefix).and_then(|v| v.last()) {
            Some(u) => Some(u.as_str()),
            None if prefix.is_empty() => Some(""),
            None => None,
        }
    }

    /// Every binding in scope, each prefix once with its innermost URI, in
    /// the order of the declarations that are in force (outermost first).
    /// The declarations of the innermost `skip` open elements are left out.
    pub fn in_scope(&self, skip: usize) -> Vec<(String, String)> {
        let frames = &self.frames[..self.frames.len().saturating_sub(skip)];
        let mut last: HashMap<&str, usize> = HashMap::new();
        let all: Vec<&(String, String)> = frames.iter().flatten().collect();
        for (i, (p, _)) in all.iter().enumerate() {
            last.insert(p.as_str(), i);
        }
        all.iter().enumerate().filter(|(i, (p, _))| last[p.as_str()] == *i).map(|(_, d)| (*d).clone()).collect()
    }
}

/// `body` (one element, from its start tag to its end tag, as written in
/// a larger document) with the namespace declarations it inherits,
/// `in_scope` as [`Scopes::in_scope`] gives them, added to its start tag
/// on the same line, so that it stands alone and keeps its line numbers.
/// Prefixes the element declares itself are not repeated; with
/// `only_used`, prefixes its markup never uses are left out (exclusive
/// canonicalization drops them too). The element's bytes are not
/// otherwise changed.
pub fn with_inherited(body: &str, in_scope: &[(String, String)], only_used: bool) -> String {
    let mut out = String::new();
    with_inherited_into(&mut out, body, in_scope, only_used);
    out
}

/// [`with_inherited`], appended to `out`: a caller that adds text around
/// the element (an XML declaration) makes one copy of it, not two.
pub fn with_inherited_into(out: &mut String, body: &str, in_scope: &[(String, String)], only_used: bool) {
    let (name_end, add) = inherited_declarations(body, in_scope, only_used);
    out.reserve(body.len() + add.len());
    out.push_str(&body[..name_end]);
    out.push_str(&add);
    out.push_str(&body[name_end..]);
}

/// What [`with_inherited`] inserts, and where: the end of the root
/// element's name in `body`, and the declarations (each with a leading
/// space). For a caller that reads the element without copying it.
pub fn inherited_declarations(body: &str, in_scope: &[(String, String)], only_used: bool) -> (usize, String) {
    let (name_end, own) = root_tag(body);
    let used = if only_used { Some(prefixes_in_markup(body)) } else { None };
    let mut add = String::new();
    for (p, u) in in_scope {
        if p == "xml" || own.contains(p) {
            continue;
        }
        if !p.is_empty() && used.as_ref().is_some_and(|used| !used.contains(p.as_str())) {
            continue;
        }
        add.push_str(if p.is_empty() { " xmlns" } else { " xmlns:" });
        add.push_str(p);
        add.push_str("=\"");
        add.push_str(&crate::escape_attr(u));
        add.push('"');
    }
    (name_end, add)
}

/// The end of the root element's name, and the prefixes its start tag
/// declares ("" for the default namespace).
fn root_tag(body: &str) -> (usize, Vec<String>) {
    let name_end = body
        .get(1..)
        .and_then(|b| b.find(|c: char| c.is_whitespace() || c == '/' || c == '>'))
        .map(|i| i + 1)
        .unwrap_or(body.len());
    let mut r = quick_xml::Reader::from_str(body);
    let mut own = Vec::new();
    if let Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e)) = r.read_event() {
        for a in e.attributes().flatten() {
            let k = a.key.as_ref();
            if k == b"xmlns" {
                own.push(String::new());
            } else if let Some(p) = k.strip_prefix(b"xmlns:") {
                own.push(String::from_utf8_lossy(p).into_owned());
            }
        }
    }
    (name_end, own)
}

/// Every namespace prefix used in markup: element and attribute names,
/// and QName-looking attribute values (`xsi:type="ind:x"`). Text, comments
/// and CDATA are skipped. One pass over the bytes.
pub fn prefixes_in_markup(body: &str) -> BTreeSet<&str> {
    let b = body.as_bytes();
    let mut out = BTreeSet::new();
    let mut i = 0;
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') || c >= 0x80;
    // Reads `prefix:` at i, if there is one.
    let prefix_at = |i: usize| -> Option<(usize, usize)> {
        let mut j = i;
        while j < b.len() && name_char(b[j]) {
            j += 1;
        }
        (j > i && j < b.len() && b[j] == b':').then_some((i, j))
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"<!--") {
            i = body[i..].find("-->").map(|k| i + k + 3).unwrap_or(b.len());
            continue;
        }
        if b[i..].starts_with(b"<![CDATA[") {
            i = body[i..].find("]]>").map(|k| i + k + 3).unwrap_or(b.len());
            continue;
        }
        if b[i..].starts_with(b"<?") || b[i..].starts_with(b"<!") {
            i = body[i..].find('>').map(|k| i + k + 1).unwrap_or(b.len());
            continue;
        }
        // A tag: scan to its end, minding quotes.
        i += 1;
        if i < b.len() && b[i] == b'/' {
            i += 1;
        }
        let mut token_start = true;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) if c == q => {
                    quote = None;
                    token_start = false;
                }
                Some(_) => {}
                None if c == b'>' => break,
                None if c == b'"' || c == b'\'' => {
                    quote = Some(c);
                    if let Some((s0, e0)) = prefix_at(i + 1) {
                        out.insert(&body[s0..e0]);
                    }
                }
                None if c.is_ascii_whitespace() || c == b'/' => token_start = true,
                None if token_start => {
                    if let Some((s0, e0)) = prefix_at(i) {
                        out.insert(&body[s0..e0]);
                    }
                    token_start = false;
                }
                None => {}
            }
            i += 1;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(p: &str, u: &str) -> (String, String) {
        (p.to_owned(), u.to_owned())
    }

    #[test]
    fn scopes_resolve_and_unwind() {
        let mut s = Scopes::new();
        s.push(vec![d("a", "urn:a"), d("", "urn:d")]);
        s.push(vec![d("a", "urn:a2")]);
        assert_eq!(s.resolve("a"), Some("urn:a2"));
        assert_eq!(s.resolve(""), Some("urn:d"));
        assert_eq!(s.resolve("xml"), Some(NS_XML));
        assert_eq!(s.resolve("b"), None);
        assert_eq!(s.in_scope(0), vec![d("", "urn:d"), d("a", "urn:a2")]);
        assert_eq!(s.in_scope(1), vec![d("a", "urn:a"), d("", "urn:d")]);
        s.pop();
        assert_eq!(s.resolve("a"), Some("urn:a"));
        s.pop();
        assert_eq!(s.resolve("a"), None);
        assert_eq!(s.resolve(""), Some(""));
        assert_eq!(s.depth(), 0);
    }

    #[test]
    fn inherited_declarations_are_added_once() {
        let ns = vec![d("", "urn:d"), d("x", "urn:x"), d("y", "urn:y"), d("z", "urn:\"z")];
        let out = with_inherited("<x:a xmlns:y=\"urn:own\">\n<b/></x:a>", &ns, false);
        assert_eq!(
            out,
            "<x:a xmlns=\"urn:d\" xmlns:x=\"urn:x\" xmlns:z=\"urn:&quot;z\" xmlns:y=\"urn:own\">\n<b/></x:a>"
        );
        let out = with_inherited("<x:a attr='1>2'><x:b/></x:a>", &ns, true);
        assert_eq!(out, "<x:a xmlns=\"urn:d\" xmlns:x=\"urn:x\" attr='1>2'><x:b/></x:a>");
        assert_eq!(with_inherited("<o/>", &ns[..1], true), "<o xmlns=\"urn:d\"/>");
    }

    #[test]
    fn prefixes_in_markup_skip_text() {
        let u = prefixes_in_markup(r#"<a:r b:x="1" xsi:type='ind:t'>ids: c:d <!-- e:f --><![CDATA[g:h]]><k:z/></a:r>"#);
        assert_eq!(u.into_iter().collect::<Vec<_>>(), vec!["a", "b", "ind", "k", "xsi"]);
    }
}
