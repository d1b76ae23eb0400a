//! Throwaway root filesystems: each scenario runs in an overlay of the base
//! root filesystem (and of a cached layer with the packages it needs), in
//! private mount, PID and network namespaces, chrooted without the
//! capabilities that leave a chroot (mounts, device nodes, modules), with
//! its own /proc (its /proc/sys read-only: kernel parameters are the
//! host's), /dev and /tmp.
//!
//! The parent spawns `unshare --mount --pid --fork --kill-child
//! --propagation private` running this binary's hidden job command
//! ([`job_main`]). Inside, a tmpfs holds the overlay's upper and work
//! directories, so every change the scenario and the fixes make lives in
//! memory of a namespace that dies with the job: nothing outside changes,
//! and a killed run leaves no mount behind. Only the job's empty mount point
//! directory stays on disk; [`clean_stale`] removes those of dead runs.
//!
//! Package layers (`# packages =`) are built once per package set with
//! apt-get in the same kind of namespace, the overlay's upper directory kept
//! on disk under the cache, and stacked above the base afterwards. Apt's
//! downloads are shared between layers.

use crate::scenario::Expect;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to do with a rule after a fail scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Remediation {
    Bash,
    /// The rule's Ansible tasks as a playbook, through Ansible's chroot
    /// connection (python3 must be in the root: `scapc test` adds it to
    /// the layer).
    Ansible,
    None,
}

/// Which engine evaluates the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Native,
    Oscap,
}

/// One scenario's work, handed to the job process.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    pub ds: PathBuf,
    /// The rule's full XCCDF id.
    pub rule_id: String,
    pub scenario: PathBuf,
    /// The rule's tests directory, copied to /tmp/scapc-tests.
    pub tests_dir: PathBuf,
    /// ComplianceAsCode's `tests/shared`, copied to /tmp/scapc-shared
    /// (`$SHARED`).
    pub shared_dir: Option<PathBuf>,
    pub expect: Expect,
    /// Lower directories, uppermost first (layers, then the base).
    pub lowers: Vec<PathBuf>,
    /// An empty directory for the job's tmpfs.
    pub mnt: PathBuf,
    pub remediation: Remediation,
    pub engine: EngineKind,
    /// Values by full id.
    pub values: Vec<(String, String)>,
    /// The profile whose values apply (`# profiles =`).
    pub profile: Option<String>,
    /// Longest time one script may run, in seconds.
    pub timeout: u64,
    /// apt's shared download cache, seen (through a private overlay) as
    /// the job's `/var/cache/apt/archives`: a fix that installs a package
    /// finds it there, without network.
    #[serde(default)]
    pub archives: Option<PathBuf>,
}

/// Evaluates the job's rule on the root: (result, evidence).
pub type EvalFn<'a> = dyn Fn(&Job, &Path) -> Result<(String, String), String> + 'a;
/// The rule's bash fix, if it has one.
pub type FixFn<'a> = dyn Fn(&Job) -> Result<Option<String>, String> + 'a;

/// One step of a job and what it saw.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Step {
    pub name: String,
    /// A check result (`pass`, `fail`, ...) or a script's exit status.
    pub result: String,
    /// Output of the script, or the check's messages and evidence.
    pub output: String,
}

/// A job's outcome.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// What went wrong, one line each; empty when the scenario kept its promise.
    pub findings: Vec<String>,
    /// The scenario could not be run at all (setup, script error).
    pub error: bool,
    pub steps: Vec<Step>,
}

fn cmd_output(c: &mut Command) -> Result<(i32, String), String> {
    let o = c.stdin(Stdio::null()).output().map_err(|e| format!("cannot run {:?}: {e}", c.get_program()))?;
    let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&o.stderr));
    Ok((o.status.code().unwrap_or(-1), s))
}

// Mounts are made with mount(2) directly (rustix), not mount(8): a
// scenario needs about fifteen of them, and a process per mount was a
// good part of a scenario's time on a loaded machine.

/// Mounts a file system of type `fs` (tmpfs, proc, overlay) at `target`
/// with the options `data`.
fn mount_fs(fs: &str, source: &str, target: &Path, data: &str) -> Result<(), String> {
    let data = std::ffi::CString::new(data).map_err(|_| format!("mount options with a NUL byte: {data:?}"))?;
    let opt: Option<&std::ffi::CStr> = if data.as_bytes().is_empty() { None } else { Some(&data) };
    rustix::mount::mount(source, target, fs, rustix::mount::MountFlags::empty(), opt)
        .map_err(|e| format!("mounting {fs} at {} failed: {e}", target.display()))
}

fn bind(source: &Path, target: &Path) -> Result<(), String> {
    rustix::mount::mount_bind(source, target)
        .map_err(|e| format!("bind-mounting {} at {} failed: {e}", source.display(), target.display()))
}

