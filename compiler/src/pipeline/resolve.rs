//! Phase 2, resolve: a product's [`Content`] with everything named by
//! name made concrete. Platform expressions are parsed and given their
//! ids, platform instances rendered (title, conditionals, CPE OVAL),
//! templates instantiated and rule-local files rendered with Jinja.
//! Pure computation: the sources were read by [`super::read`]; profiles
//! are resolved here too (their `extends`, CaC's controls).
//!
//! Invariant: every rule of the content has a [`RuleOut`] in
//! [`Resolved::rules`]; a rule whose rendering failed is in
//! [`Resolved::broken`] and gets no follow-up findings.

use crate::codes;
use crate::compile::{
    bad_fix_headers, fix_header_allowed, fix_headers, sce_headers, Instance, ResolvedProfile, RuleOut, SceCheck,
};
use crate::jinja::Jinja;
use crate::model::*;
use crate::oval::Fragment;
use crate::platform::{self, Expr};
use crate::source::{self, LineMap};
use crate::templates::{self, Artifact, Lang};
use crate::text;
use minijinja::Value as JValue;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location, Severity};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// A product's content, resolved; the input of [`super::link`].
pub struct Resolved {
    pub product: Product,
    pub content: Content,
    /// expression id -> expression.
    pub platforms: BTreeMap<String, Expr>,
    /// group id -> its platforms' ids.
    pub group_platforms: BTreeMap<String, Vec<String>>,
    pub instances: BTreeMap<String, Instance>,
    /// The CPE OVAL of the instances, to be linked.
    pub cpe_fragments: Vec<Fragment>,
    /// CaC: platforms that do not resolve, reported only if a kept rule
    /// or group uses them: (platform id, finding).
    pub unresolved_platforms: Vec<(String, Diagnostic)>,
    pub rules: BTreeMap<String, RuleOut>,
    /// The rules' OVAL, to be linked (scapc's layout; a CaC product's
    /// checks are built once its benchmark is cut down).
    pub fragments: Vec<Fragment>,
    /// `xccdf_value()` uses: (value id, file, rule id).
    pub subs: Vec<(String, PathBuf, String)>,
    /// Rules whose resolution reported an error.
    pub broken: BTreeSet<String>,
    /// The profiles, their `extends` and (CaC) control selections
    /// resolved; hidden ones too.
    pub profiles: Vec<ResolvedProfile>,
}

/// The entry point of the phase.
pub fn resolve(product: Product, content: Content, jinja: &Jinja, diags: &mut Vec<Diagnostic>) -> Resolved {
    resolve_memo(product, content, jinja, &crate::incremental::Memo::default(), diags)
}

