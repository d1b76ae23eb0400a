//! The content to evaluate: a source data stream read once, the chosen
//! stream and benchmark, href resolution through the catalogs, and the
//! XCCDF benchmark as plain data.
//!
//! A data stream is read by the one reader every command uses
//! ([`scapc_datastream::read`]), so eval refuses what `ds split`, `ds info`,
//! `validate` and `verify` refuse (duplicate component ids, dangling
//! references, DTD declarations, nesting beyond the limit), and hrefs are
//! resolved by the one catalog resolver ([`scapc_datastream::catalog`]).

use super::*;
use scapc_datastream::catalog;
use scapc_datastream::read::{DataStream, RefRole};
use scapc_xml::tree::{NodeId, Tree};
use std::collections::HashMap;
use std::path::Path;

/// A loaded data stream (or a standalone XCCDF benchmark).
pub struct Content {
    pub src: String,
    pub tree: Tree,
    /// The `ds:data-stream` element, if the file is a data stream.
    pub stream: Option<NodeId>,
    pub stream_id: String,
    /// The checklist `ds:component-ref` that holds the benchmark.
    pub checklist_ref: Option<NodeId>,
    /// The id of the component holding the benchmark.
    pub benchmark_component: String,
    pub benchmark_node: NodeId,
    pub benchmark: Benchmark,
    /// The chosen data stream as the shared reader saw it, with the tree
    /// node of each of its component-refs.
    ds: Option<(DataStream, Vec<Option<NodeId>>)>,
    /// Index in the data stream's refs of the checklist's component-ref.
    checklist: Option<usize>,
    /// Component id → its content's root node and the namespace
    /// declarations it inherits.
    components: HashMap<String, (NodeId, Vec<(String, String)>)>,
    /// A component's root node → its bytes in `src` (from the reader, so
    /// [`Content::raw`] need not scan a large component for its end).
    spans: HashMap<NodeId, std::ops::Range<usize>>,
    /// Problems that do not stop the evaluation (a referenced file that
    /// does not exist), for stderr.
    pub warnings: Vec<String>,
    /// A standalone benchmark: the (href, file) of every component the
    /// data stream was made of in memory.
    pub standalone: Option<Vec<(String, std::path::PathBuf)>>,
    /// Components added for component-refs to local files: component id ->
    /// the href as the data stream wrote it (`file:xccdf.xml`).
    pub inlined: HashMap<String, String>,
    /// `--fetch-remote-resources`: a remote href of a check-content-ref
    /// (`https://.../oval.xml.bz2`) -> the id of the component added for
    /// what was downloaded.
    pub remote: HashMap<String, String>,
}

