//! XCCDF 1.2 benchmark emitter.

use crate::codes;
use crate::compile::{Compiled, Fix};
use crate::model::{loc_of, Group, Layout, Rule, XValue};
use crate::oval::{Kind, NS_DEF};
use crate::platform::Expr;
use crate::text::{text_with_subs, xhtml};
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location};
use scapc_xml::{escape_attr, escape_text};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

pub const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const NS_HTML: &str = "http://www.w3.org/1999/xhtml";
pub const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";
pub const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
pub const SYS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2";
pub const SYS_SCE: &str = "http://open-scap.org/page/SCE";

const P: &str = "xccdf-1.2:";

struct Out<'a> {
    c: &'a Compiled,
    ocil_ids: &'a BTreeMap<String, String>,
}

fn el(out: &mut String, indent: usize, name: &str, attrs: &[(&str, &str)], raw: &str) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(P);
    out.push_str(name);
    for (k, v) in attrs {
        let _ = write!(out, " {k}=\"{}\"", escape_attr(v));
    }
    let _ = writeln!(out, ">{raw}</{P}{name}>");
}

fn empty(out: &mut String, indent: usize, name: &str, attrs: &[(&str, &str)]) {
    for _ in 0..indent {
        out.push_str("  ");
    }
    out.push('<');
    out.push_str(P);
    out.push_str(name);
    for (k, v) in attrs {
        let _ = write!(out, " {k}=\"{}\"", escape_attr(v));
    }
    out.push_str("/>\n");
}

