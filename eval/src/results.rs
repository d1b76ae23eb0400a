//! Writing results: OVAL 5.11 results with system characteristics, the
//! XCCDF 1.2 TestResult, and the ARF 1.1 report collection that holds both
//! with the source data stream and the asset.

use crate::oval::engine::{CriteriaResult, DefResult, Engine};
use crate::oval::model::OvalDoc;
use crate::oval::types::{Datatype, Status};
use crate::target::Target;
use crate::xccdf::content::Content;
use crate::xccdf::run::{Scan, XResult};
use scapc_xml::{escape_attr, escape_text};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
const NS_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";
const NS_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
const NS_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";

/// `YYYY-MM-DDTHH:MM:SS+00:00` (UTC).
pub fn timestamp(t: SystemTime) -> String {
    format!("{}+00:00", timestamp_plain(t))
}

/// `YYYY-MM-DDTHH:MM:SS` (UTC), as OVAL wants it.
pub fn timestamp_plain(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)).unwrap_or(0);
    scapc_xml::datetime::iso_datetime(secs)
}

/// Operating system facts for `system_info`: (os_name, os_version,
/// architecture).
pub fn os_facts(target: &Target) -> (String, String, String) {
    let mut arch = std::env::consts::ARCH.to_owned();
    if target.is_local() {
        // SAFETY: uname fills the struct it is given; an all-zero utsname is valid.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a valid, writable utsname for uname to fill.
        if unsafe { libc::uname(&mut u) } == 0 {
            let s = |f: &[libc::c_char]| {
                // SAFETY: after a successful uname every field holds a
                // NUL-terminated string within its array.
                unsafe { std::ffi::CStr::from_ptr(f.as_ptr()) }.to_string_lossy().into_owned()
            };
            arch = s(&u.machine);
            return (s(&u.sysname), s(&u.version), arch);
        }
    }
    let os_release =
        target.read_text("/etc/os-release").or_else(|_| target.read_text("/usr/lib/os-release")).unwrap_or_default();
    let field = |k: &str| {
        os_release
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .map(|v| v.trim_matches('"').to_owned())
            .unwrap_or_default()
    };
    ("Linux".into(), field("PRETTY_NAME"), arch)
}

/// The OVAL version the results declare: 5.11.3 for definitions written
/// for it (its schemas are the first with `yamlfilecontent`), else 5.11.2.
fn results_schema_version(definitions: &str) -> &'static str {
    if definitions.trim() == "5.11.3" {
        "5.11.3"
    } else {
        "5.11.2"
    }
}

fn criteria_xml(out: &mut String, doc: &OvalDoc, c: &CriteriaResult, depth: usize) {
    let pad = "  ".repeat(depth);
    match c {
        CriteriaResult::Node { operator, negate, applicability_check, result, children } => {
            let _ = write!(out, "{pad}<criteria");
            if *applicability_check {
                out.push_str(" applicability_check=\"true\"");
            }
            let _ = write!(out, " operator=\"{operator}\"");
            if *negate {
                out.push_str(" negate=\"true\"");
            }
            let _ = writeln!(out, " result=\"{}\">", result.as_str());
            for k in children {
                criteria_xml(out, doc, k, depth + 1);
            }
            let _ = writeln!(out, "{pad}</criteria>");
        }
        CriteriaResult::Criterion { test_ref, negate, applicability_check, result } => {
            let version = doc.tests.get(test_ref).map_or("0", |t| t.version.as_str());
            let _ = write!(out, "{pad}<criterion");
            if *applicability_check {
                out.push_str(" applicability_check=\"true\"");
            }
            let _ = write!(out, " test_ref=\"{}\" version=\"{}\"", escape_attr(test_ref), escape_attr(version));
            if *negate {
                out.push_str(" negate=\"true\"");
            }
            let _ = writeln!(out, " result=\"{}\"/>", result.as_str());
        }
        CriteriaResult::Extend { definition_ref, negate, applicability_check, result } => {
            let version = doc.definitions.get(definition_ref).map_or("0", |d| d.version.as_str());
            let _ = write!(out, "{pad}<extend_definition");
            if *applicability_check {
                out.push_str(" applicability_check=\"true\"");
            }
            let _ =
                write!(out, " definition_ref=\"{}\" version=\"{}\"", escape_attr(definition_ref), escape_attr(version));
            if *negate {
                out.push_str(" negate=\"true\"");
            }
            let _ = writeln!(out, " result=\"{}\"/>", result.as_str());
        }
    }
}

fn tests_of(c: &CriteriaResult, out: &mut Vec<String>, defs: &mut Vec<String>) {
    match c {
        CriteriaResult::Node { children, .. } => children.iter().for_each(|k| tests_of(k, out, defs)),
        CriteriaResult::Criterion { test_ref, .. } => out.push(test_ref.clone()),
        CriteriaResult::Extend { definition_ref, .. } => defs.push(definition_ref.clone()),
    }
}