/// Nothing mounted from here on reaches the parent namespace.
fn make_private() -> Result<(), String> {
    use rustix::mount::MountPropagationFlags as P;
    rustix::mount::mount_change("/", P::PRIVATE | P::REC).map_err(|e| format!("making / private failed: {e}"))
}

/// Mounts the overlay and its own /proc, /dev and /tmp at `mnt/root`;
/// `upper` None puts upper and work on a tmpfs at `mnt`.
fn setup_root(mnt: &Path, lowers: &[PathBuf], upper: Option<(&Path, &Path)>) -> Result<PathBuf, String> {
    // Nothing mounted here may reach the parent namespace.
    make_private()?;
    let (up, work) = match upper {
        Some((u, w)) => (u.to_path_buf(), w.to_path_buf()),
        None => {
            mount_fs("tmpfs", "scapc-test", mnt, "mode=0700")?;
            (mnt.join("upper"), mnt.join("work"))
        }
    };
    let root = mnt.join("root");
    for d in [&up, &work, &root] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let lower: Vec<String> = lowers.iter().map(|p| p.display().to_string()).collect();
    if lower.iter().any(|l| l.contains([':', ','])) {
        return Err(format!("an overlay lower directory has `:` or `,` in its path: {}", lower.join(" ")));
    }
    let opts = format!("lowerdir={},upperdir={},workdir={}", lower.join(":"), up.display(), work.display());
    mount_fs("overlay", "overlay", &root, &opts)?;
    mount_specials(&root)?;
    Ok(root)
}

/// The shared download cache at the root's `/var/cache/apt/archives`, its
/// changes (apt's lock, new downloads) kept on the job's tmpfs.
fn overlay_archives(mnt: &Path, archives: &Path, root: &Path) -> Result<(), String> {
    let (up, work, at) = (mnt.join("archives-upper"), mnt.join("archives-work"), root.join("var/cache/apt/archives"));
    for d in [&up, &work, &at] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let lower = archives.display().to_string();
    if lower.contains([':', ',']) {
        return Err(format!("the package cache has `:` or `,` in its path: {lower}"));
    }
    let opts = format!("lowerdir={lower},upperdir={},workdir={}", up.display(), work.display());
    mount_fs("overlay", "overlay", &at, &opts)
}

/// For `eval --remediate` on `dir:ROOT`: ROOT itself, with its own /proc,
/// /dev and /tmp mounted over its directories (in the caller's private
/// namespace only).
pub fn setup_in_place(root: &Path) -> Result<PathBuf, String> {
    make_private()?;
    let root = std::fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if root == Path::new("/") {
        return Err("dir:/ is this host: use --target local".into());
    }
    mount_specials(&root)?;
    Ok(root)
}

/// /proc (with /proc/sys read-only), a /dev with the harmless devices only,
/// and tmpfs on /tmp and /dev/shm.
fn mount_specials(root: &Path) -> Result<(), String> {
    let sub = |p: &str| root.join(p);
    for d in ["proc", "dev", "tmp"] {
        std::fs::create_dir_all(sub(d)).map_err(|e| format!("{}: {e}", sub(d).display()))?;
    }
    mount_fs("proc", "proc", &sub("proc"), "")?;
    // Kernel parameters are not namespaced: a scenario's `sysctl -w` must
    // not reach the host, so /proc/sys is read-only inside.
    let sys = sub("proc/sys");
    bind(&sys, &sys)?;
    {
        use rustix::mount::MountFlags as F;
        rustix::mount::mount_remount(&sys, F::BIND | F::RDONLY, "")
            .map_err(|e| format!("making {} read-only failed: {e}", sys.display()))?;
    }
    mount_fs("tmpfs", "tmpfs", &sub("tmp"), "mode=1777")?;
    mount_fs("tmpfs", "tmpfs", &sub("dev"), "mode=0755")?;
    for d in ["null", "zero", "full", "random", "urandom", "tty"] {
        let p = sub("dev").join(d);
        std::fs::write(&p, b"").map_err(|e| format!("{}: {e}", p.display()))?;
        bind(&Path::new("/dev").join(d), &p)?;
    }
    for (name, to) in [
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ] {
        let _ = std::os::unix::fs::symlink(to, sub("dev").join(name));
    }
    let shm = sub("dev").join("shm");
    std::fs::create_dir_all(&shm).map_err(|e| format!("{}: {e}", shm.display()))?;
    mount_fs("tmpfs", "tmpfs", &shm, "mode=1777")?;
    Ok(())
}

/// Capabilities a script in the sandbox does not get (setpriv(1) syntax):
/// no mounts or other administration, no device nodes, modules, raw I/O,
/// reboot, clock, network administration, tracing or MAC changes.
const DROPPED_CAPS: &str =
    "-sys_admin,-mknod,-sys_module,-sys_rawio,-sys_boot,-sys_time,-net_admin,-sys_ptrace,-mac_admin,-mac_override";

