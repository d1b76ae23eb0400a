//! XCCDF 1.2 and 1.1.4 processing: the benchmark read from a source data
//! stream or a standalone file ([`content`], [`standalone`]), and its
//! evaluation ([`run`]): profile resolution, applicability, check
//! selection, results and scores; XCCDF 1.1.4 to 1.2 conversion
//! ([`v114`]).

pub mod content;
pub mod resolve;
pub mod run;
pub mod standalone;
pub mod v114;

pub const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";
pub const NS_XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";
pub const NS_DS: &str = "http://scap.nist.gov/schema/scap/source/1.2";
pub const NS_CAT: &str = "urn:oasis:names:tc:entity:xmlns:xml:catalog";
pub const NS_XLINK: &str = "http://www.w3.org/1999/xlink";
pub const NS_CPE_DICT: &str = "http://cpe.mitre.org/dictionary/2.0";
pub const NS_CPE_LANG: &str = "http://cpe.mitre.org/language/2.0";
pub const SYS_OVAL: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const SYS_SCE: &str = "http://open-scap.org/page/SCE";
pub const SYS_OCIL: &str = "http://scap.nist.gov/schema/ocil/2";