/// An OVAL results document for the evaluated definitions (and the ones
/// they extend), with the system characteristics of every object used.
pub fn oval_results(
    e: &Engine<'_>,
    evaluated: &[(String, Arc<DefResult>)],
    definitions_xml: &str,
    target: &Target,
) -> String {
    let doc = e.doc;
    let version = results_schema_version(&doc.schema_version);
    let now = SystemTime::now();
    let mut out = String::with_capacity(definitions_xml.len() + (1 << 20));
    let _ = writeln!(
        out,
        "<oval_results xmlns=\"{NS_RES}\" xmlns:oval=\"{NS_COMMON}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{NS_RES} oval-results-schema.xsd {NS_COMMON} oval-common-schema.xsd\">"
    );
    let _ = writeln!(
        out,
        "  <generator>\n    <oval:product_name>scapc</oval:product_name>\n    <oval:product_version>{VERSION}</oval:product_version>\n    <oval:schema_version>{version}</oval:schema_version>\n    <oval:timestamp>{}</oval:timestamp>\n  </generator>",
        timestamp_plain(now)
    );
    out.push_str("  <directives>\n");
    for d in ["true", "false", "unknown", "error", "not_evaluated", "not_applicable"] {
        let _ = writeln!(out, "    <definition_{d} reported=\"true\" content=\"full\"/>");
    }
    out.push_str("  </directives>\n");
    if !definitions_xml.is_empty() {
        out.push_str(definitions_xml);
        out.push('\n');
    }
    out.push_str("  <results>\n    <system>\n");
    // every definition reached (extend_definition included), in id order
    let mut defs: BTreeMap<String, Arc<DefResult>> = BTreeMap::new();
    let mut queue: Vec<String> = evaluated.iter().map(|(d, _)| d.clone()).collect();
    let mut tests: Vec<String> = Vec::new();
    while let Some(d) = queue.pop() {
        if defs.contains_key(&d) || !doc.definitions.contains_key(&d) {
            continue;
        }
        let r = e.definition(&d);
        if let Some(c) = &r.criteria {
            let mut more = Vec::new();
            tests_of(c, &mut tests, &mut more);
            queue.extend(more);
        }
        defs.insert(d, r);
    }
    if !defs.is_empty() {
        out.push_str("      <definitions>\n");
        for (id, r) in &defs {
            let def = &doc.definitions[id];
            let _ = write!(
                out,
                "        <definition definition_id=\"{}\" result=\"{}\" version=\"{}\"",
                escape_attr(id),
                r.result.as_str(),
                escape_attr(&def.version)
            );
            match &r.criteria {
                Some(c) => {
                    out.push_str(">\n");
                    criteria_xml(&mut out, doc, c, 5);
                    out.push_str("        </definition>\n");
                }
                None => out.push_str("/>\n"),
            }
        }
        out.push_str("      </definitions>\n");
    }
    tests.sort();
    tests.dedup();
    let mut objects: BTreeMap<String, Arc<crate::oval::engine::ObjectResult>> = BTreeMap::new();
    if !tests.is_empty() {
        out.push_str("      <tests>\n");
        for tid in &tests {
            let Some(t) = doc.tests.get(tid) else { continue };
            let r = e.test(tid);
            let _ = write!(
                out,
                "        <test test_id=\"{}\" version=\"{}\" check_existence=\"{}\" check=\"{}\" state_operator=\"{}\" result=\"{}\"",
                escape_attr(tid),
                escape_attr(&t.version),
                t.check_existence.as_str(),
                t.check.as_str(),
                t.state_operator.as_str(),
                r.result.as_str()
            );
            let obj = t.object_ref.as_ref().map(|o| e.object(o));
            let bindings = obj.as_ref().map(|o| o.bindings.clone()).unwrap_or_default();
            if r.items.is_empty() && bindings.is_empty() {
                out.push_str("/>\n");
            } else {
                out.push_str(">\n");
                for (item, res) in &r.items {
                    let _ = writeln!(out, "          <tested_item item_id=\"{item}\" result=\"{}\"/>", res.as_str());
                }
                for (var, values) in &bindings {
                    for v in values {
                        let _ = writeln!(
                            out,
                            "          <tested_variable variable_id=\"{}\">{}</tested_variable>",
                            escape_attr(var),
                            escape_text(v)
                        );
                    }
                }
                out.push_str("        </test>\n");
            }
            if let (Some(oref), Some(o)) = (&t.object_ref, obj) {
                add_object(e, oref, o, &mut objects);
            }
        }
        out.push_str("      </tests>\n");
    }
    system_characteristics(&mut out, e, &objects, target);
    out.push_str("    </system>\n  </results>\n</oval_results>\n");
    out
}

