//! Splitting a data stream into one file per component, losslessly.
//!
//! Each XML component is written byte for byte as it stands in the data
//! stream, with the namespace declarations it inherited added to its root
//! element. Names follow OpenSCAP: a component reached through a catalog is
//! named by its catalog name, one referenced directly by its component-ref
//! id, an unreferenced one by its own id. SCE scripts (extended components)
//! are written as executable text files.

use crate::read::{Collection, ComponentSpan};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitFile {
    /// Relative file name, e.g. `ssg-rhel8-oval.xml`.
    pub name: String,
    pub component_id: String,
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// The file name of every component (component id -> name).
pub fn names(c: &Collection<'_>) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for s in &c.streams {
        let cref_target: BTreeMap<&str, &str> =
            s.refs.iter().filter_map(|r| r.local_target().map(|t| (r.id.as_str(), t))).collect();
        // Catalog names first: they are what hrefs in other components use.
        for r in &s.refs {
            for (name, uri) in &r.catalog {
                if let Some(target) = uri.strip_prefix('#').and_then(|cref| cref_target.get(cref)) {
                    out.entry((*target).to_owned()).or_insert_with(|| name.clone());
                }
            }
        }
        for r in &s.refs {
            if let Some(t) = r.local_target() {
                out.entry(t.to_owned()).or_insert_with(|| r.id.clone());
            }
        }
    }
    for comp in &c.components {
        out.entry(comp.id.clone()).or_insert_with(|| comp.id.clone());
    }
    out
}

/// Checks that a name is a safe relative path inside the output directory:
/// not absolute, no `.`, `..` or hidden (`.name`) components, and not the
/// manifest's name.
pub fn safe_name(name: &str) -> Result<PathBuf, String> {
    let refuse = |why: String| {
        format!("the component name `{name}` is not a safe relative file name: {why}; refusing to write it")
    };
    scapc_output::check_name(name).map_err(refuse)?;
    if name == crate::manifest::FILE_NAME {
        return Err(refuse(format!("`{name}` is the manifest that split writes")));
    }
    Ok(PathBuf::from(name))
}

fn escape_attr(s: &str) -> String {
    scapc_xml::escape_attr(s).into_owned()
}

/// The component's XML with inherited namespace declarations added to its
/// root start tag.
pub fn component_xml(c: &Collection<'_>, comp: &ComponentSpan) -> String {
    let body = c.content(comp);
    // End of the root element name.
    let name_end =
        body[1..].find(|ch: char| ch.is_whitespace() || ch == '/' || ch == '>').map(|i| i + 1).unwrap_or(body.len());
    let tag_end = start_tag_end(body);
    let start_tag = &body[..tag_end];
    let declared = |p: &str| {
        let needle = if p.is_empty() { "xmlns=".to_owned() } else { format!("xmlns:{p}=") };
        start_tag.contains(&needle)
    };
    let used = prefixes_in_markup(body);
    let mut add = String::new();
    for (p, u) in &comp.in_scope {
        if declared(p) || p == "xml" {
            continue;
        }
        // Prefixes the component never uses in its markup are left out;
        // exclusive canonicalization would drop them anyway.
        if !p.is_empty() && !used.contains(p.as_str()) {
            continue;
        }
        if p.is_empty() {
            add.push_str(&format!(" xmlns=\"{}\"", escape_attr(u)));
        } else {
            add.push_str(&format!(" xmlns:{p}=\"{}\"", escape_attr(u)));
        }
    }
    let mut out = String::with_capacity(body.len() + add.len() + 64);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&body[..name_end]);
    out.push_str(&add);
    out.push_str(&body[name_end..]);
    out.push('\n');
    out
}

