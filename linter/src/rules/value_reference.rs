//! A fix or description calling `xccdf_value("x")`, an OVAL
//! `<external_variable id="x">` or an SCE `check-export` with no Value `x`.
//!
//! **Why**: the generated `<xccdf:sub>` or check-export would be dangling.
//!
//! **Example**: `{{{ xccdf_value("var_sshd_timout") }}}`.
//!
//! **Fix**: add `x.var` or correct the name.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L014",
    name: "value-reference",
    summary: "`xccdf_value()`, an OVAL external variable or an SCE export names no Value",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0301", any_of: &["xccdf_value", "external variable", "check-export"] }],
    check: None,
};
