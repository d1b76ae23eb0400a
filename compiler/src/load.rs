//! Loading: find the files of a content tree, render and parse them in
//! parallel, and build the [`Content`] model for one product.
//!
//! Invariant: loading never stops at the first problem. Every loader
//! returns what it could read plus diagnostics; a broken file yields no
//! item but does not hide errors in the others.

use crate::codes;
use crate::jinja::{Jinja, RenderError};
use crate::model::*;
use crate::source::{self, Doc, Fields, LineMap};
use crate::yaml::{Node, Value};
use minijinja::Value as JValue;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files of a content tree, sorted.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    pub root: PathBuf,
    pub products: Vec<PathBuf>,
    pub group_files: Vec<PathBuf>,
    pub rule_files: Vec<PathBuf>,
    pub value_files: Vec<PathBuf>,
    pub profile_files: Vec<PathBuf>,
    pub template_files: Vec<PathBuf>,
    pub platform_files: Vec<PathBuf>,
    pub macro_files: Vec<PathBuf>,
}

fn walk(dir: &Path, mut keep: impl FnMut(&Path) -> bool + Send + Sync) -> Vec<PathBuf> {
    let probe = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
    if !probe.is_dir() {
        return Vec::new();
    }
    let out = Mutex::new(Vec::new());
    let keep = Mutex::new(&mut keep);
    ignore::WalkBuilder::new(dir)
        .hidden(true)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .ignore(false)
        .parents(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                if let Ok(e) = entry {
                    // Whatever bears a source's name is kept, regular or
                    // not (a directory, a FIFO, a link to a device): reading
                    // it (`source::read`) reports it at its path.
                    if e.depth() > 0 && (keep.lock().unwrap())(e.path()) {
                        out.lock().unwrap().push(e.into_path());
                    }
                }
                ignore::WalkState::Continue
            })
        });
    let mut v: Vec<PathBuf> = out
        .into_inner()
        .unwrap()
        .into_iter()
        // `scapc build -C .` reports `rules/x/rule.yml`, not `./rules/...`.
        .map(|p| p.strip_prefix("./").map(Path::to_path_buf).unwrap_or(p))
        .collect();
    v.sort();
    v
}

fn ext_is(p: &Path, ext: &str) -> bool {
    p.extension().is_some_and(|e| e == ext)
}

/// Finds every source file under `root`.
pub fn discover(root: &Path) -> Tree {
    let root = if root == Path::new(".") { Path::new("") } else { root };
    let rules_dir = root.join("rules");
    let all_rules = walk(&rules_dir, |p| {
        let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        n == "group.yml" || n == "rule.yml" || ext_is(p, "var")
    });
    let mut t = Tree { root: root.to_path_buf(), ..Default::default() };
    for p in all_rules {
        match p.file_name().and_then(|n| n.to_str()) {
            Some("group.yml") => t.group_files.push(p),
            Some("rule.yml") => t.rule_files.push(p),
            _ => t.value_files.push(p),
        }
    }
    t.products = walk(&root.join("products"), |p| p.file_name().is_some_and(|n| n == "product.yml"));
    t.profile_files = walk(&root.join("profiles"), |p| ext_is(p, "profile"));
    t.template_files = walk(&root.join("templates"), |p| p.file_name().is_some_and(|n| n == "template.yml"));
    t.platform_files = walk(&root.join("applicability"), |p| ext_is(p, "yml"));
    t.macro_files = walk(&root.join("macros"), |p| ext_is(p, "jinja"));
    t
}

/// True when something exists at `p` (a link, dangling or not, included):
/// a source that is there but unreadable is an error, not an absence.
fn present(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok()
}

fn stem(p: &Path) -> String {
    p.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned()
}

fn dir_name(p: &Path) -> String {
    p.parent().and_then(|d| d.file_name()).and_then(|s| s.to_str()).unwrap_or_default().to_owned()
}

/// Checks an id against `[a-z0-9_]+` (rules and values also allow
/// upper-case and digits-first; nothing allows `-` or spaces).
fn check_id(id: &str, what: &str, file: &Path, diags: &mut Vec<Diagnostic>) -> bool {
    let ok = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        diags.push(
            Diagnostic::error(codes::BAD_VALUE, format!("`{id}` is not a valid {what} id"))
                .at_file(file)
                .hint(format!("{what} ids use letters, digits and `_` only; rename the file or directory")),
        );
    }
    ok
}

