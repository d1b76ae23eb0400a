//! A cycle of profile `extends:` or of OVAL `extend_definition`s.
//!
//! **Why**: the result is undefined; evaluation would never finish.
//!
//! **Example**: `a.profile` extends `b`, `b.profile` extends `a`.
//!
//! **Fix**: break the cycle; the finding lists it.

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L012",
    name: "reference-cycle",
    summary: "profiles or OVAL definitions extend each other in a cycle",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0302", any_of: &[] }],
    check: None,
};
