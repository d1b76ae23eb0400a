//! What a data stream holds: streams, components, benchmarks with profiles,
//! OVAL counts, CPE platforms and signatures. One streaming pass per
//! component.

use crate::read::{Collection, ComponentSpan, RefRole};
use quick_xml::events::Event;
use quick_xml::Reader;
use scapc_xml::ns::Scopes;
use serde::Serialize;
use std::collections::BTreeMap;

pub const NS_XCCDF_12: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const NS_XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";
pub const NS_OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2.0";
pub const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
pub const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";

#[derive(Debug, Serialize)]
pub struct Info {
    pub collection_id: String,
    pub schematron_version: String,
    pub data_streams: Vec<StreamInfo>,
    pub components: Vec<ComponentInfo>,
    pub benchmarks: Vec<BenchmarkInfo>,
    pub oval: Vec<OvalInfo>,
    pub cpe_names: Vec<String>,
    pub cpe_platforms: Vec<String>,
    pub signatures: usize,
}

#[derive(Debug, Serialize)]
pub struct StreamInfo {
    pub id: String,
    pub scap_version: String,
    pub use_case: String,
    pub timestamp: String,
    pub refs: Vec<RefInfo>,
}

#[derive(Debug, Serialize)]
pub struct RefInfo {
    pub id: String,
    pub role: RefRole,
    pub href: String,
    pub remote: bool,
}

#[derive(Debug, Serialize)]
pub struct ComponentInfo {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub size: usize,
}

#[derive(Debug, Serialize)]
pub struct ProfileInfo {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Serialize)]
pub struct BenchmarkInfo {
    pub component: String,
    pub id: String,
    pub title: String,
    pub version: String,
    pub profiles: Vec<ProfileInfo>,
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
}

#[derive(Debug, Serialize, Default)]
pub struct OvalInfo {
    pub component: String,
    pub definitions: usize,
    pub tests: usize,
    pub objects: usize,
    pub states: usize,
    pub variables: usize,
    /// Test element (family:name) -> count.
    pub test_types: BTreeMap<String, usize>,
}

/// The kind of a component, from its root element.
pub fn kind_of(comp: &ComponentSpan) -> &'static str {
    if comp.extended {
        return "extended";
    }
    match (comp.root_ns.as_str(), comp.root_local.as_str()) {
        (NS_XCCDF_12 | NS_XCCDF_11, "Benchmark") => "xccdf",
        (NS_OVAL_DEF, "oval_definitions") => "oval",
        (NS_OCIL, "ocil") => "ocil",
        (NS_CPE_DICT, "cpe-list") => "cpe-dictionary",
        (NS_CPE_LANG, _) => "cpe-language",
        _ => "other",
    }
}

fn family(ns: &str) -> &str {
    ns.rsplit('#').next().filter(|_| ns.contains('#')).unwrap_or("core")
}

