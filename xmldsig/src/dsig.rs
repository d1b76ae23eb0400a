//! Signing and verifying the signatures of a source data stream.
//!
//! Layout (SP 800-126r3 §3.11, SRC-282 to SRC-290; TMSAD), one signature
//! per data stream, appended as the last children of the collection:
//!
//! ```text
//! dsig:Signature Id=<stream>_sig
//!   SignedInfo: c14n 1.1, rsa-sha256 | ecdsa-sha256
//!     Reference #<data-stream id>                                  (SRC-286)
//!     Reference #<SignatureProperties Id> Type=...#SignatureProperties (SRC-287)
//!     Reference #<Manifest Id>            Type=...#Manifest        (SRC-288)
//!   SignatureValue
//!   KeyInfo: KeyValue (RSAKeyValue | dsig11:ECKeyValue) [X509Data]  (SRC-290)
//!   Object/SignatureProperties/SignatureProperty Target=#<sig>
//!          /tmsad:signature-info (dc:creator, dc:date, tmsad:nonce)  (SRC-285)
//!   Object/Manifest: one Reference per local component-ref of the
//!          stream, in component-ref order                      (SRC-284, 289)
//! ```
//!
//! Every reference has one transform, Canonical XML 1.1, and a SHA-256
//! digest. Ids are `id` on `ds:data-stream`, `ds:component` and
//! `ds:extended-component`, `Id` on XML-DSig elements; xmlsec1 needs
//! `--id-attr:id http://scap.nist.gov/schema/scap/source/1.2:data-stream`
//! (and `...:component`, `...:extended-component`) to find them.
//!
//! The signed document is the input text with the signatures inserted
//! before the collection's end tag; nothing else changes.

use crate::c14n::{self, Ancestry, Mode, RawAttr};
use crate::keys::{b64, unb64, Certificate, PublicKey, SigningKey, P256_URN};
use crate::Error;
use quick_xml::events::Event;
use quick_xml::Reader;
use scapc_datastream::read::{self, Collection};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

pub use crate::keys::{ALG_ECDSA_SHA256, ALG_RSA_SHA256};

pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_DSIG11: &str = "http://www.w3.org/2009/xmldsig11#";
pub const NS_TMSAD: &str = "http://scap.nist.gov/schema/xml-dsig/1.0";
pub const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
pub const NS_SDS: &str = read::NS_SDS;
pub const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";
pub const C14N11_COMMENTS: &str = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
pub const C14N10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const C14N10_COMMENTS: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const SHA384: &str = "http://www.w3.org/2001/04/xmldsig-more#sha384";
pub const SHA512: &str = "http://www.w3.org/2001/04/xmlenc#sha512";
pub const TYPE_PROPS: &str = "http://www.w3.org/2000/09/xmldsig#SignatureProperties";
pub const TYPE_MANIFEST: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";

/// What goes into the TMSAD `signature-info`, and the certificate to
/// carry in KeyInfo.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// Who signs (`dc:creator`).
    pub signer: String,
    /// When, as an xs:dateTime (`dc:date`).
    pub date: String,
    /// The nonce (`tmsad:nonce`); 128 random bits in hex when `None`.
    pub nonce: Option<String>,
    /// A certificate of the signing key, put in `X509Data`.
    pub cert: Option<Certificate>,
}

// --- the document -----------------------------------------------------------------

struct Doc<'a> {
    xml: &'a str,
    coll: Collection<'a>,
    /// What the children of the root element inherit.
    root: Ancestry,
}

fn xml_error(xml: &str, offset: usize, message: impl Into<String>) -> Error {
    let (line, col) = scapc_xml::line_col(xml, offset);
    Error::Xml { line, col, message: message.into() }
}

fn c14n_error(xml: &str, e: c14n::C14nError) -> Error {
    xml_error(xml, e.offset, e.message)
}

/// Reads the structure of the collection and what its children inherit;
/// refuses DTDs that declare anything.
fn open(xml: &str) -> Result<Doc<'_>, Error> {
    let coll = read::read(xml).map_err(|e| Error::Xml { line: e.line, col: e.col, message: e.message })?;
    let mut r = Reader::from_str(xml);
    r.config_mut().trim_text(false);
    let mut root = Ancestry::default();
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml_error(xml, r.error_position() as usize, format!("not well-formed XML: {e}")))?;
        let end = r.buffer_position() as usize;
        match ev {
            Event::DocType(d) => {
                // Already refused by `read::read`; kept so this pass stands alone.
                scapc_xml::check_doctype(d.as_ref()).map_err(|m| xml_error(xml, pos, m))?;
            }
            Event::Start(_) | Event::Empty(_) => {
                let inner_end = if matches!(ev, Event::Empty(_)) { end - 2 } else { end - 1 };
                let mut attrs: Vec<RawAttr<'_>> = Vec::new();
                c14n::parse_tag(&xml[pos + 1..inner_end], pos + 1, &mut attrs)
                    .map_err(|(o, m)| xml_error(xml, o, m))?;
                root = own_ancestry(xml, &Ancestry::default(), &attrs)?;
                break;
            }
            Event::Text(_) if !xml[pos..end].trim().is_empty() => {
                return Err(xml_error(xml, pos, "text before the root element: not well-formed XML"))
            }
            Event::Eof => break,
            _ => {}
        }
    }
    check_epilog(xml, coll.root_end)?;
    Ok(Doc { xml, coll, root })
}

/// After the root's end tag only white space, comments and processing
/// instructions may follow.
fn check_epilog(xml: &str, root_end: usize) -> Result<(), Error> {
    let Some(gt) = xml.get(root_end..).and_then(|t| t.find('>')) else {
        return Err(xml_error(xml, root_end, "the root element is not closed"));
    };
    let mut at = root_end + gt + 1;
    loop {
        let rest = &xml[at..];
        let trimmed = rest.trim_start_matches([' ', '\t', '\r', '\n']);
        at += rest.len() - trimmed.len();
        let close = if trimmed.starts_with("<!--") {
            trimmed.find("-->").map(|i| i + 3)
        } else if trimmed.starts_with("<?") {
            trimmed.find("?>").map(|i| i + 2)
        } else if trimmed.is_empty() {
            return Ok(());
        } else {
            None
        };
        match close {
            Some(n) => at += n,
            None => return Err(xml_error(xml, at, "content after the root element: not well-formed XML")),
        }
    }
}

