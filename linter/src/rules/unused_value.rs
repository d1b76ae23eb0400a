//! A Value that no rule uses: no `xccdf_value("x")` in any rule, template
//! or fix, no OVAL external variable and no SCE export binds it. Setting
//! it in a profile does not count as a use.
//!
//! **Why**: tailoring an unused value changes nothing, which misleads the
//! person tailoring; it is usually left behind after a rule was removed.
//!
//! **Example**: `rules/ssh/var_sshd_old_timeout.var` after its rule was
//! deleted.
//!
//! **Fix**: delete the value (and its profile selections) or use it.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::jinja::{SUB_CLOSE, SUB_OPEN};
use scapc_compiler::model::loc_of;
use std::collections::HashSet;

pub static LINT: Lint = Lint {
    code: "L044",
    name: "unused-value",
    summary: "no rule uses the value",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

/// Values a rendered text names through `xccdf_value()` markers.
pub fn subs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(SUB_OPEN) {
        let after = &rest[i + SUB_OPEN.len()..];
        let Some(end) = after.find(SUB_CLOSE) else { break };
        out.push(&after[..end]);
        rest = &after[end..];
    }
    out
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    if c.values.is_empty() {
        return;
    }
    let mut used: HashSet<String> = HashSet::new();
    for p in &cx.products {
        for ro in p.rules.values() {
            used.extend(ro.exports.iter().cloned());
            if let Some(s) = &ro.sce {
                used.extend(s.exports.iter().map(|(v, _)| v.clone()));
            }
            for f in [&ro.bash, &ro.ansible].into_iter().flatten() {
                used.extend(subs(&f.text).into_iter().map(str::to_owned));
            }
        }
    }
    // xccdf_value() in any source, rendered or not (descriptions, OCIL,
    // templates, rule-local files).
    for r in c.rules.values() {
        for f in super::rule_sources(r) {
            if let Some(s) = cx.source(f) {
                used.extend(super::xccdf_values(&s.text).into_iter().map(|(_, v)| v));
            }
        }
    }
    for t in c.templates.values() {
        for (_, src) in t.languages.values() {
            used.extend(super::xccdf_values(src).into_iter().map(|(_, v)| v));
        }
    }
    for v in c.values.values() {
        if !used.contains(&v.id) {
            out.push(
                crate::diag(format!("no rule uses value `{}`", v.id))
                    .at(loc_of(&v.locs, "title", &v.file))
                    .hint("use it with `xccdf_value(\"...\")` or an OVAL `external_variable`, or delete it"),
            );
        }
    }
}