#[derive(Debug, Clone, Default)]
pub struct Benchmark {
    /// The XCCDF namespace: [`NS_XCCDF`] (1.2) or [`NS_XCCDF_11`] (1.1.4).
    pub ns: &'static str,
    pub id: String,
    pub version: String,
    pub title: String,
    pub description: String,
    pub platforms: Vec<String>,
    pub profiles: Vec<Profile>,
    pub values: HashMap<String, Value>,
    pub value_order: Vec<String>,
    pub groups: HashMap<String, Group>,
    /// Rules in document order.
    pub rules: Vec<Rule>,
    /// `cpe-lang:platform` ids → their logical test.
    pub platform_specs: HashMap<String, LogicalTest>,
    /// The benchmark's own `reference`s: (text, href), e.g. (`NIST-800-53`,
    /// its URL); rules' references name them by href.
    pub references: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Profile {
    pub id: String,
    pub title: String,
    pub description: String,
    pub extends: Option<String>,
    pub selects: Vec<(String, bool)>,
    pub set_values: Vec<(String, String)>,
    pub refine_values: Vec<(String, String)>,
    pub refine_rules: Vec<RefineRule>,
}

#[derive(Debug, Clone, Default)]
pub struct RefineRule {
    pub idref: String,
    pub severity: Option<String>,
    pub weight: Option<f64>,
    pub role: Option<String>,
    pub selector: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Value {
    pub id: String,
    pub title: String,
    pub vtype: String,
    pub operator: String,
    /// (selector, value); the unselected value has selector "".
    pub values: Vec<(String, String)>,
}

impl Value {
    pub fn value(&self, selector: Option<&str>) -> Option<&str> {
        if let Some(s) = selector {
            if let Some((_, v)) = self.values.iter().find(|(sel, _)| sel == s) {
                return Some(v);
            }
        }
        self.values.iter().find(|(sel, _)| sel.is_empty()).or(self.values.first()).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub selected: bool,
    pub platforms: Vec<String>,
    pub parent: Option<String>,
    pub weight: f64,
    pub cluster_id: Option<String>,
    /// `requires`: each list needs one selected item.
    pub requires: Vec<Vec<String>>,
    /// `conflicts`: none of these may be selected.
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// The Rule element: its prose (description, rationale, fixtext, fixes)
    /// is read from the tree by who shows it ([`plain_text`]), not for
    /// every rule of every evaluation.
    pub node: NodeId,
    pub severity: String,
    pub weight: f64,
    pub role: String,
    pub selected: bool,
    pub cluster_id: Option<String>,
    pub platforms: Vec<String>,
    /// The enclosing groups, outermost first.
    pub groups: Vec<String>,
    pub idents: Vec<(String, String)>,
    pub references: Vec<(String, String)>,
    pub check: Option<CheckSpec>,
    /// `requires`: each list needs one selected item.
    pub requires: Vec<Vec<String>>,
    /// `conflicts`: none of these may be selected.
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum CheckSpec {
    /// Alternative checks (one per system); the first supported one runs.
    Checks(Vec<Check>),
    Complex {
        operator: String,
        negate: bool,
        children: Vec<CheckSpec>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Check {
    pub system: String,
    pub selector: String,
    pub negate: bool,
    pub multi_check: bool,
    pub exports: Vec<(String, String)>,
    pub imports: Vec<String>,
    pub refs: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone)]
pub enum LogicalTest {
    Test { operator: String, negate: bool, children: Vec<LogicalTest> },
    FactRef(String),
    CheckFactRef { system: String, href: String, id_ref: String },
}

/// What to load and which parts to choose.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Which data stream of a collection (default: the first).
    pub datastream_id: Option<String>,
    /// Which benchmark: its `@id` or its checklist component-ref's id
    /// (oscap's `--xccdf-id`); default: the first.
    pub benchmark_id: Option<String>,
    /// CPE dictionaries for a standalone benchmark (`--cpe`).
    pub cpe: Vec<std::path::PathBuf>,
    /// `--local-files DIR`: remote component-refs of a SCAP 1.3 data
    /// stream read from files of the same name in DIR.
    pub local_files: Option<std::path::PathBuf>,
    /// `--fetch-remote-resources`: download remote component-refs and
    /// remote check-content-ref hrefs ([`crate::fetch`]); without it they
    /// are reported and their checks not evaluated.
    pub fetch_remote: bool,
}

impl Content {
    /// Reads a data stream (or a standalone XCCDF 1.2 or 1.1.4 benchmark)
    /// and picks the stream and benchmark.
    pub fn load(path: &Path, datastream_id: Option<&str>, benchmark_id: Option<&str>) -> Result<Content, String> {
        Self::load_with(
            path,
            &LoadOptions {
                datastream_id: datastream_id.map(str::to_owned),
                benchmark_id: benchmark_id.map(str::to_owned),
                ..Default::default()
            },
        )
    }

    /// [`Content::load`] with every option. A standalone benchmark is made
    /// into a data stream in memory with the files it references
    /// ([`super::standalone`]).
    pub fn load_with(path: &Path, o: &LoadOptions) -> Result<Content, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let src = String::from_utf8(bytes).map_err(|e| format!("{}: the file is not UTF-8: {e}", path.display()))?;
        let root = scapc_datastream::assemble::sniff(&src);
        if root.as_ref().is_some_and(|(ns, l)| (ns == NS_XCCDF || ns == NS_XCCDF_11) && l == "Benchmark") {
            let a = super::standalone::assemble(path, src, &o.cpe, o.fetch_remote)?;
            let mut c = Self::from_source(path, a.xml, None, None)?;
            c.warnings = a.warnings;
            c.standalone = Some(a.files);
            return Ok(c);
        }
        let (src, mut warnings, origins) = inline_local_files(path, src, o.local_files.as_deref(), o.fetch_remote)?;
        let mut c = Self::from_source(path, src, o.datastream_id.as_deref(), o.benchmark_id.as_deref())?;
        let remote = c.remote_hrefs();
        if !remote.is_empty() && !o.fetch_remote {
            warnings.push(format!(
                "{}: the benchmark's checks refer to remote resources ({}), which are fetched only with \
                 --fetch-remote-resources: the checks that use them are not evaluated",
                path.display(),
                remote.join(", ")
            ));
        } else if !remote.is_empty() {
            // each download becomes a component of the collection, and the
            // document is read again
            let mut added = String::new();
            let mut map = HashMap::new();
            for (i, url) in remote.iter().enumerate() {
                let text = download(path, url)?;
                let id = format!("scapc-remote-{}", i + 1);
                added.push_str(&format!(
                    "<scapc-ds:component xmlns:scapc-ds=\"{NS_DS}\" id=\"{id}\" timestamp=\"1970-01-01T00:00:00\">{}</scapc-ds:component>\n",
                    strip_decl(&text)
                ));
                map.insert(url.clone(), id);
            }
            let mut src = std::mem::take(&mut c.src);
            drop(c);
            let end = src.rfind("</").ok_or_else(|| format!("{}: no end tag", path.display()))?;
            src.insert_str(end, &added);
            c = Self::from_source(path, src, o.datastream_id.as_deref(), o.benchmark_id.as_deref())?;
            c.remote = map;
        }
        c.warnings.append(&mut warnings);
        c.inlined = origins;
        if !o.cpe.is_empty() {
            c.warnings.push(format!(
                "--cpe is used with a standalone benchmark; {} is a data stream, which brings its own dictionaries",
                path.display()
            ));
        }
        Ok(c)
    }

    /// As [`Content::load`], from text already read (`path` names it in
    /// messages): the data stream inside an ARF, for instance.
    pub fn from_source(
        path: &Path,
        src: String,
        datastream_id: Option<&str>,
        benchmark_id: Option<&str>,
    ) -> Result<Content, String> {
        let located = |line: u32, col: u32, m: &str| format!("{}:{line}:{col}: {m}", path.display());
        let tree = Tree::parse(&src).map_err(|e| located(e.line, e.col, &e.message))?;
        let root = tree.root();
        // Tree nodes are in document order, so a byte offset finds its node.
        let node_at = |pos: usize| tree.nodes.binary_search_by_key(&pos, |n| n.pos).ok().map(|i| i as NodeId);
        let is_benchmark = |n: NodeId| tree.is(n, NS_XCCDF, "Benchmark") || tree.is(n, NS_XCCDF_11, "Benchmark");
        let mut components = HashMap::new();
        let mut spans = HashMap::new();
        let ds;
        let checklist;
        let (stream, stream_id, checklist_ref, benchmark_component, benchmark_node) = if tree.is(
            root,
            NS_DS,
            "data-stream-collection",
        ) {
            let coll = scapc_datastream::read::read(&src).map_err(|e| located(e.line, e.col, &e.message))?;
            for c in &coll.components {
                if let Some(n) = node_at(c.content.start) {
                    components.insert(c.id.clone(), (n, c.in_scope.clone()));
                    spans.insert(n, c.content.clone());
                }
            }
            let s = match datastream_id {
                Some(want) => coll.streams.iter().find(|s| s.id == want).ok_or_else(|| {
                    let ids: Vec<&str> = coll.streams.iter().map(|s| s.id.as_str()).collect();
                    format!(
                        "{}: no data stream with id `{want}`; the data streams are: {}",
                        path.display(),
                        ids.join(", ")
                    )
                })?,
                None => coll
                    .streams
                    .first()
                    .ok_or_else(|| format!("{}: the collection has no data stream", path.display()))?,
            };
            let ref_nodes: Vec<Option<NodeId>> = s.refs.iter().map(|r| node_at(r.pos)).collect();
            let mut found = None;
            let mut benchmarks = Vec::new();
            for (i, r) in s.refs.iter().enumerate().filter(|(_, r)| r.role == RefRole::Checklists) {
                let Some((comp, (bench, _))) = r.local_target().and_then(|t| components.get_key_value(t)) else {
                    continue;
                };
                if !is_benchmark(*bench) {
                    continue;
                }
                benchmarks.push(r.id.clone());
                if found.is_none()
                    && benchmark_id.is_none_or(|want| tree.attr(*bench, "id") == Some(want) || r.id == want)
                {
                    found = Some((i, comp.clone(), *bench));
                }
            }
            let (i, comp, bench) = found.ok_or_else(|| match benchmark_id {
                    Some(b) => format!(
                        "{}: no benchmark `{b}` in data stream `{}` (give a Benchmark id or a checklist component-ref id; the checklists are: {})",
                        path.display(),
                        s.id,
                        benchmarks.join(", ")
                    ),
                    None => format!("{}: the data stream has no XCCDF benchmark", path.display()),
                })?;
            checklist = Some(i);
            let out = (node_at(s.range.start), s.id.clone(), ref_nodes[i], comp, bench);
            ds = Some((s.clone(), ref_nodes));
            out
        } else {
            return Err(format!(
                "{}: not a source data stream or an XCCDF benchmark (root element `{}`)",
                path.display(),
                tree.local(root)
            ));
        };
        let benchmark = read_benchmark(&tree, &src, benchmark_node);
        Ok(Content {
            src,
            tree,
            stream,
            stream_id,
            checklist_ref,
            benchmark_component,
            benchmark_node,
            benchmark,
            ds,
            checklist,
            components,
            spans,
            warnings: Vec::new(),
            standalone: None,
            inlined: HashMap::new(),
            remote: HashMap::new(),
        })
    }

    /// The component-ref ids of the chosen data stream's tailoring
    /// components (oscap uses them when no `--tailoring-id` is given).
    pub fn stream_tailorings(&self) -> Vec<String> {
        let Some((ds, _)) = &self.ds else { return Vec::new() };
        ds.refs
            .iter()
            .filter(|r| r.role == RefRole::Checklists)
            .filter(|r| {
                r.local_target()
                    .and_then(|t| self.components.get(t))
                    .is_some_and(|(n, _)| self.tree.is(*n, NS_XCCDF, "Tailoring"))
            })
            .map(|r| r.id.clone())
            .collect()
    }

    /// The profiles of a tailoring component of the chosen data stream:
    /// `id` is its component-ref's id (oscap's `--tailoring-id`).
    pub fn tailoring_component(&self, id: &str) -> Result<Vec<Profile>, String> {
        let (ds, _) = self.ds.as_ref().ok_or("--tailoring-id needs a data stream")?;
        let r = ds.refs.iter().find(|r| r.id == id).ok_or_else(|| {
            let ids: Vec<&str> = ds
                .refs
                .iter()
                .filter(|r| {
                    r.local_target()
                        .and_then(|t| self.components.get(t))
                        .is_some_and(|(n, _)| self.tree.local(*n) == "Tailoring")
                })
                .map(|r| r.id.as_str())
                .collect();
            format!(
                "no component-ref `{id}` in data stream `{}`; its tailoring component-refs are: {}",
                ds.id,
                if ids.is_empty() { "(none)".to_owned() } else { ids.join(", ") }
            )
        })?;
        let (node, _) = r
            .local_target()
            .and_then(|t| self.components.get(t))
            .ok_or_else(|| format!("component-ref `{id}` points outside the collection ({})", r.href))?;
        let t = &self.tree;
        if !t.is(*node, NS_XCCDF, "Tailoring") {
            return Err(format!(
                "component-ref `{id}` is not an XCCDF 1.2 tailoring (root element `{}`)",
                t.local(*node)
            ));
        }
        Ok(t.children_named(*node, NS_XCCDF, "Profile").map(|p| read_profile(t, &self.src, p)).collect())
    }

    /// The profiles of an XCCDF 1.2 (or 1.1) tailoring file.
    pub fn load_tailoring(path: &Path) -> Result<Vec<Profile>, String> {
        let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let tree = Tree::parse(&src).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
        let root = tree.root();
        // XCCDF 1.2, or OpenSCAP's XCCDF 1.1 tailoring (1.1 profiles)
        const NS_OSCAP_TAILORING_11: &str = "http://open-scap.org/page/Xccdf-1.1-tailoring";
        if !tree.is(root, NS_XCCDF, "Tailoring") && !tree.is(root, NS_OSCAP_TAILORING_11, "Tailoring") {
            return Err(format!(
                "{}: not an XCCDF 1.2 or 1.1 tailoring file (root element `{}` in `{}`)",
                path.display(),
                tree.local(root),
                tree.ns(root)
            ));
        }
        Ok(tree
            .children(root)
            .filter(|p| tree.local(*p) == "Profile" && matches!(tree.ns(*p), NS_XCCDF | NS_XCCDF_11))
            .map(|p| read_profile(&tree, &src, p))
            .collect())
    }

    /// The root element of the component an href names, as seen from the
    /// benchmark's component-ref ([`catalog::resolve`]): (component id,
    /// root node). `None` for an href that resolves to nothing or to a
    /// remote component.
    ///
    /// An href the checklist's catalog does not map is looked up in the
    /// other catalogs of the stream, as oscap does (it unpacks every
    /// component under the names the catalogs give it).
    pub fn resolve(&self, href: &str) -> Option<(String, NodeId)> {
        let i = self.checklist?;
        self.resolve_in(i, href)
            .or_else(|| {
                let (ds, _) = self.ds.as_ref()?;
                (0..ds.refs.len()).filter(|j| *j != i).find_map(|j| self.resolve_in(j, href))
            })
            .or_else(|| {
                let id = self.remote.get(href)?;
                let (node, _) = self.components.get(id)?;
                Some((id.clone(), *node))
            })
    }

    /// The http(s) hrefs of the benchmark's check-content-refs that no
    /// catalog maps, in document order, each once.
    fn remote_hrefs(&self) -> Vec<String> {
        let t = &self.tree;
        let mut out: Vec<String> = Vec::new();
        for ns in [NS_XCCDF, NS_XCCDF_11] {
            for &r in t.all_in(self.benchmark_node, ns, "check-content-ref") {
                let Some(h) = t.attr(r, "href") else { continue };
                if crate::fetch::is_http(h) && !out.iter().any(|o| o == h) && self.resolve(h).is_none() {
                    out.push(h.to_owned());
                }
            }
        }
        out
    }

    fn resolve_in(&self, from: usize, href: &str) -> Option<(String, NodeId)> {
        let (ds, _) = self.ds.as_ref()?;
        let target = catalog::resolve(ds, ds.refs.get(from)?, href)?.local_target()?;
        let (node, _) = self.components.get(target)?;
        Some((target.to_owned(), *node))
    }

    /// The CPE dictionaries of the stream: (component-ref, cpe-list node).
    pub fn dictionaries(&self) -> Vec<(NodeId, NodeId)> {
        let Some((ds, nodes)) = &self.ds else { return Vec::new() };
        let t = &self.tree;
        ds.refs
            .iter()
            .zip(nodes)
            .filter(|(r, _)| r.role == RefRole::Dictionaries)
            .filter_map(|(r, n)| {
                let (list, _) = self.components.get(r.local_target()?)?;
                (t.is(*list, NS_CPE_DICT, "cpe-list")).then_some(((*n)?, *list))
            })
            .collect()
    }

    /// Resolves an href from a dictionary's component-ref catalog.
    pub fn resolve_from(&self, cref: NodeId, href: &str) -> Option<(String, NodeId)> {
        let (_, nodes) = self.ds.as_ref()?;
        let i = nodes.iter().position(|n| *n == Some(cref))?;
        self.resolve_in(i, href)
    }

    /// The source text of an element, start tag to end tag; a component's
    /// root gets the namespace declarations it inherits added to its start
    /// tag ([`scapc_xml::ns::with_inherited`]), so it stands alone (SSG
    /// components rely on prefixes the data stream root declares).
    pub fn raw(&self, node: NodeId) -> String {
        let raw = match self.spans.get(&node) {
            Some(r) => &self.src[r.clone()],
            None => raw_element(&self.src, &self.tree, node),
        };
        match self.components.values().find(|(n, _)| *n == node) {
            Some((_, in_scope)) => scapc_xml::ns::with_inherited(raw, in_scope, false),
            None => raw.to_owned(),
        }
    }
}

/// A data stream whose component-refs point at local files
/// (`xlink:href="file:xccdf.xml"`, or `file:other-ds.xml#component-id`),
/// as OpenSCAP allows: each such file (or component of another local data
/// stream) is added to the collection as a component and the href made to
/// point at it, so the rest of the code sees one self-contained document.
/// Files are resolved relative to the data stream; a missing one is a
/// warning (its checks are not evaluated).
/// Returns the new document, warnings, and (component id, original href)
/// of each component added.
#[allow(clippy::type_complexity)]
fn inline_local_files(
    path: &Path,
    src: String,
    local_files: Option<&Path>,
    fetch: bool,
) -> Result<(String, Vec<String>, HashMap<String, String>), String> {
    // (a cheap look first: reading the collection costs time on a large stream)
    let http = src.match_indices("component-ref ").any(|(i, _)| {
        let tag = &src[i..src[i..].find('>').map_or(src.len(), |e| i + e)];
        tag.contains("href=\"http") || tag.contains("href='http")
    });
    if !src.contains("file:") && local_files.is_none() && !http {
        return Ok((src, Vec::new(), HashMap::new()));
    }
    let Ok(coll) = scapc_datastream::read::read(&src) else { return Ok((src, Vec::new(), HashMap::new())) };
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut warnings = Vec::new();
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut added = String::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    if local_files.is_some() {
        for s in coll.streams.iter().filter(|s| s.scap_version != "1.3") {
            warnings.push(format!(
                "{}: --local-files applies to SCAP 1.3 data streams; `{}` is version {}: no local file is used",
                path.display(),
                s.id,
                s.scap_version
            ));
        }
    }
    for (s, r) in coll.streams.iter().flat_map(|s| s.refs.iter().map(move |r| (s, r))) {
        let mut url = None;
        let (p, frag) = match (r.href.strip_prefix("file:"), local_files) {
            (Some(rest), _) => match rest.split_once('#') {
                Some((f, c)) => (dir.join(f), Some(c)),
                None => (dir.join(rest), None),
            },
            // `--local-files DIR`: a remote component-ref of a SCAP 1.3
            // stream is read from DIR/<the href's last segment> (as oscap)
            (None, Some(lf)) if r.href.contains("://") && s.scap_version == "1.3" => {
                let name = r.href.rsplit('/').next().unwrap_or("");
                (lf.join(name), None)
            }
            // `--fetch-remote-resources`: downloaded
            (None, None) if crate::fetch::is_http(&r.href) && fetch => {
                url = Some(r.href.as_str());
                (std::path::PathBuf::new(), None)
            }
            (None, None) if crate::fetch::is_http(&r.href) => {
                warnings.push(format!(
                    "{}: component-ref `{}` points at the remote {}, which is fetched only with \
                     --fetch-remote-resources (or read from --local-files DIR): what it holds is not evaluated",
                    path.display(),
                    r.id,
                    r.href
                ));
                continue;
            }
            _ => continue,
        };
        let id = match seen.get(&r.href) {
            Some(id) => id.clone(),
            None => {
                let read = match url {
                    Some(u) => Some(download(path, u)?),
                    None => std::fs::read_to_string(&p).ok(),
                };
                let Some(text) = read else {
                    warnings.push(format!(
                        "{}: component-ref `{}` points at {}, which cannot be read: what it holds is not evaluated",
                        path.display(),
                        r.id,
                        p.display()
                    ));
                    continue;
                };
                let shown = url.map_or_else(|| p.clone(), std::path::PathBuf::from);
                let content = match frag {
                    None => {
                        scapc_datastream::assemble::check_xml(&shown, &text).map(|()| strip_decl(&text).to_owned())?
                    }
                    Some(c) => {
                        let other = scapc_datastream::read::read(&text)
                            .map_err(|e| format!("{}:{}:{}: {}", p.display(), e.line, e.col, e.message))?;
                        let comp = other
                            .component(c)
                            .ok_or_else(|| format!("{}: no component `{c}` (named by `{}`)", p.display(), r.href))?;
                        scapc_xml::ns::with_inherited(other.content(comp), &comp.in_scope, false)
                    }
                };
                let id = format!("scapc-local-{}", seen.len() + 1);
                added.push_str(&format!(
                    "<scapc-ds:component xmlns:scapc-ds=\"{NS_DS}\" id=\"{id}\" timestamp=\"1970-01-01T00:00:00\">{content}</scapc-ds:component>\n"
                ));
                seen.insert(r.href.clone(), id.clone());
                id
            }
        };
        // the href attribute's value inside the component-ref's start tag
        let tag_end = r.pos + src[r.pos..].find('>').unwrap_or(0);
        let tag = &src[r.pos..tag_end];
        let Some(a) = tag.find("href=") else { continue };
        let q = r.pos + a + 5;
        let quote = &src[q..=q];
        let Some(len) = src[q + 1..].find(quote) else { continue };
        edits.push((q + 1..q + 1 + len, format!("#{id}")));
    }
    let origins: HashMap<String, String> = seen.into_iter().map(|(href, id)| (id, href)).collect();
    if edits.is_empty() {
        return Ok((src, warnings, origins));
    }
    let root_end = coll.root_end;
    drop(coll);
    let mut out = src;
    out.insert_str(root_end, &added);
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, v) in edits {
        out.replace_range(range, &v);
    }
    Ok((out, warnings, origins))
}

/// `--fetch-remote-resources`: `url` downloaded for the content at
/// `path`; a failed download is an error (as in oscap), and says why.
fn download(path: &Path, url: &str) -> Result<String, String> {
    let text = crate::fetch::fetch(url).map_err(|e| format!("{}: downloading {url} failed: {e}", path.display()))?;
    scapc_datastream::assemble::check_xml(Path::new(url), &text)?;
    Ok(text)
}

fn strip_decl(t: &str) -> &str {
    let t = t.trim_start_matches('\u{feff}').trim_start();
    match t.strip_prefix("<?xml").and_then(|r| r.find("?>").map(|i| &r[i + 2..])) {
        Some(rest) => rest.trim_start(),
        None => t,
    }
}

/// The byte range of an element in its source: from its start tag to the
/// end of its end tag.
pub fn raw_element<'s>(src: &'s str, tree: &Tree, node: NodeId) -> &'s str {
    let start = tree.node(node).pos;
    let bytes = src.as_bytes();
    // the element's qualified name as written
    let mut e = start + 1;
    while e < bytes.len() && !matches!(bytes[e], b' ' | b'\t' | b'\r' | b'\n' | b'>' | b'/') {
        e += 1;
    }
    let qname = &src[start + 1..e];
    // self-closing?
    let tag_end = find_tag_end(bytes, start);
    if tag_end > 0 && bytes[tag_end - 1] == b'/' {
        return &src[start..=tag_end];
    }
    let open = format!("<{qname}");
    let close = format!("</{qname}");
    let mut depth = 1usize;
    let mut i = tag_end + 1;
    while i < bytes.len() {
        let Some(lt) = src[i..].find('<') else { break };
        i += lt;
        if src[i..].starts_with(&close) {
            depth -= 1;
            let end = src[i..].find('>').map_or(src.len(), |g| i + g + 1);
            if depth == 0 {
                return &src[start..end];
            }
            i = end;
        } else if src[i..].starts_with(&open)
            && matches!(bytes.get(i + open.len()), Some(b' ' | b'>' | b'/' | b'\n' | b'\t' | b'\r'))
        {
            let te = find_tag_end(bytes, i);
            if bytes[te - 1] != b'/' {
                depth += 1;
            }
            i = te + 1;
        } else {
            i += 1;
        }
    }
    &src[start..]
}

