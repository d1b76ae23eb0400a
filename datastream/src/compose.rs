//! Source data stream (SP 800-126r3 SCAP 1.3) composition. Used by
//! `scapc build` and, later, `scapc ds compose`.
//!
//! Ids follow one scheme and are never doubled:
//! `scap_<ns>_collection_<name>`, `scap_<ns>_datastream_<name>`,
//! `scap_<ns>_comp_<file>`, `scap_<ns>_ecomp_<file>`, `scap_<ns>_cref_<file>`.

use scapc_xml::{escape_attr, escape_text};
use std::fmt::Write as _;

pub const NS_DS: &str = "http://scap.nist.gov/schema/scap/source/1.2";
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
pub const NS_CAT: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
pub const NS_SCE_STREAM: &str = "http://open-scap.org/page/SCE_xccdf_stream";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Dictionary,
    Checklist,
    Check,
}

/// A component: a whole XML document under a file name that hrefs use.
#[derive(Debug, Clone)]
pub struct Component {
    pub name: String,
    pub role: Role,
    /// The document; an XML declaration at its start is dropped.
    pub xml: String,
    /// Names (hrefs) this component refers to, mapped in its catalog.
    pub catalog: Vec<String>,
    /// An extended component (e.g. an SCE script) rather than a SCAP one.
    pub extended: bool,
    /// A remote component: the component-ref points at this URL and the
    /// collection holds no copy.
    pub remote: Option<String>,
    /// This component's timestamp; the data stream's when `None`.
    pub timestamp: Option<String>,
}

