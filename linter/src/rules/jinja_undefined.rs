//! Jinja that names a variable defined nowhere: not a product key, not a
//! template parameter or derived value (in templates), not `rule_id` /
//! `rule_title` / `platform_id` / `arg` / `cpe_name` where those are in
//! scope (in ComplianceAsCode trees also `cce_identifiers` and `products`,
//! which CaC's build gives checks and fixes), not a macro and not a
//! built-in. Unlike `jinja-render`, this finds the name
//! on every branch, including `{{% if %}}` branches the current products
//! never take. Names tested with `is defined` are taken as optional. A
//! bare `{{{ some_message }}}` alone between `{{% if ... %}}` and
//! `{{% endif %}}` lines is the idiom for stopping a render with a message
//! (the undefined name is the message) and is not reported.
//!
//! **Why**: after a macro or product key is removed, a branch that no
//! product renders today keeps the dangling name until the day one does,
//! and then the build breaks far from the change that caused it.
//!
//! **Example**:
//! ```yaml
//! description: |-
//!   {{{ "x" if product == "debian13" else sshd_config_pathh }}}
//! ```
//!
//! **Fix**: correct the name, define it (a product key or template
//! parameter), or guard it with `{{% if name is defined %}}`.

use crate::context::Context;
use crate::text::{jinja_blocks, word_offsets};
use crate::{Level, Lint, Sink};
use minijinja::syntax::SyntaxConfig;
use minijinja::Environment;
use rayon::prelude::*;
use scapc_compiler::jinja::has_jinja;
use scapc_diagnostics::Diagnostic;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

pub static LINT: Lint = Lint {
    code: "L047",
    name: "jinja-undefined",
    summary: "Jinja names a variable that is defined nowhere (on any branch)",
    level: Level::Error,
    fixable: false,
    claims: &[],
    check: Some(check),
};

/// minijinja's and scapc's functions, and names Jinja itself provides.
const BUILTINS: [&str; 10] = ["range", "dict", "debug", "namespace", "loop", "caller", "varargs", "kwargs", "self", "xccdf_value"];

/// A parsing environment with CaC's delimiters.
pub fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .block_delimiters("{{%", "%}}")
            .variable_delimiters("{{{", "}}}")
            .comment_delimiters("{{#", "#}}")
            .build()
            .expect("static delimiters"),
    );
    env
}

/// Names a source tests with `is defined` / `is not defined` / `is undefined`.
fn guarded(src: &str) -> HashSet<&str> {
    let mut out = HashSet::new();
    for (_, block) in jinja_blocks(src) {
        for pat in [" is defined", " is not defined", " is undefined"] {
            let mut from = 0;
            while let Some(k) = block[from..].find(pat) {
                let end = from + k;
                let start = block[..end].rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map(|i| i + 1).unwrap_or(0);
                out.insert(&block[start..end]);
                from = end + pat.len();
            }
        }
    }
    out
}

/// `{{% if cond %}}` / `{{{ message_name }}}` / `{{% endif %}}`, each on its own line.
fn is_stop_idiom(src: &str, off: usize, name: &str) -> bool {
    let line_start = src[..off].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = src[off..].find('\n').map(|i| off + i).unwrap_or(src.len());
    let line = src[line_start..line_end].trim();
    let bare = line.strip_prefix("{{{").and_then(|l| l.strip_suffix("}}}")).map(str::trim) == Some(name);
    let prev = src[..line_start.saturating_sub(1)].rsplit('\n').next().unwrap_or("").trim();
    let next = src[(line_end + 1).min(src.len())..].split('\n').next().unwrap_or("").trim();
    let stmt = |l: &str, kw: &str| l.strip_prefix("{{%").map(|r| r.trim_start_matches(['-', '+']).trim_start().starts_with(kw)).unwrap_or(false);
    bare && line_start > 0 && stmt(prev, "if ") && stmt(next, "endif")
}

/// The undefined names of one source, each with the offset of its first use.
pub fn undefined(env: &Environment<'_>, src: &str, known: &dyn Fn(&str) -> bool) -> Vec<(String, usize)> {
    let Ok(t) = env.template_from_str(src) else { return Vec::new() };
    let names: BTreeSet<String> = t.undeclared_variables(false).into_iter().collect();
    let guard = guarded(src);
    let mut out = Vec::new();
    for n in names {
        if known(&n) || BUILTINS.contains(&n.as_str()) || guard.contains(n.as_str()) {
            continue;
        }
        let off = jinja_blocks(src).into_iter().find_map(|(start, b)| word_offsets(b, &n).first().map(|i| start + i)).unwrap_or(0);
        if is_stop_idiom(src, off, &n) {
            continue;
        }
        out.push((n, off));
    }
    out
}

