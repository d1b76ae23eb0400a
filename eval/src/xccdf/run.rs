//! Evaluating a benchmark: profile resolution (extends, select, set-value,
//! refine-value, refine-rule), selection through groups, applicability
//! (XCCDF platforms through the CPE dictionary, CPE OVAL and the CPE
//! applicability language), check selection (OVAL, SCE, complex-check with
//! negate), check-export to OVAL external variables, results and scores.
//!
//! The OVAL work is done by one [`Engine`] per OVAL component, all
//! definitions evaluated in parallel; the results documents and the evidence
//! for the report are taken from the engines before they go away.

use super::content::{Benchmark, Check, CheckSpec, Content, LogicalTest, Profile};
use super::*;
use crate::oval::engine::{Engine, EngineOptions};
use crate::oval::model::OvalDoc;
use crate::oval::types::{Res, Status};
use crate::probes::Cache;
use crate::results;
use crate::sce;
use crate::target::Target;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::SystemTime;

/// An XCCDF rule result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum XResult {
    Pass,
    Fail,
    Error,
    Unknown,
    NotApplicable,
    NotChecked,
    NotSelected,
    Informational,
    Fixed,
}

impl XResult {
    pub fn as_str(self) -> &'static str {
        match self {
            XResult::Pass => "pass",
            XResult::Fail => "fail",
            XResult::Error => "error",
            XResult::Unknown => "unknown",
            XResult::NotApplicable => "notapplicable",
            XResult::NotChecked => "notchecked",
            XResult::NotSelected => "notselected",
            XResult::Informational => "informational",
            XResult::Fixed => "fixed",
        }
    }

    pub const ALL: [XResult; 9] = [
        XResult::Pass,
        XResult::Fail,
        XResult::Error,
        XResult::Unknown,
        XResult::NotApplicable,
        XResult::NotChecked,
        XResult::NotSelected,
        XResult::Informational,
        XResult::Fixed,
    ];

    fn negate(self, negate: bool) -> XResult {
        match (negate, self) {
            (true, XResult::Pass) => XResult::Fail,
            (true, XResult::Fail) => XResult::Pass,
            (_, r) => r,
        }
    }
}

/// Evaluation settings.
pub struct Options<'a> {
    /// A profile id, `(all)` for every rule, or None for the benchmark's
    /// own selection.
    pub profile: Option<String>,
    /// Profiles from a tailoring file, searched before the benchmark's.
    pub tailoring: Vec<Profile>,
    pub target: &'a Target,
    /// Run SCE scripts (they execute arbitrary code).
    pub sce: bool,
    pub engine: EngineOptions,
    /// Called as the checks of selected rules finish: (done, total
    /// selected).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// `--rule`: when not empty, these rules (full ids) are evaluated,
    /// whether the profile selects them or not, and every other rule is
    /// `notselected` (as oscap's `--rule`).
    pub rules: Vec<String>,
    /// `--skip-rule`: these rules are `notselected` (as oscap's
    /// `--skip-rule`).
    pub skip_rules: Vec<String>,
}

/// oscap's `--reference NAME:ID`: the rules that do not carry reference
/// `ID` of the benchmark-level reference named `NAME` (a rule's
/// `reference` with that reference's href and the text `ID`), to be left
/// `notselected`. An error lists the names when `NAME` is not one.
pub fn rules_without_reference(bench: &Benchmark, name: &str, id: &str) -> Result<Vec<String>, String> {
    let Some((_, href)) = bench.references.iter().find(|(n, _)| n == name) else {
        let names: Vec<&str> = bench.references.iter().map(|(n, _)| n.as_str()).collect();
        return Err(if names.is_empty() {
            format!("reference type `{name}` is not in the benchmark, which names no reference")
        } else {
            format!("reference type `{name}` is not in the benchmark; it names: {}", names.join(", "))
        });
    };
    Ok(bench
        .rules
        .iter()
        .filter(|r| !r.references.iter().any(|(h, t)| h == href && t == id))
        .map(|r| r.id.clone())
        .collect())
}

