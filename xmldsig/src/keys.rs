//! Keys: PEM, and the little DER needed to read PKCS#8 and SEC1 private
//! keys, SubjectPublicKeyInfo and X.509 certificates. The cryptography is
//! `ring`'s: RSA PKCS#1 v1.5 with SHA-256 and ECDSA P-256 with SHA-256,
//! the signature in the fixed `r || s` form that XML-DSig uses.

use crate::Error;
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};

pub const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const ALG_ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];

/// The XML-DSig 1.1 name of the P-256 curve.
pub const P256_URN: &str = "urn:oid:1.2.840.10045.3.1.7";

fn key_err(m: impl Into<String>) -> Error {
    Error::Key(m.into())
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key for signing, with its public key.
pub struct SigningKey {
    pair: Pair,
    public: PublicKey,
}

impl std::fmt::Debug for SigningKey {
    // Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, {})", self.algorithm(), self.public.fingerprint())
    }
}

/// A public key, as carried in KeyInfo or given as a trust anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// Modulus and public exponent, big-endian, without leading zeros.
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Uncompressed P-256 point (0x04 || X || Y).
    Ec { point: Vec<u8> },
}

/// A certificate: its DER and the public key inside. The certificate is
/// carried in the signature for the verifier's information; scapc does
/// not validate chains, a trust decision compares public keys.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub key: PublicKey,
}

/// Decodes every PEM block of `text`: (label, DER).
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, Error> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("-----BEGIN ") {
        let after = &rest[i + 11..];
        let label_end = after.find("-----").ok_or_else(|| key_err("a PEM header is not closed with `-----`"))?;
        let label = after[..label_end].to_owned();
        if label.contains('\n') {
            return Err(key_err("a PEM header is not closed with `-----`"));
        }
        let body = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body
            .find(&end_marker)
            .ok_or_else(|| key_err(format!("the PEM block `{label}` has no END line (truncated file?)")))?;
        let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if b64.contains(':') {
            return Err(key_err(format!(
                "the PEM block `{label}` is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)"
            )));
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| key_err(format!("the PEM block `{label}` is not valid base64: {e}")))?;
        out.push((label, der));
        rest = &body[end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err(key_err("no PEM block found (expected -----BEGIN ...-----)"));
    }
    Ok(out)
}

fn alg_name(oid: &[u8], curve: Option<&[u8]>) -> &'static str {
    match (oid, curve) {
        (o, _) if o == OID_RSA => "RSA",
        (o, _) if o == OID_RSA_PSS => "RSASSA-PSS",
        (o, Some(c)) if o == OID_EC && c == OID_P256 => "ECDSA P-256",
        (o, Some(c)) if o == OID_EC && c == OID_P384 => "ECDSA P-384",
        (o, Some(c)) if o == OID_EC && c == OID_P521 => "ECDSA P-521",
        (o, _) if o == OID_EC => "EC (unknown curve)",
        (o, _) if o == OID_ED25519 => "Ed25519",
        (o, _) if o == OID_DSA => "DSA",
        _ => "unknown",
    }
}

const UNSUPPORTED: &str = "the key is neither an RSA key (2048 to 4096 bits) nor an ECDSA P-256 key";

