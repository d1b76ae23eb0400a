//! ComplianceAsCode's templates (`shared/templates/<name>/<lang>.template`):
//! the preparation of a rule's template variables that CaC does in each
//! template's `template.py`, declared here as data
//! (`cac_preprocess.yml`: defaults, derived values, checks), and the
//! rendering of one language file with the context CaC gives it.

use crate::jinja::{eval_own_expr, Jinja, RenderError};
use minijinja::Value;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The preprocessing steps of every template, embedded at build time.
const STEPS_SOURCE: &str = include_str!("cac_preprocess.yml");

/// One step of a template's preprocessing.
#[derive(Debug, Clone)]
struct Step {
    /// Jinja expression; the step runs only when it is true.
    cond: Option<String>,
    /// (variable, Jinja expression), in order.
    set: Vec<(String, String)>,
    /// Jinja expression giving the error message.
    error: Option<String>,
}

fn steps() -> &'static BTreeMap<String, Vec<Step>> {
    static STEPS: OnceLock<BTreeMap<String, Vec<Step>>> = OnceLock::new();
    STEPS.get_or_init(|| parse_steps(STEPS_SOURCE).expect("cac_preprocess.yml is checked by a unit test"))
}

fn parse_steps(src: &str) -> Result<BTreeMap<String, Vec<Step>>, String> {
    let doc = crate::yaml::parse(src).map_err(|e| format!("line {}: {}", e.pos.line, e.message))?;
    let mut out = BTreeMap::new();
    for (name, list) in doc.as_map().ok_or("not a mapping")? {
        let name = name.as_str().ok_or("a template name is not a string")?.to_owned();
        let mut steps = Vec::new();
        for item in list.as_seq().ok_or_else(|| format!("{name}: not a list of steps"))? {
            let mut step = Step { cond: None, set: Vec::new(), error: None };
            for (k, v) in item.as_map().ok_or_else(|| format!("{name}: a step is not a mapping"))? {
                match k.as_str() {
                    Some("if") => step.cond = v.as_str().map(str::to_owned),
                    Some("error") => step.error = v.as_str().map(str::to_owned),
                    Some("set") => {
                        for (var, expr) in v.as_map().ok_or_else(|| format!("{name}: `set` is not a mapping"))? {
                            let var = var.as_str().ok_or_else(|| format!("{name}: a variable name is not a string"))?;
                            let expr = expr.as_str().ok_or_else(|| format!("{name}: `{var}` is not an expression"))?;
                            step.set.push((var.to_owned(), expr.to_owned()));
                        }
                    }
                    other => return Err(format!("{name}: unknown step key {other:?}")),
                }
            }
            if step.set.is_empty() == step.error.is_none() {
                return Err(format!("{name}: a step needs exactly one of `set` and `error`"));
            }
            steps.push(step);
        }
        out.insert(name, steps);
    }
    Ok(out)
}

/// Whether scapc knows the preprocessing of template `name` (templates
/// without a `template.py` in CaC pass their variables through and need no
/// entry).
pub fn has_steps(name: &str) -> bool {
    steps().contains_key(name)
}

/// CaC's YAML reader keeps `true`/`false` as strings; scapc's YAML gives
/// booleans, turned back here so templates see what CaC's do.
fn cac_value(v: &J) -> J {
    match v {
        J::Bool(b) => J::String(b.to_string()),
        J::Array(a) => J::Array(a.iter().map(cac_value).collect()),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), cac_value(v))).collect()),
        other => other.clone(),
    }
}

/// YAML 1.1's boolean words.
pub fn yaml11_bool(t: &str) -> Option<bool> {
    match t {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y" | "Y" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n" | "N" => Some(false),
        _ => None,
    }
}

