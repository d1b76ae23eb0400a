//! The checks of a ComplianceAsCode product, as CaC's build makes them
//! (`ssg/build_ovals.py`, `ssg/templates.py`, `ssg/build_sce.py`,
//! `ssg/build_renumber.py`): each rule's OVAL from its own `oval/` files
//! (product file, then a file named by a prefix of the product, then
//! `shared.xml`; the first whose definitions apply to the product wins) or
//! else from its template; the definitions of `shared/checks/oval` and
//! `shared/templates/extra_ovals.yml` that those reach through
//! `extend_definition`; one OVAL document with CaC's ids
//! (`oval:ssg-<name>:def:1`); the Values exported to its external
//! variables; SCE scripts (`sce/` and templates' `sce-bash`) with `--sce`;
//! OCIL as CaC selects it.
//!
//! [`Sources::read`] reads the tree's shared files once; [`build`] does
//! the rest without reading the benchmark's rule files again, except the
//! other candidates of a rule's `oval/` and `sce/` directories.

use crate::codes;
use crate::compile::{RuleOut, SceCheck};
use crate::jinja::Jinja;
use crate::model::*;
use crate::oval::{Fragment, Kind, Oval};
use crate::source::LineMap;
use crate::templates::cac::{self as tcac, RuleContext};
use minijinja::Value as JValue;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location};
use scapc_xml::Element;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The languages of CaC templates that are checks.
const CHECK_LANGS: [&str; 2] = ["oval", "sce-bash"];

/// The shared files of a CaC tree the checks use, read once.
#[derive(Debug, Default)]
pub struct Sources {
    /// (template, language) -> (file, source).
    templates: BTreeMap<(String, String), (PathBuf, String)>,
    /// `shared/checks/oval/*.xml`, in file-name order: (file, source).
    shared_oval: Vec<(PathBuf, String)>,
    /// `shared/templates/extra_ovals.yml`: definition id -> (template, vars).
    extra_ovals: BTreeMap<String, (String, serde_json::Map<String, serde_json::Value>)>,
    extra_file: PathBuf,
    /// Rule id -> its template's OVAL rendered for the product
    /// ([`Sources::render_oval`]), rendered in parallel before the
    /// checks are built.
    oval_renders: HashMap<String, Result<String, crate::jinja::RenderError>>,
}

impl Sources {
    /// Renders the OVAL template of every rule of `rules` that has one (in
    /// parallel), for [`Sources::template_oval`] and the rules' checks.
    pub fn render_oval<'r>(&mut self, rules: impl IntoParallelIterator<Item = &'r Rule>, product: &str, jinja: &Jinja) {
        self.render_oval_memo(rules, product, jinja, &crate::incremental::Memo::default());
    }

    /// [`Sources::render_oval`], each rule's render taken from `memo` when
    /// an earlier build made it (it reads the rule, its template, the
    /// product and the macros: a change of any forgets it).
    pub fn render_oval_memo<'r>(
        &mut self,
        rules: impl IntoParallelIterator<Item = &'r Rule>,
        product: &str,
        jinja: &Jinja,
        memo: &crate::incremental::Memo,
    ) {
        let this = &*self;
        let renders: Vec<(String, Result<String, crate::jinja::RenderError>)> = rules
            .into_par_iter()
            .filter_map(|rule| {
                let t = rule.template.as_ref()?;
                if t.disabled.iter().any(|l| l == "oval") {
                    return None;
                }
                let (file, source) = this.templates.get(&(t.name.value.clone(), "oval".to_owned()))?;
                let r = memo.derived("cac-template-oval", product, rule, (), || {
                    let vars: serde_json::Map<String, serde_json::Value> =
                        t.vars.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
                    let name = file.display().to_string();
                    tcac::render(jinja, &t.name.value, "oval", &name, source, &vars, &template_ctx(rule, product))
                });
                Some((rule.id.clone(), r))
            })
            .collect();
        self.oval_renders.extend(renders);
    }

    /// The OVAL of a rule's template as [`Sources::render_oval`] rendered
    /// it (`None` when the rule has no OVAL template or was not rendered).
    pub fn template_oval(&self, rule: &str) -> Option<&Result<String, crate::jinja::RenderError>> {
        self.oval_renders.get(rule)
    }

    /// The text of `shared/checks/oval/<def>.xml`, if the tree has it.
    pub fn shared_check(&self, def: &str) -> Option<&str> {
        let name = format!("{def}.xml");
        self.shared_oval
            .iter()
            .find(|(f, _)| f.file_name().is_some_and(|n| n == name.as_str()))
            .map(|(_, t)| t.as_str())
    }

    /// Reads the check languages of the templates `rules` use,
    /// `shared/checks/oval` and `extra_ovals.yml` under the tree `root`.
    pub fn read<'r>(
        root: &Path,
        rules: impl Iterator<Item = &'r Rule>,
        product: &str,
        diags: &mut Vec<Diagnostic>,
    ) -> Sources {
        let templates_dir = root.join("shared").join("templates");
        let mut s = Sources { extra_file: templates_dir.join("extra_ovals.yml"), ..Default::default() };
        let mut names: BTreeSet<String> =
            rules.filter_map(|r| r.template.as_ref().map(|t| t.name.value.clone())).collect();
        // extra_ovals.yml
        if let Ok(text) = std::fs::read_to_string(&s.extra_file) {
            match crate::yaml::parse(&text) {
                Ok(doc) => {
                    let json = crate::jinja::cac::yaml_to_json(&doc);
                    if let serde_json::Value::Object(map) = json {
                        for (id, t) in map {
                            let Some(name) = t.get("name").and_then(|n| n.as_str()) else { continue };
                            let raw = t.get("vars").and_then(|v| v.as_object()).cloned().unwrap_or_default();
                            names.insert(name.to_owned());
                            s.extra_ovals.insert(id, (name.to_owned(), for_product(&raw, product)));
                        }
                    }
                }
                Err(e) => diags.push(Diagnostic::error(codes::YAML, e.message.clone()).at(Location::at(
                    &s.extra_file,
                    e.pos.line,
                    e.pos.col,
                ))),
            }
        }
        for name in names {
            for lang in CHECK_LANGS {
                let file = templates_dir.join(&name).join(format!("{lang}.template"));
                if let Ok(src) = std::fs::read_to_string(&file) {
                    s.templates.insert((name.clone(), lang.to_owned()), (file, src));
                }
            }
        }
        let checks = root.join("shared").join("checks").join("oval");
        if let Ok(rd) = std::fs::read_dir(&checks) {
            let mut files: Vec<PathBuf> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "xml"))
                .collect();
            files.sort();
            for f in files {
                match std::fs::read_to_string(&f) {
                    Ok(t) => s.shared_oval.push((f, t)),
                    Err(e) => diags.push(Diagnostic::error(codes::IO, format!("cannot read: {e}")).at_file(&f)),
                }
            }
        }
        s
    }
}

/// A mapping with `key@product` entries applied and other products' dropped.
fn for_product(
    m: &serde_json::Map<String, serde_json::Value>,
    product: &str,
) -> serde_json::Map<String, serde_json::Value> {
    let mut out: serde_json::Map<String, serde_json::Value> =
        m.iter().filter(|(k, _)| !k.contains('@')).map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, v) in m {
        if let Some((base, p)) = k.split_once('@') {
            if p == product {
                out.insert(base.to_owned(), v.clone());
            }
        }
    }
    out
}

/// CaC's `parse_name`: `rhel9` -> `rhel`.
fn product_name(product: &str) -> &str {
    product.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
}

/// CaC's `is_applicable_for_product` of a fix or SCE `platform` header:
/// `multi_platform_all`, `multi_platform_<name>` or the product's full name.
fn platform_applies(platforms: &str, product: &Product) -> bool {
    let multi = format!("multi_platform_{}", product_name(&product.id));
    platforms.split(',').map(str::trim).any(|p| p == "multi_platform_all" || p == multi || p == product.full_name)
        || platforms.contains(&product.full_name)
}

