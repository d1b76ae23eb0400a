//! What a ComplianceAsCode tree means beyond scapc's own format, as CaC's
//! build (ssg/build_yaml.py, ssg/controls.py, ssg/entities/profile*.py)
//! resolves it: profiles with controls and `extends`, control references
//! added to rules, and the benchmark cut down to what some profile selects.
//! Pure computation over the loaded [`Content`]: no I/O.

use crate::codes;
use crate::compile::ResolvedProfile;
use crate::model::*;
use crate::text;
use scapc_diagnostics::{Diagnostic, Location};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A selection set as CaC's `SelectionHandler` keeps it.
#[derive(Debug, Clone, Default)]
struct Sel {
    /// Selected rule ids, first mention first, no repeats.
    selected: Vec<String>,
    unselected: Vec<String>,
    /// value id -> selector, in insertion order.
    variables: Vec<(String, String)>,
    /// rule id -> [(attribute, value)], in insertion order.
    refines: Vec<(String, Vec<(String, String)>)>,
    /// `!rule.attr=value`: refinements to take back once controls are in.
    unrefines: Vec<(String, String, String)>,
}

impl Sel {
    fn apply(&mut self, s: &Selection) {
        match s {
            Selection::Select(r) => {
                if !self.selected.contains(r) {
                    self.selected.push(r.clone());
                }
            }
            Selection::Unselect(r) => self.unselected.push(r.clone()),
            Selection::SetValue { value, selector } => set(&mut self.variables, value, selector.clone()),
            Selection::Refine { rule, attr, value } => match self.refines.iter_mut().find(|(k, _)| k == rule) {
                Some((_, l)) => l.push((attr.clone(), value.clone())),
                None => self.refines.push((rule.clone(), vec![(attr.clone(), value.clone())])),
            },
            Selection::Unrefine { rule, attr, value } => {
                self.unrefines.push((rule.clone(), attr.clone(), value.clone()))
            }
            Selection::Controls { .. } => {}
        }
    }

    /// CaC's `_subtract_refinements`: each `!rule.attr=value` removes that
    /// refinement. Returns those that found nothing to remove (CaC's
    /// build stops on them; here the selection is simply without effect).
    fn subtract_refinements(&mut self) -> Vec<(String, String, String)> {
        let mut missing = Vec::new();
        for (rule, attr, value) in std::mem::take(&mut self.unrefines) {
            let list = self.refines.iter_mut().find(|(k, _)| *k == rule).map(|(_, l)| l);
            match list.and_then(|l| l.iter().position(|(a, v)| *a == attr && *v == value).map(|i| (l, i))) {
                Some((l, i)) => {
                    l.remove(i);
                }
                None => missing.push((rule, attr, value)),
            }
        }
        self.refines.retain(|(_, l)| !l.is_empty());
        missing
    }

    /// CaC's `update_with`: the other's selections are added; for values
    /// and refinements what `self` already has wins.
    fn update_with(&mut self, rhs: &Sel) {
        for r in &rhs.selected {
            if !self.selected.contains(r) {
                self.selected.push(r.clone());
            }
        }
        let mut vars = rhs.variables.clone();
        for (k, v) in &self.variables {
            set(&mut vars, k, v.clone());
        }
        self.variables = vars;
        let mut refines = rhs.refines.clone();
        for (k, v) in &self.refines {
            match refines.iter_mut().find(|(x, _)| x == k) {
                Some(slot) => slot.1 = v.clone(),
                None => refines.push((k.clone(), v.clone())),
            }
        }
        self.refines = refines;
        self.unrefines.extend(rhs.unrefines.iter().cloned());
    }
}

fn set(list: &mut Vec<(String, String)>, k: &str, v: String) {
    match list.iter_mut().find(|(x, _)| x == k) {
        Some(slot) => slot.1 = v,
        None => list.push((k.to_owned(), v)),
    }
}

/// Controls resolved with their sub-controls, memoised.
struct Controls<'c> {
    content: &'c Content,
    done: HashMap<(String, String), Sel>,
    diags: Vec<Diagnostic>,
}

