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

/// Rules' own bash fixes (which call the `bash_*` macros), rendered and
/// compared with the fix text in CaC's data streams: after whitespace is
/// collapsed, ours must appear in CaC's (which adds the platform check
/// around it).
#[test]
fn rule_bash_fixes_match_cac_build() {
    for (product, floor) in [("debian12", 1.0), ("rhel9", 1.0)] {
        let j = jinja(product);
        let ds = data_stream(product);
        let (mut total, mut same) = (0, 0);
        let mut diffs = Vec::new();
        for (id, dir) in rule_dirs() {
            let Some(file) = rule_file(dir, "bash", "sh", product) else { continue };
            let Some(theirs) = ds_fix(&ds, id, "urn:xccdf:fix:script:sh", |v| format!("(bash-populate {v})")) else {
                continue;
            };
            let Some(rule) = rule_yaml(&j, dir) else { continue };
            total += 1;
            let src = std::fs::read_to_string(&file).unwrap();
            let ours = match j.render(&file.display().to_string(), &src, &fix_ctx(id, &rule, product)) {
                Ok(t) => strip_fix_header(&t),
                Err(e) => {
                    diffs.push(format!("{id}: render error {}", e.message));
                    continue;
                }
            };
            if squash(&theirs).contains(&squash(&ours)) {
                same += 1;
            } else {
                diffs.push(format!("{id}:\n--- ours\n{}\n--- cac\n{}", squash(&ours), squash(&theirs)));
            }
        }
        let rate = same as f64 / total.max(1) as f64;
        eprintln!("{product}: rule bash fixes matching CaC: {same}/{total} ({:.1}%)", rate * 100.0);
        for d in diffs.iter().take(8) {
            eprintln!("{d}\n");
        }
        assert!(total > 100, "too few rules with bash fixes found for {product}");
        assert!(rate >= floor, "{product}: {same}/{total} bash fixes match, below the floor {floor}");
    }
}
