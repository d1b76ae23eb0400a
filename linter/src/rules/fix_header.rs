//! A bash or ansible fix header (`# strategy = ...`, `# reboot = ...`,
//! `# complexity = ...`, `# disruption = ...`) whose value XCCDF does not
//! allow.
//!
//! **Why**: the benchmark would not validate.
//!
//! **Example**: `# strategy = fix-it`.
//!
//! **Fix**: use a value the finding lists.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L015",
    name: "fix-header",
    summary: "a fix header (`# reboot = ...`) has an invalid value",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0104", any_of: &["fix header"] }],
    check: None,
};