/// Whether any definition among `els` applies to the product by its
/// `<affected>` platforms and products, as CaC's `load_shorthand` decides.
fn applies(els: &[Element], product: &Product) -> bool {
    let multi = format!("multi_platform_{}", product_name(&product.id));
    els.iter().filter(|e| e.local_name() == "definition").any(|d| {
        let Some(md) = d.child("metadata") else { return false };
        md.elements().filter(|a| a.local_name() == "affected").any(|a| {
            a.elements().filter(|p| matches!(p.local_name(), "platform" | "product")).any(|p| {
                let t = p.text();
                let t = t.trim();
                t == "multi_platform_all" || t == multi || t == product.full_name
            })
        })
    })
}

/// The OVAL elements of rendered shorthand (one or more `<def-group>`s),
/// and the text to link: the rendered text itself when it is one
/// def-group, else the elements gathered into one.
fn shorthand(text: &str) -> Result<(Vec<Element>, Option<String>), scapc_xml::ParseError> {
    let wrapped = format!("<cac-wrap>{text}</cac-wrap>");
    let mut root = scapc_xml::parse(&wrapped)?;
    let mut els = Vec::new();
    let mut groups = 0;
    let mut loose = 0;
    // Taken out of the wrapper, not copied.
    for n in std::mem::take(&mut root.children) {
        let scapc_xml::Node::Element(mut e) = n else { continue };
        if e.local_name() == "def-group" {
            groups += 1;
            els.extend(std::mem::take(&mut e.children).into_iter().filter_map(|c| match c {
                scapc_xml::Node::Element(c) => Some(c),
                _ => None,
            }));
        } else {
            loose += 1;
            els.push(e);
        }
    }
    if groups == 1 && loose == 0 {
        return Ok((els, None));
    }
    let mut g = Element::new("def-group");
    g.children = els.iter().cloned().map(scapc_xml::Node::Element).collect();
    Ok((els, Some(g.to_xml())))
}

/// The compliance fragment of `owner` from `file` (whose text is
/// `source`), rendered to `rendered` and read by [`shorthand`] (linking
/// reads it again: keeping what was read until then would hold the
/// elements of every rule's OVAL at once).
fn fragment(owner: String, file: PathBuf, source: &str, rendered: String, merged: Option<String>) -> Fragment {
    let f = |lines, text: String| Fragment { owner, file, lines, text: text.into(), class: "compliance" };
    match merged {
        Some(m) => f(LineMap::identity(), m),
        None => f(LineMap::between(source, &rendered), rendered),
    }
}

/// A rule's own files of language directory `sub` in CaC's order of
/// priority (`ssg/rules.py`, `get_rule_dir_ovals`): the product's, then
/// those named by a prefix of the product, then `shared`.
/// `listing` is the directory's entries, sorted ([`crate::source::Cache::list`]);
/// the loader keeps the result in [`RuleFiles`].
pub fn candidates(listing: &[PathBuf], ext: &str, product: &str) -> Vec<PathBuf> {
    let (mut own, mut common) = (Vec::new(), Vec::new());
    for f in listing.iter().cloned() {
        if f.extension().is_none_or(|e| e != ext) {
            continue;
        }
        let stem = f.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if stem == "shared" {
            common.push(f);
        } else if stem == product {
            own.push(f);
        } else if product.starts_with(&stem) {
            common.insert(0, f);
        }
    }
    own.extend(common);
    own
}

/// One rule's checks before linking.
#[derive(Debug, Clone, Default, PartialEq)]
struct RuleChecks {
    oval: Option<Fragment>,
    /// The ids the OVAL defines and those it refers to.
    ids: BTreeSet<String>,
    refs: BTreeSet<String>,
    /// The OVAL came from the rule's own file (a missing definition is then
    /// an error, as in CaC).
    own_oval: bool,
    sce: Option<SceCheck>,
    diags: Vec<Diagnostic>,
}

fn rule_ctx(rule: &Rule, product: &str) -> BTreeMap<String, JValue> {
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_owned(), JValue::from(rule.id.clone()));
    ctx.insert("rule_title".to_owned(), JValue::from(rule.title.clone()));
    ctx.insert("products".to_owned(), JValue::from(product.to_owned()));
    ctx
}

fn jinja_error(e: crate::jinja::RenderError, file: &Path, what: &str) -> Diagnostic {
    let loc = match (&e.in_template, e.line) {
        (Some(t), Some(l)) => Location::at(PathBuf::from(t), l, e.col.unwrap_or(1)),
        (None, Some(l)) => Location::at(file, l, e.col.unwrap_or(1)),
        _ => Location::file(file),
    };
    Diagnostic::error(codes::JINJA, format!("{} (while rendering {what})", e.message)).at(loc)
}

/// The catalog name under which CaC's data stream references an external
/// OVAL feed (`oval_external_content`): the URL's path without its leading
/// `/`, with `/`, `@` and `~` made `-`, as CaC's `compose_ds.py` does
/// (`https://www.debian.org/security/oval/oval-definitions-bookworm.xml.bz2`
/// -> `security-oval-oval-definitions-bookworm.xml.bz2`).
pub fn external_oval_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.find('/').map_or("", |i| &rest[i + 1..]);
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.replace(['/', '@', '~'], "-")
}

fn xml_error(e: &scapc_xml::ParseError, file: &Path, what: &str) -> Diagnostic {
    Diagnostic::error(codes::XML, format!("the OVAL of {what} is not well-formed: {}", e.message))
        .at(Location::file(file))
        .hint("check tags and escape `&` and `<` as `&amp;` and `&lt;`")
}

fn template_ctx(rule: &Rule, product: &str) -> RuleContext {
    RuleContext {
        id: rule.id.clone(),
        title: rule.title.clone(),
        product: product.to_owned(),
        cce_identifiers: rule
            .identifiers
            .iter()
            .map(|i| (i.value.0.clone(), i.value.1.clone()))
            .filter(|(k, _)| k == "cce")
            .collect(),
    }
}

/// Renders the template language `lang` for `rule`, if its template has it
/// and the rule does not switch it off (its OVAL as [`Sources::render_oval`]
/// rendered it, when it did).
fn template_text<'s>(
    rule: &Rule,
    lang: &str,
    jinja: &Jinja,
    src: &'s Sources,
    product: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<(&'s Path, &'s str, String)> {
    let t = rule.template.as_ref()?;
    if t.disabled.iter().any(|l| l == lang) {
        return None;
    }
    let (file, source) = src.templates.get(&(t.name.value.clone(), lang.to_owned()))?;
    let done = if lang == "oval" { src.template_oval(&rule.id).cloned() } else { None };
    let rendered = match done {
        Some(r) => r,
        None => {
            let vars: serde_json::Map<String, serde_json::Value> =
                t.vars.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
            let name = file.display().to_string();
            tcac::render(jinja, &t.name.value, lang, &name, source, &vars, &template_ctx(rule, product))
        }
    };
    match rendered {
        Ok(text) => Some((file.as_path(), source.as_str(), text)),
        Err(e) => {
            diags.push(jinja_error(e, file, &format!("template `{}` for rule `{}`", t.name.value, rule.id)));
            None
        }
    }
}