fn pad(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

impl Out<'_> {
    fn prose(&self, text: &str, field: &str, loc: Location, diags: &mut Vec<Diagnostic>) -> String {
        let vref = |id: &str| self.c.value_idref(id);
        match xhtml(text, &vref) {
            Ok(s) => s,
            Err(e) => {
                diags.push(
                    Diagnostic::error(codes::XML, format!("`{field}` is not well-formed XHTML: {e}"))
                        .at(loc)
                        .hint("close every tag and write a literal `&` or `<` as `&amp;` or `&lt;`"),
                );
                escape_text(text).into_owned()
            }
        }
    }

    fn fix(&self, out: &mut String, indent: usize, rule: &Rule, system: &str, fix: &Fix) {
        let a = &fix.attrs;
        let mut attrs: Vec<(&str, &str)> = vec![("system", system), ("id", &rule.id)];
        if self.c.product.layout == crate::model::Layout::Cac {
            // CaC's fixes come wrapped in their platform conditionals, with
            // the attributes their header gives.
            for (k, v) in [
                ("complexity", &a.complexity),
                ("disruption", &a.disruption),
                ("reboot", &a.reboot),
                ("strategy", &a.strategy),
            ] {
                if let Some(v) = v {
                    attrs.push((k, v));
                }
            }
            let vref = |id: &str| self.c.value_idref(id);
            el(out, indent, "fix", &attrs, &text_with_subs(&fix.text, &vref));
            return;
        }
        attrs.push(("complexity", a.complexity.as_deref().unwrap_or("low")));
        attrs.push(("disruption", a.disruption.as_deref().unwrap_or("low")));
        attrs.push(("reboot", a.reboot.as_deref().unwrap_or("false")));
        attrs.push(("strategy", a.strategy.as_deref().unwrap_or("unknown")));
        let vref = |id: &str| self.c.value_idref(id);
        let mut body = String::new();
        if system.ends_with(":sh") {
            if let Some(cond) = self.bash_condition(rule) {
                body.push_str(&format!(
                    "if {cond}; then\n\n{}\nelse\n    >&2 echo 'Remediation is not applicable, nothing was done'\nfi\n",
                    fix.text.trim_end()
                ));
            }
        }
        if system.ends_with(":ansible") {
            if let Some(cond) = self.ansible_condition(rule) {
                body = guard_ansible(&fix.text, &crate::text::plain(&rule.title), &cond);
            }
        }
        if body.is_empty() {
            body = fix.text.clone();
        }
        el(out, indent, "fix", &attrs, &text_with_subs(&body, &vref));
    }

    /// The rule's applicability as one expression (its platforms or-ed).
    fn applicability(&self, rule: &Rule) -> Option<Expr> {
        let ids = &self.c.rules[&rule.id].platforms;
        let mut exprs: Vec<Expr> = ids.iter().filter_map(|p| self.c.platforms.get(p).cloned()).collect();
        match exprs.len() {
            0 => None,
            1 => exprs.pop(),
            _ => Some(Expr::Or(exprs)),
        }
    }

    fn ansible_condition(&self, rule: &Rule) -> Option<String> {
        let expr = &self.applicability(rule)?;
        let instances = &self.c.instances;
        let cond = |name: &str, arg: Option<&str>| -> Option<String> {
            instances.get(&crate::platform::instance_id(name, arg))?.ansible.clone()
        };
        expr.ansible(&cond)
    }

    fn bash_condition(&self, rule: &Rule) -> Option<String> {
        let expr = &self.applicability(rule)?;
        let instances = &self.c.instances;
        let cond = |name: &str, arg: Option<&str>| -> Option<String> {
            instances.get(&crate::platform::instance_id(name, arg))?.bash.clone()
        };
        expr.bash(&cond)
    }

    fn rule(&self, rule: &Rule, indent: usize, diags: &mut Vec<Diagnostic>) -> String {
        let c = self.c;
        let ro = &c.rules[&rule.id];
        let mut out = String::with_capacity(4096);
        pad(&mut out, indent);
        let _ = writeln!(
            out,
            "<{P}Rule id=\"{}\" selected=\"false\" severity=\"{}\" weight=\"1.0\" role=\"full\">",
            c.rule_idref(&rule.id),
            rule.severity.as_str()
        );
        let i = indent + 1;
        el(&mut out, i, "title", &[], &escape_text(&crate::text::plain(&rule.title)));
        el(
            &mut out,
            i,
            "description",
            &[],
            &self.prose(&rule.description, "description", loc_of(&rule.locs, "description", &rule.file), diags),
        );
        for (cat, text) in &rule.warnings {
            let cat = warning_category(cat);
            el(
                &mut out,
                i,
                "warning",
                &[("category", cat)],
                &self.prose(text, "warnings", loc_of(&rule.locs, "warnings", &rule.file), diags),
            );
        }
        for (scheme, ids) in &rule.references {
            for id in ids {
                let href = reference_href(&c.product.reference_uris, scheme, id);
                match href {
                    Some(h) => el(&mut out, i, "reference", &[("href", h)], &escape_text(id)),
                    None => el(&mut out, i, "reference", &[], &escape_text(&format!("{scheme}: {id}"))),
                }
            }
        }
        if !rule.rationale.is_empty() {
            el(
                &mut out,
                i,
                "rationale",
                &[],
                &self.prose(&rule.rationale, "rationale", loc_of(&rule.locs, "rationale", &rule.file), diags),
            );
        }
        for p in &ro.platforms {
            empty(&mut out, i, "platform", &[("idref", &format!("#{p}"))]);
        }
        for r in &rule.requires {
            empty(&mut out, i, "requires", &[("idref", &c.rule_idref(r))]);
        }
        for r in &rule.conflicts {
            empty(&mut out, i, "conflicts", &[("idref", &c.rule_idref(r))]);
        }
        for ident in &rule.identifiers {
            let (scheme, id) = &ident.value;
            let system = match scheme.as_str() {
                // CaC's build names NIST's CCE site; SP 800-126r3 and
                // scapc's own products use the MITRE URI.
                "cce" if c.product.layout == crate::model::Layout::Cac => "https://ncp.nist.gov/cce",
                "cce" => "http://cce.mitre.org",
                "cve" => "http://cve.mitre.org",
                other => other,
            };
            el(&mut out, i, "ident", &[("system", system)], &escape_text(id));
        }
        // CaC's `fixtext` is for its STIG exports: its XCCDF has none.
        let fixtext = rule.fixtext.as_ref().filter(|_| c.product.layout != crate::model::Layout::Cac);
        if let Some(ft) = fixtext {
            el(
                &mut out,
                i,
                "fixtext",
                &[],
                &self.prose(ft, "fixtext", loc_of(&rule.locs, "fixtext", &rule.file), diags),
            );
        }
        if let Some(f) = &ro.bash {
            self.fix(&mut out, i, rule, "urn:xccdf:fix:script:sh", f);
        }
        if let Some(f) = &ro.ansible {
            self.fix(&mut out, i, rule, "urn:xccdf:fix:script:ansible", f);
        }
        for (system, f) in &ro.other_fixes {
            self.fix(&mut out, i, rule, system, f);
        }
        // CaC's build writes the SCE check first (its `to_xml_element`).
        let cac = c.product.layout == crate::model::Layout::Cac;
        if cac {
            self.sce_check(&mut out, i, ro);
        }
        if ro.oval {
            pad(&mut out, i);
            let _ = writeln!(out, "<{P}check system=\"{NS_DEF}\">");
            for v in &ro.exports {
                if let Some(var) = c.oval.id(Kind::Var, v) {
                    empty(&mut out, i + 1, "check-export", &[("export-name", var), ("value-id", &c.value_idref(v))]);
                }
            }
            let def = c.oval.id(Kind::Def, &rule.id).unwrap_or_default();
            empty(&mut out, i + 1, "check-content-ref", &[("href", &c.file_name("oval")), ("name", def)]);
            pad(&mut out, i);
            let _ = writeln!(out, "</{P}check>");
        }
        if let Some((name, _)) = &ro.external_oval {
            // SCAP 1.3 (3.2.4.3): a patch feed's many definitions, so multi-check.
            pad(&mut out, i);
            let _ = writeln!(out, "<{P}check system=\"{NS_DEF}\" multi-check=\"true\">");
            empty(&mut out, i + 1, "check-content-ref", &[("href", name)]);
            pad(&mut out, i);
            let _ = writeln!(out, "</{P}check>");
        }
        if !cac {
            self.sce_check(&mut out, i, ro);
        }
        if ro.ocil {
            pad(&mut out, i);
            let _ = writeln!(out, "<{P}check system=\"{SYS_OCIL}\">");
            let q = &self.ocil_ids[&rule.id];
            empty(&mut out, i + 1, "check-content-ref", &[("href", &c.file_name("ocil")), ("name", q)]);
            pad(&mut out, i);
            let _ = writeln!(out, "</{P}check>");
        }
        pad(&mut out, indent);
        let _ = writeln!(out, "</{P}Rule>");
        out
    }

    fn sce_check(&self, out: &mut String, i: usize, ro: &crate::compile::RuleOut) {
        let c = self.c;
        if let (Some(s), true) = (&ro.sce, c.sce) {
            pad(out, i);
            let _ = writeln!(out, "<{P}check system=\"{SYS_SCE}\">");
            for imp in &s.imports {
                empty(out, i + 1, "check-import", &[("import-name", imp)]);
            }
            for (v, name) in &s.exports {
                empty(out, i + 1, "check-export", &[("export-name", name), ("value-id", &c.value_idref(v))]);
            }
            empty(out, i + 1, "check-content-ref", &[("href", &s.href)]);
            pad(out, i);
            let _ = writeln!(out, "</{P}check>");
        }
    }

    fn value(&self, v: &XValue, indent: usize, diags: &mut Vec<Diagnostic>) -> String {
        let mut out = String::new();
        pad(&mut out, indent);
        let _ = writeln!(
            out,
            "<{P}Value id=\"{}\" type=\"{}\" operator=\"{}\" interactive=\"{}\">",
            self.c.value_idref(&v.id),
            v.ty.xccdf(),
            v.operator,
            v.interactive
        );
        el(&mut out, indent + 1, "title", &[], &escape_text(&v.title));
        el(
            &mut out,
            indent + 1,
            "description",
            &[],
            &self.prose(&v.description, "description", loc_of(&v.locs, "description", &v.file), diags),
        );
        for (cat, text) in &v.warnings {
            el(
                &mut out,
                indent + 1,
                "warning",
                &[("category", warning_category(cat))],
                &self.prose(text, "warnings", loc_of(&v.locs, "warnings", &v.file), diags),
            );
        }
        for (sel, val) in &v.options {
            if sel == "default" {
                el(&mut out, indent + 1, "value", &[], &escape_text(val));
            }
        }
        for (sel, val) in &v.options {
            if sel != "default" {
                el(&mut out, indent + 1, "value", &[("selector", sel)], &escape_text(val));
            }
        }
        pad(&mut out, indent);
        let _ = writeln!(out, "</{P}Value>");
        out
    }

    /// Writes group `g` and what it holds to `out` (one buffer for the
    /// whole document: the rules are not copied once per enclosing group).
    fn group(&self, out: &mut String, g: &Group, indent: usize, children: &Children, diags: &mut Vec<Diagnostic>) {
        pad(out, indent);
        let _ = writeln!(out, "<{P}Group id=\"{}\">", self.c.group_idref(&g.id));
        el(out, indent + 1, "title", &[], &escape_text(&g.title));
        el(
            out,
            indent + 1,
            "description",
            &[],
            &self.prose(&g.description, "description", loc_of(&g.locs, "description", &g.file), diags),
        );
        for (cat, text) in &g.warnings {
            el(
                out,
                indent + 1,
                "warning",
                &[("category", warning_category(cat))],
                &self.prose(text, "warnings", loc_of(&g.locs, "warnings", &g.file), diags),
            );
        }
        for p in self.c.group_platforms.get(&g.id).into_iter().flatten() {
            empty(out, indent + 1, "platform", &[("idref", &format!("#{p}"))]);
        }
        for r in &g.requires {
            empty(out, indent + 1, "requires", &[("idref", &self.c.group_idref(r))]);
        }
        for r in &g.conflicts {
            empty(out, indent + 1, "conflicts", &[("idref", &self.c.group_idref(r))]);
        }
        self.items(out, Some(&g.id), indent + 1, children, diags);
        pad(out, indent);
        let _ = writeln!(out, "</{P}Group>");
    }

    /// Values, then groups and rules (XCCDF order) under `parent`.
    fn items(
        &self,
        out: &mut String,
        parent: Option<&String>,
        indent: usize,
        ch: &Children,
        diags: &mut Vec<Diagnostic>,
    ) {
        let key = parent.cloned().unwrap_or_default();
        let content = &self.c.content;
        for v in ch.values.get(&key).into_iter().flatten() {
            out.push_str(&self.value(&content.values[v], indent, diags));
        }
        if self.c.product.layout == crate::model::Layout::Cac {
            // CaC's order: in a group its rules, then its groups; in the
            // benchmark its groups, then its rules; each in CaC's priority
            // order (packages before what configures them), which decides
            // how `requires` and `conflicts` resolve and in what order fixes run.
            let none = Vec::new();
            let rules = ch.rules.get(&key).unwrap_or(&none);
            let groups = ch.groups.get(&key).unwrap_or(&none);
            let groups = if parent.is_none() {
                cac_order(groups, TOP_GROUP_ORDER, &|id| TOP_GROUP_ORDER.iter().any(|p| id.starts_with(p)))
            } else {
                cac_order(groups, GROUP_ORDER, &|id| GROUP_ORDER.iter().any(|p| id.starts_with(p)))
            };
            let rules = cac_order(rules, RULE_ORDER, &cac_rule_ordered);
            let rules_html: Vec<&str> = rules.iter().map(|r| &*ch.rendered[*r]).collect();
            let group_html = |out: &mut String, diags: &mut Vec<Diagnostic>| {
                for g in &groups {
                    self.group(out, &content.groups[*g], indent, ch, diags);
                }
            };
            if parent.is_some() {
                rules_html.iter().for_each(|r| out.push_str(r));
                group_html(out, diags);
            } else {
                group_html(out, diags);
                rules_html.iter().for_each(|r| out.push_str(r));
            }
            return;
        }
        // Groups and rules interleaved by id, as directories sort.
        let mut entries: Vec<(&String, bool)> = Vec::new();
        entries.extend(ch.groups.get(&key).into_iter().flatten().map(|g| (g, true)));
        entries.extend(ch.rules.get(&key).into_iter().flatten().map(|r| (r, false)));
        entries.sort();
        for (id, is_group) in entries {
            if is_group {
                self.group(out, &content.groups[id], indent, ch, diags);
            } else {
                out.push_str(&ch.rendered[id]);
            }
        }
    }
}

