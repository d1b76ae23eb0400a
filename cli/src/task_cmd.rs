//! `scapc task`: create, list, show, enable, disable, run, remove and edit
//! scan tasks in the store, interactively (`create -i`, where Enter at every
//! prompt gives a valid task) or from flags; `scapc task ID guide`.

use crate::daemon_cmd;
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use scapc_store::task::{Engine, Task};
use scapc_store::{schedule, Store};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where SSG installs its data streams; `task create` offers them.
pub const SSG_CONTENT: &str = "/usr/share/xml/scap/ssg/content";

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum Fmt {
    #[default]
    Text,
    Json,
}

/// The options every store command takes.
#[derive(Args, Clone)]
pub struct StoreOpts {
    /// The store [default: $SCAPC_STORE, else /var/lib/scapc for root, else
    /// $XDG_DATA_HOME/scapc]
    #[arg(long, global = true, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, default_value = "text")]
    pub format: Fmt,
}

impl StoreOpts {
    pub fn root(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(scapc_store::default_root)
    }

    pub fn open(&self) -> Result<Store, ExitCode> {
        Store::open(&self.root()).map_err(|e| fail(format!("cannot open the store: {e}")))
    }
}

/// A usage error (exit 64).
pub fn usage(msg: &str) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(crate::EXIT_USAGE)
}

