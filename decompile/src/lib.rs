//! `scapc decompile`: a source data stream back into a scapc content tree
//! (docs/decompile.md).
//!
//! The data stream is read with the one reader (`scapc_datastream::read`),
//! hrefs are followed with the one catalog resolver, and each component is
//! read into the small DOM with canonical names (`doc`). The benchmark
//! becomes `rules/` (groups as directories, `rule.yml`, `.var`), `profiles/`
//! and `products/<p>/product.yml` (`xccdf`); each rule's OVAL definition and
//! what it reaches becomes its `oval/shared.xml` (`oval`); the CPE platforms
//! become `applicability/` (`cpe`). Nothing is written here: the caller
//! gets the files and writes them as one set.
#![forbid(unsafe_code)]

mod cpe;
mod doc;
mod oval;
mod text;
mod xccdf;

use scapc_datastream::read::{self, Collection, ComponentRef, DataStream, RefRole};
use std::collections::BTreeMap;

/// What to decompile.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The benchmark (full id or its short id); the first when `None`.
    pub benchmark: Option<String>,
}

/// Why a data stream could not be decompiled (with a place in it when
/// there is one; 0 when not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error { line: 0, col: 0, message: message.into() }
    }
}

/// Counts of what was decompiled, and what could not be kept.
#[derive(Debug, Default, serde::Serialize)]
pub struct Summary {
    pub product: String,
    pub benchmark: String,
    pub namespace: String,
    pub groups: usize,
    pub rules: usize,
    pub values: usize,
    pub profiles: usize,
    pub platforms: usize,
    pub oval_checks: usize,
    pub ocil_checks: usize,
    pub fixes: usize,
    /// Other benchmarks in the data stream, not decompiled.
    pub other_benchmarks: Vec<String>,
    /// What was normalized or left out, with how often.
    pub lost: BTreeMap<String, usize>,
}

/// The tree: (relative path, contents), and the summary.
#[derive(Debug)]
pub struct Decompiled {
    pub files: Vec<(String, String)>,
    pub summary: Summary,
}

/// Decompiles the data stream in `src`. Runs on a thread with a large
/// stack: the DOM walks recurse, and the reader allows 10,000 levels.
pub fn decompile(src: &str, opts: &Options) -> Result<Decompiled, Error> {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn_scoped(s, || run(src, opts))
            .map_err(|e| Error::new(format!("cannot start the decompiler thread: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(Error::new("internal error: the decompiler stopped")))
    })
}

/// A benchmark found in a data stream: its stream, component-ref and id.
struct Found<'c> {
    stream: &'c DataStream,
    cref: &'c ComponentRef,
    id: String,
}

fn run(src: &str, opts: &Options) -> Result<Decompiled, Error> {
    let coll = read::read(src).map_err(|e| Error { line: e.line, col: e.col, message: e.message })?;
    let mut found = Vec::new();
    for stream in &coll.streams {
        for r in stream.refs.iter().filter(|r| r.role == RefRole::Checklists) {
            let Some(comp) = r.local_target().and_then(|t| coll.component(t)) else { continue };
            if comp.root_local != "Benchmark" {
                continue;
            }
            let id = benchmark_id(coll.content(comp));
            if !found.iter().any(|f: &Found<'_>| f.id == id) {
                found.push(Found { stream, cref: r, id });
            }
        }
    }
    if found.is_empty() {
        return Err(Error::new("the data stream holds no XCCDF benchmark (no checklist component)"));
    }
    let pick = match &opts.benchmark {
        None => 0,
        Some(want) => found
            .iter()
            .position(|f| &f.id == want || f.id.ends_with(&format!("_benchmark_{want}")))
            .ok_or_else(|| {
                let ids: Vec<&str> = found.iter().map(|f| f.id.as_str()).collect();
                Error::new(format!("no benchmark `{want}` in the data stream (it has: {})", ids.join(", ")))
            })?,
    };
    let others = found.iter().enumerate().filter(|(i, _)| *i != pick).map(|(_, f)| f.id.clone()).collect();
    let f = &found[pick];
    let mut out = xccdf::decompile(&coll, f.stream, f.cref)?;
    out.summary.other_benchmarks = others;
    Ok(out)
}

/// The `id` attribute of a component's root element (cheap: the start tag).
fn benchmark_id(body: &str) -> String {
    let tag_end = body.find('>').unwrap_or(body.len());
    let tag = &body[..tag_end];
    let mut rest = tag;
    while let Some(i) = rest.find("id=") {
        let before = rest[..i].chars().last();
        let after = &rest[i + 3..];
        if before.is_some_and(char::is_whitespace) {
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let v = &after[1..];
                return v[..v.find(q).unwrap_or(v.len())].to_owned();
            }
        }
        rest = after;
    }
    String::new()
}

/// The component an href names (through `from`'s catalog), parsed with
/// canonical names; also the component-ref id it was reached by.
fn component<'c>(
    coll: &'c Collection<'c>,
    stream: &DataStream,
    from: &ComponentRef,
    href: &str,
    extra: &mut doc::Extra,
) -> Result<(scapc_xml::Element, String), String> {
    let target = scapc_datastream::catalog::resolve(stream, from, href)
        .ok_or_else(|| format!("the href `{href}` resolves to no component-ref of the data stream"))?;
    Ok((component_of(coll, target, extra)?, target.id.clone()))
}

/// The component a component-ref points at, made to stand alone with the
/// namespaces it inherits and parsed with canonical names.
fn component_of(coll: &Collection<'_>, r: &ComponentRef, extra: &mut doc::Extra) -> Result<scapc_xml::Element, String> {
    let comp_id = r.local_target().ok_or_else(|| format!("`{}` names a remote component ({})", r.id, r.href))?;
    let comp = coll.component(comp_id).ok_or_else(|| format!("no component `{comp_id}`"))?;
    let text = scapc_xml::ns::with_inherited(coll.content(comp), &comp.in_scope, false);
    doc::parse(&text, extra)
        .map_err(|e| format!("component `{comp_id}` line {} column {}: {}", e.line, e.col, e.message))
}

/// A rule, group, value or profile id as the tree allows: `[A-Za-z0-9_-]`.
pub(crate) fn sanitize_id(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

/// A name made of `[A-Za-z0-9_]` (platform and product names).
pub(crate) fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}
