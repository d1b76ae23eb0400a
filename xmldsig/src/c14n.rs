//! Canonical XML 1.1 (W3C Recommendation 2 May 2008, without comments) of
//! one element and its subtree, taken from a larger document: the
//! "document subset" that a same-document reference `URI="#id"` selects.
//!
//! The element is read straight from the document text: `quick-xml` splits
//! it into events and this module reads start tags itself, so nothing is
//! copied except the few namespace URIs and attribute values that contain
//! references. Canonical bytes go to a [`Sink`] (a hasher) through a
//! 64 KiB buffer, so a 20 MB component is never held twice.
//!
//! What the apex element gets from the ancestors that the subset leaves
//! out is passed in an [`Ancestry`]:
//! * every namespace declaration in scope is rendered on the apex;
//! * C14N 1.1: `xml:lang` and `xml:space` are inherited (§2.4), `xml:id`
//!   is not, and an `xml:base` on an omitted ancestor would need the URI
//!   fix-up of §2.4, which is refused with an error (SCAP content does not
//!   use `xml:base`);
//! * C14N 1.0 ([`Mode::C14n10`], for signatures made by other tools):
//!   every `xml:*` attribute is inherited.
//!
//! Rendering (§2.3 of C14N 1.0, unchanged in 1.1): no XML declaration or
//! comments; empty elements become start-end pairs; attributes in double
//! quotes, sorted by namespace URI then local name, after the namespace
//! declarations sorted by prefix; a namespace declaration only where it
//! differs from the parent's (and `xmlns=""` only where the parent had a
//! default namespace); references and CDATA sections replaced by their
//! characters; line ends normalized to LF; text escapes `& < >` and CR;
//! attribute values escape `& < "` TAB LF CR.
//!
//! Not well-formed input is an error with its byte offset, never a panic.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;
use std::ops::Range;

pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Which Canonical XML the caller asked for (both without comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `http://www.w3.org/2006/12/xml-c14n11`
    C14n11,
    /// `http://www.w3.org/TR/2001/REC-xml-c14n-20010315`
    C14n10,
}

/// What the apex element inherits from the ancestors outside the subset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ancestry {
    /// Namespace declarations of the ancestors, outermost first (a later
    /// declaration of the same prefix overrides an earlier one). The
    /// default namespace has prefix "".
    pub ns: Vec<(String, String)>,
    /// `xml:*` attributes of the ancestors as (local name, value),
    /// outermost first.
    pub xml_attrs: Vec<(String, String)>,
}

impl Ancestry {
    /// The ancestry of a child of an element with this ancestry and these
    /// declarations and `xml:*` attributes of its own.
    pub fn child(&self, ns: &[(String, String)], xml_attrs: &[(String, String)]) -> Ancestry {
        let mut a = self.clone();
        a.ns.extend_from_slice(ns);
        a.xml_attrs.extend_from_slice(xml_attrs);
        a
    }
}

/// A canonicalization error at a byte offset of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C14nError {
    pub offset: usize,
    pub message: String,
}

/// Where canonical bytes go.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for ring::digest::Context {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// Canonicalizes the element that occupies `range` of `doc` (from its `<`
/// to the end of its end tag).
pub fn canonicalize(
    doc: &str,
    range: Range<usize>,
    anc: &Ancestry,
    mode: Mode,
    sink: &mut dyn Sink,
) -> Result<(), C14nError> {
    let base = range.start;
    let xml = doc
        .get(range)
        .ok_or_else(|| C14nError { offset: base, message: "internal error: element range out of bounds".into() })?;
    let mut w = Writer { buf: Vec::with_capacity(1 << 16), sink };
    let r = Canon::new(xml, anc, mode).run(&mut w);
    w.flush();
    r.map_err(|(offset, message)| {
        let message = if message == TOO_DEEP {
            let (line, col) = scapc_xml::line_col(doc, base + offset);
            scapc_xml::too_deep(line, col)
        } else {
            message
        };
        C14nError { offset: base + offset, message }
    })
}

/// Stands for the depth error until the position in the whole document is known.
const TOO_DEEP: &str = "\0too deep";