/// A namespace-aware walker over one component's bytes, calling `f` with
/// (depth, namespace, local name, attributes, first text) for each start
/// element. Linear in the component's size: prefixes resolve through
/// [`Scopes`], never by walking the open elements. The component was read
/// by [`crate::read::read`], so its nesting is already bounded.
fn walk(
    xml: &str,
    inherited: &[(String, String)],
    mut f: impl FnMut(usize, &str, &str, &[(String, String)], Option<&str>),
) {
    let mut r = Reader::from_str(xml);
    r.config_mut().trim_text(true);
    let mut scopes = Scopes::new();
    scopes.push(inherited.to_vec());
    // A start tag whose first text is not read yet: (depth, namespace,
    // local name, attributes).
    type Pending = (usize, String, String, Vec<(String, String)>);
    let mut pending: Option<Pending> = None;
    while let Ok(ev) = r.read_event() {
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if let Some((d, ns, l, a)) = pending.take() {
                    f(d, &ns, &l, &a, None);
                }
                let depth = scopes.depth() - 1;
                let (decls, attrs) = scapc_xml::split_attributes(e).unwrap_or_default();
                scopes.push(decls);
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let (p, l) = name
                    .split_once(':')
                    .map(|(p, l)| (p.to_owned(), l.to_owned()))
                    .unwrap_or((String::new(), name.clone()));
                let ns = scopes.resolve(&p).unwrap_or_default().to_owned();
                if matches!(ev, Event::Empty(_)) {
                    f(depth, &ns, &l, &attrs, None);
                    scopes.pop();
                } else {
                    pending = Some((depth, ns, l, attrs));
                }
            }
            Event::Text(t) => {
                if let Some((d, ns, l, a)) = pending.take() {
                    let text = t.decode().map(|c| c.into_owned()).unwrap_or_default();
                    f(d, &ns, &l, &a, Some(&text));
                }
            }
            Event::End(_) => {
                if let Some((d, ns, l, a)) = pending.take() {
                    f(d, &ns, &l, &a, None);
                }
                scopes.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
}

fn attr<'a>(a: &'a [(String, String)], k: &str) -> &'a str {
    a.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str()).unwrap_or("")
}

pub fn info(c: &Collection<'_>) -> Info {
    let mut out = Info {
        collection_id: c.id.clone(),
        schematron_version: c.schematron_version.clone(),
        data_streams: c
            .streams
            .iter()
            .map(|s| StreamInfo {
                id: s.id.clone(),
                scap_version: s.scap_version.clone(),
                use_case: s.use_case.clone(),
                timestamp: s.timestamp.clone(),
                refs: s
                    .refs
                    .iter()
                    .map(|r| RefInfo {
                        id: r.id.clone(),
                        role: r.role,
                        href: r.href.clone(),
                        remote: !r.href.starts_with('#'),
                    })
                    .collect(),
            })
            .collect(),
        components: Vec::new(),
        benchmarks: Vec::new(),
        oval: Vec::new(),
        cpe_names: Vec::new(),
        cpe_platforms: Vec::new(),
        signatures: c.signatures.len(),
    };
    for comp in &c.components {
        let kind = kind_of(comp);
        out.components.push(ComponentInfo { id: comp.id.clone(), kind: kind.to_owned(), size: comp.content.len() });
        let xml = c.content(comp);
        match kind {
            "xccdf" => {
                let mut b = BenchmarkInfo {
                    component: comp.id.clone(),
                    id: String::new(),
                    title: String::new(),
                    version: String::new(),
                    profiles: Vec::new(),
                    rules: 0,
                    groups: 0,
                    values: 0,
                };
                let mut in_profile: Option<usize> = None;
                walk(xml, &comp.in_scope, |depth, ns, local, a, text| {
                    let xccdf = ns == NS_XCCDF_12 || ns == NS_XCCDF_11;
                    if depth == 0 && xccdf && local == "Benchmark" {
                        b.id = attr(a, "id").to_owned();
                    } else if depth == 1 && xccdf && local == "title" && b.title.is_empty() {
                        b.title = text.unwrap_or("").to_owned();
                    } else if depth == 1 && xccdf && local == "version" {
                        b.version = text.unwrap_or("").to_owned();
                    } else if depth == 1 && xccdf && local == "Profile" {
                        b.profiles.push(ProfileInfo { id: attr(a, "id").to_owned(), title: String::new() });
                        in_profile = Some(b.profiles.len() - 1);
                    } else if depth == 2 && xccdf && local == "title" {
                        if let Some(i) = in_profile.take() {
                            b.profiles[i].title = text.unwrap_or("").to_owned();
                        }
                    } else if xccdf && local == "Rule" {
                        b.rules += 1;
                    } else if xccdf && local == "Group" {
                        b.groups += 1;
                    } else if xccdf && local == "Value" {
                        b.values += 1;
                    } else if ns == NS_CPE_LANG && local == "platform" {
                        out.cpe_platforms.push(attr(a, "id").to_owned());
                    }
                });
                out.benchmarks.push(b);
            }
            "oval" => {
                let mut o = OvalInfo { component: comp.id.clone(), ..Default::default() };
                walk(xml, &comp.in_scope, |depth, ns, local, _a, _| {
                    if depth != 2 {
                        return;
                    }
                    if local == "definition" && ns == NS_OVAL_DEF {
                        o.definitions += 1;
                    } else if local.ends_with("_test") {
                        o.tests += 1;
                        *o.test_types.entry(format!("{}:{local}", family(ns))).or_default() += 1;
                    } else if local.ends_with("_object") {
                        o.objects += 1;
                    } else if local.ends_with("_state") {
                        o.states += 1;
                    } else if local.ends_with("_variable") {
                        o.variables += 1;
                    }
                });
                out.oval.push(o);
            }
            "cpe-dictionary" => {
                walk(xml, &comp.in_scope, |_, ns, local, a, _| {
                    if ns == NS_CPE_DICT && local == "cpe-item" {
                        out.cpe_names.push(attr(a, "name").to_owned());
                    }
                });
            }
            _ => {}
        }
    }
    out
}

