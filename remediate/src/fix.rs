//! Fix generation: one bash script or one Ansible playbook holding the fix
//! of every selected rule of a profile, in benchmark order.
//!
//! A fix's text is taken from the data stream as written (CDATA, entities
//! and character references decoded); each `<sub idref>` becomes the value
//! the profile (and tailoring, and a results file's `set-value`s) gives the
//! Value, or the text of a `plain-text`; `<instance>` becomes nothing.
//! SCAP Security Guide style Ansible fixes that declare
//! `- (xccdf-var NAME)` get `NAME` as a play variable. Platform guards are
//! part of the fix texts (the compiler and ComplianceAsCode put them there),
//! so they are kept as they are.

use scapc_eval::xccdf::content::{Benchmark, Content, Profile};
use scapc_eval::xccdf::NS_XCCDF;
use scapc_xml::tree::{NodeId, Tree};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The fix system URN of bash scripts.
pub const SYS_SH: &str = "urn:xccdf:fix:script:sh";
/// The fix system URN of Ansible tasks.
pub const SYS_ANSIBLE: &str = "urn:xccdf:fix:script:ansible";

/// Which kind of remediation to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixType {
    Bash,
    Ansible,
    /// Kickstart commands (`urn:xccdf:fix:script:kickstart`), gathered
    /// into one kickstart file ([`crate::image::kickstart`]).
    Kickstart,
    /// osbuild blueprint TOML (`urn:redhat:osbuild:blueprint`), gathered
    /// into one blueprint ([`crate::image::blueprint`]).
    Blueprint,
    /// Package commands for a bootable container build
    /// (`urn:xccdf:fix:script:bootc`), gathered into one script
    /// ([`crate::image::bootc`]).
    Bootc,
    /// Anaconda commands (`urn:redhat:anaconda:pre`), the fixes' text one
    /// after the other.
    Anaconda,
    /// What `eval --remediate` runs: a shell script, else a Python or Perl
    /// one (see [`interpreter`]).
    Script,
}

impl FixType {
    /// The XCCDF fix system URNs, preferred first.
    pub fn systems(self) -> &'static [&'static str] {
        match self {
            FixType::Bash => &[SYS_SH],
            FixType::Ansible => &[SYS_ANSIBLE],
            FixType::Script => &[SYS_SH, SYS_PYTHON3, SYS_PYTHON, SYS_PERL],
            FixType::Kickstart => &[SYS_KICKSTART],
            FixType::Blueprint => &[SYS_BLUEPRINT],
            FixType::Bootc => &[SYS_BOOTC],
            FixType::Anaconda => &[SYS_ANACONDA],
        }
    }
}

/// Kickstart commands.
pub const SYS_KICKSTART: &str = "urn:xccdf:fix:script:kickstart";
/// osbuild blueprint TOML.
pub const SYS_BLUEPRINT: &str = "urn:redhat:osbuild:blueprint";
/// bootc image build commands.
pub const SYS_BOOTC: &str = "urn:xccdf:fix:script:bootc";
/// Anaconda commands run before installation.
pub const SYS_ANACONDA: &str = "urn:redhat:anaconda:pre";
const SYS_PYTHON3: &str = "urn:xccdf:fix:script:python3";
const SYS_PYTHON: &str = "urn:xccdf:fix:script:python";
const SYS_PERL: &str = "urn:xccdf:fix:script:perl";

/// The program that runs a script fix of a system: bash for shell
/// scripts, python3 for Python (scripts for Python 2 are run by python3,
/// as current systems have no other), perl.
pub fn interpreter(system: &str) -> Option<&'static str> {
    match system {
        SYS_SH => Some("/bin/bash"),
        SYS_PYTHON | SYS_PYTHON3 => Some("/usr/bin/python3"),
        SYS_PERL => Some("/usr/bin/perl"),
        _ => None,
    }
}

/// A profile resolved: the rules it selects, in benchmark order, and the
/// value of every Value.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// (id, title) of the profile; None for the benchmark's defaults.
    pub profile: Option<(String, String)>,
    /// Indexes into `Benchmark::rules`, in benchmark order.
    pub rules: Vec<usize>,
    /// Value id → the value in force.
    pub values: HashMap<String, String>,
}