fn jinja_error(file: &Path, e: &RenderError, rule: Option<&str>) -> Diagnostic {
    let (loc_file, related) = match &e.in_template {
        Some(t) if !t.starts_with('<') => (PathBuf::from(t), Some(file.to_path_buf())),
        _ => (file.to_path_buf(), None),
    };
    let loc = match e.line {
        Some(l) => Location::at(loc_file, l, e.col.unwrap_or(1)),
        None => Location::file(loc_file),
    };
    let mut msg = e.message.clone();
    if let Some(r) = rule {
        msg.push_str(&format!(" (while rendering for rule `{r}`)"));
    }
    let mut d = Diagnostic::error(codes::JINJA, msg).at(loc);
    if let Some(r) = related {
        d = d.related(Location::file(r), "rendered from here");
    }
    if e.message.contains("undefined") {
        d = d.hint("define the variable, pass it as a template parameter, or guard it with `is defined`");
    }
    d
}

/// Reads, renders and parses one YAML source. Returns the root node and the
/// doc (for positions and diagnostics).
fn read_yaml<'p>(
    path: &Path,
    jinja: &Jinja,
    ctx: &BTreeMap<String, JValue>,
    product: &'p str,
) -> (Option<Node>, Doc<'p>) {
    let mut doc = Doc::new(path, LineMap::identity(), product);
    let src = match source::read(path) {
        Ok(s) => s,
        Err(d) => {
            doc.diags.push(d);
            return (None, doc);
        }
    };
    let rendered = match jinja.render(&path.display().to_string(), &src, ctx) {
        Ok(r) => r,
        Err(e) => {
            doc.diags.push(jinja_error(path, &e, ctx.get("rule_id").and_then(|v| v.as_str())));
            return (None, doc);
        }
    };
    doc.lines = LineMap::between(&src, &rendered);
    let node = doc.parse_yaml(&rendered);
    (node, doc)
}

/// Loads `product.yml`.
pub fn load_product(path: &Path) -> (Option<Product>, Vec<Diagnostic>) {
    let id = dir_name(path);
    let mut doc = Doc::new(path, LineMap::identity(), "");
    let src = match source::read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    // Product files may carry any extra keys (they become Jinja variables).
    let Some(f) = doc.mapping(&node, "the product file", &[]) else { return (None, doc.diags) };
    let what = "the product file";
    let product = doc.required_string(&f, "product", what).unwrap_or_default();
    if !product.is_empty() && product != id {
        let pos = f.get("product").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("`product: {product}` does not match the directory name `{id}`"))
            .hints
            .push(format!("rename the directory or set `product: {id}`"));
    }
    let full_name = doc.required_string(&f, "full_name", what).unwrap_or_default();
    let benchmark_id = doc.required_string(&f, "benchmark_id", what).unwrap_or_default();
    let namespace = doc.required_string(&f, "namespace", what).unwrap_or_default();
    if !namespace.is_empty()
        && !(namespace.contains('.') && namespace.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    {
        let pos = f.get("namespace").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("namespace `{namespace}` is not a reverse-DNS name"))
            .hints
            .push("use something like `org.example` (letters, digits, `.` and `-`; no `_`)".into());
    }
    let title =
        doc.string(&f, "title", what).unwrap_or_else(|| format!("Guide to the Secure Configuration of {full_name}"));
    let description = doc.string(&f, "description", what).unwrap_or_else(|| {
        format!("This guide presents a catalog of security-relevant configuration settings for {full_name}.")
    });
    let mut cpes = Vec::new();
    if let Some(list) = f.get("cpes") {
        match list.as_seq() {
            Some(items) => {
                for item in items {
                    let Some(m) = doc.mapping(item, "a `cpes` entry", &[]) else { continue };
                    for key in &m.order {
                        let n = m.get(key).unwrap();
                        let Some(c) = doc.mapping(n, &format!("cpe `{key}`"), &["name", "title", "check_id"]) else {
                            continue;
                        };
                        let w = format!("cpe `{key}`");
                        let name = doc.required_string(&c, "name", &w).unwrap_or_default();
                        let title = doc.required_string(&c, "title", &w).unwrap_or_default();
                        let check = doc.required_string(&c, "check_id", &w).unwrap_or_default();
                        let check_pos = c.get("check_id").map(|n| n.pos).unwrap_or(c.pos);
                        cpes.push(ProductCpe {
                            id: key.clone(),
                            name,
                            title,
                            check_id: Spanned::new(check, doc.loc(check_pos)),
                        });
                    }
                }
            }
            None => {
                doc.error(codes::BAD_VALUE, list.pos, format!("`cpes` must be a list, found {}", list.kind()));
            }
        }
    }
    if cpes.is_empty() {
        doc.error(codes::MISSING_KEY, f.pos, "the product declares no CPE (`cpes:`)")
            .hints
            .push("add `cpes: [{<id>: {name: cpe:/o:..., title: ..., check_id: <platform>}}]`".into());
    }
    let mut reference_uris = BTreeMap::new();
    if let Some(r) = f.get("reference_uris") {
        if let Some(m) = doc.mapping(r, "`reference_uris`", &[]) {
            for k in &m.order {
                if let Some(v) = doc.string(&m, k, "`reference_uris`") {
                    reference_uris.insert(k.clone(), v);
                }
            }
        }
    }
    let mut vars = BTreeMap::new();
    for k in &f.order {
        vars.insert(k.clone(), f.get(k).unwrap().to_json());
    }
    vars.insert("product".into(), serde_json::Value::String(id.clone()));
    let p = Product {
        id,
        full_name,
        benchmark_id,
        namespace,
        title,
        description,
        cpes,
        reference_uris,
        vars,
        file: path.to_path_buf(),
    };
    (Some(p), doc.diags)
}

