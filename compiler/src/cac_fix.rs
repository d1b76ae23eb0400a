//! ComplianceAsCode's fixes, as CaC's build makes them: for each fix
//! language the rule's own file (`bash/<product>.sh`, then a file named by
//! a prefix of the product, then `bash/shared.sh`) or else its template's
//! `<lang>.template`; the header comments (`# platform =`, `# reboot =`,
//! ...) read off; a fix whose `# platform` leaves the product out dropped;
//! `(bash-populate v)`-style markers turned into XCCDF `<sub>`s; bash
//! wrapped in the rule's platform conditionals and each Ansible task given
//! CaC's `when` and `tags`.

use crate::codes;
use crate::compile::{Fix, FixAttrs};
use crate::jinja::{SUB_CLOSE, SUB_OPEN};
use crate::model::*;
use crate::source::Cache;
use scapc_diagnostics::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// CaC's fix languages: (language and directory, file extension, XCCDF
/// fix system, populate marker).
pub const LANGS: [(&str, &str, &str, Option<&str>); 9] = [
    ("bash", "sh", "urn:xccdf:fix:script:sh", Some("bash-populate")),
    ("ansible", "yml", "urn:xccdf:fix:script:ansible", Some("ansible-populate")),
    ("anaconda", "anaconda", "urn:redhat:anaconda:pre", Some("anaconda-populate")),
    ("puppet", "pp", "urn:xccdf:fix:script:puppet", Some("puppet-populate")),
    ("ignition", "yml", "urn:xccdf:fix:script:ignition", None),
    ("kubernetes", "yml", "urn:xccdf:fix:script:kubernetes", None),
    ("blueprint", "toml", "urn:redhat:osbuild:blueprint", Some("blueprint-populate")),
    ("kickstart", "cfg", "urn:xccdf:fix:script:kickstart", Some("kickstart-populate")),
    ("bootc", "bo", "urn:xccdf:fix:script:bootc", Some("bootc-populate")),
];

const CONFIG_KEYS: [&str; 5] = ["platform", "reboot", "strategy", "complexity", "disruption"];

/// The rule's own file of a language, as CaC picks it.
fn pick(cache: &Cache, dir: &Path, ext: &str, product: &str) -> Option<PathBuf> {
    let mut product_file = None;
    let mut common: Vec<PathBuf> = Vec::new();
    for p in cache.list(dir).iter() {
        let (Some(stem), Some(e)) = (p.file_stem().and_then(|s| s.to_str()), p.extension().and_then(|s| s.to_str()))
        else {
            continue;
        };
        if e != ext {
            continue;
        }
        if stem == "shared" {
            common.push(p.clone());
        } else if stem == product {
            product_file = Some(p.clone());
        } else if product.starts_with(stem) {
            common.insert(0, p.clone());
        }
    }
    product_file.or_else(|| common.into_iter().next())
}

/// A rule's own fix files, (language, file, text), and what reading them
/// reported. The rule's directory is listed once: most rules have fixes
/// in few of the languages, or none.
type OwnFixes = (Vec<(String, PathBuf, String)>, Vec<Diagnostic>);

fn own_fixes(cache: &Cache, rule: &Rule, product: &str) -> OwnFixes {
    let (mut files, mut diags) = (Vec::new(), Vec::new());
    let entries = cache.list(&rule.dir);
    let has = |lang: &str| entries.iter().any(|p| p.file_name().is_some_and(|n| n == lang));
    for (lang, ext, _, _) in LANGS {
        if !has(lang) {
            continue;
        }
        if let Some(p) = pick(cache, &rule.dir.join(lang), ext, product) {
            // Read, not kept in the cache: one product uses each text once.
            match crate::source::read(&p) {
                Ok(t) => files.push((lang.to_owned(), p, t)),
                Err(d) => diags.push(d),
            }
        }
    }
    (files, diags)
}

