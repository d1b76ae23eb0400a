//! XML-DSig signing and verification of SCAP source data streams, as
//! SP 800-126r3 §3.11 and TMSAD (NIST IR 7802) describe.
//!
//! * [`sign`] adds one `dsig:Signature` per `ds:data-stream`, as the last
//!   children of the collection: SignedInfo (Canonical XML 1.1, RSA-SHA256
//!   or ECDSA-SHA256) with three references — the data stream, the TMSAD
//!   `signature-info` in a SignatureProperties object, and a Manifest with
//!   one reference per component of the stream.
//! * [`verify`] checks the signature value, every SignedInfo and Manifest
//!   reference, the SP 800-126 layout and coverage, and, given a trust
//!   anchor, whether the trusted key made the signature. A component that
//!   changed after signing is named in the report. RSA keys of 1024 to
//!   2047 bits are checked and reported as weak.
//! * [`verify_document`] adds, per data stream, whether the stream and
//!   every component it reaches are covered by an accepted signature, and
//!   lists the findings (invalid signature, weak key, uncovered stream or
//!   component).
//!
//! Modules: [`c14n`] (Canonical XML 1.1 over the document text), [`keys`]
//! (PEM, DER, `ring`), [`dsig`] (the signature layout), [`coverage`] (what
//! the signatures cover, per data stream).
//!
//! Invariants: no network access, no entity expansion (DOCTYPEs with
//! declarations or external subsets are refused), components are never
//! re-serialized (the signed document is the input with signatures
//! inserted), and every problem is an [`Error`] value, never a panic.
#![forbid(unsafe_code)]

pub mod c14n;
pub mod coverage;
pub mod dsig;
pub mod keys;

pub use coverage::{Finding, FindingKind, StreamCoverage};
pub use dsig::{sign, verify, verify_document, RefResult, SignOptions, SignatureReport, Target, Verification};
pub use keys::{Certificate, PublicKey, SigningKey};

/// Everything that can go wrong, with a message meant for a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The document is not well-formed XML, not a source data stream, or
    /// refused (DTD declarations); at a 1-based line and column.
    Xml { line: u32, col: u32, message: String },
    /// A key or certificate cannot be read or used.
    Key(String),
    /// The document cannot be signed or verified as asked (already
    /// signed, not signed, duplicate ids, ...).
    Document(String),
    /// The cryptographic library failed.
    Crypto(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Xml { line, col, message } => write!(f, "{line}:{col}: {message}"),
            Error::Key(m) | Error::Document(m) | Error::Crypto(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for String {
    fn from(e: Error) -> String {
        e.to_string()
    }
}

/// Reads a private key from PEM (PKCS#8, or PKCS#1 RSA, or SEC1 P-256).
pub fn load_private_key(pem: &str) -> Result<SigningKey, Error> {
    SigningKey::from_pem(pem)
}

/// Reads the first certificate of a PEM file.
pub fn load_certificate(pem: &str) -> Result<Certificate, Error> {
    Certificate::from_pem(pem)
}

/// Reads a trust anchor: a certificate, a public key, or a private key
/// (its public half), all PEM.
pub fn load_public_key_or_cert(pem: &str) -> Result<PublicKey, Error> {
    PublicKey::from_pem(pem)
}
