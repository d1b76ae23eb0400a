//! Reports of `scapc validate`: a text report grouped by severity and
//! requirement, and JUnit XML for CI. JSON and SARIF come from the shared
//! diagnostic renderers.

use crate::reqs::catalog::{self, Status};
use crate::Outcome;
use scapc_diagnostics::{Diagnostic, Severity};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Groups findings by severity (errors first), then requirement id.
fn groups(diags: &[Diagnostic]) -> Vec<(Severity, &str, Vec<&Diagnostic>)> {
    let mut m: BTreeMap<(u8, &str), Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        let rank = match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            _ => 2,
        };
        m.entry((rank, d.code.as_str())).or_default().push(d);
    }
    m.into_iter()
        .map(|((_, code), v)| {
            let sev = v[0].severity;
            (sev, code, v)
        })
        .collect()
}

/// The text report. `limit` caps the findings shown per requirement
/// (`None` shows all).
pub fn text(outcomes: &[Outcome], limit: Option<usize>, color: bool) -> String {
    let mut s = String::new();
    let paint = |code: &str, t: &str| if color { format!("\x1b[{code}m{t}\x1b[0m") } else { t.to_owned() };
    for o in outcomes {
        let kind = o.kind.as_ref().map(|k| k.name()).unwrap_or_else(|| "unreadable".into());
        let (e, w, n) = crate::count(&o.diagnostics);
        let verdict = if e > 0 { paint("1;31", "invalid") } else { paint("1;32", "valid") };
        let _ = writeln!(
            s,
            "{}: {kind}: {verdict} ({e} errors, {w} warnings{})",
            o.file.display(),
            if n > 0 { format!(", {n} notes") } else { String::new() }
        );
        for (sev, code, list) in groups(&o.diagnostics) {
            let title = catalog::find(code).map(|r| format!(" ({}): {}", r.source, r.summary)).unwrap_or_default();
            let label = match sev {
                Severity::Error => paint("1;31", "error"),
                Severity::Warning => paint("1;33", "warning"),
                _ => paint("1;36", sev.as_str()),
            };
            let _ = writeln!(
                s,
                "\n  {label} {code}{title}: {} finding{}",
                list.len(),
                if list.len() == 1 { "" } else { "s" }
            );
            let shown = limit.unwrap_or(usize::MAX).min(list.len());
            for d in &list[..shown] {
                let at = d.location.as_ref().map(|l| l.to_string()).unwrap_or_else(|| o.file.display().to_string());
                let _ = writeln!(s, "    {at}: {}", d.message);
                if let Some(el) = d.hints.iter().find(|h| h.starts_with("element: ")) {
                    let _ = writeln!(s, "      {el}");
                }
            }
            if shown < list.len() {
                let _ = writeln!(s, "    ... and {} more (--all shows every finding)", list.len() - shown);
            }
        }
        s.push('\n');
    }
    s
}

/// JUnit XML: one test suite per file, one test case per checked
/// requirement; a requirement with findings at failing severity fails.
pub fn junit(outcomes: &[Outcome], warnings_fail: bool) -> String {
    use scapc_diagnostics::{render_junit, JunitCase, JunitOutcome};
    let checked: Vec<&str> =
        catalog::REQUIREMENTS.iter().filter(|r| !matches!(r.status, Status::NotChecked(_))).map(|r| r.id).collect();
    let suites: Vec<(String, Vec<JunitCase>)> = outcomes
        .iter()
        .map(|o| {
            let file = o.file.display().to_string();
            let mut by_code: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
            for d in &o.diagnostics {
                by_code.entry(d.code.as_str()).or_default().push(d);
            }
            let mut cases = checked.clone();
            cases.extend(by_code.keys().filter(|c| !checked.contains(c)));
            let cases = cases
                .into_iter()
                .map(|c| {
                    let list = by_code.get(c).map(Vec::as_slice).unwrap_or_default();
                    let body: String = list
                        .iter()
                        .map(|d| {
                            format!(
                                "{}: {}\n",
                                d.location.as_ref().map(|l| l.to_string()).unwrap_or_default(),
                                d.message
                            )
                        })
                        .collect();
                    let fails = list
                        .iter()
                        .any(|d| d.severity == Severity::Error || (warnings_fail && d.severity == Severity::Warning));
                    let (outcome, output) = if fails {
                        let message = format!("{} finding(s) of {c}", list.len());
                        (JunitOutcome::Failure { message, detail: body }, String::new())
                    } else {
                        (JunitOutcome::Passed, body)
                    };
                    JunitCase { classname: file.clone(), name: c.to_owned(), outcome, output, seconds: None }
                })
                .collect();
            (file, cases)
        })
        .collect();
    render_junit("scapc validate", &suites)
}
