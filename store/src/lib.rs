//! The store of continuous scanning (`scapc task`, `result`, `daemon`,
//! `serve`). Files are the source of truth, as in OpenSCAP-daemon:
//!
//! - `tasks/<id>.toml`: one task ([`task::Task`]);
//! - `results/<task>/<n>/`: run `n` of a task (counted from 1) with
//!   `arf.xml`, `report.html`, `stdout`, `stderr`, `exit_code` and
//!   `summary.json` ([`run`]), each written atomically through
//!   `scapc-output` and created 0600; `summary.json` comes last;
//! - `index.sqlite`: the SQLite index ([`index`]), rebuilt from the files by
//!   [`Store::check`].
//!
//! A run in progress holds an exclusive lock on `results/<task>/<n>/running`;
//! the directory is put in place with its lock already held (rename without
//! replace), so a run directory without `summary.json` whose lock nobody
//! holds belongs to a process that died: [`Store::recover`] records it as
//! interrupted. Task files change under the store lock (`lock`), and a
//! single daemon per store holds `daemon.lock`.
#![forbid(unsafe_code)]

pub mod index;
pub mod run;
pub mod schedule;
pub mod task;

use jiff::Timestamp;
use run::{ArfFacts, Drift, RuleResult, Status, Summary};
use rusqlite::Connection;
use rustix::fs::{self as rfs, FlockOperation, RenameFlags};
use scapc_output::{write_file, Mode};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use task::Task;

pub use index::RunRow;

/// A store error: what failed, where, and the cause.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

fn at(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |e| Error(format!("{}: {e}", path.display()))
}

fn db(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error(format!("{} (the index; `scapc store check` rebuilds it): {e}", path.display()))
}

/// The default store: `$SCAPC_STORE`, else `/var/lib/scapc` for root, else
/// `$XDG_DATA_HOME/scapc` (`~/.local/share/scapc`).
pub fn default_root() -> PathBuf {
    if let Some(s) = std::env::var_os("SCAPC_STORE").filter(|s| !s.is_empty()) {
        return PathBuf::from(s);
    }
    if rustix::process::geteuid().is_root() {
        return PathBuf::from("/var/lib/scapc");
    }
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|s| !s.is_empty()) {
        return PathBuf::from(x).join("scapc");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/scapc")
}

/// An exclusive lock on a file, released when dropped (or when the process dies).
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] File);

fn lock_file(path: &Path, wait: bool) -> Result<Option<Lock>> {
    let f = fs::OpenOptions::new().create(true).truncate(false).write(true).mode(0o600).open(path).map_err(at(path))?;
    let op = if wait { FlockOperation::LockExclusive } else { FlockOperation::NonBlockingLockExclusive };
    match rfs::flock(&f, op) {
        Ok(()) => Ok(Some(Lock(f))),
        Err(rustix::io::Errno::WOULDBLOCK) if !wait => Ok(None),
        Err(e) => Err(at(path)(e.into())),
    }
}

/// A run in progress: its directory and its lock.
#[derive(Debug)]
pub struct Running {
    pub task: u64,
    pub n: u64,
    pub dir: PathBuf,
    pub started: Timestamp,
    pub scheduled: Option<Timestamp>,
    pub source: String,
    _lock: Lock,
}

impl Running {
    /// Writes one result file of the run (atomically, 0600).
    pub fn write(&self, name: &str, data: &[u8]) -> Result<()> {
        let p = self.dir.join(name);
        write_file(&p, data, Mode::Private).map_err(at(&p))
    }
}

/// What `check` found and did.
#[derive(Debug, Default, serde::Serialize)]
pub struct CheckReport {
    /// Problems found (each one line: what and where).
    pub findings: Vec<String>,
    /// Problems repaired (a subset of findings).
    pub repaired: usize,
    pub tasks: usize,
    pub runs: usize,
}

