//! `scapc fix`: a bash script or an Ansible playbook with the fixes of a
//! profile's rules (the fixes are put together by `scapc-remediate`), and
//! the per-profile fixes `scapc build --fixes` writes beside a data stream;
//! the `scapc eval --remediate` step.

use clap::{Args, ValueEnum};
use scapc_eval::xccdf::content::Content;
use scapc_remediate::fix::{self, FixType, Origin, PlanOptions};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FixKind {
    /// one bash script (fix system urn:xccdf:fix:script:sh)
    Bash,
    /// one Ansible playbook (fix system urn:xccdf:fix:script:ansible)
    Ansible,
}

impl FixKind {
    fn kind(self) -> FixType {
        match self {
            FixKind::Bash => FixType::Bash,
            FixKind::Ansible => FixType::Ansible,
        }
    }
}

#[derive(Args)]
pub struct FixArgs {
    /// The source data stream (or XCCDF 1.2 benchmark)
    pub ds: PathBuf,
    /// Profile id (the full id, or the part after `_profile_`); `(all)`
    /// for every rule. Default: the profile of --results, else the
    /// benchmark's own selection
    #[arg(long)]
    pub profile: Option<String>,
    /// What to write
    #[arg(long, value_enum, default_value = "bash")]
    pub fix_type: FixKind,
    /// ARF or XCCDF results (`scapc eval --results-arf`/`--results`): only
    /// the rules that failed there, with the values the scan used
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// An XCCDF tailoring file whose profiles are searched first
    #[arg(long)]
    pub tailoring: Option<PathBuf>,
    /// Which benchmark of the data stream (default: the first)
    #[arg(long)]
    pub benchmark_id: Option<String>,
    /// Which data stream of the collection (default: the first)
    #[arg(long)]
    pub datastream_id: Option<String>,
    /// The file to write (default: standard output)
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
}

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

/// What to generate, in the library's terms.
pub struct Request<'a> {
    pub content: &'a Content,
    pub source: &'a Path,
    pub kind: FixType,
    pub profile: Option<&'a str>,
    pub tailoring: &'a [scapc_eval::xccdf::content::Profile],
    pub results: Option<&'a fix::ResultsInfo>,
}

/// The script or playbook text, and how many fixes it holds.
pub fn generate(r: &Request<'_>) -> Result<(String, usize), String> {
    let only: Option<HashSet<String>> = r.results.map(|i| i.failed.clone());
    let opts = PlanOptions {
        profile: r.profile,
        tailoring: r.tailoring,
        only: only.as_ref(),
        set_values: r.results.map(|i| i.set_values.as_slice()).unwrap_or(&[]),
    };
    let plan = fix::plan(r.content, r.kind, &opts)?;
    let origin = Origin {
        benchmark_id: r.content.benchmark.id.clone(),
        benchmark_version: r.content.benchmark.version.clone(),
        source: r.source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        from_results: r.results.map(|i| i.failed.len()),
    };
    let text = match r.kind {
        FixType::Bash | FixType::Script => fix::bash_script(&plan, &origin),
        FixType::Ansible => fix::ansible_playbook(&plan, &origin),
    };
    Ok((text, plan.fixes.len()))
}

pub fn run(a: FixArgs) -> ExitCode {
    if let Some(out) = &a.out {
        let inputs: Vec<&Path> = [Some(&a.ds), a.results.as_ref(), a.tailoring.as_ref()]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect();
        if let Err(e) = scapc_output::check_distinct(&inputs, &[out.as_path()]) {
            return err(e);
        }
    }
    let content = match Content::load(&a.ds, a.datastream_id.as_deref(), a.benchmark_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    let tailoring = match &a.tailoring {
        Some(p) => match Content::load_tailoring(p) {
            Ok(t) => t,
            Err(e) => return err(e),
        },
        None => Vec::new(),
    };
    let results = match &a.results {
        Some(p) => match fix::read_results(p) {
            Ok(r) => Some(r),
            Err(e) => return err(e),
        },
        None => None,
    };
    let profile = a.profile.clone().or_else(|| results.as_ref().and_then(|r| r.profile.clone()));
    let req = Request {
        content: &content,
        source: &a.ds,
        kind: a.fix_type.kind(),
        profile: profile.as_deref(),
        tailoring: &tailoring,
        results: results.as_ref(),
    };
    let (text, n) = match generate(&req) {
        Ok(t) => t,
        Err(e) => return err(format!("{}: {e}", a.ds.display())),
    };
    match &a.out {
        None => out!("{text}"),
        Some(path) => {
            if let Err(e) = scapc_output::write_file(path, text.as_bytes(), scapc_output::Mode::Public) {
                return err(format!("{}: {e}", path.display()));
            }
            status!("wrote {} ({n} fixes)", path.display());
        }
    }
    ExitCode::SUCCESS
}

/// `scapc build --fixes`: for each profile of the data stream, the bash
/// script `<product>-script-<profile>.sh` and the playbook
/// `<product>-playbook-<profile>.yml` beside it. Returns the files written.
pub fn write_profile_fixes(ds: &Path, product: &str) -> Result<Vec<PathBuf>, String> {
    let content = Content::load(ds, None, None)?;
    let dir = ds.parent().unwrap_or(Path::new("."));
    let mut written = Vec::new();
    for p in &content.benchmark.profiles {
        let short = p.id.rsplit("_profile_").next().unwrap_or(&p.id);
        for (kind, name) in [
            (FixType::Bash, format!("{product}-script-{short}.sh")),
            (FixType::Ansible, format!("{product}-playbook-{short}.yml")),
        ] {
            scapc_output::check_name(&name)?;
            let req =
                Request { content: &content, source: ds, kind, profile: Some(&p.id), tailoring: &[], results: None };
            let (text, _) = generate(&req).map_err(|e| format!("{}: {e}", ds.display()))?;
            let path = dir.join(&name);
            scapc_output::write_file(&path, text.as_bytes(), scapc_output::Mode::Public)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}

/// `scapc eval --remediate`: the failed rules' fixes on the scan's target
/// (`scapc_remediate::apply`), results updated in place.
pub fn remediate(
    content: &Content,
    opts: &scapc_eval::xccdf::run::Options<'_>,
    scan: &mut scapc_eval::xccdf::run::Scan,
    quiet: bool,
) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the scapc binary: {e}"))?;
    let s = scapc_remediate::apply::remediate(content, opts, scan, &exe, 600)?;
    if !quiet {
        // On stdout, as oscap keeps stderr for errors.
        outln!(
            "remediation: {} fixed, {} error, {} failed rules without a fix to run",
            s.fixed,
            s.errors,
            s.without_fix
        );
    }
    Ok(())
}
