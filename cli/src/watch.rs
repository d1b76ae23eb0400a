//! `scapc build --watch`: one full build, then a rebuild after every batch
//! of edits (inotify through `notify`, events gathered until the tree has
//! been quiet for [`QUIET`]), through `scapc_compiler::incremental`. Each
//! rebuild prints one line: what changed, the products, the time, the
//! diagnostics. A rebuild with errors writes nothing, so the previous
//! outputs stay; the next good edit writes again. Runs until interrupted.
//!
//! Validation: the first build validates before writing, as `scapc build`
//! does. A rebuild writes first and then validates what it wrote, so the
//! new data stream is on disk without waiting for the XSD and SP 800-126r3
//! checks (the larger part of a rebuild); their verdict follows on a
//! second line. When they fail, the outputs of the last build that passed
//! them (kept in memory) are written back in one set and the line says
//! "rolled back": an invalid data stream is on disk only between the
//! rebuild's write and the end of its validation.
use crate::Format;
use notify::{EventKind, RecursiveMode, Watcher};
use scapc_compiler::build::{BuildOptions, BuildReport, Finish, Gate};
use scapc_compiler::incremental::{Change, Session};
use scapc_diagnostics::Diagnostic;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long the tree must be quiet before a rebuild starts: an editor's
/// save (write a temporary, rename it into place) is one batch.
const QUIET: Duration = Duration::from_millis(10);

type Events = Receiver<notify::Result<notify::Event>>;

pub fn run(opts: BuildOptions, gate: Option<Gate<'_>>, finish: Option<Finish<'_>>, format: Format) -> ExitCode {
    let mut session = Session::new(opts);
    // Watch before the first build, so that an edit made during it is seen.
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            errln!("error: cannot watch files: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = watcher.watch(session.root(), RecursiveMode::Recursive) {
        errln!("error: cannot watch `{}`: {e}", session.options().root.display());
        return ExitCode::from(2);
    }
    let start = Clock::now();
    let report = session.build(gate, finish);
    print_rebuild(&report, "initial build", start.elapsed(), format);
    // The outputs that passed validation last: what a failed validation
    // rolls back to. The first build validated before it wrote.
    let mut good = if report.diagnostics.has_errors() { None } else { Some(Outputs::read(&report)) };
    errln!("watching {} for changes (Ctrl-C stops)", session.options().root.display());
    loop {
        let Some(change) = next_change(&rx, &session) else {
            errln!("error: the file watcher stopped");
            return ExitCode::from(1);
        };
        let start = Clock::now();
        session.apply(&change);
        let report = session.build(None, finish);
        print_rebuild(&report, &describe(&change), start.elapsed(), format);
        if report.diagnostics.has_errors() {
            continue;
        }
        let Some(gate) = gate else { continue };
        let start = Clock::now();
        let found = validate_written(&report, gate);
        let failed = found.iter().any(|d| d.severity == scapc_diagnostics::Severity::Error);
        let rollback = if failed {
            Some(roll_back(&report, good.as_ref(), &session.options().out_dir))
        } else {
            good = Some(Outputs::read(&report));
            None
        };
        print_validated(&found, rollback, start.elapsed(), format);
    }
}

