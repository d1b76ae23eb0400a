//! A group that holds no rule, at any depth.
//!
//! **Why**: an empty group shows up in every report and tailoring tool as
//! a heading with nothing under it.
//!
//! **Example**: `rules/legacy/group.yml` whose rules were all removed.
//!
//! **Fix**: delete the group directory, or move rules into it.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use std::collections::HashSet;

pub static LINT: Lint = Lint {
    code: "L053",
    name: "empty-group",
    summary: "a group holds no rule",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    let mut full: HashSet<&str> = HashSet::new();
    for r in c.rules.values() {
        let mut g = r.group.as_deref();
        while let Some(id) = g {
            if !full.insert(id) {
                break;
            }
            g = c.groups.get(id).and_then(|x| x.parent.as_deref());
        }
    }
    for g in c.groups.values() {
        if !full.contains(g.id.as_str()) {
            out.push(
                crate::diag(format!("group `{}` holds no rule", g.id))
                    .at(loc_of(&g.locs, "title", &g.file))
                    .hint("delete the group or move rules into it"),
            );
        }
    }
}