fn find_tag_end(bytes: &[u8], start: usize) -> usize {
    let mut quote = 0u8;
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            quote = b;
        } else if b == b'>' {
            return i;
        }
        i += 1;
    }
    bytes.len().saturating_sub(1)
}

/// Text of an XHTML-bearing element with tags removed, entities decoded,
/// paragraphs and list items on their own lines.
pub fn plain_text(src: &str, tree: &Tree, node: NodeId) -> String {
    let raw = raw_element(src, tree, node);
    let inner = match (raw.find('>'), raw.rfind("</")) {
        (Some(a), Some(b)) if a < b => &raw[a + 1..b],
        _ => return String::new(),
    };
    let mut out = String::new();
    let mut i = 0;
    let b = inner.as_bytes();
    while i < b.len() {
        if b[i] == b'<' {
            let end = inner[i..].find('>').map_or(b.len(), |g| i + g);
            let tag = &inner[i + 1..end];
            let name = tag.trim_start_matches('/').split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
            let local = name.rsplit(':').next().unwrap_or("");
            if matches!(local, "p" | "br" | "li" | "pre" | "div" | "tr" | "ul" | "ol") && !out.ends_with('\n') {
                out.push('\n');
            }
            if local == "li" && !tag.starts_with('/') {
                out.push_str("- ");
            }
            if local == "sub" {
                if let Some(idref) = tag.split("idref=\"").nth(1).and_then(|s| s.split('"').next()) {
                    out.push_str(&format!("[{idref}]"));
                }
            }
            i = end + 1;
        } else if b[i] == b'&' {
            let end = inner[i..].find(';').map(|g| i + g).unwrap_or(i);
            let ent = &inner[i + 1..end.max(i + 1)];
            let s = match ent {
                "lt" => "<".to_owned(),
                "gt" => ">".to_owned(),
                "amp" => "&".to_owned(),
                "quot" => "\"".to_owned(),
                "apos" => "'".to_owned(),
                e if e.starts_with("#x") => {
                    u32::from_str_radix(&e[2..], 16).ok().and_then(char::from_u32).map(String::from).unwrap_or_default()
                }
                e if e.starts_with('#') => {
                    e[1..].parse::<u32>().ok().and_then(char::from_u32).map(String::from).unwrap_or_default()
                }
                _ => {
                    out.push('&');
                    i += 1;
                    continue;
                }
            };
            out.push_str(&s);
            i = end + 1;
        } else {
            let next = inner[i..].find(['<', '&']).map_or(b.len(), |g| i + g);
            out.push_str(&inner[i..next]);
            i = next;
        }
    }
    // collapse indentation
    let lines: Vec<String> = out.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    let mut text = String::new();
    for l in lines {
        if l.is_empty() {
            if !text.ends_with("\n\n") && !text.is_empty() {
                text.push('\n');
            }
            continue;
        }
        text.push_str(&l);
        text.push('\n');
    }
    text.trim().to_owned()
}