/// A store at a directory.
pub struct Store {
    root: PathBuf,
    conn: Connection,
}

impl Store {
    /// Opens (creating when missing) the store at `root`.
    pub fn open(root: &Path) -> Result<Store> {
        // The store is private to its owner: results hold secrets of the targets.
        for d in [root.to_path_buf(), root.join("tasks"), root.join("results")] {
            std::os::unix::fs::DirBuilderExt::mode(fs::DirBuilder::new().recursive(true), 0o700)
                .create(&d)
                .map_err(at(&d))?;
        }
        let ip = root.join("index.sqlite");
        let conn = match index::open(&ip) {
            Ok(c) => c,
            Err(e) => {
                // A damaged index is only a cache: set it aside and rebuild.
                let aside = root.join(format!("index.sqlite.damaged-{}", Timestamp::now().as_second()));
                fs::rename(&ip, &aside).map_err(|_| db(&ip)(e))?;
                for ext in ["-wal", "-shm"] {
                    let _ = fs::remove_file(root.join(format!("index.sqlite{ext}")));
                }
                let c = index::open(&ip).map_err(db(&ip))?;
                let mut s = Store { root: root.to_path_buf(), conn: c };
                s.check(true)?;
                return Ok(s);
            }
        };
        Ok(Store { root: root.to_path_buf(), conn })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn index_path(&self) -> PathBuf {
        self.root.join("index.sqlite")
    }

    /// The store-wide lock that serializes changes to task files.
    pub fn lock(&self) -> Result<Lock> {
        lock_file(&self.root.join("lock"), true).map(|l| l.expect("a waiting lock is always taken"))
    }

    /// The one-daemon-per-store lock; None when another daemon holds it.
    pub fn daemon_lock(&self) -> Result<Option<Lock>> {
        lock_file(&self.root.join("daemon.lock"), false)
    }

    /// Records this process as the store's daemon (after taking [`Store::daemon_lock`]).
    pub fn write_daemon_pid(&self) -> Result<()> {
        let p = self.root.join("daemon.pid");
        write_file(&p, format!("{}\n", std::process::id()).as_bytes(), Mode::Public).map_err(at(&p))
    }

    /// Wakes the store's daemon (SIGHUP) so it rereads the tasks; nothing
    /// when no daemon runs.
    pub fn notify_daemon(&self) {
        let Ok(text) = fs::read_to_string(self.root.join("daemon.pid")) else { return };
        let Some(pid) = text.trim().parse::<i32>().ok().and_then(rustix::process::Pid::from_raw) else { return };
        // The pid file is trusted only while its daemon holds the lock.
        if matches!(lock_file(&self.root.join("daemon.lock"), false), Ok(None)) {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::HUP);
        }
    }

    fn task_path(&self, id: u64) -> PathBuf {
        self.root.join("tasks").join(format!("{id}.toml"))
    }

    fn task_dir(&self, id: u64) -> PathBuf {
        self.root.join("results").join(id.to_string())
    }

    /// The directory of run `n` of task `id`.
    pub fn run_dir(&self, id: u64, n: u64) -> PathBuf {
        self.task_dir(id).join(n.to_string())
    }