/// A rule's `template: vars:` mapping read as CaC's YAML reader reads it
/// (see [`crate::jinja::cac::yaml_to_json`]).
pub fn vars_from_yaml(node: &crate::yaml::Node) -> serde_json::Map<String, J> {
    match crate::jinja::cac::yaml_to_json(node) {
        J::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// A template's variables for one language, as CaC's `template.py` leaves
/// them, names upper-cased: `vars` are the rule's `template: vars:` with
/// product-qualified keys (`key@product`) already resolved.
pub fn preprocess(
    template: &str,
    vars: &serde_json::Map<String, J>,
    rule_id: &str,
    lang: &str,
) -> Result<BTreeMap<String, Value>, String> {
    let mut ctx: BTreeMap<String, Value> =
        vars.iter().map(|(k, v)| (k.clone(), Value::from_serialize(cac_value(v)))).collect();
    ctx.insert("_rule_id".into(), Value::from(rule_id));
    let mut eval_map = ctx.clone();
    eval_map.insert("lang".into(), Value::from(lang));
    // The expressions see a map value, made again after each variable a
    // step sets (each expression would otherwise convert the whole map).
    let mut eval_ctx = Value::from(eval_map.clone());
    for step in steps().get(template).map(Vec::as_slice).unwrap_or_default() {
        if let Some(c) = &step.cond {
            let v = eval_own_expr(c, &eval_ctx).map_err(|e| step_error(template, c, &e))?;
            if !v.is_true() {
                continue;
            }
        }
        if let Some(msg) = &step.error {
            let m = eval_own_expr(msg, &eval_ctx).map_err(|e| step_error(template, msg, &e))?;
            return Err(format!("template `{template}`, rule `{rule_id}`: {m}"));
        }
        for (var, expr) in &step.set {
            let v = eval_own_expr(expr, &eval_ctx).map_err(|e| step_error(template, expr, &e))?;
            eval_map.insert(var.clone(), v.clone());
            eval_ctx = Value::from(eval_map.clone());
            ctx.insert(var.clone(), v);
        }
    }
    Ok(ctx.into_iter().map(|(k, v)| (k.to_uppercase(), v)).collect())
}

fn step_error(template: &str, expr: &str, e: &RenderError) -> String {
    format!("template `{template}`: preprocessing `{expr}` failed: {}", e.message)
}

/// What a rule gives a CaC template besides its variables.
#[derive(Debug, Clone, Default)]
pub struct RuleContext {
    pub id: String,
    pub title: String,
    /// The product being built (CaC's `products` variable).
    pub product: String,
    /// The rule's identifiers for this product, e.g. {"cce": "CCE-1234-5"}.
    pub cce_identifiers: BTreeMap<String, String>,
}

/// Renders one language file (`source`, named `file` in errors) of CaC
/// template `template` for a rule: the product's variables (the
/// environment's globals), the rule's context and the preprocessed,
/// upper-cased template variables.
pub fn render(
    jinja: &Jinja,
    template: &str,
    lang: &str,
    file: &str,
    source: &str,
    vars: &serde_json::Map<String, J>,
    rule: &RuleContext,
) -> Result<String, RenderError> {
    // The same for every product: shared in a build of several.
    let params = if jinja.shares() {
        let vars_text = serde_json::to_string(vars).unwrap_or_default();
        let key = format!("{template}\u{1f}{lang}\u{1f}{}\u{1f}{vars_text}", rule.id);
        let p = jinja.by_text("template-parameters", &key, || preprocess(template, vars, &rule.id, lang));
        p.as_ref().clone()
    } else {
        preprocess(template, vars, &rule.id, lang)
    };
    let params = params.map_err(|message| RenderError { in_template: None, line: None, col: None, message })?;
    let mut ctx: BTreeMap<String, Value> = BTreeMap::new();
    ctx.insert("rule_id".into(), Value::from(rule.id.clone()));
    ctx.insert("rule_title".into(), Value::from(rule.title.clone()));
    ctx.insert("products".into(), Value::from(rule.product.clone()));
    if !rule.cce_identifiers.is_empty() {
        ctx.insert("cce_identifiers".into(), Value::from_serialize(&rule.cce_identifiers));
    }
    ctx.extend(params);
    jinja.render(file, source, &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(v: serde_json::Value) -> serde_json::Map<String, J> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn steps_parse() {
        let s = parse_steps(STEPS_SOURCE).unwrap();
        assert!(s.len() > 40, "{}", s.len());
    }

    #[test]
    fn sysctl_derives_its_parameters() {
        let p = preprocess(
            "sysctl",
            &vars(
                serde_json::json!({"sysctlvar": "net.ipv6.conf.all.forwarding", "datatype": "int", "sysctlval": "0"}),
            ),
            "sysctl_x",
            "oval",
        )
        .unwrap();
        assert_eq!(p["SYSCTLID"].as_str(), Some("net_ipv6_conf_all_forwarding"));
        assert_eq!(p["IPV6"].as_str(), Some("true"));
        assert_eq!(p["OPERATION"].as_str(), Some("equals"));
        assert_eq!(p["SYSCTL_WRONG_VALUE"].as_str(), Some("1"));
        assert_eq!(p["_RULE_ID"].as_str(), Some("sysctl_x"));
    }

    #[test]
    fn file_permissions_modes() {
        let v = vars(serde_json::json!({"filepath": "/etc/passwd", "filemode": "0644"}));
        let p = preprocess("file_permissions", &v, "file_permissions_etc_passwd", "bash").unwrap();
        assert_eq!(p["FILEMODE"].as_str(), Some("u-xs,g-xws,o-xwt"));
        assert_eq!(p["SEARCH_MODE"].as_str(), Some("u+xs,g+xws,o+xwt"));
        assert_eq!(p["FILEPATH"].len(), Some(1));
        let p = preprocess("file_permissions", &v, "file_permissions_etc_passwd", "oval").unwrap();
        assert_eq!(p["FILEID"].as_str(), Some("_etc_passwd"));
        assert!(p["STATEMODE"].as_str().unwrap().starts_with("<unix:suid datatype=\"boolean\">false</unix:suid>\n"));
        assert!(!p["STATEMODE"].as_str().unwrap().contains(">true<"));
    }

    #[test]
    fn errors_name_the_rule() {
        let v = vars(serde_json::json!({"parameter": "x", "value": "1", "xccdf_variable": "var_x"}));
        let e = preprocess("key_value_pair_in_file", &v, "r1", "bash").unwrap_err();
        assert!(e.contains("r1") && e.contains("both"), "{e}");
        let v = vars(serde_json::json!({"filepath": "/x", "exists": "maybe"}));
        let e = preprocess("file_existence", &v, "r2", "bash").unwrap_err();
        assert!(e.contains("maybe"), "{e}");
    }
}
