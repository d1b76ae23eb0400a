//! A CCE whose check digit is wrong. The CCE check digit is the Luhn check
//! digit over the other digits: `CCE-80001-3` is wrong, Luhn over
//! `80001` gives 1, so `CCE-80001-1` is well-formed.
//!
//! **Why**: SCAPVal (A-17-1) rejects the content, and a typo in a CCE
//! silently points readers at another configuration.
//!
//! **Example**: `cce@debian12: CCE-80001-3` (should end in 1).
//!
//! **Fix**: `scapc lint --fix` rewrites the check digit in place (only the
//! digit changes; comments and formatting stay). Check that the digits
//! before it are the ones you meant.

use super::{all_rules, scheme};
use crate::context::Context;
use crate::fix::Fix;
use crate::text::scalar_after_colon;
use crate::{Level, Lint, Sink};

pub static LINT: Lint = Lint {
    code: "L031",
    name: "cce-check-digit",
    summary: "a CCE's check digit (Luhn) is wrong",
    level: Level::Error,
    fixable: true,
    claims: &[],
    check: Some(check),
};

/// The parts of `CCE-<digits>-<digit>`.
pub fn parts(cce: &str) -> Option<(&str, u32)> {
    let rest = cce.strip_prefix("CCE-")?;
    let (body, check) = rest.rsplit_once('-')?;
    if body.is_empty() || check.len() != 1 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((body, check.chars().next()?.to_digit(10)?))
}

/// The Luhn check digit for `digits`.
pub fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 0 {
                let x = d * 2;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

fn check(cx: &Context, out: &mut Sink) {
    for r in all_rules(cx) {
        for i in &r.identifiers {
            let (k, v) = &i.value;
            if !scheme(k).eq_ignore_ascii_case("cce") {
                continue;
            }
            let Some((body, digit)) = parts(v) else { continue };
            let want = luhn_digit(body);
            if want == digit {
                continue;
            }
            let good = format!("CCE-{body}-{want}");
            let fix = fix_for(cx, &i.loc, v, &good);
            out.push_fix(
                crate::diag(format!("the check digit of `{v}` is wrong: Luhn gives {want} (`{good}`)"))
                    .at(i.loc.clone())
                    .hint(format!("write `{good}` if `{body}` is right")),
                fix,
            );
        }
    }
}

/// Replaces the CCE's text on the identifier's line, if it is there as
/// written (not produced by Jinja).
fn fix_for(cx: &Context, loc: &scapc_diagnostics::Location, old: &str, new: &str) -> Option<Fix> {
    let src = cx.source(&loc.file)?;
    let pos = loc.pos?;
    let (start, _) = src.lines.span(&src.text, pos.line as usize)?;
    let line = src.lines.line(&src.text, pos.line as usize)?;
    let key_at = src.lines.offset(&src.text, pos)? - start;
    let (a, b, _) = scalar_after_colon(line, key_at)?;
    (&line[a..b] == old).then(|| Fix::one(&loc.file, start + a, start + b, new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_digit_is_the_classic_one() {
        // The textbook Luhn example: 7992739871 has check digit 3.
        assert_eq!(luhn_digit("7992739871"), 3);
        // CCE-80001-3 is the wrong digit the validator's fixture uses;
        // Luhn over 80001 gives 1.
        let (body, d) = parts("CCE-80001-3").unwrap();
        assert_eq!((body, d, luhn_digit(body)), ("80001", 3, 1));
        assert!(parts("CCE-8O001-1").is_none());
        assert!(parts("CCE-80001-18").is_none());
        assert!(parts("CCE80001-1").is_none());
    }
}
