//! XML-DSig signing and verification of SCAP source data streams, as
//! SP 800-126r3 §3.11 and TMSAD describe: [`dsig::sign`] and
//! [`dsig::verify`], over Canonical XML 1.1 ([`c14n`]) and RSA or ECDSA
//! P-256 keys ([`keys`]).
//!
//! Invariants: no network access, no entity expansion (documents are read
//! by `scapc_datastream::read`, which refuses DOCTYPEs with entities), and
//! every problem is an error value, never a panic.

pub mod c14n;
pub mod dsig;
pub mod keys;
