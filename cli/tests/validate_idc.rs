//! The schemas' identity constraints (`xs:key`, `xs:keyref`, `xs:unique`)
//! checked by scapc (`validator/src/idc.rs`) against libxml2 checking them
//! with the full schemas: for every document of a corpus, the same
//! findings (kind, constraint, key-sequence values; not the wording), and
//! the same other schema findings (the stripped schemas change nothing
//! else).
//!
//! The corpus: CaC's data streams and OpenSCAP's and MITRE's test content
//! from `../shared/reference` (skipped with a notice when absent), our own
//! fixtures, and copies of them with duplicate ids and dangling references
//! made here.

use scapc_diagnostics::Diagnostic;
use scapc_validator::{Options, Validator};
use std::io::Read;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("NOTICE: part of the corpus skipped: {} is absent (../shared)", p.display());
        None
    }
}

/// (problem, constraint, key-sequence) of an identity-constraint finding,
/// from scapc's or libxml2's message.
fn idc(d: &Diagnostic) -> Option<(&'static str, String, String)> {
    let m = &d.message;
    let quoted = |after: &str| -> String {
        let i = m.find(after).map(|i| i + after.len()).unwrap_or(m.len());
        let rest = &m[i..];
        rest[..rest.find('\'').unwrap_or(rest.len())].to_owned()
    };
    let seq = || m.find('[').and_then(|i| m[i..].find(']').map(|j| m[i..i + j + 1].to_owned())).unwrap_or_default();
    if m.contains("Duplicate key-sequence") {
        return Some(("duplicate", quoted("identity-constraint '"), seq()));
    }
    if m.contains("No match found for key-sequence") {
        return Some(("no-match", quoted("of keyref '"), seq()));
    }
    if m.contains("Not all fields of") {
        return Some(("missing", quoted("identity-constraint '"), String::new()));
    }
    if m.contains("of a field of") {
        return Some(("many", quoted("identity-constraint '"), String::new()));
    }
    None
}

type Split = (Vec<(&'static str, String, String)>, Vec<String>);

fn split(ds: &[Diagnostic]) -> Split {
    let mut idcs = Vec::new();
    let mut other = Vec::new();
    for d in ds {
        match idc(d) {
            Some(f) => idcs.push(f),
            None => other.push(format!(
                "{} {:?} {:?} {}",
                d.code,
                d.severity,
                d.location.as_ref().and_then(|l| l.pos).map(|p| p.line),
                d.message
            )),
        }
    }
    idcs.sort();
    other.sort();
    (idcs, other)
}

struct Run {
    native: Validator,
    /// As the build's gate validates (libxml2 without a tree).
    streaming: Validator,
    reference: Validator,
    docs: usize,
    findings: usize,
}

impl Run {
    /// Validates `text` both ways and compares; returns the number of
    /// identity-constraint findings.
    fn doc(&mut self, name: &str, text: &str) -> usize {
        let path = Path::new(name);
        let a = split(&self.native.validate_text(path, text).diagnostics);
        let b = split(&self.reference.validate_text(path, text).diagnostics);
        assert_eq!(a.0, b.0, "{name}: identity-constraint findings differ (left: scapc, right: libxml2)");
        assert_eq!(a.1, b.1, "{name}: the other findings differ (left: stripped schemas, right: full schemas)");
        let c = split(&self.streaming.validate_text(path, text).diagnostics);
        assert_eq!(c.0, b.0, "{name}: identity-constraint findings differ (left: scapc, streaming; right: libxml2)");
        self.docs += 1;
        self.findings += a.0.len();
        a.0.len()
    }
}

fn gunzip(p: &Path) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap()).read_to_string(&mut s).unwrap();
    s
}

/// `text` with the value of attribute `attr` in the `n`-th tag starting
/// with `tag` replaced by `value`.
fn set_attr(text: &str, tag: &str, n: usize, attr: &str, value: &str) -> String {
    let (start, end) = attr_span(text, tag, n, attr);
    format!("{}{value}{}", &text[..start], &text[end..])
}

fn attr_span(text: &str, tag: &str, n: usize, attr: &str) -> (usize, usize) {
    let at = text.match_indices(tag).nth(n).unwrap_or_else(|| panic!("no {tag} #{n}")).0;
    let close = at + text[at..].find('>').unwrap();
    let key = format!(" {attr}=\"");
    let i = at + text[at..close].find(&key).unwrap_or_else(|| panic!("no {attr} in {tag} #{n}")) + key.len();
    (i, i + text[i..].find('"').unwrap())
}

