//! Signing and verifying the signatures of a source data stream.
//!
//! Layout (SP 800-126r3 §3.11, SRC-282 to SRC-290), one signature per data
//! stream, appended as the last children of the collection:
//!
//! ```text
//! dsig:Signature Id=<stream>-sig
//!   SignedInfo: c14n 1.1, rsa-sha256 | ecdsa-sha256
//!     Reference #<data-stream id>
//!     Reference #<SignatureProperties Id>  Type=...#SignatureProperties
//!     Reference #<Manifest Id>             Type=...#Manifest
//!   SignatureValue
//!   KeyInfo: KeyValue [X509Data]
//!   Object/SignatureProperties/SignatureProperty/tmsad:signature-info (dc:creator, dc:date, nonce)
//!   Object/Manifest: one Reference per local component, in component-ref order
//! ```

use crate::c14n;
use crate::keys::{self, b64, unb64, Certificate, PublicKey, SigningKey};
use quick_xml::events::Event;
use quick_xml::Reader;
use scapc_datastream::read::{self, Collection};
use std::collections::HashMap;
use std::ops::Range;

pub const NS_DSIG: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_DSIG11: &str = "http://www.w3.org/2009/xmldsig11#";
pub const NS_TMSAD: &str = "http://scap.nist.gov/schema/xml-dsig/1.0";
pub const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
pub const C14N11: &str = "http://www.w3.org/2006/12/xml-c14n11";
pub const C14N10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
pub const TYPE_PROPS: &str = "http://www.w3.org/2000/09/xmldsig#SignatureProperties";
pub const TYPE_MANIFEST: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";

#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// Who signs (TMSAD dc:creator).
    pub signer: String,
    /// xs:dateTime of the signature (TMSAD dc:date).
    pub date: String,
    /// Nonce; random when `None`.
    pub nonce: Option<String>,
    pub cert: Option<Certificate>,
}

fn digest_of(xml: &str, range: Range<usize>, inherited: &[(String, String)]) -> Result<String, String> {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    c14n::canonicalize(&xml[range], inherited, &mut ctx)?;
    Ok(b64(ctx.finish().as_ref()))
}

fn reference(uri: &str, ty: Option<&str>, digest: &str) -> String {
    let ty = ty.map(|t| format!(" Type=\"{t}\"")).unwrap_or_default();
    format!(
        "<dsig:Reference URI=\"#{uri}\"{ty}><dsig:Transforms><dsig:Transform Algorithm=\"{C14N11}\"/></dsig:Transforms><dsig:DigestMethod Algorithm=\"{SHA256}\"/><dsig:DigestValue>{digest}</dsig:DigestValue></dsig:Reference>"
    )
}

fn key_info(key: &PublicKey, cert: Option<&Certificate>) -> String {
    let value = match key {
        PublicKey::Rsa { n, e } => format!(
            "<dsig:KeyValue><dsig:RSAKeyValue><dsig:Modulus>{}</dsig:Modulus><dsig:Exponent>{}</dsig:Exponent></dsig:RSAKeyValue></dsig:KeyValue>",
            b64(n),
            b64(e)
        ),
        PublicKey::Ec { point } => format!(
            "<dsig:KeyValue><dsig11:ECKeyValue xmlns:dsig11=\"{NS_DSIG11}\"><dsig11:NamedCurve URI=\"urn:oid:1.2.840.10045.3.1.7\"/><dsig11:PublicKey>{}</dsig11:PublicKey></dsig11:ECKeyValue></dsig:KeyValue>",
            b64(point)
        ),
    };
    let x509 = cert.map(|c| format!("<dsig:X509Data><dsig:X509Certificate>{}</dsig:X509Certificate></dsig:X509Data>", b64(&c.der))).unwrap_or_default();
    format!("<dsig:KeyInfo>{value}{x509}</dsig:KeyInfo>")
}

/// Finds `needle` (a start tag prefix) in `hay` and returns the range of
/// that element, given its closing tag.
fn element_range(hay: &str, start_tag: &str, end_tag: &str) -> Range<usize> {
    let s = hay.find(start_tag).expect("the element was just written");
    let e = hay[s..].find(end_tag).expect("the element was just written") + s + end_tag.len();
    s..e
}

