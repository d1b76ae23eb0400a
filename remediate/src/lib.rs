//! Remediation: what to do about the rules that fail.
//!
//! - [`fix`] turns a data stream's fixes into one bash script or one
//!   Ansible playbook for a profile (`scapc fix`, `scapc build --fixes`):
//!   rules in benchmark order, Values substituted, optionally only the
//!   rules a results file says failed.
#![forbid(unsafe_code)]

pub mod fix;
