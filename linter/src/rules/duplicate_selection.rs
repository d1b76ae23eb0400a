//! A profile that lists the same selection twice, or takes back a
//! refinement (`!rule.role=unscored`) that nothing made (compiler
//! `W0310`).
//!
//! **Why**: the second entry does nothing; often it was meant to be a
//! different rule, which is now missing from the profile.
//!
//! **Example**:
//! ```yaml
//! selections:
//!   - sshd_disable_root_login
//!   - sshd_disable_root_login
//! ```
//!
//! **Fix**: `scapc lint --fix` deletes the repeated line when it holds
//! nothing but the selection.

use crate::context::Context;
use crate::fix::Fix;
use crate::{Claim, Level, Lint, Sink};
use scapc_compiler::model::{ControlPick, Selection};

pub static LINT: Lint = Lint {
    code: "L052",
    name: "duplicate-selection",
    summary: "a profile lists the same selection twice, or takes back a refinement nothing made",
    level: Level::Warning,
    fixable: true,
    claims: &[Claim { code: "W0310", any_of: &[] }],
    check: Some(check),
};

/// The text of a selection as written in a profile.
pub fn selection_text(s: &Selection) -> String {
    match s {
        Selection::Select(id) => id.clone(),
        Selection::Unselect(id) => format!("!{id}"),
        Selection::SetValue { value, selector } => format!("{value}={selector}"),
        Selection::Refine { rule, attr, value } => format!("{rule}.{attr}={value}"),
        Selection::Unrefine { rule, attr, value } => format!("!{rule}.{attr}={value}"),
        Selection::Controls { policy, which } => match which {
            ControlPick::All => format!("{policy}:all"),
            ControlPick::Level(l) => format!("{policy}:all:{l}"),
            ControlPick::One(c) => format!("{policy}:{c}"),
        },
    }
}

/// Whether a line is exactly `- <item>` (item optionally quoted).
pub fn is_plain_item(line: &str, item: &str) -> bool {
    let Some(rest) = line.trim().strip_prefix("- ") else { return false };
    let rest = rest.trim();
    rest == item || rest == format!("'{item}'") || rest == format!("\"{item}\"")
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    for p in c.profiles.values() {
        let src = cx.source(&p.file);
        for (i, s) in p.selections.iter().enumerate() {
            let Some(first) = p.selections[..i].iter().find(|x| x.value == s.value) else { continue };
            let text = selection_text(&s.value);
            let fix = src.and_then(|src| {
                let line = s.loc.pos?.line as usize;
                let l = src.lines.line(&src.text, line)?;
                if !is_plain_item(l, &text) {
                    return None;
                }
                let (a, b) = src.lines.full_span(&src.text, line)?;
                Some(Fix::one(&p.file, a, b, ""))
            });
            out.push_fix(
                crate::diag(format!("profile `{}` lists `{text}` twice", p.id))
                    .at(s.loc.clone())
                    .related(first.loc.clone(), "first listed here")
                    .hint("delete one of them"),
                fix,
            );
        }
    }
}