/// CaC's priorities for the groups of the benchmark, of a group, and for
/// the rules of a group (`ssg/build_yaml.py`).
const TOP_GROUP_ORDER: &[&str] = &["system", "services", "auditing"];
const GROUP_ORDER: &[&str] = &[
    "software",
    "integrity",
    "integrity-software",
    "rpm_verification",
    "accounts",
    "auditing",
    "fips",
    "crypto",
    "firewalld_activation",
    "ruleset_modifications",
    "disabling_ipv6",
    "configuring_ipv6",
];
const RULE_ORDER: &[&str] = &[
    "enable_authselect",
    "installed",
    "install_smartcard_packages",
    "removed",
    "enabled",
    "disabled",
    "sshd_include_crypto_policy",
    "sshd_set_keepalive_0",
    "sshd_set_keepalive",
    "sshd_set_idle_timeout",
    "chronyd_specify_remote_server",
    "argument",
];

/// Whether CaC orders a rule by [`RULE_ORDER`] at all (its pattern, matched
/// at the start of the id): packages installed or removed, services enabled
/// or disabled, smart card packages, sshd, chronyd's server, zipl arguments.
fn cac_rule_ordered(id: &str) -> bool {
    let after = |prefix: &str, parts: &[&str]| {
        id.strip_prefix(prefix).is_some_and(|rest| parts.iter().any(|p| rest.contains(p)))
    };
    after("package_", &["_installed", "_removed"])
        || after("service_", &["_enabled", "_disabled"])
        || id.starts_with("install_smartcard_packages")
        || id.starts_with("sshd_")
        || id.starts_with("chronyd_specify_remote_server")
        || id
            .strip_prefix("zipl_")
            .is_some_and(|rest| rest.ends_with("_argument") || rest.ends_with("_argument_absent"))
}

