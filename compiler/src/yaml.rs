//! YAML with positions. Every node carries the line and column it starts
//! at, so that every diagnostic about a key or value can point at it.
//!
//! Parsing uses yaml-rust2's event parser and builds our own tree. Aliases
//! are expanded with a budget, so a "billion laughs" YAML file is an error.

use scapc_diagnostics::Pos;
use std::collections::HashMap;
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Upper bound on nodes produced by alias expansion in one document.
const ALIAS_BUDGET: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// Human name of the node's type, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Null => "nothing",
            Value::Scalar { text, plain } => {
                if *plain && parse_bool(text).is_some() {
                    "a boolean"
                } else if *plain && text.parse::<i64>().is_ok() {
                    "an integer"
                } else if *plain && text.parse::<f64>().is_ok() {
                    "a number"
                } else {
                    "a string"
                }
            }
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => parse_bool(text),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => text.parse().ok(),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// Looks a key up in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// Converts to a JSON-like minijinja-friendly value (used to expose YAML
    /// product keys to Jinja).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Scalar { text, plain } => {
                if *plain {
                    if let Some(b) = parse_bool(text) {
                        return serde_json::Value::Bool(b);
                    }
                    if let Ok(i) = text.parse::<i64>() {
                        return serde_json::Value::from(i);
                    }
                }
                serde_json::Value::String(text.clone())
            }
            Value::Seq(v) => serde_json::Value::Array(v.iter().map(Node::to_json).collect()),
            Value::Map(v) => serde_json::Value::Object(
                v.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), v.to_json())).collect(),
            ),
        }
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn is_null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// Parses one YAML document. An empty document is `Null`. Duplicate keys in
/// a mapping are errors.
pub fn parse(src: &str) -> Result<Node, YamlError> {
    parse_with(src, Duplicates::Error)
}

/// Parses one YAML document as PyYAML (CaC's reader) does: a key repeated in
/// a mapping is no error, its later value replaces the earlier one in the
/// earlier one's place (a Python dict). For text CaC's build reads and
/// writes back, such as Ansible fixes; our own sources use [`parse`].
pub fn parse_pyyaml(src: &str) -> Result<Node, YamlError> {
    parse_with(src, Duplicates::LastWins)
}

/// What a key repeated in one mapping means.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Duplicates {
    Error,
    LastWins,
}

fn parse_with(src: &str, dups: Duplicates) -> Result<Node, YamlError> {
    // PyYAML, which CaC's build uses, accepts a continuation line of a
    // quoted scalar indented less than its mapping (`title: 'a\nb'` with
    // `b` at the margin); yaml-rust2 does not. Leading blanks of such a
    // line are folded away, so indenting it changes no value: do that and
    // parse again (bounded; positions keep their lines).
    let mut text = std::borrow::Cow::Borrowed(src);
    for _ in 0..256 {
        match parse_once(&text, dups) {
            Err(e) if e.message.contains("invalid indentation in quoted scalar") => {
                // yaml-rust2 may point at the scalar's opening quote: then
                // indent every line of the scalar at once.
                if let Some(t) = indent_quoted(&text, e.pos.line as usize, e.pos.col as usize) {
                    text = std::borrow::Cow::Owned(t);
                    continue;
                }
                // Or it points at the end of the line before the
                // under-indented one (1-based), i.e. at index `line - 1`.
                let lines: Vec<&str> = text.split('\n').collect();
                let line = (e.pos.line as usize + 1..=lines.len())
                    .find(|&i| !lines[i - 1].trim().is_empty())
                    .ok_or_else(|| e.clone())?;
                let l = lines[line - 1];
                let indent = l.len() - l.trim_start().len();
                let prev = lines[..line - 1].iter().rev().find(|x| !x.trim().is_empty());
                let want = prev.map(|p| p.len() - p.trim_start().len()).unwrap_or(0) + 8;
                if indent >= want {
                    return Err(e);
                }
                let mut out = String::with_capacity(text.len() + want);
                for (i, x) in lines.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    if i == line - 1 {
                        out.push_str(&" ".repeat(want - indent));
                    }
                    out.push_str(x);
                }
                text = std::borrow::Cow::Owned(out);
            }
            other => return other,
        }
    }
    parse_once(&text, dups)
}

