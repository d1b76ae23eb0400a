//! A rule without a rationale, or with a placeholder one (`TODO`, `TBD`,
//! `FIXME`, `...`).
//!
//! **Why**: the rationale is what convinces an administrator to apply the
//! rule, and what an auditor reads when granting an exception.
//!
//! **Example**:
//! ```yaml
//! rationale: TODO
//! ```
//!
//! **Fix**: say what the setting protects against, in a sentence or two.

use super::all_rules;
use crate::context::Context;
use crate::text::is_placeholder;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;

pub static LINT: Lint = Lint {
    code: "L040",
    name: "rationale",
    summary: "a rule has no rationale, or a placeholder",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    for r in all_rules(cx) {
        if !is_placeholder(&r.rationale) {
            continue;
        }
        let (msg, loc) = if r.locs.contains_key("rationale") {
            (format!("the rationale of rule `{}` is a placeholder", r.id), loc_of(&r.locs, "rationale", &r.file))
        } else {
            (format!("rule `{}` has no rationale", r.id), loc_of(&r.locs, "title", &r.file))
        };
        out.push(crate::diag(msg).at(loc).hint("add `rationale:` saying what the setting protects against"));
    }
}
