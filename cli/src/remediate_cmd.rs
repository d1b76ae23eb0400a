//! `scapc remediate`: fixes the failures a results file recorded
//! (`scapc_remediate::from_results`), as `oscap xccdf remediate` does, and
//! writes the results with the new TestResult added.

use clap::Args;
use scapc_eval::oval::engine::EngineOptions;
use scapc_eval::target::Target;
use scapc_eval::xccdf::content::Content;
use scapc_remediate::from_results::{self, Settings};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args)]
pub struct RemediateArgs {
    /// XCCDF results: the benchmark with its TestResults, as `scapc eval
    /// --results` writes it (the checks' files beside it)
    pub input: PathBuf,
    /// Which TestResult to remediate: its id, or the end of one that no
    /// other id ends with (default: the last, the most recent)
    #[arg(long, value_name = "ID")]
    pub result_id: Option<String>,
    /// Write the results with the new TestResult added here (may be INPUT
    /// itself; written atomically)
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Where the fixes run and the checks are evaluated again: `local`, or
    /// `dir:/path/to/rootfs` (chrooted in private namespaces; needs root)
    #[arg(long, default_value = "local")]
    pub target: String,
    /// Run SCE checks when a rule is checked again (they execute
    /// arbitrary code)
    #[arg(long)]
    pub sce: bool,
    /// Seconds one fix may run before it is killed
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub fix_timeout: u64,
}

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

pub fn run(a: RemediateArgs) -> ExitCode {
    if a.target.starts_with("ssh") {
        return err(format!(
            "--target {}: remediate runs fixes on `local` or a `dir:` root; on a remote host run scapc there",
            a.target
        ));
    }
    let target = match Target::parse(&a.target) {
        Ok(t) => t,
        Err(e) => return err(format!("--target: {e}")),
    };
    let src = match std::fs::read_to_string(&a.input) {
        Ok(s) => s,
        Err(e) => return err(format!("{}: {e}", a.input.display())),
    };
    let mut content = match Content::load(&a.input, None, None) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    for w in &content.warnings {
        // a check file that is not there: its rules cannot be checked again
        warn!("{w}");
    }
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return err(format!("cannot find the scapc binary: {e}")),
    };
    let settings = Settings {
        result_id: a.result_id.as_deref(),
        target: &target,
        sce: a.sce,
        engine: EngineOptions { probe_timeout: Duration::from_secs(120) },
        exe: &exe,
        timeout: a.fix_timeout.max(1),
    };
    let out = match from_results::remediate_results(&mut content, &a.input, &src, &settings) {
        Ok(o) => o,
        Err(e) => return err(e),
    };
    if let Some(p) = &a.results {
        if let Err(e) = scapc_output::write_file(p, out.document.as_bytes(), scapc_output::Mode::Private) {
            return err(format!("{}: {e}", p.display()));
        }
        info!("wrote {} (TestResult {})", p.display(), out.new_id);
    }
    // On stdout, as oscap keeps stderr for errors.
    outln!(
        "remediated TestResult {} as {}: {} fixed, {} error, {} failed rules without a fix to run",
        out.from_id,
        out.new_id,
        out.fixed,
        out.errors,
        out.without_fix
    );
    if out.failing {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