/// CaC's `reorder_according_to_ordering`: of the ids `ordered` picks, those
/// holding each priority in turn (in their order), then all the others
/// sorted.
fn cac_order<'a>(ids: &'a [String], priorities: &[&str], ordered: &dyn Fn(&str) -> bool) -> Vec<&'a String> {
    let candidates: Vec<&String> = ids.iter().filter(|i| ordered(i)).collect();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<&String> = Vec::with_capacity(ids.len());
    for p in priorities {
        for &i in &candidates {
            if i.contains(p) && taken.insert(i.as_str()) {
                out.push(i);
            }
        }
    }
    let mut rest: Vec<&String> = ids.iter().filter(|i| !taken.contains(i.as_str())).collect();
    rest.sort();
    out.extend(rest);
    out
}

/// The href of a reference: the scheme's URI, except that CaC's `srg`
/// holds OS, application and container SRGs, each with its own URI.
fn reference_href<'a>(uris: &'a BTreeMap<String, String>, scheme: &str, id: &str) -> Option<&'a str> {
    let key = if scheme == "srg" && uris.contains_key("os-srg") {
        if id.starts_with("SRG-OS-") {
            "os-srg"
        } else if id.starts_with("SRG-APP-") && id.contains("-CTR-") {
            "app-srg-ctr"
        } else if id.starts_with("SRG-APP-") {
            "app-srg"
        } else {
            scheme
        }
    } else {
        scheme
    };
    uris.get(key).map(String::as_str)
}

