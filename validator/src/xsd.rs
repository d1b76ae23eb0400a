//! XML Schema validation with libxml2, through a small hand-written FFI to
//! the dozen functions it needs.
//!
//! Safety rules kept here:
//! - the network is never used: the external entity loader is libxml2's
//!   no-network loader, and documents are parsed with `XML_PARSE_NONET`;
//! - entities are not substituted (no `XML_PARSE_NOENT`), and no DTD is
//!   loaded;
//! - every pointer from libxml2 is freed by a `Drop` impl.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::path::Path;
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

type StructuredErrorFunc = extern "C" fn(user: *mut c_void, err: *const XmlError);
type ExternalEntityLoader = unsafe extern "C" fn(*const c_char, *const c_char, *mut c_void) -> *mut c_void;

#[allow(non_snake_case)]
extern "C" {
    fn xmlInitParser();
    fn xmlSetExternalEntityLoader(f: ExternalEntityLoader);
    fn xmlNoNetExternalEntityLoader(url: *const c_char, id: *const c_char, ctxt: *mut c_void) -> *mut c_void;
    fn xmlReadMemory(
        buf: *const c_char,
        size: c_int,
        url: *const c_char,
        encoding: *const c_char,
        options: c_int,
    ) -> *mut c_void;
    fn xmlFreeDoc(doc: *mut c_void);
    fn xmlSchemaNewParserCtxt(url: *const c_char) -> *mut c_void;
    fn xmlSchemaSetParserStructuredErrors(ctxt: *mut c_void, f: StructuredErrorFunc, user: *mut c_void);
    fn xmlSchemaParse(ctxt: *mut c_void) -> *mut c_void;
    fn xmlSchemaFreeParserCtxt(ctxt: *mut c_void);
    fn xmlSchemaFree(schema: *mut c_void);
    fn xmlSchemaNewValidCtxt(schema: *mut c_void) -> *mut c_void;
    fn xmlSchemaSetValidStructuredErrors(ctxt: *mut c_void, f: StructuredErrorFunc, user: *mut c_void);
    fn xmlSchemaValidateDoc(ctxt: *mut c_void, doc: *mut c_void) -> c_int;
    fn xmlSchemaFreeValidCtxt(ctxt: *mut c_void);
    fn xmlSetStructuredErrorFunc(user: *mut c_void, f: Option<StructuredErrorFunc>);
}

const XML_PARSE_NONET: c_int = 1 << 11;
const XML_PARSE_NOWARNING: c_int = 1 << 6;
const XML_PARSE_NOERROR: c_int = 1 << 5;
const XML_PARSE_BIG_LINES: c_int = 1 << 22;
const XML_PARSE_HUGE: c_int = 1 << 19;
const XML_ERR_WARNING: c_int = 1;

/// One finding from libxml2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XsdError {
    pub line: u32,
    pub col: u32,
    pub message: String,
    pub warning: bool,
    /// The file libxml2 names (the schema file, for schema errors).
    pub file: Option<String>,
}

extern "C" fn collect(user: *mut c_void, err: *const XmlError) {
    if user.is_null() || err.is_null() {
        return;
    }
    // SAFETY: `user` is the `Vec<XsdError>` we passed in, alive for the
    // duration of the libxml2 call; `err` is valid during the callback.
    let (list, e) = unsafe { (&mut *(user as *mut Vec<XsdError>), &*err) };
    let text = |p: *const c_char| {
        if p.is_null() {
            None
        } else {
            Some(unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned())
        }
    };
    let message = text(e.message).unwrap_or_default().trim_end().to_owned();
    list.push(XsdError {
        line: e.line.max(0) as u32,
        col: e.int2.max(0) as u32,
        message,
        warning: e.level == XML_ERR_WARNING,
        file: text(e.file),
    });
}

fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        xmlInitParser();
        xmlSetExternalEntityLoader(xmlNoNetExternalEntityLoader);
    });
}

/// A parsed schema. libxml2 allows one schema to serve many validation
/// contexts at once.
pub struct Schema {
    ptr: *mut c_void,
}

// SAFETY: a parsed xmlSchema is read-only during validation; libxml2
// documents sharing it between validation contexts in different threads.
unsafe impl Send for Schema {}
unsafe impl Sync for Schema {}

impl Drop for Schema {
    fn drop(&mut self) {
        unsafe { xmlSchemaFree(self.ptr) }
    }
}

struct Doc(*mut c_void);
impl Drop for Doc {
    fn drop(&mut self) {
        unsafe { xmlFreeDoc(self.0) }
    }
}

