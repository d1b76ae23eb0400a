//! What kind of SCAP document a text is, from its root element.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

pub const NS_SDS: &str = "http://scap.nist.gov/schema/scap/source/1.2";
pub const NS_XCCDF12: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const NS_XCCDF11: &str = "http://checklists.nist.gov/xccdf/1.1";
pub const NS_OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_OVAL_VAR: &str = "http://oval.mitre.org/XMLSchema/oval-variables-5";
pub const NS_OVAL_RES: &str = "http://oval.mitre.org/XMLSchema/oval-results-5";
pub const NS_OVAL_SC: &str = "http://oval.mitre.org/XMLSchema/oval-system-characteristics-5";
pub const NS_OVAL_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";
pub const NS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2.0";
pub const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
pub const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";
pub const NS_ARF: &str = "http://scap.nist.gov/schema/asset-reporting-format/1.1";
pub const NS_CAT: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
pub const NS_XINCLUDE: &str = "http://www.w3.org/2001/XInclude";
pub const NS_TMSAD: &str = "http://scap.nist.gov/schema/xml-dsig/1.0";

/// The document types scapc validates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A source data stream collection; the version is SCAP 1.2 or 1.3.
    DataStream {
        scap: String,
    },
    XccdfBenchmark {
        version: String,
    },
    XccdfTailoring {
        version: String,
    },
    OvalDefinitions,
    OvalVariables,
    OvalResults,
    OvalSystemCharacteristics,
    Ocil,
    CpeDictionary,
    CpeLanguage,
    Arf,
}

impl Kind {
    pub fn name(&self) -> String {
        match self {
            Kind::DataStream { scap } => format!("SCAP {scap} source data stream"),
            Kind::XccdfBenchmark { version } => format!("XCCDF {version} benchmark"),
            Kind::XccdfTailoring { version } => format!("XCCDF {version} tailoring"),
            Kind::OvalDefinitions => "OVAL definitions".into(),
            Kind::OvalVariables => "OVAL variables".into(),
            Kind::OvalResults => "OVAL results".into(),
            Kind::OvalSystemCharacteristics => "OVAL system characteristics".into(),
            Kind::Ocil => "OCIL 2.0 document".into(),
            Kind::CpeDictionary => "CPE dictionary".into(),
            Kind::CpeLanguage => "CPE applicability language document".into(),
            Kind::Arf => "ARF 1.1 result".into(),
        }
    }
}

/// The root element: its namespace, local name and attributes (no namespace).
pub struct Root {
    pub ns: String,
    pub local: String,
    pub attrs: Vec<(String, String)>,
}

