//! Renderers: one function per output format.

use crate::{Diagnostic, Severity};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

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

/// Escapes GitHub workflow command data (`%`, CR, LF).
fn github_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a GitHub workflow command property (also `:` and `,`).
fn github_prop(s: &str) -> String {
    github_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders GitHub Actions workflow commands, one line per diagnostic:
/// `::error file=F,line=L,col=C,title=T::message` (`warning`, `notice`
/// for the other severities; hints follow the message as `help:` lines).
/// `title` names each diagnostic (its code, and what the code means).
pub fn render_github(diags: &[Diagnostic], title: &dyn Fn(&Diagnostic) -> String) -> String {
    let mut out = String::new();
    for d in diags {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &d.location {
            props.push(format!("file={}", github_prop(&loc.file.display().to_string())));
            if let Some(p) = loc.pos {
                props.push(format!("line={}", p.line));
                props.push(format!("col={}", p.col));
            }
        }
        props.push(format!("title={}", github_prop(&title(d))));
        let mut msg = d.message.clone();
        for h in &d.hints {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        let _ = writeln!(out, "::{cmd} {}::{}", props.join(","), github_data(&msg));
    }
    out
}

/// What a SARIF log says about one rule (one diagnostic code) besides its
/// id. Every field is optional.
#[derive(Debug, Clone, Default)]
pub struct SarifRule {
    /// A short name, e.g. `cce-check-digit`.
    pub name: Option<String>,
    /// One sentence.
    pub short_description: Option<String>,
    /// A paragraph.
    pub full_description: Option<String>,
    /// The rule's documentation, in Markdown (also given as plain text).
    pub help: Option<String>,
    /// Where the rule is documented.
    pub help_uri: Option<String>,
    /// The level a result of this rule has unless configured otherwise.
    pub default_level: Option<Severity>,
}

/// The tool a SARIF log is from, and what it knows about its rules.
pub struct SarifTool<'a> {
    pub name: &'a str,
    pub version: &'a str,
    /// The rule description for a code, when the tool has one.
    pub rule: &'a dyn Fn(&str) -> Option<SarifRule>,
}

const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/scapc/scapc";

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A file path as a SARIF `artifactLocation.uri`: relative paths stay
/// relative (code scanning resolves them against the checkout), without a
/// leading `./`; absolute ones become `file://` URIs; bytes outside the
/// URI unreserved set (and `/`) are percent-encoded.
pub fn sarif_uri(path: &Path) -> String {
    let s = path.display().to_string().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if path.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

fn sarif_location(loc: &crate::Location) -> Value {
    let mut phys = json!({ "artifactLocation": { "uri": sarif_uri(&loc.file) } });
    if let Some(p) = loc.pos {
        phys["region"] = json!({ "startLine": p.line.max(1), "startColumn": p.col.max(1) });
    }
    json!({ "physicalLocation": phys })
}

/// Renders a SARIF 2.1.0 log with one run for `tool_name`, with no rule
/// descriptions beyond their ids (see [`render_sarif_with`]).
pub fn render_sarif(diags: &[Diagnostic], tool_name: &str, tool_version: &str) -> String {
    render_sarif_with(diags, &SarifTool { name: tool_name, version: tool_version, rule: &|_| None })
}

/// Renders a SARIF 2.1.0 log with one run, fit for a code-scanning
/// upload: the driver lists each reported code once (sorted) with what
/// `tool.rule` knows of it; each result has its `ruleId` and `ruleIndex`,
/// its level, its message (hints appended as `help:` lines), its location
/// as an encoded relative (or `file://`) URI with a region when known, and
/// the diagnostic's related places as `relatedLocations`.
pub fn render_sarif_with(diags: &[Diagnostic], tool: &SarifTool<'_>) -> String {
    let mut codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|&code| {
            let mut r = json!({ "id": code });
            if let Some(info) = (tool.rule)(code) {
                if let Some(n) = info.name {
                    r["name"] = json!(n);
                }
                if let Some(t) = info.short_description {
                    r["shortDescription"] = json!({ "text": t });
                }
                if let Some(t) = info.full_description {
                    r["fullDescription"] = json!({ "text": t });
                }
                if let Some(h) = info.help {
                    r["help"] = json!({ "text": h, "markdown": h });
                }
                if let Some(u) = info.help_uri {
                    r["helpUri"] = json!(u);
                }
                if let Some(l) = info.default_level {
                    r["defaultConfiguration"] = json!({ "level": sarif_level(l) });
                }
            }
            r
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for h in &d.hints {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": codes.binary_search(&d.code.as_str()).unwrap_or_default(),
                "level": sarif_level(d.severity),
                "message": { "text": text },
            });
            if let Some(loc) = &d.location {
                r["locations"] = json!([sarif_location(loc)]);
            }
            if !d.related.is_empty() {
                let related: Vec<Value> = d
                    .related
                    .iter()
                    .enumerate()
                    .map(|(i, rel)| {
                        let mut l = sarif_location(&rel.location);
                        l["id"] = json!(i);
                        l["message"] = json!({ "text": rel.message });
                        l
                    })
                    .collect();
                r["relatedLocations"] = json!(related);
            }
            r
        })
        .collect();
    let v = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": tool.name,
                "version": tool.version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// How one JUnit test case ended.
#[derive(Debug, Clone, PartialEq)]
pub enum JunitOutcome {
    Passed,
    /// `<failure message=..>detail</failure>`
    Failure {
        message: String,
        detail: String,
    },
    /// `<error message=..>detail</error>`
    Error {
        message: String,
        detail: String,
    },
    /// `<skipped message=../>`
    Skipped {
        message: String,
    },
}

/// One JUnit test case.
#[derive(Debug, Clone)]
pub struct JunitCase {
    pub classname: String,
    pub name: String,
    pub outcome: JunitOutcome,
    /// `<system-out>`, when not empty.
    pub output: String,
    /// How long it took (`time`, seconds), when measured.
    pub seconds: Option<f64>,
}

/// Renders JUnit XML (the schema CI systems read): `<testsuites>` named
/// `name` with one `<testsuite>` per (suite name, cases), counts on both.
pub fn render_junit(name: &str, suites: &[(String, Vec<JunitCase>)]) -> String {
    use scapc_xml_escape::{attr, text};
    let count = |cases: &[JunitCase], f: fn(&JunitOutcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    let fail = |o: &JunitOutcome| matches!(o, JunitOutcome::Failure { .. });
    let err = |o: &JunitOutcome| matches!(o, JunitOutcome::Error { .. });
    let skip = |o: &JunitOutcome| matches!(o, JunitOutcome::Skipped { .. });
    let all: Vec<JunitCase> = suites.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        attr(name),
        all.len(),
        count(&all, fail),
        count(&all, err),
        count(&all, skip)
    );
    for (suite, cases) in suites {
        let _ = write!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
            attr(suite),
            cases.len(),
            count(cases, fail),
            count(cases, err),
            count(cases, skip)
        );
        if cases.iter().any(|c| c.seconds.is_some()) {
            let _ = write!(out, " time=\"{:.3}\"", cases.iter().filter_map(|c| c.seconds).sum::<f64>());
        }
        out.push_str(">\n");
        for c in cases {
            let _ = write!(out, "    <testcase classname=\"{}\" name=\"{}\"", attr(&c.classname), attr(&c.name));
            if let Some(t) = c.seconds {
                let _ = write!(out, " time=\"{t:.3}\"");
            }
            if c.outcome == JunitOutcome::Passed && c.output.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            match &c.outcome {
                JunitOutcome::Passed => {}
                JunitOutcome::Failure { message, detail } => {
                    let _ = writeln!(out, "      <failure message=\"{}\">{}</failure>", attr(message), text(detail));
                }
                JunitOutcome::Error { message, detail } => {
                    let _ = writeln!(out, "      <error message=\"{}\">{}</error>", attr(message), text(detail));
                }
                JunitOutcome::Skipped { message } => {
                    let _ = writeln!(out, "      <skipped message=\"{}\"/>", attr(message));
                }
            }
            if !c.output.is_empty() {
                let _ = writeln!(out, "      <system-out>{}</system-out>", text(&c.output));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

/// XML escaping for the JUnit renderer (this crate does not depend on
/// `scapc-xml`).
mod scapc_xml_escape {
    pub fn text(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }
    pub fn attr(s: &str) -> String {
        text(s).replace('"', "&quot;").replace('\n', "&#10;").replace('\r', "&#13;").replace('\t', "&#9;")
    }
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
    fn junit_counts_and_escapes() {
        let case = |name: &str, outcome: JunitOutcome| JunitCase {
            classname: "b".into(),
            name: name.into(),
            outcome,
            output: String::new(),
            seconds: None,
        };
        let x = render_junit(
            "scapc eval",
            &[(
                "p".into(),
                vec![
                    case("a", JunitOutcome::Passed),
                    case("b", JunitOutcome::Failure { message: "fail \"x\"".into(), detail: "<d>".into() }),
                    case("c", JunitOutcome::Skipped { message: "notapplicable".into() }),
                ],
            )],
        );
        assert!(x.contains("tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""), "{x}");
        assert!(x.contains("<failure message=\"fail &quot;x&quot;\">&lt;d&gt;</failure>"), "{x}");
        assert!(x.contains("<testcase classname=\"b\" name=\"a\"/>"), "{x}");
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
        assert_eq!(res[1]["ruleIndex"], 1);
        assert_eq!(v["runs"][0]["tool"]["driver"]["rules"][1]["id"], "W0002");
        assert_eq!(res[0]["message"]["text"], "unknown key `titel`\nhelp: did you mean `title`?");
    }

    #[test]
    fn sarif_rules_related_locations_and_uris() {
        let diags = vec![
            Diagnostic::warning("B2", "second").at(Location::at("/abs/dir x/f.xml", 0, 0)),
            Diagnostic::error("A1", "first")
                .at(Location::at("./rules/a b/rule.yml", 3, 5))
                .related(Location::at("rules/c/rule.yml", 8, 3), "first used here"),
            Diagnostic::error("A1", "again"),
        ];
        let info = |code: &str| {
            (code == "A1").then(|| SarifRule {
                name: Some("rule-a".into()),
                short_description: Some("short".into()),
                help: Some("**Fix** it".into()),
                help_uri: Some("https://example.org/a1".into()),
                default_level: Some(Severity::Warning),
                ..SarifRule::default()
            })
        };
        let text = render_sarif_with(&diags, &SarifTool { name: "t", version: "1", rule: &info });
        let v: Value = serde_json::from_str(&text).unwrap();
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = &run["tool"]["driver"]["rules"];
        assert_eq!(rules.as_array().unwrap().len(), 2);
        assert_eq!(rules[0]["id"], "A1");
        assert_eq!(rules[0]["name"], "rule-a");
        assert_eq!(rules[0]["shortDescription"]["text"], "short");
        assert_eq!(rules[0]["help"]["markdown"], "**Fix** it");
        assert_eq!(rules[0]["helpUri"], "https://example.org/a1");
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "warning");
        assert!(rules[1].get("name").is_none());
        let res = &run["results"];
        assert_eq!(res[0]["ruleIndex"], 1);
        let phys = &res[0]["locations"][0]["physicalLocation"];
        assert_eq!(phys["artifactLocation"]["uri"], "file:///abs/dir%20x/f.xml");
        assert_eq!(phys["region"]["startLine"], 1);
        assert_eq!(phys["region"]["startColumn"], 1);
        assert_eq!(res[1]["ruleIndex"], 0);
        assert_eq!(res[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "rules/a%20b/rule.yml");
        let rel = &res[1]["relatedLocations"][0];
        assert_eq!(rel["id"], 0);
        assert_eq!(rel["message"]["text"], "first used here");
        assert_eq!(rel["physicalLocation"]["region"]["startLine"], 8);
        assert!(res[2].get("locations").is_none());
        assert_eq!(res[2]["ruleIndex"], 0);
        assert_eq!(sarif_uri(Path::new("a\\b:c%.yml")), "a/b%3Ac%25.yml");
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