/// Canonical bytes of a standalone element, for tests and small inputs.
pub fn to_vec(xml: &str, anc: &Ancestry, mode: Mode) -> Result<Vec<u8>, C14nError> {
    let mut v = Vec::new();
    canonicalize(xml, 0..xml.len(), anc, mode, &mut v)?;
    Ok(v)
}

/// SHA-256 of the canonical form.
pub fn sha256(doc: &str, range: Range<usize>, anc: &Ancestry, mode: Mode) -> Result<[u8; 32], C14nError> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    canonicalize(doc, range, anc, mode, &mut ctx)?;
    let mut out = [0u8; 32];
    out.copy_from_slice(ctx.finish().as_ref());
    Ok(out)
}

struct Writer<'s> {
    buf: Vec<u8>,
    sink: &'s mut dyn Sink,
}

impl Writer<'_> {
    #[inline]
    fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 1 << 16 {
            self.flush();
        }
    }
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.sink.put(&self.buf);
            self.buf.clear();
        }
    }
}

type Res<T> = Result<T, (usize, String)>;

// --- start tags ----------------------------------------------------------------

/// One attribute as written: qualified name, raw value (between the
/// quotes) and the offset of its name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawAttr<'a> {
    pub name: &'a str,
    pub raw: &'a str,
    pub offset: usize,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Splits the inside of a start tag (`name attr="v" ...`, without `<`,
/// `>` or the `/` of an empty element) into its name and attributes.
/// `at` is the offset of the tag text in the document, for errors.
pub(crate) fn parse_tag<'a>(tag: &'a str, at: usize, attrs: &mut Vec<RawAttr<'a>>) -> Res<&'a str> {
    let b = tag.as_bytes();
    let mut i = 0;
    while i < b.len() && !is_ws(b[i]) {
        i += 1;
    }
    let name = &tag[..i];
    if name.is_empty() {
        return Err((at, "a start tag has no element name".into()));
    }
    attrs.clear();
    loop {
        let ws_start = i;
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        if i == ws_start {
            return Err((at + i, format!("attributes of `{name}` must be separated by white space")));
        }
        let n0 = i;
        while i < b.len() && b[i] != b'=' && !is_ws(b[i]) {
            i += 1;
        }
        let aname = &tag[n0..i];
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        if aname.is_empty() || i >= b.len() || b[i] != b'=' {
            return Err((at + n0, format!("attribute `{aname}` of `{name}` has no value")));
        }
        i += 1;
        while i < b.len() && is_ws(b[i]) {
            i += 1;
        }
        let q = match b.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err((at + n0, format!("the value of attribute `{aname}` is not quoted"))),
        };
        let v0 = i + 1;
        let v1 = match b[v0..].iter().position(|&c| c == q) {
            Some(p) => v0 + p,
            None => return Err((at + n0, format!("the value of attribute `{aname}` is not closed"))),
        };
        let raw = &tag[v0..v1];
        if let Some(p) = raw.find('<') {
            return Err((at + v0 + p, format!("`<` in the value of attribute `{aname}`")));
        }
        if attrs.iter().any(|a| a.name == aname) {
            return Err((at + n0, format!("attribute `{aname}` appears twice on `{name}`")));
        }
        attrs.push(RawAttr { name: aname, raw, offset: at + n0 });
        i = v1 + 1;
    }
    Ok(name)
}

/// The replacement text of `&name;` (predefined entities and character
/// references; there is no DTD, so there are no other entities).
fn resolve_ref(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix('x') {
                Some(h) if !h.is_empty() && h.bytes().all(|c| c.is_ascii_hexdigit()) => {
                    u32::from_str_radix(h, 16).ok()?
                }
                None if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => n.parse().ok()?,
                _ => return None,
            };
            // XML 1.0 Char production.
            let ok = matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
            if !ok {
                return None;
            }
            char::from_u32(code)?
        }
    })
}

