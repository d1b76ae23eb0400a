//! A description, rationale, warning or OCIL text that is not well-formed
//! XHTML.
//!
//! **Why**: the benchmark cannot be written with broken markup.
//!
//! **Example**: `description: Use <tt>a & b</tt>.`
//!
//! **Fix**: escape `&` as `&amp;` and `<` as `&lt;`, close every tag.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L005",
    name: "xhtml",
    summary: "prose (description, rationale, OCIL) is not well-formed XHTML",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0500", any_of: &["XHTML"] }],
    check: None,
};
