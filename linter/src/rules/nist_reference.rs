//! A NIST SP 800-53 reference (`references: nist:`) that is not a control
//! id: a family of two capital letters that 800-53 defines, a dash, a
//! number, then optional enhancements and items in parentheses, e.g.
//! `AC-6`, `AC-6(2)`, `AC-17(a)`, `IA-5(1)(c)`.
//!
//! **Why**: a malformed id links to nothing, and reports that map rules to
//! controls miss the rule.
//!
//! **Example**: `nist: AC6(2),ac-17(a),AC-17 (a)`.
//!
//! **Fix**: write each id as 800-53 prints it, separated by commas.

use super::{all_rules, reference_loc, scheme};
use crate::context::Context;
use crate::{Level, Lint, Sink};

pub static LINT: Lint = Lint {
    code: "L033",
    name: "nist-reference",
    summary: "a NIST 800-53 reference is not a well-formed control id",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

const FAMILIES: [&str; 20] = ["AC", "AT", "AU", "CA", "CM", "CP", "IA", "IR", "MA", "MP", "PE", "PL", "PM", "PS", "PT", "RA", "SA", "SC", "SI", "SR"];

/// `AC-6`, `AC-6(2)`, `AC-17(a)`, `IA-5(1)(c)`.
pub fn is_control(s: &str) -> bool {
    let Some((fam, rest)) = s.split_once('-') else { return false };
    if !FAMILIES.contains(&fam) {
        return false;
    }
    let num_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&num_len) || rest.starts_with('0') {
        return false;
    }
    let mut tail = &rest[num_len..];
    while !tail.is_empty() {
        let Some(inner_end) = tail.strip_prefix('(').and_then(|t| t.find(')')) else { return false };
        let inner = &tail[1..1 + inner_end];
        let ok = (inner.len() <= 2 && !inner.is_empty() && inner.bytes().all(|b| b.is_ascii_digit()))
            || (inner.len() == 1 && inner.bytes().all(|b| b.is_ascii_lowercase()));
        if !ok {
            return false;
        }
        tail = &tail[inner_end + 2..];
    }
    true
}

fn check(cx: &Context, out: &mut Sink) {
    for r in all_rules(cx) {
        for (key, ids) in &r.references {
            if scheme(key) != "nist" {
                continue;
            }
            let bad: Vec<&String> = ids.iter().filter(|i| !is_control(i)).collect();
            if bad.is_empty() {
                continue;
            }
            out.push(
                crate::diag(format!(
                    "{} not {} NIST 800-53 control id{}",
                    bad.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", "),
                    if bad.len() == 1 { "is" } else { "are" },
                    if bad.len() == 1 { "" } else { "s" },
                ))
                .at(reference_loc(cx, r, key))
                .hint("write ids like `AC-6`, `AC-6(2)`, `AC-17(a)`, `IA-5(1)(c)`, separated by commas"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_ids() {
        for ok in ["AC-6", "AC-6(2)", "AC-17(a)", "IA-5(1)(c)", "SC-7(10)", "AU-12(c)"] {
            assert!(super::is_control(ok), "{ok}");
        }
        for bad in ["AC6", "ac-6", "AC-6 (2)", "XX-1", "AC-06", "AC-6(", "AC-6(ab)", "AC-6()", "AC-"] {
            assert!(!super::is_control(bad), "{bad}");
        }
    }
}
