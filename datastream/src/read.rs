//! Reading a source data stream's structure in one streaming pass: the one
//! data stream reader of scapc. `ds split`, `ds compose` (reading back what
//! it writes), `ds info`, `validate`, `verify` and `eval` all read data
//! streams here, so they accept and refuse the same documents ([`read`]
//! lists the rules).
//!
//! Components are not copied: each is a byte range into the input, plus the
//! namespace declarations in scope at that point, so that a component can be
//! written out byte for byte with every namespace it uses declared.

use crate::catalog::{Catalog, Entry};
use quick_xml::events::Event;
use quick_xml::Reader;
use scapc_xml::ns::Scopes;
use scapc_xml::MAX_DEPTH;
use std::ops::Range;

pub const NS_SDS: &str = "http://scap.nist.gov/schema/scap/source/1.2";
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
pub const NS_CAT: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";

/// An error with a position in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub line: u32,
    pub col: u32,
    pub message: String,
    /// Well-formed XML, but not a data stream scapc accepts (duplicate
    /// component ids, dangling references, ...); `false` for XML that is
    /// not well-formed, hostile or truncated.
    pub structural: bool,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Where a component-ref sits in its data stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefRole {
    Dictionaries,
    Checklists,
    Checks,
    Extended,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ComponentRef {
    pub id: String,
    /// `#component-id` for a local component, or a remote URL.
    pub href: String,
    pub role: RefRole,
    /// (name, uri) of the `cat:uri` entries of its catalog.
    pub catalog: Vec<(String, String)>,
    /// Its whole catalog (`cat:uri` and `cat:rewriteURI`, in document
    /// order), what [`crate::catalog::resolve`] follows.
    #[serde(skip)]
    pub entries: Catalog,
    /// Byte offset of the `ds:component-ref` start tag.
    #[serde(skip)]
    pub pos: usize,
}

impl ComponentRef {
    /// The local component id this ref points at, if it is local.
    pub fn local_target(&self) -> Option<&str> {
        self.href.strip_prefix('#')
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DataStream {
    /// Byte range of the whole `ds:data-stream` element.
    #[serde(skip)]
    pub range: Range<usize>,
    pub id: String,
    pub scap_version: String,
    pub use_case: String,
    pub timestamp: String,
    pub refs: Vec<ComponentRef>,
}

#[derive(Debug, Clone)]
pub struct ComponentSpan {
    /// Byte range of the whole `ds:component` element.
    pub element: Range<usize>,
    pub id: String,
    pub extended: bool,
    pub timestamp: String,
    /// The bytes of the component's single child element.
    pub content: Range<usize>,
    /// Namespace declarations in scope at the child (prefix, uri); the
    /// default namespace has prefix "". Innermost last.
    pub in_scope: Vec<(String, String)>,
    /// Local name and namespace of the child element.
    pub root_local: String,
    pub root_ns: String,
}

#[derive(Debug, Clone)]
pub struct Collection<'a> {
    pub src: &'a str,
    pub id: String,
    pub schematron_version: String,
    pub streams: Vec<DataStream>,
    pub components: Vec<ComponentSpan>,
    /// Byte ranges of `dsig:Signature` children of the collection.
    pub signatures: Vec<Range<usize>>,
    /// Namespace declarations on the root element (prefix, uri).
    pub root_ns: Vec<(String, String)>,
    /// Byte offset of the root element's end tag (`</ds:data-stream-collection>`).
    pub root_end: usize,
}

impl Collection<'_> {
    pub fn component(&self, id: &str) -> Option<&ComponentSpan> {
        self.components.iter().find(|c| c.id == id)
    }
    pub fn content(&self, c: &ComponentSpan) -> &str {
        &self.src[c.content.clone()]
    }
}

fn split_name(name: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(name);
    match s.split_once(':') {
        Some((p, l)) => (p.to_owned(), l.to_owned()),
        None => (String::new(), s.into_owned()),
    }
}

struct Attrs {
    plain: Vec<(String, String)>,
}

impl Attrs {
    /// The value of an attribute by local name with no prefix, or with a
    /// prefix bound to `ns` (the element's own declarations are already
    /// in `scopes`).
    fn get(&self, local: &str, ns: Option<&str>, scopes: &Scopes) -> Option<&str> {
        self.plain
            .iter()
            .find(|(k, _)| match k.split_once(':') {
                None => ns.is_none() && k == local,
                Some((p, l)) => l == local && ns.is_some_and(|n| scopes.resolve(p) == Some(n)),
            })
            .map(|(_, v)| v.as_str())
    }
}

/// A component whose content element is being read.
struct OpenComponent {
    id: String,
    extended: bool,
    timestamp: String,
    /// Byte offset of the `ds:component` start tag.
    element: usize,
    /// The content element, once it is open.
    content: Option<OpenContent>,
}

/// A component's content element being read: its start offset, the
/// namespace declarations it inherits, its local name and namespace.
type OpenContent = (usize, Vec<(String, String)>, String, String);

/// Reads the structure of a source data stream collection.
///
/// These are the rules every scapc command applies to a data stream (they
/// all read it here): well-formed XML, no DTD declarations
/// ([`scapc_xml::check_doctype`]), nesting at most
/// [`scapc_xml::MAX_DEPTH`] levels, a `ds:data-stream-collection` root
/// with at least one data stream, unique component ids, every local
/// component-ref pointing at a component, and every catalog `cat:uri`
/// at a component-ref of the same data stream. Linear in the input size.
pub fn read(src: &str) -> Result<Collection<'_>, ReadError> {
    let mut reader = Reader::from_str(src);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let at = |pos: usize, message: String| {
        let (line, col) = scapc_xml::line_col(src, pos);
        ReadError { line, col, message, structural: false }
    };
    let mut scopes = Scopes::new();
    // (namespace, local name) of open elements outside component content.
    let mut path: Vec<(String, String)> = Vec::new();
    let mut coll: Option<Collection<'_>> = None;
    let mut cur_stream: Option<DataStream> = None;
    let mut cur_role: Option<RefRole> = None;
    let mut cur_ref: Option<ComponentRef> = None;
    let mut cur_comp: Option<OpenComponent> = None;
    // Depth of elements open inside a component's content element.
    let mut inner: usize = 0;
    let mut root_end: usize = 0;
    let mut sig_start: Option<usize> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| at(reader.error_position() as usize, format!("not well-formed XML: {e}")))?;
        let err = |m: String| at(pos, m);
        let bad = |m: String| ReadError { structural: true, ..at(pos, m) };
        // Inside a component's content: only count the depth.
        if cur_comp.as_ref().is_some_and(|c| c.content.is_some()) {
            match ev {
                Event::Start(_) | Event::Empty(_) => {
                    if path.len() + 1 + inner >= MAX_DEPTH {
                        let (line, col) = scapc_xml::line_col(src, pos);
                        return Err(ReadError {
                            line,
                            col,
                            message: scapc_xml::too_deep(line, col),
                            structural: false,
                        });
                    }
                    if matches!(ev, Event::Start(_)) {
                        inner += 1;
                    }
                    continue;
                }
                Event::End(_) if inner > 0 => {
                    inner -= 1;
                    continue;
                }
                Event::End(_) => {
                    // The content element closes.
                    let c = cur_comp.as_mut().unwrap();
                    let (start, in_scope, root_local, root_ns) = c.content.take().unwrap();
                    let end = reader.buffer_position() as usize;
                    push_component(&mut coll, c, start..end, in_scope, root_local, root_ns);
                    scopes.pop();
                    continue;
                }
                Event::Eof => {}
                _ => continue,
            }
        }
        match ev {
            Event::DocType(t) => {
                scapc_xml::check_doctype(t.as_ref()).map_err(|m| err(m.into()))?;
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let depth = path.len();
                if depth >= MAX_DEPTH {
                    let (line, col) = scapc_xml::line_col(src, pos);
                    return Err(ReadError { line, col, message: scapc_xml::too_deep(line, col), structural: false });
                }
                let (decls, plain) = scapc_xml::split_attributes(e).map_err(&err)?;
                let a = Attrs { plain };
                scopes.push(decls);
                let (prefix, local) = split_name(e.name().as_ref());
                let ns = match scopes.resolve(&prefix) {
                    Some(ns) => ns.to_owned(),
                    None => {
                        return Err(err(format!(
                            "the namespace prefix `{prefix}` of element `{prefix}:{local}` is not declared"
                        )))
                    }
                };
                if depth == 0 {
                    if local != "data-stream-collection" || ns != NS_SDS {
                        return Err(bad(format!(
                            "this is not a SCAP source data stream: the root element is `{}` in namespace `{ns}`, expected `data-stream-collection` in `{NS_SDS}`",
                            String::from_utf8_lossy(e.name().as_ref())
                        )));
                    }
                    coll = Some(Collection {
                        src,
                        id: a.get("id", None, &scopes).unwrap_or_default().to_owned(),
                        schematron_version: a.get("schematron-version", None, &scopes).unwrap_or_default().to_owned(),
                        streams: Vec::new(),
                        components: Vec::new(),
                        signatures: Vec::new(),
                        root_ns: scopes.in_scope(0),
                        root_end: 0,
                    });
                } else if let Some(c) = cur_comp.as_mut().filter(|_| depth == 2) {
                    // The component's content element.
                    if c.content.is_some() || coll.as_ref().unwrap().components.last().is_some_and(|x| x.id == c.id) {
                        return Err(bad(format!("component `{}` holds more than one element", c.id)));
                    }
                    let content = (pos, scopes.in_scope(1), local.clone(), ns.clone());
                    if empty {
                        let end = reader.buffer_position() as usize;
                        let (start, in_scope, root_local, root_ns) = content;
                        push_component(&mut coll, c, start..end, in_scope, root_local, root_ns);
                        scopes.pop();
                    } else {
                        c.content = Some(content);
                        inner = 0;
                    }
                    continue;
                } else if depth == 1 && ns == NS_SDS && (local == "component" || local == "extended-component") {
                    let id = a.get("id", None, &scopes).unwrap_or_default().to_owned();
                    if id.is_empty() {
                        return Err(bad(format!("a `{local}` has no id")));
                    }
                    if coll.as_ref().unwrap().components.iter().any(|c| c.id == id) {
                        return Err(bad(format!(
                            "duplicate component id `{id}`: two components of this collection have it, so references to it are ambiguous"
                        )));
                    }
                    let timestamp = a.get("timestamp", None, &scopes).unwrap_or_default().to_owned();
                    cur_comp = Some(OpenComponent {
                        id,
                        extended: local == "extended-component",
                        timestamp,
                        element: pos,
                        content: None,
                    });
                } else if depth == 1 && ns == NS_DSIG && local == "Signature" {
                    sig_start = Some(pos);
                } else if depth == 1 && ns == NS_SDS && local == "data-stream" {
                    cur_stream = Some(DataStream {
                        range: pos..pos,
                        id: a.get("id", None, &scopes).unwrap_or_default().to_owned(),
                        scap_version: a.get("scap-version", None, &scopes).unwrap_or_default().to_owned(),
                        use_case: a.get("use-case", None, &scopes).unwrap_or_default().to_owned(),
                        timestamp: a.get("timestamp", None, &scopes).unwrap_or_default().to_owned(),
                        refs: Vec::new(),
                    });
                } else if depth == 2 && cur_stream.is_some() && ns == NS_SDS {
                    cur_role = match local.as_str() {
                        "dictionaries" => Some(RefRole::Dictionaries),
                        "checklists" => Some(RefRole::Checklists),
                        "checks" => Some(RefRole::Checks),
                        "extended-components" => Some(RefRole::Extended),
                        _ => None,
                    };
                } else if depth == 3 && ns == NS_SDS && local == "component-ref" {
                    if let Some(role) = cur_role {
                        cur_ref = Some(ComponentRef {
                            id: a.get("id", None, &scopes).unwrap_or_default().to_owned(),
                            href: a.get("href", Some(NS_XLINK), &scopes).unwrap_or_default().to_owned(),
                            role,
                            catalog: Vec::new(),
                            entries: Catalog::default(),
                            pos,
                        });
                    }
                } else if depth == 5 && ns == NS_CAT && path[4] == (NS_CAT.to_owned(), "catalog".to_owned()) {
                    if let Some(r) = cur_ref.as_mut() {
                        let get = |k: &str| a.get(k, None, &scopes).unwrap_or_default().to_owned();
                        match local.as_str() {
                            "uri" => {
                                r.catalog.push((get("name"), get("uri")));
                                r.entries.entries.push(Entry::Uri { name: get("name"), uri: get("uri") });
                            }
                            "rewriteURI" => r
                                .entries
                                .entries
                                .push(Entry::RewriteUri { start: get("uriStartString"), prefix: get("rewritePrefix") }),
                            _ => {}
                        }
                    }
                }
                if empty {
                    scopes.pop();
                    close(depth, &ns, &local, &mut cur_stream, &mut cur_role, &mut cur_ref, &mut coll);
                } else {
                    path.push((ns, local));
                }
            }
            Event::End(_) => {
                scopes.pop();
                let (ns, local) = path.pop().ok_or_else(|| err("unexpected end tag".into()))?;
                let depth = path.len();
                let end = reader.buffer_position() as usize;
                if depth == 0 {
                    root_end = pos;
                }
                if depth == 1 && ns == NS_SDS && local == "data-stream" {
                    if let Some(s) = cur_stream.as_mut() {
                        s.range.end = end;
                    }
                }
                if depth == 1 && ns == NS_DSIG && local == "Signature" {
                    if let Some(s) = sig_start.take() {
                        coll.as_mut().unwrap().signatures.push(s..reader.buffer_position() as usize);
                    }
                }
                if depth == 1 {
                    if let Some(c) = cur_comp.take() {
                        let comps = &mut coll.as_mut().unwrap().components;
                        match comps.last_mut().filter(|x| x.id == c.id) {
                            Some(last) => last.element.end = end,
                            None => return Err(bad(format!("component `{}` is empty", c.id))),
                        }
                    }
                }
                close(depth, &ns, &local, &mut cur_stream, &mut cur_role, &mut cur_ref, &mut coll);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(c) = cur_comp.as_ref().filter(|c| c.content.is_some()) {
        return Err(at(src.len(), format!("the document ends inside component `{}`: it is truncated", c.id)));
    }
    if let Some((_, local)) = path.last() {
        return Err(at(src.len(), format!("the document ends inside `{local}`: it is truncated")));
    }
    let mut coll = coll.ok_or_else(|| at(0, "no root element (empty file?)".into()))?;
    coll.root_end = root_end;
    check_refs(&coll).map_err(|(pos, m)| ReadError { structural: true, ..at(pos, m) })?;
    Ok(coll)
}

fn push_component(
    coll: &mut Option<Collection<'_>>,
    c: &OpenComponent,
    content: Range<usize>,
    in_scope: Vec<(String, String)>,
    root_local: String,
    root_ns: String,
) {
    if let Some(coll) = coll.as_mut() {
        coll.components.push(ComponentSpan {
            element: c.element..c.element,
            id: c.id.clone(),
            extended: c.extended,
            timestamp: c.timestamp.clone(),
            content,
            in_scope,
            root_local,
            root_ns,
        });
    }
}

/// Every local component-ref must point at a component, and every catalog
/// uri at a component-ref of the same data stream. `Err` has the byte
/// offset of the component-ref at fault.
fn check_refs(c: &Collection<'_>) -> Result<(), (usize, String)> {
    if c.streams.is_empty() {
        return Err((0, "the collection holds no data-stream".into()));
    }
    for s in &c.streams {
        for r in &s.refs {
            if let Some(t) = r.local_target() {
                if c.component(t).is_none() {
                    return Err((r.pos, format!(
                        "component-ref `{}` in data stream `{}` points at `#{t}`, but there is no component with that id (a dangling xlink:href)",
                        r.id, s.id
                    )));
                }
            } else if r.href.is_empty() {
                return Err((r.pos, format!("component-ref `{}` has no xlink:href", r.id)));
            }
            for (name, uri) in r.entries.uris() {
                if !crate::catalog::ref_id(uri).is_some_and(|t| s.refs.iter().any(|x| x.id == t)) {
                    return Err((r.pos, format!(
                        "the catalog of component-ref `{}` maps `{name}` to `{uri}`, which is not a component-ref of data stream `{}` (a dangling catalog uri)",
                        r.id, s.id
                    )));
                }
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn close(
    depth: usize,
    ns: &str,
    local: &str,
    cur_stream: &mut Option<DataStream>,
    cur_role: &mut Option<RefRole>,
    cur_ref: &mut Option<ComponentRef>,
    coll: &mut Option<Collection<'_>>,
) {
    if ns != NS_SDS {
        return;
    }
    match (depth, local) {
        (3, "component-ref") => {
            if let (Some(r), Some(s)) = (cur_ref.take(), cur_stream.as_mut()) {
                s.refs.push(r);
            }
        }
        (2, "dictionaries" | "checklists" | "checks" | "extended-components") => *cur_role = None,
        (1, "data-stream") => {
            if let (Some(s), Some(c)) = (cur_stream.take(), coll.as_mut()) {
                c.streams.push(s);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DS: &str = r##"<?xml version="1.0"?>
<ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:cat="urn:oasis:names:tc:entity:xmlns:xml:catalog" xmlns:x="urn:x" id="c1" schematron-version="1.3">
  <ds:data-stream id="d1" scap-version="1.3" use-case="OTHER" timestamp="t">
    <ds:checklists>
      <ds:component-ref id="r1" xlink:href="#comp1"><cat:catalog><cat:uri name="o.xml" uri="#r2"/></cat:catalog></ds:component-ref>
    </ds:checklists>
    <ds:checks><ds:component-ref id="r2" xlink:href="#comp2"/></ds:checks>
  </ds:data-stream>
  <ds:component id="comp1" timestamp="t"><x:a><x:b/></x:a></ds:component>
  <ds:component id="comp2" timestamp="t"><o xmlns="urn:o">text &amp; more</o></ds:component>
</ds:data-stream-collection>"##;

    #[test]
    fn structure_and_spans() {
        let c = read(DS).unwrap();
        assert_eq!(c.id, "c1");
        assert_eq!(c.streams.len(), 1);
        let s = &c.streams[0];
        assert_eq!(s.refs.len(), 2);
        assert_eq!(s.refs[0].role, RefRole::Checklists);
        assert_eq!(s.refs[0].catalog, vec![("o.xml".to_string(), "#r2".to_string())]);
        assert_eq!(s.refs[1].local_target(), Some("comp2"));
        let c1 = c.component("comp1").unwrap();
        assert_eq!(c.content(c1), "<x:a><x:b/></x:a>");
        assert!(c1.in_scope.iter().any(|(p, u)| p == "x" && u == "urn:x"));
        assert!(c.src[c1.element.clone()].starts_with("<ds:component id=\"comp1\""));
        assert!(c.src[c1.element.clone()].ends_with("</ds:component>"));
        assert!(
            c.src[s.range.clone()].starts_with("<ds:data-stream ")
                && c.src[s.range.clone()].ends_with("</ds:data-stream>")
        );
        assert!(c.src[c.root_end..].starts_with("</ds:data-stream-collection>"));
        let c2 = c.component("comp2").unwrap();
        assert_eq!(c.content(c2), r#"<o xmlns="urn:o">text &amp; more</o>"#);
        assert_eq!(c2.root_ns, "urn:o");
    }

    #[test]
    fn rejects_non_sds_truncated_and_hostile() {
        assert!(read("<a/>").unwrap_err().message.contains("not a SCAP source data stream"));
        let cut = &DS[..DS.len() - 40];
        let e = read(cut).unwrap_err();
        assert!(e.message.contains("truncated") || e.message.contains("well-formed"), "{e}");
        let lol = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", &DS[22..]);
        assert!(read(&lol).unwrap_err().message.contains("entities"));
        let dangling = DS.replace("xlink:href=\"#comp2\"", "xlink:href=\"#nope\"");
        assert!(read(&dangling).unwrap_err().message.contains("dangling xlink:href"));
        let cat = DS.replace("uri=\"#r2\"", "uri=\"#r9\"");
        assert!(read(&cat).unwrap_err().message.contains("dangling catalog uri"));
        let dup = DS.replace("id=\"comp2\"", "id=\"comp1\"");
        assert!(read(&dup).unwrap_err().message.contains("duplicate component id"));
        assert!(read("").is_err());
    }

    #[test]
    fn catalogs_keep_every_entry_in_order() {
        let ds = DS.replace(
            "<cat:uri name=\"o.xml\" uri=\"#r2\"/>",
            "<cat:rewriteURI uriStartString=\"http://x/\" rewritePrefix=\"#r\"/><cat:uri name=\"o.xml\" uri=\"#r2\"/>",
        );
        let c = read(&ds).unwrap();
        let s = &c.streams[0];
        let r1 = &s.refs[0];
        assert_eq!(r1.entries.entries.len(), 2);
        assert_eq!(crate::catalog::resolve(s, r1, "http://x/2").map(|r| r.id.as_str()), Some("r2"));
        assert_eq!(crate::catalog::resolve(s, r1, "o.xml").map(|r| r.id.as_str()), Some("r2"));
        assert_eq!(crate::catalog::resolve(s, r1, "#r1").map(|r| r.id.as_str()), Some("r1"));
        assert!(crate::catalog::resolve(s, r1, "p.xml").is_none());
        assert!(c.src[r1.pos..].starts_with("<ds:component-ref id=\"r1\""));
    }

    #[test]
    fn nesting_is_bounded_inside_and_outside_components() {
        // 70,000 levels inside a component that uses a prefix declared on
        // the root: the depth error, not a namespace error.
        let n = 70_000;
        let deep =
            DS.replace("<x:a><x:b/></x:a>", &format!("<x:a>{}<x:b/>{}</x:a>", "<q>".repeat(n), "</q>".repeat(n)));
        let e = read(&deep).unwrap_err();
        assert!(e.message.starts_with("element nesting deeper than 10000 levels at line 9, column "), "{e}");
        assert!(!e.structural);
        // Outside components too.
        let deep = DS.replace("<ds:checks>", &format!("<ds:checks>{}{}", "<ds:q>".repeat(n), "</ds:q>".repeat(n)));
        assert!(read(&deep).unwrap_err().message.starts_with("element nesting deeper than 10000 levels at line 7"));
        // At the limit: x:a is level 3, so 9,996 more levels reach 10,000.
        let m = 10_000 - 4;
        let ok = DS.replace("<x:a><x:b/></x:a>", &format!("<x:a>{}<x:b/>{}</x:a>", "<q>".repeat(m), "</q>".repeat(m)));
        let c = read(&ok).unwrap();
        assert!(c.content(c.component("comp1").unwrap()).ends_with("</q></x:a>"));
        let over = DS
            .replace("<x:a><x:b/></x:a>", &format!("<x:a>{}<x:b/>{}</x:a>", "<q>".repeat(m + 1), "</q>".repeat(m + 1)));
        assert!(read(&over).is_err());
    }

    #[test]
    fn structure_errors_are_located_and_marked() {
        let dangling = DS.replace("xlink:href=\"#comp2\"", "xlink:href=\"#nope\"");
        let e = read(&dangling).unwrap_err();
        assert!(e.structural);
        assert_eq!((e.line, e.col), (7, 16), "{e}");
        let two = DS.replace("<x:a><x:b/></x:a>", "<x:a/><x:c/>");
        assert!(read(&two).unwrap_err().message.contains("more than one element"));
        let undeclared = DS.replace("<x:a><x:b/></x:a>", "<y:a/>");
        assert!(read(&undeclared).unwrap_err().message.contains("prefix `y`"));
    }
}
