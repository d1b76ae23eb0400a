//! XPath 1.0 over a document, with libxml2 (the library oscap uses),
//! through a small hand-written FFI.
//!
//! Before libxml2 sees a document, [`strip_namespaces`] rewrites it the
//! way oscap's xmlfilecontent probe does with its XSLT step: every element
//! and attribute keeps only its local name, namespace declarations,
//! comments, processing instructions and the DOCTYPE go, and CDATA
//! sections become text. Expressions then match `/zone/service` whatever
//! namespace the file uses, as existing content expects.
//!
//! Safety rules kept here:
//! - the DOCTYPE is dropped before parsing, so no DTD is read and no
//!   entity is declared: a reference to one is a parse error, never an
//!   expansion (no "billion laughs", no external entities);
//! - documents are parsed with `XML_PARSE_NONET` and without
//!   `XML_PARSE_HUGE`, so libxml2's depth and size limits hold;
//! - libxml2 reports errors to a per-call collector, never to stderr;
//! - every pointer from libxml2 is freed by a `Drop` impl.

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};
use std::cell::RefCell;
use std::ffi::{c_char, c_double, c_int, c_void, CStr, CString};
use std::sync::Once;

#[repr(C)]
struct XmlError {
    domain: c_int,
    code: c_int,
    message: *const c_char,
    level: c_int,
    file: *const c_char,
    line: c_int,
    str1: *const c_char,
    str2: *const c_char,
    str3: *const c_char,
    int1: c_int,
    int2: c_int,
    ctxt: *mut c_void,
    node: *mut c_void,
}

/// The public head of libxml2's `xmlXPathObject`.
#[repr(C)]
struct XPathObject {
    kind: c_int,
    nodesetval: *mut NodeSet,
    boolval: c_int,
    floatval: c_double,
    stringval: *mut c_char,
}

#[repr(C)]
struct NodeSet {
    node_nr: c_int,
    node_max: c_int,
    node_tab: *mut *mut NodeHead,
}

/// The first fields of `xmlNode` and `xmlAttr` (the same in both).
#[repr(C)]
struct NodeHead {
    private: *mut c_void,
    kind: c_int,
}

type StructuredErrorFunc = extern "C" fn(user: *mut c_void, err: *const XmlError);
type FreeFunc = unsafe extern "C" fn(*mut c_void);

#[allow(non_snake_case, non_upper_case_globals)]
extern "C" {
    fn xmlInitParser();
    fn xmlReadMemory(
        buf: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut c_void;
    fn xmlFreeDoc(doc: *mut c_void);
    fn xmlSetStructuredErrorFunc(user: *mut c_void, f: Option<StructuredErrorFunc>);
    fn xmlXPathNewContext(doc: *mut c_void) -> *mut c_void;
    fn xmlXPathFreeContext(ctx: *mut c_void);
    fn xmlXPathEvalExpression(expr: *const c_char, ctx: *mut c_void) -> *mut XPathObject;
    fn xmlXPathFreeObject(obj: *mut XPathObject);
    fn xmlXPathCastToBoolean(obj: *mut XPathObject) -> c_int;
    fn xmlXPathCastToNumber(obj: *mut XPathObject) -> c_double;
    fn xmlXPathCastToString(obj: *mut XPathObject) -> *mut c_char;
    fn xmlNodeGetContent(node: *mut NodeHead) -> *mut c_char;
    static xmlFree: FreeFunc;
}

const XML_PARSE_NOERROR: c_int = 1 << 5;
const XML_PARSE_NOWARNING: c_int = 1 << 6;
const XML_PARSE_NONET: c_int = 1 << 11;

const XPATH_NODESET: c_int = 1;
const XPATH_BOOLEAN: c_int = 2;
const XPATH_NUMBER: c_int = 3;
const XPATH_STRING: c_int = 4;

const XML_ATTRIBUTE_NODE: c_int = 2;
const XML_TEXT_NODE: c_int = 3;

/// What an expression evaluated to.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Boolean(bool),
    Number(f64),
    String(String),
    /// A node set: the text of each attribute or text node in it, in
    /// document order (element nodes have no value), and how many nodes
    /// it held.
    Nodes {
        values: Vec<String>,
        count: usize,
    },
    /// A result type XPath 1.0 does not have (e.g. from an extension).
    Other,
}