/// An XCCDF warning category; unknown ones become `general`.
fn warning_category(cat: &str) -> &str {
    match cat {
        "general" | "functionality" | "performance" | "hardware" | "legal" | "regulatory" | "management" | "audit"
        | "dependency" => cat,
        _ => "general",
    }
}

/// Wraps an ansible task list in a block that runs only where the rule's
/// platform applies. Package conditions need the package facts, so they
/// are gathered first.
fn guard_ansible(tasks: &str, title: &str, cond: &str) -> String {
    let mut out = String::new();
    if cond.contains("ansible_facts.packages") {
        out.push_str("- name: Gather the package facts\n  ansible.builtin.package_facts:\n    manager: auto\n\n");
    }
    let name = title.replace('\'', "''");
    out.push_str(&format!("- name: '{name}'\n  block:\n"));
    for line in tasks.lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str("    ");
            out.push_str(line);
            out.push('\n');
        }
    }
    out.push_str(&format!("  when: '{}'\n", cond.replace('\'', "''")));
    out
}

#[derive(Default)]
struct Children {
    groups: BTreeMap<String, Vec<String>>,
    rules: BTreeMap<String, Vec<String>>,
    values: BTreeMap<String, Vec<String>>,
    rendered: BTreeMap<String, std::sync::Arc<str>>,
}