/// Reads every rule's own fix files (the rules in parallel) and the fix
/// languages of the templates the rules use; directories are listed
/// through the tree's `cache` (once for all products). In `build --watch`
/// what a rule's directory and a template's file gave is kept in `memo`
/// (forgotten when they change).
pub fn load(
    cache: &Cache,
    content: &mut Content,
    product: &Product,
    memo: &crate::incremental::Memo,
    diags: &mut Vec<Diagnostic>,
) {
    use rayon::prelude::*;
    let templates = crate::cac_cpe::tree_root(product).join("shared").join("templates");
    let found: Vec<OwnFixes> = content
        .rules
        .par_iter()
        .map(|(_, rule)| memo.derived("cac-own-fixes", &product.id, rule, (), || own_fixes(cache, rule, &product.id)))
        .collect();
    let mut own = BTreeMap::new();
    let mut tsrc = BTreeMap::new();
    for ((id, rule), (files, mut d)) in content.rules.iter().zip(found) {
        diags.append(&mut d);
        if !files.is_empty() {
            own.insert(id.clone(), files);
        }
        if let Some(t) = &rule.template {
            for (lang, _, _, _) in LANGS {
                let key = (t.name.value.clone(), lang.to_owned());
                if tsrc.contains_key(&key) {
                    continue;
                }
                let f = templates.join(&t.name.value).join(format!("{lang}.template"));
                let read = memo.derived_at("cac-template-fix", &product.id, &f, (), || {
                    (cache.exists(&f) && f.is_file()).then(|| crate::source::read(&f))
                });
                match read {
                    Some(Ok(text)) => {
                        tsrc.insert(key, (f, text));
                    }
                    Some(Err(d)) => diags.push(d),
                    None => {}
                }
            }
        }
    }
    content.cac_fix_sources = own;
    content.cac_template_sources = tsrc;
}

/// Splits CaC's header lines (`# key = value` with a known key) off a fix:
/// (the rest, joined by newlines, and the keys).
pub fn split_config(text: &str) -> (String, BTreeMap<String, String>) {
    let mut config = BTreeMap::new();
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.starts_with("# THIS FILE IS GENERATED") {
            continue;
        }
        if line.starts_with('#') && line.matches('=').count() == 1 {
            let (k, v) = line.trim_matches('#').split_once('=').unwrap_or_default();
            if CONFIG_KEYS.contains(&k.trim()) {
                config.insert(k.trim().to_owned(), v.trim().to_owned());
                continue;
            }
        }
        lines.push(line);
    }
    (lines.join("\n"), config)
}

/// Whether a fix's `# platform =` list covers the product (CaC's
/// `is_applicable_for_product`).
pub fn applies_to(platform: &str, product: &str) -> bool {
    let family = product.trim_end_matches(|c: char| c.is_ascii_digit());
    let family = if family.is_empty() { product } else { family };
    let multi = crate::jinja::cac::MULTI_PLATFORM.contains(&family);
    if multi && (platform.contains("multi_platform_all") || platform.contains(&format!("multi_platform_{family}"))) {
        return true;
    }
    let Ok(name) = crate::jinja::cac::product_to_name(product) else { return false };
    platform.split(',').any(|p| p.trim() == name)
}

/// The platform conditionals of a rule in one language: those inherited
/// from its groups and its own (CaC joins the first with `and`, the
/// second with `or`), each sorted.
#[derive(Debug, Clone, Default)]
pub struct Conditionals {
    pub inherited: Vec<String>,
    pub own: Vec<String>,
}

