//! `scapc remediate`: remediating the failures a results file recorded,
//! as `oscap xccdf remediate` does. The chosen TestResult (by id or the
//! end of one; by default the last) is copied into a new one: each of its
//! rule-results that says `fail` gets its rule's script fix (shell, else
//! Python or Perl), with `<sub>`s from the TestResult's profile and
//! `set-value`s and `<instance>` from the rule-result's instance; the fix
//! runs on the target, the rule-result's own check is evaluated again, and
//! the rule-result becomes `fixed` (the fix exited 0 and the check passes)
//! or `error`, with the fix run and its output. Other rule-results are
//! copied as they are. The new TestResult gets the first free id of
//! `ID001`, `ID002`, ..., start and end times of now and new scores, and is
//! put after the last TestResult of the document, which is otherwise
//! kept byte for byte.

use crate::apply::{self, Ran};
use crate::fix::{self, FixType, PlanOptions};
use scapc_eval::target::{Target, TargetKind};
use scapc_eval::xccdf::content::{CheckSpec, Content};
use scapc_eval::xccdf::run::{self, XResult};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::HashSet;
use std::path::Path;

/// Settings of [`remediate_results`].
pub struct Settings<'a> {
    /// `--result-id`: the TestResult's id or the end of one.
    pub result_id: Option<&'a str>,
    pub target: &'a Target,
    pub sce: bool,
    pub engine: scapc_eval::oval::engine::EngineOptions,
    /// The scapc binary (fixes in a `dir:` root run through it).
    pub exe: &'a Path,
    /// Seconds one fix may run.
    pub timeout: u64,
}

/// What [`remediate_results`] did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The results document with the new TestResult.
    pub document: String,
    /// The id of the TestResult remediated and of the new one.
    pub from_id: String,
    pub new_id: String,
    pub fixed: usize,
    pub errors: usize,
    /// Failed rule-results without a fix scapc can run (left `fail`).
    pub without_fix: usize,
    /// The new TestResult holds a `fail`, `error` or `unknown`.
    pub failing: bool,
}

/// One rule-result of the TestResult.
struct Entry {
    node: NodeId,
    idref: String,
    result: String,
    instance: Option<String>,
    check: Option<scapc_eval::xccdf::content::Check>,
    weight: f64,
    /// What remediation changes: the new result, messages, the fix run.
    new_result: Option<XResult>,
    messages: Vec<String>,
    fix: Option<(String, String)>,
}

