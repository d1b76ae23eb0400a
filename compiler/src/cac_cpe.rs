//! ComplianceAsCode's CPE items: the platforms a CaC product can name
//! (`cpes_root`, normally `shared/applicability/*.yml`), read into the
//! model ([`CpeItem`]), and resolved for one use (`package[aide]`,
//! `package[openssh-server]<7.0`) the way CaC's build does: the item's
//! `args` entry and the version specifiers fill its `{placeholders}`, and a
//! templated item takes its OVAL and conditionals from
//! `shared/templates/<template>/`. Also CaC's bash and Ansible conditional
//! of a whole platform expression.

use crate::codes;
use crate::jinja::Jinja;
use crate::model::*;
use crate::platform::Expr;
use crate::source::Cache;
use scapc_diagnostics::Diagnostic;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const ITEM_KEYS: &[&str] = &[
    "documentation_complete",
    "name",
    "title",
    "check_id",
    "bash_conditional",
    "ansible_conditional",
    "versioned",
    "template",
    "args",
    "is_product_cpe",
    "content_id",
];

/// The tree root of a CaC product (`products/<p>/product.yml`).
pub fn tree_root(product: &Product) -> PathBuf {
    product.file.parent().and_then(Path::parent).and_then(Path::parent).unwrap_or(Path::new(".")).to_path_buf()
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "xml")).collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Reads the product's CPE items (`cpes_root`, relative to the product
/// directory) and the OVAL sources their checks may name.
pub fn load(cache: &Cache, content: &mut Content, product: &Product, jinja: &Jinja, diags: &mut Vec<Diagnostic>) {
    let Some(root_rel) = product.vars.get("cpes_root").and_then(J::as_str) else {
        diags.push(
            Diagnostic::error(codes::MISSING_KEY, "the product names no `cpes_root`")
                .at_file(&product.file)
                .hint("add `cpes_root: \"../../shared/applicability\"` to product.yml"),
        );
        return;
    };
    let dir = product.file.parent().unwrap_or(Path::new(".")).join(root_rel);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect(),
        Err(e) => {
            diags.push(
                Diagnostic::error(codes::MISSING_KEY, format!("`cpes_root` {} cannot be read: {e}", dir.display()))
                    .at_file(&product.file),
            );
            return;
        }
    };
    files.sort();
    let templates = tree_root(product).join("shared").join("templates");
    for f in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yml")) {
        if let Some(item) = load_item(cache, f, jinja, product, &templates, diags) {
            content.cpe_items.insert(item.id.clone(), item);
        }
    }
    // The product's own `cpes:` are platforms too (e.g. ocp4's `ocp4-node`,
    // `ocp4.12`), as in CaC's product CPEs.
    for c in &product.cpes {
        content.cpe_items.entry(c.id.clone()).or_insert_with(|| CpeItem {
            id: c.id.clone(),
            name: c.name.clone(),
            title: c.title.clone(),
            check_id: Some(c.check_id.value.clone()),
            bash_conditional: None,
            ansible_conditional: None,
            kind: CpeKind::Plain,
            file: product.file.clone(),
        });
    }
    for d in [dir.join("oval"), tree_root(product).join("shared").join("checks").join("oval")] {
        for f in xml_files(&d) {
            let id = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if content.cpe_oval_sources.contains_key(&id) {
                continue;
            }
            match crate::source::read(&f) {
                Ok(text) => {
                    content.cpe_oval_sources.insert(id, (f, text));
                }
                Err(d) => diags.push(d),
            }
        }
    }
}

