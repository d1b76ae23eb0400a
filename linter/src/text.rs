//! Small helpers over source text: line index, positions, byte spans of
//! YAML scalars on a line, Jinja blocks.

use scapc_diagnostics::{Location, Pos};
use std::path::Path;

/// Byte offsets of line starts.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                starts.push(i + 1);
            }
        }
        Lines { starts }
    }

    /// Line `n` (1-based) without its line break.
    pub fn line<'t>(&self, text: &'t str, n: usize) -> Option<&'t str> {
        let (a, b) = self.span(text, n)?;
        Some(&text[a..b])
    }

    /// Byte span of line `n` (1-based), without the line break.
    pub fn span(&self, text: &str, n: usize) -> Option<(usize, usize)> {
        if n == 0 || n > self.starts.len() {
            return None;
        }
        let a = self.starts[n - 1];
        if a > text.len() || (a == text.len() && n > 1 && n == self.starts.len()) {
            return None;
        }
        let mut b = self.starts.get(n).map(|s| s - 1).unwrap_or(text.len());
        if b > a && text.as_bytes()[b - 1] == b'\r' {
            b -= 1;
        }
        Some((a, b))
    }

    /// Byte span of line `n` including its line break.
    pub fn full_span(&self, text: &str, n: usize) -> Option<(usize, usize)> {
        let (a, _) = self.span(text, n)?;
        Some((a, self.starts.get(n).copied().unwrap_or(text.len())))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let i = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let col = text[self.starts[i]..offset.min(text.len())].chars().count() + 1;
        Pos::new(i as u32 + 1, col as u32)
    }

    /// Byte offset of a 1-based line and character column.
    pub fn offset(&self, text: &str, pos: Pos) -> Option<usize> {
        let (a, b) = self.span(text, pos.line as usize)?;
        let line = &text[a..b];
        let skip = pos.col.saturating_sub(1) as usize;
        let mut it = line.char_indices();
        match it.nth(skip) {
            Some((i, _)) => Some(a + i),
            None if line.chars().count() == skip => Some(b),
            None => None,
        }
    }
}

/// A location at a byte offset of a file.
pub fn loc_at(file: &Path, text: &str, lines: &Lines, offset: usize) -> Location {
    let p = lines.pos(text, offset);
    Location::at(file, p.line, p.col)
}

/// The byte span of the value of `key: value` on a line that holds it, for
/// a plain or quoted single-line scalar: (start, end) of the text between
/// the quotes or of the plain text, and the quote character if any.
pub fn scalar_after_colon(line: &str, from: usize) -> Option<(usize, usize, Option<char>)> {
    let rest = &line[from..];
    let colon = rest.find(": ").or_else(|| rest.strip_suffix(':').map(|s| s.len()))?;
    let mut i = from + colon + 1;
    while line[i..].starts_with(' ') {
        i += 1;
    }
    scalar_at(line, i)
}

/// The span of a scalar starting at byte `i` of a line (see
/// [`scalar_after_colon`]).
pub fn scalar_at(line: &str, i: usize) -> Option<(usize, usize, Option<char>)> {
    let rest = &line[i..];
    let q = rest.chars().next()?;
    if q == '\'' || q == '"' {
        let end = rest[1..].find(q)?;
        return Some((i + 1, i + 1 + end, Some(q)));
    }
    if q == '|' || q == '>' || q == '[' || q == '{' || q == '&' || q == '*' {
        return None;
    }
    // A plain scalar ends at ` #` or the end of the line.
    let end = rest.find(" #").unwrap_or(rest.len());
    let v = rest[..end].trim_end();
    if v.is_empty() {
        return None;
    }
    Some((i, i + v.len(), None))
}

/// Jinja blocks of a source: (byte start of the inner text, inner text),
/// for `{{{ }}}` and `{{% %}}` (not comments).
pub fn jinja_blocks(src: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = src[i..].find("{{") {
        let start = i + k;
        let close = match src[start..].get(2..3) {
            Some("{") => "}}}",
            Some("%") => "%}}",
            Some("#") => {
                i = src[start..].find("#}}").map(|e| start + e + 3).unwrap_or(src.len());
                continue;
            }
            _ => {
                i = start + 2;
                continue;
            }
        };
        let inner = start + 3;
        match src[inner..].find(close) {
            Some(e) => {
                out.push((inner, &src[inner..inner + e]));
                i = inner + e + 3;
            }
            None => break,
        }
    }
    out
}