fn logical_test(out: &mut String, indent: usize, expr: &Expr, negate: bool, c: &Compiled) {
    let (op, items): (&str, Vec<&Expr>) = match expr {
        Expr::And(v) => ("AND", v.iter().collect()),
        Expr::Or(v) => ("OR", v.iter().collect()),
        Expr::Not(inner) => {
            logical_test(out, indent, inner, !negate, c);
            return;
        }
        e @ Expr::Name { .. } => ("AND", vec![e]),
    };
    pad(out, indent);
    let _ = writeln!(out, "<cpe-lang:logical-test operator=\"{op}\" negate=\"{negate}\">");
    let mut items = items;
    if c.product.layout == crate::model::Layout::Cac {
        // CaC writes the logical tests before the fact references.
        items.sort_by_key(|e| matches!(e, Expr::Name { .. }));
    }
    for it in items {
        match it {
            Expr::Name { .. } => {
                let check = c.instance_of(it).map(|i| i.check.as_str()).unwrap_or_default();
                let def = c.cpe_oval.id(Kind::Def, check).unwrap_or_default();
                pad(out, indent + 1);
                let _ = writeln!(
                    out,
                    "<cpe-lang:check-fact-ref system=\"{NS_DEF}\" href=\"{}\" id-ref=\"{def}\"/>",
                    c.file_name("cpe-oval")
                );
            }
            other => logical_test(out, indent + 1, other, false, c),
        }
    }
    pad(out, indent);
    out.push_str("</cpe-lang:logical-test>\n");
}

/// A profile's refinements, one per rule (XCCDF allows one `refine-rule`
/// per rule and profile), in first-mention order; a later value of an
/// attribute replaces an earlier one.
fn merged_refines(refines: &[(String, String, String)]) -> Vec<(&str, Vec<(&str, &str)>)> {
    let mut out: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    for (rule, attr, val) in refines {
        let i = match out.iter().position(|(r, _)| r == rule) {
            Some(i) => i,
            None => {
                out.push((rule, Vec::new()));
                out.len() - 1
            }
        };
        let attrs = &mut out[i].1;
        match attrs.iter_mut().find(|(a, _)| a == attr) {
            Some(slot) => slot.1 = val,
            None => attrs.push((attr, val)),
        }
    }
    out
}

/// OCIL questionnaire id of every rule with an OCIL check.
/// A CaC tree gets CaC's ids (`ocil:ssg-<rule>_ocil:questionnaire:1`).
pub fn ocil_ids(c: &Compiled) -> BTreeMap<String, String> {
    let cac = c.product.layout == crate::model::Layout::Cac;
    c.rules
        .iter()
        .filter(|(_, r)| r.ocil)
        .enumerate()
        .map(|(n, (id, _))| {
            let q = if cac {
                format!("ocil:ssg-{id}_ocil:questionnaire:1")
            } else {
                format!("ocil:{}:questionnaire:{}", c.ns(), n + 1)
            };
            (id.clone(), q)
        })
        .collect()
}

/// Writes the benchmark document (with XML declaration).
pub fn emit(c: &Compiled, diags: &mut Vec<Diagnostic>) -> String {
    emit_memo(c, diags, &crate::incremental::Memo::default())
}

/// What a rule's XCCDF `<Rule>` is written from besides the rule's own
/// files (and the templates, product, platforms and macros, whose change
/// forgets the memo): its indentation, what linking made of it, what
/// resolution added to it, the OVAL and OCIL ids it names (numbered over
/// the whole product in scapc's layout) and its platforms' expressions.
#[derive(PartialEq)]
struct RuleInputs {
    indent: usize,
    out: crate::compile::RuleOut,
    references: Vec<(String, Vec<String>)>,
    title: String,
    severity: &'static str,
    ids: Vec<Option<String>>,
    platforms: Vec<Option<String>>,
}

