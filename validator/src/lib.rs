//! Validation of SCAP documents. So far: XML Schema (XSD) validation
//! through libxml2 ([`xsd`]).

pub mod xsd;