/// Attribute-value normalization (XML 1.0 §3.3.3, every attribute CDATA as
/// there is no DTD): literal TAB, LF, CR and CRLF become one space each,
/// references are replaced by their character.
pub(crate) fn attr_value<'a>(raw: &'a str, at: usize) -> Res<Cow<'a, str>> {
    if !raw.bytes().any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r')) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut s = String::with_capacity(raw.len());
    let mut it = raw.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '\r' => {
                if it.peek().is_some_and(|&(_, n)| n == '\n') {
                    it.next();
                }
                s.push(' ');
            }
            '\t' | '\n' => s.push(' '),
            '&' => {
                let rest = &raw[i + 1..];
                let end =
                    rest.find(';').ok_or_else(|| (at + i, "`&` without `;` in an attribute value".to_string()))?;
                let name = &rest[..end];
                let ch = resolve_ref(name).ok_or_else(|| (at + i, format!("unknown or invalid reference `&{name};` (there is no DTD, only the predefined entities and character references exist)")))?;
                s.push(ch);
                for _ in 0..=end {
                    it.next();
                }
            }
            c => s.push(c),
        }
    }
    Ok(Cow::Owned(s))
}

// --- escaping --------------------------------------------------------------------

fn put_escaped(w: &mut Writer<'_>, s: &str, attr: bool) {
    let b = s.as_bytes();
    let mut start = 0;
    for (i, &c) in b.iter().enumerate() {
        let rep: &[u8] = match c {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' if !attr => b"&gt;",
            b'"' if attr => b"&quot;",
            b'\t' if attr => b"&#x9;",
            b'\n' if attr => b"&#xA;",
            b'\r' => b"&#xD;",
            _ => continue,
        };
        w.put(&b[start..i]);
        w.put(rep);
        start = i + 1;
    }
    w.put(&b[start..]);
}

/// Raw character data (no markup, no references): `>` is escaped and line
/// ends are normalized to LF.
fn put_raw_text(w: &mut Writer<'_>, s: &str, cdata: bool) {
    let b = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let rep: &[u8] = match c {
            b'>' => b"&gt;",
            b'&' if cdata => b"&amp;",
            b'<' if cdata => b"&lt;",
            b'\r' => {
                if b.get(i + 1) == Some(&b'\n') {
                    // CRLF: drop the CR.
                    w.put(&b[start..i]);
                    start = i + 1;
                    i += 1;
                    continue;
                }
                b"\n"
            }
            _ => {
                i += 1;
                continue;
            }
        };
        w.put(&b[start..i]);
        w.put(rep);
        i += 1;
        start = i;
    }
    w.put(&b[start..]);
}

fn normalize_newlines(s: &str) -> Cow<'_, str> {
    if s.contains('\r') {
        Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(s)
    }
}

// --- the walk -----------------------------------------------------------------------

struct Canon<'a> {
    xml: &'a str,
    anc: &'a Ancestry,
    mode: Mode,
    /// In-scope namespace bindings, innermost last.
    ns: Vec<(&'a str, Cow<'a, str>)>,
    /// `ns.len()` before each open element's own declarations.
    frames: Vec<usize>,
}

impl<'a> Canon<'a> {
    fn new(xml: &'a str, anc: &'a Ancestry, mode: Mode) -> Self {
        let ns = anc.ns.iter().map(|(p, u)| (p.as_str(), Cow::Borrowed(u.as_str()))).collect();
        Canon { xml, anc, mode, ns, frames: Vec::new() }
    }

    /// The namespace bound to `prefix` in the first `upto` bindings.
    fn lookup(&self, prefix: &str, upto: usize) -> Option<&str> {
        self.ns[..upto].iter().rev().find(|(p, _)| *p == prefix).map(|(_, u)| u.as_ref())
    }

