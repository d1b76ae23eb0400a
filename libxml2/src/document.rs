//! Documents parsed from memory, with the options every caller gets:
//! `XML_PARSE_NONET`, no entity substitution, no DTD loading, errors and
//! warnings to the collector rather than stderr. A document whose DOCTYPE
//! declares an entity is refused after parsing: an unexpanded reference
//! would still be expanded by anything that reads its text (XPath
//! `string()`, node content), and with [`Limits::Huge`] libxml2 no longer
//! bounds that expansion.

use crate::error::{ErrorCapture, XmlError};
use crate::ffi;
use std::ffi::{c_char, c_int, c_void, CString};

/// libxml2's size and depth limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limits {
    /// libxml2's defaults (e.g. 10 MB text nodes, depth 256): for files
    /// read from a scanned system.
    Default,
    /// `XML_PARSE_HUGE`: no limits, for SCAP content the user asked to
    /// validate (data streams exceed the defaults).
    Huge,
}

/// A parsed document, freed on drop. It stays on the thread that parsed
/// it (libxml2 documents are not synchronised).
pub struct Document {
    pub(crate) ptr: *mut c_void,
}

impl Drop for Document {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `xmlReadMemory`, is non-null and is freed
        // only here, once.
        unsafe { ffi::xmlFreeDoc(self.ptr) }
    }
}

impl Document {
    /// Parses `xml`. `url` names the document in libxml2's messages (and
    /// resolves relative references, which are never fetched from the
    /// network). `Err` holds why it is not well-formed, in order.
    pub fn parse(xml: &[u8], url: &str, limits: Limits) -> Result<Document, Vec<XmlError>> {
        let len = c_int::try_from(xml.len()).map_err(|_| vec![XmlError::new("the document is larger than 2 GiB")])?;
        // An empty name is no name (libxml2 then reports no file).
        let url = (!url.is_empty()).then(|| CString::new(url.replace('\0', "")).unwrap_or_default());
        let url_ptr = url.as_ref().map_or(std::ptr::null(), |u| u.as_ptr());
        let mut options =
            ffi::XML_PARSE_NONET | ffi::XML_PARSE_NOERROR | ffi::XML_PARSE_NOWARNING | ffi::XML_PARSE_BIG_LINES;
        if limits == Limits::Huge {
            options |= ffi::XML_PARSE_HUGE;
        }
        let mut capture = ErrorCapture::start();
        // SAFETY: `xml` is valid for `len` bytes and `url_ptr` is null or a
        // C string, both alive during the call; a null encoding lets libxml2
        // detect it. The options never enable the network, entity
        // substitution or DTD loading.
        let ptr = unsafe { ffi::xmlReadMemory(xml.as_ptr().cast::<c_char>(), len, url_ptr, std::ptr::null(), options) };
        let errors = capture.take();
        if ptr.is_null() {
            return Err(if errors.is_empty() {
                vec![XmlError::new("the document is not well-formed XML")]
            } else {
                errors
            });
        }
        let doc = Document { ptr };
        if let Some(name) = doc.declared_entity() {
            return Err(vec![XmlError::new(format!(
                "the DOCTYPE declares the entity `{name}`; documents that declare entities are not read \
                 (remove the declaration and write the text out)"
            ))]);
        }
        Ok(doc)
    }

    /// The name of an entity the internal DTD subset declares, if any.
    fn declared_entity(&self) -> Option<String> {
        // SAFETY: `self.ptr` is a live document; the internal subset, when
        // present, is an `xmlDtd` whose leading fields match `NodeLinks`,
        // and its children form a `next`-linked list of declarations owned
        // by the document, only read here. Names are C strings or null.
        unsafe {
            let dtd = ffi::xmlGetIntSubset(self.ptr);
            if dtd.is_null() {
                return None;
            }
            let mut node = (*dtd).children;
            while !node.is_null() {
                if (*node).kind == ffi::XML_ENTITY_DECL {
                    let name = (*node).name;
                    return Some(if name.is_null() {
                        String::new()
                    } else {
                        std::ffi::CStr::from_ptr(name).to_string_lossy().into_owned()
                    });
                }
                node = (*node).next;
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::XPathValue;

    #[test]
    fn external_entities_are_never_read() {
        let t = tempfile::tempdir().unwrap();
        let secret = t.path().join("secret.txt");
        std::fs::write(&secret, "SECRET-MARKER").unwrap();
        for limits in [Limits::Default, Limits::Huge] {
            let xml = format!(
                "<!DOCTYPE a [<!ENTITY x SYSTEM \"file://{}\"><!ENTITY % p SYSTEM \"file://{}\"> %p;]><a>&x;</a>",
                secret.display(),
                secret.display()
            );
            let e = Document::parse(xml.as_bytes(), "x.xml", limits).err().unwrap();
            assert!(e[0].message.contains("declares the entity"), "{limits:?}: {e:?}");
        }
    }

    #[test]
    fn entity_expansion_is_bounded() {
        let mut xml = String::from("<!DOCTYPE l [<!ENTITY e0 \"ha\">");
        for i in 1..=12 {
            let p = format!("&e{};", i - 1);
            xml.push_str(&format!("<!ENTITY e{i} \"{}\">", p.repeat(10)));
        }
        xml.push_str("]><l>&e12;</l>");
        let start = std::time::Instant::now();
        for limits in [Limits::Default, Limits::Huge] {
            let r = Document::parse(xml.as_bytes(), "bomb.xml", limits);
            assert!(r.is_err(), "{limits:?}: 10^12 expansions must be refused");
        }
        assert!(start.elapsed().as_secs() < 5);
        // A smaller one parses within libxml2's limits, and would be
        // expanded by `string()` (10^9 bytes) were it not refused.
        let small = xml.replace("&e12;", "&e9;");
        let e = Document::parse(small.as_bytes(), "bomb.xml", Limits::Huge).err().unwrap();
        assert!(e[0].message.contains("declares the entity `e0`"), "{e:?}");
    }

    #[test]
    fn a_doctype_without_entities_is_read() {
        let xml = "<!DOCTYPE a [<!ELEMENT a (#PCDATA)><!ATTLIST a x CDATA \"d\">]><a>t&amp;&#65;</a>";
        let doc = Document::parse(xml.as_bytes(), "a.xml", Limits::Default).unwrap();
        assert_eq!(doc.xpath("string(/a)").unwrap(), XPathValue::String("t&A".into()));
        // Default attributes come from a DTD only when it is loaded: never.
        assert_eq!(doc.xpath("count(/a/@x)").unwrap(), XPathValue::Number(0.0));
    }
}