/// The ancestry of the children of an element with these attributes.
fn own_ancestry(xml: &str, parent: &Ancestry, attrs: &[RawAttr<'_>]) -> Result<Ancestry, Error> {
    let mut ns = Vec::new();
    let mut xml_attrs = Vec::new();
    for a in attrs {
        let value = || c14n::attr_value(a.raw, a.offset).map(|v| v.into_owned()).map_err(|(o, m)| xml_error(xml, o, m));
        if a.name == "xmlns" {
            ns.push((String::new(), value()?));
        } else if let Some(p) = a.name.strip_prefix("xmlns:") {
            ns.push((p.to_owned(), value()?));
        } else if let Some(l) = a.name.strip_prefix("xml:") {
            xml_attrs.push((l.to_owned(), value()?));
        }
    }
    Ok(parent.child(&ns, &xml_attrs))
}

/// Digest algorithms of DigestMethod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum DigestAlg {
    Sha256,
    Sha384,
    Sha512,
}

impl DigestAlg {
    fn from_uri(u: &str) -> Option<DigestAlg> {
        match u {
            SHA256 => Some(DigestAlg::Sha256),
            SHA384 => Some(DigestAlg::Sha384),
            SHA512 => Some(DigestAlg::Sha512),
            _ => None,
        }
    }
    fn ring(self) -> &'static ring::digest::Algorithm {
        match self {
            DigestAlg::Sha256 => &ring::digest::SHA256,
            DigestAlg::Sha384 => &ring::digest::SHA384,
            DigestAlg::Sha512 => &ring::digest::SHA512,
        }
    }
}

fn digest(xml: &str, range: Range<usize>, anc: &Ancestry, mode: Mode, alg: DigestAlg) -> Result<Vec<u8>, Error> {
    let mut ctx = ring::digest::Context::new(alg.ring());
    c14n::canonicalize(xml, range, anc, mode, &mut ctx).map_err(|e| c14n_error(xml, e))?;
    Ok(ctx.finish().as_ref().to_vec())
}

type Job<'a> = (Range<usize>, &'a Ancestry, Mode, DigestAlg);
type Digest = Result<Vec<u8>, Error>;