/// Loads every template and platform of a tree (for documentation).
pub fn load_templates_and_platforms(tree: &Tree) -> (Vec<Template>, Vec<PlatformDef>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let mut ts = Vec::new();
    for p in &tree.template_files {
        let (t, mut d) = load_template(p, "");
        diags.append(&mut d);
        ts.extend(t);
    }
    let mut ps = Vec::new();
    for p in &tree.platform_files {
        let (x, mut d) = load_platform(p, "");
        diags.append(&mut d);
        ps.extend(x);
    }
    (ts, ps, diags)
}

/// Reads the macro library: (name relative to root, source).
pub fn load_macros(tree: &Tree) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in &tree.macro_files {
        match source::read(p) {
            Ok(s) => {
                let name = p.strip_prefix(&tree.root).unwrap_or(p).display().to_string();
                out.push((name, s));
            }
            Err(d) => diags.push(d),
        }
    }
    (out, diags)
}

/// Loads everything for one product, in parallel.
pub fn load_content(tree: &Tree, product: &Product, jinja: &Jinja) -> (Content, Vec<Diagnostic>) {
    let pid = product.id.as_str();
    let rules_dir = tree.root.join("rules");
    // Directories that are groups or rules, for parent lookups.
    let group_dirs: HashMap<PathBuf, String> =
        tree.group_files.iter().map(|p| (p.parent().unwrap().to_path_buf(), dir_name(p))).collect();
    let rule_dirs: HashMap<PathBuf, String> =
        tree.rule_files.iter().map(|p| (p.parent().unwrap().to_path_buf(), dir_name(p))).collect();
    let parent_group = |dir: &Path| -> Option<String> {
        let mut d = dir.parent();
        while let Some(x) = d {
            if x == rules_dir {
                return None;
            }
            if let Some(g) = group_dirs.get(x) {
                return Some(g.clone());
            }
            d = x.parent();
        }
        None
    };
    let inside_rule = |dir: &Path| -> Option<PathBuf> {
        let mut d = dir.parent();
        while let Some(x) = d {
            if rule_dirs.contains_key(x) {
                return Some(x.join("rule.yml"));
            }
            if x == rules_dir {
                return None;
            }
            d = x.parent();
        }
        None
    };
    let empty = BTreeMap::new();

    let groups: Vec<(Option<Group>, Vec<Diagnostic>)> = tree
        .group_files
        .par_iter()
        .map(|p| {
            let dir = p.parent().unwrap();
            let mut diags = Vec::new();
            if let Some(r) = inside_rule(dir) {
                diags.push(
                    Diagnostic::error(codes::LAYOUT, "a group directory sits inside a rule directory")
                        .at_file(p)
                        .related(Location::file(r), "the enclosing rule")
                        .hint("move the group out of the rule directory"),
                );
                return (None, diags);
            }
            let (g, mut d) = load_group(p, parent_group(dir), jinja, pid, &empty);
            diags.append(&mut d);
            (g, diags)
        })
        .collect();

    let rules: Vec<(Option<Rule>, Vec<Diagnostic>)> = tree
        .rule_files
        .par_iter()
        .map(|p| {
            let dir = p.parent().unwrap();
            if let Some(r) = inside_rule(dir) {
                return (
                    None,
                    vec![Diagnostic::error(codes::LAYOUT, "a rule directory sits inside another rule directory")
                        .at_file(p)
                        .related(Location::file(r), "the enclosing rule")
                        .hint("move it next to the other rule, under a group")],
                );
            }
            load_rule(p, parent_group(dir), jinja, product)
        })
        .collect();

    let values: Vec<(Option<XValue>, Vec<Diagnostic>)> = tree
        .value_files
        .par_iter()
        .map(|p| {
            load_value(
                p,
                parent_group(p.parent().unwrap()).or_else(|| group_dirs.get(p.parent().unwrap()).cloned()),
                jinja,
                pid,
            )
        })
        .collect();

    let profiles: Vec<(Option<Profile>, Vec<Diagnostic>)> =
        tree.profile_files.par_iter().map(|p| load_profile(p, jinja, pid)).collect();
    let templates: Vec<(Option<Template>, Vec<Diagnostic>)> =
        tree.template_files.par_iter().map(|p| load_template(p, pid)).collect();
    let platforms: Vec<(Option<PlatformDef>, Vec<Diagnostic>)> =
        tree.platform_files.par_iter().map(|p| load_platform(p, pid)).collect();

    let mut diags = Vec::new();
    let mut content = Content::default();
    // Ids are unique across the whole tree, whatever their kind: profile
    // selections name rules, groups and values in one namespace.
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut claim = |id: &str, file: &Path, kind: &str, diags: &mut Vec<Diagnostic>| -> bool {
        if let Some(first) = seen.get(id) {
            diags.push(
                Diagnostic::error(codes::DUPLICATE, format!("the {kind} id `{id}` is already used"))
                    .at_file(file)
                    .related(Location::file(first), "first used here")
                    .hint("ids of rules, groups and values must be unique across the tree; rename one of them"),
            );
            return false;
        }
        seen.insert(id.to_owned(), file.to_path_buf());
        true
    };
    for (p, (g, _)) in tree.group_files.iter().zip(&groups) {
        if g.is_none() {
            content.broken.insert(dir_name(p));
        }
    }
    for (p, (r, _)) in tree.rule_files.iter().zip(&rules) {
        if r.is_none() {
            content.broken.insert(dir_name(p));
        }
    }
    for (p, (v, _)) in tree.value_files.iter().zip(&values) {
        if v.is_none() {
            content.broken.insert(stem(p));
        }
    }
    for (p, (x, _)) in tree.profile_files.iter().zip(&profiles) {
        if x.is_none() {
            content.broken.insert(stem(p));
        }
    }
    for (g, mut d) in groups {
        diags.append(&mut d);
        if let Some(g) = g {
            if claim(&g.id, &g.file, "group", &mut diags) {
                content.groups.insert(g.id.clone(), g);
            }
        }
    }
    for (r, mut d) in rules {
        diags.append(&mut d);
        if let Some(r) = r {
            if claim(&r.id, &r.file, "rule", &mut diags) {
                content.rules.insert(r.id.clone(), r);
            }
        }
    }
    for (v, mut d) in values {
        diags.append(&mut d);
        if let Some(v) = v {
            if claim(&v.id, &v.file, "value", &mut diags) {
                content.values.insert(v.id.clone(), v);
            }
        }
    }
    for (p, mut d) in profiles {
        diags.append(&mut d);
        if let Some(p) = p {
            if let Some(first) = content.profiles.get(&p.id) {
                diags.push(
                    Diagnostic::error(codes::DUPLICATE, format!("the profile id `{}` is already used", p.id))
                        .at_file(&p.file)
                        .related(Location::file(&first.file), "first used here"),
                );
                continue;
            }
            content.profiles.insert(p.id.clone(), p);
        }
    }
    for (t, mut d) in templates {
        diags.append(&mut d);
        if let Some(t) = t {
            content.templates.insert(t.name.clone(), t);
        }
    }
    for (p, mut d) in platforms {
        diags.append(&mut d);
        if let Some(p) = p {
            content.platforms.insert(p.name.clone(), p);
        }
    }
    (content, diags)
}

