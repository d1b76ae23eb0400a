//! `scapc eval --engine oscap`: delegate the scan to OpenSCAP (`oscap`,
//! `oscap-chroot` for `dir:` targets, `oscap-ssh` for `ssh://` targets)
//! and turn its ARF into the same summary, ARF file and HTML report as the
//! native engine.

use crate::eval_cmd::{EvalArgs, EvalFormat};
use scapc_eval::xccdf::content::{CheckSpec, Content};
use scapc_eval::xccdf::run::XResult;
use scapc_eval::xccdf::SYS_SCE;
use scapc_html::Results;
use scapc_xml::tree::Tree;
use std::process::{Command, ExitCode};
use std::time::Instant;

const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";

fn err(msg: impl std::fmt::Display) -> ExitCode {
    errln!("error: {msg}");
    ExitCode::from(1)
}

/// The oscap arguments after `xccdf eval`, without the data stream.
pub fn oscap_eval_args(a: &EvalArgs, arf: &str) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(p) = &a.profile {
        v.push("--profile".into());
        v.push(p.clone());
    }
    if let Some(b) = &a.benchmark_id {
        v.push("--benchmark-id".into());
        v.push(b.clone());
    }
    if let Some(d) = &a.datastream_id {
        v.push("--datastream-id".into());
        v.push(d.clone());
    }
    if let Some(t) = &a.tailoring {
        v.push("--tailoring-file".into());
        v.push(t.display().to_string());
    }
    if a.skip_signature_validation {
        v.push("--skip-signature-validation".into());
    }
    for (flag, val) in [("--tailoring-id", &a.tailoring_id)] {
        if let Some(x) = val {
            v.push(flag.into());
            v.push(x.clone());
        }
    }
    for c in &a.cpe {
        v.push("--cpe".into());
        v.push(c.display().to_string());
    }
    for (flag, ids) in [("--rule", &a.rule), ("--skip-rule", &a.skip_rule)] {
        for id in ids {
            v.push(flag.into());
            v.push(id.clone());
        }
    }
    if let Some(d) = &a.local_files {
        v.push("--local-files".into());
        v.push(d.display().to_string());
    }
    if a.fetch_remote_resources {
        v.push("--fetch-remote-resources".into());
    }
    if a.stig_viewer.is_some() {
        v.push("--stig-viewer".into());
        v.push(beside(arf, "stig-viewer.xml"));
    }
    if a.remediate {
        v.push("--remediate".into());
    }
    v.push("--results-arf".into());
    v.push(arf.into());
    // oscap's own --results document (the benchmark with the TestResult),
    // beside the ARF
    if a.results.is_some() {
        v.push("--results".into());
        v.push(results_beside(arf));
    }
    v
}

/// Where oscap writes its `--results` document: beside the ARF.
fn results_beside(arf: &str) -> String {
    beside(arf, "results.xml")
}

fn beside(arf: &str, name: &str) -> String {
    std::path::Path::new(arf).with_file_name(name).display().to_string()
}

/// The options of `scapc eval` that `--engine oscap` cannot pass on:
/// oscap has no equivalent (`--reference` is not in oscap 1.3.7,
/// `--probe-timeout` and `--ssh-option` off ssh are scapc's own), or
/// oscap writes them where scapc cannot collect them (`--oval-results`
/// and `--export-variables` into its working directory, `--stig-viewer`
/// through oscap-ssh). A usage error names them.
pub fn not_passed(a: &EvalArgs) -> Vec<&'static str> {
    let ssh = a.target.starts_with("ssh://");
    [
        (a.reference.is_some(), "--reference"),
        (a.oval_results.is_some(), "--oval-results"),
        (a.export_variables, "--export-variables"),
        (ssh && a.stig_viewer.is_some(), "--stig-viewer (through oscap-ssh)"),
        (a.variables.is_some() || !a.id.is_empty() || a.oval_id.is_some(), "--variables/--id/--oval-id"),
    ]
    .into_iter()
    .filter_map(|(given, name)| given.then_some(name))
    .collect()
}

