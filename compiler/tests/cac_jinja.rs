//! ComplianceAsCode's Jinja dialect against CaC's own tree and build: every
//! macro file loads, every Jinja source of the tree renders, and rendered
//! fixes match the text of CaC's reference data streams.

mod cac_ref;

use cac_ref::*;
use minijinja::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` whose text uses Jinja.
fn jinja_sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for p in read_dir_sorted(dir) {
        if p.is_dir() {
            jinja_sources(&p, out);
        } else if let Ok(text) = std::fs::read_to_string(&p) {
            if scapc_compiler::jinja::has_jinja(&text) {
                out.push(p);
            }
        }
    }
}

/// The context CaC gives a rule's files: the rule's id and title.
fn rule_ctx(path: &Path) -> BTreeMap<String, Value> {
    // The rule directory is the one holding rule.yml.
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.join("rule.yml").is_file() {
            break;
        }
        dir = d.parent();
    }
    let id = dir.and_then(|d| d.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_string(), Value::from(id.clone()));
    ctx.insert("rule_title".to_string(), Value::from(id));
    ctx
}

#[test]
fn every_macro_file_loads_and_every_rule_source_renders() {
    for product in ["debian12", "rhel9"] {
        let j = jinja(product);
        let mut files = Vec::new();
        for top in ["linux_os", "applications", "components"] {
            let d = tree().join(top);
            if d.is_dir() {
                jinja_sources(&d, &mut files);
            }
        }
        let mut failures = Vec::new();
        for f in &files {
            let src = std::fs::read_to_string(f).unwrap();
            let name = f.strip_prefix(tree()).unwrap().display().to_string();
            if let Err(e) = j.render(&name, &src, &rule_ctx(f)) {
                failures.push(format!(
                    "{}:{}: {}",
                    e.in_template.clone().unwrap_or(name),
                    e.line.unwrap_or(0),
                    e.message
                ));
            }
        }
        eprintln!("{product}: {} Jinja sources, {} failed", files.len(), failures.len());
        for f in failures.iter().take(400) {
            eprintln!("  {f}");
        }
        assert!(files.len() > 1000, "too few sources found under {}", tree().display());
        assert!(failures.is_empty(), "{} of {} sources failed to render for {product}", failures.len(), files.len());
    }
}

/// Rules' own files (bash and Ansible fixes, OVAL checks), which call the
/// `bash_*`, `ansible_*` and `oval_*` macros, rendered and compared with
/// CaC's data streams as in [`templates_match_cac_build`]. Floors: the
/// numbers measured.
#[test]
fn rule_files_match_cac_build() {
    // (product, [(language, floor)])
    let floors = [
        ("debian12", [("bash", 126), ("ansible", 78), ("oval", 208)]),
        ("rhel9", [("bash", 293), ("ansible", 265), ("oval", 356)]),
    ];
    for (product, langs) in floors {
        if std::env::var("SCAPC_CAC_PRODUCT").is_ok_and(|p| p != product) {
            continue;
        }
        let j = jinja(product);
        let ds_text = data_stream(product);
        let oval = OvalIndex::from_ds(&ds_text);
        let ds = ds_rules(&ds_text);
        for (lang, floor) in langs {
            let ext = match lang {
                "bash" => "sh",
                "ansible" => "yml",
                _ => "xml",
            };
            let (mut total, mut same) = (0, 0);
            let mut diffs = Vec::new();
            for (id, dir) in rule_dirs() {
                if !ds.contains_key(id.as_str()) {
                    continue;
                }
                let Some(file) = rule_file(dir, lang, ext, product) else { continue };
                let Some(rule) = rule_yaml(&j, dir) else { continue };
                let src = std::fs::read_to_string(&file).unwrap();
                let outcome = match j.render(&file.display().to_string(), &src, &fix_ctx(id, &rule, product)) {
                    Ok(text) => compare(lang, &text, id, &ds, &oval),
                    Err(e) => Outcome::Differs(format!("render error: {}", e.message)),
                };
                match outcome {
                    Outcome::Absent => {}
                    Outcome::Same => {
                        same += 1;
                        total += 1;
                    }
                    Outcome::Differs(why) => {
                        total += 1;
                        diffs.push(format!("{id}: {why}"));
                    }
                }
            }
            eprintln!("{product}: rules' own {lang} matching CaC: {same}/{total}");
            if std::env::var_os("SCAPC_CAC_EXAMPLES").is_some() {
                for d in diffs.iter().take(10) {
                    eprintln!("{}\n", d.chars().take(2000).collect::<String>());
                }
            }
            assert!(total > 50, "too few rules with their own {lang} found for {product}");
            assert!(same >= floor, "{product}: {same}/{total} rules' own {lang} match, below the floor {floor}");
        }
    }
}

use scapc_compiler::templates::cac::{self as tcac, RuleContext};

/// The languages compared, with how a rendered text is compared to CaC's.
const TEMPLATE_LANGS: [&str; 3] = ["oval", "bash", "ansible"];

/// How a rendered language compared with CaC's output.
enum Outcome {
    Same,
    Differs(String),
    /// The rule is in CaC's output without this language (e.g. its
    /// platform leaves no fix): nothing to compare.
    Absent,
}

fn compare_oval(ours: &str, oval: &OvalIndex) -> Outcome {
    // A template may give several def-groups.
    let wrapped = format!("<cac-wrap>{ours}</cac-wrap>");
    let group = match scapc_xml::parse(&wrapped) {
        Ok(g) => g,
        Err(e) => return Outcome::Differs(format!("our OVAL does not parse: {e}")),
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let elements: Vec<&scapc_xml::Element> = group
        .elements()
        .flat_map(|g| if g.local_name() == "def-group" { g.elements().collect::<Vec<_>>() } else { vec![g] })
        .collect();
    // CaC's build drops OVAL elements that no definition reaches.
    let mut referenced = std::collections::BTreeSet::new();
    fn refs(e: &scapc_xml::Element, out: &mut std::collections::BTreeSet<String>) {
        for (k, v) in &e.attrs {
            if k.ends_with("_ref") {
                out.insert(v.clone());
            }
        }
        let l = e.local_name();
        if l.ends_with("_ref") || l == "filter" || l == "object_reference" {
            out.insert(e.text().trim().to_string());
        }
        for c in e.elements() {
            refs(c, out);
        }
    }
    // Reachable from the definitions, as CaC keeps them.
    let by_id: BTreeMap<&str, &scapc_xml::Element> =
        elements.iter().filter_map(|e| e.attr("id").map(|i| (i, *e))).collect();
    let mut todo: Vec<&scapc_xml::Element> =
        elements.iter().filter(|e| e.local_name() == "definition").copied().collect();
    while let Some(e) = todo.pop() {
        let mut found = std::collections::BTreeSet::new();
        refs(e, &mut found);
        for r in found {
            if referenced.insert(r.clone()) {
                if let Some(t) = by_id.get(r.as_str()) {
                    todo.push(t);
                }
            }
        }
    }
    for e in elements {
        let Some(id) = e.attr("id") else { continue };
        if e.local_name() != "definition" && !referenced.contains(id) {
            continue;
        }
        let kind = oval_kind(e.local_name());
        let Some(theirs) = oval.get(&format!("oval:ssg-{id}:{kind}:1")) else {
            return Outcome::Differs(format!("CaC's OVAL has no {} `{id}`", e.local_name()));
        };
        oval_signature(&X::from_dom(e), &mut a);
        oval_signature(&theirs, &mut b);
    }
    a.sort();
    b.sort();
    if a == b {
        Outcome::Same
    } else {
        let only_ours: Vec<&String> = a.iter().filter(|x| !b.contains(x)).take(4).collect();
        let only_theirs: Vec<&String> = b.iter().filter(|x| !a.contains(x)).take(4).collect();
        Outcome::Differs(format!("ours only: {only_ours:#?}\ncac only: {only_theirs:#?}"))
    }
}

/// Tasks of an Ansible fix without the keys CaC adds or rewrites (`tags`,
/// `when`) and without `(xccdf-var ...)` entries.
fn ansible_tasks(text: &str) -> Option<Vec<serde_json::Value>> {
    let doc = yaml11(&scapc_compiler::yaml::parse(text).ok()?);
    let list = doc.as_array()?.clone();
    Some(
        list.into_iter()
            .filter(|t| t.is_object())
            .map(|mut t| {
                let m = t.as_object_mut().unwrap();
                m.remove("tags");
                m.remove("when");
                t
            })
            .collect(),
    )
}

fn compare(lang: &str, ours: &str, id: &str, ds: &BTreeMap<&str, &str>, oval: &OvalIndex) -> Outcome {
    match lang {
        "oval" => {
            if !oval.ids.contains_key(&format!("oval:ssg-{id}:def:1")) {
                return Outcome::Absent;
            }
            compare_oval(ours, oval)
        }
        "bash" => {
            let Some(theirs) = ds_fix(ds, id, "urn:xccdf:fix:script:sh", |v| format!("(bash-populate {v})")) else {
                return Outcome::Absent;
            };
            let ours = squash(&strip_fix_header(ours));
            if squash(&theirs).contains(&ours) {
                Outcome::Same
            } else {
                Outcome::Differs(format!("ours: {ours}\ncac:  {}", squash(&theirs)))
            }
        }
        _ => {
            let Some(theirs) = ds_fix(ds, id, "urn:xccdf:fix:script:ansible", |v| format!("(xccdf-var {v})")) else {
                return Outcome::Absent;
            };
            let (Some(a), Some(b)) = (ansible_tasks(&strip_fix_header(ours)), ansible_tasks(&theirs)) else {
                return Outcome::Differs("a fix does not parse as YAML".into());
            };
            match a.iter().find(|t| !b.contains(t)) {
                None if !a.is_empty() => Outcome::Same,
                None => Outcome::Differs("our fix has no tasks".into()),
                Some(t) => Outcome::Differs(format!("task not in CaC's fix: {t}")),
            }
        }
    }
}

/// Every templated rule of debian12 and rhel9 (the `template:` of its
/// rule.yml), each language rendered through the template and compared
/// with CaC's data stream: OVAL element by element with ids shortened,
/// bash as collapsed text contained in CaC's fix, Ansible task by task
/// without `tags` and `when`. Prints a table per template and holds the
/// per-product totals to floors.
#[test]
fn templates_match_cac_build() {
    // (product, floor of matching renders, of all renders compared)
    for (product, floor) in [("debian12", 1283), ("rhel9", 2524)] {
        if std::env::var("SCAPC_CAC_PRODUCT").is_ok_and(|p| p != product) {
            continue;
        }
        let t0 = std::time::Instant::now();
        let j = jinja(product);
        let ds = data_stream(product);
        let oval = OvalIndex::from_ds(&ds);
        let ds = ds_rules(&ds);
        eprintln!("{product}: references read in {:?}", t0.elapsed());
        // template -> lang -> (same, compared)
        let mut table: BTreeMap<String, BTreeMap<&str, (u32, u32)>> = BTreeMap::new();
        let mut examples: BTreeMap<(String, &str), String> = BTreeMap::new();
        for (id, dir) in rule_dirs() {
            if !ds.contains_key(id.as_str()) {
                continue;
            }
            let Some(rule) = rule_yaml(&j, dir) else { continue };
            let Some(t) = rule.get("template").and_then(|t| t.as_object()) else { continue };
            let Some(name) = t.get("name").and_then(|n| n.as_str()) else { continue };
            // Template variables as CaC's YAML reader gives them.
            let vars = rule_node(&j, dir)
                .and_then(|n| n.get("template").and_then(|t| t.get("vars")).map(tcac::vars_from_yaml))
                .map(|v| for_product(&v, product))
                .unwrap_or_default();
            let backends =
                t.get("backends").and_then(|v| v.as_object()).map(|v| for_product(v, product)).unwrap_or_default();
            let idents = rule.get("identifiers").and_then(|i| i.as_object()).map(|m| for_product(m, product));
            let ctx = RuleContext {
                id: id.clone(),
                title: rule.get("title").and_then(|t| t.as_str()).unwrap_or(id).to_string(),
                product: product.to_string(),
                cce_identifiers: idents
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_string())))
                    .collect(),
            };
            let tdir = tree().join("shared/templates").join(name);
            for lang in TEMPLATE_LANGS {
                let file = tdir.join(format!("{lang}.template"));
                if !file.is_file() || backends.get(lang).and_then(|b| b.as_str()) == Some("off") {
                    continue;
                }
                // A rule's own file wins over its template.
                let (own_dir, ext) = match lang {
                    "oval" => ("oval", "xml"),
                    "bash" => ("bash", "sh"),
                    _ => ("ansible", "yml"),
                };
                if rule_file(dir, own_dir, ext, product).is_some() {
                    continue;
                }
                let src = std::fs::read_to_string(&file).unwrap();
                let shown = format!("shared/templates/{name}/{lang}.template");
                let outcome = match tcac::render(&j, name, lang, &shown, &src, &vars, &ctx) {
                    Ok(text) => compare(lang, &text, id, &ds, &oval),
                    Err(e) => Outcome::Differs(format!(
                        "render error: {}:{:?}: {}",
                        e.in_template.unwrap_or(shown),
                        e.line,
                        e.message
                    )),
                };
                let cell = table.entry(name.to_string()).or_default().entry(lang).or_default();
                match outcome {
                    Outcome::Absent => {}
                    Outcome::Same => {
                        cell.0 += 1;
                        cell.1 += 1;
                    }
                    Outcome::Differs(why) => {
                        cell.1 += 1;
                        examples.entry((name.to_string(), lang)).or_insert(format!("{id}: {why}"));
                    }
                }
            }
        }
        let (mut same, mut total) = (0, 0);
        eprintln!("{product}: template renders matching CaC's data stream");
        eprintln!("{:<58} {:>10} {:>10} {:>10}", "template", "oval", "bash", "ansible");
        for (name, langs) in &table {
            let cells: Vec<String> = TEMPLATE_LANGS
                .iter()
                .map(|l| match langs.get(l) {
                    Some((s, t)) if *t > 0 => format!("{s}/{t}"),
                    _ => "-".into(),
                })
                .collect();
            eprintln!("{name:<58} {:>10} {:>10} {:>10}", cells[0], cells[1], cells[2]);
            for (s, t) in langs.values() {
                same += s;
                total += t;
            }
        }
        eprintln!("{product}: total {same}/{total}");
        if std::env::var_os("SCAPC_CAC_EXAMPLES").is_some() {
            for ((n, l), why) in &examples {
                eprintln!("--- {n} {l}\n{}\n", why.chars().take(3000).collect::<String>());
            }
        }
        assert!(total > 500, "too few templated renders compared for {product}: {total}");
        assert!(same >= floor, "{product}: {same}/{total} template renders match CaC, below the floor {floor}");
    }
}
