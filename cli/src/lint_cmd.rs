//! `scapc lint`: the linter's command line. The lints themselves live in
//! the `scapc-linter` crate.

use clap::{Args, ValueEnum};
use scapc_diagnostics::{render_json, render_text, TextOptions};
use scapc_linter::config::{self, Config};
use scapc_linter::{docs, fix, output, Level, Report};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LintFormat {
    /// file:line:col: severity[CODE]: message, with the source line
    Text,
    /// {"diagnostics": [...], "errors": n, "warnings": n}
    Json,
    /// SARIF 2.1.0, for code-scanning uploads
    Sarif,
    /// GitHub Actions workflow commands (::error file=..,line=..,col=..::msg)
    Github,
}

#[derive(Args)]
pub struct LintArgs {
    #[command(flatten)]
    tree: crate::ui::TreeArg,
    /// How to print the findings
    #[arg(long, value_enum, default_value = "text")]
    format: LintFormat,
    /// Apply the safe fixes to the files (atomically), then report what is left
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// Print the safe fixes as a unified diff; change nothing
    #[arg(long)]
    diff: bool,
    /// Configuration file [default: TREE/scapc-lint.yml when it exists]
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run a lint at a level for this run (CODE=LEVEL, e.g. L043=off); repeatable
    #[arg(long = "set", value_name = "CODE=LEVEL")]
    set: Vec<String>,
    /// Print the documentation of a lint (code or name) and exit
    #[arg(long, value_name = "CODE")]
    explain: Option<String>,
    /// List every lint with its default level and exit
    #[arg(long)]
    list: bool,
}

fn usage(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(crate::EXIT_USAGE)
}

fn print(report: &Report, format: LintFormat) {
    match format {
        LintFormat::Text => {
            let color = crate::ui::color(crate::ui::Stream::Stdout);
            out!("{}", render_text(&report.diagnostics(), &TextOptions { snippets: true, color }));
        }
        LintFormat::Json => outln!("{}", render_json(&report.diagnostics())),
        LintFormat::Sarif => outln!("{}", output::render_sarif_lint(&report.findings, env!("CARGO_PKG_VERSION"))),
        LintFormat::Github => out!("{}", output::render_github(&report.findings)),
    }
}

pub fn run(a: LintArgs) -> ExitCode {
    if a.list {
        for r in scapc_linter::registry() {
            let l = r.lint;
            outln!(
                "{} {:<26} {:<8} {}{}",
                l.code,
                l.name,
                l.level.as_str(),
                l.summary,
                if l.fixable { " [fix]" } else { "" }
            );
        }
        return ExitCode::SUCCESS;
    }
    if let Some(key) = &a.explain {
        let Some(r) =
            scapc_linter::registry().iter().find(|r| r.lint.code.eq_ignore_ascii_case(key) || r.lint.name == key)
        else {
            return usage(format!("unknown lint `{key}` (scapc lint --list shows them)"));
        };
        outln!(
            "{} {} (default: {})\n\n{}",
            r.lint.code,
            r.lint.name,
            r.lint.level.as_str(),
            docs::module_doc(r.source)
        );
        return ExitCode::SUCCESS;
    }
    let path = a.tree.path();
    if !path.is_dir() {
        return usage(format!("the content tree `{}` is not a directory", path.display()));
    }
    let cfg = match &a.config {
        Some(p) => Config::read(p),
        None => Config::discover(&path),
    };
    let mut cfg = match cfg {
        Ok(c) => c,
        Err(e) => return usage(e),
    };
    for s in &a.set {
        let Some((k, v)) = s.split_once('=') else { return usage(format!("--set `{s}`: expected CODE=LEVEL")) };
        let Some(level) = Level::parse(v.trim()) else {
            return usage(format!("--set `{s}`: `{v}` is not a level (off, note, warning, error)"));
        };
        if let Err(e) = cfg.set(k.trim(), level) {
            return usage(e);
        }
    }
    let start = Instant::now();
    let mut report = match scapc_linter::lint(&path, &cfg) {
        Ok(r) => r,
        Err(e) => return usage(e.0),
    };
    if a.fix || a.diff {
        let rewrites = fix::plan(&report.findings, &|p| std::fs::read_to_string(p).ok());
        let n: usize = rewrites.iter().map(|r| r.fixes).sum();
        if a.diff {
            out!("{}", fix::diff(&rewrites));
            errln!("{n} finding(s) in {} file(s) can be fixed with --fix", rewrites.len());
            return if report.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS };
        }
        if let Err(e) = fix::write(&rewrites) {
            return usage(e);
        }
        errln!("fixed {n} finding(s) in {} file(s)", rewrites.len());
        for r in &rewrites {
            errln!("  {}", r.file.display());
        }
        // Report what is left, from the files as they are now.
        report = match scapc_linter::lint(&path, &cfg) {
            Ok(r) => r,
            Err(e) => return usage(e.0),
        };
    }
    info!(
        "linted {} ({} lints; config: {})",
        path.display(),
        scapc_linter::registry().len(),
        a.config.as_ref().map_or_else(|| "discovered or defaults".to_owned(), |p| p.display().to_string())
    );
    print(&report, a.format);
    crate::ui::count_warnings(
        report.findings.iter().filter(|f| f.diag.severity == scapc_diagnostics::Severity::Warning).count(),
    );
    if a.format == LintFormat::Text {
        let errors = report.findings.iter().filter(|f| f.diag.severity == scapc_diagnostics::Severity::Error).count();
        let warnings =
            report.findings.iter().filter(|f| f.diag.severity == scapc_diagnostics::Severity::Warning).count();
        let fixable = report.findings.iter().filter(|f| f.fix.is_some()).count();
        let mut summary = format!("{errors} error(s), {warnings} warning(s)");
        if report.suppressed > 0 {
            summary.push_str(&format!(", {} suppressed", report.suppressed));
        }
        if fixable > 0 {
            summary.push_str(&format!("; {fixable} fixable with --fix"));
        }
        errln!(
            "{summary} ({:.2} s; config: {})",
            start.elapsed().as_secs_f64(),
            match &a.config {
                Some(p) => p.display().to_string(),
                None if path.join(config::FILE_NAME).is_file() => path.join(config::FILE_NAME).display().to_string(),
                None => "defaults".into(),
            }
        );
    }
    if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
