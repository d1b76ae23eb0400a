//! A CCE identifier that is not of the form `CCE-<digits>-<digit>`.
//!
//! **Why**: SCAPVal (A-17-1) rejects it, and nobody can look it up.
//!
//! **Example**: `cce@debian12: CCE-8O644-8` (a letter O), or `CCE80644-8`.
//!
//! **Fix**: write the identifier as published, e.g. `CCE-80644-8`.

use super::{all_rules, scheme};
use crate::context::Context;
use crate::{Level, Lint, Sink};

pub static LINT: Lint = Lint {
    code: "L032",
    name: "cce-format",
    summary: "a CCE is not of the form CCE-<digits>-<digit>",
    level: Level::Error,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    for r in all_rules(cx) {
        for i in &r.identifiers {
            let (k, v) = &i.value;
            if scheme(k).eq_ignore_ascii_case("cce") && super::cce_check_digit::parts(v).is_none() {
                out.push(
                    crate::diag(format!("`{v}` is not a CCE: expected `CCE-<digits>-<check digit>`"))
                        .at(i.loc.clone())
                        .hint("copy the CCE exactly as it is published, e.g. `CCE-80644-8`"),
                );
            }
        }
    }
}