impl Component {
    /// A local SCAP component.
    pub fn new(name: impl Into<String>, role: Role, xml: impl Into<String>) -> Self {
        Component {
            name: name.into(),
            role,
            xml: xml.into(),
            catalog: Vec::new(),
            extended: false,
            remote: None,
            timestamp: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub ns: String,
    /// Collection name, e.g. `debian12`.
    pub name: String,
    /// Use case of the single stream made by [`Spec::streams`] when
    /// `streams` is empty.
    pub use_case: String,
    pub timestamp: String,
    pub components: Vec<Component>,
    /// The data streams; when empty, one stream named like the collection
    /// holds every component in its `role`.
    pub streams: Vec<Stream>,
    /// The files the components were read from (empty when built in
    /// memory), so that no output overwrites one of them.
    pub sources: Vec<std::path::PathBuf>,
}

/// One data stream: which components it references, by name, in each role.
#[derive(Debug, Clone)]
pub struct Stream {
    pub name: String,
    pub use_case: String,
    pub scap_version: String,
    pub dictionaries: Vec<String>,
    pub checklists: Vec<String>,
    pub checks: Vec<String>,
}

/// Turns a file name or href into the part of an id after the prefix.
pub fn id_part(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect()
}

impl Spec {
    /// The data streams to write (the implicit one when none are given).
    pub fn streams(&self) -> Vec<Stream> {
        if !self.streams.is_empty() {
            return self.streams.clone();
        }
        let of = |r: Role| self.components.iter().filter(|c| c.role == r).map(|c| c.name.clone()).collect();
        vec![Stream {
            name: self.name.clone(),
            use_case: self.use_case.clone(),
            scap_version: "1.3".into(),
            dictionaries: of(Role::Dictionary),
            checklists: of(Role::Checklist),
            checks: of(Role::Check),
        }]
    }

    pub fn cref(&self, name: &str) -> String {
        format!("scap_{}_cref_{}", self.ns, id_part(name))
    }
    pub fn comp(&self, c: &Component) -> String {
        let kind = if c.extended { "ecomp" } else { "comp" };
        format!("scap_{}_{kind}_{}", self.ns, id_part(&c.name))
    }
}

fn strip_decl(xml: &str) -> &str {
    let t = xml.trim_start();
    if t.starts_with("<?xml") {
        if let Some(end) = t.find("?>") {
            return t[end + 2..].trim_start_matches(['\n', '\r']);
        }
    }
    t
}

/// Writes the data stream collection.
pub fn compose(spec: &Spec) -> String {
    let size: usize = spec.components.iter().map(|c| c.xml.len()).sum();
    let mut out = String::with_capacity(size + 16 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<ds:data-stream-collection xmlns:ds=\"{NS_DS}\" xmlns:xlink=\"{NS_XLINK}\" xmlns:cat=\"{NS_CAT}\" id=\"scap_{}_collection_{}\" schematron-version=\"1.3\">",
        spec.ns,
        id_part(&spec.name)
    );
    for st in spec.streams() {
        let _ = writeln!(
            out,
            "  <ds:data-stream id=\"scap_{}_datastream_{}\" scap-version=\"{}\" use-case=\"{}\" timestamp=\"{}\">",
            spec.ns,
            id_part(&st.name),
            escape_attr(&st.scap_version),
            escape_attr(&st.use_case),
            spec.timestamp
        );
        for (names, tag) in [(&st.dictionaries, "dictionaries"), (&st.checklists, "checklists"), (&st.checks, "checks")]
        {
            let refs: Vec<&Component> =
                names.iter().filter_map(|n| spec.components.iter().find(|c| &c.name == n)).collect();
            if refs.is_empty() {
                continue;
            }
            let _ = writeln!(out, "    <ds:{tag}>");
            for c in refs {
                let href = match &c.remote {
                    Some(url) => escape_attr(url).into_owned(),
                    None => format!("#{}", spec.comp(c)),
                };
                let _ = write!(out, "      <ds:component-ref id=\"{}\" xlink:href=\"{href}\"", spec.cref(&c.name));
                if c.catalog.is_empty() {
                    out.push_str("/>\n");
                    continue;
                }
                out.push_str(">\n        <cat:catalog>\n");
                for name in &c.catalog {
                    let _ = writeln!(
                        out,
                        "          <cat:uri name=\"{}\" uri=\"#{}\"/>",
                        escape_attr(name),
                        spec.cref(name)
                    );
                }
                out.push_str("        </cat:catalog>\n      </ds:component-ref>\n");
            }
            let _ = writeln!(out, "    </ds:{tag}>");
        }
        out.push_str("  </ds:data-stream>\n");
    }
    for c in spec.components.iter().filter(|c| c.remote.is_none()) {
        let tag = if c.extended { "extended-component" } else { "component" };
        let ts = c.timestamp.as_deref().unwrap_or(&spec.timestamp);
        let _ = writeln!(out, "  <ds:{tag} id=\"{}\" timestamp=\"{ts}\">", spec.comp(c));
        if c.extended {
            let _ = writeln!(out, "<sce:script xmlns:sce=\"{NS_SCE_STREAM}\">{}</sce:script>", escape_text(&c.xml));
        } else {
            out.push_str(strip_decl(&c.xml));
            if !out.ends_with('\n') {
                out.push('\n');
            }
        }
        let _ = writeln!(out, "  </ds:{tag}>");
    }
    out.push_str("</ds:data-stream-collection>\n");
    out
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SS` (UTC), from the one
/// date conversion in [`scapc_xml::datetime`].
pub use scapc_xml::datetime::iso_datetime;

#[cfg(test)]
mod tests {
    use super::*;

    /// Timestamps before year 0 are valid `xs:dateTime` text: a `-` and
    /// four year digits (this once printed `-001-12-31T23:59:59`).
    #[test]
    fn timestamps_before_year_zero() {
        assert_eq!(iso_datetime(-62_167_219_201), "-0001-12-31T23:59:59");
        assert_eq!(iso_datetime(-62_167_219_200), "0000-01-01T00:00:00");
    }

    #[test]
    fn ids_catalogs_and_roles() {
        let spec = Spec {
            ns: "org.x".into(),
            name: "p".into(),
            use_case: "OTHER".into(),
            timestamp: "2026-01-01T00:00:00".into(),
            streams: Vec::new(),
            sources: Vec::new(),
            components: vec![
                Component {
                    catalog: vec!["p-oval.xml".into(), "p/checks/sce/r.sh".into()],
                    ..Component::new("p-xccdf.xml", Role::Checklist, "<?xml version=\"1.0\"?>\n<b/>")
                },
                Component::new("p-oval.xml", Role::Check, "<o/>"),
                Component { extended: true, ..Component::new("p/checks/sce/r.sh", Role::Check, "exit 0 && true") },
                Component {
                    remote: Some("https://example.org/x.xml.bz2".into()),
                    ..Component::new("x.xml.bz2", Role::Check, "")
                },
            ],
        };
        let s = compose(&spec);
        assert!(
            s.contains(
                r##"<ds:component-ref id="scap_org.x_cref_p-xccdf.xml" xlink:href="#scap_org.x_comp_p-xccdf.xml">"##
            ),
            "{s}"
        );
        assert!(s.contains(r##"<cat:uri name="p/checks/sce/r.sh" uri="#scap_org.x_cref_p-checks-sce-r.sh"/>"##));
        assert!(s.contains(r##"xlink:href="#scap_org.x_ecomp_p-checks-sce-r.sh""##));
        assert!(s.contains("exit 0 &amp;&amp; true"));
        assert!(s.contains(
            r##"<ds:component-ref id="scap_org.x_cref_x.xml.bz2" xlink:href="https://example.org/x.xml.bz2"/>"##
        ));
        assert!(!s.contains("comp_x.xml.bz2"));
        assert!(!s.contains("<?xml version=\"1.0\"?>"));
        scapc_xml::parse(&s).unwrap();
    }
}