/// What one failing or examined OVAL test saw, for the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evidence {
    pub test_id: String,
    pub comment: String,
    pub result: String,
    pub object_id: String,
    pub flag: String,
    /// Items (at most a few), each as (entity name, value) pairs.
    pub items: Vec<Vec<(String, String)>>,
    pub messages: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleResult {
    pub id: String,
    pub result: XResult,
    pub severity: String,
    pub weight: f64,
    pub role: String,
    pub time: String,
    /// The check that ran: system, (href, name) refs, exports.
    #[serde(skip)]
    pub check: Option<Check>,
    pub messages: Vec<String>,
    pub evidence: Vec<Evidence>,
    /// SCE output (stdout and stderr), when an SCE check ran.
    pub sce_output: Option<String>,
    /// A `multi-check`: (definition id, result) of each definition; the
    /// results file holds one rule-result for each.
    pub multi: Vec<(String, XResult)>,
    /// The rule's complex-check, which the results file repeats.
    #[serde(skip)]
    pub complex: Option<CheckSpec>,
    /// Fixes run on the target by a remediation: (system, the script as
    /// run), written into the rule-result as oscap does.
    #[serde(skip)]
    pub fixes: Vec<(String, String)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Score {
    pub system: String,
    pub score: f64,
    pub maximum: f64,
}

/// One OVAL results document, ready to write.
#[derive(Debug, Clone)]
pub struct OvalReport {
    pub component: String,
    pub href: String,
    pub xml: String,
    /// The external variables the benchmark gave this document
    /// (check-export), for `--export-variables`: id -> values.
    pub exported: BTreeMap<String, Vec<String>>,
    /// (datatype, comment) of each exported variable, from its definition.
    pub variable_facts: BTreeMap<String, (String, String)>,
}

/// The outcome of a scan.
pub struct Scan {
    pub benchmark_id: String,
    pub benchmark_version: String,
    pub benchmark_title: String,
    pub profile: Option<(String, String)>,
    /// `--profile '(all)'`: every rule selected.
    pub all_rules: bool,
    pub start: SystemTime,
    pub end: SystemTime,
    pub target: Target,
    pub hostname: String,
    /// The target's IP addresses and hardware addresses (local targets
    /// only: an offline root filesystem has none).
    pub addresses: Vec<std::net::IpAddr>,
    pub macs: Vec<String>,
    pub rules: Vec<RuleResult>,
    /// Values used, as (id, value), in benchmark order.
    pub values: Vec<(String, String)>,
    pub scores: Vec<Score>,
    pub oval: Vec<OvalReport>,
    /// Platforms of the benchmark that applied.
    pub platforms: Vec<String>,
}

impl Scan {
    pub fn count(&self, r: XResult) -> usize {
        self.rules.iter().filter(|x| x.result == r).count()
    }
}

/// The effective settings after profile resolution.
#[derive(Default)]
struct Resolved {
    /// select by id or cluster-id: (selected, order of the select), the
    /// latest wins.
    selected: HashMap<String, (bool, usize)>,
    /// refine-rule/@selector: which of a rule's checks to use.
    check_selector: HashMap<String, String>,
    values: HashMap<String, String>,
    selectors: HashMap<String, String>,
    severity: HashMap<String, String>,
    weight: HashMap<String, f64>,
    role: HashMap<String, String>,
}

fn resolve_profile(bench: &Benchmark, tailoring: &[Profile], id: &str) -> Result<Resolved, String> {
    let mut r = Resolved::default();
    let find = |id: &str| tailoring.iter().chain(bench.profiles.iter()).find(|p| p.id == id);
    // the extends chain, base first
    let mut chain = Vec::new();
    let mut seen = HashSet::new();
    let mut cur = Some(id.to_owned());
    while let Some(c) = cur {
        if !seen.insert(c.clone()) {
            return Err(format!("profile `{id}` extends itself (through `{c}`)"));
        }
        // a profile that extends one that does not exist is used without
        // it, as oscap does
        if c != id && find(&c).is_none() {
            break;
        }
        let p = find(&c).ok_or_else(|| no_such_profile(bench, tailoring, &c))?;
        chain.push(p);
        cur = p.extends.clone();
    }
    for p in chain.into_iter().rev() {
        for (idref, sel) in &p.selects {
            let n = r.selected.len();
            r.selected.insert(idref.clone(), (*sel, n));
        }
        for (idref, v) in &p.set_values {
            r.values.insert(idref.clone(), v.clone());
        }
        for (idref, s) in &p.refine_values {
            r.selectors.insert(idref.clone(), s.clone());
            r.values.remove(idref);
        }
        for rr in &p.refine_rules {
            if let Some(s) = &rr.severity {
                r.severity.insert(rr.idref.clone(), s.clone());
            }
            if let Some(w) = rr.weight {
                r.weight.insert(rr.idref.clone(), w);
            }
            if let Some(x) = &rr.role {
                r.role.insert(rr.idref.clone(), x.clone());
            }
            if let Some(x) = &rr.selector {
                r.check_selector.insert(rr.idref.clone(), x.clone());
            }
        }
    }
    Ok(r)
}

/// A rule's refinement (`refine-rule`) by its id, else by its
/// `cluster-id` (XCCDF 1.2 §6.5.3: a refine-rule's idref names a Rule,
/// a Group or a cluster).
fn refined<'m, T>(m: &'m HashMap<String, T>, rule: &super::content::Rule) -> Option<&'m T> {
    m.get(&rule.id).or_else(|| rule.cluster_id.as_deref().and_then(|c| m.get(c)))
}

/// Finds a profile by its full id or by a suffix of it.
pub fn find_profile_id(bench: &Benchmark, tailoring: &[Profile], want: &str) -> Option<String> {
    match_profile(bench, tailoring, want).ok()
}

/// Finds a profile as oscap does: the id itself, else the one id that
/// ends with `want`, searched in the tailoring first and then in the
/// benchmark. Two or more ids ending with `want` are an error that lists
/// them; so is none (with the nearest ids).
pub fn match_profile(bench: &Benchmark, tailoring: &[Profile], want: &str) -> Result<String, String> {
    let all = || tailoring.iter().chain(bench.profiles.iter());
    if let Some(p) = all().find(|p| p.id == want) {
        return Ok(p.id.clone());
    }
    for set in [tailoring, &bench.profiles[..]] {
        let mut m: Vec<&str> = set.iter().filter(|p| p.id.ends_with(want)).map(|p| p.id.as_str()).collect();
        m.dedup();
        match m.len() {
            0 => {}
            1 => return Ok(m[0].to_owned()),
            _ => {
                return Err(format!(
                    "the profile `{want}` is ambiguous, {} profile ids end with it: {}; give more of the id",
                    m.len(),
                    m.join(", ")
                ))
            }
        }
    }
    Err(no_such_profile(bench, tailoring, want))
}

/// The error for a rule the benchmark does not have: the closest ids.
pub fn no_such_rule(bench: &Benchmark, want: &str) -> String {
    let ids: Vec<&str> = bench.rules.iter().map(|r| r.id.as_str()).collect();
    let place = format!("benchmark {}", bench.id);
    scapc_diagnostics::suggest::unknown("rule", want, &place, &ids, &[], "`scapc ds info` lists them")
}