impl<'c> Controls<'c> {
    fn control(&self, policy: &str, id: &str) -> Option<&'c Control> {
        self.content.policies.get(policy)?.controls.iter().find(|c| c.id == id)
    }

    /// A control's selections, with its sub-controls' merged in and rules
    /// this product does not have left out (CaC's
    /// `remove_selections_not_known`: policies are shared by products).
    fn resolved(&mut self, policy: &str, id: &str, stack: &mut Vec<(String, String)>) -> Sel {
        let key = (policy.to_owned(), id.to_owned());
        if let Some(s) = self.done.get(&key) {
            return s.clone();
        }
        let Some(c) = self.control(policy, id) else { return Sel::default() };
        if stack.contains(&key) {
            self.diags.push(
                Diagnostic::error(
                    codes::CYCLE,
                    format!("control `{policy}:{id}` contains itself through its `controls`"),
                )
                .at(c.loc.clone()),
            );
            return Sel::default();
        }
        stack.push(key.clone());
        let mut sel = Sel::default();
        for s in &c.selections {
            sel.apply(&s.value);
        }
        for child in &c.children {
            let subs: Vec<(String, String)> = match child.split_once(':') {
                Some((p, rest)) => match rest.strip_prefix("all:") {
                    Some(level) => {
                        self.of_level(p, level).into_iter().map(|(c, _)| (p.to_owned(), c.id.clone())).collect()
                    }
                    None => vec![(p.to_owned(), rest.to_owned())],
                },
                None => vec![(policy.to_owned(), child.clone())],
            };
            for (p, cid) in subs {
                if self.control(&p, &cid).is_none() {
                    self.diags.push(
                        Diagnostic::error(
                            codes::DANGLING,
                            format!("control `{policy}:{id}` names `{p}:{cid}`, which does not exist"),
                        )
                        .at(c.loc.clone()),
                    );
                    continue;
                }
                let sub = self.resolved(&p, &cid, stack);
                sel.update_with(&sub);
            }
        }
        stack.pop();
        let known = |r: &String| self.content.rules.contains_key(r);
        sel.selected.retain(known);
        sel.unselected.retain(known);
        self.done.insert(key, sel.clone());
        sel
    }

    /// The controls of `level` and the levels it inherits from, each with
    /// the values an earlier (more specific) level already set removed.
    fn of_level(&self, policy: &str, level: &str) -> Vec<(&'c Control, Vec<String>)> {
        let Some(p) = self.content.policies.get(policy) else { return Vec::new() };
        let mut order: Vec<&str> = Vec::new();
        fn walk<'p>(p: &'p Policy, l: &'p str, order: &mut Vec<&'p str>) {
            if order.contains(&l) {
                return;
            }
            order.push(l);
            if let Some(lv) = p.levels.iter().find(|x| x.id == l) {
                for parent in &lv.inherits_from {
                    walk(p, parent, order);
                }
            }
        }
        walk(p, level, &mut order);
        let mut out = Vec::new();
        for l in order {
            for c in p.controls.iter().filter(|c| c.levels.iter().any(|x| x == l)) {
                out.push((c, Vec::new()));
            }
        }
        out
    }

    /// Controls a profile selection names, as (control, values to drop).
    fn pick(&mut self, policy: &str, which: &ControlPick, loc: &Location) -> Vec<Sel> {
        let Some(p) = self.content.policies.get(policy) else {
            let known: Vec<&str> = self.content.policies.keys().map(String::as_str).collect();
            let mut d =
                Diagnostic::error(codes::DANGLING, format!("no policy `{policy}` in controls/")).at(loc.clone());
            if let Some(s) = crate::source::suggest(policy, &known) {
                d = d.hint(format!("did you mean `{s}`?"));
            }
            self.diags.push(d);
            return Vec::new();
        };
        let ids: Vec<String> = match which {
            ControlPick::All => p.controls.iter().map(|c| c.id.clone()).collect(),
            ControlPick::One(id) => {
                if self.control(policy, id).is_none() {
                    self.diags.push(
                        Diagnostic::error(codes::DANGLING, format!("policy `{policy}` has no control `{id}`"))
                            .at(loc.clone()),
                    );
                    return Vec::new();
                }
                vec![id.clone()]
            }
            ControlPick::Level(level) => {
                if !p.levels.iter().any(|l| &l.id == level) {
                    let known: Vec<&str> = p.levels.iter().map(|l| l.id.as_str()).collect();
                    self.diags.push(
                        Diagnostic::error(codes::DANGLING, format!("policy `{policy}` has no level `{level}`"))
                            .at(loc.clone())
                            .hint(format!("its levels are: {}", known.join(", "))),
                    );
                    return Vec::new();
                }
                // A value set by a control of a more specific level is not
                // overridden by a control of a level it inherits from.
                let mut seen_vars: BTreeSet<String> = BTreeSet::new();
                let mut out = Vec::new();
                for (c, _) in self.of_level(policy, level) {
                    let mut sel = self.resolved(policy, &c.id, &mut Vec::new());
                    sel.variables.retain(|(k, _)| !seen_vars.contains(k));
                    for (k, _) in &self.resolved(policy, &c.id, &mut Vec::new()).variables {
                        seen_vars.insert(k.clone());
                    }
                    out.push(sel);
                }
                return out;
            }
        };
        ids.iter().map(|id| self.resolved(policy, id, &mut Vec::new())).collect()
    }
}

/// Resolves every profile as CaC's `ProfileWithInlinePolicies.resolve`:
/// controls first, then the extended profile, then the profile's own
/// deselections; selected rules sorted.
pub fn resolve_profiles(content: &Content, diags: &mut Vec<Diagnostic>) -> Vec<ResolvedProfile> {
    let mut controls = Controls { content, done: HashMap::new(), diags: Vec::new() };
    let mut done: BTreeMap<String, Sel> = BTreeMap::new();
    let mut out = Vec::new();
    for id in content.profiles.keys() {
        let mut stack = Vec::new();
        resolve_one(content, id, &mut controls, &mut done, &mut stack, diags);
    }
    diags.append(&mut controls.diags);
    for (id, p) in &content.profiles {
        let Some(sel) = done.get(id) else { continue };
        let mut values = Vec::new();
        for (v, selector) in &sel.variables {
            match content.values.get(v) {
                None if content.broken.contains(v) => {}
                None => diags.push(
                    Diagnostic::error(
                        codes::DANGLING,
                        format!("profile `{id}` sets the value `{v}`, which does not exist"),
                    )
                    .at_file(&p.file),
                ),
                Some(x) if x.selector(selector).is_none() => diags.push(
                    Diagnostic::error(
                        codes::DANGLING,
                        format!("value `{v}` has no selector `{selector}` (profile `{id}`)"),
                    )
                    .at_file(&p.file)
                    .related(Location::file(&x.file), "the value's options are here"),
                ),
                Some(_) => values.push((v.clone(), selector.clone())),
            }
        }
        let mut refines = Vec::new();
        for (rule, list) in &sel.refines {
            for (attr, val) in list {
                refines.push((rule.clone(), attr.clone(), val.clone()));
            }
        }
        out.push(ResolvedProfile {
            id: id.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            extends: None,
            select: sel.selected.iter().map(|r| (r.clone(), true)).collect(),
            values,
            refines,
            unselected_groups: Vec::new(),
            hidden: p.hidden,
        });
    }
    out
}

