//! The benchmark back into sources: groups as directories with
//! `group.yml`, `rule.yml` with the rule's files beside it, `.var`
//! Values, `.profile` Profiles and the product file.

use crate::cpe::Cpes;
use crate::doc::{kid, kid_text, kids, Extra};
use crate::oval::{Kind, OvalDoc};
use crate::text::{finish, prose, script, Yaml};
use crate::{component, component_of, sanitize, sanitize_id, Decompiled, Error, Summary};
use scapc_datastream::read::{Collection, ComponentRef, DataStream, RefRole};
use scapc_xml::{escape_text, Element};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const SYS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2";
const FIX_BASH: &str = "urn:xccdf:fix:script:sh";
const FIX_ANSIBLE: &str = "urn:xccdf:fix:script:ansible";

#[derive(Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Group,
    Rule,
    Value,
}

impl ItemKind {
    fn word(self) -> &'static str {
        match self {
            ItemKind::Group => "group",
            ItemKind::Rule => "rule",
            ItemKind::Value => "value",
        }
    }
}

/// One Group, Rule or Value and the directory it goes in.
struct Item<'b> {
    kind: ItemKind,
    el: &'b Element,
    dir: String,
    short: String,
}

struct Dec<'c> {
    coll: &'c Collection<'c>,
    stream: &'c DataStream,
    cref: &'c ComponentRef,
    extra: Extra,
    ns: String,
    /// Full XCCDF id → short id (groups, rules, values, profiles).
    ids: HashMap<String, String>,
    /// OVAL documents by component-ref id (CPE OVAL under `cpe:<id>`).
    ovals: HashMap<String, OvalDoc>,
    /// OCIL questionnaire id → question text, per component-ref id.
    ocil: HashMap<String, HashMap<String, String>>,
    /// Reference href → the scheme name it gets in product.yml.
    schemes: BTreeMap<String, String>,
    cpes: Cpes,
    files: Vec<(String, String)>,
    summary: Summary,
    missing_oval: BTreeSet<String>,
}

pub fn decompile<'c>(
    coll: &'c Collection<'c>,
    stream: &'c DataStream,
    cref: &'c ComponentRef,
) -> Result<Decompiled, Error> {
    let mut extra = Extra::default();
    let bench = component_of(coll, cref, &mut extra).map_err(Error::new)?;
    if bench.name != "xccdf:Benchmark" {
        return Err(Error::new(format!(
            "the checklist is `{}`, not an XCCDF 1.2 Benchmark (convert an XCCDF 1.1 benchmark first: `scapc convert`)",
            bench.name
        )));
    }
    let full = bench.attr("id").unwrap_or_default().to_owned();
    let (ns, bid) = split_benchmark_id(&full)
        .ok_or_else(|| Error::new(format!("the benchmark id `{full}` is not of the form xccdf_<ns>_benchmark_<id>")))?;
    let mut d = Dec {
        coll,
        stream,
        cref,
        extra,
        ns: ns.clone(),
        ids: HashMap::new(),
        ovals: HashMap::new(),
        ocil: HashMap::new(),
        schemes: BTreeMap::new(),
        cpes: Cpes::new(&bench, &cref.id),
        files: Vec::new(),
        summary: Summary { benchmark: full.clone(), namespace: ns, ..Summary::default() },
        missing_oval: BTreeSet::new(),
    };
    d.load_dictionaries();
    let mut items = Vec::new();
    collect(&bench, "rules", &mut items);
    d.assign_ids(&mut items, &bench);
    d.claim_oval_names(&items);
    for it in &items {
        match it.kind {
            ItemKind::Group => d.group(it),
            ItemKind::Rule => d.rule(it),
            ItemKind::Value => d.value(it),
        }
    }
    for p in kids(&bench, "xccdf:Profile") {
        d.profile(p);
    }
    let product = product_name(&cref.id, &bid);
    d.product(&bench, &product, &bid);
    d.applicability();
    if !d.missing_oval.is_empty() {
        d.lost("OVAL references to ids the OVAL document does not define", d.missing_oval.len());
    }
    d.summary.product = product;
    Ok(Decompiled { files: d.files, summary: d.summary })
}