/// The error for a profile neither the tailoring nor the benchmark has:
/// the closest ids ("did you mean"), else all of them when few.
pub fn no_such_profile(bench: &Benchmark, tailoring: &[Profile], want: &str) -> String {
    let ids: Vec<&str> = tailoring.iter().chain(bench.profiles.iter()).map(|p| p.id.as_str()).collect();
    let place = format!("benchmark {}", bench.id);
    scapc_diagnostics::suggest::unknown("profile", want, &place, &ids, &["(all)"], "`scapc ds info` lists them")
}

/// Evaluates the benchmark on the target.
pub fn evaluate(content: &Content, opts: &Options<'_>) -> Result<Scan, String> {
    let start = SystemTime::now();
    let bench = &content.benchmark;
    let all = opts.profile.as_deref() == Some("(all)");
    let (resolved, profile) = match opts.profile.as_deref() {
        None | Some("(all)") => (
            Resolved {
                selected: HashMap::new(),
                check_selector: HashMap::new(),
                values: HashMap::new(),
                selectors: HashMap::new(),
                severity: HashMap::new(),
                weight: HashMap::new(),
                role: HashMap::new(),
            },
            None,
        ),
        Some(p) => {
            let id = find_profile_id(bench, &opts.tailoring, p).unwrap_or_else(|| p.to_owned());
            let r = resolve_profile(bench, &opts.tailoring, &id)?;
            let title = opts
                .tailoring
                .iter()
                .chain(bench.profiles.iter())
                .find(|x| x.id == id)
                .map(|x| x.title.clone())
                .unwrap_or_default();
            (r, Some((id, title)))
        }
    };
    // the latest select of the item's id or of its cluster-id
    let is_selected = |id: &str, cluster: Option<&str>, default: bool| -> bool {
        if all {
            return true;
        }
        let by_id = resolved.selected.get(id);
        let by_cluster = cluster.and_then(|c| resolved.selected.get(c));
        match (by_id, by_cluster) {
            (Some(a), Some(b)) => {
                if a.1 > b.1 {
                    a.0
                } else {
                    b.0
                }
            }
            (Some(a), None) | (None, Some(a)) => a.0,
            (None, None) => default,
        }
    };
    // Values
    let mut values: Vec<(String, String)> = Vec::new();
    let mut value_map: HashMap<String, String> = HashMap::new();
    for id in &bench.value_order {
        let v = &bench.values[id];
        let val = resolved
            .values
            .get(id)
            .cloned()
            .or_else(|| v.value(resolved.selectors.get(id).map(String::as_str)).map(str::to_owned))
            .unwrap_or_default();
        value_map.insert(id.clone(), val.clone());
        values.push((id.clone(), val));
    }

    let cache = Cache::default();
    let target = opts.target;

    // --- OVAL documents, read once, keyed by component id ---
    let mut docs: BTreeMap<String, (String, OvalDoc)> = BTreeMap::new();
    let mut href_comp: HashMap<String, Option<String>> = HashMap::new();
    let mut resolve_oval = |href: &str,
                            from: Option<scapc_xml::tree::NodeId>,
                            docs: &mut BTreeMap<String, (String, OvalDoc)>|
     -> Option<String> {
        let key = format!("{from:?}|{href}");
        if let Some(c) = href_comp.get(&key) {
            return c.clone();
        }
        let found = match from {
            Some(cref) => content.resolve_from(cref, href),
            None => content.resolve(href),
        };
        let comp = found.and_then(|(comp, node)| {
            if content.tree.local(node) != "oval_definitions" {
                return None;
            }
            docs.entry(comp.clone()).or_insert_with(|| (href.to_owned(), OvalDoc::read(&content.tree, node)));
            Some(comp)
        });
        href_comp.insert(key, comp.clone());
        comp
    };

    // --- platforms: CPE names through the dictionaries ---
    let mut cpe_checks: HashMap<String, (String, String)> = HashMap::new(); // cpe name -> (component, def id)
    for (cref, list) in content.dictionaries() {
        let t = &content.tree;
        for item in t.children_named(list, NS_CPE_DICT, "cpe-item") {
            let Some(name) = t.attr(item, "name") else { continue };
            for c in t.children_named(item, NS_CPE_DICT, "check") {
                if t.attr(c, "system") != Some(SYS_OVAL) {
                    continue;
                }
                let href = t.attr(c, "href").unwrap_or("");
                if let Some(comp) = resolve_oval(href, Some(cref), &mut docs) {
                    cpe_checks.insert(name.to_owned(), (comp, t.text(c).trim().to_owned()));
                }
            }
        }
    }
    // platform-specification check-fact-refs resolve through the benchmark catalog
    let mut fact_refs: Vec<(String, String)> = Vec::new();
    fn collect_facts(lt: &LogicalTest, out: &mut Vec<(String, String)>) {
        match lt {
            LogicalTest::Test { children, .. } => children.iter().for_each(|c| collect_facts(c, out)),
            LogicalTest::CheckFactRef { href, id_ref, .. } => out.push((href.clone(), id_ref.clone())),
            LogicalTest::FactRef(_) => {}
        }
    }
    for lt in bench.platform_specs.values() {
        collect_facts(lt, &mut fact_refs);
    }
    let mut fact_comp: HashMap<String, String> = HashMap::new();
    for (href, _) in &fact_refs {
        if let Some(c) = resolve_oval(href, None, &mut docs) {
            fact_comp.insert(href.clone(), c);
        }
    }

    // --- rule selection ---
    // Each rule's and group's own selection, then `requires` and
    // `conflicts` top-down in document order as oscap processes them
    // (XCCDF 1.2 §7.2.3.3.2): a selected item in selected groups whose
    // requirement is not selected, or that conflicts with a selected item,
    // is deselected, and the items after it see it so.
    let mut own: HashMap<&str, bool> = HashMap::new();
    for g in bench.groups.values() {
        own.insert(&g.id, is_selected(&g.id, g.cluster_id.as_deref(), g.selected));
    }
    for r in &bench.rules {
        own.insert(&r.id, is_selected(&r.id, r.cluster_id.as_deref(), r.selected));
    }
    if !all {
        let fits = |own: &HashMap<&str, bool>, requires: &[Vec<String>], conflicts: &[String]| {
            let on = |x: &str| own.get(x).copied().unwrap_or(false);
            requires.iter().all(|l| l.iter().any(|x| on(x))) && !conflicts.iter().any(|c| on(c))
        };
        let mut seen: HashSet<&str> = HashSet::new();
        for r in &bench.rules {
            let mut parents_on = true;
            for g in &r.groups {
                let Some(gr) = bench.groups.get(g) else { continue };
                if seen.insert(g) && parents_on && own[g.as_str()] && !fits(&own, &gr.requires, &gr.conflicts) {
                    own.insert(g, false);
                }
                parents_on &= own[g.as_str()];
            }
            if parents_on && own[r.id.as_str()] && !fits(&own, &r.requires, &r.conflicts) {
                own.insert(&r.id, false);
            }
        }
    }
    let only: HashSet<&str> = opts.rules.iter().map(String::as_str).collect();
    let skip: HashSet<&str> = opts.skip_rules.iter().map(String::as_str).collect();
    let selected: Vec<bool> = bench
        .rules
        .iter()
        .map(|r| {
            // `--rule` selects its rules whatever the profile says, and only
            // them (as oscap); `--skip-rule` deselects.
            let picked = if only.is_empty() {
                all || (own[r.id.as_str()] && r.groups.iter().all(|g| own.get(g.as_str()).copied().unwrap_or(true)))
            } else {
                only.contains(r.id.as_str())
            };
            picked && !skip.contains(r.id.as_str())
        })
        .collect();

    // --- which OVAL checks run, and their external variables ---
    let mut wanted: BTreeMap<String, HashSet<String>> = BTreeMap::new();
    let mut externals: HashMap<String, HashMap<String, Vec<String>>> = HashMap::new();
    let mut rule_checks: Vec<Option<CheckPlan>> = Vec::with_capacity(bench.rules.len());
    for (i, rule) in bench.rules.iter().enumerate() {
        if !selected[i] {
            rule_checks.push(None);
            continue;
        }
        let selector = refined(&resolved.check_selector, rule).map_or("", String::as_str);
        let plan = rule.check.as_ref().map(|c| {
            plan_check(c, opts.sce, Some(selector), &mut |href, name| {
                let comp = resolve_oval(href, None, &mut docs)?;
                let ok = name.is_none_or(|n| docs.get(&comp).is_some_and(|(_, d)| d.definitions.contains_key(n)));
                Some((comp, ok))
            })
        });
        if let Some(p) = &plan {
            p.visit(&mut |c| {
                let oval = match c {
                    CheckPlan::Oval { comp, name, check, .. } => {
                        wanted.entry(comp.clone()).or_default().insert(name.clone());
                        Some((comp, check))
                    }
                    // a check-content-ref without @name: every definition
                    CheckPlan::OvalAll { comp, check, .. } => {
                        if let Some((_, d)) = docs.get(comp) {
                            wanted.entry(comp.clone()).or_default().extend(d.definition_order.iter().cloned());
                        }
                        Some((comp, check))
                    }
                    _ => None,
                };
                if let Some((comp, check)) = oval {
                    for (vid, export) in &check.exports {
                        if let Some(v) = value_map.get(vid) {
                            externals.entry(comp.clone()).or_default().insert(export.clone(), vec![v.clone()]);
                        }
                    }
                }
            });
        }
        rule_checks.push(plan);
    }
    for (name, (comp, def)) in &cpe_checks {
        let _ = name;
        wanted.entry(comp.clone()).or_default().insert(def.clone());
    }
    for (href, id) in &fact_refs {
        if let Some(c) = fact_comp.get(href) {
            wanted.entry(c.clone()).or_default().insert(id.clone());
        }
    }

    // --- engines ---
    let exported: HashMap<String, HashMap<String, Vec<String>>> = externals.clone();
    let engines: Vec<(String, Engine<'_>)> = docs
        .iter()
        .map(|(comp, (_, doc))| {
            (
                comp.clone(),
                Engine::new(doc, target, &cache, externals.remove(comp).unwrap_or_default(), opts.engine.clone()),
            )
        })
        .collect();
    let engine_of = |comp: &str| engines.iter().find(|(c, _)| c == comp).map(|(_, e)| e);

    // Applicability is decided first, and only for the platforms that the
    // benchmark and the selected rules (and their groups) name: those
    // definitions are evaluated in parallel here; nothing else is.
    let run_jobs = |jobs: Vec<(&str, &str)>| {
        jobs.par_iter().for_each(|(c, d)| {
            if let Some(e) = engine_of(c) {
                e.definition(d);
            }
        })
    };
    run_jobs(platform_jobs(bench, &cpe_checks, &fact_comp, &mut bench.platforms.iter()));
    let cpe_true = |name: &str| -> bool {
        cpe_checks
            .get(name)
            .and_then(|(c, d)| engine_of(c).map(|e| e.definition(d).result == Res::True))
            .unwrap_or(false)
    };
    fn eval_lt(lt: &LogicalTest, cpe_true: &dyn Fn(&str) -> bool, fact: &dyn Fn(&str, &str) -> bool) -> bool {
        match lt {
            LogicalTest::Test { operator, negate, children } => {
                let r = if operator == "OR" {
                    children.iter().any(|c| eval_lt(c, cpe_true, fact))
                } else {
                    children.iter().all(|c| eval_lt(c, cpe_true, fact))
                };
                r != *negate
            }
            LogicalTest::FactRef(n) => cpe_true(n),
            LogicalTest::CheckFactRef { href, id_ref, .. } => fact(href, id_ref),
        }
    }
    let fact = |href: &str, id: &str| -> bool {
        fact_comp.get(href).and_then(|c| engine_of(c)).is_some_and(|e| e.definition(id).result == Res::True)
    };
    let platform_ok = |p: &str| -> bool {
        match p.strip_prefix('#') {
            Some(spec) => bench.platform_specs.get(spec).is_some_and(|lt| eval_lt(lt, &cpe_true, &fact)),
            None => cpe_true(p),
        }
    };
    let applies = |platforms: &[String]| platforms.is_empty() || platforms.iter().any(|p| platform_ok(p));
    let bench_applies = applies(&bench.platforms);
    if bench_applies {
        run_jobs(platform_jobs(
            bench,
            &cpe_checks,
            &fact_comp,
            &mut bench.rules.iter().enumerate().filter(|(i, _)| selected[*i]).flat_map(|(_, r)| {
                r.platforms
                    .iter()
                    .chain(r.groups.iter().filter_map(|g| bench.groups.get(g)).flat_map(|g| g.platforms.iter()))
            }),
        ));
    }
    let applicable: Vec<bool> = bench
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            selected[i]
                && bench_applies
                && applies(&r.platforms)
                && r.groups.iter().all(|g| bench.groups.get(g).is_none_or(|g| applies(&g.platforms)))
        })
        .collect();

    // --- run the checks ---
    let total = selected.iter().filter(|s| **s).count();
    let done = AtomicUsize::new(0);
    let sce_env = sce::SceEnv { values: &value_map, bench, content };
    let results: Vec<RuleResult> = bench
        .rules
        .par_iter()
        .enumerate()
        .map(|(i, rule)| {
            let severity = refined(&resolved.severity, rule).cloned().unwrap_or_else(|| rule.severity.clone());
            let weight = refined(&resolved.weight, rule).copied().unwrap_or(rule.weight);
            let role = refined(&resolved.role, rule).cloned().unwrap_or_else(|| rule.role.clone());
            let mut rr = RuleResult {
                id: rule.id.clone(),
                result: XResult::NotSelected,
                severity,
                weight,
                role: role.clone(),
                time: results::timestamp(SystemTime::now()),
                check: None,
                messages: Vec::new(),
                evidence: Vec::new(),
                sce_output: None,
                multi: Vec::new(),
                complex: None,
                fixes: Vec::new(),
            };
            if !selected[i] {
                // not selected
            } else if !applicable[i] {
                rr.result = XResult::NotApplicable;
            } else if role == "unchecked" {
                rr.result = XResult::NotChecked;
            } else {
                match &rule_checks[i] {
                    None => {
                        rr.result = XResult::NotChecked;
                        rr.messages.push("No candidate or applicable check found.".into());
                    }
                    Some(plan) => {
                        rr.result = run_plan(plan, &engine_of, &sce_env, target, &mut rr);
                        if let (CheckPlan::Complex { .. }, Some(spec)) = (plan, &rule.check) {
                            rr.complex = Some(spec.clone());
                            rr.check = None;
                        }
                    }
                }
                if role == "unscored" && matches!(rr.result, XResult::Pass | XResult::Fail) {
                    rr.result = XResult::Informational;
                }
            }
            if selected[i] {
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(p) = opts.progress {
                    p(n, total);
                }
            }
            rr
        })
        .collect();

    // --- results documents ---
    let mut oval = Vec::new();
    for (comp, e) in &engines {
        let href = docs.get(comp).map(|d| d.0.clone()).unwrap_or_default();
        let mut ids: Vec<String> = wanted.get(comp).map(|s| s.iter().cloned().collect()).unwrap_or_default();
        ids.sort();
        // Only what was evaluated: the definitions of rules that were not
        // selected or not applicable, and of platforms nobody asked about,
        // are not evaluated for the results document either.
        let evaluated: Vec<(String, std::sync::Arc<crate::oval::engine::DefResult>)> =
            ids.iter().filter_map(|d| e.evaluated_definition(d).map(|r| (d.clone(), r))).collect();
        let def_node = content.resolve(&href).map(|(_, n)| n).or_else(|| {
            content.dictionaries().iter().find_map(|(cref, _)| content.resolve_from(*cref, &href).map(|(_, n)| n))
        });
        let defs_xml = def_node.map(|n| content.raw(n)).unwrap_or_default();
        oval.push(OvalReport {
            component: comp.clone(),
            href,
            xml: results::oval_results(e, &evaluated, &defs_xml, target),
            exported: exported
                .get(comp)
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
            variable_facts: exported
                .get(comp)
                .into_iter()
                .flat_map(|m| m.keys())
                .filter_map(|id| e.doc.variables.get(id))
                .map(|v| (v.id.clone(), (v.datatype.as_str().to_owned(), v.comment.clone())))
                .collect(),
        });
    }

    let end = SystemTime::now();
    let scores = score(bench, &results, &resolved, all);
    let (addresses, macs) = if target.is_local() { crate::probes::host_addresses() } else { (Vec::new(), Vec::new()) };
    Ok(Scan {
        benchmark_id: bench.id.clone(),
        benchmark_version: bench.version.clone(),
        benchmark_title: bench.title.clone(),
        profile,
        all_rules: all,
        start,
        end,
        target: target.clone(),
        hostname: hostname(target),
        addresses,
        macs,
        rules: results,
        values,
        scores,
        oval,
        platforms: bench.platforms.iter().filter(|p| platform_ok(p)).cloned().collect(),
    })
}