/// Digests of several elements, on all cores, biggest first.
fn digest_many(xml: &str, jobs: &[Job<'_>]) -> Vec<Digest> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(jobs[i].0.len()));
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(jobs.len()).min(8);
    let run = |i: usize| {
        let (r, a, m, d) = &jobs[i];
        digest(xml, r.clone(), a, *m, *d)
    };
    if threads <= 1 {
        return (0..jobs.len()).map(run).collect();
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<Digest>> = (0..jobs.len()).map(|_| None).collect();
    let parts: Vec<Vec<(usize, Digest)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(k) else { break };
                        mine.push((i, run(i)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    for (i, r) in parts.into_iter().flatten() {
        out[i] = Some(r);
    }
    out.into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Error::Document("internal error: a digest worker failed".into()))))
        .collect()
}

// --- signing ------------------------------------------------------------------------

fn esc(t: &str) -> String {
    scapc_xml::escape_text(t).into_owned()
}

/// Writes one Reference at `indent` spaces.
fn reference(out: &mut String, indent: usize, uri: &str, ty: Option<&str>, digest: &[u8]) {
    let p = " ".repeat(indent);
    let ty = ty.map(|t| format!(" Type=\"{t}\"")).unwrap_or_default();
    out.push_str(&format!(
        "{p}<dsig:Reference URI=\"#{}\"{ty}>\n{p}  <dsig:Transforms>\n{p}    <dsig:Transform Algorithm=\"{C14N11}\"/>\n{p}  </dsig:Transforms>\n{p}  <dsig:DigestMethod Algorithm=\"{SHA256}\"/>\n{p}  <dsig:DigestValue>{}</dsig:DigestValue>\n{p}</dsig:Reference>\n",
        scapc_xml::escape_attr(uri),
        b64(digest)
    ));
}

fn key_info(key: &PublicKey, cert: Option<&Certificate>) -> String {
    let value = match key {
        PublicKey::Rsa { n, e } => format!(
            "      <dsig:KeyValue>\n        <dsig:RSAKeyValue>\n          <dsig:Modulus>{}</dsig:Modulus>\n          <dsig:Exponent>{}</dsig:Exponent>\n        </dsig:RSAKeyValue>\n      </dsig:KeyValue>\n",
            b64(n),
            b64(e)
        ),
        PublicKey::Ec { point } => format!(
            "      <dsig:KeyValue>\n        <dsig11:ECKeyValue xmlns:dsig11=\"{NS_DSIG11}\">\n          <dsig11:NamedCurve URI=\"{P256_URN}\"/>\n          <dsig11:PublicKey>{}</dsig11:PublicKey>\n        </dsig11:ECKeyValue>\n      </dsig:KeyValue>\n",
            b64(point)
        ),
    };
    let x509 = cert.map(|c| format!("      <dsig:X509Data>\n        <dsig:X509Certificate>{}</dsig:X509Certificate>\n      </dsig:X509Data>\n", b64(&c.der))).unwrap_or_default();
    format!("    <dsig:KeyInfo>\n{value}{x509}    </dsig:KeyInfo>\n")
}

/// A fresh id: `base`, or `base-2`, `base-3`, ... if taken.
fn fresh(used: &mut HashSet<String>, base: String) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

/// The byte order mark, if any, and the rest. quick-xml skips a BOM
/// without counting it in its positions, so offsets are taken after it.
fn split_bom(xml: &str) -> (&str, &str) {
    match xml.strip_prefix('\u{feff}') {
        Some(rest) => (&xml[..3], rest),
        None => ("", xml),
    }
}

/// Signs every data stream of a collection. Returns the signed document.
pub fn sign(xml: &str, key: &SigningKey, opts: &SignOptions) -> Result<String, Error> {
    let (bom, xml) = split_bom(xml);
    let doc = open(xml)?;
    let coll = &doc.coll;
    if !coll.signatures.is_empty() {
        return Err(Error::Document(
            "the data stream collection is already signed; remove the existing dsig:Signature elements first".into(),
        ));
    }
    if let Some(c) = &opts.cert {
        if &c.key != key.public_key() {
            return Err(Error::Key("the certificate does not belong to the private key".into()));
        }
    }
    let mut used: HashSet<String> = HashSet::new();
    used.insert(coll.id.clone());
    for c in &coll.components {
        used.insert(c.id.clone());
    }
    for s in &coll.streams {
        if !used.insert(s.id.clone()) {
            return Err(Error::Document(format!(
                "the id `{}` of a data-stream is not unique in the document; a reference to it would be ambiguous",
                s.id
            )));
        }
        for r in &s.refs {
            used.insert(r.id.clone());
        }
    }
    let sig_anc = doc.root.child(&[("dsig".into(), NS_DSIG.into())], &[]);
    // Every data stream and every component it uses, canonicalized once.
    let mut comp_ids: Vec<&str> = Vec::new();
    for s in &coll.streams {
        for r in &s.refs {
            if let Some(t) = r.local_target() {
                if !comp_ids.contains(&t) {
                    comp_ids.push(t);
                }
            }
        }
    }
    let mut jobs: Vec<Job<'_>> =
        coll.streams.iter().map(|s| (s.range.clone(), &doc.root, Mode::C14n11, DigestAlg::Sha256)).collect();
    for t in &comp_ids {
        let c = coll.component(t).ok_or_else(|| Error::Document(format!("component `{t}` is missing")))?;
        jobs.push((c.element.clone(), &doc.root, Mode::C14n11, DigestAlg::Sha256));
    }
    let mut digests = digest_many(xml, &jobs).into_iter();
    let mut stream_digests = Vec::new();
    for _ in &coll.streams {
        stream_digests.push(digests.next().unwrap_or_else(|| Err(Error::Document("internal error".into())))?);
    }
    let mut comp_digests: HashMap<&str, Vec<u8>> = HashMap::new();
    for t in &comp_ids {
        comp_digests.insert(t, digests.next().unwrap_or_else(|| Err(Error::Document("internal error".into())))?);
    }
    let rng = ring::rand::SystemRandom::new();
    let mut sigs = String::new();
    for (s, d_ds) in coll.streams.iter().zip(&stream_digests) {
        let sid = fresh(&mut used, format!("{}_sig", s.id));
        let props_id = fresh(&mut used, format!("{}_sigprops", s.id));
        let man_id = fresh(&mut used, format!("{}_manifest", s.id));
        let nonce = match &opts.nonce {
            Some(n) => n.clone(),
            None => {
                let mut b = [0u8; 16];
                ring::rand::SecureRandom::fill(&rng, &mut b)
                    .map_err(|_| Error::Crypto("no randomness available for the nonce".into()))?;
                b.iter().map(|x| format!("{x:02x}")).collect()
            }
        };
        // The two objects, with the offsets of the elements that SignedInfo references.
        let mut objects = String::new();
        objects.push_str("    <dsig:Object>\n");
        let props_start = objects.len() + 6;
        objects.push_str(&format!(
            "      <dsig:SignatureProperties Id=\"{props_id}\">\n        <dsig:SignatureProperty Target=\"#{sid}\">\n          <tmsad:signature-info xmlns:tmsad=\"{NS_TMSAD}\" xmlns:dc=\"{NS_DC}\">\n            <dc:creator>{}</dc:creator>\n            <dc:date>{}</dc:date>\n            <tmsad:nonce>{}</tmsad:nonce>\n          </tmsad:signature-info>\n        </dsig:SignatureProperty>\n      </dsig:SignatureProperties>",
            esc(&opts.signer),
            esc(&opts.date),
            esc(&nonce)
        ));
        let props_end = objects.len();
        objects.push_str("\n    </dsig:Object>\n    <dsig:Object>\n");
        let man_start = objects.len() + 6;
        objects.push_str(&format!("      <dsig:Manifest Id=\"{man_id}\">\n"));
        for r in &s.refs {
            let Some(t) = r.local_target() else { continue };
            let d = comp_digests.get(t).ok_or_else(|| Error::Document(format!("component `{t}` is missing")))?;
            reference(&mut objects, 8, t, None, d);
        }
        objects.push_str("      </dsig:Manifest>");
        let man_end = objects.len();
        objects.push_str("\n    </dsig:Object>\n");
        let d_props = digest(&objects, props_start..props_end, &sig_anc, Mode::C14n11, DigestAlg::Sha256)?;
        let d_man = digest(&objects, man_start..man_end, &sig_anc, Mode::C14n11, DigestAlg::Sha256)?;
        let mut signed_info = format!(
            "<dsig:SignedInfo>\n      <dsig:CanonicalizationMethod Algorithm=\"{C14N11}\"/>\n      <dsig:SignatureMethod Algorithm=\"{}\"/>\n",
            key.algorithm()
        );
        reference(&mut signed_info, 6, &s.id, None, d_ds);
        reference(&mut signed_info, 6, &props_id, Some(TYPE_PROPS), &d_props);
        reference(&mut signed_info, 6, &man_id, Some(TYPE_MANIFEST), &d_man);
        signed_info.push_str("    </dsig:SignedInfo>");
        let mut canon = Vec::new();
        c14n::canonicalize(&signed_info, 0..signed_info.len(), &sig_anc, Mode::C14n11, &mut canon)
            .map_err(|e| c14n_error(&signed_info, e))?;
        let sv = key.sign(&canon)?;
        sigs.push_str(&format!(
            "  <dsig:Signature xmlns:dsig=\"{NS_DSIG}\" Id=\"{sid}\">\n    {signed_info}\n    <dsig:SignatureValue>{}</dsig:SignatureValue>\n{}{objects}  </dsig:Signature>\n",
            b64(&sv),
            key_info(key.public_key(), opts.cert.as_ref())
        ));
    }
    let mut out = String::with_capacity(bom.len() + xml.len() + sigs.len());
    out.push_str(bom);
    out.push_str(&xml[..coll.root_end]);
    out.push_str(&sigs);
    out.push_str(&xml[coll.root_end..]);
    Ok(out)
}

// --- verification -------------------------------------------------------------

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    DataStream(String),
    Component(String),
    SignatureProperties,
    Manifest,
    /// Anything else, or nothing: the id (or the URI when it is not `#id`).
    Unknown(String),
}

/// The outcome of one Reference.
#[derive(Debug, Clone)]
pub struct RefResult {
    pub uri: String,
    pub target: Target,
    /// In SignedInfo (true) or in the Manifest (false).
    pub signed_info: bool,
    pub ok: bool,
    /// Why it failed.
    pub problem: Option<String>,
}

