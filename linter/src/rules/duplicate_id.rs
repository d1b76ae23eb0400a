//! Two rules, groups or values (or two profiles) with the same id.
//!
//! **Why**: profiles name rules, groups and values in one namespace; the
//! second item is dropped.
//!
//! **Example**: `rules/a/sshd_x/rule.yml` and `rules/b/sshd_x/rule.yml`.
//!
//! **Fix**: rename one of the directories or files.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L006",
    name: "duplicate-id",
    summary: "two rules, groups, values or profiles share one id",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0300", any_of: &["is already used"] }],
    check: None,
};