impl SigningKey {
    /// Reads a private key: PKCS#8 (`BEGIN PRIVATE KEY`, RSA or ECDSA
    /// P-256), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or SEC1 (`BEGIN EC PRIVATE
    /// KEY`, P-256). `EC PARAMETERS` blocks are skipped.
    pub fn from_pem(text: &str) -> Result<SigningKey, Error> {
        let blocks = pem_blocks(text)?;
        let (label, der) = blocks
            .iter()
            .find(|(l, _)| l != "EC PARAMETERS")
            .ok_or_else(|| key_err("the file holds EC parameters but no key"))?;
        match label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8(der),
            "RSA PRIVATE KEY" => {
                let k = RsaKeyPair::from_der(der).map_err(|e| {
                    key_err(format!("the RSA key cannot be used: {e} (2048 to 4096 bits are supported)"))
                })?;
                Self::from_pair(Pair::Rsa(k))
            }
            "EC PRIVATE KEY" => Self::from_sec1(der),
            "ENCRYPTED PRIVATE KEY" => {
                Err(key_err("the key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)"))
            }
            "CERTIFICATE" | "PUBLIC KEY" => {
                Err(key_err(format!("this is a {}, not a private key", label.to_lowercase())))
            }
            other => Err(key_err(format!("unsupported PEM block `{other}`; expected PRIVATE KEY (PKCS#8)"))),
        }
    }

    fn from_pkcs8(der: &[u8]) -> Result<SigningKey, Error> {
        // PrivateKeyInfo ::= SEQUENCE { version, AlgorithmIdentifier, OCTET STRING, ... }
        let bad = || key_err("the PRIVATE KEY block is not a PKCS#8 key (malformed DER)");
        let (t, body, _) = tlv(der).map_err(|_| bad())?;
        let items = seq_items(body).map_err(|_| bad())?;
        if t != 0x30 || items.len() < 3 || items[1].0 != 0x30 {
            return Err(bad());
        }
        let alg = seq_items(items[1].1).map_err(|_| bad())?;
        let oid = alg.first().filter(|x| x.0 == 0x06).map(|x| x.1).ok_or_else(bad)?;
        let curve = alg.get(1).filter(|x| x.0 == 0x06).map(|x| x.1);
        if oid == OID_RSA {
            let k = RsaKeyPair::from_pkcs8(der)
                .map_err(|e| key_err(format!("the RSA key cannot be used: {e} (2048 to 4096 bits are supported)")))?;
            Self::from_pair(Pair::Rsa(k))
        } else if oid == OID_EC && curve == Some(OID_P256) {
            let rng = SystemRandom::new();
            let k = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng)
                .map_err(|e| key_err(format!("the ECDSA P-256 key cannot be used: {e}")))?;
            Self::from_pair(Pair::Ec(k))
        } else {
            Err(key_err(format!(
                "{UNSUPPORTED} (it is a {} key); other key types are not supported",
                alg_name(oid, curve)
            )))
        }
    }

    fn from_sec1(der: &[u8]) -> Result<SigningKey, Error> {
        // ECPrivateKey ::= SEQUENCE { 1, OCTET STRING d, [0] curve OID, [1] BIT STRING point }
        let bad = || key_err("the EC PRIVATE KEY block is malformed");
        let (t, body, _) = tlv(der).map_err(|_| bad())?;
        let items = seq_items(body).map_err(|_| bad())?;
        if t != 0x30 || items.len() < 2 || items[1].0 != 0x04 {
            return Err(bad());
        }
        let d = items[1].1;
        let mut curve = None;
        let mut point = None;
        for (tag, v, _) in &items[2..] {
            let (it, iv, _) = tlv(v).map_err(|_| bad())?;
            match (tag, it) {
                (0xa0, 0x06) => curve = Some(iv),
                (0xa1, 0x03) => point = iv.get(1..),
                _ => {}
            }
        }
        if curve.is_some_and(|c| c != OID_P256) {
            return Err(key_err(format!("{UNSUPPORTED} (it is an {} key)", alg_name(OID_EC, curve))));
        }
        let point = point.ok_or_else(|| {
            key_err("the EC PRIVATE KEY has no public key; convert it to PKCS#8 with `openssl pkcs8 -topk8 -nocrypt`")
        })?;
        let rng = SystemRandom::new();
        let k =
            EcdsaKeyPair::from_private_key_and_public_key(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, d, point, &rng)
                .map_err(|e| key_err(format!("the ECDSA P-256 key cannot be used: {e}")))?;
        Self::from_pair(Pair::Ec(k))
    }

    fn from_pair(pair: Pair) -> Result<SigningKey, Error> {
        let public = match &pair {
            Pair::Rsa(k) => {
                // ring gives the RSAPublicKey DER: SEQUENCE { n, e }.
                let bad = || key_err("internal error: unexpected RSA public key encoding");
                let (_, body, _) = tlv(k.public_key().as_ref()).map_err(|_| bad())?;
                match seq_items(body).map_err(|_| bad())?.as_slice() {
                    [(0x02, n, _), (0x02, e, _)] => PublicKey::Rsa { n: strip_int(n), e: strip_int(e) },
                    _ => return Err(bad()),
                }
            }
            Pair::Ec(k) => PublicKey::Ec { point: k.public_key().as_ref().to_vec() },
        };
        Ok(SigningKey { pair, public })
    }

    /// The XML-DSig SignatureMethod of this key.
    pub fn algorithm(&self) -> &'static str {
        match self.pair {
            Pair::Rsa(_) => ALG_RSA_SHA256,
            Pair::Ec(_) => ALG_ECDSA_SHA256,
        }
    }

    pub fn public(&self) -> PublicKey {
        self.public.clone()
    }

    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Signs `msg` (the canonical SignedInfo): RSA PKCS#1 v1.5 or ECDSA
    /// `r || s`, both over SHA-256.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        let rng = SystemRandom::new();
        match &self.pair {
            Pair::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig)
                    .map_err(|_| Error::Crypto("RSA signing failed".into()))?;
                Ok(sig)
            }
            Pair::Ec(k) => {
                Ok(k.sign(&rng, msg).map_err(|_| Error::Crypto("ECDSA signing failed".into()))?.as_ref().to_vec())
            }
        }
    }
}

