//! OVAL-only evaluation (`scapc eval DEFS.xml`, as `oscap oval eval`): an
//! OVAL definitions document, plain or compressed (gzip, bzip2: vendor
//! feeds come so), with an optional OVAL variables document for its
//! external variables; every definition, or the chosen ones, evaluated in
//! parallel; the OVAL results document (with system characteristics) and a
//! per-definition summary.

use super::engine::{DefResult, Engine, EngineOptions};
use super::model::OvalDoc;
use super::types::Res;
use crate::probes::Cache;
use crate::target::Target;
use scapc_xml::tree::Tree;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::model::NS_DEF;
const NS_VAR: &str = "http://oval.mitre.org/XMLSchema/oval-variables-5";

/// The most bytes a compressed input may expand to.
const MAX_EXPANDED: u64 = 2 << 30;

/// Reads a file as UTF-8 text, expanding gzip or bzip2 (recognised by
/// their magic bytes, whatever the file is called).
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    expand_text(bytes, &path.display().to_string())
}

/// `bytes` as UTF-8 text, gzip or bzip2 expanded; `name` names them in
/// messages.
pub fn expand_text(bytes: Vec<u8>, name: &str) -> Result<String, String> {
    let expanded = if bytes.starts_with(&[0x1f, 0x8b]) {
        expand(flate2::read::MultiGzDecoder::new(&bytes[..]), name, "gzip")?
    } else if bytes.starts_with(b"BZh") {
        expand(bzip2::read::MultiBzDecoder::new(&bytes[..]), name, "bzip2")?
    } else {
        bytes
    };
    String::from_utf8(expanded)
        .map_err(|e| format!("{name}: not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
}

fn expand(r: impl Read, name: &str, kind: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    r.take(MAX_EXPANDED + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("{name}: cannot expand the {kind} data: {e}"))?;
    if out.len() as u64 > MAX_EXPANDED {
        return Err(format!("{name}: expands to more than {} GiB", MAX_EXPANDED >> 30));
    }
    Ok(out)
}

/// Whether `text` is an OVAL definitions document (its root element).
pub fn is_oval_definitions(text: &str) -> bool {
    // cheap: the root element's local name, before a full parse
    let body = text.trim_start_matches('\u{feff}');
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let name: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/').collect();
        return name.rsplit(':').next() == Some("oval_definitions");
    }
    false
}

/// The OVAL definitions component of a source data stream, for an
/// OVAL-only evaluation (as `oscap oval eval` on a data stream): the
/// component-ref `oval_id` of the stream `datastream_id` (default: the
/// first stream), or without `oval_id` its first OVAL check, made to
/// stand alone with the namespaces it inherits. `Ok(None)` when no
/// `oval_id` is given and the stream has an XCCDF checklist: that content
/// is evaluated as XCCDF.
pub fn oval_from_datastream(
    path: &Path,
    text: &str,
    datastream_id: Option<&str>,
    oval_id: Option<&str>,
) -> Result<Option<String>, String> {
    let coll = scapc_datastream::read::read(text)
        .map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
    let stream = match datastream_id {
        Some(want) => coll.streams.iter().find(|s| s.id == want),
        None => coll.streams.first(),
    }
    .ok_or_else(|| format!("{}: no data stream {}", path.display(), datastream_id.unwrap_or("in the collection")))?;
    use scapc_datastream::read::RefRole;
    let oval_of = |r: &scapc_datastream::read::ComponentRef| {
        let c = coll.component(r.local_target()?)?;
        let body = coll.content(c);
        is_oval_definitions(body).then(|| scapc_xml::ns::with_inherited(body, &c.in_scope, false))
    };
    if let Some(id) = oval_id {
        let r = stream.refs.iter().find(|r| r.id == id).ok_or_else(|| {
            let ids: Vec<&str> = stream.refs.iter().filter(|r| oval_of(r).is_some()).map(|r| r.id.as_str()).collect();
            format!(
                "{}: no component-ref `{id}` in `{}`; its OVAL component-refs are: {}",
                path.display(),
                stream.id,
                ids.join(", ")
            )
        })?;
        return oval_of(r)
            .map(Some)
            .ok_or_else(|| format!("{}: component-ref `{id}` does not point at OVAL definitions", path.display()));
    }
    if stream.refs.iter().any(|r| r.role == RefRole::Checklists) {
        return Ok(None);
    }
    let first = stream.refs.iter().filter(|r| r.role == RefRole::Checks).find_map(oval_of);
    first.map(Some).ok_or_else(|| {
        format!("{}: data stream `{}` has neither an XCCDF checklist nor OVAL definitions", path.display(), stream.id)
    })
}

/// An OVAL variables document: external variable id → values.
pub fn read_variables(path: &Path) -> Result<HashMap<String, Vec<String>>, String> {
    let text = read_text(path)?;
    let tree = Tree::parse(&text).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
    let root = tree.root();
    if !tree.is(root, NS_VAR, "oval_variables") {
        return Err(format!(
            "{}: not an OVAL variables document (the root element is `{}`, not `oval_variables` in {NS_VAR})",
            path.display(),
            tree.local(root)
        ));
    }
    let mut out = HashMap::new();
    if let Some(vars) = tree.child(root, NS_VAR, "variables") {
        for v in tree.children_named(vars, NS_VAR, "variable") {
            let Some(id) = tree.attr(v, "id") else {
                let (l, c) = tree.pos(v);
                return Err(format!("{}:{l}:{c}: a variable without an id", path.display()));
            };
            let values: Vec<String> =
                tree.children_named(v, NS_VAR, "value").map(|x| tree.text(x).to_owned()).collect();
            out.insert(id.to_owned(), values);
        }
    }
    Ok(out)
}

/// One definition's outcome, for the summary.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DefSummary {
    pub id: String,
    pub class: String,
    pub title: String,
    pub result: &'static str,
}