/// Resolves a profile (by full id, by the part after `_profile_`, `(all)`
/// for every rule, or None for the benchmark's own selection), as XCCDF
/// 1.2 processing does: the extends chain base first, select, set-value,
/// refine-value, groups, requires and conflicts.
pub fn select(bench: &Benchmark, tailoring: &[Profile], profile: Option<&str>) -> Result<Selection, String> {
    let all = profile == Some("(all)");
    let mut selected: HashMap<String, bool> = HashMap::new();
    let mut set_values: HashMap<String, String> = HashMap::new();
    let mut selectors: HashMap<String, String> = HashMap::new();
    let mut prof = None;
    if let Some(want) = profile.filter(|p| *p != "(all)") {
        let id = scapc_eval::xccdf::run::find_profile_id(bench, tailoring, want)
            .ok_or_else(|| scapc_eval::xccdf::run::no_such_profile(bench, tailoring, want))?;
        let find = |id: &str| tailoring.iter().chain(bench.profiles.iter()).find(|p| p.id == id);
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut cur = Some(id.clone());
        while let Some(c) = cur {
            if !seen.insert(c.clone()) {
                return Err(format!("profile `{id}` extends itself (through `{c}`)"));
            }
            let p = find(&c).ok_or_else(|| format!("profile `{id}` extends `{c}`, which does not exist"))?;
            chain.push(p);
            cur = p.extends.clone();
        }
        for p in chain.iter().rev() {
            for (idref, sel) in &p.selects {
                selected.insert(idref.clone(), *sel);
            }
            for (idref, v) in &p.set_values {
                set_values.insert(idref.clone(), v.clone());
            }
            for (idref, s) in &p.refine_values {
                selectors.insert(idref.clone(), s.clone());
                set_values.remove(idref);
            }
        }
        prof = Some((id.clone(), chain[0].title.clone()));
    }
    let is_selected = |id: &str, default: bool| all || selected.get(id).copied().unwrap_or(default);
    let group_ok = |gid: &str| bench.groups.get(gid).is_some_and(|g| is_selected(gid, g.selected));
    let chosen: Vec<bool> = bench
        .rules
        .iter()
        .map(|r| is_selected(&r.id, r.selected) && (all || r.groups.iter().all(|g| group_ok(g))))
        .collect();
    let index: HashMap<&str, usize> = bench.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let item_selected = |id: &str| match index.get(id) {
        Some(&i) => chosen[i],
        None => bench.groups.get(id).is_some_and(|g| is_selected(id, g.selected)),
    };
    let rules = bench
        .rules
        .iter()
        .enumerate()
        .filter(|(i, r)| {
            chosen[*i]
                && !r.conflicts.iter().any(|c| item_selected(c))
                && r.requires.iter().all(|list| list.iter().any(|x| item_selected(x)))
        })
        .map(|(i, _)| i)
        .collect();
    let mut values = HashMap::new();
    for (id, v) in &bench.values {
        let val = set_values
            .get(id)
            .cloned()
            .or_else(|| v.value(selectors.get(id).map(String::as_str)).map(str::to_owned))
            .unwrap_or_default();
        values.insert(id.clone(), val);
    }
    Ok(Selection { profile: prof, rules, values })
}

/// What a results file (ARF or an XCCDF TestResult) says: the profile it
/// was scanned with, the rules that failed, and the values it used.
#[derive(Debug, Clone, Default)]
pub struct ResultsInfo {
    /// The TestResult's id.
    pub id: String,
    pub profile: Option<String>,
    pub failed: HashSet<String>,
    pub set_values: Vec<(String, String)>,
}

/// Reads the failed rules out of an ARF report or XCCDF results file (the
/// last TestResult, the most recent).
pub fn read_results(path: &Path) -> Result<ResultsInfo, String> {
    read_results_id(path, None)
}