/// Runs a bash script inside the chroot, with a clean environment, fewer
/// capabilities and a time limit: (exit status, output).
pub fn chroot_script(root: &Path, script: &str, env: &[(&str, &str)], timeout: u64) -> Result<(i32, String), String> {
    chroot_run(root, "/bin/bash", script, env, timeout)
}

/// [`chroot_script`] with another interpreter (a path inside the root).
pub fn chroot_run(
    root: &Path,
    interpreter: &str,
    script: &str,
    env: &[(&str, &str)],
    timeout: u64,
) -> Result<(i32, String), String> {
    chroot_args(root, &[interpreter, script], env, timeout)
}

/// Runs `args` (a program inside the root and its arguments) chrooted,
/// as [`chroot_script`] does.
fn chroot_args(root: &Path, args: &[&str], env: &[(&str, &str)], timeout: u64) -> Result<(i32, String), String> {
    let mut c = Command::new("timeout");
    // Root in a chroot could leave it (mount a disk it made a node for,
    // load a module): those capabilities are taken away first.
    c.args(["--kill-after=5", &timeout.to_string(), "setpriv", "--bounding-set", DROPPED_CAPS, "chroot"])
        .arg(root)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .env("HOME", "/root")
        .env("LC_ALL", "C")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .current_dir("/");
    for (k, v) in env {
        c.env(k, v);
    }
    let (code, out) = cmd_output(&mut c)?;
    Ok((code, truncate(out, 8000)))
}

fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("\n[... output cut]");
    }
    s
}

/// Copies a directory tree (regular files, directories and symbolic links;
/// modes kept), as `cp -r` without a process.
fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let err = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    std::fs::create_dir_all(to).map_err(|e| err(to, e))?;
    for e in std::fs::read_dir(from).map_err(|e| err(from, e))? {
        let e = e.map_err(|e| err(from, e))?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let ft = e.file_type().map_err(|x| err(&src, x))?;
        if ft.is_dir() {
            copy_dir(&src, &dst)?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&src).map_err(|x| err(&src, x))?;
            std::os::unix::fs::symlink(target, &dst).map_err(|x| err(&dst, x))?;
        } else {
            std::fs::copy(&src, &dst).map_err(|x| err(&src, x))?;
        }
    }
    Ok(())
}

/// Spawns a job in fresh namespaces and reads its outcome.
pub fn spawn(exe: &Path, job: &Job) -> Outcome {
    let fail = |m: String| Outcome { findings: vec![m], error: true, steps: Vec::new() };
    let spec = match serde_json::to_string(job) {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot encode the job: {e}")),
    };
    if let Err(e) = std::fs::create_dir_all(&job.mnt) {
        return fail(format!("{}: {e}", job.mnt.display()));
    }
    // Scenarios get no network either (packages come from the layers).
    let out = Command::new("unshare")
        .args(["--mount", "--pid", "--net", "--fork", "--kill-child", "--propagation", "private", "--"])
        .arg(exe)
        .args(["__scenario-job", &spec])
        .stdin(Stdio::null())
        .output();
    let _ = std::fs::remove_dir(&job.mnt);
    match out {
        Err(e) => fail(format!("cannot run unshare(1): {e} (util-linux, run as root)")),
        Ok(o) => {
            let stdout = String::from_utf8_lossy(&o.stdout);
            match serde_json::from_str::<Outcome>(stdout.trim()) {
                Ok(x) => x,
                Err(_) => fail(format!(
                    "the sandbox did not run (exit {:?}): {}{}",
                    o.status.code(),
                    stdout.trim(),
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
            }
        }
    }
}

/// One path of a snapshot: kind and mode, owner, device number, content
/// hash, and the content itself when it is small (to show what changed).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    mode: u32,
    uid: u32,
    gid: u32,
    rdev: u64,
    hash: u64,
    text: Option<Vec<u8>>,
}

/// Files up to this size keep their content in a snapshot.
const SNAPSHOT_TEXT: u64 = 256 * 1024;

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    b.hash(&mut h);
    h.finish()
}

/// A file system's state for the idempotency check: path (relative) →
/// entry; times are left out.
fn snapshot(dir: &Path) -> BTreeMap<String, Entry> {
    use std::os::unix::fs::MetadataExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(m) = std::fs::symlink_metadata(&p) else { continue };
            let mut text = None;
            let hash = if m.file_type().is_symlink() {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                std::fs::read_link(&p).ok().hash(&mut h);
                h.finish()
            } else if m.is_file() {
                let bytes = std::fs::read(&p).unwrap_or_default();
                let h = hash_bytes(&bytes);
                if m.len() <= SNAPSHOT_TEXT {
                    text = Some(bytes);
                }
                h
            } else {
                if m.is_dir() {
                    stack.push(p.clone());
                }
                0
            };
            let rel = p.strip_prefix(dir).unwrap_or(&p).display().to_string();
            out.insert(rel, Entry { mode: m.mode(), uid: m.uid(), gid: m.gid(), rdev: m.rdev(), hash, text });
        }
    }
    out
}