/// An object and, for sets, the objects it is made of.
fn add_object(
    e: &Engine<'_>,
    id: &str,
    o: Arc<crate::oval::engine::ObjectResult>,
    objects: &mut BTreeMap<String, Arc<crate::oval::engine::ObjectResult>>,
) {
    if objects.contains_key(id) {
        return;
    }
    objects.insert(id.to_owned(), o);
    if let Some(obj) = e.doc.objects.get(id) {
        if let Some(set) = &obj.set {
            let mut refs = Vec::new();
            fn walk(s: &crate::oval::model::SetDef, out: &mut Vec<String>) {
                out.extend(s.object_refs.iter().cloned());
                s.sets.iter().for_each(|x| walk(x, out));
            }
            walk(set, &mut refs);
            for r in refs {
                let child = e.object(&r);
                add_object(e, &r, child, objects);
            }
        }
    }
}

fn system_characteristics(
    out: &mut String,
    e: &Engine<'_>,
    objects: &BTreeMap<String, Arc<crate::oval::engine::ObjectResult>>,
    target: &Target,
) {
    let (os, ver, arch) = os_facts(target);
    let host = crate::xccdf::run::hostname(target);
    let mut families: Vec<&str> = objects.values().flat_map(|o| o.items.iter().map(|i| i.family.as_str())).collect();
    families.sort();
    families.dedup();
    let _ = write!(out, "      <oval_system_characteristics xmlns=\"{NS_SC}\"");
    for f in &families {
        let _ = write!(out, " xmlns:{f}-sys=\"{NS_SC}#{f}\"");
    }
    out.push_str(">\n");
    let _ = writeln!(
        out,
        "        <generator>\n          <oval:product_name>scapc</oval:product_name>\n          <oval:product_version>{VERSION}</oval:product_version>\n          <oval:schema_version>{}</oval:schema_version>\n          <oval:timestamp>{}</oval:timestamp>\n        </generator>",
        results_schema_version(&e.doc.schema_version),
        timestamp_plain(SystemTime::now())
    );
    let _ = writeln!(
        out,
        "        <system_info>\n          <os_name>{}</os_name>\n          <os_version>{}</os_version>\n          <architecture>{}</architecture>\n          <primary_host_name>{}</primary_host_name>\n          <interfaces/>\n        </system_info>",
        escape_text(&os),
        escape_text(&ver),
        escape_text(&arch),
        escape_text(&host)
    );
    if !objects.is_empty() {
        out.push_str("        <collected_objects>\n");
        for (id, o) in objects {
            let version = e.doc.objects.get(id).map_or("0", |x| x.version.as_str());
            let _ = write!(
                out,
                "          <object id=\"{}\" version=\"{}\" flag=\"{}\"",
                escape_attr(id),
                escape_attr(version),
                o.flag.as_str()
            );
            if o.messages.is_empty() && o.items.is_empty() && o.bindings.is_empty() {
                out.push_str("/>\n");
                continue;
            }
            out.push_str(">\n");
            for m in o.messages.iter().take(20) {
                let _ = writeln!(out, "            <message level=\"info\">{}</message>", escape_text(m));
            }
            for (var, values) in &o.bindings {
                for v in values {
                    let _ = writeln!(
                        out,
                        "            <variable_value variable_id=\"{}\">{}</variable_value>",
                        escape_attr(var),
                        escape_text(v)
                    );
                }
            }
            for i in &o.items {
                let _ = writeln!(out, "            <reference item_ref=\"{}\"/>", i.id);
            }
            out.push_str("          </object>\n");
        }
        out.push_str("        </collected_objects>\n");
        let mut seen = HashSet::new();
        let mut items: Vec<&Arc<crate::oval::item::Item>> =
            objects.values().flat_map(|o| o.items.iter()).filter(|i| seen.insert(i.id)).collect();
        items.sort_by_key(|i| i.id);
        if !items.is_empty() {
            out.push_str("        <system_data>\n");
            for i in items {
                let tag = format!("{}-sys:{}", i.family, i.kind);
                let _ = write!(out, "          <{tag} id=\"{}\"", i.id);
                if i.status != Status::Exists {
                    let _ = write!(out, " status=\"{}\"", i.status.as_str());
                }
                out.push_str(">\n");
                for en in &i.entities {
                    let _ = write!(out, "            <{}-sys:{}", i.family, en.name);
                    if en.datatype != Datatype::String {
                        let _ = write!(out, " datatype=\"{}\"", en.datatype.as_str());
                    }
                    if en.status != Status::Exists {
                        let _ = writeln!(out, " status=\"{}\"/>", en.status.as_str());
                    } else if en.datatype == Datatype::Record {
                        // The fields are `oval-sc:field`, the default
                        // namespace of this element.
                        out.push_str(">\n");
                        for f in &en.fields {
                            let _ = write!(out, "              <field name=\"{}\"", escape_attr(&xml_chars(&f.name)));
                            if f.datatype != Datatype::String {
                                let _ = write!(out, " datatype=\"{}\"", f.datatype.as_str());
                            }
                            if f.status != Status::Exists {
                                let _ = writeln!(out, " status=\"{}\"/>", f.status.as_str());
                            } else {
                                let _ = writeln!(out, ">{}</field>", escape_xml_text(&f.value));
                            }
                        }
                        let _ = writeln!(out, "            </{}-sys:{}>", i.family, en.name);
                    } else {
                        let _ = writeln!(out, ">{}</{}-sys:{}>", escape_xml_text(&en.value), i.family, en.name);
                    }
                }
                let _ = writeln!(out, "          </{tag}>");
            }
            out.push_str("        </system_data>\n");
        }
    }
    out.push_str("      </oval_system_characteristics>\n");
}