/// The files of a build's outputs (names relative to the output
/// directory, bytes) as read back from disk.
struct Outputs {
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Outputs {
    fn read(report: &BuildReport) -> Outputs {
        let files = report
            .outputs
            .iter()
            .flat_map(|p| &p.files)
            .filter_map(|(path, _)| Some((path.clone(), std::fs::read(path).ok()?)))
            .collect();
        Outputs { files }
    }
}

/// How a failed validation was undone.
enum RolledBack {
    /// The last valid outputs are back in place.
    Restored,
    /// No build had passed validation yet: the invalid outputs were removed.
    Removed,
    /// Undoing failed (the message says why); the invalid outputs stay.
    Failed(String),
}

/// Writes `good` back over what the rebuild wrote, as one set (each file
/// renamed into place, the data streams last); outputs the rebuild wrote
/// that `good` lacks are removed.
fn roll_back(report: &BuildReport, good: Option<&Outputs>, out_dir: &Path) -> RolledBack {
    let written: Vec<&PathBuf> = report.outputs.iter().flat_map(|p| &p.files).map(|(f, _)| f).collect();
    let kept: Vec<&PathBuf> = good.map(|g| g.files.iter().map(|(f, _)| f).collect()).unwrap_or_default();
    let mut set = Vec::new();
    let mut streams = Vec::new();
    for (path, data) in good.map(|g| g.files.as_slice()).unwrap_or_default() {
        let Some(name) = path.strip_prefix(out_dir).ok().and_then(|n| n.to_str()) else {
            return RolledBack::Failed(format!("`{}` is not in the output directory", path.display()));
        };
        let f = scapc_output::SetFile { name: name.to_owned(), data: data.clone(), mode: scapc_output::Mode::Public };
        if name.ends_with("-ds.xml") {
            streams.push(f);
        } else {
            set.push(f);
        }
    }
    set.append(&mut streams);
    let how = scapc_output::SetOptions { overwrite: true, skip_unchanged: true };
    if let Err(e) = scapc_output::write_set(out_dir, &set, &how) {
        return RolledBack::Failed(e.to_string());
    }
    for extra in written.into_iter().filter(|f| !kept.contains(f)) {
        if let Err(e) = std::fs::remove_file(extra) {
            return RolledBack::Failed(format!("cannot remove `{}`: {e}", extra.display()));
        }
    }
    if good.is_some() {
        RolledBack::Restored
    } else {
        RolledBack::Removed
    }
}

/// Wall time and this process's CPU time (user and system, all threads),
/// which a loaded machine does not inflate as it does wall time.
#[derive(Clone, Copy)]
struct Clock {
    wall: Instant,
    cpu: Option<f64>,
}

/// Elapsed wall and CPU seconds.
#[derive(Clone, Copy)]
struct Took {
    wall: f64,
    cpu: Option<f64>,
}

impl Clock {
    fn now() -> Clock {
        Clock { wall: Instant::now(), cpu: cpu_seconds() }
    }

    fn elapsed(&self) -> Took {
        let cpu = match (self.cpu, cpu_seconds()) {
            (Some(a), Some(b)) => Some(b - a),
            _ => None,
        };
        Took { wall: self.wall.elapsed().as_secs_f64(), cpu }
    }
}

impl std::fmt::Display for Took {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.3} s", self.wall)?;
        match self.cpu {
            Some(c) => write!(f, " (CPU {c:.2} s)"),
            None => Ok(()),
        }
    }
}

/// utime + stime of this process from /proc/self/stat (clock ticks of
/// 1/100 s, as Linux reports them to user space).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The gate's findings on each data stream the rebuild wrote, read back
/// from disk.
fn validate_written(report: &BuildReport, gate: Gate<'_>) -> Vec<Diagnostic> {
    let streams =
        report.outputs.iter().flat_map(|p| &p.files).filter(|(f, _)| f.to_string_lossy().ends_with("-ds.xml"));
    let mut found = Vec::new();
    for (path, _) in streams {
        match std::fs::read_to_string(path) {
            Ok(text) => found.extend(gate(path, &text)),
            Err(e) => found.push(
                Diagnostic::error(
                    scapc_compiler::codes::IO,
                    format!("cannot read the data stream back to validate it: {e}"),
                )
                .at_file(path),
            ),
        }
    }
    found
}

/// The findings of validating what a rebuild wrote, and what was done
/// about a failure.
fn print_validated(found: &[Diagnostic], rollback: Option<RolledBack>, took: Took, format: Format) {
    let secs = took.wall;
    let errors = found.iter().filter(|d| d.severity == scapc_diagnostics::Severity::Error).count();
    let (rolled_back, undo) = match &rollback {
        None => (false, String::new()),
        Some(RolledBack::Restored) => {
            (true, "rolled back: the outputs of the last valid build are restored".to_owned())
        }
        Some(RolledBack::Removed) => {
            (true, "rolled back: no build had passed validation, so its outputs were removed".to_owned())
        }
        Some(RolledBack::Failed(why)) => {
            (false, format!("rolling back FAILED ({why}); the data stream on disk fails validation"))
        }
    };
    if format == Format::Json {
        let diags =
            serde_json::from_str::<serde_json::Value>(&scapc_diagnostics::render_json(found)).unwrap_or_default();
        outln!(
            "{}",
            serde_json::json!({ "validated": errors == 0, "rolled_back": rolled_back, "seconds": secs, "cpu_seconds": took.cpu, "diagnostics": diags })
        );
        return;
    }
    if !found.is_empty() {
        crate::print_diags(found, Format::Text);
    }
    if errors == 0 {
        errln!("  validated in {took}: no errors");
    } else {
        errln!("  validated in {took}: {errors} error(s); {undo}");
    }
}

