//! Output formats the shared renderers do not cover: GitHub Actions
//! workflow commands, and SARIF with each rule's name and help.

use crate::{find, Finding};
use scapc_diagnostics::{render_sarif, Severity};

/// Escapes workflow command data (`%`, CR, LF).
fn esc_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command property (also `:` and `,`).
fn esc_prop(s: &str) -> String {
    esc_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error file=..,line=..,col=..,title=..::message` line per finding.
pub fn render_github(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let d = &f.diag;
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &d.location {
            props.push(format!("file={}", esc_prop(&loc.file.display().to_string())));
            if let Some(p) = loc.pos {
                props.push(format!("line={}", p.line));
                props.push(format!("col={}", p.col));
            }
        }
        props.push(format!("title={}", esc_prop(&format!("{} {}", d.code, f.lint.name))));
        let mut msg = d.message.clone();
        for h in &d.hints {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        out.push_str(&format!("::{cmd} {}::{}\n", props.join(","), esc_data(&msg)));
    }
    out
}

/// SARIF 2.1.0 from the shared renderer, with each rule's name, summary
/// and a link to its section of docs/lints.md.
pub fn render_sarif_lint(findings: &[Finding], version: &str) -> String {
    let diags: Vec<_> = findings.iter().map(|f| f.diag.clone()).collect();
    let text = render_sarif(&diags, "scapc-lint", version);
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else { return text };
    if let Some(rules) = v.pointer_mut("/runs/0/tool/driver/rules").and_then(|r| r.as_array_mut()) {
        for r in rules {
            let Some(lint) = r.get("id").and_then(|i| i.as_str()).and_then(find) else { continue };
            r["name"] = serde_json::json!(lint.name);
            r["shortDescription"] = serde_json::json!({"text": lint.summary});
            r["helpUri"] = serde_json::json!(format!(
                "https://github.com/scapc/scapc/blob/main/docs/lints.md#{}-{}",
                lint.code.to_lowercase(),
                lint.name
            ));
            let level = match lint.level {
                crate::Level::Error => "error",
                crate::Level::Warning => "warning",
                _ => "note",
            };
            r["defaultConfiguration"] = serde_json::json!({"level": level});
        }
    }
    serde_json::to_string_pretty(&v).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;
    use scapc_diagnostics::{Diagnostic, Location};

    #[test]
    fn github_commands_escape_and_locate() {
        let f = Finding {
            lint: &rules::cce_check_digit::LINT,
            diag: Diagnostic::error("L031", "100% wrong\nsecond").at(Location::at("rules/a,b/rule.yml", 3, 5)).hint("fix: it"),
            fix: None,
        };
        let s = render_github(&[f]);
        assert_eq!(
            s,
            "::error file=rules/a%2Cb/rule.yml,line=3,col=5,title=L031 cce-check-digit::100%25 wrong%0Asecond%0Ahelp: fix: it\n"
        );
    }

    #[test]
    fn sarif_rules_carry_names() {
        let f = Finding { lint: &rules::cce_check_digit::LINT, diag: Diagnostic::error("L031", "m").at_file("x"), fix: None };
        let v: serde_json::Value = serde_json::from_str(&render_sarif_lint(&[f], "0.1.0")).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "L031");
        assert_eq!(rule["name"], "cce-check-digit");
        assert!(rule["helpUri"].as_str().unwrap().ends_with("#l031-cce-check-digit"));
    }
}
