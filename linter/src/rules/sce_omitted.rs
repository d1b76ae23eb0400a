//! A rule whose only automated check is an SCE script, which `scapc build`
//! leaves out unless `--sce` is given (SP 800-126r3 SRC-118).
//!
//! **Why**: in a conformant build the rule has no automated check.
//!
//! **Example**: `rules/x/sce/shared.sh` without `oval/shared.xml`.
//!
//! **Fix**: add an OVAL check; or accept it (this lint is off by default).

use crate::{Claim, Level, Lint};

pub static LINT: Lint = Lint {
    code: "L017",
    name: "sce-omitted",
    summary: "an SCE check is left out of SCAP 1.3 builds",
    level: Level::Off,
    fixable: false,
    claims: &[Claim { code: "N0700", any_of: &[] }],
    check: None,
};