/// Every namespace prefix used in markup: element and attribute names,
/// and QName-looking attribute values (`xsi:type="ind:x"`). Text, comments
/// and CDATA are skipped. One pass over the bytes.
pub fn prefixes_in_markup(body: &str) -> std::collections::BTreeSet<&str> {
    let b = body.as_bytes();
    let mut out = std::collections::BTreeSet::new();
    let mut i = 0;
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') || c >= 0x80;
    // Reads `prefix:` at i, if there is one.
    let prefix_at = |i: usize| -> Option<(usize, usize)> {
        let mut j = i;
        while j < b.len() && name_char(b[j]) {
            j += 1;
        }
        (j > i && j < b.len() && b[j] == b':').then_some((i, j))
    };
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        if b[i..].starts_with(b"<!--") {
            i = body[i..].find("-->").map(|k| i + k + 3).unwrap_or(b.len());
            continue;
        }
        if b[i..].starts_with(b"<![CDATA[") {
            i = body[i..].find("]]>").map(|k| i + k + 3).unwrap_or(b.len());
            continue;
        }
        if b[i..].starts_with(b"<?") || b[i..].starts_with(b"<!") {
            i = body[i..].find('>').map(|k| i + k + 1).unwrap_or(b.len());
            continue;
        }
        // A tag: scan to its end, minding quotes.
        i += 1;
        if i < b.len() && b[i] == b'/' {
            i += 1;
        }
        let mut token_start = true;
        let mut quote: Option<u8> = None;
        while i < b.len() {
            let c = b[i];
            match quote {
                Some(q) if c == q => {
                    quote = None;
                    token_start = false;
                }
                Some(_) => {}
                None if c == b'>' => break,
                None if c == b'"' || c == b'\'' => {
                    quote = Some(c);
                    if let Some((s0, e0)) = prefix_at(i + 1) {
                        out.insert(&body[s0..e0]);
                    }
                }
                None if c.is_ascii_whitespace() || c == b'/' => token_start = true,
                None if token_start => {
                    if let Some((s0, e0)) = prefix_at(i) {
                        out.insert(&body[s0..e0]);
                    }
                    token_start = false;
                }
                None => {}
            }
            i += 1;
        }
        i += 1;
    }
    out
}

/// Byte offset just past the root start tag's `>`, minding quoted `>`.
fn start_tag_end(body: &str) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in body.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), x) if x == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    body.len()
}

/// The text of an extended component (an SCE script).
fn extended_text(c: &Collection<'_>, comp: &ComponentSpan) -> Result<String, String> {
    let el =
        scapc_xml::parse(c.content(comp)).map_err(|e| format!("extended component `{}`: {}", comp.id, e.message))?;
    Ok(el.text())
}

/// What `split` will write: (file name, component), checked for safe,
/// distinct names. `only` restricts it to one component id.
pub fn plan<'c>(c: &'c Collection<'_>, only: Option<&str>) -> Result<Vec<(String, &'c ComponentSpan)>, String> {
    let names = names(c);
    if let Some(id) = only {
        if c.component(id).is_none() {
            let known: Vec<&str> = c.components.iter().map(|x| x.id.as_str()).collect();
            return Err(format!("no component `{id}` in this data stream; its components are: {}", known.join(", ")));
        }
    }
    let mut out = Vec::new();
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    for comp in c.components.iter().filter(|comp| only.is_none_or(|id| id == comp.id)) {
        let name = names[&comp.id].clone();
        safe_name(&name).map_err(|e| format!("component `{}`: {e}", comp.id))?;
        if let Some(other) = used.insert(name.clone(), comp.id.clone()) {
            return Err(format!("components `{other}` and `{}` would both be written to `{name}`", comp.id));
        }
        out.push((name, comp));
    }
    Ok(out)
}

/// The bytes of one planned file.
pub fn render(c: &Collection<'_>, name: &str, comp: &ComponentSpan) -> Result<SplitFile, String> {
    let (bytes, executable) = if comp.extended {
        (extended_text(c, comp)?.into_bytes(), true)
    } else {
        (component_xml(c, comp).into_bytes(), false)
    };
    Ok(SplitFile { name: name.to_owned(), component_id: comp.id.clone(), bytes, executable })
}