/// Paths whose changes on a second fix run are side effects of running
/// tools, not of what the fix configures: logs and caches, and databases
/// a tool regenerates from configuration the check reads (`newaliases`'
/// `/etc/aliases.db`, other `*.db` maps, aide's database under
/// /var/lib/aide, rebuilt by `aideinit`): their bytes differ on each run
/// (times, order), what they hold does not.
fn side_effect_path(rel: &str) -> bool {
    rel.starts_with("var/log/")
        || rel.starts_with("var/cache/")
        || rel.starts_with("var/lib/aide/")
        || rel.ends_with(".db")
}

/// Backups the tools keep of a file they rewrite (`/etc/shadow-` by
/// shadow-utils, `F.bak`, `F~`, `F.old`): the name of the file they back up.
fn backup_of(rel: &str) -> Option<&str> {
    [".bak", "~", ".old", "-"]
        .iter()
        .find_map(|suf| rel.strip_suffix(suf))
        .filter(|b| !b.is_empty() && !b.ends_with('/'))
}

/// What differs between two snapshots of the overlay's upper directory,
/// one line each, with the lines a file gained or lost. `current` hashes a
/// path of the merged root as it is now. A backup whose new content is
/// that of the file it backs up, unchanged by the run, is not a change:
/// the tool that rewrote the file (with the same content) refreshed it.
fn diff(
    a: &BTreeMap<String, Entry>,
    b: &BTreeMap<String, Entry>,
    current: &dyn Fn(&str) -> Option<u64>,
) -> Vec<String> {
    let mut d = Vec::new();
    let is_refreshed_backup = |k: &str, v: &Entry| {
        backup_of(k).is_some_and(|orig| a.get(orig) == b.get(orig) && current(orig) == Some(v.hash))
    };
    for (k, v) in b {
        if side_effect_path(k) {
            continue;
        }
        match a.get(k) {
            None if is_refreshed_backup(k, v) => {}
            None => d.push(format!("created /{k}{}", lines_changed(None, v.text.as_deref()))),
            Some(o) if o.hash != v.hash && is_refreshed_backup(k, v) => {}
            Some(o) if o.hash != v.hash => {
                d.push(format!("changed the content of /{k}{}", lines_changed(o.text.as_deref(), v.text.as_deref())))
            }
            Some(o) if o != v => d.push(format!(
                "changed the mode or owner of /{k} ({:o} {}:{} -> {:o} {}:{})",
                o.mode, o.uid, o.gid, v.mode, v.uid, v.gid
            )),
            _ => {}
        }
    }
    for k in a.keys() {
        if !b.contains_key(k) && !side_effect_path(k) {
            d.push(format!("removed /{k}"));
        }
    }
    d
}

/// The lines a text gained and lost (as multisets, order aside), a few of
/// each: ` (+2 lines: "a", "b"; -1 line: "c")`; for the same lines in
/// another order, ` (same lines, reordered)`.
fn lines_changed(old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let Some(new) = new else { return String::new() };
    let old = old.unwrap_or_default();
    if old.contains(&0) || new.contains(&0) {
        return " (binary)".into();
    }
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let mut count: BTreeMap<&str, i64> = BTreeMap::new();
    for l in old.lines() {
        *count.entry(l).or_default() -= 1;
    }
    for l in new.lines() {
        *count.entry(l).or_default() += 1;
    }
    let pick = |sign: i64| -> (i64, Vec<String>) {
        let mut n = 0;
        let mut shown = Vec::new();
        // In the order of the text they are in.
        let text = if sign > 0 { &new } else { &old };
        let mut seen = std::collections::HashSet::new();
        for l in text.lines() {
            let c = count.get(l).copied().unwrap_or(0) * sign;
            if c > 0 && seen.insert(l) {
                n += c;
                if shown.len() < 3 {
                    let mut t: String = l.chars().take(100).collect();
                    if t.len() < l.len() {
                        t.push_str("...");
                    }
                    shown.push(format!("{t:?}"));
                }
            }
        }
        (n, shown)
    };
    let ((added, a), (removed, r)) = (pick(1), pick(-1));
    let plural = |n: i64| if n == 1 { "line" } else { "lines" };
    let mut parts = Vec::new();
    if added > 0 {
        parts.push(format!("+{added} {}: {}", plural(added), a.join(", ")));
    }
    if removed > 0 {
        parts.push(format!("-{removed} {}: {}", plural(removed), r.join(", ")));
    }
    if parts.is_empty() {
        if old == new {
            return String::new();
        }
        return if old.lines().count() == new.lines().count() {
            " (same lines, reordered or line endings changed)".into()
        } else {
            " (whitespace only)".into()
        };
    }
    format!(" ({})", parts.join("; "))
}

