//! A product qualifier (`key@product`) in identifiers, references,
//! template variables or any other key that names no product of the tree.
//! The check reads the source as written, not the compiled model (where
//! another product's entries are already gone): the Jinja is blanked, so
//! keys on `{{% if %}}` branches that no product takes are checked too.
//!
//! **Why**: the entry is silently ignored for every product; usually it is
//! a typo (`cce@debain12`) or a leftover from a removed product.
//!
//! **Example**: `identifiers: {cce@debain12: CCE-80001-1}`.
//!
//! **Fix**: use a directory name under `products/`, or drop the entry.

use crate::context::Context;
use crate::text::blank_jinja;
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

/// Every mapping key holding `@`, with its position.
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

/// A key that could be `base@product`: letters, digits, `_`, `-`, `.`.
fn key_chars(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Block-style `key@product:` keys found line by line, for raw YAML that
/// does not parse once its Jinja is blanked (both branches of an
/// `{{% if %}}` setting one key, say). Lines inside block scalars
/// (`description: |`) are skipped, so prose is never read as a key.
fn scan_lines(text: &str) -> Vec<(String, Pos)> {
    let mut out = Vec::new();
    // The indentation of the key that opened a block scalar.
    let mut block: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if let Some(b) = block {
            if body.is_empty() || indent > b {
                continue;
            }
            block = None;
        }
        if body.starts_with('#') {
            continue;
        }
        let item = body.strip_prefix("- ").map(str::trim_start).unwrap_or(body);
        let col = line.len() - item.len();
        let (key, rest) = match item.as_bytes().first() {
            Some(q @ (b'"' | b'\'')) => {
                let q = *q as char;
                let Some(end) = item[1..].find(q) else { continue };
                (&item[1..1 + end], &item[end + 2..])
            }
            _ => match item.find(':') {
                Some(i) => (&item[..i], &item[i..]),
                None => continue,
            },
        };
        let Some(value) = rest.strip_prefix(':') else { continue };
        if !(value.is_empty() || value.starts_with([' ', '\t'])) {
            continue;
        }
        let v = value.trim();
        let v = v.split(" #").next().unwrap_or("").trim_end();
        if v.starts_with(['|', '>']) {
            block = Some(indent);
        }
        if let Some((base, prod)) = key.split_once('@') {
            if key_chars(base) && key_chars(prod) {
                out.push((key.to_owned(), Pos::new(n as u32 + 1, line[..col].chars().count() as u32 + 1)));
            }
        }
    }
    out
}

/// The `@` keys of a source as written: its YAML with the Jinja blanked
/// (same lines and columns), parsed; or, when that does not parse, read
/// line by line.
pub fn qualified_keys(text: &str) -> Vec<(String, Pos)> {
    let raw = if text.contains("{{") { blank_jinja(text) } else { text.to_owned() };
    match yaml::parse(&raw) {
        Ok(node) => {
            let mut keys = Vec::new();
            walk(&node, &mut keys);
            keys
        }
        Err(_) => scan_lines(&raw),
    }
}

/// A quick pre-check: whether any `word@word` of the text names a
/// product outside `known`. When none does, no key can, and the file is
/// not parsed (most files only qualify keys with real products).
fn may_name_unknown(text: &str, known: &[&str]) -> bool {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.';
    let mut from = 0;
    while let Some(k) = text[from..].find('@') {
        let at = from + k;
        let end = at + 1 + b[at + 1..].iter().take_while(|c| word(**c)).count();
        let before = at > 0 && word(b[at - 1]);
        // A product name ends with the key, before `:` or a quote.
        let p = text[at + 1..end].trim_end_matches('.');
        if before && !known.contains(&p) {
            return true;
        }
        from = end.max(at + 1);
    }
    false
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
            if !src.text.contains('@') || !may_name_unknown(&src.text, &known) {
                return diags;
            }
            for (key, pos) in qualified_keys(&src.text) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<(String, u32, u32)> {
        qualified_keys(text).into_iter().map(|(k, p)| (k, p.line, p.col)).collect()
    }

    #[test]
    fn quick_pre_check() {
        assert!(!may_name_unknown("identifiers:\n  cce@rhel9: CCE-1-2\n  \"cis@deb\": 1\n", &["rhel9", "deb"]));
        assert!(may_name_unknown("identifiers:\n  cce@rhel8: CCE-1-2\n", &["rhel9"]));
        // Prose with an address triggers the exact check, which ignores it.
        assert!(may_name_unknown("description: mail root@example.org\n", &["rhel9"]));
        assert!(!may_name_unknown("a: @b\n", &["rhel9"]));
    }

    #[test]
    fn keys_in_plain_yaml() {
        let k = keys("title: T\nidentifiers:\n  cce@rhel9: CCE-1-2\nreferences: {cis@deb: '1'}\n");
        assert_eq!(k, vec![("cce@rhel9".into(), 3, 3), ("cis@deb".into(), 4, 14)]);
    }

    #[test]
    fn keys_in_yaml_with_jinja() {
        // The Jinja blocks are blanked; lines and columns stay.
        let src = "title: {{{ t }}}\nidentifiers:\n{{% if product == 'x' %}}\n  cce@x: CCE-1-2\n{{% endif %}}\n  cce@yy: CCE-3-4\n";
        assert_eq!(keys(src), vec![("cce@x".into(), 4, 3), ("cce@yy".into(), 6, 3)]);
        // Both branches set one key: the YAML has a duplicate key, the
        // line scan still finds the qualified keys, not the prose.
        let src = "description: |-\n  mail root@host: now\n{{% if a %}}\nreferences:\n  nist@p: AC-6\n{{% else %}}\nreferences:\n  \"nist@q\": AC-7\n{{% endif %}}\n";
        assert_eq!(keys(src), vec![("nist@p".into(), 5, 3), ("nist@q".into(), 8, 3)]);
    }
}