/// Text for XML: escaped, and characters XML 1.0 cannot carry replaced.
fn escape_xml_text(s: &str) -> String {
    escape_text(&xml_chars(s)).into_owned()
}

/// The characters XML 1.0 cannot carry replaced by U+FFFD.
fn xml_chars(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '\t' || c == '\n' || c == '\r' || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}') {
                c
            } else {
                '\u{FFFD}'
            }
        })
        .collect()
}

/// The XCCDF TestResult. `oval_ids` maps an OVAL component id to the ARF
/// report id its check-content-refs point to (`#oval0`).
pub fn test_result(scan: &Scan, content: &Content, oval_ids: &BTreeMap<String, String>) -> String {
    test_result_of(scan, content, oval_ids, &scan.rules)
}

/// The href of DISA's STIG viewing guidance: a rule's reference under it
/// is the rule's id in STIG Viewer (`SV-86937r1_rule`).
const STIG_VIEWING: &str = "http://iase.disa.mil/stigs/Pages/stig-viewing-guidance.aspx";

/// What `oscap xccdf eval --stig-viewer` writes: the TestResult alone,
/// each rule-result named by the rule's STIG Viewer id (one per such
/// reference); rules without one are left out.
pub fn stig_viewer(scan: &Scan, content: &Content) -> String {
    let rules: Vec<crate::xccdf::run::RuleResult> = scan
        .rules
        .iter()
        .flat_map(|r| {
            let rule = content.benchmark.rules.iter().find(|x| x.id == r.id);
            let ids = rule.into_iter().flat_map(|x| x.references.iter()).filter(|(h, _)| h == STIG_VIEWING);
            ids.map(|(_, id)| crate::xccdf::run::RuleResult { id: id.clone(), ..r.clone() }).collect::<Vec<_>>()
        })
        .collect();
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", test_result_of(scan, content, &BTreeMap::new(), &rules))
}