/// Remediates the failures of a TestResult in `src` (the text of `path`,
/// an XCCDF results document: the benchmark with its TestResults, as
/// `scapc eval --results` writes it); `content` is the same file loaded.
pub fn remediate_results(content: &mut Content, path: &Path, src: &str, s: &Settings<'_>) -> Result<Outcome, String> {
    let at = |e: String| format!("{}: {e}", path.display());
    let tree = Tree::parse(src).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
    if tree.local(tree.root()) != "Benchmark" {
        return Err(at(format!(
            "the root element is `{}`, not an XCCDF Benchmark holding TestResults; give the XCCDF results \
             (`scapc eval --results FILE`), not an ARF report",
            tree.local(tree.root())
        )));
    }
    let tr = fix::find_test_result(&tree, s.result_id).map_err(at)?;
    let ns = tree.ns(tr).to_owned();
    let from_id = tree.attr(tr, "id").unwrap_or_default().to_owned();
    let profile = tree.child(tr, &ns, "profile").and_then(|p| tree.attr(p, "idref")).map(str::to_owned);
    let set_values: Vec<(String, String)> = tree
        .children_named(tr, &ns, "set-value")
        .filter_map(|sv| Some((tree.attr(sv, "idref")?.to_owned(), tree.text(sv).to_owned())))
        .collect();
    let mut entries: Vec<Entry> = tree
        .children_named(tr, &ns, "rule-result")
        .map(|rr| Entry {
            node: rr,
            idref: tree.attr(rr, "idref").unwrap_or_default().to_owned(),
            result: tree.child(rr, &ns, "result").map(|r| tree.text(r).trim().to_owned()).unwrap_or_default(),
            instance: tree.child(rr, &ns, "instance").map(|i| tree.text(i).to_owned()),
            check: tree
                .children_named(rr, &ns, "check")
                .last()
                .map(|c| scapc_eval::xccdf::content::read_check(&tree, c)),
            weight: tree.attr(rr, "weight").and_then(|w| w.parse().ok()).unwrap_or(1.0),
            new_result: None,
            messages: Vec::new(),
            fix: None,
        })
        .collect();
    let mut out = Outcome { from_id: from_id.clone(), ..Default::default() };

    // the fixes to run, in order
    let mut todo: Vec<(usize, Ran)> = Vec::new();
    for (i, e) in entries.iter_mut().enumerate() {
        if e.result != "fail" {
            continue;
        }
        let only: HashSet<String> = [e.idref.clone()].into();
        let popts =
            PlanOptions { profile: profile.as_deref(), tailoring: &[], only: Some(&only), set_values: &set_values };
        let mut plan = fix::plan_for_instance(content, FixType::Script, &popts, e.instance.as_deref()).map_err(at)?;
        if plan.fixes.is_empty() && plan.without_fix.is_empty() && plan.unresolved.is_empty() {
            // evaluated, so selected then (by `--rule`, or a profile this
            // benchmark does not hold): the rule's fix all the same, with
            // the TestResult's values
            let all = PlanOptions { profile: Some("(all)"), ..popts };
            plan = fix::plan_for_instance(content, FixType::Script, &all, e.instance.as_deref()).map_err(at)?;
        }
        if let Some((_, why)) = plan.unresolved.first() {
            e.new_result = Some(XResult::Error);
            e.messages.push(format!("remediation aborted, the fix was not run: text substitution failed: {why}"));
            out.errors += 1;
        } else if let Some(f) = plan.fixes.into_iter().next() {
            let Some(interpreter) = fix::interpreter(&f.system) else { continue };
            todo.push((
                i,
                Ran {
                    rule_id: f.rule_id,
                    system: f.system,
                    interpreter: interpreter.to_owned(),
                    script: f.text,
                    exit: -1,
                    output: String::new(),
                },
            ));
        } else {
            e.messages.push("remediation: no suitable fix found (no shell, Python or Perl script fix)".into());
            out.without_fix += 1;
        }
    }
    let (idx, runs): (Vec<usize>, Vec<Ran>) = todo.into_iter().unzip();
    let ran = if runs.is_empty() {
        Vec::new()
    } else {
        match s.target.kind() {
            TargetKind::Local => {
                runs.into_iter().map(|r| apply::run_local(r, s.timeout)).collect::<Result<Vec<_>, _>>()?
            }
            TargetKind::Dir(root) => apply::run_dir(s.exe, root, runs, s.timeout)?,
        }
    };

    // evaluate again, each remediated rule with the check its rule-result names
    let mut again_ids: Vec<String> = Vec::new();
    for &i in &idx {
        let e = &entries[i];
        if let (Some(check), Some(rule)) = (&e.check, content.benchmark.rules.iter_mut().find(|r| r.id == e.idref)) {
            rule.check = Some(CheckSpec::Checks(vec![check.clone()]));
            if !again_ids.contains(&e.idref) {
                again_ids.push(e.idref.clone());
            }
        }
    }
    // as oscap, only the check is evaluated again: the rule was applicable
    // when scanned (a results file need not carry the CPE dictionary)
    content.benchmark.platforms.clear();
    let groups: HashSet<String> = content
        .benchmark
        .rules
        .iter_mut()
        .filter(|r| again_ids.contains(&r.id))
        .flat_map(|r| {
            r.platforms.clear();
            r.groups.clone()
        })
        .collect();
    for g in groups {
        if let Some(g) = content.benchmark.groups.get_mut(&g) {
            g.platforms.clear();
        }
    }
    let again = if again_ids.is_empty() {
        None
    } else {
        let opts = run::Options {
            profile: profile.clone(),
            tailoring: Vec::new(),
            target: s.target,
            sce: s.sce,
            engine: s.engine.clone(),
            progress: None,
            rules: again_ids,
            skip_rules: Vec::new(),
        };
        Some(run::evaluate(content, &opts).map_err(at)?)
    };
    for (i, r) in idx.into_iter().zip(ran) {
        let e = &mut entries[i];
        let now = again.as_ref().and_then(|a| a.rules.iter().find(|x| x.id == e.idref)).map(|x| x.result);
        e.messages.push(format!(
            "remediation: the {} fix exited {}{}",
            r.interpreter.rsplit('/').next().unwrap_or("bash"),
            r.exit,
            if r.output.trim().is_empty() {
                String::new()
            } else {
                format!("; output:\n{}", apply::xml_safe(r.output.trim_end()))
            }
        ));
        let ok = r.exit == 0 && now == Some(XResult::Pass);
        if !ok {
            e.messages.push(match (&e.check, now) {
                (None, _) => "remediation: the fix cannot be verified: the rule-result has no check".into(),
                (_, Some(x)) => {
                    format!("remediation: the fix did not fix: checked again, the rule is `{}`", x.as_str())
                }
                (_, None) => "remediation: the fix did not fix: checked again, the rule has no result".into(),
            });
        }
        e.new_result = Some(if ok { XResult::Fixed } else { XResult::Error });
        if ok {
            out.fixed += 1;
        } else {
            out.errors += 1;
        }
        e.fix = Some((r.system, apply::xml_safe(&r.script)));
    }

    // scores of the new TestResult
    let final_results: Vec<(String, XResult, f64)> = entries
        .iter()
        .map(|e| (e.idref.clone(), e.new_result.unwrap_or_else(|| parse_result(&e.result)), e.weight))
        .collect();
    out.failing = final_results.iter().any(|(_, r, _)| matches!(r, XResult::Fail | XResult::Error | XResult::Unknown));
    let scores = run::rescore(&content.benchmark, &final_results);

    // the new TestResult, from the old one's text
    let taken: HashSet<&str> = tree.all(&ns, "TestResult").iter().filter_map(|&n| tree.attr(n, "id")).collect();
    let new_id = (1..).map(|n| format!("{from_id}{n:03}")).find(|c| !taken.contains(c.as_str())).unwrap_or_default();
    let now = scapc_eval::results::timestamp(std::time::SystemTime::now());
    let tr_span = span(src, &tree, tr);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let tag_end = start_tag_end(src, tr_span.start);
    let mut start_tag = src[tr_span.start..tag_end].to_owned();
    for (k, v) in [("id", new_id.as_str()), ("start-time", now.as_str()), ("end-time", now.as_str())] {
        start_tag = set_attr(&start_tag, k, v);
    }
    edits.push((tr_span.start..tag_end, start_tag));
    for e in &entries {
        if e.new_result.is_none() && e.messages.is_empty() {
            continue;
        }
        let r = span(src, &tree, e.node);
        edits.push((r.clone(), rule_result(src, &tree, &ns, e, &now)));
    }
    for sc in tree.children_named(tr, &ns, "score") {
        let system = tree.attr(sc, "system").unwrap_or("urn:xccdf:scoring:default");
        if let Some(new) = scores.iter().find(|x| x.system == system) {
            let r = span(src, &tree, sc);
            let tag = set_attr(&src[r.start..start_tag_end(src, r.start)], "maximum", &format!("{:.6}", new.maximum));
            let tag = tag.trim_end_matches("/>").trim_end_matches('>').to_owned() + ">";
            edits.push((r.clone(), format!("{tag}{:.6}</{}>", new.score, qname(src, r.start))));
        }
    }
    edits.sort_by_key(|(r, _)| r.start);
    let mut new_tr = String::new();
    let mut pos = tr_span.start;
    for (r, text) in edits {
        new_tr.push_str(&src[pos..r.start]);
        new_tr.push_str(&text);
        pos = r.end;
    }
    new_tr.push_str(&src[pos..tr_span.end]);

    // after the last TestResult of the document
    let last = tree.all(&ns, "TestResult").iter().copied().max().unwrap_or(tr);
    let insert_at = span(src, &tree, last).end;
    let indent: String =
        src[..tr_span.start].rsplit('\n').next().unwrap_or("").chars().take_while(|c| c.is_whitespace()).collect();
    let mut doc = String::with_capacity(src.len() + new_tr.len() + 8);
    doc.push_str(&src[..insert_at]);
    doc.push('\n');
    doc.push_str(&indent);
    doc.push_str(&new_tr);
    doc.push_str(&src[insert_at..]);
    if !doc.ends_with('\n') {
        doc.push('\n');
    }
    out.document = doc;
    out.new_id = new_id;
    Ok(out)
}

