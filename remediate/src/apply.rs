//! `scapc eval --remediate`: after a scan, the script fixes (shell, else
//! Python or Perl, as oscap runs them) of the rules that
//! failed run on the target, the benchmark is evaluated again, and each
//! remediated rule is recorded `fixed` (the fix exited 0 and the rule now
//! passes) or `error`, with the fix's output as a message, as oscap does.
//!
//! On `local` the fixes run on this host; on `dir:ROOT` they run chrooted in
//! ROOT inside private mount and PID namespaces (its own /proc with a
//! read-only /proc/sys, /dev and /tmp), so only ROOT's own files change.
//! (`ssh://` hands `--remediate` to scapc on the host.)

use crate::fix::{self, FixType, PlanOptions};
use crate::sandbox;
use scapc_eval::target::TargetKind;
use scapc_eval::xccdf::content::Content;
use scapc_eval::xccdf::run::{self, Scan, XResult};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A fix to run and what became of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ran {
    pub rule_id: String,
    /// The fix's system URN.
    pub system: String,
    /// The program that runs the script (bash, python3, perl).
    pub interpreter: String,
    pub script: String,
    pub exit: i32,
    pub output: String,
}

/// What `remediate` did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub fixed: usize,
    pub errors: usize,
    /// Failed rules without a fix scapc can run (left `fail`).
    pub without_fix: usize,
}

#[derive(Serialize, Deserialize)]
struct DirSpec {
    root: PathBuf,
    fixes: Vec<Ran>,
    timeout: u64,
}

/// Runs the fixes of the failed rules, re-evaluates and updates `scan`.
pub fn remediate(
    content: &Content,
    opts: &run::Options<'_>,
    scan: &mut Scan,
    exe: &Path,
    timeout: u64,
) -> Result<Summary, String> {
    let failed: HashSet<String> =
        scan.rules.iter().filter(|r| r.result == XResult::Fail).map(|r| r.id.clone()).collect();
    let mut sum = Summary::default();
    if failed.is_empty() {
        return Ok(sum);
    }
    let popts = PlanOptions {
        profile: opts.profile.as_deref(),
        tailoring: &opts.tailoring,
        only: Some(&failed),
        set_values: &scan.values,
    };
    let plan = fix::plan(content, FixType::Script, &popts)?;
    sum.without_fix = plan.without_fix.len();
    // As oscap: a rule whose fixes are none scapc can run keeps `fail`; one
    // whose fix cannot be resolved is an `error`; neither runs anything.
    for id in &plan.unsuitable {
        if let Some(r) = scan.rules.iter_mut().find(|x| &x.id == id) {
            r.messages.push("remediation: no suitable fix found (no shell, Python or Perl script fix)".into());
        }
    }
    for (id, why) in &plan.unresolved {
        if let Some(r) = scan.rules.iter_mut().find(|x| &x.id == id) {
            r.result = XResult::Error;
            r.messages.push(format!("remediation aborted, the fix was not run: text substitution failed: {why}"));
            sum.errors += 1;
        }
    }
    let todo: Vec<Ran> = plan
        .fixes
        .into_iter()
        .filter_map(|f| {
            let interpreter = fix::interpreter(&f.system)?.to_owned();
            Some(Ran {
                rule_id: f.rule_id,
                system: f.system,
                interpreter,
                script: f.text,
                exit: -1,
                output: String::new(),
            })
        })
        .collect();
    if todo.is_empty() {
        return Ok(sum);
    }
    let ran = match opts.target.kind() {
        TargetKind::Local => todo.into_iter().map(|r| run_local(r, timeout)).collect::<Result<Vec<_>, _>>()?,
        TargetKind::Dir(root) => run_dir(exe, root, todo, timeout)?,
    };
    let again = run::evaluate(content, opts)?;
    for r in &ran {
        let now = again.rules.iter().find(|x| x.id == r.rule_id).map(|x| x.result);
        let Some(res) = scan.rules.iter_mut().find(|x| x.id == r.rule_id) else { continue };
        let ok = r.exit == 0 && now == Some(XResult::Pass);
        res.result = if ok { XResult::Fixed } else { XResult::Error };
        res.fixes.push((r.system.clone(), xml_safe(&r.script)));
        if ok {
            sum.fixed += 1;
        } else {
            sum.errors += 1;
        }
        res.messages.push(format!(
            "remediation: the {} fix exited {}; rechecked, the rule {}{}",
            r.interpreter.rsplit('/').next().unwrap_or("bash"),
            r.exit,
            now.map(|x| format!("is `{}`", x.as_str())).unwrap_or_else(|| "has no result".into()),
            if r.output.trim().is_empty() {
                String::new()
            } else {
                format!("; output:\n{}", xml_safe(r.output.trim_end()))
            }
        ));
    }
    // The scores of the system as it is now: fixed rules count as passed.
    scan.scores = again.scores;
    Ok(sum)
}