/// [`read_results`] of the TestResult `result_id` names (its full id, else
/// the one id that ends with it), by default the last.
pub fn read_results_id(path: &Path, result_id: Option<&str>) -> Result<ResultsInfo, String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let tree = Tree::parse(&src).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
    let tr = find_test_result(&tree, result_id).map_err(|e| format!("{}: {e}", path.display()))?;
    let ns = tree.ns(tr).to_owned();
    let mut info = ResultsInfo {
        id: tree.attr(tr, "id").unwrap_or_default().to_owned(),
        profile: tree.child(tr, &ns, "profile").and_then(|p| tree.attr(p, "idref")).map(str::to_owned),
        ..Default::default()
    };
    for sv in tree.children_named(tr, &ns, "set-value") {
        if let Some(id) = tree.attr(sv, "idref") {
            info.set_values.push((id.to_owned(), tree.text(sv).to_owned()));
        }
    }
    for rr in tree.children_named(tr, &ns, "rule-result") {
        let result = tree.child(rr, &ns, "result").map(|r| tree.text(r).trim()).unwrap_or("");
        if result == "fail" {
            if let Some(id) = tree.attr(rr, "idref") {
                info.failed.insert(id.to_owned());
            }
        }
    }
    Ok(info)
}

/// The TestResult (XCCDF 1.2 or 1.1) of a results document that `want`
/// names: its full id, else the only id that ends with `want`; by default
/// the last one. An error names the candidates.
pub fn find_test_result(tree: &Tree, want: Option<&str>) -> Result<NodeId, String> {
    let mut all = tree.all(NS_XCCDF, "TestResult").to_vec();
    all.extend(tree.all(scapc_eval::xccdf::NS_XCCDF_11, "TestResult"));
    all.sort_unstable();
    let id = |n: NodeId| tree.attr(n, "id").unwrap_or_default();
    let Some(&last) = all.last() else {
        return Err("no XCCDF TestResult in the file; give an ARF report or XCCDF results \
             (`scapc eval --results-arf` or `--results` writes them)"
            .into());
    };
    let Some(want) = want else { return Ok(last) };
    if let Some(&n) = all.iter().find(|&&n| id(n) == want) {
        return Ok(n);
    }
    let ends: Vec<NodeId> = all.iter().copied().filter(|&n| id(n).ends_with(want)).collect();
    let ids = |v: &[NodeId]| v.iter().map(|&n| format!("`{}`", id(n))).collect::<Vec<_>>().join(", ");
    match ends.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!(
            "no TestResult has the id `{want}` or an id that ends with it; the TestResults are {}",
            ids(&all)
        )),
        many => {
            Err(format!("several TestResults have an id that ends with `{want}`: {}; give more of the id", ids(many)))
        }
    }
}

/// One rule's fix, ready to emit.
#[derive(Debug, Clone)]
pub struct RuleFix {
    pub rule_id: String,
    pub title: String,
    /// The fix's system URN.
    pub system: String,
    /// The text with substitutions done.
    pub text: String,
    /// Ansible: `(variable name, value)` declared by `- (xccdf-var NAME)`.
    pub vars: Vec<(String, String)>,
}

/// The fixes to emit and what was left out.
#[derive(Debug, Clone, Default)]
pub struct FixPlan {
    pub profile: Option<(String, String)>,
    /// The profile's description (its text, one line per line).
    pub profile_description: String,
    pub fixes: Vec<RuleFix>,
    /// Selected rules (after the results filter) without a fix of the type.
    pub without_fix: Vec<String>,
    /// Of those, the rules that have fixes, none of the type (oscap: "No
    /// suitable fix found").
    pub unsuitable: Vec<String>,
    /// Rules whose fix was left out because a `<sub>` or `<instance>`
    /// could not be substituted: (rule id, why).
    pub unresolved: Vec<(String, String)>,
    /// How many rules were selected (before the results filter).
    pub selected: usize,
}

/// Settings for [`plan`].
#[derive(Debug, Clone, Default)]
pub struct PlanOptions<'a> {
    pub profile: Option<&'a str>,
    pub tailoring: &'a [Profile],
    /// Only these rules (from a results file), if given.
    pub only: Option<&'a HashSet<String>>,
    /// Values that override the profile's (a results file's `set-value`s).
    pub set_values: &'a [(String, String)],
}

/// Chooses the fixes of one type for a profile.
pub fn plan(content: &Content, kind: FixType, opts: &PlanOptions<'_>) -> Result<FixPlan, String> {
    plan_for_instance(content, kind, opts, None)
}

