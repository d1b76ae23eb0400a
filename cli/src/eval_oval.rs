//! `scapc eval DEFS.xml`: an OVAL definitions document (plain, gzip or
//! bzip2) evaluated alone, as `oscap oval eval` does: `--variables` gives
//! the external variables, `--id` picks definitions, `--results` writes
//! the OVAL results with system characteristics, and stdout has one line
//! per definition (or JSON). Exit code 0 when every definition was
//! evaluated (whatever its result: true is good news for a compliance
//! definition and bad news for a vulnerability one), 1 on an error.

use crate::eval_cmd::{err, write_private, EvalArgs, EvalFormat};
use scapc_eval::oval::engine::EngineOptions;
use scapc_eval::oval::standalone;
use scapc_eval::target::Target;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// `Some(exit code)` when `a.ds` is an OVAL definitions document (it has
/// then been evaluated); `None` for XCCDF content. XCCDF-only options
/// given with OVAL content, and OVAL-only options with XCCDF content, are
/// errors.
pub fn run_if_oval(a: &EvalArgs) -> Option<ExitCode> {
    // Not readable here: the XCCDF path reports it. A plain file is
    // recognised from its first bytes; only an OVAL (or compressed) one is
    // read whole here.
    let head = head(&a.ds)?;
    let compressed = head.starts_with(&[0x1f, 0x8b]) || head.starts_with(b"BZh");
    let head_text = String::from_utf8_lossy(&head);
    let mut from_stream = false;
    let text = if !compressed && !standalone::is_oval_definitions(&head_text) {
        // a data stream is read whole here only when it may be OVAL-only:
        // `--oval-id`, or no checklist among its first component-refs
        let maybe =
            head_text.contains("data-stream-collection") && (a.oval_id.is_some() || !head_text.contains("checklists"));
        match oval_of_stream(a, maybe) {
            Ok(Some(t)) => {
                from_stream = true;
                t
            }
            Ok(None) => return None,
            Err(code) => return Some(code),
        }
    } else {
        match standalone::read_text(&a.ds) {
            Ok(t) if standalone::is_oval_definitions(&t) => t,
            Ok(_) => return not_oval(a),
            Err(e) => return Some(err(e)),
        }
    };
    let xccdf_only: Vec<&str> = [
        (a.profile.is_some(), "--profile"),
        (a.tailoring.is_some(), "--tailoring"),
        (a.results_arf.is_some(), "--results-arf"),
        (a.report.is_some(), "--report"),
        (a.stig_viewer.is_some(), "--stig-viewer"),
        (a.reference.is_some(), "--reference"),
        (!a.rule.is_empty(), "--rule"),
        (!a.skip_rule.is_empty(), "--skip-rule"),
        (a.benchmark_id.is_some(), "--benchmark-id"),
        (a.datastream_id.is_some() && !from_stream, "--datastream-id"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect();
    if !xccdf_only.is_empty() {
        return Some(err(format!(
            "{}: an OVAL definitions document has no XCCDF benchmark, so {} cannot apply",
            a.ds.display(),
            xccdf_only.join(", ")
        )));
    }
    if a.target.starts_with("ssh://") {
        return Some(err("OVAL-only evaluation runs on `local` or `dir:` targets"));
    }
    if a.engine == crate::eval_cmd::EngineKind::Oscap {
        errln!(
            "error: --engine oscap: an OVAL-only evaluation runs on the native engine (use `oscap oval eval` itself)"
        );
        return Some(ExitCode::from(crate::EXIT_USAGE));
    }
    if !matches!(a.format, EvalFormat::Text | EvalFormat::Json) {
        errln!(
            "error: --format {}: an OVAL-only evaluation has definitions, not rules that pass or fail; use text or json",
            a.format.name()
        );
        return Some(ExitCode::from(crate::EXIT_USAGE));
    }
    if crate::eval_cmd::results_into_input(a) {
        return Some(err(format!(
            "the output {} is the input {}: writing it would destroy the OVAL definitions; choose another output path",
            a.results.as_deref().unwrap_or(a.ds.as_path()).display(),
            a.ds.display()
        )));
    }
    Some(run(a, &text))
}

/// XCCDF content: OVAL-only options are errors.
fn not_oval(a: &EvalArgs) -> Option<ExitCode> {
    if a.variables.is_some() || !a.id.is_empty() || a.oval_id.is_some() {
        return Some(err(format!(
            "{}: --variables, --id and --oval-id apply to OVAL definitions (a document, or a data stream's OVAL component); this is XCCDF content",
            a.ds.display()
        )));
    }
    None
}

/// The OVAL definitions of a data stream evaluated alone: the component
/// `--oval-id` names, or the first OVAL component of a stream that has no
/// XCCDF checklist. `Ok(None)`: XCCDF content.
fn oval_of_stream(a: &EvalArgs, is_stream: bool) -> Result<Option<String>, ExitCode> {
    if !is_stream {
        return not_oval(a).map_or(Ok(None), Err);
    }
    let text = std::fs::read_to_string(&a.ds).map_err(|e| err(format!("{}: {e}", a.ds.display())))?;
    match standalone::oval_from_datastream(&a.ds, &text, a.datastream_id.as_deref(), a.oval_id.as_deref()) {
        Ok(Some(t)) => Ok(Some(t)),
        Ok(None) => not_oval(a).map_or(Ok(None), Err),
        Err(e) => Err(err(e)),
    }
}

/// The first 64 KiB of a file.
fn head(p: &std::path::Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(p).ok()?.take(64 << 10).read_to_end(&mut buf).ok()?;
    Some(buf)
}

fn run(a: &EvalArgs, text: &str) -> ExitCode {
    let target = match Target::parse(&a.target) {
        Ok(t) => t,
        Err(e) => return err(format!("--target: {e}")),
    };
    let externals = match &a.variables {
        None => Default::default(),
        Some(p) => match standalone::read_variables(p) {
            Ok(v) => v,
            Err(e) => return err(e),
        },
    };
    let t0 = Instant::now();
    let opts = EngineOptions { probe_timeout: Duration::from_secs(a.probe_timeout.max(1)) };
    let run = match standalone::evaluate(&a.ds, text, externals, &a.id, &target, opts) {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    if let Some(p) = &a.results {
        if let Err(e) = write_private(p, run.results_xml.as_bytes()) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in &run.definitions {
        *counts.entry(d.result).or_default() += 1;
    }
    match a.format {
        EvalFormat::Json => {
            let v = serde_json::json!({
                "definitions_file": a.ds.display().to_string(),
                "target": target.describe(),
                "counts": counts,
                "seconds": t0.elapsed().as_secs_f64(),
                "definitions": run.definitions,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        EvalFormat::Text | EvalFormat::Sarif | EvalFormat::Junit | EvalFormat::Github => {
            if !a.quiet {
                for d in &run.definitions {
                    outln!("{:<15} {:<13} {}  {}", d.result, d.class, d.id, d.title);
                }
                outln!();
            }
            let parts: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
            outln!(
                "{} on {}: {} ({} definitions), in {:.2} s",
                a.ds.display(),
                target.describe(),
                parts.join(", "),
                run.definitions.len(),
                t0.elapsed().as_secs_f64()
            );
        }
    }
    if run.definitions.is_empty() {
        warn!("{} holds no definition; nothing was evaluated", a.ds.display());
    }
    ExitCode::SUCCESS
}
