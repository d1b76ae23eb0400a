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
