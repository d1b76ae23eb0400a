//! Validation of SCAP documents: the official XSDs through libxml2
//! ([`xsd`], [`schema_check`]) and the SP 800-126r3 requirements checked
//! natively ([`reqs`]) over a namespace-aware tree ([`tree`]).
//!
//! The two layers run in parallel; a data stream's components are
//! validated against their schemas in parallel too. Before either runs,
//! the prolog is checked ([`scapc_xml::check_prolog`]) and a data stream
//! is read by the one reader every command uses
//! ([`scapc_datastream::read::read`]), so validation refuses what the other
//! commands refuse.

#![forbid(unsafe_code)]

pub mod detect;
pub mod idc;
pub mod report;
pub mod reqs;
pub mod schema_check;
pub mod schemas;
pub use scapc_xml::tree;
pub mod xsd;

use detect::Kind;
use scapc_diagnostics::{Diagnostic, Location, Severity};
use std::path::{Path, PathBuf};

/// Diagnostic codes for problems that are not requirement findings.
pub mod codes {
    /// The file cannot be read.
    pub const IO: &str = "io";
    /// Not well-formed XML, not UTF-8, or refused as hostile.
    pub const XML: &str = "xml";
    /// Well-formed XML, but no SCAP document type scapc knows.
    pub const UNKNOWN: &str = "unknown-document";
    /// A data stream the shared reader (`scapc_datastream::read`) refuses,
    /// as every other command does: duplicate component ids, a dangling
    /// component-ref or catalog uri, no data stream.
    pub const DATA_STREAM: &str = "data-stream";
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The schema directory (see [`schemas::locate`]); `None` looks in the
    /// environment and the standard install path.
    pub schemas: Option<PathBuf>,
    /// Skip the XSD layer.
    pub no_xsd: bool,
    /// Skip the requirement layer.
    pub no_requirements: bool,
}

/// The result for one file.
#[derive(Debug)]
pub struct Outcome {
    pub file: PathBuf,
    pub kind: Option<Kind>,
    pub diagnostics: Vec<Diagnostic>,
    /// The file could not be read at all (exit code 2).
    pub io_error: bool,
}

/// Validates many documents; schemas are loaded once and shared.
pub struct Validator {
    opts: Options,
    cache: schemas::Cache,
    schema_dir: Result<PathBuf, String>,
    /// XSD validation while parsing, without a tree (see
    /// [`Validator::streaming`]).
    stream: bool,
}

impl Validator {
    pub fn new(opts: Options) -> Self {
        let schema_dir = if opts.no_xsd { Err(String::new()) } else { schemas::locate(opts.schemas.as_deref()) };
        Validator { opts, cache: schemas::Cache::default(), schema_dir, stream: false }
    }

    /// Validates against the XSDs as libxml2 parses (SAX), building no
    /// tree of each document: a fraction of the memory, for text scapc
    /// wrote itself (the build's gate). The parser then has libxml2's
    /// default limits (text nodes up to 10 MB, 256 levels), and duplicate
    /// `xs:ID` values are not reported by the XSD layer (the data stream
    /// reader refuses duplicate component ids either way).
    pub fn streaming(mut self) -> Self {
        self.stream = true;
        self
    }

    /// Lets libxml2 check the schemas' identity constraints, as it did
    /// before [`idc`]: the reference of the differential test (slower).
    pub fn libxml2_identity(mut self) -> Self {
        self.cache = schemas::Cache::libxml2_identity();
        self
    }

    /// Loads the SCAP 1.3 source data stream schema (which imports every
    /// component schema) now, so that the first data stream validated does
    /// not wait for it: `scapc build` calls this on a thread of its own
    /// while it compiles. Nothing happens when the XSD layer is off; a
    /// schema that fails to load is reported when it is used.
    pub fn preload_data_stream_schema(&self) {
        if let (false, Ok(root)) = (self.opts.no_xsd, &self.schema_dir) {
            let _ = self.cache.get(&schemas::schema_for(root, &Kind::DataStream { scap: "1.3".into() }, ""));
        }
    }

    /// `Err` explains why the XSD layer cannot run (no schemas found).
    pub fn schema_dir(&self) -> Result<&Path, &str> {
        self.schema_dir.as_deref().map_err(|e| e.as_str())
    }

    pub fn validate_file(&self, path: &Path) -> Outcome {
        match std::fs::read(path) {
            Ok(bytes) => self.validate_bytes(path, &bytes),
            Err(e) => Outcome {
                file: path.to_path_buf(),
                kind: None,
                diagnostics: vec![
                    Diagnostic::error(codes::IO, format!("cannot read the file: {e}")).at(Location::file(path))
                ],
                io_error: true,
            },
        }
    }

    pub fn validate_bytes(&self, path: &Path, bytes: &[u8]) -> Outcome {
        let fail =
            |d: Diagnostic| Outcome { file: path.to_path_buf(), kind: None, diagnostics: vec![d], io_error: false };
        let text = match decode(bytes) {
            Ok(t) => t,
            Err((line, col, m)) => return fail(Diagnostic::error(codes::XML, m).at(Location::at(path, line, col))),
        };
        self.validate_text(path, text)
    }

