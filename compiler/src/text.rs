//! Text conversions for emitters: XHTML prose, fix scripts with `<sub>`
//! placeholders, and reproducible timestamps.

use crate::jinja::{SUB_CLOSE, SUB_OPEN};
use scapc_xml::{escape_text, Element, Node};

/// Turns an author's prose (text with a few XHTML tags) into XCCDF mixed
/// content: tags get the `html:` prefix (`tt` becomes `code`), `xccdf_value()` markers become
/// `<xccdf-1.2:sub>`. Errors say why the text is not well-formed.
pub fn xhtml(text: &str, value_idref: &dyn Fn(&str) -> String) -> Result<String, String> {
    if !text.contains(['<', '&', '\u{1}']) {
        return Ok(escape_text(text).into_owned());
    }
    if let Some(msg) = bare_markup_char(text) {
        return Err(msg);
    }
    let wrapped = format!("<x>{text}</x>");
    let mut root = scapc_xml::parse(&wrapped).map_err(|e| {
        // The wrapper adds 3 characters on line 1.
        let col = if e.line == 1 { e.col.saturating_sub(3) } else { e.col };
        format!("line {} column {} of the text: {}", e.line, col.max(1), e.message)
    })?;
    for c in root.children.iter_mut() {
        if let Node::Element(e) = c {
            e.walk_mut(&mut |el| {
                // `<tt>` (obsolete in HTML5) is written `<code>`, as
                // ComplianceAsCode's build writes it.
                // `<sub idref="v"/>` (what CaC's `xccdf_value` macro
                // writes) is XCCDF's `<sub>` of Value `v`, not XHTML's
                // subscript.
                if el.name == "sub" && el.attrs.iter().any(|(k, _)| k == "idref") {
                    el.name = "xccdf-1.2:sub".to_owned();
                    for (k, v) in el.attrs.iter_mut() {
                        if k == "idref" {
                            *v = value_idref(v);
                        }
                    }
                    if !el.attrs.iter().any(|(k, _)| k == "use") {
                        el.attrs.push(("use".to_owned(), "legacy".to_owned()));
                    }
                } else if el.name == "tt" {
                    el.name = "html:code".to_owned();
                } else if !el.name.contains(':') {
                    el.name = format!("html:{}", el.name);
                }
            });
        }
    }
    Ok(with_subs(&root_inner(&root), value_idref))
}

/// Finds a `<` that does not start a tag or a `&` that does not start an
/// entity, the usual slip in prose, and says where it is.
fn bare_markup_char(text: &str) -> Option<String> {
    let b = text.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let next = b.get(i + 1).copied().unwrap_or(b' ');
        let bad = match c {
            b'<' => !(next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?')),
            b'&' => {
                let rest = &text[i + 1..];
                let end = rest.find(';');
                !matches!(end, Some(n) if n > 0 && rest[..n].chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '#'))
            }
            _ => false,
        };
        if bad {
            let (line, col) = scapc_xml::line_col(text, i);
            let what = if c == b'<' {
                "`<` that starts no tag; write `&lt;`"
            } else {
                "`&` that starts no entity; write `&amp;`"
            };
            return Some(format!("line {line} column {col} of the text: a bare {what}"));
        }
    }
    None
}

fn root_inner(root: &Element) -> String {
    root.inner_xml()
}

/// Escapes plain text (a fix script, a clause) and turns `xccdf_value()`
/// markers into `<xccdf-1.2:sub>`.
pub fn text_with_subs(text: &str, value_idref: &dyn Fn(&str) -> String) -> String {
    with_subs(&escape_text(text), value_idref)
}

fn with_subs(escaped: &str, value_idref: &dyn Fn(&str) -> String) -> String {
    if !escaped.contains(SUB_OPEN) {
        return escaped.to_owned();
    }
    let mut out = String::with_capacity(escaped.len() + 64);
    let mut rest = escaped;
    while let Some(i) = rest.find(SUB_OPEN) {
        out.push_str(&rest[..i]);
        let after = &rest[i + SUB_OPEN.len()..];
        let end = after.find(SUB_CLOSE).unwrap_or(after.len());
        let id = &after[..end];
        out.push_str(&format!("<xccdf-1.2:sub idref=\"{}\" use=\"legacy\"/>", value_idref(id)));
        rest = after.get(end + SUB_CLOSE.len()..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Value ids named by `xccdf_value()` markers in a text.
pub fn sub_ids(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(SUB_OPEN) {
        let after = &rest[i + SUB_OPEN.len()..];
        let end = after.find(SUB_CLOSE).unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = after.get(end + SUB_CLOSE.len()..).unwrap_or("");
    }
    out
}

/// Removes markup from prose, for places that want plain text (OVAL
/// metadata, OCIL question text).
pub fn plain(text: &str) -> String {
    let wrapped = format!("<x>{text}</x>");
    match scapc_xml::parse(&wrapped) {
        Ok(root) => {
            let mut s = String::new();
            collect_text(&root, &mut s);
            s
        }
        Err(_) => text.to_owned(),
    }
}

fn collect_text(e: &Element, out: &mut String) {
    for c in &e.children {
        match c {
            Node::Text(t) | Node::CData(t) => out.push_str(t),
            Node::Element(e) => collect_text(e, out),
            Node::Comment(_) => {}
        }
    }
}

pub use scapc_datastream::compose::iso_datetime;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00");
        assert_eq!(iso_datetime(1_700_000_000), "2023-11-14T22:13:20");
        assert_eq!(iso_datetime(951_782_400), "2000-02-29T00:00:00");
    }

    #[test]
    fn xhtml_prefixes_and_subs() {
        let f = |id: &str| format!("xccdf_x_value_{id}");
        let s = xhtml(&format!("Set <tt>a &amp; b</tt> to {SUB_OPEN}v{SUB_CLOSE}.<br/>"), &f).unwrap();
        assert_eq!(
            s,
            "Set <html:code>a &amp; b</html:code> to <xccdf-1.2:sub idref=\"xccdf_x_value_v\" use=\"legacy\"/>.<html:br/>"
        );
        let s = xhtml("Set <tt>x</tt> to <sub idref=\"var_v\" />, H<sub>2</sub>O.", &f).unwrap();
        assert_eq!(
            s,
            "Set <html:code>x</html:code> to <xccdf-1.2:sub idref=\"xccdf_x_value_var_v\" use=\"legacy\"/>, H<html:sub>2</html:sub>O."
        );
        let e = xhtml("a <b>bold", &f).unwrap_err();
        assert!(e.contains("</b>"), "{e}");
        assert!(xhtml("1 < 2", &f).unwrap_err().contains("line 1"));
        assert_eq!(text_with_subs("x=<y>", &f), "x=&lt;y&gt;");
        assert_eq!(plain("a <tt>b</tt>"), "a b");
    }
}
