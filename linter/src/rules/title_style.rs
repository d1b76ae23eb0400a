//! A title of a rule, group, value or profile that breaks the house
//! style: it ends with a period, starts with a lower-case letter, has
//! leading, trailing or doubled spaces, or is longer than 120 characters.
//!
//! **Why**: titles are listed one per line in every report and tailoring
//! tool; consistent, short titles make those lists readable.
//!
//! **Example**: `title: disable SSH root login.`
//!
//! **Fix**: `title: Disable SSH Root Login`.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;
use scapc_diagnostics::Location;
use std::collections::BTreeMap;
use std::path::Path;

pub static LINT: Lint = Lint {
    code: "L042",
    name: "title-style",
    summary: "a title ends with a period, starts lower-case, has stray spaces or is too long",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

/// What is wrong with a title, if anything.
pub fn problem(title: &str) -> Option<&'static str> {
    if title.is_empty() {
        return None; // the schema lint reports a missing title
    }
    if title.trim() != title {
        return Some("has leading or trailing spaces");
    }
    if title.contains("  ") {
        return Some("has doubled spaces");
    }
    if title.ends_with('.') && !title.ends_with("...") {
        return Some("ends with a period");
    }
    if title.chars().next().is_some_and(|c| c.is_lowercase()) {
        return Some("starts with a lower-case letter");
    }
    if title.chars().count() > 120 {
        return Some("is longer than 120 characters");
    }
    None
}

fn one(out: &mut Sink, what: &str, id: &str, title: &str, locs: &BTreeMap<String, Location>, file: &Path) {
    if let Some(p) = problem(title) {
        out.push(
            crate::diag(format!("the title of {what} `{id}` {p}"))
                .at(loc_of(locs, "title", file))
                .hint("titles are short, capitalised and end without a period"),
        );
    }
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    for r in c.rules.values() {
        one(out, "rule", &r.id, &r.title, &r.locs, &r.file);
    }
    for g in c.groups.values() {
        one(out, "group", &g.id, &g.title, &g.locs, &g.file);
    }
    for v in c.values.values() {
        one(out, "value", &v.id, &v.title, &v.locs, &v.file);
    }
    for p in c.profiles.values() {
        one(out, "profile", &p.id, &p.title, &p.locs, &p.file);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn title_problems() {
        assert_eq!(super::problem("Disable Root Login"), None);
        assert_eq!(super::problem("Disable root login."), Some("ends with a period"));
        assert_eq!(super::problem("disable Root Login"), Some("starts with a lower-case letter"));
        assert_eq!(super::problem("Disable  Root"), Some("has doubled spaces"));
        assert_eq!(super::problem("/etc/passwd Is Owned by Root"), None);
    }
}