/// The (component, definition) pairs that decide these platforms: CPE
/// names through the dictionaries, platform specifications through their
/// fact references and check-fact-refs.
fn platform_jobs<'b>(
    bench: &'b Benchmark,
    cpe_checks: &'b HashMap<String, (String, String)>,
    fact_comp: &'b HashMap<String, String>,
    platforms: &mut dyn Iterator<Item = &'b String>,
) -> Vec<(&'b str, &'b str)> {
    fn facts<'x>(lt: &'x LogicalTest, names: &mut Vec<&'x str>, checks: &mut Vec<(&'x str, &'x str)>) {
        match lt {
            LogicalTest::Test { children, .. } => children.iter().for_each(|c| facts(c, names, checks)),
            LogicalTest::FactRef(n) => names.push(n),
            LogicalTest::CheckFactRef { href, id_ref, .. } => checks.push((href, id_ref)),
        }
    }
    let mut jobs: Vec<(&str, &str)> = Vec::new();
    for p in platforms {
        let mut names = Vec::new();
        let mut checks = Vec::new();
        match p.strip_prefix('#') {
            Some(spec) => {
                if let Some(lt) = bench.platform_specs.get(spec) {
                    facts(lt, &mut names, &mut checks);
                }
            }
            None => names.push(p),
        }
        jobs.extend(names.iter().filter_map(|n| cpe_checks.get(*n)).map(|(c, d)| (c.as_str(), d.as_str())));
        jobs.extend(checks.iter().filter_map(|(h, d)| fact_comp.get(*h).map(|c| (c.as_str(), *d))));
    }
    jobs.sort_unstable();
    jobs.dedup();
    jobs
}