/// Human-readable rendering.
pub fn render_text(i: &Info) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "Collection: {} (schematron-version {})", i.collection_id, i.schematron_version);
    for d in &i.data_streams {
        let _ = writeln!(s, "Data stream: {}  SCAP {}  use-case {}  {}", d.id, d.scap_version, d.use_case, d.timestamp);
        for r in &d.refs {
            let _ = writeln!(
                s,
                "  {:<12} {}{}",
                format!("{:?}", r.role).to_lowercase(),
                r.href,
                if r.remote { "  (remote)" } else { "" }
            );
        }
    }
    let _ = writeln!(s, "Components: {}", i.components.len());
    for c in &i.components {
        let _ = writeln!(s, "  {:<15} {:>10} bytes  {}", c.kind, c.size, c.id);
    }
    for b in &i.benchmarks {
        let _ = writeln!(s, "Benchmark: {} \"{}\" version {}", b.id, b.title, b.version);
        let _ =
            writeln!(s, "  {} rules, {} groups, {} values, {} profiles", b.rules, b.groups, b.values, b.profiles.len());
        for p in &b.profiles {
            let _ = writeln!(s, "  profile {}  {}", p.id, p.title);
        }
    }
    for o in &i.oval {
        let _ = writeln!(
            s,
            "OVAL {}: {} definitions, {} tests, {} objects, {} states, {} variables",
            o.component, o.definitions, o.tests, o.objects, o.states, o.variables
        );
        let types: Vec<String> = o.test_types.iter().map(|(k, v)| format!("{k} ({v})")).collect();
        let _ = writeln!(s, "  test types: {}", types.join(", "));
    }
    if !i.cpe_names.is_empty() {
        let _ = writeln!(s, "CPE names: {}", i.cpe_names.join(", "));
    }
    if !i.cpe_platforms.is_empty() {
        let _ = writeln!(s, "CPE platforms: {}", i.cpe_platforms.len());
    }
    let _ = writeln!(s, "Signatures: {}", if i.signatures == 0 { "none".to_owned() } else { i.signatures.to_string() });
    s
}

pub const NS_ARF: &str = "http://scap.nist.gov/schema/asset-reporting-format/1.1";
const NS_CORE: &str = "http://scap.nist.gov/schema/reporting-core/1.1";
const NS_OVAL_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";

/// What a result data stream (ARF 1.1 asset report collection) holds.
#[derive(Debug, Serialize, Default)]
pub struct ArfInfo {
    /// `report-request` ids, with the root element of what each holds.
    pub requests: Vec<(String, String)>,
    /// `asset` ids, with the host name when given.
    pub assets: Vec<(String, String)>,
    pub reports: Vec<ArfReport>,
    /// (type, subject, refs) of each `core:relationship`.
    pub relationships: Vec<(String, String, Vec<String>)>,
}