/// [`resolve`], each rule's own resolution (its templates and local files
/// rendered) taken from `memo` when an earlier build of the same rule with
/// the same platforms left it there (`scapc build --watch`).
pub fn resolve_memo(
    product: Product,
    mut content: Content,
    jinja: &Jinja,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> Resolved {
    let cac = product.layout == Layout::Cac;
    if cac {
        // Before the fixes: CaC's Ansible tags name these references too.
        crate::cac::add_control_references(&product, &mut content);
        crate::cac_stig::add_references(&product, &mut content, diags);
    }
    // The profiles read only the content: resolved beside the rest.
    let (build, (profiles, mut profile_diags)) = rayon::join(
        || resolve_items(&product, &content, jinja, memo, diags),
        || {
            let mut d = Vec::new();
            let p = match product.layout {
                Layout::Scapc => crate::compile::resolve_profiles(&content, &mut d),
                Layout::Cac => crate::cac::resolve_profiles(&content, &mut d),
            };
            (p, d)
        },
    );
    diags.append(&mut profile_diags);
    build(product, content, profiles)
}

/// Everything [`resolve_memo`] resolves but the profiles: platforms,
/// their instances and each rule's own work; returned as what makes the
/// [`Resolved`] once the product, the content and the profiles are moved
/// in.
fn resolve_items(
    product: &Product,
    content: &Content,
    jinja: &Jinja,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> impl FnOnce(Product, Content, Vec<ResolvedProfile>) -> Resolved + Send {
    let cac = product.layout == Layout::Cac;
    let mut pf = Platforms {
        known: &content.platforms,
        cac,
        exprs: BTreeMap::new(),
        cac_seen: Vec::new(),
        used: BTreeMap::new(),
    };
    let (group_platforms, rule_platforms) = pf.of_items(content, product, diags);
    if !cac {
        pf.product_cpes(product, diags);
    }
    let Platforms { exprs: platforms, used, .. } = pf;
    let mut unresolved_platforms = Vec::new();
    let (instances, cpe_fragments) = if cac {
        // CaC's platforms: its CPE items (cpes_root) and their OVAL.
        crate::cac_cpe::instances(content, product, jinja, &platforms, diags, &mut unresolved_platforms)
    } else {
        render_instances(content, product, jinja, &used, diags)
    };
    let works: Vec<RuleWork> = content
        .rules
        .par_iter()
        .map(|(id, rule)| {
            let own = rule_platforms.get(id).cloned().unwrap_or_default();
            memo.rule_work(&product.id, rule, own, |own| rule_work(id, rule, own, content, product, jinja))
        })
        .collect();
    let (mut rules, mut fragments, mut subs, mut broken) = (BTreeMap::new(), Vec::new(), Vec::new(), BTreeSet::new());
    for mut w in works {
        if w.diags.iter().any(|d| d.severity == Severity::Error) {
            broken.insert(w.id.clone());
        }
        diags.append(&mut w.diags);
        fragments.append(&mut w.fragments);
        subs.extend(w.subs.into_iter().map(|(v, f)| (v, f, w.id.clone())));
        rules.insert(w.id, w.out);
    }
    move |product, content, profiles| Resolved {
        product,
        content,
        platforms,
        group_platforms,
        instances,
        cpe_fragments,
        unresolved_platforms,
        rules,
        fragments,
        subs,
        broken,
        profiles,
    }
}

/// Platform expressions met so far, and the instances they use.
struct Platforms<'c> {
    known: &'c BTreeMap<String, PlatformDef>,
    cac: bool,
    /// expression id -> expression.
    exprs: BTreeMap<String, Expr>,
    /// CaC: expressions in the order its loader meets them, so that an
    /// expression equal to an earlier one takes the earlier one's id.
    cac_seen: Vec<(Expr, String)>,
    /// instance id -> (platform, argument, first use).
    used: BTreeMap<String, (String, Option<String>, Location)>,
}

/// Rule platforms by rule id.
type RulePlatforms = HashMap<String, Vec<String>>;

impl Platforms<'_> {
    /// The platforms of every group and rule, in the order the product's
    /// layout registers them.
    fn of_items(
        &mut self,
        content: &Content,
        product: &Product,
        diags: &mut Vec<Diagnostic>,
    ) -> (BTreeMap<String, Vec<String>>, RulePlatforms) {
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut rules: RulePlatforms = HashMap::new();
        let order: Vec<(bool, &str)> = if self.cac {
            crate::cac::load_order(content, &product.benchmark_root)
        } else {
            let mut v: Vec<(bool, &str)> = content.groups.keys().map(|g| (true, g.as_str())).collect();
            v.extend(content.rules.keys().map(|r| (false, r.as_str())));
            v
        };
        for (is_group, id) in order {
            if is_group {
                for p in &content.groups[id].platforms {
                    if let Some(pid) = self.parse(p, diags) {
                        groups.entry(id.to_owned()).or_default().push(pid);
                    }
                }
            } else {
                for p in &content.rules[id].platforms {
                    if let Some(pid) = self.parse(p, diags) {
                        let ids = rules.entry(id.to_owned()).or_default();
                        ids.push(pid);
                        ids.sort();
                        ids.dedup();
                    }
                }
            }
        }
        (groups, rules)
    }

    /// Parses one expression; its id, or `None` after reporting why not.
    fn parse(&mut self, sp: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> Option<String> {
        match platform::parse(&sp.value) {
            Err(e) => {
                diags.push(
                    Diagnostic::error(codes::PLATFORM, format!("platform expression `{}`: {}", sp.value, e.message))
                        .at(expr_loc(&sp.loc, e.offset))
                        .hint("write names joined by `and`, `or`, `not`, with `name[arg]` for parametrized platforms"),
                );
                None
            }
            Ok(expr) if self.cac => Some(self.cac_id(expr)),
            Ok(expr) => self.scapc_id(expr, sp, diags),
        }
    }

    /// CaC: the expression's id (its CPE items are resolved later by
    /// [`crate::cac_cpe::instances`]).
    fn cac_id(&mut self, expr: Expr) -> String {
        let canon = expr.canonical();
        if let Some((_, id)) = self.cac_seen.iter().find(|(e, _)| e.same(&canon)) {
            return id.clone();
        }
        let id = expr.canonical_id();
        self.cac_seen.push((canon.clone(), id.clone()));
        // CaC writes tests and conditionals in its canonical order.
        self.exprs.insert(id.clone(), canon);
        id
    }

    /// scapc: every name must be a platform, with an argument exactly when
    /// it is parametrized.
    fn scapc_id(&mut self, expr: Expr, sp: &Spanned<String>, diags: &mut Vec<Diagnostic>) -> Option<String> {
        let mut names = Vec::new();
        expr.names(&mut names);
        let mut ok = true;
        for (name, arg) in names {
            match self.known.get(&name) {
                None => {
                    ok = false;
                    let known: Vec<&str> = self.known.keys().map(String::as_str).collect();
                    let d = Diagnostic::error(codes::DANGLING, format!("unknown platform `{name}`")).at(sp.loc.clone());
                    diags.push(match source::suggest(&name, &known) {
                        Some(s) => d.hint(format!("did you mean `{s}`?")),
                        None => d.hint(format!("add applicability/{name}.yml, or use one of: {}", known.join(", "))),
                    });
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
                    self.used.entry(id).or_insert((name, arg, sp.loc.clone()));
                }
            }
        }
        if !ok {
            return None;
        }
        let id = expr.id();
        self.exprs.insert(id.clone(), expr);
        Some(id)
    }

    /// scapc: the product's CPE checks are platforms without argument.
    fn product_cpes(&mut self, product: &Product, diags: &mut Vec<Diagnostic>) {
        for cpe in &product.cpes {
            let id = &cpe.check_id;
            match self.known.get(&id.value) {
                Some(def) if !def.parametrized => {
                    self.used.entry(id.value.clone()).or_insert((id.value.clone(), None, id.loc.clone()));
                }
                Some(def) => diags.push(
                    Diagnostic::error(
                        codes::PLATFORM,
                        format!("the product CPE check `{}` is a parametrized platform", id.value),
                    )
                    .at(id.loc.clone())
                    .related(Location::file(&def.file), "declared here"),
                ),
                None => diags.push(
                    Diagnostic::error(
                        codes::DANGLING,
                        format!("the product CPE check `{}` is not a platform", id.value),
                    )
                    .at(id.loc.clone())
                    .hint(format!("add applicability/{}.yml and .xml", id.value)),
                ),
            }
        }
    }
}

fn expr_loc(loc: &Location, offset: usize) -> Location {
    match loc.pos {
        Some(p) => Location::at(&loc.file, p.line, p.col + offset as u32),
        None => loc.clone(),
    }
}

/// scapc: each platform instance used, rendered: title, CPE name,
/// conditionals and its CPE OVAL fragment.
fn render_instances(
    content: &Content,
    product: &Product,
    jinja: &Jinja,
    used: &BTreeMap<String, (String, Option<String>, Location)>,
    diags: &mut Vec<Diagnostic>,
) -> (BTreeMap<String, Instance>, Vec<Fragment>) {
    let ns_last = product.namespace.rsplit('.').next().unwrap_or("scapc");
    let mut instances = BTreeMap::new();
    let mut fragments = Vec::new();
    for (id, (name, arg, _)) in used {
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
        let render = |src: &str| jinja.render(&def.file.display().to_string(), src, &ctx);
        let title = render(&def.title).unwrap_or_else(|e| {
            diags.push(Diagnostic::error(codes::JINJA, format!("platform title: {}", e.message)).at_file(&def.file));
            def.title.clone()
        });
        let mut cond = |what: &str, src: &Option<String>| -> Option<String> {
            match render(src.as_ref()?) {
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
        let bash = cond("bash_conditional", &def.bash_conditional);
        let ansible = cond("ansible_conditional", &def.ansible_conditional);
        let (name, arg, check) = (name.clone(), arg.clone(), id.clone());
        instances.insert(id.clone(), Instance { id: id.clone(), name, arg, title, cpe, bash, ansible, check });
        if let (Some(file), Some(src)) = (&def.oval_file, &def.oval_source) {
            match jinja.render(&file.display().to_string(), src, &ctx) {
                Ok(text) => fragments.push(Fragment {
                    owner: id.clone(),
                    file: file.clone(),
                    lines: LineMap::between(src, &text),
                    text: text.into(),
                    class: "inventory",
                }),
                Err(e) => diags.push(
                    Diagnostic::error(codes::JINJA, format!("{} (while rendering platform `{id}`)", e.message))
                        .at(e.line.map(|l| Location::at(file, l, 1)).unwrap_or_else(|| Location::file(file))),
                ),
            }
        }
    }
    (instances, fragments)
}

/// One rule, resolved on its own (rules are resolved in parallel).
#[derive(Debug, Clone)]
pub(crate) struct RuleWork {
    id: String,
    fragments: Vec<Fragment>,
    out: RuleOut,
    diags: Vec<Diagnostic>,
    /// `xccdf_value()` uses: (value id, file).
    subs: Vec<(String, PathBuf)>,
}

fn rule_work(
    id: &str,
    rule: &Rule,
    platforms: Vec<String>,
    content: &Content,
    product: &Product,
    jinja: &Jinja,
) -> RuleWork {
    let mut w = RuleWork {
        id: id.to_owned(),
        fragments: Vec::new(),
        out: RuleOut::default(),
        diags: Vec::new(),
        subs: Vec::new(),
    };
    w.out.ocil = rule.ocil.is_some() || rule.ocil_clause.is_some();
    w.out.platforms = platforms;
    if product.layout == Layout::Cac {
        // A CaC rule's checks and fixes are built once the benchmark is
        // cut down (most of the tree's rules are not in a given product).
        return w;
    }
    let (mut local, skip) = local_files(rule, jinja, &mut w);
    if let Some(tu) = &rule.template {
        local.extend(template_artifacts(tu, rule, content, jinja, &skip, &mut w));
    }
    for a in local {
        take_artifact(a, rule, product, &mut w);
    }
    for prose in [&rule.description, &rule.rationale] {
        for s in text::sub_ids(prose) {
            w.subs.push((s, rule.file.clone()));
        }
    }
    w
}

/// A rule's own files rendered (its OVAL goes to the fragments), and the
/// languages they give (a template does not give those again).
fn local_files(rule: &Rule, jinja: &Jinja, w: &mut RuleWork) -> (Vec<Artifact>, Vec<Lang>) {
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_owned(), JValue::from(w.id.clone()));
    ctx.insert("rule_title".to_owned(), JValue::from(rule.title.clone()));
    let mut local = Vec::new();
    let mut skip = Vec::new();
    for (lang, path) in [
        (Lang::Oval, &rule.files.oval),
        (Lang::Bash, &rule.files.bash),
        (Lang::Ansible, &rule.files.ansible),
        (Lang::Sce, &rule.files.sce),
    ] {
        let Some(p) = path else { continue };
        skip.push(lang.clone());
        let src = rule.files.texts.get(p).map(|t| &**t).unwrap_or_default();
        let Some((text, lines)) = render_local(jinja, p, src, &ctx, &w.id, &mut w.diags) else { continue };
        if lang == Lang::Oval {
            w.fragments.push(Fragment {
                owner: w.id.clone(),
                file: p.clone(),
                lines,
                text: text.into(),
                class: "compliance",
            });
            w.out.oval = true;
        } else {
            local.push(Artifact { lang, file: p.clone(), text });
        }
    }
    (local, skip)
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

/// The languages of the rule's template, but those in `skip` (its OVAL
/// goes to the fragments).
fn template_artifacts(
    tu: &TemplateUse,
    rule: &Rule,
    content: &Content,
    jinja: &Jinja,
    skip: &[Lang],
    w: &mut RuleWork,
) -> Vec<Artifact> {
    let Some(t) = content.templates.get(&tu.name.value) else {
        let known: Vec<&str> = content.templates.keys().map(String::as_str).collect();
        let d =
            Diagnostic::error(codes::DANGLING, format!("unknown template `{}`", tu.name.value)).at(tu.name.loc.clone());
        w.diags.push(match source::suggest(&tu.name.value, &known) {
            Some(s) => d.hint(format!("did you mean `{s}`?")),
            None => d.hint(format!("templates live in templates/<name>/template.yml; known: {}", known.join(", "))),
        });
        return Vec::new();
    };
    let mut local = Vec::new();
    for a in templates::instantiate(jinja, t, rule, skip, &mut w.diags) {
        if a.lang == Lang::Oval {
            let src = &t.languages["oval"].1;
            w.fragments.push(Fragment {
                owner: w.id.clone(),
                lines: LineMap::between(src, &a.text),
                file: a.file,
                text: a.text.into(),
                class: "compliance",
            });
            w.out.oval = true;
        } else {
            local.push(a);
        }
    }
    local
}

/// One rendered fix or SCE script into the rule's output.
fn take_artifact(a: Artifact, rule: &Rule, product: &Product, w: &mut RuleWork) {
    let id = &rule.id;
    if matches!(a.lang, Lang::Bash | Lang::Ansible) {
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
    match a.lang {
        Lang::Bash | Lang::Ansible => {
            let mut fix = fix_headers(&a.text);
            fix.text = fix.text.trim_end().to_owned() + "\n";
            if a.lang == Lang::Bash {
                w.out.bash = Some(fix);
            } else {
                w.out.ansible = Some(fix);
            }
        }
        Lang::Sce => {
            let (imports, exports) = sce_headers(&a.text);
            w.out.sce =
                Some(SceCheck { href: format!("{}/checks/sce/{id}.sh", product.id), script: a.text, imports, exports });
        }
        Lang::Oval | Lang::Other(_) => {}
    }
}
