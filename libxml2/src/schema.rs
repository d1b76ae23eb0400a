//! XML Schema (XSD 1.0) loading and validation.

use crate::document::{Document, Limits};
use crate::error::{collect, ErrorCapture, XmlError};
use crate::ffi;
use std::ffi::{c_void, CString};
use std::path::Path;

/// A parsed schema, freed on drop. libxml2 lets one schema serve many
/// validation contexts at once, on any threads.
pub struct Schema {
    ptr: *mut c_void,
}

// SAFETY: a parsed `xmlSchema` is not modified by validation: each
// validation gets its own context (`xmlSchemaNewValidCtxt`), so the schema
// may be moved to and shared between threads; it is freed once, by `Drop`.
unsafe impl Send for Schema {}
// SAFETY: see `Send` above: all access through `&Schema` is read-only.
unsafe impl Sync for Schema {}

impl Drop for Schema {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `xmlSchemaParse`, is non-null and is freed
        // only here, once.
        unsafe { ffi::xmlSchemaFree(self.ptr) }
    }
}

/// A schema parser context, freed on drop.
struct ParserCtxt(*mut c_void);
impl Drop for ParserCtxt {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlSchemaNewParserCtxt`, is non-null
        // and is freed only here.
        unsafe { ffi::xmlSchemaFreeParserCtxt(self.0) }
    }
}

/// A validation context, freed on drop.
struct ValidCtxt(*mut c_void);
impl Drop for ValidCtxt {
    fn drop(&mut self) {
        // SAFETY: the pointer came from `xmlSchemaNewValidCtxt`, is non-null
        // and is freed only here.
        unsafe { ffi::xmlSchemaFreeValidCtxt(self.0) }
    }
}

impl Schema {
    /// Loads a schema file and everything it includes or imports (from
    /// disk only). `Err` holds libxml2's reasons.
    pub fn load(path: &Path) -> Result<Schema, Vec<XmlError>> {
        Self::load_with_overlay(path, std::collections::HashMap::new())
    }

    /// [`Schema::load`], reading the files `overlay` names (the schema or
    /// any file it includes or imports, by path) from their texts there
    /// instead of from disk: the validator loads the schemas without
    /// their identity constraints this way, and checks those itself.
    pub fn load_with_overlay(
        path: &Path,
        overlay: std::collections::HashMap<std::path::PathBuf, String>,
    ) -> Result<Schema, Vec<XmlError>> {
        crate::init();
        let _installed = crate::overlay::Installed::new(overlay);
        let c = CString::new(path.to_string_lossy().as_bytes())
            .map_err(|_| vec![XmlError::new("the schema path contains a NUL byte")])?;
        // Errors raised outside the context (I/O while importing) go to the
        // thread's handler: the capture collects those too.
        let mut capture = ErrorCapture::start();
        // SAFETY: `c` is a C string alive during the call; the returned
        // context is owned by `ParserCtxt` below.
        let pctxt = unsafe { ffi::xmlSchemaNewParserCtxt(c.as_ptr()) };
        if pctxt.is_null() {
            return Err(vec![XmlError::new(format!("cannot open the schema {}", path.display()))]);
        }
        let pctxt = ParserCtxt(pctxt);
        // SAFETY: `pctxt.0` is a live parser context; `collect` ignores the
        // (null) user pointer and never unwinds.
        let ptr = unsafe {
            ffi::xmlSchemaSetParserStructuredErrors(pctxt.0, collect, std::ptr::null_mut());
            ffi::xmlSchemaParse(pctxt.0)
        };
        drop(pctxt);
        let mut errors = capture.take();
        if ptr.is_null() {
            if errors.is_empty() {
                errors.push(XmlError::new(format!("cannot parse the schema {}", path.display())));
            }
            return Err(errors);
        }
        Ok(Schema { ptr })
    }

    /// Validates a parsed document; the result lists the violations (and
    /// warnings), empty when it is valid.
    pub fn validate_doc(&self, doc: &Document) -> Vec<XmlError> {
        let mut capture = ErrorCapture::start();
        // SAFETY: `self.ptr` is a parsed schema (never freed while `self`
        // lives); the new context is owned by `ValidCtxt` below.
        let vctxt = unsafe { ffi::xmlSchemaNewValidCtxt(self.ptr) };
        if vctxt.is_null() {
            return vec![XmlError::new("libxml2 could not create a validation context")];
        }
        let vctxt = ValidCtxt(vctxt);
        // SAFETY: `vctxt.0` is a live validation context and `doc.ptr` a live
        // document, both used by this thread only; `collect` ignores the
        // (null) user pointer and never unwinds.
        let rc = unsafe {
            ffi::xmlSchemaSetValidStructuredErrors(vctxt.0, collect, std::ptr::null_mut());
            ffi::xmlSchemaValidateDoc(vctxt.0, doc.ptr)
        };
        drop(vctxt);
        let mut errors = capture.take();
        if rc < 0 && errors.is_empty() {
            errors.push(XmlError::new("libxml2 failed internally while validating"));
        }
        errors
    }

    /// Validates `xml` as libxml2 parses it (SAX), building no document:
    /// the memory of the schema and a copy of the text, not of a tree.
    /// For text scapc wrote itself (the build's gate): the parser has
    /// libxml2's default limits (a text node up to 10 MB, nesting up to
    /// 256 levels) and reports duplicate `xs:ID` values only in
    /// [`Schema::validate`]. `Err` means the text is not well-formed (the
    /// errors say why); `Ok` holds the schema violations.
    pub fn validate_stream(&self, xml: &str) -> Result<Vec<XmlError>, Vec<XmlError>> {
        self.validate_stream_parts(&[xml])
    }

    /// [`Schema::validate_stream`] of the text that is `parts` one after
    /// the other, read from them in place: no copy of the text is made
    /// (e.g. a data stream component with namespace declarations added to
    /// its start tag is its tag, the declarations and the rest).
    pub fn validate_stream_parts(&self, parts: &[&str]) -> Result<Vec<XmlError>, Vec<XmlError>> {
        let mut capture = ErrorCapture::start();
        // SAFETY: `self.ptr` is a parsed schema (never freed while `self`
        // lives); the new context is owned by `ValidCtxt` below.
        let vctxt = unsafe { ffi::xmlSchemaNewValidCtxt(self.ptr) };
        if vctxt.is_null() {
            return Err(vec![XmlError::new("libxml2 could not create a validation context")]);
        }
        let vctxt = ValidCtxt(vctxt);
        let mut reader = Parts { parts, at: 0, off: 0 };
        // SAFETY: the callbacks match libxml2's prototypes and never
        // unwind; `reader` outlives the buffer, which the parser context of
        // `xmlSchemaValidateStream` frees before that call returns.
        let input = unsafe {
            ffi::xmlParserInputBufferCreateIO(
                read_parts,
                close_parts,
                (&mut reader as *mut Parts<'_>).cast(),
                ffi::XML_CHAR_ENCODING_UTF8,
            )
        };
        if input.is_null() {
            return Err(vec![XmlError::new("libxml2 could not allocate an input buffer")]);
        }
        // SAFETY: `vctxt.0` is a live validation context used by this thread
        // only; `input` is a fresh buffer whose ownership passes to the
        // call (its parser context frees it); no SAX handler of ours, so
        // libxml2 builds no tree; `collect` ignores the (null) user pointer
        // and never unwinds.
        let rc = unsafe {
            ffi::xmlSchemaSetValidStructuredErrors(vctxt.0, collect, std::ptr::null_mut());
            ffi::xmlSchemaValidateStream(
                vctxt.0,
                input,
                ffi::XML_CHAR_ENCODING_UTF8,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        };
        drop(vctxt);
        let mut errors = capture.take();
        // Well-formedness errors (`XML_ERR_*`, `XML_NS_ERR_*`: codes below
        // 1000) come from the parser; schema violations (`XML_SCHEMAV_*`)
        // are 1800 and up.
        if errors.iter().any(|e| !e.warning && e.code > 0 && e.code < 1000) {
            return Err(errors);
        }
        if rc < 0 && errors.is_empty() {
            errors.push(XmlError::new("libxml2 failed internally while validating"));
        }
        if rc != 0 && errors.is_empty() {
            return Err(vec![XmlError::new("the document is not well-formed XML")]);
        }
        Ok(errors)
    }

    /// Parses `xml` (no size limits, see [`Limits::Huge`]) and validates
    /// it. `Err` means the text could not be parsed at all (the errors say
    /// why); `Ok` holds the schema violations.
    pub fn validate(&self, xml: &str, name: &str) -> Result<Vec<XmlError>, Vec<XmlError>> {
        let doc = Document::parse(xml.as_bytes(), name, Limits::Huge)?;
        Ok(self.validate_doc(&doc))
    }
}

/// Where [`read_parts`] is in the parts of a streamed text.
struct Parts<'a> {
    parts: &'a [&'a str],
    at: usize,
    off: usize,
}

impl Parts<'_> {
    /// Copies the next bytes into `out`; how many (0 at the end).
    fn read(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        while n < out.len() && self.at < self.parts.len() {
            let rest = &self.parts[self.at].as_bytes()[self.off..];
            let k = rest.len().min(out.len() - n);
            out[n..n + k].copy_from_slice(&rest[..k]);
            n += k;
            self.off += k;
            if self.off == self.parts[self.at].len() {
                self.at += 1;
                self.off = 0;
            }
        }
        n
    }
}

/// `xmlInputReadCallback` over a [`Parts`].
unsafe extern "C" fn read_parts(ctx: *mut c_void, buf: *mut std::ffi::c_char, len: std::ffi::c_int) -> std::ffi::c_int {
    let Ok(len) = usize::try_from(len) else { return -1 };
    if ctx.is_null() || buf.is_null() {
        return -1;
    }
    // SAFETY: `ctx` is the `Parts` given with this callback, alive and used
    // by this thread only while libxml2 reads; `buf` has room for `len`
    // bytes, libxml2's own.
    let (reader, out) =
        unsafe { (&mut *ctx.cast::<Parts<'_>>(), std::slice::from_raw_parts_mut(buf.cast::<u8>(), len)) };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.read(out)))
        .ok()
        .and_then(|n| std::ffi::c_int::try_from(n).ok())
        .unwrap_or(-1)
}

/// `xmlInputCloseCallback`: the parts are the caller's; nothing to free.
unsafe extern "C" fn close_parts(_ctx: *mut c_void) -> std::ffi::c_int {
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::structured_handler_installed as handler_installed;

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
        assert!(!handler_installed());
    }

    #[test]
    fn malformed_and_hostile_documents() {
        let t = tempfile::tempdir().unwrap();
        let s = schema(t.path());
        let e = s.validate("<a xmlns=\"urn:t\" id=\"x\">\n<b>1</a>", "m.xml").unwrap_err();
        assert!(e[0].line >= 2, "{e:?}");
        assert!(!handler_installed(), "an early return resets the handler");
        // External entities are never fetched or read.
        let xxe =
            "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/hostname\">]><a xmlns=\"urn:t\" id=\"x\"><b>&x;</b></a>";
        let all = match s.validate(xxe, "x.xml") {
            Ok(v) | Err(v) => v,
        };
        assert!(!all.is_empty(), "an unresolved entity must not validate");
        let _ = std::fs::remove_file(t.path().join("s.xsd"));
        assert!(Schema::load(&t.path().join("s.xsd")).is_err());
        assert!(!handler_installed());
    }

    #[test]
    fn streaming_validation_finds_what_the_tree_finds() {
        let t = tempfile::tempdir().unwrap();
        let s = schema(t.path());
        assert!(s.validate_stream(r#"<a xmlns="urn:t" id="x"><b>1</b></a>"#).unwrap().is_empty());
        let doc = "<a xmlns=\"urn:t\" id=\"x\">\n<b>one</b>\n<b>2</b><b>3</b></a>";
        let errs = s.validate_stream(doc).unwrap();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert_eq!(errs[0].line, 2);
        assert!(errs[0].message.contains("'one' is not a valid value"), "{}", errs[0].message);
        let errs = s.validate_stream(r#"<a xmlns="urn:t"><b>1</b></a>"#).unwrap();
        assert!(errs[0].message.contains("'id' is required"), "{errs:?}");
        let e = s.validate_stream("<a xmlns=\"urn:t\" id=\"x\">\n<b>1</a>").unwrap_err();
        assert!(!e.is_empty());
        assert!(!handler_installed());
    }

    #[test]
    fn a_text_in_parts_validates_as_the_whole() {
        let t = tempfile::tempdir().unwrap();
        let s = schema(t.path());
        // Larger than libxml2's reads (which then end inside characters),
        // cut inside a name and with an empty piece.
        let comment = format!("<!-- {} -->", "é".repeat(20_000));
        let doc = format!("<a xmlns=\"urn:t\" id=\"x\">{comment}\n<b>one</b>\n<b>2</b><b>3</b></a>");
        let whole = s.validate_stream(&doc).unwrap();
        assert_eq!(whole.len(), 2, "{whole:?}");
        let cut = doc.find("<b>one").unwrap() + 2; // inside `b`'s name
        let split = s.validate_stream_parts(&[&doc[..1], &doc[1..cut], "", &doc[cut..]]).unwrap();
        assert_eq!(
            split.iter().map(|e| (e.line, e.message.clone())).collect::<Vec<_>>(),
            whole.iter().map(|e| (e.line, e.message.clone())).collect::<Vec<_>>()
        );
        let bad = s.validate_stream_parts(&["<a xmlns=\"urn:t\" id=\"x\">", "\n<b>1</a>"]).unwrap_err();
        assert!(!bad.is_empty());
        assert!(!handler_installed());
    }

    /// An overlaid file is read from memory, its relative includes from
    /// disk; without the overlay the disk's version is used again.
    #[test]
    fn overlay_replaces_files_in_memory() {
        let t = tempfile::tempdir().unwrap();
        let sub = t.path().join("sub");
        std::fs::create_dir_all(&sub).unwrap();
        let head = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">"#;
        std::fs::write(
            t.path().join("root.xsd"),
            format!(r#"{head}<xs:include schemaLocation="sub/mid.xsd"/></xs:schema>"#),
        )
        .unwrap();
        std::fs::write(
            sub.join("mid.xsd"),
            format!(r#"{head}<xs:include schemaLocation="leaf.xsd"/><xs:element name="a" type="xs:int"/></xs:schema>"#),
        )
        .unwrap();
        std::fs::write(sub.join("leaf.xsd"), format!(r#"{head}<xs:element name="b" type="xs:int"/></xs:schema>"#))
            .unwrap();
        let root = t.path().join("root.xsd");
        let disk = Schema::load(&root).unwrap();
        assert!(!disk.validate_stream(r#"<a xmlns="urn:t">x</a>"#).unwrap().is_empty());
        let mut o = std::collections::HashMap::new();
        o.insert(
            sub.join("mid.xsd"),
            format!(
                r#"{head}<xs:include schemaLocation="leaf.xsd"/><xs:element name="a" type="xs:string"/></xs:schema>"#
            ),
        );
        let mem = Schema::load_with_overlay(&root, o).unwrap();
        assert!(mem.validate_stream(r#"<a xmlns="urn:t">x</a>"#).unwrap().is_empty());
        // leaf.xsd, included relative to the overlaid file, came from disk.
        assert!(!mem.validate_stream(r#"<b xmlns="urn:t">x</b>"#).unwrap().is_empty());
        assert!(!Schema::load(&root).unwrap().validate_stream(r#"<a xmlns="urn:t">x</a>"#).unwrap().is_empty());
        assert!(!handler_installed());
    }

    /// One schema shared by threads validating different documents: each
    /// thread gets exactly its own document's errors.
    #[test]
    fn parallel_validation_keeps_errors_apart() {
        let t = tempfile::tempdir().unwrap();
        let s = std::sync::Arc::new(schema(t.path()));
        let threads: Vec<_> = (0..8u32)
            .map(|i| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for _ in 0..40 {
                        let bad: String = (0..i).map(|_| "\n").collect::<String>() + "<a xmlns=\"urn:t\"><b>x</b></a>";
                        let errs = s.validate(&bad, &format!("doc{i}.xml")).unwrap();
                        // Missing id and a bad int, both on line i + 1.
                        assert_eq!(errs.len(), 2, "thread {i}: {errs:?}");
                        assert!(errs.iter().all(|e| e.line == i + 1), "thread {i}: {errs:?}");
                        assert!(s.validate(r#"<a xmlns="urn:t" id="x"><b>1</b></a>"#, "ok.xml").unwrap().is_empty());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