/// The outcome of one signature.
#[derive(Debug, Clone)]
pub struct SignatureReport {
    /// The Signature's `Id`.
    pub id: String,
    /// The data stream that the first SignedInfo reference points at.
    pub data_stream: Option<String>,
    /// The SignatureMethod.
    pub algorithm: String,
    /// The key that verified the signature value, else the key the
    /// signature carries.
    pub key: Option<PublicKey>,
    /// SHA-256 of that key's SubjectPublicKeyInfo.
    pub fingerprint: Option<String>,
    /// From the TMSAD signature-info.
    pub signer: Option<String>,
    pub date: Option<String>,
    pub nonce: Option<String>,
    /// The SignatureValue verifies over the canonical SignedInfo.
    pub signature_value_ok: bool,
    /// The SignatureValue was checked with a usable key; when false and
    /// the value is not ok, `problems` says why it could not be checked
    /// (no key, unsupported algorithm, RSA key under 1024 bits, ...).
    pub signature_value_checked: bool,
    /// The size of the RSA key (of `key`) when it is under 2048 bits: a
    /// weak key, a finding of its own (see [`PublicKey::weak_rsa_bits`]).
    pub weak_key_bits: Option<usize>,
    /// SignedInfo references first, then the Manifest's.
    pub references: Vec<RefResult>,
    /// Layout and coverage problems (SRC-282..290, TMSAD), unsupported
    /// algorithms, unreadable keys.
    pub problems: Vec<String>,
    /// `Some` when a trust anchor was given: whether the trusted key made
    /// this signature (if no key verifies the signature value: whether
    /// the key that the signature names is the trusted one).
    pub trusted: Option<bool>,
}

impl SignatureReport {
    /// Everything checked out (and the signer is trusted, if a trust
    /// anchor was given). A weak key does not make a signature invalid;
    /// see [`Self::accepted`].
    pub fn valid(&self) -> bool {
        self.intact() && self.trusted != Some(false)
    }

    /// The signature value, every reference and the layout hold,
    /// whoever signed.
    pub fn intact(&self) -> bool {
        self.unchanged() && self.problems.is_empty()
    }

    /// The signature value verifies and every reference's digest matches:
    /// nothing the signature references changed, whatever its layout.
    pub fn unchanged(&self) -> bool {
        self.signature_value_ok && self.references.iter().all(|r| r.ok)
    }

    /// Valid, and made by a key of at least 2048 bits unless weak keys
    /// are allowed.
    pub fn accepted(&self, allow_weak_keys: bool) -> bool {
        self.valid() && (allow_weak_keys || self.weak_key_bits.is_none())
    }

    /// What is wrong with the signature, in one line: the signature value,
    /// each failed reference (naming what changed), the layout problems,
    /// and whether the trusted key made it. Empty when it is valid.
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if !self.signature_value_ok && self.signature_value_checked {
            parts.push("the signature value does not verify".into());
        }
        for x in self.references.iter().filter(|x| !x.ok) {
            let who = match &x.target {
                Target::DataStream(d) => format!("data stream `{d}`"),
                Target::Component(c) => format!("component `{c}`"),
                Target::SignatureProperties => "the signature properties".into(),
                Target::Manifest => "the manifest".into(),
                Target::Unknown(u) => format!("reference `{u}`"),
            };
            parts.push(format!("{who}: {}", x.problem.as_deref().unwrap_or("failed")));
        }
        parts.extend(self.problems.iter().cloned());
        if self.trusted == Some(false) {
            parts.push("it is not made by the trusted key".into());
        }
        parts.join("; ")
    }

    /// The components whose Manifest reference failed.
    pub fn changed_components(&self) -> Vec<&str> {
        self.references
            .iter()
            .filter(|r| !r.ok)
            .filter_map(|r| match &r.target {
                Target::Component(c) => Some(c.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// An element inside a signature.
#[derive(Debug, Clone)]
struct El<'a> {
    ns: String,
    local: &'a str,
    /// (qualified name, normalized value), namespace declarations excluded.
    attrs: Vec<(&'a str, String)>,
    /// Absolute byte range of the element.
    range: Range<usize>,
    /// What the element inherits from its ancestors (shared: most
    /// elements declare nothing).
    anc: Arc<Ancestry>,
    parent: Option<usize>,
    /// Child elements, in order.
    kids: Vec<usize>,
    /// The text directly inside, references resolved.
    text: String,
}

impl El<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str())
    }
    fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// Reads the elements of the signature at `range`; `els[0]` is the
/// Signature element.
fn scan<'a>(doc: &Doc<'a>, range: Range<usize>) -> Result<Vec<El<'a>>, Error> {
    let xml = doc.xml;
    let base = range.start;
    let slice = &xml[range];
    let mut r = Reader::from_str(slice);
    r.config_mut().trim_text(false);
    r.config_mut().check_end_names = true;
    let mut els: Vec<El<'a>> = Vec::new();
    // (element index, what its children inherit)
    let mut open: Vec<(usize, Arc<Ancestry>)> = Vec::new();
    let root = Arc::new(doc.root.clone());
    let mut attrs: Vec<RawAttr<'a>> = Vec::new();
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r.read_event().map_err(|e| {
            xml_error(xml, base + r.error_position() as usize, format!("the signature is not well-formed: {e}"))
        })?;
        let end = r.buffer_position() as usize;
        match ev {
            Event::Start(_) | Event::Empty(_) => {
                if open.len() >= scapc_xml::MAX_DEPTH {
                    let (line, col) = scapc_xml::line_col(xml, base + pos);
                    return Err(Error::Xml { line, col, message: scapc_xml::too_deep(line, col) });
                }
                let empty = matches!(ev, Event::Empty(_));
                let inner_end = if empty { end - 2 } else { end - 1 };
                let tag: &'a str = &xml[base + pos + 1..base + inner_end];
                let name = c14n::parse_tag(tag, base + pos + 1, &mut attrs).map_err(|(o, m)| xml_error(xml, o, m))?;
                let parent_anc = open.last().map(|(_, a)| a).unwrap_or(&root).clone();
                let declares = attrs
                    .iter()
                    .any(|a| a.name == "xmlns" || a.name.starts_with("xmlns:") || a.name.starts_with("xml:"));
                let own = if declares { Arc::new(own_ancestry(xml, &parent_anc, &attrs)?) } else { parent_anc.clone() };
                let (prefix, local) = name.split_once(':').unwrap_or(("", name));
                let ns = own.ns.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.clone());
                let ns = match (ns, prefix) {
                    (Some(u), _) => u,
                    (None, "") => String::new(),
                    (None, p) => {
                        return Err(xml_error(xml, base + pos, format!("the prefix `{p}` of `{name}` is not declared")))
                    }
                };
                let mut plain = Vec::new();
                for a in &attrs {
                    if a.name != "xmlns" && !a.name.starts_with("xmlns:") {
                        let v = c14n::attr_value(a.raw, a.offset).map_err(|(o, m)| xml_error(xml, o, m))?;
                        plain.push((a.name, v.into_owned()));
                    }
                }
                let idx = els.len();
                let start = base + pos;
                let parent = open.last().map(|(i, _)| *i);
                els.push(El {
                    ns,
                    local,
                    attrs: plain,
                    range: start..base + end,
                    anc: parent_anc,
                    parent,
                    kids: Vec::new(),
                    text: String::new(),
                });
                if let Some(p) = parent {
                    els[p].kids.push(idx);
                }
                if !empty {
                    open.push((idx, own));
                }
            }
            Event::End(_) => {
                if let Some((i, _)) = open.pop() {
                    els[i].range.end = base + end;
                }
            }
            Event::Text(_) => {
                if let Some(&(i, _)) = open.last() {
                    els[i].text.push_str(&slice[pos..end]);
                }
            }
            Event::CData(_) => {
                if let Some(&(i, _)) = open.last() {
                    els[i].text.push_str(&slice[pos + 9..end - 3]);
                }
            }
            Event::GeneralRef(_) => {
                let v = c14n::attr_value(&slice[pos..end], base + pos).map_err(|(o, m)| xml_error(xml, o, m))?;
                if let Some(&(i, _)) = open.last() {
                    els[i].text.push_str(&v);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if els.first().is_none_or(|e| !e.is(NS_DSIG, "Signature")) {
        return Err(xml_error(xml, base, "expected a dsig:Signature element"));
    }
    Ok(els)
}

fn children<'e, 'a>(els: &'e [El<'a>], parent: usize, ns: &'e str, local: &'e str) -> impl Iterator<Item = usize> + 'e {
    els[parent].kids.iter().copied().filter(move |&i| els[i].is(ns, local))
}