thread_local! {
    static ERRORS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

extern "C" fn collect_error(_user: *mut c_void, err: *const XmlError) {
    if err.is_null() {
        return;
    }
    // SAFETY: libxml2 passes a valid error for the duration of the call.
    let e = unsafe { &*err };
    if e.message.is_null() {
        return;
    }
    let msg = unsafe { CStr::from_ptr(e.message) }.to_string_lossy().trim_end().to_owned();
    ERRORS.with(|v| v.borrow_mut().push(msg));
}

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe { xmlInitParser() });
}

/// Takes the messages libxml2 reported on this thread since the last call.
fn take_errors() -> Vec<String> {
    ERRORS.with(|v| std::mem::take(&mut *v.borrow_mut()))
}

struct Doc(*mut c_void);
impl Drop for Doc {
    fn drop(&mut self) {
        unsafe { xmlFreeDoc(self.0) }
    }
}

struct Ctx(*mut c_void);
impl Drop for Ctx {
    fn drop(&mut self) {
        unsafe { xmlXPathFreeContext(self.0) }
    }
}

struct Obj(*mut XPathObject);
impl Drop for Obj {
    fn drop(&mut self) {
        unsafe { xmlXPathFreeObject(self.0) }
    }
}

/// Takes a string libxml2 allocated.
///
/// # Safety
/// `p` is null or a NUL-terminated string from libxml2's allocator.
unsafe fn take_string(p: *mut c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees `p` is a NUL-terminated string that
    // libxml2 allocated and nobody else frees; it is read once, then freed
    // with libxml2's own deallocator.
    unsafe {
        let s = CStr::from_ptr(p).to_string_lossy().into_owned();
        xmlFree(p.cast());
        s
    }
}

/// Parses `xml` (already namespace-stripped or not) and evaluates `expr`.
/// Errors carry libxml2's messages.
pub fn evaluate(xml: &[u8], expr: &str) -> Result<Value, String> {
    init();
    let cexpr = CString::new(expr).map_err(|_| "the XPath expression contains a NUL character".to_owned())?;
    let size = c_int::try_from(xml.len()).map_err(|_| "the document is too large".to_owned())?;
    unsafe {
        xmlSetStructuredErrorFunc(std::ptr::null_mut(), Some(collect_error));
        take_errors();
        let doc = xmlReadMemory(
            xml.as_ptr().cast(),
            size,
            std::ptr::null(),
            std::ptr::null(),
            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING,
        );
        if doc.is_null() {
            let errs = take_errors();
            return Err(match errs.first() {
                Some(e) => format!("not well-formed XML: {e}"),
                None => "not well-formed XML".to_owned(),
            });
        }
        let doc = Doc(doc);
        let ctx = xmlXPathNewContext(doc.0);
        if ctx.is_null() {
            return Err("libxml2 could not make an XPath context".to_owned());
        }
        let ctx = Ctx(ctx);
        let obj = xmlXPathEvalExpression(cexpr.as_ptr(), ctx.0);
        if obj.is_null() {
            let errs = take_errors();
            return Err(match errs.first() {
                Some(e) => format!("the XPath expression `{expr}` is invalid: {e}"),
                None => format!("the XPath expression `{expr}` is invalid"),
            });
        }
        let obj = Obj(obj);
        let value = match (*obj.0).kind {
            XPATH_BOOLEAN => Value::Boolean(xmlXPathCastToBoolean(obj.0) != 0),
            XPATH_NUMBER => Value::Number(xmlXPathCastToNumber(obj.0)),
            XPATH_STRING => Value::String(take_string(xmlXPathCastToString(obj.0))),
            XPATH_NODESET => {
                let set = (*obj.0).nodesetval;
                let mut values = Vec::new();
                let mut count = 0;
                if !set.is_null() && (*set).node_nr > 0 && !(*set).node_tab.is_null() {
                    count = (*set).node_nr as usize;
                    for i in 0..count {
                        let node = *(*set).node_tab.add(i);
                        if !node.is_null() && matches!((*node).kind, XML_ATTRIBUTE_NODE | XML_TEXT_NODE) {
                            values.push(take_string(xmlNodeGetContent(node)));
                        }
                    }
                }
                Value::Nodes { values, count }
            }
            _ => Value::Other,
        };
        xmlSetStructuredErrorFunc(std::ptr::null_mut(), None);
        Ok(value)
    }
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
}