    fn run(mut self, w: &mut Writer<'_>) -> Res<()> {
        let xml = self.xml;
        let mut r = Reader::from_str(xml);
        let cfg = r.config_mut();
        cfg.trim_text(false);
        cfg.check_end_names = true;
        cfg.expand_empty_elements = false;
        let mut attrs: Vec<RawAttr<'a>> = Vec::new();
        let mut started = false;
        loop {
            let pos = r.buffer_position() as usize;
            let ev = r.read_event().map_err(|e| (r.error_position() as usize, format!("not well-formed XML: {e}")))?;
            let end = r.buffer_position() as usize;
            let depth = self.frames.len();
            match ev {
                Event::Start(_) | Event::Empty(_) => {
                    if depth >= scapc_xml::MAX_DEPTH {
                        return Err((pos, TOO_DEEP.into()));
                    }
                    let empty = matches!(ev, Event::Empty(_));
                    if depth == 0 && started {
                        return Err((pos, "more than one element to canonicalize".into()));
                    }
                    started = true;
                    let inner_end = end
                        .checked_sub(if empty { 2 } else { 1 })
                        .filter(|e| *e > pos)
                        .ok_or((pos, "malformed start tag".to_string()))?;
                    let tag = xml.get(pos + 1..inner_end).ok_or((pos, "malformed start tag".to_string()))?;
                    let name = parse_tag(tag, pos + 1, &mut attrs)?;
                    self.start_tag(w, name, &attrs, depth == 0, pos)?;
                    if empty {
                        w.put(b"</");
                        w.put(name.as_bytes());
                        w.put(b">");
                        let f = self.frames.pop().unwrap_or(0);
                        self.ns.truncate(f);
                    }
                }
                Event::End(e) => {
                    w.put(b"</");
                    w.put(e.name().as_ref());
                    w.put(b">");
                    let f = self.frames.pop().ok_or((pos, "an end tag without a start tag".to_string()))?;
                    self.ns.truncate(f);
                }
                Event::Text(_) => {
                    let t = &xml[pos..end];
                    if depth > 0 {
                        put_raw_text(w, t, false);
                    } else if !t.bytes().all(is_ws) {
                        return Err((pos, "text outside the element".into()));
                    }
                }
                Event::GeneralRef(_) => {
                    let name = &xml[pos + 1..end - 1];
                    let c = resolve_ref(name).ok_or_else(|| (pos, format!("unknown or invalid reference `&{name};` (there is no DTD, only the predefined entities and character references exist)")))?;
                    if depth == 0 {
                        return Err((pos, "a reference outside the element".into()));
                    }
                    let mut tmp = [0u8; 4];
                    put_escaped(w, c.encode_utf8(&mut tmp), false);
                }
                Event::CData(_) => {
                    if depth == 0 {
                        return Err((pos, "CDATA outside the element".into()));
                    }
                    put_raw_text(w, &xml[pos + 9..end - 3], true);
                }
                Event::PI(_) => {
                    if depth > 0 {
                        let body = &xml[pos + 2..end - 2];
                        let t_end = body.bytes().position(is_ws).unwrap_or(body.len());
                        let target = &body[..t_end];
                        let data = body[t_end..].trim_start_matches([' ', '\t', '\n', '\r']);
                        w.put(b"<?");
                        w.put(target.as_bytes());
                        if !data.is_empty() {
                            w.put(b" ");
                            w.put(normalize_newlines(data).as_bytes());
                        }
                        w.put(b"?>");
                    }
                }
                Event::Comment(_) => {}
                Event::Decl(_) => {
                    if started {
                        return Err((pos, "an XML declaration inside an element".into()));
                    }
                }
                Event::DocType(_) => return Err((pos, "a document type declaration inside the signed data".into())),
                Event::Eof => break,
            }
            if started && self.frames.is_empty() {
                return match xml[end..].bytes().position(|b| !is_ws(b)) {
                    None => Ok(()),
                    Some(p) => Err((end + p, "more than one element to canonicalize".into())),
                };
            }
        }
        if !started {
            return Err((0, "no element to canonicalize".into()));
        }
        Err((xml.len(), format!("{} element(s) are not closed: the document is truncated", self.frames.len())))
    }

