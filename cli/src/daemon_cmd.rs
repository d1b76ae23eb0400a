//! `scapc daemon`: runs due tasks with bounded parallel workers, sleeping
//! until the next due time (or a signal: SIGHUP rereads the tasks, SIGTERM
//! and SIGINT stop it after the runs in progress). A run is `scapc eval`
//! spawned from this very binary, its stdout, stderr, exit code, ARF and
//! report recorded in the store ([`execute`], shared with `task run`).

use crate::task_cmd::{fail, StoreOpts};
use clap::Args;
use jiff::Timestamp;
use scapc_store::run::Summary;
use scapc_store::schedule::{Clock, SystemClock};
use scapc_store::task::Task;
use scapc_store::Store;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Args)]
pub struct DaemonArgs {
    #[command(flatten)]
    pub opts: StoreOpts,
    /// How many runs at once
    #[arg(long, short = 'j', default_value_t = 2)]
    pub jobs: usize,
}

/// The longest the daemon sleeps at once, so a wall-clock jump (suspend,
/// NTP step) delays a due task by at most this much.
const MAX_SLEEP: Duration = Duration::from_secs(3600);

fn log(msg: impl std::fmt::Display) {
    errln!("scapc daemon: {msg}");
}

/// Runs `task` once: `scapc eval` on its target, everything recorded as
/// run n+1 of the task. Errors are those of the store; a scan that fails
/// is a recorded run with its exit code and stderr.
pub fn execute(store: &mut Store, t: &Task, source: &str, scheduled: Option<Timestamp>) -> Result<Summary, String> {
    if t.content.is_empty() {
        return Err(format!("task {} holds imported results only: it has no content to scan", t.id));
    }
    let r = store.begin_run(t.id, source, scheduled).map_err(|e| e.to_string())?;
    // An image is unpacked for the run and scanned as a directory.
    let image = if crate::image_target::is_image(&t.target) {
        match crate::image_target::unpack(&t.target) {
            Ok(u) => Some(u),
            Err(e) => {
                let mut s = store.summary_for(&r);
                s.target.clone_from(&t.target);
                s.error = Some(format!("cannot unpack the image: {e}"));
                r.write("stderr", format!("error: {e}\n").as_bytes()).map_err(|e| e.to_string())?;
                store.finish_run(r, &s).map_err(|e| e.to_string())?;
                return Ok(s);
            }
        }
    } else {
        None
    };
    let scan_target = match &image {
        Some(u) => format!("dir:{}", u.root.display()),
        None => t.target.clone(),
    };
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the scapc binary: {e}"))?;
    // The scan dies with its parent (a kill -9 of the daemon leaves no
    // orphan scan writing into a run already recorded as interrupted).
    let setpriv = Path::new("/usr/bin/setpriv");
    let mut c = if setpriv.exists() {
        let mut c = Command::new(setpriv);
        c.args(["--pdeathsig", "KILL", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    c.arg("eval").arg(&t.content).arg("--target").arg(&scan_target).arg("--engine").arg(t.engine.as_str());
    c.arg("--results-arf").arg(r.dir.join("arf.xml")).arg("--report").arg(r.dir.join("report.html"));
    if let Some(p) = &t.profile {
        c.arg("--profile").arg(p);
    }
    if let Some(p) = &t.tailoring {
        c.arg("--tailoring").arg(p);
    }
    for o in &t.ssh_options {
        c.arg("--ssh-option").arg(o);
    }
    c.stdin(Stdio::null());
    let mut s = store.summary_for(&r);
    s.target.clone_from(&t.target);
    s.profile = t.profile.clone().unwrap_or_default();
    match c.output() {
        Ok(out) => {
            r.write("stdout", &out.stdout).map_err(|e| e.to_string())?;
            r.write("stderr", &out.stderr).map_err(|e| e.to_string())?;
            s.exit_code = out.status.code();
            let code = match out.status.code() {
                Some(c) => c.to_string(),
                None => {
                    use std::os::unix::process::ExitStatusExt;
                    format!("signal {}", out.status.signal().unwrap_or(0))
                }
            };
            r.write("exit_code", format!("{code}\n").as_bytes()).map_err(|e| e.to_string())?;
            let arf = r.dir.join("arf.xml");
            match std::fs::read_to_string(&arf) {
                Ok(text) => match scapc_store::run::parse_arf(&text) {
                    Ok(f) => {
                        let target = std::mem::take(&mut s.target);
                        s.fill_from(&f);
                        if s.target.is_empty() {
                            s.target = target;
                        }
                        // The task's target names the host as the user does.
                        s.target.clone_from(&t.target);
                    }
                    Err(e) => s.error = Some(format!("{}: {e}", arf.display())),
                },
                Err(_) => {
                    let err = String::from_utf8_lossy(&out.stderr);
                    let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no ARF was written");
                    s.error = Some(format!("the scan wrote no results (exit {code}): {}", last.trim()));
                }
            }
        }
        Err(e) => {
            s.error = Some(format!("cannot run {}: {e}", exe.display()));
        }
    }
    s.finished = Some(Timestamp::now().to_string());
    store.finish_run(r, &s).map_err(|e| e.to_string())?;
    Ok(s)
}

enum Event {
    Signal(i32),
    Done(u64, Box<Result<Summary, String>>),
}

struct Job {
    task: Task,
    slot: Option<Timestamp>,
}

/// Enabled tasks, each with its next due time; unreadable ones logged once.
fn due_times(store: &Store, warned: &mut BTreeSet<String>) -> Vec<(Timestamp, Task)> {
    let mut v = Vec::new();
    for id in store.task_ids().unwrap_or_else(|e| {
        log(format!("error: {e}"));
        Vec::new()
    }) {
        let t = match store.task(id) {
            Ok(t) => t,
            Err(e) => {
                if warned.insert(e.to_string()) {
                    log(format!("error: {e} (the task is skipped until it is fixed)"));
                }
                continue;
            }
        };
        match store.next_due(&t) {
            Ok(Some(due)) => v.push((due, t)),
            Ok(None) => {}
            Err(e) => {
                if warned.insert(e.to_string()) {
                    log(format!("error: {e}"));
                }
            }
        }
    }
    v.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    v
}

pub fn run(a: DaemonArgs) -> ExitCode {
    match serve_loop(&a.opts, a.jobs.max(1), &SystemClock) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

fn serve_loop(o: &StoreOpts, jobs: usize, clock: &dyn Clock) -> Result<(), String> {
    let root = o.root();
    let mut store = Store::open(&root).map_err(|e| format!("cannot open the store: {e}"))?;
    let _lock = store
        .daemon_lock()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("another scapc daemon already runs on the store {}", root.display()))?;
    store.write_daemon_pid().map_err(|e| e.to_string())?;
    for (t, n) in store.recover().map_err(|e| e.to_string())? {
        log(format!("run {n} of task {t} was cut off: recorded as interrupted; the task will run again"));
    }
    let (tx, rx) = mpsc::channel::<Event>();
    let mut signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ])
    .map_err(|e| format!("cannot handle signals: {e}"))?;
    let sig_tx = tx.clone();
    std::thread::spawn(move || {
        for s in signals.forever() {
            if sig_tx.send(Event::Signal(s)).is_err() {
                break;
            }
        }
    });
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let mut workers = Vec::new();
    for _ in 0..jobs {
        let job_rx = Arc::clone(&job_rx);
        let tx = tx.clone();
        let root = root.clone();
        workers.push(std::thread::spawn(move || {
            let mut store = match Store::open(&root) {
                Ok(s) => s,
                Err(e) => {
                    log(format!("error: a worker cannot open the store: {e}"));
                    return;
                }
            };
            loop {
                let job = match job_rx.lock() {
                    Ok(rx) => rx.recv(),
                    Err(_) => break,
                };
                let Ok(job) = job else { break };
                let res = execute(&mut store, &job.task, "daemon", job.slot);
                if tx.send(Event::Done(job.task.id, Box::new(res))).is_err() {
                    break;
                }
            }
        }));
    }
    log(format!("started on {} with {jobs} worker(s), pid {}", root.display(), std::process::id()));
    let mut running: BTreeSet<u64> = BTreeSet::new();
    // Tasks whose last attempt failed in the store (a full disk, a removed
    // directory): not retried before this time, the wait doubling each time.
    let mut backoff: std::collections::BTreeMap<u64, (Timestamp, u64)> = std::collections::BTreeMap::new();
    let mut stopping = false;
    let mut warned = BTreeSet::new();
    loop {
        if stopping && running.is_empty() {
            break;
        }
        let mut wake: Option<Timestamp> = None;
        if !stopping {
            let now = clock.now();
            for (due, t) in due_times(&store, &mut warned) {
                if running.contains(&t.id) {
                    continue;
                }
                let due = backoff.get(&t.id).map_or(due, |(until, _)| due.max(*until));
                if due > now {
                    wake = Some(wake.map_or(due, |w: Timestamp| w.min(due)));
                    continue;
                }
                if running.len() >= jobs {
                    continue; // a worker's Done wakes us
                }
                let slot = t.schedule().ok().and_then(|s| s.slot_for_run(now));
                log(format!("task {} ({}) is due: running it", t.id, t.title));
                running.insert(t.id);
                if job_tx.send(Job { task: t, slot }).is_err() {
                    return Err("the workers are gone".into());
                }
            }
        }
        let ev = match wake {
            Some(w) => {
                let secs = (w.as_millisecond() - clock.now().as_millisecond()).max(0) as u64;
                let d = Duration::from_millis(secs).min(MAX_SLEEP);
                match rx.recv_timeout(d) {
                    Ok(ev) => Some(ev),
                    Err(mpsc::RecvTimeoutError::Timeout) => None,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return Err("the event channel closed".into()),
                }
            }
            None => Some(rx.recv().map_err(|_| "the event channel closed".to_string())?),
        };
        match ev {
            None => {}
            Some(Event::Done(id, res)) => {
                running.remove(&id);
                match *res {
                    Ok(s) => {
                        backoff.remove(&id);
                        log(format!(
                            "task {id} run {} finished: exit {}, score {}{}",
                            s.n,
                            s.exit_code.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                            s.score.map(|x| format!("{x:.2}")).unwrap_or_else(|| "-".into()),
                            s.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default()
                        ))
                    }
                    Err(e) => {
                        let secs = backoff.get(&id).map_or(30, |(_, s)| (s * 2).min(3600));
                        let until = clock.now().checked_add(jiff::SignedDuration::from_secs(secs as i64));
                        backoff.insert(id, (until.unwrap_or_else(|_| clock.now()), secs));
                        log(format!("error: task {id}: {e}; retrying in {secs} s"));
                    }
                }
            }
            Some(Event::Signal(s)) if s == signal_hook::consts::SIGHUP => log("SIGHUP: rereading the tasks"),
            Some(Event::Signal(_)) => {
                if !stopping {
                    log(format!("stopping: waiting for {} run(s) in progress", running.len()));
                }
                stopping = true;
            }
        }
    }
    drop(job_tx);
    for w in workers {
        let _ = w.join();
    }
    log("stopped");
    Ok(())
}