/// When the quoted scalar opening at `line`:`col` (1-based; the quote
/// character) has continuation lines indented no deeper than that
/// line, returns the text with those lines indented (which changes no
/// value: a flow scalar's line breaks fold and leading blanks go). `None`
/// when there is no quote there or nothing to indent.
fn indent_quoted(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let first = *lines.get(line.checked_sub(1)?)?;
    let (start, q) = first.char_indices().nth(col.checked_sub(1)?)?;
    if q != '\'' && q != '"' {
        return None;
    }
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let want = indent(first) + 8;
    // Find the line holding the closing quote.
    let mut last = None;
    'lines: for (i, l) in lines.iter().enumerate().skip(line - 1) {
        let from = if i == line - 1 { start + 1 } else { 0 };
        let mut chars = l[from..].chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if q == '"' => {
                    chars.next();
                }
                '\'' if q == '\'' => {
                    if chars.peek() == Some(&'\'') {
                        chars.next();
                    } else {
                        last = Some(i);
                        break 'lines;
                    }
                }
                '"' if q == '"' => {
                    last = Some(i);
                    break 'lines;
                }
                _ => {}
            }
        }
    }
    let last = last?;
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 64);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if i >= line && i <= last && !l.trim().is_empty() && indent(l) < want {
            out.push_str(&" ".repeat(want - indent(l)));
            changed = true;
        }
        out.push_str(l);
    }
    changed.then_some(out)
}

fn parse_once(src: &str, dups: Duplicates) -> Result<Node, YamlError> {
    let mut parser = Parser::new_from_str(src);
    let mut builder = Builder { anchors: HashMap::new(), budget: ALIAS_BUDGET };
    let mut stack: Vec<(Node, Option<Node>, usize)> = Vec::new(); // (container, pending map key, anchor)
    let mut root: Option<Node> = None;
    let mut docs = 0;
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| YamlError {
            pos: Pos::new(e.marker().line() as u32, e.marker().col() as u32 + 1),
            message: e.info().to_owned(),
        })?;
        let pos = Pos::new(mark.line() as u32, mark.col() as u32 + 1);
        let node = match ev {
            Event::StreamEnd => break,
            Event::DocumentStart => {
                docs += 1;
                if docs > 1 {
                    return Err(YamlError { pos, message: "more than one YAML document in this file".into() });
                }
                continue;
            }
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::Scalar(text, style, anchor, _tag) => {
                let plain = style == TScalarStyle::Plain;
                let n = if plain && is_null(&text) {
                    Node { value: Value::Null, pos }
                } else {
                    Node { value: Value::Scalar { text, plain }, pos }
                };
                if anchor > 0 {
                    builder.anchors.insert(anchor, n.clone());
                }
                n
            }
            Event::Alias(id) => {
                let n = builder
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| YamlError { pos, message: "alias refers to an unknown anchor".into() })?;
                let size = count(&n);
                if size > builder.budget {
                    return Err(YamlError {
                        pos,
                        message: "alias expansion is too large (a YAML \"billion laughs\"?)".into(),
                    });
                }
                builder.budget -= size;
                Node { value: n.value, pos }
            }
            Event::SequenceStart(anchor, _) => {
                stack.push((Node { value: Value::Seq(Vec::new()), pos }, None, anchor));
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push((Node { value: Value::Map(Vec::new()), pos }, None, anchor));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (n, _, anchor) = stack.pop().expect("balanced events");
                if anchor > 0 {
                    builder.anchors.insert(anchor, n.clone());
                }
                n
            }
        };
        // Attach `node` to its parent.
        match stack.last_mut() {
            None => root = Some(node),
            Some((parent, pending, _)) => match &mut parent.value {
                Value::Seq(items) => items.push(node),
                Value::Map(entries) => match pending.take() {
                    None => {
                        *pending = Some(node);
                    }
                    Some(key) => {
                        if let Some(k) = key.as_str() {
                            if let Some(i) = entries.iter().position(|(e, _)| e.as_str() == Some(k)) {
                                if dups == Duplicates::LastWins {
                                    entries[i].1 = node;
                                    continue;
                                }
                                let first = &entries[i].0;
                                return Err(YamlError {
                                    pos: key.pos,
                                    message: format!("duplicate key `{k}` (first defined at line {})", first.pos.line),
                                });
                            }
                        }
                        entries.push((key, node));
                    }
                },
                _ => unreachable!("only containers are on the stack"),
            },
        }
    }
    Ok(root.unwrap_or(Node { value: Value::Null, pos: Pos::new(1, 1) }))
}