    fn start_tag(
        &mut self,
        w: &mut Writer<'_>,
        name: &'a str,
        attrs: &[RawAttr<'a>],
        apex: bool,
        pos: usize,
    ) -> Res<()> {
        let parent_len = self.ns.len();
        self.frames.push(parent_len);
        // Own namespace declarations.
        for a in attrs {
            let prefix = if a.name == "xmlns" {
                ""
            } else if let Some(p) = a.name.strip_prefix("xmlns:") {
                p
            } else {
                continue;
            };
            let uri = attr_value(a.raw, a.offset)?;
            if !prefix.is_empty() && uri.is_empty() {
                return Err((a.offset, format!("`xmlns:{prefix}=\"\"`: a prefix cannot be undeclared in XML 1.0")));
            }
            if prefix == "xmlns" || (prefix == "xml" && uri != NS_XML) || (prefix != "xml" && uri == NS_XML) {
                return Err((a.offset, format!("reserved namespace prefix or URI misused in `{}`", a.name)));
            }
            self.ns.push((prefix, uri));
        }
        if let Some((p, _)) = name.split_once(':') {
            if p != "xml" && self.lookup(p, self.ns.len()).is_none() {
                return Err((pos, format!("the prefix `{p}` of element `{name}` is not declared")));
            }
        }
        // Namespace nodes to render, as (prefix, uri).
        let mut out_ns: Vec<(&str, &str)> = Vec::new();
        if apex {
            for (i, (p, u)) in self.ns.iter().enumerate().rev() {
                let shadowed = self.ns[i + 1..].iter().any(|(q, _)| q == p);
                if shadowed || *p == "xml" || (p.is_empty() && u.is_empty()) {
                    continue;
                }
                out_ns.push((p, u));
            }
        } else {
            for (p, u) in &self.ns[parent_len..] {
                if *p == "xml" {
                    continue;
                }
                if self.lookup(p, parent_len).unwrap_or("") != u.as_ref() {
                    out_ns.push((p, u));
                }
            }
        }
        out_ns.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // Attributes, keyed by (namespace URI, local name).
        let mut plain: Vec<(&str, &str, &str, Cow<'a, str>, usize)> = Vec::new();
        for a in attrs {
            if a.name == "xmlns" || a.name.starts_with("xmlns:") {
                continue;
            }
            let (uri, local) = match a.name.split_once(':') {
                None => ("", a.name),
                Some(("xml", l)) => (NS_XML, l),
                Some((p, l)) => match self.lookup(p, self.ns.len()) {
                    Some(u) => (u, l),
                    None => {
                        return Err((a.offset, format!("the prefix `{p}` of attribute `{}` is not declared", a.name)))
                    }
                },
            };
            plain.push((uri, local, a.name, Cow::Borrowed(a.raw), a.offset));
        }
        // The apex inherits xml:* attributes of the omitted ancestors.
        let mut inherited: Vec<(&str, &str)> = Vec::new();
        if apex {
            for (local, value) in self.anc.xml_attrs.iter().rev() {
                let wanted = match self.mode {
                    Mode::C14n10 => true,
                    Mode::C14n11 => match local.as_str() {
                        "lang" | "space" => true,
                        "base" => {
                            return Err((pos, "an ancestor of the signed element has `xml:base`; Canonical XML 1.1 would need an xml:base fix-up, which is not supported".into()));
                        }
                        _ => false,
                    },
                };
                let own = plain.iter().any(|x| x.0 == NS_XML && x.1 == local.as_str());
                if wanted && !own && !inherited.iter().any(|(l, _)| *l == local.as_str()) {
                    inherited.push((local.as_str(), value.as_str()));
                }
            }
        }
        let mut names: Vec<String> = Vec::new();
        for (local, _) in &inherited {
            names.push(format!("xml:{local}"));
        }
        for ((local, value), qname) in inherited.iter().zip(names.iter()) {
            plain.push((NS_XML, local, qname.as_str(), Cow::Borrowed(value), usize::MAX));
        }
        plain.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        for pair in plain.windows(2) {
            if (pair[0].0, pair[0].1) == (pair[1].0, pair[1].1) {
                return Err((
                    pair[1].4.min(pos),
                    format!("attributes `{}` and `{}` have the same expanded name", pair[0].2, pair[1].2),
                ));
            }
        }
        w.put(b"<");
        w.put(name.as_bytes());
        for (p, u) in out_ns {
            if p.is_empty() {
                w.put(b" xmlns=\"");
            } else {
                w.put(b" xmlns:");
                w.put(p.as_bytes());
                w.put(b"=\"");
            }
            put_escaped(w, u, true);
            w.put(b"\"");
        }
        for (_, _, qname, raw, offset) in &plain {
            w.put(b" ");
            w.put(qname.as_bytes());
            w.put(b"=\"");
            if *offset == usize::MAX {
                // An inherited value, already normalized.
                put_escaped(w, raw, true);
            } else {
                put_escaped(w, &attr_value(raw, *offset)?, true);
            }
            w.put(b"\"");
        }
        w.put(b">");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anc(ns: &[(&str, &str)], xml: &[(&str, &str)]) -> Ancestry {
        let v = |x: &[(&str, &str)]| x.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        Ancestry { ns: v(ns), xml_attrs: v(xml) }
    }

    fn c(xml: &str) -> String {
        String::from_utf8(to_vec(xml, &Ancestry::default(), Mode::C14n11).unwrap()).unwrap()
    }

    fn err(xml: &str) -> String {
        match to_vec(xml, &Ancestry::default(), Mode::C14n11) {
            Ok(v) => panic!("{xml:?} was accepted: {}", String::from_utf8_lossy(&v)),
            Err(e) => e.message,
        }
    }

    // The W3C examples of C14N 1.0 §3 (kept in C14N 1.1 §3), without
    // their DTDs: scapc refuses DTDs, so every attribute is CDATA and no
    // attribute has a default. Expected outputs were checked against
    // libxml2 (`xmllint --c14n11`).

    #[test]
    fn w3c_3_2_whitespace_in_document_content() {
        let doc = "<doc>\n   <clean>   </clean>\n   <dirty>   A   B   </dirty>\n   <mixed>\n      A\n      <clean>   </clean>\n      B\n      <dirty>   A   B   </dirty>\n      C\n   </mixed>\n</doc>";
        assert_eq!(c(doc), doc);
    }

    #[test]
    fn w3c_3_3_start_and_end_tags() {
        let doc = r#"<doc>
   <e1   />
   <e2   ></e2>
   <e3   name = "elem3"   id="elem3"   />
   <e4   name="elem4"   id="elem4"   ></e4>
   <e5 a:attr="out" b:attr="sorted" attr2="all" attr="I'm"
      xmlns:b="http://www.ietf.org"
      xmlns:a="http://www.w3.org"
      xmlns="http://example.org"/>
   <e6 xmlns="" xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="" xmlns:a="http://www.w3.org">
            <e9 xmlns="" xmlns:a="http://www.ietf.org"/>
         </e8>
      </e7>
   </e6>
</doc>"#;
        let want = r#"<doc>
   <e1></e1>
   <e2></e2>
   <e3 id="elem3" name="elem3"></e3>
   <e4 id="elem4" name="elem4"></e4>
   <e5 xmlns="http://example.org" xmlns:a="http://www.w3.org" xmlns:b="http://www.ietf.org" attr="I'm" attr2="all" b:attr="sorted" a:attr="out"></e5>
   <e6 xmlns:a="http://www.w3.org">
      <e7 xmlns="http://www.ietf.org">
         <e8 xmlns="">
            <e9 xmlns:a="http://www.ietf.org"></e9>
         </e8>
      </e7>
   </e6>
</doc>"#;
        assert_eq!(c(doc), want);
    }

    #[test]
    fn w3c_3_4_character_modifications_and_references() {
        let doc = "<doc>
   <text>First line&#x0d;&#10;Second line</text>
   <value>&#x32;</value>
   <compute><![CDATA[value>\"0\" && value<\"10\" ?\"valid\":\"error\"]]></compute>
   <compute expr='value>\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"'>valid</compute>
   <norm attr=' &apos;   &#x20;&#13;&#xa;&#9;   &apos; '/>
   <normNames attr='   A   &#x20;&#13;&#xa;&#9;   B   '/>
</doc>";
        let want = "<doc>
   <text>First line&#xD;
Second line</text>
   <value>2</value>
   <compute>value&gt;\"0\" &amp;&amp; value&lt;\"10\" ?\"valid\":\"error\"</compute>
   <compute expr=\"value>&quot;0&quot; &amp;&amp; value&lt;&quot;10&quot; ?&quot;valid&quot;:&quot;error&quot;\">valid</compute>
   <norm attr=\" '    &#xD;&#xA;&#x9;   ' \"></norm>
   <normNames attr=\"   A    &#xD;&#xA;&#x9;   B   \"></normNames>
</doc>";
        assert_eq!(c(doc), want);
    }

    #[test]
    fn w3c_3_6_utf8() {
        assert_eq!(c("<doc>&#169;</doc>"), "<doc>\u{a9}</doc>");
    }

    #[test]
    fn w3c_3_1_processing_instructions_and_comments() {
        assert_eq!(
            c("<doc><?xml-stylesheet   href=\"doc.xsl\"\r\n   type=\"text/xsl\"   ?>Hello, world!<!-- Comment 1 --><?pi-without-data     ?></doc>"),
            "<doc><?xml-stylesheet href=\"doc.xsl\"\n   type=\"text/xsl\"   ?>Hello, world!<?pi-without-data?></doc>"
        );
    }

    #[test]
    fn w3c_3_7_document_subset_namespaces_on_apex() {
        // The subset is e3 of <doc xmlns="http://www.ietf.org"
        // xmlns:w3c="http://www.w3.org"><e1><e2 xmlns=""><e3 id="E3"/>.
        let a = anc(&[("", "http://www.ietf.org"), ("w3c", "http://www.w3.org"), ("", "")], &[]);
        assert_eq!(
            String::from_utf8(to_vec(r#"<e3   id="E3"/>"#, &a, Mode::C14n11).unwrap()).unwrap(),
            r#"<e3 xmlns:w3c="http://www.w3.org" id="E3"></e3>"#
        );
        let a = anc(&[("", "http://www.ietf.org"), ("w3c", "http://www.w3.org")], &[]);
        assert_eq!(
            String::from_utf8(to_vec(r#"<e1><e2 xmlns=""/><w3c:e4/></e1>"#, &a, Mode::C14n11).unwrap()).unwrap(),
            r#"<e1 xmlns="http://www.ietf.org" xmlns:w3c="http://www.w3.org"><e2 xmlns=""></e2><w3c:e4></w3c:e4></e1>"#
        );
    }

    #[test]
    fn xml_attributes_inherited_by_the_apex() {
        let a = anc(&[], &[("lang", "en"), ("space", "preserve"), ("id", "x"), ("lang", "fr")]);
        assert_eq!(
            String::from_utf8(to_vec("<e/>", &a, Mode::C14n11).unwrap()).unwrap(),
            r#"<e xml:lang="fr" xml:space="preserve"></e>"#
        );
        assert_eq!(
            String::from_utf8(to_vec(r#"<e xml:lang="de"/>"#, &a, Mode::C14n11).unwrap()).unwrap(),
            r#"<e xml:lang="de" xml:space="preserve"></e>"#
        );
        // C14N 1.0 inherits xml:id too.
        assert_eq!(
            String::from_utf8(to_vec("<e/>", &a, Mode::C14n10).unwrap()).unwrap(),
            r#"<e xml:id="x" xml:lang="fr" xml:space="preserve"></e>"#
        );
        let b = anc(&[], &[("base", "http://x/")]);
        assert!(to_vec("<e/>", &b, Mode::C14n11).unwrap_err().message.contains("xml:base"));
    }

    #[test]
    fn attributes_sorted_by_namespace_uri_then_local_name() {
        assert_eq!(
            c(r#"<e b="2"   a='1' xmlns:z="urn:z" z:c="3" xml:lang="x"><f/></e>"#),
            r#"<e xmlns:z="urn:z" a="1" b="2" xml:lang="x" z:c="3"><f></f></e>"#
        );
    }

    #[test]
    fn redundant_declarations_dropped_and_changes_kept() {
        assert_eq!(
            c(r#"<p:a xmlns:p="urn:p"><p:b xmlns:p="urn:p"/><p:c xmlns:p="urn:q"/></p:a>"#),
            r#"<p:a xmlns:p="urn:p"><p:b></p:b><p:c xmlns:p="urn:q"></p:c></p:a>"#
        );
        assert_eq!(c(r#"<a><b xmlns=""/></a>"#), "<a><b></b></a>");
        assert_eq!(
            c(r#"<a xmlns="urn:a"><b xmlns=""><c xmlns=""/></b></a>"#),
            r#"<a xmlns="urn:a"><b xmlns=""><c></c></b></a>"#
        );
    }

    #[test]
    fn white_space_inside_tags() {
        assert_eq!(c("<a\n  b = 'x'\t><c\r\n/></a  \n>"), r#"<a b="x"><c></c></a>"#);
    }

    #[test]
    fn line_ends_and_escapes() {
        assert_eq!(
            c("<a q='say \"hi\" &gt; x'>\r\nl1\rl2 &#xD; ]&gt; &#x9;</a>"),
            "<a q=\"say &quot;hi&quot; > x\">\nl1\nl2 &#xD; ]&gt; \t</a>"
        );
        assert_eq!(c("<a>&lt;&amp;&gt;&quot;&apos;<![CDATA[\r\n<&>]]></a>"), "<a>&lt;&amp;&gt;\"'\n&lt;&amp;&gt;</a>");
    }

    #[test]
    fn a_slice_of_a_larger_document() {
        let doc = r#"<r xmlns:x="urn:x"><x:a id="1"><x:b/></x:a><x:c/></r>"#;
        let s = doc.find("<x:a").unwrap();
        let e = doc.find("<x:c").unwrap();
        let a = anc(&[("x", "urn:x")], &[]);
        let mut v = Vec::new();
        canonicalize(doc, s..e, &a, Mode::C14n11, &mut v).unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), r#"<x:a xmlns:x="urn:x" id="1"><x:b></x:b></x:a>"#);
    }

    #[test]
    fn not_well_formed_input_is_an_error_not_a_panic() {
        assert!(err("<a><b></a>").contains("not well-formed"));
        assert!(err("<a>&foo;</a>").contains("&foo;"));
        assert!(err("<a>&#0;</a>").contains("&#0;"));
        assert!(err(r#"<a x="1" x="2"/>"#).contains("twice"));
        assert!(err(r#"<a xmlns:p="urn:1" xmlns:q="urn:1" p:x="1" q:x="2"/>"#).contains("same expanded name"));
        assert!(err("<p:a/>").contains("not declared"));
        assert!(err(r#"<a p:x="1"/>"#).contains("not declared"));
        assert!(err(r#"<a x="1"y="2"/>"#).contains("white space"));
        assert!(err(r#"<a x=1/>"#).contains("quoted"));
        assert!(err(r#"<a x="<"/>"#).contains("`<`"));
        assert!(err("<a><b>").contains("truncated") || err("<a><b>").contains("not well-formed"));
        assert!(err("<a/><b/>").contains("more than one"));
        assert!(err("").contains("no element"));
        assert!(err(r#"<a xmlns:p=""/>"#).contains("undeclared"));
        assert!(err("<a>x & y</a>").contains("not well-formed"));
        let e = to_vec("<a>\n<b>&bad;</b></a>", &Ancestry::default(), Mode::C14n11).unwrap_err();
        assert_eq!(e.offset, 7);
    }

    #[test]
    fn nesting_is_bounded_with_the_position_in_the_whole_document() {
        let deep = format!("<r>\n{}{}</r>", "<a>".repeat(10_001), "</a>".repeat(10_001));
        let s = deep.find("<a>").unwrap();
        let e = deep.rfind("</r>").unwrap();
        let mut v = Vec::new();
        let err = canonicalize(&deep, s..e, &Ancestry::default(), Mode::C14n11, &mut v).unwrap_err();
        assert!(
            err.message.starts_with("element nesting deeper than 10000 levels at line 2, column 30001"),
            "{}",
            err.message
        );
        assert_eq!(err.offset, 4 + 30_000);
    }
}
