//! The XSD layer: a document, or each part of a data stream, against its
//! official schema.
//!
//! A data stream is validated in parts, in parallel: every component's
//! content against its own schema (XCCDF, OVAL of the version it declares,
//! OCIL, CPE), and the collection "frame" (the data stream with each
//! component's content replaced by a stand-in) against the data stream
//! schema. Line numbers are mapped back to the original file.
//!
//! Findings on components and standalone documents carry A-10-1 (the ID
//! SCAPVal uses for component schema errors); findings on the data stream
//! frame carry SRC-329-1.

use crate::detect::{self, Kind, Root};
use crate::idc::{Finding, Problem};
use crate::schemas::{schema_for, Cache};
use rayon::prelude::*;
use scapc_datastream::read::Collection;
use scapc_diagnostics::{Diagnostic, Location, Severity};
use scapc_xml::tree::{NodeId, Tree};
use std::path::{Path, PathBuf};

const STUB_NS: &str = "http://cpe.mitre.org/dictionary/2.0";
const STUB: &str = "<scapc-stub:cpe-list xmlns:scapc-stub=\"http://cpe.mitre.org/dictionary/2.0\"/>";

struct Job<'a> {
    /// The part's text: these pieces one after the other.
    text: Vec<std::borrow::Cow<'a, str>>,
    /// Lines before the job's first line in the original file.
    line_offset: u32,
    schema: PathBuf,
    code: &'static str,
    frame: bool,
    what: String,
}

