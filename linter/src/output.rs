//! Output formats the shared renderers do not cover: GitHub Actions
//! workflow commands; and each lint's description (name, help, link) for
//! the shared SARIF writer.

use crate::Finding;
use scapc_diagnostics::{render_sarif_with, SarifRule, SarifTool, Severity};

/// One `::error file=..,line=..,col=..,title=CODE name::message` line per
/// finding, through the shared writer.
pub fn render_github(findings: &[Finding]) -> String {
    let diags: Vec<_> = findings.iter().map(|f| f.diag.clone()).collect();
    let names: std::collections::HashMap<&str, &str> =
        findings.iter().map(|f| (f.diag.code.as_str(), f.lint.name)).collect();
    let title =
        |d: &scapc_diagnostics::Diagnostic| format!("{} {}", d.code, names.get(d.code.as_str()).copied().unwrap_or(""));
    scapc_diagnostics::render_github(&diags, &title)
}

/// What SARIF says about a lint: its name, summary, first paragraph of its
/// documentation, the documentation itself (its section of docs/lints.md)
/// as help, a link to that section and its default level.
pub fn sarif_rule(code: &str) -> Option<SarifRule> {
    let reg = crate::registry().iter().find(|x| x.lint.code == code)?;
    let lint = reg.lint;
    let doc = crate::docs::module_doc(reg.source);
    Some(SarifRule {
        name: Some(lint.name.to_owned()),
        short_description: Some(lint.summary.to_owned()),
        full_description: Some(doc.split("\n\n").next().unwrap_or(lint.summary).replace('\n', " ")),
        help: Some(doc.trim_end().to_owned()),
        help_uri: Some(format!(
            "https://github.com/scapc/scapc/blob/main/docs/lints.md#{}-{}",
            lint.code.to_lowercase(),
            lint.name
        )),
        default_level: Some(match lint.level {
            crate::Level::Error => Severity::Error,
            crate::Level::Warning => Severity::Warning,
            _ => Severity::Note,
        }),
    })
}

/// SARIF 2.1.0 for a code-scanning upload, from the shared writer
/// ([`render_sarif_with`]) with each lint described by [`sarif_rule`].
pub fn render_sarif_lint(findings: &[Finding], version: &str) -> String {
    let diags: Vec<_> = findings.iter().map(|f| f.diag.clone()).collect();
    render_sarif_with(&diags, &SarifTool { name: "scapc-lint", version, rule: &sarif_rule })
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
            diag: Diagnostic::error("L031", "100% wrong\nsecond")
                .at(Location::at("rules/a,b/rule.yml", 3, 5))
                .hint("fix: it"),
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
        let f = Finding {
            lint: &rules::cce_check_digit::LINT,
            diag: Diagnostic::error("L031", "m").at_file("x"),
            fix: None,
        };
        let v: serde_json::Value = serde_json::from_str(&render_sarif_lint(&[f], "0.1.0")).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let rule = &v["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(rule["id"], "L031");
        assert_eq!(rule["name"], "cce-check-digit");
        assert!(rule["helpUri"].as_str().unwrap().ends_with("#l031-cce-check-digit"));
        assert!(rule["help"]["text"].as_str().unwrap().contains("**Fix**"));
        assert_eq!(v["runs"][0]["results"][0]["ruleIndex"], 0);
    }

    #[test]
    fn sarif_related_locations_and_uris() {
        let f = Finding {
            lint: &rules::duplicate_cce::LINT,
            diag: Diagnostic::error("L030", "m")
                .at(Location::at("./rules/a b/rule.yml", 3, 5))
                .related(Location::at("rules/c/rule.yml", 8, 3), "first used here"),
            fix: None,
        };
        let v: serde_json::Value = serde_json::from_str(&render_sarif_lint(&[f], "0.1.0")).unwrap();
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "rules/a%20b/rule.yml");
        let rel = &r["relatedLocations"][0];
        assert_eq!(rel["physicalLocation"]["artifactLocation"]["uri"], "rules/c/rule.yml");
        assert_eq!(rel["physicalLocation"]["region"]["startLine"], 8);
        assert_eq!(rel["message"]["text"], "first used here");
    }
}
