//! A product qualifier (`key@product`) in identifiers, references or
//! template variables that names no product of the tree.
//!
//! **Why**: the entry is silently ignored for every product; usually it is
//! a typo (`cce@debain12`) or a leftover from a removed product.
//!
//! **Example**: `identifiers: {cce@debain12: CCE-80001-1}`.
//!
//! **Fix**: use a directory name under `products/`, or drop the entry.

use super::{all_rules, reference_loc};
use crate::context::Context;
use crate::{Level, Lint, Sink};
use scapc_diagnostics::Location;

pub static LINT: Lint = Lint {
    code: "L034",
    name: "unknown-product-qualifier",
    summary: "`key@product` names a product the tree does not have",
    level: Level::Warning,
    fixable: false,
    claims: &[],
    check: Some(check),
};

fn check(cx: &Context, out: &mut Sink) {
    if cx.product_ids.is_empty() {
        return;
    }
    let mut report = |key: &str, what: &str, loc: Location| {
        let Some((_, p)) = key.split_once('@') else { return };
        if cx.product_ids.iter().any(|x| x == p) {
            return;
        }
        let known: Vec<&str> = cx.product_ids.iter().map(String::as_str).collect();
        let mut d = crate::diag(format!("{what} `{key}` names the product `{p}`, which the tree does not have")).at(loc);
        d = match scapc_compiler::source::suggest(p, &known) {
            Some(s) => d.hint(format!("did you mean `@{s}`?")),
            None => d.hint(format!("products are: {}", known.join(", "))),
        };
        out.push(d);
    };
    for r in all_rules(cx) {
        for i in &r.identifiers {
            report(&i.value.0, "the identifier", i.loc.clone());
        }
        for (key, _) in &r.references {
            if key.contains('@') {
                report(key, "the reference", reference_loc(cx, r, key));
            }
        }
        if let Some(t) = &r.template {
            for (k, v) in &t.vars {
                let loc = super::key_on_line(cx, &v.loc, k);
                report(k, "the template variable", loc);
            }
        }
    }
}
