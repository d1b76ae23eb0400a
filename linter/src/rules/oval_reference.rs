//! OVAL fragments that do not link: an `extend_definition`, `test_ref`,
//! `object_ref`, `state_ref`, `var_ref`, `<filter>` or `<object_reference>`
//! naming a short id defined nowhere; a rule whose OVAL lacks the definition
//! named after the rule; one short id defined twice with different content.
//!
//! **Why**: a definition with a dangling `extend_definition` used to be
//! dropped silently; now the build stops, and the linter points at both ends.
//!
//! **Example**:
//! ```xml
//! <extend_definition definition_ref="sshd_installed_typo" comment="..."/>
//! ```
//!
//! **Fix**: correct the reference or add the missing definition.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L011",
    name: "oval-reference",
    summary: "an OVAL reference (extend_definition, test, object, state, variable) points at nothing, or OVAL ids conflict",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0301", any_of: &["which is not defined"] }, Claim { code: "E0501", any_of: &[] }, Claim { code: "E0300", any_of: &["defined twice"] }],
    check: None,
};
