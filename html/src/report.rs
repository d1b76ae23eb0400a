//! The report: everything the guide shows for the scanned profile, plus
//! the results. Results come from a `scapc eval` scan ([`Results::from_scan`],
//! with the OVAL evidence) or from any ARF's XCCDF TestResult
//! ([`crate::arf::load_arf`]: scapc's or oscap's). The summary has the score of each
//! scoring model, a bar of results and bars of failures by severity, the
//! target's facts (host name, addresses, CPE platforms matched), and says
//! plainly when nothing applied and why.

use crate::guide::header;
use crate::model::{self, esc, Reader};
use crate::page::{self, Frame, Outcome, RESULTS, SEVERITIES};
use scapc_eval::results::timestamp;
use scapc_eval::xccdf::content::{Content, Profile};
use scapc_eval::xccdf::run::{Scan, XResult};
use scapc_eval::xccdf::NS_XCCDF;
use scapc_xml::tree::{NodeId, Tree};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The results of one scan, from either engine.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub engine: String,
    /// How the target was reached (`local`, `dir:/mnt`, an ARF's target).
    pub target: String,
    pub hostname: String,
    pub addresses: Vec<String>,
    pub macs: Vec<String>,
    /// Who ran the scan (the TestResult's `identity`).
    pub identity: String,
    pub start: String,
    pub end: String,
    pub profile: Option<String>,
    /// `(all)` was scanned.
    pub all_rules: bool,
    /// (scoring model, score, maximum).
    pub scores: Vec<(String, f64, f64)>,
    /// CPE platforms of the benchmark the target matched.
    pub platforms: Vec<String>,
    /// Values used, (id, value).
    pub values: Vec<(String, String)>,
    pub rules: BTreeMap<String, Outcome>,
}

impl Results {
    /// From a native scan (with the OVAL evidence of each rule).
    pub fn from_scan(scan: &Scan) -> Results {
        let mut r = Results {
            engine: "scapc (native)".into(),
            target: scan.target.describe(),
            hostname: scan.hostname.clone(),
            addresses: scan.addresses.iter().map(|a| a.to_string()).collect(),
            macs: scan.macs.clone(),
            identity: String::new(),
            start: timestamp(scan.start),
            end: timestamp(scan.end),
            profile: scan.profile.as_ref().map(|p| p.0.clone()),
            all_rules: scan.all_rules,
            scores: scan.scores.iter().map(|s| (s.system.clone(), s.score, s.maximum)).collect(),
            platforms: scan.platforms.clone(),
            values: scan.values.clone(),
            rules: BTreeMap::new(),
        };
        for x in scan.rules.iter().filter(|x| x.result != XResult::NotSelected) {
            let mut messages = x.messages.clone();
            if let Some(o) = &x.sce_output {
                messages.push(format!("SCE output:\n{o}"));
            }
            r.rules.insert(
                x.id.clone(),
                Outcome {
                    result: x.result.as_str().into(),
                    severity: Some(x.severity.clone()),
                    messages,
                    evidence: x.evidence.clone(),
                },
            );
        }
        r
    }

    /// From the XCCDF TestResult element `tr` of a parsed document.
    pub fn from_test_result(tree: &Tree, tr: NodeId) -> Results {
        let text = |n: NodeId| tree.text(n).trim().to_owned();
        let kids = |local: &'static str| tree.children_named(tr, NS_XCCDF, local);
        let test_system = tree.attr(tr, "test-system").unwrap_or("");
        let mut r = Results {
            engine: if test_system.contains("openscap") {
                format!("OpenSCAP ({test_system})")
            } else if test_system.is_empty() {
                "unknown".into()
            } else {
                test_system.to_owned()
            },
            hostname: kids("target").next().map(text).unwrap_or_default(),
            addresses: kids("target-address").map(text).collect(),
            identity: kids("identity").next().map(text).unwrap_or_default(),
            start: tree.attr(tr, "start-time").unwrap_or("").to_owned(),
            end: tree.attr(tr, "end-time").unwrap_or("").to_owned(),
            profile: kids("profile").next().and_then(|p| tree.attr(p, "idref")).map(str::to_owned),
            platforms: kids("platform").filter_map(|p| tree.attr(p, "idref")).map(str::to_owned).collect(),
            values: kids("set-value").map(|v| (tree.attr(v, "idref").unwrap_or("").to_owned(), text(v))).collect(),
            ..Default::default()
        };
        r.target = r.hostname.clone();
        if let Some(f) = kids("target-facts").next() {
            for fact in tree.children_named(f, NS_XCCDF, "fact") {
                if tree.attr(fact, "name") == Some("urn:xccdf:fact:ethernet:MAC") {
                    let m = text(fact);
                    if !r.macs.contains(&m) {
                        r.macs.push(m);
                    }
                }
            }
        }
        for s in kids("score") {
            r.scores.push((
                tree.attr(s, "system").unwrap_or("urn:xccdf:scoring:default").to_owned(),
                text(s).parse().unwrap_or(0.0),
                tree.attr(s, "maximum").and_then(|m| m.parse().ok()).unwrap_or(100.0),
            ));
        }
        for rr in kids("rule-result") {
            let result = tree.child(rr, NS_XCCDF, "result").map(text).unwrap_or_default();
            if result == "notselected" {
                continue;
            }
            r.rules.insert(
                tree.attr(rr, "idref").unwrap_or("").to_owned(),
                Outcome {
                    result,
                    severity: tree.attr(rr, "severity").map(str::to_owned),
                    messages: tree.children_named(rr, NS_XCCDF, "message").map(text).collect(),
                    evidence: Vec::new(),
                },
            );
        }
        r
    }
}