/// CaC's bash platform wrapper.
pub fn wrap_bash(body: &str, c: &Conditionals) -> String {
    let stripped = body.trim();
    if stripped.is_empty() || (c.inherited.is_empty() && c.own.is_empty()) {
        return body.to_owned();
    }
    let mut all = c.inherited.join(" && ");
    if !c.own.is_empty() {
        let wrapped: Vec<String> = c
            .own
            .iter()
            .map(|x| if x.contains(" && ") || x.contains(" || ") { format!("( {x} )") } else { x.clone() })
            .collect();
        if all.is_empty() {
            all = wrapped.join(" || ");
        } else {
            all = format!("{all} && {{ {}; }}", wrapped.join(" || "));
        }
    }
    format!(
        "# Remediation is applicable only in certain platforms\nif {all}; then\n\n{stripped}\n\nelse\n    >&2 echo 'Remediation is not applicable, nothing was done'\nfi"
    )
}

/// A YAML single-quoted scalar.
fn quote(s: &str) -> String {
    if s.contains(|c: char| c.is_control()) {
        // A line break in a single-quoted scalar would read as a space:
        // double quotes with escapes (JSON's are YAML's too).
        return serde_json::to_string(s).unwrap_or_default();
    }
    format!("'{}'", s.replace('\'', "''"))
}

/// CaC reads a fix as lines joined again ([`split_config`]), so a block
/// scalar that ends the text has no final line break; CaC's dump of it is
/// then `|-`. Since keys are added after it here, its header says so.
fn strip_final_block(body: &str) -> std::borrow::Cow<'_, str> {
    fn last_scalar(n: &crate::yaml::Node) -> Option<&crate::yaml::Node> {
        match &n.value {
            crate::yaml::Value::Seq(items) => items.last().and_then(last_scalar),
            crate::yaml::Value::Map(pairs) => pairs.last().and_then(|(_, v)| last_scalar(v)),
            crate::yaml::Value::Scalar { plain: false, .. } => Some(n),
            _ => None,
        }
    }
    let unchanged = std::borrow::Cow::Borrowed(body);
    if body.ends_with('\n') {
        return unchanged;
    }
    let Some(pos) = crate::yaml::parse_pyyaml(body).ok().as_ref().and_then(last_scalar).map(|n| n.pos) else {
        return unchanged;
    };
    let mut lines: Vec<String> = body.split('\n').map(str::to_owned).collect();
    // The header: the scalar's own line when it starts there, else the
    // nearest line above that ends with a block indicator.
    let is_header = |l: &str| {
        let t = l.trim_end().trim_end_matches(|c: char| matches!(c, '+' | '-' | '1'..='9'));
        t.ends_with(['|', '>']) && (t.len() == 1 || t[..t.len() - 1].ends_with([' ', ':', '-']))
    };
    // ... and every line after it (to the end) is blank or inside it.
    let key_indent = |l: &str| l.find(|c: char| c != ' ' && c != '-').unwrap_or(l.len());
    let inside = |i: usize| {
        let k = key_indent(&lines[i - 1]);
        lines[i..].iter().all(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > k)
    };
    let last = (pos.line as usize).min(lines.len());
    let Some(i) = (1..=last).rev().find(|&i| is_header(&lines[i - 1])).filter(|&i| inside(i)) else {
        return unchanged;
    };
    let line = &mut lines[i - 1];
    let trimmed = line.trim_end().len();
    let at = line[..trimmed].rfind(['|', '>']).unwrap_or(0);
    let digits: String = line[at + 1..trimmed].chars().filter(|c| c.is_ascii_digit()).collect();
    *line = format!("{}{digits}-", &line[..=at]);
    std::borrow::Cow::Owned(lines.join("\n"))
}