/// What a rule's check turns into.
#[derive(Debug, Clone)]
enum CheckPlan {
    Oval {
        comp: String,
        name: String,
        negate: bool,
        check: Check,
    },
    /// A check-content-ref without `@name`: every definition of the
    /// document, ANDed, or with `multi-check` one result per definition.
    OvalAll {
        comp: String,
        negate: bool,
        multi: bool,
        check: Check,
    },
    Sce {
        check: Check,
    },
    NotChecked {
        check: Option<Check>,
        message: String,
    },
    Complex {
        operator: String,
        negate: bool,
        children: Vec<CheckPlan>,
    },
}

impl CheckPlan {
    fn visit(&self, f: &mut dyn FnMut(&CheckPlan)) {
        f(self);
        if let CheckPlan::Complex { children, .. } = self {
            for c in children {
                c.visit(f);
            }
        }
    }
}

/// For an href and a definition name: the OVAL component, and whether it
/// has that definition.
type Resolver<'a> = dyn FnMut(&str, Option<&str>) -> Option<(String, bool)> + 'a;

/// `selector`: the rule's check selector (refine-rule), for a rule's own
/// checks (`None` inside a complex-check). `resolve`: for an href and a
/// name, the OVAL component and whether it has that definition.
fn plan_check(spec: &CheckSpec, sce_ok: bool, selector: Option<&str>, resolve: &mut Resolver<'_>) -> CheckPlan {
    match spec {
        CheckSpec::Complex { operator, negate, children } => CheckPlan::Complex {
            operator: operator.clone(),
            negate: *negate,
            children: children
                .iter()
                .map(|c| match plan_check(c, sce_ok, None, resolve) {
                    // multi-check is ignored inside a complex-check (XCCDF 1.2 §7.2.3.6.2)
                    CheckPlan::OvalAll { comp, negate, check, .. } => {
                        CheckPlan::OvalAll { comp, negate, multi: false, check }
                    }
                    p => p,
                })
                .collect(),
        },
        CheckSpec::Checks(all) => {
            // the checks with the selector, else (for a selector no check
            // has) the checks without one (XCCDF 1.2 §7.2.3.5.1)
            let alts: Vec<&Check> = match selector {
                None => all.iter().collect(),
                Some(sel) => {
                    let m: Vec<&Check> = all.iter().filter(|c| c.selector == sel).collect();
                    if m.is_empty() && !sel.is_empty() {
                        all.iter().filter(|c| c.selector.is_empty()).collect()
                    } else {
                        m
                    }
                }
            };
            for c in alts.iter().filter(|c| c.system == SYS_OVAL) {
                let mut loaded = false;
                for (href, name) in &c.refs {
                    let Some((comp, found)) = resolve(href, name.as_deref()) else { continue };
                    loaded = true;
                    if !found {
                        continue;
                    }
                    // the check as it ran: with the one reference used
                    let check = Check { refs: vec![(href.clone(), name.clone())], ..(*c).clone() };
                    return match name {
                        Some(name) => CheckPlan::Oval { comp, name: name.clone(), negate: c.negate, check },
                        None => CheckPlan::OvalAll { comp, negate: c.negate, multi: c.multi_check, check },
                    };
                }
                if loaded {
                    return CheckPlan::NotChecked {
                        check: Some((*c).clone()),
                        message: "None of the check-content-ref elements was resolvable.".into(),
                    };
                }
            }
            if let Some(c) = alts.iter().find(|c| c.system == SYS_SCE) {
                if sce_ok {
                    return CheckPlan::Sce { check: (*c).clone() };
                }
                return CheckPlan::NotChecked {
                    check: Some((*c).clone()),
                    message: "The rule is checked by an SCE script, which runs only with --sce (scripts execute arbitrary code).".into(),
                };
            }
            CheckPlan::NotChecked { check: None, message: "No candidate or applicable check found.".into() }
        }
    }
}

