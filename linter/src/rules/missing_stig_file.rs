//! Rules of a ComplianceAsCode product have `stigid` references, but the
//! product's DISA STIG benchmark (`shared/references/disa-stig-<product>-*-xccdf-manual.xml`)
//! is not in the tree.
//!
//! **Why**: ComplianceAsCode's build takes the `stigref` references (DISA's
//! rule ids, `SV-…r…_rule`) from that file; without it the benchmark has
//! none, and tools that map results to the STIG cannot.
//!
//! **Example**: a rhel9 rule with `stigid@rhel9: RHEL-09-211010` in a
//! checkout whose `shared/references/` lacks DISA's rhel9 STIG.
//!
//! **Fix**: put DISA's STIG (XCCDF, manual) for the product into
//! `shared/references/`, or turn this lint off where the references are not
//! wanted.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L054",
    name: "missing-stig-file",
    summary: "`stigid` references without the product's DISA STIG file",
    level: Level::Warning,
    fixable: false,
    claims: &[Claim { code: "W0702", any_of: &[] }],
    check: None,
};