// --- DER --------------------------------------------------------------------

/// One TLV: (tag, value, rest).
pub(crate) fn tlv(d: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let bad = || "malformed DER".to_owned();
    let tag = *d.first().ok_or_else(bad)?;
    if tag & 0x1f == 0x1f {
        return Err(bad()); // multi-byte tags are not used here
    }
    let l0 = *d.get(1).ok_or_else(bad)?;
    let (len, hdr) = if l0 < 0x80 {
        (l0 as usize, 2)
    } else {
        let n = (l0 & 0x7f) as usize;
        if n == 0 || n > 4 || d.len() < 2 + n {
            return Err(bad());
        }
        (d[2..2 + n].iter().fold(0usize, |a, b| (a << 8) | *b as usize), 2 + n)
    };
    let end = hdr.checked_add(len).filter(|e| *e <= d.len()).ok_or_else(bad)?;
    Ok((tag, &d[hdr..end], &d[end..]))
}

/// One item of a constructed value: (tag, value, whole TLV bytes).
pub(crate) type Item<'a> = (u8, &'a [u8], &'a [u8]);

/// The items of a constructed value.
pub(crate) fn seq_items(d: &[u8]) -> Result<Vec<Item<'_>>, String> {
    let mut out = Vec::new();
    let mut rest = d;
    while !rest.is_empty() {
        let before = rest;
        let (t, v, r) = tlv(rest)?;
        out.push((t, v, &before[..before.len() - r.len()]));
        rest = r;
    }
    Ok(out)
}

