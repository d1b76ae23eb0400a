//! Fuzz target `yaml_jinja`: the compiler's source reading on an in-memory
//! file, as `load` does it for a rule.yml: Jinja rendering with the CaC
//! delimiters, the bundled macro library and the Debian 12 product
//! variables; the map from rendered lines back to source lines; the YAML
//! reader with positions and budgeted aliases; typed key access that
//! records diagnostics. The raw text is also read as YAML directly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scapc_compiler::jinja::Jinja;
use scapc_compiler::source::{Doc, LineMap};
use scapc_compiler::yaml::{self, Node};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The bundled macro library, as `load::load_macros` names it.
const MACROS: [(&str, &str); 3] = [
    ("macros/ansible.jinja", include_str!("../../macros/ansible.jinja")),
    ("macros/bash.jinja", include_str!("../../macros/bash.jinja")),
    ("macros/oval.jinja", include_str!("../../macros/oval.jinja")),
];

const PRODUCT: &str = include_str!("../../products/debian12/product.yml");

fn jinja() -> &'static Jinja {
    static J: OnceLock<Jinja> = OnceLock::new();
    J.get_or_init(|| {
        // The product variables, as `load::load_product` makes them: every
        // top-level key of product.yml, plus `product`.
        let mut vars = BTreeMap::new();
        if let Ok(Node { value: yaml::Value::Map(m), .. }) = yaml::parse(PRODUCT) {
            for (k, v) in &m {
                if let Some(k) = k.as_str() {
                    vars.insert(k.to_owned(), v.to_json());
                }
            }
        }
        vars.insert("product".to_owned(), serde_json::Value::String("debian12".into()));
        let macros: Vec<(String, String)> = MACROS.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        Jinja::new(&macros, &vars).unwrap_or_else(|(n, e)| panic!("the bundled macro {n} does not load: {e:?}"))
    })
}

/// Walks a node the way the loaders do: typed access through `Doc`.
fn visit(doc: &mut Doc<'_>, n: &Node, depth: usize) {
    let _ = n.to_json();
    let _ = (n.kind(), n.as_bool(), n.as_i64(), n.is_null());
    let _ = doc.as_string(n, "a value");
    if depth > 8 {
        return;
    }
    if let Some(f) = doc.mapping(n, "rule.yml", &[]) {
        let _ = doc.locs(&f);
        for k in f.order.clone() {
            let _ = f.key_pos(&k);
            let _ = doc.string_list(&f, &k, "rule.yml");
            let _ = doc.boolean(&f, &k, "rule.yml");
            if let Some(child) = f.get(&k) {
                visit(doc, child, depth + 1);
            }
        }
    } else if let Some(items) = n.as_seq() {
        for it in items {
            visit(doc, it, depth + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let path = Path::new("rules/fuzz/rule.yml");
    let mut ctx = BTreeMap::new();
    ctx.insert("rule_id".to_owned(), minijinja::Value::from("fuzz"));
    let rendered = match jinja().render("rules/fuzz/rule.yml", src, &ctx) {
        Ok(r) => r,
        Err(e) => {
            let _ = (e.line, e.col, e.message.len(), e.in_template);
            src.to_owned()
        }
    };
    let lines = LineMap::between(src, &rendered);
    let mut doc = Doc::new(path, lines.clone(), "debian12");
    if let Some(node) = doc.parse_yaml(&rendered) {
        let _ = lines.source_pos(node.pos);
        visit(&mut doc, &node, 0);
    }
    for d in &doc.diags {
        let _ = format!("{d:?}");
    }
    if rendered != src {
        let _ = yaml::parse(src);
    }
    let _ = jinja().eval_expr(src.lines().next().unwrap_or(""), &ctx);
});