/// Waits for an event on a source, then gathers more until no source has
/// changed for [`QUIET`]; returns the sources they touch (`None` when the
/// watcher is gone). Events on what no build reads (reads, the outputs,
/// temporaries) neither start nor prolong a batch.
fn next_change(rx: &Events, session: &Session) -> Option<Change> {
    let mut change = Change::default();
    let mut deadline: Option<Instant> = None;
    loop {
        let ev = match deadline {
            None => rx.recv().ok()?,
            Some(d) => match rx.recv_timeout(d.saturating_duration_since(Instant::now())) {
                Ok(ev) => ev,
                Err(RecvTimeoutError::Timeout) => {
                    change.paths.sort();
                    change.paths.dedup();
                    return Some(change);
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            },
        };
        if add_event(&mut change, ev, session) {
            deadline = Some(Instant::now() + QUIET);
        }
    }
}

/// Adds what `ev` touches to `change`; whether it touched a source.
fn add_event(change: &mut Change, ev: notify::Result<notify::Event>, session: &Session) -> bool {
    let ev = match ev {
        Ok(ev) => ev,
        Err(e) => {
            // Lost events (queue overflow) or a watch error: rebuild
            // everything from a fresh look at the tree.
            warn!("file watcher: {e}; rediscovering the tree");
            change.layout = true;
            change.paths.push(session.options().root.clone());
            return true;
        }
    };
    let layout = match ev.kind {
        EventKind::Access(_) => return false,
        EventKind::Modify(notify::event::ModifyKind::Data(_))
        | EventKind::Modify(notify::event::ModifyKind::Metadata(_)) => false,
        _ => true,
    };
    let paths: Vec<PathBuf> = ev.paths.iter().filter_map(|p| session.source_path(p)).collect();
    if paths.is_empty() {
        return false;
    }
    change.layout |= layout;
    change.paths.extend(paths);
    true
}

/// `rules/a/rule.yml`, or `rules/a/rule.yml and 2 more`.
fn describe(change: &Change) -> String {
    let first = change.paths.first().map(|p| shown(p)).unwrap_or_default();
    match change.paths.len() {
        0 | 1 => first,
        n => format!("{first} and {} more", n - 1),
    }
}

fn shown(p: &Path) -> String {
    p.strip_prefix("./").unwrap_or(p).display().to_string()
}

/// One line per rebuild (with the diagnostics before it), or one JSON
/// object per line on stdout with `--format json`.
fn print_rebuild(report: &BuildReport, what: &str, took: Took, format: Format) {
    let d = &report.diagnostics;
    let products: Vec<&str> = report.outputs.iter().map(|p| p.product.as_str()).collect();
    let secs = took.wall;
    if format == Format::Json {
        let line = serde_json::json!({
            "cpu_seconds": took.cpu,
            "changed": what,
            "ok": !d.has_errors(),
            "products": products,
            "seconds": secs,
            "errors": d.error_count(),
            "warnings": d.warning_count(),
            "diagnostics": serde_json::from_str::<serde_json::Value>(&scapc_diagnostics::render_json(d.as_slice()))
                .unwrap_or_default(),
        });
        outln!("{line}");
        return;
    }
    crate::print_diags(d.as_slice(), Format::Text);
    if d.has_errors() {
        errln!(
            "{what}: {} error(s), {} warning(s) in {took}; nothing written, the previous outputs are kept",
            d.error_count(),
            d.warning_count()
        );
    } else {
        errln!("{what}: rebuilt {} in {took}, {} warning(s)", products.join(", "), d.warning_count());
    }
}