fn oval_of_rule(rule: &Rule, product: &Product, jinja: &Jinja, src: &Sources, w: &mut RuleChecks) {
    let ctx = rule_ctx(rule, &product.id);
    for file in rule.files.oval_candidates.iter().cloned() {
        let text = match rule.files.texts.get(&file) {
            Some(t) => t.to_string(),
            None => match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    w.diags.push(Diagnostic::error(codes::IO, format!("cannot read: {e}")).at_file(&file));
                    continue;
                }
            },
        };
        let rendered = match jinja.render(&file.display().to_string(), &text, &ctx) {
            Ok(r) => r,
            Err(e) => {
                w.diags.push(jinja_error(e, &file, &format!("rule `{}`", rule.id)));
                return;
            }
        };
        match shorthand(&rendered) {
            Err(e) => {
                w.diags.push(xml_error(&e, &file, &format!("rule `{}`", rule.id)));
                return;
            }
            Ok((els, merged)) if applies(&els, product) => {
                ids_and_refs(&els, &mut w.ids, &mut w.refs);
                w.oval = Some(fragment(rule.id.clone(), file, &text, rendered, merged));
                w.own_oval = true;
                return;
            }
            Ok(_) => {}
        }
    }
    let Some((file, source, text)) = template_text(rule, "oval", jinja, src, &product.id, &mut w.diags) else {
        return;
    };
    match shorthand(&text) {
        Err(e) => w.diags.push(xml_error(&e, file, &format!("rule `{}`", rule.id))),
        Ok((els, merged)) if applies(&els, product) => {
            ids_and_refs(&els, &mut w.ids, &mut w.refs);
            w.oval = Some(fragment(rule.id.clone(), file.to_path_buf(), source, text, merged));
        }
        Ok(_) => {}
    }
}

/// An SCE script split as CaC's `load_sce_and_metadata_parsed` splits it:
/// the script without its metadata lines, and the metadata.
fn sce_script(raw: &str) -> (String, BTreeMap<String, String>) {
    let mut meta = BTreeMap::new();
    let mut shebang = "#!/usr/bin/bash".to_owned();
    let mut body = Vec::new();
    for line in raw.split('\n') {
        if line.starts_with("#!") {
            shebang = line.to_owned();
            continue;
        }
        let key = ["platform", "check-import", "check-export", "complex-check", "environment"]
            .into_iter()
            .find(|k| line.starts_with(&format!("# {k} = ")));
        match key {
            Some(k) => {
                let v = line[2..].split_once('=').map(|(_, v)| v.trim()).unwrap_or("");
                meta.insert(k.to_owned(), v.to_owned());
            }
            None => body.push(line),
        }
    }
    let mut body = body.join("\n");
    let env = meta.get("environment").map(String::as_str).unwrap_or("any");
    if env == "bootc" || env == "normal" {
        let cond = if env == "bootc" {
            "(rpm -q --quiet bootc && [ -e /run/.containerenv ])"
        } else {
            "! (rpm -q --quiet bootc && [ -e /run/.containerenv ])"
        };
        let mut lines: Vec<String> =
            body.split('\n').map(|l| if l.is_empty() { String::new() } else { format!("    {l}") }).collect();
        lines.insert(0, format!("if {cond} ; then"));
        lines.push("else".into());
        lines.push("    echo \"The SCE check can't run in this environment.\"".into());
        lines.push("    exit \"$XCCDF_RESULT_ERROR\"".into());
        lines.push("fi".into());
        body = lines.join("\n");
    }
    // CaC writes the script with Python's `print`: one newline more.
    (format!("{shebang}\n{body}\n"), meta)
}

fn sce_check(rule: &Rule, product: &Product, raw: &str, file: &Path, w: &mut RuleChecks) -> bool {
    let (script, meta) = sce_script(raw);
    if let Some(env) = meta.get("environment") {
        if !matches!(env.as_str(), "normal" | "bootc" | "any") {
            w.diags.push(
                Diagnostic::error(codes::BAD_VALUE, format!("SCE `environment` header `{env}` (rule `{}`)", rule.id))
                    .at_file(file)
                    .hint("use one of normal, bootc, any"),
            );
            return true;
        }
    }
    if meta.contains_key("complex-check") {
        w.diags.push(
            Diagnostic::warning(
                codes::NO_CHECK,
                format!(
                    "rule `{}`: the SCE `complex-check` header is not supported; the SCE check is left out",
                    rule.id
                ),
            )
            .at_file(file),
        );
        return true;
    }
    let platforms = meta.get("platform").map(String::as_str).unwrap_or("multi_platform_all");
    if !platform_applies(platforms, product) {
        return false;
    }
    let imports = meta.get("check-import").map(|s| vec![s.clone()]).unwrap_or_default();
    let exports = meta
        .get("check-export")
        .map(|s| {
            s.split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(name, value)| (value.trim().to_owned(), name.trim().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    w.sce = Some(SceCheck { href: format!("{}/checks/sce/{}.sh", product.id, rule.id), script, imports, exports });
    true
}

fn sce_of_rule(rule: &Rule, product: &Product, jinja: &Jinja, src: &Sources, w: &mut RuleChecks) {
    let ctx = rule_ctx(rule, &product.id);
    for file in rule.files.sce_candidates.iter() {
        let text = match rule.files.texts.get(file) {
            Some(t) => t.to_string(),
            None => match std::fs::read_to_string(file) {
                Ok(t) => t,
                Err(e) => {
                    w.diags.push(Diagnostic::error(codes::IO, format!("cannot read: {e}")).at_file(file));
                    continue;
                }
            },
        };
        match jinja.render(&file.display().to_string(), &text, &ctx) {
            Ok(mut r) => {
                // Jinja2 drops a final newline; scapc's renderer returns a
                // file without Jinja as it is.
                if !crate::jinja::has_jinja(&text) && r.ends_with('\n') {
                    r.pop();
                }
                if sce_check(rule, product, &r, file, w) {
                    return;
                }
            }
            Err(e) => {
                w.diags.push(jinja_error(e, file, &format!("rule `{}`", rule.id)));
                return;
            }
        }
    }
    if let Some((file, _, text)) = template_text(rule, "sce-bash", jinja, src, &product.id, &mut w.diags) {
        sce_check(rule, product, &text, file, w);
    }
}

/// The OVAL elements of `shared/checks/oval` that apply to the product:
/// element id -> index of its file's fragment.
fn shared_index(
    src: &Sources,
    product: &Product,
    jinja: &Jinja,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Fragment>, Vec<Vec<Element>>, HashMap<String, usize>) {
    let ctx: BTreeMap<String, JValue> = BTreeMap::new();
    let rendered: Vec<Result<(Fragment, Vec<Element>), Diagnostic>> = src
        .shared_oval
        .par_iter()
        .filter_map(|(file, text)| {
            let r = match jinja.render(&file.display().to_string(), text, &ctx) {
                Ok(r) => r,
                Err(e) => return Some(Err(jinja_error(e, file, "a shared OVAL check"))),
            };
            match shorthand(&r) {
                Err(e) => Some(Err(xml_error(&e, file, "a shared OVAL check"))),
                Ok((els, merged)) if applies(&els, product) => {
                    let owner = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                    let f = fragment(owner, file.clone(), text, r, merged);
                    Some(Ok((f, els)))
                }
                Ok(_) => None,
            }
        })
        .collect();
    let (mut frags, mut elements, mut index) = (Vec::new(), Vec::new(), HashMap::new());
    for r in rendered {
        match r {
            Ok((f, els)) => {
                for e in &els {
                    if let Some(id) = e.attr("id") {
                        index.entry(id.to_owned()).or_insert(frags.len());
                    }
                }
                frags.push(f);
                elements.push(els);
            }
            Err(d) => diags.push(d),
        }
    }
    (frags, elements, index)
}

fn ids_and_refs(els: &[Element], ids: &mut BTreeSet<String>, refs: &mut BTreeSet<String>) {
    for e in els {
        if let Some(id) = e.attr("id") {
            ids.insert(id.to_owned());
        }
        refs.extend(crate::oval::refs_of(e).into_iter().map(|(_, r, _, _)| r));
    }
}

/// Where CaC's walk of the benchmark meets a rule: a directory's rules,
/// then its subdirectories, each by name.
fn walk_key(rule: &Rule) -> (Vec<std::ffi::OsString>, String) {
    let parent = rule.dir.parent().map(|p| p.iter().map(|c| c.to_os_string()).collect()).unwrap_or_default();
    (parent, rule.id.clone())
}

/// CaC's build loads the own OVAL of every rule of the benchmark root,
/// selected or not, before any template's, and an external variable keeps
/// its first definition. For each external variable linked, the first
/// rule in that walk whose own OVAL declares it gives its declaration
/// (only those rules' files are rendered).
fn first_external_declarations(
    oval: &mut Oval,
    content: &Content,
    unselected: &BTreeMap<String, Rule>,
    product: &Product,
    jinja: &Jinja,
    memo: &crate::incremental::Memo,
) -> Vec<(String, String, Option<Element>)> {
    let vars: Vec<String> = oval
        .items
        .iter()
        .filter(|((k, _), it)| *k == Kind::Var && it.el.local_name() == "external_variable")
        .map(|((_, s), _)| s.clone())
        .collect();
    if vars.is_empty() {
        return Vec::new();
    }
    // Only the rules whose own OVAL declares an external variable can
    // hold a first declaration; each is rendered once, however many of
    // its variables are asked for.
    let mut rules: Vec<(&Rule, &str)> = content
        .rules
        .values()
        .chain(unselected.values())
        .filter_map(|r| Some((r, &**r.files.texts.get(r.files.oval.as_ref()?)?)))
        .filter(|(_, text)| text.contains("external_variable"))
        .collect();
    rules.sort_by_cached_key(|(r, _)| walk_key(r));
    // The first of those rules (in the walk) whose text holds `"<s>"`, for
    // every quoted `s`: the text between two neighbouring quotes (an id
    // holds no quote, so `"<var>"` is always such a span).
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, (_, text)) in rules.iter().enumerate() {
        let mut quotes = quote_offsets(text);
        let Some(mut open) = quotes.next() else { continue };
        for close in quotes {
            first.entry(&text[open + 1..close]).or_insert(i);
            open = close;
        }
    }
    let mut rendered: HashMap<&str, Option<Vec<Element>>> = HashMap::new();
    let mut used = Vec::new();
    for var in vars {
        let found = if var.contains('"') {
            let needle = format!("\"{var}\"");
            rules.iter().position(|(_, text)| text.contains(&needle))
        } else {
            first.get(var.as_str()).copied()
        };
        let Some(&(rule, _)) = found.map(|i| &rules[i]) else { continue };
        let els = rendered.entry(rule.id.as_str()).or_insert_with(|| external_decls(rule, product, jinja, memo));
        let decl = declaration(els.as_deref(), &var);
        used.push((rule.id.clone(), var.clone(), decl.cloned()));
        if let (Some(decl), Some(item)) = (decl, oval.items.get_mut(&(Kind::Var, var)).map(Arc::make_mut)) {
            let mut decl = decl.clone();
            if decl.attr("version").is_none() {
                decl.set_attr("version", "1");
            }
            item.refs = crate::oval::refs_of(&decl);
            item.el = std::sync::Arc::new(decl);
        }
    }
    used
}

/// The declaration of external variable `var` among `els`.
fn declaration<'e>(els: Option<&'e [Element]>, var: &str) -> Option<&'e Element> {
    els?.iter().find(|e| e.local_name() == "external_variable" && e.attr("id") == Some(var))
}