fn child(els: &[El<'_>], parent: usize, local: &str) -> Option<usize> {
    children(els, parent, NS_DSIG, local).next()
}

/// Elements inside `outer` (by range), with this name.
fn within<'e, 'a>(els: &'e [El<'a>], outer: usize, ns: &'e str, local: &'e str) -> impl Iterator<Item = usize> + 'e {
    let r = els[outer].range.clone();
    els.iter()
        .enumerate()
        .filter(move |(_, e)| e.range.start > r.start && e.range.end <= r.end && e.is(ns, local))
        .map(|(i, _)| i)
}

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Stream(usize),
    Component(usize),
    /// (signature, element)
    Sig(usize, usize),
}

/// The parts of a Reference element.
struct RefInfo {
    uri: String,
    ty: Option<String>,
    method: Result<(Mode, DigestAlg), String>,
    digest_value: Result<Vec<u8>, String>,
}

fn ref_info(els: &[El<'_>], ri: usize) -> RefInfo {
    let r = &els[ri];
    let uri = r.attr("URI").unwrap_or_default().to_owned();
    let ty = r.attr("Type").map(str::to_owned);
    let transforms: Vec<&str> = child(els, ri, "Transforms")
        .map(|t| children(els, t, NS_DSIG, "Transform").map(|x| els[x].attr("Algorithm").unwrap_or_default()).collect())
        .unwrap_or_default();
    let dm = child(els, ri, "DigestMethod").and_then(|d| els[d].attr("Algorithm")).unwrap_or_default();
    // A bare-name "#id" reference already excludes comments, so the
    // WithComments variants canonicalize the same node-set the same way.
    let mode = match transforms.as_slice() {
        [] => Ok(Mode::C14n10),
        [C14N11 | C14N11_COMMENTS] => Ok(Mode::C14n11),
        [C14N10 | C14N10_COMMENTS] => Ok(Mode::C14n10),
        other => Err(format!("unsupported transforms {other:?} (only Canonical XML 1.0 or 1.1 is supported)")),
    };
    let method = mode.and_then(|m| match DigestAlg::from_uri(dm) {
        Some(a) => Ok((m, a)),
        None if dm.is_empty() => Err("the reference has no DigestMethod".into()),
        None => Err(format!("unsupported digest method `{dm}` (SHA-256, SHA-384 and SHA-512 are supported)")),
    });
    let digest_value = match child(els, ri, "DigestValue") {
        Some(d) => unb64(&els[d].text).map_err(|e| format!("the DigestValue is not base64: {e}")),
        None => Err("the reference has no DigestValue".into()),
    };
    RefInfo { uri, ty, method, digest_value }
}

/// Verifies every signature of a collection.
///
/// `Err` means the document cannot be examined (not well-formed, not a
/// data stream, hostile, or not signed). Otherwise there is one report per
/// signature; [`SignatureReport::valid`] tells whether it holds.
pub fn verify(xml: &str, trust: Option<&PublicKey>) -> Result<Vec<SignatureReport>, Error> {
    let (_, xml) = split_bom(xml);
    let doc = open(xml)?;
    if doc.coll.signatures.is_empty() {
        return Err(Error::Document("the data stream is not signed (no dsig:Signature in the collection)".into()));
    }
    verify_signatures(&doc, trust)
}

/// Verifies every signature of a collection, then works out which data
/// streams, with every component they reach, the accepted signatures
/// cover ([`crate::coverage`]).
///
/// An unsigned collection is not an error here: it gives no signatures
/// and every stream uncovered. `Err` means the document cannot be
/// examined.
pub fn verify_document(xml: &str, trust: Option<&PublicKey>, allow_weak_keys: bool) -> Result<Verification, Error> {
    let (bom, xml) = split_bom(xml);
    let doc = open(xml)?;
    let signatures = if doc.coll.signatures.is_empty() { Vec::new() } else { verify_signatures(&doc, trust)? };
    let (streams, unreached) = crate::coverage::streams(&doc.coll, &signatures, allow_weak_keys, bom.len());
    Ok(Verification { signatures, streams, unreached, trust_anchor: trust.is_some(), allow_weak_keys })
}

/// Everything [`verify_document`] found.
#[derive(Debug, Clone)]
pub struct Verification {
    /// One report per signature, in document order.
    pub signatures: Vec<SignatureReport>,
    /// One entry per data stream, in document order.
    pub streams: Vec<crate::coverage::StreamCoverage>,
    /// Components that no data stream reaches and no accepted signature
    /// covers, in document order.
    pub unreached: Vec<String>,
    /// A trust anchor was given.
    pub trust_anchor: bool,
    /// Signatures by RSA keys under 2048 bits count.
    pub allow_weak_keys: bool,
}

impl Verification {
    /// The coverage of the data stream with this id.
    pub fn stream(&self, id: &str) -> Option<&crate::coverage::StreamCoverage> {
        self.streams.iter().find(|s| s.id == id)
    }

    /// Every finding, in a stable order: invalid signatures, weak keys,
    /// then what no accepted signature covers.
    pub fn findings(&self) -> Vec<crate::coverage::Finding> {
        crate::coverage::findings(self)
    }

    /// No finding that fails verification: every signature valid, no weak
    /// key (unless allowed), and, with a trust anchor, every stream and
    /// component covered.
    pub fn passes(&self) -> bool {
        !self.signatures.is_empty() && self.findings().iter().all(|f| !f.fails)
    }
}

fn verify_signatures(doc: &Doc<'_>, trust: Option<&PublicKey>) -> Result<Vec<SignatureReport>, Error> {
    let xml = doc.xml;
    let coll = &doc.coll;
    let trees: Vec<Vec<El<'_>>> = coll.signatures.iter().map(|r| scan(doc, r.clone())).collect::<Result<_, _>>()?;
    // Every id a reference may name, and how many elements carry it.
    let mut index: HashMap<&str, Vec<Node>> = HashMap::new();
    for (i, s) in coll.streams.iter().enumerate() {
        index.entry(s.id.as_str()).or_default().push(Node::Stream(i));
    }
    for (i, c) in coll.components.iter().enumerate() {
        index.entry(c.id.as_str()).or_default().push(Node::Component(i));
    }
    for (k, els) in trees.iter().enumerate() {
        for (i, e) in els.iter().enumerate() {
            if let Some(id) = e.attr("Id") {
                index.entry(id).or_default().push(Node::Sig(k, i));
            }
        }
    }
    let node_range = |n: Node| -> (Range<usize>, &Ancestry) {
        match n {
            Node::Stream(i) => (coll.streams[i].range.clone(), &doc.root),
            Node::Component(i) => (coll.components[i].element.clone(), &doc.root),
            Node::Sig(k, i) => (trees[k][i].range.clone(), &trees[k][i].anc),
        }
    };
    // Digests of the data streams and components that references name,
    // computed once each, in parallel.
    let mut wanted: Vec<(Node, Mode, DigestAlg)> = Vec::new();
    let mut seen: HashSet<(Node, Mode, DigestAlg)> = HashSet::new();
    for els in &trees {
        for (ri, e) in els.iter().enumerate() {
            if !e.is(NS_DSIG, "Reference") {
                continue;
            }
            let info = ref_info(els, ri);
            if let (Ok((m, a)), Some(id)) = (&info.method, info.uri.strip_prefix('#')) {
                if let Some([n @ (Node::Stream(_) | Node::Component(_))]) = index.get(id).map(Vec::as_slice) {
                    if seen.insert((*n, *m, *a)) {
                        wanted.push((*n, *m, *a));
                    }
                }
            }
        }
    }
    let jobs: Vec<_> = wanted
        .iter()
        .map(|&(n, m, a)| {
            let (r, anc) = node_range(n);
            (r, anc, m, a)
        })
        .collect();
    let mut cache: HashMap<(Node, Mode, DigestAlg), Result<Vec<u8>, Error>> =
        wanted.iter().copied().zip(digest_many(xml, &jobs)).collect();
    let mut reports = Vec::new();
    for (k, els) in trees.iter().enumerate() {
        reports.push(verify_one(doc, k, els, &index, &mut cache, &node_range, trust));
    }
    Ok(reports)
}

fn what(t: &Target) -> &'static str {
    match t {
        Target::DataStream(_) => "the data stream",
        Target::Component(_) => "the component",
        Target::SignatureProperties => "the signature properties",
        Target::Manifest => "the manifest",
        Target::Unknown(_) => "the element",
    }
}

