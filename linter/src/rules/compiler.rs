//! Any compiler finding that no other lint surfaces: a file that cannot be
//! read, or a problem the compiler learns to report before a lint claims it.
//!
//! **Why**: `scapc lint` must never be quieter than `scapc build`; whatever
//! stops a build shows up here, under a code that configuration and
//! suppression comments accept.
//!
//! **Example**: a `rule.yml` that is not readable (`E0001`).
//!
//! **Fix**: see the compiler code named in the finding's hint
//! (docs/diagnostics.md).

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L000",
    name: "compiler",
    summary: "any other problem the compiler reports while loading and compiling the tree",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0001", any_of: &[] }],
    check: None,
};