fn resolve_one(
    content: &Content,
    id: &str,
    controls: &mut Controls<'_>,
    done: &mut BTreeMap<String, Sel>,
    stack: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Sel> {
    if let Some(s) = done.get(id) {
        return Some(s.clone());
    }
    let p = content.profiles.get(id)?;
    if stack.iter().any(|s| s == id) {
        diags.push(
            Diagnostic::error(
                codes::CYCLE,
                format!("profiles extend each other in a cycle: {} -> {id}", stack.join(" -> ")),
            )
            .at_file(&p.file),
        );
        return None;
    }
    stack.push(id.to_owned());
    let mut sel = Sel::default();
    let mut picks: Vec<(&String, &ControlPick, &Location)> = Vec::new();
    for s in &p.selections {
        match &s.value {
            Selection::Controls { policy, which } => picks.push((policy, which, &s.loc)),
            other => sel.apply(other),
        }
    }
    // Controls by policy, in order of the policies' first mention.
    let mut policies: Vec<&String> = Vec::new();
    for (pol, _, _) in &picks {
        if !policies.contains(pol) {
            policies.push(pol);
        }
    }
    for pol in policies {
        for (_, which, loc) in picks.iter().filter(|(x, _, _)| *x == pol) {
            for c in controls.pick(pol, which, loc) {
                sel.update_with(&c);
            }
        }
    }
    for (rule, attr, value) in sel.subtract_refinements() {
        let text = format!("!{rule}.{attr}={value}");
        let loc = p
            .selections
            .iter()
            .find(|s| matches!(&s.value, Selection::Unrefine { rule: r, attr: a, value: v } if *r == rule && *a == attr && *v == value))
            .map(|s| s.loc.clone())
            .unwrap_or_else(|| Location::file(&p.file));
        diags.push(
            Diagnostic::warning(
                codes::NO_EFFECT,
                format!("profile `{id}`: `{text}` takes back a refinement that no selected control makes"),
            )
            .at(loc)
            .hint("remove the selection (CaC's own build stops on it)"),
        );
    }
    if let Some(e) = &p.extends {
        match content.profiles.get(&e.value) {
            Some(_) => {
                if let Some(parent) = resolve_one(content, &e.value, controls, done, stack, diags) {
                    sel.update_with(&parent);
                }
            }
            None => diags.push(
                Diagnostic::error(
                    codes::DANGLING,
                    format!("profile `{id}` extends `{}`, which does not exist", e.value),
                )
                .at(e.loc.clone()),
            ),
        }
    }
    stack.pop();
    let unselected: BTreeSet<String> = sel.unselected.drain(..).collect();
    let mut selected: Vec<String> = sel.selected.drain(..).filter(|r| !unselected.contains(r)).collect();
    selected.sort();
    selected.dedup();
    for r in &selected {
        if !content.rules.contains_key(r) && !content.broken.contains(r) {
            let loc = p
                .selections
                .iter()
                .find(|s| matches!(&s.value, Selection::Select(x) if x == r))
                .map(|s| s.loc.clone())
                .unwrap_or_else(|| Location::file(&p.file));
            let mut d = Diagnostic::error(
                codes::DANGLING,
                format!("profile `{id}` selects the rule `{r}`, which does not exist"),
            )
            .at(loc);
            if content.groups.contains_key(r) {
                d = d.hint("this is a group; CaC profiles select rules only");
            }
            diags.push(d);
        }
    }
    selected.retain(|r| content.rules.contains_key(r));
    if let Some(f) = &p.filter_rules {
        filter_rules(content, id, f, &mut selected, diags);
    }
    sel.selected = selected;
    done.insert(id.to_owned(), sel.clone());
    Some(sel)
}

/// CaC's `filter_rules` (`apply_filter`): keeps the selected rules for which
/// the expression is true. It is Python over the rule's `platform` (the
/// `platform:` key, a string: `in` tests for a substring) and `platforms`
/// (every platform of the rule: `in` tests membership), with `and`, `or`,
/// `not`, `in`, `not in`, `==`, `!=` and literals, which minijinja's
/// expressions evaluate alike. An expression that fails is an error: the
/// profile would select the wrong rules.
fn filter_rules(
    content: &Content,
    id: &str,
    f: &Spanned<String>,
    selected: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let env = minijinja::Environment::new();
    let fail = |msg: String| {
        Diagnostic::error(codes::BAD_VALUE, format!("profile `{id}`: `filter_rules` {msg}"))
            .at(f.loc.clone())
            .hint("write a Python-style expression over `platform` and `platforms`, e.g. `\"node\" not in platforms`")
    };
    let expr = match env.compile_expression(&f.value) {
        Ok(e) => e,
        Err(e) => return diags.push(fail(format!("cannot be read: {e}"))),
    };
    let mut failed = None;
    selected.retain(|r| {
        let Some(rule) = content.rules.get(r) else { return true };
        let platforms: Vec<&str> = rule.platforms.iter().map(|p| p.value.as_str()).collect();
        // `platforms` lists `platform:` first when the rule has that key.
        let platform = if rule.locs.contains_key("platform") { platforms.first().copied().unwrap_or("") } else { "" };
        let ctx = minijinja::context! { platform => platform, platforms => platforms };
        match expr.eval(ctx) {
            Ok(v) => v.is_true(),
            Err(e) => {
                failed.get_or_insert_with(|| format!("fails for rule `{r}`: {e}"));
                true
            }
        }
    });
    if let Some(msg) = failed {
        diags.push(fail(msg));
    }
}

/// Adds the references of policies with a `reference_type` to the rules
/// their controls select (e.g. `cis: 1.1.1.1`), as CaC's
/// `ControlsManager.add_references` does.
pub fn add_control_references(product: &Product, content: &mut Content) {
    let shared: &Content = content;
    let mut controls = Controls { content: shared, done: HashMap::new(), diags: Vec::new() };
    let mut add: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for p in shared.policies.values() {
        let Some(rt) = &p.reference_type else { continue };
        if !p.products.is_empty() && !p.products.contains(&product.id) {
            continue;
        }
        for c in &p.controls {
            let sel = controls.resolved(&p.id, &c.id, &mut Vec::new());
            for r in sel.selected {
                add.entry(r).or_default().push((rt.clone(), c.id.clone()));
            }
        }
    }
    for (rule, refs) in add {
        let Some(r) = content.rules.get_mut(&rule) else { continue };
        for (scheme, id) in refs {
            match r.references.iter_mut().find(|(s, _)| *s == scheme) {
                Some((_, ids)) => {
                    if !ids.contains(&id) {
                        ids.push(id)
                    }
                }
                None => r.references.push((scheme, vec![id])),
            }
        }
    }
}

/// Values a rule uses: `<sub>` placeholders in its prose, template
/// parameters naming a Value, and Values named in its rule-local files.
fn values_of(rule: &Rule, content: &Content) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = rule.value_refs.iter().cloned().collect();
    for prose in [Some(&rule.description), Some(&rule.rationale), rule.ocil.as_ref(), rule.fixtext.as_ref()]
        .into_iter()
        .flatten()
        .chain(rule.warnings.iter().map(|(_, w)| w))
    {
        prose_values(prose, &mut out);
    }
    if let Some(t) = &rule.template {
        for v in t.vars.values() {
            if let Some(s) = v.value.as_str() {
                if content.values.contains_key(s) {
                    out.insert(s.to_owned());
                }
            }
        }
    }
    out
}

