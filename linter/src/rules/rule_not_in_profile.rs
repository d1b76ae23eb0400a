//! A rule that no profile selects, directly, through a selected group, or
//! through `extends`.
//!
//! **Why**: a rule in no profile is never evaluated by anyone who picks a
//! profile, which is nearly everyone; it is often a forgotten addition.
//!
//! **Example**: `rules/ssh/sshd_new_setting/rule.yml` added, but no
//! `profiles/*.profile` lists `sshd_new_setting`.
//!
//! **Fix**: add the rule to the profiles it belongs in, or silence the
//! finding with `# scapc-lint: disable=rule-not-in-profile` above `title:`
//! when the rule is meant for tailoring only.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use std::collections::HashSet;

pub static LINT: Lint = Lint {
    code: "L043",
    name: "rule-not-in-profile",
    summary: "no profile selects the rule",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.products.first() else { return };
    if c.content.profiles.is_empty() {
        return;
    }
    // A profile the compiler could not resolve selects nothing: the
    // finding would be noise after its error.
    if cx.compiler.iter().any(|d| d.severity == scapc_diagnostics::Severity::Error && d.location.as_ref().is_some_and(|l| l.file.extension().is_some_and(|e| e == "profile"))) {
        return;
    }
    let selected: HashSet<&str> = cx
        .products
        .iter()
        .flat_map(|p| p.profiles.iter())
        .flat_map(|p| p.select.iter().filter(|(_, on)| *on).map(|(r, _)| r.as_str()))
        .collect();
    for r in c.content.rules.values() {
        if !selected.contains(r.id.as_str()) {
            out.push(
                crate::diag(format!("no profile selects rule `{}`", r.id))
                    .at(loc_of(&r.locs, "title", &r.file))
                    .hint("add it to a profile's `selections:` (or select its group)"),
            );
        }
    }
}
