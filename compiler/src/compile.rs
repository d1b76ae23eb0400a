//! Resolution: from the loaded [`Content`] of one product to everything the
//! emitters need. Templates are instantiated, rule-local files rendered,
//! OVAL linked, platforms and profiles resolved, and every reference
//! checked. Pure computation over the model plus already-read sources.

use crate::codes;
use crate::jinja::Jinja;
use crate::model::*;
use crate::oval::Oval;
use crate::platform::{self, Expr};
use crate::source;
use petgraph::graphmap::DiGraphMap;
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FixAttrs {
    pub reboot: Option<String>,
    pub strategy: Option<String>,
    pub complexity: Option<String>,
    pub disruption: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub text: String,
    pub attrs: FixAttrs,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SceCheck {
    /// check-content-ref href and catalog name, e.g. `debian12/checks/sce/x.sh`.
    pub href: String,
    pub script: String,
    pub imports: Vec<String>,
    /// (value id, export name).
    pub exports: Vec<(String, String)>,
}

/// What a rule compiles to besides its prose.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleOut {
    pub oval: bool,
    /// CaC's `oval_external_content`: the rule is checked by a remote OVAL
    /// feed, (catalog name, URL); the data stream references it remotely.
    pub external_oval: Option<(String, String)>,
    /// Values exported to OVAL external variables: (value id, OVAL short id).
    pub exports: Vec<String>,
    pub bash: Option<Fix>,
    pub ansible: Option<Fix>,
    pub sce: Option<SceCheck>,
    /// CaC: fixes in its other languages (puppet, kickstart, ...): (fix
    /// system, fix).
    pub other_fixes: Vec<(&'static str, Fix)>,
    pub ocil: bool,
    /// `cpe-lang:platform` ids of the rule's applicability (any applies).
    pub platforms: Vec<String>,
}

/// One platform instance: `package[openssh-server]`.
#[derive(Debug, Clone)]
pub struct Instance {
    pub id: String,
    pub name: String,
    pub arg: Option<String>,
    pub title: String,
    pub cpe: String,
    /// The platform's bash and ansible conditionals, rendered for this
    /// instance.
    pub bash: Option<String>,
    pub ansible: Option<String>,
    /// The short id of the CPE OVAL definition that checks it.
    pub check: String,
}

#[derive(Debug, Clone, Default)]
pub struct ResolvedProfile {
    pub id: String,
    pub title: String,
    pub description: String,
    pub extends: Option<String>,
    /// (rule id, selected) in first-mention order.
    pub select: Vec<(String, bool)>,
    /// (value id, selector).
    pub values: Vec<(String, String)>,
    /// (rule id, attribute, value).
    pub refines: Vec<(String, String, String)>,
    /// Groups the profile deselects because it selects no rule in them.
    pub unselected_groups: Vec<String>,
    /// Resolved but not emitted (CaC's `hidden: true`).
    pub hidden: bool,
}

pub struct Compiled {
    pub product: Product,
    pub content: Content,
    pub rules: BTreeMap<String, RuleOut>,
    /// group id -> its platforms' `cpe-lang:platform` ids.
    pub group_platforms: BTreeMap<String, Vec<String>>,
    pub oval: Oval,
    pub cpe_oval: Oval,
    /// expression id -> expression.
    pub platforms: BTreeMap<String, Expr>,
    pub instances: BTreeMap<String, Instance>,
    pub profiles: Vec<ResolvedProfile>,
    pub timestamp: String,
    pub sce: bool,
}

impl Compiled {
    pub fn ns(&self) -> &str {
        &self.product.namespace
    }
    pub fn rule_idref(&self, id: &str) -> String {
        format!("xccdf_{}_rule_{id}", self.ns())
    }
    pub fn group_idref(&self, id: &str) -> String {
        format!("xccdf_{}_group_{id}", self.ns())
    }
    pub fn value_idref(&self, id: &str) -> String {
        format!("xccdf_{}_value_{id}", self.ns())
    }
    pub fn profile_idref(&self, id: &str) -> String {
        format!("xccdf_{}_profile_{id}", self.ns())
    }
    pub fn file_name(&self, part: &str) -> String {
        format!("{}-{part}.xml", self.product.id)
    }
    /// The platform instance a name of an applicability expression uses.
    pub fn instance_of(&self, e: &Expr) -> Option<&Instance> {
        let Expr::Name { name, arg, versions } = e else { return None };
        let key = match self.product.layout {
            Layout::Cac => crate::cac_cpe::instance_id(name, arg.as_deref(), versions),
            Layout::Scapc => platform::instance_id(name, arg.as_deref()),
        };
        self.instances.get(&key)
    }
}

const FIX_KEYS: [&str; 5] = ["platform", "reboot", "strategy", "complexity", "disruption"];

/// Allowed values of the fix header keys (XCCDF 1.2 fix attributes).
pub fn fix_header_allowed(key: &str) -> &'static [&'static str] {
    match key {
        "reboot" => &["true", "false"],
        "strategy" => {
            &["configure", "disable", "enable", "patch", "policy", "restrict", "update", "combination", "unknown"]
        }
        "complexity" | "disruption" => &["unknown", "low", "medium", "high"],
        _ => &[],
    }
}

