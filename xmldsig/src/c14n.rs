//! Canonical XML 1.1 (W3C, without comments) of one element and its
//! subtree, taken as a slice of a larger document.
//!
//! The caller passes the namespace declarations in scope from the
//! element's ancestors; inclusive canonicalization renders all of them on
//! the apex element. Output goes to a sink (a hasher or a buffer) in chunks,
//! so a 20 MB component is never copied whole.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;

/// Where canonical bytes go.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for ring::digest::Context {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Writes `s`, replacing each byte that `rep` maps.
fn escaped(s: &str, out: &mut dyn Sink, rep: impl Fn(u8) -> Option<&'static [u8]>) {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if let Some(r) = rep(b) {
            out.put(&s.as_bytes()[start..i]);
            out.put(r);
            start = i + 1;
        }
    }
    out.put(&s.as_bytes()[start..]);
}

/// Text nodes: `&`, `<`, `>` and CR are escaped.
fn text_escaped(s: &str, out: &mut dyn Sink) {
    escaped(s, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'>' => Some(b"&gt;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

/// Attribute values: `&`, `<`, `"`, TAB, LF and CR are escaped.
fn attr_escaped(s: &str, out: &mut dyn Sink) {
    escaped(s, out, |b| match b {
        b'&' => Some(b"&amp;"),
        b'<' => Some(b"&lt;"),
        b'"' => Some(b"&quot;"),
        b'\t' => Some(b"&#x9;"),
        b'\n' => Some(b"&#xA;"),
        b'\r' => Some(b"&#xD;"),
        _ => None,
    })
}

/// Line-end normalization an XML parser applies to text.
fn normalize_newlines(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Attribute-value normalization (no DTD: every attribute is CDATA):
/// literal whitespace becomes spaces, then references are expanded.
fn normalize_attr(raw: &str) -> Result<String, String> {
    let nl = normalize_newlines(raw);
    let spaced: String = nl.chars().map(|c| if c == '\t' || c == '\n' { ' ' } else { c }).collect();
    quick_xml::escape::unescape(&spaced).map(|c| c.into_owned()).map_err(|e| format!("bad attribute value: {e}"))
}

fn resolve_ref(name: &str) -> Option<String> {
    Some(
        match name {
            "amp" => "&".into(),
            "lt" => "<".into(),
            "gt" => ">".into(),
            "quot" => "\"".into(),
            "apos" => "'".into(),
            _ => {
                let n = name.strip_prefix('#')?;
                let code = match n.strip_prefix('x') {
                    Some(h) => u32::from_str_radix(h, 16).ok()?,
                    None => n.parse().ok()?,
                };
                char::from_u32(code)?.to_string()
            }
        },
    )
}

/// Canonicalizes the element that `xml` holds (exactly one element, with
/// its subtree). `inherited` are the namespace declarations in scope from
/// its ancestors, outermost first (later entries override earlier ones).
pub fn canonicalize(xml: &str, inherited: &[(String, String)], out: &mut dyn Sink) -> Result<(), String> {
    let mut r = Reader::from_str(xml);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = true;
    let mut base: BTreeMap<String, String> = BTreeMap::new();
    for (p, u) in inherited {
        base.insert(p.clone(), u.clone());
    }
    // In-scope namespaces of each open element (what its children inherit).
    let mut scopes: Vec<BTreeMap<String, String>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut seen_root = false;
    loop {
        let ev = r.read_event().map_err(|e| format!("not well-formed XML at byte {}: {e}", r.error_position()))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if scopes.is_empty() {
                    if seen_root {
                        return Err("more than one element to canonicalize".into());
                    }
                    seen_root = true;
                }
                let parent = scopes.last().unwrap_or(&base);
                let mut scope = parent.clone();
                let mut plain: Vec<(String, String)> = Vec::new();
                for a in e.attributes().with_checks(true) {
                    let a = a.map_err(|x| format!("bad attribute: {x}"))?;
                    let key = std::str::from_utf8(a.key.as_ref()).map_err(|_| "attribute name is not UTF-8")?.to_owned();
                    let raw = std::str::from_utf8(a.value.as_ref()).map_err(|_| "attribute value is not UTF-8")?;
                    let val = normalize_attr(raw)?;
                    if key == "xmlns" {
                        scope.insert(String::new(), val);
                    } else if let Some(p) = key.strip_prefix("xmlns:") {
                        scope.insert(p.to_owned(), val);
                    } else {
                        plain.push((key, val));
                    }
                }
                let apex = scopes.is_empty();
                // Namespace nodes to render: all in scope on the apex;
                // elsewhere, those that differ from the parent's.
                let mut ns_out: Vec<(&str, &str)> = Vec::new();
                for (p, u) in &scope {
                    if p == "xml" {
                        continue;
                    }
                    let differs = apex || parent.get(p) != Some(u);
                    if p.is_empty() {
                        let parent_default = parent.get("").map(String::as_str).unwrap_or("");
                        if (apex && !u.is_empty()) || (!apex && u != parent_default) {
                            ns_out.push((p, u));
                        }
                    } else if differs && !u.is_empty() {
                        ns_out.push((p, u));
                    }
                }
                if !apex && !scope.contains_key("") && parent.get("").is_some_and(|d| !d.is_empty()) {
                    ns_out.push(("", ""));
                }
                ns_out.sort();
                // Attributes sorted by (namespace URI, local name).
                let mut attrs: Vec<(String, String, &str, &str)> = Vec::new();
                for (k, v) in &plain {
                    let (uri, local) = match k.split_once(':') {
                        Some(("xml", l)) => ("http://www.w3.org/XML/1998/namespace".to_owned(), l.to_owned()),
                        Some((p, l)) => (scope.get(p).cloned().ok_or_else(|| format!("undeclared prefix `{p}`"))?, l.to_owned()),
                        None => (String::new(), k.clone()),
                    };
                    attrs.push((uri, local, k, v));
                }
                attrs.sort();
                let name = std::str::from_utf8(e.name().as_ref()).map_err(|_| "element name is not UTF-8")?.to_owned();
                out.put(b"<");
                out.put(name.as_bytes());
                for (p, u) in ns_out {
                    if p.is_empty() {
                        out.put(b" xmlns=\"");
                    } else {
                        out.put(b" xmlns:");
                        out.put(p.as_bytes());
                        out.put(b"=\"");
                    }
                    attr_escaped(u, out);
                    out.put(b"\"");
                }
                for (_, _, k, v) in attrs {
                    out.put(b" ");
                    out.put(k.as_bytes());
                    out.put(b"=\"");
                    attr_escaped(v, out);
                    out.put(b"\"");
                }
                out.put(b">");
                if matches!(ev, Event::Empty(_)) {
                    out.put(b"</");
                    out.put(name.as_bytes());
                    out.put(b">");
                } else {
                    scopes.push(scope);
                    names.push(name);
                }
            }
            Event::End(_) => {
                let name = names.pop().ok_or("unexpected end tag")?;
                scopes.pop();
                out.put(b"</");
                out.put(name.as_bytes());
                out.put(b">");
            }
            Event::Text(t) => {
                if !scopes.is_empty() {
                    let s = std::str::from_utf8(t.as_ref()).map_err(|_| "text is not UTF-8")?;
                    text_escaped(&normalize_newlines(s), out);
                }
            }
            Event::GeneralRef(g) => {
                let name = std::str::from_utf8(g.as_ref()).map_err(|_| "reference is not UTF-8")?;
                let v = resolve_ref(name).ok_or_else(|| format!("undefined entity `&{name};`"))?;
                text_escaped(&v, out);
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(t.as_ref()).map_err(|_| "CDATA is not UTF-8")?;
                text_escaped(&normalize_newlines(s), out);
            }
            Event::PI(p) => {
                if !scopes.is_empty() {
                    out.put(b"<?");
                    out.put(normalize_newlines(std::str::from_utf8(p.as_ref()).unwrap_or("")).as_bytes());
                    out.put(b"?>");
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::DocType(_) => {}
            Event::Eof => break,
        }
        if seen_root && scopes.is_empty() {
            break;
        }
    }
    if !scopes.is_empty() {
        return Err("the element is not closed".into());
    }
    Ok(())
}

/// Canonical bytes, for tests and small inputs.
pub fn to_vec(xml: &str, inherited: &[(String, String)]) -> Result<Vec<u8>, String> {
    let mut v = Vec::new();
    canonicalize(xml, inherited, &mut v)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(xml: &str, inh: &[(&str, &str)]) -> String {
        let inh: Vec<(String, String)> = inh.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        String::from_utf8(to_vec(xml, &inh).unwrap()).unwrap()
    }

    #[test]
    fn attributes_sorted_empty_elements_expanded() {
        assert_eq!(
            c(r#"<e b="2"   a='1' xmlns:z="urn:z" z:c="3"><f/></e>"#, &[]),
            r#"<e xmlns:z="urn:z" a="1" b="2" z:c="3"><f></f></e>"#
        );
    }

    #[test]
    fn sort_by_namespace_uri_not_prefix() {
        // W3C C14N example: attributes ordered by namespace URI, then name.
        assert_eq!(
            c(r#"<e xmlns:b="http://www.ietf.org" xmlns:a="http://www.w3.org" a:attr="o" b:attr="s" attr2="x" attr="y"/>"#, &[]),
            r#"<e xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="y" attr2="x" b:attr="s" a:attr="o"></e>"#
        );
    }

    #[test]
    fn inherited_namespaces_on_apex_only() {
        assert_eq!(
            c(r#"<ds:x id="1"><ds:y/><z xmlns="urn:d"/></ds:x>"#, &[("ds", "urn:ds"), ("xlink", "urn:xl")]),
            r#"<ds:x xmlns:ds="urn:ds" xmlns:xlink="urn:xl" id="1"><ds:y></ds:y><z xmlns="urn:d"></z></ds:x>"#
        );
    }

    #[test]
    fn escaping_and_references() {
        assert_eq!(
            c("<a t=\"x&#9;y\n z\">1 &lt; 2 &amp;&amp; 3 &gt; 2 &#xD;<![CDATA[<b>]]><!-- gone --></a>", &[]),
            "<a t=\"x&#x9;y  z\">1 &lt; 2 &amp;&amp; 3 &gt; 2 &#xD;&lt;b&gt;</a>"
        );
        assert_eq!(c("<a q='say \"hi\"'>\r\nline</a>", &[]), "<a q=\"say &quot;hi&quot;\">\nline</a>");
    }

    #[test]
    fn default_namespace_undeclared_in_child() {
        assert_eq!(c(r#"<a xmlns="urn:a"><b xmlns=""/></a>"#, &[]), r#"<a xmlns="urn:a"><b xmlns=""></b></a>"#);
        assert_eq!(c(r#"<a><b xmlns=""/></a>"#, &[]), r#"<a><b></b></a>"#);
    }

    #[test]
    fn redundant_declarations_dropped() {
        assert_eq!(c(r#"<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:p"/></p:a>"#, &[]), r#"<p:a xmlns:p="urn:p"><p:b></p:b></p:a>"#);
    }
}
