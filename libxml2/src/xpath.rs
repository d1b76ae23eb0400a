//! XPath 1.0 evaluation over a [`Document`].

use crate::document::Document;
use crate::error::{ErrorCapture, XmlError};
use crate::ffi;
use std::ffi::{c_char, c_void, CStr, CString};

/// What an expression evaluated to.
#[derive(Debug, Clone, PartialEq)]
pub enum XPathValue {
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

/// An XPath context, freed on drop.
struct Ctx(*mut c_void);
impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlXPathNewContext`, is non-null and
        // is freed only here.
        unsafe { ffi::xmlXPathFreeContext(self.0) }
    }
}

/// An XPath result, freed on drop.
struct Obj(*mut ffi::XPathObject);
impl Drop for Obj {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlXPathEvalExpression`, is non-null
        // and is freed only here.
        unsafe { ffi::xmlXPathFreeObject(self.0) }
    }
}

/// Takes a string libxml2 allocated, freeing it.
///
/// # Safety
/// `p` is null or a NUL-terminated string from libxml2's allocator that
/// nothing else frees.
unsafe fn take_string(p: *mut c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees a NUL-terminated string.
    let s = unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned();
    // SAFETY: the string came from libxml2's allocator and is freed once.
    unsafe { ffi::xmlFree(p.cast()) };
    s
}

impl Document {
    /// Evaluates `expr` with the document as context. `Err` holds
    /// libxml2's reasons the expression is invalid (none when it gave
    /// none).
    pub fn xpath(&self, expr: &str) -> Result<XPathValue, Vec<XmlError>> {
        let cexpr =
            CString::new(expr).map_err(|_| vec![XmlError::new("the XPath expression contains a NUL character")])?;
        let mut capture = ErrorCapture::start();
        // SAFETY: `self.ptr` is a live document; the context is owned by
        // `Ctx` below and dropped before the document.
        let ctx = unsafe { ffi::xmlXPathNewContext(self.ptr) };
        if ctx.is_null() {
            return Err(vec![XmlError::new("libxml2 could not make an XPath context")]);
        }
        let ctx = Ctx(ctx);
        // SAFETY: `cexpr` is a C string and `ctx.0` a live context.
        let obj = unsafe { ffi::xmlXPathEvalExpression(cexpr.as_ptr(), ctx.0) };
        if obj.is_null() {
            return Err(capture.take());
        }
        let obj = Obj(obj);
        // SAFETY: `obj.0` is a live XPath object whose public head matches
        // `XPathObject`; the casts allocate strings that `take_string` frees;
        // a node set's `node_tab` holds `node_nr` valid node pointers whose
        // second field is the node type, and `xmlNodeGetContent` is only
        // called on attribute and text nodes, returning an allocated string.
        let value = unsafe {
            match (*obj.0).kind {
                ffi::XPATH_BOOLEAN => XPathValue::Boolean(ffi::xmlXPathCastToBoolean(obj.0) != 0),
                ffi::XPATH_NUMBER => XPathValue::Number(ffi::xmlXPathCastToNumber(obj.0)),
                ffi::XPATH_STRING => XPathValue::String(take_string(ffi::xmlXPathCastToString(obj.0))),
                ffi::XPATH_NODESET => {
                    let set = (*obj.0).nodesetval;
                    let mut values = Vec::new();
                    let mut count = 0;
                    if !set.is_null() && (*set).node_nr > 0 && !(*set).node_tab.is_null() {
                        count = usize::try_from((*set).node_nr).unwrap_or(0);
                        for i in 0..count {
                            let node = *(*set).node_tab.add(i);
                            if !node.is_null() && matches!((*node).kind, ffi::XML_ATTRIBUTE_NODE | ffi::XML_TEXT_NODE) {
                                values.push(take_string(ffi::xmlNodeGetContent(node)));
                            }
                        }
                    }
                    XPathValue::Nodes { values, count }
                }
                _ => XPathValue::Other,
            }
        };
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::structured_handler_installed as handler_installed;
    use crate::Limits;

    fn eval(xml: &str, expr: &str) -> Result<XPathValue, Vec<XmlError>> {
        Document::parse(xml.as_bytes(), "", Limits::Default)?.xpath(expr)
    }

    #[test]
    fn every_result_type() {
        let xml = r#"<zone><service name="ssh"/><service name="a&amp;b">t</service></zone>"#;
        assert_eq!(
            eval(xml, "/zone/service/@name").unwrap(),
            XPathValue::Nodes { values: vec!["ssh".into(), "a&b".into()], count: 2 }
        );
        assert_eq!(eval(xml, "count(//service)").unwrap(), XPathValue::Number(2.0));
        assert_eq!(eval(xml, "boolean(/zone/port)").unwrap(), XPathValue::Boolean(false));
        assert_eq!(eval(xml, "string(/zone/service[2])").unwrap(), XPathValue::String("t".into()));
        assert_eq!(eval(xml, "/zone/service").unwrap(), XPathValue::Nodes { values: vec![], count: 2 });
        assert_eq!(eval(xml, "/zone/none").unwrap(), XPathValue::Nodes { values: vec![], count: 0 });
        assert!(!handler_installed());
    }

    #[test]
    fn invalid_expressions_are_errors_and_reset_the_handler() {
        let e = eval("<a/>", "/a[").unwrap_err();
        assert!(!e.is_empty() && e[0].message.contains("nvalid"), "{e:?}");
        assert!(!handler_installed());
        assert!(eval("<a/>", "/a\0").is_err());
        assert!(eval("<a><b></a>", "/a").is_err());
        assert!(!handler_installed());
    }
}
