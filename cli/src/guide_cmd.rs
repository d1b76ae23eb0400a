//! `scapc guide`: the HTML guide of one profile of a data stream (or of a
//! standalone XCCDF benchmark), rendered by `scapc-html`.

use clap::Args;
use scapc_eval::xccdf::content::Content;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct GuideArgs {
    /// The source data stream (or an XCCDF 1.2 benchmark)
    pub ds: PathBuf,
    /// The profile: its full id or the part after `_profile_`; `(all)` for
    /// every rule [default: the benchmark's own selection]
    #[arg(long)]
    pub profile: Option<String>,
    /// An XCCDF tailoring file whose profiles are searched first
    #[arg(long)]
    pub tailoring: Option<PathBuf>,
    /// The data stream to use, by id [default: the first]
    #[arg(long)]
    pub datastream_id: Option<String>,
    /// The benchmark to use, by id or component-ref id [default: the first]
    #[arg(long)]
    pub benchmark_id: Option<String>,
    /// The HTML page to write [default: stdout]
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

pub fn run(a: GuideArgs) -> ExitCode {
    let inputs: Vec<&std::path::Path> =
        [Some(&a.ds), a.tailoring.as_ref()].into_iter().flatten().map(PathBuf::as_path).collect();
    let outs: Vec<&std::path::Path> = a.out.iter().map(PathBuf::as_path).collect();
    if let Err(m) = scapc_output::check_distinct(&inputs, &outs) {
        return err(m);
    }
    let content = match Content::load(&a.ds, a.datastream_id.as_deref(), a.benchmark_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    let tailoring = match &a.tailoring {
        Some(t) => match Content::load_tailoring(t) {
            Ok(p) => p,
            Err(e) => return err(e),
        },
        None => Vec::new(),
    };
    let html = match scapc_html::guide(&content, &tailoring, a.profile.as_deref()) {
        Ok(h) => h,
        Err(e) => return err(format!("{}: {e}", a.ds.display())),
    };
    let Some(out) = &a.out else {
        out!("{html}");
        return ExitCode::SUCCESS;
    };
    if let Err(e) = scapc_output::write_file(out, html.as_bytes(), scapc_output::Mode::Public) {
        return err(format!("{}: cannot write: {e}", out.display()));
    }
    status!("wrote {}", out.display());
    ExitCode::SUCCESS
}