/// The elements of `rule`'s own OVAL, rendered (in `build --watch`, from
/// the memo when an earlier build rendered it: it reads the rule, the
/// product and the macros).
fn external_decls(
    rule: &Rule,
    product: &Product,
    jinja: &Jinja,
    memo: &crate::incremental::Memo,
) -> Option<Vec<Element>> {
    memo.derived("cac-external-decls", &product.id, rule, (), || {
        let file = rule.files.oval.as_ref()?;
        let text = rule.files.texts.get(file)?;
        let rendered = jinja.render(&file.display().to_string(), text, &rule_ctx(rule, &product.id)).ok()?;
        shorthand(&rendered).ok().map(|(els, _)| els)
    })
}

/// The byte offsets of the `"` in `text`.
fn quote_offsets(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes().enumerate().filter(|(_, b)| *b == b'"').map(|(i, _)| i)
}

/// Builds the checks of every rule of the (pruned) benchmark: fills each
/// rule's `oval`, `exports`, `sce` and `ocil` in `rules` and returns the
/// product's linked and numbered OVAL document. The OVAL of `unselected`
/// rules (in the tree, selected by no profile) is built only when a check
/// extends it, as CaC's build has every rule's OVAL at hand.
#[allow(clippy::too_many_arguments)]
pub fn build(
    product: &Product,
    content: &Content,
    unselected: &BTreeMap<String, Rule>,
    jinja: &Jinja,
    src: &Sources,
    sce: bool,
    rules: &mut BTreeMap<String, RuleOut>,
    diags: &mut Vec<Diagnostic>,
) -> Oval {
    let memo = crate::incremental::Memo::default();
    build_memo(product, content, unselected, jinja, src, sce, rules, &memo, diags)
}

/// [`build`], each kept rule's own OVAL taken from `memo` when an earlier
/// build of the same rule left it there (`scapc build --watch`).
#[allow(clippy::too_many_arguments)]
pub fn build_memo(
    product: &Product,
    content: &Content,
    unselected: &BTreeMap<String, Rule>,
    jinja: &Jinja,
    src: &Sources,
    sce: bool,
    rules: &mut BTreeMap<String, RuleOut>,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) -> Oval {
    let works: Vec<(String, RuleChecks)> = content
        .rules
        .par_iter()
        .map(|(id, rule)| {
            // It reads the rule (its id, title, files and template), the
            // templates, the product and the macros: a change of any but
            // the rule forgets the memo.
            let mut w = memo.derived("cac-oval", &product.id, rule, (), || {
                let mut w = RuleChecks::default();
                oval_of_rule(rule, product, jinja, src, &mut w);
                w
            });
            if sce {
                sce_of_rule(rule, product, jinja, src, &mut w);
            }
            (id.clone(), w)
        })
        .collect();
    let linked = if memo.keeps() {
        let values =
            memo.shared_ids("cac-linked-values", &product.id, &product.file, content.values.keys().cloned().collect());
        // Rules whose OVAL changed in its text alone.
        let mut patch = Vec::new();
        let same = |k: &(LinkInputs, Consulted)| {
            k.0.matches(&works, content, unselected, rules, &values, &mut patch)
                && k.1.still(content, unselected, product, jinja, src, memo)
        };
        let kept = memo.kept::<_, Linked>("cac-linked", &product.id, &product.file, same);
        match kept.and_then(|mut l| patch.iter().all(|&i| l.patch(&works, i, memo)).then_some(l)) {
            Some(l) => l,
            None => {
                let inputs = LinkInputs::of(&works, content, unselected, rules, values);
                let (l, consulted) = link_checks(product, content, unselected, jinja, src, works, rules, memo);
                memo.keep("cac-linked", &product.id, &product.file, (inputs, consulted), l.clone());
                l
            }
        }
    } else {
        link_checks(product, content, unselected, jinja, src, works, rules, memo).0
    };
    let Linked { mut oval, outcomes, diags: mut d, .. } = linked;
    diags.append(&mut d);
    for ((id, out), (oid, o)) in rules.iter_mut().zip(outcomes) {
        debug_assert_eq!(*id, oid);
        out.sce = o.sce;
        out.external_oval = o.external_oval;
        out.ocil = o.ocil;
        out.oval = o.oval;
        out.exports = o.exports;
    }
    let titles: HashMap<String, String> =
        content.rules.iter().map(|(k, r)| (k.clone(), crate::text::plain(&r.title))).collect();
    let cces: HashMap<String, Vec<String>> = content
        .rules
        .iter()
        .map(|(k, r)| {
            (k.clone(), r.identifiers.iter().filter(|i| i.value.0 == "cce").map(|i| i.value.1.clone()).collect())
        })
        .filter(|(_, v): &(String, Vec<String>)| !v.is_empty())
        .collect();
    oval.fill_metadata_memo(&titles, &cces, &product.full_name, memo, &format!("{}/oval-metadata", product.id));
    oval.number_cac("ssg");
    oval
}