/// The outcome of an OVAL-only evaluation.
pub struct OvalRun {
    pub definitions: Vec<DefSummary>,
    /// The OVAL results document (with system characteristics).
    pub results_xml: String,
}

/// Evaluates `text` (an OVAL definitions document read from `path`) on
/// the target: the definitions `ids`, or every one when `ids` is empty.
pub fn evaluate(
    path: &Path,
    text: &str,
    externals: HashMap<String, Vec<String>>,
    ids: &[String],
    target: &Target,
    options: EngineOptions,
) -> Result<OvalRun, String> {
    // A byte order mark is not part of the document (MITRE's files have one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let tree = Tree::parse(text).map_err(|e| format!("{}:{}:{}: {}", path.display(), e.line, e.col, e.message))?;
    let root = tree.root();
    if !tree.is(root, NS_DEF, "oval_definitions") {
        return Err(format!(
            "{}: not an OVAL definitions document (the root element is `{}`)",
            path.display(),
            tree.local(root)
        ));
    }
    // the schema requires it; oscap refuses a document without it
    if tree.child(root, NS_DEF, "generator").is_none() {
        return Err(format!("{}: the OVAL definitions document has no `generator`", path.display()));
    }
    let doc = OvalDoc::read(&tree, root);
    for id in ids {
        if !doc.definitions.contains_key(id) {
            return Err(format!("{}: no definition `{id}`", path.display()));
        }
    }
    let mut want: Vec<String> = if ids.is_empty() { doc.definitions.keys().cloned().collect() } else { ids.to_vec() };
    want.sort();
    want.dedup();
    let cache = Cache::default();
    let engine = Engine::new(&doc, target, &cache, externals, options);
    let evaluated: Vec<(String, Arc<DefResult>)> = engine.evaluate_all(&want);
    let raw = crate::xccdf::content::raw_element(text, &tree, root);
    let results_xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{}",
        crate::results::oval_results(&engine, &evaluated, raw, target)
    );
    let definitions = evaluated
        .iter()
        .map(|(id, r)| {
            let d = &doc.definitions[id];
            DefSummary { id: id.clone(), class: d.class.clone(), title: d.title.clone(), result: res_str(r.result) }
        })
        .collect();
    Ok(OvalRun { definitions, results_xml })
}

fn res_str(r: Res) -> &'static str {
    r.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const DEFS: &str = r#"<?xml version="1.0"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
  <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <definitions>
    <definition id="oval:x:def:1" version="1" class="compliance">
      <metadata><title>external is 42</title><description>d</description></metadata>
      <criteria><criterion test_ref="oval:x:tst:1"/></criteria>
    </definition>
  </definitions>
  <tests>
    <ind:variable_test id="oval:x:tst:1" version="1" check="all" comment="c">
      <ind:object object_ref="oval:x:obj:1"/><ind:state state_ref="oval:x:ste:1"/>
    </ind:variable_test>
  </tests>
  <objects>
    <ind:variable_object id="oval:x:obj:1" version="1"><ind:var_ref>oval:x:var:1</ind:var_ref></ind:variable_object>
  </objects>
  <states>
    <ind:variable_state id="oval:x:ste:1" version="1"><ind:value datatype="int">42</ind:value></ind:variable_state>
  </states>
  <variables>
    <external_variable id="oval:x:var:1" version="1" datatype="int" comment="e"/>
  </variables>
</oval_definitions>
"#;

    const VARS: &str = r#"<oval_variables xmlns="http://oval.mitre.org/XMLSchema/oval-variables-5">
  <variables><variable id="oval:x:var:1" datatype="int" comment="e"><value>42</value></variable></variables>
</oval_variables>"#;

    #[test]
    fn compressed_documents_and_external_variables() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("defs.xml.gz");
        let mut e = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
        e.write_all(DEFS.as_bytes()).unwrap();
        e.finish().unwrap();
        let bz = dir.path().join("defs.bin");
        let mut e = bzip2::write::BzEncoder::new(std::fs::File::create(&bz).unwrap(), bzip2::Compression::fast());
        e.write_all(DEFS.as_bytes()).unwrap();
        e.finish().unwrap();
        let vars = dir.path().join("vars.xml");
        std::fs::write(&vars, VARS).unwrap();
        let bom = dir.path().join("bom.xml");
        std::fs::write(&bom, format!("\u{feff}{DEFS}")).unwrap();
        for p in [&gz, &bz, &bom] {
            let text = read_text(p).unwrap();
            assert!(is_oval_definitions(&text));
            let target = Target::parse("local").unwrap();
            let ext = read_variables(&vars).unwrap();
            let run = evaluate(p, &text, ext, &[], &target, EngineOptions::default()).unwrap();
            assert_eq!(run.definitions.len(), 1);
            assert_eq!(run.definitions[0].result, "true");
            assert!(scapc_xml::tree::Tree::parse(&run.results_xml).is_ok(), "{}", run.results_xml);
            assert!(
                run.results_xml.contains("<oval_system_characteristics")
                    || run.results_xml.contains("system_characteristics")
            );
            // without the variables: the external variable has no value
            let run = evaluate(p, &text, HashMap::new(), &[], &target, EngineOptions::default()).unwrap();
            assert_ne!(run.definitions[0].result, "true");
        }
        assert!(evaluate(
            &gz,
            DEFS,
            HashMap::new(),
            &["oval:x:def:9".into()],
            &Target::parse("local").unwrap(),
            EngineOptions::default()
        )
        .is_err());
        assert!(read_variables(&gz).is_err());
    }
}
