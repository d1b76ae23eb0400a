//! XML Schema validation: libxml2 through the `scapc-libxml2` crate, the
//! only place with libxml2 FFI. Documents are parsed without the network,
//! without entity substitution and without loading a DTD; errors are
//! collected per thread and libxml2's handler is always reset afterwards.
//!
//! [`Schema::validate`] parses a text and validates it: `Err` when the
//! text is not well-formed, `Ok` with the schema violations otherwise.

pub use scapc_libxml2::{Schema, XmlError as XsdError};