fn text_of(tree: &Tree, src: &str, n: NodeId, local: &str) -> String {
    tree.child(n, tree.ns(n), local).map(|c| plain_text(src, tree, c)).unwrap_or_default()
}

fn read_benchmark(tree: &Tree, src: &str, b: NodeId) -> Benchmark {
    let ns = tree.ns(b);
    let mut bench = Benchmark {
        ns: if ns == NS_XCCDF_11 { NS_XCCDF_11 } else { NS_XCCDF },
        id: tree.attr(b, "id").unwrap_or("").to_owned(),
        version: tree.child(b, ns, "version").map(|v| tree.text(v).trim().to_owned()).unwrap_or_default(),
        title: text_of(tree, src, b, "title"),
        description: text_of(tree, src, b, "description"),
        ..Default::default()
    };
    bench.platforms =
        tree.children_named(b, ns, "platform").filter_map(|p| tree.attr(p, "idref")).map(str::to_owned).collect();
    if let Some(ps) = tree.child(b, NS_CPE_LANG, "platform-specification") {
        for p in tree.children_named(ps, NS_CPE_LANG, "platform") {
            if let Some(lt) = tree.child(p, NS_CPE_LANG, "logical-test") {
                bench.platform_specs.insert(tree.attr(p, "id").unwrap_or("").to_owned(), read_logical_test(tree, lt));
            }
        }
    }
    bench.references = tree
        .children_named(b, ns, "reference")
        .map(|r| (tree.text(r).trim().to_owned(), tree.attr(r, "href").unwrap_or("").to_owned()))
        .collect();
    for p in tree.children_named(b, ns, "Profile") {
        bench.profiles.push(read_profile(tree, src, p));
    }
    read_items(tree, src, b, &mut bench);
    bench
}