/// What linking a CaC product's checks makes, before the OVAL gets its
/// metadata (which reads the rules' titles and CCEs) and its ids.
#[derive(Clone)]
struct Linked {
    oval: Oval,
    /// Per rule of the benchmark, in order: what its `RuleOut` gets.
    outcomes: Vec<(String, Outcome)>,
    diags: Vec<Diagnostic>,
    /// The ids that OVAL other than the kept rules' defines (`build
    /// --watch` only).
    others: BTreeSet<String>,
    /// The external variables whose declarations linking took from the
    /// first rule that has one.
    declared: BTreeSet<String>,
}

impl Linked {
    /// Takes in the new text of the OVAL of `works[i]`, which
    /// [`LinkInputs::matches`] found to change nothing else; `false` (and
    /// a link to make again) when its items say otherwise.
    fn patch(&mut self, works: &[(String, RuleChecks)], i: usize, memo: &crate::incremental::Memo) -> bool {
        let Some(f) = &works[i].1.oval else { return false };
        // Linking's findings are not made again: none may be about it.
        let about = |l: &Location| l.file == f.file;
        if self
            .diags
            .iter()
            .any(|d| d.location.as_ref().is_some_and(about) || d.related.iter().any(|r| about(&r.location)))
        {
            return false;
        }
        // Whether OVAL other than `f` defines `short` too.
        let elsewhere = |short: &str| {
            self.others.contains(short) || works.iter().enumerate().any(|(j, (_, w))| j != i && w.ids.contains(short))
        };
        let declared = |var: &str| self.declared.contains(var);
        self.oval.patch(f, memo, &elsewhere, &declared)
    }
}

/// The check fields of a [`RuleOut`] that linking sets.
#[derive(Clone, Default)]
struct Outcome {
    sce: Option<SceCheck>,
    external_oval: Option<(String, String)>,
    ocil: bool,
    oval: bool,
    exports: Vec<String>,
}

/// What linking reads of a kept rule: its id and directory (the walk's
/// order), remote OVAL, whether it has an OCIL check, and its exports so
/// far.
type RuleLinkFacts = (String, PathBuf, Option<String>, bool, Vec<String>);

/// What [`link_checks`] reads besides the sources of the product (its
/// templates, `shared/checks/oval`, `extra_ovals.yml`, the macros: a
/// change of any forgets the memo), compared before a `build --watch`
/// rebuild reuses what it made.
#[derive(PartialEq)]
struct LinkInputs {
    /// Each kept rule's checks.
    works: Vec<(String, RuleChecks)>,
    /// Each kept rule: its directory (the walk's order), remote OVAL,
    /// whether it has an OCIL check, and its exports so far.
    rules: Vec<RuleLinkFacts>,
    /// The rules no profile selects, with their directories.
    unselected: Vec<(String, PathBuf)>,
    /// The own OVAL of every rule that declares an external variable.
    declaring: Vec<(String, Arc<str>)>,
    /// The product's Value ids.
    values: Arc<Vec<String>>,
}

impl LinkInputs {
    fn of(
        works: &[(String, RuleChecks)],
        content: &Content,
        unselected: &BTreeMap<String, Rule>,
        rules: &BTreeMap<String, RuleOut>,
        values: Arc<Vec<String>>,
    ) -> Self {
        LinkInputs {
            works: works.to_vec(),
            rules: Self::rules(content, rules).collect(),
            unselected: unselected.iter().map(|(id, r)| (id.clone(), r.dir.clone())).collect(),
            declaring: Self::declaring(content, unselected).map(|(id, t)| (id.to_owned(), t.clone())).collect(),
            values,
        }
    }

    /// Whether a link made from these inputs holds for `works` and the
    /// rest now: all equal, but for rules whose OVAL changed in its text
    /// alone (their indexes go to `patch`): the same ids and references.
    #[allow(clippy::too_many_arguments)]
    fn matches(
        &self,
        works: &[(String, RuleChecks)],
        content: &Content,
        unselected: &BTreeMap<String, Rule>,
        rules: &BTreeMap<String, RuleOut>,
        values: &Arc<Vec<String>>,
        patch: &mut Vec<usize>,
    ) -> bool {
        let same = self.values == *values
            && self.works.len() == works.len()
            && self.rules.iter().cloned().eq(Self::rules(content, rules))
            && self.unselected.len() == unselected.len()
            && self.unselected.iter().zip(unselected).all(|((a, d), (b, r))| a == b && *d == r.dir)
            && self.declaring.iter().map(|(id, t)| (id.as_str(), t)).eq(Self::declaring(content, unselected));
        if !same {
            return false;
        }
        for (i, ((a, was), (b, now))) in self.works.iter().zip(works).enumerate() {
            if a != b {
                return false;
            }
            if was == now {
                continue;
            }
            let text_only = match (&was.oval, &now.oval) {
                (Some(f), Some(g)) => f.owner == g.owner && f.file == g.file && f.class == g.class,
                _ => false,
            };
            if !text_only
                || was.ids != now.ids
                || was.refs != now.refs
                || was.own_oval != now.own_oval
                || was.sce != now.sce
                || was.diags != now.diags
            {
                return false;
            }
            patch.push(i);
        }
        true
    }

    fn rules<'a>(
        content: &'a Content,
        rules: &'a BTreeMap<String, RuleOut>,
    ) -> impl Iterator<Item = RuleLinkFacts> + 'a {
        rules.iter().map(|(id, out)| {
            let r = content.rules.get(id);
            (
                id.clone(),
                r.map(|r| r.dir.clone()).unwrap_or_default(),
                r.and_then(|r| r.oval_external_content.clone()),
                r.is_some_and(|r| r.ocil.is_some() || r.ocil_clause.is_some()),
                out.exports.clone(),
            )
        })
    }

    fn declaring<'a>(
        content: &'a Content,
        unselected: &'a BTreeMap<String, Rule>,
    ) -> impl Iterator<Item = (&'a str, &'a Arc<str>)> + 'a {
        content
            .rules
            .values()
            .chain(unselected.values())
            .filter_map(|r| Some((r.id.as_str(), r.files.texts.get(r.files.oval.as_ref()?)?)))
            .filter(|(_, t)| t.contains("external_variable"))
    }
}

/// What linking derived from rules that it found through the OVAL: the
/// checks of rules no profile selects that a check extends, and the
/// first declarations of external variables, rendered from their rules.
#[derive(Default)]
struct Consulted {
    checks: Vec<(String, RuleChecks)>,
    /// (rule, variable, its declaration there).
    decls: Vec<(String, String, Option<Element>)>,
}

impl Consulted {
    /// Whether deriving them again (from the memo while their rules are
    /// unchanged) gives the same.
    fn still(
        &self,
        content: &Content,
        unselected: &BTreeMap<String, Rule>,
        product: &Product,
        jinja: &Jinja,
        src: &Sources,
        memo: &crate::incremental::Memo,
    ) -> bool {
        self.checks
            .iter()
            .all(|(id, w)| unselected.get(id).is_some_and(|r| unselected_checks(r, product, jinja, src, memo) == *w))
            && self.decls.iter().all(|(id, var, d)| {
                let rule = content.rules.get(id).or_else(|| unselected.get(id));
                rule.is_some_and(|r| declaration(external_decls(r, product, jinja, memo).as_deref(), var) == d.as_ref())
            })
    }
}

/// The OVAL of a rule no profile selects (from the memo when it holds it).
fn unselected_checks(
    rule: &Rule,
    product: &Product,
    jinja: &Jinja,
    src: &Sources,
    memo: &crate::incremental::Memo,
) -> RuleChecks {
    memo.derived("cac-oval", &product.id, rule, (), || {
        let mut w = RuleChecks::default();
        oval_of_rule(rule, product, jinja, src, &mut w);
        w
    })
}