const GROUP_KEYS: &[&str] =
    &["documentation_complete", "title", "description", "platform", "platforms", "prodtype", "warnings"];

fn load_group(
    path: &Path,
    parent: Option<String>,
    jinja: &Jinja,
    pid: &str,
    ctx: &BTreeMap<String, JValue>,
) -> (Option<Group>, Vec<Diagnostic>) {
    let id = dir_name(path);
    let (node, mut doc) = read_yaml(path, jinja, ctx, pid);
    let mut diags_id = Vec::new();
    if !check_id(&id, "group", path, &mut diags_id) {
        doc.diags.append(&mut diags_id);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "group.yml", GROUP_KEYS) else { return (None, doc.diags) };
    let what = "group.yml";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let platform = platform_of(&mut doc, &f, what);
    let g = Group {
        locs: doc.locs(&f),
        id,
        parent,
        title,
        description,
        platform,
        dir: path.parent().unwrap().to_path_buf(),
        file: path.to_path_buf(),
    };
    (Some(g), doc.diags)
}

/// `platform: expr` or CaC's `platforms: [a, b]` (joined with `and`).
fn platform_of(doc: &mut Doc<'_>, f: &Fields<'_>, what: &str) -> Option<Spanned<String>> {
    if let Some(n) = f.get("platform") {
        let pos = n.pos;
        return doc.string(f, "platform", what).map(|s| Spanned::new(s, doc.loc(pos)));
    }
    let list = doc.string_list(f, "platforms", what);
    if list.is_empty() {
        return None;
    }
    let pos = list[0].1;
    let expr = list.iter().map(|(s, _)| format!("({s})")).collect::<Vec<_>>().join(" and ");
    Some(Spanned::new(expr, doc.loc(pos)))
}