/// Header values that are not allowed: (line, key, value).
pub fn bad_fix_headers(text: &str) -> Vec<(u32, String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        let Some((k, v)) = t.strip_prefix('#').and_then(|r| r.split_once('=')).map(|(k, v)| (k.trim(), v.trim()))
        else {
            break;
        };
        if !FIX_KEYS.contains(&k) {
            break;
        }
        let allowed = fix_header_allowed(k);
        if !allowed.is_empty() && !allowed.contains(&v) {
            out.push((i as u32 + 1, k.to_owned(), v.to_owned()));
        }
    }
    out
}

/// Splits CaC fix header comments (`# reboot = false`) off a fix.
pub fn fix_headers(text: &str) -> Fix {
    let mut attrs = FixAttrs::default();
    let mut body_start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        let header = t.strip_prefix('#').and_then(|r| r.split_once('=')).map(|(k, v)| (k.trim(), v.trim()));
        match header {
            Some((k, v)) if FIX_KEYS.contains(&k) => {
                match k {
                    "reboot" => attrs.reboot = Some(v.to_owned()),
                    "strategy" => attrs.strategy = Some(v.to_owned()),
                    "complexity" => attrs.complexity = Some(v.to_owned()),
                    "disruption" => attrs.disruption = Some(v.to_owned()),
                    _ => {}
                }
                offset += line.len();
                body_start = offset;
            }
            _ if t.is_empty() && body_start == offset && offset > 0 => {
                offset += line.len();
                body_start = offset;
            }
            _ => break,
        }
    }
    Fix { text: text[body_start..].to_owned(), attrs }
}