/// Links the checks of the kept rules (`works`, their OVAL) with what
/// they reach, and decides each rule's check.
#[allow(clippy::too_many_arguments)]
fn link_checks(
    product: &Product,
    content: &Content,
    unselected: &BTreeMap<String, Rule>,
    jinja: &Jinja,
    src: &Sources,
    works: Vec<(String, RuleChecks)>,
    rules: &BTreeMap<String, RuleOut>,
    memo: &crate::incremental::Memo,
) -> (Linked, Consulted) {
    let mut diags = Vec::new();
    let diags = &mut diags;
    let mut consulted = Consulted::default();
    // In `build --watch`: the ids defined by OVAL besides the kept rules'.
    let mut others = BTreeSet::new();
    let mut outcomes: BTreeMap<String, Outcome> = rules
        .iter()
        .map(|(id, out)| {
            (id.clone(), Outcome { sce: out.sce.clone(), exports: out.exports.clone(), ..Default::default() })
        })
        .collect();
    let mut frags = Vec::new();
    let mut own: BTreeSet<String> = BTreeSet::new();
    // CaC loads the rules' own OVAL first, in its walk of the benchmark
    // (a directory's rules, then its subdirectories, each by name), then
    // the templates' by rule id: where an external variable is defined
    // twice, the first one stays.
    let mut works = works;
    let walk_key = |id: &str| walk_key(&content.rules[id]);
    works.sort_by_cached_key(|(id, w)| (!w.own_oval, if w.own_oval { walk_key(id) } else { (Vec::new(), id.clone()) }));
    let (mut ids, mut refs) = (BTreeSet::new(), BTreeSet::new());
    for (id, mut w) in works {
        diags.append(&mut w.diags);
        ids.extend(std::mem::take(&mut w.ids));
        refs.extend(std::mem::take(&mut w.refs));
        if let Some(f) = w.oval {
            frags.push(f);
            if w.own_oval {
                own.insert(id.clone());
            }
        }
        if let Some(o) = outcomes.get_mut(&id) {
            o.sce = w.sce;
        }
    }
    // What the rules' OVAL refers to but does not define: definitions of
    // shared/checks/oval and extra_ovals.yml, and what they refer to.
    // shared/checks/oval rendered for the product: it reads no rule.
    let ((shared_frags, shared_els, index), mut d) =
        memo.derived_at("cac-shared-oval", &product.id, &product.file, (), || {
            let mut d = Vec::new();
            (shared_index(src, product, jinja, &mut d), d)
        });
    diags.append(&mut d);
    let mut taken: BTreeSet<usize> = BTreeSet::new();
    let mut extra_taken: BTreeSet<String> = BTreeSet::new();
    loop {
        let missing: Vec<String> = refs.difference(&ids).cloned().collect();
        let mut progress = false;
        for m in missing {
            if let Some(&i) = index.get(&m) {
                if taken.insert(i) {
                    ids_and_refs(&shared_els[i], &mut ids, &mut refs);
                    if memo.keeps() {
                        ids_and_refs(&shared_els[i], &mut others, &mut BTreeSet::new());
                    }
                    frags.push(shared_frags[i].clone());
                    progress = true;
                }
            } else if let Some((rid, rule)) = unselected_owner(unselected, &m) {
                // The rule's OVAL may define more than its own id (the
                // sysctl template's `<rule>_static`, `<rule>_runtime`):
                // CaC builds every rule's OVAL, so those resolve too.
                if !extra_taken.insert(rid.to_owned()) {
                    continue;
                }
                let mut w = unselected_checks(rule, product, jinja, src, memo);
                consulted.checks.push((rid.to_owned(), w.clone()));
                diags.append(&mut w.diags);
                if let Some(f) = w.oval {
                    if memo.keeps() {
                        others.extend(w.ids.iter().cloned());
                    }
                    ids.extend(std::mem::take(&mut w.ids));
                    refs.extend(std::mem::take(&mut w.refs));
                    frags.push(f);
                    progress = true;
                }
            } else if let Some((name, vars)) = src.extra_ovals.get(&m) {
                if !extra_taken.insert(m.clone()) {
                    continue;
                }
                let Some((file, source)) = src.templates.get(&(name.clone(), "oval".to_owned())) else { continue };
                let ctx =
                    RuleContext { id: m.clone(), title: m.clone(), product: product.id.clone(), ..Default::default() };
                match tcac::render(jinja, name, "oval", &file.display().to_string(), source, vars, &ctx) {
                    Ok(text) => match shorthand(&text) {
                        Ok((els, merged)) => {
                            ids_and_refs(&els, &mut ids, &mut refs);
                            if memo.keeps() {
                                ids_and_refs(&els, &mut others, &mut BTreeSet::new());
                            }
                            frags.push(fragment(m.clone(), file.clone(), source, text, merged));
                            progress = true;
                        }
                        Err(e) => diags.push(xml_error(&e, &src.extra_file, &format!("`{m}` of extra_ovals.yml"))),
                    },
                    Err(e) => diags.push(jinja_error(e, file, &format!("`{m}` of extra_ovals.yml"))),
                }
            }
        }
        if !progress {
            break;
        }
    }
    let mut oval = Oval::link_cac_memo(&frags, diags, memo);
    consulted.decls = first_external_declarations(&mut oval, content, unselected, product, jinja, memo);
    // A reference that resolves nowhere drops the check of the rules that
    // reach it (CaC's build only logs it, and its OVAL is then invalid).
    let mut check_diags = Vec::new();
    oval.check(&mut check_diags);
    for d in check_diags {
        if d.code != codes::DANGLING {
            diags.push(d);
        }
    }
    // Each rule's fragment file, by owner (first fragment wins), so that
    // the loop below does not search every fragment for every rule.
    let mut owners: HashMap<&str, &Path> = HashMap::with_capacity(frags.len());
    for f in &frags {
        owners.entry(f.owner.as_str()).or_insert(f.file.as_path());
    }
    // What every rule that may get a check reaches, walked once: when none
    // of it is missing (the usual case), no rule's own walk finds a missing
    // item, so those walks are skipped, and every such rule gets its check.
    let candidates: Vec<String> = outcomes
        .keys()
        .filter(|id| !oval.broken.contains(*id) && owners.contains_key(id.as_str()) && oval.has(Kind::Def, id))
        .cloned()
        .collect();
    let reach_all = oval.closure(candidates);
    let any_missing = reach_all.iter().any(|k| !oval.items.contains_key(k));
    let mut with_check = Vec::new();
    let externals = oval.externals();
    for (id, out) in outcomes.iter_mut() {
        let rule = &content.rules[id];
        out.external_oval = rule.oval_external_content.as_ref().map(|url| (external_oval_name(url), url.clone()));
        out.ocil = (rule.ocil.is_some() || rule.ocil_clause.is_some()) && id != "security_patches_up_to_date";
        out.oval = false;
        if oval.broken.contains(id) || !owners.contains_key(id.as_str()) {
            continue;
        }
        if !oval.has(Kind::Def, id) {
            let d = if own.contains(id) {
                Diagnostic::error(codes::OVAL, format!("the OVAL of rule `{id}` defines no definition with id `{id}`"))
            } else {
                Diagnostic::warning(
                    codes::NO_CHECK,
                    format!(
                        "the template OVAL of rule `{id}` defines no definition `{id}`; the rule has no OVAL check"
                    ),
                )
            };
            let file = owners.get(id.as_str()).map(|f| f.to_path_buf()).unwrap_or(rule.file.clone());
            diags.push(d.at_file(file).hint("the rule's check is the definition whose id is the rule id"));
            continue;
        }
        let missing: Vec<String> = if any_missing {
            let reach = oval.closure([id.clone()]);
            reach.iter().filter(|k| !oval.items.contains_key(*k)).map(|(k, s)| format!("{} `{s}`", k.tag())).collect()
        } else {
            Vec::new()
        };
        if !missing.is_empty() {
            diags.push(
                Diagnostic::warning(
                    codes::NO_CHECK,
                    format!(
                        "the OVAL of rule `{id}` refers to {}, defined nowhere; the rule has no OVAL check",
                        missing.join(", ")
                    ),
                )
                .at_file(&rule.file)
                .hint("define it in shared/checks/oval, or fix the reference"),
            );
            continue;
        }
        out.oval = true;
        with_check.push(id.clone());
        for var in externals.of(id) {
            if content.values.contains_key(&var) {
                out.exports.push(var);
            } else {
                let it = &oval.items[&(Kind::Var, var.clone())];
                diags.push(
                    Diagnostic::warning(
                        codes::NO_CHECK,
                        format!(
                            "OVAL external variable `{var}` (rule `{id}`) matches no XCCDF Value; it is not exported"
                        ),
                    )
                    .at(Location::at(&it.file, it.pos.line, it.pos.col))
                    .hint(format!("add a `{var}.var` file, or rename the variable to an existing Value id")),
                );
            }
        }
    }
    // CaC's linker inserts each export first, in sorted order.
    for out in outcomes.values_mut() {
        out.exports.reverse();
    }
    if any_missing {
        oval.retain_closure(with_check);
    } else {
        // Every candidate got its check: what they reach is walked already.
        oval.retain_only(&reach_all);
    }
    let outcomes = outcomes.into_iter().collect();
    let declared = consulted.decls.iter().filter(|(_, _, d)| d.is_some()).map(|(_, v, _)| v.clone()).collect();
    (Linked { oval, outcomes, diags: std::mem::take(diags), others, declared }, consulted)
}

