//! A Jinja error while rendering a source for a product: bad syntax, a
//! variable or macro that is undefined on the path taken, a loop that runs
//! out of fuel.
//!
//! **Why**: the file is dropped from the build.
//!
//! **Example**: `{{{ no_such_variable }}}` in a `rule.yml`.
//!
//! **Fix**: define the variable (product key, template parameter), guard it
//! with `is defined`, or fix the syntax at the line shown.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L002",
    name: "jinja-render",
    summary: "Jinja rendering fails (syntax error, undefined variable, endless loop)",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0200", any_of: &[] }],
    check: None,
};