/// [`emit`], each rule's `<Rule>` taken from `memo` when an earlier build
/// wrote it from equal inputs (`scapc build --watch`).
pub fn emit_memo(c: &Compiled, diags: &mut Vec<Diagnostic>, memo: &crate::incremental::Memo) -> String {
    let ocil = ocil_ids(c);
    let o = Out { c, ocil_ids: &ocil };
    let content = &c.content;
    // Depth of each group, for indentation of pre-rendered rules.
    let depth = |mut g: Option<&String>| -> usize {
        let mut g_owned: Option<String> = g.cloned();
        let _ = &mut g;
        let mut d = 0;
        while let Some(id) = g_owned {
            d += 1;
            g_owned = content.groups.get(&id).and_then(|x| x.parent.clone());
        }
        d
    };
    let rendered: Vec<(String, std::sync::Arc<str>, Vec<Diagnostic>)> = content
        .rules
        .par_iter()
        .map(|(id, r)| {
            let indent = 1 + depth(r.group.as_ref());
            let write = || {
                let mut d = Vec::new();
                let s: std::sync::Arc<str> = o.rule(r, indent, &mut d).into();
                (s, d)
            };
            let (s, d) = if memo.keeps() {
                let ro = &c.rules[id];
                let mut ids = vec![c.oval.id(Kind::Def, id).map(str::to_owned), ocil.get(id).cloned()];
                ids.extend(ro.exports.iter().map(|v| c.oval.id(Kind::Var, v).map(str::to_owned)));
                let inputs = RuleInputs {
                    indent,
                    out: ro.clone(),
                    references: r.references.clone(),
                    title: r.title.clone(),
                    severity: r.severity.as_str(),
                    ids,
                    platforms: ro.platforms.iter().map(|p| c.platforms.get(p).map(|e| format!("{e:?}"))).collect(),
                };
                memo.derived("xccdf-rule", &c.product.id, r, inputs, write)
            } else {
                write()
            };
            (id.clone(), s, d)
        })
        .collect();
    let mut ch = Children::default();
    for (id, s, mut d) in rendered {
        diags.append(&mut d);
        ch.rendered.insert(id, s);
    }
    for g in content.groups.values() {
        ch.groups.entry(g.parent.clone().unwrap_or_default()).or_default().push(g.id.clone());
    }
    for r in content.rules.values() {
        ch.rules.entry(r.group.clone().unwrap_or_default()).or_default().push(r.id.clone());
    }
    for v in content.values.values() {
        ch.values.entry(v.group.clone().unwrap_or_default()).or_default().push(v.id.clone());
    }

    let p = &c.product;
    // The rules are most of the document: room for them and the rest, so
    // that the text is not copied as it grows.
    let rules_len: usize = ch.rendered.values().map(|r| r.len()).sum();
    let mut out = String::with_capacity((1 << 22).max(rules_len + rules_len / 8 + (1 << 20)));
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<{P}Benchmark xmlns:xccdf-1.2=\"{NS_XCCDF}\" xmlns:html=\"{NS_HTML}\" xmlns:cpe-lang=\"{NS_CPE_LANG}\" xmlns:dc=\"{NS_DC}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" id=\"xccdf_{}_benchmark_{}\" resolved=\"true\" xml:lang=\"en-US\" style=\"SCAP_1.3\">",
        c.ns(),
        p.benchmark_id
    );
    let date = &c.timestamp[..10];
    match &content.benchmark {
        // A CaC tree's benchmark.yml holds the benchmark's own prose.
        Some(b) => {
            let loc = Location::file(&b.file);
            el(&mut out, 1, "status", &[("date", date)], b.status.as_deref().unwrap_or("draft"));
            el(&mut out, 1, "title", &[], &escape_text(&b.title));
            el(&mut out, 1, "description", &[], &o.prose(&b.description, "description", loc.clone(), diags));
            if let Some((id, text)) = &b.notice {
                el(&mut out, 1, "notice", &[("id", id)], &o.prose(text, "notice", loc.clone(), diags));
            }
            if let Some(t) = &b.front_matter {
                el(&mut out, 1, "front-matter", &[], &o.prose(t, "front-matter", loc.clone(), diags));
            }
            if let Some(t) = &b.rear_matter {
                el(&mut out, 1, "rear-matter", &[], &o.prose(t, "rear-matter", loc, diags));
            }
        }
        None => {
            el(&mut out, 1, "status", &[("date", date)], "draft");
            el(&mut out, 1, "title", &[], &escape_text(&p.title));
            el(
                &mut out,
                1,
                "description",
                &[],
                &o.prose(&p.description, "description", Location::file(&p.file), diags),
            );
            el(
                &mut out,
                1,
                "notice",
                &[("id", "terms_of_use")],
                "Test these settings in a non-production environment before applying them. The content is provided as is, without warranty of any kind.",
            );
        }
    }
    for (scheme, uri) in &p.reference_uris {
        el(&mut out, 1, "reference", &[("href", uri)], &escape_text(scheme));
    }
    if !c.platforms.is_empty() {
        out.push_str("  <cpe-lang:platform-specification>\n");
        for (id, expr) in &c.platforms {
            let _ = writeln!(out, "    <cpe-lang:platform id=\"{}\">", escape_attr(id));
            logical_test(&mut out, 3, expr, false, c);
            out.push_str("    </cpe-lang:platform>\n");
        }
        out.push_str("  </cpe-lang:platform-specification>\n");
    }
    for cpe in &p.cpes {
        empty(&mut out, 1, "platform", &[("idref", &cpe.name)]);
    }
    let m = &p.meta;
    // SRC-341-1: where updates are published, when that is known.
    match &m.update {
        Some(u) => el(&mut out, 1, "version", &[("time", &c.timestamp), ("update", u)], &escape_text(&m.version)),
        None => el(&mut out, 1, "version", &[("time", &c.timestamp)], &escape_text(&m.version)),
    }
    out.push_str(&format!("  <{P}metadata>\n"));
    let _ = writeln!(out, "    <dc:creator>{}</dc:creator>", escape_text(&m.creator));
    let _ = writeln!(out, "    <dc:publisher>{}</dc:publisher>", escape_text(&m.publisher));
    for who in &m.contributors {
        let _ = writeln!(out, "    <dc:contributor>{}</dc:contributor>", escape_text(who));
    }
    let _ = writeln!(out, "    <dc:source>{}</dc:source>", escape_text(&m.source));
    out.push_str(&format!("  </{P}metadata>\n"));
    for prof in &c.profiles {
        let _ = writeln!(out, "  <{P}Profile id=\"{}\">", c.profile_idref(&prof.id));
        let src = &content.profiles[&prof.id];
        // A profile's `status` (CaC: `deprecated`) is not written: SCAP 1.3
        // allows only `draft` and `accepted`, with a date (SRC-5-1, 5-2).
        if let Some(v) = &src.version {
            el(&mut out, 2, "version", &[], &escape_text(v));
        }
        // CaC's build marks a profile's title and description as
        // overriding those of the profile it extends.
        let over: &[(&str, &str)] = if p.layout == Layout::Cac { &[("override", "true")] } else { &[] };
        el(&mut out, 2, "title", over, &escape_text(&prof.title));
        el(
            &mut out,
            2,
            "description",
            over,
            &o.prose(&prof.description, "description", loc_of(&src.locs, "description", &src.file), diags),
        );
        if let Some(r) = &src.reference {
            el(&mut out, 2, "reference", &[], &escape_text(r));
        }
        for (rule, on) in &prof.select {
            empty(
                &mut out,
                2,
                "select",
                &[("idref", &c.rule_idref(rule)), ("selected", if *on { "true" } else { "false" })],
            );
        }
        for (v, sel) in &prof.values {
            empty(&mut out, 2, "refine-value", &[("idref", &c.value_idref(v)), ("selector", sel)]);
        }
        for g in &prof.unselected_groups {
            empty(&mut out, 2, "select", &[("idref", &c.group_idref(g)), ("selected", "false")]);
        }
        for (rule, attrs) in merged_refines(&prof.refines) {
            let idref = c.rule_idref(rule);
            let mut a: Vec<(&str, &str)> = vec![("idref", &idref)];
            a.extend(attrs);
            empty(&mut out, 2, "refine-rule", &a);
        }
        let _ = writeln!(out, "  </{P}Profile>");
    }
    o.items(&mut out, None, 1, &ch, diags);
    let _ = writeln!(out, "</{P}Benchmark>");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn refine_rules_are_merged_per_rule() {
        let r = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
        let refines =
            [r("x", "role", "unscored"), r("y", "weight", "2"), r("x", "severity", "info"), r("x", "role", "full")];
        let m = super::merged_refines(&refines);
        assert_eq!(m, vec![("x", vec![("role", "full"), ("severity", "info")]), ("y", vec![("weight", "2")])]);
    }

    #[test]
    fn ansible_guard_is_valid_nesting() {
        let t = "- name: Set x\n  ansible.builtin.lineinfile:\n    path: /etc/x\n    line: 'a: b'\n";
        let g = super::guard_ansible(t, "Rule's title", "\"x\" in ansible_facts.packages");
        assert!(g.starts_with("- name: Gather the package facts\n"));
        assert!(g.contains("- name: 'Rule''s title'\n  block:\n    - name: Set x\n      ansible.builtin.lineinfile:\n        path: /etc/x\n"));
        assert!(g.ends_with("  when: '\"x\" in ansible_facts.packages'\n"));
    }
}
