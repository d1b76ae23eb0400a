//! Text back into source form: XHTML prose as the author writes it (tags
//! without the `html:` prefix, `<sub>` as `xccdf_value()`), YAML scalars
//! that read back to the same string, and Jinja escaping so that every
//! rendered file gives back exactly the text decompile wrote.

use scapc_xml::{escape_attr, escape_text, Element, Node};

/// Marks a Value reference while a file is being put together; replaced
/// by `{{{ xccdf_value("id") }}}` after Jinja escaping ([`finish`]).
const MARK_OPEN: char = '\u{1}';
const MARK_CLOSE: char = '\u{2}';

/// The marker for a reference to the Value with short id `id`.
pub fn value_mark(id: &str) -> String {
    format!("{MARK_OPEN}{id}{MARK_CLOSE}")
}

/// Escapes what Jinja would read as a tag (`{{{`, `{{%`, `{{#`), then turns
/// value markers into `xccdf_value()` calls: the file renders back to
/// `text` with the markers as the compiler's placeholders.
pub fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let b = text.as_bytes();
    let mut i = 0;
    let mut last = 0;
    while i + 1 < b.len() {
        if &b[i..i + 2] == b"{{" && matches!(b.get(i + 2), Some(b'{' | b'%' | b'#')) {
            out.push_str(&text[last..i]);
            out.push_str("{{{ '{{' }}}");
            i += 2;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    if !out.contains(MARK_OPEN) {
        return out;
    }
    let mut res = String::with_capacity(out.len() + 64);
    let mut rest = out.as_str();
    while let Some(s) = rest.find(MARK_OPEN) {
        res.push_str(&rest[..s]);
        let after = &rest[s + 1..];
        let e = after.find(MARK_CLOSE).unwrap_or(after.len());
        res.push_str(&format!("{{{{{{ xccdf_value(\"{}\") }}}}}}", &after[..e]));
        rest = after.get(e + 1..).unwrap_or("");
    }
    res.push_str(rest);
    res
}

/// The mixed content of an XCCDF prose element as source XHTML. `value`
/// maps a `<sub>` idref to a Value's short id; elements that are neither
/// XHTML nor `<sub>` keep their text and are counted in `dropped`.
pub fn prose(el: &Element, value: &dyn Fn(&str) -> Option<String>, dropped: &mut usize) -> String {
    let mut out = String::new();
    prose_into(el, value, dropped, &mut out);
    out
}

fn prose_into(el: &Element, value: &dyn Fn(&str) -> Option<String>, dropped: &mut usize, out: &mut String) {
    for c in &el.children {
        match c {
            Node::Text(t) | Node::CData(t) => out.push_str(&escape_text(t)),
            Node::Comment(_) => {}
            Node::Element(e) if e.name == "xccdf:sub" => match e.attr("idref").and_then(value) {
                Some(v) => out.push_str(&value_mark(&v)),
                None => *dropped += 1,
            },
            Node::Element(e) if e.name.starts_with("html:") => {
                let local = &e.name[5..];
                out.push('<');
                out.push_str(local);
                for (k, v) in &e.attrs {
                    out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
                }
                if e.children.is_empty() {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    prose_into(e, value, dropped, out);
                    out.push_str(&format!("</{local}>"));
                }
            }
            Node::Element(e) => {
                *dropped += 1;
                prose_into(e, value, dropped, out);
            }
        }
    }
}

/// Plain text of an element with `<sub>` as value markers (fix scripts).
pub fn script(el: &Element, value: &dyn Fn(&str) -> Option<String>, dropped: &mut usize) -> String {
    let mut out = String::new();
    for c in &el.children {
        match c {
            Node::Text(t) | Node::CData(t) => out.push_str(t),
            Node::Element(e) if e.name == "xccdf:sub" => match e.attr("idref").and_then(value) {
                Some(v) => out.push_str(&value_mark(&v)),
                None => *dropped += 1,
            },
            Node::Element(e) => {
                *dropped += 1;
                out.push_str(&e.text());
            }
            Node::Comment(_) => {}
        }
    }
    out
}

/// A YAML builder writing keys in the order given.
#[derive(Default)]
pub struct Yaml {
    pub out: String,
}

impl Yaml {
    /// `key: value` at `indent` spaces.
    pub fn scalar(&mut self, indent: usize, key: &str, value: &str) {
        self.key(indent, key);
        self.value(indent, value);
    }

    /// `key:` opening a nested mapping or list.
    pub fn open(&mut self, indent: usize, key: &str) {
        self.key(indent, key);
        self.out.push('\n');
    }

    /// `- value` at `indent`.
    pub fn item(&mut self, indent: usize, value: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push('-');
        self.value(indent, value);
    }

    /// `- key: value` at `indent` (a one-key mapping in a list).
    pub fn map_item(&mut self, indent: usize, key: &str, value: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str("- ");
        self.key(0, key);
        self.value(indent + 2, value);
    }

    fn key(&mut self, indent: usize, key: &str) {
        self.out.push_str(&" ".repeat(indent));
        self.out.push_str(&quote(key));
        self.out.push(':');
    }

    fn value(&mut self, indent: usize, value: &str) {
        if block_ok(value) {
            let chomp = match value.len() - value.trim_end_matches('\n').len() {
                0 => "-",
                1 => "",
                _ => "+",
            };
            self.out.push_str(&format!(" |{chomp}\n"));
            let body = value.strip_suffix('\n').unwrap_or(value);
            for line in body.split('\n') {
                if !line.is_empty() {
                    self.out.push_str(&" ".repeat(indent + 2));
                    self.out.push_str(line);
                }
                self.out.push('\n');
            }
        } else {
            self.out.push(' ');
            self.out.push_str(&quote(value));
            self.out.push('\n');
        }
    }
}

/// A scalar that reads back as `s`: plain when it is a simple word, else
/// double-quoted with escapes (value markers stay raw until [`finish`]).
pub fn quote(s: &str) -> String {
    let simple = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "y" | "n"
        );
    if simple {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            MARK_OPEN | MARK_CLOSE => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Whether a literal block scalar gives `s` back exactly.
fn block_ok(s: &str) -> bool {
    if !s.contains('\n') {
        return false;
    }
    let first = s.split('\n').next().unwrap_or("");
    if first.is_empty() || first.starts_with([' ', '\t']) {
        return false;
    }
    s.chars().all(|c| {
        matches!(c, '\n' | '\t' | MARK_OPEN | MARK_CLOSE)
            || !((c as u32) < 0x20 || c == '\u{7f}' || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jinja_tags_are_escaped() {
        assert_eq!(finish("a {{{ b {{ c }} {{% d"), "a {{{ '{{' }}}{ b {{ c }} {{{ '{{' }}}% d");
        assert_eq!(finish(&format!("x {} y", value_mark("v"))), "x {{{ xccdf_value(\"v\") }}} y");
    }

    #[test]
    fn yaml_styles() {
        let mut y = Yaml::default();
        y.scalar(0, "a", "one\ntwo\n");
        y.scalar(0, "b", "  lead\nx");
        y.scalar(0, "c", "yes");
        assert_eq!(y.out, "a: |\n  one\n  two\nb: \"  lead\\nx\"\nc: \"yes\"\n");
    }
}
