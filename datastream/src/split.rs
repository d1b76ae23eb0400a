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

/// The component's XML with inherited namespace declarations added to its
/// root start tag ([`scapc_xml::ns::with_inherited`], prefixes the
/// component never uses left out).
pub fn component_xml(c: &Collection<'_>, comp: &ComponentSpan) -> String {
    const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let body = c.content(comp);
    // One copy of the component: declared namespaces are a few hundred bytes.
    let mut out = String::with_capacity(DECL.len() + body.len() + 1024);
    out.push_str(DECL);
    scapc_xml::ns::with_inherited_into(&mut out, body, &comp.in_scope, true);
    out.push('\n');
    out
}

pub use scapc_xml::ns::prefixes_in_markup;

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