fn run_plan<'e>(
    plan: &CheckPlan,
    engine_of: &dyn Fn(&str) -> Option<&'e Engine<'e>>,
    sce_env: &sce::SceEnv<'_>,
    target: &Target,
    rr: &mut RuleResult,
) -> XResult {
    match plan {
        CheckPlan::NotChecked { check, message } => {
            if rr.check.is_none() {
                rr.check = check.clone();
            }
            rr.messages.push(message.clone());
            XResult::NotChecked
        }
        CheckPlan::Sce { check } => {
            rr.check = Some(check.clone());
            let (r, output) = sce::run(check, sce_env, target);
            rr.sce_output = Some(output);
            r.negate(check.negate)
        }
        CheckPlan::Oval { comp, name, negate, check } => {
            rr.check = Some(check.clone());
            let Some(e) = engine_of(comp) else { return XResult::Error };
            oval_result(e, name, rr).negate(*negate)
        }
        CheckPlan::OvalAll { comp, negate, multi, check } => {
            rr.check = Some(check.clone());
            let Some(e) = engine_of(comp) else { return XResult::Error };
            // no definitions: `unknown` for a multi-check, else `error`, as oscap
            if e.doc.definition_order.is_empty() {
                if *multi {
                    rr.messages.push("No definitions found for @multi-check.".to_owned());
                    return XResult::Unknown;
                }
                rr.messages.push("The OVAL document has no definitions.".to_owned());
                return XResult::Error;
            }
            // `negate` applies to each result of a multi-check, and to the
            // combined (AND) result otherwise, as oscap applies it
            let each: Vec<(String, XResult)> = e
                .doc
                .definition_order
                .iter()
                .map(|d| (d.clone(), oval_result(e, d, rr).negate(*negate && *multi)))
                .collect();
            let all = combine_xccdf(false, &each.iter().map(|(_, r)| *r).collect::<Vec<_>>());
            if *multi {
                rr.multi = each;
                return all;
            }
            all.negate(*negate)
        }
        CheckPlan::Complex { operator, negate, children } => {
            let rs: Vec<XResult> = children.iter().map(|c| run_plan(c, engine_of, sce_env, target, rr)).collect();
            combine_xccdf(operator == "OR", &rs).negate(*negate)
        }
    }
}

