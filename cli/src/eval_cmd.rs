//! `scapc eval`: scan a target with compiled content.

use clap::{Args, ValueEnum};
use scapc_eval::oval::engine::EngineOptions;
use scapc_eval::target::Target;
use scapc_eval::xccdf::content::{Content, Profile};
use scapc_eval::xccdf::run::{self, Scan, XResult};
use scapc_eval::{report, results};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EngineKind {
    /// scapc's own XCCDF, OVAL and SCE engine
    Native,
    /// delegate to oscap, oscap-chroot or oscap-ssh (must be installed)
    Oscap,
}

#[derive(Args)]
pub struct EvalArgs {
    /// The source data stream (or XCCDF 1.2 benchmark) to evaluate
    pub ds: PathBuf,
    /// Profile id (the full id, or the part after `_profile_`); `(all)`
    /// selects every rule. Default: the benchmark's own selection
    #[arg(long)]
    pub profile: Option<String>,
    /// Which benchmark of the data stream (default: the first)
    #[arg(long)]
    pub benchmark_id: Option<String>,
    /// Which data stream of the collection (default: the first)
    #[arg(long)]
    pub datastream_id: Option<String>,
    /// An XCCDF tailoring file whose profiles are searched first
    #[arg(long)]
    pub tailoring: Option<PathBuf>,
    /// What to scan: `local`, `dir:/path/to/rootfs` (an offline root
    /// filesystem) or `ssh://user@host[:port]`
    #[arg(long, default_value = "local")]
    pub target: String,
    /// Write ARF 1.1 results (TestResult, OVAL results with the collected
    /// items, the data stream and the asset)
    #[arg(long)]
    pub results_arf: Option<PathBuf>,
    /// Write the XCCDF TestResult
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Write a self-contained HTML report
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Output on stdout
    #[arg(long, value_enum, default_value = "text")]
    pub format: EvalFormat,
    /// Which engine evaluates
    #[arg(long, value_enum, default_value = "native")]
    pub engine: EngineKind,
    /// Run SCE script checks (they execute arbitrary code on this host)
    #[arg(long)]
    pub sce: bool,
    /// Run SCE script checks when the data stream carries a valid
    /// signature from this public key or certificate (PEM)
    #[arg(long, value_name = "PEM")]
    pub trust_key: Option<PathBuf>,
    /// Longest time one OVAL object's collection may take, in seconds
    #[arg(long, default_value_t = 120)]
    pub probe_timeout: u64,
    /// An ssh `-o` option for `ssh://` targets (repeatable), e.g.
    /// `IdentityFile=~/.ssh/scan` or `UserKnownHostsFile=known_hosts`
    #[arg(long, value_name = "OPTION")]
    pub ssh_option: Vec<String>,
    /// Print only the summary
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

fn err(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(1)
}

/// Writes a result file: atomically, and readable by its owner only (ARF
/// and reports may hold password hashes and other secrets of the target).
pub(crate) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    scapc_output::write_file(path, data, scapc_output::Mode::Private)
}

/// No output may be an input (the data stream, the tailoring, the key) or
/// another output.
fn check_outputs(a: &EvalArgs) -> Result<(), String> {
    let inputs: Vec<&Path> =
        [Some(&a.ds), a.tailoring.as_ref(), a.trust_key.as_ref()].into_iter().flatten().map(PathBuf::as_path).collect();
    let outputs: Vec<&Path> =
        [&a.results_arf, &a.results, &a.report].into_iter().flatten().map(PathBuf::as_path).collect();
    scapc_output::check_distinct(&inputs, &outputs)
}

