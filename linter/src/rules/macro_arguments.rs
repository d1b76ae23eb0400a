//! A call of a macro from `macros/*.jinja` with the wrong arguments: more
//! positional arguments than it has parameters, a keyword it does not
//! have, a parameter given twice, or a required parameter (no default,
//! not tested with `is defined` in the macro) left out. Every Jinja
//! source of the tree is checked, on every branch. In ComplianceAsCode
//! trees a parameter left out is not reported: under CaC's Jinja (Jinja2's
//! defaults) it is undefined and prints as nothing, and CaC's macros rely
//! on that.
//!
//! **Why**: minijinja only notices at render time, on the branch taken;
//! a missing argument becomes an undefined variable deep inside the
//! macro, far from the call.
//!
//! **Example**: `{{{ bash_set_line("/etc/ssh/sshd_config", "PermitRootLogin") }}}`
//! for a macro declared `macro bash_set_line(file, key, line)`.
//!
//! **Fix**: pass the arguments the macro declares (the finding shows its
//! signature), or give the parameter a default in the macro.

use crate::context::Context;
use crate::text::{jinja_blocks, word_offsets};
use crate::{Level, Lint, Sink};
use rayon::prelude::*;
use scapc_compiler::jinja::has_jinja;
use scapc_diagnostics::Diagnostic;
use std::path::{Path, PathBuf};

pub static LINT: Lint = Lint {
    code: "L048",
    name: "macro-arguments",
    summary: "a macro is called with too many, unknown, doubled or missing arguments",
    level: Level::Error,
    fixable: false,
    claims: &[],
    check: Some(check),
};

/// A macro's signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub name: String,
    /// (name, required)
    pub params: Vec<(String, bool)>,
    /// The body uses `varargs` / `kwargs`.
    pub varargs: bool,
    pub kwargs: bool,
    pub file: PathBuf,
}

impl Signature {
    pub fn show(&self) -> String {
        let p: Vec<String> = self.params.iter().map(|(n, req)| if *req { n.clone() } else { format!("{n}=...") }).collect();
        format!("{}({})", self.name, p.join(", "))
    }
}

/// Splits `a, f(b, c), d="x,y"` at top-level commas. `s` starts after
/// `(`; returns the arguments and the length up to the matching `)`.
pub fn split_args(s: &str) -> Option<(Vec<&str>, usize)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut args = Vec::new();
    let mut start = 0;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if c == q && prev != '\\' {
                quote = None;
            }
        } else {
            match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' if depth == 0 => {
                    let last = s[start..i].trim();
                    if !last.is_empty() || !args.is_empty() {
                        args.push(last);
                    }
                    return Some((args, i));
                }
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    args.push(s[start..i].trim());
                    start = i + 1;
                }
                _ => {}
            }
        }
        prev = c;
    }
    None
}

/// The keyword of a `name=value` argument.
fn keyword(arg: &str) -> Option<&str> {
    let eq = arg.find('=')?;
    if arg[eq + 1..].starts_with('=') {
        return None;
    }
    let k = arg[..eq].trim();
    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(k)
}

/// Macro signatures of one macro file.
pub fn parse_signatures(src: &str, file: &Path) -> Vec<Signature> {
    let mut out = Vec::new();
    let blocks = jinja_blocks(src);
    for (k, (_, b)) in blocks.iter().enumerate() {
        let t = b.trim().trim_start_matches(['-', '+']).trim_end_matches(['-', '+']).trim();
        let Some(rest) = t.strip_prefix("macro ") else { continue };
        let Some(open) = rest.find('(') else { continue };
        let name = rest[..open].trim().to_owned();
        let Some((args, _)) = split_args(&rest[open + 1..]) else { continue };
        // The body: up to the next `endmacro`.
        let end = blocks[k + 1..].iter().position(|(_, x)| x.trim().trim_matches(['-', '+']).trim() == "endmacro");
        let body: String = match end {
            Some(e) => blocks[k + 1..k + 1 + e].iter().map(|(_, x)| *x).collect::<Vec<_>>().join(" "),
            None => String::new(),
        };
        let params = args
            .iter()
            .filter(|a| !a.is_empty())
            .map(|a| {
                let (n, has_default) = match a.split_once('=') {
                    Some((n, _)) => (n.trim().to_owned(), true),
                    None => (a.trim().to_owned(), false),
                };
                let guarded = body.contains(&format!("{n} is defined")) || body.contains(&format!("{n} is not defined")) || body.contains(&format!("{n} is undefined"));
                let required = !has_default && !guarded;
                (n, required)
            })
            .collect();
        out.push(Signature {
            name,
            params,
            varargs: !word_offsets(&body, "varargs").is_empty(),
            kwargs: !word_offsets(&body, "kwargs").is_empty(),
            file: file.to_path_buf(),
        });
    }
    out
}

/// Every macro of the tree's library.
pub fn signatures(cx: &Context) -> Vec<Signature> {
    cx.macros.iter().flat_map(|(name, src)| parse_signatures(src, &cx.root.join(name))).collect()
}

