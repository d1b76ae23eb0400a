//! One diagnostic type for every part of scapc: the compiler, the linter and
//! the validator all report through [`Diagnostic`], and one renderer per
//! output format turns a list of them into text, JSON or SARIF.
//!
//! Invariant: this crate does no I/O except reading source files lazily in
//! the text renderer to show a snippet (and it tolerates their absence).
#![forbid(unsafe_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod render;
pub mod suggest;
pub use render::{
    render_github, render_json, render_junit, render_sarif, render_sarif_with, render_text, sarif_uri, JunitCase,
    JunitOutcome, SarifRule, SarifTool, TextOptions,
};

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Informational: never changes the exit code.
    Note,
    /// Should be fixed; does not fail the command unless asked to.
    Warning,
    /// Must be fixed; the command exits non-zero.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A 1-based line and column in a file. Column counts characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn new(line: u32, col: u32) -> Self {
        Pos { line, col }
    }
}

/// A place in a source file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: PathBuf,
    /// `None` when the finding is about the file as a whole.
    pub pos: Option<Pos>,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Location { file: file.into(), pos: None }
    }
    pub fn at(file: impl Into<PathBuf>, line: u32, col: u32) -> Self {
        Location { file: file.into(), pos: Some(Pos::new(line, col)) }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(p) = self.pos {
            write!(f, ":{}:{}", p.line, p.col)?;
        }
        Ok(())
    }
}

/// A secondary place that explains the finding, e.g. the other end of a
/// dangling reference or the first definition of a duplicate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `E0101` for the compiler, `L0007` for a lint,
    /// `SRC-346-1` for a validation requirement.
    pub code: String,
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    pub location: Option<Location>,
    pub related: Vec<Related>,
    /// How to fix it.
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.into(),
            severity,
            message: message.into(),
            location: None,
            related: Vec::new(),
            hints: Vec::new(),
        }
    }
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message)
    }
    pub fn warning(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message)
    }
    pub fn note(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, code, message)
    }
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
    pub fn at_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.location = Some(Location::file(file));
        self
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related { location, message: message.into() });
        self
    }

    /// `file:line:col: error[CODE]: message` — the one-line form used in
    /// logs and tests.
    pub fn one_line(&self) -> String {
        let mut s = String::new();
        if let Some(loc) = &self.location {
            let _ = write!(s, "{loc}: ");
        }
        let _ = write!(s, "{}[{}]: {}", self.severity.as_str(), self.code, self.message);
        s
    }
}

/// A growing list of diagnostics. Loading code pushes into one of these and
/// keeps going; callers decide at the end whether errors stop the command.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }
    pub fn warning_count(&self) -> usize {
        self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    pub fn len(&self) -> usize {
        self.items.len()
    }
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }
    /// Sorts by file, position, then code, so output is deterministic no
    /// matter in which order parallel loaders finished.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            a.location.cmp(&b.location).then_with(|| a.code.cmp(&b.code)).then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
    }
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
    pub fn as_slice(&self) -> &[Diagnostic] {
        &self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics { items: iter.into_iter().collect() }
    }
}

/// Shows `path` relative to `base` when it is inside it.
pub fn display_path(path: &Path, base: &Path) -> PathBuf {
    path.strip_prefix(base).map(Path::to_path_buf).unwrap_or_else(|_| path.to_path_buf())
}
