//! What every lint sees: the tree's files, each product compiled with the
//! same code as `scapc build`, the compiler's findings, and every source
//! file's text, read once: through the compiler's source cache
//! (`scapc_compiler::source::Cache`), so a file the build read is not
//! read again.

use crate::text::Lines;
use crate::Finding;
use rayon::prelude::*;
use scapc_compiler::build::{self, BuildOptions};
use scapc_compiler::compile::Compiled;
use scapc_compiler::load::{self, Tree};
use scapc_compiler::model::{Content, Product};
use scapc_diagnostics::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A source file's text with a line index.
pub struct Source {
    pub text: std::sync::Arc<str>,
    pub lines: Lines,
}

pub struct Context {
    pub root: PathBuf,
    pub tree: Tree,
    /// Each product that loaded, compiled.
    pub products: Vec<Compiled>,
    /// Every product file that parsed (also those whose content failed).
    pub product_ids: Vec<String>,
    /// What loading and compiling reported.
    pub compiler: Vec<Diagnostic>,
    /// The macro library: (name relative to the root, source).
    pub macros: Vec<(String, String)>,
    sources: HashMap<PathBuf, Source>,
}

impl Context {
    /// Loads and compiles the tree at `root` and reads its sources.
    pub fn load(root: &Path) -> Context {
        let opts = BuildOptions {
            root: root.to_path_buf(),
            out_dir: root.join("build"),
            products: Vec::new(),
            sce: false,
            // The timestamp never reaches a lint; a fixed one skips a scan.
            epoch: Some(0),
        };
        // One walk of the tree serves the compiler and the lints.
        let tree = crate::timed("discover", || load::discover(root));
        let (products, diags) = crate::timed("compile", || build::compile_discovered(&opts, &tree));
        let (macros, _) = load::load_macros(&tree);
        let product_ids = tree
            .products
            .iter()
            .filter_map(|p| p.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).map(str::to_owned))
            .collect();
        let mut files: Vec<PathBuf> = Vec::new();
        for list in [
            &tree.products,
            &tree.group_files,
            &tree.rule_files,
            &tree.value_files,
            &tree.profile_files,
            &tree.template_files,
            &tree.platform_files,
            &tree.macro_files,
        ] {
            files.extend(list.iter().cloned());
        }
        for p in &tree.platform_files {
            files.push(p.with_extension("xml"));
        }
        if let Some(c) = products.first() {
            for r in c.content.rules.values() {
                files.extend(
                    [&r.files.oval, &r.files.bash, &r.files.ansible, &r.files.sce].into_iter().flatten().cloned(),
                );
            }
            for t in c.content.templates.values() {
                files.extend(t.languages.values().map(|(p, _)| p.clone()));
            }
        }
        files.sort();
        files.dedup();
        let sources: HashMap<PathBuf, Source> = crate::timed("read sources", || {
            // Files that are not regular or not UTF-8 are left out (the
            // compiler reports such sources); a FIFO is never opened.
            tree.sources.preload(&files);
            files
                .into_par_iter()
                .filter_map(|p| {
                    let text = tree.sources.cached(&p)?;
                    let lines = Lines::new(&text);
                    Some((p, Source { text, lines }))
                })
                .collect()
        });
        Context { root: root.to_path_buf(), tree, products, product_ids, compiler: diags.into_vec(), macros, sources }
    }

    /// The text of a source file of the tree, if it was read.
    pub fn source(&self, p: &Path) -> Option<&Source> {
        self.sources.get(p)
    }

    /// The first product's content: the tree's items (ids and files are the
    /// same for every product; rendered text may differ).
    pub fn content(&self) -> Option<&Content> {
        self.products.first().map(|c| &c.content)
    }

    pub fn product(&self) -> Option<&Product> {
        self.products.first().map(|c| &c.product)
    }

    /// Gives a finding about a whole file a place in it: where the
    /// message's first `quoted` text occurs in the file, else the file's
    /// `title:` line, else its first line. Every finding then has a line
    /// and column, for editors, annotations and suppression comments.
    pub fn place(&self, d: &mut Diagnostic) {
        let Some(loc) = &mut d.location else { return };
        if loc.pos.is_some() {
            return;
        }
        let Some(src) = self.sources.get(&loc.file) else { return };
        let quoted = d.message.split('`').skip(1).step_by(2).find(|q| q.len() > 2 && src.text.contains(*q));
        let off = quoted
            .and_then(|q| src.text.find(q))
            .or_else(|| src.text.find("\ntitle:").map(|i| i + 1))
            .or_else(|| src.text.starts_with("title:").then_some(0))
            .unwrap_or(0);
        loc.pos = Some(src.lines.pos(&src.text, off));
    }

    /// Whether a suppression comment silences this finding: on its line or
    /// the line above, `scapc-lint: disable=CODE[,CODE...]` naming the
    /// lint's code or name (or the compiler code it surfaces, or `all`);
    /// anywhere in the file, `scapc-lint: disable-file=CODE`.
    pub fn suppressed(&self, f: &Finding) -> bool {
        let Some(loc) = &f.diag.location else { return false };
        let Some(src) = self.sources.get(&loc.file) else { return false };
        if !src.text.contains("scapc-lint:") {
            return false;
        }
        let names = [f.lint.code, f.lint.name, f.diag.code.as_str()];
        let hit = |line: &str, key: &str| -> bool {
            let Some(i) = line.find(key) else { return false };
            let rest = &line[i + key.len()..];
            let list: &str = rest
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == ',' || c == '-' || c == '_'))
                .next()
                .unwrap_or("");
            list.split(',').any(|c| c == "all" || names.iter().any(|n| !n.is_empty() && n.eq_ignore_ascii_case(c)))
        };
        if src.text.lines().any(|l| hit(l, "scapc-lint: disable-file=")) {
            return true;
        }
        let Some(pos) = loc.pos else { return false };
        let line = pos.line as usize;
        let here = src.lines.line(&src.text, line).unwrap_or("");
        if hit(here, "scapc-lint: disable=") {
            return true;
        }
        if line >= 2 {
            let above = src.lines.line(&src.text, line - 1).unwrap_or("");
            let t = above.trim_start();
            // Only a comment line above counts, not a neighbour's trailing comment.
            let is_comment = t.starts_with('#') || t.starts_with("<!--") || t.starts_with("{{#");
            if is_comment && hit(above, "scapc-lint: disable=") {
                return true;
            }
        }
        false
    }
}