fn parse_result(s: &str) -> XResult {
    XResult::ALL.into_iter().find(|r| r.as_str() == s).unwrap_or(XResult::Unknown)
}

/// The bytes of an element in the source.
fn span(src: &str, tree: &Tree, n: NodeId) -> std::ops::Range<usize> {
    let raw = scapc_eval::xccdf::content::raw_element(src, tree, n);
    let start = raw.as_ptr() as usize - src.as_ptr() as usize;
    start..start + raw.len()
}

/// The end (after `>`) of the start tag that begins at `start`.
fn start_tag_end(src: &str, start: usize) -> usize {
    let b = src.as_bytes();
    let mut q: Option<u8> = None;
    let mut i = start;
    while i < b.len() {
        match (q, b[i]) {
            (None, b'"' | b'\'') => q = Some(b[i]),
            (Some(c), x) if c == x => q = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The qualified name of the element starting at `start` (`xccdf:score`).
fn qname(src: &str, start: usize) -> &str {
    let rest = &src[start + 1..];
    let n = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
    &rest[..n]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A start tag with attribute `name` set to `value` (replaced, or added).
fn set_attr(tag: &str, name: &str, value: &str) -> String {
    let v = xml_escape(value);
    let b = tag.as_bytes();
    let mut i = 0;
    let mut q: Option<u8> = None;
    while i < b.len() {
        match q {
            Some(c) if b[i] == c => q = None,
            Some(_) => {}
            None if b[i] == b'"' || b[i] == b'\'' => q = Some(b[i]),
            None if b[i].is_ascii_whitespace() && tag[i + 1..].starts_with(name) => {
                let after = tag[i + 1 + name.len()..].trim_start();
                if let Some(rest) = after.strip_prefix('=') {
                    let rest = rest.trim_start();
                    if let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                        let vstart = tag.len() - rest.len() + 1;
                        if let Some(len) = tag[vstart..].find(quote) {
                            return format!("{}{v}{}", &tag[..vstart], &tag[vstart + len..]);
                        }
                    }
                }
            }
            None => {}
        }
        i += 1;
    }
    let cut = if tag.ends_with("/>") { tag.len() - 2 } else { tag.len() - 1 };
    format!("{} {name}=\"{v}\"{}", tag[..cut].trim_end(), &tag[cut..])
}

/// A remediated rule-result: its `time` now, the new result, the messages
/// (after those it had, before `instance`, `fix` and `check`) and the fix
/// run (before `check`).
fn rule_result(src: &str, tree: &Tree, ns: &str, e: &Entry, now: &str) -> String {
    let r = span(src, tree, e.node);
    let tag_end = start_tag_end(src, r.start);
    let start_tag = &src[r.start..tag_end];
    let name = qname(src, r.start);
    let prefix = name.rsplit_once(':').map(|(p, _)| format!("{p}:")).unwrap_or_default();
    let mut out = set_attr(start_tag, "time", now);
    if out.ends_with("/>") {
        // `<rule-result .../>`: nothing inside; give it what it needs
        out.truncate(out.len() - 2);
        out.push('>');
    }
    let kids: Vec<NodeId> = tree.children(e.node).collect();
    // the indentation of the rule-result's children
    let indent = kids
        .first()
        .map(|&k| span(src, tree, k).start)
        .and_then(|k| src[..k].rsplit_once('\n').map(|(_, ws)| ws))
        .filter(|ws| ws.chars().all(char::is_whitespace))
        .map(|ws| format!("\n{ws}"))
        .unwrap_or_else(|| "\n      ".into());
    let indent = indent.as_str();
    let mut messages = String::new();
    for m in &e.messages {
        messages.push_str(&format!("{indent}<{prefix}message severity=\"info\">{}</{prefix}message>", xml_escape(m)));
    }
    let fix = e
        .fix
        .as_ref()
        .map(|(sys, text)| {
            format!("{indent}<{prefix}fix system=\"{}\">{}</{prefix}fix>", xml_escape(sys), xml_escape(text))
        })
        .unwrap_or_default();
    let new_result = e.new_result.map(|x| format!("<{prefix}result>{}</{prefix}result>", x.as_str()));
    let (mut put_messages, mut put_fix) = (false, false);
    let mut pos = tag_end;
    let body_end = if start_tag.ends_with("/>") { tag_end } else { r.end - (name.len() + 3) };
    for k in kids {
        let ks = span(src, tree, k);
        let local = tree.local(k);
        let ours = tree.ns(k) == ns;
        if ours && !put_messages && matches!(local, "instance" | "fix" | "check" | "complex-check") {
            out.push_str(&src[pos..ks.start]);
            trim_end(&mut out);
            out.push_str(&messages);
            out.push_str(indent);
            pos = ks.start;
            put_messages = true;
        }
        if ours && !put_fix && matches!(local, "check" | "complex-check") {
            out.push_str(&src[pos..ks.start]);
            trim_end(&mut out);
            out.push_str(&fix);
            out.push_str(indent);
            pos = ks.start;
            put_fix = true;
        }
        if ours && local == "result" {
            if let Some(nr) = &new_result {
                out.push_str(&src[pos..ks.start]);
                out.push_str(nr);
                pos = ks.end;
            }
        }
    }
    out.push_str(&src[pos..body_end.max(pos)]);
    trim_end(&mut out);
    if !put_messages {
        out.push_str(&messages);
    }
    if !put_fix {
        out.push_str(&fix);
    }
    let close_indent: String =
        src[..r.start].rsplit('\n').next().unwrap_or("").chars().take_while(|c| c.is_whitespace()).collect();
    out.push('\n');
    out.push_str(&close_indent);
    out.push_str(&format!("</{name}>"));
    out
}

fn trim_end(s: &mut String) {
    let n = s.trim_end_matches([' ', '\t', '\n', '\r']).len();
    s.truncate(n);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_set_or_added() {
        assert_eq!(set_attr(r#"<a id="x" t='1'>"#, "t", "2"), r#"<a id="x" t='2'>"#);
        assert_eq!(set_attr(r#"<a id="x">"#, "time", "now"), r#"<a id="x" time="now">"#);
        assert_eq!(set_attr(r#"<a note="id=1" id="x"/>"#, "id", "y"), r#"<a note="id=1" id="y"/>"#);
    }
}
