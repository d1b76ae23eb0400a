//! Every `rule.yml`, `group.yml`, `*.var`, `*.profile`, `template.yml` and
//! `product.yml` is checked against the JSON Schema shipped in
//! `linter/schemas/` (after Jinja rendering; positions are mapped back to
//! the source). The same schemas serve yaml-language-server in editors
//! (see docs/lint.md). The compiler's own key and type checks (`E0101`
//! to `E0104`) are surfaced here too; a schema finding on a line the
//! compiler already reported is not repeated.
//!
//! **Why**: a misspelt key, a string where a list belongs or a severity
//! outside the allowed set changes what the build emits; an editor that
//! knows the schema catches it while typing.
//!
//! **Example**:
//! ```yaml
//! severity: hgih
//! identifiers: [CCE-80001-3]
//! ```
//!
//! **Fix**: follow the message (it names the key and what is allowed);
//! docs/format.md describes every file.

use crate::context::Context;
use crate::{Claim, Level, Lint, Sink};
use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use rayon::prelude::*;
use scapc_compiler::jinja::{has_jinja, Dialect, Jinja};
use scapc_compiler::model::Layout;
use scapc_compiler::source::LineMap;
use scapc_compiler::yaml::{self, Node};
use scapc_diagnostics::{Diagnostic, Location, Pos};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

pub static LINT: Lint = Lint {
    code: "L020",
    name: "schema",
    summary: "a YAML source does not match its JSON Schema (unknown key, wrong type, missing key, value not allowed)",
    level: Level::Error,
    fixable: false,
    claims: &[
        Claim { code: "E0101", any_of: &[] },
        Claim { code: "E0102", any_of: &[] },
        Claim { code: "E0103", any_of: &[] },
        Claim { code: "E0104", any_of: &[] },
    ],
    check: Some(check),
};

/// The schema files, by kind.
pub const SCHEMAS: [(&str, &str); 6] = [
    ("rule", include_str!("../../schemas/rule.schema.json")),
    ("group", include_str!("../../schemas/group.schema.json")),
    ("value", include_str!("../../schemas/value.schema.json")),
    ("profile", include_str!("../../schemas/profile.schema.json")),
    ("template", include_str!("../../schemas/template.schema.json")),
    ("product", include_str!("../../schemas/product.schema.json")),
];

fn validators() -> &'static BTreeMap<&'static str, Validator> {
    static V: OnceLock<BTreeMap<&'static str, Validator>> = OnceLock::new();
    V.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|(k, text)| {
                let schema: serde_json::Value = serde_json::from_str(text).expect("shipped schema is JSON");
                (*k, jsonschema::validator_for(&schema).expect("shipped schema is valid"))
            })
            .collect()
    })
}

/// The node at a JSON pointer, and the key node when the last step is a key.
fn node_at<'n>(root: &'n Node, pointer: &str) -> &'n Node {
    let mut n = root;
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        let next = match &n.value {
            yaml::Value::Map(m) => m.iter().find(|(k, _)| k.as_str() == Some(seg.as_str())).map(|(_, v)| v),
            yaml::Value::Seq(s) => seg.parse::<usize>().ok().and_then(|i| s.get(i)),
            _ => None,
        };
        match next {
            Some(x) => n = x,
            None => break,
        }
    }
    n
}

fn key_pos(n: &Node, key: &str) -> Option<Pos> {
    n.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, _)| k.pos)
}

fn describe(kind: &ValidationErrorKind, err: &str, pointer: &str) -> String {
    let at = if pointer.is_empty() { "the file".to_owned() } else { format!("`{}`", pointer.trim_start_matches('/').replace('/', ".")) };
    match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("unknown key{} {} in {at}", if unexpected.len() > 1 { "s" } else { "" }, unexpected.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", "))
        }
        ValidationErrorKind::Required { property } => format!("{at} lacks the required key {property}"),
        _ => format!("{at}: {err}"),
    }
}

/// Files to check: (kind, path, Jinja context kind).
fn files(cx: &Context) -> Vec<(&'static str, &PathBuf)> {
    let t = &cx.tree;
    let mut v = Vec::new();
    v.extend(t.rule_files.iter().map(|p| ("rule", p)));
    v.extend(t.group_files.iter().map(|p| ("group", p)));
    v.extend(t.value_files.iter().map(|p| ("value", p)));
    v.extend(t.profile_files.iter().map(|p| ("profile", p)));
    v.extend(t.template_files.iter().map(|p| ("template", p)));
    v.extend(t.products.iter().map(|p| ("product", p)));
    v
}