fn test_result_of(
    scan: &Scan,
    content: &Content,
    oval_ids: &BTreeMap<String, String>,
    rules: &[crate::xccdf::run::RuleResult],
) -> String {
    let mut out = String::with_capacity(1 << 18);
    let profile_part = scan.profile.as_ref().map_or("default".to_owned(), |p| p.0.clone());
    let _ = writeln!(
        out,
        "<TestResult xmlns=\"{}\" id=\"xccdf_org.scapc_testresult_{}\" start-time=\"{}\" end-time=\"{}\" version=\"{}\" test-system=\"cpe:/a:scapc:scapc:{VERSION}\">",
        content.benchmark.ns,
        escape_attr(&profile_part.replace(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.' && c != '-', "_")),
        timestamp(scan.start),
        timestamp(scan.end),
        escape_attr(&scan.benchmark_version)
    );
    // a standalone benchmark is named by its file, as oscap names it
    let bench_href = match (&content.standalone, content.benchmark_component.is_empty()) {
        (Some(files), _) => files.first().map(|(name, _)| name.clone()).unwrap_or_default(),
        (None, true) => String::new(),
        // a checklist in a local file keeps the data stream's href
        (None, false) => match content.inlined.get(&content.benchmark_component) {
            Some(href) => href.clone(),
            None => format!("#{}", content.benchmark_component),
        },
    };
    // XCCDF 1.1.4: `benchmark` has no id, and there is no target-id-ref.
    let v11 = content.benchmark.ns == crate::xccdf::NS_XCCDF_11;
    if v11 {
        let _ = writeln!(out, "  <benchmark href=\"{}\"/>", escape_attr(&bench_href));
    } else {
        let _ = writeln!(
            out,
            "  <benchmark href=\"{}\" id=\"{}\"/>",
            escape_attr(&bench_href),
            escape_attr(&scan.benchmark_id)
        );
    }
    out.push_str("  <title>scapc scan result</title>\n");
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| {
        // SAFETY: geteuid has no preconditions and cannot fail.
        if unsafe { libc::geteuid() } == 0 {
            "root".into()
        } else {
            "unknown".into()
        }
    });
    // SAFETY: geteuid has no preconditions and cannot fail.
    let privileged = unsafe { libc::geteuid() } == 0;
    let _ = writeln!(
        out,
        "  <identity authenticated=\"false\" privileged=\"{privileged}\">{}</identity>",
        escape_text(&user)
    );
    if let Some((id, _)) = &scan.profile {
        let _ = writeln!(out, "  <profile idref=\"{}\"/>", escape_attr(id));
    }
    let _ = writeln!(out, "  <target>{}</target>", escape_text(&scan.hostname));
    for a in &scan.addresses {
        let _ = writeln!(out, "  <target-address>{a}</target-address>");
    }
    out.push_str("  <target-facts>\n");
    let _ = writeln!(out, "    <fact name=\"urn:xccdf:fact:scanner:name\" type=\"string\">scapc</fact>");
    let _ = writeln!(out, "    <fact name=\"urn:xccdf:fact:scanner:version\" type=\"string\">{VERSION}</fact>");
    let _ = writeln!(
        out,
        "    <fact name=\"urn:xccdf:fact:asset:identifier:fqdn\" type=\"string\">{}</fact>",
        escape_text(&scan.hostname)
    );
    let _ = writeln!(
        out,
        "    <fact name=\"urn:xccdf:fact:asset:identifier:host_name\" type=\"string\">{}</fact>",
        escape_text(&scan.hostname)
    );
    for m in &scan.macs {
        let _ =
            writeln!(out, "    <fact name=\"urn:xccdf:fact:ethernet:MAC\" type=\"string\">{}</fact>", escape_text(m));
        let _ = writeln!(
            out,
            "    <fact name=\"urn:xccdf:fact:asset:identifier:mac\" type=\"string\">{}</fact>",
            escape_text(m)
        );
    }
    for a in &scan.addresses {
        let kind = if a.is_ipv4() { "ipv4" } else { "ipv6" };
        let _ = writeln!(out, "    <fact name=\"urn:xccdf:fact:asset:identifier:{kind}\" type=\"string\">{a}</fact>");
    }
    let _ = writeln!(
        out,
        "    <fact name=\"urn:scapc:fact:target\" type=\"string\">{}</fact>",
        escape_text(&scan.target.describe())
    );
    out.push_str("  </target-facts>\n");
    if !v11 {
        out.push_str("  <target-id-ref system=\"http://scap.nist.gov/schema/asset-identification/1.1\" name=\"asset0\" href=\"\"/>\n");
    }
    for p in &scan.platforms {
        let _ = writeln!(out, "  <platform idref=\"{}\"/>", escape_attr(p));
    }
    for (id, v) in &scan.values {
        let _ = writeln!(out, "  <set-value idref=\"{}\">{}</set-value>", escape_attr(id), escape_text(v));
    }
    for r in rules {
        // a multi-check: one rule-result per definition
        let each: Vec<(XResult, Option<&str>)> = if r.multi.is_empty() {
            vec![(r.result, None)]
        } else {
            r.multi.iter().map(|(d, x)| (*x, Some(d.as_str()))).collect()
        };
        for (result, def) in each {
            rule_result(&mut out, r, result, def, content, oval_ids);
        }
    }
    for s in &scan.scores {
        if s.system == "urn:xccdf:scoring:default" || content.benchmark_declares_model(&s.system) {
            let _ =
                writeln!(out, "  <score system=\"{}\" maximum=\"{:.6}\">{:.6}</score>", s.system, s.maximum, s.score);
        }
    }
    out.push_str("</TestResult>\n");
    out
}

/// A rule's complex-check as the benchmark gives it, for its rule-result.
fn complex_xml(
    out: &mut String,
    spec: &crate::xccdf::content::CheckSpec,
    depth: usize,
    content: &Content,
    oval_ids: &BTreeMap<String, String>,
) {
    use crate::xccdf::content::CheckSpec;
    let pad = "  ".repeat(depth);
    match spec {
        CheckSpec::Complex { operator, negate, children } => {
            let _ = writeln!(
                out,
                "{pad}<complex-check operator=\"{}\"{}>",
                escape_attr(operator),
                if *negate { " negate=\"true\"" } else { "" }
            );
            for c in children {
                complex_xml(out, c, depth + 1, content, oval_ids);
            }
            let _ = writeln!(out, "{pad}</complex-check>");
        }
        CheckSpec::Checks(checks) => {
            for c in checks {
                let _ = writeln!(
                    out,
                    "{pad}<check system=\"{}\"{}>",
                    escape_attr(&c.system),
                    if c.negate { " negate=\"true\"" } else { "" }
                );
                for (href, name) in &c.refs {
                    let comp = content.resolve(href).map(|(c, _)| c);
                    let h =
                        comp.and_then(|c| oval_ids.get(&c).map(|id| format!("#{id}"))).unwrap_or_else(|| href.clone());
                    match name {
                        Some(n) => {
                            let _ = writeln!(
                                out,
                                "{pad}  <check-content-ref name=\"{}\" href=\"{}\"/>",
                                escape_attr(n),
                                escape_attr(&h)
                            );
                        }
                        None => {
                            let _ = writeln!(out, "{pad}  <check-content-ref href=\"{}\"/>", escape_attr(&h));
                        }
                    }
                }
                let _ = writeln!(out, "{pad}</check>");
            }
        }
    }
}

/// One rule-result: `result` and, for one definition of a multi-check,
/// `def` as the check-content-ref's name.
fn rule_result(
    out: &mut String,
    r: &crate::xccdf::run::RuleResult,
    result: XResult,
    def: Option<&str>,
    content: &Content,
    oval_ids: &BTreeMap<String, String>,
) {
    let _ = writeln!(
        out,
        "  <rule-result idref=\"{}\" role=\"{}\" time=\"{}\" severity=\"{}\" weight=\"{:.6}\">",
        escape_attr(&r.id),
        escape_attr(&r.role),
        r.time,
        escape_attr(&r.severity),
        r.weight
    );
    let _ = writeln!(out, "    <result>{}</result>", result.as_str());
    let rule = content.benchmark.rules.iter().find(|x| x.id == r.id);
    if result != XResult::NotSelected {
        if let Some(rule) = rule {
            for (system, v) in &rule.idents {
                let _ = writeln!(out, "    <ident system=\"{}\">{}</ident>", escape_attr(system), escape_text(v));
            }
        }
    }
    for m in &r.messages {
        let _ = writeln!(out, "    <message severity=\"info\">{}</message>", escape_text(m));
    }
    for (system, text) in &r.fixes {
        let _ = writeln!(out, "    <fix system=\"{}\">{}</fix>", escape_attr(system), escape_text(text));
    }
    if let Some(spec) = &r.complex {
        complex_xml(out, spec, 2, content, oval_ids);
    }
    if let Some(c) = &r.check {
        let _ = writeln!(
            out,
            "    <check system=\"{}\"{}{}>",
            escape_attr(&c.system),
            if c.negate { " negate=\"true\"" } else { "" },
            if c.multi_check && content.benchmark.ns != crate::xccdf::NS_XCCDF_11 {
                " multi-check=\"true\""
            } else {
                ""
            }
        );
        if let Some(output) = &r.sce_output {
            let _ =
                writeln!(out, "      <check-import import-name=\"stdout\">{}</check-import>", escape_xml_text(output));
        }
        for (vid, name) in &c.exports {
            let _ = writeln!(
                out,
                "      <check-export value-id=\"{}\" export-name=\"{}\"/>",
                escape_attr(vid),
                escape_attr(name)
            );
        }
        for (href, name) in &c.refs {
            let comp = content.resolve(href).map(|(c, _)| c);
            let h = comp.and_then(|c| oval_ids.get(&c).map(|id| format!("#{id}"))).unwrap_or_else(|| href.clone());
            match def.or(name.as_deref()) {
                Some(n) => {
                    let _ = writeln!(
                        out,
                        "      <check-content-ref name=\"{}\" href=\"{}\"/>",
                        escape_attr(n),
                        escape_attr(&h)
                    );
                }
                None => {
                    let _ = writeln!(out, "      <check-content-ref href=\"{}\"/>", escape_attr(&h));
                }
            }
        }
        out.push_str("    </check>\n");
    }
    out.push_str("  </rule-result>\n");
}

impl Content {
    /// Whether the benchmark asks for a scoring model (`xccdf:model`).
    pub fn benchmark_declares_model(&self, system: &str) -> bool {
        self.tree
            .children_named(self.benchmark_node, self.benchmark.ns, "model")
            .any(|m| self.tree.attr(m, "system") == Some(system))
    }
}

/// The XCCDF results document that `oscap xccdf eval --results` writes:
/// the benchmark as it was evaluated, with the TestResult as its last
/// item (before a signature, which XCCDF puts last). Check hrefs keep the
/// benchmark's own names.
pub fn xccdf_document(scan: &Scan, content: &Content) -> String {
    let tr = unique_test_result_id(test_result(scan, content, &BTreeMap::new()), content);
    let bench = content.raw(content.benchmark_node);
    let mut out = String::with_capacity(bench.len() + tr.len() + 64);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let t = &content.tree;
    let sig = t.children(content.benchmark_node).find(|k| t.local(*k) == "signature");
    let at = match sig {
        // the signature's offset inside the raw text of the benchmark
        Some(k) => {
            let (b0, s0) = (t.node(content.benchmark_node).pos, t.node(k).pos);
            // `raw` may have added namespace declarations to the start tag
            bench.len() - (raw_len(content, content.benchmark_node) - (s0 - b0))
        }
        None => match bench.rfind("</") {
            Some(i) if bench.trim_end().ends_with('>') && !bench.trim_end().ends_with("/>") => i,
            _ => {
                // an empty benchmark written as `<Benchmark .../>`
                let open = bench.trim_end().trim_end_matches("/>");
                let name = open[1..].split(|c: char| c.is_whitespace()).next().unwrap_or("Benchmark");
                out.push_str(open);
                out.push_str(">\n");
                out.push_str(&tr);
                let _ = writeln!(out, "</{name}>");
                return out;
            }
        },
    };
    out.push_str(&bench[..at]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&tr);
    out.push_str(&bench[at..]);
    out.push('\n');
    out
}

/// A benchmark that already holds TestResults (results written into the
/// benchmark evaluated, as oscap does) keeps them; the new one gets the
/// first free id of `ID`, `ID001`, `ID002`, ... as oscap numbers them.
fn unique_test_result_id(tr: String, content: &Content) -> String {
    let t = &content.tree;
    let taken: std::collections::HashSet<&str> = t
        .children(content.benchmark_node)
        .filter(|k| t.local(*k) == "TestResult")
        .filter_map(|k| t.attr(k, "id"))
        .collect();
    let Some(start) = tr.find(" id=\"").map(|i| i + 5) else { return tr };
    let Some(len) = tr[start..].find('"') else { return tr };
    let id = &tr[start..start + len];
    if !taken.contains(id) {
        return tr;
    }
    let free = (1..).map(|n| format!("{id}{n:03}")).find(|c| !taken.contains(c.as_str())).unwrap_or_default();
    format!("{}{free}{}", &tr[..start], &tr[start + len..])
}

fn raw_len(content: &Content, node: scapc_xml::tree::NodeId) -> usize {
    crate::xccdf::content::raw_element(&content.src, &content.tree, node).len()
}

/// The OVAL results files as oscap's `--oval-results` names them: the
/// OVAL file's href, `/` and other bytes that are not letters, digits,
/// `.`, `-` or `_` percent-encoded (`oval/pass/oval.xml` is
/// `oval%2Fpass%2Foval.xml.result.xml`, so two files of the same name in
/// different directories do not collide), `.result.xml` added; a number
/// is added when two OVAL documents still share a name.
pub fn oval_result_files(scan: &Scan) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for o in &scan.oval {
        let base = result_file_base(&o.href);
        let mut name = format!("{base}.result.xml");
        let mut n = 1;
        while out.iter().any(|(x, _)| *x == name) {
            n += 1;
            name = format!("{base}.{n}.result.xml");
        }
        out.push((name, format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}", o.xml)));
    }
    out
}

/// An href as one file name: percent-encoded as in
/// [`oval_result_files`], never hidden (a leading `.` is `%2E`).
fn result_file_base(href: &str) -> String {
    let mut out = String::with_capacity(href.len());
    for b in href.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    if out.is_empty() {
        return "oval".into();
    }
    if out.starts_with('.') {
        out.replace_range(..1, "%2E");
    }
    out
}

/// The OVAL variables documents `oscap xccdf eval --export-variables`
/// writes: for the i-th OVAL document, `<its file name>-<i>.variables-0.xml`
/// with the values the benchmark exported to it. Documents that get no
/// value have no file.
pub fn exported_variables(scan: &Scan) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, o) in scan.oval.iter().enumerate() {
        if o.exported.is_empty() {
            continue;
        }
        let base = o.href.rsplit('/').next().filter(|b| !b.is_empty() && !b.starts_with('.')).unwrap_or("oval");
        let base: String = base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
            .collect();
        let mut x = String::new();
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<oval_variables xmlns=\"http://oval.mitre.org/XMLSchema/oval-variables-5\" xmlns:oval=\"{NS_COMMON}\">"
        );
        let _ = writeln!(
            x,
            "  <generator>\n    <oval:product_name>scapc</oval:product_name>\n    <oval:product_version>{VERSION}</oval:product_version>\n    <oval:schema_version>5.11.2</oval:schema_version>\n    <oval:timestamp>{}</oval:timestamp>\n  </generator>",
            timestamp_plain(SystemTime::now())
        );
        x.push_str("  <variables>\n");
        for (id, values) in &o.exported {
            let (datatype, comment) =
                o.variable_facts.get(id).cloned().unwrap_or_else(|| ("string".into(), String::new()));
            let _ = writeln!(
                x,
                "    <variable id=\"{}\" datatype=\"{}\" comment=\"{}\">",
                escape_attr(id),
                escape_attr(&datatype),
                escape_attr(&comment)
            );
            for v in values {
                let _ = writeln!(x, "      <value>{}</value>", escape_xml_text(v));
            }
            x.push_str("    </variable>\n");
        }
        x.push_str("  </variables>\n</oval_variables>\n");
        out.push((format!("{base}-{i}.variables-0.xml"), x));
    }
    out
}

