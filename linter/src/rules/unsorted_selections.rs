//! A run of plain rule selections in a profile (consecutive `- rule_id`
//! lines, with no comment or blank line between them) that is not in
//! alphabetical order. Off by default: many profiles order rules by
//! topic on purpose. Turn it on in `scapc-lint.yml`.
//!
//! **Why**: sorted lists make a missing or doubled rule obvious in review
//! and keep merges of concurrent edits simple.
//!
//! **Example**:
//! ```yaml
//! selections:
//!   - sshd_set_keepalive
//!   - sshd_disable_root_login
//! ```
//!
//! **Fix**: `scapc lint --fix` sorts each run in place; lines move whole,
//! comments and blank lines are run boundaries and stay where they are.
//! Selecting is order-independent, so the profile means the same.

use crate::context::Context;
use crate::fix::Fix;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::Selection;

pub static LINT: Lint = Lint {
    code: "L051",
    name: "unsorted-selections",
    summary: "a run of plain rule selections is not sorted",
    level: Level::Off,
    fixable: true,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    for p in c.profiles.values() {
        let Some(src) = cx.source(&p.file) else { continue };
        // Runs: (line, id) of consecutive plain `- id` lines.
        let mut runs: Vec<Vec<(usize, &str)>> = Vec::new();
        let mut last_line = 0;
        for s in &p.selections {
            let (Selection::Select(id), Some(pos)) = (&s.value, s.loc.pos) else {
                last_line = 0;
                continue;
            };
            let line = pos.line as usize;
            let plain = src.lines.line(&src.text, line).is_some_and(|l| l.trim() == format!("- {id}"));
            if !plain {
                last_line = 0;
                continue;
            }
            match runs.last_mut() {
                Some(run) if last_line != 0 && line == last_line + 1 => run.push((line, id)),
                _ => runs.push(vec![(line, id)]),
            }
            last_line = line;
        }
        for run in runs.into_iter().filter(|r| r.len() > 1) {
            let Some(k) = run.windows(2).position(|w| w[0].1 > w[1].1) else { continue };
            let (first, last) = (run[0].0, run[run.len() - 1].0);
            let (Some((a, _)), Some((_, b))) = (src.lines.span(&src.text, first), src.lines.span(&src.text, last)) else { continue };
            let mut lines: Vec<(&str, &str)> = run
                .iter()
                .map(|(l, id)| (*id, src.lines.line(&src.text, *l).unwrap_or("")))
                .collect();
            lines.sort_by(|x, y| x.0.cmp(y.0));
            let sorted = lines.iter().map(|(_, l)| *l).collect::<Vec<_>>().join("\n");
            let at = p.selections.iter().find(|s| s.loc.pos.is_some_and(|q| q.line as usize == run[k + 1].0)).map(|s| s.loc.clone());
            out.push_fix(
                crate::diag(format!("`{}` comes after `{}` in profile `{}`; the run is not sorted", run[k + 1].1, run[k].1, p.id))
                    .at(at.unwrap_or_else(|| scapc_diagnostics::Location::at(&p.file, run[k + 1].0 as u32, 1)))
                    .hint(format!("sort lines {first}-{last} alphabetically")),
                Some(Fix::one(&p.file, a, b, sorted)),
            );
        }
    }
}
