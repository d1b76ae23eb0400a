//! `scapc validate`.

use clap::{Args, ValueEnum};
use rayon::prelude::*;
use scapc_diagnostics::{render_json, render_sarif_with, Diagnostic, SarifRule, SarifTool, Severity};
use scapc_validator::{report, Options, Outcome, Validator};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

fn walk_xml(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return out };
    for e in rd.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => out.extend(walk_xml(&p)),
            Ok(t) if t.is_file() && p.extension().is_some_and(|x| x == "xml") => out.push(p),
            _ => {}
        }
    }
    out
}

/// A requirement as a SARIF rule: its summary, where it comes from, its
/// severity and the page listing every requirement.
fn requirement_rule(id: &str) -> Option<SarifRule> {
    let req = scapc_validator::reqs::catalog::find(id)?;
    Some(SarifRule {
        short_description: Some(req.summary.to_owned()),
        full_description: Some(format!("{} (from {})", req.summary, req.source)),
        help_uri: Some("https://github.com/scapc/scapc/blob/main/docs/requirements.md".to_owned()),
        default_level: Some(req.severity),
        ..SarifRule::default()
    })
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ValidateFormat {
    Text,
    Json,
    Sarif,
    Junit,
    /// GitHub Actions workflow commands (::error file=..,line=..::message)
    Github,
}

#[derive(Args)]
pub struct ValidateArgs {
    /// SCAP documents: source data streams, XCCDF, OVAL, OCIL, CPE, ARF;
    /// a directory stands for every *.xml file under it
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Directory of the official schemas [default: $SCAPC_SCHEMAS, else /usr/share/openscap/schemas]
    #[arg(long)]
    pub schemas: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: ValidateFormat,
    /// Drop findings of this requirement (repeatable, e.g. --ignore SRC-251-1;
    /// `SRC-251` drops every SRC-251-n)
    #[arg(long = "ignore", value_name = "ID")]
    pub ignore: Vec<String>,
    /// Skip the XSD layer
    #[arg(long)]
    pub no_xsd: bool,
    /// Skip the SP 800-126 requirement layer
    #[arg(long)]
    pub no_requirements: bool,
    /// Show every finding in the text report (default: 10 per requirement)
    #[arg(long)]
    pub all: bool,
}

fn ignored(code: &str, ignore: &[String]) -> bool {
    ignore.iter().any(|i| {
        code == i
            || code
                .strip_prefix(i.as_str())
                .is_some_and(|rest| rest.starts_with('-') && rest[1..].bytes().all(|b| b.is_ascii_digit()))
    })
}

pub fn run(a: ValidateArgs) -> ExitCode {
    let start = Instant::now();
    let v =
        Validator::new(Options { schemas: a.schemas.clone(), no_xsd: a.no_xsd, no_requirements: a.no_requirements });
    if let Err(e) = v.schema_dir() {
        if !a.no_xsd {
            errln!("error: {e}");
            errln!("  hint: pass --schemas DIR, set SCAPC_SCHEMAS, or run only the requirement layer with --no-xsd");
            return ExitCode::from(crate::EXIT_USAGE);
        }
    }
    // Directories stand for the *.xml files inside them.
    let mut files: Vec<PathBuf> = Vec::new();
    for f in &a.files {
        if f.is_dir() {
            let mut found: Vec<PathBuf> = walk_xml(f);
            found.sort();
            if found.is_empty() {
                warn!("{} holds no .xml files", f.display());
            }
            files.extend(found);
        } else {
            files.push(f.clone());
        }
    }
    let progress = files.len() > 1 && std::io::stderr().is_terminal();
    let done = AtomicUsize::new(0);
    // Files in parallel; each file's own layers are parallel too.
    let mut outcomes: Vec<Outcome> = files
        .par_iter()
        .map(|f| {
            let mut o = v.validate_file(f);
            o.diagnostics.retain(|d| !ignored(&d.code, &a.ignore));
            if crate::ui::warnings_as_errors() {
                for d in &mut o.diagnostics {
                    if d.severity == Severity::Warning {
                        d.severity = Severity::Error;
                    }
                }
            }
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if progress {
                err!("\r\x1b[2Kvalidated {n}/{}: {}", files.len(), f.display());
            }
            o
        })
        .collect();
    outcomes.sort_by(|x, y| x.file.cmp(&y.file));
    if progress {
        err!("\r\x1b[2K");
    }
    let io = outcomes.iter().any(|o| o.io_error);
    let errors = outcomes.iter().flat_map(|o| &o.diagnostics).filter(|d| d.severity == Severity::Error).count();
    let warnings = outcomes.iter().flat_map(|o| &o.diagnostics).filter(|d| d.severity == Severity::Warning).count();
    let all: Vec<Diagnostic> = outcomes.iter().flat_map(|o| o.diagnostics.iter().cloned()).collect();
    match a.format {
        ValidateFormat::Text => {
            let color = crate::ui::color(crate::ui::Stream::Stdout);
            out!("{}", report::text(&outcomes, if a.all { None } else { Some(10) }, color));
            let invalid =
                outcomes.iter().filter(|o| o.diagnostics.iter().any(|d| d.severity == Severity::Error)).count();
            outln!(
                "{} file(s): {} valid, {invalid} invalid; {errors} error(s), {warnings} warning(s) in {:.2} s",
                outcomes.len(),
                outcomes.len() - invalid,
                start.elapsed().as_secs_f64()
            );
        }
        ValidateFormat::Json => outln!("{}", render_json(&all)),
        ValidateFormat::Sarif => {
            let tool = SarifTool { name: "scapc", version: env!("CARGO_PKG_VERSION"), rule: &requirement_rule };
            outln!("{}", render_sarif_with(&all, &tool))
        }
        ValidateFormat::Junit => out!("{}", report::junit(&outcomes, crate::ui::warnings_as_errors())),
        ValidateFormat::Github => {
            let title = |d: &Diagnostic| match scapc_validator::reqs::catalog::find(&d.code) {
                Some(r) => format!("{} {}", d.code, r.summary),
                None => d.code.clone(),
            };
            out!("{}", scapc_diagnostics::render_github(&all, &title))
        }
    }
    if io {
        ExitCode::from(crate::EXIT_USAGE)
    } else if errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_matches_ids_and_families() {
        let ig = vec!["SRC-251".to_owned(), "A-26-1".to_owned()];
        assert!(ignored("SRC-251-1", &ig));
        assert!(ignored("SRC-251-2", &ig));
        assert!(!ignored("SRC-2511-1", &ig));
        assert!(ignored("A-26-1", &ig));
        assert!(!ignored("A-26-2", &ig));
    }

    #[test]
    fn sarif_describes_requirements() {
        let d = vec![
            Diagnostic::warning("SRC-251-1", "m").at(scapc_diagnostics::Location::at("/x/ssg ds.xml", 3, 4)),
            Diagnostic::error("xml", "not well-formed").at(scapc_diagnostics::Location::file("/x/y.xml")),
        ];
        let tool = SarifTool { name: "scapc", version: "0", rule: &requirement_rule };
        let v: serde_json::Value = serde_json::from_str(&render_sarif_with(&d, &tool)).unwrap();
        let rules = &v["runs"][0]["tool"]["driver"]["rules"];
        assert_eq!(rules[0]["id"], "SRC-251-1");
        assert!(rules[0]["shortDescription"]["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(rules[0]["defaultConfiguration"]["level"].is_string());
        assert!(rules[1].get("shortDescription").is_none(), "`xml` is not a requirement");
        let r = &v["runs"][0]["results"][0];
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "file:///x/ssg%20ds.xml");
        assert_eq!(v["runs"][0]["results"][1]["ruleIndex"], 1);
    }
}
