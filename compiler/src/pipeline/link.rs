//! Phase 3, link: the resolved rules and platforms joined into documents
//! that refer to each other by id. OVAL fragments are linked (short ids to
//! `oval:` ids, every reference checked, numbered), rules get the Values
//! their checks export, `xccdf_value()` uses are checked, and a
//! ComplianceAsCode benchmark is cut down to what its profiles select
//! before its fixes and checks are built (docs/cac.md).
//!
//! Invariant: the [`Compiled`] it returns refers only to what it holds:
//! every rule's check is in its OVAL document, every export names a
//! Value, every platform id names an expression. Sources that only
//! resolution needed (fix and OVAL sources, control policies) are dropped.

use super::resolve::Resolved;
use crate::codes;
use crate::compile::{Compiled, Fix, FixContext, Instance, RuleOut};
use crate::jinja::Jinja;
use crate::model::*;
use crate::oval::{Kind, Oval};
use crate::platform::Expr;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// The entry point of the phase.
pub fn link(r: Resolved, jinja: &Jinja, sce: bool, timestamp: String, diags: &mut Vec<Diagnostic>) -> Compiled {
    link_memo(r, jinja, sce, timestamp, &crate::incremental::Memo::default(), diags)
}

/// [`link`], a CaC rule's fixes and OVAL taken from `memo` when an
/// earlier build of the same rule from the same inputs left them there
/// (`scapc build --watch`).
pub fn link_memo(
    r: Resolved,
    jinja: &Jinja,
    sce: bool,
    timestamp: String,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> Compiled {
    match r.product.layout {
        Layout::Scapc => link_scapc(r, sce, timestamp, memo, diags),
        Layout::Cac => link_cac(r, jinja, sce, timestamp, memo, diags),
    }
}

fn link_scapc(
    mut r: Resolved,
    sce: bool,
    timestamp: String,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> Compiled {
    let oval = rules_oval(&mut r, memo, diags);
    let cpe_oval = cpe_oval(&r, diags);
    check_value_uses(&r, sce, diags);
    Compiled {
        product: r.product,
        content: r.content,
        rules: r.rules,
        group_platforms: r.group_platforms,
        oval,
        cpe_oval,
        platforms: r.platforms,
        instances: r.instances,
        profiles: r.profiles,
        timestamp,
        sce,
    }
}

/// scapc: the rules' OVAL linked; each rule's check is the definition
/// named like it, and exports the Values its external variables name.
fn rules_oval(r: &mut Resolved, memo: &crate::incremental::Memo, diags: &mut Vec<Diagnostic>) -> Oval {
    let mut oval = Oval::link_memo(&r.fragments, diags, memo);
    oval.check(diags);
    let content = &r.content;
    let externals = oval.externals();
    for (id, out) in r.rules.iter_mut().filter(|(_, o)| o.oval) {
        let rule = &content.rules[id];
        if oval.broken.contains(id) {
            r.broken.insert(id.clone());
            out.oval = false;
            continue;
        }
        if !oval.has(Kind::Def, id) {
            let file = rule.files.oval.clone().or_else(|| {
                rule.template
                    .as_ref()
                    .and_then(|t| content.templates.get(&t.name.value))
                    .and_then(|t| t.languages.get("oval"))
                    .map(|l| l.0.clone())
            });
            diags.push(
                Diagnostic::error(
                    codes::OVAL,
                    format!("the OVAL for rule `{id}` defines no definition with id `{id}`"),
                )
                .at(Location::file(file.unwrap_or_else(|| rule.file.clone())))
                .hint("the rule's check is the definition whose id equals the rule id (`id=\"{{{ rule_id }}}\"`)"),
            );
            out.oval = false;
            continue;
        }
        for var in externals.of(id) {
            if content.values.contains_key(&var) {
                out.exports.push(var);
                continue;
            }
            let it = &oval.items[&(Kind::Var, var.clone())];
            diags.push(
                Diagnostic::error(codes::DANGLING, format!("OVAL external variable `{var}` matches no XCCDF Value"))
                    .at(Location::at(&it.file, it.pos.line, it.pos.col))
                    .hint(format!("add a `{var}.var` file, or rename the variable to an existing Value id")),
            );
        }
    }
    let (titles, cces) = titles_and_cces(content);
    oval.fill_metadata(&titles, &cces, &r.product.full_name);
    oval.number(&r.product.namespace);
    oval
}

/// Each rule's plain title and CCEs, for OVAL metadata.
pub(crate) fn titles_and_cces(content: &Content) -> (HashMap<String, String>, HashMap<String, Vec<String>>) {
    let titles = content.rules.iter().map(|(k, r)| (k.clone(), crate::text::plain(&r.title))).collect();
    let cces = content
        .rules
        .iter()
        .map(|(k, r)| {
            let cces: Vec<String> =
                r.identifiers.iter().filter(|i| i.value.0 == "cce").map(|i| i.value.1.clone()).collect();
            (k.clone(), cces)
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    (titles, cces)
}

/// The platforms' CPE OVAL linked; scapc: each instance's check is the
/// definition named like it.
fn cpe_oval(r: &Resolved, diags: &mut Vec<Diagnostic>) -> Oval {
    let mut cpe_oval = Oval::link(&r.cpe_fragments, diags);
    cpe_oval.check(diags);
    for (id, inst) in r.instances.iter().filter(|_| r.product.layout == Layout::Scapc) {
        if !cpe_oval.has(Kind::Def, &inst.check) {
            let def = &r.content.platforms[&inst.name];
            diags.push(
                Diagnostic::error(
                    codes::OVAL,
                    format!("the OVAL of platform `{id}` defines no definition with id `{id}`"),
                )
                .at(Location::file(def.oval_file.clone().unwrap_or_else(|| def.file.clone())))
                .hint("use id=\"{{{ platform_id }}}\" for the platform's definition"),
            );
        }
    }
    let ptitles: HashMap<String, String> = r.instances.iter().map(|(k, i)| (k.clone(), i.title.clone())).collect();
    cpe_oval.fill_metadata(&ptitles, &HashMap::new(), &r.product.full_name);
    cpe_oval.number(&r.product.namespace);
    cpe_oval
}

/// scapc: `xccdf_value()` and SCE exports name Values; every rule has a
/// check this build emits.
fn check_value_uses(r: &Resolved, sce: bool, diags: &mut Vec<Diagnostic>) {
    let content = &r.content;
    for (v, file, rule) in &r.subs {
        if !content.values.contains_key(v) {
            diags.push(
                Diagnostic::error(codes::DANGLING, format!("`xccdf_value(\"{v}\")` names no Value (in rule `{rule}`)"))
                    .at_file(file)
                    .hint(format!("add a `{v}.var` file or fix the name")),
            );
        }
    }
    for (id, out) in &r.rules {
        let sce_file = || content.rules[id].files.sce.clone().unwrap_or_default();
        if let Some(s) = &out.sce {
            for (v, _) in s.exports.iter().filter(|(v, _)| !content.values.contains_key(v)) {
                diags.push(
                    Diagnostic::error(codes::DANGLING, format!("SCE check-export names no Value `{v}`"))
                        .at_file(sce_file()),
                );
            }
        }
        if !out.oval && !out.ocil && (out.sce.is_none() || !sce) && !r.broken.contains(id) {
            diags.push(
                Diagnostic::warning(codes::NO_CHECK, format!("rule `{id}` has no check that this build emits"))
                    .at_file(&content.rules[id].file)
                    .hint("give it a template, an oval/shared.xml, or `ocil` and `ocil_clause` for a manual check"),
            );
        }
        if out.sce.is_some() && !sce {
            diags.push(
                Diagnostic::note(
                    codes::SCE_OMITTED,
                    format!("the SCE check of rule `{id}` is left out; SCAP 1.3 (SRC-118) allows only OVAL and OCIL"),
                )
                .at_file(sce_file())
                .hint("build with --sce to include SCE checks"),
            );
        }
    }
}

/// ComplianceAsCode: the benchmark cut down to what the profiles select
/// (rules no profile selects leave it, moved, not copied), then the kept
/// rules' fixes and checks, and the platforms they use.
fn link_cac(
    r: Resolved,
    jinja: &Jinja,
    sce: bool,
    timestamp: String,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> Compiled {
    let Resolved { product, mut content, mut rules, mut group_platforms, profiles, .. } = r;
    // The platforms' CPE OVAL is linked whole first, for its findings;
    // only what the kept items use is kept below.
    Oval::link(&r.cpe_fragments, diags).check(diags);
    // products/<p>/product.yml: the tree is two levels up.
    let root = product.file.parent().and_then(Path::parent).and_then(Path::parent).unwrap_or(Path::new("."));
    let selected = crate::cac::kept_rules(&content.rules, &profiles);
    let (kept, unselected): (BTreeMap<String, Rule>, BTreeMap<String, Rule>) =
        std::mem::take(&mut content.rules).into_iter().partition(|(id, _)| selected.contains(id));
    content.rules = kept;
    rules.retain(|id, _| content.rules.contains_key(id));
    // Checks first, against every Value of the tree, as CaC's linker
    // exports each external variable that names a Value of the whole
    // benchmark; the exported Values then stay when it is cut down.
    let mut sources =
        crate::cac_checks::Sources::read(root, content.rules.values().chain(unselected.values()), &product.id, diags);
    // The kept rules' template OVAL, rendered in parallel.
    sources.render_oval_memo(content.rules.par_iter().map(|(_, r)| r), &product.id, jinja, memo);
    let oval =
        crate::cac_checks::build_memo(&product, &content, &unselected, jinja, &sources, sce, &mut rules, memo, diags);
    // In `build --watch`, freed off the path to the outputs.
    if memo.keeps() {
        rayon::spawn(move || drop(unselected));
    } else {
        drop(unselected);
    }
    let exported: BTreeSet<String> = rules.values().flat_map(|o| o.exports.iter().cloned()).collect();
    let profiles = crate::cac::prune(&mut content, profiles, exported, &sources, &product, memo);
    drop(sources);
    let cx = FixContext { content: &content, product: &product, jinja, group_platforms: &group_platforms };
    diags.extend(cac_fixes(&cx, &r.platforms, &r.instances, &mut rules, memo));
    group_platforms.retain(|id, _| content.groups.contains_key(id));
    // Only the platforms of what is kept, and their checks.
    let (platforms, instances, cpe_oval) =
        crate::cac_cpe::keep_used(&product, (r.platforms, r.instances), &rules, &group_platforms, &r.cpe_fragments);
    diags.extend(r.unresolved_platforms.into_iter().filter(|(pid, _)| platforms.contains_key(pid)).map(|(_, d)| d));
    // What only resolution and linking read.
    content.cac_fix_sources.clear();
    content.cac_template_sources.clear();
    content.cpe_oval_sources.clear();
    let policies = std::mem::take(&mut content.policies);
    if memo.keeps() {
        rayon::spawn(move || drop(policies));
    } else {
        drop(policies);
    }
    Compiled {
        product,
        content,
        rules,
        group_platforms,
        oval,
        cpe_oval,
        platforms,
        instances,
        profiles,
        timestamp,
        sce,
    }
}

/// One rule's fixes, (fix system, fix), and what rendering them reported.
type RuleFixes = (Vec<(&'static str, Fix)>, Vec<Diagnostic>);

/// Renders the fixes of every rule of the (cut-down) CaC benchmark, in
/// parallel, into `rules`; returns what rendering reported.
fn cac_fixes(
    cx: &FixContext<'_>,
    platforms: &BTreeMap<String, Expr>,
    instances: &BTreeMap<String, Instance>,
    rules: &mut BTreeMap<String, RuleOut>,
    memo: &crate::incremental::Memo,
) -> Vec<Diagnostic> {
    let rendered: Vec<RuleFixes> = rules
        .par_iter()
        .map(|(id, out)| {
            let rule = &cx.content.rules[id];
            let (b, a) = crate::compile::cac_conditionals(rule, &out.platforms, cx, platforms, instances);
            // Besides the rule's own files (and the templates, product and
            // macros, whose change forgets the memo), its fixes read its
            // platform conditionals and what resolution added to it.
            let inputs = (
                [b.inherited.clone(), b.own.clone(), a.inherited.clone(), a.own.clone()],
                rule.references.clone(),
                rule.title.clone(),
                rule.severity.as_str().to_owned(),
            );
            memo.derived("cac-fixes", &cx.product.id, rule, inputs, || {
                let mut d = Vec::new();
                let fixes = crate::cac_fix::rule_fixes(rule, cx, memo, &b, &a, &mut d);
                (fixes, d)
            })
        })
        .collect();
    let mut diags = Vec::new();
    for (out, (fixes, mut d)) in rules.values_mut().zip(rendered) {
        diags.append(&mut d);
        for (system, fix) in fixes {
            match system {
                "urn:xccdf:fix:script:sh" => out.bash = Some(fix),
                "urn:xccdf:fix:script:ansible" => out.ansible = Some(fix),
                _ => out.other_fixes.push((system, fix)),
            }
        }
    }
    diags
}
