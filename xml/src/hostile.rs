//! The rules every scapc XML reader applies to hostile input, written once:
//! the prolog check (document type declarations) and the bound on element
//! nesting.
//!
//! - A document type declaration may only name the root element: an
//!   external subset (`SYSTEM`/`PUBLIC`) is never loaded, and an internal
//!   subset may hold only comments and processing instructions. Entity
//!   declarations are refused (entity expansion and external entities are
//!   an attack vector), and so are `ATTLIST`, `ELEMENT` and `NOTATION`
//!   declarations: scapc applies no DTD, so a declared attribute default
//!   would make scapc read a document differently from a validating tool.
//! - Elements nest at most [`MAX_DEPTH`] levels. Readers count the depth
//!   themselves (a `usize`), never through quick-xml's internal `u16`
//!   counter, which wraps beyond 65,535 levels.

/// The deepest element nesting any reader accepts. SCAP content nests a
/// few dozen levels; SSG's deepest data stream stays under 30.
pub const MAX_DEPTH: usize = 10_000;

/// The error every reader gives for a document nested deeper than
/// [`MAX_DEPTH`], at the start tag that goes one level too deep.
pub fn too_deep(line: u32, col: u32) -> String {
    format!(
        "element nesting deeper than {MAX_DEPTH} levels at line {line}, column {col}; scapc refuses such documents (no SCAP document nests that deep)"
    )
}

/// Checks the body of a `<!DOCTYPE ...>` declaration: the bytes after
/// `<!DOCTYPE` up to (not including) the final `>`, as quick-xml's
/// `Event::DocType` gives them. `Err` says what is refused and why.
pub fn check_doctype(body: &[u8]) -> Result<(), &'static str> {
    let s = String::from_utf8_lossy(body);
    let s = s.trim_start();
    // The root element name.
    let name_end = s.find(|c: char| c.is_whitespace() || c == '[').unwrap_or(s.len());
    let rest = s[name_end..].trim_start();
    if rest.starts_with("SYSTEM") || rest.starts_with("PUBLIC") {
        return Err("the document type declaration names an external subset (SYSTEM or PUBLIC); scapc refuses external DTDs and entities (no network or file access while reading): remove the DOCTYPE");
    }
    let Some(subset) = rest.strip_prefix('[') else {
        return if rest.is_empty() {
            Ok(())
        } else {
            Err("the document type declaration is malformed; scapc refuses it: remove the DOCTYPE")
        };
    };
    let subset = subset.rsplit_once(']').map(|(a, _)| a).unwrap_or(subset);
    let mut i = 0;
    let b = subset.as_bytes();
    while i < b.len() {
        let rest = &subset[i..];
        if b[i].is_ascii_whitespace() {
            i += 1;
        } else if rest.starts_with("<!--") {
            i += rest.find("-->").map(|k| k + 3).unwrap_or(rest.len());
        } else if rest.starts_with("<?") {
            i += rest.find("?>").map(|k| k + 2).unwrap_or(rest.len());
        } else if rest.starts_with("<!ENTITY") || rest.starts_with('%') {
            return Err("the document type declaration declares entities; scapc refuses entity declarations (entity expansion and external entities are an attack vector, and SCAP documents never need them): remove the DOCTYPE");
        } else {
            return Err("the document type declaration has an internal subset with declarations (ATTLIST, ELEMENT, NOTATION); scapc refuses DTD declarations, which would change the document's content without being applied: remove the DOCTYPE");
        }
    }
    Ok(())
}

/// Checks the prolog of a whole document (everything before the root
/// element) with [`check_doctype`], without reading further. `Err` gives
/// the byte offset of the declaration and the reason. Not well-formed
/// input is left to the reader that follows.
pub fn check_prolog(text: &str) -> Result<(), (usize, &'static str)> {
    let mut r = quick_xml::Reader::from_str(text);
    loop {
        let pos = r.buffer_position() as usize;
        match r.read_event() {
            Ok(quick_xml::events::Event::DocType(d)) => check_doctype(d.as_ref()).map_err(|m| (pos, m))?,
            Ok(quick_xml::events::Event::Start(_) | quick_xml::events::Event::Empty(_))
            | Ok(quick_xml::events::Event::Eof)
            | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doctype_rules() {
        assert!(check_doctype(b" html").is_ok());
        assert!(check_doctype(b" x []").is_ok());
        assert!(check_doctype(b" x [ <!-- a comment --> <?pi x?> ]").is_ok());
        assert!(check_doctype(b" x [<!ENTITY a \"b\">]").unwrap_err().contains("declares entities"));
        assert!(check_doctype(b" x [<!ENTITY % p SYSTEM \"f\"> %p;]").unwrap_err().contains("entities"));
        assert!(check_doctype(b" x SYSTEM \"file:///etc/passwd\"").unwrap_err().contains("external subset"));
        assert!(check_doctype(b" x PUBLIC \"-//x\" \"http://x/y.dtd\"").unwrap_err().contains("external subset"));
        assert!(check_doctype(b" x [<!ATTLIST x a CDATA \"v\">]").unwrap_err().contains("ATTLIST"));
        assert!(check_doctype(b" x [<!ELEMENT x ANY>]").unwrap_err().contains("refuses"));
    }

    #[test]
    fn prolog_is_checked_up_to_the_root_only() {
        assert!(check_prolog("<?xml version=\"1.0\"?><a/>").is_ok());
        let e = check_prolog("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]><a/>").unwrap_err();
        assert_eq!(e.0, 22);
        assert!(check_prolog("<a><![CDATA[<!DOCTYPE a SYSTEM \"x\">]]></a>").is_ok());
    }

    #[test]
    fn depth_message_names_the_place() {
        assert_eq!(
            too_deep(3, 7).split(';').next().unwrap(),
            "element nesting deeper than 10000 levels at line 3, column 7"
        );
    }
}