pub(crate) fn sce_headers(script: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut imports = Vec::new();
    let mut exports = Vec::new();
    for line in script.lines().take(30) {
        let t = line.trim();
        if let Some((k, v)) = t.strip_prefix('#').and_then(|r| r.split_once('=')) {
            match k.trim() {
                "check-import" => imports.extend(v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())),
                "check-export" => {
                    for pair in v.split(',') {
                        if let Some((val, name)) = pair.split_once('=') {
                            exports.push((val.trim().to_owned(), name.trim().to_owned()));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    (imports, exports)
}

/// Compiles one product's content: the resolve and link phases of the
/// pipeline (see [`crate::pipeline`]).
pub fn compile(
    product: Product,
    content: Content,
    jinja: &Jinja,
    sce: bool,
    timestamp: String,
) -> (Compiled, Vec<Diagnostic>) {
    compile_memo(product, content, jinja, sce, timestamp, &crate::incremental::Memo::default())
}

/// [`compile`], reusing what `memo` kept of earlier builds' rules
/// (`scapc build --watch`).
pub fn compile_memo(
    product: Product,
    content: Content,
    jinja: &Jinja,
    sce: bool,
    timestamp: String,
    memo: &crate::incremental::Memo,
) -> (Compiled, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let resolved = crate::pipeline::resolve::resolve_memo(product, content, jinja, memo, &mut diags);
    let compiled = crate::pipeline::link::link_memo(resolved, jinja, sce, timestamp, memo, &mut diags);
    (compiled, diags)
}

/// What rendering a CaC rule's fixes needs besides the rule.
pub(crate) struct FixContext<'a> {
    pub content: &'a Content,
    pub product: &'a Product,
    pub jinja: &'a Jinja,
    pub group_platforms: &'a BTreeMap<String, Vec<String>>,
}

/// The bash and Ansible platform conditionals of a CaC rule: those of the
/// platforms of its groups, and of its own platforms that its groups do
/// not have (CaC's inherited and rule-specific platforms).
pub(crate) fn cac_conditionals(
    rule: &Rule,
    own: &[String],
    cx: &FixContext<'_>,
    platforms: &BTreeMap<String, Expr>,
    instances: &BTreeMap<String, Instance>,
) -> (crate::cac_fix::Conditionals, crate::cac_fix::Conditionals) {
    use crate::cac_cpe::Lang;
    let (content, group_platforms) = (cx.content, cx.group_platforms);
    let mut inherited: BTreeSet<&str> = BTreeSet::new();
    let mut g = rule.group.as_deref();
    while let Some(id) = g {
        inherited.extend(group_platforms.get(id).into_iter().flatten().map(String::as_str));
        g = content.groups.get(id).and_then(|x| x.parent.as_deref());
    }
    let cond = |pid: &str, lang: Lang| -> Option<String> {
        let e = platforms.get(pid)?;
        let of = |n: &Expr| -> String {
            let Expr::Name { name, arg, versions } = n else { return String::new() };
            let i = instances.get(&crate::cac_cpe::instance_id(name, arg.as_deref(), versions));
            let c = i.and_then(|i| if lang == Lang::Bash { i.bash.clone() } else { i.ansible.clone() });
            c.unwrap_or_default()
        };
        Some(crate::cac_cpe::conditional(e, lang, &of).trim().to_owned()).filter(|c| !c.is_empty())
    };
    let mut out = Vec::new();
    for lang in [Lang::Bash, Lang::Ansible] {
        let mut c = crate::cac_fix::Conditionals {
            inherited: inherited.iter().filter_map(|p| cond(p, lang)).collect(),
            own: own.iter().filter(|p| !inherited.contains(p.as_str())).filter_map(|p| cond(p, lang)).collect(),
        };
        c.inherited.sort();
        c.own.sort();
        out.push(c);
    }
    let a = out.pop().unwrap_or_default();
    let b = out.pop().unwrap_or_default();
    (b, a)
}

fn rules_under(content: &Content, group: &str) -> Vec<String> {
    let mut groups: BTreeSet<&str> = BTreeSet::new();
    groups.insert(group);
    loop {
        let before = groups.len();
        for g in content.groups.values() {
            if g.parent.as_deref().is_some_and(|p| groups.contains(p)) {
                groups.insert(&g.id);
            }
        }
        if groups.len() == before {
            break;
        }
    }
    content
        .rules
        .values()
        .filter(|r| r.group.as_deref().is_some_and(|g| groups.contains(g)))
        .map(|r| r.id.clone())
        .collect()
}

pub(crate) fn resolve_profiles(content: &Content, diags: &mut Vec<Diagnostic>) -> Vec<ResolvedProfile> {
    let mut graph: DiGraphMap<&str, ()> = DiGraphMap::new();
    for p in content.profiles.values() {
        graph.add_node(&p.id);
        if let Some(e) = &p.extends {
            match content.profiles.get_key_value(&e.value) {
                Some((k, _)) => {
                    graph.add_edge(&p.id, k.as_str(), ());
                }
                None if content.broken.contains(&e.value) => {}
                None => {
                    let known: Vec<&str> = content.profiles.keys().map(String::as_str).collect();
                    let mut d = Diagnostic::error(
                        codes::DANGLING,
                        format!("profile `{}` extends `{}`, which does not exist", p.id, e.value),
                    )
                    .at(e.loc.clone());
                    if let Some(s) = source::suggest(&e.value, &known) {
                        d = d.hint(format!("did you mean `{s}`?"));
                    }
                    diags.push(d);
                }
            }
        }
    }
    let mut cyclic: BTreeSet<String> = BTreeSet::new();
    for scc in petgraph::algo::tarjan_scc(&graph) {
        if scc.len() > 1 || graph.contains_edge(scc[0], scc[0]) {
            let mut names: Vec<&str> = scc.clone();
            names.sort();
            let first = &content.profiles[names[0]];
            let mut d = Diagnostic::error(
                codes::CYCLE,
                format!("profiles extend each other in a cycle: {}", cycle_order(&graph, &scc).join(" -> ")),
            )
            .at(first
                .extends
                .as_ref()
                .map(|e| e.loc.clone())
                .unwrap_or_else(|| Location::file(&first.file)));
            for n in &names[1..] {
                let p = &content.profiles[*n];
                d = d.related(
                    p.extends.as_ref().map(|e| e.loc.clone()).unwrap_or_else(|| Location::file(&p.file)),
                    format!("`{n}` extends here"),
                );
            }
            diags.push(d.hint("remove one `extends` so that the chain ends"));
            cyclic.extend(names.iter().map(|s| s.to_string()));
        }
    }
    // Resolve in dependency order (parents first).
    let mut done: BTreeMap<String, ResolvedProfile> = BTreeMap::new();
    let mut order: Vec<&Profile> = content.profiles.values().filter(|p| !cyclic.contains(&p.id)).collect();
    let mut progress = true;
    while progress && !order.is_empty() {
        progress = false;
        let mut rest = Vec::new();
        for p in order {
            let parent = p.extends.as_ref().map(|e| e.value.clone()).filter(|e| content.profiles.contains_key(e));
            let base = match &parent {
                Some(par) => match done.get(par) {
                    Some(b) => b.clone(),
                    None => {
                        rest.push(p);
                        continue;
                    }
                },
                None => ResolvedProfile::default(),
            };
            let r = resolve_one(content, p, base, parent, diags);
            done.insert(p.id.clone(), r);
            progress = true;
        }
        order = rest;
    }
    done.into_values().collect()
}

fn resolve_one(
    content: &Content,
    p: &Profile,
    base: ResolvedProfile,
    parent: Option<String>,
    diags: &mut Vec<Diagnostic>,
) -> ResolvedProfile {
    let mut r = base;
    r.id = p.id.clone();
    r.title = p.title.clone();
    r.description = p.description.clone();
    r.extends = parent;
    let set_sel = |r: &mut ResolvedProfile, rule: &str, on: bool| match r.select.iter_mut().find(|(k, _)| k == rule) {
        Some(slot) => slot.1 = on,
        None => r.select.push((rule.to_owned(), on)),
    };
    let unknown = |what: &str, id: &str, loc: &Location, known: Vec<&str>| {
        let mut d =
            Diagnostic::error(codes::DANGLING, format!("profile `{}` names {what} `{id}`, which does not exist", p.id))
                .at(loc.clone());
        if let Some(s) = source::suggest(id, &known) {
            d = d.hint(format!("did you mean `{s}`?"));
        }
        d
    };
    for s in &p.selections {
        let named = match &s.value {
            Selection::Select(id) | Selection::Unselect(id) => id,
            Selection::SetValue { value, .. } => value,
            Selection::Refine { rule, .. } | Selection::Unrefine { rule, .. } => rule,
            Selection::Controls { policy, .. } => policy,
        };
        if content.broken.contains(named) {
            continue;
        }
        match &s.value {
            Selection::Select(id) | Selection::Unselect(id) => {
                let on = matches!(s.value, Selection::Select(_));
                if content.rules.contains_key(id) {
                    set_sel(&mut r, id, on);
                } else if content.groups.contains_key(id) {
                    for rule in rules_under(content, id) {
                        set_sel(&mut r, &rule, on);
                    }
                } else {
                    let mut known: Vec<&str> = content.rules.keys().map(String::as_str).collect();
                    known.extend(content.groups.keys().map(String::as_str));
                    diags.push(unknown("the rule or group", id, &s.loc, known));
                }
            }
            Selection::SetValue { value, selector } => match content.values.get(value) {
                None => {
                    diags.push(unknown("the value", value, &s.loc, content.values.keys().map(String::as_str).collect()))
                }
                Some(v) if v.selector(selector).is_none() => {
                    let sels: Vec<&str> = v.options.iter().map(|(k, _)| k.as_str()).collect();
                    let mut d =
                        Diagnostic::error(codes::DANGLING, format!("value `{value}` has no selector `{selector}`"))
                            .at(s.loc.clone())
                            .related(Location::file(&v.file), "the value's options are here");
                    d = match source::suggest(selector, &sels) {
                        Some(x) => d.hint(format!("did you mean `{x}`?")),
                        None => d.hint(format!("its selectors are: {}", sels.join(", "))),
                    };
                    diags.push(d);
                }
                Some(_) => match r.values.iter_mut().find(|(k, _)| k == value) {
                    Some(slot) => slot.1 = selector.clone(),
                    None => r.values.push((value.clone(), selector.clone())),
                },
            },
            Selection::Controls { policy, .. } => diags.push(
                Diagnostic::error(codes::BAD_VALUE, format!("selection of controls of policy `{policy}`: controls are read only in ComplianceAsCode trees (products with a `benchmark_root`)"))
                    .at(s.loc.clone())
                    .hint("select the rules themselves, or lay the product out as in ComplianceAsCode"),
            ),
            Selection::Refine { rule, attr, value } => {
                if !content.rules.contains_key(rule) {
                    diags.push(unknown("the rule", rule, &s.loc, content.rules.keys().map(String::as_str).collect()));
                    continue;
                }
                let valid = match attr.as_str() {
                    "severity" => Severity::parse(value).is_some(),
                    "weight" => value.parse::<f64>().is_ok_and(|w| w >= 0.0),
                    "role" => matches!(value.as_str(), "full" | "unscored" | "unchecked"),
                    "selector" => !value.is_empty(),
                    _ => false,
                };
                if !valid {
                    diags.push(
                        Diagnostic::error(codes::BAD_VALUE, format!("`{value}` is not a valid {attr}"))
                            .at(s.loc.clone())
                            .hint(match attr.as_str() {
                                "severity" => format!("use one of {}", Severity::NAMES.join(", ")),
                                "weight" => "use a non-negative number".into(),
                                _ => "use full, unscored or unchecked".into(),
                            }),
                    );
                    continue;
                }
                match r.refines.iter_mut().find(|(k, a, _)| k == rule && a == attr) {
                    Some(slot) => slot.2 = value.clone(),
                    None => r.refines.push((rule.clone(), attr.clone(), value.clone())),
                }
            }
            Selection::Unrefine { rule, attr, value } => {
                match r.refines.iter().position(|(k, a, v)| k == rule && a == attr && v == value) {
                    Some(i) => {
                        r.refines.remove(i);
                    }
                    None => diags.push(
                        Diagnostic::warning(
                            codes::NO_EFFECT,
                            format!("`!{rule}.{attr}={value}` takes back a refinement the extended profile does not make"),
                        )
                        .at(s.loc.clone())
                        .hint("remove the selection"),
                    ),
                }
            }
        }
    }
    r
}

/// Position helper used by tests.
#[allow(dead_code)]
pub(crate) fn at(file: &str, line: u32, col: u32) -> Location {
    Location { file: file.into(), pos: Some(Pos::new(line, col)) }
}

/// One cycle through a strongly connected component, as names from its
/// smallest name back to it (`a -> b -> a`; a self-loop is `a -> a`), so
/// that a message shows the loop closing.
pub(crate) fn cycle_order<'a>(graph: &DiGraphMap<&'a str, ()>, scc: &[&'a str]) -> Vec<&'a str> {
    let Some(&start) = scc.iter().min() else { return Vec::new() };
    let mut parent: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(u) = queue.pop_front() {
        for v in graph.neighbors(u) {
            if v == start {
                let mut path = vec![start];
                let mut at = u;
                while at != start {
                    path.push(at);
                    at = parent[at];
                }
                path[1..].reverse();
                path.push(start);
                return path;
            }
            if scc.contains(&v) && !parent.contains_key(v) {
                parent.insert(v, u);
                queue.push_back(v);
            }
        }
    }
    let mut names = scc.to_vec();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dest = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy_dir(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).unwrap();
            }
        }
    }

    /// Resolution works on what loading read: deleting a rule's own OVAL
    /// after loading changes nothing (it used to be read during `compile`).
    #[test]
    fn compile_reads_no_files() {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid/minimal"), d.path());
        let tree = crate::load::discover(d.path());
        let (product, diags) = crate::load::load_product(&tree, &tree.products[0]);
        assert!(diags.is_empty(), "{diags:?}");
        let product = product.unwrap();
        let (macros, _) = crate::load::load_macros(&tree);
        let jinja = Jinja::new(&macros, &product.vars).map_err(|e| e.0).unwrap();
        let (content, diags) = crate::load::load_content(&tree, &product, &jinja);
        assert!(diags.is_empty(), "{diags:?}");
        std::fs::remove_dir_all(d.path().join("rules/files/etc_group_mode/oval")).unwrap();
        let (c, diags) = compile(product, content, &jinja, false, "2026-01-01T00:00:00".into());
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == scapc_diagnostics::Severity::Error).collect();
        assert!(errors.is_empty(), "{errors:?}");
        assert!(c.rules["etc_group_mode"].oval);
    }

    /// `!rule.attr=value` takes back a refinement of the extended profile;
    /// one that takes back nothing is a warning.
    #[test]
    fn a_profile_takes_back_a_refinement_it_inherits() {
        let d = tempfile::tempdir().unwrap();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/valid/minimal"), d.path());
        std::fs::write(
            d.path().join("profiles/softer.profile"),
            "title: Softer\ndescription: d\nextends: strict\nselections:\n  - '!passwd_mode.severity=high'\n  - '!passwd_mode.role=unscored'\n",
        )
        .unwrap();
        let opts = crate::build::BuildOptions {
            root: d.path().to_path_buf(),
            out_dir: d.path().join("build"),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        };
        let (compiled, diags) = crate::build::compile_tree(&opts);
        assert!(!diags.has_errors(), "{diags:?}");
        let p = |id: &str| compiled[0].profiles.iter().find(|p| p.id == id).unwrap();
        assert_eq!(p("strict").refines.len(), 1);
        assert!(p("softer").refines.is_empty(), "{:?}", p("softer").refines);
        let w: Vec<_> = diags.iter().filter(|d| d.code == codes::NO_EFFECT).collect();
        assert_eq!(w.len(), 1, "{diags:?}");
        assert!(w[0].message.contains("`!passwd_mode.role=unscored`"), "{}", w[0].message);
    }

    #[test]
    fn cycle_order_follows_the_edges_back_to_the_start() {
        let mut g: petgraph::graphmap::DiGraphMap<&str, ()> = petgraph::graphmap::DiGraphMap::new();
        // c -> a -> b -> c, plus a chord b -> a; and a self-loop on x.
        g.add_edge("c", "a", ());
        g.add_edge("a", "b", ());
        g.add_edge("b", "c", ());
        g.add_edge("b", "a", ());
        g.add_edge("x", "x", ());
        assert_eq!(super::cycle_order(&g, &["c", "b", "a"]), ["a", "b", "a"]);
        g.remove_edge("b", "a");
        assert_eq!(super::cycle_order(&g, &["c", "b", "a"]), ["a", "b", "c", "a"]);
        assert_eq!(super::cycle_order(&g, &["x"]), ["x", "x"]);
    }

    #[test]
    fn fix_headers_are_split_off() {
        let f = fix_headers("# platform = multi_platform_all\n# reboot = false\n# strategy = restrict\n\nsed -i x\n");
        assert_eq!(f.attrs.reboot.as_deref(), Some("false"));
        assert_eq!(f.attrs.strategy.as_deref(), Some("restrict"));
        assert_eq!(f.text, "sed -i x\n");
        let g = fix_headers("#!/bin/bash\necho\n");
        assert_eq!(g.text, "#!/bin/bash\necho\n");
    }

    #[test]
    fn sce_header_parsing() {
        let (i, e) = sce_headers("#!/bin/bash\n# check-import = stdout\n# check-export = v1=t1, v2=t2\nexit 0\n");
        assert_eq!(i, vec!["stdout"]);
        assert_eq!(e, vec![("v1".into(), "t1".into()), ("v2".into(), "t2".into())]);
    }
}
