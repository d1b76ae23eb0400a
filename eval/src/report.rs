//! The HTML report: one self-contained page (inline CSS and script, no
//! network) with the score, the result counts, filters by result and
//! severity, and for each rule its description, rationale, references,
//! the OVAL items that decided it (which file, which line, which value)
//! and the fix.

use crate::results::timestamp;
use crate::xccdf::content::Content;
use crate::xccdf::run::{Evidence, Scan, XResult};
use scapc_xml::escape_text;
use std::fmt::Write as _;

/// Everything the report shows, from either engine.
#[derive(Debug, Clone, Default)]
pub struct ReportData {
    pub benchmark_title: String,
    pub benchmark_id: String,
    pub profile: Option<(String, String)>,
    pub target: String,
    pub hostname: String,
    pub start: String,
    pub end: String,
    pub engine: String,
    pub score: f64,
    pub score_max: f64,
    pub rules: Vec<RuleView>,
}

#[derive(Debug, Clone, Default)]
pub struct RuleView {
    pub id: String,
    pub title: String,
    pub result: String,
    pub severity: String,
    pub description: String,
    pub rationale: String,
    pub references: Vec<(String, String)>,
    pub idents: Vec<(String, String)>,
    pub fixtext: String,
    pub fixes: Vec<(String, String)>,
    pub evidence: Vec<Evidence>,
    pub messages: Vec<String>,
}

impl ReportData {
    pub fn from_scan(scan: &Scan, content: &Content) -> ReportData {
        let mut data = ReportData {
            benchmark_title: scan.benchmark_title.clone(),
            benchmark_id: scan.benchmark_id.clone(),
            profile: if scan.all_rules { Some(("(all)".into(), "All rules".into())) } else { scan.profile.clone() },
            target: scan.target.describe(),
            hostname: scan.hostname.clone(),
            start: timestamp(scan.start),
            end: timestamp(scan.end),
            engine: "scapc (native)".into(),
            score: scan.scores.first().map_or(0.0, |s| s.score),
            score_max: scan.scores.first().map_or(100.0, |s| s.maximum),
            rules: Vec::new(),
        };
        for r in scan.rules.iter().filter(|r| r.result != XResult::NotSelected) {
            let mut v = RuleView::from_content(content, &r.id);
            v.result = r.result.as_str().into();
            v.severity = r.severity.clone();
            v.evidence = r.evidence.clone();
            v.messages = r.messages.clone();
            if let Some(o) = &r.sce_output {
                v.messages.push(format!("SCE output:\n{o}"));
            }
            data.rules.push(v);
        }
        data
    }
}

impl RuleView {
    /// The rule's prose from the benchmark.
    pub fn from_content(content: &Content, id: &str) -> RuleView {
        let mut v = RuleView { id: id.to_owned(), ..Default::default() };
        if let Some(rule) = content.benchmark.rules.iter().find(|r| r.id == id) {
            v.title = rule.title.clone();
            v.severity = rule.severity.clone();
            v.description = rule.description.clone();
            v.rationale = rule.rationale.clone();
            v.references = rule.references.clone();
            v.idents = rule.idents.clone();
            v.fixtext = rule.fixtext.clone();
            v.fixes = rule.fixes.clone();
        }
        v
    }
}

