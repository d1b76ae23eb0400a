//! XML for scapc: a hardened reader into a small DOM ([`parse`]) and a
//! deterministic writer ([`Writer`]).
//!
//! Invariants:
//! - Reading never expands entities other than the five predefined ones and
//!   character references, and never resolves external entities: a DOCTYPE
//!   that declares entities is refused. Billion-laughs and XXE documents get
//!   an error, not a hang or a fetch.
//! - Elements nest at most [`hostile::MAX_DEPTH`] levels, counted by each
//!   reader itself; [`hostile`] holds the one prolog check and depth error
//!   every scapc reader uses.
//! - Namespace scopes resolve in constant time per lookup ([`ns`]), so
//!   reading is linear in the document's size whatever its depth.
//! - Writing is byte-for-byte deterministic for the same calls.
#![forbid(unsafe_code)]

pub mod datetime;
mod dom;
pub mod hostile;
pub mod ns;
pub mod tree;
mod writer;

pub use dom::{parse, Element, Node, ParseError};
pub use hostile::{check_doctype, check_prolog, too_deep, MAX_DEPTH};

/// The error message for a start tag without a name (`< />`), which the
/// underlying tokenizer lets through.
pub const NO_NAME: &str = "a start tag has no element name (is there a space after `<`?)";
pub use writer::Writer;

use std::borrow::Cow;

/// Escapes text content (`&`, `<`, `>`).
pub fn escape_text(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Escapes an attribute value for double quotes (`&`, `<`, `>`, `"`, and
/// whitespace control characters so that they survive normalisation).
pub fn escape_attr(s: &str) -> Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"', '\n', '\r', '\t']) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Namespace declarations `(prefix, uri)` (prefix "" for the default
/// namespace) and ordinary attributes `(name, unescaped value)` of a start
/// tag, in document order.
pub type SplitAttributes = (Vec<(String, String)>, Vec<(String, String)>);

/// Splits a start tag's attributes into namespace declarations and
/// ordinary attributes. Errors name the attribute that is malformed.
pub fn split_attributes(e: &quick_xml::events::BytesStart<'_>) -> Result<SplitAttributes, String> {
    let mut decls = Vec::new();
    let mut plain = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|x| format!("bad attribute: {x}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|x| format!("bad value of attribute `{key}`: {x}"))?.into_owned();
        if key == "xmlns" {
            decls.push((String::new(), value));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            decls.push((p.to_owned(), value));
        } else {
            plain.push((key, value));
        }
    }
    Ok((decls, plain))
}

/// Converts a byte offset in `src` to a 1-based (line, column), the column
/// counted in characters.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() as u32 + 1;
    (line, col)
}

/// [`line_col`] for offsets that only move forward, in time linear in the
/// text as a whole (calling [`line_col`] for every element of a document
/// is quadratic). An offset before the previous one is computed afresh.
#[derive(Debug, Clone)]
pub struct LineCursor<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
}

impl<'a> LineCursor<'a> {
    pub fn new(src: &'a str) -> Self {
        LineCursor { src, pos: 0, line: 1, col: 1 }
    }

    /// The 1-based (line, column in characters) of `offset`.
    pub fn at(&mut self, offset: usize) -> (u32, u32) {
        let offset = floor_char_boundary(self.src, offset.min(self.src.len()));
        if offset < self.pos {
            return line_col(self.src, offset);
        }
        for c in self.src[self.pos..offset].chars() {
            if c == '\n' {
                self.line += 1;
                self.col = 1;
            } else {
                self.col += 1;
            }
        }
        self.pos = offset;
        (self.line, self.col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("a<b&c>"), "a&lt;b&amp;c&gt;");
        assert_eq!(escape_attr("say \"hi\"\n"), "say &quot;hi&quot;&#10;");
        assert!(matches!(escape_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn line_cursor_agrees_with_line_col() {
        let s = "ab\ncdé\nf\n\nxyz";
        let mut c = LineCursor::new(s);
        for i in 0..=s.len() {
            assert_eq!(c.at(i), line_col(s, i), "offset {i}");
        }
        assert_eq!(c.at(3), line_col(s, 3));
    }

    #[test]
    fn line_col_counts_chars() {
        let s = "ab\ncdé\nf";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 3), (2, 1));
        assert_eq!(line_col(s, s.find('f').unwrap()), (3, 1));
        assert_eq!(line_col(s, s.find('é').unwrap() + 2), (2, 4));
    }
}