/// The report page.
pub fn report(content: &Content, tailoring: &[Profile], res: &Results) -> Result<String, String> {
    let profile = if res.all_rules { Some("(all)") } else { res.profile.as_deref() };
    // A profile the content does not have (a tailoring not given) still
    // gets a report: the rules come from the results.
    let mut sel = model::select(content, tailoring, profile).or_else(|e| {
        if profile.is_some() {
            model::select(content, tailoring, None).map(|mut s| {
                s.profile = profile.map(|p| (p.to_owned(), "(profile not in the benchmark)".into(), esc(&e)));
                s
            })
        } else {
            Err(e)
        }
    })?;
    for (id, v) in &res.values {
        sel.values.insert(id.clone(), v.clone());
    }
    let items = model::item_tree(content, &|id| res.rules.contains_key(id));
    let reader = Reader::new(content, &sel);
    let mut head = header(&reader, &sel, &items, "Scan report");
    summary(&mut head, content, res);
    let frame = Frame {
        kind: "report",
        title: format!("Report: {} on {}", content.benchmark.title, res.hostname),
        head,
        outcomes: &res.rules,
    };
    Ok(page::page(&frame, &reader, &items))
}

fn color(result: &str) -> &'static str {
    match result {
        "pass" => "#2f9e44",
        "fail" => "#c92a2a",
        "error" => "#e67700",
        "unknown" => "#7048e8",
        "fixed" => "#1971c2",
        _ => "#868e96",
    }
}

