//! The guide: for one profile (or the benchmark's own selection, or every
//! rule), the benchmark's front matter, a profile summary (rules selected
//! by severity, Values the profile changes), then the Group tree with
//! every selected rule.

use crate::model::{self, esc, Reader, Selection};
use crate::page::{self, Frame, SEVERITIES};
use scapc_eval::xccdf::content::{Content, Profile};
use scapc_eval::xccdf::NS_XCCDF;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The guide page for `profile` (full id, the part after `_profile_`,
/// `(all)`, or `None` for the benchmark's own selection).
pub fn guide(content: &Content, tailoring: &[Profile], profile: Option<&str>) -> Result<String, String> {
    let sel = model::select(content, tailoring, profile)?;
    let selected: std::collections::HashSet<&str> = content
        .benchmark
        .rules
        .iter()
        .filter(|r| model::rule_selected(content, &sel, r))
        .map(|r| r.id.as_str())
        .collect();
    let items = model::item_tree(content, &|id| selected.contains(id));
    let reader = Reader::new(content, &sel);
    let head = header(&reader, &sel, &items, "Guide");
    let none = BTreeMap::new();
    let frame = Frame { kind: "guide", title: format!("Guide: {}", content.benchmark.title), head, outcomes: &none };
    Ok(page::page(&frame, &reader, &items))
}

/// The top of a page: benchmark, profile and its selection. Shared with
/// the report.
pub(crate) fn header(r: &Reader<'_>, sel: &Selection, items: &[model::Item], what: &str) -> String {
    let c = r.content;
    let b = &c.benchmark;
    let t = &c.tree;
    let mut o = String::new();
    let _ = write!(
        o,
        "<header><p class=\"kind\">{what}</p><h1>{}</h1><dl class=\"meta\"><dt>Benchmark</dt><dd><code>{}</code>{}</dd>",
        esc(&b.title),
        esc(&b.id),
        if b.version.is_empty() { String::new() } else { format!(", version {}", esc(&b.version)) }
    );
    if let Some(s) = t.child(c.benchmark_node, NS_XCCDF, "status") {
        let _ = write!(
            o,
            "<dt>Status</dt><dd>{}{}</dd>",
            esc(t.text(s).trim()),
            t.attr(s, "date").map(|d| format!(" ({})", esc(d))).unwrap_or_default()
        );
    }
    if !b.platforms.is_empty() {
        let _ = write!(o, "<dt>Platforms</dt><dd>{}</dd>", esc(&b.platforms.join(", ")));
    }
    o.push_str("</dl>");
    let desc = r.prose(c.benchmark_node, "description");
    if !desc.is_empty() {
        let _ = write!(o, "<details class=\"about\"><summary>About this benchmark</summary><div class=\"text\">{desc}</div></details>");
    }
    o.push_str("</header>\n<section class=\"profile\"><div class=\"card\">");
    match &sel.profile {
        Some((id, title, d)) => {
            let _ = write!(o, "<h2>Profile: {}</h2><p><code>{}</code></p>", esc(title), esc(id));
            if !d.is_empty() {
                let _ = write!(o, "<div class=\"text\">{d}</div>");
            }
        }
        None if sel.all => o.push_str("<h2>Every rule of the benchmark</h2>"),
        None => o.push_str("<h2>The benchmark's default selection (no profile)</h2>"),
    }
    let mut ids = Vec::new();
    for it in items {
        it.rules(&mut ids);
    }
    let groups = items.iter().map(count_groups).sum::<usize>();
    let _ = write!(o, "<p><b>{}</b> rules selected in <b>{groups}</b> groups", ids.len());
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    let rule_sev: std::collections::HashMap<&str, &str> =
        b.rules.iter().map(|x| (x.id.as_str(), x.severity.as_str())).collect();
    for id in &ids {
        let s = sel.severity.get(*id).map(String::as_str).or_else(|| rule_sev.get(id).copied()).unwrap_or("unknown");
        *by.entry(s.to_owned()).or_default() += 1;
    }
    let parts: Vec<String> =
        SEVERITIES.iter().filter_map(|s| by.get(*s).map(|n| format!("{n} {s}"))).collect::<Vec<_>>();
    if !parts.is_empty() {
        let _ = write!(o, ": {}", parts.join(", "));
    }
    o.push_str(".</p>");
    if !sel.customized.is_empty() {
        let _ = write!(
            o,
            "<details class=\"about\"><summary>{} Values set by the profile</summary><table class=\"values\">",
            sel.customized.len()
        );
        for v in &sel.customized {
            let title = b.values.get(v).map(|x| x.title.as_str()).unwrap_or(v);
            let _ = write!(
                o,
                "<tr><th>{}</th><td><code>{}</code></td></tr>",
                esc(title),
                esc(sel.values.get(v).map(String::as_str).unwrap_or(""))
            );
        }
        o.push_str("</table></details>");
    }
    o.push_str("</div></section>\n");
    o
}

fn count_groups(it: &model::Item) -> usize {
    match it {
        model::Item::Rule { .. } => 0,
        model::Item::Group { children, .. } => 1 + children.iter().map(count_groups).sum::<usize>(),
    }
}