fn check(cx: &Context, out: &mut Sink) {
    let validators = validators();
    // Lines the compiler already reported a structural problem on, and
    // files it could not parse or render at all.
    let mut seen_lines: HashSet<(&Path, u32)> = HashSet::new();
    let mut broken: HashSet<&Path> = HashSet::new();
    for d in &cx.compiler {
        let Some(loc) = &d.location else { continue };
        match d.code.as_str() {
            "E0100" | "E0200" | "E0001" => {
                broken.insert(&loc.file);
            }
            "E0101" | "E0102" | "E0103" | "E0104" => {
                if let Some(p) = loc.pos {
                    seen_lines.insert((&loc.file, p.line));
                }
            }
            _ => {}
        }
    }
    // The Jinja the tree is written for (a CaC tree renders as CaC's does).
    let jinja = cx.product().and_then(|p| {
        let dialect = match p.layout {
            Layout::Cac => Dialect::Cac,
            Layout::Scapc => Dialect::Scapc,
        };
        Jinja::with_dialect(dialect, &cx.macros, &p.vars).ok()
    });
    let found: Vec<Vec<Diagnostic>> = files(cx)
        .par_iter()
        .filter(|(_, p)| !broken.contains(p.as_path()))
        .map(|(kind, path)| {
            let mut diags = Vec::new();
            let Some(src) = cx.source(path) else { return diags };
            let text = &src.text;
            let rendered = if *kind != "product" && *kind != "template" && has_jinja(text) {
                let Some(j) = &jinja else { return diags };
                let mut ctx = BTreeMap::new();
                if *kind == "rule" {
                    let id = path.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str()).unwrap_or_default();
                    ctx.insert("rule_id".to_owned(), minijinja::Value::from(id));
                }
                match j.render(&path.display().to_string(), text, &ctx) {
                    Ok(r) => r,
                    Err(_) => return diags,
                }
            } else {
                text.to_string()
            };
            let Ok(node) = yaml::parse(&rendered) else { return diags };
            let json = node.to_json();
            let v = &validators[kind];
            if v.is_valid(&json) {
                return diags;
            }
            let map = if *rendered == **text { LineMap::identity() } else { LineMap::between(text, &rendered) };
            for e in v.iter_errors(&json) {
                let pointer = e.instance_path().as_str().to_owned();
                let target = node_at(&node, &pointer);
                let pos = match e.kind() {
                    ValidationErrorKind::AdditionalProperties { unexpected } => {
                        unexpected.first().and_then(|k| key_pos(target, k)).unwrap_or(target.pos)
                    }
                    _ => target.pos,
                };
                let pos = map.source_pos(pos);
                if seen_lines.contains(&(path.as_path(), pos.line)) {
                    continue;
                }
                let msg = describe(e.kind(), &e.to_string(), &pointer);
                diags.push(
                    crate::diag(msg)
                        .at(Location::at(path.as_path(), pos.line, pos.col))
                        .hint(format!("the schema is linter/schemas/{kind}.schema.json; docs/format.md describes the file")),
                );
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

    fn errors(kind: &str, yaml_text: &str) -> Vec<String> {
        let node = yaml::parse(yaml_text).unwrap();
        let json = node.to_json();
        validators()[kind].iter_errors(&json).map(|e| describe(e.kind(), &e.to_string(), e.instance_path().as_str())).collect()
    }

    #[test]
    fn schemas_compile_and_accept_good_files() {
        assert!(errors("rule", "title: T\ndescription: D\nseverity: low\nidentifiers: {cce@x: CCE-80001-3}\nreferences: {nist: 'AC-6,AC-7'}\n").is_empty());
        assert!(errors("value", "title: T\ntype: number\noptions: {default: 3, five: 5}\n").is_empty());
        assert!(errors("profile", "title: T\nselections: [a, '!b', 'v=x', r.severity=high]\n").is_empty());
        assert!(errors("product", "product: p\nfull_name: P\nbenchmark_id: B\nnamespace: org.x\ncpes: [{p: {name: 'cpe:/o:x', title: T, check_id: c}}]\nextra_var: 1\n").is_empty());
        // ComplianceAsCode's keys and forms.
        assert!(errors("rule", "title: T\ndescription: D\nseverity: low\nreferences: {nist-csf: 'PR.AC-4', cis@ubuntu2204: '1.1'}\nplatforms:\ntemplate: {name: t-x, backends: {anaconda: 'off'}, oval_extend_definitions: [d]}\n").is_empty());
        assert!(errors("profile", "title: T\nhidden: true\nreference:\nfilter_rules: '\"node\" in platforms'\nselections: ['pol:all:l1', 'pol:1.1', '!r.role=unscored', rule-x]\n").is_empty());
        assert!(errors("product", "product: p\nfull_name: P\nbenchmark_id: B\ncpes: [{p: {name: 'cpe:/o:x', title: T, check_id: c-d}}]\n").is_empty());
    }

    #[test]
    fn schemas_name_the_problem() {
        let e = errors("rule", "title: T\ndescription: D\nseverity: hgih\ntitel: x\n");
        assert!(e.iter().any(|m| m.contains("unknown key `titel`")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("`severity`")), "{e:?}");
        let e = errors("value", "title: T\ntype: number\noptions: {five: 5}\n");
        assert!(e.iter().any(|m| m.contains("`options` lacks the required key") && m.contains("default")), "{e:?}");
    }

    #[test]
    fn pointer_finds_nested_nodes() {
        let n = yaml::parse("a:\n  b:\n    - x\n    - y\n").unwrap();
        assert_eq!(node_at(&n, "/a/b/1").pos, Pos::new(4, 7));
        assert_eq!(key_pos(node_at(&n, "/a"), "b"), Some(Pos::new(2, 3)));
    }
}
