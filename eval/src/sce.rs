//! Script Check Engine (SCE) checks, following OpenSCAP's contract.
//!
//! - Each check-export becomes `XCCDF_VALUE_<name>`, `XCCDF_TYPE_<name>` and
//!   `XCCDF_OPERATOR_<name>` in the script's environment.
//! - `XCCDF_RESULT_PASS=101` … `XCCDF_RESULT_FIXED=109` are set too, and the
//!   exit code maps back to the result (anything else is `error`).
//! - stdout and stderr are captured for the check-import `stdout`.
//!
//! Scripts run arbitrary code on this host, so the caller runs them only
//! when the user opted in (`--sce`) or the data stream carries a valid
//! signature from a trusted key. They run only against the local target:
//! against an offline root filesystem they would inspect the wrong system.

use crate::target::Target;
use crate::xccdf::content::{Benchmark, Check, Content};
use crate::xccdf::run::XResult;
use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a script needs besides itself.
pub struct SceEnv<'a> {
    pub values: &'a HashMap<String, String>,
    pub bench: &'a Benchmark,
    pub content: &'a Content,
}

/// One script's run, for the SCE result file.
pub const CODES: [(&str, u8, XResult); 9] = [
    ("PASS", 101, XResult::Pass),
    ("FAIL", 102, XResult::Fail),
    ("ERROR", 103, XResult::Error),
    ("UNKNOWN", 104, XResult::Unknown),
    ("NOT_APPLICABLE", 105, XResult::NotApplicable),
    ("NOT_CHECKED", 106, XResult::NotChecked),
    ("NOT_SELECTED", 107, XResult::NotSelected),
    ("INFORMATIONAL", 108, XResult::Informational),
    ("FIXED", 109, XResult::Fixed),
];

/// How long one script may run.
pub const TIMEOUT: Duration = Duration::from_secs(300);

/// Runs the SCE check; returns the result and the captured output.
pub fn run(check: &Check, env: &SceEnv<'_>, target: &Target) -> (XResult, String) {
    if !target.is_local() {
        return (
            XResult::NotChecked,
            format!("SCE scripts run only on the local target, not on {}", target.describe()),
        );
    }
    let script = check
        .refs
        .iter()
        .find_map(|(href, _)| env.content.resolve(href))
        .map(|(_, n)| env.content.tree.text(n).to_owned());
    let script = script.as_deref();
    let Some(script) = script else {
        let href = check.refs.first().map(|r| r.0.as_str()).unwrap_or("");
        return (XResult::Error, format!("the SCE script `{href}` is not in the data stream"));
    };
    let dir = match tempfile::Builder::new().prefix("scapc-sce-").tempdir() {
        Ok(d) => d,
        Err(e) => return (XResult::Error, format!("cannot create a directory for the script: {e}")),
    };
    let path = dir.path().join("check.sh");
    if let Err(e) = std::fs::write(&path, script)
        .and_then(|_| std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700)))
    {
        return (XResult::Error, format!("cannot write the script: {e}"));
    }
    let mut cmd = Command::new(&path);
    cmd.current_dir("/").stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (name, code, _) in CODES {
        cmd.env(format!("XCCDF_RESULT_{name}"), code.to_string());
    }
    for (vid, export) in &check.exports {
        let v = env.values.get(vid).cloned().unwrap_or_default();
        let (t, op) = env
            .bench
            .values
            .get(vid)
            .map(|x| (x.vtype.clone(), x.operator.clone()))
            .unwrap_or(("string".into(), "equals".into()));
        cmd.env(format!("XCCDF_VALUE_{export}"), v);
        cmd.env(format!("XCCDF_TYPE_{export}"), t.to_uppercase());
        cmd.env(format!("XCCDF_OPERATOR_{export}"), op.to_uppercase().replace(' ', "_"));
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return (XResult::Error, format!("cannot run the script: {e}")),
    };
    // Read both pipes on threads so a chatty script cannot block.
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let t_out = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.take(16 << 20).read_to_end(&mut s);
        }
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.take(16 << 20).read_to_end(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(_) => break None,
        }
    };
    let mut output = String::from_utf8_lossy(&t_out.join().unwrap_or_default()).into_owned();
    output.push_str(&String::from_utf8_lossy(&t_err.join().unwrap_or_default()));
    let result = match status.and_then(|s| s.code()) {
        Some(code) => CODES.iter().find(|(_, c, _)| i32::from(*c) == code).map(|x| x.2).unwrap_or(XResult::Error),
        None => {
            output.push_str(&format!("\n(the script was stopped after {} s or by a signal)", TIMEOUT.as_secs()));
            XResult::Error
        }
    };
    (result, output)
}
