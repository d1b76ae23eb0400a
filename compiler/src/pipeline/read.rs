//! Phase 1, read: one product's sources, through the tree's
//! [`crate::source::Cache`] (every file read once for all products and
//! the linter), rendered with the product's Jinja environment and parsed
//! into a [`Content`] ([`crate::load::load_content`]).
//!
//! Invariant: this phase and [`crate::load`] are the only ones of the
//! pipeline that touch the file system; what they return is plain data.

use crate::codes;
use crate::jinja::{Dialect, Jinja};
use crate::load::{self, Tree};
use crate::model::{Content, Layout, Product};
use scapc_diagnostics::{Diagnostic, Location};
use std::path::Path;

/// A product's sources, read: its Jinja environment (which the later
/// phases render templates with) and its content.
pub struct Read {
    pub jinja: Jinja,
    pub content: Content,
}

/// The entry point of the phase. `macros` is the tree's macro library
/// ([`load::load_macros`]), its files named relative to `root`; `None`
/// when the library does not compile.
pub fn read(
    root: &Path,
    tree: &Tree,
    macros: &[(String, String)],
    product: &Product,
) -> (Option<Read>, Vec<Diagnostic>) {
    // CaC trees are written for CaC's Jinja (Jinja2's defaults, Python
    // methods, its filters); scapc's own stay strict.
    let dialect = match product.layout {
        Layout::Cac => Dialect::Cac,
        Layout::Scapc => Dialect::Scapc,
    };
    let jinja = match Jinja::with_dialect(dialect, macros, &product.vars) {
        Ok(j) => j.sharing(tree.memo.clone()),
        Err((name, e)) => {
            let d = Diagnostic::error(codes::JINJA, format!("macro library: {}", e.message)).at(match e.line {
                Some(l) => Location::at(root.join(&name), l, 1),
                None => Location::file(root.join(&name)),
            });
            return (None, vec![d]);
        }
    };
    let (content, diags) = load::load_content(tree, product, &jinja);
    (Some(Read { jinja, content }), diags)
}
