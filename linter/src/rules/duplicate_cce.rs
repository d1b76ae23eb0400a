//! Two rules carry the same CCE identifier.
//!
//! **Why**: a CCE names exactly one configuration; scanners and reports
//! that key on it would merge two different rules.
//!
//! **Example**: `identifiers: {cce@debian12: CCE-80001-2}` in two rules.
//!
//! **Fix**: give one of the rules its own CCE (or drop the wrong one).

use super::{all_rules, scheme};
use crate::context::Context;
use crate::{Level, Lint, Sink};
use std::collections::BTreeMap;

pub static LINT: Lint = Lint {
    code: "L030",
    name: "duplicate-cce",
    summary: "two rules carry the same CCE",
    level: Level::Error,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let mut first: BTreeMap<&str, (&str, &scapc_diagnostics::Location)> = BTreeMap::new();
    for r in all_rules(cx) {
        for i in &r.identifiers {
            let (k, v) = &i.value;
            if !scheme(k).eq_ignore_ascii_case("cce") {
                continue;
            }
            match first.get(v.as_str()) {
                Some((other, loc)) if *other != r.id => out.push(
                    crate::diag(format!("the CCE `{v}` of rule `{}` is already used by rule `{other}`", r.id))
                        .at(i.loc.clone())
                        .related((*loc).clone(), "first used here")
                        .hint("every rule needs its own CCE"),
                ),
                Some(_) => {}
                None => {
                    first.insert(v, (&r.id, &i.loc));
                }
            }
        }
    }
}