/// The XCCDF result of one OVAL definition (a vulnerability or patch
/// definition that is true is a failure), with its evidence.
fn oval_result(e: &Engine<'_>, name: &str, rr: &mut RuleResult) -> XResult {
    let Some(def) = e.doc.definitions.get(name) else {
        rr.messages.push(format!("The OVAL definition {name} does not exist."));
        return XResult::Error;
    };
    let d = e.definition(name);
    let vuln = matches!(def.class.as_str(), "vulnerability" | "patch");
    let r = match d.result {
        Res::True => {
            if vuln {
                XResult::Fail
            } else {
                XResult::Pass
            }
        }
        Res::False => {
            if vuln {
                XResult::Pass
            } else {
                XResult::Fail
            }
        }
        Res::Unknown => XResult::Unknown,
        Res::Error => XResult::Error,
        Res::NotEvaluated => XResult::NotChecked,
        Res::NotApplicable => XResult::NotApplicable,
    };
    if let Some(c) = &d.criteria {
        collect_evidence(e, c, rr);
    }
    r
}

/// XCCDF 1.2 complex-check truth tables (Table 27).
fn combine_xccdf(or: bool, rs: &[XResult]) -> XResult {
    use XResult::*;
    let has = |x: XResult| rs.contains(&x);
    if rs.is_empty() {
        return Unknown;
    }
    if or {
        if has(Pass) {
            Pass
        } else if has(Unknown) {
            Unknown
        } else if has(Error) {
            Error
        } else if has(NotChecked) {
            NotChecked
        } else if has(Fail) {
            Fail
        } else {
            NotApplicable
        }
    } else if has(Fail) {
        Fail
    } else if has(Unknown) {
        Unknown
    } else if has(Error) {
        Error
    } else if has(NotChecked) {
        NotChecked
    } else if has(Pass) {
        Pass
    } else {
        NotApplicable
    }
}