/// Adds the Values that prose names: `{{{ xccdf_value(..) }}}`'s `<sub>`
/// elements (CaC's macro writes the element itself) and our own `sub`s.
fn prose_values(prose: &str, out: &mut BTreeSet<String>) {
    out.extend(text::sub_ids(prose));
    let mut rest = prose;
    while let Some(i) = rest.find("<sub idref=\"") {
        let after = &rest[i + "<sub idref=\"".len()..];
        let end = after.find('"').unwrap_or(after.len());
        out.insert(after[..end].to_owned());
        rest = &after[end..];
    }
}

/// Values the OVAL of a rule's CaC template names (its external variables,
/// e.g. `sysctl_<name>_value` of the `sysctl` template): the template's
/// `oval.template` in `shared/templates` as rendered for the rule
/// ([`crate::cac_checks::Sources::render_oval`]), and every word of it
/// that is a Value id. A template that does not render names none here;
/// building its check reports it.
/// `ids` holds the Value ids of the content.
/// Value ids, looked up once per word of many texts: a fast hash.
type Ids<'a> = HashSet<&'a str, foldhash::fast::RandomState>;

fn template_values(rule: &Rule, ids: &Ids<'_>, src: &crate::cac_checks::Sources) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let Some(Ok(oval)) = src.template_oval(&rule.id) else { return out };
    let mut words = |text: &str| {
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')) {
            if !word.is_empty() && ids.contains(word) {
                out.insert(word.to_owned());
            }
        }
    };
    words(oval);
    // Definitions it extends from shared/checks/oval (e.g. the sshd
    // templates' `sshd_required_or_unset`) bring their external variables.
    let mut rest = oval.as_str();
    while let Some(i) = rest.find("definition_ref=\"") {
        let after = &rest[i + "definition_ref=\"".len()..];
        let end = after.find('"').unwrap_or(after.len());
        let def = &after[..end];
        if !def.is_empty() && !def.contains(['/', '\\', '.']) {
            if let Some(text) = src.shared_check(def) {
                words(text);
            }
        }
        rest = &after[end..];
    }
    out
}

/// The rules the benchmark keeps: those some profile selects, and the
/// rules they require or conflict with (no profile selects those; the
/// relation keeps its XCCDF meaning, since an unselected required rule
/// deselects the rule when it is evaluated, and the Benchmark names no
/// missing item).
pub fn kept_rules(rules: &BTreeMap<String, Rule>, profiles: &[ResolvedProfile]) -> BTreeSet<String> {
    let mut kept: BTreeSet<String> =
        profiles.iter().flat_map(|p| p.select.iter().filter(|(_, on)| *on).map(|(r, _)| r.clone())).collect();
    let mut todo: Vec<String> = kept.iter().cloned().collect();
    while let Some(id) = todo.pop() {
        let Some(r) = rules.get(&id) else { continue };
        for x in r.requires.iter().chain(&r.conflicts) {
            if rules.contains_key(x) && kept.insert(x.clone()) {
                todo.push(x.clone());
            }
        }
    }
    kept
}

/// Cuts the benchmark down as CaC's build does: only rules some profile
/// (hidden ones too) selects, Values those rules use (in their prose,
/// template parameters and fixes, or `exported` to their checks: the
/// external variables of their OVAL) or a profile sets, and groups that
/// hold any of them. Each profile then deselects the groups in which it
/// selects no rule. Hidden profiles are dropped. In `build --watch`, the
/// Values a rule's template names come from `memo` while the rule and
/// the Value ids stay the same (`product` names them there).
pub fn prune(
    content: &mut Content,
    mut profiles: Vec<ResolvedProfile>,
    exported: BTreeSet<String>,
    src: &crate::cac_checks::Sources,
    product: &Product,
    memo: &crate::incremental::Memo,
) -> Vec<ResolvedProfile> {
    let selected = kept_rules(&content.rules, &profiles);
    content.rules.retain(|id, _| selected.contains(id));
    let mut values: BTreeSet<String> = profiles.iter().flat_map(|p| p.values.iter().map(|(v, _)| v.clone())).collect();
    for r in content.rules.values() {
        values.extend(values_of(r, content));
    }
    values.extend(exported);
    // And the Value ids its template's OVAL names (e.g. in definitions
    // that are not linked as the rule's check).
    let from_templates: Vec<BTreeSet<String>> = {
        use rayon::prelude::*;
        let rules: Vec<&Rule> = content.rules.values().filter(|r| r.template.is_some()).collect();
        let ids: Ids<'_> = content.values.keys().map(String::as_str).collect();
        let kept = memo.keeps().then(|| {
            memo.shared_ids("value-ids-prune", &product.id, &product.file, content.values.keys().cloned().collect())
        });
        rules
            .par_iter()
            .map(|r| match &kept {
                // It reads the rule, its rendered template OVAL and
                // shared/checks/oval: a change of any but the rule forgets
                // the memo.
                Some(k) => memo.derived("template-values", &product.id, r, k.clone(), || template_values(r, &ids, src)),
                None => template_values(r, &ids, src),
            })
            .collect()
    };
    values.extend(from_templates.into_iter().flatten());
    // Groups holding a kept rule or value, and their ancestors.
    let mut keep: BTreeSet<String> = BTreeSet::new();
    let parents: BTreeMap<String, Option<String>> =
        content.groups.iter().map(|(k, g)| (k.clone(), g.parent.clone())).collect();
    let mark = |mut g: Option<String>, keep: &mut BTreeSet<String>| {
        while let Some(id) = g {
            if !keep.insert(id.clone()) {
                break;
            }
            g = parents.get(&id).cloned().flatten();
        }
    };
    for r in content.rules.values() {
        mark(r.group.clone(), &mut keep);
    }
    // A kept group's prose may name a Value no kept rule uses (CaC's
    // audit_login_events names var_accounts_passwords_pam_faillock_dir):
    // CaC's build drops that Value and leaves a `<sub>` naming nothing,
    // which XCCDF forbids; we keep the Value (and so its group, whose
    // prose may name another, until nothing changes).
    let mut seen: BTreeSet<String> = BTreeSet::new();
    loop {
        for id in values.iter() {
            if seen.insert(id.clone()) {
                if let Some(v) = content.values.get(id) {
                    mark(v.group.clone(), &mut keep);
                }
            }
        }
        let mut named = BTreeSet::new();
        for g in keep.iter().filter_map(|id| content.groups.get(id)) {
            prose_values(&g.description, &mut named);
            for (_, w) in &g.warnings {
                prose_values(w, &mut named);
            }
        }
        named.retain(|v| content.values.contains_key(v) && !values.contains(v));
        if named.is_empty() {
            break;
        }
        values.extend(named);
    }
    content.values.retain(|id, _| values.contains(id));
    content.groups.retain(|id, _| keep.contains(id));
    // Groups with a rule a profile selects, per profile.
    for p in &mut profiles {
        let mut used: BTreeSet<String> = BTreeSet::new();
        for (r, on) in &p.select {
            if !on {
                continue;
            }
            let mut g = content.rules.get(r).and_then(|x| x.group.clone());
            while let Some(id) = g {
                if !used.insert(id.clone()) {
                    break;
                }
                g = parents.get(&id).cloned().flatten();
            }
        }
        p.unselected_groups = content.groups.keys().filter(|g| !used.contains(*g)).cloned().collect();
    }
    profiles.retain(|p| !p.hidden);
    profiles
}

