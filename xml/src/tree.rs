//! A namespace-aware, read-only document tree (used by validation and evaluation).
//!
//! Elements live in one arena (`Vec<Node>`) and refer to each other by
//! index; names are resolved to (namespace, local name), so prefixes never
//! matter. Each element keeps the byte offset of its start tag; line and
//! column are computed on demand from a table of line starts.
//!
//! Hostile input is refused, not obeyed: a document type declaration that
//! declares entities or names an external subset is an error, and so is any
//! entity reference other than the five predefined ones.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The interning maps' hasher: one lookup per element and attribute, on
/// names and namespace URIs that mostly differ in their length and their
/// ends. It mixes the length with the first and last eight bytes (FNV-1a
/// over shorter input) instead of paying SipHash's set-up and a pass over
/// every byte of a long URI; a collision costs only a comparison, and the
/// keys are the document's own names, so a crafted document slows only its
/// own reading.
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut h = self.0 ^ (bytes.len() as u64).wrapping_mul(K);
        if bytes.len() >= 8 {
            let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
            h = (h ^ word(&bytes[..8])).wrapping_mul(K).rotate_left(29);
            h = (h ^ word(&bytes[bytes.len() - 8..])).wrapping_mul(K).rotate_left(29);
        } else {
            for b in bytes {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        self.0 = h ^ (h >> 32);
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;

pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Index of an element in [`Tree::nodes`].
pub type NodeId = u32;
const NONE: NodeId = u32::MAX;

#[derive(Debug)]
pub struct Attr {
    pub ns: u16,
    /// Interned local name (see [`Tree::name`]).
    pub local: u32,
    pub value: String,
}

#[derive(Debug)]
pub struct Node {
    pub ns: u16,
    /// Interned local name (see [`Tree::name`]).
    pub local: u32,
    pub attrs: Vec<Attr>,
    parent: NodeId,
    pub children: Vec<NodeId>,
    /// The element's own text (character data and CDATA directly inside it).
    pub text: String,
    /// Byte offset of the start tag.
    pub pos: usize,
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

#[derive(Debug)]
pub struct Tree {
    pub nodes: Vec<Node>,
    namespaces: Vec<Box<str>>,
    ns_index: FastMap<Box<[u8]>, u16>,
    line_starts: Vec<usize>,
    names: Vec<Box<str>>,
    name_index: FastMap<Box<[u8]>, u32>,
    by_name: FastMap<(u16, u32), Vec<NodeId>>,
    /// The namespace [`Tree::intern`] found last.
    last_ns: Option<(u16, Box<[u8]>)>,
}

impl Tree {
    /// Parses a whole document. The root element is node 0.
    pub fn parse(src: &str) -> Result<Tree, ParseError> {
        Tree::parse_without(src, &|_, _| false)
    }

    /// [`Tree::parse`], leaving out every element for which `skip(namespace,
    /// local name)` is true, with everything inside it: a reader that needs
    /// part of a large document saves building the rest. What is left out
    /// is still read as XML (well-formedness, nesting depth, entities), so
    /// a document that [`Tree::parse`] refuses is refused here too.
    pub fn parse_without(src: &str, skip: &dyn Fn(&str, &str) -> bool) -> Result<Tree, ParseError> {
        let line_starts = line_starts(src);
        // Every element has a `<`, and so has every end tag: half of them
        // is a close first guess that saves most of the arena's regrowth.
        let tags = memchr::memchr_iter(b'<', src.as_bytes()).count();
        let mut t = Tree {
            nodes: Vec::with_capacity(tags / 2 + 1),
            namespaces: vec!["".into()],
            ns_index: FastMap::default(),
            line_starts,
            names: Vec::new(),
            name_index: FastMap::default(),
            by_name: FastMap::default(),
            last_ns: None,
        };
        t.ns_index.insert(Box::from(&b""[..]), 0);
        let mut reader = NsReader::from_str(src);
        reader.config_mut().trim_text(false);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<NodeId> = Vec::new();
        // How deep inside a left-out element the reader is (0: not inside one).
        let mut skipping = 0usize;
        let mut seen_root = false;
        loop {
            let start = reader.buffer_position() as usize;
            // Only start tags need their namespace: other events are read
            // without resolving (and without copying) one.
            let ev = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    let at = reader.error_position() as usize;
                    return Err(t.err(at, format!("not well-formed XML: {e}")));
                }
            };
            match ev {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let empty = matches!(ev, Event::Empty(_));
                    if stack.len() + skipping >= crate::MAX_DEPTH {
                        let (line, col) = t.line_col(start);
                        return Err(ParseError { line, col, message: crate::too_deep(line, col) });
                    }
                    if stack.is_empty() && seen_root {
                        return Err(t.err(start, "more than one root element".into()));
                    }
                    seen_root = true;
                    let ns = match reader.resolve_element(e.name()).0 {
                        ResolveResult::Bound(n) => t.intern(n.as_ref()),
                        ResolveResult::Unbound => Some(0),
                        ResolveResult::Unknown(p) => {
                            return Err(t.err(
                                start,
                                format!("the namespace prefix `{}` is not declared", String::from_utf8_lossy(&p)),
                            ));
                        }
                    };
                    let ns = ns.ok_or_else(|| t.too_many(start))?;
                    if skipping > 0 || (!stack.is_empty() && skip(&t.namespaces[ns as usize], local_str(e))) {
                        if !empty {
                            skipping += 1;
                        }
                        continue;
                    }
                    let id = t.open(src, &reader, e, ns, start, stack.last().copied())?;
                    if !empty {
                        stack.push(id);
                    }
                }
                Event::End(_) if skipping > 0 => skipping -= 1,
                Event::Text(_) | Event::CData(_) if skipping > 0 => {}
                Event::End(_) => {
                    // Indentation between child elements is not content; a
                    // leaf keeps its text exactly, spaces included.
                    if let Some(p) = stack.pop() {
                        let n = &mut t.nodes[p as usize];
                        if !n.children.is_empty() && n.text.bytes().all(|b| b.is_ascii_whitespace()) {
                            n.text = String::new();
                        }
                    }
                }
                Event::Text(x) => {
                    // The text as a slice of the source, which is UTF-8
                    // already: no second validation, no copy until it is
                    // stored.
                    let text = match within(src, x.as_ref()) {
                        Some(s) => std::borrow::Cow::Borrowed(s),
                        None => x.decode().map_err(|e| t.err(start, format!("bad text encoding: {e}")))?,
                    };
                    match stack.last() {
                        Some(&p) => t.nodes[p as usize].text.push_str(&text),
                        None if text.trim().is_empty() => {}
                        None => return Err(t.err(start, "text outside the root element".into())),
                    }
                }
                Event::CData(x) => {
                    if let Some(&p) = stack.last() {
                        t.nodes[p as usize].text.push_str(&String::from_utf8_lossy(x.as_ref()));
                    }
                }
                Event::GeneralRef(r) => {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    let Some(v) = predefined_entity(&name) else {
                        return Err(t.err(
                            start,
                            format!("undefined entity `&{name};`: only the five XML entities and character references are allowed"),
                        ));
                    };
                    match stack.last() {
                        _ if skipping > 0 => {}
                        Some(&p) => t.nodes[p as usize].text.push_str(&v),
                        None => return Err(t.err(start, "entity reference outside the root element".into())),
                    }
                }
                Event::DocType(d) => {
                    crate::check_doctype(d.as_ref()).map_err(|m| t.err(start, m.into()))?;
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if let Some(&open) = stack.last() {
            let n = &t.nodes[open as usize];
            return Err(t.err(
                n.pos,
                format!("element `{}` is never closed (is the file truncated?)", t.names[n.local as usize]),
            ));
        }
        if t.nodes.is_empty() {
            return Err(ParseError {
                line: 1,
                col: 1,
                message: "no root element: the file is empty or holds no XML element".into(),
            });
        }
        Ok(t)
    }

    /// The index of a namespace URI; `None` past 65,536 distinct URIs (no
    /// SCAP document uses more than a few dozen).
    fn intern(&mut self, ns: &[u8]) -> Option<u16> {
        // Most attributes are in no namespace, and most elements in their
        // parent's: those are found without a lookup (the last namespace is
        // compared word by word: a call to memcmp per element costs more
        // here than the whole comparison).
        if ns.is_empty() {
            return Some(0);
        }
        if let Some(&(i, ref last)) = self.last_ns.as_ref() {
            if same_bytes(last, ns) {
                return Some(i);
            }
        }
        if let Some(&i) = self.ns_index.get(ns) {
            self.last_ns = Some((i, ns.into()));
            return Some(i);
        }
        let i = u16::try_from(self.namespaces.len()).ok()?;
        self.namespaces.push(String::from_utf8_lossy(ns).into());
        self.ns_index.insert(ns.into(), i);
        Some(i)
    }

    fn too_many(&self, pos: usize) -> ParseError {
        self.err(pos, "more than 65,536 distinct namespace URIs; scapc refuses such documents".into())
    }

    fn intern_name(&mut self, name: &[u8]) -> u32 {
        if let Some(&i) = self.name_index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(String::from_utf8_lossy(name).into());
        self.name_index.insert(name.into(), i);
        i
    }

    /// The interned symbol of a local name, if any element or attribute
    /// of the document has it (see [`Tree::name`]).
    pub fn symbol(&self, local: &str) -> Option<u32> {
        self.name_index.get(local.as_bytes()).copied()
    }

    /// The interned index of a namespace URI ([`Node::ns`], [`Attr::ns`]),
    /// if the document uses it; `""` is 0.
    pub fn ns_symbol(&self, ns: &str) -> Option<u16> {
        if ns.is_empty() {
            return Some(0);
        }
        self.ns_index.get(ns.as_bytes()).copied()
    }

    /// The local name behind an interned symbol.
    pub fn name(&self, sym: u32) -> &str {
        &self.names[sym as usize]
    }

    fn open(
        &mut self,
        src: &str,
        reader: &NsReader<&[u8]>,
        e: &BytesStart<'_>,
        ns: u16,
        pos: usize,
        parent: Option<NodeId>,
    ) -> Result<NodeId, ParseError> {
        if e.local_name().as_ref().is_empty() {
            return Err(self.err(pos, crate::NO_NAME.into()));
        }
        let local = self.intern_name(e.local_name().as_ref());
        let lname = |t: &Self| t.names[local as usize].clone();
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.map_err(|err| self.err(pos, format!("bad attribute in `<{}>`: {err}", lname(self))))?;
            let key = a.key;
            if key.as_ref() == b"xmlns" || key.as_ref().starts_with(b"xmlns:") {
                continue;
            }
            let (res, alocal) = reader.resolve_attribute(key);
            let ans: &[u8] = match res {
                ResolveResult::Bound(n) => n.into_inner(),
                ResolveResult::Unbound => b"",
                ResolveResult::Unknown(p) if p == b"xml" => NS_XML.as_bytes(),
                ResolveResult::Unknown(p) => {
                    return Err(self
                        .err(pos, format!("the namespace prefix `{}` is not declared", String::from_utf8_lossy(&p))));
                }
            };
            // A value without references is a slice of the source as it is.
            let plain = match &a.value {
                std::borrow::Cow::Borrowed(v) if memchr::memchr(b'&', v).is_none() => within(src, v),
                _ => None,
            };
            let value = match plain {
                Some(v) => v.to_owned(),
                None => self.unescape_attr(&a, key.as_ref(), local, pos)?,
            };
            let ans = self.intern(ans).ok_or_else(|| self.too_many(pos))?;
            let alocal = self.intern_name(alocal.as_ref());
            attrs.push(Attr { ns: ans, local: alocal, value });
        }
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            ns,
            local,
            attrs,
            parent: parent.unwrap_or(NONE),
            children: Vec::new(),
            text: String::new(),
            pos,
        });
        if let Some(p) = parent {
            self.nodes[p as usize].children.push(id);
        }
        self.by_name.entry((ns, local)).or_default().push(id);
        Ok(id)
    }

    fn unescape_attr(
        &self,
        a: &quick_xml::events::attributes::Attribute<'_>,
        key: &[u8],
        local: u32,
        pos: usize,
    ) -> Result<String, ParseError> {
        a.unescape_value().map(|v| v.into_owned()).map_err(|err| {
            self.err(
                pos,
                format!(
                    "the value of attribute `{}` in `<{}>` is malformed: {err}",
                    String::from_utf8_lossy(key),
                    self.names[local as usize]
                ),
            )
        })
    }

    fn err(&self, pos: usize, message: String) -> ParseError {
        let (line, col) = self.line_col(pos);
        ParseError { line, col, message }
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, pos: usize) -> (u32, u32) {
        let i = match self.line_starts.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        (i as u32 + 1, (pos - self.line_starts.get(i).copied().unwrap_or(0)) as u32 + 1)
    }

    pub fn pos(&self, id: NodeId) -> (u32, u32) {
        self.line_col(self.nodes[id as usize].pos)
    }

    pub fn root(&self) -> NodeId {
        0
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn ns(&self, id: NodeId) -> &str {
        &self.namespaces[self.nodes[id as usize].ns as usize]
    }

    pub fn local(&self, id: NodeId) -> &str {
        &self.names[self.nodes[id as usize].local as usize]
    }

    pub fn is(&self, id: NodeId, ns: &str, local: &str) -> bool {
        let n = &self.nodes[id as usize];
        &*self.names[n.local as usize] == local && &*self.namespaces[n.ns as usize] == ns
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.nodes[id as usize].parent;
        (p != NONE).then_some(p)
    }

    /// An attribute in no namespace.
    pub fn attr(&self, id: NodeId, local: &str) -> Option<&str> {
        self.nodes[id as usize]
            .attrs
            .iter()
            .find(|a| a.ns == 0 && &*self.names[a.local as usize] == local)
            .map(|a| a.value.as_str())
    }

    pub fn attr_ns(&self, id: NodeId, ns: &str, local: &str) -> Option<&str> {
        let i = *self.ns_index.get(ns.as_bytes())?;
        self.nodes[id as usize]
            .attrs
            .iter()
            .find(|a| a.ns == i && &*self.names[a.local as usize] == local)
            .map(|a| a.value.as_str())
    }

    pub fn text(&self, id: NodeId) -> &str {
        &self.nodes[id as usize].text
    }

    pub fn children(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes[id as usize].children.iter().copied()
    }

    pub fn children_named<'a>(&'a self, id: NodeId, ns: &'a str, local: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        self.children(id).filter(move |&c| self.is(c, ns, local))
    }

    pub fn child(&self, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        self.children_named(id, ns, local).next()
    }

    /// Every element with this name, in document order.
    pub fn all(&self, ns: &str, local: &str) -> &[NodeId] {
        let Some(&i) = self.ns_index.get(ns.as_bytes()) else { return &[] };
        let Some(&l) = self.name_index.get(local.as_bytes()) else { return &[] };
        self.by_name.get(&(i, l)).map(|v| v.as_slice()).unwrap_or(&[])
    }

    /// Every element with this name inside `within` (which is excluded).
    /// Relies on arena order: a subtree is a contiguous index range.
    pub fn all_in(&self, within: NodeId, ns: &str, local: &str) -> &[NodeId] {
        let all = self.all(ns, local);
        let end = self.subtree_end(within);
        let lo = all.partition_point(|&x| x <= within);
        let hi = all.partition_point(|&x| x < end);
        &all[lo..hi]
    }

    /// One past the last node index of `id`'s subtree.
    pub fn subtree_end(&self, mut id: NodeId) -> NodeId {
        loop {
            match self.nodes[id as usize].children.last() {
                Some(&c) => id = c,
                None => return id + 1,
            }
        }
    }

    pub fn ancestor(&self, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        let mut cur = self.parent(id);
        while let Some(p) = cur {
            if self.is(p, ns, local) {
                return Some(p);
            }
            cur = self.parent(p);
        }
        None
    }

    /// A readable path to the element, with ids where elements have them:
    /// `/data-stream-collection/component[@id='c1']/Benchmark/Rule[@id='r']`.
    pub fn path(&self, id: NodeId) -> String {
        let mut parts = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            let n = &self.nodes[c as usize];
            let key = self.attr(c, "id").or_else(|| self.attr(c, "Id"));
            parts.push(match key {
                Some(k) => format!("{}[@id='{}']", self.name(n.local), k),
                None => self.name(n.local).to_string(),
            });
            cur = self.parent(c);
        }
        parts.reverse();
        format!("/{}", parts.join("/"))
    }
}