fn get_attr(text: &str, tag: &str, n: usize, attr: &str) -> String {
    let (a, b) = attr_span(text, tag, n, attr);
    text[a..b].to_owned()
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

#[test]
fn native_identity_constraints_find_what_libxml2_finds() {
    let opts = Options::default();
    let native = Validator::new(opts.clone());
    if let Err(e) = native.schema_dir() {
        eprintln!("NOTICE: skipped: {e}");
        return;
    }
    let mut run = Run {
        native,
        streaming: Validator::new(opts.clone()).streaming(),
        reference: Validator::new(opts).libxml2_identity(),
        docs: 0,
        findings: 0,
    };

    // Our own fixtures.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    xml_files(&root.join("tests/fixtures"), &mut files);
    xml_files(&root.join("content"), &mut files);
    for f in &files {
        if let Ok(text) = std::fs::read_to_string(f) {
            run.doc(&f.display().to_string(), &text);
        }
    }
    let Some(shared) = shared() else { return };

    // MITRE's OVAL test content, and one copy with a duplicate definition id.
    let mut files = Vec::new();
    xml_files(&shared.join("mitre-oval"), &mut files);
    for f in &files {
        run.doc(&f.display().to_string(), &std::fs::read_to_string(f).unwrap());
    }
    let oval = std::fs::read_to_string(shared.join("mitre-oval/oval-def_criteria.xml")).unwrap();
    let tag = "<definition ";
    let dup = set_attr(&oval, tag, 1, "id", &get_attr(&oval, tag, 0, "id"));
    assert!(run.doc("mitre duplicate definition", &dup) >= 1);

    // OpenSCAP's data stream and XCCDF test data.
    let t = tempfile::tempdir().unwrap();
    let archive = shared.join("openscap-tests-9f2c4a6.tar.xz");
    let st = std::process::Command::new("tar").arg("xJf").arg(&archive).arg("-C").arg(t.path()).status().unwrap();
    assert!(st.success(), "cannot unpack {}", archive.display());
    let mut files = Vec::new();
    xml_files(&t.path().join("openscap-tests/tests/DS"), &mut files);
    xml_files(&t.path().join("openscap-tests/tests/API/XCCDF"), &mut files);
    for f in &files {
        if let Ok(text) = std::fs::read_to_string(f) {
            run.doc(&f.display().to_string(), &text);
        }
    }

    // CaC's data streams, and debian12's with defects put in.
    for p in ["debian12", "rhel9", "example"] {
        let text = gunzip(&shared.join(format!("cac/ssg-{p}-ds.xml.gz")));
        assert_eq!(run.doc(p, &text), 0, "{p}: CaC's data stream has no identity-constraint findings");
    }
    let deb = gunzip(&shared.join("cac/ssg-debian12-ds.xml.gz"));
    let def = "<oval-def:definition ";
    let mut m = set_attr(&deb, def, 1, "id", &get_attr(&deb, def, 0, "id"));
    m = m.replacen("test_ref=\"oval:ssg-", "test_ref=\"oval:scapc-dangling-", 1);
    m = m.replacen("<oval-def:object_reference>oval:ssg-", "<oval-def:object_reference>oval:scapc-dangling-", 1);
    m = m.replacen("<ocil:test_action_ref>ocil:ssg-", "<ocil:test_action_ref>ocil:scapc-dangling-", 1);
    // A second copy of the (only) CPE item.
    let a = m.find("<cpe-dict:cpe-item ").unwrap();
    let b = a + m[a..].find("</cpe-dict:cpe-item>").unwrap() + "</cpe-dict:cpe-item>".len();
    m = format!("{}{}{}", &m[..b], &m[a..b], &m[b..]);
    let n = run.doc("debian12 with OVAL, OCIL and CPE defects", &m);
    assert!(n >= 5, "{n} findings");
    let rule = "<xccdf-1.2:Rule ";
    let mut m = set_attr(&deb, rule, 1, "id", &get_attr(&deb, rule, 0, "id"));
    let sel = "<xccdf-1.2:select ";
    m = set_attr(&m, sel, 1, "idref", &get_attr(&m, sel, 0, "idref"));
    m = set_attr(&m, "<xccdf-1.2:check-export ", 0, "value-id", "xccdf_org.scapc_value_dangling");
    let test = "<unix:file_test ";
    let (a, _) = attr_span(&m, test, 0, "id");
    m = format!("{}x{}", &m[..a - 4], &m[a - 4..]); // ` id="` becomes `x id="`... as ` xid="`
    let n = run.doc("debian12 with XCCDF defects and a test without id", &m);
    assert!(n >= 4, "{n} findings");

    eprintln!("{} documents, {} identity-constraint findings, equal", run.docs, run.findings);
    assert!(run.docs > 200, "{} documents", run.docs);
}

/// Every identity constraint of the SCAP schemas is within the subset
/// scapc checks: none is left to libxml2.
#[test]
fn every_scap_schema_constraint_is_checked_natively() {
    let Ok(dir) = scapc_validator::schemas::locate(None) else {
        eprintln!("NOTICE: skipped: no SCAP schemas installed");
        return;
    };
    for s in [
        "sds/1.3/scap-source-data-stream_1.3.xsd",
        "sds/1.2/scap-source-data-stream_1.2.xsd",
        "xccdf/1.1/xccdf-schema.xsd",
        "oval/5.11.1/oval-definitions-schema.xsd",
        "oval/5.11.3/oval-results-schema.xsd",
        "arf/1.1/asset-reporting-format_1.1.0.xsd",
    ] {
        let set = scapc_validator::idc::Set::compile(&dir.join(s)).unwrap();
        assert!(set.kept.is_empty(), "{s}: {:?}", set.kept);
        assert!(!set.is_empty(), "{s}");
    }
}
