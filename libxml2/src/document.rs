//! Documents parsed from memory, with the options every caller gets:
//! `XML_PARSE_NONET`, no entity substitution, no DTD loading, errors and
//! warnings to the collector rather than stderr.

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
        let url = CString::new(url.replace('\0', "")).unwrap_or_default();
        let mut options =
            ffi::XML_PARSE_NONET | ffi::XML_PARSE_NOERROR | ffi::XML_PARSE_NOWARNING | ffi::XML_PARSE_BIG_LINES;
        if limits == Limits::Huge {
            options |= ffi::XML_PARSE_HUGE;
        }
        let mut capture = ErrorCapture::start();
        // SAFETY: `xml` is valid for `len` bytes and `url` is a C string, both
        // alive during the call; a null encoding lets libxml2 detect it. The
        // options never enable the network, entity substitution or DTD
        // loading.
        let ptr =
            unsafe { ffi::xmlReadMemory(xml.as_ptr().cast::<c_char>(), len, url.as_ptr(), std::ptr::null(), options) };
        let errors = capture.take();
        if ptr.is_null() {
            return Err(if errors.is_empty() {
                vec![XmlError::new("the document is not well-formed XML")]
            } else {
                errors
            });
        }
        Ok(Document { ptr })
    }
}