pub fn fail(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

#[derive(Args)]
pub struct TaskArgs {
    #[command(flatten)]
    pub opts: StoreOpts,
    #[command(subcommand)]
    pub cmd: TaskCmd,
}

#[derive(Args, Default)]
pub struct TaskFields {
    /// A title [default: the content and target]
    #[arg(long)]
    pub title: Option<String>,
    /// `local`, `dir:/path`, `ssh://user@host[:port]`, `oci:LAYOUT[:REF]`,
    /// `docker-archive:FILE`, or a container, `docker:NAME` or `podman:NAME`
    /// [default: local]
    #[arg(long)]
    pub target: Option<String>,
    /// The source data stream [default: SSG's for this system]
    #[arg(long)]
    pub content: Option<PathBuf>,
    /// Profile id (or the part after `_profile_`) [default: the benchmark's selection]
    #[arg(long)]
    pub profile: Option<String>,
    /// An XCCDF tailoring file
    #[arg(long)]
    pub tailoring: Option<PathBuf>,
    /// Apply the fixes after scanning (not supported by `scapc eval` yet: refused)
    #[arg(long)]
    pub remediate: bool,
    /// Not before: `now`, `2026-12-06 20:00` (local time) or RFC 3339 [default: now]
    #[arg(long)]
    pub not_before: Option<String>,
    /// Repeat: hours (`6`, `6h`), `@daily`, `@weekly`, `@monthly` or `never` [default: never]
    #[arg(long)]
    pub repeat: Option<String>,
    /// IANA time zone for calendar repeats [default: the system's]
    #[arg(long)]
    pub timezone: Option<String>,
    /// Which engine scans
    #[arg(long, value_enum)]
    pub engine: Option<EngineArg>,
    /// An ssh `-o` option for ssh targets (repeatable; on edit, replaces
    /// them all), e.g. `IdentityFile=/etc/scapc/id_ed25519`
    #[arg(long = "ssh-option", value_name = "OPTION")]
    pub ssh_options: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EngineArg {
    Native,
    Oscap,
}

#[derive(Subcommand)]
#[command(allow_external_subcommands = true)]
pub enum TaskCmd {
    /// Create a task (flags, or `-i` for prompts whose defaults all work)
    #[command(after_help = "Examples:
  scapc task create -i
  scapc task create --content ssg-debian12-ds.xml --profile standard --repeat @daily --enable
  scapc task create --target ssh://root@web1 --ssh-option IdentityFile=/etc/scapc/id_ed25519 --repeat 6h")]
    Create {
        /// Ask for each field; Enter takes the default
        #[arg(short = 'i', long)]
        interactive: bool,
        /// Enable the task (the daemon runs only enabled tasks)
        #[arg(long)]
        enable: bool,
        #[command(flatten)]
        fields: TaskFields,
    },
    /// List the tasks with their next due time
    #[command(after_help = "Examples:
  scapc task list
  scapc task list --format json --store /var/lib/scapc")]
    List,
    /// Show one task
    #[command(after_help = "Examples:
  scapc task show 1
  scapc task show 1 --format json")]
    Show { id: u64 },
    /// Let the daemon run a task
    #[command(after_help = "Examples:
  scapc task enable 1
  scapc task enable 2 --store /var/lib/scapc")]
    Enable { id: u64 },
    /// Stop the daemon from running a task
    #[command(after_help = "Examples:
  scapc task disable 1
  scapc task disable 2 --store /var/lib/scapc")]
    Disable { id: u64 },
    /// Run a task now, in the foreground, and record the result
    #[command(after_help = "Examples:
  scapc task run 1
  scapc task run 1 --format json")]
    Run { id: u64 },
    /// Remove a task and all its results
    #[command(after_help = "Examples:
  scapc task remove 1
  scapc task remove 2 --store /var/lib/scapc")]
    Remove { id: u64 },
    /// Change fields of a task
    #[command(after_help = "Examples:
  scapc task edit 1 --profile cis --repeat @weekly
  scapc task edit 2 --target dir:/srv/rootfs")]
    Edit {
        id: u64,
        #[command(flatten)]
        fields: TaskFields,
    },
    /// `scapc task ID guide`: what the task checks
    #[command(external_subcommand)]
    Other(Vec<String>),
}

pub fn run(mut a: TaskArgs) -> ExitCode {
    // `task ID guide` reaches clap as external words: take the store options out.
    if let TaskCmd::Other(args) = &mut a.cmd {
        let mut rest = Vec::new();
        let mut it = std::mem::take(args).into_iter();
        while let Some(w) = it.next() {
            if w == "--store" {
                a.opts.store = it.next().map(PathBuf::from);
            } else if let Some(v) = w.strip_prefix("--store=") {
                a.opts.store = Some(PathBuf::from(v));
            } else {
                rest.push(w);
            }
        }
        *args = rest;
    }
    let o = &a.opts;
    let store = match o.open() {
        Ok(s) => s,
        Err(c) => return c,
    };
    let r = match a.cmd {
        TaskCmd::Create { interactive, enable, fields } => create(&store, o, interactive, enable, fields),
        TaskCmd::List => list(&store, o),
        TaskCmd::Show { id } => store.task(id).map_err(|e| e.to_string()).map(|t| show(&store, o, &t)),
        TaskCmd::Enable { id } => set_enabled(&store, id, true),
        TaskCmd::Disable { id } => set_enabled(&store, id, false),
        TaskCmd::Run { id } => return run_now(store, o, id),
        TaskCmd::Remove { id } => store.remove_task(id).map_err(|e| e.to_string()).map(|()| {
            errln!("removed task {id} and its results");
            store.notify_daemon();
        }),
        TaskCmd::Edit { id, fields } => edit(&store, id, fields),
        TaskCmd::Other(args) => return other(&store, &args),
    };
    match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn set_enabled(store: &Store, id: u64, on: bool) -> Result<(), String> {
    let mut t = store.task(id).map_err(|e| e.to_string())?;
    t.enabled = on;
    store.save_task(&t).map_err(|e| e.to_string())?;
    store.notify_daemon();
    errln!("task {id} {}", if on { "enabled" } else { "disabled" });
    Ok(())
}

fn apply(t: &mut Task, f: TaskFields, now: Timestamp) -> Result<(), String> {
    if let Some(v) = f.title {
        t.title = v;
    }
    if let Some(v) = f.target {
        t.target = v;
    }
    if let Some(v) = f.content {
        t.content = absolute(&v)?;
    }
    if let Some(v) = f.profile {
        t.profile = (!v.is_empty()).then_some(v);
    }
    if let Some(v) = f.tailoring {
        t.tailoring = Some(absolute(&v)?);
    }
    if f.remediate {
        return Err("--remediate: `scapc eval` does not apply fixes yet, so a task cannot remediate".into());
    }
    if let Some(v) = f.timezone {
        t.timezone = v;
    }
    if let Some(v) = f.repeat {
        t.repeat = v.parse::<schedule::Repeat>()?.to_string();
    }
    if let Some(v) = f.not_before {
        t.not_before = schedule::parse_time(&v, now, &t.tz()?)?.to_string();
    }
    if !f.ssh_options.is_empty() {
        t.ssh_options = f.ssh_options;
    }
    if let Some(e) = f.engine {
        t.engine = match e {
            EngineArg::Native => Engine::Native,
            EngineArg::Oscap => Engine::Oscap,
        };
    }
    Ok(())
}

/// A task's paths are stored absolute: the daemon runs elsewhere.
fn absolute(p: &Path) -> Result<String, String> {
    let abs = std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()))?;
    if !abs.is_file() {
        return Err(format!("{}: no such file", abs.display()));
    }
    abs.to_str().map(str::to_owned).ok_or_else(|| format!("{}: the path is not UTF-8", abs.display()))
}

/// SSG data streams installed on this system, the one for this OS first.
pub fn ssg_streams(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    v.retain(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with("-ds.xml")));
    v.sort();
    let os = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
    let field = |k: &str| {
        os.lines().find_map(|l| l.strip_prefix(k)).map(|v| v.trim_matches('"').replace('.', "")).unwrap_or_default()
    };
    let mine = format!("ssg-{}{}-ds.xml", field("ID="), field("VERSION_ID="));
    if let Some(i) = v.iter().position(|p| p.file_name().is_some_and(|n| n == mine.as_str())) {
        let p = v.remove(i);
        v.insert(0, p);
    }
    v
}