fn esc(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

const RESULTS: [&str; 9] =
    ["fail", "error", "unknown", "pass", "fixed", "notchecked", "notapplicable", "informational", "notselected"];

/// Renders the report.
pub fn html(d: &ReportData) -> String {
    let mut o = String::with_capacity(1 << 20);
    let count = |r: &str| d.rules.iter().filter(|x| x.result == r).count();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>scapc report: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&d.benchmark_title)
    );
    let _ = writeln!(o, "<header><h1>{}</h1>", esc(&d.benchmark_title));
    let _ = writeln!(
        o,
        "<dl class=\"meta\"><dt>Benchmark</dt><dd>{}</dd><dt>Profile</dt><dd>{}</dd><dt>Target</dt><dd>{} ({})</dd><dt>Engine</dt><dd>{}</dd><dt>Started</dt><dd>{}</dd><dt>Finished</dt><dd>{}</dd></dl></header>",
        esc(&d.benchmark_id),
        d.profile.as_ref().map_or("(default selection)".to_owned(), |p| if p.1.is_empty() { esc(&p.0) } else { format!("{} <small>{}</small>", esc(&p.1), esc(&p.0)) }),
        esc(&d.hostname),
        esc(&d.target),
        esc(&d.engine),
        esc(&d.start),
        esc(&d.end)
    );
    let pct = if d.score_max > 0.0 { d.score / d.score_max * 100.0 } else { 0.0 };
    let _ = writeln!(
        o,
        "<section class=\"summary\"><div class=\"score\"><span id=\"score\">{:.2}</span> / {:.0}<div class=\"bar\"><div style=\"width:{pct:.1}%\"></div></div><small>score (default model)</small></div><div class=\"counts\">",
        d.score, d.score_max
    );
    for r in RESULTS {
        let n = count(r);
        if n > 0 {
            let _ = write!(o, "<span class=\"count r-{r}\" data-count=\"{r}\"><b>{n}</b> {r}</span>");
        }
    }
    o.push_str("</div></section>\n");
    // filters
    o.push_str("<section class=\"filters\"><fieldset><legend>Result</legend>");
    for r in RESULTS {
        if count(r) > 0 {
            let checked = if matches!(r, "notselected") { "" } else { " checked" };
            let _ = write!(o, "<label><input type=\"checkbox\" name=\"result\" value=\"{r}\"{checked}> {r}</label>");
        }
    }
    o.push_str("</fieldset><fieldset><legend>Severity</legend>");
    let mut sevs: Vec<&str> = d.rules.iter().map(|r| r.severity.as_str()).collect();
    sevs.sort_by_key(|s| match *s {
        "high" => 0,
        "medium" => 1,
        "low" => 2,
        _ => 3,
    });
    sevs.dedup();
    for s in sevs {
        let _ = write!(
            o,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{}\" checked> {}</label>",
            esc(s),
            esc(s)
        );
    }
    o.push_str("</fieldset><input type=\"search\" id=\"search\" placeholder=\"Search rules\"> <span id=\"shown\"></span></section>\n<main id=\"rules\">\n");
    // rules: failures first
    let mut rules: Vec<&RuleView> = d.rules.iter().collect();
    rules.sort_by_key(|r| RESULTS.iter().position(|x| *x == r.result).unwrap_or(99));
    for r in rules {
        let _ = writeln!(
            o,
            "<details class=\"rule\" data-result=\"{}\" data-severity=\"{}\"><summary><span class=\"badge r-{}\">{}</span> <span class=\"sev s-{}\">{}</span> <span class=\"title\">{}</span> <code>{}</code></summary>",
            esc(&r.result),
            esc(&r.severity),
            esc(&r.result),
            esc(&r.result),
            esc(&r.severity),
            esc(&r.severity),
            esc(&r.title),
            esc(&r.id)
        );
        o.push_str("<div class=\"body\">");
        if !r.idents.is_empty() {
            o.push_str("<p class=\"idents\">");
            for (sys, v) in &r.idents {
                let _ = write!(o, "<span title=\"{}\">{}</span> ", esc(sys), esc(v));
            }
            o.push_str("</p>");
        }
        for m in &r.messages {
            let _ = write!(o, "<p class=\"message\">{}</p>", esc(m));
        }
        if !r.description.is_empty() {
            let _ = write!(o, "<h3>Description</h3><div class=\"text\">{}</div>", esc(&r.description));
        }
        if !r.rationale.is_empty() {
            let _ = write!(o, "<h3>Rationale</h3><div class=\"text\">{}</div>", esc(&r.rationale));
        }
        if !r.evidence.is_empty() {
            o.push_str("<h3>What the checks found</h3>");
            for e in &r.evidence {
                let _ = write!(
                    o,
                    "<div class=\"evidence\"><p><span class=\"badge t-{}\">{}</span> {} <code>{}</code> <small>object {} ({})</small></p>",
                    esc(&e.result.replace(' ', "_")),
                    esc(&e.result),
                    esc(&e.comment),
                    esc(&e.test_id),
                    esc(&e.object_id),
                    esc(&e.flag)
                );
                for m in &e.messages {
                    let _ = write!(o, "<p class=\"message\">{}</p>", esc(m));
                }
                if e.items.is_empty() {
                    o.push_str("<p class=\"none\">No items were found on the target.</p>");
                }
                for item in &e.items {
                    o.push_str("<table class=\"item\">");
                    for (k, v) in item {
                        let _ = write!(o, "<tr><th>{}</th><td><code>{}</code></td></tr>", esc(k), esc(v));
                    }
                    o.push_str("</table>");
                }
                o.push_str("</div>");
            }
        }
        if !r.fixtext.is_empty() || !r.fixes.is_empty() {
            o.push_str("<h3>Fix</h3>");
            if !r.fixtext.is_empty() {
                let _ = write!(o, "<div class=\"text\">{}</div>", esc(&r.fixtext));
            }
            for (sys, text) in &r.fixes {
                let kind = if sys.contains("shell") {
                    "Shell script"
                } else if sys.contains("ansible") {
                    "Ansible"
                } else {
                    sys.as_str()
                };
                let _ = write!(
                    o,
                    "<details class=\"fix\"><summary>{}</summary><pre>{}</pre></details>",
                    esc(kind),
                    esc(text)
                );
            }
        }
        if !r.references.is_empty() {
            o.push_str("<h3>References</h3><ul class=\"refs\">");
            for (href, text) in &r.references {
                let _ = write!(o, "<li><span class=\"src\">{}</span> {}</li>", esc(href), esc(text));
            }
            o.push_str("</ul>");
        }
        o.push_str("</div></details>\n");
    }
    o.push_str("</main>\n<footer>Generated by scapc. This page loads nothing from the network.</footer>\n");
    let _ = write!(o, "<script>{JS}</script>\n</body>\n</html>\n");
    o
}

