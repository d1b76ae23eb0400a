//! The one place in scapc that talks to libxml2 (the system library,
//! linked by `build.rs`), through a small hand-written FFI (`ffi.rs`, kept
//! private), with a safe API on top:
//!
//! - [`Document::parse`]: a document from memory, never with the network
//!   (`XML_PARSE_NONET`, and the no-network external entity loader for
//!   everything else), never substituting entities (no `XML_PARSE_NOENT`)
//!   and never loading a DTD (no `XML_PARSE_DTDLOAD`);
//! - [`Schema`]: an XML Schema loaded from disk, shared by threads,
//!   validating documents;
//! - [`XPathValue`] from [`Document::xpath`]: XPath 1.0;
//! - [`ErrorCapture`]: libxml2's errors collected per thread, its global
//!   handler reset whenever the guard drops (panics included).
//!
//! Every pointer from libxml2 is owned by a value whose `Drop` frees it,
//! and every `unsafe` block says why it is sound.

mod document;
mod error;
mod ffi;
mod schema;
mod xpath;

pub use document::{Document, Limits};
pub use error::{structured_handler_installed, ErrorCapture, XmlError};
pub use schema::Schema;
pub use xpath::XPathValue;

/// Initialises libxml2 once per process: its parser globals, and the
/// no-network external entity loader (schema imports still read files).
pub(crate) fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: both calls only set process-wide state; `Once` makes them
        // run once, before any other libxml2 call of this crate.
        unsafe {
            ffi::xmlInitParser();
            ffi::xmlSetExternalEntityLoader(ffi::xmlNoNetExternalEntityLoader);
        }
    });
}