#[derive(Debug, Serialize, Default)]
pub struct ArfReport {
    pub id: String,
    /// `TestResult` (XCCDF), `oval_results`, or the root element's name.
    pub kind: String,
    /// For a TestResult: its id, benchmark and profile.
    pub test_result: Option<String>,
    pub benchmark: Option<String>,
    pub profile: Option<String>,
    /// XCCDF rule results or OVAL definition results: result -> count.
    pub results: BTreeMap<String, usize>,
}

/// Reads an ARF report collection in one pass. `Err` when the document is
/// not one.
pub fn arf_info(src: &str) -> Result<ArfInfo, String> {
    let mut out = ArfInfo::default();
    let mut root_ok = false;
    // where we are: the open arf element kinds (request, asset, report)
    let mut in_request: Option<(usize, String)> = None;
    let mut in_asset: Option<(usize, usize)> = None;
    let mut in_report: Option<usize> = None;
    let mut in_rel: Option<usize> = None;
    let mut rule_result_depth: Option<usize> = None;
    walk(src, &[], |depth, ns, local, a, text| {
        if depth == 0 {
            root_ok = ns == NS_ARF && local == "asset-report-collection";
            return;
        }
        if in_request.as_ref().is_some_and(|(d, _)| depth <= *d) {
            in_request = None;
        }
        if in_asset.is_some_and(|(d, _)| depth <= d) {
            in_asset = None;
        }
        if in_report.is_some_and(|d| depth <= d + 2) && depth <= in_report.unwrap_or(0) {
            in_report = None;
        }
        if rule_result_depth.is_some_and(|d| depth <= d) {
            rule_result_depth = None;
        }
        match (ns, local) {
            (NS_ARF, "report-request") => {
                out.requests.push((attr(a, "id").to_owned(), String::new()));
                in_request = Some((depth, String::new()));
            }
            (NS_ARF, "asset") => {
                out.assets.push((attr(a, "id").to_owned(), String::new()));
                in_asset = Some((depth, out.assets.len() - 1));
            }
            (NS_ARF, "report") => {
                out.reports.push(ArfReport { id: attr(a, "id").to_owned(), ..Default::default() });
                in_report = Some(depth);
            }
            (NS_CORE, "relationship") => {
                out.relationships.push((attr(a, "type").to_owned(), attr(a, "subject").to_owned(), Vec::new()));
                in_rel = Some(depth);
            }
            (NS_CORE, "ref") if in_rel.is_some_and(|d| depth == d + 1) => {
                if let Some(r) = out.relationships.last_mut() {
                    r.2.push(text.unwrap_or("").trim().to_owned());
                }
            }
            (NS_ARF, "content") => {}
            _ => {
                if let Some((d, _)) = &in_request {
                    if depth == d + 2 {
                        if let Some(r) = out.requests.last_mut() {
                            r.1 = local.to_owned();
                        }
                    }
                }
                if let Some((_, i)) = in_asset {
                    if local == "hostname" || (local == "fqdn" && out.assets[i].1.is_empty()) {
                        out.assets[i].1 = text.unwrap_or("").trim().to_owned();
                    }
                }
                if let Some(d) = in_report {
                    let Some(r) = out.reports.last_mut() else { return };
                    if depth == d + 2 {
                        r.kind = local.to_owned();
                        if local == "TestResult" {
                            r.test_result = Some(attr(a, "id").to_owned());
                        }
                    } else if r.kind == "TestResult" && depth == d + 3 {
                        match local {
                            "benchmark" => r.benchmark = Some(attr(a, "id").to_owned()),
                            "profile" => r.profile = Some(attr(a, "idref").to_owned()),
                            "rule-result" => rule_result_depth = Some(depth),
                            _ => {}
                        }
                    } else if r.kind == "TestResult"
                        && local == "result"
                        && rule_result_depth.is_some_and(|x| depth == x + 1)
                    {
                        *r.results.entry(text.unwrap_or("").trim().to_owned()).or_default() += 1;
                    } else if r.kind == "oval_results" && ns == NS_OVAL_RES && local == "definition" {
                        *r.results.entry(attr(a, "result").to_owned()).or_default() += 1;
                    }
                }
            }
        }
    });
    if !root_ok {
        return Err("not an ARF 1.1 asset-report-collection".into());
    }
    Ok(out)
}