impl Schema {
    /// Loads a schema file and everything it imports (from disk only).
    pub fn load(path: &Path) -> Result<Schema, Vec<XsdError>> {
        init();
        let c = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| vec![err0("the schema path contains a NUL byte")])?;
        let mut errors: Vec<XsdError> = Vec::new();
        unsafe {
            let pctxt = xmlSchemaNewParserCtxt(c.as_ptr());
            if pctxt.is_null() {
                return Err(vec![err0(&format!("cannot open the schema {}", path.display()))]);
            }
            let user = &mut errors as *mut Vec<XsdError> as *mut c_void;
            xmlSchemaSetParserStructuredErrors(pctxt, collect, user);
            // Errors raised outside the context (I/O while importing) go to
            // the global handler; route them to us too, then restore.
            xmlSetStructuredErrorFunc(user, Some(collect));
            let schema = xmlSchemaParse(pctxt);
            xmlSetStructuredErrorFunc(std::ptr::null_mut(), None);
            xmlSchemaFreeParserCtxt(pctxt);
            if schema.is_null() {
                if errors.is_empty() {
                    errors.push(err0(&format!("cannot parse the schema {}", path.display())));
                }
                return Err(errors);
            }
            Ok(Schema { ptr: schema })
        }
    }

    /// Validates an XML text. `Err` means the text could not be parsed at
    /// all (the errors say why); `Ok` holds the schema violations.
    pub fn validate(&self, xml: &str, name: &str) -> Result<Vec<XsdError>, Vec<XsdError>> {
        init();
        let len = c_int::try_from(xml.len()).map_err(|_| vec![err0("the document is larger than 2 GiB")])?;
        let url = CString::new(name.replace('\0', "")).unwrap_or_default();
        let mut errors: Vec<XsdError> = Vec::new();
        unsafe {
            let user = &mut errors as *mut Vec<XsdError> as *mut c_void;
            xmlSetStructuredErrorFunc(user, Some(collect));
            let doc = xmlReadMemory(
                xml.as_ptr() as *const c_char,
                len,
                url.as_ptr(),
                std::ptr::null(),
                XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR | XML_PARSE_BIG_LINES | XML_PARSE_HUGE,
            );
            xmlSetStructuredErrorFunc(std::ptr::null_mut(), None);
            if doc.is_null() {
                if errors.is_empty() {
                    errors.push(err0("the document is not well-formed XML"));
                }
                return Err(errors);
            }
            let doc = Doc(doc);
            errors.clear();
            let vctxt = xmlSchemaNewValidCtxt(self.ptr);
            if vctxt.is_null() {
                return Err(vec![err0("libxml2 could not create a validation context")]);
            }
            xmlSchemaSetValidStructuredErrors(vctxt, collect, user);
            let rc = xmlSchemaValidateDoc(vctxt, doc.0);
            xmlSchemaFreeValidCtxt(vctxt);
            if rc < 0 && errors.is_empty() {
                errors.push(err0("libxml2 failed internally while validating"));
            }
        }
        Ok(errors)
    }
}

fn err0(m: &str) -> XsdError {
    XsdError { line: 0, col: 0, message: m.to_owned(), warning: false, file: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(dir: &Path) -> Schema {
        let p = dir.join("s.xsd");
        std::fs::write(
            &p,
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
  <xs:element name="a"><xs:complexType><xs:sequence><xs:element name="b" type="xs:int" maxOccurs="2"/></xs:sequence><xs:attribute name="id" type="xs:ID" use="required"/></xs:complexType></xs:element>
</xs:schema>"#,
        )
        .unwrap();
        Schema::load(&p).unwrap()
    }

    #[test]
    fn valid_and_invalid_documents() {
        let t = tempfile::tempdir().unwrap();
        let s = schema(t.path());
        assert!(s.validate(r#"<a xmlns="urn:t" id="x"><b>1</b></a>"#, "ok.xml").unwrap().is_empty());
        let errs = s.validate("<a xmlns=\"urn:t\" id=\"x\">\n<b>one</b>\n<b>2</b><b>3</b></a>", "bad.xml").unwrap();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].message.contains("'one' is not a valid value"), "{}", errs[0].message);
        let errs = s.validate(r#"<a xmlns="urn:t"><b>1</b></a>"#, "noid.xml").unwrap();
        assert!(errs[0].message.contains("'id' is required"));
    }

    #[test]
    fn malformed_and_hostile_documents() {
        let t = tempfile::tempdir().unwrap();
        let s = schema(t.path());
        let e = s.validate("<a xmlns=\"urn:t\" id=\"x\">\n<b>1</a>", "m.xml").unwrap_err();
        assert!(e[0].line >= 2, "{e:?}");
        // External entities are never fetched or read.
        let xxe =
            "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><a xmlns=\"urn:t\" id=\"x\"><b>&x;</b></a>";
        let r = s.validate(xxe, "x.xml");
        let all: Vec<XsdError> = match r {
            Ok(v) | Err(v) => v,
        };
        assert!(!all.is_empty(), "an unresolved entity must not validate");
        let _ = std::fs::remove_file(t.path().join("s.xsd"));
        assert!(Schema::load(&t.path().join("s.xsd")).is_err());
    }
}