pub fn run(a: EvalArgs) -> ExitCode {
    if let Err(msg) = check_outputs(&a) {
        return err(msg);
    }
    if a.engine == EngineKind::Oscap {
        return crate::eval_oscap::run(&a);
    }
    if let Some(rest) = a.target.strip_prefix("ssh://") {
        return crate::eval_ssh::run(&a, rest);
    }
    let target = match Target::parse(&a.target) {
        Ok(t) => t,
        Err(e) => return err(format!("--target: {e}")),
    };
    let t0 = Instant::now();
    let content = match Content::load(&a.ds, a.datastream_id.as_deref(), a.benchmark_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    let tailoring = match &a.tailoring {
        None => Vec::new(),
        Some(p) => match load_tailoring(p) {
            Ok(t) => t,
            Err(e) => return err(e),
        },
    };
    if let Some(p) = &a.profile {
        if p != "(all)" && run::find_profile_id(&content.benchmark, &tailoring, p).is_none() {
            let mut ids: Vec<&str> =
                tailoring.iter().chain(content.benchmark.profiles.iter()).map(|p| p.id.as_str()).collect();
            ids.sort();
            return err(format!(
                "no profile `{p}` in {}; the profiles are: {}, or `(all)`",
                a.ds.display(),
                ids.join(", ")
            ));
        }
    }
    let mut sce = a.sce;
    if !sce {
        if let Some(key) = &a.trust_key {
            match signature_trusted(&content.src, key) {
                Ok(()) => sce = true,
                Err(e) => {
                    if !a.quiet {
                        eprintln!("note: SCE checks will not run: {e}");
                    }
                }
            }
        }
    }
    let tty = std::io::stderr().is_terminal() && !a.quiet;
    let last = std::sync::Mutex::new(Instant::now() - Duration::from_secs(1));
    let progress = |done: usize, total: usize| {
        let mut l = last.lock().unwrap_or_else(|p| p.into_inner());
        if done == total || l.elapsed() > Duration::from_millis(100) {
            *l = Instant::now();
            eprint!("\r\x1b[Kevaluating rules: {done}/{total}");
            let _ = std::io::stderr().flush();
        }
    };
    let opts = run::Options {
        profile: a.profile.clone(),
        tailoring,
        target: &target,
        sce,
        engine: EngineOptions { probe_timeout: Duration::from_secs(a.probe_timeout.max(1)) },
        progress: if tty { Some(&progress) } else { None },
    };
    let scan = match run::evaluate(&content, &opts) {
        Ok(s) => s,
        Err(e) => return err(e),
    };
    if tty {
        eprint!("\r\x1b[K");
    }
    if let Err(code) = write_outputs(&a, &scan, &content) {
        return code;
    }
    print_summary(&a, &scan, &content, t0.elapsed());
    exit_for(&scan)
}

/// 0 when nothing failed, 2 when a rule failed or erred.
pub fn exit_for(scan: &Scan) -> ExitCode {
    if scan.rules.iter().any(|r| matches!(r.result, XResult::Fail | XResult::Error | XResult::Unknown)) {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn write_outputs(a: &EvalArgs, scan: &Scan, content: &Content) -> Result<(), ExitCode> {
    if let Some(p) = &a.results_arf {
        write_private(p, results::arf(scan, content).as_bytes()).map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    if let Some(p) = &a.results {
        let mut ids = std::collections::BTreeMap::new();
        for (i, o) in scan.oval.iter().enumerate() {
            ids.insert(o.component.clone(), format!("oval{i}"));
        }
        let xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", results::test_result(scan, content, &ids));
        write_private(p, xml.as_bytes()).map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    if let Some(p) = &a.report {
        write_private(p, report::html(&report::ReportData::from_scan(scan, content)).as_bytes())
            .map_err(|e| err(format!("{}: {e}", p.display())))?;
    }
    Ok(())
}

fn print_summary(a: &EvalArgs, scan: &Scan, content: &Content, elapsed: Duration) {
    let title =
        |id: &str| content.benchmark.rules.iter().find(|r| r.id == id).map(|r| r.title.clone()).unwrap_or_default();
    let score = scan.scores.first().map(|s| s.score).unwrap_or(0.0);
    match a.format {
        EvalFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> =
                XResult::ALL.iter().map(|r| (r.as_str().to_owned(), serde_json::json!(scan.count(*r)))).collect();
            let rules: Vec<serde_json::Value> = scan
                .rules
                .iter()
                .filter(|r| r.result != XResult::NotSelected)
                .map(|r| serde_json::json!({"id": r.id, "title": title(&r.id), "result": r.result.as_str(), "severity": r.severity, "messages": r.messages}))
                .collect();
            let v = serde_json::json!({
                "benchmark": scan.benchmark_id,
                "profile": scan.profile.as_ref().map(|p| p.0.clone()),
                "target": scan.target.describe(),
                "engine": "native",
                "counts": counts,
                "scores": scan.scores,
                "seconds": elapsed.as_secs_f64(),
                "rules": rules,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        EvalFormat::Text => {
            if !a.quiet {
                for r in scan.rules.iter().filter(|r| r.result != XResult::NotSelected) {
                    outln!("{:<13} {:<7} {}  {}", r.result.as_str(), r.severity, r.id, title(&r.id));
                }
                outln!();
            }
            let parts: Vec<String> = XResult::ALL
                .iter()
                .filter(|r| scan.count(**r) > 0 && **r != XResult::NotSelected)
                .map(|r| format!("{} {}", scan.count(*r), r.as_str()))
                .collect();
            outln!(
                "{} on {}: {} ({} rules evaluated), score {:.2}, in {:.2} s",
                scan.profile.as_ref().map_or_else(
                    || if a.profile.as_deref() == Some("(all)") {
                        "(all)".to_owned()
                    } else {
                        "default selection".to_owned()
                    },
                    |p| p.0.clone()
                ),
                scan.target.describe(),
                parts.join(", "),
                scan.rules.iter().filter(|r| r.result != XResult::NotSelected).count(),
                score,
                elapsed.as_secs_f64()
            );
        }
    }
}

/// Profiles of an XCCDF tailoring file.
fn load_tailoring(p: &Path) -> Result<Vec<Profile>, String> {
    let c = Content::load_tailoring(p)?;
    Ok(c)
}

/// Ok when every signature of the stream verifies against `key` and is trusted.
pub(crate) fn signature_trusted(src: &str, key: &Path) -> Result<(), String> {
    let pem = std::fs::read_to_string(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let anchor = scapc_xmldsig::keys::PublicKey::from_pem(&pem).map_err(|e| format!("{}: {e}", key.display()))?;
    let reports = scapc_xmldsig::dsig::verify(src, Some(&anchor)).map_err(|e| e.to_string())?;
    if !reports.is_empty() && reports.iter().all(|r| r.valid() && r.trusted == Some(true)) {
        Ok(())
    } else {
        Err("the data stream's signature does not verify against the trusted key".into())
    }
}
