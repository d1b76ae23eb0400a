//! What a page shows, read from the benchmark that `scapc_eval`'s reader
//! loaded: the profile's selection and Values (extends chain, tailoring,
//! set-value and refine-value), the Group tree in document order, each
//! item's prose rendered through [`crate::xhtml`], and each rule's check
//! in words (the OVAL definition's title and criteria, the tests'
//! comments).

use crate::xhtml;
use scapc_eval::xccdf::content::{raw_element, Content, Profile, Rule};
use scapc_eval::xccdf::{NS_XCCDF, SYS_OCIL, SYS_OVAL, SYS_SCE};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::{HashMap, HashSet};

const NS_OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
/// Groups nested deeper than this are shown at this depth (the reader
/// allows 10,000 levels; a page does not need them).
const MAX_DEPTH: usize = 64;

/// A profile's effect on the benchmark.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// (id, title, description as HTML); `None` for the benchmark's own
    /// selection.
    pub profile: Option<(String, String, String)>,
    /// Every item (rule or group) the profile selects or deselects.
    pub selected: HashMap<String, bool>,
    /// Value id → the value the profile gives it.
    pub values: HashMap<String, String>,
    /// Values the profile changes from their default, in order.
    pub customized: Vec<String>,
    /// Rule id → severity the profile refines.
    pub severity: HashMap<String, String>,
    /// `(all)`: every rule.
    pub all: bool,
}

/// Finds a profile by full id or by the part after `_profile_`.
pub fn find_profile<'p>(content: &'p Content, tailoring: &'p [Profile], want: &str) -> Option<&'p Profile> {
    let all = || tailoring.iter().chain(content.benchmark.profiles.iter());
    if let Some(p) = all().find(|p| p.id == want) {
        return Some(p);
    }
    let suffix = format!("_profile_{want}");
    let m: Vec<&Profile> = all().filter(|p| p.id.ends_with(&suffix)).collect();
    (m.len() == 1).then(|| m[0])
}

/// The selection and Values for a profile (`None`: the benchmark's own
/// selection; `(all)`: every rule).
pub fn select(content: &Content, tailoring: &[Profile], profile: Option<&str>) -> Result<Selection, String> {
    let bench = &content.benchmark;
    let mut s = Selection { all: profile == Some("(all)"), ..Default::default() };
    for (id, v) in &bench.values {
        s.values.insert(id.clone(), v.value(None).unwrap_or("").to_owned());
    }
    let Some(want) = profile.filter(|p| *p != "(all)") else { return Ok(s) };
    let p = find_profile(content, tailoring, want)
        .ok_or_else(|| scapc_eval::xccdf::run::no_such_profile(bench, tailoring, want))?;
    let mut chain = vec![p];
    let mut seen = HashSet::from([p.id.as_str()]);
    while let Some(parent) = chain.last().and_then(|p| p.extends.as_deref()) {
        if !seen.insert(parent) {
            return Err(format!("profile `{}` extends itself (through `{parent}`)", p.id));
        }
        chain.push(
            find_profile(content, tailoring, parent)
                .ok_or_else(|| format!("profile `{}` extends `{parent}`, which does not exist", p.id))?,
        );
    }
    let mut changed: Vec<String> = Vec::new();
    for q in chain.iter().rev() {
        for (idref, sel) in &q.selects {
            s.selected.insert(idref.clone(), *sel);
        }
        for (idref, v) in &q.set_values {
            s.values.insert(idref.clone(), v.clone());
            changed.push(idref.clone());
        }
        for (idref, sel) in &q.refine_values {
            if let Some(v) = bench.values.get(idref).and_then(|v| v.value(Some(sel))) {
                s.values.insert(idref.clone(), v.to_owned());
                changed.push(idref.clone());
            }
        }
        for rr in &q.refine_rules {
            if let Some(sev) = &rr.severity {
                s.severity.insert(rr.idref.clone(), sev.clone());
            }
        }
    }
    let mut seen = HashSet::new();
    s.customized = bench.value_order.iter().filter(|v| changed.contains(v) && seen.insert(*v)).cloned().collect();
    let description = profile_description(content, &p.id);
    s.profile = Some((p.id.clone(), p.title.clone(), description));
    Ok(s)
}

