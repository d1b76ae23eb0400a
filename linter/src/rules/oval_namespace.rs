//! An OVAL fragment beside a rule (`oval/*.xml`) that defines ids outside
//! the rule's namespace: every definition, test, object, state and
//! variable a rule defines should carry the rule id (`test_<rule_id>`,
//! `obj_<rule_id>_extra`), except an `external_variable` named after the
//! Value it binds, and items a macro call writes (their ids come from the
//! macro library and are meant to be shared).
//!
//! **Why**: short ids are global across the whole product; a generic id
//! such as `test_sshd_config` in one rule collides with, or silently
//! shares, the same id in another rule's fragment.
//!
//! **Example**:
//! ```xml
//! <ind:textfilecontent54_test id="test_permit_root" ...>
//! ```
//! in `rules/ssh/sshd_disable_root_login/oval/shared.xml`.
//!
//! **Fix**: build ids from the rule id: `id="test_{{{ rule_id }}}"`.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_diagnostics::Location;

pub static LINT: Lint = Lint {
    code: "L046",
    name: "oval-namespace",
    summary: "a rule's OVAL fragment defines ids that do not carry the rule id",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.products.first() else { return };
    for it in c.oval.items.values() {
        let Some(rule) = c.content.rules.get(&it.owner) else { continue };
        if rule.files.oval.as_deref() != Some(it.file.as_path()) {
            continue; // template output is the template's business
        }
        if it.short.contains(&rule.id) {
            continue;
        }
        if it.el.local_name() == "external_variable" && c.content.values.contains_key(&it.short) {
            continue;
        }
        // An item written by a macro call (no `id=` on its source line).
        let written_here = cx
            .source(&it.file)
            .and_then(|s| s.lines.line(&s.text, it.pos.line as usize))
            .is_some_and(|l| l.contains("id="));
        if !written_here {
            continue;
        }
        out.push(
            crate::diag(format!("`{}` (`<{}>`) in the OVAL of rule `{}` does not carry the rule id", it.short, it.el.name, rule.id))
                .at(Location::at(&it.file, it.pos.line, it.pos.col))
                .hint(format!("name it after the rule, e.g. `{}_{}`, with `{{{{{{ rule_id }}}}}}` in the fragment", it.short, rule.id)),
        );
    }
}
