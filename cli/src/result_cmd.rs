//! `scapc result list|show|diff|import|prune` over the store's runs, and
//! `scapc store check`, which verifies the index against the files and
//! repairs it.

use crate::task_cmd::{fail, Fmt, StoreOpts};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use scapc_store::task::{Engine, Task};
use scapc_store::{RunRow, Store};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ResultArgs {
    #[command(flatten)]
    pub opts: StoreOpts,
    #[command(subcommand)]
    pub cmd: ResultCmd,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Part {
    Arf,
    Report,
    Stdout,
    Stderr,
    ExitCode,
    Json,
}

#[derive(Subcommand)]
pub enum ResultCmd {
    /// List the runs (of one task, or of all), oldest first
    #[command(after_help = "Examples:
  scapc result list
  scapc result list 1 --format json")]
    List { task: Option<u64> },
    /// Show a run: its summary, or one of its files
    #[command(after_help = "Examples:
  scapc result show 1 3
  scapc result show 1 3 report > report.html
  scapc result show 1 3 arf > arf.xml")]
    Show {
        task: u64,
        /// The run, counted from 1
        n: u64,
        #[arg(value_enum)]
        part: Option<Part>,
    },
    /// Drift: the rules whose result changed between runs A and B of a task
    #[command(after_help = "Examples:
  scapc result diff 1 3 4
  scapc result diff 1 1 4 --format json")]
    Diff { task: u64, a: u64, b: u64 },
    /// Bring in ARF results made elsewhere (oscap, CI, Ansible runs)
    #[command(after_help = "Examples:
  scapc result import oscap-arf.xml --target web1
  scapc result import ci/*.arf.xml --task 2")]
    Import {
        #[arg(required = true)]
        arf: Vec<PathBuf>,
        /// Add them to this task
        #[arg(long, conflicts_with = "target")]
        task: Option<u64>,
        /// Add them to the import task of this target (made when missing)
        #[arg(long)]
        target: Option<String>,
    },
    /// Remove old runs
    #[command(after_help = "Examples:
  scapc result prune --keep 10
  scapc result prune --older-than 30d")]
    Prune {
        /// Keep the newest N runs of each task
        #[arg(long, required_unless_present = "older_than")]
        keep: Option<usize>,
        /// Remove runs started longer ago than this (`90m`, `12h`, `30d`, `2w`)
        #[arg(long)]
        older_than: Option<String>,
    },
}

#[derive(Args)]
pub struct StoreArgs {
    #[command(flatten)]
    pub opts: StoreOpts,
    #[command(subcommand)]
    pub cmd: StoreCmd,
}

#[derive(Subcommand)]
pub enum StoreCmd {
    /// Verify the index against the files; repair it, record cut-off runs as interrupted, fix modes
    #[command(after_help = "Examples:
  scapc store check
  scapc store check --no-repair --store /var/lib/scapc")]
    Check {
        /// Only report (exit 1 when anything is wrong)
        #[arg(long)]
        no_repair: bool,
    },
}

/// A UTC time as `YYYY-MM-DD HH:MM:SS` (appended to `out`).
fn push_time(out: &mut String, secs: i64) {
    use std::fmt::Write;
    let t = scapc_xml::datetime::from_epoch(secs);
    let _ = write!(out, "{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.year, t.month, t.day, t.hour, t.minute, t.second);
}

fn time(secs: i64) -> String {
    let mut s = String::with_capacity(19);
    push_time(&mut s, secs);
    s
}

/// One line per run, as `result list` prints it (appended to `out`).
pub fn push_line(out: &mut String, r: &RunRow) {
    use std::fmt::Write;
    let _ = write!(out, "{:>4} {:>4}  ", r.task, r.n);
    push_time(out, r.started);
    let _ = write!(out, "  {:<11} exit ", r.status);
    match r.exit_code {
        Some(c) => {
            let _ = write!(out, "{c:<3}");
        }
        None => out.push_str("-  "),
    }
    match r.score {
        Some(s) => {
            let _ = write!(out, " score {s:>6.2}  ");
        }
        None => out.push_str(" score      -  "),
    }
    out.push_str(&r.target);
    out.push_str("  ");
    if let Some(m) = r.counts.as_object() {
        for (i, (k, v)) in m.iter().enumerate() {
            let _ = write!(out, "{}{k} {v}", if i > 0 { ", " } else { "" });
        }
    }
}

/// One line per run, as `result list` prints it.
pub fn one_line(r: &RunRow) -> String {
    let mut s = String::with_capacity(120);
    push_line(&mut s, r);
    s
}

pub fn run(a: ResultArgs) -> ExitCode {
    let o = &a.opts;
    let mut store = match o.open() {
        Ok(s) => s,
        Err(c) => return c,
    };
    let r = match a.cmd {
        ResultCmd::List { task } => list(&store, o, task),
        ResultCmd::Show { task, n, part } => show(&store, o, task, n, part),
        ResultCmd::Diff { task, a, b } => diff(&store, o, task, a, b),
        ResultCmd::Import { arf, task, target } => import(&mut store, o, &arf, task, target),
        ResultCmd::Prune { keep, older_than } => prune(&mut store, o, keep, older_than),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn list(store: &Store, o: &StoreOpts, task: Option<u64>) -> Result<(), String> {
    if let Some(t) = task {
        store.task(t).map_err(|e| e.to_string())?;
    }
    let rows = store.runs(task).map_err(|e| e.to_string())?;
    let mut s = String::with_capacity(rows.len() * 120);
    match o.format {
        Fmt::Json => {
            // Written straight into one buffer of about the right size.
            let mut v = Vec::with_capacity(rows.len() * 420 + 2);
            let _ = serde_json::to_writer_pretty(&mut v, &rows);
            v.push(b'\n');
            crate::out::write_bytes(&v);
            return Ok(());
        }
        Fmt::Text => {
            s.push_str("task  run  started              status      exit     score          target  results");
            for r in &rows {
                s.push('\n');
                push_line(&mut s, r);
            }
        }
    }
    outln!("{s}");
    Ok(())
}

fn show(store: &Store, o: &StoreOpts, task: u64, n: u64, part: Option<Part>) -> Result<(), String> {
    let sum = store.summary(task, n).map_err(|e| e.to_string())?;
    let file = match part {
        None => None,
        Some(Part::Json) => Some("summary.json"),
        Some(Part::Arf) => Some("arf.xml"),
        Some(Part::Report) => Some("report.html"),
        Some(Part::Stdout) => Some("stdout"),
        Some(Part::Stderr) => Some("stderr"),
        Some(Part::ExitCode) => Some("exit_code"),
    };
    if let Some(f) = file {
        let p = store.run_dir(task, n).join(f);
        let bytes = std::fs::read(&p).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("run {task}/{n} has no {f} (a {} {} run)", sum.status.as_str(), sum.source)
            } else {
                format!("{}: {e}", p.display())
            }
        })?;
        crate::out::write_bytes(&bytes);
        return Ok(());
    }
    if o.format == Fmt::Json {
        out!("{}", sum.to_json());
        return Ok(());
    }
    let row = scapc_store::index::row_of(&sum);
    outln!("task {task} run {n}: {} ({})", sum.status.as_str(), sum.source);
    outln!("started   {}", time(row.started));
    if let Some(f) = row.finished {
        outln!("finished  {}", time(f));
    }
    outln!("target    {}", sum.target);
    outln!("profile   {}", sum.profile);
    outln!("exit code {}", sum.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "-".into()));
    outln!("score     {}", sum.score.map(|s| format!("{s:.2}")).unwrap_or_else(|| "-".into()));
    for (k, v) in &sum.counts {
        outln!("  {k:<14} {v}");
    }
    if let Some(e) = &sum.error {
        outln!("error     {e}");
    }
    outln!("files     {}", store.run_dir(task, n).display());
    Ok(())
}

fn diff(store: &Store, o: &StoreOpts, task: u64, a: u64, b: u64) -> Result<(), String> {
    let d = store.drift(task, a, b).map_err(|e| e.to_string())?;
    match o.format {
        Fmt::Json => outln!("{}", serde_json::to_string_pretty(&d).unwrap_or_default()),
        Fmt::Text => {
            let mut s = String::with_capacity(d.len() * 100);
            for x in &d {
                s.push_str(&format!("{:<13} -> {:<13} {}\n", x.before, x.after, x.rule));
            }
            s.push_str(&format!("{} rule(s) changed between runs {a} and {b} of task {task}", d.len()));
            outln!("{s}");
        }
    }
    Ok(())
}

/// The task holding imports for a target: found by target, else made (disabled).
fn import_task(store: &Store, target: &str) -> Result<u64, String> {
    let tasks = store.tasks().map_err(|e| e.to_string())?;
    if let Some(t) = tasks.iter().find(|t| t.target == target && t.content.is_empty()) {
        return Ok(t.id);
    }
    let t = Task {
        id: 0,
        title: format!("imported results of {target}"),
        target: target.to_owned(),
        content: String::new(),
        profile: None,
        tailoring: None,
        remediate: false,
        not_before: Timestamp::now().to_string(),
        repeat: "never".into(),
        timezone: String::new(),
        enabled: false,
        engine: Engine::Native,
        ssh_options: Vec::new(),
    };
    store.create_task(t).map(|t| t.id).map_err(|e| e.to_string())
}

fn import(
    store: &mut Store,
    o: &StoreOpts,
    files: &[PathBuf],
    task: Option<u64>,
    target: Option<String>,
) -> Result<(), String> {
    let mut done = Vec::new();
    let mut failed = 0;
    for f in files {
        let res = (|| -> Result<_, String> {
            let bytes = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
            let id = match (task, &target) {
                (Some(t), _) => t,
                (None, Some(name)) => import_task(store, name)?,
                (None, None) => {
                    // The target the ARF names.
                    let text = String::from_utf8_lossy(&bytes);
                    let facts = scapc_store::run::parse_arf(&text).map_err(|e| format!("{}: {e}", f.display()))?;
                    if facts.target.is_empty() {
                        return Err(format!(
                            "{}: the TestResult names no target; pass --task or --target",
                            f.display()
                        ));
                    }
                    import_task(store, &facts.target)?
                }
            };
            store.import(id, &bytes, &f.display().to_string()).map_err(|e| e.to_string())
        })();
        match res {
            Ok(s) => {
                if o.format == Fmt::Text {
                    outln!("imported {} as run {} of task {}", f.display(), s.n, s.task);
                }
                done.push(serde_json::json!({"file": f, "task": s.task, "n": s.n}));
            }
            Err(e) => {
                errln!("error: {e}");
                failed += 1;
            }
        }
    }
    if o.format == Fmt::Json {
        outln!("{}", serde_json::to_string_pretty(&done).unwrap_or_default());
    }
    if failed > 0 {
        return Err(format!("{failed} of {} file(s) not imported", files.len()));
    }
    Ok(())
}

fn prune(store: &mut Store, o: &StoreOpts, keep: Option<usize>, older: Option<String>) -> Result<(), String> {
    let before = match older {
        Some(a) => {
            Some(Timestamp::now().checked_sub(scapc_store::schedule::parse_age(&a)?).map_err(|e| format!("{a}: {e}"))?)
        }
        None => None,
    };
    let gone = store.prune(keep, before).map_err(|e| e.to_string())?;
    match o.format {
        Fmt::Json => outln!(
            "{}",
            serde_json::json!(gone.iter().map(|(t, n)| serde_json::json!({"task": t, "n": n})).collect::<Vec<_>>())
        ),
        Fmt::Text => outln!("removed {} run(s)", gone.len()),
    }
    Ok(())
}

pub fn store(a: StoreArgs) -> ExitCode {
    let o = &a.opts;
    let mut store = match o.open() {
        Ok(s) => s,
        Err(c) => return c,
    };
    let StoreCmd::Check { no_repair } = a.cmd;
    let rep = match store.check(!no_repair) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let unrepaired = rep.findings.len() - rep.repaired.min(rep.findings.len());
    match o.format {
        Fmt::Json => outln!("{}", serde_json::to_string_pretty(&rep).unwrap_or_default()),
        Fmt::Text => {
            for f in &rep.findings {
                outln!("{f}");
            }
            outln!(
                "{}: {} task(s), {} run(s), {} finding(s), {} repaired",
                store.root().display(),
                rep.tasks,
                rep.runs,
                rep.findings.len(),
                rep.repaired
            );
        }
    }
    if unrepaired > 0 || (no_repair && !rep.findings.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