fn strip_int(v: &[u8]) -> Vec<u8> {
    let mut v = v;
    while v.len() > 1 && v[0] == 0 {
        v = &v[1..];
    }
    v.to_vec()
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo (DER).
    pub fn from_spki(der: &[u8]) -> Result<PublicKey, Error> {
        let bad = || key_err("not a SubjectPublicKeyInfo (malformed DER)");
        let (t, body, _) = tlv(der).map_err(|_| bad())?;
        if t != 0x30 {
            return Err(bad());
        }
        let items = seq_items(body).map_err(|_| bad())?;
        let [(0x30, alg, _), (0x03, bits, _)] = items.as_slice() else {
            return Err(bad());
        };
        let alg_items = seq_items(alg).map_err(|_| bad())?;
        let oid = alg_items.first().filter(|x| x.0 == 0x06).map(|x| x.1).ok_or_else(bad)?;
        let curve = alg_items.get(1).filter(|x| x.0 == 0x06).map(|x| x.1);
        let key = match bits.split_first() {
            Some((0, k)) => k,
            _ => return Err(bad()),
        };
        if oid == OID_RSA {
            let (_, rsa, _) = tlv(key).map_err(|_| bad())?;
            let parts = seq_items(rsa).map_err(|_| bad())?;
            let [(0x02, n, _), (0x02, e, _)] = parts.as_slice() else { return Err(key_err("bad RSA public key")) };
            Ok(PublicKey::Rsa { n: strip_int(n), e: strip_int(e) })
        } else if oid == OID_EC && curve == Some(OID_P256) {
            if key.len() != 65 || key[0] != 4 {
                return Err(key_err("the P-256 public key is not an uncompressed point"));
            }
            Ok(PublicKey::Ec { point: key.to_vec() })
        } else {
            Err(key_err(format!(
                "unsupported public key algorithm {} (RSA and ECDSA P-256 are supported)",
                alg_name(oid, curve)
            )))
        }
    }

    /// The SubjectPublicKeyInfo DER of this key.
    pub fn spki(&self) -> Vec<u8> {
        fn enc(tag: u8, v: &[u8]) -> Vec<u8> {
            let mut o = vec![tag];
            let l = v.len();
            if l < 0x80 {
                o.push(l as u8);
            } else {
                let bytes: Vec<u8> = l.to_be_bytes().iter().copied().skip_while(|b| *b == 0).collect();
                o.push(0x80 | bytes.len() as u8);
                o.extend(bytes);
            }
            o.extend_from_slice(v);
            o
        }
        fn int(v: &[u8]) -> Vec<u8> {
            let mut b = v.to_vec();
            if b.is_empty() || b[0] & 0x80 != 0 {
                b.insert(0, 0);
            }
            enc(0x02, &b)
        }
        let (alg, key) = match self {
            PublicKey::Rsa { n, e } => {
                let mut a = enc(0x06, OID_RSA);
                a.extend([0x05, 0x00]);
                let mut k = int(n);
                k.extend(int(e));
                (a, enc(0x30, &k))
            }
            PublicKey::Ec { point } => {
                let mut a = enc(0x06, OID_EC);
                a.extend(enc(0x06, OID_P256));
                (a, point.clone())
            }
        };
        let mut bits = vec![0u8];
        bits.extend(key);
        let mut body = enc(0x30, &alg);
        body.extend(enc(0x03, &bits));
        enc(0x30, &body)
    }

    /// SHA-256 of the SubjectPublicKeyInfo DER, upper-case hex in
    /// colon-separated pairs (as `openssl x509 -pubkey | openssl pkey
    /// -pubin -outform DER | sha256sum` computes it, but with colons).
    pub fn fingerprint(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.spki());
        d.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }

    /// The XML-DSig SignatureMethod this key verifies.
    pub fn algorithm(&self) -> &'static str {
        match self {
            PublicKey::Rsa { .. } => ALG_RSA_SHA256,
            PublicKey::Ec { .. } => ALG_ECDSA_SHA256,
        }
    }

    /// Size of the RSA modulus in bits (0 for EC keys).
    pub fn rsa_bits(&self) -> usize {
        match self {
            PublicKey::Rsa { n, .. } => {
                n.first().map(|b| (n.len() - 1) * 8 + (8 - b.leading_zeros() as usize)).unwrap_or(0)
            }
            PublicKey::Ec { .. } => 0,
        }
    }

    /// RSA keys under this many bits are weak: their signatures are
    /// checked, and reported as made by a weak key.
    pub const RSA_STRONG_BITS: usize = 2048;
    /// RSA keys under this many bits cannot be checked at all (`ring`'s
    /// legacy floor).
    pub const RSA_MIN_BITS: usize = 1024;

    /// The RSA modulus size when it is under [`Self::RSA_STRONG_BITS`].
    pub fn weak_rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa { .. } if self.rsa_bits() < Self::RSA_STRONG_BITS => Some(self.rsa_bits()),
            _ => None,
        }
    }

    /// Checks `sig` over `msg` with the SignatureMethod `algorithm`. RSA
    /// keys of 1024 to 2047 bits are checked too (with `ring`'s legacy
    /// parameters); whether such a key is acceptable is the caller's call
    /// ([`Self::weak_rsa_bits`]).
    pub fn verify(&self, algorithm: &str, msg: &[u8], sig: &[u8]) -> bool {
        match (self, algorithm) {
            (PublicKey::Rsa { n, e }, ALG_RSA_SHA256) => {
                let params = if self.rsa_bits() < Self::RSA_STRONG_BITS {
                    &signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY
                } else {
                    &signature::RSA_PKCS1_2048_8192_SHA256
                };
                signature::RsaPublicKeyComponents { n, e }.verify(params, msg, sig).is_ok()
            }
            (PublicKey::Ec { point }, ALG_ECDSA_SHA256) => {
                signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(msg, sig).is_ok()
            }
            _ => false,
        }
    }

    /// Reads a trust anchor: a CERTIFICATE, a PUBLIC KEY, or a private key
    /// (whose public half is used).
    pub fn from_pem(text: &str) -> Result<PublicKey, Error> {
        let blocks = pem_blocks(text)?;
        let (label, der) = blocks
            .iter()
            .find(|(l, _)| l != "EC PARAMETERS")
            .ok_or_else(|| key_err("the file holds EC parameters but no key"))?;
        match label.as_str() {
            "CERTIFICATE" => Ok(Certificate::from_der(der)?.key),
            "PUBLIC KEY" => PublicKey::from_spki(der),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Ok(SigningKey::from_pem(text)?.public),
            other => Err(key_err(format!("unsupported PEM block `{other}`; expected CERTIFICATE or PUBLIC KEY"))),
        }
    }
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
        let bad = || key_err("not an X.509 certificate (malformed DER)");
        let (t, cert, _) = tlv(der).map_err(|_| bad())?;
        if t != 0x30 {
            return Err(bad());
        }
        let (t, tbs, _) = tlv(cert).map_err(|_| bad())?;
        if t != 0x30 {
            return Err(bad());
        }
        let items = seq_items(tbs).map_err(|_| bad())?;
        let skip = usize::from(items.first().is_some_and(|x| x.0 == 0xa0));
        // serial, signature, issuer, validity, subject, then the key.
        let spki =
            items.get(skip + 5).filter(|x| x.0 == 0x30).ok_or_else(|| key_err("the certificate has no public key"))?;
        Ok(Certificate { der: der.to_vec(), key: PublicKey::from_spki(spki.2)? })
    }

    /// Reads the first CERTIFICATE block.
    pub fn from_pem(text: &str) -> Result<Certificate, Error> {
        let blocks = pem_blocks(text)?;
        match blocks.iter().find(|(l, _)| l == "CERTIFICATE") {
            Some((_, der)) => Certificate::from_der(der),
            None => Err(key_err(format!(
                "no CERTIFICATE block in the file (found {})",
                blocks.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Decodes base64 that may be broken into lines.
pub fn unb64(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean.as_bytes()).map_err(|e| format!("bad base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(r: Result<impl std::fmt::Debug, Error>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn pem_errors_are_clear() {
        assert!(msg(pem_blocks("nothing")).contains("no PEM block"));
        assert!(msg(pem_blocks("-----BEGIN PRIVATE KEY-----\nAAAA")).contains("truncated"));
        assert!(msg(pem_blocks("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----")).contains("base64"));
        assert!(msg(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"))
            .contains("malformed"));
        assert!(msg(SigningKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"))
            .contains("not a private key"));
        assert!(msg(SigningKey::from_pem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"
        ))
        .contains("encrypted"));
        assert!(
            msg(Certificate::from_pem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----"))
                .contains("malformed")
                || msg(Certificate::from_pem("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----"))
                    .contains("public key")
        );
    }

    #[test]
    fn der_reader_refuses_bad_lengths() {
        assert!(tlv(&[0x30]).is_err());
        assert!(tlv(&[0x30, 0x05, 1]).is_err());
        assert!(tlv(&[0x30, 0x80]).is_err());
        assert!(tlv(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(tlv(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert_eq!(tlv(&[0x02, 0x01, 0x05, 0xaa]).unwrap(), (0x02, &[0x05u8][..], &[0xaau8][..]));
    }

    #[test]
    fn spki_round_trip() {
        let k = PublicKey::Rsa { n: vec![0xc1; 256], e: vec![1, 0, 1] };
        assert_eq!(PublicKey::from_spki(&k.spki()).unwrap(), k);
        assert_eq!(k.rsa_bits(), 2048);
        let mut point = vec![4u8];
        point.extend([7u8; 64]);
        let e = PublicKey::Ec { point };
        assert_eq!(PublicKey::from_spki(&e.spki()).unwrap(), e);
        assert_eq!(k.fingerprint().len(), 32 * 3 - 1);
    }
}
