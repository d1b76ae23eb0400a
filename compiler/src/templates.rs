//! Template instantiation: check a rule's `template.vars` against the
//! template's declared parameters, compute derived parameters, and render
//! each language file. ComplianceAsCode's templates, whose parameters are
//! prepared by steps declared as data, are in [`cac`].

pub mod cac;

use crate::codes;
use crate::jinja::Jinja;
use crate::model::{ParamType, Rule, Template};
use crate::source::suggest;
use minijinja::Value as JValue;
use scapc_diagnostics::{Diagnostic, Location};
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The language of a rule-local file or a template's output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lang {
    Oval,
    Bash,
    Ansible,
    Sce,
    /// A language scapc renders but does not emit (a template may declare
    /// any).
    Other(String),
}

impl Lang {
    /// The language a template declares by this name.
    pub fn of(name: &str) -> Lang {
        match name {
            "oval" => Lang::Oval,
            "bash" => Lang::Bash,
            "ansible" => Lang::Ansible,
            "sce" => Lang::Sce,
            other => Lang::Other(other.to_owned()),
        }
    }
}

/// Text a rule gets in one language, and the file it came from (for errors).
#[derive(Debug, Clone)]
pub struct Artifact {
    pub lang: Lang,
    pub file: PathBuf,
    pub text: String,
}

fn convert(v: &J, ty: ParamType) -> Result<J, String> {
    match ty {
        ParamType::String => match v {
            J::String(_) => Ok(v.clone()),
            J::Number(n) => Ok(J::String(n.to_string())),
            J::Bool(b) => Ok(J::String(b.to_string())),
            other => Err(format!("expected a string, found {}", kind(other))),
        },
        ParamType::Integer => match v {
            J::Number(n) if n.is_i64() => Ok(v.clone()),
            J::String(s) => {
                s.trim().parse::<i64>().map(J::from).map_err(|_| format!("expected an integer, found `{s}`"))
            }
            other => Err(format!("expected an integer, found {}", kind(other))),
        },
        ParamType::Boolean => match v {
            J::Bool(_) => Ok(v.clone()),
            J::String(s) if s == "true" || s == "false" => Ok(J::Bool(s == "true")),
            other => Err(format!("expected true or false, found {}", kind(other))),
        },
        ParamType::List => match v {
            J::Array(_) => Ok(v.clone()),
            J::String(_) | J::Number(_) | J::Bool(_) => Ok(J::Array(vec![v.clone()])),
            other => Err(format!("expected a list, found {}", kind(other))),
        },
    }
}

fn kind(v: &J) -> &'static str {
    match v {
        J::Null => "nothing",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a mapping",
    }
}