/// Text that XML 1.0 can hold: control characters a script printed (other
/// than tab and line ends) become U+FFFD.
pub(crate) fn xml_safe(s: &str) -> String {
    s.chars().map(|c| if c < ' ' && !matches!(c, '\t' | '\n' | '\r') { '\u{FFFD}' } else { c }).collect()
}

pub(crate) fn run_local(mut r: Ran, timeout: u64) -> Result<Ran, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let path = dir.path().join("fix");
    std::fs::write(&path, &r.script).map_err(|e| format!("{}: {e}", path.display()))?;
    let o = Command::new("timeout")
        .args(["--kill-after=5", &timeout.to_string(), &r.interpreter])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", r.interpreter))?;
    r.exit = o.status.code().unwrap_or(-1);
    r.output = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    Ok(r)
}

pub(crate) fn run_dir(exe: &Path, root: &Path, todo: Vec<Ran>, timeout: u64) -> Result<Vec<Ran>, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary directory: {e}"))?;
    let spec = dir.path().join("spec.json");
    let text = serde_json::to_string(&DirSpec { root: root.to_path_buf(), fixes: todo, timeout })
        .map_err(|e| format!("cannot encode the fixes: {e}"))?;
    std::fs::write(&spec, text).map_err(|e| format!("{}: {e}", spec.display()))?;
    let o = Command::new("unshare")
        .args(["--mount", "--pid", "--fork", "--kill-child", "--propagation", "private", "--"])
        .arg(exe)
        .arg("__remediate-dir")
        .arg(&spec)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run unshare(1): {e} (util-linux; remediating dir: needs root)"))?;
    let stdout = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str::<Vec<Ran>>(stdout.trim()).map_err(|_| {
        format!(
            "remediation in {} did not run: {}{}",
            root.display(),
            stdout.trim(),
            String::from_utf8_lossy(&o.stderr).trim()
        )
    })
}

/// The hidden `__remediate-dir` command: inside fresh namespaces, mounts
/// /proc, /dev and /tmp over ROOT's and runs each fix chrooted. Prints the
/// fixes with their exit codes and output as JSON.
pub fn dir_main(spec_path: &Path) -> i32 {
    let run = || -> Result<Vec<Ran>, String> {
        let text = std::fs::read_to_string(spec_path).map_err(|e| format!("{}: {e}", spec_path.display()))?;
        let spec: DirSpec = serde_json::from_str(&text).map_err(|e| format!("bad remediation spec: {e}"))?;
        let root = sandbox::setup_in_place(&spec.root)?;
        let mut out = Vec::new();
        for (i, mut r) in spec.fixes.into_iter().enumerate() {
            let name = format!("scapc-fix-{i}");
            let p = root.join("tmp").join(&name);
            std::fs::write(&p, &r.script).map_err(|e| format!("{}: {e}", p.display()))?;
            let (code, output) =
                sandbox::chroot_run(&root, &r.interpreter, &format!("/tmp/{name}"), &[], spec.timeout)?;
            r.exit = code;
            r.output = output;
            out.push(r);
        }
        Ok(out)
    };
    match run() {
        Ok(v) => {
            println!("{}", serde_json::to_string(&v).unwrap_or_default());
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}