    /// Numeric names in a directory (task ids, run numbers).
    fn numbers(dir: &Path, suffix: &str) -> Result<Vec<u64>> {
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            // A stray file where a directory belongs holds no runs.
            Err(e) if matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
                return Ok(Vec::new())
            }
            Err(e) => return Err(at(dir)(e)),
        };
        let mut v: Vec<u64> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.strip_suffix(suffix)?.parse().ok())
            .collect();
        v.sort_unstable();
        Ok(v)
    }

    // ---- tasks ----

    /// The ids of the task files.
    pub fn task_ids(&self) -> Result<Vec<u64>> {
        Self::numbers(&self.root.join("tasks"), ".toml")
    }

    /// Every task, by id; a task file that cannot be read is an error naming it.
    pub fn tasks(&self) -> Result<Vec<Task>> {
        Self::numbers(&self.root.join("tasks"), ".toml")?.into_iter().map(|id| self.task(id)).collect()
    }

    pub fn task(&self, id: u64) -> Result<Task> {
        let p = self.task_path(id);
        let text = fs::read_to_string(&p).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error(format!("no task {id} in the store {} (`scapc task list` shows the tasks)", self.root.display()))
            } else {
                at(&p)(e)
            }
        })?;
        let t = Task::from_toml(&text).map_err(|e| Error(format!("{}: {e}", p.display())))?;
        if t.id != id {
            return Err(Error(format!("{}: the file says `id = {}`; it must match the file name", p.display(), t.id)));
        }
        Ok(t)
    }

    /// Adds a task with the next free id (the `id` field is ignored).
    pub fn create_task(&self, mut t: Task) -> Result<Task> {
        let _l = self.lock()?;
        let ids = Self::numbers(&self.root.join("tasks"), ".toml")?;
        // Ids are never reused while results of an old task remain.
        let rids = Self::numbers(&self.root.join("results"), "")?;
        t.id = ids.iter().chain(&rids).max().map_or(1, |m| m + 1);
        t.validate().map_err(Error)?;
        let p = self.task_path(t.id);
        write_file(&p, t.to_toml().as_bytes(), Mode::Private).map_err(at(&p))?;
        Ok(t)
    }

    /// Replaces an existing task's file.
    pub fn save_task(&self, t: &Task) -> Result<()> {
        let _l = self.lock()?;
        t.validate().map_err(|e| Error(format!("task {}: {e}", t.id)))?;
        let p = self.task_path(t.id);
        if !p.exists() {
            return Err(Error(format!("no task {} in the store {}", t.id, self.root.display())));
        }
        write_file(&p, t.to_toml().as_bytes(), Mode::Private).map_err(at(&p))
    }

    /// Removes a task, its results and their index rows.
    pub fn remove_task(&self, id: u64) -> Result<()> {
        let _l = self.lock()?;
        let p = self.task_path(id);
        fs::remove_file(&p).map_err(at(&p))?;
        let dir = self.task_dir(id);
        remove_tree(&dir)?;
        index::delete(&self.conn, id, None).map_err(db(&self.index_path()))
    }

    // ---- runs ----

    /// Starts run n+1 of task `id`: its directory appears with the lock held.
    pub fn begin_run(&self, id: u64, source: &str, scheduled: Option<Timestamp>) -> Result<Running> {
        let tdir = self.task_dir(id);
        fs::create_dir_all(&tdir).map_err(at(&tdir))?;
        let tmp = tdir.join(format!("{}{}-{}", scapc_output::TMP_PREFIX, std::process::id(), unique()));
        fs::create_dir(&tmp).map_err(at(&tmp))?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o700)).map_err(at(&tmp))?;
        let lock = match lock_file(&tmp.join("running"), true) {
            Ok(l) => l.expect("a waiting lock is always taken"),
            Err(e) => {
                let _ = fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        let started = Timestamp::now();
        let mut n = Self::numbers(&tdir, "")?.last().copied().unwrap_or(0) + 1;
        loop {
            let dest = tdir.join(n.to_string());
            match rfs::renameat_with(rfs::CWD, &tmp, rfs::CWD, &dest, RenameFlags::NOREPLACE) {
                Ok(()) => {
                    sync_dir(&tdir);
                    return Ok(Running {
                        task: id,
                        n,
                        dir: dest,
                        started,
                        scheduled,
                        source: source.to_owned(),
                        _lock: lock,
                    });
                }
                Err(rustix::io::Errno::EXIST) | Err(rustix::io::Errno::NOTEMPTY) => n += 1,
                Err(e) => {
                    let _ = fs::remove_dir_all(&tmp);
                    return Err(at(&dest)(e.into()));
                }
            }
        }
    }

    /// A fresh summary for a run (status finished; the caller fills the rest).
    pub fn summary_for(&self, r: &Running) -> Summary {
        Summary {
            task: r.task,
            n: r.n,
            status: Status::Finished,
            source: r.source.clone(),
            scheduled: r.scheduled.map(|t| t.to_string()),
            started: r.started.to_string(),
            finished: Some(Timestamp::now().to_string()),
            exit_code: None,
            target: String::new(),
            benchmark: String::new(),
            profile: String::new(),
            score: None,
            counts: BTreeMap::new(),
            rules: Vec::new(),
            error: None,
        }
    }

    /// Records a run: `summary.json` last, then the index, then the lock goes.
    pub fn finish_run(&mut self, r: Running, s: &Summary) -> Result<()> {
        r.write("summary.json", s.to_json().as_bytes())?;
        let _ = fs::remove_file(r.dir.join("running"));
        sync_dir(&r.dir);
        let ip = self.index_path();
        index::put(&mut self.conn, s).map_err(db(&ip))
    }

    /// Reads `summary.json` of a run.
    pub fn summary(&self, id: u64, n: u64) -> Result<Summary> {
        let p = self.run_dir(id, n).join("summary.json");
        let text = fs::read_to_string(&p).map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                Error(format!("task {id} has no recorded run {n} (`scapc result list {id}` shows its runs)"))
            } else {
                at(&p)(e)
            }
        })?;
        Summary::from_json(&text).map_err(|e| Error(format!("{}: {e}", p.display())))
    }

    /// Records every run directory whose process died as interrupted.
    /// Returns the runs it recorded.
    pub fn recover(&mut self) -> Result<Vec<(u64, u64)>> {
        let mut done = Vec::new();
        for id in Self::numbers(&self.root.join("results"), "")? {
            let tdir = self.task_dir(id);
            scapc_output::sweep(&tdir, &[]);
            for n in Self::numbers(&tdir, "")? {
                let dir = self.run_dir(id, n);
                if dir.join("summary.json").exists() {
                    continue;
                }
                let lp = dir.join("running");
                let Some(lock) = lock_file(&lp, false)? else { continue };
                let started = fs::metadata(&dir)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| Timestamp::try_from(t).ok())
                    .unwrap_or_else(Timestamp::now);
                let r = Running {
                    task: id,
                    n,
                    dir: dir.clone(),
                    started,
                    scheduled: None,
                    source: "unknown".into(),
                    _lock: lock,
                };
                let mut s = self.summary_for(&r);
                s.status = Status::Interrupted;
                s.finished = None;
                s.error = Some("the run was cut off (its process died) and will run again".into());
                if let Ok(t) = self.task(id) {
                    s.target = t.target;
                    s.profile = t.profile.unwrap_or_default();
                }
                self.finish_run(r, &s)?;
                done.push((id, n));
            }
        }
        Ok(done)
    }

    /// Imports an ARF (or XCCDF results) made elsewhere as a new run.
    pub fn import(&mut self, id: u64, arf: &[u8], origin: &str) -> Result<Summary> {
        let text =
            std::str::from_utf8(arf).map_err(|e| Error(format!("{origin}: not UTF-8 (byte {})", e.valid_up_to())))?;
        let facts: ArfFacts = run::parse_arf(text).map_err(|e| Error(format!("{origin}: {e}")))?;
        let task = self.task(id)?;
        let r = self.begin_run(id, "import", None)?;
        let mut s = self.summary_for(&r);
        s.fill_from(&facts);
        // Runs are listed under the target as the task names it.
        s.target = task.target;
        if let Some(st) = facts.start_time.as_deref().and_then(parse_xsd_time) {
            s.started = st.to_string();
        }
        if let Some(et) = facts.end_time.as_deref().and_then(parse_xsd_time) {
            s.finished = Some(et.to_string());
        }
        r.write("arf.xml", arf)?;
        self.finish_run(r, &s)?;
        Ok(s)
    }

    // ---- queries ----

    pub fn runs(&self, task: Option<u64>) -> Result<Vec<RunRow>> {
        index::runs(&self.conn, task).map_err(db(&self.index_path()))
    }

    pub fn run_row(&self, task: u64, n: u64) -> Result<Option<RunRow>> {
        index::run(&self.conn, task, n).map_err(db(&self.index_path()))
    }

    pub fn rule_results(&self, task: u64, n: u64) -> Result<Vec<RuleResult>> {
        index::rules(&self.conn, task, n).map_err(db(&self.index_path()))
    }

    /// Rules whose result changed from run `a` to run `b` of a task.
    pub fn drift(&self, task: u64, a: u64, b: u64) -> Result<Vec<Drift>> {
        for n in [a, b] {
            if self.run_row(task, n)?.is_none() {
                return Err(Error(format!("task {task} has no recorded run {n} (`scapc result list {task}`)")));
            }
        }
        index::drift(&self.conn, task, a, b).map_err(db(&self.index_path()))
    }

    /// A rule's results on a target over time: (task, n, started, result).
    pub fn history(&self, target: &str, rule: &str) -> Result<Vec<(u64, u64, i64, String)>> {
        index::history(&self.conn, target, rule).map_err(db(&self.index_path()))
    }

    /// The slot of the task's last finished scheduled run.
    pub fn last_slot(&self, task: u64) -> Result<Option<Timestamp>> {
        let s = index::last_slot(&self.conn, task).map_err(db(&self.index_path()))?;
        Ok(s.and_then(|s| Timestamp::from_second(s).ok()))
    }

    /// When the task is next due (None: never again, or disabled).
    pub fn next_due(&self, t: &Task) -> Result<Option<Timestamp>> {
        if !t.enabled {
            return Ok(None);
        }
        let sched = t.schedule().map_err(|e| Error(format!("task {}: {e}", t.id)))?;
        Ok(sched.next_due(self.last_slot(t.id)?))
    }

    /// Removes runs: all but the newest `keep` of each task, and/or those
    /// started before `before`. Runs in progress are never removed.
    pub fn prune(&mut self, keep: Option<usize>, before: Option<Timestamp>) -> Result<Vec<(u64, u64)>> {
        let mut by_task: BTreeMap<u64, Vec<RunRow>> = BTreeMap::new();
        for r in self.runs(None)? {
            by_task.entry(r.task).or_default().push(r);
        }
        let mut gone = Vec::new();
        for (task, rows) in by_task {
            let len = rows.len();
            for (i, r) in rows.into_iter().enumerate() {
                let old_by_count = keep.is_some_and(|k| i + k < len);
                let old_by_age = before.is_some_and(|b| r.started < b.as_second());
                if old_by_count || old_by_age {
                    remove_tree(&self.run_dir(task, r.n))?;
                    index::delete(&self.conn, task, Some(r.n)).map_err(db(&self.index_path()))?;
                    gone.push((task, r.n));
                }
            }
        }
        Ok(gone)
    }

    /// Verifies the index against the files (and the files themselves);
    /// with `repair`, records dead runs as interrupted, fixes modes and
    /// makes the index match the files.
    pub fn check(&mut self, repair: bool) -> Result<CheckReport> {
        let mut rep = CheckReport::default();
        if repair {
            let rec = self.recover()?;
            for (t, n) in &rec {
                rep.findings.push(format!("run {t}/{n} was cut off: recorded as interrupted"));
            }
            rep.repaired += rec.len();
        }
        for id in Self::numbers(&self.root.join("tasks"), ".toml")? {
            rep.tasks += 1;
            if let Err(e) = self.task(id) {
                rep.findings.push(format!("{e} (fix or remove the file by hand)"));
            }
        }
        let mut on_disk: BTreeMap<(u64, u64), Summary> = BTreeMap::new();
        for id in Self::numbers(&self.root.join("results"), "")? {
            for n in Self::numbers(&self.task_dir(id), "")? {
                let dir = self.run_dir(id, n);
                for f in run::FILES {
                    let p = dir.join(f);
                    if let Ok(m) = fs::symlink_metadata(&p) {
                        if m.permissions().mode() & 0o077 != 0 {
                            rep.findings.push(format!(
                                "{}: readable by others (mode {:o})",
                                p.display(),
                                m.mode_bits()
                            ));
                            if repair {
                                fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).map_err(at(&p))?;
                                rep.repaired += 1;
                            }
                        }
                    }
                }
                if !dir.join("summary.json").exists() {
                    if lock_file(&dir.join("running"), false)?.is_some() {
                        rep.findings.push(format!("{}: a run without summary.json and no live process", dir.display()));
                    }
                    continue;
                }
                match self.summary(id, n) {
                    Ok(s) if s.task == id && s.n == n => {
                        on_disk.insert((id, n), s);
                    }
                    Ok(s) => rep.findings.push(format!(
                        "{}: summary.json says task {} run {}; it is run {n} of task {id}",
                        dir.display(),
                        s.task,
                        s.n
                    )),
                    Err(e) => rep.findings.push(format!("{e} (the run is left out of the index)")),
                }
            }
        }
        rep.runs = on_disk.len();
        let ip = self.index_path();
        let rows: BTreeMap<(u64, u64), RunRow> = self.runs(None)?.into_iter().map(|r| ((r.task, r.n), r)).collect();
        let counts = index::all_rule_counts(&self.conn).map_err(db(&ip))?;
        for (k, s) in &on_disk {
            let want = index::row_of(s);
            let problem = match rows.get(k) {
                None => Some("missing from the index"),
                Some(r) if *r != want => Some("differs in the index"),
                Some(_) if counts.get(k).copied().unwrap_or(0) != s.rules.len() as u64 => {
                    Some("has other rule results in the index")
                }
                _ => None,
            };
            if let Some(p) = problem {
                rep.findings.push(format!("run {}/{} {p}", k.0, k.1));
                if repair {
                    index::put(&mut self.conn, s).map_err(db(&ip))?;
                    rep.repaired += 1;
                }
            }
        }
        for k in rows
            .keys()
            .chain(counts.keys())
            .filter(|k| !on_disk.contains_key(k))
            .collect::<std::collections::BTreeSet<_>>()
        {
            rep.findings.push(format!("run {}/{} is in the index but has no summary.json", k.0, k.1));
            if repair {
                index::delete(&self.conn, k.0, Some(k.1)).map_err(db(&ip))?;
                rep.repaired += 1;
            }
        }
        Ok(rep)
    }
}

/// A process-unique number for temporary names.
fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = Timestamp::now().subsec_nanosecond() as u64;
    nanos ^ (N.fetch_add(1, Ordering::SeqCst) << 32)
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Removes a directory tree by renaming it aside first, so no reader sees
/// half of it under its real name.
fn remove_tree(dir: &Path) -> Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    let aside = parent.join(format!("{}{}-{}-rm", scapc_output::TMP_PREFIX, std::process::id(), unique()));
    fs::rename(dir, &aside).map_err(at(dir))?;
    fs::remove_dir_all(&aside).map_err(at(&aside))
}

/// Reads an xsd:dateTime (with or without a zone; none means UTC).
pub fn parse_xsd_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    s.parse::<Timestamp>().ok().or_else(|| {
        s.parse::<jiff::civil::DateTime>().ok()?.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
    })
}

trait ModeBits {
    fn mode_bits(&self) -> u32;
}

impl ModeBits for fs::Metadata {
    fn mode_bits(&self) -> u32 {
        self.permissions().mode() & 0o7777
    }
}
