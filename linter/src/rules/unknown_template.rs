//! `template: name:` names no directory under `templates/`.
//!
//! **Why**: the rule gets none of the template's checks or fixes.
//!
//! **Example**:
//! ```yaml
//! template:
//!   name: sshd_lineinfle
//! ```
//!
//! **Fix**: correct the name (the finding suggests the nearest one) or add
//! the template.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L007",
    name: "unknown-template",
    summary: "a rule uses a template that does not exist",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0301", any_of: &["unknown template"] }],
    check: None,
};
