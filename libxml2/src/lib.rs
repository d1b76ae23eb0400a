//! The one place in scapc that talks to libxml2 (the system library,
//! linked by `build.rs`), through a small hand-written FFI (`ffi.rs`, kept
//! private), with a safe API on top:
//!
//! - [`Document::parse`]: a document from memory, never with the network
//!   (`XML_PARSE_NONET`, and the no-network external entity loader for
//!   everything else), never substituting entities (no `XML_PARSE_NOENT`)
//!   and never loading a DTD (no `XML_PARSE_DTDLOAD`);
//! - [`Schema`]: an XML Schema loaded from disk, shared by threads,
//!   validating documents; [`Schema::load_with_overlay`] loads it with
//!   some of its files replaced by texts in memory (`overlay.rs`);
//! - [`XPathValue`] from [`Document::xpath`]: XPath 1.0;
//! - [`ErrorCapture`]: libxml2's errors collected per thread, its global
//!   handler reset whenever the guard drops (panics included).
//!
//! Every pointer from libxml2 is owned by a value whose `Drop` frees it,
//! and every `unsafe` block says why it is sound.

mod document;
mod error;
mod ffi;
mod overlay;
mod schema;
mod xpath;

pub use document::{Document, Limits};
pub use error::{structured_handler_installed, ErrorCapture, XmlError};
pub use schema::Schema;
pub use xpath::XPathValue;

/// `strdup` through mimalloc, for libxml2 (see [`init`]).
unsafe extern "C" fn mi_strdup(s: *const std::ffi::c_char) -> *mut std::ffi::c_char {
    if s.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: libxml2 passes a NUL-terminated string, alive during the call.
    let len = unsafe { std::ffi::CStr::from_ptr(s) }.to_bytes_with_nul().len();
    // SAFETY: `mi_malloc` returns null or `len` writable bytes.
    let p = unsafe { libmimalloc_sys::mi_malloc(len) }.cast::<std::ffi::c_char>();
    if !p.is_null() {
        // SAFETY: `s` has `len` readable bytes, `p` as many writable ones,
        // and the two blocks are distinct.
        unsafe { std::ptr::copy_nonoverlapping(s, p, len) };
    }
    p
}

/// Initialises libxml2 once per process: its allocator, its parser
/// globals, and the external entity loader: libxml2's no-network one,
/// with the in-memory files of a schema overlay ([`Schema::load_with_overlay`])
/// in front (schema imports still read files).
///
/// libxml2 allocates through mimalloc, as the rest of scapc does: the
/// memory a validation frees is reused by the compiler and the other way
/// round (with glibc's allocator beside mimalloc, each kept its own, and
/// the build's peak memory was the sum), and mimalloc is faster at the
/// many small blocks of parsing and validation.
pub(crate) fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: these calls only set process-wide state; `Once` makes
        // them run once, before any other libxml2 call of this crate (the
        // only code that calls libxml2), so no block is freed by another
        // allocator than the one that allocated it. The functions match
        // libxml2's `xmlFreeFunc`, `xmlMallocFunc`, `xmlReallocFunc` and
        // `xmlStrdupFunc`. Should `xmlMemSetup` fail, libxml2 keeps its
        // default allocator, which is as sound.
        unsafe {
            ffi::xmlMemSetup(
                libmimalloc_sys::mi_free,
                libmimalloc_sys::mi_malloc,
                libmimalloc_sys::mi_realloc,
                mi_strdup,
            );
            ffi::xmlInitParser();
            ffi::xmlSetExternalEntityLoader(overlay::loader);
        }
    });
}
