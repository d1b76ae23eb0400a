//! An OVAL fragment (rule `oval/*.xml`, a template's `oval.template`, an
//! `applicability/*.xml`) that is not well-formed XML after rendering, lacks
//! its `<def-group>` root, holds an element a def-group cannot hold, or an
//! element without `id`.
//!
//! **Why**: the fragment is dropped and the rule loses its check.
//!
//! **Example**:
//! ```xml
//! <def-group><definition id="x" class="compliance" version="1"></def-group>
//! ```
//!
//! **Fix**: close the tags; write a bare `&` or `<` as `&amp;` / `&lt;`.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L004",
    name: "oval-syntax",
    summary: "an OVAL fragment is not well-formed XML or not a def-group",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0500", any_of: &["OVAL", "def-group", "has no `id`"] }],
    check: None,
};
