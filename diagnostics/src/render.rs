//! Renderers: one function per output format.

use crate::{Diagnostic, Severity};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Options for the human-readable renderer.
#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// Show the offending source line under each located diagnostic.
    pub snippets: bool,
    /// Use ANSI colours.
    pub color: bool,
}

/// Renders diagnostics for a person:
///
/// ```text
/// rules/ssh/x/rule.yml:4:3: error[E0103]: unknown key `titel` in rule
///   |
/// 4 |   titel: Disable root login
///   |   ^
///   = help: did you mean `title`?
/// ```
pub fn render_text(diags: &[Diagnostic], opts: &TextOptions) -> String {
    let mut cache: HashMap<PathBuf, Option<Vec<String>>> = HashMap::new();
    let mut out = String::new();
    for d in diags {
        let (pre, post) = if opts.color {
            match d.severity {
                Severity::Error => ("\x1b[1;31m", "\x1b[0m"),
                Severity::Warning => ("\x1b[1;33m", "\x1b[0m"),
                Severity::Note => ("\x1b[1;36m", "\x1b[0m"),
            }
        } else {
            ("", "")
        };
        if let Some(loc) = &d.location {
            let _ = write!(out, "{loc}: ");
        }
        let _ = writeln!(out, "{pre}{}[{}]{post}: {}", d.severity.as_str(), d.code, d.message);
        if opts.snippets {
            if let Some(loc) = &d.location {
                if let Some(pos) = loc.pos {
                    let lines = cache.entry(loc.file.clone()).or_insert_with(|| {
                        std::fs::read_to_string(&loc.file).ok().map(|s| s.lines().map(str::to_owned).collect())
                    });
                    if let Some(lines) = lines {
                        if pos.line >= 1 {
                            if let Some(text) = lines.get(pos.line as usize - 1) {
                                let num = pos.line.to_string();
                                let pad = " ".repeat(num.len());
                                let caret_pad: String = text
                                    .chars()
                                    .take(pos.col.saturating_sub(1) as usize)
                                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                                    .collect();
                                let _ = writeln!(out, "{pad} |");
                                let _ = writeln!(out, "{num} | {text}");
                                let _ = writeln!(out, "{pad} | {caret_pad}^");
                            }
                        }
                    }
                }
            }
        }
        for r in &d.related {
            let _ = writeln!(out, "  = note: {}: {}", r.location, r.message);
        }
        for h in &d.hints {
            let _ = writeln!(out, "  = help: {h}");
        }
    }
    out
}

fn diag_json(d: &Diagnostic) -> Value {
    let loc = |l: &crate::Location| {
        json!({
            "file": l.file.display().to_string(),
            "line": l.pos.map(|p| p.line),
            "column": l.pos.map(|p| p.col),
        })
    };
    json!({
        "code": d.code,
        "severity": d.severity.as_str(),
        "message": d.message,
        "location": d.location.as_ref().map(loc),
        "related": d.related.iter().map(|r| json!({"location": loc(&r.location), "message": r.message})).collect::<Vec<_>>(),
        "hints": d.hints,
    })
}

/// Renders a JSON document: `{"diagnostics": [...], "errors": n, "warnings": n}`.
pub fn render_json(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let warnings = diags.iter().filter(|d| d.severity == Severity::Warning).count();
    let v = json!({
        "diagnostics": diags.iter().map(diag_json).collect::<Vec<_>>(),
        "errors": errors,
        "warnings": warnings,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// Renders a SARIF 2.1.0 log with one run for `tool_name`.
pub fn render_sarif(diags: &[Diagnostic], tool_name: &str, tool_version: &str) -> String {
    let mut rules: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let mut text = d.message.clone();
            for h in &d.hints {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut r = json!({
                "ruleId": d.code,
                "level": level,
                "message": {"text": text},
            });
            if let Some(loc) = &d.location {
                let mut phys = json!({
                    "artifactLocation": {"uri": loc.file.display().to_string().replace('\\', "/")},
                });
                if let Some(p) = loc.pos {
                    phys["region"] = json!({"startLine": p.line.max(1), "startColumn": p.col.max(1)});
                }
                r["locations"] = json!([{ "physicalLocation": phys }]);
            }
            r
        })
        .collect();
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": tool_name,
                "version": tool_version,
                "informationUri": "https://github.com/scapc/scapc",
                "rules": rules.iter().map(|r| json!({"id": r})).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Diagnostic, Location};

    fn sample() -> Vec<Diagnostic> {
        vec![
            Diagnostic::error("E0001", "unknown key `titel`")
                .at(Location::at("rules/a/rule.yml", 3, 1))
                .hint("did you mean `title`?"),
            Diagnostic::warning("W0002", "no rationale").at_file("rules/b/rule.yml"),
        ]
    }

    #[test]
    fn text_has_location_code_and_hint() {
        let t = render_text(&sample(), &TextOptions::default());
        assert!(t.contains("rules/a/rule.yml:3:1: error[E0001]: unknown key `titel`"), "{t}");
        assert!(t.contains("= help: did you mean `title`?"));
        assert!(t.contains("rules/b/rule.yml: warning[W0002]: no rationale"));
    }

    #[test]
    fn json_counts_and_positions() {
        let v: Value = serde_json::from_str(&render_json(&sample())).unwrap();
        assert_eq!(v["errors"], 1);
        assert_eq!(v["warnings"], 1);
        assert_eq!(v["diagnostics"][0]["location"]["line"], 3);
        assert_eq!(v["diagnostics"][1]["location"]["line"], Value::Null);
    }

    #[test]
    fn sarif_is_2_1_0_with_regions() {
        let v: Value = serde_json::from_str(&render_sarif(&sample(), "scapc", "0.1.0")).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let res = &v["runs"][0]["results"];
        assert_eq!(res[0]["ruleId"], "E0001");
        assert_eq!(res[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
        assert!(res[1]["locations"][0]["physicalLocation"].get("region").is_none());
    }

    #[test]
    fn snippet_points_at_column() {
        let dir = std::env::temp_dir().join(format!("scapc-diag-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("x.yml");
        std::fs::write(&f, "a: 1\n  bad: 2\n").unwrap();
        let d = vec![Diagnostic::error("E1", "m").at(Location::at(&f, 2, 3))];
        let t = render_text(&d, &TextOptions { snippets: true, color: false });
        assert!(t.contains("2 |   bad: 2\n  |   ^"), "{t}");
        std::fs::remove_dir_all(dir).ok();
    }
}