fn read_profile(tree: &Tree, src: &str, p: NodeId) -> Profile {
    let mut prof = Profile {
        id: tree.attr(p, "id").unwrap_or("").to_owned(),
        title: text_of(tree, src, p, "title"),
        description: text_of(tree, src, p, "description"),
        extends: tree.attr(p, "extends").map(str::to_owned),
        ..Default::default()
    };
    for k in tree.children(p) {
        let idref = tree.attr(k, "idref").unwrap_or("").to_owned();
        match tree.local(k) {
            "select" => prof.selects.push((idref, matches!(tree.attr(k, "selected"), Some("true" | "1")))),
            "set-value" => prof.set_values.push((idref, tree.text(k).to_owned())),
            "refine-value" => prof.refine_values.push((idref, tree.attr(k, "selector").unwrap_or("").to_owned())),
            "refine-rule" => prof.refine_rules.push(RefineRule {
                idref,
                severity: tree.attr(k, "severity").map(str::to_owned),
                weight: tree.attr(k, "weight").and_then(|w| w.parse().ok()),
                role: tree.attr(k, "role").map(str::to_owned),
                selector: tree.attr(k, "selector").map(str::to_owned),
            }),
            _ => {}
        }
    }
    prof
}

fn read_logical_test(tree: &Tree, n: NodeId) -> LogicalTest {
    let mut children = Vec::new();
    for k in tree.children(n) {
        match tree.local(k) {
            "logical-test" => children.push(read_logical_test(tree, k)),
            "fact-ref" => children.push(LogicalTest::FactRef(tree.attr(k, "name").unwrap_or("").to_owned())),
            "check-fact-ref" => children.push(LogicalTest::CheckFactRef {
                system: tree.attr(k, "system").unwrap_or("").to_owned(),
                href: tree.attr(k, "href").unwrap_or("").to_owned(),
                id_ref: tree.attr(k, "id-ref").unwrap_or("").to_owned(),
            }),
            _ => {}
        }
    }
    LogicalTest::Test {
        operator: tree.attr(n, "operator").unwrap_or("AND").to_owned(),
        negate: tree.attr(n, "negate") == Some("true"),
        children,
    }
}

