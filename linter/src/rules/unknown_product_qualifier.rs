//! A product qualifier (`key@product`) in identifiers, references,
//! template variables or any other key that names no product of the tree.
//!
//! **Why**: the entry is silently ignored for every product; usually it is
//! a typo (`cce@debain12`) or a leftover from a removed product.
//!
//! **Example**: `identifiers: {cce@debain12: CCE-80001-1}`.
//!
//! **Fix**: use a directory name under `products/`, or drop the entry.

use crate::context::Context;
use crate::{Level, Lint, Sink};
use rayon::prelude::*;
use scapc_compiler::yaml::{self, Node, Value};
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::path::PathBuf;

pub static LINT: Lint = Lint {
    code: "L034",
    name: "unknown-product-qualifier",
    summary: "`key@product` names a product the tree does not have",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn walk(n: &Node, out: &mut Vec<(String, Pos)>) {
    match &n.value {
        Value::Map(m) => {
            for (k, v) in m {
                if let Some(key) = k.as_str() {
                    if key.contains('@') {
                        out.push((key.to_owned(), k.pos));
                    }
                }
                walk(v, out);
            }
        }
        Value::Seq(s) => s.iter().for_each(|x| walk(x, out)),
        _ => {}
    }
}

fn check(cx: &Context, out: &mut Sink) {
    if cx.product_ids.is_empty() {
        return;
    }
    let known: Vec<&str> = cx.product_ids.iter().map(String::as_str).collect();
    let t = &cx.tree;
    let files: Vec<&PathBuf> = t.rule_files.iter().chain(&t.group_files).chain(&t.value_files).chain(&t.profile_files).collect();
    let found: Vec<Vec<Diagnostic>> = files
        .par_iter()
        .map(|file| {
            let mut diags = Vec::new();
            let Some(src) = cx.source(file) else { return diags };
            if !src.text.contains('@') {
                return diags;
            }
            // The product keys are plain YAML keys; Jinja rarely builds them.
            let Ok(node) = yaml::parse(&src.text) else { return diags };
            let mut keys = Vec::new();
            walk(&node, &mut keys);
            for (key, pos) in keys {
                let Some((_, p)) = key.split_once('@') else { continue };
                if known.contains(&p) {
                    continue;
                }
                let mut d = crate::diag(format!("`{key}` names the product `{p}`, which the tree does not have")).at(Location::at(file.as_path(), pos.line, pos.col));
                d = match scapc_compiler::source::suggest(p, &known) {
                    Some(s) => d.hint(format!("did you mean `@{s}`?")),
                    None => d.hint(format!("products are: {}", known.join(", "))),
                };
                diags.push(d);
            }
            diags
        })
        .collect();
    for d in found.into_iter().flatten() {
        out.push(d);
    }
}
