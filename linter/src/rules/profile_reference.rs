//! A profile that selects, unselects or refines an unknown rule, group or
//! value, extends an unknown profile, or refines with an invalid value.
//!
//! **Why**: the selection silently does nothing in other tools; scapc stops
//! the build.
//!
//! **Example**:
//! ```yaml
//! selections:
//!   - sshd_disable_rot_login
//! ```
//!
//! **Fix**: correct the id (the finding suggests the nearest one).

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L009",
    name: "profile-reference",
    summary: "a profile selects or extends something that does not exist",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0301", any_of: &["profile `"] }, Claim { code: "E0104", any_of: &["is not a valid severity", "is not a valid weight", "is not a valid role"] }],
    check: None,
};