/// Values, Groups and Rules in document order. Iterative: Groups may nest
/// as deep as the reader allows without exhausting the stack.
fn read_items(tree: &Tree, src: &str, root: NodeId, bench: &mut Benchmark) {
    // (element whose children are read, index of the next child); every
    // frame above the first is a Group.
    let mut stack: Vec<(NodeId, usize)> = vec![(root, 0)];
    let mut groups: Vec<String> = Vec::new();
    while let Some(&(parent, i)) = stack.last() {
        let Some(&k) = tree.node(parent).children.get(i) else {
            stack.pop();
            if !stack.is_empty() {
                groups.pop();
            }
            continue;
        };
        if let Some(top) = stack.last_mut() {
            top.1 += 1;
        }
        if tree.ns(k) != tree.ns(root) {
            continue;
        }
        match tree.local(k) {
            "Value" => {
                let id = tree.attr(k, "id").unwrap_or("").to_owned();
                let v = Value {
                    id: id.clone(),
                    title: text_of(tree, src, k, "title"),
                    vtype: tree.attr(k, "type").unwrap_or("string").to_owned(),
                    operator: tree.attr(k, "operator").unwrap_or("equals").to_owned(),
                    values: tree
                        .children_named(k, tree.ns(k), "value")
                        .map(|v| (tree.attr(v, "selector").unwrap_or("").to_owned(), tree.text(v).to_owned()))
                        .collect(),
                };
                bench.value_order.push(id.clone());
                bench.values.insert(id, v);
            }
            "Group" => {
                let id = tree.attr(k, "id").unwrap_or("").to_owned();
                bench.groups.insert(
                    id.clone(),
                    Group {
                        id: id.clone(),
                        title: text_of(tree, src, k, "title"),
                        selected: !matches!(tree.attr(k, "selected"), Some("false" | "0")),
                        platforms: tree
                            .children_named(k, tree.ns(k), "platform")
                            .filter_map(|p| tree.attr(p, "idref"))
                            .map(str::to_owned)
                            .collect(),
                        parent: groups.last().cloned(),
                        weight: tree.attr(k, "weight").and_then(|w| w.parse().ok()).unwrap_or(1.0),
                        cluster_id: tree.attr(k, "cluster-id").map(str::to_owned),
                        requires: tree
                            .children_named(k, tree.ns(k), "requires")
                            .map(|q| {
                                tree.attr(q, "idref").unwrap_or("").split_whitespace().map(str::to_owned).collect()
                            })
                            .collect(),
                        conflicts: tree
                            .children_named(k, tree.ns(k), "conflicts")
                            .filter_map(|q| tree.attr(q, "idref"))
                            .map(str::to_owned)
                            .collect(),
                    },
                );
                groups.push(id);
                stack.push((k, 0));
            }
            "Rule" => bench.rules.push(read_rule(tree, src, k, &groups)),
            _ => {}
        }
    }
}