/// Reads only as far as the root element's start tag.
pub fn root(text: &str) -> Option<Root> {
    let mut r = NsReader::from_str(text);
    loop {
        let (res, ev) = r.read_resolved_event().ok()?;
        match ev {
            Event::Start(e) | Event::Empty(e) => {
                let ns = match res {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    _ => String::new(),
                };
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let attrs = e
                    .attributes()
                    .flatten()
                    .filter(|a| !a.key.as_ref().contains(&b':') && a.key.as_ref() != b"xmlns")
                    .map(|a| {
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            String::from_utf8_lossy(&a.value).into_owned(),
                        )
                    })
                    .collect();
                return Some(Root { ns, local, attrs });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// Classifies a root element; `Err` names what was found instead.
pub fn kind(root: &Root) -> Result<Kind, String> {
    let attr = |k: &str| root.attrs.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
    Ok(match (root.ns.as_str(), root.local.as_str()) {
        (NS_SDS, "data-stream-collection") => {
            let v = attr("schematron-version").unwrap_or_default();
            Kind::DataStream { scap: if v.starts_with("1.2") { "1.2".into() } else { "1.3".into() } }
        }
        (NS_XCCDF12, "Benchmark") => Kind::XccdfBenchmark { version: "1.2".into() },
        (NS_XCCDF12, "Tailoring") => Kind::XccdfTailoring { version: "1.2".into() },
        (NS_XCCDF11, "Benchmark") => Kind::XccdfBenchmark { version: "1.1.4".into() },
        (NS_XCCDF11, "Tailoring") => Kind::XccdfTailoring { version: "1.1.4".into() },
        (NS_OVAL_DEF, "oval_definitions") => Kind::OvalDefinitions,
        (NS_OVAL_VAR, "oval_variables") => Kind::OvalVariables,
        (NS_OVAL_RES, "oval_results") => Kind::OvalResults,
        (NS_OVAL_SC, "oval_system_characteristics") => Kind::OvalSystemCharacteristics,
        (NS_OCIL, "ocil") => Kind::Ocil,
        (NS_CPE_DICT, "cpe-list") => Kind::CpeDictionary,
        (NS_CPE_LANG, "platform-specification") => Kind::CpeLanguage,
        (NS_ARF, "asset-report-collection") => Kind::Arf,
        (ns, local) => {
            return Err(if ns.is_empty() {
                format!("`<{local}>` in no namespace")
            } else {
                format!("`<{local}>` in namespace `{ns}`")
            })
        }
    })
}

/// The conventional prefix for a namespace, to make schema messages short.
pub fn prefix_for(ns: &str) -> Option<&'static str> {
    Some(match ns {
        NS_SDS => "ds",
        NS_XCCDF12 | NS_XCCDF11 => "xccdf",
        NS_OVAL_DEF => "oval-def",
        NS_OVAL_VAR => "oval-var",
        NS_OVAL_RES => "oval-res",
        NS_OVAL_SC => "oval-sc",
        NS_OVAL_COMMON => "oval",
        NS_OCIL => "ocil",
        NS_CPE_DICT => "cpe-dict",
        NS_CPE_LANG => "cpe-lang",
        NS_ARF => "arf",
        NS_CAT => "cat",
        NS_XLINK => "xlink",
        NS_DSIG => "dsig",
        NS_DC => "dc",
        NS_TMSAD => "tmsad",
        "http://www.w3.org/1999/xhtml" => "xhtml",
        "http://oval.mitre.org/XMLSchema/oval-definitions-5#independent" => "ind",
        "http://oval.mitre.org/XMLSchema/oval-definitions-5#linux" => "linux",
        "http://oval.mitre.org/XMLSchema/oval-definitions-5#unix" => "unix",
        "http://scap.nist.gov/schema/reporting-core/1.1" => "core",
        "http://scap.nist.gov/schema/asset-identification/1.1" => "ai",
        _ => return None,
    })
}

/// Rewrites `{namespace}local` in a libxml2 message to `prefix:local`.
pub fn shorten_names(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find('}') {
            Some(j) => match prefix_for(&after[..j]) {
                Some(p) => {
                    out.push_str(p);
                    out.push(':');
                    rest = &after[j + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            },
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds() {
        let k = |s: &str| kind(&root(s).unwrap());
        assert_eq!(
            k("<?xml version='1.0'?><!--c--><ds:data-stream-collection xmlns:ds='http://scap.nist.gov/schema/scap/source/1.2' schematron-version='1.3'/>"),
            Ok(Kind::DataStream { scap: "1.3".into() })
        );
        assert_eq!(
            k("<Benchmark xmlns='http://checklists.nist.gov/xccdf/1.1'/>"),
            Ok(Kind::XccdfBenchmark { version: "1.1.4".into() })
        );
        assert_eq!(
            k("<x:oval_results xmlns:x='http://oval.mitre.org/XMLSchema/oval-results-5'/>"),
            Ok(Kind::OvalResults)
        );
        assert!(k("<html/>").unwrap_err().contains("no namespace"));
        assert!(root("not xml at all").is_none());
    }

    #[test]
    fn shortens_libxml2_names() {
        assert_eq!(
            shorten_names("Element '{http://checklists.nist.gov/xccdf/1.2}Rule': bad {urn:x}y"),
            "Element 'xccdf:Rule': bad {urn:x}y"
        );
    }
}