pub fn run(a: &EvalArgs) -> ExitCode {
    let t0 = Instant::now();
    let content = match Content::load(&a.ds, a.datastream_id.as_deref(), a.benchmark_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    let signatures =
        match crate::eval_cmd::verify_signatures(a, &content.src, content.stream.is_some(), Some(&content.stream_id)) {
            Ok(v) => v,
            Err(e) => return err(e),
        };
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => return err(format!("cannot create a temporary directory: {e}")),
    };
    let arf_path = tmp.path().join("arf.xml");
    let arf_s = arf_path.display().to_string();
    let (tool, mut cmd) = if a.target == "local" {
        let mut c = Command::new("oscap");
        c.arg("xccdf").arg("eval");
        ("oscap", c)
    } else if let Some(root) = a.target.strip_prefix("dir:") {
        let mut c = Command::new("oscap-chroot");
        c.arg(root).arg("xccdf").arg("eval");
        ("oscap-chroot", c)
    } else if let Some(spec) = a.target.strip_prefix("ssh://") {
        let (dest, port) = match ssh_destination(spec) {
            Ok(d) => d,
            Err(e) => return err(e),
        };
        let mut c = Command::new("oscap-ssh");
        c.arg(dest).arg(port).arg("xccdf").arg("eval");
        // oscap-ssh passes these to every ssh and scp it runs, split at
        // spaces.
        if let Some(o) = a.ssh_option.iter().find(|o| o.contains(char::is_whitespace)) {
            return err(format!(
                "--ssh-option `{o}`: oscap-ssh splits its ssh options at spaces, so an option cannot contain one"
            ));
        }
        let opts: Vec<String> = a.ssh_option.iter().map(|o| format!("-o {o}")).collect();
        if !opts.is_empty() {
            c.env("SSH_ADDITIONAL_OPTIONS", opts.join(" "));
        }
        ("oscap-ssh", c)
    } else {
        return err(format!(
            "--engine oscap: unsupported target `{}`; use local, dir:ROOT or ssh://user@host[:port]",
            a.target
        ));
    };
    // oscap runs every SCE check the content has, with no switch to turn
    // them off; SCE scripts are arbitrary code, so that needs `--sce`.
    if !a.sce && has_sce(&content) {
        let trusted = match &a.trust_key {
            Some(_) => crate::eval_cmd::sce_trusted(&content, signatures.as_ref())
                .map_err(|e| format!(" (--trusted-key: {e})")),
            None => Err(String::new()),
        };
        if let Err(why) = trusted {
            return err(format!(
                "{} has SCE checks, which oscap would run (they are arbitrary scripts){why}; pass --sce to allow that, or use the native engine, which skips them",
                a.ds.display()
            ));
        }
    }
    cmd.args(oscap_eval_args(a, &arf_s)).arg(&a.ds);
    // oscap's own per-rule lines are the progress on a terminal; stdout
    // stays for the summary (and clean for --format json).
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) && !a.quiet {
        cmd.stdout(std::io::stderr());
    } else {
        cmd.stdout(std::process::Stdio::null());
    }
    let status = match cmd.status() {
        Ok(s) => s,
        Err(e) => {
            let pkg = if tool == "oscap-ssh" { "openscap-utils" } else { "openscap-scanner" };
            return err(format!("cannot run {tool} ({e}); install it with `apt-get install {pkg}`"));
        }
    };
    let code = status.code().unwrap_or(1);
    if code != 0 && code != 2 {
        return err(format!("{tool} failed (exit code {code})"));
    }
    let arf = match std::fs::read_to_string(&arf_path) {
        Ok(s) => s,
        Err(e) => return err(format!("oscap wrote no ARF: {e}")),
    };
    let data = match from_arf(&arf, &a.target) {
        Ok(d) => d,
        Err(e) => return err(e),
    };
    if let Some(p) = &a.results_arf {
        if let Err(e) = crate::eval_cmd::write_private(p, arf.as_bytes()) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    if let Some(p) = &a.results {
        // oscap's --results document, else the TestResult from its ARF
        if let Ok(doc) = std::fs::read(results_beside(&arf_s)) {
            if let Err(e) = crate::eval_cmd::write_private(p, &doc) {
                return err(format!("{}: {e}", p.display()));
            }
        } else if let Some(tr) = test_result_text(&arf) {
            if let Err(e) = crate::eval_cmd::write_private(
                p,
                format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{tr}\n").as_bytes(),
            ) {
                return err(format!("{}: {e}", p.display()));
            }
        }
    }
    if let Some(p) = &a.stig_viewer {
        let doc = match std::fs::read(beside(&arf_s, "stig-viewer.xml")) {
            Ok(d) => d,
            Err(e) => return err(format!("oscap wrote no --stig-viewer document: {e}")),
        };
        if let Err(e) = crate::eval_cmd::write_private(p, &doc) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    if let Some(p) = &a.report {
        let tailoring = match &a.tailoring {
            Some(t) => match Content::load_tailoring(t) {
                Ok(p) => p,
                Err(e) => return err(e),
            },
            None => Vec::new(),
        };
        let html = match scapc_html::report(&content, &tailoring, &data) {
            Ok(h) => h,
            Err(e) => return err(e),
        };
        if let Err(e) = crate::eval_cmd::write_private(p, html.as_bytes()) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    print(a, &data, &content, &arf, t0.elapsed().as_secs_f64());
    ExitCode::from(code as u8)
}

/// `user@host[:port]` → (`user@host`, port), port 22 by default.
fn ssh_destination(spec: &str) -> Result<(String, String), String> {
    let spec = spec.trim_end_matches('/');
    let (dest, port) = match spec.rsplit_once(':') {
        Some((d, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => (d, p),
        _ => (spec, "22"),
    };
    if dest.is_empty() || dest.starts_with('-') || dest.contains(char::is_whitespace) {
        return Err(format!("--target ssh://{spec}: give user@host[:port]"));
    }
    Ok((dest.to_owned(), port.to_owned()))
}

/// Whether any rule has an SCE check (in any alternative or complex check).
fn has_sce(content: &Content) -> bool {
    fn walk(c: &CheckSpec) -> bool {
        match c {
            CheckSpec::Checks(v) => v.iter().any(|c| c.system == SYS_SCE),
            CheckSpec::Complex { children, .. } => children.iter().any(walk),
        }
    }
    content.benchmark.rules.iter().filter_map(|r| r.check.as_ref()).any(walk)
}

fn test_result_text(arf: &str) -> Option<String> {
    let start = arf.find("<TestResult").or_else(|| arf.find("<xccdf:TestResult"))?;
    let end_tag = if arf[start..].starts_with("<xccdf:") { "</xccdf:TestResult>" } else { "</TestResult>" };
    let end = arf[start..].find(end_tag)? + start + end_tag.len();
    Some(arf[start..end].to_owned())
}

/// The results of oscap's ARF (its TestResult), for the summary and the
/// report.
pub fn from_arf(arf: &str, target: &str) -> Result<Results, String> {
    let tree = Tree::parse(arf).map_err(|e| format!("oscap's ARF: {}:{}: {}", e.line, e.col, e.message))?;
    let tr = *tree.all(NS_XCCDF, "TestResult").first().ok_or("oscap's ARF has no TestResult")?;
    let mut r = scapc_html::arf::results(&tree, tr);
    r.target = target.to_owned();
    Ok(r)
}

/// Prints the summary in the native engine's shapes (text and JSON), with
/// `"engine": "oscap"`. `arf` gives the scores and the not-selected count.
fn print(a: &EvalArgs, d: &Results, content: &Content, arf: &str, secs: f64) {
    // the rules in benchmark order, with their titles
    let rules: Vec<(&str, &str, &str, &str, &[String])> = content
        .benchmark
        .rules
        .iter()
        .filter_map(|r| {
            let o = d.rules.get(&r.id)?;
            Some((
                r.id.as_str(),
                r.title.as_str(),
                o.result.as_str(),
                o.severity.as_deref().unwrap_or(r.severity.as_str()),
                o.messages.as_slice(),
            ))
        })
        .collect();
    let score = d.scores.first().map_or(0.0, |s| s.1);
    let tree = Tree::parse(arf).ok();
    let mut scores = Vec::new();
    let mut notselected = 0;
    if let Some(t) = &tree {
        if let Some(&tr) = t.all(NS_XCCDF, "TestResult").first() {
            for s in t.children_named(tr, NS_XCCDF, "score") {
                scores.push(serde_json::json!({
                    "system": t.attr(s, "system").unwrap_or("urn:xccdf:scoring:default"),
                    "score": t.text(s).trim().parse::<f64>().unwrap_or(0.0),
                    "maximum": t.attr(s, "maximum").and_then(|m| m.parse::<f64>().ok()).unwrap_or(100.0),
                }));
            }
            notselected = t
                .children_named(tr, NS_XCCDF, "rule-result")
                .filter(|&rr| {
                    t.child(rr, NS_XCCDF, "result").map(|r| t.text(r).trim() == "notselected").unwrap_or(false)
                })
                .count();
        }
    }
    let count = |r: XResult| {
        if r == XResult::NotSelected {
            notselected
        } else {
            d.rules.values().filter(|x| x.result == r.as_str()).count()
        }
    };
    let profile = d.profile.clone().unwrap_or_else(|| {
        if a.profile.as_deref() == Some("(all)") {
            "(all)".to_owned()
        } else {
            "default selection".to_owned()
        }
    });
    match a.format {
        EvalFormat::Sarif | EvalFormat::Junit | EvalFormat::Github => {
            let file_text = content.standalone.as_ref().and_then(|_| std::fs::read_to_string(&a.ds).ok());
            let rows: Vec<crate::eval_cmd::RuleRow> = rules
                .iter()
                .map(|&(id, title, result, severity, messages)| {
                    let rule = content.benchmark.rules.iter().find(|r| r.id == id);
                    let node = rule.map(|r| r.node);
                    crate::eval_cmd::RuleRow {
                        id,
                        title: title.to_owned(),
                        result,
                        severity,
                        messages,
                        at: rule.and_then(|r| crate::eval_cmd::rule_position(content, file_text.as_deref(), r)),
                        description: node.map(|n| crate::eval_cmd::rule_description(content, n)).unwrap_or_default(),
                    }
                })
                .collect();
            if let Some(doc) = crate::eval_cmd::render_rules(a.format, &a.ds, &content.benchmark.id, &profile, &rows) {
                out!("{doc}");
            }
        }
        EvalFormat::Json => {
            let counts: serde_json::Map<String, serde_json::Value> =
                XResult::ALL.iter().map(|r| (r.as_str().to_owned(), serde_json::json!(count(*r)))).collect();
            let rules: Vec<serde_json::Value> = rules
                .iter()
                .map(|(id, title, result, severity, messages)| serde_json::json!({"id": id, "title": title, "result": result, "severity": severity, "messages": messages}))
                .collect();
            let v = serde_json::json!({
                "benchmark": content.benchmark.id,
                "profile": d.profile,
                "target": d.target,
                "engine": "oscap",
                "counts": counts,
                "scores": scores,
                "seconds": secs,
                "rules": rules,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        EvalFormat::Text => {
            if !a.quiet {
                for (id, title, result, severity, _) in &rules {
                    outln!("{:<13} {:<7} {}  {}", result, severity, id, title);
                }
                outln!();
            }
            let parts: Vec<String> = XResult::ALL
                .iter()
                .filter(|r| **r != XResult::NotSelected && count(**r) > 0)
                .map(|r| format!("{} {}", count(*r), r.as_str()))
                .collect();
            outln!(
                "{profile} on {} (oscap): {} ({} rules evaluated), score {:.2}, in {:.2} s",
                d.target,
                parts.join(", "),
                d.rules.len(),
                score,
                secs
            );
        }
    }
}