/// The source with every Jinja construct (`{{{ }}}`, `{{% %}}`, `{{# #}}`)
/// blanked to spaces, line breaks kept: what is left is the raw YAML, at
/// the same lines and columns as in the source. An unclosed construct
/// blanks to the end of the text.
pub fn blank_jinja(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut i = 0;
    while let Some(k) = src[i..].find("{{") {
        let start = i + k;
        let close = match src[start..].get(2..3) {
            Some("{") => "}}}",
            Some("%") => "%}}",
            Some("#") => "#}}",
            _ => {
                out.push_str(&src[i..start + 2]);
                i = start + 2;
                continue;
            }
        };
        out.push_str(&src[i..start]);
        let end = src[start + 3..].find(close).map(|e| start + 3 + e + 3).unwrap_or(src.len());
        out.extend(src[start..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
        i = end;
    }
    out.push_str(&src[i..]);
    out
}

/// Offsets of `word` as a whole identifier in `s`.
pub fn word_offsets(s: &str, word: &str) -> Vec<usize> {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = s[from..].find(word) {
        let i = from + k;
        let before = s[..i].chars().next_back();
        let after = s[i + word.len()..].chars().next();
        if !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident) {
            out.push(i);
        }
        from = i + word.len();
    }
    out
}

/// Placeholder prose that says nothing.
pub fn is_placeholder(s: &str) -> bool {
    let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
    t.is_empty()
        || [
            "todo",
            "tbd",
            "fixme",
            "xxx",
            "n/a",
            "none",
            "placeholder",
            "lorem ipsum",
            "description",
            "rationale",
            "...",
        ]
        .contains(&t.as_str())
        || t.starts_with("todo:")
        || t.starts_with("tbd:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_positions() {
        let t = "a: 1\nbé: x\n\nlast";
        let l = Lines::new(t);
        assert_eq!(l.line(t, 2), Some("bé: x"));
        assert_eq!(l.line(t, 3), Some(""));
        assert_eq!(l.line(t, 4), Some("last"));
        assert_eq!(l.line(t, 5), None);
        let off = l.offset(t, Pos::new(2, 5)).unwrap();
        assert_eq!(&t[off..off + 1], "x");
        assert_eq!(l.pos(t, off), Pos::new(2, 5));
    }

    #[test]
    fn scalars_on_a_line() {
        let line = "  nist: 'AC-6, AC-7' # c";
        let (a, b, q) = scalar_after_colon(line, 0).unwrap();
        assert_eq!((&line[a..b], q), ("AC-6, AC-7", Some('\'')));
        let line = "  cce@x: CCE-1-2  # note";
        let (a, b, q) = scalar_after_colon(line, 0).unwrap();
        assert_eq!((&line[a..b], q), ("CCE-1-2", None));
        assert!(scalar_after_colon("x: |-", 0).is_none());
    }

    #[test]
    fn jinja_blocks_and_words() {
        let s = "a {{{ foo(x) }}} {{# c #}} {{% if bar %}}";
        let b: Vec<&str> = jinja_blocks(s).into_iter().map(|(_, t)| t).collect();
        assert_eq!(b, vec![" foo(x) ", " if bar "]);
        assert_eq!(word_offsets("foo foobar x.foo foo", "foo"), vec![0, 17]);
    }

    #[test]
    fn blanked_jinja_keeps_positions() {
        let s = "a: {{{ x }}}\n{{% if p %}}\nb@q: 1 {{# c\nd #}}\ny: {{x}}\n";
        let b = blank_jinja(s);
        assert_eq!(b, "a:          \n            \nb@q: 1      \n     \ny: {{x}}\n");
        assert_eq!(blank_jinja("a {{% if"), "a       ");
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(" TODO. "));
        assert!(is_placeholder("TBD: later"));
        assert!(!is_placeholder("Root logins cannot be traced to a person."));
    }
}