/// [`plan`], with what an `<instance>` in a fix becomes (the instance of
/// the rule-result being remediated); with None such a fix cannot be
/// substituted.
pub fn plan_for_instance(
    content: &Content,
    kind: FixType,
    opts: &PlanOptions<'_>,
    instance: Option<&str>,
) -> Result<FixPlan, String> {
    let bench = &content.benchmark;
    let mut sel = select(bench, opts.tailoring, opts.profile)?;
    for (id, v) in opts.set_values {
        sel.values.insert(id.clone(), v.clone());
    }
    let nodes = rule_nodes(content);
    let plain_texts = plain_texts(content);
    let profile_description = sel
        .profile
        .as_ref()
        .and_then(|(id, _)| opts.tailoring.iter().chain(bench.profiles.iter()).find(|p| &p.id == id))
        .map(|p| p.description.clone())
        .unwrap_or_default();
    let mut out =
        FixPlan { profile: sel.profile.clone(), profile_description, selected: sel.rules.len(), ..Default::default() };
    for &i in &sel.rules {
        let rule = &bench.rules[i];
        if opts.only.is_some_and(|o| !o.contains(&rule.id)) {
            continue;
        }
        let Some(&node) = nodes.get(rule.id.as_str()) else { continue };
        let Some(fix) = choose_fix(&content.tree, node, bench.ns, kind.systems()) else {
            if content.tree.children_named(node, bench.ns, "fix").next().is_some() {
                out.unsuitable.push(rule.id.clone());
            }
            out.without_fix.push(rule.id.clone());
            continue;
        };
        let raw = scapc_eval::xccdf::content::raw_element(&content.src, &content.tree, fix);
        let lookup = |idref: &str, use_: &str| -> Result<String, String> {
            if use_ == INSTANCE_USE {
                return instance.map(str::to_owned).ok_or_else(|| INSTANCE.to_owned());
            }
            if use_ == "title" {
                if let Some(v) = bench.values.get(idref) {
                    return Ok(v.title.clone());
                }
                if let Some(r) = bench.rules.iter().find(|r| r.id == idref) {
                    return Ok(r.title.clone());
                }
            }
            sel.values
                .get(idref)
                .cloned()
                .or_else(|| plain_texts.get(idref).cloned())
                .ok_or_else(|| format!("`<sub idref=\"{idref}\">` names no Value or plain-text"))
        };
        let mut text = match render(raw, &lookup) {
            Ok(t) => t,
            Err(e) => {
                out.unresolved.push((rule.id.clone(), e));
                continue;
            }
        };
        let mut vars = Vec::new();
        if kind == FixType::Ansible {
            let (t, names) = take_xccdf_vars(&text);
            text = t;
            for name in names {
                let value = value_by_name(bench, &sel.values, &name).ok_or_else(|| {
                    format!("rule {}: the Ansible fix declares `(xccdf-var {name})`, which names no Value", rule.id)
                })?;
                vars.push((name, value));
            }
        }
        let system = content.tree.attr(fix, "system").unwrap_or_default().to_owned();
        out.fixes.push(RuleFix { rule_id: rule.id.clone(), title: rule.title.clone(), system, text, vars });
    }
    Ok(out)
}

/// The fix of a Rule to use, of the given systems, as oscap chooses one:
/// if any fix needs no reboot, the ones that need a reboot are dropped; if
/// one has disruption `low` or `medium`, only the fixes of that (the last
/// such) disruption are kept; then the first of the most preferred system.
pub fn choose_fix(tree: &Tree, rule: NodeId, ns: &str, systems: &[&str]) -> Option<NodeId> {
    let sys = |f: NodeId| tree.attr(f, "system").unwrap_or_default();
    let mut fixes: Vec<NodeId> = tree.children_named(rule, ns, "fix").filter(|&f| systems.contains(&sys(f))).collect();
    let reboot = |f: NodeId| matches!(tree.attr(f, "reboot"), Some("true" | "1"));
    if fixes.iter().any(|&f| !reboot(f)) {
        fixes.retain(|&f| !reboot(f));
    }
    let disruption =
        fixes.iter().rev().filter_map(|&f| tree.attr(f, "disruption")).find(|d| matches!(*d, "low" | "medium"));
    if let Some(d) = disruption {
        fixes.retain(|&f| tree.attr(f, "disruption") == Some(d));
    }
    systems.iter().find_map(|s| fixes.iter().copied().find(|&f| sys(f) == *s))
}

fn rule_nodes(content: &Content) -> HashMap<&str, NodeId> {
    let t = &content.tree;
    t.all_in(content.benchmark_node, content.benchmark.ns, "Rule")
        .iter()
        .filter_map(|&r| Some((t.attr(r, "id")?, r)))
        .collect()
}

