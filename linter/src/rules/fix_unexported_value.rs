//! A rule whose fix (bash or ansible) uses a Value through
//! `xccdf_value("x")` that its check does not export (no OVAL
//! `external_variable` and no SCE `check-export` for it).
//!
//! **Why**: after tailoring the value, the fix sets the new value but the
//! check still compares with a hard-coded one, so the rule fails right
//! after remediation (or passes on a wrong setting).
//!
//! **Example**: `bash/shared.sh` writes
//! `ClientAliveInterval {{{ xccdf_value("sshd_idle_timeout_value") }}}`
//! while `oval/shared.xml` checks for `300`.
//!
//! **Fix**: compare with an `<external_variable id="sshd_idle_timeout_value" .../>`
//! in the OVAL check, so the check exports the value too.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use scapc_diagnostics::Location;

pub static LINT: Lint = Lint {
    code: "L049",
    name: "fix-unexported-value",
    summary: "a fix uses a Value that the rule's check does not export",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.products.first() else { return };
    for (id, ro) in &c.rules {
        if !ro.oval && ro.sce.is_none() {
            continue; // a manual rule has no check to export to
        }
        let Some(rule) = c.content.rules.get(id) else { continue };
        let mut exported: Vec<&str> = ro.exports.iter().map(String::as_str).collect();
        if let Some(s) = &ro.sce {
            exported.extend(s.exports.iter().map(|(v, _)| v.as_str()));
        }
        for (lang, fix, file) in [("bash", &ro.bash, &rule.files.bash), ("ansible", &ro.ansible, &rule.files.ansible)] {
            let Some(fix) = fix else { continue };
            let mut seen = Vec::new();
            for v in super::unused_value::subs(&fix.text) {
                if exported.contains(&v) || seen.contains(&v) || !c.content.values.contains_key(v) {
                    continue;
                }
                seen.push(v);
                // Point at the call in the rule's own fix file when there is one.
                let loc = file
                    .as_ref()
                    .and_then(|f| {
                        let s = cx.source(f)?;
                        let (off, _) = super::xccdf_values(&s.text).into_iter().find(|(_, n)| n == v)?;
                        Some(crate::text::loc_at(f, &s.text, &s.lines, off))
                    })
                    .or_else(|| file.as_ref().map(Location::file))
                    .unwrap_or_else(|| loc_of(&rule.locs, "template", &rule.file));
                out.push(
                    crate::diag(format!("the {lang} fix of rule `{id}` uses value `{v}`, which the rule's check does not export"))
                        .at(loc)
                        .hint(format!("compare with `<external_variable id=\"{v}\" .../>` in the OVAL check so that tailoring reaches both")),
                );
            }
        }
    }
}
