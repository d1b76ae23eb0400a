//! A rule's `template: vars:` against the template's declared
//! parameters: a required one missing, an unknown one, a value of the wrong
//! type or outside `allowed`.
//!
//! **Why**: the template would render with wrong or missing values.
//!
//! **Example**: `vars: {parameter: PermitRootLogin, valu: 'no'}`.
//!
//! **Fix**: use the parameter names and types of `templates/<name>/template.yml`
//! (see docs/templates.md).

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L008",
    name: "template-parameter",
    summary: "a template parameter is missing, unknown, ill-typed or not allowed",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0400", any_of: &[] }],
    check: None,
};