/// `xccdf_<ns>_benchmark_<id>` → (ns, id).
fn split_benchmark_id(full: &str) -> Option<(String, String)> {
    let rest = full.strip_prefix("xccdf_")?;
    let (ns, id) = rest.split_once("_benchmark_")?;
    Some((ns.to_owned(), id.to_owned()))
}

/// The product name: from the checklist's component-ref name
/// (`..._ssg-debian11-xccdf.xml` → `debian11`), else the benchmark id.
fn product_name(cref_id: &str, bid: &str) -> String {
    let tail = cref_id.rsplit_once("_cref_").or_else(|| cref_id.rsplit_once("_comp_")).map(|(_, t)| t);
    let base = tail
        .map(|t| {
            t.trim_end_matches(".xml").trim_end_matches("-xccdf").trim_end_matches("-ds").trim_start_matches("ssg-")
        })
        .filter(|t| !t.is_empty() && !matches!(*t, "xccdf" | "benchmark"))
        .unwrap_or(bid);
    let s = sanitize(&base.to_ascii_lowercase());
    if s.is_empty() {
        "product".into()
    } else {
        s
    }
}

/// Groups, Rules and Values in document order, with their directories.
fn collect<'b>(parent: &'b Element, dir: &str, out: &mut Vec<Item<'b>>) {
    for el in parent.elements() {
        let kind = match el.name.as_str() {
            "xccdf:Group" => ItemKind::Group,
            "xccdf:Rule" => ItemKind::Rule,
            "xccdf:Value" => ItemKind::Value,
            _ => continue,
        };
        out.push(Item { kind, el, dir: dir.to_owned(), short: String::new() });
        if kind == ItemKind::Group {
            let short = short_of(el.attr("id").unwrap_or_default(), "group");
            collect(el, &format!("{dir}/{short}"), out);
        }
    }
}

/// The short id of a full XCCDF id (`xccdf_<ns>_rule_x` → `x`).
fn short_of(full: &str, word: &str) -> String {
    let marker = format!("_{word}_");
    let s = match full.strip_prefix("xccdf_").and_then(|r| r.split_once(&marker)) {
        Some((_, s)) => s,
        None => full,
    };
    sanitize_id(s)
}