/// Everything `split` would write, in memory. `only` restricts it to one
/// component id.
pub fn split(c: &Collection<'_>, only: Option<&str>) -> Result<Vec<SplitFile>, String> {
    plan(c, only)?.into_iter().map(|(name, comp)| render(c, &name, comp)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read;

    const DS: &str = r##"<ds:data-stream-collection xmlns:ds="http://scap.nist.gov/schema/scap/source/1.2" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:cat="urn:oasis:names:tc:entity:xmlns:xml:catalog" xmlns:x="urn:x" xmlns:unused="urn:u" id="c1">
  <ds:data-stream id="d1" scap-version="1.3" use-case="OTHER" timestamp="t">
    <ds:checklists>
      <ds:component-ref id="cref_x.xml" xlink:href="#comp1"><cat:catalog><cat:uri name="o.xml" uri="#cref_o"/><cat:uri name="a/b.sh" uri="#cref_s"/></cat:catalog></ds:component-ref>
    </ds:checklists>
    <ds:checks><ds:component-ref id="cref_o" xlink:href="#comp2"/><ds:component-ref id="cref_s" xlink:href="#e1"/></ds:checks>
  </ds:data-stream>
  <ds:component id="comp1" timestamp="t"><x:a   attr='1>2'><x:b/></x:a></ds:component>
  <ds:component id="comp2" timestamp="t"><o xmlns="urn:o">text &amp; more</o></ds:component>
  <ds:extended-component id="e1" timestamp="t"><sce:script xmlns:sce="urn:sce">echo a &amp;&amp; b</sce:script></ds:extended-component>
  <ds:component id="orphan" timestamp="t"><x:z/></ds:component>
</ds:data-stream-collection>"##;

    #[test]
    fn names_like_openscap() {
        let c = read(DS).unwrap();
        let n = names(&c);
        assert_eq!(n["comp1"], "cref_x.xml");
        assert_eq!(n["comp2"], "o.xml");
        assert_eq!(n["e1"], "a/b.sh");
        assert_eq!(n["orphan"], "orphan");
    }

    #[test]
    fn content_is_kept_and_namespaces_declared() {
        let c = read(DS).unwrap();
        let files = split(&c, None).unwrap();
        let f =
            |id: &str| String::from_utf8(files.iter().find(|f| f.component_id == id).unwrap().bytes.clone()).unwrap();
        assert_eq!(
            f("comp1"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:a xmlns:x=\"urn:x\"   attr='1>2'><x:b/></x:a>\n"
        );
        assert_eq!(f("comp2"), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<o xmlns=\"urn:o\">text &amp; more</o>\n");
        assert_eq!(f("e1"), "echo a && b");
        assert!(files.iter().find(|x| x.component_id == "e1").unwrap().executable);
        assert_eq!(split(&c, Some("comp2")).unwrap().len(), 1);
        assert!(split(&c, Some("nope")).unwrap_err().contains("no component `nope`"));
    }

    #[test]
    fn prefix_scan_ignores_text() {
        let u = prefixes_in_markup(r#"<a:r b:x="1" xsi:type='ind:t'>ids: c:d <!-- e:f --><![CDATA[g:h]]><k:z/></a:r>"#);
        let v: Vec<&str> = u.into_iter().collect();
        assert_eq!(v, vec!["a", "b", "ind", "k", "xsi"]);
    }

    #[test]
    fn refuses_path_traversal() {
        let evil = DS.replace("name=\"a/b.sh\"", "name=\"../../etc/x\"");
        let c = read(&evil).unwrap();
        assert!(split(&c, None).unwrap_err().contains("not a safe relative file name"));
        assert!(safe_name("/etc/passwd").is_err());
        assert!(safe_name("a/./b").is_err());
        for hidden in [".bashrc", ".ssh/authorized_keys", "a/.b/c.xml"] {
            let e =
                split(&read(&DS.replace("name=\"a/b.sh\"", &format!("name=\"{hidden}\""))).unwrap(), None).unwrap_err();
            assert!(e.contains("component `e1`") && e.contains(hidden) && e.contains("hidden"), "{e}");
        }
        let e = split(&read(&DS.replace("name=\"a/b.sh\"", "name=\"scapc-manifest.yml\"")).unwrap(), None).unwrap_err();
        assert!(e.contains("the manifest"), "{e}");
    }
}
