//! Remediation: what to do about the rules that fail.
//!
//! - [`fix`] turns a data stream's fixes into one bash script or one
//!   Ansible playbook for a profile (`scapc fix`, `scapc build --fixes`):
//!   rules in benchmark order, Values substituted, optionally only the
//!   rules a results file says failed.
//! - [`scenario`] finds a tree's test scenarios and reads their headers;
//!   [`sandbox`] runs one in a throwaway overlay root filesystem in private
//!   namespaces; [`suite`] runs them all in parallel and reports
//!   (`scapc test`); [`cac`] finds and renders a ComplianceAsCode
//!   product's scenarios as Automatus does.
//! - [`image`] gathers the kickstart, blueprint and bootc fixes of a
//!   profile into one kickstart, osbuild blueprint or bootc script
//!   (`scapc fix --fix-type kickstart|blueprint|bootc`).
//! - [`apply`] runs the fixes of the rules a scan found failing and
//!   records `fixed` or `error` (`scapc eval --remediate`);
//!   [`from_results`] does it for the failures a results file recorded
//!   (`scapc remediate`).
#![forbid(unsafe_code)]

pub mod apply;
pub mod cac;
pub mod fix;
pub mod from_results;
pub mod image;
pub mod sandbox;
pub mod scenario;
pub mod suite;
