//! A description, rationale, warning or OCIL text that is not well-formed
//! XHTML. The check is the compiler's own (`scapc_compiler::text::xhtml`,
//! which `scapc build` runs when it writes the benchmark).
//!
//! **Why**: the benchmark cannot be written with broken markup.
//!
//! **Example**: `description: Use <tt>a & b</tt>.`
//!
//! **Fix**: escape `&` as `&amp;` and `<` as `&lt;`, close every tag.

use crate::context::Context;
use crate::{Claim, Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use scapc_compiler::text::xhtml;
use scapc_diagnostics::Location;
use std::collections::BTreeMap;
use std::path::Path;

pub static LINT: Lint = Lint {
    code: "L005",
    name: "xhtml",
    summary: "prose (description, rationale, OCIL) is not well-formed XHTML",
    level: Level::Error,
    fixable: false,
    claims: &[Claim { code: "E0500", any_of: &["XHTML"] }],
    check: Some(check),
};

fn field(out: &mut Sink, what: &str, text: &str, key: &str, locs: &BTreeMap<String, Location>, file: &Path) {
    if text.is_empty() {
        return;
    }
    if let Err(e) = xhtml(text, &|id: &str| format!("xccdf_lint_value_{id}")) {
        out.push(
            crate::diag(format!("`{key}` of {what} is not well-formed XHTML: {e}"))
                .at(loc_of(locs, key, file))
                .hint("close every tag and write a literal `&` or `<` as `&amp;` or `&lt;`"),
        );
    }
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    for r in c.rules.values() {
        let what = format!("rule `{}`", r.id);
        field(out, &what, &r.description, "description", &r.locs, &r.file);
        field(out, &what, &r.rationale, "rationale", &r.locs, &r.file);
        if let Some(t) = &r.fixtext {
            field(out, &what, t, "fixtext", &r.locs, &r.file);
        }
        for (_, t) in &r.warnings {
            field(out, &what, t, "warnings", &r.locs, &r.file);
        }
    }
    for g in c.groups.values() {
        field(out, &format!("group `{}`", g.id), &g.description, "description", &g.locs, &g.file);
    }
    for v in c.values.values() {
        field(out, &format!("value `{}`", v.id), &v.description, "description", &v.locs, &v.file);
    }
    for p in c.profiles.values() {
        field(out, &format!("profile `{}`", p.id), &p.description, "description", &p.locs, &p.file);
    }
}
