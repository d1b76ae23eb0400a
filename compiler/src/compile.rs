//! Resolution: from the loaded [`Content`] of one product to everything the
//! emitters need. Templates are instantiated, rule-local files rendered,
//! OVAL linked, platforms and profiles resolved, and every reference
//! checked. Pure computation over the model plus already-read sources.

use crate::codes;
use crate::jinja::Jinja;
use crate::model::loc_of;
use crate::model::*;
use crate::oval::{Fragment, Kind, Oval};
use crate::platform::{self, Expr};
use crate::source::{self, LineMap};
use crate::templates::{self, Artifact};
use crate::text;
use minijinja::Value as JValue;
use petgraph::graphmap::DiGraphMap;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct FixAttrs {
    pub reboot: Option<String>,
    pub strategy: Option<String>,
    pub complexity: Option<String>,
    pub disruption: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fix {
    pub text: String,
    pub attrs: FixAttrs,
}

#[derive(Debug, Clone)]
pub struct SceCheck {
    /// check-content-ref href and catalog name, e.g. `debian12/checks/sce/x.sh`.
    pub href: String,
    pub script: String,
    pub imports: Vec<String>,
    /// (value id, export name).
    pub exports: Vec<(String, String)>,
}

/// What a rule compiles to besides its prose.
#[derive(Debug, Clone, Default)]
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

fn sce_headers(script: &str) -> (Vec<String>, Vec<(String, String)>) {
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

struct RuleWork {
    id: String,
    fragments: Vec<Fragment>,
    out: RuleOut,
    diags: Vec<Diagnostic>,
    subs: Vec<(String, PathBuf)>,
}

fn render_local(
    jinja: &Jinja,
    path: &Path,
    src: &str,
    ctx: &BTreeMap<String, JValue>,
    rule: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(String, LineMap)> {
    match jinja.render(&path.display().to_string(), src, ctx) {
        Ok(t) => {
            let lines = LineMap::between(src, &t);
            Some((t, lines))
        }
        Err(e) => {
            let loc = match (&e.in_template, e.line) {
                (Some(t), Some(l)) => Location::at(PathBuf::from(t), l, e.col.unwrap_or(1)),
                (None, Some(l)) => Location::at(path, l, e.col.unwrap_or(1)),
                _ => Location::file(path),
            };
            diags.push(
                Diagnostic::error(codes::JINJA, format!("{} (while rendering for rule `{rule}`)", e.message)).at(loc),
            );
            None
        }
    }
}

fn expr_loc(loc: &Location, offset: usize) -> Location {
    match loc.pos {
        Some(p) => Location::at(&loc.file, p.line, p.col + offset as u32),
        None => loc.clone(),
    }
}

/// Compiles one product's content.
pub fn compile(
    product: Product,
    content: Content,
    jinja: &Jinja,
    sce: bool,
    timestamp: String,
) -> (Compiled, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let ns_last = product.namespace.rsplit('.').next().unwrap_or("scapc").to_owned();
    let cac = product.layout == Layout::Cac;
    let mut content = content;
    if cac {
        // Before the fixes: CaC's Ansible tags name these references too.
        crate::cac::add_control_references(&product, &mut content);
        crate::cac_stig::add_references(&product, &mut content, &mut diags);
    }

    // --- Platforms -------------------------------------------------------
    let mut platforms: BTreeMap<String, Expr> = BTreeMap::new();
    // CaC: platforms in the order its loader meets them, so that an
    // expression equal to an earlier one takes the earlier one's id.
    let mut cac_seen: Vec<(Expr, String)> = Vec::new();
    let mut used_instances: BTreeMap<String, (String, Option<String>, Location)> = BTreeMap::new();
    let mut parse_platform = |sp: &Spanned<String>, diags: &mut Vec<Diagnostic>| -> Option<String> {
        match platform::parse(&sp.value) {
            Err(e) => {
                diags.push(
                    Diagnostic::error(codes::PLATFORM, format!("platform expression `{}`: {}", sp.value, e.message))
                        .at(expr_loc(&sp.loc, e.offset))
                        .hint("write names joined by `and`, `or`, `not`, with `name[arg]` for parametrized platforms"),
                );
                None
            }
            Ok(expr) if cac => {
                // CaC's platform definitions (cpes_root) are not read yet:
                // the expression gets CaC's id, its CPE OVAL is reported
                // missing once per product below.
                let canon = expr.canonical();
                if let Some((_, id)) = cac_seen.iter().find(|(e, _)| e.same(&canon)) {
                    return Some(id.clone());
                }
                let id = expr.canonical_id();
                cac_seen.push((canon.clone(), id.clone()));
                // CaC writes tests and conditionals in its canonical order.
                platforms.insert(id.clone(), canon);
                Some(id)
            }
            Ok(expr) => {
                let mut names = Vec::new();
                expr.names(&mut names);
                let mut ok = true;
                for (name, arg) in names {
                    match content.platforms.get(&name) {
                        None => {
                            ok = false;
                            let known: Vec<&str> = content.platforms.keys().map(String::as_str).collect();
                            let mut d = Diagnostic::error(codes::DANGLING, format!("unknown platform `{name}`"))
                                .at(sp.loc.clone());
                            d = match source::suggest(&name, &known) {
                                Some(s) => d.hint(format!("did you mean `{s}`?")),
                                None => {
                                    d.hint(format!("add applicability/{name}.yml, or use one of: {}", known.join(", ")))
                                }
                            };
                            diags.push(d);
                        }
                        Some(def) if def.parametrized != arg.is_some() => {
                            ok = false;
                            let msg = if def.parametrized {
                                format!("platform `{name}` needs an argument, e.g. `{name}[...]`")
                            } else {
                                format!("platform `{name}` takes no argument")
                            };
                            diags.push(
                                Diagnostic::error(codes::PLATFORM, msg)
                                    .at(sp.loc.clone())
                                    .related(Location::file(&def.file), "declared here"),
                            );
                        }
                        Some(_) => {
                            let id = platform::instance_id(&name, arg.as_deref());
                            used_instances.entry(id).or_insert((name, arg, sp.loc.clone()));
                        }
                    }
                }
                if !ok {
                    return None;
                }
                let id = expr.id();
                platforms.insert(id.clone(), expr);
                Some(id)
            }
        }
    };
    let mut group_platforms: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut rule_platforms: HashMap<String, Vec<String>> = HashMap::new();
    let order: Vec<(bool, &str)> = if cac {
        crate::cac::load_order(&content, &product.benchmark_root)
    } else {
        let mut v: Vec<(bool, &str)> = content.groups.keys().map(|g| (true, g.as_str())).collect();
        v.extend(content.rules.keys().map(|r| (false, r.as_str())));
        v
    };
    for (is_group, id) in order {
        if is_group {
            for p in &content.groups[id].platforms {
                if let Some(pid) = parse_platform(p, &mut diags) {
                    group_platforms.entry(id.to_owned()).or_default().push(pid);
                }
            }
        } else {
            for p in &content.rules[id].platforms {
                if let Some(pid) = parse_platform(p, &mut diags) {
                    let ids = rule_platforms.entry(id.to_owned()).or_default();
                    ids.push(pid);
                    ids.sort();
                    ids.dedup();
                }
            }
        }
    }
    for cpe in product.cpes.iter().filter(|_| !cac) {
        match content.platforms.get(&cpe.check_id.value) {
            Some(def) if !def.parametrized => {
                used_instances.entry(cpe.check_id.value.clone()).or_insert((
                    cpe.check_id.value.clone(),
                    None,
                    cpe.check_id.loc.clone(),
                ));
            }
            Some(def) => diags.push(
                Diagnostic::error(
                    codes::PLATFORM,
                    format!("the product CPE check `{}` is a parametrized platform", cpe.check_id.value),
                )
                .at(cpe.check_id.loc.clone())
                .related(Location::file(&def.file), "declared here"),
            ),
            None => diags.push(
                Diagnostic::error(
                    codes::DANGLING,
                    format!("the product CPE check `{}` is not a platform", cpe.check_id.value),
                )
                .at(cpe.check_id.loc.clone())
                .hint(format!("add applicability/{}.yml and .xml", cpe.check_id.value)),
            ),
        }
    }
    // Render platform instances: title and OVAL.
    let mut instances = BTreeMap::new();
    let mut cpe_fragments = Vec::new();
    let mut unresolved_platforms: Vec<(String, Diagnostic)> = Vec::new();
    for (id, (name, arg, _loc)) in &used_instances {
        let def = &content.platforms[name];
        let product_cpe = product.cpes.iter().find(|c| &c.check_id.value == id && arg.is_none());
        let cpe = match (product_cpe, arg) {
            (Some(c), _) => c.name.clone(),
            (None, None) => format!("cpe:/a:{ns_last}:{name}"),
            (None, Some(a)) => {
                format!("cpe:/a:{ns_last}:{name}:{}", platform::instance_id("", Some(a)).trim_start_matches('_'))
            }
        };
        let mut ctx = BTreeMap::new();
        ctx.insert("arg".to_owned(), JValue::from(arg.clone().unwrap_or_default()));
        ctx.insert("platform_id".to_owned(), JValue::from(id.clone()));
        ctx.insert("cpe_name".to_owned(), JValue::from(cpe.clone()));
        let title = match jinja.render(&def.file.display().to_string(), &def.title, &ctx) {
            Ok(t) => t,
            Err(e) => {
                diags
                    .push(Diagnostic::error(codes::JINJA, format!("platform title: {}", e.message)).at_file(&def.file));
                def.title.clone()
            }
        };
        let render_cond = |what: &str, src: &Option<String>, diags: &mut Vec<Diagnostic>| -> Option<String> {
            let src = src.as_ref()?;
            match jinja.render(&def.file.display().to_string(), src, &ctx) {
                Ok(t) => Some(t.trim().to_owned()),
                Err(e) => {
                    diags.push(
                        Diagnostic::error(codes::JINJA, format!("{what} of platform `{id}`: {}", e.message))
                            .at(loc_of(&def.locs, what, &def.file)),
                    );
                    None
                }
            }
        };
        let bash = render_cond("bash_conditional", &def.bash_conditional, &mut diags);
        let ansible = render_cond("ansible_conditional", &def.ansible_conditional, &mut diags);
        instances.insert(
            id.clone(),
            Instance {
                id: id.clone(),
                name: name.clone(),
                arg: arg.clone(),
                title,
                cpe,
                bash,
                ansible,
                check: id.clone(),
            },
        );
        if let (Some(file), Some(src)) = (&def.oval_file, &def.oval_source) {
            match jinja.render(&file.display().to_string(), src, &ctx) {
                Ok(text) => cpe_fragments.push(Fragment {
                    owner: id.clone(),
                    file: file.clone(),
                    lines: LineMap::between(src, &text),
                    text,
                    class: "inventory",
                }),
                Err(e) => diags.push(
                    Diagnostic::error(codes::JINJA, format!("{} (while rendering platform `{id}`)", e.message))
                        .at(e.line.map(|l| Location::at(file, l, 1)).unwrap_or_else(|| Location::file(file))),
                ),
            }
        }
    }

    if cac {
        // CaC's platforms: its CPE items (cpes_root) and their OVAL.
        (instances, cpe_fragments) =
            crate::cac_cpe::instances(&content, &product, jinja, &platforms, &mut diags, &mut unresolved_platforms);
    }

    // --- Rules, in parallel ---------------------------------------------
    let works: Vec<RuleWork> = content
        .rules
        .par_iter()
        .map(|(id, rule)| {
            let mut w = RuleWork {
                id: id.clone(),
                fragments: Vec::new(),
                out: RuleOut::default(),
                diags: Vec::new(),
                subs: Vec::new(),
            };
            if cac {
                cac_rule_without_checks(rule, &mut w);
                w.out.platforms = rule_platforms.get(id).cloned().unwrap_or_default();
                let (b, a) =
                    cac_conditionals(rule, &w.out.platforms, &content, &group_platforms, &platforms, &instances);
                for (system, fix) in crate::cac_fix::rule_fixes(rule, &content, &product, jinja, &b, &a, &mut w.diags) {
                    match system {
                        "urn:xccdf:fix:script:sh" => w.out.bash = Some(fix),
                        "urn:xccdf:fix:script:ansible" => w.out.ansible = Some(fix),
                        _ => w.out.other_fixes.push((system, fix)),
                    }
                }
                return w;
            }
            let mut ctx = BTreeMap::new();
            ctx.insert("rule_id".to_owned(), JValue::from(id.clone()));
            ctx.insert("rule_title".to_owned(), JValue::from(rule.title.clone()));
            let mut local: Vec<Artifact> = Vec::new();
            let mut skip: Vec<&str> = Vec::new();
            for (lang, path) in [
                ("oval", &rule.files.oval),
                ("bash", &rule.files.bash),
                ("ansible", &rule.files.ansible),
                ("sce", &rule.files.sce),
            ] {
                if let Some(p) = path {
                    skip.push(lang);
                    let src = rule.files.texts.get(p).map(String::as_str).unwrap_or_default();
                    if let Some((text, lines)) = render_local(jinja, p, src, &ctx, id, &mut w.diags) {
                        if lang == "oval" {
                            w.fragments.push(Fragment {
                                owner: id.clone(),
                                file: p.clone(),
                                lines,
                                text,
                                class: "compliance",
                            });
                            w.out.oval = true;
                        } else {
                            local.push(Artifact { lang: lang.to_owned(), file: p.clone(), text });
                        }
                    }
                }
            }
            if let Some(tu) = &rule.template {
                match content.templates.get(&tu.name.value) {
                    None => {
                        let known: Vec<&str> = content.templates.keys().map(String::as_str).collect();
                        let mut d = Diagnostic::error(codes::DANGLING, format!("unknown template `{}`", tu.name.value))
                            .at(tu.name.loc.clone());
                        d = match source::suggest(&tu.name.value, &known) {
                            Some(s) => d.hint(format!("did you mean `{s}`?")),
                            None => d.hint(format!(
                                "templates live in templates/<name>/template.yml; known: {}",
                                known.join(", ")
                            )),
                        };
                        w.diags.push(d);
                    }
                    Some(t) => {
                        for a in templates::instantiate(jinja, t, rule, &skip, &mut w.diags) {
                            if a.lang == "oval" {
                                let src = &t.languages["oval"].1;
                                w.fragments.push(Fragment {
                                    owner: id.clone(),
                                    lines: LineMap::between(src, &a.text),
                                    file: a.file,
                                    text: a.text,
                                    class: "compliance",
                                });
                                w.out.oval = true;
                            } else {
                                local.push(a);
                            }
                        }
                    }
                }
            }
            for a in local {
                if a.lang == "bash" || a.lang == "ansible" {
                    for (line, k, v) in bad_fix_headers(&a.text) {
                        w.diags.push(
                            Diagnostic::error(
                                codes::BAD_VALUE,
                                format!("fix header `{k}` has the value `{v}` (while rendering for rule `{id}`)"),
                            )
                            .at(Location::at(&a.file, line, 1))
                            .hint(format!(
                                "use one of: {}; and end each header line with a newline",
                                fix_header_allowed(&k).join(", ")
                            )),
                        );
                    }
                }
                for s in text::sub_ids(&a.text) {
                    w.subs.push((s, a.file.clone()));
                }
                match a.lang.as_str() {
                    "bash" => {
                        let mut fix = fix_headers(&a.text);
                        w.out.bash = Some({
                            fix.text = fix.text.trim_end().to_owned() + "\n";
                            fix
                        })
                    }
                    "ansible" => {
                        let mut fix = fix_headers(&a.text);
                        fix.text = fix.text.trim_end().to_owned() + "\n";
                        w.out.ansible = Some(fix);
                    }
                    "sce" => {
                        let (imports, exports) = sce_headers(&a.text);
                        w.out.sce = Some(SceCheck {
                            href: format!("{}/checks/sce/{id}.sh", product.id),
                            script: a.text,
                            imports,
                            exports,
                        });
                    }
                    _ => {}
                }
            }
            for prose in [&rule.description, &rule.rationale] {
                for s in text::sub_ids(prose) {
                    w.subs.push((s, rule.file.clone()));
                }
            }
            w.out.ocil = rule.ocil.is_some() || rule.ocil_clause.is_some();
            w.out.platforms = rule_platforms.get(id).cloned().unwrap_or_default();
            w
        })
        .collect();

    let mut rules = BTreeMap::new();
    let mut fragments = Vec::new();
    let mut subs = Vec::new();
    // Rules with errors already reported: no follow-up findings about them.
    let mut broken: BTreeSet<String> = BTreeSet::new();
    for mut w in works {
        if w.diags.iter().any(|d| d.severity == scapc_diagnostics::Severity::Error) {
            broken.insert(w.id.clone());
        }
        diags.append(&mut w.diags);
        fragments.append(&mut w.fragments);
        subs.extend(w.subs.into_iter().map(|(v, f)| (v, f, w.id.clone())));
        rules.insert(w.id, w.out);
    }

    // --- OVAL --------------------------------------------------------------
    let mut oval = Oval::link(&fragments, &mut diags);
    oval.check(&mut diags);
    for f in &fragments {
        // Definitions in a rule's fragment must not collide with a rule id
        // they do not belong to: the rule id is the check's id.
        let _ = f;
    }
    for (id, out) in rules.iter_mut() {
        if !out.oval {
            continue;
        }
        let rule = &content.rules[id];
        if oval.broken.contains(id) {
            broken.insert(id.clone());
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
        for var in oval.externals_of(id) {
            if content.values.contains_key(&var) {
                out.exports.push(var);
            } else {
                let it = &oval.items[&(Kind::Var, var.clone())];
                diags.push(
                    Diagnostic::error(
                        codes::DANGLING,
                        format!("OVAL external variable `{var}` matches no XCCDF Value"),
                    )
                    .at(Location::at(&it.file, it.pos.line, it.pos.col))
                    .hint(format!("add a `{var}.var` file, or rename the variable to an existing Value id")),
                );
            }
        }
    }
    let titles: HashMap<String, String> =
        content.rules.iter().map(|(k, r)| (k.clone(), text::plain(&r.title))).collect();
    let cces: HashMap<String, Vec<String>> = content
        .rules
        .iter()
        .map(|(k, r)| {
            (
                k.clone(),
                r.identifiers.iter().filter(|i| i.value.0 == "cce").map(|i| i.value.1.clone()).collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    oval.fill_metadata(&titles, &cces, &product.full_name);
    oval.number(&product.namespace);

    let cpe_sources = if cac { cpe_fragments.clone() } else { Vec::new() };
    let mut cpe_oval = Oval::link(&cpe_fragments, &mut diags);
    cpe_oval.check(&mut diags);
    for (id, inst) in instances.iter().filter(|_| !cac) {
        if !cpe_oval.has(Kind::Def, &inst.check) {
            let def = &content.platforms[&inst.name];
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
    let ptitles: HashMap<String, String> = instances.iter().map(|(k, i)| (k.clone(), i.title.clone())).collect();
    cpe_oval.fill_metadata(&ptitles, &HashMap::new(), &product.full_name);
    cpe_oval.number(&product.namespace);

    // --- Values named by xccdf_value() -------------------------------------
    for (v, file, rule) in subs {
        if !content.values.contains_key(&v) {
            diags.push(
                Diagnostic::error(codes::DANGLING, format!("`xccdf_value(\"{v}\")` names no Value (in rule `{rule}`)"))
                    .at_file(file)
                    .hint(format!("add a `{v}.var` file or fix the name")),
            );
        }
    }
    for (id, out) in &rules {
        if let Some(s) = &out.sce {
            for (v, _) in &s.exports {
                if !content.values.contains_key(v) {
                    diags.push(
                        Diagnostic::error(codes::DANGLING, format!("SCE check-export names no Value `{v}`"))
                            .at_file(content.rules[id].files.sce.clone().unwrap_or_default()),
                    );
                }
            }
        }
        if !cac && !out.oval && !out.ocil && (out.sce.is_none() || !sce) && !broken.contains(id) {
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
                .at_file(content.rules[id].files.sce.clone().unwrap_or_default())
                .hint("build with --sce to include SCE checks"),
            );
        }
    }

    // --- Profiles ---------------------------------------------------------
    let profiles = match product.layout {
        Layout::Scapc => resolve_profiles(&content, &mut diags),
        Layout::Cac => {
            let profiles = crate::cac::resolve_profiles(&content, &mut diags);
            // products/<p>/product.yml: the tree is two levels up.
            let root = product.file.parent().and_then(Path::parent).and_then(Path::parent).unwrap_or(Path::new("."));
            let env = crate::cac::TemplateEnv {
                jinja,
                templates: root.join("shared").join("templates"),
                product: &product.id,
            };
            // Rules no profile selects leave the benchmark (moved, not
            // copied); the OVAL of those that are can still extend theirs.
            let selected = crate::cac::kept_rules(&content.rules, &profiles);
            let (kept, unselected): (BTreeMap<String, Rule>, BTreeMap<String, Rule>) =
                std::mem::take(&mut content.rules).into_iter().partition(|(id, _)| selected.contains(id));
            content.rules = kept;
            let profiles = crate::cac::prune(&mut content, profiles, &env);
            rules.retain(|id, _| content.rules.contains_key(id));
            let sources = crate::cac_checks::Sources::read(
                root,
                content.rules.values().chain(unselected.values()),
                &product.id,
                &mut diags,
            );
            oval =
                crate::cac_checks::build(&product, &content, &unselected, jinja, &sources, sce, &mut rules, &mut diags);
            group_platforms.retain(|id, _| content.groups.contains_key(id));
            // Only the platforms of what is kept, and their checks.
            (platforms, instances, cpe_oval) =
                crate::cac_cpe::keep_used(&product, (platforms, instances), &rules, &group_platforms, &cpe_sources);
            diags.extend(
                unresolved_platforms.into_iter().filter(|(pid, _)| platforms.contains_key(pid)).map(|(_, d)| d),
            );
            profiles
        }
    };
    let c = Compiled {
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
    };
    (c, diags)
}

/// The bash and Ansible platform conditionals of a CaC rule: those of the
/// platforms of its groups, and of its own platforms that its groups do
/// not have (CaC's inherited and rule-specific platforms).
fn cac_conditionals(
    rule: &Rule,
    own: &[String],
    content: &Content,
    group_platforms: &BTreeMap<String, Vec<String>>,
    platforms: &BTreeMap<String, Expr>,
    instances: &BTreeMap<String, Instance>,
) -> (crate::cac_fix::Conditionals, crate::cac_fix::Conditionals) {
    use crate::cac_cpe::Lang;
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

/// A CaC rule's checks are built after the benchmark is cut down
/// ([`crate::cac_checks::build`]) and its fixes by [`crate::cac_fix`];
/// here only its OCIL, prose from rule.yml, is marked.
fn cac_rule_without_checks(rule: &Rule, w: &mut RuleWork) {
    w.out.ocil = rule.ocil.is_some() || rule.ocil_clause.is_some();
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

fn resolve_profiles(content: &Content, diags: &mut Vec<Diagnostic>) -> Vec<ResolvedProfile> {
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