/// Problems with one call's arguments.
pub fn call_problems(sig: &Signature, args: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let positional: Vec<&&str> = args.iter().filter(|a| keyword(a).is_none()).collect();
    let keywords: Vec<&str> = args.iter().filter_map(|a| keyword(a)).collect();
    if positional.len() > sig.params.len() && !sig.varargs {
        out.push(format!("takes {} argument{}, {} given", sig.params.len(), if sig.params.len() == 1 { "" } else { "s" }, positional.len()));
    }
    let mut filled: Vec<&str> = sig.params.iter().take(positional.len()).map(|(n, _)| n.as_str()).collect();
    for k in keywords {
        if !sig.params.iter().any(|(n, _)| n == k) {
            if !sig.kwargs {
                out.push(format!("has no parameter `{k}`"));
            }
        } else if filled.contains(&k) {
            out.push(format!("gets `{k}` twice"));
        } else {
            filled.push(k);
        }
    }
    for (n, req) in &sig.params {
        if *req && !filled.contains(&n.as_str()) {
            out.push(format!("misses the argument `{n}`"));
        }
    }
    out
}

fn check(cx: &Context, out: &mut Sink) {
    let sigs = signatures(cx);
    if sigs.is_empty() {
        return;
    }
    let cac = cx.product().is_some_and(|p| p.layout == scapc_compiler::model::Layout::Cac);
    let mut files: Vec<&Path> = Vec::new();
    let t = &cx.tree;
    for l in [&t.rule_files, &t.group_files, &t.value_files, &t.profile_files, &t.macro_files] {
        files.extend(l.iter().map(PathBuf::as_path));
    }
    let plat: Vec<PathBuf> = t.platform_files.iter().flat_map(|p| [p.clone(), p.with_extension("xml")]).collect();
    files.extend(plat.iter().map(PathBuf::as_path));
    if let Some(c) = cx.content() {
        for r in c.rules.values() {
            files.extend([&r.files.oval, &r.files.bash, &r.files.ansible, &r.files.sce].into_iter().flatten().map(PathBuf::as_path));
        }
        for tm in c.templates.values() {
            files.extend(tm.languages.values().map(|(p, _)| p.as_path()));
        }
    }
    let found: Vec<Vec<Diagnostic>> = files
        .par_iter()
        .map(|file| {
            let mut diags = Vec::new();
            let Some(src) = cx.source(file) else { return diags };
            if !has_jinja(&src.text) {
                return diags;
            }
            for (start, block) in jinja_blocks(&src.text) {
                if block.trim().trim_start_matches(['-', '+']).trim_start().starts_with("macro ") {
                    continue;
                }
                for sig in &sigs {
                    for off in word_offsets(block, &sig.name) {
                        let after = &block[off + sig.name.len()..];
                        let Some(args_src) = after.trim_start().strip_prefix('(') else { continue };
                        let Some((args, _)) = split_args(args_src) else { continue };
                        let mut problems = call_problems(sig, &args);
                        if cac {
                            problems.retain(|p| !p.starts_with("misses the argument"));
                        }
                        if problems.is_empty() {
                            continue;
                        }
                        let shown_file = sig.file.strip_prefix(&cx.root).unwrap_or(&sig.file).display().to_string();
                        diags.push(
                            crate::diag(format!("macro `{}` {}", sig.name, problems.join("; ")))
                                .at(crate::text::loc_at(file, &src.text, &src.lines, start + off))
                                .hint(format!("its signature is `{}` ({shown_file})", sig.show())),
                        );
                    }
                }
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

    #[test]
    fn signatures_and_calls() {
        let src = "{{%- macro m(a, b, c=\"x,y\", d=none) -%}}{{{ a }}}{{% if b is defined %}}{{{ b }}}{{% endif %}}{{%- endmacro %}}\n{{% macro v() %}}{{{ varargs }}}{{% endmacro %}}";
        let s = parse_signatures(src, Path::new("m.jinja"));
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].params, vec![("a".into(), true), ("b".into(), false), ("c".into(), false), ("d".into(), false)]);
        assert!(s[1].varargs && !s[0].varargs);
        let (args, _) = split_args("1, f(2, 3), c=\"p,q\") rest").unwrap();
        assert_eq!(args, vec!["1", "f(2, 3)", "c=\"p,q\""]);
        assert!(call_problems(&s[0], &args).is_empty());
        assert_eq!(call_problems(&s[0], &["1", "2", "3", "4", "5"]), vec!["takes 4 arguments, 5 given"]);
        assert_eq!(call_problems(&s[0], &["b=1"]), vec!["misses the argument `a`"]);
        assert_eq!(call_problems(&s[0], &["1", "a=2", "z=3"]), vec!["gets `a` twice", "has no parameter `z`"]);
        assert!(call_problems(&s[0], &["x == 1"]).is_empty());
        assert!(call_problems(&s[1], &["1", "2"]).is_empty());
    }
}