struct Builder {
    anchors: HashMap<usize, Node>,
    budget: usize,
}

fn count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(v) => 1 + v.iter().map(count).sum::<usize>(),
        Value::Map(v) => 1 + v.iter().map(|(k, v)| count(k) + count(v)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_scalar_continuation_at_the_margin_is_read_as_pyyaml_does() {
        let n = parse("c:\n    - t: 'a b\n    c d.'\n      x: 1\n").unwrap();
        let item = &n.as_map().unwrap()[0].1.as_seq().unwrap()[0];
        let m = item.as_map().unwrap();
        assert_eq!(m[0].1.as_str(), Some("a b c d."));
        assert_eq!(m[1].1.as_str(), Some("1"));
    }

    #[test]
    fn quoted_scalars_spanning_lines_at_the_margin_are_read_as_pyyaml_does() {
        // What a CaC macro leaves in a rule.yml: several lines at the margin,
        // blank lines, a closing quote on a line at the margin.
        let n = parse("a: 1\nfixtext: '\nChange it:\n\n$ sudo chown root /x'\n\nb: 2\n").unwrap();
        assert_eq!(n.get("fixtext").unwrap().as_str(), Some(" Change it:\n$ sudo chown root /x"));
        assert_eq!(n.get("b").unwrap().as_str(), Some("2"));
        let n = parse("c:\n    -   id: x\n        title: 'A must\n        do\n        it.'\n        levels: [h]\n")
            .unwrap();
        let item = &n.get("c").unwrap().as_seq().unwrap()[0];
        assert_eq!(item.get("title").unwrap().as_str(), Some("A must do it."));
        let n = parse("d: \"x \\\" y\nz\"\ne: 1\n").unwrap();
        assert_eq!(n.get("d").unwrap().as_str(), Some("x \" y z"));
    }

    #[test]
    fn positions_and_types() {
        let n = parse("title: Hello\nseverity: high\nlist:\n  - a\n  - 'b'\nflag: true\nnum: 3\nempty:\n").unwrap();
        let t = n.get("title").unwrap();
        assert_eq!(t.as_str(), Some("Hello"));
        assert_eq!((t.pos.line, t.pos.col), (1, 8));
        let l = n.get("list").unwrap().as_seq().unwrap();
        assert_eq!(l[1].as_str(), Some("b"));
        assert_eq!(l[1].pos.line, 5);
        assert_eq!(n.get("flag").unwrap().as_bool(), Some(true));
        assert_eq!(n.get("num").unwrap().as_i64(), Some(3));
        assert!(n.get("empty").unwrap().is_null());
        let keys: Vec<_> = n.as_map().unwrap().iter().map(|(k, _)| (k.pos.line, k.pos.col)).collect();
        assert_eq!(keys[0], (1, 1));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
        let e = parse("a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.pos.line, 2);
        assert!(e.message.contains("duplicate key `a`"));
    }

    #[test]
    fn pyyaml_reading_keeps_the_last_value_in_the_first_place() {
        let n = parse_pyyaml("a: 1\nb: 2\na: 3\n").unwrap();
        let Value::Map(m) = &n.value else { panic!("a map") };
        let keys: Vec<_> = m.iter().map(|(k, v)| (k.as_str().unwrap(), v.as_str().unwrap())).collect();
        assert_eq!(keys, [("a", "3"), ("b", "2")]);
        assert!(parse("a: 1\nb: 2\na: 3\n").is_err());
    }

    #[test]
    fn anchors_and_alias_budget() {
        let n = parse("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(n.get("b").unwrap().as_seq().unwrap().len(), 2);
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = (b'a' + i) as char;
            let next = (b'a' + i + 1) as char;
            bomb.push_str(&format!("{next}: &{next} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        let e = parse(&bomb).unwrap_err();
        assert!(e.message.contains("billion laughs"), "{e:?}");
    }
}