fn plain_texts(content: &Content) -> HashMap<String, String> {
    let t = &content.tree;
    t.children_named(content.benchmark_node, content.benchmark.ns, "plain-text")
        .filter_map(|p| Some((t.attr(p, "id")?.to_owned(), t.text(p).to_owned())))
        .collect()
}

/// A Value by the name SCAP Security Guide's `xccdf-var` uses: the full id
/// or the part after `_value_`.
fn value_by_name(bench: &Benchmark, values: &HashMap<String, String>, name: &str) -> Option<String> {
    if let Some(v) = values.get(name) {
        return Some(v.clone());
    }
    let suffix = format!("_value_{name}");
    let mut ids: Vec<&String> = bench.values.keys().filter(|id| id.ends_with(&suffix)).collect();
    ids.sort();
    ids.first().and_then(|id| values.get(*id).cloned())
}

/// Removes `- (xccdf-var NAME)` lines, returning the text and the names.
fn take_xccdf_vars(text: &str) -> (String, Vec<String>) {
    let mut names = Vec::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(name) = t.strip_prefix("- (xccdf-var ").and_then(|r| r.strip_suffix(')')) {
            names.push(name.trim().to_owned());
            continue;
        }
        out.push_str(line);
    }
    (out, names)
}

/// Gives the text for `<sub idref use>`: (idref, use) → text.
pub type Lookup<'a> = dyn Fn(&str, &str) -> Result<String, String> + 'a;

