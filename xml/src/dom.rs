//! A small DOM. Names are kept as written (`prefix:local`); namespace
//! declarations are ordinary attributes. That is all the compiler needs for
//! fragments whose prefixes it controls.

use crate::{escape_attr, escape_text, line_col, LineCursor};
use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
    CData(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// 1-based line and column of the start tag in the parsed text.
    pub line: u32,
    pub col: u32,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Dropping is iterative: a document nested [`crate::MAX_DEPTH`] levels
/// deep must not exhaust a worker thread's stack.
impl Drop for Element {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(n) = pending.pop() {
            if let Node::Element(mut e) = n {
                pending.append(&mut e.children);
            }
        }
    }
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Element { name: name.into(), attrs: Vec::new(), children: Vec::new(), line: 0, col: 0 }
    }

    /// The name without its prefix.
    pub fn local_name(&self) -> &str {
        self.name.rsplit(':').next().unwrap_or(&self.name)
    }

    pub fn prefix(&self) -> Option<&str> {
        self.name.split_once(':').map(|(p, _)| p)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn set_attr(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        if let Some(slot) = self.attrs.iter_mut().find(|(k, _)| k == name) {
            slot.1 = value;
        } else {
            self.attrs.push((name.to_owned(), value));
        }
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with this local name.
    pub fn child(&self, local: &str) -> Option<&Element> {
        self.elements().find(|e| e.local_name() == local)
    }

    /// All text directly inside this element, concatenated.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Text(t) | Node::CData(t) => s.push_str(t),
                _ => {}
            }
        }
        s
    }

    /// Replaces all children by one text node.
    pub fn set_text(&mut self, text: impl Into<String>) {
        self.children = vec![Node::Text(text.into())];
    }

    /// Visits this element and every descendant, depth first.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Element)) {
        f(self);
        for c in self.children.iter_mut() {
            if let Node::Element(e) = c {
                e.walk_mut(f);
            }
        }
    }

    pub fn walk(&self, f: &mut impl FnMut(&Element)) {
        f(self);
        for e in self.elements() {
            e.walk(f);
        }
    }

    /// Serializes this element exactly as stored (no re-indentation).
    /// Iterative, so any depth the reader accepts fits in a thread's stack.
    pub fn write_to(&self, out: &mut String) {
        // Elements whose end tag is still to be written, with the index of
        // the next child to write.
        let mut open: Vec<(&Element, usize)> = Vec::new();
        let start = |e: &Element, out: &mut String| {
            out.push('<');
            out.push_str(&e.name);
            for (k, v) in &e.attrs {
                out.push(' ');
                out.push_str(k);
                out.push_str("=\"");
                out.push_str(&escape_attr(v));
                out.push('"');
            }
            if e.children.is_empty() {
                out.push_str("/>");
                false
            } else {
                out.push('>');
                true
            }
        };
        if start(self, out) {
            open.push((self, 0));
        }
        while let Some((e, i)) = open.last_mut() {
            let Some(c) = e.children.get(*i) else {
                out.push_str("</");
                out.push_str(&e.name);
                out.push('>');
                open.pop();
                continue;
            };
            *i += 1;
            match c {
                Node::Element(child) => {
                    if start(child, out) {
                        open.push((child, 0));
                    }
                }
                Node::Text(t) => out.push_str(&escape_text(t)),
                Node::Comment(t) => {
                    out.push_str("<!--");
                    out.push_str(t);
                    out.push_str("-->");
                }
                Node::CData(t) => {
                    out.push_str("<![CDATA[");
                    out.push_str(t);
                    out.push_str("]]>");
                }
            }
        }
    }

    /// Serializes with indentation: whitespace-only text inside elements
    /// that have element children is dropped and replaced by newlines and
    /// two-space indentation; leaf content is kept exactly.
    pub fn write_pretty(&self, out: &mut String, depth: usize) {
        let has_elements = self.children.iter().any(|c| matches!(c, Node::Element(_)));
        let mixed = self.children.iter().any(|c| matches!(c, Node::Text(t) if !t.trim().is_empty()));
        if !has_elements || mixed {
            self.write_to(out);
            return;
        }
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape_attr(v));
            out.push('"');
        }
        out.push('>');
        for c in &self.children {
            match c {
                Node::Text(_) => {}
                Node::Element(e) => {
                    out.push('\n');
                    push_indent(out, depth + 1);
                    e.write_pretty(out, depth + 1);
                }
                Node::Comment(t) => {
                    out.push('\n');
                    push_indent(out, depth + 1);
                    out.push_str("<!--");
                    out.push_str(t);
                    out.push_str("-->");
                }
                Node::CData(t) => {
                    out.push_str("<![CDATA[");
                    out.push_str(t);
                    out.push_str("]]>");
                }
            }
        }
        out.push('\n');
        push_indent(out, depth);
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }

    pub fn to_xml(&self) -> String {
        let mut s = String::new();
        self.write_to(&mut s);
        s
    }

    /// Serializes only the children (mixed content), as stored.
    pub fn inner_xml(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Node::Element(e) => e.write_to(&mut s),
                Node::Text(t) => s.push_str(&escape_text(t)),
                Node::Comment(t) => {
                    s.push_str("<!--");
                    s.push_str(t);
                    s.push_str("-->");
                }
                Node::CData(t) => s.push_str(&escape_text(t)),
            }
        }
        s
    }
}