/// The unselected rule whose OVAL defines definition `id`: the rule of that
/// id, else the one whose id is the longest `_`-bounded prefix of it (a
/// template's further definitions are named `<rule>_<suffix>`).
fn unselected_owner<'a>(unselected: &'a BTreeMap<String, Rule>, id: &str) -> Option<(&'a str, &'a Rule)> {
    if let Some((k, r)) = unselected.get_key_value(id) {
        return Some((k.as_str(), r));
    }
    id.rmatch_indices('_').find_map(|(i, _)| unselected.get_key_value(&id[..i])).map(|(k, r)| (k.as_str(), r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{compile_tree, BuildOptions};

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    const AFFECTED: &str = "<metadata><title>t</title><affected family=\"unix\"><platform>multi_platform_all</platform></affected><description>d</description></metadata>";

    fn def(id: &str, criteria: &str) -> String {
        format!("<definition class=\"compliance\" id=\"{id}\" version=\"1\">{AFFECTED}<criteria>{criteria}</criteria></definition>")
    }

    /// A CaC tree whose rules get their checks from every source CaC's
    /// build takes them from.
    fn build_tree(sce: bool) -> (tempfile::TempDir, crate::compile::Compiled, Vec<Diagnostic>) {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(r, "products/p9/product.yml", "product: p9\nfull_name: Prod 9\ntype: platform\nbenchmark_id: P\nbenchmark_root: ../../guide\npkg_manager: apt_get\ncpes_root: ../../shared/applicability\ncpes:\n  - p9:\n      name: cpe:/o:x:p9\n      title: P\n      check_id: installed_OS_is_p9\n");
        write(r, "shared/applicability/oval/installed_OS_is_p9.xml", "<def-group>\n<definition class=\"inventory\" id=\"installed_OS_is_p9\" version=\"1\">\n<metadata><title>P</title><description>d</description></metadata>\n<criteria><criterion comment=\"unix\" test_ref=\"test_unix9\"/></criteria>\n</definition>\n<ind:family_test check=\"all\" check_existence=\"at_least_one_exists\" comment=\"unix\" id=\"test_unix9\" version=\"1\"><ind:object object_ref=\"obj_unix9\"/><ind:state state_ref=\"ste_unix9\"/></ind:family_test>\n<ind:family_object id=\"obj_unix9\" version=\"1\"/>\n<ind:family_state id=\"ste_unix9\" version=\"1\"><ind:family>unix</ind:family></ind:family_state>\n</def-group>\n");
        write(r, "guide/benchmark.yml", "documentation_complete: true\ntitle: G\nstatus: draft\ndescription: d\n");
        write(r, "guide/g/group.yml", "documentation_complete: true\ntitle: G\ndescription: d\n");
        let rule = |id: &str, extra: &str| {
            write(
                r,
                &format!("guide/g/{id}/rule.yml"),
                &format!(
                    "documentation_complete: true\ntitle: T {id}\ndescription: d\nrationale: r\nseverity: low\n{extra}"
                ),
            );
        };
        // Own OVAL: the product's file wins over a prefix's and shared.xml;
        // a file whose definitions are for other products is passed over.
        rule("own", "ocil_clause: it is not\nocil: look\n");
        let tst = "<ind:textfilecontent54_test id=\"tst_own\" check=\"all\" version=\"1\"><ind:object object_ref=\"obj_own\"/></ind:textfilecontent54_test><ind:textfilecontent54_object id=\"obj_own\" version=\"1\"><ind:filepath>/x</ind:filepath><ind:pattern operation=\"pattern match\">^a$</ind:pattern><ind:instance datatype=\"int\">1</ind:instance></ind:textfilecontent54_object>";
        write(
            r,
            "guide/g/own/oval/shared.xml",
            &format!(
                "<def-group>{}{tst}</def-group>",
                def("own", "<criterion test_ref=\"tst_own\"/><criterion test_ref=\"nope\"/>")
            ),
        );
        write(
            r,
            "guide/g/own/oval/p9.xml",
            &format!("<def-group>{}</def-group>", def("own", "<criterion test_ref=\"tst_own\"/>"))
                .replace("multi_platform_all", "multi_platform_other"),
        );
        write(
            r,
            "guide/g/own/oval/p.xml",
            &format!(
                "<def-group>{}{tst}</def-group>",
                def(
                    "{{{ rule_id }}}",
                    "<criterion test_ref=\"tst_own\"/><extend_definition definition_ref=\"shared_x\"/>"
                )
            ),
        );
        // Template OVAL, extending an unselected rule's OVAL and a
        // definition of extra_ovals.yml; an external variable with a Value.
        rule("tpl", "template:\n  name: t\n  vars:\n    word: yes\n");
        write(r, "shared/templates/t/template.yml", "supported_languages:\n  - oval\n  - sce-bash\n");
        write(
            r,
            "shared/templates/t/oval.template",
            &format!("<def-group>{}<external_variable id=\"var_v\" datatype=\"string\" version=\"1\" comment=\"{{{{{{ WORD }}}}}}\"/></def-group>", def("{{{ rule_id }}}", "<extend_definition definition_ref=\"unsel\"/><extend_definition definition_ref=\"extra_x\"/>")),
        );
        write(
            r,
            "shared/templates/t/sce-bash.template",
            "#!/bin/bash\n# check-import = stdout\n# platform = multi_platform_p\nexit $XCCDF_RESULT_PASS\n",
        );
        write(r, "shared/templates/u/oval.template", &format!("<def-group>{}</def-group>", def("{{{ rule_id }}}", "<criterion test_ref=\"tst_u\"/>")).replace("</def-group>", "<ind:variable_test id=\"tst_u\" check=\"all\" version=\"1\"><ind:object object_ref=\"obj_u\"/></ind:variable_test><ind:variable_object id=\"obj_u\" version=\"1\"><ind:var_ref>var_v</ind:var_ref></ind:variable_object></def-group>"));
        write(r, "shared/templates/extra_ovals.yml", "extra_x:\n  name: u\n  vars: {}\n");
        rule("unsel", "template:\n  name: u\n");
        // An unselected rule's own OVAL declares var_v first in CaC's walk.
        rule("aaa", "");
        write(r, "guide/g/aaa/oval/shared.xml", &format!("<def-group>{}<external_variable id=\"var_v\" datatype=\"string\" version=\"1\" comment=\"first\"/></def-group>", def("aaa", "")));
        write(
            r,
            "guide/g/var_v.var",
            "documentation_complete: true\ntitle: V\ndescription: d\ntype: string\noptions:\n  default: a\n",
        );
        write(
            r,
            "shared/checks/oval/x.xml",
            &format!("<def-group>{}</def-group>", def("shared_x", "<criterion test_ref=\"tst_own\"/>")),
        );
        // An own SCE script, only with --sce.
        rule("scripted", "");
        write(r, "guide/g/scripted/sce/shared.sh", "#!/bin/bash\n# check-export = name=var_v\nexit 0\n");
        write(r, "products/p9/profiles/all.profile", "documentation_complete: true\ntitle: A\ndescription: d\nselections:\n  - own\n  - tpl\n  - scripted\n  - security_patches_up_to_date\n");
        rule(
            "security_patches_up_to_date",
            "ocil_clause: no\nocil: x\noval_external_content: https://feed.example/oval.xml\n",
        );
        let opts =
            BuildOptions { root: r.to_path_buf(), out_dir: r.join("build"), products: Vec::new(), sce, epoch: Some(0) };
        let (mut compiled, diags) = compile_tree(&opts);
        let diags: Vec<Diagnostic> = diags.iter().cloned().collect();
        let errors: Vec<String> =
            diags.iter().filter(|d| d.severity == scapc_diagnostics::Severity::Error).map(|d| d.one_line()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        (d, compiled.remove(0), diags)
    }

    #[test]
    fn rules_get_their_checks_as_cac_builds_them() {
        let (_d, c, diags) = build_tree(false);
        let oval = c.oval.emit("2026-01-01T00:00:00", None);
        // p.xml (a prefix of p9) wins: p9.xml is for another product,
        // shared.xml comes last; its extension of shared/checks/oval is in.
        assert!(c.rules["own"].oval);
        assert!(oval.contains("<extend_definition definition_ref=\"oval:ssg-shared_x:def:1\"/>"), "{oval}");
        assert!(!oval.contains("oval:ssg-nope"), "{oval}");
        // The template's OVAL reaches an unselected rule's and an extra one.
        assert!(c.rules["tpl"].oval);
        for id in ["oval:ssg-tpl:def:1", "oval:ssg-unsel:def:1", "oval:ssg-extra_x:def:1", "oval:ssg-var_v:var:1"] {
            assert!(oval.contains(&format!("id=\"{id}\"")), "{id} in {oval}");
        }
        // The first declaration of an external variable in CaC's loading
        // order stays: a rule's own OVAL, even of a rule not selected,
        // before a template's.
        assert!(oval.contains("comment=\"first\""), "{oval}");
        // Template variables are read as CaC reads YAML: `yes` stays a word.
        let t = crate::templates::cac::vars_from_yaml(&crate::yaml::parse("w: yes").unwrap());
        assert_eq!(c.content.rules["tpl"].template.as_ref().unwrap().vars["word"].value, t["w"]);
        assert_eq!(c.rules["tpl"].exports, ["var_v"]);
        assert!(!c.rules["scripted"].oval && c.rules["scripted"].sce.is_none());
        // OCIL as CaC: ids after the rule; never for security_patches_up_to_date.
        assert!(c.rules["own"].ocil && !c.rules["security_patches_up_to_date"].ocil);
        let mut d = Vec::new();
        let x = crate::xccdf::emit(&c, &mut d);
        assert!(x.contains("name=\"oval:ssg-own:def:1\""), "{x}");
        assert!(x.contains("<xccdf-1.2:check-export export-name=\"oval:ssg-var_v:var:1\" value-id=\"xccdf_org.ssgproject.content_value_var_v\"/>"), "{x}");
        assert!(x.contains("name=\"ocil:ssg-own_ocil:questionnaire:1\""), "{x}");
        let o = crate::ocil::emit(&c);
        assert!(
            o.contains("ocil:ssg-own_action:testaction:1") && o.contains("ocil:ssg-own_question:question:1"),
            "{o}"
        );
        // An external OVAL feed is the rule's OVAL check, as a remote
        // component of the data stream.
        let feed = ("oval.xml".to_owned(), "https://feed.example/oval.xml".to_owned());
        assert_eq!(c.rules["security_patches_up_to_date"].external_oval, Some(feed));
        assert!(
            x.contains("<xccdf-1.2:check system=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\" multi-check=\"true\">\n")
                && x.contains("<xccdf-1.2:check-content-ref href=\"oval.xml\"/>"),
            "{x}"
        );
        let mut d = Vec::new();
        let ds = crate::build::emit(&c, &mut d).files.into_iter().find(|(n, _)| n.ends_with("-ds.xml")).unwrap().1;
        assert!(ds.contains("<cat:uri name=\"oval.xml\" uri=\"#scap_org.ssgproject.content_cref_oval.xml\"/>"), "{ds}");
        assert!(
            ds.contains("<ds:component-ref id=\"scap_org.ssgproject.content_cref_oval.xml\" xlink:href=\"https://feed.example/oval.xml\"/>"),
            "{ds}"
        );
        // Checks are no longer reported missing; fixes still are.
        assert!(!diags.iter().any(|d| d.message.contains("checks and fixes")), "{diags:?}");
    }

    #[test]
    fn external_feeds_are_named_as_cac_names_them() {
        let n = external_oval_name("https://www.debian.org/security/oval/oval-definitions-bookworm.xml.bz2");
        assert_eq!(n, "security-oval-oval-definitions-bookworm.xml.bz2");
        assert_eq!(external_oval_name("https://h.example/a@b/~c/d.xml?x=1"), "a-b--c-d.xml");
    }

    #[test]
    fn sce_checks_with_sce_come_first() {
        let (_d, c, _) = build_tree(true);
        let s = c.rules["scripted"].sce.as_ref().unwrap();
        assert_eq!(s.href, "p9/checks/sce/scripted.sh");
        assert_eq!(s.exports, [("var_v".to_owned(), "name".to_owned())]);
        // Rendered as Jinja2 renders (the final newline dropped, also from
        // a file without Jinja), then printed.
        assert_eq!(s.script, "#!/bin/bash\nexit 0\n");
        // The template's sce-bash is for multi_platform_p: it applies.
        let t = c.rules["tpl"].sce.as_ref().unwrap();
        assert_eq!(t.imports, ["stdout"]);
        let mut d = Vec::new();
        let x = crate::xccdf::emit(&c, &mut d);
        let rule = &x[x.find("Rule id=\"xccdf_org.ssgproject.content_rule_tpl\"").unwrap()..];
        let (sce, oval) = (rule.find("open-scap.org/page/SCE").unwrap(), rule.find("oval-definitions-5\"").unwrap());
        assert!(sce < oval, "CaC writes the SCE check first: {rule}");
    }

    #[test]
    fn rule_files_in_cacs_order() {
        let d = tempfile::tempdir().unwrap();
        let o = d.path().join("oval");
        std::fs::create_dir_all(&o).unwrap();
        for f in ["shared.xml", "rhel.xml", "rhel9.xml", "rhel10.xml", "debian.xml", "notes.txt"] {
            std::fs::write(o.join(f), "").unwrap();
        }
        let names = |p: &str| -> Vec<String> {
            candidates(&crate::source::Cache::default().list(&o), "xml", p)
                .iter()
                .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(names("rhel9"), ["rhel9.xml", "rhel.xml", "shared.xml"]);
        assert_eq!(names("debian12"), ["debian.xml", "shared.xml"]);
        assert_eq!(names("sle15"), ["shared.xml"]);
    }

    #[test]
    fn sce_metadata_is_split_off() {
        let (s, m) = sce_script("#!/bin/bash\n# platform = multi_platform_all\n# check-import = stdout\nexit 0\n");
        assert_eq!(s, "#!/bin/bash\nexit 0\n\n");
        assert_eq!(m["check-import"], "stdout");
        let (s, _) = sce_script("# environment = normal\nexit 0");
        assert!(s.starts_with("#!/usr/bin/bash\nif ! (rpm -q --quiet bootc"), "{s}");
        assert!(s.contains("\n    exit 0\nelse\n"), "{s}");
    }
}
