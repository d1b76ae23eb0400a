//! XPath 1.0 over a document, with libxml2 (the library oscap uses).
//!
//! Before libxml2 sees a document, [`strip_namespaces`] rewrites it the
//! way oscap's xmlfilecontent probe does with its XSLT step: every element
//! and attribute keeps only its local name, namespace declarations,
//! comments, processing instructions and the DOCTYPE go, and CDATA
//! sections become text. Expressions then match `/zone/service` whatever
//! namespace the file uses, as existing content expects.
//!
//! libxml2 itself is reached only through `scapc-libxml2`, which holds
//! the FFI. Safety rules kept here:
//! - the DOCTYPE is dropped before parsing, so no DTD is read and no
//!   entity is declared: a reference to one is a parse error, never an
//!   expansion (no "billion laughs", no external entities);
//! - documents are parsed with `XML_PARSE_NONET` and libxml2's default
//!   limits (not `XML_PARSE_HUGE`), so its depth and size limits hold;
//! - libxml2's errors are collected per thread while the call runs, and
//!   its error handler is reset afterwards, whatever the outcome.

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};
use scapc_libxml2::{Document, Limits, XmlError};

pub use scapc_libxml2::XPathValue as Value;

/// Parses `xml` (already namespace-stripped or not) and evaluates `expr`.
/// Errors carry libxml2's first message.
pub fn evaluate(xml: &[u8], expr: &str) -> Result<Value, String> {
    let first = |errs: &[XmlError]| errs.first().map(|e| e.message.clone());
    let doc = Document::parse(xml, "", Limits::Default).map_err(|errs| match first(&errs) {
        Some(e) => format!("not well-formed XML: {e}"),
        None => "not well-formed XML".to_owned(),
    })?;
    doc.xpath(expr).map_err(|errs| match first(&errs) {
        Some(e) => format!("the XPath expression `{expr}` is invalid: {e}"),
        None => format!("the XPath expression `{expr}` is invalid"),
    })
}

/// The local part of a qualified name.
fn local(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|b| *b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// Rewrites a document without namespaces (see the module docs). Errors
/// are quick-xml's, with the byte offset.
pub fn strip_namespaces(xml: &[u8]) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().check_end_names = true;
    let mut writer = Writer::new(Vec::with_capacity(xml.len()));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("not well-formed XML at byte {}: {e}", reader.error_position()))?;
        let out = match ev {
            Event::Eof => break,
            Event::Start(s) => {
                depth += 1;
                seen_root = true;
                Some(Event::Start(strip_start(&s)?))
            }
            Event::Empty(s) => {
                seen_root = true;
                Some(Event::Empty(strip_start(&s)?))
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                Some(Event::End(quick_xml::events::BytesEnd::new(
                    String::from_utf8_lossy(local(e.name().as_ref())).into_owned(),
                )))
            }
            Event::Text(t) if depth > 0 => Some(Event::Text(t)),
            Event::GeneralRef(r) if depth > 0 => Some(Event::GeneralRef(r)),
            Event::CData(c) if depth > 0 => {
                let text = String::from_utf8_lossy(&c.into_inner()).into_owned();
                Some(Event::Text(BytesText::new(&text).into_owned()))
            }
            Event::Decl(d) if !seen_root => Some(Event::Decl(d)),
            // Comments, processing instructions, the DOCTYPE and
            // whitespace outside the root element.
            _ => None,
        };
        if let Some(ev) = out {
            writer.write_event(ev).map_err(|e| format!("cannot rewrite the document: {e}"))?;
        }
        buf.clear();
    }
    if depth != 0 || !seen_root {
        return Err("not well-formed XML: the document ends before its root element is closed".to_owned());
    }
    Ok(writer.into_inner())
}

fn strip_start(s: &BytesStart<'_>) -> Result<BytesStart<'static>, String> {
    let name = String::from_utf8_lossy(local(s.name().as_ref())).into_owned();
    let mut attrs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    for a in s.attributes() {
        let a = a.map_err(|e| format!("not well-formed XML: {e}"))?;
        let key = a.key.as_ref();
        if key == b"xmlns" || key.starts_with(b"xmlns:") {
            continue;
        }
        let key = local(key).to_vec();
        // Two prefixed attributes with one local name: the later wins,
        // as with oscap's XSLT step.
        attrs.retain(|(k, _)| *k != key);
        attrs.push((key, a.value.into_owned()));
    }
    let mut out = BytesStart::new(name);
    for (k, v) in &attrs {
        // The value is still escaped as in the source, except for a double
        // quote inside single quotes, which the rewrite must escape.
        let v: Vec<u8> = v.iter().flat_map(|b| if *b == b'"' { b"&quot;".to_vec() } else { vec![*b] }).collect();
        out.push_attribute(quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(k),
            value: v.into(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(xml: &str, expr: &str) -> Result<Value, String> {
        evaluate(&strip_namespaces(xml.as_bytes())?, expr)
    }

    #[test]
    fn namespaces_are_ignored() {
        let xml = r#"<?xml version="1.0"?><!-- c --><z:zone xmlns:z="urn:z" xmlns="urn:d"><service name="ssh"/><z:service z:name='a&amp;"b'/><short><![CDATA[<Public>]]></short></z:zone>"#;
        assert_eq!(
            eval(xml, "/zone/service/@name").unwrap(),
            Value::Nodes { values: vec!["ssh".into(), "a&\"b".into()], count: 2 }
        );
        assert_eq!(
            eval(xml, "/zone/short/text()").unwrap(),
            Value::Nodes { values: vec!["<Public>".into()], count: 1 }
        );
        assert_eq!(eval(xml, "count(//service)").unwrap(), Value::Number(2.0));
        assert_eq!(eval(xml, "boolean(/zone/port)").unwrap(), Value::Boolean(false));
        assert_eq!(eval(xml, "string(/zone/service[1]/@name)").unwrap(), Value::String("ssh".into()));
        assert_eq!(eval(xml, "/zone/service").unwrap(), Value::Nodes { values: vec![], count: 2 });
        assert_eq!(eval(xml, "/zone/nothing").unwrap(), Value::Nodes { values: vec![], count: 0 });
    }

    #[test]
    fn hostile_and_broken_documents_are_errors() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>"#;
        let e = eval(bomb, "string(/l)").unwrap_err();
        assert!(e.contains("not well-formed"), "{e}");
        let ext = r#"<!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]><l>&x;</l>"#;
        assert!(eval(ext, "string(/l)").is_err());
        assert!(eval("<a><b></a>", "/a").unwrap_err().contains("not well-formed"));
        assert!(eval("", "/a").is_err());
        assert!(eval("<a/>", "/a[").unwrap_err().contains("invalid"));
    }

    /// A failed parse or expression used to return with libxml2's error
    /// handler still installed on the thread.
    #[test]
    fn errors_leave_no_handler_installed() {
        for (xml, expr) in [("<a><b></a>", "/a"), ("<a/>", "/a["), ("<a/>", "count(/a)")] {
            let _ = evaluate(xml.as_bytes(), expr);
            assert!(!scapc_libxml2::structured_handler_installed(), "{xml} {expr}");
        }
    }
}
