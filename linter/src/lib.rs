//! scapc's linter: lint rules over the compiler's resolved content model.
//!
//! One run ([`lint`]) loads and compiles the tree once with the same code as
//! `scapc build` (`scapc_compiler::build::compile_tree`), reads every source
//! file once, and then runs every enabled lint rule in parallel (rayon).
//!
//! * Each lint rule lives in its own file under `rules/`, with a stable code
//!   (`L` and three digits), a kebab-case name, a default level, whether it
//!   has a safe fix, and a module doc comment (what it checks, why, an
//!   example, the fix) from which [`docs`] generates `docs/lints.md`.
//! * The compiler already finds many problems while loading and compiling.
//!   A lint rule *claims* such compiler diagnostics (by code, optionally
//!   narrowed by words of the message) instead of re-checking: the finding
//!   then carries the lint's code, so configuration and suppression comments
//!   apply to it. Compiler findings no rule claims fall to `L000 compiler`.
//! * [`config`] reads `scapc-lint.yml`; suppression comments
//!   (`scapc-lint: disable=CODE`) are honoured per finding.
//! * [`fix`] applies safe fixes as byte-span edits of the source text.
//!
//! The diagnostic type is shared with the compiler and the validator and
//! lives in `scapc-diagnostics` (re-exported here).
#![forbid(unsafe_code)]

pub use scapc_diagnostics as diagnostics;

pub mod config;
pub mod context;
pub mod docs;
pub mod fix;
pub mod output;
pub mod rules;
pub mod text;

use config::Config;
pub use context::Context;
use fix::Fix;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Severity};
use std::path::Path;

/// How loud a lint is: `off` turns it off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Off,
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        Some(match s {
            "off" | "allow" | "false" => Level::Off,
            "note" | "info" => Level::Note,
            "warning" | "warn" => Level::Warning,
            "error" | "deny" => Level::Error,
            _ => return None,
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Note => Some(Severity::Note),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// A compiler diagnostic a lint surfaces: its code and, when the code is
/// shared by several kinds of problem, words one of which the message holds.
#[derive(Debug, Clone, Copy)]
pub struct Claim {
    pub code: &'static str,
    pub any_of: &'static [&'static str],
}

impl Claim {
    pub fn matches(&self, d: &Diagnostic) -> bool {
        d.code == self.code && (self.any_of.is_empty() || self.any_of.iter().any(|w| d.message.contains(w)))
    }
}

/// A check function: reads the context, pushes findings.
pub type Check = fn(&Context, &mut Sink);

/// One lint rule.
#[derive(Debug)]
pub struct Lint {
    /// Stable code, `L` and three digits.
    pub code: &'static str,
    /// Stable kebab-case name, usable wherever the code is.
    pub name: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    pub level: Level,
    /// Whether `--fix` can repair (some of) its findings safely.
    pub fixable: bool,
    /// Compiler diagnostics this lint surfaces.
    pub claims: &'static [Claim],
    /// Its own check, if it has one beyond its claims.
    pub check: Option<Check>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sink({})", self.lint.code)
    }
}

/// A finding of one lint: the diagnostic and perhaps a safe fix.
#[derive(Debug, Clone)]
pub struct Finding {
    pub lint: &'static Lint,
    pub diag: Diagnostic,
    pub fix: Option<Fix>,
}

/// Where a check puts its findings.
pub struct Sink {
    lint: &'static Lint,
    out: Vec<Finding>,
}

impl Sink {
    pub fn new(lint: &'static Lint) -> Self {
        Sink { lint, out: Vec::new() }
    }
    /// Reports a finding; its code and severity are set by the runner.
    pub fn push(&mut self, d: Diagnostic) {
        self.out.push(Finding { lint: self.lint, diag: d, fix: None });
    }
    /// Reports a finding that `--fix` can repair.
    pub fn push_fix(&mut self, d: Diagnostic, fix: Option<Fix>) {
        self.out.push(Finding { lint: self.lint, diag: d, fix });
    }
    pub fn into_findings(self) -> Vec<Finding> {
        self.out
    }
}

