//! A rule with an automated check but without both a passing and a failing
//! test scenario (`tests/*.pass.sh` and `tests/*.fail.sh` beside
//! `rule.yml`). Manual (OCIL-only) rules are exempt.
//!
//! **Why**: a check that was never seen to fail may never fail; one never
//! seen to pass may flag every system.
//!
//! **Example**: `rules/ssh/sshd_x/tests/` holding only `correct.pass.sh`.
//!
//! **Fix**: add a `tests/<name>.fail.sh` that breaks the setting (and a
//! `.pass.sh` that sets it), run as root on a disposable system.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_compiler::model::loc_of;

pub static LINT: Lint = Lint {
    code: "L045",
    name: "test-scenarios",
    summary: "an automated rule lacks a pass or a fail test scenario",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.products.first() else { return };
    for r in c.content.rules.values() {
        let automated = c.rules.get(&r.id).is_some_and(|o| o.oval || o.sce.is_some());
        if !automated {
            continue;
        }
        let name = |p: &std::path::PathBuf| p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        let pass = r.files.tests.iter().any(|p| name(p).ends_with(".pass.sh"));
        let fail = r.files.tests.iter().any(|p| name(p).ends_with(".fail.sh"));
        let missing = match (pass, fail) {
            (true, true) => continue,
            (false, false) => "a passing and a failing test scenario",
            (true, false) => "a failing test scenario (tests/*.fail.sh)",
            (false, true) => "a passing test scenario (tests/*.pass.sh)",
        };
        out.push(
            crate::diag(format!("rule `{}` lacks {missing}", r.id))
                .at(loc_of(&r.locs, "title", &r.file))
                .hint(format!("add scripts under {}/tests/", r.dir.display())),
        );
    }
}