const RULE_KEYS: &[&str] = &[
    "documentation_complete",
    "prodtype",
    "title",
    "description",
    "rationale",
    "severity",
    "identifiers",
    "references",
    "ocil",
    "ocil_clause",
    "fixtext",
    "srg_requirement",
    "warnings",
    "platform",
    "platforms",
    "template",
    "conflicts",
    "requires",
    "checktext",
    "vuldiscussion",
    "policy_specific_content",
    "inherited_platforms",
    "status",
];

fn load_rule(path: &Path, group: Option<String>, jinja: &Jinja, product: &Product) -> (Option<Rule>, Vec<Diagnostic>) {
    let id = dir_name(path);
    let pid = product.id.as_str();
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_owned(), JValue::from(id.clone()));
    let (node, mut doc) = read_yaml(path, jinja, &ctx, pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "rule", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "rule.yml", RULE_KEYS) else { return (None, doc.diags) };
    let what = "rule.yml";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.required_string(&f, "description", what).unwrap_or_default();
    let rationale = doc.string(&f, "rationale", what).unwrap_or_default();
    let severity = match f.get("severity") {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "rule.yml has no `severity`")
                .hints
                .push(format!("add `severity:` with one of {}", Severity::NAMES.join(", ")));
            Severity::Unknown
        }
        Some(n) => match n.as_str().and_then(Severity::parse) {
            Some(s) => s,
            None => {
                let shown = n.as_str().map(|s| format!("`{s}`")).unwrap_or_else(|| n.kind().to_owned());
                doc.error(codes::BAD_VALUE, n.pos, format!("severity {shown} is not valid"))
                    .hints
                    .push(format!("use one of {}", Severity::NAMES.join(", ")));
                Severity::Unknown
            }
        },
    };
    let mut identifiers = Vec::new();
    if let Some(n) = f.get("identifiers") {
        if let Some(m) = doc.mapping(n, "`identifiers`", &[]) {
            for k in &m.order {
                let pos = m.key_pos(k).unwrap();
                if let Some(v) = doc.string(&m, k, "`identifiers`") {
                    identifiers.push(Spanned::new((k.clone(), v), doc.loc(pos)));
                }
            }
        }
    }
    let mut references = Vec::new();
    if let Some(n) = f.get("references") {
        if let Some(m) = doc.mapping(n, "`references`", &[]) {
            for k in &m.order {
                let ids: Vec<String> = doc
                    .string_list(&m, k, "`references`")
                    .into_iter()
                    .flat_map(|(s, _)| s.split(',').map(|x| x.trim().to_owned()).collect::<Vec<_>>())
                    .filter(|s| !s.is_empty())
                    .collect();
                references.push((k.clone(), ids));
            }
        }
    }
    let ocil = doc.string(&f, "ocil", what);
    let ocil_clause = doc.string(&f, "ocil_clause", what);
    let fixtext = doc.string(&f, "fixtext", what);
    let mut warnings = Vec::new();
    if let Some(n) = f.get("warnings") {
        match n.as_seq() {
            Some(items) => {
                for it in items {
                    if let Some(m) = doc.mapping(it, "a warning", &[]) {
                        for k in &m.order {
                            if let Some(v) = doc.string(&m, k, "a warning") {
                                warnings.push((k.clone(), v));
                            }
                        }
                    }
                }
            }
            None if n.is_null() => {}
            None => {
                doc.error(
                    codes::BAD_VALUE,
                    n.pos,
                    format!("`warnings` must be a list of {{category: text}}, found {}", n.kind()),
                );
            }
        }
    }
    let platform = platform_of(&mut doc, &f, what);
    let template = f.get("template").and_then(|n| template_use(&mut doc, n));
    let dir = path.parent().unwrap().to_path_buf();
    let pick = |sub: &str, ext: &str| -> Option<PathBuf> {
        let specific = dir.join(sub).join(format!("{pid}.{ext}"));
        if present(&specific) {
            return Some(specific);
        }
        let shared = dir.join(sub).join(format!("shared.{ext}"));
        present(&shared).then_some(shared)
    };
    let mut tests: Vec<PathBuf> = std::fs::read_dir(dir.join("tests"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    n.ends_with(".pass.sh") || n.ends_with(".fail.sh")
                })
                .collect()
        })
        .unwrap_or_default();
    tests.sort();
    let files = RuleFiles {
        oval: pick("oval", "xml"),
        sce: pick("sce", "sh"),
        bash: pick("bash", "sh"),
        ansible: pick("ansible", "yml"),
        tests,
    };
    let r = Rule {
        locs: doc.locs(&f),
        id,
        group,
        title,
        description,
        rationale,
        severity,
        identifiers,
        references,
        ocil,
        ocil_clause,
        fixtext,
        warnings,
        platform,
        template,
        files,
        dir,
        file: path.to_path_buf(),
    };
    (Some(r), doc.diags)
}