/// A diagnostic with no code yet (the runner sets the lint's).
pub fn diag(message: impl Into<String>) -> Diagnostic {
    Diagnostic::warning("", message)
}

/// A registered lint and the source text of its file (for its docs).
pub struct Registered {
    pub lint: &'static Lint,
    /// Its file under `linter/src/rules/`.
    pub file: &'static str,
    pub source: &'static str,
}

/// Every lint rule, in code order.
pub fn registry() -> &'static [Registered] {
    rules::REGISTRY
}

/// Finds a lint by code or name.
pub fn find(key: &str) -> Option<&'static Lint> {
    registry().iter().map(|r| r.lint).find(|l| l.code.eq_ignore_ascii_case(key) || l.name == key)
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Findings after configuration and suppression, sorted.
    pub findings: Vec<Finding>,
    /// How many findings suppression comments silenced.
    pub suppressed: usize,
}

impl Report {
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.findings.iter().map(|f| f.diag.clone()).collect()
    }
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.diag.severity == Severity::Error)
    }
}

/// A problem that stops the run before any lint (exit code 2).
#[derive(Debug, Clone)]
pub struct Fatal(pub String);

/// The lint that surfaces a compiler diagnostic.
pub fn claimant(d: &Diagnostic) -> &'static Lint {
    registry().iter().map(|r| r.lint).find(|l| l.claims.iter().any(|c| c.matches(d))).unwrap_or(&rules::compiler::LINT)
}

/// Whether `SCAPC_LINT_TIMINGS` asks for the time of each phase and lint
/// on standard error (for the bench and for finding a slow lint).
pub fn timings() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("SCAPC_LINT_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"))
}

/// Prints how long a phase took, when [`timings`] is on.
pub(crate) fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    if !timings() {
        return f();
    }
    let t = std::time::Instant::now();
    let v = f();
    eprintln!("timing: {what}: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    v
}

/// Lints the content tree at `root`.
pub fn lint(root: &Path, config: &Config) -> Result<Report, Fatal> {
    if !root.is_dir() {
        return Err(Fatal(format!("the content tree `{}` is not a directory", root.display())));
    }
    let cx = timed("load and compile", || Context::load(root));
    if cx.tree.products.is_empty() && cx.tree.rule_files.is_empty() {
        return Err(Fatal(format!(
            "`{}` is not a content tree: it has no products/*/product.yml and no rules/",
            root.display()
        )));
    }
    Ok(run(&cx, config))
}

/// Runs every enabled lint on a loaded context.
pub fn run(cx: &Context, config: &Config) -> Report {
    let mut findings: Vec<Finding> = cx
        .compiler
        .iter()
        .map(|d| {
            let lint = claimant(d);
            let mut diag = d.clone();
            cx.place(&mut diag);
            diag.hints.push(format!("`scapc build` reports this as {}", d.code));
            Finding { lint, diag, fix: None }
        })
        .collect();
    let own: Vec<Vec<Finding>> = timed("lints", || {
        registry()
            .par_iter()
            .filter(|r| r.lint.check.is_some() && config.level(r.lint) != Level::Off)
            .map(|r| {
                let mut sink = Sink::new(r.lint);
                let check = r.lint.check.expect("filtered on is_some");
                timed(&format!("{} {}", r.lint.code, r.lint.name), || check(cx, &mut sink));
                sink.into_findings()
            })
            .collect()
    });
    findings.extend(own.into_iter().flatten());
    let mut report = Report::default();
    for mut f in findings {
        let Some(sev) = config.level(f.lint).severity() else { continue };
        if cx.suppressed(&f) {
            report.suppressed += 1;
            continue;
        }
        f.diag.severity = sev;
        f.diag.code = f.lint.code.to_owned();
        report.findings.push(f);
    }
    report.findings.sort_by(|a, b| {
        a.diag
            .location
            .cmp(&b.diag.location)
            .then_with(|| a.diag.code.cmp(&b.diag.code))
            .then_with(|| a.diag.message.cmp(&b.diag.message))
    });
    // Several products of one tree report the same problem once.
    report.findings.dedup_by(|a, b| a.diag == b.diag);
    report
}
