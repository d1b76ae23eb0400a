//! The external entity loader of scapc: libxml2's no-network loader, and
//! in-memory replacements ("overlays") for files, visible only to the
//! thread loading a schema with [`crate::Schema::load_with_overlay`].
//!
//! An overlaid file keeps its path as its URL, so the relative
//! `xs:import` and `xs:include` locations inside it resolve as they would
//! on disk, to other files of the overlay or to the disk. Nothing is
//! written anywhere; the network stays off.

use crate::ffi;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr};
use std::path::{Path, PathBuf};

thread_local! {
    /// The overlay of the schema this thread is loading, keyed by
    /// canonical path; empty otherwise.
    static OVERLAY: RefCell<HashMap<PathBuf, String>> = RefCell::new(HashMap::new());
}

/// The overlay installed on this thread until the guard drops (panics
/// included).
pub(crate) struct Installed;

impl Installed {
    pub(crate) fn new(files: HashMap<PathBuf, String>) -> Installed {
        let canon: HashMap<PathBuf, String> =
            files.into_iter().map(|(p, t)| (std::fs::canonicalize(&p).unwrap_or(p), t)).collect();
        OVERLAY.with(|o| *o.borrow_mut() = canon);
        Installed
    }
}

impl Drop for Installed {
    fn drop(&mut self) {
        OVERLAY.with(|o| o.borrow_mut().clear());
    }
}

/// The local path a URL names, when it names one (`file://` or a path).
fn local_path(url: &str) -> Option<PathBuf> {
    let p = url.strip_prefix("file://").unwrap_or(url);
    if p.contains("://") || !p.starts_with('/') {
        return None;
    }
    Some(Path::new(p).to_path_buf())
}

/// A libxml2 input buffer holding a copy of the overlaid text for `url`,
/// if this thread has an overlay holding it; null if not, or if libxml2
/// could not allocate the buffer (`Some(null)`).
fn lookup(url: &str) -> Option<*mut c_void> {
    OVERLAY.with(|o| {
        let o = o.borrow();
        if o.is_empty() {
            return None;
        }
        let p = local_path(url)?;
        let p = std::fs::canonicalize(&p).unwrap_or(p);
        let text = o.get(&p)?;
        let Ok(len) = std::ffi::c_int::try_from(text.len()) else { return Some(std::ptr::null_mut()) };
        // SAFETY: `text` is valid for `len` bytes during the call and the
        // buffer copies them.
        Some(unsafe { ffi::xmlParserInputBufferCreateMem(text.as_ptr().cast(), len, ffi::XML_CHAR_ENCODING_NONE) })
    })
}

/// `xmlExternalEntityLoader`: an overlaid file from memory, anything else
/// through `xmlNoNetExternalEntityLoader`. Never unwinds.
pub(crate) unsafe extern "C" fn loader(url: *const c_char, id: *const c_char, ctxt: *mut c_void) -> *mut c_void {
    let buf = if url.is_null() {
        None
    } else {
        // SAFETY: libxml2 passes a NUL-terminated URL alive during the call.
        let u = unsafe { CStr::from_ptr(url) }.to_string_lossy().into_owned();
        std::panic::catch_unwind(|| lookup(&u)).ok().flatten()
    };
    let Some(buf) = buf else {
        // SAFETY: the arguments are libxml2's own, passed on unchanged.
        return unsafe { ffi::xmlNoNetExternalEntityLoader(url, id, ctxt) };
    };
    if buf.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `buf` is a fresh input buffer; on success the input owns it.
    let input = unsafe { ffi::xmlNewIOInputStream(ctxt, buf, ffi::XML_CHAR_ENCODING_NONE) };
    if input.is_null() {
        // SAFETY: the input was not created, so `buf` is still ours.
        unsafe { ffi::xmlFreeParserInputBuffer(buf) };
        return std::ptr::null_mut();
    }
    // SAFETY: `input` is a fresh `xmlParserInput` whose `filename` is null;
    // the copy is made by libxml2's allocator, which frees it with the
    // input. `url` is a live C string.
    unsafe { (*input).filename = ffi::xmlStrdup(url) };
    input.cast()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_overlaid() {
        assert_eq!(local_path("/a/b.xsd"), Some(PathBuf::from("/a/b.xsd")));
        assert_eq!(local_path("file:///a/b.xsd"), Some(PathBuf::from("/a/b.xsd")));
        assert_eq!(local_path("http://x/b.xsd"), None);
        assert_eq!(local_path("b.xsd"), None);
    }
}