#[allow(clippy::too_many_arguments)]
fn verify_one<'a>(
    doc: &Doc<'a>,
    k: usize,
    els: &[El<'a>],
    index: &HashMap<&str, Vec<Node>>,
    cache: &mut HashMap<(Node, Mode, DigestAlg), Result<Vec<u8>, Error>>,
    node_range: &dyn Fn(Node) -> (Range<usize>, &'a Ancestry),
    trust: Option<&PublicKey>,
) -> SignatureReport {
    let xml = doc.xml;
    let coll = &doc.coll;
    let sig = 0usize;
    let sig_id = els[sig].attr("Id").unwrap_or_default().to_owned();
    let mut rep = SignatureReport {
        id: sig_id.clone(),
        data_stream: None,
        algorithm: String::new(),
        key: None,
        fingerprint: None,
        signer: None,
        date: None,
        nonce: None,
        signature_value_ok: false,
        signature_value_checked: false,
        weak_key_bits: None,
        references: Vec::new(),
        problems: Vec::new(),
        trusted: None,
    };
    let Some(si) = child(els, sig, "SignedInfo") else {
        rep.problems.push("the signature has no SignedInfo".into());
        return rep;
    };
    // Checks the references of SignedInfo or of a Manifest.
    let mut check_refs =
        |parent: usize, in_si: bool, rep: &mut SignatureReport| -> Vec<(Option<Node>, Option<String>)> {
            let mut nodes = Vec::new();
            for ri in children(els, parent, NS_DSIG, "Reference") {
                let info = ref_info(els, ri);
                let id = info.uri.strip_prefix('#');
                let found = id.and_then(|i| index.get(i)).map(Vec::as_slice).unwrap_or(&[]);
                let node = match found {
                    [n] => Some(*n),
                    _ => None,
                };
                let target = match (node, id) {
                    (Some(Node::Stream(i)), _) => Target::DataStream(coll.streams[i].id.clone()),
                    (Some(Node::Component(i)), _) => Target::Component(coll.components[i].id.clone()),
                    (Some(Node::Sig(k2, e)), _) if k2 == k && els[e].is(NS_DSIG, "SignatureProperties") => {
                        Target::SignatureProperties
                    }
                    (Some(Node::Sig(k2, e)), _) if k2 == k && els[e].is(NS_DSIG, "Manifest") => Target::Manifest,
                    (_, Some(id)) => Target::Unknown(id.to_owned()),
                    (_, None) => Target::Unknown(info.uri.clone()),
                };
                let problem: Option<String> = (|| {
                    let id = id.ok_or_else(|| {
                        format!("`{}` is not a same-document reference (#id); only those are allowed", info.uri)
                    })?;
                    let n = match found {
                        [] => return Err(format!("`#{id}` points at nothing in this document")),
                        [n] => *n,
                        more => {
                            return Err(format!(
                                "the id `{id}` is carried by {} elements; the reference is ambiguous",
                                more.len()
                            ))
                        }
                    };
                    if let Node::Sig(k2, _) = n {
                        if k2 != k {
                            return Err(format!("`#{id}` points into another signature"));
                        }
                    }
                    let (mode, alg) = info.method.clone()?;
                    let want = info.digest_value.clone()?;
                    let got = match cache.get(&(n, mode, alg)) {
                        Some(r) => r.clone(),
                        None => {
                            let (range, anc) = node_range(n);
                            let r = digest(xml, range, anc, mode, alg);
                            cache.insert((n, mode, alg), r.clone());
                            r
                        }
                    };
                    let got = got.map_err(|e| format!("cannot be canonicalized: {e}"))?;
                    if got != want {
                        return Err(format!("the digest does not match: {} changed after signing", what(&target)));
                    }
                    Ok(())
                })()
                .err();
                nodes.push((node, info.ty));
                rep.references.push(RefResult {
                    uri: info.uri,
                    target,
                    signed_info: in_si,
                    ok: problem.is_none(),
                    problem,
                });
            }
            nodes
        };
    let si_nodes = check_refs(si, true, &mut rep);
    // Layout: SRC-286, 287, 288 and the TMSAD Type attributes.
    match rep.references.first().map(|r| &r.target) {
        Some(Target::DataStream(d)) => rep.data_stream = Some(d.clone()),
        _ => {
            rep.problems.push("SRC-286: the first SignedInfo reference must point at the signed ds:data-stream".into())
        }
    }
    let own_el = |n: Option<&(Option<Node>, Option<String>)>, local: &str| -> Option<usize> {
        match n {
            Some((Some(Node::Sig(k2, e)), _)) if *k2 == k && els[*e].is(NS_DSIG, local) => Some(*e),
            _ => None,
        }
    };
    let props = own_el(si_nodes.get(1), "SignatureProperties");
    if props.is_none() {
        rep.problems.push(
            "SRC-287: the second SignedInfo reference must point at a dsig:SignatureProperties of this signature"
                .into(),
        );
    } else if si_nodes[1].1.as_deref() != Some(TYPE_PROPS) {
        rep.problems.push(format!("TMSAD: the reference to the SignatureProperties must have Type=\"{TYPE_PROPS}\""));
    }
    let manifest = own_el(si_nodes.get(2), "Manifest");
    if manifest.is_none() {
        rep.problems
            .push("SRC-288: the third SignedInfo reference must point at a dsig:Manifest of this signature".into());
    } else if si_nodes[2].1.as_deref() != Some(TYPE_MANIFEST) {
        rep.problems.push(format!("TMSAD: the reference to the Manifest must have Type=\"{TYPE_MANIFEST}\""));
    }
    // Only the Manifest that SignedInfo covers counts.
    if let Some(m) = manifest {
        check_refs(m, false, &mut rep);
    }
    let si_uris: HashSet<&str> = rep.references.iter().filter(|r| r.signed_info).map(|r| r.uri.as_str()).collect();
    let mut unreferenced = Vec::new();
    for (i, e) in els.iter().enumerate() {
        if e.is(NS_DSIG, "Manifest") && Some(i) != manifest {
            let referenced = e.attr("Id").is_some_and(|id| si_uris.contains(format!("#{id}").as_str()));
            if !referenced {
                unreferenced.push(format!(
                    "TMSAD: the Manifest `{}` is not referenced by SignedInfo, so nothing vouches for it",
                    e.attr("Id").unwrap_or("")
                ));
            }
        }
    }
    rep.problems.extend(unreferenced);
    // SRC-282: one data stream per signature.
    let streams: HashSet<&str> = rep
        .references
        .iter()
        .filter_map(|r| if let Target::DataStream(d) = &r.target { Some(d.as_str()) } else { None })
        .collect();
    if streams.len() > 1 {
        rep.problems
            .push(format!("SRC-282: the signature covers {} data streams; it must sign only one", streams.len()));
    }
    // SRC-284: every local component of the signed stream is in the Manifest.
    if let (Some(ds), Some(_)) = (&rep.data_stream, manifest) {
        if let Some(s) = coll.streams.iter().find(|s| &s.id == ds) {
            let covered: HashSet<&str> = rep
                .references
                .iter()
                .filter(|x| !x.signed_info)
                .filter_map(|x| if let Target::Component(c) = &x.target { Some(c.as_str()) } else { None })
                .collect();
            let mut missing = Vec::new();
            for r in &s.refs {
                if let Some(t) = r.local_target() {
                    if !covered.contains(t) {
                        missing.push(format!("SRC-284: component `{t}` is used by the data stream but not covered by the signature's Manifest"));
                    }
                }
            }
            rep.problems.extend(missing);
        }
    }
    // SRC-285: the TMSAD signature-info of the referenced SignatureProperties.
    if let Some(p) = props {
        match within(els, p, NS_TMSAD, "signature-info").next() {
            None => rep.problems.push("SRC-285: the SignatureProperties hold no tmsad:signature-info".into()),
            Some(info) => {
                let creators: Vec<String> =
                    within(els, info, NS_DC, "creator").map(|i| els[i].text.trim().to_owned()).collect();
                if !creators.is_empty() {
                    rep.signer = Some(creators.join(", "));
                }
                rep.date = within(els, info, NS_DC, "date").next().map(|i| els[i].text.trim().to_owned());
                rep.nonce = within(els, info, NS_TMSAD, "nonce").next().map(|i| els[i].text.trim().to_owned());
                if let Some(pi) = els[info].parent.filter(|&pi| els[pi].is(NS_DSIG, "SignatureProperty")) {
                    let t = els[pi].attr("Target").unwrap_or_default();
                    if t != format!("#{sig_id}") {
                        rep.problems.push(format!(
                            "the SignatureProperty's Target `{t}` does not point at this signature (`#{sig_id}`)"
                        ));
                    }
                }
            }
        }
    }
    // The signature value.
    rep.algorithm =
        child(els, si, "SignatureMethod").and_then(|m| els[m].attr("Algorithm")).unwrap_or_default().to_owned();
    let c14n_alg = child(els, si, "CanonicalizationMethod").and_then(|m| els[m].attr("Algorithm")).unwrap_or_default();
    let mode = match c14n_alg {
        C14N11 => Some(Mode::C14n11),
        C14N10 => Some(Mode::C14n10),
        other => {
            rep.problems.push(format!("unsupported CanonicalizationMethod `{other}` (Canonical XML 1.0 and 1.1 without comments are supported)"));
            None
        }
    };
    if rep.algorithm != ALG_RSA_SHA256 && rep.algorithm != ALG_ECDSA_SHA256 {
        rep.problems.push(format!(
            "unsupported SignatureMethod `{}` (rsa-sha256 and ecdsa-sha256 are supported)",
            rep.algorithm
        ));
    }
    let candidates = embedded_keys(els, sig, &mut rep.problems);
    let sv = match child(els, sig, "SignatureValue").map(|i| unb64(&els[i].text)) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            rep.problems.push(format!("the SignatureValue is not base64: {e}"));
            None
        }
        None => {
            rep.problems.push("the signature has no SignatureValue".into());
            None
        }
    };
    let canon = mode.and_then(|m| {
        let mut v = Vec::new();
        match c14n::canonicalize(xml, els[si].range.clone(), &els[si].anc, m, &mut v) {
            Ok(()) => Some(v),
            Err(e) => {
                rep.problems.push(format!("SignedInfo cannot be canonicalized: {}", c14n_error(xml, e)));
                None
            }
        }
    });
    let verifies = |key: &PublicKey| match (&canon, &sv) {
        (Some(c), Some(s)) => key.verify(&rep.algorithm, c, s),
        _ => false,
    };
    // The trusted key first: KeyInfo is only a hint, a signature that the
    // trusted key verifies is trusted whatever KeyInfo says.
    let mut chosen: Option<PublicKey> = None;
    if let Some(t) = trust {
        if verifies(t) {
            rep.signature_value_ok = true;
            chosen = Some(t.clone());
        }
    } else if candidates.is_empty() {
        rep.problems.push(
            "the signature carries no key (KeyInfo/KeyValue or X509Certificate) and no trusted key was given".into(),
        );
    }
    if chosen.is_none() {
        if let Some(c) = candidates.iter().find(|c| verifies(c)) {
            rep.signature_value_ok = true;
            chosen = Some(c.clone());
        } else {
            chosen = candidates.first().cloned();
        }
    }
    if let Some(key) = &chosen {
        rep.signature_value_checked = rep.signature_value_ok;
        if !rep.signature_value_ok {
            if key.algorithm() != rep.algorithm {
                rep.problems.push(format!(
                    "the key is {} but the SignatureMethod is `{}`",
                    if matches!(key, PublicKey::Rsa { .. }) { "an RSA key" } else { "an ECDSA key" },
                    rep.algorithm
                ));
            } else if matches!(key, PublicKey::Rsa { .. }) && key.rsa_bits() < PublicKey::RSA_MIN_BITS {
                rep.problems.push(format!(
                    "the RSA key has {} bits; signatures by keys under {} bits cannot be checked",
                    key.rsa_bits(),
                    PublicKey::RSA_MIN_BITS
                ));
            } else {
                rep.signature_value_checked = canon.is_some() && sv.is_some();
            }
        }
        rep.weak_key_bits = key.weak_rsa_bits();
        rep.fingerprint = Some(key.fingerprint());
    }
    // Trusted: the trusted key made the signature. When no key verifies
    // it, this tells whether the key the signature claims is the trusted
    // one (the signature value is reported bad either way).
    if let Some(t) = trust {
        rep.trusted = Some(chosen.as_ref() == Some(t));
    }
    rep.key = chosen;
    rep
}

