//! A rule with neither OVAL (own or template), nor OCIL text.
//!
//! **Why**: scanners report it as *not checked*.
//!
//! **Example**: a `rule.yml` with a description and no `template:`,
//! `oval/shared.xml` or `ocil`.
//!
//! **Fix**: add a template, an OVAL check, or `ocil` and `ocil_clause`.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L016",
    name: "no-check",
    summary: "a rule has no automated or manual check",
    level: Level::Warning,
    fixable: false,
    claims: &[Claim { code: "W0701", any_of: &[] }],
    check: None,
};