/// The text of a `fix` element given as source: text, CDATA and
/// references decoded, comments dropped, `<sub idref>` and XHTML
/// `<object data="#xccdf:value:ID">` replaced through `lookup`. An
/// `<instance>` cannot be substituted (there is no instance context), nor
/// can any other element: an error, as oscap aborts such a fix.
pub fn render(raw: &str, lookup: &Lookup<'_>) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(raw);
    let mut out = String::new();
    let mut depth = 0usize;
    loop {
        let ev = r.read_event().map_err(|e| format!("the fix is not well-formed XML: {e}"))?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth > 1 {
                    out.push_str(&child_value(&e, lookup)?);
                }
            }
            Event::Empty(e) if depth > 0 => out.push_str(&child_value(&e, lookup)?),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) => {
                out.push_str(&t.decode().map_err(|e| format!("bad text in the fix: {e}"))?);
            }
            Event::CData(c) => out.push_str(&String::from_utf8_lossy(c.as_ref())),
            Event::GeneralRef(g) => {
                let name = String::from_utf8_lossy(g.as_ref()).into_owned();
                out.push(entity(&name).ok_or_else(|| format!("unknown entity `&{name};` in the fix"))?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// What a child element of a fix stands for: a `<sub>`'s value, an XHTML
/// `<object data="#xccdf:value:ID">`'s value. An `<instance>` or any other
/// element cannot be resolved (oscap aborts such a fix as well).
fn child_value(e: &quick_xml::events::BytesStart<'_>, lookup: &Lookup<'_>) -> Result<String, String> {
    match local(e.name().as_ref()) {
        b"sub" => sub_value(e, lookup),
        b"instance" => lookup("", INSTANCE_USE).map_err(|_| INSTANCE.into()),
        b"object" => {
            let data = e
                .attributes()
                .flatten()
                .find(|a| a.key.as_ref() == b"data")
                .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
                .unwrap_or_default();
            if let Some(id) = data.strip_prefix("#xccdf:value:") {
                lookup(id, "value")
            } else if let Some(id) = data.strip_prefix("#xccdf:title:") {
                lookup(id, "title")
            } else {
                Err(format!("the fix has an `<object data=\"{data}\">`, which names no Value or title"))
            }
        }
        other => {
            Err(format!("the fix contains an element that cannot be resolved: `<{}>`", String::from_utf8_lossy(other)))
        }
    }
}

const INSTANCE: &str = "the fix has an `<instance>` element, and there is no instance context to put there";

/// The `use` [`render`] asks a [`Lookup`] for when it meets an
/// `<instance>`: the instance of the rule-result being remediated (the
/// idref is empty); a lookup without one answers an error.
pub const INSTANCE_USE: &str = "#instance";

fn local(name: &[u8]) -> &[u8] {
    name.rsplit(|b| *b == b':').next().unwrap_or(name)
}

fn sub_value(e: &quick_xml::events::BytesStart<'_>, lookup: &Lookup<'_>) -> Result<String, String> {
    let mut idref = None;
    let mut use_ = String::from("value");
    for a in e.attributes().flatten() {
        let v = a.unescape_value().map_err(|x| format!("bad attribute in a sub: {x}"))?.into_owned();
        match a.key.as_ref() {
            b"idref" => idref = Some(v),
            b"use" => use_ = v,
            _ => {}
        }
    }
    let idref = idref.ok_or("a `sub` element in a fix has no idref")?;
    lookup(&idref, &use_)
}

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x').or_else(|| n.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

/// Where the fixes come from, for the header.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub benchmark_id: String,
    pub benchmark_version: String,
    pub source: String,
    /// `Some(n)`: the fixes were filtered by a results file with n failures.
    pub from_results: Option<usize>,
}

fn header_lines(plan: &FixPlan, origin: &Origin, what: &str) -> Vec<String> {
    let mut h = Vec::new();
    match &plan.profile {
        Some((id, title)) => h.push(format!("{what} for profile '{id}'{}", quote_title(title))),
        None => h.push(format!("{what} for the benchmark's default selection")),
    }
    h.extend(plan.profile_description.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
    h.push(format!("Benchmark: {} version {}", origin.benchmark_id, origin.benchmark_version));
    h.push(format!("Generated by scapc {} from {}", env!("CARGO_PKG_VERSION"), origin.source));
    if let Some(n) = origin.from_results {
        h.push(format!("Only the rules that failed in the results given ({n} failed)"));
    }
    h.push(format!(
        "{} selected rules, {} fixes here, {} without a fix of this kind",
        plan.selected,
        plan.fixes.len(),
        plan.without_fix.len()
    ));
    for (id, why) in &plan.unresolved {
        h.push(format!("Left out, text substitution failed: {id}: {why}"));
    }
    h
}

fn quote_title(t: &str) -> String {
    let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.is_empty() {
        String::new()
    } else {
        format!(" ({t})")
    }
}

/// The bash script: every fix in order, each announced on stderr and run
/// in its own subshell (a fix's `exit`, variables and functions stay in it);
/// the script exits 1 when a fix exited non-zero.
pub fn bash_script(plan: &FixPlan, origin: &Origin) -> String {
    let bar = "#".repeat(79);
    let mut s = String::from("#!/usr/bin/env bash\n");
    s.push_str(&bar);
    s.push('\n');
    for l in header_lines(plan, origin, "Bash remediation") {
        s.push_str(&format!("# {}\n", one_line(&l)));
    }
    s.push_str(&bar);
    s.push_str("\n# Each fix runs in its own subshell; the script exits 1 if one failed.\nscapc_failed=0\n\n");
    let n = plan.fixes.len();
    for (i, f) in plan.fixes.iter().enumerate() {
        s.push_str(&bar);
        s.push('\n');
        s.push_str(&format!("# BEGIN fix ({} / {n}) for '{}'\n", i + 1, one_line(&f.rule_id)));
        s.push_str(&bar);
        s.push('\n');
        let id = shell_safe(&f.rule_id);
        s.push_str(&format!("(>&2 echo \"Remediating rule {}/{n}: '{id}'\")\n(\n", i + 1));
        s.push_str(&f.text);
        if !f.text.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&format!(
            ")\nscapc_rc=$?\nif [ \"$scapc_rc\" -ne 0 ]; then\n    \
             scapc_failed=$((scapc_failed + 1))\n    \
             >&2 echo \"Remediation of '{id}' failed (exit code $scapc_rc)\"\nfi\n"
        ));
        s.push_str(&format!("# END fix for '{}'\n\n", one_line(&f.rule_id)));
    }
    s.push_str("if [ \"$scapc_failed\" -ne 0 ]; then\n    >&2 echo \"$scapc_failed of ");
    s.push_str(&format!("{n} fixes failed\"\n    exit 1\nfi\n"));
    s
}

/// The Ansible playbook: one play on `hosts: all`, the variables the fixes
/// declare, every fix's tasks in order, each task tagged with its rule.
pub fn ansible_playbook(plan: &FixPlan, origin: &Origin) -> String {
    let bar = "#".repeat(79);
    let mut s = String::from("---\n");
    s.push_str(&bar);
    s.push('\n');
    for l in header_lines(plan, origin, "Ansible remediation") {
        s.push_str(&format!("# {}\n", one_line(&l)));
    }
    s.push_str(&bar);
    s.push('\n');
    let name = match &plan.profile {
        Some((id, _)) => format!("Ansible remediation for profile {id}"),
        None => "Ansible remediation".to_owned(),
    };
    s.push_str(&format!("- name: {}\n  hosts: all\n", yaml_quote(&name)));
    let mut vars: BTreeMap<&str, &str> = BTreeMap::new();
    for f in &plan.fixes {
        for (k, v) in &f.vars {
            vars.insert(k, v);
        }
    }
    if !vars.is_empty() {
        s.push_str("  vars:\n");
        for (k, v) in vars {
            s.push_str(&format!("    {k}: {}\n", yaml_quote(v)));
        }
    }
    s.push_str("  tasks:\n");
    if plan.fixes.is_empty() {
        s.push_str("    - name: Nothing to remediate\n      ansible.builtin.meta: noop\n");
    }
    // Each rule's fix is a block of its own whose failure is recorded
    // (rescue) instead of ending the play, so that one failing fix does not
    // keep the others from running, as in the bash script; a last task
    // fails the play, naming the fixes that failed.
    for f in &plan.fixes {
        let id = one_line(&f.rule_id);
        s.push_str(&format!("    # BEGIN fix for '{id}'\n"));
        s.push_str(&format!("    - name: {}\n      block:\n", yaml_quote(&format!("Fix of {id}"))));
        for line in f.text.lines() {
            if line.trim().is_empty() {
                s.push('\n');
            } else {
                s.push_str("        ");
                s.push_str(line);
                s.push('\n');
            }
        }
        s.push_str(&format!(
            "      rescue:\n        - name: Record that the fix of {0} failed\n          ansible.builtin.set_fact:\n            scapc_failed_fixes: \"{{{{ scapc_failed_fixes | default([]) + ['{0}'] }}}}\"\n",
            shell_safe(&f.rule_id)
        ));
        s.push_str(&format!("    # END fix for '{id}'\n"));
    }
    if !plan.fixes.is_empty() {
        s.push_str("    - name: Report the fixes that failed\n      ansible.builtin.fail:\n        msg: \"these fixes failed: {{ scapc_failed_fixes | join(', ') }}\"\n      when: scapc_failed_fixes | default([]) | length > 0\n");
    }
    s
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// A rule id inside double quotes in bash: only the characters ids use.
fn shell_safe(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | ':')).collect()
}