fn load_item(
    cache: &Cache,
    path: &Path,
    jinja: &Jinja,
    product: &Product,
    templates: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Option<CpeItem> {
    let (node, mut doc) = crate::load::read_yaml(cache, path, jinja, &BTreeMap::new(), &product.id);
    let item = (|| {
        let node = node?;
        let f = doc.mapping(&node, "a CPE item", ITEM_KEYS)?;
        let what = "a CPE item";
        let id = path.file_stem()?.to_string_lossy().into_owned();
        let name = doc.required_string(&f, "name", what)?;
        let title = doc.string(&f, "title", what).unwrap_or_default();
        let check_id = doc.string(&f, "check_id", what);
        let bash_conditional = doc.string(&f, "bash_conditional", what);
        let ansible_conditional = doc.string(&f, "ansible_conditional", what);
        let versioned = doc.boolean(&f, "versioned", what).unwrap_or(false);
        let template = match f.get("template") {
            None => None,
            Some(t) => {
                let tname = t.get("name").and_then(|n| n.as_str()).map(str::to_owned);
                let Some(tname) = tname else {
                    doc.error(codes::MISSING_KEY, t.pos, "`template` of a CPE item needs a `name`");
                    return None;
                };
                let tdir = templates.join(&tname);
                let mut languages = BTreeMap::new();
                for lang in ["cpe-oval", "bash", "ansible"] {
                    let file = tdir.join(format!("{lang}.template"));
                    if file.is_file() {
                        match crate::source::read(&file) {
                            Ok(text) => {
                                languages.insert(lang.to_owned(), (file, text));
                            }
                            Err(d) => doc.diags.push(d),
                        }
                    }
                }
                if languages.is_empty() {
                    doc.error(
                        codes::DANGLING,
                        t.pos,
                        format!("CPE template `{tname}` has no language files in {}", tdir.display()),
                    );
                    return None;
                }
                Some(CpeTemplate { name: tname, languages })
            }
        };
        let kind = match f.get("args") {
            None if template.is_none() => CpeKind::Plain,
            None => CpeKind::Parametrized { template, args: Vec::new(), versioned },
            Some(a) => {
                let mut args = Vec::new();
                for (k, v) in a.as_map().unwrap_or_default() {
                    let Some(arg) = k.as_str() else { continue };
                    let mut params = Vec::new();
                    for (pk, pv) in v.as_map().unwrap_or_default() {
                        if let (Some(pk), Some(pv)) = (pk.as_str(), pv.as_str()) {
                            params.push((pk.to_owned(), pv.to_owned()));
                        }
                    }
                    args.push((arg.to_owned(), params));
                }
                CpeKind::Parametrized { template, args, versioned }
            }
        };
        Some(CpeItem {
            id,
            name,
            title,
            check_id,
            bash_conditional,
            ansible_conditional,
            kind,
            file: path.to_path_buf(),
        })
    })();
    diags.append(&mut doc.diags);
    item
}

/// The ids after each `marker` in an OVAL text.
fn ids_after<'t>(text: &'t str, marker: &str) -> Vec<&'t str> {
    text.split(marker).skip(1).filter_map(|r| r.split(['"', '<']).next()).collect()
}

/// The OVAL ids an OVAL text refers to.
fn refs_of(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    for m in ["definition_ref=\"", "test_ref=\"", "object_ref=\"", "state_ref=\"", "var_ref=\""] {
        v.extend(ids_after(text, m).into_iter().map(str::to_owned));
    }
    for m in ["<object_reference>", "<filter action=\"include\">", "<filter action=\"exclude\">", "<filter>"] {
        v.extend(ids_after(text, m).into_iter().map(|s| s.trim().to_owned()));
    }
    v
}