/// The values of key `key` of a task (its lines at indent 2), as strings:
/// a scalar or a list of scalars.
fn task_list(task: &crate::yaml::Node, key: &str) -> Vec<String> {
    match task.get(key) {
        None => Vec::new(),
        Some(n) => match n.as_seq() {
            Some(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
            None => n.as_str().map(|s| vec![s.to_owned()]).unwrap_or_default(),
        },
    }
}

/// The values of key `key` of a task read off its text: a one-line
/// scalar or `- item` lines.
fn text_list(item: &[&str], key: &str, ki: usize) -> Vec<String> {
    let unquote = |s: &str| {
        let s = s.trim();
        if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
            s[1..s.len() - 1].replace("''", "'")
        } else if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
            s[1..s.len() - 1].replace("\\\"", "\"")
        } else {
            s.to_owned()
        }
    };
    for (j, l) in item.iter().enumerate() {
        let body = if j == 0 { l.trim_start_matches('-') } else { l };
        if !(j == 0 || body.len() - body.trim_start().len() == ki) {
            continue;
        }
        let Some(rest) = body.trim_start().strip_prefix(&format!("{key}:")) else { continue };
        if !rest.trim().is_empty() {
            return vec![unquote(rest)];
        }
        return item[j + 1..]
            .iter()
            .take_while(|l| l.trim_start().starts_with("- ") && l.len() - l.trim_start().len() >= ki)
            .map(|l| unquote(l.trim_start().trim_start_matches("- ")))
            .collect();
    }
    Vec::new()
}

