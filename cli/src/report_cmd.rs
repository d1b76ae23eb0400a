//! `scapc report`: the HTML report of any ARF (from `scapc eval` or
//! `oscap xccdf eval --results-arf`), rendered by `scapc-html`.

use clap::Args;
use scapc_eval::xccdf::content::Content;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ReportArgs {
    /// The ARF results (`--results-arf` of `scapc eval` or `oscap xccdf eval`)
    pub arf: PathBuf,
    /// The XCCDF tailoring file the scan used, if its profile came from one
    #[arg(long)]
    pub tailoring: Option<PathBuf>,
    /// The HTML page to write (created readable by its owner only: a
    /// report may show secrets of the target)
    #[arg(long, short = 'o')]
    pub out: PathBuf,
}

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

pub fn run(a: ReportArgs) -> ExitCode {
    let inputs: Vec<&std::path::Path> =
        [Some(&a.arf), a.tailoring.as_ref()].into_iter().flatten().map(PathBuf::as_path).collect();
    if let Err(m) = scapc_output::check_distinct(&inputs, &[a.out.as_path()]) {
        return err(m);
    }
    let (content, results) = match scapc_html::load_results(&a.arf) {
        Ok(x) => x,
        Err(e) => return err(e),
    };
    let tailoring = match &a.tailoring {
        Some(t) => match Content::load_tailoring(t) {
            Ok(p) => p,
            Err(e) => return err(e),
        },
        None => Vec::new(),
    };
    let html = match scapc_html::report(&content, &tailoring, &results) {
        Ok(h) => h,
        Err(e) => return err(format!("{}: {e}", a.arf.display())),
    };
    if let Err(e) = scapc_output::write_file(&a.out, html.as_bytes(), scapc_output::Mode::Private) {
        return err(format!("{}: cannot write: {e}", a.out.display()));
    }
    status!("wrote {} ({} rules)", a.out.display(), results.rules.len());
    ExitCode::SUCCESS
}