fn resolve_entity(name: &str) -> Option<String> {
    Some(
        match name {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            _ => {
                let num = name.strip_prefix('#')?;
                let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    num.parse().ok()?
                };
                return char::from_u32(code).map(String::from);
            }
        }
        .to_owned(),
    )
}

/// Parses a whole document (or fragment with one root element).
pub fn parse(src: &str) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(src);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let err_at = |pos: u64, message: String| {
        let (line, col) = line_col(src, pos as usize);
        ParseError { line, col, message }
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut cursor = LineCursor::new(src);
    let too_deep = |depth: usize, pos: u64| {
        if depth >= crate::MAX_DEPTH {
            let (line, col) = line_col(src, pos as usize);
            return Err(ParseError { line, col, message: crate::too_deep(line, col) });
        }
        Ok(())
    };
    loop {
        let start_pos = reader.buffer_position();
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                return Err(err_at(reader.error_position(), format!("not well-formed XML: {e}")));
            }
        };
        match ev {
            Event::Start(e) => {
                too_deep(stack.len(), start_pos)?;
                let el = open(&e, &mut cursor, start_pos, &err_at)?;
                if root.is_some() && stack.is_empty() {
                    return Err(err_at(start_pos, "more than one root element".into()));
                }
                stack.push(el);
            }
            Event::Empty(e) => {
                too_deep(stack.len(), start_pos)?;
                let el = open(&e, &mut cursor, start_pos, &err_at)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => {
                        if root.is_some() {
                            return Err(err_at(start_pos, "more than one root element".into()));
                        }
                        root = Some(el);
                    }
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| err_at(start_pos, "unexpected end tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(Node::Element(el)),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| err_at(start_pos, format!("bad text encoding: {e}")))?;
                match stack.last_mut() {
                    Some(parent) => push_text(parent, &text),
                    None => {
                        if !text.trim().is_empty() {
                            return Err(err_at(start_pos, "text outside the root element".into()));
                        }
                    }
                }
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let value = resolve_entity(&name).ok_or_else(|| {
                    err_at(
                        start_pos,
                        format!("undefined entity `&{name};`: only the five XML entities and character references are allowed"),
                    )
                })?;
                match stack.last_mut() {
                    Some(parent) => push_text(parent, &value),
                    None => return Err(err_at(start_pos, "entity outside the root element".into())),
                }
            }
            Event::CData(t) => {
                let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::CData(text));
                }
            }
            Event::Comment(t) => {
                let text = String::from_utf8_lossy(t.as_ref()).into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Node::Comment(text));
                }
            }
            Event::DocType(t) => {
                crate::check_doctype(t.as_ref()).map_err(|m| err_at(start_pos, m.into()))?;
            }
            Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(ParseError {
            line: open.line,
            col: open.col,
            message: format!("element `{}` is never closed (the document is truncated?)", open.name),
        });
    }
    root.ok_or_else(|| ParseError { line: 1, col: 1, message: "no root element (empty document?)".into() })
}

fn push_indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn push_text(parent: &mut Element, text: &str) {
    if let Some(Node::Text(prev)) = parent.children.last_mut() {
        prev.push_str(text);
    } else {
        parent.children.push(Node::Text(text.to_owned()));
    }
}