/// An element's local name as text (empty when it is not UTF-8, which a
/// reader of a `&str` never returns).
fn local_str<'a>(e: &'a BytesStart<'_>) -> &'a str {
    std::str::from_utf8(e.local_name().into_inner()).unwrap_or("")
}

/// `part` as a slice of `src` when it is one (it is for everything a
/// reader of `src` returns borrowed) and starts and ends on characters.
fn within<'a>(src: &'a str, part: &[u8]) -> Option<&'a str> {
    let off = (part.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    src.get(off..off.checked_add(part.len())?)
}

/// Byte equality in eight-byte words, without a library call.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
    ca.zip(cb).all(|(x, y)| word(x) == word(y)) && ra.iter().zip(rb).all(|(x, y)| x == y)
}

fn line_starts(src: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(memchr_newlines(src.as_bytes()));
    v
}

fn memchr_newlines(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', b).map(|i| i + 1)
}

fn predefined_entity(name: &str) -> Option<String> {
    Some(
        match name {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            _ => {
                let num = name.strip_prefix('#')?;
                let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => num.parse().ok()?,
                };
                return char::from_u32(code).map(String::from);
            }
        }
        .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_an_element_without_a_name() {
        // Found by the xml_tree fuzz target: `<\t\t/>` was read as an
        // element with an empty name.
        for src in ["<\t\t/>", "<\r\r/>", "<a:b xmlns:a=\"urn:a\">< /></a:b>", "<r xmlns:a=\"urn:a\"><a:/></r>"] {
            let err = Tree::parse(src).unwrap_err();
            assert!(err.message.contains("no element name"), "{src:?}: {}", err.message);
        }
    }

    #[test]
    fn refuses_nesting_deeper_than_the_limit() {
        // The DOM crashed on a 200,000-deep document (found with the
        // xml_tree fuzz target); the tree refuses the same depth, so that
        // code walking it recursively is safe too.
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert_eq!(Tree::parse(&deep(crate::MAX_DEPTH)).unwrap().nodes.len(), crate::MAX_DEPTH);
        let err = Tree::parse(&deep(200_000)).unwrap_err();
        assert_eq!((err.line, err.col), (1, 3 * crate::MAX_DEPTH as u32 + 1));
        assert!(err.message.contains("deeper than 10000"), "{}", err.message);
    }

    #[test]
    fn names_resolve_and_positions_count() {
        let t = Tree::parse("<?xml version=\"1.0\"?>\n<a:r xmlns:a=\"urn:a\" xmlns=\"urn:d\">\n  <k id=\"1\" xml:lang=\"en\">x &amp; y</k><a:e/>\n</a:r>").unwrap();
        assert!(t.is(0, "urn:a", "r"));
        let k = t.child(0, "urn:d", "k").unwrap();
        assert_eq!(t.text(k), "x & y");
        assert_eq!(t.attr(k, "id"), Some("1"));
        assert_eq!(t.attr_ns(k, NS_XML, "lang"), Some("en"));
        assert_eq!(t.pos(k), (3, 3));
        assert_eq!(t.all("urn:a", "e").len(), 1);
        assert_eq!(t.path(k), "/r/k[@id='1']");
        assert_eq!(t.all_in(0, "urn:d", "k"), &[k]);
    }

    #[test]
    fn left_out_elements_are_not_built_but_still_read() {
        let src = "<r xmlns:o=\"urn:o\"><a>x<o:skip k=\"v\"><b>in</b>&amp;<o:skip/></o:skip>y</a><o:skip/><c/></r>";
        let skip = |ns: &str, local: &str| ns == "urn:o" && local == "skip";
        let t = Tree::parse_without(src, &skip).unwrap();
        let names: Vec<&str> = (0..t.nodes.len() as NodeId).map(|n| t.local(n)).collect();
        assert_eq!(names, ["r", "a", "c"]);
        assert_eq!(t.text(1), "xy");
        assert!(t.all("", "b").is_empty());
        // The root is never left out, and plain parsing keeps everything.
        assert_eq!(Tree::parse_without("<o:skip xmlns:o=\"urn:o\"/>", &skip).unwrap().nodes.len(), 1);
        assert_eq!(Tree::parse(src).unwrap().nodes.len(), 7);
        // What is left out must still be well-formed and free of unknown entities.
        for bad in ["<r xmlns:o=\"urn:o\"><o:skip><b></o:skip></r>", "<r xmlns:o=\"urn:o\"><o:skip>&nbsp;</o:skip></r>"]
        {
            assert!(Tree::parse_without(bad, &skip).is_err(), "{bad}");
        }
    }

    #[test]
    fn hostile_and_broken_input_is_refused() {
        let lol = "<!DOCTYPE r [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><r>&b;</r>";
        assert!(Tree::parse(lol).unwrap_err().message.contains("refuses"));
        let xxe = "<!DOCTYPE r SYSTEM \"file:///etc/passwd\"><r/>";
        assert!(Tree::parse(xxe).is_err());
        assert!(Tree::parse("<r>&nbsp;</r>").unwrap_err().message.contains("undefined entity"));
        assert!(Tree::parse("").unwrap_err().message.contains("no root element"));
        assert!(Tree::parse("hello").is_err());
        let e = Tree::parse("<r>\n<a></b></r>").unwrap_err();
        assert_eq!(e.line, 2, "{e:?}");
        assert!(Tree::parse("<r><x:y/></r>").unwrap_err().message.contains("prefix `x`"));
        assert!(Tree::parse("<r>").unwrap_err().message.contains("never closed"));
    }

    #[test]
    fn nesting_is_bounded_before_namespace_scopes_wrap() {
        // 70,000 levels: past quick-xml's u16 nesting counter. The depth
        // error comes first, at the element one level too deep.
        let n = 70_000;
        let doc = format!("<r xmlns:p=\"urn:p\">{}<p:x/>{}</r>", "<a>".repeat(n), "</a>".repeat(n));
        let e = Tree::parse(&doc).unwrap_err();
        assert_eq!(
            e.message.split(';').next().unwrap(),
            "element nesting deeper than 10000 levels at line 1, column 30017"
        );
        assert_eq!(e.col, 30_017);
        // Exactly the limit is fine.
        let m = crate::MAX_DEPTH - 1;
        let ok = format!("<r xmlns:p=\"urn:p\">{}<p:x/>{}</r>", "<a>".repeat(m - 1), "</a>".repeat(m - 1));
        let t = Tree::parse(&ok).unwrap();
        assert_eq!(t.all("urn:p", "x").len(), 1);
    }

    #[test]
    fn namespace_indexes_do_not_wrap() {
        let many: String = (0..70_000).map(|i| format!("<e xmlns=\"urn:{i}\"/>")).collect();
        let e = Tree::parse(&format!("<r>{many}</r>")).unwrap_err();
        assert!(e.message.contains("distinct namespace URIs"), "{e:?}");
    }
}