/// A file of several `<def-group>`s as one (CaC's build reads them all).
fn one_def_group(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("</def-group>") {
        let after = &rest[i + "</def-group>".len()..];
        let t = after.trim_start();
        if let Some(next) = t.strip_prefix("<def-group>") {
            out.push_str(&rest[..i]);
            // Keep the line count: the newlines between the groups stay.
            out.extend(after[..after.len() - t.len()].chars().filter(|c| *c == '\n'));
            rest = next;
        } else {
            out.push_str(&rest[..i + "</def-group>".len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// One version specifier as CaC's build reads it (`<7.0`).
#[derive(Debug, Clone, PartialEq)]
pub struct VerSpec {
    pub op: String,
    /// The version as written (epoch and release only if given).
    pub ver: String,
    /// `epoch:version-release`, missing parts as 0.
    pub evr_ver: String,
    /// `epoch:version`.
    pub ev_ver: String,
}

impl VerSpec {
    fn op_id(&self) -> &'static str {
        match self.op.as_str() {
            "==" => "eq",
            "!=" => "ne",
            ">" => "gt",
            "<" => "le",
            ">=" => "gt_or_eq",
            _ => "le_or_eq",
        }
    }
    fn evr_op(&self) -> &'static str {
        match self.op.as_str() {
            "==" => "equals",
            "!=" => "not equal",
            ">" => "greater than",
            "<" => "less than",
            ">=" => "greater than or equal",
            _ => "less than or equal",
        }
    }
    fn oval_id(&self) -> String {
        format!("{}_{}", self.op_id(), crate::jinja::escape_id(&self.ver))
    }
}

/// Parses version specifiers as CaC does (`[epoch:]version[-release]`),
/// sorted as CaC sorts them (by operator and version text).
pub fn ver_specs(versions: &[(String, String)]) -> Result<Vec<VerSpec>, String> {
    let mut out = Vec::new();
    for (op, v) in versions {
        let (epoch, rest) = match v.split_once(':') {
            Some((e, r)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (Some(e), r),
            _ => (None, v.as_str()),
        };
        let (version, release) = match rest.split_once('-') {
            Some((a, b)) => (a, Some(b)),
            None => (rest, None),
        };
        let ok = version.starts_with(|c: char| c.is_ascii_digit())
            && version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && release.is_none_or(|r| r.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return Err(format!("invalid version specifier `{op}{v}`: write [epoch:]version[-release], e.g. 7.0"));
        }
        let mut ver = String::new();
        if let Some(e) = epoch {
            ver.push_str(e);
            ver.push(':');
        }
        ver.push_str(version);
        if let Some(r) = release {
            ver.push('-');
            ver.push_str(r);
        }
        let evr_ver = format!("{}:{}-{}", epoch.unwrap_or("0"), version, release.unwrap_or("0"));
        let ev_ver = evr_ver.split('-').next().unwrap_or_default().to_owned();
        out.push(VerSpec { op: op.clone(), ver, evr_ver, ev_ver });
    }
    out.sort_by(|a, b| format!("{}{}", a.op, a.ver).cmp(&format!("{}{}", b.op, b.ver)));
    Ok(out)
}

/// CaC's id of one use of a platform: `package_openssh-server_le_7_0`.
pub fn instance_id(name: &str, arg: Option<&str>, versions: &[(String, String)]) -> String {
    let mut id = name.to_owned();
    if let Some(a) = arg {
        id.push('_');
        id.push_str(&a.to_lowercase());
    }
    if let Ok(specs) = ver_specs(versions) {
        if !specs.is_empty() {
            id.push('_');
            id.push_str(&specs.iter().map(VerSpec::oval_id).collect::<Vec<_>>().join("_"));
        }
    }
    id
}

/// One use of a CPE item, with its placeholders filled.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub id: String,
    pub name: String,
    pub title: String,
    /// The short id of the OVAL definition that checks it.
    pub check_id: String,
    pub bash_conditional: Option<String>,
    pub ansible_conditional: Option<String>,
    /// The template and its variables (lower-case, as CaC passes them).
    pub template: Option<(CpeTemplate, serde_json::Map<String, J>)>,
    pub file: PathBuf,
}

/// Replaces `{key}` for each key of `params` (CaC's
/// `apply_formatting_on_dict_values`: other braces stay).
fn fill(s: &str, params: &serde_json::Map<String, J>) -> String {
    let mut out = s.to_owned();
    for (k, v) in params {
        let val = match v {
            J::String(s) => s.clone(),
            _ => continue,
        };
        out = out.replace(&format!("{{{k}}}"), &val);
    }
    out
}

/// Resolves `name[arg]` with version specifiers against the CPE items.
pub fn resolve(
    items: &BTreeMap<String, CpeItem>,
    name: &str,
    arg: Option<&str>,
    versions: &[(String, String)],
) -> Result<Resolved, String> {
    let item = items.get(name).ok_or_else(|| format!("unknown platform `{name}`"))?;
    let id = instance_id(name, arg, versions);
    match (&item.kind, arg) {
        (CpeKind::Plain, None) => {
            if !versions.is_empty() {
                return Err(format!("platform `{name}` does not take version specifiers"));
            }
            Ok(Resolved {
                id: id.clone(),
                name: item.name.clone(),
                title: item.title.clone(),
                check_id: item.check_id.clone().unwrap_or(id),
                bash_conditional: item.bash_conditional.clone(),
                ansible_conditional: item.ansible_conditional.clone(),
                template: None,
                file: item.file.clone(),
            })
        }
        (CpeKind::Plain, Some(_)) => Err(format!("platform `{name}` takes no argument")),
        (CpeKind::Parametrized { .. }, None) => Err(format!("platform `{name}` needs an argument, e.g. `{name}[...]`")),
        (CpeKind::Parametrized { template, args, versioned }, Some(a)) => {
            if !versions.is_empty() && !versioned {
                return Err(format!("platform `{name}` does not support version specifiers"));
            }
            let a = a.to_lowercase();
            let Some((_, params)) = args.iter().find(|(k, _)| *k == a) else {
                let known: Vec<&str> = args.iter().map(|(k, _)| k.as_str()).collect();
                return Err(format!("platform `{name}` has no argument `{a}`; it has: {}", known.join(", ")));
            };
            let specs = ver_specs(versions)?;
            let mut vars = serde_json::Map::new();
            for (k, v) in params {
                vars.insert(k.clone(), J::String(v.clone()));
            }
            vars.insert("id".into(), J::String(id.clone()));
            vars.insert("name".into(), J::String(name.to_owned()));
            vars.insert("arg".into(), J::String(a.clone()));
            let list: Vec<J> = specs
                .iter()
                .map(|s| {
                    serde_json::json!({"id": s.oval_id(), "op": s.op, "ver": s.ver, "evr_op": s.evr_op(),
                        "evr_ver": s.evr_ver, "ev_ver": s.ev_ver})
                })
                .collect();
            vars.insert("ver_specs".into(), J::Array(list));
            let join = |f: &dyn Fn(&VerSpec) -> String, sep: &str| specs.iter().map(f).collect::<Vec<_>>().join(sep);
            vars.insert("ver_specs_id".into(), J::String(join(&|s| s.oval_id(), "_")));
            vars.insert("ver_specs_cpe".into(), J::String(join(&|s| format!("{}:{}", s.op_id(), s.ver), ":")));
            vars.insert("ver_specs_title".into(), J::String(join(&|s| format!("{} {}", s.evr_op(), s.ver), " and ")));
            Ok(Resolved {
                id: id.clone(),
                name: fill(&item.name, &vars),
                title: fill(&item.title, &vars),
                check_id: item.check_id.as_deref().map(|c| fill(c, &vars)).unwrap_or(id),
                bash_conditional: item.bash_conditional.as_deref().map(|c| fill(c, &vars)),
                ansible_conditional: item.ansible_conditional.as_deref().map(|c| fill(c, &vars)),
                template: template.clone().map(|t| (t, vars)),
                file: item.file.clone(),
            })
        }
    }
}

/// CaC's conditional of a platform expression in one language, given
/// each use's conditional (empty when it has none): a name alone is its
/// conditional, `and`/`or` join the non-empty ones in parentheses, `not`
/// negates one.
pub fn conditional(expr: &Expr, lang: Lang, cond: &dyn Fn(&Expr) -> String) -> String {
    match expr {
        Expr::Name { .. } => cond(expr),
        Expr::Not(inner) => {
            let c = conditional(inner, lang, cond);
            if c.is_empty() {
                return c;
            }
            let not = if lang == Lang::Bash { "! " } else { "not " };
            format!("{not}( {c} )")
        }
        Expr::And(v) | Expr::Or(v) => {
            let parts: Vec<String> = v.iter().map(|e| conditional(e, lang, cond)).filter(|c| !c.is_empty()).collect();
            if parts.is_empty() {
                return String::new();
            }
            let op = match (matches!(expr, Expr::And(_)), lang) {
                (true, Lang::Bash) => " && ",
                (false, Lang::Bash) => " || ",
                (true, Lang::Ansible) => " and ",
                (false, Lang::Ansible) => " or ",
            };
            format!("( {} )", parts.join(op))
        }
    }
}

/// The two languages platforms give conditionals in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Bash,
    Ansible,
}

/// Every use of a platform in `platforms` resolved and rendered: the
/// instances by CaC id, and the OVAL fragments of the CPE checks (those of
/// the product's own CPEs too, and the definitions they extend).
pub fn instances(
    content: &Content,
    product: &Product,
    jinja: &Jinja,
    platforms: &BTreeMap<String, Expr>,
    diags: &mut Vec<Diagnostic>,
    unresolved: &mut Vec<(String, Diagnostic)>,
) -> (BTreeMap<String, crate::compile::Instance>, Vec<crate::oval::Fragment>) {
    use crate::compile::Instance;
    use crate::oval::Fragment;
    use crate::source::LineMap;
    let mut out: BTreeMap<String, Instance> = BTreeMap::new();
    let mut fragments: Vec<Fragment> = Vec::new();
    // OVAL definitions still to add from the sources: (id, for what).
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut uses = Vec::new();
    for (pid, expr) in platforms {
        type Use = (String, Option<String>, Vec<(String, String)>);
        fn names(e: &Expr, out: &mut Vec<Use>) {
            match e {
                Expr::Name { name, arg, versions } => out.push((name.clone(), arg.clone(), versions.clone())),
                Expr::Not(x) => names(x, out),
                Expr::And(v) | Expr::Or(v) => v.iter().for_each(|x| names(x, out)),
            }
        }
        let mut n = Vec::new();
        names(expr, &mut n);
        uses.extend(n.into_iter().map(|u| (u, pid.clone())));
    }
    for ((name, arg, versions), pid) in uses {
        let id = instance_id(&name, arg.as_deref(), &versions);
        if out.contains_key(&id) {
            continue;
        }
        let r = match resolve(&content.cpe_items, &name, arg.as_deref(), &versions) {
            Ok(r) => r,
            Err(e) => {
                let mut d = Diagnostic::error(codes::PLATFORM, format!("{e} (in platform `{pid}`)"))
                    .at_file(&product.file)
                    .hint("CaC's platforms are the files of `cpes_root` (shared/applicability/*.yml)");
                if let Some(item) = content.cpe_items.get(&name) {
                    d = d.related(scapc_diagnostics::Location::file(&item.file), "declared here");
                }
                // Reported only if the platform stays in the benchmark
                // (CaC's build never resolves platforms of rules it drops).
                unresolved.push((pid.clone(), d));
                continue;
            }
        };
        let mut bash = r.bash_conditional.clone();
        let mut ansible = r.ansible_conditional.clone();
        if let Some((t, vars)) = &r.template {
            let ctx = crate::templates::cac::RuleContext {
                id: r.id.clone(),
                title: r.title.clone(),
                product: product.id.clone(),
                cce_identifiers: BTreeMap::new(),
            };
            for (lang, (file, src)) in &t.languages {
                let shown = file.display().to_string();
                match crate::templates::cac::render(jinja, &t.name, lang, &shown, src, vars, &ctx) {
                    Ok(text) => match lang.as_str() {
                        "bash" => bash = Some(text),
                        "ansible" => ansible = Some(text),
                        _ => fragments.push(Fragment {
                            owner: r.id.clone(),
                            file: file.clone(),
                            lines: LineMap::between(src, &text),
                            text: text.into(),
                            class: "inventory",
                        }),
                    },
                    Err(e) => diags.push(
                        Diagnostic::error(codes::JINJA, format!("{} (while rendering platform `{}`)", e.message, r.id))
                            .at_file(file),
                    ),
                }
            }
            if !t.languages.contains_key("cpe-oval") {
                wanted.push((r.check_id.clone(), r.id.clone()));
            }
        } else {
            wanted.push((r.check_id.clone(), r.id.clone()));
        }
        let trim = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        out.insert(
            r.id.clone(),
            Instance {
                id: r.id.clone(),
                name,
                arg,
                title: r.title,
                cpe: r.name,
                bash: trim(bash),
                ansible: trim(ansible),
                check: r.check_id,
            },
        );
    }
    for cpe in &product.cpes {
        wanted.push((cpe.check_id.value.clone(), cpe.id.clone()));
    }
    // Every OVAL id a fragment defines and references, so that what a
    // check uses is pulled from the sources too (as CaC's build takes it
    // from all of its OVAL).
    let mut defined: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for f in &fragments {
        defined.extend(ids_after(&f.text, " id=\"").into_iter().map(str::to_owned));
        wanted.extend(refs_of(&f.text).into_iter().map(|r| (r, f.owner.clone())));
    }
    let mut included: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    let mut rendered: BTreeMap<PathBuf, Option<String>> = BTreeMap::new();
    while let Some((id, owner)) = wanted.pop() {
        if defined.contains(&id) {
            continue;
        }
        let needle = format!(" id=\"{id}\"");
        let source = content
            .cpe_oval_sources
            .get(&id)
            .or_else(|| content.cpe_oval_sources.values().find(|(_, src)| src.contains(&needle)))
            .or_else(|| {
                // An id a template writes (`installed_app_is_ocp4_{{{ v }}}`
                // in a loop): the sources with Jinja, rendered once each.
                content.cpe_oval_sources.values().find(|(f, src)| {
                    src.contains("{{")
                        && rendered
                            .entry(f.clone())
                            .or_insert_with(|| {
                                let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                                let mut ctx = BTreeMap::new();
                                ctx.insert("rule_id".to_owned(), minijinja::Value::from(stem));
                                jinja.render(&f.display().to_string(), src, &ctx).ok()
                            })
                            .as_deref()
                            .is_some_and(|t| t.contains(&needle))
                })
            });
        let Some((file, src)) = source else {
            diags.push(
                Diagnostic::error(codes::DANGLING, format!("no OVAL source defines `{id}` (for platform `{owner}`)"))
                    .at_file(&product.file)
                    .hint(format!("add {id}.xml to the `oval` directory of `cpes_root` or to shared/checks/oval")),
            );
            defined.insert(id);
            continue;
        };
        if !included.insert(file.clone()) {
            // Included already: the id is defined only under a condition
            // that did not hold; reported by the OVAL linker.
            defined.insert(id);
            continue;
        }
        let mut ctx = BTreeMap::new();
        ctx.insert("rule_id".to_owned(), minijinja::Value::from(id.clone()));
        match jinja.render(&file.display().to_string(), src, &ctx) {
            Ok(text) => {
                let text = one_def_group(&text);
                defined.extend(ids_after(&text, " id=\"").into_iter().map(str::to_owned));
                defined.insert(id.clone());
                wanted.extend(refs_of(&text).into_iter().map(|r| (r, owner.clone())));
                fragments.push(Fragment {
                    owner: owner.clone(),
                    file: file.clone(),
                    lines: LineMap::between(src, &text),
                    text: text.into(),
                    class: "inventory",
                });
            }
            Err(e) => {
                defined.insert(id.clone());
                diags.push(
                    Diagnostic::error(codes::JINJA, format!("{} (while rendering platform check `{id}`)", e.message))
                        .at_file(file),
                )
            }
        }
    }
    (out, fragments)
}

/// After CaC's pruning: the platforms the kept rules and groups use, their
/// instances, and the CPE OVAL linked again from their checks' fragments
/// (and the product CPEs').
#[allow(clippy::type_complexity)]
pub fn keep_used(
    product: &Product,
    (mut platforms, mut instances): (BTreeMap<String, Expr>, BTreeMap<String, crate::compile::Instance>),
    rules: &BTreeMap<String, crate::compile::RuleOut>,
    group_platforms: &BTreeMap<String, Vec<String>>,
    fragments: &[crate::oval::Fragment],
) -> (BTreeMap<String, Expr>, BTreeMap<String, crate::compile::Instance>, crate::oval::Oval) {
    let used: std::collections::BTreeSet<&String> =
        rules.values().flat_map(|r| r.platforms.iter()).chain(group_platforms.values().flatten()).collect();
    platforms.retain(|id, _| used.contains(id));
    let mut keep: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    fn walk(e: &Expr, out: &mut std::collections::BTreeSet<String>) {
        match e {
            Expr::Name { name, arg, versions } => {
                out.insert(instance_id(name, arg.as_deref(), versions));
            }
            Expr::Not(x) => walk(x, out),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|x| walk(x, out)),
        }
    }
    platforms.values().for_each(|e| walk(e, &mut keep));
    instances.retain(|id, _| keep.contains(id));
    // The fragments defining the kept checks and what they use.
    let mut todo: Vec<String> = instances.values().map(|i| i.check.clone()).collect();
    todo.extend(product.cpes.iter().map(|c| c.check_id.value.clone()));
    let mut seen: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    let mut taken = vec![false; fragments.len()];
    // The fragments whose text holds ` id="<id>"`, for every such id (an id
    // ends at the next quote), instead of searching every fragment per id.
    let mut holding: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, f) in fragments.iter().enumerate() {
        let mut rest: &str = &f.text;
        while let Some(at) = rest.find(" id=\"") {
            let after = &rest[at + 5..];
            let Some(end) = after.find('"') else { break };
            let ids = holding.entry(&after[..end]).or_default();
            if ids.last() != Some(&i) {
                ids.push(i);
            }
            rest = &rest[at + 1..];
        }
    }
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let found: Vec<usize> = if id.contains('"') {
            let needle = format!(" id=\"{id}\"");
            (0..fragments.len()).filter(|&i| fragments[i].text.contains(&needle)).collect()
        } else {
            holding.get(id.as_str()).cloned().unwrap_or_default()
        };
        for i in found {
            if !taken[i] {
                taken[i] = true;
                todo.extend(refs_of(&fragments[i].text));
            }
        }
    }
    let kept: Vec<crate::oval::Fragment> =
        fragments.iter().zip(&taken).filter(|(_, t)| **t).map(|(f, _)| f.clone()).collect();
    // Linking all fragments reported their problems already.
    let mut again = Vec::new();
    let mut oval = crate::oval::Oval::link(&kept, &mut again);
    oval.check(&mut again);
    let titles: std::collections::HashMap<String, String> =
        instances.values().map(|i| (i.id.clone(), i.title.clone())).collect();
    oval.fill_metadata(&titles, &std::collections::HashMap::new(), &product.full_name);
    oval.number(&product.namespace);
    (platforms, instances, oval)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> BTreeMap<String, CpeItem> {
        let mut m = BTreeMap::new();
        m.insert(
            "package".to_owned(),
            CpeItem {
                id: "package".into(),
                name: "cpe:/a:{arg}:{ver_specs_cpe}".into(),
                title: "Package {pkgname} is installed".into(),
                check_id: None,
                bash_conditional: None,
                ansible_conditional: None,
                kind: CpeKind::Parametrized {
                    template: None,
                    args: vec![("openssh-server".into(), vec![("pkgname".into(), "openssh-server".into())])],
                    versioned: true,
                },
                file: PathBuf::from("package.yml"),
            },
        );
        m.insert(
            "machine".to_owned(),
            CpeItem {
                id: "machine".into(),
                name: "cpe:/a:machine".into(),
                title: "Machine".into(),
                check_id: Some("installed_env_is_a_machine".into()),
                bash_conditional: Some("[ ! -f /.dockerenv ]".into()),
                ansible_conditional: None,
                kind: CpeKind::Plain,
                file: PathBuf::from("machine.yml"),
            },
        );
        m
    }

    #[test]
    fn resolves_parametrized_and_versioned_uses() {
        let v = vec![("<".to_owned(), "7.0".to_owned())];
        let r = resolve(&items(), "package", Some("openssh-server"), &v).unwrap();
        assert_eq!(r.id, "package_openssh-server_le_7_0");
        assert_eq!(r.check_id, "package_openssh-server_le_7_0");
        assert_eq!(r.name, "cpe:/a:openssh-server:le:7.0");
        assert_eq!(r.title, "Package openssh-server is installed");
        let r = resolve(&items(), "machine", None, &[]).unwrap();
        assert_eq!(r.check_id, "installed_env_is_a_machine");
        assert!(resolve(&items(), "package", Some("nope"), &[]).unwrap_err().contains("openssh-server"));
        assert!(resolve(&items(), "machine", Some("x"), &[]).is_err());
        assert!(resolve(&items(), "package", None, &[]).is_err());
        assert!(resolve(&items(), "nothing", None, &[]).is_err());
        assert!(ver_specs(&[("<".into(), "x.y".into())]).is_err());
        let s = ver_specs(&[(">=".into(), "1:2.3-4".into())]).unwrap();
        assert_eq!((s[0].evr_ver.as_str(), s[0].ev_ver.as_str()), ("1:2.3-4", "1:2.3"));
        let s = ver_specs(&[("<".into(), "7.0".into())]).unwrap();
        assert_eq!((s[0].evr_ver.as_str(), s[0].ev_ver.as_str()), ("0:7.0-0", "0:7.0"));
    }

    #[test]
    fn conditionals_as_cac_writes_them() {
        let e = crate::platform::parse("machine and not container and other").unwrap();
        let cond = |e: &Expr| match e {
            Expr::Name { name, .. } if name == "other" => String::new(),
            Expr::Name { name, .. } => format!("{name}?"),
            _ => unreachable!(),
        };
        assert_eq!(conditional(&e, Lang::Bash, &cond), "( machine? && ! ( container? ) )");
        assert_eq!(conditional(&e, Lang::Ansible, &cond), "( machine? and not ( container? ) )");
        let e = crate::platform::parse("machine").unwrap();
        assert_eq!(conditional(&e, Lang::Bash, &cond), "machine?");
    }
}