    pub fn validate_text(&self, path: &Path, text: &str) -> Outcome {
        let fail =
            |d: Diagnostic| Outcome { file: path.to_path_buf(), kind: None, diagnostics: vec![d], io_error: false };
        if text.trim().is_empty() {
            return fail(
                Diagnostic::error(codes::XML, "the file is empty; an SCAP document is an XML file")
                    .at(Location::file(path)),
            );
        }
        if let Err((pos, m)) = scapc_xml::check_prolog(text) {
            let (line, col) = scapc_xml::line_col(text, pos);
            return fail(Diagnostic::error(codes::XML, m).at(Location::at(path, line, col)));
        }
        let kind = match detect::root(text).map(|r| detect::kind(&r)) {
            Some(Ok(k)) => k,
            Some(Err(found)) => {
                return fail(
                    Diagnostic::error(codes::UNKNOWN, format!("not an SCAP document: the root element is {found}"))
                        .at(Location::at(path, 1, 1))
                        .hint("scapc validates source data streams, XCCDF, OVAL, OCIL, CPE dictionaries and language documents, and ARF"),
                )
            }
            None => {
                // Let the tree parser say what is wrong.
                let msg = match tree::Tree::parse(text) {
                    Err(e) => return fail(Diagnostic::error(codes::XML, format!("not well-formed XML: {}", e.message)).at(Location::at(path, e.line, e.col))),
                    Ok(_) => "no root element found".to_owned(),
                };
                return fail(Diagnostic::error(codes::XML, msg).at(Location::file(path)));
            }
        };
        // A data stream is read by the one reader every command uses, so
        // that validate refuses exactly what split, info, verify and eval
        // refuse.
        // XML that is not well-formed (or too deep) is left to the tree
        // parser below, which says so with the same rules.
        let mut read_error = None;
        let coll = match &kind {
            Kind::DataStream { .. } => match scapc_datastream::read::read(text) {
                Ok(c) => Some(c),
                Err(e) if e.structural => {
                    return Outcome {
                        file: path.to_path_buf(),
                        kind: Some(kind),
                        diagnostics: vec![
                            Diagnostic::error(codes::DATA_STREAM, e.message).at(Location::at(path, e.line, e.col))
                        ],
                        io_error: false,
                    };
                }
                Err(e) => {
                    read_error = Some(e);
                    None
                }
            },
            _ => None,
        };
        let (reqs, xsd) = rayon::join(
            || {
                let t = tree::Tree::parse(text)?;
                let (mut found, idc) = rayon::join(
                    || if self.opts.no_requirements { Vec::new() } else { reqs::check(path, &t, &kind) },
                    || self.identity(path, &t, text, &kind, coll.as_ref()),
                );
                found.extend(idc);
                Ok::<_, tree::ParseError>(found)
            },
            || self.xsd(path, text, &kind, coll.as_ref()),
        );
        if let (Ok(_), Some(e)) = (&reqs, read_error) {
            return Outcome {
                file: path.to_path_buf(),
                kind: Some(kind),
                diagnostics: vec![Diagnostic::error(codes::XML, e.message).at(Location::at(path, e.line, e.col))],
                io_error: false,
            };
        }
        let mut diagnostics = match reqs {
            Ok(d) => d,
            // Not well-formed: the parser's message says it best; schema
            // messages about the same breakage add nothing.
            Err(e) => {
                return Outcome {
                    file: path.to_path_buf(),
                    kind: Some(kind),
                    diagnostics: vec![Diagnostic::error(codes::XML, format!("not well-formed XML: {}", e.message))
                        .at(Location::at(path, e.line, e.col))],
                    io_error: false,
                }
            }
        };
        diagnostics.extend(xsd);
        diagnostics.sort_by(|a, b| {
            let pa = a.location.as_ref().and_then(|l| l.pos).map(|p| (p.line, p.col));
            let pb = b.location.as_ref().and_then(|l| l.pos).map(|p| (p.line, p.col));
            pa.cmp(&pb).then_with(|| a.code.cmp(&b.code))
        });
        Outcome { file: path.to_path_buf(), kind: Some(kind), diagnostics, io_error: false }
    }

    /// The identity constraints the XSD layer leaves to scapc ([`idc`]).
    fn identity(
        &self,
        path: &Path,
        t: &tree::Tree,
        text: &str,
        kind: &Kind,
        coll: Option<&scapc_datastream::read::Collection<'_>>,
    ) -> Vec<Diagnostic> {
        match (&self.schema_dir, self.opts.no_xsd) {
            (Ok(root), false) => schema_check::identity(path, t, text, kind, coll, root, &self.cache),
            _ => Vec::new(),
        }
    }

    fn xsd(
        &self,
        path: &Path,
        text: &str,
        kind: &Kind,
        coll: Option<&scapc_datastream::read::Collection<'_>>,
    ) -> Vec<Diagnostic> {
        if self.opts.no_xsd {
            return Vec::new();
        }
        let root = match &self.schema_dir {
            Ok(r) => r,
            Err(e) => {
                return vec![Diagnostic::error("schemas-not-found", e.clone())
                    .at(Location::file(path))
                    .hint("pass --schemas DIR, set SCAPC_SCHEMAS, or skip the XSD layer with --no-xsd")]
            }
        };
        if let Some(coll) = coll {
            return schema_check::data_stream(path, coll, kind, root, &self.cache, self.stream);
        }
        schema_check::document(path, text, kind, root, &self.cache, self.stream)
    }
}

/// Bytes to text: UTF-8, with an optional byte order mark.
fn decode(bytes: &[u8]) -> Result<&str, (u32, u32, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            1,
            1,
            "the file is UTF-16; scapc reads UTF-8 SCAP documents (convert it, e.g. with iconv -f UTF-16 -t UTF-8)"
                .into(),
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (at - bytes[..at].iter().rposition(|&b| b == b'\n').map(|i| i + 1).unwrap_or(0)) as u32 + 1;
        (line, col, "the file is not valid UTF-8 here; is it binary, or in another encoding?".into())
    })
}

/// Counts by severity.
pub fn count(diags: &[Diagnostic]) -> (usize, usize, usize) {
    let e = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let w = diags.iter().filter(|d| d.severity == Severity::Warning).count();
    (e, w, diags.len() - e - w)
}
