//! The lint rules, one per file. Each file starts with a doc comment (what
//! it checks, **Why**, **Example**, **Fix**) and defines `pub static LINT`.
//! `REGISTRY` lists them in code order; `docs/lints.md` is generated from it.

use crate::context::Context;
use crate::Registered;
use scapc_compiler::model::Rule;
use std::path::Path;

macro_rules! registry {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every lint, in code order.
        pub static REGISTRY: &[Registered] = &[
            $(Registered { lint: &$m::LINT, file: concat!(stringify!($m), ".rs"), source: include_str!(concat!(stringify!($m), ".rs")) },)*
        ];
    };
}

registry!(
    compiler,
    yaml_syntax,
    jinja_render,
    layout,
    oval_syntax,
    xhtml,
    duplicate_id,
    unknown_template,
    template_parameter,
    profile_reference,
    value_selector,
    oval_reference,
    reference_cycle,
    platform,
    value_reference,
    fix_header,
    no_check,
    sce_omitted,
    schema,
    duplicate_cce,
    cce_check_digit,
    cce_format,
    nist_reference,
    unknown_product_qualifier,
    rationale,
    description,
    title_style,
    rule_not_in_profile,
    unused_value,
    test_scenarios,
    oval_namespace,
    jinja_undefined,
    macro_arguments,
    fix_unexported_value,
    reference_list_format,
    unsorted_selections,
    duplicate_selection,
    empty_group,
    missing_stig_file,
);

/// Every rule of the tree (from the first product that loaded).
pub(crate) fn all_rules(cx: &Context) -> impl Iterator<Item = &Rule> {
    cx.content().into_iter().flat_map(|c| c.rules.values())
}

/// The scheme of an identifier or reference key: `cce@debian12` -> `cce`.
pub(crate) fn scheme(key: &str) -> &str {
    key.split('@').next().unwrap_or(key)
}

/// Values named with `xccdf_value("x")` in a text.
pub(crate) fn xccdf_values(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for i in crate::text::word_offsets(text, "xccdf_value") {
        let rest = text[i + "xccdf_value".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('(') else { continue };
        let rest = rest.trim_start();
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = rest[1..].find(q) {
            out.push((i, rest[1..1 + end].to_owned()));
        }
    }
    out
}

/// The rule's files that hold its prose, checks and fixes.
pub(crate) fn rule_sources(r: &Rule) -> Vec<&Path> {
    let mut v: Vec<&Path> = vec![r.file.as_path()];
    v.extend([&r.files.oval, &r.files.bash, &r.files.ansible, &r.files.sce].into_iter().flatten().map(|p| p.as_path()));
    v
}

/// Finds `key:` as a mapping key on a line after `after_line` (1-based),
/// indented deeper than that line, before the block ends. Returns the
/// line and column of the key.
pub(crate) fn find_subkey(
    cx: &Context,
    file: &Path,
    after_line: u32,
    key: &str,
) -> Option<scapc_diagnostics::Location> {
    let src = cx.source(file)?;
    let parent = src.lines.line(&src.text, after_line as usize)?;
    let indent = parent.len() - parent.trim_start().len();
    let mut n = after_line as usize + 1;
    while let Some(line) = src.lines.line(&src.text, n) {
        let t = line.trim_start();
        let ind = line.len() - t.len();
        if !t.is_empty() && !t.starts_with('#') {
            if ind <= indent {
                break;
            }
            let k = t.trim_start_matches("- ");
            let unq = k.trim_start_matches(['"', '\'']);
            if unq.starts_with(key) && unq[key.len()..].trim_start_matches(['"', '\'']).starts_with(':') {
                let col = line[..line.len() - unq.len()].chars().count() as u32 + 1;
                let col = if unq.len() != k.len() { col - 1 } else { col };
                return Some(scapc_diagnostics::Location::at(file, n as u32, col));
            }
        }
        n += 1;
    }
    None
}

/// Where a rule's `references: <key>:` entry is, else the `references` key.
pub(crate) fn reference_loc(cx: &Context, r: &Rule, key: &str) -> scapc_diagnostics::Location {
    let base = scapc_compiler::model::loc_of(&r.locs, "references", &r.file);
    base.pos
        .and_then(|p| {
            // `locs` holds where the value starts: for a block mapping that
            // is its first key's line, so search from the line above.
            find_subkey(cx, &r.file, p.line.saturating_sub(1).max(1), key)
        })
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    #[test]
    fn xccdf_value_calls() {
        let v =
            super::xccdf_values("a {{{ xccdf_value(\"v1\") }}} b {{{ xccdf_value( 'v2' ) }}} not_xccdf_value(\"z\")");
        let names: Vec<&str> = v.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, vec!["v1", "v2"]);
    }
}
