//! `scapc eval --target ssh://user@host[:port]`: scan a remote host the way
//! `oscap-ssh` does. The scapc binary and the content are copied into a
//! fresh temporary directory on the host, the scan runs there, the results
//! are brought back, and the directory is removed whatever happened.
//!
//! The system `ssh` does the work, with its host-key checking and
//! `BatchMode=yes` (no password prompts); `--ssh-option` passes `-o`
//! options (an identity file, a known-hosts file). With `ssh+sudo://` the
//! scan and the fetching of its results run through `sudo -n` (sudo without
//! a password prompt or a tty), for a login user that is not root.

use crate::eval_cmd::{EngineKind, EvalArgs};
use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

struct Remote {
    dest: String,
    port: Option<String>,
    options: Vec<String>,
    /// Run the scan and read its results through `sudo -n`.
    sudo: bool,
}

impl Remote {
    fn parse(spec: &str, options: &[String]) -> Result<Remote, String> {
        let spec = spec.trim_end_matches('/');
        if spec.is_empty() {
            return Err("--target ssh://: give user@host[:port]".into());
        }
        let (dest, port) = match spec.rsplit_once(':') {
            Some((d, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                (d.to_owned(), Some(p.to_owned()))
            }
            _ => (spec.to_owned(), None),
        };
        if dest.starts_with('-') || dest.contains(char::is_whitespace) {
            return Err(format!("`{dest}` is not a host"));
        }
        Ok(Remote { dest, port, options: options.to_vec(), sudo: false })
    }

    fn ssh(&self) -> Command {
        let mut c = Command::new("ssh");
        c.arg("-o").arg("BatchMode=yes");
        for o in &self.options {
            c.arg("-o").arg(o);
        }
        if let Some(p) = &self.port {
            c.arg("-p").arg(p);
        }
        c.arg("--").arg(&self.dest);
        c
    }

    /// Runs a remote shell command; returns its stdout.
    fn run(&self, script: &str) -> Result<String, String> {
        let out = self.ssh().arg(script).stdin(Stdio::null()).output().map_err(|e| format!("cannot run ssh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "ssh {}: `{script}` failed: {}",
                self.dest,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Copies a local file to a remote path through ssh's stdin.
    fn put(&self, local: &Path, remote: &str, mode: &str) -> Result<(), String> {
        let data = std::fs::read(local).map_err(|e| format!("{}: {e}", local.display()))?;
        let mut child = self
            .ssh()
            .arg(format!("cat > {remote} && chmod {mode} {remote}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run ssh: {e}"))?;
        if let Some(mut i) = child.stdin.take() {
            i.write_all(&data).map_err(|e| format!("copying {} to {}: {e}", local.display(), self.dest))?;
        }
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!(
                "copying {} to {}: {}",
                local.display(),
                self.dest,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(())
    }

    fn get(&self, remote: &str) -> Result<Vec<u8>, String> {
        let out = self
            .ssh()
            .arg(format!("{}cat {remote}", self.sudo_prefix()))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("fetching {remote}: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(out.stdout)
    }
}

impl Remote {
    fn sudo_prefix(&self) -> &'static str {
        if self.sudo {
            "sudo -n "
        } else {
            ""
        }
    }
}

/// Single-quotes a word for the remote shell.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub fn run(a: &EvalArgs, spec: &str, sudo: bool) -> ExitCode {
    let remote = match Remote::parse(spec, &a.ssh_option) {
        Ok(r) => Remote { sudo, ..r },
        Err(e) => return err(e),
    };
    if !a.ds.is_file() {
        return err(format!("{}: no such file", a.ds.display()));
    }
    let dir = match remote.run("mktemp -d /tmp/scapc.XXXXXXXX") {
        Ok(d) => d.trim().to_owned(),
        Err(e) => return err(e),
    };
    if !dir.starts_with("/tmp/scapc.") || dir.contains(char::is_whitespace) {
        return err(format!("unexpected temporary directory `{dir}` on {}", remote.dest));
    }
    let code = scan(a, &remote, &dir);
    if let Err(e) = remote.run(&format!("rm -rf {}", q(&dir))) {
        warn!("could not remove {dir} on {}: {e}", remote.dest);
    }
    code
}

/// Options the ssh scan cannot honour: their files are not copied to the
/// target (`--cpe`, `--local-files`) or their outputs back from it
/// (`--stig-viewer`, `--oval-results`, `--export-variables`).
pub fn not_passed(a: &EvalArgs) -> Vec<&'static str> {
    [
        (!a.cpe.is_empty(), "--cpe"),
        (a.local_files.is_some(), "--local-files"),
        (a.stig_viewer.is_some(), "--stig-viewer"),
        (a.oval_results.is_some(), "--oval-results"),
        (a.export_variables, "--export-variables"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect()
}

fn scan(a: &EvalArgs, remote: &Remote, dir: &str) -> ExitCode {
    let ds_remote = format!("{dir}/content.xml");
    if let Err(e) = remote.put(&a.ds, &ds_remote, "600") {
        return err(e);
    }
    let mut args: Vec<String> = Vec::new();
    let program;
    if a.engine == EngineKind::Oscap {
        program = "oscap xccdf eval".to_owned();
        args.extend(crate::eval_oscap::oscap_eval_args(a, &format!("{dir}/arf.xml")).iter().map(|s| q(s)));
        if let Some(t) = &a.tailoring {
            // the tailoring file travels too
            let tr = format!("{dir}/tailoring.xml");
            if let Err(e) = remote.put(t, &tr, "600") {
                return err(e);
            }
            if let Some(i) = args.iter().position(|x| x == &q(&t.display().to_string())) {
                args[i] = q(&tr);
            }
        }
    } else {
        let exe = match std::env::current_exe() {
            Ok(e) => e,
            Err(e) => return err(format!("cannot find the scapc binary: {e}")),
        };
        if let Err(e) = remote.put(&exe, &format!("{dir}/scapc"), "700") {
            return err(e);
        }
        program = format!("{dir}/scapc eval");
        args.push("--results-arf".into());
        args.push(q(&format!("{dir}/arf.xml")));
        if a.results.is_some() {
            args.push("--results".into());
            args.push(q(&format!("{dir}/results.xml")));
        }
        if a.report.is_some() {
            args.push("--report".into());
            args.push(q(&format!("{dir}/report.html")));
        }
        for (flag, v) in [
            ("--profile", &a.profile),
            ("--benchmark-id", &a.benchmark_id),
            ("--datastream-id", &a.datastream_id),
            ("--tailoring-id", &a.tailoring_id),
        ] {
            if let Some(v) = v {
                args.push(flag.into());
                args.push(q(v));
            }
        }
        for (flag, ids) in [("--rule", &a.rule), ("--skip-rule", &a.skip_rule)] {
            for id in ids {
                args.push(flag.into());
                args.push(q(id));
            }
        }
        if let Some((name, id)) = &a.reference {
            args.push("--reference".into());
            args.push(q(&format!("{name}:{id}")));
        }
        if a.fetch_remote_resources {
            args.push("--fetch-remote-resources".into());
        }
        if let Some(t) = &a.tailoring {
            let tr = format!("{dir}/tailoring.xml");
            if let Err(e) = remote.put(t, &tr, "600") {
                return err(e);
            }
            args.push("--tailoring".into());
            args.push(q(&tr));
        }
        if a.sce {
            args.push("--sce".into());
        }
        if a.remediate {
            args.push("--remediate".into());
        }
        if a.skip_signature_validation {
            args.push("--skip-signature-validation".into());
        }
        if a.quiet {
            args.push("--quiet".into());
        }
        args.push("--format".into());
        args.push(a.format.name().into());
        args.push("--probe-timeout".into());
        args.push(a.probe_timeout.to_string());
    }
    let cmdline = format!("{}{program} {} {}", remote.sudo_prefix(), args.join(" "), q(&ds_remote));
    let status = remote.ssh().arg(&cmdline).stdin(Stdio::null()).status();
    let code = match status {
        Ok(s) => s.code().unwrap_or(1),
        Err(e) => return err(format!("cannot run ssh: {e}")),
    };
    if code != 0 && code != 2 {
        return err(format!("the scan on {} failed (exit code {code})", remote.dest));
    }
    let fetches: [(&Option<std::path::PathBuf>, &str); 3] =
        [(&a.results_arf, "arf.xml"), (&a.results, "results.xml"), (&a.report, "report.html")];
    for (local, name) in fetches {
        let Some(local) = local else { continue };
        if a.engine == EngineKind::Oscap && name != "arf.xml" {
            errln!("note: with --engine oscap over ssh only --results-arf is brought back");
            continue;
        }
        match remote.get(&format!("{dir}/{name}")) {
            Ok(bytes) => {
                if let Err(e) = crate::eval_cmd::write_private(local, &bytes) {
                    return err(format!("{}: {e}", local.display()));
                }
            }
            Err(e) => return err(e),
        }
    }
    ExitCode::from(code as u8)
}
