//! `scapc eval --engine oscap`: delegate the scan to OpenSCAP (`oscap`,
//! `oscap-chroot` for `dir:` targets) and turn its ARF into the same
//! summary, ARF file and HTML report as the native engine.

use crate::eval_cmd::{EvalArgs, EvalFormat};
use scapc_compiler::build::write_atomic;
use scapc_eval::report::{self, ReportData, RuleView};
use scapc_eval::xccdf::content::Content;
use scapc_xml::tree::Tree;
use std::process::{Command, ExitCode};
use std::time::Instant;

const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";

fn err(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
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
    v.push("--results-arf".into());
    v.push(arf.into());
    v
}

pub fn run(a: &EvalArgs) -> ExitCode {
    let t0 = Instant::now();
    let content = match Content::load(&a.ds, a.datastream_id.as_deref(), a.benchmark_id.as_deref()) {
        Ok(c) => c,
        Err(e) => return err(e),
    };
    let tmp = match tempfile::tempdir() {
        Ok(t) => t,
        Err(e) => return err(format!("cannot create a temporary directory: {e}")),
    };
    let arf_path = tmp.path().join("arf.xml");
    let arf_s = arf_path.display().to_string();
    let mut cmd = if a.target == "local" {
        let mut c = Command::new("oscap");
        c.arg("xccdf").arg("eval");
        c
    } else if let Some(root) = a.target.strip_prefix("dir:") {
        let mut c = Command::new("oscap-chroot");
        c.arg(root).arg("xccdf").arg("eval");
        c
    } else {
        return err(format!("--engine oscap: unsupported target `{}`", a.target));
    };
    if a.sce {
        // oscap runs SCE checks whenever the content has them.
    }
    cmd.args(oscap_eval_args(a, &arf_s)).arg(&a.ds);
    cmd.stdout(std::process::Stdio::null());
    let status = match cmd.status() {
        Ok(s) => s,
        Err(e) => return err(format!("cannot run oscap ({e}); install it with `apt-get install openscap-scanner`")),
    };
    let code = status.code().unwrap_or(1);
    if code != 0 && code != 2 {
        return err(format!("oscap failed (exit code {code})"));
    }
    let arf = match std::fs::read_to_string(&arf_path) {
        Ok(s) => s,
        Err(e) => return err(format!("oscap wrote no ARF: {e}")),
    };
    let data = match from_arf(&arf, &content, &a.target) {
        Ok(d) => d,
        Err(e) => return err(e),
    };
    if let Some(p) = &a.results_arf {
        if let Err(e) = write_atomic(p, arf.as_bytes()) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    if let Some(p) = &a.results {
        if let Some(tr) = test_result_text(&arf) {
            if let Err(e) = write_atomic(p, format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{tr}\n").as_bytes()) {
                return err(format!("{}: {e}", p.display()));
            }
        }
    }
    if let Some(p) = &a.report {
        if let Err(e) = write_atomic(p, report::html(&data).as_bytes()) {
            return err(format!("{}: {e}", p.display()));
        }
    }
    print(a, &data, t0.elapsed().as_secs_f64());
    ExitCode::from(code as u8)
}

fn test_result_text(arf: &str) -> Option<String> {
    let start = arf.find("<TestResult").or_else(|| arf.find("<xccdf:TestResult"))?;
    let end_tag = if arf[start..].starts_with("<xccdf:") { "</xccdf:TestResult>" } else { "</TestResult>" };
    let end = arf[start..].find(end_tag)? + start + end_tag.len();
    Some(arf[start..end].to_owned())
}

/// The report data from an ARF's TestResult plus the benchmark's prose.
pub fn from_arf(arf: &str, content: &Content, target: &str) -> Result<ReportData, String> {
    let tree = Tree::parse(arf).map_err(|e| format!("oscap's ARF: {}:{}: {}", e.line, e.col, e.message))?;
    let tr = *tree.all(NS_XCCDF, "TestResult").first().ok_or("oscap's ARF has no TestResult")?;
    let mut d = ReportData {
        benchmark_title: content.benchmark.title.clone(),
        benchmark_id: content.benchmark.id.clone(),
        target: target.to_owned(),
        hostname: tree.child(tr, NS_XCCDF, "target").map(|t| tree.text(t).to_owned()).unwrap_or_default(),
        start: tree.attr(tr, "start-time").unwrap_or("").to_owned(),
        end: tree.attr(tr, "end-time").unwrap_or("").to_owned(),
        engine: format!("OpenSCAP ({})", tree.attr(tr, "test-system").unwrap_or("oscap")),
        score_max: 100.0,
        ..Default::default()
    };
    if let Some(p) = tree.child(tr, NS_XCCDF, "profile").and_then(|p| tree.attr(p, "idref")) {
        let title = content.benchmark.profiles.iter().find(|x| x.id == p).map(|x| x.title.clone()).unwrap_or_default();
        d.profile = Some((p.to_owned(), title));
    }
    if let Some(s) = tree.children_named(tr, NS_XCCDF, "score").next() {
        d.score = tree.text(s).trim().parse().unwrap_or(0.0);
        d.score_max = tree.attr(s, "maximum").and_then(|m| m.parse().ok()).unwrap_or(100.0);
    }
    for rr in tree.children_named(tr, NS_XCCDF, "rule-result") {
        let id = tree.attr(rr, "idref").unwrap_or("");
        let result = tree.child(rr, NS_XCCDF, "result").map(|r| tree.text(r).trim().to_owned()).unwrap_or_default();
        if result == "notselected" {
            continue;
        }
        let mut v = RuleView::from_content(content, id);
        v.result = result;
        if let Some(s) = tree.attr(rr, "severity") {
            v.severity = s.to_owned();
        }
        v.messages = tree.children_named(rr, NS_XCCDF, "message").map(|m| tree.text(m).to_owned()).collect();
        d.rules.push(v);
    }
    Ok(d)
}

fn print(a: &EvalArgs, d: &ReportData, secs: f64) {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for r in &d.rules {
        *counts.entry(r.result.as_str()).or_default() += 1;
    }
    match a.format {
        EvalFormat::Json => {
            let rules: Vec<serde_json::Value> = d.rules.iter().map(|r| serde_json::json!({"id": r.id, "title": r.title, "result": r.result, "severity": r.severity})).collect();
            let v = serde_json::json!({
                "benchmark": d.benchmark_id,
                "profile": d.profile.as_ref().map(|p| p.0.clone()),
                "target": d.target,
                "engine": "oscap",
                "counts": counts,
                "scores": [{"system": "urn:xccdf:scoring:default", "score": d.score, "maximum": d.score_max}],
                "seconds": secs,
                "rules": rules,
            });
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        EvalFormat::Text => {
            if !a.quiet {
                for r in &d.rules {
                    println!("{:<13} {:<7} {}  {}", r.result, r.severity, r.id, r.title);
                }
                println!();
            }
            let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{v} {k}")).collect();
            println!(
                "{} on {} (oscap): {}, score {:.2}, in {:.2} s",
                d.profile.as_ref().map_or("default selection".to_owned(), |p| p.0.clone()),
                d.target,
                parts.join(", "),
                d.score,
                secs
            );
        }
    }
}
