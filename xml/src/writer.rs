//! A small indenting XML writer that builds a `String`.
//!
//! Elements with only text content stay on one line; elements with element
//! children put each child on its own line, indented by two spaces.

use crate::{escape_attr, escape_text};

#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    /// Open elements: (name, has element children).
    stack: Vec<(String, bool)>,
    /// The last thing written was a start tag whose `>` is written but which
    /// has had no content yet.
    just_opened: bool,
}

impl Writer {
    pub fn new() -> Self {
        Writer { out: String::with_capacity(64 * 1024), ..Default::default() }
    }

    pub fn with_declaration() -> Self {
        let mut w = Self::new();
        w.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        w
    }

    fn indent(&mut self) {
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
    }

    fn before_child_element(&mut self) {
        if let Some(top) = self.stack.last_mut() {
            top.1 = true;
        }
        if (self.just_opened || !self.stack.is_empty()) && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.indent();
    }

    fn write_attrs<'a>(&mut self, attrs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.out.push_str(&escape_attr(v));
            self.out.push('"');
        }
    }

    /// Opens `<name attrs...>`.
    pub fn start<'a>(&mut self, name: &str, attrs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        self.before_child_element();
        self.out.push('<');
        self.out.push_str(name);
        self.write_attrs(attrs);
        self.out.push('>');
        self.stack.push((name.to_owned(), false));
        self.just_opened = true;
    }

    /// Writes `<name attrs.../>`.
    pub fn empty<'a>(&mut self, name: &str, attrs: impl IntoIterator<Item = (&'a str, &'a str)>) {
        self.before_child_element();
        self.out.push('<');
        self.out.push_str(name);
        self.write_attrs(attrs);
        self.out.push_str("/>");
        self.just_opened = false;
    }

    /// Writes `<name attrs...>text</name>` on one line.
    pub fn text_element<'a>(&mut self, name: &str, attrs: impl IntoIterator<Item = (&'a str, &'a str)>, text: &str) {
        self.before_child_element();
        self.out.push('<');
        self.out.push_str(name);
        self.write_attrs(attrs);
        self.out.push('>');
        self.out.push_str(&escape_text(text));
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self.just_opened = false;
    }

    /// Writes `<name attrs...>raw</name>` where `raw` is already XML (mixed
    /// content such as XHTML). The caller guarantees it is well-formed.
    pub fn raw_element<'a>(&mut self, name: &str, attrs: impl IntoIterator<Item = (&'a str, &'a str)>, raw: &str) {
        self.before_child_element();
        self.out.push('<');
        self.out.push_str(name);
        self.write_attrs(attrs);
        self.out.push('>');
        self.out.push_str(raw);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self.just_opened = false;
    }

    /// Writes escaped text inside the current element (no indentation).
    pub fn text(&mut self, text: &str) {
        self.out.push_str(&escape_text(text));
        self.just_opened = false;
    }

    /// Writes already-serialized XML as a child, on its own indented line.
    pub fn raw_child(&mut self, raw: &str) {
        self.before_child_element();
        self.out.push_str(raw);
        self.just_opened = false;
    }

    /// Closes the innermost open element.
    pub fn end(&mut self) {
        let (name, had_children) = self.stack.pop().expect("end() without start()");
        if had_children {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.indent();
        }
        self.out.push_str("</");
        self.out.push_str(&name);
        self.out.push('>');
        self.just_opened = false;
        if self.stack.is_empty() {
            self.out.push('\n');
        }
    }

    /// Current nesting depth.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn finish(mut self) -> String {
        while !self.stack.is_empty() {
            self.end();
        }
        if !self.out.ends_with('\n') {
            self.out.push('\n');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_escaping() {
        let mut w = Writer::new();
        w.start("a", [("x", "1 & 2")]);
        w.text_element("b", [], "<hi>");
        w.empty("c", [("y", "\"q\"")]);
        w.start("d", []);
        w.text("t");
        w.end();
        w.end();
        let s = w.finish();
        assert_eq!(s, "<a x=\"1 &amp; 2\">\n  <b>&lt;hi&gt;</b>\n  <c y=\"&quot;q&quot;\"/>\n  <d>t</d>\n</a>\n");
    }
}