/// Human-readable rendering of [`arf_info`].
pub fn render_arf_text(i: &ArfInfo) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "Result data stream (ARF 1.1)");
    let _ = writeln!(s, "Report requests: {}", i.requests.len());
    for (id, kind) in &i.requests {
        let _ = writeln!(s, "  {id}  ({kind})");
    }
    let _ = writeln!(s, "Assets: {}", i.assets.len());
    for (id, host) in &i.assets {
        let _ = writeln!(s, "  {id}{}", if host.is_empty() { String::new() } else { format!("  {host}") });
    }
    let _ = writeln!(s, "Reports: {}", i.reports.len());
    for r in &i.reports {
        let counts: Vec<String> = r.results.iter().map(|(k, v)| format!("{v} {k}")).collect();
        let _ = writeln!(s, "  {}  {}", r.id, r.kind);
        if let Some(t) = &r.test_result {
            let _ = writeln!(s, "    TestResult {t}");
        }
        if let Some(b) = &r.benchmark {
            let _ = writeln!(s, "    benchmark {b}");
        }
        if let Some(p) = &r.profile {
            let _ = writeln!(s, "    profile {p}");
        }
        if !counts.is_empty() {
            let _ = writeln!(s, "    results: {}", counts.join(", "));
        }
    }
    for (t, subj, refs) in &i.relationships {
        let _ = writeln!(s, "Relationship {t}: {subj} -> {}", refs.join(", "));
    }
    s
}

#[cfg(test)]
mod arf_tests {
    use super::*;

    #[test]
    fn arf_summary() {
        let x = r##"<arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1" xmlns:core="http://scap.nist.gov/schema/reporting-core/1.1">
<core:relationships><core:relationship type="arfvocab:isAbout" subject="xccdf1"><core:ref>asset0</core:ref></core:relationship></core:relationships>
<arf:report-requests><arf:report-request id="collection1"><arf:content><ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2"/></arf:content></arf:report-request></arf:report-requests>
<arf:assets><arf:asset id="asset0"><ai:computing-device xmlns:ai="http://scap.nist.gov/schema/asset-identification/1.1"><ai:hostname>h1</ai:hostname></ai:computing-device></arf:asset><arf:asset id="asset1"/></arf:assets>
<arf:reports><arf:report id="xccdf1"><arf:content><TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="t1"><benchmark href="#x" id="b1"/><profile idref="p1"/>
<rule-result idref="r1"><result>pass</result></rule-result><rule-result idref="r2"><result>fail</result></rule-result><rule-result idref="r3"><result>pass</result></rule-result></TestResult></arf:content></arf:report></arf:reports>
</arf:asset-report-collection>"##;
        let i = arf_info(x).unwrap();
        assert_eq!(i.requests, vec![("collection1".to_owned(), "data-stream-collection".to_owned())]);
        assert_eq!(i.assets, vec![("asset0".to_owned(), "h1".to_owned()), ("asset1".to_owned(), String::new())]);
        assert_eq!(i.reports.len(), 1);
        let r = &i.reports[0];
        assert_eq!(
            (r.kind.as_str(), r.benchmark.as_deref(), r.profile.as_deref()),
            ("TestResult", Some("b1"), Some("p1"))
        );
        assert_eq!(r.results.get("pass"), Some(&2));
        assert_eq!(r.results.get("fail"), Some(&1));
        assert_eq!(i.relationships[0].2, vec!["asset0".to_owned()]);
        assert!(arf_info("<x/>").is_err());
    }
}