fn template_use(doc: &mut Doc<'_>, n: &Node) -> Option<TemplateUse> {
    let f = doc.mapping(n, "`template`", &["name", "vars", "backends"])?;
    let name_pos = f.get("name").map(|n| n.pos).unwrap_or(f.pos);
    let name = doc.required_string(&f, "name", "`template`")?;
    let mut vars = BTreeMap::new();
    if let Some(v) = f.get("vars") {
        if let Some(m) = doc.mapping(v, "`template.vars`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                vars.insert(k.clone(), Spanned::new(node.to_json(), doc.loc(node.pos)));
            }
        }
    }
    let mut disabled = Vec::new();
    if let Some(b) = f.get("backends") {
        if let Some(m) = doc.mapping(b, "`template.backends`", &LANGUAGES) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                let off = match &node.value {
                    Value::Scalar { text, .. } => text == "off" || text == "false",
                    _ => false,
                };
                if off {
                    disabled.push(k.clone());
                }
            }
        }
    }
    Some(TemplateUse { name: Spanned::new(name, doc.loc(name_pos)), vars, disabled })
}

const VALUE_KEYS: &[&str] =
    &["documentation_complete", "title", "description", "type", "operator", "interactive", "options", "warnings"];

fn load_value(path: &Path, group: Option<String>, jinja: &Jinja, pid: &str) -> (Option<XValue>, Vec<Diagnostic>) {
    let id = stem(path);
    let (node, mut doc) = read_yaml(path, jinja, &BTreeMap::new(), pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "value", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the value file", VALUE_KEYS) else { return (None, doc.diags) };
    let what = "the value file";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let ty = match doc.required_string(&f, "type", what).as_deref() {
        Some("number") => ValueType::Number,
        Some("string") => ValueType::String,
        Some("boolean") => ValueType::Boolean,
        Some(other) => {
            let pos = f.get("type").unwrap().pos;
            doc.error(codes::BAD_VALUE, pos, format!("value type `{other}` is not valid"))
                .hints
                .push("use number, string or boolean".into());
            ValueType::String
        }
        None => ValueType::String,
    };
    let operator = doc.string(&f, "operator", what).unwrap_or_else(|| "equals".into());
    if !OPERATORS.contains(&operator.as_str()) {
        let pos = f.get("operator").map(|n| n.pos).unwrap_or(f.pos);
        doc.error(codes::BAD_VALUE, pos, format!("operator `{operator}` is not valid"))
            .hints
            .push(format!("use one of: {}", OPERATORS.join(", ")));
    }
    let interactive = doc.boolean(&f, "interactive", what).unwrap_or(false);
    let mut options = Vec::new();
    match f.get("options") {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "the value has no `options`")
                .hints
                .push("add `options:` with at least `default: <value>`".into());
        }
        Some(n) => {
            if let Some(m) = doc.mapping(n, "`options`", &[]) {
                for k in &m.order {
                    let node = m.get(k).unwrap();
                    let v = match &node.value {
                        Value::Scalar { text, .. } => text.clone(),
                        Value::Null => String::new(),
                        _ => {
                            doc.error(
                                codes::BAD_VALUE,
                                node.pos,
                                format!("option `{k}` must be a scalar, found {}", node.kind()),
                            );
                            continue;
                        }
                    };
                    if ty == ValueType::Number && v.parse::<f64>().is_err() {
                        doc.error(
                            codes::BAD_VALUE,
                            node.pos,
                            format!("option `{k}` = `{v}` is not a number, but the value's type is number"),
                        );
                    }
                    if ty == ValueType::Boolean && !matches!(v.as_str(), "true" | "false" | "0" | "1") {
                        doc.error(codes::BAD_VALUE, node.pos, format!("option `{k}` = `{v}` is not a boolean"));
                    }
                    options.push((k.clone(), v));
                }
                if !options.iter().any(|(k, _)| k == "default") {
                    doc.error(codes::MISSING_KEY, n.pos, "`options` has no `default` selector")
                        .hints
                        .push("add `default: <value>`".into());
                }
            }
        }
    }
    options.sort_by_key(|(k, _)| k != "default");
    let v = XValue {
        locs: doc.locs(&f),
        id,
        group,
        title,
        description,
        ty,
        operator,
        interactive,
        options,
        file: path.to_path_buf(),
    };
    (Some(v), doc.diags)
}