/// The job process: runs inside the namespaces `spawn` made. Prints the
/// [`Outcome`] as JSON; the exit code is 0 whenever it could print one.
pub fn job_main(spec: &str, eval: &EvalFn<'_>, fix: &FixFn<'_>) -> i32 {
    let outcome = match serde_json::from_str::<Job>(spec) {
        Ok(job) => {
            run_job(&job, eval, fix).unwrap_or_else(|e| Outcome { findings: vec![e], error: true, steps: Vec::new() })
        }
        Err(e) => Outcome { findings: vec![format!("bad job description: {e}")], error: true, steps: Vec::new() },
    };
    println!("{}", serde_json::to_string(&outcome).unwrap_or_else(|_| "{}".into()));
    0
}

fn run_job(job: &Job, eval: &EvalFn<'_>, fix: &FixFn<'_>) -> Result<Outcome, String> {
    let mut o = Outcome::default();
    loopback_up();
    let root = setup_root(&job.mnt, &job.lowers, None)?;
    let upper = job.mnt.join("upper");
    if let Some(a) = job.archives.as_ref().filter(|a| a.is_dir()) {
        overlay_archives(&job.mnt, a, &root)?;
    }
    deny_service_starts(&root)?;
    copy_dir(&job.tests_dir, &root.join("tmp/scapc-tests"))?;
    let mut env: Vec<(&str, &str)> = Vec::new();
    if let Some(s) = &job.shared_dir {
        copy_dir(s, &root.join("tmp/scapc-shared"))?;
        env.push(("SHARED", "/tmp/scapc-shared"));
    }
    let name = job.scenario.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // As Automatus: in the scenario's directory, so that it can source its
    // neighbours (`. common.sh`).
    let (code, out) = chroot_args(
        &root,
        &["/bin/sh", "-c", "cd /tmp/scapc-tests && exec /bin/bash \"$0\"", &name],
        &env,
        job.timeout,
    )?;
    o.steps.push(Step { name: "scenario".into(), result: format!("exit {code}"), output: out.clone() });
    if code != 0 {
        o.error = true;
        o.findings.push(format!("the scenario script failed to run: exit status {code}{}", last_line(&out)));
        return Ok(o);
    }
    let (result, evidence) = eval(job, &root)?;
    o.steps.push(Step { name: "check".into(), result: result.clone(), output: evidence.clone() });
    if result != job.expect.as_str() {
        o.findings.push(format!("the check gave `{result}`, the scenario promises `{}`", job.expect.as_str()));
        return Ok(o);
    }
    if job.expect != Expect::Fail || job.remediation == Remediation::None {
        return Ok(o);
    }
    let Some(text) = fix(job)? else {
        o.steps.push(Step {
            name: "remediation".into(),
            result: "skipped".into(),
            output: "the rule has no fix of that kind".into(),
        });
        return Ok(o);
    };
    let fix_path = root.join("tmp/scapc-fix.sh");
    std::fs::write(&fix_path, &text).map_err(|e| format!("{}: {e}", fix_path.display()))?;
    let apply = || -> Result<(i32, String), String> {
        match job.remediation {
            Remediation::Ansible => ansible(&job.mnt, &root, &text, job.timeout),
            _ => chroot_script(&root, "/tmp/scapc-fix.sh", &env, job.timeout),
        }
    };
    let (code, out) = apply()?;
    o.steps.push(Step { name: "remediation".into(), result: format!("exit {code}"), output: out.clone() });
    if code != 0 {
        o.findings.push(format!("the fix exited with status {code}{}", last_line(&out)));
    }
    let (result, evidence) = eval(job, &root)?;
    o.steps.push(Step { name: "check after remediation".into(), result: result.clone(), output: evidence });
    if result != "pass" {
        o.findings.push(format!("after the fix the check gives `{result}`, not `pass`: the fix does not fix"));
        return Ok(o);
    }
    let before = snapshot(&upper);
    let (code, out) = apply()?;
    let after = snapshot(&upper);
    let current = |rel: &str| std::fs::read(root.join(rel)).ok().map(|b| hash_bytes(&b));
    let changes = diff(&before, &after, &current);
    o.steps.push(Step {
        name: "second remediation".into(),
        result: format!("exit {code}"),
        output: if changes.is_empty() { out.clone() } else { format!("{}\n{out}", changes.join("\n")) },
    });
    if code != 0 {
        o.findings.push(format!("the fix run a second time exited with status {code}{}", last_line(&out)));
    }
    if !changes.is_empty() {
        let shown: Vec<&str> = changes.iter().take(5).map(String::as_str).collect();
        // A third run tells a fix that keeps changing the system (appends
        // each time) from one that settles after its second run.
        let (code3, out3) = apply()?;
        let third = snapshot(&upper);
        let current = |rel: &str| std::fs::read(root.join(rel)).ok().map(|b| hash_bytes(&b));
        let changes3 = diff(&after, &third, &current);
        let settles = if changes3.is_empty() {
            "; a third run changed nothing (it settles after the second run)".to_owned()
        } else {
            format!(
                "; a third run changed it again: {}",
                changes3.iter().take(3).cloned().collect::<Vec<_>>().join("; ")
            )
        };
        o.steps.push(Step {
            name: "third remediation".into(),
            result: format!("exit {code3}"),
            output: if changes3.is_empty() { out3 } else { format!("{}\n{out3}", changes3.join("\n")) },
        });
        o.findings.push(format!("the fix is not idempotent: run a second time it {}{settles}", shown.join("; ")));
    }
    let (result, evidence) = eval(job, &root)?;
    o.steps.push(Step { name: "check after the second remediation".into(), result: result.clone(), output: evidence });
    if result != "pass" {
        o.findings.push(format!("after the fix ran twice the check gives `{result}`"));
    }
    Ok(o)
}