/// The ARF 1.1 report collection: the source data stream as the request,
/// the asset, the TestResult and each OVAL results document.
pub fn arf(scan: &Scan, content: &Content) -> String {
    let mut oval_ids = BTreeMap::new();
    for (i, o) in scan.oval.iter().enumerate() {
        oval_ids.insert(o.component.clone(), format!("oval{i}"));
    }
    let tr = test_result(scan, content, &oval_ids);
    // One allocation of the final size: the ARF of a large data stream is
    // tens of megabytes, and regrowing copies it and touches fresh memory.
    let size = content.src.len() + tr.len() + scan.oval.iter().map(|o| o.xml.len() + 128).sum::<usize>() + (64 << 10);
    let mut out = String::with_capacity(size);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<arf:asset-report-collection xmlns:arf=\"http://scap.nist.gov/schema/asset-reporting-format/1.1\" xmlns:core=\"http://scap.nist.gov/schema/reporting-core/1.1\" xmlns:ai=\"http://scap.nist.gov/schema/asset-identification/1.1\">\n");
    out.push_str("  <core:relationships xmlns:arfvocab=\"http://scap.nist.gov/specifications/arf/vocabulary/relationships/1.0#\">\n");
    out.push_str("    <core:relationship type=\"arfvocab:createdFor\" subject=\"xccdf1\">\n      <core:ref>collection1</core:ref>\n    </core:relationship>\n");
    out.push_str("    <core:relationship type=\"arfvocab:isAbout\" subject=\"xccdf1\">\n      <core:ref>asset0</core:ref>\n    </core:relationship>\n");
    out.push_str("  </core:relationships>\n");
    out.push_str("  <arf:report-requests>\n    <arf:report-request id=\"collection1\">\n      <arf:content>\n");
    out.push_str(strip_declaration(&content.src));
    out.push_str("\n      </arf:content>\n    </arf:report-request>\n  </arf:report-requests>\n");
    out.push_str("  <arf:assets>\n    <arf:asset id=\"asset0\">\n      <ai:computing-device>\n");
    if !scan.addresses.is_empty() || !scan.macs.is_empty() {
        out.push_str("        <ai:connections>\n");
        for a in &scan.addresses {
            // The asset schema wants IPv6 addresses with all eight groups.
            let (kind, text) = match a {
                std::net::IpAddr::V4(v4) => ("ip-v4", v4.to_string()),
                std::net::IpAddr::V6(v6) => {
                    ("ip-v6", v6.segments().iter().map(|g| format!("{g:x}")).collect::<Vec<_>>().join(":"))
                }
            };
            let _ = writeln!(out, "          <ai:connection>\n            <ai:ip-address>\n              <ai:{kind}>{text}</ai:{kind}>\n            </ai:ip-address>\n          </ai:connection>");
        }
        for m in scan.macs.iter().filter(|m| m.len() == 17) {
            let _ = writeln!(out, "          <ai:connection>\n            <ai:mac-address>{}</ai:mac-address>\n          </ai:connection>", escape_text(m));
        }
        out.push_str("        </ai:connections>\n");
    }
    let _ = writeln!(
        out,
        "        <ai:fqdn>{h}</ai:fqdn>\n        <ai:hostname>{h}</ai:hostname>\n      </ai:computing-device>\n    </arf:asset>\n  </arf:assets>",
        h = escape_text(&scan.hostname)
    );
    out.push_str("  <arf:reports>\n    <arf:report id=\"xccdf1\">\n      <arf:content>\n");
    out.push_str(&tr);
    out.push_str("      </arf:content>\n    </arf:report>\n");
    for (i, o) in scan.oval.iter().enumerate() {
        let _ = writeln!(out, "    <arf:report id=\"oval{i}\">\n      <arf:content>");
        out.push_str(&o.xml);
        out.push_str("      </arf:content>\n    </arf:report>\n");
    }
    out.push_str("  </arf:reports>\n</arf:asset-report-collection>\n");
    out
}

fn strip_declaration(s: &str) -> &str {
    let t = s.trim_start_matches('\u{feff}');
    if t.starts_with("<?xml") {
        if let Some(i) = t.find("?>") {
            return t[i + 2..].trim_start();
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_file_names() {
        assert_eq!(result_file_base("oval/pass/oval.xml"), "oval%2Fpass%2Foval.xml");
        assert_eq!(result_file_base("ssg-rhel8-oval.xml"), "ssg-rhel8-oval.xml");
        assert_eq!(result_file_base("../x.xml"), "%2E.%2Fx.xml");
        assert_eq!(result_file_base(""), "oval");
    }
}
