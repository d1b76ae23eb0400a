//! A profile's `var_id=selector` whose selector is not among the value's
//! `options`.
//!
//! **Why**: the profile would set no value at all.
//!
//! **Example**: `- sshd_idle_timeout_value=5_minuts`.
//!
//! **Fix**: use one of the value's selectors, or add it to `options:`.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L010",
    name: "value-selector",
    summary: "a `value=selector` selection names a selector the value does not have",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0301", any_of: &["has no selector"] }],
    check: None,
};