/// Signs every data stream of a collection. Returns the signed document.
pub fn sign(xml: &str, key: &SigningKey, opts: &SignOptions) -> Result<String, String> {
    let coll = read::read(xml).map_err(|e| format!("{}:{}: {}", e.line, e.col, e.message))?;
    if !coll.signatures.is_empty() {
        return Err("the data stream collection is already signed; remove the existing dsig:Signature elements first".into());
    }
    if let (Some(c), pk) = (&opts.cert, key.public()) {
        if c.key != pk {
            return Err("the certificate does not belong to the private key".into());
        }
    }
    let root_ns = coll.root_ns.clone();
    let mut sig_ns = root_ns.clone();
    sig_ns.push(("dsig".into(), NS_DSIG.into()));
    let rng = ring::rand::SystemRandom::new();
    let mut sigs = String::new();
    for s in &coll.streams {
        let sid = format!("{}_sig", s.id);
        let props_id = format!("{}_sigprops", s.id);
        let man_id = format!("{}_manifest", s.id);
        let d_ds = digest_of(xml, s.range.clone(), &root_ns)?;
        let mut man_refs = String::new();
        for r in &s.refs {
            let Some(t) = r.local_target() else { continue };
            let comp = coll.component(t).ok_or_else(|| format!("component `{t}` is missing"))?;
            man_refs.push_str(&reference(&comp.id, None, &digest_of(xml, comp.element.clone(), &root_ns)?));
        }
        let nonce = match &opts.nonce {
            Some(n) => n.clone(),
            None => {
                let mut b = [0u8; 16];
                ring::rand::SecureRandom::fill(&rng, &mut b).map_err(|_| "no randomness available")?;
                b.iter().map(|x| format!("{x:02x}")).collect()
            }
        };
        let esc = |t: &str| scapc_xml::escape_text(t).into_owned();
        let objects = format!(
            "<dsig:Object><dsig:SignatureProperties Id=\"{props_id}\"><dsig:SignatureProperty Target=\"#{sid}\"><tmsad:signature-info xmlns:tmsad=\"{NS_TMSAD}\" xmlns:dc=\"{NS_DC}\"><dc:creator>{}</dc:creator><dc:date>{}</dc:date><tmsad:nonce>{nonce}</tmsad:nonce></tmsad:signature-info></dsig:SignatureProperty></dsig:SignatureProperties></dsig:Object><dsig:Object><dsig:Manifest Id=\"{man_id}\">{man_refs}</dsig:Manifest></dsig:Object>",
            esc(&opts.signer),
            esc(&opts.date)
        );
        let pr = element_range(&objects, "<dsig:SignatureProperties ", "</dsig:SignatureProperties>");
        let d_props = digest_of(&objects, pr, &sig_ns)?;
        let mr = element_range(&objects, "<dsig:Manifest ", "</dsig:Manifest>");
        let d_man = digest_of(&objects, mr, &sig_ns)?;
        let signed_info = format!(
            "<dsig:SignedInfo><dsig:CanonicalizationMethod Algorithm=\"{C14N11}\"/><dsig:SignatureMethod Algorithm=\"{}\"/>{}{}{}</dsig:SignedInfo>",
            key.algorithm(),
            reference(&s.id, None, &d_ds),
            reference(&props_id, Some(TYPE_PROPS), &d_props),
            reference(&man_id, Some(TYPE_MANIFEST), &d_man)
        );
        let mut canon = Vec::new();
        c14n::canonicalize(&signed_info, &sig_ns, &mut canon)?;
        let sv = key.sign(&canon)?;
        sigs.push_str(&format!(
            "  <dsig:Signature xmlns:dsig=\"{NS_DSIG}\" Id=\"{sid}\">{signed_info}<dsig:SignatureValue>{}</dsig:SignatureValue>{}{objects}</dsig:Signature>\n",
            b64(&sv),
            key_info(&key.public(), opts.cert.as_ref())
        ));
    }
    let mut out = String::with_capacity(xml.len() + sigs.len());
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
    Unknown(String),
}

