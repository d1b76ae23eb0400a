//! A YAML source (after Jinja rendering) that does not parse.
//!
//! **Why**: the item in the file is dropped from the build, and so is every
//! reference to it.
//!
//! **Example**:
//! ```yaml
//! title: Disable root login
//! description: [unclosed
//! ```
//!
//! **Fix**: correct the YAML at the line shown; yamllint cannot read files
//! with Jinja, but this lint reads them after rendering and maps the line
//! back to the source.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L001",
    name: "yaml-syntax",
    summary: "a YAML file is not well-formed",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0100", any_of: &[] }],
    check: None,
};
