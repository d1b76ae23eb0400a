//! User documentation generated from the content tree itself:
//! `docs/templates.md` lists every template with its parameters and every
//! platform. A test keeps the page in step with the sources.

use crate::model::{ParamDecl, PlatformDef, Template};
use std::fmt::Write as _;

fn show(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn param_row(p: &ParamDecl) -> String {
    let req = if p.required { "yes" } else { "no" };
    let default = p.default.as_ref().map(show).unwrap_or_default();
    let allowed = p.allowed.as_ref().map(|a| a.iter().map(show).collect::<Vec<_>>().join(", ")).unwrap_or_default();
    format!(
        "| `{}` | {} | {req} | {default} | {allowed} | {} |\n",
        p.name,
        p.ty.name(),
        p.description.replace('|', "\\|")
    )
}

pub fn templates_page(templates: &[Template], platforms: &[PlatformDef]) -> String {
    let mut s = String::from(
        "# Templates and platforms\n\n\
         Generated from `templates/*/template.yml` and `applicability/*.yml`; a test\n\
         fails when this page is stale (regenerate with\n\
         `SCAPC_BLESS=1 cargo test -p scapc --test docs`). The source format is in\n\
         [format.md](format.md).\n\n## Templates\n\n",
    );
    let mut ts: Vec<&Template> = templates.iter().collect();
    ts.sort_by(|a, b| a.name.cmp(&b.name));
    for t in ts {
        let _ = writeln!(s, "### `{}`\n\n{}\n", t.name, t.description.trim());
        let langs: Vec<&str> = t.languages.keys().map(String::as_str).collect();
        let _ = writeln!(s, "Languages: {}.\n", langs.join(", "));
        s.push_str("| parameter | type | required | default | allowed | meaning |\n|---|---|---|---|---|---|\n");
        for p in &t.params {
            s.push_str(&param_row(p));
        }
        if !t.derived.is_empty() {
            s.push_str("\nDerived: ");
            let d: Vec<String> = t.derived.iter().map(|(k, e)| format!("`{k} = {}`", e.value)).collect();
            s.push_str(&d.join(", "));
            s.push('\n');
        }
        // An example using the required parameters.
        let _ = writeln!(s, "\n```yaml\ntemplate:\n  name: {}\n  vars:", t.name);
        for p in t.params.iter().filter(|p| p.required) {
            let example = match p.ty {
                crate::model::ParamType::Integer => "0".to_owned(),
                crate::model::ParamType::Boolean => "true".to_owned(),
                crate::model::ParamType::List => "[a, b]".to_owned(),
                crate::model::ParamType::String => format!("<{}>", p.name),
            };
            let _ = writeln!(s, "    {}: {example}", p.name);
        }
        s.push_str("```\n\n");
    }
    s.push_str("## Platforms\n\nUse them in `platform:` expressions, e.g. `package[openssh-server] and not container`.\n\n| platform | argument | title | meaning |\n|---|---|---|---|\n");
    let mut ps: Vec<&PlatformDef> = platforms.iter().collect();
    ps.sort_by(|a, b| a.name.cmp(&b.name));
    for p in ps {
        let arg = if p.parametrized { "required" } else { "none" };
        let _ = writeln!(
            s,
            "| `{}` | {arg} | {} | {} |",
            p.name,
            p.title.replace('|', "\\|"),
            p.description.trim().replace('\n', " ").replace('|', "\\|")
        );
    }
    s
}
