//! A `platform:` expression with bad syntax, a platform name with no
//! `applicability/<name>.yml`, an argument given to a platform that takes
//! none (or missing), or a product CPE check that is not a platform.
//!
//! **Why**: the rule or group would have no applicability.
//!
//! **Example**: `platform: package[openssh-server] and and machine`.
//!
//! **Fix**: write names joined by `and`, `or`, `not`; add the platform.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L013",
    name: "platform",
    summary: "a platform expression is not valid or names an unknown platform",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0600", any_of: &[] }, Claim { code: "E0301", any_of: &["unknown platform", "product CPE check"] }],
    check: None,
};