const PROFILE_KEYS: &[&str] =
    &["documentation_complete", "title", "description", "extends", "selections", "metadata", "platform", "status"];

fn load_profile(path: &Path, jinja: &Jinja, pid: &str) -> (Option<Profile>, Vec<Diagnostic>) {
    let id = stem(path);
    let (node, mut doc) = read_yaml(path, jinja, &BTreeMap::new(), pid);
    let mut id_diags = Vec::new();
    if !check_id(&id, "profile", path, &mut id_diags) {
        doc.diags.append(&mut id_diags);
        return (None, doc.diags);
    }
    let Some(node) = node else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the profile", PROFILE_KEYS) else { return (None, doc.diags) };
    let what = "the profile";
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let extends = f.get("extends").and_then(|n| {
        let pos = n.pos;
        doc.string(&f, "extends", what).map(|s| Spanned::new(s, doc.loc(pos)))
    });
    let mut selections = Vec::new();
    for (s, pos) in doc.string_list(&f, "selections", what) {
        match parse_selection(&s) {
            Ok(sel) => selections.push(Spanned::new(sel, doc.loc(pos))),
            Err(msg) => {
                doc.error(codes::BAD_VALUE, pos, format!("selection `{s}`: {msg}"))
                    .hints
                    .push("use `rule_id`, `!rule_id`, `value_id=selector` or `rule_id.severity=high`".into());
            }
        }
    }
    let p = Profile { locs: doc.locs(&f), id, title, description, extends, selections, file: path.to_path_buf() };
    (Some(p), doc.diags)
}

/// Refine-rule attributes a selection may set.
pub const REFINE_ATTRS: [&str; 3] = ["severity", "weight", "role"];

pub fn parse_selection(s: &str) -> Result<Selection, String> {
    let s = s.trim();
    let valid = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if let Some(rest) = s.strip_prefix('!') {
        return if valid(rest) { Ok(Selection::Unselect(rest.to_owned())) } else { Err("not a valid id".into()) };
    }
    if let Some((lhs, rhs)) = s.split_once('=') {
        let (lhs, rhs) = (lhs.trim(), rhs.trim());
        if let Some((rule, attr)) = lhs.split_once('.') {
            if !valid(rule) {
                return Err("not a valid rule id".into());
            }
            if !REFINE_ATTRS.contains(&attr) {
                return Err(format!("`{attr}` cannot be refined; use one of {}", REFINE_ATTRS.join(", ")));
            }
            return Ok(Selection::Refine { rule: rule.to_owned(), attr: attr.to_owned(), value: rhs.to_owned() });
        }
        if !valid(lhs) || rhs.is_empty() {
            return Err("expected `value_id=selector`".into());
        }
        return Ok(Selection::SetValue { value: lhs.to_owned(), selector: rhs.to_owned() });
    }
    if valid(s) {
        Ok(Selection::Select(s.to_owned()))
    } else {
        Err("not a valid id".into())
    }
}

const TEMPLATE_KEYS: &[&str] = &["name", "description", "parameters", "derived", "languages", "supported_languages"];
const PARAM_KEYS: &[&str] = &["type", "required", "default", "allowed", "description"];

