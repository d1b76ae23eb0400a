//! Reading a source data stream's structure in one streaming pass.
//!
//! Components are not copied: each is a byte range into the input, plus the
//! namespace declarations in scope at that point, so that a component can be
//! written out byte for byte with every namespace it uses declared.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
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
    /// (name, uri) catalog entries.
    pub catalog: Vec<(String, String)>,
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

type NsStack = Vec<Vec<(String, String)>>;

fn resolve<'s>(stack: &'s NsStack, prefix: &str) -> Option<&'s str> {
    stack.iter().rev().flat_map(|f| f.iter().rev()).find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
}

fn split_name(name: &[u8]) -> (String, String) {
    let s = String::from_utf8_lossy(name);
    match s.split_once(':') {
        Some((p, l)) => (p.to_owned(), l.to_owned()),
        None => (String::new(), s.into_owned()),
    }
}

struct Attrs {
    decls: Vec<(String, String)>,
    plain: Vec<(String, String)>,
}

fn attrs(e: &BytesStart<'_>, err: &impl Fn(String) -> ReadError) -> Result<Attrs, ReadError> {
    let (decls, plain) = scapc_xml::split_attributes(e).map_err(err)?;
    Ok(Attrs { decls, plain })
}

impl Attrs {
    /// The value of an attribute by local name with no prefix, or with a
    /// prefix bound to `ns`.
    fn get(&self, local: &str, ns: Option<&str>, stack: &NsStack) -> Option<&str> {
        self.plain
            .iter()
            .find(|(k, _)| match k.split_once(':') {
                None => ns.is_none() && k == local,
                Some((p, l)) => {
                    l == local
                        && ns.is_some_and(|n| {
                            resolve(stack, p) == Some(n) || self.decls.iter().any(|(dp, du)| dp == p && du == n)
                        })
                }
            })
            .map(|(_, v)| v.as_str())
    }
}