#[derive(Debug, Clone)]
pub struct RefResult {
    pub uri: String,
    pub target: Target,
    /// In SignedInfo (true) or in the Manifest (false).
    pub signed_info: bool,
    pub ok: bool,
    pub problem: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SignatureReport {
    pub id: String,
    pub data_stream: Option<String>,
    pub algorithm: String,
    pub key: Option<PublicKey>,
    pub fingerprint: Option<String>,
    pub signer: Option<String>,
    pub date: Option<String>,
    pub signature_value_ok: bool,
    pub references: Vec<RefResult>,
    /// Layout and coverage problems (SRC-286..288, uncovered components).
    pub problems: Vec<String>,
    /// `Some` when a trust anchor was given.
    pub trusted: Option<bool>,
}

impl SignatureReport {
    pub fn valid(&self) -> bool {
        self.signature_value_ok && self.references.iter().all(|r| r.ok) && self.problems.is_empty() && self.trusted != Some(false)
    }
}

/// An element found in a signature.
#[derive(Debug, Clone)]
struct El {
    local: String,
    ns: String,
    attrs: HashMap<String, String>,
    range: Range<usize>,
    /// Namespace declarations in scope from its ancestors (within the
    /// document), outermost first.
    inherited: Vec<(String, String)>,
    parent: Option<usize>,
    text: String,
}

/// Reads the elements of a signature slice (absolute offsets).
fn scan(xml: &str, range: Range<usize>, outer: &[(String, String)]) -> Result<Vec<El>, String> {
    let slice = &xml[range.clone()];
    let mut r = Reader::from_str(slice);
    r.config_mut().trim_text(false);
    let mut els: Vec<El> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let mut scopes: Vec<Vec<(String, String)>> = vec![outer.to_vec()];
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r.read_event().map_err(|e| format!("the signature is not well-formed: {e}"))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let inherited = scopes.last().unwrap().clone();
                let (decls, plain) = scapc_xml::split_attributes(e).unwrap_or_default();
                let mut own = inherited.clone();
                own.extend(decls);
                let attrs: HashMap<String, String> = plain.into_iter().collect();
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let (p, l) = name.split_once(':').map(|(p, l)| (p.to_owned(), l.to_owned())).unwrap_or((String::new(), name.clone()));
                let ns = own.iter().rev().find(|(q, _)| *q == p).map(|(_, u)| u.clone()).unwrap_or_default();
                let idx = els.len();
                let empty = matches!(ev, Event::Empty(_));
                let end = if empty { range.start + r.buffer_position() as usize } else { 0 };
                els.push(El { local: l, ns, attrs, range: range.start + pos..end, inherited, parent: open.last().copied(), text: String::new() });
                if !empty {
                    open.push(idx);
                    scopes.push(own);
                }
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    els[i].text.push_str(&t.decode().map(|c| c.into_owned()).unwrap_or_default());
                }
            }
            Event::End(_) => {
                if let Some(i) = open.pop() {
                    els[i].range.end = range.start + r.buffer_position() as usize;
                }
                scopes.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(els)
}

fn children<'a>(els: &'a [El], parent: usize, local: &'a str) -> impl Iterator<Item = (usize, &'a El)> + 'a {
    els.iter().enumerate().filter(move |(_, e)| e.parent == Some(parent) && e.local == local && e.ns == NS_DSIG)
}

fn child(els: &[El], parent: usize, local: &str) -> Option<(usize, El)> {
    children(els, parent, local).next().map(|(i, e)| (i, e.clone()))
}