/// A profile's description as HTML (from the benchmark; a tailoring
/// profile's is its plain text).
fn profile_description(content: &Content, id: &str) -> String {
    let t = &content.tree;
    for p in t.children_named(content.benchmark_node, NS_XCCDF, "Profile") {
        if t.attr(p, "id") == Some(id) {
            return t
                .child(p, NS_XCCDF, "description")
                .map(|d| xhtml::html(raw_element(&content.src, t, d), &|_: &str| None))
                .unwrap_or_default();
        }
    }
    content
        .benchmark
        .profiles
        .iter()
        .find(|p| p.id == id)
        .map(|p| scapc_xml::escape_text(&p.description).into_owned())
        .unwrap_or_default()
}

/// A node of the Group tree.
#[derive(Debug, Clone)]
pub enum Item {
    Group { id: String, node: NodeId, children: Vec<Item> },
    Rule { id: String, node: NodeId },
}

impl Item {
    /// Rule ids under this item, in order.
    pub fn rules<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Item::Rule { id, .. } => out.push(id),
            Item::Group { children, .. } => children.iter().for_each(|c| c.rules(out)),
        }
    }
}

/// The benchmark's Groups and Rules in document order, keeping only the
/// rules `keep` accepts and the groups that hold one.
pub fn item_tree(content: &Content, keep: &dyn Fn(&str) -> bool) -> Vec<Item> {
    fn walk(t: &Tree, n: NodeId, depth: usize, keep: &dyn Fn(&str) -> bool, out: &mut Vec<Item>) {
        for k in t.children(n) {
            if t.ns(k) != NS_XCCDF {
                continue;
            }
            match t.local(k) {
                "Rule" => {
                    let id = t.attr(k, "id").unwrap_or("");
                    if keep(id) {
                        out.push(Item::Rule { id: id.to_owned(), node: k });
                    }
                }
                "Group" if depth >= MAX_DEPTH => walk(t, k, depth, keep, out),
                "Group" => {
                    let mut children = Vec::new();
                    walk(t, k, depth + 1, keep, &mut children);
                    if !children.is_empty() {
                        out.push(Item::Group { id: t.attr(k, "id").unwrap_or("").to_owned(), node: k, children });
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&content.tree, content.benchmark_node, 0, keep, &mut out);
    out
}

/// Whether a rule is selected: its own selection and every enclosing
/// group's, after the profile.
pub fn rule_selected(content: &Content, sel: &Selection, rule: &Rule) -> bool {
    if sel.all {
        return true;
    }
    let on = |id: &str, default: bool| sel.selected.get(id).copied().unwrap_or(default);
    on(&rule.id, rule.selected)
        && rule.groups.iter().all(|g| on(g, content.benchmark.groups.get(g).is_none_or(|g| g.selected)))
}

/// Reads prose and checks of one benchmark, with Values substituted.
pub struct Reader<'c> {
    pub content: &'c Content,
    pub sel: &'c Selection,
    /// Every element whose `id` starts with `oval:`, by id.
    oval_ids: HashMap<&'c str, Vec<NodeId>>,
    titles: HashMap<&'c str, NodeId>,
}

impl<'c> Reader<'c> {
    pub fn new(content: &'c Content, sel: &'c Selection) -> Reader<'c> {
        let t = &content.tree;
        let mut oval_ids: HashMap<&str, Vec<NodeId>> = HashMap::new();
        let mut titles = HashMap::new();
        for (i, n) in t.nodes.iter().enumerate() {
            let Some(a) = n.attrs.iter().find(|a| a.ns == 0 && t.name(a.local) == "id") else { continue };
            if a.value.starts_with("oval:") {
                oval_ids.entry(a.value.as_str()).or_default().push(i as NodeId);
            } else if a.value.starts_with("xccdf_") {
                titles.insert(a.value.as_str(), i as NodeId);
            }
        }
        Reader { content, sel, oval_ids, titles }
    }

    /// What a `<sub idref>` becomes.
    pub fn sub(&self, idref: &str) -> Option<String> {
        if let Some(v) = self.sel.values.get(idref) {
            return Some(v.clone());
        }
        let n = *self.titles.get(idref)?;
        let t = &self.content.tree;
        t.child(n, NS_XCCDF, "title").map(|x| t.text(x).trim().to_owned())
    }

    /// The child `local` of `node` as HTML (empty when absent).
    pub fn prose(&self, node: NodeId, local: &str) -> String {
        let t = &self.content.tree;
        t.child(node, NS_XCCDF, local).map(|c| self.html(c)).unwrap_or_default()
    }

    /// Every child `local` of `node` as HTML.
    pub fn prose_all(&self, node: NodeId, local: &str) -> Vec<(NodeId, String)> {
        let t = &self.content.tree;
        t.children_named(node, NS_XCCDF, local).map(|c| (c, self.html(c))).collect()
    }

    pub fn html(&self, node: NodeId) -> String {
        xhtml::html(raw_element(&self.content.src, &self.content.tree, node), &|id: &str| self.sub(id))
    }

    pub fn text(&self, node: NodeId) -> String {
        xhtml::text(raw_element(&self.content.src, &self.content.tree, node), &|id: &str| self.sub(id))
    }

    /// A title (plain text).
    pub fn title(&self, node: NodeId) -> String {
        let t = &self.content.tree;
        t.child(node, NS_XCCDF, "title").map(|x| self.text(x).trim().to_owned()).unwrap_or_default()
    }

    /// The rule's fix scripts: (system, script), Values substituted.
    pub fn fixes(&self, rule: NodeId) -> Vec<(String, String)> {
        let t = &self.content.tree;
        t.children_named(rule, NS_XCCDF, "fix")
            .map(|f| (t.attr(f, "system").unwrap_or("").to_owned(), self.text(f).trim_matches('\n').to_owned()))
            .collect()
    }

    /// The rule's check in words, as HTML.
    pub fn check_words(&self, rule: NodeId) -> String {
        let t = &self.content.tree;
        let mut out = String::new();
        let checks: Vec<NodeId> = match t.child(rule, NS_XCCDF, "complex-check") {
            Some(cc) => t.all_in(cc, NS_XCCDF, "check").to_vec(),
            None => t.children_named(rule, NS_XCCDF, "check").collect(),
        };
        for c in checks {
            let system = t.attr(c, "system").unwrap_or("");
            for r in t.children_named(c, NS_XCCDF, "check-content-ref") {
                let href = t.attr(r, "href").unwrap_or("");
                let name = t.attr(r, "name");
                match system {
                    SYS_OVAL => match name.and_then(|n| self.oval_node(href, n)) {
                        Some(def) => {
                            out.push_str("<div class=\"check\">");
                            self.definition_words(def, 0, &mut out);
                            out.push_str("</div>");
                        }
                        None => out.push_str(&format!(
                            "<p class=\"check\">OVAL definition <code>{}</code> in <code>{}</code>.</p>",
                            esc(name.unwrap_or("(every definition)")),
                            esc(href)
                        )),
                    },
                    SYS_OCIL => out.push_str(&format!(
                        "<p class=\"check\">A question for a person (OCIL questionnaire <code>{}</code>).</p>",
                        esc(name.unwrap_or(href))
                    )),
                    SYS_SCE => out.push_str(&format!(
                        "<p class=\"check\">A script (SCE) runs on the target: <code>{}</code>; it passes when it exits with the pass code.</p>",
                        esc(href)
                    )),
                    other => out.push_str(&format!(
                        "<p class=\"check\">A <code>{}</code> check: <code>{}</code>.</p>",
                        esc(other),
                        esc(name.unwrap_or(href))
                    )),
                }
            }
        }
        out
    }

    /// The OVAL element `id` inside the component `href` resolves to.
    fn oval_node(&self, href: &str, id: &str) -> Option<NodeId> {
        let cands = self.oval_ids.get(id)?;
        if let Some((_, root)) = self.content.resolve(href) {
            let end = self.content.tree.subtree_end(root);
            if let Some(n) = cands.iter().find(|&&n| n > root && n < end) {
                return Some(*n);
            }
        }
        cands.first().copied()
    }

    fn oval_in_same(&self, near: NodeId, id: &str) -> Option<NodeId> {
        let cands = self.oval_ids.get(id)?;
        // the candidate in the same component: the nearest one before or after
        cands.iter().min_by_key(|&&n| (n as i64 - near as i64).unsigned_abs()).copied()
    }

    fn definition_words(&self, def: NodeId, depth: usize, out: &mut String) {
        let t = &self.content.tree;
        let title = t
            .child(def, NS_OVAL_DEF, "metadata")
            .and_then(|m| t.child(m, NS_OVAL_DEF, "title"))
            .map(|x| t.text(x).trim().to_owned())
            .unwrap_or_default();
        out.push_str(&format!(
            "<p>OVAL definition <code>{}</code>{}{}</p>",
            esc(t.attr(def, "id").unwrap_or("")),
            if title.is_empty() { "" } else { ": " },
            esc(&title)
        ));
        if let Some(c) = t.child(def, NS_OVAL_DEF, "criteria") {
            out.push_str("<ul class=\"criteria\">");
            self.criteria_words(c, depth, out);
            out.push_str("</ul>");
        }
    }

    fn criteria_words(&self, c: NodeId, depth: usize, out: &mut String) {
        let t = &self.content.tree;
        let neg = t.attr(c, "negate") == Some("true");
        let op = match (t.attr(c, "operator").unwrap_or("AND"), neg) {
            ("OR", false) => "at least one of",
            ("OR", true) => "none of",
            ("ONE", false) => "exactly one of",
            ("ONE", true) => "not exactly one of",
            ("XOR", _) => "an odd number of",
            (_, false) => "all of",
            (_, true) => "not all of",
        };
        let kids: Vec<NodeId> = t.children(c).collect();
        out.push_str(&format!("<li>{}{op}:<ul>", if depth == 0 { "Passes when " } else { "" }));
        for k in kids {
            let n = if t.attr(k, "negate") == Some("true") { "not: " } else { "" };
            match t.local(k) {
                "criteria" if depth < MAX_DEPTH => self.criteria_words(k, depth + 1, out),
                "criterion" => {
                    let id = t.attr(k, "test_ref").unwrap_or("");
                    let test = self.oval_in_same(k, id);
                    let comment = test
                        .and_then(|x| t.attr(x, "comment"))
                        .or_else(|| t.attr(k, "comment"))
                        .unwrap_or("(no description)");
                    let extra = test.map(|x| self.test_terms(x)).unwrap_or_default();
                    out.push_str(&format!("<li>{n}{}{extra} <code class=\"id\">{}</code></li>", esc(comment), esc(id)));
                }
                "extend_definition" => {
                    let id = t.attr(k, "definition_ref").unwrap_or("");
                    let title = self
                        .oval_in_same(k, id)
                        .and_then(|d| t.child(d, NS_OVAL_DEF, "metadata"))
                        .and_then(|m| t.child(m, NS_OVAL_DEF, "title"))
                        .map(|x| t.text(x).trim().to_owned())
                        .unwrap_or_else(|| id.to_owned());
                    out.push_str(&format!(
                        "<li>{n}the definition “{}” is true <code class=\"id\">{}</code></li>",
                        esc(&title),
                        esc(id)
                    ));
                }
                _ => {}
            }
        }
        out.push_str("</ul></li>");
    }

    /// A test's non-default check and existence, in words.
    fn test_terms(&self, test: NodeId) -> String {
        let t = &self.content.tree;
        let mut parts = Vec::new();
        match t.attr(test, "check_existence") {
            Some("none_exist") => parts.push("nothing may exist"),
            Some("any_exist") => parts.push("any number may exist"),
            Some("all_exist") => parts.push("all must exist"),
            Some("only_one_exists") => parts.push("exactly one must exist"),
            _ => {}
        }
        match t.attr(test, "check") {
            Some("at least one") => parts.push("at least one item must match"),
            Some("none satisfy") => parts.push("no item may match"),
            Some("only one") => parts.push("exactly one item must match"),
            _ => {}
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" <small>({})</small>", parts.join("; "))
        }
    }
}

pub fn esc(s: &str) -> String {
    scapc_xml::escape_text(s).replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = r#"<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" xmlns:h="http://www.w3.org/1999/xhtml" id="xccdf_x_benchmark_b">
  <title>B</title>
  <Profile id="xccdf_x_profile_base"><title>Base</title><select idref="xccdf_x_rule_a" selected="true"/><select idref="xccdf_x_rule_b" selected="true"/></Profile>
  <Profile id="xccdf_x_profile_strict" extends="xccdf_x_profile_base"><title>Strict</title>
    <select idref="xccdf_x_rule_b" selected="false"/><refine-value idref="xccdf_x_value_age" selector="short"/>
    <set-value idref="xccdf_x_value_name">bob</set-value><refine-rule idref="xccdf_x_rule_a" severity="high"/></Profile>
  <Profile id="xccdf_x_profile_loop" extends="xccdf_x_profile_loop2"><title>L</title></Profile>
  <Profile id="xccdf_x_profile_loop2" extends="xccdf_x_profile_loop"><title>L2</title></Profile>
  <Value id="xccdf_x_value_age" type="number"><title>Age</title><value>365</value><value selector="short">60</value></Value>
  <Value id="xccdf_x_value_name"><title>Name</title><value>root</value></Value>
  <Group id="xccdf_x_group_g"><title>G</title>
    <Rule id="xccdf_x_rule_a" selected="false" severity="low"><title>A</title><description>Max <sub idref="xccdf_x_value_age"/> days for <h:tt><sub idref="xccdf_x_value_name"/></h:tt></description></Rule>
    <Group id="xccdf_x_group_off" selected="false"><title>Off</title><Rule id="xccdf_x_rule_c"><title>C</title></Rule></Group>
  </Group>
  <Rule id="xccdf_x_rule_b" selected="false"><title>B</title></Rule>
</Benchmark>"#;

    fn content() -> Content {
        // A standalone benchmark, read as `scapc guide b.xml` reads it.
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("b.xml");
        std::fs::write(&p, B).unwrap();
        Content::load_with(&p, &Default::default()).unwrap()
    }

    fn selected(c: &Content, s: &Selection) -> Vec<String> {
        c.benchmark.rules.iter().filter(|r| rule_selected(c, s, r)).map(|r| r.id.clone()).collect()
    }

    #[test]
    fn profiles_select_extend_and_set_values() {
        let c = content();
        let base = select(&c, &[], Some("base")).unwrap();
        assert_eq!(selected(&c, &base), ["xccdf_x_rule_a", "xccdf_x_rule_b"]);
        assert_eq!(base.values["xccdf_x_value_age"], "365");
        let strict = select(&c, &[], Some("xccdf_x_profile_strict")).unwrap();
        assert_eq!(selected(&c, &strict), ["xccdf_x_rule_a"]);
        assert_eq!(strict.values["xccdf_x_value_age"], "60");
        assert_eq!(strict.values["xccdf_x_value_name"], "bob");
        assert_eq!(strict.customized, ["xccdf_x_value_age", "xccdf_x_value_name"]);
        assert_eq!(strict.severity["xccdf_x_rule_a"], "high");
        // no profile: the benchmark's own selection; a deselected group hides its rules
        let none = select(&c, &[], None).unwrap();
        assert!(selected(&c, &none).is_empty());
        let all = select(&c, &[], Some("(all)")).unwrap();
        assert_eq!(selected(&c, &all).len(), 3);
        let e = select(&c, &[], Some("nope")).unwrap_err();
        assert!(e.contains("no profile `nope`") && e.contains("xccdf_x_profile_base"), "{e}");
        let e = select(&c, &[], Some("loop")).unwrap_err();
        assert!(e.contains("extends itself"), "{e}");
    }

    #[test]
    fn prose_gets_the_profile_values_and_the_tree_keeps_only_selected_rules() {
        let c = content();
        let strict = select(&c, &[], Some("strict")).unwrap();
        let r = Reader::new(&c, &strict);
        let items = item_tree(&c, &|id| id == "xccdf_x_rule_a");
        assert_eq!(items.len(), 1);
        let Item::Group { children, .. } = &items[0] else { panic!("a group") };
        let Item::Rule { node, .. } = children[0] else { panic!("a rule") };
        assert_eq!(
            r.prose(node, "description"),
            "Max <span class=\"value\">60</span> days for <tt><span class=\"value\">bob</span></tt>"
        );
    }
}
