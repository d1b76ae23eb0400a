//! `scapc fix`: a bash script or an Ansible playbook with the fixes of a
//! profile's rules (the fixes are put together by `scapc-remediate`), and
//! the per-profile fixes `scapc build --fixes` writes beside a data stream;
//! the `scapc eval --remediate` step.

use clap::{Args, ValueEnum};
use scapc_eval::xccdf::content::Content;
use scapc_remediate::fix::{self, FixType, Origin, PlanOptions};
use scapc_remediate::image;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FixKind {
    /// one bash script (fix system urn:xccdf:fix:script:sh)
    Bash,
    /// one Ansible playbook (fix system urn:xccdf:fix:script:ansible)
    Ansible,
    /// one kickstart for installing a hardened system (urn:xccdf:fix:script:kickstart)
    Kickstart,
    /// one osbuild blueprint TOML for building a hardened image (urn:redhat:osbuild:blueprint)
    Blueprint,
    /// one script of dnf commands for a bootable container build (urn:xccdf:fix:script:bootc)
    Bootc,
    /// the anaconda commands of the fixes (urn:redhat:anaconda:pre)
    Anaconda,
}

impl FixKind {
    fn kind(self) -> FixType {
        match self {
            FixKind::Bash => FixType::Bash,
            FixKind::Ansible => FixType::Ansible,
            FixKind::Kickstart => FixType::Kickstart,
            FixKind::Blueprint => FixType::Blueprint,
            FixKind::Bootc => FixType::Bootc,
            FixKind::Anaconda => FixType::Anaconda,
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
    /// Which TestResult of the results (its id, or the end of one that no
    /// other id ends with; default: the last). Without --results, the
    /// TestResults of the DS file itself (a benchmark holding them)
    #[arg(long, value_name = "ID")]
    pub result_id: Option<String>,
    /// kickstart and blueprint: no header and no comments, only what the
    /// fixes ask for (bootc and anaconda have none)
    #[arg(long)]
    pub raw: bool,
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
    /// The tailoring file as named and its text (kickstart copies it).
    pub tailoring_file: Option<(String, String)>,
    pub raw: bool,
}

/// The script or playbook text, how many fixes it holds, and warnings
/// (fix lines left out).
pub fn generate(r: &Request<'_>) -> Result<(String, usize, Vec<String>), String> {
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
    let image = || image::ImageOrigin {
        benchmark_id: r.content.benchmark.id.clone(),
        benchmark_version: r.content.benchmark.version.clone(),
        xccdf_version: if r.content.benchmark.ns == scapc_eval::xccdf::NS_XCCDF_11 { "1.1" } else { "1.2" }.into(),
        input: r.source.display().to_string(),
        tailoring: r.tailoring_file.clone(),
        raw: r.raw,
    };
    let g = match r.kind {
        FixType::Bash | FixType::Script => {
            image::Generated { text: fix::bash_script(&plan, &origin), warnings: vec![] }
        }
        FixType::Ansible => image::Generated { text: fix::ansible_playbook(&plan, &origin), warnings: vec![] },
        FixType::Kickstart => image::kickstart(&plan, &image())?,
        FixType::Blueprint => image::blueprint(&plan, &image()),
        FixType::Bootc => image::bootc(&plan),
        FixType::Anaconda => image::anaconda(&plan),
    };
    Ok((g.text, plan.fixes.len(), g.warnings))
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
    if a.raw && matches!(a.fix_type, FixKind::Bash | FixKind::Ansible) {
        return crate::eval_cmd::usage(
            "--raw leaves out the header of a kickstart or blueprint; the bash script and the playbook keep theirs",
        );
    }
    // --result-id without --results: the TestResults of the input itself
    let results_file = a.results.clone().or_else(|| a.result_id.as_ref().map(|_| a.ds.clone()));
    if results_file.is_some() && a.fix_type == FixKind::Kickstart {
        return err(
            "a kickstart installs a new system from a profile; it cannot be made from a scan's results: drop --results and --result-id",
        );
    }
    let results = match &results_file {
        Some(p) => match fix::read_results_id(p, a.result_id.as_deref()) {
            Ok(r) => Some(r),
            Err(e) => return err(e),
        },
        None => None,
    };
    let tailoring_file = match &a.tailoring {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some((p.display().to_string(), t)),
            Err(e) => return err(format!("{}: {e}", p.display())),
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
        tailoring_file,
        raw: a.raw,
    };
    let (text, n, warnings) = match generate(&req) {
        Ok(t) => t,
        Err(e) => return err(format!("{}: {e}", a.ds.display())),
    };
    for w in warnings {
        warn!("{}: {w}; the line is left out from there", a.ds.display());
    }
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
            let req = Request {
                content: &content,
                source: ds,
                kind,
                profile: Some(&p.id),
                tailoring: &[],
                results: None,
                tailoring_file: None,
                raw: false,
            };
            let (text, _, _) = generate(&req).map_err(|e| format!("{}: {e}", ds.display()))?;
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