/// Brings up the loopback interface of the job's own network namespace
/// (which has no other): a machine has one, and programs look for an
/// active interface (postfix's `newaliases`: "could not find any active
/// network interfaces"). Best effort: without ip(8) on the host, lo stays
/// down.
fn loopback_up() {
    let _ = Command::new("ip")
        .args(["link", "set", "lo", "up"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Runs a playbook against the chroot at `root` with Ansible's chroot
/// connection, its temporary files on the job's tmpfs.
fn ansible(mnt: &Path, root: &Path, playbook: &str, timeout: u64) -> Result<(i32, String), String> {
    let dir = mnt.join("ansible");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let play = dir.join("playbook.yml");
    std::fs::write(&play, playbook).map_err(|e| format!("{}: {e}", play.display()))?;
    // Only this configuration: nothing from the host's ansible.cfg.
    let cfg = dir.join("ansible.cfg");
    std::fs::write(&cfg, "[defaults]\n").map_err(|e| format!("{}: {e}", cfg.display()))?;
    let mut c = Command::new("timeout");
    c.args(["--kill-after=5", &timeout.to_string(), "setpriv", "--bounding-set", DROPPED_CAPS, "ansible-playbook"])
        .arg("-i")
        .arg(format!("{},", root.display()))
        .args(["-c", "community.general.chroot"])
        .arg(&play)
        .env("HOME", &dir)
        .env("ANSIBLE_LOCAL_TEMP", dir.join("tmp"))
        .env("ANSIBLE_REMOTE_TMP", "/tmp")
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_PYTHON_INTERPRETER", "/usr/bin/python3")
        .env("ANSIBLE_RETRY_FILES_ENABLED", "0")
        .env("ANSIBLE_CONFIG", &cfg)
        .current_dir(&dir);
    let (code, out) = cmd_output(&mut c)?;
    Ok((code, truncate(out, 8000)))
}

fn last_line(out: &str) -> String {
    out.lines().rev().find(|l| !l.trim().is_empty()).map(|l| format!(": {}", l.trim())).unwrap_or_default()
}

/// Where the layer of a package set over some lower directories is kept
/// (installed with or without what the packages recommend); None when a
/// name is not a Debian package name.
pub fn layer_path(cache: &Path, lowers: &[PathBuf], packages: &[String], recommends: bool) -> Option<PathBuf> {
    let mut pk: Vec<&str> = packages.iter().map(String::as_str).collect();
    pk.sort();
    pk.dedup();
    if pk.iter().any(|p| {
        p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | ':' | '_'))
    }) {
        return None;
    }
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (LAYER_RECIPE, lowers).hash(&mut h);
    if recommends {
        "recommends".hash(&mut h);
    }
    let key = format!("{}-{:016x}", pk.join("+").replace(':', "_").chars().take(80).collect::<String>(), h.finish());
    Some(cache.join("layers").join(key))
}

/// Changes whenever the way layers are made changes, so that layers made
/// the old way are not stacked under new ones.
const LAYER_RECIPE: u32 = 3;

/// The cached layer with `packages` installed over `lowers` (uppermost
/// first; built now if missing). Returns its directory (an overlay upper
/// directory). With `update`, apt's package lists are brought up to date
/// first and kept in the layer, so the layers above it and the jobs see
/// the same versions. The packages are downloaded with what they
/// recommend (kept in the shared download cache, so that a fix's
/// `apt-get install` works in a job without network) and installed with
/// it only when `recommends` (as `apt-get install -y` does for Automatus:
/// `aide` recommends `aide-common`, which has its configuration).
pub fn layer(
    exe: &Path,
    cache: &Path,
    lowers: &[PathBuf],
    packages: &[String],
    update: bool,
    recommends: bool,
) -> Result<PathBuf, String> {
    let dir = layer_path(cache, lowers, packages, recommends)
        .ok_or_else(|| format!("`# packages = {}`: not Debian package names", packages.join(",")))?;
    if dir.is_dir() {
        return Ok(dir);
    }
    let key = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut pk: Vec<&str> = packages.iter().map(String::as_str).collect();
    pk.sort();
    pk.dedup();
    let tmp = cache.join("layers").join(format!(".tmp-{}-{key}", std::process::id()));
    let archives = cache.join("apt-archives");
    for d in [&tmp, &archives] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let spec = serde_json::json!({
        "lowers": lowers, "tmp": tmp, "archives": archives, "packages": pk, "update": update,
        "recommends": recommends,
    })
    .to_string();
    let o = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--kill-child", "--propagation", "private", "--"])
        .arg(exe)
        .args(["__scenario-layer", &spec])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run unshare(1): {e}"))?;
    let _ = std::fs::remove_dir_all(tmp.join("work"));
    keep_downloads(&tmp.join("mnt/archives-upper"), &archives);
    let _ = std::fs::remove_dir_all(tmp.join("mnt"));
    if !o.status.success() {
        let _ = std::fs::remove_dir_all(&tmp);
        let mut msg = String::from_utf8_lossy(&o.stdout).into_owned();
        msg.push_str(&String::from_utf8_lossy(&o.stderr));
        return Err(format!("installing {} into a layer failed:\n{}", pk.join(" "), truncate(msg, 4000)));
    }
    std::fs::rename(tmp.join("upper"), &dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(dir)
}

/// Downloads `packages` (with what they depend on and recommend) over
/// `lowers` into the shared download cache, for scenarios that install
/// packages themselves; the root it ran in is dropped. Packages already in
/// the cache are not asked for again; a name apt does not know is left
/// out (the scenario that wants it reports it).
pub fn download(exe: &Path, cache: &Path, lowers: &[PathBuf], packages: &[String]) -> Result<(), String> {
    let archives = cache.join("apt-archives");
    let have: Vec<String> = std::fs::read_dir(&archives)
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let mut pk: Vec<&str> = packages
        .iter()
        .map(String::as_str)
        .filter(|p| !have.iter().any(|h| h.starts_with(&format!("{p}_")) && h.ends_with(".deb")))
        .collect();
    pk.sort();
    pk.dedup();
    if pk.is_empty() {
        return Ok(());
    }
    let tmp = cache.join("layers").join(format!(".tmp-{}-downloads", std::process::id()));
    for d in [&tmp, &archives] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    let spec = serde_json::json!({
        "lowers": lowers, "tmp": tmp, "archives": archives, "packages": pk, "update": false, "download_only": true,
    })
    .to_string();
    let o = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--kill-child", "--propagation", "private", "--"])
        .arg(exe)
        .args(["__scenario-layer", &spec])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run unshare(1): {e}"))?;
    keep_downloads(&tmp.join("mnt/archives-upper"), &archives);
    let _ = std::fs::remove_dir_all(&tmp);
    if !o.status.success() {
        let mut msg = String::from_utf8_lossy(&o.stdout).into_owned();
        msg.push_str(&String::from_utf8_lossy(&o.stderr));
        return Err(truncate(msg, 2000));
    }
    Ok(())
}

/// No service may start inside the chroot (a daemon a package's
/// maintainer script starts would outlive the script): Debian's
/// `policy-rc.d` refuses every start. Returns its path.
fn deny_service_starts(root: &Path) -> Result<PathBuf, String> {
    let policy = root.join("usr/sbin/policy-rc.d");
    std::fs::write(&policy, "#!/bin/sh\nexit 101\n").map_err(|e| format!("{}: {e}", policy.display()))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("{}: {e}", policy.display()))?;
    }
    Ok(policy)
}