/// Lines of one top-level task without its `when:` and `tags:` entries.
fn without_keys(lines: &[&str], ki: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut skipping = false;
    for (i, l) in lines.iter().enumerate() {
        let indent = l.len() - l.trim_start().len();
        let body = if i == 0 { l.strip_prefix("- ").unwrap_or(l) } else { l };
        let is_key = (i == 0 || indent == ki) && !body.trim_start().starts_with("- ");
        if is_key {
            let k = body.trim_start();
            skipping = k.starts_with("when:") || k.starts_with("tags:");
            if skipping && i == 0 {
                // The task starts with the key: keep the list item going.
                out.push("-".to_owned());
                continue;
            }
        } else if skipping && !(l.trim().is_empty() || indent > 2 || (indent == 2 && l.trim_start().starts_with("- ")))
        {
            skipping = false;
        }
        if !skipping {
            out.push((*l).to_owned());
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out
}

/// What CaC's build adds to each Ansible task of a rule.
pub struct AnsibleRule<'a> {
    pub id: &'a str,
    pub severity: &'a str,
    pub cce: Option<&'a str>,
    pub references: &'a [(String, Vec<String>)],
}

const REF_PREFIX: [(&str, &str); 6] = [
    ("nist", "NIST-800-53"),
    ("cui", "NIST-800-171"),
    ("pcidss", "PCI-DSS"),
    ("pcidss4", "PCI-DSSv4"),
    ("cjis", "CJIS"),
    ("stigid", "DISA-STIG"),
];

/// CaC's Ansible fix: each task's `when` gets the platform conditionals
/// first, its `tags` the rule's, a package-facts task goes first when a
/// condition needs the package facts. `None` when the text is not a YAML
/// list of tasks.
pub fn ansible(
    body: &str,
    config: &BTreeMap<String, String>,
    rule: &AnsibleRule<'_>,
    c: &Conditionals,
) -> Option<String> {
    ansible_with(body, config, rule, c, &|t| Arc::new(crate::yaml::parse_pyyaml(t).ok()))
}

/// A text's YAML (as PyYAML reads it), `None` when it is not YAML.
type YamlOf<'a> = &'a dyn Fn(&str) -> Arc<Option<crate::yaml::Node>>;

/// [`ansible`], the tasks' YAML read through `yaml` (a build of many
/// products shares the parse of a text they render alike).
fn ansible_with(
    body: &str,
    config: &BTreeMap<String, String>,
    rule: &AnsibleRule<'_>,
    c: &Conditionals,
    yaml: YamlOf<'_>,
) -> Option<String> {
    let body = strip_final_block(body);
    let body: &str = &body;
    // Split the text into top-level items.
    let lines: Vec<&str> = body.lines().collect();
    let mut starts: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.starts_with('-')).map(|(i, _)| i).collect();
    let parsed = yaml(body);
    let tasks_yaml: Vec<Option<&crate::yaml::Node>> = match parsed.as_ref().as_ref().and_then(|d| d.as_seq()) {
        Some(t) if t.len() == starts.len() => t.iter().map(Some).collect(),
        // The YAML reader cannot read it: the items as the text shows them.
        _ => starts.iter().map(|_| None).collect(),
    };
    if starts.is_empty() {
        return None;
    }
    starts.push(lines.len());
    let prefix: Vec<&str> = lines[..starts[0]].to_vec();
    let mut config_tags: Vec<String> = Vec::new();
    if let Some(s) = config.get("strategy") {
        config_tags.push(format!("{s}_strategy"));
    }
    if let Some(s) = config.get("complexity") {
        config_tags.push(format!("{s}_complexity"));
    }
    if let Some(s) = config.get("disruption") {
        config_tags.push(format!("{s}_disruption"));
    }
    if let Some(s) = config.get("reboot") {
        config_tags.push(if s == "true" { "reboot_required".into() } else { "no_reboot_needed".into() });
    }
    let mut rule_tags = vec![rule.id.to_owned(), format!("{}_severity", rule.severity)];
    if let Some(cce) = rule.cce {
        rule_tags.push(cce.to_owned());
    }
    for (scheme, prefix) in REF_PREFIX {
        for (s, ids) in rule.references {
            if s == scheme {
                rule_tags.extend(ids.iter().map(|i| format!("{prefix}-{i}")));
            }
        }
    }
    let tags_of = |existing: Vec<String>, pad: &str| -> String {
        let mut t = existing;
        t.extend(config_tags.iter().cloned());
        t.extend(rule_tags.iter().cloned());
        t.sort();
        let mut s = format!("{pad}tags:\n");
        for x in t {
            s.push_str(&format!("{pad}- {}\n", quote(&x)));
        }
        s
    };
    let mut out = String::new();
    for l in &prefix {
        out.push_str(l);
        out.push('\n');
    }
    let mut needs_facts = false;
    let mut has_facts = false;
    let mut rendered = Vec::new();
    for (i, node) in tasks_yaml.iter().enumerate() {
        let item: Vec<&str> = lines[starts[i]..starts[i + 1]].to_vec();
        let is_map = match node {
            Some(n) => n.as_map().is_some(),
            None => item[0]
                .trim_start_matches('-')
                .trim_start()
                .split_once(':')
                .is_some_and(|(k, _)| !k.contains(['(', ' '])),
        };
        if !is_map {
            rendered.push(item.join("\n") + "\n");
            continue;
        }
        // The indentation of the task's keys (`- name:` 2, `-   name:` 4).
        let ki = 1 + item[0][1..].len() - item[0][1..].trim_start().len();
        let pad = " ".repeat(ki);
        let has_key = |k: &str| match node {
            Some(n) => n.get(k).is_some(),
            None => item.iter().enumerate().any(|(j, l)| {
                let l = if j == 0 { l.trim_start_matches('-') } else { l };
                (j == 0 || l.len() - l.trim_start().len() == ki) && l.trim_start().starts_with(&format!("{k}:"))
            }),
        };
        let list = |k: &str| match node {
            Some(n) => task_list(n, k),
            None => text_list(&item, k, ki),
        };
        // CaC looks for the key `package_facts` only.
        let facts_task = has_key("package_facts");
        has_facts |= facts_task;
        let keep = |x: &&String| !(facts_task && x.contains("in ansible_facts.packages"));
        let mut when: Vec<String> = c.inherited.iter().filter(keep).cloned().collect();
        let own: Vec<&String> = c.own.iter().filter(keep).collect();
        if !own.is_empty() {
            when.push(own.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or "));
        }
        when.extend(list("when"));
        needs_facts |= when.iter().any(|w| w.contains("ansible_facts.packages"));
        let mut text = without_keys(&item, ki).join("\n") + "\n";
        match when.len() {
            0 => {}
            1 => text.push_str(&format!("{pad}when: {}\n", quote(&when[0]))),
            _ => {
                text.push_str(&format!("{pad}when:\n"));
                for w in &when {
                    text.push_str(&format!("{pad}- {}\n", quote(w)));
                }
            }
        }
        text.push_str(&tags_of(list("tags"), &pad));
        rendered.push(text);
    }
    if needs_facts && !has_facts {
        out.push_str("- name: Gather the package facts\n  package_facts:\n    manager: auto\n");
        out.push_str(&tags_of(Vec::new(), "  "));
    }
    out.push_str(&rendered.join(""));
    Some(out)
}

/// `(x-populate v)` markers and Ansible's `- (xccdf-var v)` tasks as CaC
/// expands them, with XCCDF `<sub>` markers for the Values.
pub fn expand_subs(text: &str, marker: Option<&str>) -> String {
    let Some(marker) = marker else { return text.to_owned() };
    let mut text = text.to_owned();
    if marker == "ansible-populate" {
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            let t = line.trim_end_matches('\n');
            if let Some(v) = t.strip_prefix("- (xccdf-var").and_then(|r| r.strip_suffix(')')).map(str::trim) {
                out.push_str(&format!(
                    "- name: XCCDF Value {v} # promote to variable\n  set_fact:\n    {v}: !!str (ansible-populate {v})\n  tags:\n    - always"
                ));
                out.push_str(&line[t.len()..]);
            } else {
                out.push_str(line);
            }
        }
        text = out;
    }
    let open = format!("({marker}");
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let name_start = after.len() - after.trim_start().len();
        let name: String = after[name_start..].chars().take_while(|c| !c.is_whitespace() && *c != ')').collect();
        let end = name_start + name.len();
        if after[end..].starts_with(')') && !name.is_empty() {
            out.push_str(&rest[..i]);
            out.push_str(&format!("{SUB_OPEN}{name}{SUB_CLOSE}"));
            rest = &after[end + 1..];
        } else {
            out.push_str(&rest[..i + open.len()]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Every fix of one CaC rule: (fix system, fix), in CaC's language order.
pub(crate) fn rule_fixes(
    rule: &Rule,
    cx: &crate::compile::FixContext<'_>,
    memo: &crate::incremental::Memo,
    bash_cond: &Conditionals,
    ansible_cond: &Conditionals,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(&'static str, Fix)> {
    let (content, product, jinja) = (cx.content, cx.product, cx.jinja);
    let yaml = |t: &str| memo.by_text("ansible-yaml", t, || crate::yaml::parse_pyyaml(t).ok());
    let mut out = Vec::new();
    let own = content.cac_fix_sources.get(&rule.id);
    let cce = rule.identifiers.iter().find(|i| i.value.0 == "cce").map(|i| i.value.1.clone());
    // A fix whose literal `# platform` line leaves the product out is not
    // rendered at all (its result would be dropped).
    let skip = |src: &str| {
        let (_, cfg) = split_config(src);
        cfg.get("platform").is_some_and(|p| !p.contains("{{") && !applies_to(p, &product.id))
    };
    for (lang, _, system, marker) in LANGS {
        let rendered = if let Some((_, file, src)) = own.and_then(|o| o.iter().find(|(l, _, _)| l == lang)) {
            if skip(src) {
                continue;
            }
            let mut ctx = BTreeMap::new();
            ctx.insert("rule_id".to_owned(), minijinja::Value::from(rule.id.clone()));
            ctx.insert("rule_title".to_owned(), minijinja::Value::from(rule.title.clone()));
            let idents: BTreeMap<String, String> =
                rule.identifiers.iter().map(|i| (i.value.0.clone(), i.value.1.clone())).collect();
            ctx.insert("cce_identifiers".to_owned(), minijinja::Value::from_serialize(&idents));
            jinja.render(&file.display().to_string(), src, &ctx).map(|t| (t, file.clone()))
        } else if let Some(t) = rule.template.as_ref().filter(|t| !t.disabled.iter().any(|d| d == lang)) {
            let Some((file, src)) = content.cac_template_sources.get(&(t.name.value.clone(), lang.to_owned())) else {
                continue;
            };
            if skip(src) {
                continue;
            }
            let vars: serde_json::Map<String, serde_json::Value> =
                t.vars.iter().map(|(k, v)| (k.clone(), v.value.clone())).collect();
            let ctx = crate::templates::cac::RuleContext {
                id: rule.id.clone(),
                title: rule.title.clone(),
                product: product.id.clone(),
                cce_identifiers: cce.iter().map(|c| ("cce".to_owned(), c.clone())).collect(),
            };
            crate::templates::cac::render(jinja, &t.name.value, lang, &file.display().to_string(), src, &vars, &ctx)
                .map(|t| (t, file.clone()))
        } else {
            continue;
        };
        let (text, file) = match rendered {
            Ok(x) => x,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        codes::JINJA,
                        format!("{} (while rendering the {lang} fix of rule `{}`)", e.message, rule.id),
                    )
                    .at_file(e.in_template.map(PathBuf::from).unwrap_or_else(|| rule.file.clone())),
                );
                continue;
            }
        };
        let (body, config) = split_config(&text);
        let Some(platform) = config.get("platform") else {
            diags.push(
                Diagnostic::error(
                    codes::MISSING_KEY,
                    format!("the {lang} fix of rule `{}` names no platform", rule.id),
                )
                .at_file(&file)
                .hint("start it with `# platform = multi_platform_all` (or the products it is for)"),
            );
            continue;
        };
        if !applies_to(platform, &product.id) {
            continue;
        }
        let body = match lang {
            "bash" => wrap_bash(&body, bash_cond),
            "ansible" => {
                let r = AnsibleRule {
                    id: &rule.id,
                    severity: rule.severity.as_str(),
                    cce: cce.as_deref(),
                    references: &rule.references,
                };
                match ansible_with(&body, &config, &r, ansible_cond, &yaml) {
                    Some(b) => b,
                    None => {
                        diags.push(
                            Diagnostic::error(
                                codes::BAD_VALUE,
                                format!("the Ansible fix of rule `{}` is not a YAML list of tasks", rule.id),
                            )
                            .at_file(&file)
                            .hint("each task starts with `- ` at the left margin"),
                        );
                        continue;
                    }
                }
            }
            _ => body,
        };
        if body.trim().is_empty() {
            continue;
        }
        let text = expand_subs(&body, marker);
        let attrs = FixAttrs {
            reboot: config.get("reboot").cloned(),
            strategy: config.get("strategy").cloned(),
            complexity: config.get("complexity").cloned(),
            disruption: config.get("disruption").cloned(),
        };
        out.push((system, Fix { text: text.trim_end().to_owned() + "\n", attrs }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_applicability() {
        let (body, cfg) = split_config("# platform = multi_platform_all\n# reboot = false\n# a=b=c\necho x\n");
        assert_eq!(body, "# a=b=c\necho x");
        assert_eq!(cfg["platform"], "multi_platform_all");
        assert!(applies_to("multi_platform_all", "debian12"));
        assert!(applies_to("multi_platform_debian", "debian12"));
        assert!(!applies_to("multi_platform_rhel", "debian12"));
        assert!(applies_to("Oracle Linux 9,Red Hat Enterprise Linux 9", "rhel9"));
        assert!(!applies_to("Red Hat Enterprise Linux 8", "rhel9"));
        assert!(!applies_to("Not Applicable", "rhel9"));
        assert!(applies_to("multi_platform_all", "example"));
    }

    #[test]
    fn bash_wrapped_in_conditionals() {
        let c = Conditionals { inherited: vec!["a".into()], own: vec!["b && c".into(), "d".into()] };
        let w = wrap_bash("\necho x\n", &c);
        assert!(w.starts_with("# Remediation is applicable only in certain platforms\nif a && { ( b && c ) || d; }; then\n\necho x\n\nelse\n"), "{w}");
        assert_eq!(wrap_bash("echo x", &Conditionals::default()), "echo x");
    }

    #[test]
    fn ansible_keeps_line_breaks_as_cac_reads_them() {
        let r = AnsibleRule { id: "r", severity: "low", cce: None, references: &[] };
        let cfg = BTreeMap::new();
        // A folded `when` keeps its final line break; the block scalar
        // that ends the text has none (CaC's text lost its last newline).
        let body = "- name: a\n  command: x\n  when: >\n    y is defined and\n    z\n- name: b\n  blockinfile:\n    block: |\n      [S]\n      E=1";
        let out = ansible(body, &cfg, &r, &Conditionals::default()).unwrap();
        let doc = crate::yaml::parse(&out).unwrap();
        let tasks = doc.as_seq().unwrap();
        assert_eq!(task_list(&tasks[0], "when"), ["y is defined and z\n"], "{out}");
        assert_eq!(tasks[1].get("blockinfile").and_then(|b| b.get("block")).and_then(|b| b.as_str()), Some("[S]\nE=1"));
        assert_eq!(task_list(&tasks[1], "tags"), ["low_severity", "r"], "{out}");
        // Ended by a line break, a block keeps it; `|+2` becomes `|2-`.
        assert_eq!(strip_final_block("- a: |\n    x\n"), "- a: |\n    x\n");
        assert_eq!(strip_final_block("- a: |+2\n    x"), "- a: |2-\n    x");
        assert_eq!(strip_final_block("- a: 'x'"), "- a: 'x'");
        assert_eq!(strip_final_block("- a: |\n    x\n  b: 'y'"), "- a: |\n    x\n  b: 'y'");
    }

    #[test]
    fn ansible_gets_when_tags_and_facts() {
        let body =
            "- name: Do it\n  package:\n    name: x\n  when: a is defined\n  tags:\n  - mine\n- (xccdf-var var_v)\n";
        let cfg: BTreeMap<String, String> = [("strategy".to_owned(), "enable".to_owned())].into();
        let refs = vec![("nist".to_owned(), vec!["CM-6(a)".to_owned()])];
        let r = AnsibleRule { id: "r", severity: "medium", cce: Some("CCE-1"), references: &refs };
        let c = Conditionals { inherited: vec!["\"k\" in ansible_facts.packages".into()], own: vec![] };
        let out = ansible(body, &cfg, &r, &c).unwrap();
        let doc = crate::yaml::parse(&out).unwrap();
        let tasks = doc.as_seq().unwrap();
        assert_eq!(tasks[0].get("name").and_then(|n| n.as_str()), Some("Gather the package facts"));
        assert_eq!(task_list(&tasks[1], "when"), ["\"k\" in ansible_facts.packages", "a is defined"]);
        assert_eq!(
            task_list(&tasks[1], "tags"),
            ["CCE-1", "NIST-800-53-CM-6(a)", "enable_strategy", "medium_severity", "mine", "r"]
        );
        let four = "-   name: x\n    command: y\n    when: z\n";
        let out4 = ansible(four, &cfg, &r, &Conditionals::default()).unwrap();
        let t4 = crate::yaml::parse(&out4).unwrap();
        assert_eq!(task_list(&t4.as_seq().unwrap()[0], "when"), ["z"], "{out4}");
        let x = expand_subs(&out, Some("ansible-populate"));
        assert!(x.contains(&format!("    var_v: !!str {SUB_OPEN}var_v{SUB_CLOSE}\n  tags:\n    - always")), "{x}");
        assert_eq!(
            expand_subs("v=(bash-populate var_a) (bash-populate", Some("bash-populate")),
            format!("v={SUB_OPEN}var_a{SUB_CLOSE} (bash-populate")
        );
    }
}