/// The keys in KeyInfo: the KeyValue first, then certificates' keys.
fn embedded_keys(els: &[El<'_>], sig: usize, problems: &mut Vec<String>) -> Vec<PublicKey> {
    let Some(ki) = child(els, sig, "KeyInfo") else { return Vec::new() };
    let mut keys = Vec::new();
    let mut value_key = None;
    if let Some(rsa) = within(els, ki, NS_DSIG, "RSAKeyValue").next() {
        let part = |name: &str| {
            within(els, rsa, NS_DSIG, name)
                .next()
                .map(|i| unb64(&els[i].text))
                .unwrap_or_else(|| Err(format!("no {name}")))
        };
        match (part("Modulus"), part("Exponent")) {
            (Ok(n), Ok(e)) => {
                let strip = |v: Vec<u8>| -> Vec<u8> {
                    let s: Vec<u8> = v.iter().copied().skip_while(|b| *b == 0).collect();
                    if s.is_empty() {
                        vec![0]
                    } else {
                        s
                    }
                };
                value_key = Some(PublicKey::Rsa { n: strip(n), e: strip(e) });
            }
            (Err(e), _) | (_, Err(e)) => problems.push(format!("the RSAKeyValue cannot be read: {e}")),
        }
    } else if let Some(ec) = within(els, ki, NS_DSIG11, "ECKeyValue").next() {
        let curve =
            within(els, ec, NS_DSIG11, "NamedCurve").next().and_then(|i| els[i].attr("URI")).unwrap_or_default();
        if curve != P256_URN {
            problems.push(format!("the ECKeyValue names the curve `{curve}`; only P-256 ({P256_URN}) is supported"));
        } else {
            match within(els, ec, NS_DSIG11, "PublicKey").next().map(|i| unb64(&els[i].text)) {
                Some(Ok(p)) if p.len() == 65 && p[0] == 4 => value_key = Some(PublicKey::Ec { point: p }),
                Some(Ok(_)) => problems.push("the ECKeyValue's PublicKey is not an uncompressed P-256 point".into()),
                Some(Err(e)) => problems.push(format!("the ECKeyValue cannot be read: {e}")),
                None => problems.push("the ECKeyValue has no PublicKey".into()),
            }
        }
    }
    let mut cert_keys = Vec::new();
    for i in within(els, ki, NS_DSIG, "X509Certificate") {
        match unb64(&els[i].text).map_err(crate::Error::Key).and_then(|d| Certificate::from_der(&d)) {
            Ok(c) => cert_keys.push(c.key),
            Err(e) => problems.push(format!("an X509Certificate cannot be read: {e}")),
        }
    }
    if let Some(v) = value_key {
        if !cert_keys.is_empty() && !cert_keys.contains(&v) {
            problems.push("the KeyValue and the X509Certificate hold different keys".into());
        }
        keys.push(v);
    }
    for c in cert_keys {
        if !keys.contains(&c) {
            keys.push(c);
        }
    }
    keys
}
