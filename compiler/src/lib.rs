//! The scapc compiler: loads a content tree of YAML rules and Jinja
//! templates and emits XCCDF 1.2, OVAL 5.11, OCIL 2.0, a CPE 2.3
//! dictionary and an SP 800-126r3 source data stream.
//!
//! Pipeline ([`pipeline`]): read ([`load`], files → [`model`]) → resolve
//! (templates, platforms, profiles) → link (OVAL, references; [`cac`] and
//! [`cac_checks`] for ComplianceAsCode trees) → emit ([`xccdf`], [`oval`],
//! [`ocil`], [`cpe`], `scapc_datastream::compose`) → [`build`] (validation
//! gate, atomic writes). See docs/ARCHITECTURE.md.
#![forbid(unsafe_code)]

pub mod build;
pub mod cac;
pub mod cac_checks;
pub mod cac_cpe;
pub mod cac_fix;
pub mod cac_stig;
pub mod codes;
pub mod compile;
pub mod cpe;
pub mod docs;
pub mod incremental;

pub mod jinja;
pub mod load;
pub mod manifest;
pub mod model;
pub mod ocil;
pub mod oval;
pub mod pipeline;
pub mod platform;
pub mod source;
pub mod templates;
pub mod text;
pub mod xccdf;
pub mod yaml;

pub use build::{build, BuildOptions, BuildReport};