fn read_rule(tree: &Tree, src: &str, r: NodeId, groups: &[String]) -> Rule {
    let mut rule = Rule {
        id: tree.attr(r, "id").unwrap_or("").to_owned(),
        title: text_of(tree, src, r, "title"),
        node: r,
        severity: tree.attr(r, "severity").unwrap_or("unknown").to_owned(),
        weight: tree.attr(r, "weight").and_then(|w| w.parse().ok()).unwrap_or(1.0),
        role: tree.attr(r, "role").unwrap_or("full").to_owned(),
        selected: !matches!(tree.attr(r, "selected"), Some("false" | "0")),
        cluster_id: tree.attr(r, "cluster-id").map(str::to_owned),
        groups: groups.to_vec(),
        ..Default::default()
    };
    for k in tree.children(r) {
        match tree.local(k) {
            "platform" => rule.platforms.extend(tree.attr(k, "idref").map(str::to_owned)),
            "ident" => {
                rule.idents.push((tree.attr(k, "system").unwrap_or("").to_owned(), tree.text(k).trim().to_owned()))
            }
            "reference" => {
                rule.references.push((tree.attr(k, "href").unwrap_or("").to_owned(), tree.text(k).trim().to_owned()))
            }
            "requires" => {
                rule.requires.push(tree.attr(k, "idref").unwrap_or("").split_whitespace().map(str::to_owned).collect())
            }
            "conflicts" => rule.conflicts.push(tree.attr(k, "idref").unwrap_or("").to_owned()),
            _ => {}
        }
    }
    let checks: Vec<Check> = tree.children_named(r, tree.ns(r), "check").map(|c| read_check(tree, c)).collect();
    if let Some(cc) = tree.child(r, tree.ns(r), "complex-check") {
        rule.check = Some(read_complex(tree, cc));
    } else if !checks.is_empty() {
        rule.check = Some(CheckSpec::Checks(checks));
    }
    rule
}