fn open(
    e: &quick_xml::events::BytesStart<'_>,
    cursor: &mut LineCursor<'_>,
    pos: u64,
    err_at: &impl Fn(u64, String) -> ParseError,
) -> Result<Element, ParseError> {
    if e.local_name().as_ref().is_empty() {
        return Err(err_at(pos, crate::NO_NAME.into()));
    }
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let (line, col) = cursor.at(pos as usize);
    let mut el = Element { name, attrs: Vec::new(), children: Vec::new(), line, col };
    for a in e.attributes() {
        let a = a.map_err(|err| err_at(pos, format!("bad attribute in `{}`: {err}", el.name)))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| {
                let msg = err.to_string();
                let why = if msg.contains("Cannot find ';'") {
                    "a bare `&`; write `&amp;`".to_owned()
                } else if msg.contains("Unrecognized escape") || msg.contains("unrecognized entity") {
                    "an unknown entity; only &amp; &lt; &gt; &quot; &apos; and character references are allowed"
                        .to_owned()
                } else {
                    msg
                };
                err_at(pos, format!("the value of attribute `{key}` in `<{}>` has {why}", el.name))
            })?
            .into_owned();
        el.attrs.push((key, value));
    }
    Ok(el)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_structure() {
        let src = r#"<a x="1 &amp; 2"><b:c>t &lt; u &#x41;</b:c><!--k--><d/></a>"#;
        let e = parse(src).unwrap();
        assert_eq!(e.attr("x"), Some("1 & 2"));
        assert_eq!(e.child("c").unwrap().text(), "t < u A");
        assert_eq!(e.to_xml(), r#"<a x="1 &amp; 2"><b:c>t &lt; u A</b:c><!--k--><d/></a>"#);
    }

    #[test]
    fn many_elements_parse_in_linear_time() {
        // Found by running a deep document through the xml_tree fuzz target:
        // every element's position was counted from the start of the text,
        // so 5,000 nested elements took 18 s and 200,000 did not finish.
        let n = 100_000;
        let src = format!("<r>{}\n<é/><z/></r>", "<a/>".repeat(n));
        let start = std::time::Instant::now();
        let e = parse(&src).unwrap();
        let elapsed = start.elapsed();
        let last_a = e.elements().nth(n - 1).unwrap();
        assert_eq!((last_a.line, last_a.col), (1, 4 + 4 * (n as u32 - 1)));
        let z = e.child("z").unwrap();
        assert_eq!((z.line, z.col), (2, 5), "columns count characters, not bytes");
        assert!(elapsed < std::time::Duration::from_secs(20), "parsing {n} elements took {elapsed:?}");
    }

    #[test]
    fn refuses_an_element_without_a_name() {
        // Found by the xml_tree fuzz target: `<\t\t/>` was read as an
        // element with an empty name and written back as `</>`.
        for src in ["<\t\t/>", "<\r\r/>", "<a:b xmlns:a=\"urn:a\">< /></a:b>", "<a:/>"] {
            let err = parse(src).unwrap_err();
            assert!(err.message.contains("no element name"), "{src:?}: {err}");
        }
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        // Found by running a 200,000-deep document through the xml_tree fuzz
        // target: writing it back overflowed the stack.
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse(&deep(crate::MAX_DEPTH)).is_ok());
        let err = parse(&deep(200_000)).unwrap_err();
        assert_eq!((err.line, err.col), (1, 3 * crate::MAX_DEPTH as u32 + 1));
        assert!(err.message.contains("deeper than 10000"), "{err}");
    }

    #[test]
    fn positions_are_one_based() {
        let e = parse("<a>\n  <b/>\n</a>").unwrap();
        let b = e.child("b").unwrap();
        assert_eq!((b.line, b.col), (2, 3));
    }

    #[test]
    fn refuses_entity_declarations() {
        let lol = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><l>&b;</l>"#;
        let err = parse(lol).unwrap_err();
        assert!(err.message.contains("declares entities"), "{err}");
        let xxe = r#"<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>"#;
        assert!(parse(xxe).is_err());
    }

    #[test]
    fn reports_truncation_and_mismatch() {
        let err = parse("<a>\n<b>").unwrap_err();
        assert!(err.message.contains("never closed"), "{err}");
        let err = parse("<a>\n</b>").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(parse("").is_err());
        assert!(parse("<a>&nope;</a>").unwrap_err().message.contains("undefined entity"));
    }
}
#[cfg(test)]
mod entity_tests {
    #[test]
    fn quot_in_text() {
        let e = super::parse("<a>x=&quot;y&quot; &amp; &apos;z&apos;</a>").unwrap();
        assert_eq!(e.text(), "x=\"y\" & 'z'");
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "<a>".repeat(10_001), "</a>".repeat(10_001));
        let e = super::parse(&deep).unwrap_err();
        assert!(e.message.starts_with("element nesting deeper than 10000 levels at line 1, column 30001"), "{e}");
        let ok = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        let e = super::parse(&ok).unwrap();
        // Serializing and dropping it fit in a test thread's 2 MiB stack.
        assert_eq!(e.to_xml(), format!("{}<a/>{}", "<a>".repeat(9_999), "</a>".repeat(9_999)));
        drop(e);
    }
}