const CSS: &str = r#"
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header,section,main,footer{max-width:1100px;margin:0 auto;padding:12px 20px}
h1{font-size:1.5em;margin:16px 0 8px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0;font-size:.9em}
dl.meta dt{color:#5b6575}dl.meta dd{margin:0}
.summary{display:flex;gap:24px;align-items:center;flex-wrap:wrap}
.score{font-size:1.6em;font-weight:600;min-width:220px}.score small{display:block;font-size:.45em;color:#5b6575;font-weight:400}
.bar{height:8px;background:#e1e4ea;border-radius:4px;margin-top:4px}.bar div{height:8px;background:#2f9e44;border-radius:4px}
.counts{display:flex;gap:8px;flex-wrap:wrap}.count{padding:6px 10px;border-radius:6px;background:#fff;border:1px solid #d8dce3}
.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center}
fieldset{border:1px solid #d8dce3;border-radius:6px;background:#fff}fieldset label{margin-right:10px;white-space:nowrap}
#search{padding:6px 8px;min-width:240px;border:1px solid #c5cad3;border-radius:6px}
.rule{background:#fff;border:1px solid #d8dce3;border-radius:6px;margin:6px 0}
.rule>summary{cursor:pointer;padding:8px 10px;list-style:none}.rule>summary code{color:#5b6575;font-size:.8em}
.rule .body{padding:0 14px 12px}.rule h3{font-size:1em;margin:14px 0 4px}
.text{white-space:pre-wrap}
.badge{display:inline-block;min-width:92px;text-align:center;padding:2px 6px;border-radius:4px;font-size:.8em;font-weight:600;color:#fff;background:#6c757d}
.r-pass,.t-true{background:#2f9e44;color:#fff}.r-fail,.t-false{background:#c92a2a;color:#fff}.r-error,.t-error{background:#e67700;color:#fff}
.r-unknown,.t-unknown{background:#7048e8;color:#fff}.r-notapplicable,.r-notchecked,.r-informational,.r-notselected{background:#868e96;color:#fff}.r-fixed{background:#1971c2;color:#fff}
.counts .count{color:#fff}
.sev{font-size:.8em;padding:1px 6px;border-radius:4px;border:1px solid #c5cad3}.s-high{border-color:#c92a2a;color:#c92a2a}.s-medium{border-color:#e67700;color:#b35c00}
table.item{border-collapse:collapse;margin:4px 0 8px;font-size:.85em}table.item th{text-align:left;padding:2px 8px;color:#5b6575;vertical-align:top}table.item td{padding:2px 8px;word-break:break-all}table.item td code{white-space:pre-wrap}
.evidence{border-left:3px solid #d8dce3;padding-left:10px;margin:6px 0}
.message{color:#5b6575;font-style:italic;white-space:pre-wrap}
pre{background:#f1f3f5;padding:8px;overflow:auto;font-size:.85em}
.refs{font-size:.85em}.refs .src{color:#5b6575}
footer{color:#868e96;font-size:.8em}
.hidden{display:none}
"#;

const JS: &str = r#"
(function(){
  var boxes=document.querySelectorAll('.filters input[type=checkbox]');
  var search=document.getElementById('search');
  function apply(){
    var res={},sev={};
    boxes.forEach(function(b){ if(b.checked){ (b.name==='result'?res:sev)[b.value]=1; } });
    var q=search.value.toLowerCase(),n=0;
    document.querySelectorAll('.rule').forEach(function(r){
      var ok=res[r.dataset.result]&&sev[r.dataset.severity]&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);
      r.classList.toggle('hidden',!ok); if(ok)n++;
    });
    document.getElementById('shown').textContent=n+' rules shown';
  }
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  search.addEventListener('input',apply);
  apply();
})();
"#;