/// A YAML single-quoted scalar.
pub fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''").replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vals(id: &str, _use: &str) -> Result<String, String> {
        match id {
            "v1" => Ok("it's <1>".into()),
            "p" => Ok("plain".into()),
            _ => Err(format!("unknown {id}")),
        }
    }

    #[test]
    fn render_decodes_and_substitutes() {
        let raw = r#"<fix system="x">a=&apos;<sub idref="v1" use="legacy"/>&apos; &amp;&amp; <![CDATA[x<y && "z"]]> &#65;<!-- exit 9 --><xccdf:sub idref="p"></xccdf:sub></fix>"#;
        assert_eq!(render(raw, &vals).unwrap(), "a='it's <1>' && x<y && \"z\" Aplain");
    }

    #[test]
    fn render_reports_unknown_sub() {
        let e = render(r#"<fix><sub idref="nope"/></fix>"#, &vals).unwrap_err();
        assert!(e.contains("unknown nope"), "{e}");
    }

    #[test]
    fn instance_cannot_be_substituted() {
        let e = render(r#"<fix>x<instance context="c"/></fix>"#, &vals).unwrap_err();
        assert!(e.contains("instance"), "{e}");
    }

    #[test]
    fn xccdf_vars_are_taken_out() {
        let (t, n) = take_xccdf_vars("- (xccdf-var var_a)\n- (xccdf-var var_b)\n- name: x\n  debug: msg\n");
        assert_eq!(n, vec!["var_a", "var_b"]);
        assert_eq!(t, "- name: x\n  debug: msg\n");
    }

    #[test]
    fn yaml_quoting() {
        assert_eq!(yaml_quote("it's"), "'it''s'");
    }
}