fn load_template(path: &Path, pid: &str) -> (Option<Template>, Vec<Diagnostic>) {
    let name = dir_name(path);
    let mut doc = Doc::new(path, LineMap::identity(), pid);
    let src = match source::read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "template.yml", TEMPLATE_KEYS) else { return (None, doc.diags) };
    let description = doc.string(&f, "description", "template.yml").unwrap_or_default();
    let mut params = Vec::new();
    if let Some(pn) = f.get("parameters") {
        if let Some(m) = doc.mapping(pn, "`parameters`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                let w = format!("parameter `{k}`");
                let Some(pf) = doc.mapping(node, &w, PARAM_KEYS) else { continue };
                let ty = match doc.string(&pf, "type", &w).as_deref() {
                    None | Some("string") => ParamType::String,
                    Some("integer") | Some("int") => ParamType::Integer,
                    Some("boolean") | Some("bool") => ParamType::Boolean,
                    Some("list") => ParamType::List,
                    Some(other) => {
                        let pos = pf.get("type").unwrap().pos;
                        doc.error(codes::BAD_VALUE, pos, format!("parameter type `{other}` is not valid"))
                            .hints
                            .push("use string, integer, boolean or list".into());
                        ParamType::String
                    }
                };
                let required = doc.boolean(&pf, "required", &w).unwrap_or(false);
                let default = pf.get("default").map(Node::to_json);
                let allowed = pf.get("allowed").map(|a| match a.as_seq() {
                    Some(items) => items.iter().map(Node::to_json).collect(),
                    None => vec![a.to_json()],
                });
                let description = doc.string(&pf, "description", &w).unwrap_or_default();
                params.push(ParamDecl { name: k.clone(), ty, required, default, allowed, description });
            }
        }
    }
    let mut derived = Vec::new();
    if let Some(dn) = f.get("derived") {
        if let Some(m) = doc.mapping(dn, "`derived`", &[]) {
            for k in &m.order {
                let node = m.get(k).unwrap();
                if let Some(expr) = doc.as_string(node, &format!("derived `{k}`")) {
                    derived.push((k.clone(), Spanned::new(expr, doc.loc(node.pos))));
                }
            }
        }
    }
    let dir = path.parent().unwrap();
    let mut languages = BTreeMap::new();
    for lang in LANGUAGES {
        let p = dir.join(format!("{lang}.template"));
        if present(&p) {
            match source::read(&p) {
                Ok(s) => {
                    languages.insert(lang.to_owned(), (p, s));
                }
                Err(d) => doc.diags.push(d),
            }
        }
    }
    if languages.is_empty() {
        doc.diags.push(
            Diagnostic::error(codes::MISSING_KEY, format!("template `{name}` has no language files"))
                .at_file(path)
                .hint("add oval.template, bash.template, ansible.template or sce.template beside template.yml"),
        );
    }
    let t = Template { name, description, params, derived, languages, file: path.to_path_buf() };
    (Some(t), doc.diags)
}

const PLATFORM_KEYS: &[&str] =
    &["name", "title", "description", "parametrized", "bash_conditional", "ansible_conditional"];

fn load_platform(path: &Path, pid: &str) -> (Option<PlatformDef>, Vec<Diagnostic>) {
    let name = stem(path);
    let mut doc = Doc::new(path, LineMap::identity(), pid);
    let src = match source::read(path) {
        Ok(s) => s,
        Err(d) => return (None, vec![d]),
    };
    let Some(node) = doc.parse_yaml(&src) else { return (None, doc.diags) };
    let Some(f) = doc.mapping(&node, "the platform file", PLATFORM_KEYS) else { return (None, doc.diags) };
    let what = "the platform file";
    if let Some(n) = doc.string(&f, "name", what) {
        if n != name {
            let pos = f.get("name").unwrap().pos;
            doc.error(codes::BAD_VALUE, pos, format!("`name: {n}` does not match the file name `{name}`"));
        }
    }
    let title = doc.required_string(&f, "title", what).unwrap_or_default();
    let description = doc.string(&f, "description", what).unwrap_or_default();
    let parametrized = doc.boolean(&f, "parametrized", what).unwrap_or(false);
    let bash_conditional = doc.string(&f, "bash_conditional", what);
    let ansible_conditional = doc.string(&f, "ansible_conditional", what);
    let oval_file = path.with_extension("xml");
    let (oval_file, oval_source) = if present(&oval_file) {
        match source::read(&oval_file) {
            Ok(s) => (Some(oval_file), Some(s)),
            Err(d) => {
                doc.diags.push(d);
                (None, None)
            }
        }
    } else {
        doc.diags.push(
            Diagnostic::error(codes::MISSING_KEY, format!("platform `{name}` has no OVAL check"))
                .at_file(path)
                .hint(format!("add {}", oval_file.display())),
        );
        (None, None)
    };
    let p = PlatformDef {
        locs: doc.locs(&f),
        name,
        title,
        description,
        parametrized,
        bash_conditional,
        ansible_conditional,
        oval_file,
        oval_source,
        file: path.to_path_buf(),
    };
    (Some(p), doc.diags)
}

/// Position-less location helper used by later passes.
pub fn file_loc(p: &Path) -> Location {
    Location::file(p)
}

#[allow(dead_code)]
fn pos_loc(p: &Path, pos: Pos) -> Location {
    Location::at(p, pos.line, pos.col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections() {
        assert_eq!(parse_selection("a_b").unwrap(), Selection::Select("a_b".into()));
        assert_eq!(parse_selection("!a").unwrap(), Selection::Unselect("a".into()));
        assert_eq!(
            parse_selection("v=5_min").unwrap(),
            Selection::SetValue { value: "v".into(), selector: "5_min".into() }
        );
        assert_eq!(
            parse_selection("r.severity=high").unwrap(),
            Selection::Refine { rule: "r".into(), attr: "severity".into(), value: "high".into() }
        );
        assert!(parse_selection("r.color=red").is_err());
        assert!(parse_selection("a b").is_err());
    }
}
