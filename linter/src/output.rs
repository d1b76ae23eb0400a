//! Output formats the shared renderers do not cover: GitHub Actions
//! workflow commands, and SARIF with each rule's name and help.

use crate::Finding;
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

/// A file path as a SARIF `artifactLocation.uri`: relative paths stay
/// relative (GitHub code scanning resolves them against the checkout),
/// absolute ones become `file://` URIs; bytes outside the URI's
/// unreserved set are percent-encoded.
pub fn sarif_uri(path: &std::path::Path) -> String {
    let s = path.display().to_string().replace('\\', "/");
    let s = s.strip_prefix("./").unwrap_or(&s);
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if path.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

fn sarif_location(loc: &scapc_diagnostics::Location) -> serde_json::Value {
    let mut phys = serde_json::json!({ "artifactLocation": { "uri": sarif_uri(&loc.file) } });
    if let Some(p) = loc.pos {
        phys["region"] = serde_json::json!({ "startLine": p.line.max(1), "startColumn": p.col.max(1) });
    }
    serde_json::json!({ "physicalLocation": phys })
}

/// SARIF 2.1.0 from the shared renderer, fit for a code-scanning upload:
/// each rule with its name, summary, default level, help (its section of
/// docs/lints.md) and link; each result with its `ruleIndex`, its location
/// as a relative URI and the diagnostic's related places as
/// `relatedLocations`.
pub fn render_sarif_lint(findings: &[Finding], version: &str) -> String {
    let diags: Vec<_> = findings.iter().map(|f| f.diag.clone()).collect();
    let text = render_sarif(&diags, "scapc-lint", version);
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else { return text };
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    if let Some(rules) = v.pointer_mut("/runs/0/tool/driver/rules").and_then(|r| r.as_array_mut()) {
        for (i, r) in rules.iter_mut().enumerate() {
            let Some(id) = r.get("id").and_then(|i| i.as_str()).map(str::to_owned) else { continue };
            index.insert(id.clone(), i);
            let Some(reg) = crate::registry().iter().find(|x| x.lint.code == id) else { continue };
            let lint = reg.lint;
            r["name"] = serde_json::json!(lint.name);
            r["shortDescription"] = serde_json::json!({"text": lint.summary});
            let doc = crate::docs::module_doc(reg.source);
            r["fullDescription"] =
                serde_json::json!({"text": doc.split("\n\n").next().unwrap_or(lint.summary).replace('\n', " ")});
            r["help"] = serde_json::json!({"text": doc.trim_end(), "markdown": doc.trim_end()});
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
    if let Some(results) = v.pointer_mut("/runs/0/results").and_then(|r| r.as_array_mut()) {
        // The shared renderer emits one result per diagnostic, in order.
        for (r, f) in results.iter_mut().zip(findings) {
            if let Some(i) = index.get(&f.diag.code) {
                r["ruleIndex"] = serde_json::json!(i);
            }
            if let Some(loc) = &f.diag.location {
                r["locations"] = serde_json::json!([sarif_location(loc)]);
            }
            if !f.diag.related.is_empty() {
                let related: Vec<serde_json::Value> = f
                    .diag
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let mut l = sarif_location(&rel.location);
                        l["id"] = serde_json::json!(i);
                        l["message"] = serde_json::json!({"text": rel.message});
                        l
                    })
                    .collect();
                r["relatedLocations"] = serde_json::json!(related);
            }
        }
    }
    if let Some(run) = v.pointer_mut("/runs/0").and_then(|r| r.as_object_mut()) {
        run.insert("columnKind".into(), serde_json::json!("unicodeCodePoints"));
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
        assert_eq!(sarif_uri(std::path::Path::new("/tmp/x y")), "file:///tmp/x%20y");
    }
}