fn check(cx: &Context, out: &mut Sink) {
    let Some(c) = cx.content() else { return };
    let mut product_vars: HashSet<&str> = HashSet::new();
    for p in &cx.products {
        product_vars.extend(p.product.vars.keys().map(String::as_str));
    }
    product_vars.insert("product");
    let macro_names: HashSet<String> = super::macro_arguments::signatures(cx).into_iter().map(|s| s.name).collect();
    // (file, names in scope besides product keys and macros)
    let mut jobs: Vec<(&Path, Vec<String>)> = Vec::new();
    // CaC's build also gives a rule's checks and fixes its identifiers
    // (`cce_identifiers`) and OVAL the set of products (`products`).
    let cac = cx.product().is_some_and(|p| p.layout == scapc_compiler::model::Layout::Cac);
    let rule_scope = || {
        let mut v = vec!["rule_id".to_owned(), "rule_title".to_owned()];
        if cac {
            v.extend(["cce_identifiers".to_owned(), "products".to_owned()]);
        }
        v
    };
    for r in c.rules.values() {
        jobs.push((&r.file, vec!["rule_id".to_owned()]));
        for f in [&r.files.oval, &r.files.bash, &r.files.ansible, &r.files.sce].into_iter().flatten() {
            jobs.push((f, rule_scope()));
        }
    }
    for p in cx.tree.group_files.iter().chain(&cx.tree.value_files).chain(&cx.tree.profile_files) {
        jobs.push((p, Vec::new()));
    }
    for t in c.templates.values() {
        let mut scope = rule_scope();
        scope.extend(t.params.iter().map(|p| p.name.clone()));
        scope.extend(t.derived.iter().map(|(n, _)| n.clone()));
        for (p, _) in t.languages.values() {
            jobs.push((p, scope.clone()));
        }
    }
    let plat: Vec<PathBuf> = cx.tree.platform_files.iter().flat_map(|p| [p.clone(), p.with_extension("xml")]).collect();
    for p in &plat {
        jobs.push((p, vec!["arg".to_owned(), "platform_id".to_owned(), "cpe_name".to_owned()]));
    }
    // Lines the compiler already reported a Jinja error on.
    let reported: HashSet<(&Path, u32)> = cx
        .compiler
        .iter()
        .filter(|d| d.code == "E0200")
        .filter_map(|d| d.location.as_ref().and_then(|l| l.pos.map(|p| (l.file.as_path(), p.line))))
        .collect();
    let found: Vec<Vec<Diagnostic>> = jobs
        .par_iter()
        .map(|(file, scope)| {
            let Some(src) = cx.source(file) else { return Vec::new() };
            if !has_jinja(&src.text) {
                return Vec::new();
            }
            let env = env();
            let known = |n: &str| product_vars.contains(n) || macro_names.contains(n) || scope.iter().any(|s| s == n);
            undefined(&env, &src.text, &known)
                .into_iter()
                .filter_map(|(name, off)| {
                    let loc = crate::text::loc_at(file, &src.text, &src.lines, off);
                    if reported.contains(&(*file, loc.pos.map(|p| p.line).unwrap_or(0))) {
                        return None;
                    }
                    Some(
                        crate::diag(format!("`{name}` is not defined: no product key, parameter, macro or built-in has that name"))
                            .at(loc)
                            .hint("correct the name, define it, or guard it with `{{% if NAME is defined %}}`"),
                    )
                })
                .collect()
        })
        .collect();
    for d in found.into_iter().flatten() {
        out.push(d);
    }

}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_names_on_untaken_branches_and_honours_guards() {
        let env = env();
        let src = "a: {{% if product == 'x' %}}{{{ pathh }}}{{% endif %}}\nb: {{% if opt is defined %}}{{{ opt }}}{{% endif %}}\n{{% for i in range(3) %}}{{{ i }}}{{% endfor %}}";
        let u = undefined(&env, src, &|n| n == "product");
        assert_eq!(u.len(), 1, "{u:?}");
        assert_eq!(u[0].0, "pathh");
        assert_eq!(&src[u[0].1..u[0].1 + 5], "pathh");
        let stop = "{{% if x is none %}}\n{{{ x_must_be_set }}}\n{{% endif %}}\n{{{ other_bad }}}\n";
        let u = undefined(&env, stop, &|n| n == "x");
        assert_eq!(u.into_iter().map(|(n, _)| n).collect::<Vec<_>>(), vec!["other_bad"]);
    }
}