/// The profiles (id, title) of a data stream's first benchmark.
pub fn profiles(ds: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(ds).map_err(|e| format!("{}: {e}", ds.display()))?;
    let c = scapc_datastream::read::read(&text)
        .map_err(|e| format!("{}:{}:{}: {}", ds.display(), e.line, e.col, e.message))?;
    let info = scapc_datastream::info::info(&c);
    let b = info.benchmarks.into_iter().next().ok_or_else(|| format!("{}: no benchmark in it", ds.display()))?;
    Ok(b.profiles.into_iter().map(|p| (p.id, p.title)).collect())
}

/// Times are kept to the second.
fn whole_seconds(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

fn default_title(t: &Task) -> String {
    let name = Path::new(&t.content).file_name().and_then(|n| n.to_str()).unwrap_or("scan");
    let name = name.strip_suffix("-ds.xml").or(name.strip_suffix(".xml")).unwrap_or(name);
    let prof = t.profile.as_deref().map(|p| p.rsplit("_profile_").next().unwrap_or(p)).unwrap_or("default");
    format!("{name} {prof} on {}", t.target)
}

fn blank_task(now: Timestamp) -> Task {
    Task {
        id: 0,
        title: String::new(),
        target: "local".into(),
        content: String::new(),
        profile: None,
        tailoring: None,
        remediate: false,
        not_before: now.to_string(),
        repeat: "never".into(),
        timezone: String::new(),
        enabled: false,
        engine: Engine::Native,
        ssh_options: Vec::new(),
    }
}

struct Prompter<R: BufRead> {
    input: R,
}

impl<R: BufRead> Prompter<R> {
    /// Asks; Enter (or end of input) takes the default.
    fn ask(&mut self, q: &str, default: &str) -> String {
        err!("{q} [{default}]: ");
        let mut line = String::new();
        if self.input.read_line(&mut line).unwrap_or(0) == 0 {
            errln!();
        }
        let a = line.trim();
        if a.is_empty() {
            default.to_owned()
        } else {
            a.to_owned()
        }
    }

    /// Asks until `check` accepts the answer.
    fn ask_valid<T>(&mut self, q: &str, default: &str, check: impl Fn(&str) -> Result<T, String>) -> T {
        loop {
            let a = self.ask(q, default);
            match check(&a) {
                Ok(v) => return v,
                Err(e) => errln!("  {e}"),
            }
        }
    }

    /// A choice by number from a list.
    fn choose(&mut self, q: &str, items: &[String], default: usize) -> usize {
        for (i, it) in items.iter().enumerate() {
            errln!("  {:>3}) {it}", i + 1);
        }
        let n = items.len();
        self.ask_valid(q, &(default + 1).to_string(), |a| match a.parse::<usize>() {
            Ok(k) if (1..=n).contains(&k) => Ok(k - 1),
            _ => Err(format!("type a number from 1 to {n}")),
        })
    }
}

fn interactive(mut t: Task, now: Timestamp) -> Result<Task, String> {
    let stdin = std::io::stdin();
    let mut p = Prompter { input: stdin.lock() };
    t.target = p.ask_valid("Target (local, dir:/path, ssh://user@host)", &t.target, |a| {
        if a.starts_with("local") || a.starts_with("dir:") || a.starts_with("ssh://") || a.starts_with("ssh+sudo://") {
            Ok(a.to_owned())
        } else {
            Err("a target is `local`, `dir:/path`, `ssh://user@host[:port]`, `oci:LAYOUT` or `docker-archive:FILE`"
                .into())
        }
    });
    if t.content.is_empty() {
        let dir = std::env::var_os("SCAPC_CONTENT_DIR").map(PathBuf::from).unwrap_or_else(|| SSG_CONTENT.into());
        let found = ssg_streams(&dir);
        if found.is_empty() {
            errln!("No data streams in {}; give a path.", dir.display());
            t.content = p.ask_valid("Content (a source data stream)", "", |a| absolute(Path::new(a)));
        } else {
            errln!("Content (data streams in {}):", dir.display());
            let names: Vec<String> =
                found.iter().map(|f| f.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
            let k = p.choose("Content, by number", &names, 0);
            t.content = found[k].to_string_lossy().into_owned();
        }
    }
    if t.profile.is_none() {
        let profs = profiles(Path::new(&t.content))?;
        let mut items = vec!["(the benchmark's own selection)".to_owned()];
        items.extend(profs.iter().map(|(id, title)| format!("{title}  ({id})")));
        let def = profs.iter().position(|(id, _)| id.ends_with("_standard")).map_or(0, |i| i + 1);
        errln!("Profile:");
        let k = p.choose("Profile, by number", &items, def);
        t.profile = (k > 0).then(|| profs[k - 1].0.clone());
    }
    let title = default_title(&t);
    t.title = p.ask("Title", &title);
    let tz = t.tz()?;
    let nb = p.ask_valid("Not before (now, 2026-12-06 20:00)", "now", |a| schedule::parse_time(a, now, &tz));
    t.not_before = nb.to_string();
    let rep = p.ask_valid("Repeat (never, hours like 6, @daily, @weekly, @monthly)", "never", |a| {
        a.parse::<schedule::Repeat>()
    });
    t.repeat = rep.to_string();
    let en = p.ask_valid("Enable it (the daemon runs enabled tasks)", "y", |a| match a.to_lowercase().as_str() {
        "y" | "yes" => Ok(true),
        "n" | "no" => Ok(false),
        _ => Err("answer y or n".into()),
    });
    t.enabled = en;
    Ok(t)
}

fn create(store: &Store, o: &StoreOpts, interactive_mode: bool, enable: bool, f: TaskFields) -> Result<(), String> {
    let now = whole_seconds(Timestamp::now());
    let mut t = blank_task(now);
    let title_given = f.title.is_some();
    apply(&mut t, f, now)?;
    if interactive_mode {
        t = interactive(t, now)?;
    } else if t.content.is_empty() {
        let found = ssg_streams(Path::new(SSG_CONTENT));
        let first = found.first().ok_or_else(|| {
            format!("--content is required: no data stream found in {SSG_CONTENT} (install ssg-debian or give a path)")
        })?;
        t.content = first.to_string_lossy().into_owned();
    }
    if !title_given && t.title.is_empty() {
        t.title = default_title(&t);
    }
    t.enabled |= enable;
    let t = store.create_task(t).map_err(|e| e.to_string())?;
    store.notify_daemon();
    match o.format {
        Fmt::Json => outln!("{}", serde_json::json!({ "id": t.id })),
        Fmt::Text => outln!("created task {}: {}", t.id, t.title),
    }
    Ok(())
}

fn edit(store: &Store, id: u64, f: TaskFields) -> Result<(), String> {
    let mut t = store.task(id).map_err(|e| e.to_string())?;
    apply(&mut t, f, whole_seconds(Timestamp::now()))?;
    store.save_task(&t).map_err(|e| e.to_string())?;
    store.notify_daemon();
    errln!("task {id} saved");
    Ok(())
}

fn next_due_text(store: &Store, t: &Task) -> String {
    match store.next_due(t) {
        Ok(Some(ts)) => ts.to_string(),
        Ok(None) if !t.enabled => "disabled".into(),
        Ok(None) => "never again".into(),
        Err(e) => format!("error: {e}"),
    }
}

fn task_json(store: &Store, t: &Task) -> serde_json::Value {
    let mut v = t.to_json();
    if let Some(m) = v.as_object_mut() {
        m.insert("next_due".into(), serde_json::json!(store.next_due(t).ok().flatten().map(|t| t.to_string())));
        let runs = store.runs(Some(t.id)).unwrap_or_default();
        m.insert("runs".into(), serde_json::json!(runs.len()));
        m.insert("last_score".into(), serde_json::json!(runs.last().and_then(|r| r.score)));
    }
    v
}

fn list(store: &Store, o: &StoreOpts) -> Result<(), String> {
    let tasks = store.tasks().map_err(|e| e.to_string())?;
    match o.format {
        Fmt::Json => {
            let v: Vec<serde_json::Value> = tasks.iter().map(|t| task_json(store, t)).collect();
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Fmt::Text => {
            if tasks.is_empty() {
                errln!("no tasks in {} (`scapc task create -i` makes one)", store.root().display());
            }
            for t in &tasks {
                outln!(
                    "{:>4}  {:<8} {:<10} {:<22} {}",
                    t.id,
                    if t.enabled { "enabled" } else { "disabled" },
                    t.repeat,
                    next_due_text(store, t),
                    t.title
                );
            }
        }
    }
    Ok(())
}

fn show(store: &Store, o: &StoreOpts, t: &Task) {
    match o.format {
        Fmt::Json => outln!("{}", serde_json::to_string_pretty(&task_json(store, t)).unwrap_or_default()),
        Fmt::Text => {
            out!("{}", t.to_toml());
            outln!("# next due: {}", next_due_text(store, t));
            outln!("# runs: {}", store.runs(Some(t.id)).map(|r| r.len()).unwrap_or(0));
        }
    }
}

fn run_now(mut store: Store, o: &StoreOpts, id: u64) -> ExitCode {
    let t = match store.task(id) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    match daemon_cmd::execute(&mut store, &t, "cli", None) {
        Ok(s) => {
            match o.format {
                Fmt::Json => outln!("{}", s.to_json().trim_end()),
                Fmt::Text => outln!("{}", crate::result_cmd::one_line(&scapc_store::index::row_of(&s))),
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn other(store: &Store, args: &[String]) -> ExitCode {
    let (Some(id), Some("guide"), 2) =
        (args.first().and_then(|a| a.parse::<u64>().ok()), args.get(1).map(String::as_str), args.len())
    else {
        return usage(&format!("unknown task command `{}`; try `scapc task --help`", args.join(" ")));
    };
    let t = match store.task(id) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    guide(&t)
}

/// The guide of a task: `scapc guide` when this scapc has it, else a plain listing.
fn guide(t: &Task) -> ExitCode {
    let exe = std::env::current_exe().unwrap_or_else(|_| "scapc".into());
    let has_guide = std::process::Command::new(&exe)
        .args(["guide", "--help"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has_guide {
        let mut c = std::process::Command::new(&exe);
        c.arg("guide").arg(&t.content);
        if let Some(p) = &t.profile {
            c.args(["--profile", p]);
        }
        return match c.status() {
            Ok(s) if s.success() => ExitCode::SUCCESS,
            Ok(s) => ExitCode::from(s.code().unwrap_or(1).clamp(1, 255) as u8),
            Err(e) => fail(format!("{}: {e}", exe.display())),
        };
    }
    let content = match scapc_eval::xccdf::content::Content::load(Path::new(&t.content), None, None) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let b = &content.benchmark;
    let prof = t
        .profile
        .as_deref()
        .and_then(|p| b.profiles.iter().find(|x| x.id == p || x.id.rsplit("_profile_").next() == Some(p)));
    outln!("{} ({})", b.title, b.id);
    match prof {
        Some(p) => outln!("Profile: {} ({})", p.title, p.id),
        None => outln!("Profile: the benchmark's own selection"),
    }
    outln!();
    let mut n = 0;
    for r in &b.rules {
        let selected = match prof {
            Some(p) => p.selects.iter().rev().find(|(id, _)| id == &r.id).map_or(r.selected, |(_, s)| *s),
            None => r.selected,
        };
        if selected {
            n += 1;
            outln!("{:<7} {}  {}", r.severity, r.id, r.title);
        }
    }
    outln!();
    outln!("{n} rules (a plain listing: this scapc has no `guide` command)");
    ExitCode::SUCCESS
}