/// Verifies every signature of a collection.
pub fn verify(xml: &str, trust: Option<&PublicKey>) -> Result<Vec<SignatureReport>, String> {
    let coll: Collection<'_> = read::read(xml).map_err(|e| format!("{}:{}: {}", e.line, e.col, e.message))?;
    if coll.signatures.is_empty() {
        return Err("the data stream is not signed (no dsig:Signature in the collection)".into());
    }
    let root_ns = coll.root_ns.clone();
    let mut reports = Vec::new();
    for sr in &coll.signatures {
        let els = scan(xml, sr.clone(), &root_ns)?;
        let sig = 0usize;
        let mut rep = SignatureReport {
            id: els[sig].attrs.get("Id").cloned().unwrap_or_default(),
            data_stream: None,
            algorithm: String::new(),
            key: None,
            fingerprint: None,
            signer: None,
            date: None,
            signature_value_ok: false,
            references: Vec::new(),
            problems: Vec::new(),
            trusted: None,
        };
        let Some((si_idx, si)) = child(&els, sig, "SignedInfo") else {
            rep.problems.push("the signature has no SignedInfo".into());
            reports.push(rep);
            continue;
        };
        let c14n_alg = child(&els, si_idx, "CanonicalizationMethod").and_then(|(_, e)| e.attrs.get("Algorithm").cloned()).unwrap_or_default();
        if c14n_alg != C14N11 && c14n_alg != C14N10 {
            rep.problems.push(format!("unsupported canonicalization `{c14n_alg}`"));
        }
        rep.algorithm = child(&els, si_idx, "SignatureMethod").and_then(|(_, e)| e.attrs.get("Algorithm").cloned()).unwrap_or_default();
        // Ids inside the signature.
        let mut ids: HashMap<String, usize> = HashMap::new();
        for (i, e) in els.iter().enumerate() {
            if let Some(id) = e.attrs.get("Id") {
                ids.insert(id.clone(), i);
            }
        }
        let resolve = |uri: &str| -> (Target, Option<Result<String, String>>) {
            let Some(id) = uri.strip_prefix('#') else {
                return (Target::Unknown(uri.to_owned()), Some(Err("only same-document references (#id) are allowed".into())));
            };
            if let Some(s) = coll.streams.iter().find(|s| s.id == id) {
                return (Target::DataStream(id.to_owned()), Some(digest_of(xml, s.range.clone(), &root_ns)));
            }
            if let Some(c) = coll.component(id) {
                return (Target::Component(id.to_owned()), Some(digest_of(xml, c.element.clone(), &root_ns)));
            }
            if let Some(&i) = ids.get(id) {
                let e = &els[i];
                let t = match e.local.as_str() {
                    "SignatureProperties" => Target::SignatureProperties,
                    "Manifest" => Target::Manifest,
                    _ => Target::Unknown(id.to_owned()),
                };
                return (t, Some(digest_of(xml, e.range.clone(), &e.inherited)));
            }
            (Target::Unknown(id.to_owned()), None)
        };
        let check_refs = |parent: usize, in_si: bool, rep: &mut SignatureReport| {
            for (ri, r) in children(&els, parent, "Reference") {
                let uri = r.attrs.get("URI").cloned().unwrap_or_default();
                let want = child(&els, ri, "DigestValue").map(|(_, e)| e.text.trim().to_owned()).unwrap_or_default();
                let dm = child(&els, ri, "DigestMethod").and_then(|(_, e)| e.attrs.get("Algorithm").cloned()).unwrap_or_default();
                let transforms: Vec<String> = child(&els, ri, "Transforms")
                    .map(|(ti, _)| children(&els, ti, "Transform").filter_map(|(_, t)| t.attrs.get("Algorithm").cloned()).collect())
                    .unwrap_or_default();
                let (target, got) = resolve(&uri);
                let (ok, problem) = if dm != SHA256 {
                    (false, Some(format!("unsupported digest method `{dm}`")))
                } else if transforms.iter().any(|t| t != C14N11 && t != C14N10) {
                    (false, Some(format!("unsupported transform in {transforms:?}")))
                } else {
                    match got {
                        None => (false, Some(format!("`{uri}` points at nothing in this document"))),
                        Some(Err(e)) => (false, Some(e)),
                        Some(Ok(d)) if d == want => (true, None),
                        Some(Ok(_)) => (false, Some("the digest does not match: the content changed after signing".into())),
                    }
                };
                rep.references.push(RefResult { uri, target, signed_info: in_si, ok, problem });
            }
        };
        check_refs(si_idx, true, &mut rep);
        // Layout: SRC-286, 287, 288.
        let si_refs: Vec<&RefResult> = rep.references.iter().filter(|r| r.signed_info).collect();
        match si_refs.first().map(|r| &r.target) {
            Some(Target::DataStream(d)) => rep.data_stream = Some(d.clone()),
            _ => rep.problems.push("SRC-286: the first reference must be the signed data-stream".into()),
        }
        if !matches!(si_refs.get(1).map(|r| &r.target), Some(Target::SignatureProperties)) {
            rep.problems.push("SRC-287: the second reference must be the SignatureProperties".into());
        }
        if !matches!(si_refs.get(2).map(|r| &r.target), Some(Target::Manifest)) {
            rep.problems.push("SRC-288: the third reference must be the Manifest".into());
        }
        // The Manifest: only trusted when SignedInfo covers it.
        let manifest = els.iter().position(|e| e.local == "Manifest" && e.ns == NS_DSIG);
        if let Some(mi) = manifest {
            check_refs(mi, false, &mut rep);
        } else {
            rep.problems.push("SRC-284: the signature has no Manifest".into());
        }
        // Every local component of the signed stream must be in the Manifest.
        if let Some(ds) = rep.data_stream.clone() {
            if let Some(s) = coll.streams.iter().find(|s| s.id == ds) {
                for r in &s.refs {
                    if let Some(t) = r.local_target() {
                        let covered = rep.references.iter().any(|x| !x.signed_info && x.target == Target::Component(t.to_owned()));
                        if !covered {
                            rep.problems.push(format!("component `{t}` is used by the data stream but not covered by the signature's Manifest"));
                        }
                    }
                }
            }
        }
        // TMSAD signature-info.
        for e in &els {
            if e.ns == NS_DC && e.local == "creator" {
                rep.signer = Some(e.text.trim().to_owned());
            }
            if e.ns == NS_DC && e.local == "date" {
                rep.date = Some(e.text.trim().to_owned());
            }
        }
        // The key: a certificate wins over a bare KeyValue, which must agree.
        let cert_key = els.iter().find(|e| e.local == "X509Certificate").map(|e| unb64(&e.text).and_then(|d| Certificate::from_der(&d)).map(|c| c.key));
        let value_key = if let Some(m) = els.iter().find(|e| e.local == "Modulus") {
            let ex = els.iter().find(|e| e.local == "Exponent").map(|e| e.text.clone()).unwrap_or_default();
            Some(unb64(&m.text).and_then(|n| Ok(PublicKey::Rsa { n: n.into_iter().skip_while(|b| *b == 0).collect(), e: unb64(&ex)?.into_iter().skip_while(|b| *b == 0).collect() })))
        } else {
            els.iter().find(|e| e.local == "PublicKey" && e.ns == NS_DSIG11).map(|e| unb64(&e.text).map(|point| PublicKey::Ec { point }))
        };
        let key = match (cert_key, value_key) {
            (Some(Ok(c)), Some(Ok(v))) if c != v => {
                rep.problems.push("the KeyValue and the X509Certificate hold different keys".into());
                Some(c)
            }
            (Some(Ok(c)), _) => Some(c),
            (_, Some(Ok(v))) => Some(v),
            (Some(Err(e)), _) | (_, Some(Err(e))) => {
                rep.problems.push(format!("the key information cannot be read: {e}"));
                None
            }
            (None, None) => None,
        };
        match (&key, trust) {
            (Some(k), None) => {
                rep.fingerprint = Some(k.fingerprint());
            }
            (Some(k), Some(t)) => {
                rep.fingerprint = Some(k.fingerprint());
                rep.trusted = Some(k == t);
            }
            (None, Some(t)) => {
                rep.trusted = Some(true);
                rep.fingerprint = Some(t.fingerprint());
            }
            (None, None) => rep.problems.push("the signature carries no key and no trusted key was given".into()),
        }
        let verify_key = if trust.is_some() && key.is_none() { trust.cloned() } else { key.clone() };
        rep.key = verify_key.clone();
        if let (Some(k), Some((_, sv))) = (verify_key, child(&els, sig, "SignatureValue")) {
            let mut canon = Vec::new();
            match c14n::canonicalize(&xml[si.range.clone()], &si.inherited, &mut canon) {
                Ok(()) => {
                    rep.signature_value_ok = unb64(&sv.text).map(|s| k.verify(&rep.algorithm, &canon, &s)).unwrap_or(false);
                }
                Err(e) => rep.problems.push(format!("SignedInfo cannot be canonicalized: {e}")),
            }
        }
        reports.push(rep);
    }
    Ok(reports)
}

pub use keys::{ALG_ECDSA_SHA256, ALG_RSA_SHA256};
