//! A rule, group, value or profile whose description is missing, empty or
//! a placeholder (`TODO`, `TBD`, `FIXME`, `...`).
//!
//! **Why**: the description is the documentation the benchmark ships;
//! SCAP tools show it to every reader of a report.
//!
//! **Example**:
//! ```yaml
//! title: SSH Server
//! description: TBD
//! ```
//!
//! **Fix**: describe what the item configures and how to check it by hand.

use crate::context::Context;
use crate::text::is_placeholder;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use scapc_diagnostics::Location;
use std::collections::BTreeMap;
use std::path::Path;

pub static LINT: Lint = Lint {
    code: "L041",
    name: "description",
    summary: "a rule, group, value or profile has no description, or a placeholder",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn one(out: &mut Sink, what: &str, id: &str, text: &str, locs: &BTreeMap<String, Location>, file: &Path) {
    if !is_placeholder(text) {
        return;
    }
    let (msg, loc) = if locs.contains_key("description") {
        (format!("the description of {what} `{id}` is a placeholder"), loc_of(locs, "description", file))
    } else {
        (format!("{what} `{id}` has no description"), loc_of(locs, "title", file))
    };
    out.push(crate::diag(msg).at(loc).hint("add `description:` saying what it configures"));
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    for r in c.rules.values() {
        one(out, "rule", &r.id, &r.description, &r.locs, &r.file);
    }
    for g in c.groups.values() {
        one(out, "group", &g.id, &g.description, &g.locs, &g.file);
    }
    for v in c.values.values() {
        one(out, "value", &v.id, &v.description, &v.locs, &v.file);
    }
    for p in c.profiles.values() {
        one(out, "profile", &p.id, &p.description, &p.locs, &p.file);
    }
}