/// The `schema_version` an OVAL document declares, read from its generator.
pub fn oval_schema_version(text: &str) -> String {
    let head = &text[..floor_boundary(text, text.len().min(8192))];
    let Some(i) = head.find("schema_version") else { return String::new() };
    let rest = &head[i..];
    let Some(gt) = rest.find('>') else { return String::new() };
    let rest = &rest[gt + 1..];
    rest[..rest.find('<').unwrap_or(0)].trim().to_owned()
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn newlines(s: &str) -> u32 {
    s.as_bytes().iter().filter(|&&b| b == b'\n').count() as u32
}

/// The schema of a standalone (non data stream) document: for OVAL, the
/// one of the version its generator declares.
fn document_schema(root: &Path, kind: &Kind, text: &str) -> PathBuf {
    let ver = if matches!(
        kind,
        Kind::OvalDefinitions | Kind::OvalVariables | Kind::OvalResults | Kind::OvalSystemCharacteristics
    ) {
        oval_schema_version(text)
    } else {
        String::new()
    };
    schema_for(root, kind, &ver)
}

/// Validates a standalone (non data stream) document; `stream`: while
/// parsing, without a tree ([`crate::Validator::streaming`]).
pub fn document(file: &Path, text: &str, kind: &Kind, root: &Path, cache: &Cache, stream: bool) -> Vec<Diagnostic> {
    let job = Job {
        text: vec![text.into()],
        line_offset: 0,
        schema: document_schema(root, kind, text),
        code: "A-10-1",
        frame: false,
        what: kind.name(),
    };
    run(file, &job, cache, stream)
}

/// Validates a data stream collection in parts, in parallel; `stream`: each
/// part while parsing, without a tree ([`crate::Validator::streaming`]).
pub fn data_stream(
    file: &Path,
    coll: &Collection<'_>,
    kind: &Kind,
    root: &Path,
    cache: &Cache,
    stream: bool,
) -> Vec<Diagnostic> {
    let src = coll.src;
    let mut jobs = Vec::new();
    // The frame.
    let mut frame = String::with_capacity(src.len() / 8);
    let mut last = 0;
    let mut comps: Vec<_> = coll.components.iter().filter(|c| !c.extended).collect();
    comps.sort_by_key(|c| c.content.start);
    for c in &comps {
        frame.push_str(&src[last..c.content.start]);
        frame.push_str(STUB);
        for _ in 0..newlines(&src[c.content.clone()]) {
            frame.push('\n');
        }
        last = c.content.end;
    }
    frame.push_str(&src[last..]);
    jobs.push(Job {
        text: vec![frame.into()],
        line_offset: 0,
        schema: schema_for(root, kind, ""),
        code: "SRC-329-1",
        frame: true,
        what: "the data stream collection".into(),
    });
    // The components.
    let mut line = 0u32;
    let mut at = 0usize;
    for c in &comps {
        line += newlines(&src[at..c.content.start]);
        at = c.content.start;
        let r = Root { ns: c.root_ns.clone(), local: c.root_local.clone(), attrs: Vec::new() };
        let Ok(ck) = detect::kind(&r) else { continue }; // the frame reports a wrong component type
        let body = &src[c.content.clone()];
        // The component with the namespace declarations it inherits added
        // to its root start tag, on the same line (line numbers are kept),
        // as three pieces: no copy of it is made.
        let (name_end, add) = scapc_xml::ns::inherited_declarations(body, &c.in_scope, false);
        jobs.push(Job {
            text: vec![body[..name_end].into(), add.into(), body[name_end..].into()],
            line_offset: line,
            schema: part_schema(root, kind, &ck),
            code: "A-10-1",
            frame: false,
            what: format!("component {} ({})", c.id, ck.name()),
        });
    }
    // The largest part starts first (it bounds the wall time); the
    // findings keep the parts' order.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].text.iter().map(|t| t.len()).sum::<usize>()));
    let mut found: Vec<(usize, Vec<Diagnostic>)> =
        order.into_par_iter().map(|i| (i, run(file, &jobs[i], cache, stream))).collect();
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().flat_map(|(_, d)| d).collect()
}

/// The schema a data stream component is validated against. The data
/// stream schema imports every component schema it allows, so one loaded
/// schema serves the frame and all parts.
fn part_schema(root: &Path, ds: &Kind, ck: &Kind) -> PathBuf {
    if matches!(ck, Kind::XccdfBenchmark { version } | Kind::XccdfTailoring { version } if version == "1.2")
        || matches!(ck, Kind::OvalDefinitions | Kind::Ocil | Kind::CpeDictionary)
    {
        schema_for(root, ds, "")
    } else {
        component_schema(root, ds, ck)
    }
}

/// The schema a data stream component validates against: the one the
/// data stream schema itself imports for that namespace (SCAP 1.3 binds
/// OVAL to 5.11.3, SCAP 1.2 to 5.11.1), whatever version the component
/// declares. The declared version is checked by SRC-216-1.
fn component_schema(root: &Path, ds: &Kind, component: &Kind) -> PathBuf {
    let v12 = matches!(ds, Kind::DataStream { scap } if scap == "1.2");
    match component {
        Kind::OvalDefinitions => {
            root.join(if v12 { "oval/5.11.1" } else { "oval/5.11.3" }).join("oval-definitions-schema.xsd")
        }
        Kind::CpeDictionary if v12 => root.join("sds/1.2/cpe-dictionary_2.3.xsd"),
        other => schema_for(root, other, ""),
    }
}

fn run(file: &Path, job: &Job<'_>, cache: &Cache, stream: bool) -> Vec<Diagnostic> {
    let schema = match cache.get(&job.schema) {
        Ok(s) => s,
        Err(e) => return vec![Diagnostic::error("schema-unavailable", e).at(Location::file(file))],
    };
    let result = if stream {
        let parts: Vec<&str> = job.text.iter().map(|t| t.as_ref()).collect();
        schema.validate_stream_parts(&parts)
    } else {
        schema.validate(&job.text.concat(), &file.to_string_lossy())
    };
    let (errors, fatal) = match result {
        Ok(v) => (v, false),
        Err(v) => (v, true),
    };
    let stub_prefix = format!("Element '{{{STUB_NS}}}cpe-list'");
    errors
        .into_iter()
        .filter(|e| !(job.frame && e.message.starts_with(&stub_prefix)))
        .map(|e| {
            let line = if e.line == 0 { job.line_offset + 1 } else { e.line + job.line_offset };
            let sev = if e.warning { Severity::Warning } else { Severity::Error };
            let msg = detect::shorten_names(&e.message);
            let message =
                if fatal { format!("{} is not well-formed XML: {msg}", job.what) } else { format!("schema: {msg}") };
            let loc =
                if e.col > 0 && e.line > 1 { Location::at(file, line, e.col) } else { Location::at(file, line, 1) };
            Diagnostic::new(sev, job.code, message).at(loc).hint(format!(
                "{} was validated against {}",
                job.what,
                job.schema.display()
            ))
        })
        .collect()
}

/// The identity constraints scapc checks itself ([`crate::idc`]), on the
/// document's tree, part by part as [`data_stream`] and [`document`]
/// validate: each component within itself, the frame without the
/// components' content. Findings carry the codes of the XSD layer.
pub fn identity(
    file: &Path,
    t: &Tree,
    text: &str,
    kind: &Kind,
    coll: Option<&Collection<'_>>,
    root: &Path,
    cache: &Cache,
) -> Vec<Diagnostic> {
    // (scope, hidden subtrees, schema, code, what)
    let mut parts: Vec<(NodeId, Vec<NodeId>, PathBuf, &'static str, String)> = Vec::new();
    let node_at = |pos: usize| t.nodes.binary_search_by_key(&pos, |n| n.pos).ok().map(|i| i as NodeId);
    match coll {
        Some(coll) => {
            let mut hidden = Vec::new();
            for c in coll.components.iter().filter(|c| !c.extended) {
                let Some(n) = node_at(c.content.start) else { continue };
                hidden.push(n);
                let r = Root { ns: c.root_ns.clone(), local: c.root_local.clone(), attrs: Vec::new() };
                let Ok(ck) = detect::kind(&r) else { continue };
                parts.push((
                    n,
                    Vec::new(),
                    part_schema(root, kind, &ck),
                    "A-10-1",
                    format!("component {} ({})", c.id, ck.name()),
                ));
            }
            parts.insert(
                0,
                (t.root(), hidden, schema_for(root, kind, ""), "SRC-329-1", "the data stream collection".into()),
            );
        }
        None => parts.push((t.root(), Vec::new(), document_schema(root, kind, text), "A-10-1", kind.name())),
    }
    let mut out = Vec::new();
    for (scope, hidden, schema, code, what) in parts {
        for f in cache.constraints(&schema).check(t, scope, &hidden) {
            let (line, col) = t.pos(f.node);
            out.push(
                Diagnostic::new(Severity::Error, code, format!("schema: {}", identity_message(t, &f)))
                    .at(Location::at(file, line, col))
                    .hint(format!(
                        "{what} was validated against {} (its identity constraints by scapc)",
                        schema.display()
                    )),
            );
        }
    }
    out
}

/// A finding worded as libxml2 words it, the names shortened.
pub fn identity_message(t: &Tree, f: &Finding) -> String {
    let q = |n: &(String, String)| format!("{{{}}}{}", n.0, n.1);
    let seq = format!("[{}]", f.values.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(", "));
    let el = format!("Element '{{{}}}{}': ", t.ns(f.node), t.local(f.node));
    let kind = f.kind.as_str();
    let name = q(&f.constraint);
    let msg = match &f.problem {
        Problem::Duplicate { first } => format!(
            "{el}Duplicate key-sequence {seq} in {kind} identity-constraint '{name}' (the first is on line {}).",
            t.pos(*first).0
        ),
        Problem::NoMatch => format!(
            "{el}No match found for key-sequence {seq} of keyref '{name}' (no {} has this value).",
            f.refer.as_ref().map(q).unwrap_or_default()
        ),
        Problem::Missing(x) => {
            format!("{el}Not all fields of key identity-constraint '{name}' evaluate to a node (the field '{x}' selects none).")
        }
        Problem::Many(x) => format!(
            "{el}The XPath '{x}' of a field of {kind} identity-constraint '{name}' evaluates to a node-set with more than one member."
        ),
    };
    detect::shorten_names(&msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_oval_schema_version() {
        let t = "<oval_definitions><generator><oval:product_name>x</oval:product_name><oval:schema_version>5.11.2</oval:schema_version>";
        assert_eq!(oval_schema_version(t), "5.11.2");
        assert_eq!(oval_schema_version("<a/>"), "");
    }

    #[test]
    fn inherited_namespaces_are_declared_on_the_same_line() {
        let ns = vec![
            ("".to_owned(), "urn:d".to_owned()),
            ("x".to_owned(), "urn:x".to_owned()),
            ("y".to_owned(), "urn:y".to_owned()),
        ];
        let body = "<x:a xmlns:y=\"urn:own\">\n<b/></x:a>";
        let out = scapc_xml::ns::with_inherited(body, &ns, false);
        assert_eq!(out, "<x:a xmlns=\"urn:d\" xmlns:x=\"urn:x\" xmlns:y=\"urn:own\">\n<b/></x:a>");
    }
}