fn read_complex(tree: &Tree, n: NodeId) -> CheckSpec {
    let mut children = Vec::new();
    for k in tree.children(n) {
        match tree.local(k) {
            "check" => children.push(CheckSpec::Checks(vec![read_check(tree, k)])),
            "complex-check" => children.push(read_complex(tree, k)),
            _ => {}
        }
    }
    CheckSpec::Complex {
        operator: tree.attr(n, "operator").unwrap_or("AND").to_owned(),
        negate: tree.attr(n, "negate") == Some("true"),
        children,
    }
}

/// A `check` element (of a Rule, or of a rule-result in a TestResult).
pub fn read_check(tree: &Tree, c: NodeId) -> Check {
    let mut ch = Check {
        system: tree.attr(c, "system").unwrap_or("").to_owned(),
        selector: tree.attr(c, "selector").unwrap_or("").to_owned(),
        negate: matches!(tree.attr(c, "negate"), Some("true" | "1")),
        multi_check: matches!(tree.attr(c, "multi-check"), Some("true" | "1")),
        ..Default::default()
    };
    for k in tree.children(c) {
        match tree.local(k) {
            "check-export" => ch.exports.push((
                tree.attr(k, "value-id").unwrap_or("").to_owned(),
                tree.attr(k, "export-name").unwrap_or("").to_owned(),
            )),
            "check-import" => ch.imports.push(tree.attr(k, "import-name").unwrap_or("").to_owned()),
            "check-content-ref" => {
                ch.refs.push((tree.attr(k, "href").unwrap_or("").to_owned(), tree.attr(k, "name").map(str::to_owned)))
            }
            _ => {}
        }
    }
    ch
}