/// Groups and rules in the order CaC's loader meets them (a group, then
/// the groups below it, then its own rules; each level by name), as
/// (is a group, id). Platforms are registered in this order.
pub fn load_order<'c>(content: &'c Content, root: &std::path::Path) -> Vec<(bool, &'c str)> {
    let key = |dir: &std::path::Path, is_rule: bool| -> Vec<(u8, String)> {
        let rel = dir.strip_prefix(root).unwrap_or(dir);
        let parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        let n = parts.len();
        parts.into_iter().enumerate().map(|(i, p)| (u8::from(is_rule && i + 1 == n), p)).collect()
    };
    // (sort key, is a group, id)
    type Item<'a> = (Vec<(u8, String)>, bool, &'a str);
    let mut items: Vec<Item<'c>> = Vec::new();
    for g in content.groups.values() {
        items.push((key(&g.dir, false), true, &g.id));
    }
    for r in content.rules.values() {
        items.push((key(&r.dir, true), false, &r.id));
    }
    items.sort();
    items.into_iter().map(|(_, g, id)| (g, id)).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::build::{compile_tree, BuildOptions};
    use crate::compile::Compiled;
    use std::path::Path;

    pub(crate) fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub(crate) fn rule(root: &Path, group: &str, id: &str, extra: &str) {
        write(
            root,
            &format!("guide/{group}/{id}/rule.yml"),
            &format!(
                "documentation_complete: true\ntitle: Rule {id} on {{{{{{ full_name }}}}}}\ndescription: d\nrationale: r\nseverity: medium\n{extra}"
            ),
        );
    }

    /// A small ComplianceAsCode-shaped tree: products/p/product.yml with a
    /// benchmark_root outside products/, product_properties, a policy
    /// with inherited levels and nested controls, a hidden profile.
    /// A CPE check that extends the product's (enough for linking).
    /// The product's inventory check and the ocp4 node platforms, for the
    /// small trees of single tests.
    pub(crate) fn platforms_for_tests(r: &Path) {
        let os = "<def-group>\n<definition class=\"inventory\" id=\"installed_OS_is_p\" version=\"1\">\n<metadata><title>P</title><description>d</description></metadata>\n<criteria><criterion comment=\"unix\" test_ref=\"test_unix\"/></criteria>\n</definition>\n<ind:family_test check=\"all\" check_existence=\"at_least_one_exists\" comment=\"unix\" id=\"test_unix\" version=\"1\"><ind:object object_ref=\"obj_unix\"/><ind:state state_ref=\"ste_unix\"/></ind:family_test>\n<ind:family_object id=\"obj_unix\" version=\"1\"/>\n<ind:family_state id=\"ste_unix\" version=\"1\"><ind:family>unix</ind:family></ind:family_state>\n</def-group>\n";
        write(r, "shared/applicability/oval/installed_OS_is_p.xml", os);
        for id in ["ocp4-node", "ocp4-master-node"] {
            let check = format!("installed_app_is_{}", id.replace('-', "_"));
            write(
                r,
                &format!("shared/applicability/{id}.yml"),
                &format!("name: cpe:/a:{id}\ntitle: {id}\ncheck_id: {check}\n"),
            );
            write(r, &format!("shared/applicability/oval/{check}.xml"), &def(&check));
        }
    }

    fn def(id: &str) -> String {
        format!(
            "<def-group>\n<definition class=\"inventory\" id=\"{id}\" version=\"1\">\n<metadata><title>{id}</title><description>d</description></metadata>\n<criteria><extend_definition comment=\"p\" definition_ref=\"installed_OS_is_p\"/></criteria>\n</definition>\n</def-group>\n"
        )
    }

    fn cac_tree() -> (tempfile::TempDir, Compiled) {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(
            r,
            "products/p/product.yml",
            "product: p\nfull_name: Prod P\ntype: platform\nbenchmark_id: P\nbenchmark_root: ../../guide\nprofiles_root: ./profiles\npkg_manager: apt_get\ncpes_root: ../../shared/applicability\ncpes:\n  - p:\n      name: cpe:/o:x:p\n      title: P\n      check_id: installed_OS_is_p\nreference_uris:\n  cis: https://cis.example/\n",
        );
        // CaC's CPE items (cpes_root) and their checks.
        for (id, check, bash) in [
            ("machine", "installed_env_is_a_machine", "[ ! -f /.dockerenv ]"),
            ("container", "installed_env_is_a_container", "[ -f /.dockerenv ]"),
            ("bootc", "bootc", "rpm --quiet -q bootc"),
        ] {
            write(
                r,
                &format!("shared/applicability/{id}.yml"),
                &format!("name: cpe:/a:{id}\ntitle: {id}\ncheck_id: {check}\nbash_conditional: '{bash}'\n"),
            );
            write(r, &format!("shared/applicability/oval/{check}.xml"), &def(check));
        }
        write(
            r,
            "shared/applicability/package.yml",
            "name: 'cpe:/a:{arg}:{ver_specs_cpe}'\ntitle: Package {pkgname} is installed\nversioned: true\nbash_conditional: 'dpkg -s {pkgname}'\nargs:\n  openssh-server:\n    pkgname: openssh-server\n",
        );
        write(r, "shared/applicability/oval/package_openssh-server_le_7_0.xml", &def("package_openssh-server_le_7_0"));
        write(
            r,
            "shared/checks/oval/installed_OS_is_p.xml",
            "<def-group>\n<definition class=\"inventory\" id=\"installed_OS_is_p\" version=\"1\">\n<metadata><title>P</title><description>d</description></metadata>\n<criteria><criterion comment=\"unix\" test_ref=\"test_unix\"/></criteria>\n</definition>\n<ind:family_test check=\"all\" check_existence=\"at_least_one_exists\" comment=\"unix\" id=\"test_unix\" version=\"1\"><ind:object object_ref=\"obj_unix\"/><ind:state state_ref=\"ste_unix\"/></ind:family_test>\n<ind:family_object id=\"obj_unix\" version=\"1\"/>\n<ind:family_state id=\"ste_unix\" version=\"1\"><ind:family>unix</ind:family></ind:family_state>\n</def-group>\n",
        );
        write(
            r,
            "product_properties/10-x.yml",
            "default:\n  prop_a: one\noverrides:\n{{% if pkg_system == 'dpkg' and product.startswith('p') and 'ol' not in families %}}\n  prop_a: two\n{{% endif %}}\n",
        );
        write(
            r,
            "guide/benchmark.yml",
            "documentation_complete: true\ntitle: Guide for {{{ full_name }}}\nstatus: draft\ndescription: d\nnotice:\n  id: terms_of_use\n  description: n\nfront-matter: f\nrear-matter: r\n",
        );
        write(r, "guide/sys-tem/group.yml", "documentation_complete: true\ntitle: System\ndescription: d\n");
        write(r, "guide/other/group.yml", "documentation_complete: true\ntitle: Other\ndescription: d\n");
        rule(r, "sys-tem", "rule_a", "identifiers:\n  cce@p: CCE-80001-3\n  cce@q: CCE-80002-1\nplatforms:\n  - package[openssh-server]<7.0\n  - machine and not container\n  - not bootc and not container\n");
        rule(
            r,
            "sys-tem",
            "rule-b",
            "ocil: 'set it to {{{ xccdf_value(\"var_prose\") }}}'\nreferences:\n  srg: SRG-OS-000001-GPOS-00001\nplatform: not container and not bootc\n",
        );
        rule(r, "sys-tem", "rule_c", "");
        // A Value only the prose names, through CaC's `xccdf_value`.
        write(r, "guide/sys-tem/sub/group.yml", "documentation_complete: true\ntitle: Sub\ndescription: d\n");
        write(
            r,
            "guide/sys-tem/sub/var_prose.var",
            "documentation_complete: true\ntitle: P\ndescription: d\ntype: string\noptions:\n  default: a\n",
        );
        // CaC's Jinja: undefined variables print as nothing, Python
        // methods, macros of shared/macros.
        write(r, "shared/macros/10-m.jinja", "{{% macro shout(s) -%}}\n{{{ s.upper() }}}\n{{%- endmacro %}}\n{{% macro xccdf_value(v) -%}}\n<sub idref=\"{{{ v }}}\" />\n{{%- endmacro %}}\n");
        rule(
            r,
            "sys-tem",
            "rule_d",
            "warnings:\n  - general: uses {{{ prop_a }}}{{{ not_defined }}} {{{ 'a,b'.split(',') | join('+') }}} {{{ shout('x') }}}\nfixtext: 'run a && b'\ntemplate:\n  name: t\n  vars:\n    name: tpl\n  backends:\n    kickstart: 'off'\n  oval_extend_definitions:\n    - other_def\n",
        );
        rule(r, "other", "rule_unused", "");
        write(r, "guide/sys-tem/var_x.var", "documentation_complete: true\ntitle: X\ndescription: d\ntype: number\noptions:\n  default: 1\n  two: 2\n  three: 3\n");
        // A Value only the template's OVAL exports (as `sysctl` does).
        write(r, "shared/templates/t/template.yml", "supported_languages:\n  - oval\n");
        write(
            r,
            "shared/templates/t/oval.template",
            "<def-group>\n<definition class=\"compliance\" id=\"{{{ rule_id }}}\" version=\"1\">\n<metadata><title>t</title><description>d</description></metadata>\n<criteria><criterion test_ref=\"test_{{{ rule_id }}}\"/><extend_definition definition_ref=\"shared_def\"/></criteria>\n</definition>\n<ind:variable_test id=\"test_{{{ rule_id }}}\" check=\"all\" version=\"1\"><ind:object object_ref=\"obj_{{{ rule_id }}}\"/></ind:variable_test>\n<ind:variable_object id=\"obj_{{{ rule_id }}}\" version=\"1\"><ind:var_ref>var_{{{ NAME }}}</ind:var_ref></ind:variable_object>\n<external_variable id=\"var_{{{ NAME }}}\" datatype=\"int\" version=\"1\"/>\n</def-group>\n",
        );
        // ... or a shared definition that OVAL extends.
        write(
            r,
            "shared/checks/oval/shared_def.xml",
            "<def-group>\n<definition class=\"compliance\" id=\"shared_def\" version=\"1\">\n<metadata><title>s</title><description>d</description></metadata>\n<criteria><criterion test_ref=\"test_shared\"/></criteria>\n</definition>\n<ind:variable_test id=\"test_shared\" check=\"all\" version=\"1\"><ind:object object_ref=\"obj_shared\"/></ind:variable_test>\n<ind:variable_object id=\"obj_shared\" version=\"1\"><ind:var_ref>var_ext</ind:var_ref></ind:variable_object>\n<external_variable id=\"var_ext\" datatype=\"int\" version=\"1\"/>\n</def-group>\n",
        );
        write(
            r,
            "guide/sys-tem/var_ext.var",
            "documentation_complete: true\ntitle: E\ndescription: d\ntype: number\noptions:\n  default: 1\n",
        );
        write(
            r,
            "guide/sys-tem/var_tpl.var",
            "documentation_complete: true\ntitle: T\ndescription: d\ntype: number\noptions:\n  default: 1\n",
        );
        write(
            r,
            "guide/other/var_unused.var",
            "documentation_complete: true\ntitle: U\ndescription: d\ntype: number\noptions:\n  default: 1\n",
        );
        write(
            r,
            "controls/pol.yml",
            "policy: Pol\ntitle: Pol\nid: pol\nreference_type: cis\nlevels:\n  - id: l1\n  - id: l2\n    inherits_from: [l1]\ncontrols:\n  - id: '1'\n    title: one\n    levels: [l1]\n    rules: [rule_a, var_x=two, rule_missing_from_product]\n    controls:\n      - id: '1.1'\n        title: nested\n        levels: [l2]\n        rules: [rule-b]\n  - id: '2'\n    title: two\n    levels: [l2]\n    rules: [var_x=three, rule_c]\n",
        );
        write(
            r,
            "products/p/profiles/base.profile",
            "documentation_complete: true\nhidden: true\ntitle: Base\ndescription: d\nselections:\n  - rule_d\n",
        );
        write(
            r,
            "products/p/profiles/l2.profile",
            "documentation_complete: true\ntitle: L2\ndescription: d\nextends: base\nselections:\n  - pol:all:l2\n  - '!rule_c'\n  - rule_a.severity=high\n",
        );
        write(
            r,
            "products/p/profiles/l1.profile",
            "documentation_complete: true\ntitle: L1\ndescription: d\nselections:\n  - pol:all:l1\n",
        );
        let opts = BuildOptions {
            root: r.to_path_buf(),
            out_dir: r.join("build"),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        };
        let (mut compiled, diags) = compile_tree(&opts);
        let errors: Vec<String> = diags
            .iter()
            .filter(|d| d.severity == scapc_diagnostics::Severity::Error)
            .map(|d| format!("{}: {}", d.code, d.message))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
        (d, compiled.remove(0))
    }

    #[test]
    fn a_cac_tree_resolves_as_cac_builds_it() {
        let (_d, c) = cac_tree();
        assert_eq!(c.ns(), "org.ssgproject.content");
        // Only what a profile selects, the values they set, the groups that hold them.
        let rules: Vec<&str> = c.content.rules.keys().map(String::as_str).collect();
        // rule_c is only in control 2, which l2 takes but then deselects.
        assert_eq!(rules, ["rule-b", "rule_a", "rule_d"]);
        assert_eq!(c.content.values.keys().collect::<Vec<_>>(), ["var_ext", "var_prose", "var_tpl", "var_x"]);
        // A group holding only a Value is kept; the Value is in it.
        assert_eq!(c.content.groups.keys().collect::<Vec<_>>(), ["sub", "sys-tem"]);
        assert_eq!(c.content.values["var_prose"].group.as_deref(), Some("sub"));
        // The hidden profile is resolved (its rule is in) but not emitted.
        let ids: Vec<&str> = c.profiles.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["l1", "l2"]);
        let l1 = &c.profiles[0];
        let sel: Vec<&str> = l1.select.iter().map(|(r, _)| r.as_str()).collect();
        // Level l1 holds control 1, which holds its nested 1.1 (level l2).
        assert_eq!(sel, ["rule-b", "rule_a"]);
        assert_eq!(l1.values, [("var_x".to_owned(), "two".to_owned())]);
        let l2 = &c.profiles[1];
        let sel: Vec<&str> = l2.select.iter().map(|(r, _)| r.as_str()).collect();
        // l2 inherits l1; `!rule_c` wins over the control; base adds rule_d.
        assert_eq!(sel, ["rule-b", "rule_a", "rule_d"]);
        // The more specific level's value wins.
        assert_eq!(l2.values, [("var_x".to_owned(), "three".to_owned())]);
        assert_eq!(l2.refines, [("rule_a".to_owned(), "severity".to_owned(), "high".to_owned())]);
        // Product-qualified identifiers, control references.
        let a = &c.content.rules["rule_a"];
        assert_eq!(a.identifiers.iter().map(|i| i.value.1.as_str()).collect::<Vec<_>>(), ["CCE-80001-3"]);
        assert!(a.references.contains(&("cis".to_owned(), vec!["1".to_owned()])), "{:?}", a.references);
        let b = &c.content.rules["rule-b"];
        let cis: Vec<&str> =
            b.references.iter().filter(|(s, _)| s == "cis").flat_map(|(_, v)| v.iter().map(String::as_str)).collect();
        // Nested controls come before their parent, as in CaC.
        assert_eq!(cis, ["1.1", "1"], "the parent control holds its nested control's rules");
        // product_properties are evaluated with the product's variables.
        assert_eq!(c.content.rules["rule_d"].warnings, [("general".to_owned(), "uses two a+b X".to_owned())]);
        assert_eq!(c.content.rules["rule_d"].title, "Rule rule_d on Prod P");
        // Each platform is its own, with CaC's ids.
        // rule-b comes first in CaC's order: rule_a's equal expression
        // takes its id.
        assert_eq!(c.rules["rule-b"].platforms, ["not_bootc_and_not_container"]);
        assert_eq!(
            c.rules["rule_a"].platforms,
            ["not_bootc_and_not_container", "not_container_and_machine", "package_openssh-server_le_7_0"]
        );
    }

    #[test]
    fn the_benchmark_has_cacs_ids_and_deselects_empty_groups() {
        let (_d, c) = cac_tree();
        let mut d = Vec::new();
        let x = crate::xccdf::emit(&c, &mut d);
        assert!(x.contains("id=\"xccdf_org.ssgproject.content_benchmark_P\""));
        assert!(x.contains("<xccdf-1.2:title>Guide for Prod P</xccdf-1.2:title>"), "benchmark.yml gives the title");
        assert!(x.contains("<xccdf-1.2:rear-matter>r</xccdf-1.2:rear-matter>"));
        assert!(x.contains("id=\"xccdf_org.ssgproject.content_group_sys-tem\""));
        assert!(x.contains("<xccdf-1.2:ident system=\"https://ncp.nist.gov/cce\">CCE-80001-3</xccdf-1.2:ident>"));
        assert!(x.contains("href=\"https://www.cyber.mil/stigs/downloads/?_dl_facet_stigs=operating-systems%2Cgeneral-purpose-os\">SRG-OS-000001-GPOS-00001<"));
        assert!(x.contains("<xccdf-1.2:platform idref=\"#package_openssh-server_le_7_0\"/>"));
        // Each platform's tests name CPE OVAL definitions that exist.
        assert!(x.contains("<cpe-lang:check-fact-ref ") && !x.contains("id-ref=\"\""), "{x}");
        for check in ["installed_env_is_a_machine", "package_openssh-server_le_7_0", "installed_OS_is_p"] {
            assert!(c.cpe_oval.has(crate::oval::Kind::Def, check), "{check}");
        }
        let dict = crate::cpe::emit(&c);
        assert_eq!(dict.matches("<cpe-dict:cpe-item ").count(), 1, "{dict}");
        assert!(!x.contains("rule_unused") && !x.contains("var_unused") && !x.contains("profile_base"));
        // CaC keeps `fixtext` for its STIG exports, out of the XCCDF.
        assert!(!x.contains("fixtext"), "{x}");
    }

    #[test]
    fn a_profile_takes_back_refinements_of_its_controls() {
        // As ol8's ospp.profile does: `!rule.attr=value` undoes what a
        // control set (CaC's `_subtract_refinements`); one that undoes
        // nothing is a warning (CaC's build stops on it).
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(
            r,
            "products/p/product.yml",
            "product: p\nfull_name: P\nbenchmark_id: P\nbenchmark_root: ../../guide\ncpes_root: ../../shared/applicability\ncpes:\n  - p:\n      name: cpe:/o:x:p\n      title: P\n      check_id: installed_OS_is_p\n",
        );
        platforms_for_tests(r);
        write(r, "guide/g/group.yml", "documentation_complete: true\ntitle: G\ndescription: d\n");
        rule(r, "g", "rule_a", "");
        write(
            r,
            "controls/pol.yml",
            "policy: Pol\ntitle: Pol\nid: pol\ncontrols:\n  - id: '1'\n    title: one\n    rules: [rule_a, rule_a.role=unscored, rule_a.severity=low]\n",
        );
        write(
            r,
            "products/p/profiles/x.profile",
            "documentation_complete: true\ntitle: X\ndescription: d\nselections:\n  - pol:all\n  - '!rule_a.role=unscored'\n  - '!rule_a.weight=3'\n",
        );
        let opts = BuildOptions {
            root: r.to_path_buf(),
            out_dir: r.join("build"),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        };
        let (compiled, diags) = compile_tree(&opts);
        assert!(!diags.has_errors(), "{diags:?}");
        let x = &compiled[0].profiles[0];
        assert_eq!(x.refines, [("rule_a".to_owned(), "severity".to_owned(), "low".to_owned())]);
        let w: Vec<&scapc_diagnostics::Diagnostic> =
            diags.iter().filter(|d| d.code == crate::codes::NO_EFFECT).collect();
        assert_eq!(w.len(), 1, "{diags:?}");
        assert!(w[0].message.contains("`!rule_a.weight=3`"), "{}", w[0].message);
        assert_eq!(w[0].location.as_ref().and_then(|l| l.pos).map(|p| p.line), Some(7));
    }

    #[test]
    fn filter_rules_drops_the_rules_it_is_false_for() {
        // As ocp4's and eks's profiles do: Python over `platform` (a
        // string, `in` is a substring test) and `platforms` (a set).
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(
            r,
            "products/p/product.yml",
            "product: p\nfull_name: P\nbenchmark_id: P\nbenchmark_root: ../../guide\ncpes_root: ../../shared/applicability\ncpes:\n  - p:\n      name: cpe:/o:x:p\n      title: P\n      check_id: installed_OS_is_p\n",
        );
        platforms_for_tests(r);
        write(r, "guide/g/group.yml", "documentation_complete: true\ntitle: G\ndescription: d\n");
        rule(r, "g", "on_node", "platform: ocp4-node\n");
        rule(r, "g", "on_master", "platforms:\n  - ocp4-master-node\n");
        rule(r, "g", "anywhere", "");
        let sel = "selections:\n  - on_node\n  - on_master\n  - anywhere\n";
        write(
            r,
            "products/p/profiles/platform.profile",
            &format!("documentation_complete: true\ntitle: A\ndescription: d\n{sel}filter_rules: '\"node\" not in platform'\n"),
        );
        write(
            r,
            "products/p/profiles/platforms.profile",
            &format!("documentation_complete: true\ntitle: B\ndescription: d\n{sel}filter_rules: '\"ocp4-master-node\" in platforms'\n"),
        );
        write(
            r,
            "products/p/profiles/broken.profile",
            &format!("documentation_complete: true\ntitle: C\ndescription: d\n{sel}filter_rules: '\"x\" in'\n"),
        );
        let opts = BuildOptions {
            root: r.to_path_buf(),
            out_dir: r.join("build"),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        };
        let (compiled, diags) = compile_tree(&opts);
        let errors: Vec<&scapc_diagnostics::Diagnostic> =
            diags.iter().filter(|d| d.severity == scapc_diagnostics::Severity::Error).collect();
        assert_eq!(errors.len(), 1, "{diags:?}");
        assert!(errors[0].message.contains("profile `broken`: `filter_rules`"), "{}", errors[0].message);
        assert_eq!(errors[0].location.as_ref().and_then(|l| l.pos).map(|p| p.line), Some(8));
        let c = &compiled[0];
        let selected = |id: &str| -> Vec<&str> {
            let p = c.profiles.iter().find(|p| p.id == id).unwrap();
            p.select.iter().map(|(r, _)| r.as_str()).collect()
        };
        assert_eq!(selected("platform"), ["anywhere", "on_master"]);
        assert_eq!(selected("platforms"), ["on_master"]);
    }
}