fn summary(o: &mut String, content: &Content, res: &Results) {
    let count = |r: &str| res.rules.values().filter(|x| x.result == r).count();
    let total = res.rules.len();
    o.push_str("<section class=\"summary\"><div class=\"cards\">");
    // results
    o.push_str("<div class=\"card\" id=\"results\"><h2>Results</h2>");
    if total > 0 {
        o.push_str("<div class=\"stack bars\" role=\"img\" aria-label=\"rules by result\">");
        for r in RESULTS {
            let n = count(r);
            if n > 0 {
                let _ = write!(
                    o,
                    "<span class=\"seg r-{r}\" style=\"width:{:.3}%;background:{}\" title=\"{n} {r}\"></span>",
                    n as f64 * 100.0 / total as f64,
                    color(r)
                );
            }
        }
        o.push_str("</div><div class=\"legend\">");
        for r in RESULTS {
            let n = count(r);
            if n > 0 {
                let _ = write!(
                    o,
                    "<span data-count=\"{r}\"><i style=\"background:{}\"></i><b>{n}</b> {r}</span>",
                    color(r)
                );
            }
        }
        o.push_str("</div>");
    }
    let _ = write!(o, "<p>{total} rules selected.</p></div>");
    // failures by severity
    let failed: Vec<&Outcome> = res.rules.values().filter(|x| matches!(x.result.as_str(), "fail" | "error")).collect();
    o.push_str("<div class=\"card\" id=\"severity\"><h2>Failed and erred rules by severity</h2><div class=\"bars\">");
    let sev_of = |x: &Outcome, id: &str| {
        x.severity
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| content.benchmark.rules.iter().find(|r| r.id == id).map(|r| r.severity.clone()))
            .unwrap_or_else(|| "unknown".into())
    };
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for (id, x) in res.rules.iter().filter(|(_, x)| matches!(x.result.as_str(), "fail" | "error")) {
        *by.entry(sev_of(x, id)).or_default() += 1;
    }
    let max = by.values().copied().max().unwrap_or(0).max(1);
    for s in SEVERITIES {
        let n = by.get(s).copied().unwrap_or(0);
        if n == 0 && matches!(s, "info" | "unknown") {
            continue;
        }
        let _ = write!(
            o,
            "<div class=\"row\"><span>{s}</span><div class=\"track\"><div class=\"fill f-{s}\" style=\"width:{:.1}%\"></div></div><b>{n}</b></div>",
            n as f64 * 100.0 / max as f64
        );
    }
    if failed.is_empty() {
        o.push_str("<p>No rule failed.</p>");
    }
    o.push_str("</div></div>");
    // scores
    o.push_str("<div class=\"card\" id=\"scores\"><h2>Score</h2>");
    if res.scores.is_empty() {
        o.push_str("<p>The results carry no score.</p>");
    }
    for (sys, score, max) in &res.scores {
        let name = sys.strip_prefix("urn:xccdf:scoring:").unwrap_or(sys);
        let pct = if *max > 0.0 { score / max * 100.0 } else { 0.0 };
        let _ = write!(
            o,
            "<div class=\"bars\"><div class=\"row\"><span>{}</span><div class=\"track\"><div class=\"fill\" style=\"width:{pct:.1}%;background:#2f9e44\"></div></div><b>{:.0}%</b></div></div><p class=\"score\">{score:.2} <small>of {max:.2} ({} model)</small></p>",
            esc(name),
            pct,
            esc(name)
        );
    }
    let checked = count("pass") + count("fail");
    if checked == 0 && !res.scores.is_empty() {
        o.push_str("<p><small>No rule passed or failed, so the score measures nothing.</small></p>");
    }
    o.push_str("</div>");
    // target
    o.push_str("<div class=\"card\" id=\"target\"><h2>Target</h2><table class=\"facts\">");
    let row = |o: &mut String, k: &str, v: &str| {
        if !v.is_empty() {
            let _ = write!(o, "<tr><th>{k}</th><td>{}</td></tr>", esc(v));
        }
    };
    row(o, "Host name", &res.hostname);
    if res.target != res.hostname {
        row(o, "Target", &res.target);
    }
    row(o, "Addresses", &res.addresses.join(", "));
    row(o, "Hardware addresses", &res.macs.join(", "));
    let matched = if res.platforms.is_empty() { "none".to_owned() } else { res.platforms.join(", ") };
    row(o, "CPE platforms matched", &matched);
    row(o, "Benchmark platforms", &content.benchmark.platforms.join(", "));
    row(o, "Engine", &res.engine);
    row(o, "Performed by", &res.identity);
    row(o, "Started", &res.start);
    row(o, "Finished", &res.end);
    o.push_str("</table></div></div>");
    attention(o, content, res, &sev_of);
    // nothing applied?
    let applied =
        ["pass", "fail", "error", "unknown", "fixed", "informational"].iter().map(|r| count(r)).sum::<usize>();
    if applied == 0 {
        o.push_str("<div class=\"notice\" id=\"nothing-applied\"><h2>Nothing applied to this target</h2>");
        if total == 0 {
            o.push_str("<p>No rule was selected: the profile selects none of the benchmark's rules, so nothing was checked.</p>");
        } else {
            let na = count("notapplicable");
            let nc = count("notchecked");
            if na > 0 {
                let why = if !content.benchmark.platforms.is_empty() && res.platforms.is_empty() {
                    format!(
                        "The benchmark is written for {}, and the target matched none of these platforms, so no rule applies to it. Scan it with content for the target's own system.",
                        content.benchmark.platforms.join(", ")
                    )
                } else {
                    "Each of these rules names a platform (a package, a service, a kind of system) that the target does not have.".to_owned()
                };
                let _ = write!(o, "<p><b>{na} of {total}</b> rules are <i>notapplicable</i>. {}</p>", esc(&why));
            }
            if nc > 0 {
                let _ = write!(
                    o,
                    "<p><b>{nc} of {total}</b> rules are <i>notchecked</i>: they have no check the engine could run (a question for a person, or a check system it does not support); see each rule's message.</p>"
                );
            }
            o.push_str("<p>The score above counts only rules that passed or failed; with none, it says nothing about the target.</p>");
        }
        o.push_str("</div>");
    }
    o.push_str("</section>\n");
}

/// The card that lists every failed or erred rule, most severe first, each
/// linked to its place in the tree (the page opens the groups around it).
fn attention(o: &mut String, content: &Content, res: &Results, sev_of: &dyn Fn(&Outcome, &str) -> String) {
    let mut bad: Vec<(usize, &str, String, &str)> = res
        .rules
        .iter()
        .filter(|(_, x)| matches!(x.result.as_str(), "fail" | "error"))
        .map(|(id, x)| {
            let sev = sev_of(x, id);
            let rank = SEVERITIES.iter().position(|s| *s == sev).unwrap_or(SEVERITIES.len());
            (rank, id.as_str(), sev, x.result.as_str())
        })
        .collect();
    if bad.is_empty() {
        return;
    }
    bad.sort();
    let title = |id: &str| {
        content.benchmark.rules.iter().find(|r| r.id == id).map(|r| r.title.clone()).filter(|t| !t.is_empty())
    };
    let _ = write!(
        o,
        "<div class=\"card\" id=\"attention\"><h2>Needs attention ({})</h2><ol class=\"attention\">",
        bad.len()
    );
    for (_, id, sev, result) in bad {
        let _ = write!(
            o,
            "<li><span class=\"mini r-{result}\">{result}</span> <span class=\"sev\">{}</span> <a href=\"#{}\">{}</a></li>",
            esc(&sev),
            esc(id),
            esc(&title(id).unwrap_or_else(|| id.to_owned()))
        );
    }
    o.push_str("</ol></div>");
}
