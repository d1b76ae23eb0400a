//! ComplianceAsCode trees: the scenarios Automatus (CaC's
//! `tests/automatus.py`) would run for a product, rendered as it renders
//! them.
//!
//! For each rule of the product: the files of the rule's `tests/`
//! directory, and the scenarios of its template
//! (`shared/templates/<template>/tests/`) that the rule's own files do
//! not override and its `tests/test_config.yml` allows
//! (`allow_templated_scenarios`, `deny_templated_scenarios`). As Automatus
//! does by default, a template's scenario runs for the first rule using
//! the template only (`duplicate_templates` runs it for every rule).
//!
//! Every file is rendered with CaC's Jinja (its macro library) in the
//! context Automatus gives: the product's properties with
//! `SSG_TEST_SUITE_ENV` set, the rule's id and title, and for template
//! scenarios the template's variables preprocessed for `tests`. The
//! rendered files go to a directory per rule, which the job copies.
//! `# packages =` names are mapped through the product's
//! `platform_package_overrides`, as Automatus does.

use crate::scenario::{self, Scenario};
use minijinja::Value;
use scapc_compiler::jinja::{Dialect, Jinja};
use scapc_compiler::load;
use scapc_compiler::model::{Layout, Rule};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The cause given to scenarios that use CaC's `tests/shared` helpers when
/// the tree has none.
pub const NEEDS_SHARED: &str = "needs CaC tests/shared (absent from the reference tarball)";

/// Is `product` of `tree` laid out as in ComplianceAsCode?
pub fn is_cac(tree: &Path, product: &str) -> bool {
    let file = tree.join("products").join(product).join("product.yml");
    file.is_file() && load::product_roots(tree, &file).layout == Layout::Cac
}