impl Dec<'_> {
    fn lost(&mut self, what: &str, n: usize) {
        *self.summary.lost.entry(what.to_owned()).or_default() += n;
    }

    fn add(&mut self, path: String, text: &str) {
        self.files.push((path, finish(text)));
    }

    fn assign_ids(&mut self, items: &mut [Item<'_>], bench: &Element) {
        let mut taken = BTreeSet::new();
        let mut renamed = 0;
        for it in items.iter_mut() {
            let full = it.el.attr("id").unwrap_or_default();
            let mut short = short_of(full, it.kind.word());
            if format!("xccdf_{}_{}_{short}", self.ns, it.kind.word()) != full {
                renamed += 1;
            }
            let base = short.clone();
            let mut n = 1;
            while !taken.insert(short.clone()) {
                n += 1;
                short = format!("{base}_{n}");
                renamed += 1;
            }
            self.ids.insert(full.to_owned(), short.clone());
            it.short = short;
        }
        // Group directories follow the unique names.
        for p in kids(bench, "xccdf:Profile") {
            let full = p.attr("id").unwrap_or_default();
            let short = short_of(full, "profile");
            if format!("xccdf_{}_profile_{short}", self.ns) != full {
                renamed += 1;
            }
            self.ids.insert(full.to_owned(), short);
        }
        if renamed > 0 {
            self.lost(
                "ids outside the benchmark's namespace or with other characters than [A-Za-z0-9_-] (renamed)",
                renamed,
            );
        }
    }

    fn short(&self, full: &str) -> Option<String> {
        self.ids.get(full).cloned()
    }

    fn value_short(&self, full: &str) -> Option<String> {
        self.short(full)
    }

    /// Component-ref id of an href from the benchmark, loading OVAL on
    /// first use.
    fn oval_doc(&mut self, href: &str) -> Option<String> {
        let target = scapc_datastream::catalog::resolve(self.stream, self.cref, href)?;
        let key = target.id.clone();
        if !self.ovals.contains_key(&key) {
            let (el, _) = component(self.coll, self.stream, self.cref, href, &mut self.extra).ok()?;
            self.ovals.insert(key.clone(), OvalDoc::new(&el));
        }
        Some(key)
    }

    /// Names external variables after the Values rules export to them and
    /// rules' definitions after the rules, before any fragment is written.
    fn claim_oval_names(&mut self, items: &[Item<'_>]) {
        let mut defs = Vec::new();
        for it in items.iter().filter(|i| i.kind == ItemKind::Rule) {
            for ch in kids(it.el, "xccdf:check").filter(|c| c.attr("system") == Some(crate::doc::OVAL_DEF)) {
                let Some(cref) = kid(ch, "xccdf:check-content-ref") else { continue };
                let (Some(href), Some(name)) = (cref.attr("href"), cref.attr("name")) else { continue };
                let Some(key) = self.oval_doc(href) else { continue };
                for ex in kids(ch, "xccdf:check-export") {
                    let (Some(v), Some(var)) = (ex.attr("value-id"), ex.attr("export-name")) else { continue };
                    if let Some(vs) = self.value_short(v) {
                        self.ovals.get_mut(&key).map(|d| d.claim(var, &vs));
                    }
                }
                defs.push((key, name.to_owned(), it.short.clone()));
            }
        }
        for (key, def, rule) in defs {
            let d = self.ovals.get_mut(&key).expect("loaded above");
            if !d.claim(&def, &rule) {
                d.reserve(Kind::Def, &rule);
            }
        }
    }

    fn prose_of(&mut self, el: &Element, name: &str) -> Option<String> {
        let e = kid(el, name)?;
        let mut dropped = 0;
        let ids = &self.ids;
        let s = prose(e, &|r: &str| ids.get(r).cloned(), &mut dropped);
        if dropped > 0 {
            self.lost("non-XHTML markup in prose (kept its text)", dropped);
        }
        Some(s)
    }

    /// Title, description, warnings and platforms: what groups, rules and
    /// values share.
    fn common(&mut self, y: &mut Yaml, el: &Element, with_platform: bool) {
        y.out.push_str("documentation_complete: true\n");
        y.scalar(0, "title", &kid_text(el, "xccdf:title").unwrap_or_default());
        let desc = self.prose_of(el, "xccdf:description").unwrap_or_default();
        y.scalar(0, "description", &desc);
        let warnings: Vec<&Element> = kids(el, "xccdf:warning").collect();
        if !warnings.is_empty() {
            y.open(0, "warnings");
            for w in warnings {
                let cat = w.attr("category").unwrap_or("general").to_owned();
                let mut dropped = 0;
                let ids = &self.ids;
                let text = prose(w, &|r: &str| ids.get(r).cloned(), &mut dropped);
                y.map_item(2, &cat, &text);
            }
        }
        if with_platform {
            self.platforms(y, el);
        }
    }

    fn platforms(&mut self, y: &mut Yaml, el: &Element) {
        let mut exprs = Vec::new();
        for p in kids(el, "xccdf:platform") {
            match p.attr("idref").and_then(|i| self.cpes.expression(i)) {
                Some(e) if !e.is_empty() => exprs.push(e),
                _ => self.lost("platforms naming no CPE platform of the data stream", 1),
            }
        }
        match exprs.len() {
            0 => {}
            1 => y.scalar(0, "platform", &exprs[0]),
            _ => {
                y.open(0, "platforms");
                for e in &exprs {
                    y.item(2, e);
                }
            }
        }
    }

    fn group(&mut self, it: &Item<'_>) {
        let mut y = Yaml::default();
        self.common(&mut y, it.el, true);
        self.add(format!("{}/{}/group.yml", it.dir, it.short), &y.out);
        self.summary.groups += 1;
    }

    fn value(&mut self, it: &Item<'_>) {
        let el = it.el;
        let mut y = Yaml::default();
        self.common(&mut y, el, false);
        y.scalar(0, "type", el.attr("type").unwrap_or("string"));
        y.scalar(0, "operator", el.attr("operator").unwrap_or("equals"));
        y.out.push_str(&format!("interactive: {}\n", el.attr("interactive").is_some_and(|v| v == "true" || v == "1")));
        let mut options: Vec<(String, String)> = Vec::new();
        let mut default = None;
        for v in kids(el, "xccdf:value") {
            match v.attr("selector").filter(|s| !s.is_empty()) {
                None if default.is_none() => default = Some(v.text()),
                None => self.lost("Values with more than one default value", 1),
                Some("default") => self.lost("Value selectors named `default` (clash with the default)", 1),
                Some(s) => options.push((s.to_owned(), v.text())),
            }
        }
        if default.is_none() {
            default = options.first().map(|(_, v)| v.clone());
            self.lost("Values without a default value (the first option is the default)", 1);
        }
        for other in ["xccdf:default", "xccdf:lower-bound", "xccdf:upper-bound", "xccdf:match", "xccdf:choices"] {
            let n = kids(el, other).count();
            if n > 0 {
                self.lost(&format!("Value `{}` elements", &other[6..]), n);
            }
        }
        y.open(0, "options");
        y.scalar(2, "default", &default.unwrap_or_default());
        for (s, v) in &options {
            y.scalar(2, s, v);
        }
        self.add(format!("{}/{}.var", it.dir, it.short), &y.out);
        self.summary.values += 1;
    }

    fn rule(&mut self, it: &Item<'_>) {
        let el = it.el;
        let dir = format!("{}/{}", it.dir, it.short);
        let mut y = Yaml::default();
        self.common(&mut y, el, false);
        if let Some(r) = self.prose_of(el, "xccdf:rationale") {
            y.scalar(0, "rationale", &r);
        }
        y.scalar(0, "severity", el.attr("severity").unwrap_or("unknown"));
        self.idents(&mut y, el);
        self.references(&mut y, el);
        self.platforms(&mut y, el);
        for (key, name) in [("requires", "xccdf:requires"), ("conflicts", "xccdf:conflicts")] {
            let ids: Vec<String> = kids(el, name)
                .flat_map(|r| {
                    r.attr("idref").unwrap_or_default().split_whitespace().map(str::to_owned).collect::<Vec<_>>()
                })
                .filter_map(|i| self.short(&i))
                .collect();
            if !ids.is_empty() {
                y.open(0, key);
                for i in &ids {
                    y.item(2, i);
                }
            }
        }
        if let Some(ft) = self.prose_of(el, "xccdf:fixtext") {
            y.scalar(0, "fixtext", &ft);
        }
        self.checks(&mut y, el, &it.short, &dir);
        self.fixes(el, &dir);
        if el.attr("selected").is_some_and(|s| s == "true" || s == "1") {
            self.lost("Rules selected by default (selected=\"true\"; the tree's rules are selected by profiles)", 1);
        }
        self.add(format!("{dir}/rule.yml"), &y.out);
        self.summary.rules += 1;
    }

    fn idents(&mut self, y: &mut Yaml, el: &Element) {
        let mut seen = BTreeSet::new();
        let mut list = Vec::new();
        for i in kids(el, "xccdf:ident") {
            let system = i.attr("system").unwrap_or("unknown").to_owned();
            if seen.insert(system.clone()) {
                list.push((system, i.text().trim().to_owned()));
            } else {
                self.lost("idents beyond the first of one system", 1);
            }
        }
        if !list.is_empty() {
            y.open(0, "identifiers");
            for (s, v) in &list {
                y.scalar(2, s, v);
            }
        }
    }

    fn references(&mut self, y: &mut Yaml, el: &Element) {
        let mut by_scheme: Vec<(String, Vec<String>)> = Vec::new();
        for r in kids(el, "xccdf:reference") {
            let text = r.text().trim().to_owned();
            if r.elements().next().is_some() || text.contains(',') {
                self.lost("references with Dublin Core children or commas in their text", 1);
            }
            let scheme = match r.attr("href") {
                Some(h) => self.scheme(h),
                None => {
                    self.lost("references without href", 1);
                    continue;
                }
            };
            match by_scheme.iter_mut().find(|(s, _)| *s == scheme) {
                Some((_, v)) => v.push(text),
                None => by_scheme.push((scheme, vec![text])),
            }
        }
        if !by_scheme.is_empty() {
            y.open(0, "references");
            for (s, ids) in &by_scheme {
                y.scalar(2, s, &ids.join(","));
            }
        }
    }

    /// A scheme name for a reference href (product.yml `reference_uris`).
    fn scheme(&mut self, href: &str) -> String {
        if let Some(s) = self.schemes.get(href) {
            return s.clone();
        }
        let host = href.split("://").nth(1).unwrap_or(href).split('/').next().unwrap_or("");
        let label = host.trim_start_matches("www.").split('.').next().unwrap_or("ref");
        let mut base = sanitize(&label.to_ascii_lowercase());
        // `srg` and `os-srg` pick hrefs by id in the compiler.
        if base.is_empty() || base == "srg" {
            base = format!("ref_{base}");
        }
        let mut name = base.clone();
        let mut n = 1;
        while self.schemes.values().any(|v| *v == name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        self.schemes.insert(href.to_owned(), name.clone());
        name
    }

    fn checks(&mut self, y: &mut Yaml, el: &Element, rule: &str, dir: &str) {
        if kid(el, "xccdf:complex-check").is_some() {
            self.lost("complex-check (its checks are not kept)", 1);
        }
        let mut oval_done = false;
        let mut ocil_done = false;
        for ch in kids(el, "xccdf:check") {
            if ch.attr("negate").is_some_and(|n| n == "true" || n == "1") || ch.attr("multi-check") == Some("true") {
                self.lost("checks with negate or multi-check (kept without)", 1);
            }
            let system = ch.attr("system").unwrap_or_default();
            let cref = kid(ch, "xccdf:check-content-ref");
            let href = cref.and_then(|c| c.attr("href")).unwrap_or_default().to_owned();
            let name = cref.and_then(|c| c.attr("name")).map(str::to_owned);
            match (system, name) {
                (crate::doc::OVAL_DEF, Some(def)) if !oval_done => {
                    oval_done = self.oval_check(rule, dir, &href, &def);
                }
                (SYS_OCIL, Some(q)) if !ocil_done => {
                    ocil_done = self.ocil_check(y, &href, &q);
                }
                _ => self.lost(&format!("checks of system `{system}` or without a name (not kept)"), 1),
            }
        }
    }

    fn oval_check(&mut self, rule: &str, dir: &str, href: &str, def: &str) -> bool {
        let Some(key) = self.oval_doc(href) else {
            self.lost("OVAL checks whose href resolves to no component", 1);
            return false;
        };
        let doc = self.ovals.get_mut(&key).expect("loaded");
        if !doc.has(def) {
            self.lost("OVAL checks naming a definition the document lacks", 1);
            return false;
        }
        let frag = doc.fragment(def, rule, &self.extra, &mut self.missing_oval);
        self.add(format!("{dir}/oval/shared.xml"), &frag);
        self.summary.oval_checks += 1;
        true
    }

    fn ocil_check(&mut self, y: &mut Yaml, href: &str, questionnaire: &str) -> bool {
        let Some(target) = scapc_datastream::catalog::resolve(self.stream, self.cref, href) else {
            self.lost("OCIL checks whose href resolves to no component", 1);
            return false;
        };
        let key = target.id.clone();
        if !self.ocil.contains_key(&key) {
            let map = match component(self.coll, self.stream, self.cref, href, &mut self.extra) {
                Ok((el, _)) => ocil_questions(&el),
                Err(_) => HashMap::new(),
            };
            self.ocil.insert(key.clone(), map);
        }
        let Some(text) = self.ocil[&key].get(questionnaire).cloned() else {
            self.lost("OCIL checks naming no boolean question", 1);
            return false;
        };
        let (body, clause) = split_clause(&text);
        if !body.is_empty() {
            y.scalar(0, "ocil", &escape_text(&body));
        }
        if let Some(c) = clause {
            y.scalar(0, "ocil_clause", &escape_text(&c));
        }
        self.summary.ocil_checks += 1;
        true
    }

    fn fixes(&mut self, el: &Element, dir: &str) {
        let mut done = BTreeSet::new();
        for f in kids(el, "xccdf:fix") {
            let system = f.attr("system").unwrap_or_default();
            let path = match system {
                FIX_BASH => "bash/shared.sh",
                FIX_ANSIBLE => "ansible/shared.yml",
                _ => {
                    self.lost(&format!("fixes of system `{system}` (the tree keeps bash and Ansible)"), 1);
                    continue;
                }
            };
            if !done.insert(path) {
                self.lost("second fixes of one system", 1);
                continue;
            }
            let mut dropped = 0;
            let ids = &self.ids;
            let body = script(f, &|r: &str| ids.get(r).cloned(), &mut dropped);
            let mut text = String::new();
            for k in ["complexity", "disruption", "reboot", "strategy"] {
                if let Some(v) = f.attr(k) {
                    text.push_str(&format!("# {k} = {v}\n"));
                }
            }
            text.push_str(&body);
            self.add(format!("{dir}/{path}"), &text);
            self.summary.fixes += 1;
        }
    }

    fn profile(&mut self, p: &Element) {
        let short = self.short(p.attr("id").unwrap_or_default()).unwrap_or_default();
        let mut y = Yaml::default();
        y.out.push_str("documentation_complete: true\n");
        y.scalar(0, "title", &kid_text(p, "xccdf:title").unwrap_or_default());
        let desc = self.prose_of(p, "xccdf:description").unwrap_or_default();
        y.scalar(0, "description", &desc);
        if let Some(e) = p.attr("extends").and_then(|e| self.short(e)) {
            y.scalar(0, "extends", &e);
        }
        let mut sel = Vec::new();
        for c in p.elements() {
            let Some(id) = c.attr("idref").and_then(|i| self.short(i)) else {
                if matches!(c.name.as_str(), "xccdf:select" | "xccdf:refine-value" | "xccdf:refine-rule") {
                    self.lost("profile selections naming nothing in the benchmark", 1);
                }
                continue;
            };
            match c.name.as_str() {
                "xccdf:select" if c.attr("selected").is_some_and(|s| s == "true" || s == "1") => sel.push(id),
                "xccdf:select" => sel.push(format!("!{id}")),
                "xccdf:refine-value" => match c.attr("selector") {
                    Some(s) => sel.push(format!("{id}={s}")),
                    None => self.lost("refine-value without selector", 1),
                },
                "xccdf:refine-rule" => {
                    for a in ["severity", "weight", "role", "selector"] {
                        if let Some(v) = c.attr(a) {
                            sel.push(format!("{id}.{a}={v}"));
                        }
                    }
                }
                "xccdf:set-value" | "xccdf:set-complex-value" => self.lost("profile set-value", 1),
                _ => {}
            }
        }
        y.open(0, "selections");
        for s in &sel {
            y.item(2, s);
        }
        self.add(format!("profiles/{short}.profile"), &y.out);
        self.summary.profiles += 1;
    }

    fn load_dictionaries(&mut self) {
        let refs: Vec<&ComponentRef> = self.stream.refs.iter().filter(|r| r.role == RefRole::Dictionaries).collect();
        for r in refs {
            if let Ok(list) = component_of(self.coll, r, &mut self.extra) {
                self.cpes.add_dictionary(&list, &r.id);
            }
        }
    }

    fn product(&mut self, bench: &Element, product: &str, bid: &str) {
        let title = kid_text(bench, "xccdf:title").unwrap_or_default();
        let mut cpes = Vec::new();
        let mut unchecked: Option<String> = None;
        for p in kids(bench, "xccdf:platform") {
            if let Some(idref) = p.attr("idref").filter(|i| !i.starts_with('#')) {
                match self.cpes.platform_of_cpe(idref) {
                    Some(name) => {
                        let t = self.cpes.used[&name].title.clone();
                        cpes.push((name, idref.to_owned(), t));
                    }
                    None => {
                        unchecked.get_or_insert_with(|| idref.to_owned());
                        self.lost("benchmark platforms naming a CPE no dictionary checks", 1);
                    }
                }
            }
        }
        if cpes.is_empty() {
            // The tree needs a product CPE: one whose check always matches
            // keeps the benchmark applicable everywhere, as it was.
            let name = format!("{product}_any");
            let cpe = unchecked.unwrap_or_else(|| format!("cpe:/a:{}:{product}", self.ns));
            self.always_true_platform(&name, &title);
            cpes.push((name, cpe, title.clone()));
            self.lost("benchmarks without a checked platform (given a product CPE that always matches)", 1);
        }
        let full_name = cpes.first().map(|c| c.2.clone()).unwrap_or_else(|| title.clone());
        let mut y = Yaml::default();
        y.scalar(0, "product", product);
        y.scalar(0, "full_name", &full_name);
        y.scalar(0, "type", "platform");
        y.scalar(0, "benchmark_id", bid);
        y.scalar(0, "namespace", &self.ns.clone());
        y.scalar(0, "title", &title);
        let desc = self.prose_of(bench, "xccdf:description").unwrap_or_default();
        y.scalar(0, "description", &desc);
        if let Some(v) = kid(bench, "xccdf:version") {
            y.scalar(0, "version", v.text().trim());
            if let Some(u) = v.attr("update") {
                y.scalar(0, "update_uri", u);
            }
        }
        if let Some(m) = kid(bench, "xccdf:metadata") {
            for k in ["creator", "publisher", "contributor", "source"] {
                let vals: Vec<String> = kids(m, &format!("dc:{k}")).map(|e| e.text().trim().to_owned()).collect();
                if let Some(first) = vals.first() {
                    y.scalar(0, k, first);
                }
                if vals.len() > 1 {
                    self.lost(&format!("benchmark metadata dc:{k} beyond the first"), vals.len() - 1);
                }
            }
        }
        if !cpes.is_empty() {
            y.open(0, "cpes");
            for (name, cpe, t) in &cpes {
                y.out.push_str(&format!("  - {name}:\n"));
                y.scalar(6, "name", cpe);
                y.scalar(6, "title", t);
                y.scalar(6, "check_id", name);
            }
        }
        if !self.schemes.is_empty() {
            y.open(0, "reference_uris");
            let mut pairs: Vec<(String, String)> = self.schemes.iter().map(|(h, s)| (s.clone(), h.clone())).collect();
            pairs.sort();
            for (s, h) in pairs {
                y.scalar(2, &s, &h);
            }
        }
        for what in ["xccdf:front-matter", "xccdf:rear-matter", "xccdf:notice", "xccdf:model", "xccdf:plain-text"] {
            let n = kids(bench, what).count();
            if n > 0 {
                self.lost(&format!("benchmark `{}`", &what[6..]), n);
            }
        }
        self.add(format!("products/{product}/product.yml"), &y.out);
    }

    /// `applicability/<name>.{yml,xml}` for every platform used.
    fn applicability(&mut self) {
        let used: Vec<crate::cpe::Platform> = self.cpes.used.values().cloned().collect();
        if self.cpes.unchecked > 0 {
            self.lost("CPE names no dictionary checks, left out of platform expressions", self.cpes.unchecked);
        }
        for p in used {
            let mut y = Yaml::default();
            y.scalar(0, "name", &p.name);
            y.scalar(0, "title", &p.title);
            self.add(format!("applicability/{}.yml", p.name), &y.out);
            let frag = p.check.as_ref().and_then(|(from, href, def)| self.cpe_fragment(from, href, def, &p.name));
            match frag {
                Some(f) => self.add(format!("applicability/{}.xml", p.name), &f),
                None => self.lost("CPE platforms without an OVAL check in the data stream", 1),
            }
            self.summary.platforms += 1;
        }
    }

    /// A platform whose inventory check is true on every system (the
    /// family object always exists).
    fn always_true_platform(&mut self, name: &str, title: &str) {
        let mut y = Yaml::default();
        y.scalar(0, "name", name);
        y.scalar(0, "title", title);
        self.add(format!("applicability/{name}.yml"), &y.out);
        let xml = format!(
            "<def-group>\n  <definition class=\"inventory\" id=\"{name}\" version=\"1\">\n    <metadata><title>{t}</title><description>Matches every system.</description></metadata>\n    <criteria><criterion test_ref=\"test_{name}\" comment=\"any system\"/></criteria>\n  </definition>\n  <ind:family_test id=\"test_{name}\" check=\"all\" check_existence=\"at_least_one_exists\" comment=\"any system\" version=\"1\">\n    <ind:object object_ref=\"obj_{name}\"/>\n  </ind:family_test>\n  <ind:family_object id=\"obj_{name}\" version=\"1\"/>\n</def-group>\n",
            t = escape_text(title)
        );
        self.add(format!("applicability/{name}.xml"), &xml);
        self.summary.platforms += 1;
    }

    fn cpe_fragment(&mut self, from: &str, href: &str, def: &str, name: &str) -> Option<String> {
        let from_ref = self.stream.refs.iter().find(|r| r.id == from)?;
        let target = scapc_datastream::catalog::resolve(self.stream, from_ref, href)?;
        let key = format!("cpe:{}", target.id);
        if !self.ovals.contains_key(&key) {
            let (el, _) = component(self.coll, self.stream, from_ref, href, &mut self.extra).ok()?;
            let mut doc = OvalDoc::new(&el);
            for n in self.cpes.used.keys() {
                doc.reserve(Kind::Def, n);
            }
            self.ovals.insert(key.clone(), doc);
        }
        let doc = self.ovals.get_mut(&key)?;
        if !doc.has(def) {
            return None;
        }
        Some(doc.fragment(def, name, &self.extra, &mut self.missing_oval))
    }
}

/// Questionnaire id → its boolean question's text, in an OCIL document.
fn ocil_questions(root: &Element) -> HashMap<String, String> {
    let mut by_id: HashMap<&str, &Element> = HashMap::new();
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if let Some(id) = e.attr("id") {
            by_id.insert(id, e);
        }
        stack.extend(e.elements());
    }
    let mut out = HashMap::new();
    for (id, e) in &by_id {
        if e.name != "ocil:questionnaire" {
            continue;
        }
        let action = kid(e, "ocil:actions").and_then(|a| kid_text(a, "ocil:test_action_ref"));
        let question = action.and_then(|a| by_id.get(a.as_str())).and_then(|a| a.attr("question_ref"));
        let text = question.and_then(|q| by_id.get(q)).and_then(|q| kid(q, "ocil:question_text"));
        if let Some(t) = text {
            out.insert((*id).to_owned(), t.text());
        }
    }
    out
}

/// Splits question text into the instructions and the clause of its
/// final "Is it the case that <clause>?".
fn split_clause(text: &str) -> (String, Option<String>) {
    let t = text.trim();
    if let Some(i) = t.rfind("Is it the case that ") {
        let rest = &t[i + "Is it the case that ".len()..];
        if let Some(clause) = rest.strip_suffix('?') {
            return (t[..i].trim().to_owned(), Some(clause.trim().to_owned()));
        }
    }
    (t.to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names() {
        assert_eq!(short_of("xccdf_org.ssgproject.content_rule_a_b", "rule"), "a_b");
        assert_eq!(
            split_benchmark_id("xccdf_org.ssgproject.content_benchmark_DEBIAN-11"),
            Some(("org.ssgproject.content".into(), "DEBIAN-11".into()))
        );
        assert_eq!(product_name("scap_org.open-scap_cref_ssg-debian11-xccdf.xml", "X"), "debian11");
        assert_eq!(product_name("c1", "DEBIAN-11"), "debian_11");
        assert_eq!(
            split_clause(" Run x.\n      Is it the case that it is off?\n "),
            ("Run x.".into(), Some("it is off".into()))
        );
    }
}
