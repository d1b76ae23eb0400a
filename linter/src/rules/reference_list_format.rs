//! A `references:` entry whose comma-separated list is not in the
//! canonical form: spaces around commas, empty items or an id listed
//! twice.
//!
//! **Why**: the list is split on commas, so the content is the same, but
//! diffs and reviews get noisy, and a repeated id hides a missing one.
//!
//! **Example**: `nist: AC-6(2), AC-17(a),,AC-6(2)`.
//!
//! **Fix**: `scapc lint --fix` rewrites the list in place as
//! `AC-6(2),AC-17(a)` (quotes, comments and everything else stay).

use super::{all_rules, reference_loc};
use crate::context::Context;
use crate::fix::Fix;
use crate::text::scalar_after_colon;
use crate::{Level, Lint, Sink};

pub static LINT: Lint = Lint {
    code: "L050",
    name: "reference-list-format",
    summary: "a reference list has spaces around commas, empty items or repeats",
    level: Level::Warning,
    fixable: true,
    claims: &[],
    check: Some(check),
};

/// The canonical form of a comma-separated list.
pub fn normalize(list: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.join(",")
}

fn check(cx: &Context, out: &mut Sink) {
    for r in all_rules(cx) {
        let Some(src) = cx.source(&r.file) else { continue };
        for (key, _) in &r.references {
            let loc = reference_loc(cx, r, key);
            let Some(pos) = loc.pos else { continue };
            let Some(line) = src.lines.line(&src.text, pos.line as usize) else { continue };
            if line.contains("{{") {
                continue;
            }
            let Some(key_at) = src.lines.offset(&src.text, pos) else { continue };
            let (start, _) = src.lines.span(&src.text, pos.line as usize).unwrap_or((0, 0));
            let Some((a, b, _)) = scalar_after_colon(line, key_at - start) else { continue };
            let raw = &line[a..b];
            let want = normalize(raw);
            if want == raw || want.is_empty() {
                continue;
            }
            out.push_fix(
                crate::diag(format!("the `{key}` reference list is not in canonical form"))
                    .at(crate::text::loc_at(&r.file, &src.text, &src.lines, start + a))
                    .hint(format!("write `{want}`")),
                Some(Fix::one(&r.file, start + a, start + b, want)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn normal_form() {
        assert_eq!(super::normalize("AC-6(2), AC-17(a),,AC-6(2) "), "AC-6(2),AC-17(a)");
        assert_eq!(super::normalize("AC-6"), "AC-6");
    }
}