/// The product's scenarios, rendered into `out/<rule>/`, of the rules
/// (by short id) that `keep` accepts (Automatus takes the rules of the
/// data stream that the command line names before it picks template
/// scenarios).
pub fn scenarios(
    tree: &Path,
    product: &str,
    out: &Path,
    duplicate_templates: bool,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Scenario>, String> {
    let t = load::discover(tree);
    let file = t
        .products
        .iter()
        .find(|p| p.parent().and_then(|d| d.file_name()).is_some_and(|n| n == product))
        .ok_or_else(|| format!("{}: no products/{product}/product.yml", tree.display()))?;
    let (prod, diags) = load::load_product(&t, file);
    let prod = prod.ok_or_else(|| {
        let msgs: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        format!("{}: {}", file.display(), msgs.join("; "))
    })?;
    let (macros, _) = load::load_macros(&t);
    let mut globals = prod.vars.clone();
    globals.insert("SSG_TEST_SUITE_ENV".into(), serde_json::Value::Bool(true));
    globals.insert("cmake_build_type".into(), serde_json::Value::from("Debug"));
    let jinja = Jinja::with_dialect(Dialect::Cac, &macros, &globals)
        .map_err(|(name, e)| format!("the macro library does not compile ({name}): {}", e.message))?;
    let (content, _) = load::load_content(&t, &prod, &jinja);
    let overrides: HashMap<String, String> = prod
        .vars
        .get("platform_package_overrides")
        .and_then(|v| v.as_object())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
        .unwrap_or_default();
    let shared_present = tree.join("tests/shared").is_dir();
    let templates_dir = tree.join("shared/templates");
    let mut rules: Vec<&Rule> = content.rules.values().collect();
    rules.sort_by(|a, b| a.dir.cmp(&b.dir));
    let mut used: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut all = Vec::new();
    for rule in rules.into_iter().filter(|r| keep(&r.id)) {
        let mut ctx: BTreeMap<String, Value> = BTreeMap::new();
        ctx.insert("rule_id".into(), Value::from(rule.id.clone()));
        ctx.insert("rule_title".into(), Value::from(rule.title.clone()));
        ctx.insert("products".into(), Value::from(vec![prod.id.clone()]));
        // (file name) -> (rendered text or the error, origin)
        let mut files: BTreeMap<String, (Result<String, String>, Option<String>)> = BTreeMap::new();
        let local_dir = rule.dir.join("tests");
        let local = list_files(&local_dir);
        for (name, path) in &local {
            files.insert(name.clone(), (render_file(&jinja, path, &ctx), None));
        }
        if let Some(tu) = rule.template.as_ref().filter(|tu| !tu.vars.is_empty()) {
            let tname = tu.name.value.clone();
            let tdir = templates_dir.join(&tname).join("tests");
            let mut offered: BTreeSet<String> = list_files(&tdir).into_iter().map(|(n, _)| n).collect();
            if let Some((Ok(cfg), _)) = files.get("test_config.yml") {
                let (allow, deny) = test_config(cfg);
                offered.retain(|n| !deny.contains(n) && (allow.is_empty() || allow.contains(n)));
            }
            offered.retain(|n| !files.contains_key(n));
            if !duplicate_templates {
                let seen = used.entry(tname.clone()).or_default();
                offered.retain(|n| !seen.contains(n));
                seen.extend(offered.iter().cloned());
            }
            if !offered.is_empty() {
                let vars: serde_json::Map<String, serde_json::Value> =
                    tu.vars.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
                let params = scapc_compiler::templates::cac::preprocess(&tname, &vars, &rule.id, "tests");
                for n in offered {
                    let path = tdir.join(&n);
                    let text = match &params {
                        Err(e) => Err(e.clone()),
                        Ok(p) => {
                            let mut c = ctx.clone();
                            c.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
                            render_file(&jinja, &path, &c)
                        }
                    };
                    files.insert(n, (text, Some(format!("template {tname}"))));
                }
            }
        }
        if !files.keys().any(|n| scenario::expect_of(n).is_some()) {
            continue;
        }
        let dir = out.join(&rule.id);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (name, (text, _)) in &files {
            if let Ok(text) = text {
                let p = dir.join(name);
                std::fs::write(&p, text).map_err(|e| format!("{}: {e}", p.display()))?;
            }
        }
        // Helper files that use $SHARED, which a scenario may source.
        let shared_helpers: Vec<&String> = files
            .iter()
            .filter(|(n, (t, _))| scenario::expect_of(n).is_none() && t.as_ref().is_ok_and(|t| uses_shared(t)))
            .map(|(n, _)| n)
            .collect();
        for (name, (text, origin)) in &files {
            let Some(expect) = scenario::expect_of(name) else { continue };
            let source = match origin {
                None => local_dir.join(name),
                Some(_) => templates_dir
                    .join(rule.template.as_ref().map(|t| t.name.value.as_str()).unwrap_or(""))
                    .join("tests")
                    .join(name),
            };
            let (header, blocked) = match text {
                Ok(t) => {
                    let mut h = scenario::parse_header(t);
                    h.installs = scenario::apt_installs(t);
                    h.packages =
                        h.packages.iter().map(|p| overrides.get(p).cloned().unwrap_or_else(|| p.clone())).collect();
                    let needs = uses_shared(t) || shared_helpers.iter().any(|n| t.contains(n.as_str()));
                    let blocked = (needs && !shared_present).then(|| {
                        (
                            NEEDS_SHARED.to_owned(),
                            "the scenario sources a helper from $SHARED (CaC's tests/shared), which this tree does not have"
                                .to_owned(),
                        )
                    });
                    (h, blocked)
                }
                Err(e) => (
                    scenario::Header::default(),
                    Some(("the scenario's Jinja does not render".to_owned(), format!("{}: {e}", source.display()))),
                ),
            };
            all.push(Scenario {
                rule: rule.id.clone(),
                name: name.clone(),
                path: dir.join(name),
                expect,
                header,
                dir: dir.clone(),
                origin: origin.clone(),
                blocked,
            });
        }
    }
    Ok(all)
}

/// Does a script use CaC's `$SHARED` helpers?
fn uses_shared(text: &str) -> bool {
    text.contains("$SHARED") || text.contains("${SHARED}")
}

/// The regular files of a directory by name (editor swap files left out).
fn list_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut v: Vec<(String, PathBuf)> = rd
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, _)| !n.ends_with(".swp"))
        .collect();
    v.sort();
    v
}

fn render_file(jinja: &Jinja, path: &Path, ctx: &BTreeMap<String, Value>) -> Result<String, String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    jinja.render(&path.display().to_string(), &src, ctx).map_err(|e| {
        let at = e.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        format!("{}{at}", e.message)
    })
}

/// `allow_templated_scenarios` and `deny_templated_scenarios` of a
/// rendered `test_config.yml`.
fn test_config(text: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let Ok(doc) = scapc_compiler::yaml::parse(text) else { return Default::default() };
    let list = |k: &str| -> BTreeSet<String> {
        doc.get(k)
            .and_then(|n| n.as_seq())
            .map(|s| s.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    (list("allow_templated_scenarios"), list("deny_templated_scenarios"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_lists() {
        let (allow, deny) =
            test_config("allow_templated_scenarios:\n  - a.pass.sh\ndeny_templated_scenarios:\n  - b.fail.sh\n");
        assert!(allow.contains("a.pass.sh"));
        assert!(deny.contains("b.fail.sh"));
        assert!(uses_shared(". $SHARED/x.sh"));
        assert!(!uses_shared("echo shared"));
    }
}