fn collect_evidence(e: &Engine<'_>, c: &crate::oval::engine::CriteriaResult, rr: &mut RuleResult) {
    use crate::oval::engine::CriteriaResult::*;
    match c {
        Node { children, .. } => children.iter().for_each(|k| collect_evidence(e, k, rr)),
        Extend { .. } => {}
        Criterion { test_ref, .. } => {
            if rr.evidence.len() >= 20 {
                return;
            }
            let Some(test) = e.doc.tests.get(test_ref) else { return };
            let tr = e.test(test_ref);
            let object_id = test.object_ref.clone().unwrap_or_default();
            let obj = e.object(&object_id);
            let failing: HashSet<u64> = tr.items.iter().filter(|(_, r)| *r != Res::True).map(|(i, _)| *i).collect();
            let mut items: Vec<Vec<(String, String)>> = Vec::new();
            // failing items first, then the rest
            let mut ordered: Vec<&std::sync::Arc<crate::oval::item::Item>> =
                obj.items.iter().filter(|i| failing.contains(&i.id)).collect();
            ordered.extend(obj.items.iter().filter(|i| !failing.contains(&i.id)));
            for it in ordered.into_iter().take(5) {
                let mut shown: Vec<(String, String)> = it
                    .entities
                    .iter()
                    .map(|en| {
                        (
                            en.name.clone(),
                            if en.status == Status::Exists {
                                truncate(&en.display_value(), 300)
                            } else {
                                format!("({})", en.status.as_str())
                            },
                        )
                    })
                    .collect();
                if let Some(l) = it.line {
                    // Right after the file's path.
                    let at = shown.iter().position(|(k, _)| k == "filepath").map_or(0, |i| i + 1);
                    shown.insert(at, ("line number".to_owned(), l.to_string()));
                }
                items.push(shown);
            }
            rr.evidence.push(Evidence {
                test_id: test_ref.clone(),
                comment: test.comment.clone(),
                result: tr.result.as_str().to_owned(),
                object_id,
                flag: obj.flag.as_str().to_owned(),
                items,
                messages: obj.messages.iter().take(3).cloned().collect(),
            });
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let t: String = s.chars().take(n).collect();
        format!("{t}…")
    }
}

/// The scores of a TestResult's rule-results (one remediated again):
/// `(rule id, result, weight)` in any order, several for a rule with
/// instances (the rule counts as passed when all of them passed); each
/// scoring model as [`evaluate`] computes them.
pub fn rescore(bench: &Benchmark, results: &[(String, XResult, f64)]) -> Vec<Score> {
    let r = Resolved::default();
    let per_rule: Vec<RuleResult> = bench
        .rules
        .iter()
        .map(|rule| {
            let mine: Vec<&(String, XResult, f64)> = results.iter().filter(|(id, _, _)| id == &rule.id).collect();
            let counted = |x: XResult| {
                !matches!(
                    x,
                    XResult::NotSelected | XResult::NotApplicable | XResult::Informational | XResult::NotChecked
                )
            };
            let result = if let Some(bad) =
                mine.iter().find(|(_, x, _)| counted(*x) && !matches!(x, XResult::Pass | XResult::Fixed))
            {
                bad.1
            } else {
                mine.first().map(|m| m.1).unwrap_or(XResult::NotSelected)
            };
            RuleResult {
                id: rule.id.clone(),
                result,
                severity: String::new(),
                weight: mine.first().map(|m| m.2).unwrap_or(rule.weight),
                role: String::new(),
                time: String::new(),
                check: None,
                messages: Vec::new(),
                evidence: Vec::new(),
                sce_output: None,
                multi: Vec::new(),
                complex: None,
                fixes: Vec::new(),
            }
        })
        .collect();
    score(bench, &per_rule, &r, false)
}

/// Scores under the default model, and the flat, flat-unweighted and
/// absolute models (XCCDF 1.2 §7.3).
fn score(bench: &Benchmark, results: &[RuleResult], _resolved: &Resolved, _all: bool) -> Vec<Score> {
    let counted = |r: &RuleResult| {
        !matches!(
            r.result,
            XResult::NotSelected | XResult::NotApplicable | XResult::Informational | XResult::NotChecked
        )
    };
    let passed = |r: &RuleResult| matches!(r.result, XResult::Pass | XResult::Fixed);
    // default: weighted average up the group tree
    #[derive(Default, Clone)]
    struct Acc {
        score: f64,
        wsum: f64,
        count: usize,
    }
    let mut groups: HashMap<String, Acc> = HashMap::new();
    let mut top = Acc::default();
    // rules into their innermost group
    for (rule, r) in bench.rules.iter().zip(results) {
        if !counted(r) {
            continue;
        }
        let s = if passed(r) { 100.0 } else { 0.0 };
        let acc = match rule.groups.last() {
            Some(g) => groups.entry(g.clone()).or_default(),
            None => &mut top,
        };
        acc.score += s * r.weight;
        acc.wsum += r.weight;
        acc.count += 1;
    }
    // groups, deepest first, into their parents
    let mut order: Vec<(&String, usize)> = bench
        .groups
        .keys()
        .map(|g| {
            let mut d = 0;
            let mut cur = bench.groups[g].parent.clone();
            while let Some(p) = cur {
                d += 1;
                cur = bench.groups.get(&p).and_then(|x| x.parent.clone());
            }
            (g, d)
        })
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (g, _) in order {
        let acc = groups.get(g).cloned().unwrap_or_default();
        if acc.count == 0 {
            continue;
        }
        let gs = if acc.wsum > 0.0 { acc.score / acc.wsum } else { 0.0 };
        let w = bench.groups[g].weight;
        let parent = match &bench.groups[g].parent {
            Some(p) => groups.entry(p.clone()).or_default(),
            None => &mut top,
        };
        parent.score += gs * w;
        parent.wsum += w;
        parent.count += 1;
    }
    let default = if top.wsum > 0.0 { top.score / top.wsum } else { 0.0 };
    let (mut flat, mut flat_max, mut unw, mut unw_max) = (0.0, 0.0, 0.0, 0.0);
    let mut all_pass = true;
    for r in results.iter().filter(|r| counted(r)) {
        flat_max += r.weight;
        unw_max += 1.0;
        if passed(r) {
            flat += r.weight;
            unw += 1.0;
        } else {
            all_pass = false;
        }
    }
    vec![
        Score { system: "urn:xccdf:scoring:default".into(), score: default, maximum: 100.0 },
        Score { system: "urn:xccdf:scoring:flat".into(), score: flat, maximum: flat_max },
        Score { system: "urn:xccdf:scoring:flat-unweighted".into(), score: unw, maximum: unw_max },
        Score { system: "urn:xccdf:scoring:absolute".into(), score: if all_pass { 1.0 } else { 0.0 }, maximum: 1.0 },
    ]
}

/// The target's host name: the kernel's for `local`; for `dir:`, the
/// image's `/etc/hostname`, else its `/proc/sys/kernel/hostname` (as oscap
/// reads them under `OSCAP_PROBE_ROOT`).
pub fn hostname(target: &Target) -> String {
    if target.is_local() {
        if let Ok(s) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
            return s.trim().to_owned();
        }
    }
    ["/etc/hostname", "/proc/sys/kernel/hostname"]
        .iter()
        .find_map(|p| target.read_text(p).ok().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}