fn show(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders every language of `tmpl` for `rule`, skipping `skip` (languages
/// the rule provides itself or switched off).
pub fn instantiate(
    jinja: &Jinja,
    tmpl: &Template,
    rule: &Rule,
    skip: &[Lang],
    diags: &mut Vec<Diagnostic>,
) -> Vec<Artifact> {
    let use_ = rule.template.as_ref().expect("rule has a template");
    let before = diags.len();
    let mut ctx: BTreeMap<String, JValue> = BTreeMap::new();
    let names: Vec<&str> = tmpl.params.iter().map(|p| p.name.as_str()).collect();
    // A missing parameter that was suggested for a misspelt one is the same
    // mistake: report it once.
    let mut suggested: Vec<&str> = Vec::new();
    for (k, v) in &use_.vars {
        if !names.contains(&k.as_str()) {
            let mut d =
                Diagnostic::error(codes::TEMPLATE_PARAM, format!("template `{}` has no parameter `{k}`", tmpl.name))
                    .at(v.loc.clone())
                    .related(Location::file(&tmpl.file), "parameters are declared here");
            d = match suggest(k, &names) {
                Some(s) => {
                    suggested.push(s);
                    d.hint(format!("did you mean `{s}`?"))
                }
                None => d.hint(format!("its parameters are: {}", names.join(", "))),
            };
            diags.push(d);
        }
    }
    for p in &tmpl.params {
        let value = match use_.vars.get(&p.name) {
            Some(v) if !v.value.is_null() => match convert(&v.value, p.ty) {
                Ok(x) => Some((x, Some(v.loc.clone()))),
                Err(msg) => {
                    diags.push(
                        Diagnostic::error(
                            codes::TEMPLATE_PARAM,
                            format!("parameter `{}` of template `{}`: {msg}", p.name, tmpl.name),
                        )
                        .at(v.loc.clone())
                        .hint(format!("`{}` is declared as {}", p.name, p.ty.name())),
                    );
                    continue;
                }
            },
            _ => p.default.as_ref().map(|d| (convert(d, p.ty).unwrap_or_else(|_| d.clone()), None)),
        };
        match value {
            None if p.required && suggested.contains(&p.name.as_str()) => {}
            None if p.required => {
                diags.push(
                    Diagnostic::error(
                        codes::TEMPLATE_PARAM,
                        format!(
                            "template `{}` needs parameter `{}`, which rule `{}` does not give",
                            tmpl.name, p.name, rule.id
                        ),
                    )
                    .at(use_.name.loc.clone())
                    .hint(format!("add `{}:` under `template.vars`", p.name)),
                );
            }
            None => {
                ctx.insert(p.name.clone(), JValue::from(()));
            }
            Some((v, loc)) => {
                if let Some(allowed) = &p.allowed {
                    if !allowed.iter().any(|a| show(a) == show(&v)) {
                        let mut d = Diagnostic::error(
                            codes::TEMPLATE_PARAM,
                            format!("`{}` is not an allowed value of parameter `{}`", show(&v), p.name),
                        )
                        .hint(format!("allowed: {}", allowed.iter().map(show).collect::<Vec<_>>().join(", ")));
                        d.location = Some(loc.unwrap_or_else(|| Location::file(&tmpl.file)));
                        diags.push(d);
                    }
                }
                ctx.insert(p.name.clone(), JValue::from_serialize(&v));
            }
        }
    }
    if diags.len() > before {
        return Vec::new();
    }
    ctx.insert("rule_id".into(), JValue::from(rule.id.clone()));
    ctx.insert("rule_title".into(), JValue::from(rule.title.clone()));
    for (name, expr) in &tmpl.derived {
        match jinja.eval_expr(&expr.value, &ctx) {
            Ok(v) => {
                ctx.insert(name.clone(), v);
            }
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        codes::JINJA,
                        format!(
                            "derived parameter `{name}` of template `{}`: {} (while rendering for rule `{}`)",
                            tmpl.name, e.message, rule.id
                        ),
                    )
                    .at(expr.loc.clone())
                    .related(use_.name.loc.clone(), "the rule that uses the template"),
                );
                return Vec::new();
            }
        }
    }
    let mut out = Vec::new();
    for (lang, (file, src)) in &tmpl.languages {
        let kind = Lang::of(lang);
        if skip.contains(&kind) || use_.disabled.contains(lang) {
            continue;
        }
        match jinja.render(&file.display().to_string(), src, &ctx) {
            Ok(text) => out.push(Artifact { lang: kind, file: file.clone(), text }),
            Err(e) => {
                let loc = match (&e.in_template, e.line) {
                    (Some(t), Some(l)) => Location::at(PathBuf::from(t), l, e.col.unwrap_or(1)),
                    (None, Some(l)) => Location::at(file, l, e.col.unwrap_or(1)),
                    _ => Location::file(file),
                };
                diags.push(
                    Diagnostic::error(
                        codes::JINJA,
                        format!("{} (while rendering template `{}` for rule `{}`)", e.message, tmpl.name, rule.id),
                    )
                    .at(loc)
                    .related(use_.name.loc.clone(), "the rule that uses the template"),
                );
            }
        }
    }
    out
}