/// Moves the packages a layer builder downloaded into the shared cache.
fn keep_downloads(from: &Path, archives: &Path) {
    let Ok(rd) = std::fs::read_dir(from) else { return };
    for e in rd.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().ends_with(".deb") && !archives.join(&name).exists() {
            let _ = std::fs::rename(e.path(), archives.join(&name));
        }
    }
}

/// The layer job: inside the namespaces, apt-get install into an overlay
/// whose upper directory is on disk.
pub fn layer_main(spec: &str) -> i32 {
    let run = || -> Result<(), String> {
        let v: serde_json::Value = serde_json::from_str(spec).map_err(|e| e.to_string())?;
        let s = |k: &str| PathBuf::from(v[k].as_str().unwrap_or_default());
        let (tmp, archives) = (s("tmp"), s("archives"));
        let update = v["update"].as_bool().unwrap_or(false);
        let download_only = v["download_only"].as_bool().unwrap_or(false);
        let recommends = v["recommends"].as_bool().unwrap_or(false);
        let lowers: Vec<PathBuf> = v["lowers"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(PathBuf::from)).collect())
            .unwrap_or_default();
        let pk: Vec<String> = v["packages"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let mnt = tmp.join("mnt");
        std::fs::create_dir_all(&mnt).map_err(|e| e.to_string())?;
        let root = setup_root(&mnt, &lowers, Some((&tmp.join("upper"), &tmp.join("work"))))?;
        // Each builder downloads into its own overlay of the shared cache
        // (apt locks the directory); the parent keeps the downloads.
        overlay_archives(&mnt, &archives, &root)?;
        let policy = deny_service_starts(&root)?;
        let script = root.join("tmp/scapc-layer.sh");
        let text = if download_only {
            // One at a time: a name apt does not know fails alone.
            pk.iter()
                .map(|p| {
                    format!(
                        "apt-get install -y -q --download-only -o DPkg::Lock::Timeout=900 {p} >/dev/null 2>&1 || \
                         echo \"cannot download {p}\"\n"
                    )
                })
                .collect::<String>()
        } else {
            format!(
                "set -e\nexport DEBIAN_FRONTEND=noninteractive\n\
                 log() {{ tail -30 /tmp/apt.log; exit 1; }}\n\
                 {update}\
                 apt-get install -y -q --download-only -o DPkg::Lock::Timeout=900 {0} >>/tmp/apt.log 2>&1 || log\n\
                 apt-get install -y -q -o DPkg::Lock::Timeout=900 {rec}{0} >>/tmp/apt.log 2>&1 || log\n",
                pk.join(" "),
                rec = if recommends { "" } else { "--no-install-recommends " },
                update = if update { "apt-get update -q >/tmp/apt.log 2>&1 || log\n" } else { "" }
            )
        };
        std::fs::write(&script, text).map_err(|e| e.to_string())?;
        let (code, out) = chroot_script(&root, "/tmp/scapc-layer.sh", &[], 1800)?;
        let _ = std::fs::remove_file(&policy);
        if code != 0 {
            return Err(format!("apt-get install {} failed ({code}):\n{out}", pk.join(" ")));
        }
        Ok(())
    };
    match run() {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

/// Removes the job directories of runs whose process is gone.
pub fn clean_stale(work: &Path) {
    let Ok(rd) = std::fs::read_dir(work) else { return };
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix("run-").and_then(|p| p.parse::<u32>().ok()) else { continue };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            // Only empty mount points stay behind (the tmpfs died with the
            // namespace); remove_dir_all never crosses into a live mount
            // because none is visible from here.
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    let layers = work.join("layers");
    if let Ok(rd) = std::fs::read_dir(&layers) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.strip_prefix(".tmp-").and_then(|r| r.split('-').next()).and_then(|p| p.parse::<u32>().ok());
            if let Some(pid) = pid {
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> Entry {
        Entry { mode: 0o100644, uid: 0, gid: 0, rdev: 0, hash: hash_bytes(text.as_bytes()), text: Some(text.into()) }
    }

    #[test]
    fn lines_gained_and_lost() {
        assert_eq!(lines_changed(Some(b"a\nb\n"), Some(b"a\nb\nb\n")), " (+1 line: \"b\")");
        assert_eq!(lines_changed(Some(b"x = 1\n"), Some(b"x = 2\n")), " (+1 line: \"x = 2\"; -1 line: \"x = 1\")");
        assert_eq!(lines_changed(Some(b"a\nb\n"), Some(b"b\na\n")), " (same lines, reordered or line endings changed)");
        assert_eq!(lines_changed(None, Some(b"new\n")), " (+1 line: \"new\")");
        assert_eq!(lines_changed(Some(b"\0"), Some(b"\0\x01")), " (binary)");
    }

    #[test]
    fn refreshed_backups_and_logs_are_no_change() {
        let before: BTreeMap<String, Entry> = [
            ("etc/shadow".to_owned(), entry("root:new\n")),
            ("etc/shadow-".to_owned(), entry("root:old\n")),
            ("etc/x.conf".to_owned(), entry("a\n")),
            ("var/log/dpkg.log".to_owned(), entry("1\n")),
        ]
        .into();
        let mut after = before.clone();
        after.insert("etc/shadow-".into(), entry("root:new\n"));
        after.insert("var/log/dpkg.log".into(), entry("1\n2\n"));
        after.insert("etc/x.conf.bak".into(), entry("a\n"));
        after.insert("etc/aliases.db".into(), entry("\0regenerated"));
        after.insert("var/lib/aide/aide.db.new".into(), entry("rebuilt"));
        let now = |rel: &str| after.get(rel).map(|e| e.hash);
        assert_eq!(diff(&before, &after, &now), Vec::<String>::new());
        // a backup that is not the file's content is a change, and so is
        // the file itself changing
        after.insert("etc/x.conf".into(), entry("a\na\n"));
        let now = |rel: &str| after.get(rel).map(|e| e.hash);
        assert_eq!(
            diff(&before, &after, &now),
            vec![
                "changed the content of /etc/x.conf (+1 line: \"a\")".to_owned(),
                "created /etc/x.conf.bak (+1 line: \"a\")".to_owned()
            ]
        );
    }
}
