//! A file placed where the content tree's layout does not allow it, such
//! as a rule directory inside another rule directory.
//!
//! **Why**: the compiler cannot tell what the file belongs to and drops it.
//!
//! **Example**: `rules/ssh/sshd_a/sshd_b/rule.yml`.
//!
//! **Fix**: move the directory next to the other rules, under a group.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L003",
    name: "layout",
    summary: "a file is somewhere the tree layout does not allow",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0303", any_of: &[] }],
    check: None,
};