/// Reads the structure of a source data stream collection.
pub fn read(src: &str) -> Result<Collection<'_>, ReadError> {
    let mut reader = Reader::from_str(src);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let at = |pos: usize, message: String| {
        let (line, col) = scapc_xml::line_col(src, pos);
        ReadError { line, col, message }
    };
    let mut stack: NsStack = Vec::new();
    // (namespace, local name) of open elements.
    let mut path: Vec<(String, String)> = Vec::new();
    let mut coll: Option<Collection<'_>> = None;
    let mut cur_stream: Option<DataStream> = None;
    let mut cur_role: Option<RefRole> = None;
    let mut cur_ref: Option<ComponentRef> = None;
    let mut cur_comp: Option<(String, bool, String, usize)> = None;
    let mut root_end: usize = 0;
    let mut sig_start: Option<usize> = None;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| at(reader.error_position() as usize, format!("not well-formed XML: {e}")))?;
        let err = |m: String| at(pos, m);
        match ev {
            Event::DocType(t) => {
                let text = String::from_utf8_lossy(t.as_ref());
                if text.contains("<!ENTITY") || text.contains("SYSTEM") || text.contains("PUBLIC") {
                    return Err(err("the document type declaration declares entities or an external subset; scapc refuses those (entity expansion and external entities are a security risk)".into()));
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let a = attrs(e, &err)?;
                stack.push(a.decls.clone());
                let (prefix, local) = split_name(e.name().as_ref());
                let ns = resolve(&stack, &prefix).unwrap_or("").to_owned();
                let depth = path.len();
                if depth == 0 {
                    if local != "data-stream-collection" || ns != NS_SDS {
                        return Err(err(format!(
                            "this is not a SCAP source data stream: the root element is `{}` in namespace `{ns}`, expected `data-stream-collection` in `{NS_SDS}`",
                            String::from_utf8_lossy(e.name().as_ref())
                        )));
                    }
                    coll = Some(Collection {
                        src,
                        id: a.get("id", None, &stack).unwrap_or_default().to_owned(),
                        schematron_version: a.get("schematron-version", None, &stack).unwrap_or_default().to_owned(),
                        streams: Vec::new(),
                        components: Vec::new(),
                        signatures: Vec::new(),
                        root_ns: a.decls.clone(),
                        root_end: 0,
                    });
                } else if let Some((cid, ext, ts, comp_start)) = cur_comp.take().filter(|_| depth == 2) {
                    // The component's content element: skip over it.
                    let end = if empty {
                        reader.buffer_position() as usize
                    } else {
                        reader.read_to_end(e.name()).map_err(|x| {
                            at(reader.error_position() as usize, format!("component `{cid}` is not well-formed: {x}"))
                        })?;
                        reader.buffer_position() as usize
                    };
                    let in_scope: Vec<(String, String)> = {
                        let mut v: Vec<(String, String)> = Vec::new();
                        for frame in &stack[..stack.len() - 1] {
                            for (p, u) in frame {
                                v.retain(|(q, _)| q != p);
                                v.push((p.clone(), u.clone()));
                            }
                        }
                        v
                    };
                    coll.as_mut().unwrap().components.push(ComponentSpan {
                        element: comp_start..comp_start,
                        id: cid,
                        extended: ext,
                        timestamp: ts,
                        content: pos..end,
                        in_scope,
                        root_local: local.clone(),
                        root_ns: ns.clone(),
                    });
                    stack.pop();
                    continue;
                } else if depth == 1 && ns == NS_SDS && (local == "component" || local == "extended-component") {
                    let id = a.get("id", None, &stack).unwrap_or_default().to_owned();
                    if id.is_empty() {
                        return Err(err(format!("a `{local}` has no id")));
                    }
                    if coll.as_ref().unwrap().components.iter().any(|c| c.id == id) {
                        return Err(err(format!("duplicate component id `{id}`")));
                    }
                    let ts = a.get("timestamp", None, &stack).unwrap_or_default().to_owned();
                    cur_comp = Some((id, local == "extended-component", ts, pos));
                } else if depth == 1 && ns == NS_DSIG && local == "Signature" {
                    sig_start = Some(pos);
                } else if depth == 1 && ns == NS_SDS && local == "data-stream" {
                    cur_stream = Some(DataStream {
                        range: pos..pos,
                        id: a.get("id", None, &stack).unwrap_or_default().to_owned(),
                        scap_version: a.get("scap-version", None, &stack).unwrap_or_default().to_owned(),
                        use_case: a.get("use-case", None, &stack).unwrap_or_default().to_owned(),
                        timestamp: a.get("timestamp", None, &stack).unwrap_or_default().to_owned(),
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
                            id: a.get("id", None, &stack).unwrap_or_default().to_owned(),
                            href: a.get("href", Some(NS_XLINK), &stack).unwrap_or_default().to_owned(),
                            role,
                            catalog: Vec::new(),
                        });
                    }
                } else if ns == NS_CAT && local == "uri" {
                    if let Some(r) = cur_ref.as_mut() {
                        r.catalog.push((
                            a.get("name", None, &stack).unwrap_or_default().to_owned(),
                            a.get("uri", None, &stack).unwrap_or_default().to_owned(),
                        ));
                    }
                }
                if empty {
                    stack.pop();
                    close(depth, &ns, &local, &mut cur_stream, &mut cur_role, &mut cur_ref, &mut coll);
                } else {
                    path.push((ns, local));
                }
            }
            Event::End(_) => {
                stack.pop();
                let (ns, local) = path.pop().ok_or_else(|| err("unexpected end tag".into()))?;
                let depth = path.len();
                let end = reader.buffer_position() as usize;
                if depth == 0 {
                    root_end = pos;
                }
                if depth == 1 && ns == NS_SDS {
                    if let Some(c) = coll.as_mut() {
                        if local == "component" || local == "extended-component" {
                            if let Some(last) = c.components.last_mut() {
                                last.element.end = end;
                            }
                        }
                    }
                    if local == "data-stream" {
                        if let Some(s) = cur_stream.as_mut() {
                            s.range.end = end;
                        }
                    }
                }
                if depth == 1 && ns == NS_DSIG && local == "Signature" {
                    if let Some(s) = sig_start.take() {
                        coll.as_mut().unwrap().signatures.push(s..reader.buffer_position() as usize);
                    }
                }
                if depth == 1 && cur_comp.is_some() {
                    let (id, ..) = cur_comp.take().unwrap();
                    return Err(err(format!("component `{id}` is empty")));
                }
                close(depth, &ns, &local, &mut cur_stream, &mut cur_role, &mut cur_ref, &mut coll);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((ns, local)) = path.last() {
        let _ = ns;
        return Err(at(src.len(), format!("the document ends inside `{local}`: it is truncated")));
    }
    let mut coll = coll.ok_or_else(|| at(0, "no root element (empty file?)".into()))?;
    coll.root_end = root_end;
    check_refs(&coll).map_err(|m| at(0, m))?;
    Ok(coll)
}

/// Every local component-ref must point at a component, and every catalog
/// uri at a component-ref of the same data stream.
fn check_refs(c: &Collection<'_>) -> Result<(), String> {
    if c.streams.is_empty() {
        return Err("the collection holds no data-stream".into());
    }
    for s in &c.streams {
        for r in &s.refs {
            if let Some(t) = r.local_target() {
                if c.component(t).is_none() {
                    return Err(format!(
                        "component-ref `{}` in data stream `{}` points at `#{t}`, but there is no component with that id (a dangling xlink:href)",
                        r.id, s.id
                    ));
                }
            } else if r.href.is_empty() {
                return Err(format!("component-ref `{}` has no xlink:href", r.id));
            }
            for (name, uri) in &r.catalog {
                let target = uri.strip_prefix('#');
                if !target.is_some_and(|t| s.refs.iter().any(|x| x.id == t)) {
                    return Err(format!(
                        "the catalog of component-ref `{}` maps `{name}` to `{uri}`, which is not a component-ref of data stream `{}` (a dangling catalog uri)",
                        r.id, s.id
                    ));
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
}
