//! Keys: PEM and the little DER needed to read PKCS#8 private keys,
//! SubjectPublicKeyInfo and X.509 certificates, with `ring` for the
//! cryptography (RSA PKCS#1 v1.5 with SHA-256, ECDSA P-256 with SHA-256).

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};

pub const ALG_RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const ALG_ECDSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OID_EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

/// A private key for signing.
pub enum SigningKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl std::fmt::Debug for SigningKey {
    // Never prints key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningKey::Rsa(_) => f.write_str("SigningKey::Rsa(..)"),
            SigningKey::Ec(_) => f.write_str("SigningKey::Ec(..)"),
        }
    }
}

/// A public key, as carried in KeyInfo or given as a trust anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    /// Uncompressed P-256 point (0x04 || X || Y).
    Ec { point: Vec<u8> },
}

/// A certificate: its DER and the public key inside.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub key: PublicKey,
}

/// Decodes every PEM block: (label, DER).
pub fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("-----BEGIN ") {
        let after = &rest[i + 11..];
        let label_end = after.find("-----").ok_or("a PEM header is not closed with -----")?;
        let label = after[..label_end].to_owned();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let end = body_start.find(&end_marker).ok_or_else(|| format!("the PEM block `{label}` has no END line (truncated file?)"))?;
        let b64: String = body_start[..end].chars().filter(|c| !c.is_whitespace()).collect();
        if b64.contains(':') {
            return Err(format!("the PEM block `{label}` is encrypted; decrypt it first (openssl pkcs8 -nocrypt)"));
        }
        let der = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).map_err(|e| format!("the PEM block `{label}` is not valid base64: {e}"))?;
        out.push((label, der));
        rest = &body_start[end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err("no PEM block found (expected -----BEGIN ...-----)".into());
    }
    Ok(out)
}

impl SigningKey {
    /// Reads a PKCS#8 private key (`-----BEGIN PRIVATE KEY-----`), RSA or
    /// ECDSA P-256.
    pub fn from_pem(text: &str) -> Result<SigningKey, String> {
        let blocks = pem_blocks(text)?;
        let (label, der) = &blocks[0];
        match label.as_str() {
            "PRIVATE KEY" => {
                if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
                    return Ok(SigningKey::Rsa(k));
                }
                let rng = SystemRandom::new();
                EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, &rng).map(SigningKey::Ec).map_err(|_| {
                    "the key is neither an RSA key (2048 bits or more) nor an ECDSA P-256 key in PKCS#8; other key types are not supported".to_owned()
                })
            }
            "RSA PRIVATE KEY" => RsaKeyPair::from_der(der).map(SigningKey::Rsa).map_err(|e| format!("bad RSA key: {e}")),
            "EC PRIVATE KEY" => Err("EC keys must be in PKCS#8: convert with `openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8`".into()),
            "ENCRYPTED PRIVATE KEY" => Err("the key is encrypted; decrypt it first (openssl pkcs8 -nocrypt)".into()),
            "CERTIFICATE" | "PUBLIC KEY" => Err(format!("this is a {}, not a private key", label.to_lowercase())),
            other => Err(format!("unsupported PEM block `{other}`; expected PRIVATE KEY (PKCS#8)")),
        }
    }

    pub fn algorithm(&self) -> &'static str {
        match self {
            SigningKey::Rsa(_) => ALG_RSA_SHA256,
            SigningKey::Ec(_) => ALG_ECDSA_SHA256,
        }
    }

    pub fn public(&self) -> PublicKey {
        match self {
            SigningKey::Rsa(k) => {
                // ring gives the RSAPublicKey DER: SEQUENCE { n, e }.
                let parse = || -> Result<PublicKey, String> {
                    let (_, body, _) = tlv(k.public_key().as_ref())?;
                    match seq_items(body)?.as_slice() {
                        [(0x02, n, _), (0x02, e, _)] => Ok(PublicKey::Rsa { n: strip_int(n), e: strip_int(e) }),
                        _ => Err("bad RSA public key".into()),
                    }
                };
                parse().expect("ring returns a well-formed RSAPublicKey")
            }
            SigningKey::Ec(k) => PublicKey::Ec { point: k.public_key().as_ref().to_vec() },
        }
    }

    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, String> {
        let rng = SystemRandom::new();
        match self {
            SigningKey::Rsa(k) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &rng, msg, &mut sig).map_err(|_| "RSA signing failed")?;
                Ok(sig)
            }
            SigningKey::Ec(k) => Ok(k.sign(&rng, msg).map_err(|_| "ECDSA signing failed")?.as_ref().to_vec()),
        }
    }
}

// --- DER --------------------------------------------------------------------

/// One TLV: (tag, value, rest).
fn tlv(d: &[u8]) -> Result<(u8, &[u8], &[u8]), String> {
    let bad = || "malformed DER".to_owned();
    let tag = *d.first().ok_or_else(bad)?;
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

fn seq_items(d: &[u8]) -> Result<Vec<(u8, &[u8], &[u8])>, String> {
    // Returns (tag, value, whole TLV bytes).
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
    pub fn from_spki(der: &[u8]) -> Result<PublicKey, String> {
        let (t, body, _) = tlv(der)?;
        if t != 0x30 {
            return Err("not a SubjectPublicKeyInfo".into());
        }
        let items = seq_items(body)?;
        let [(0x30, alg, _), (0x03, bits, _)] = items.as_slice() else {
            return Err("not a SubjectPublicKeyInfo".into());
        };
        let alg_items = seq_items(alg)?;
        let oid = alg_items.first().filter(|x| x.0 == 0x06).map(|x| x.1).ok_or("no algorithm identifier")?;
        let key = bits.get(1..).ok_or("empty key")?;
        if oid == OID_RSA {
            let (_, rsa, _) = tlv(key)?;
            let parts = seq_items(rsa)?;
            let [(0x02, n, _), (0x02, e, _)] = parts.as_slice() else { return Err("bad RSA public key".into()) };
            Ok(PublicKey::Rsa { n: strip_int(n), e: strip_int(e) })
        } else if oid == OID_EC {
            let curve = alg_items.get(1).map(|x| x.1);
            if curve != Some(OID_P256) {
                return Err("only the P-256 curve is supported".into());
            }
            Ok(PublicKey::Ec { point: key.to_vec() })
        } else {
            Err("unsupported public key algorithm (RSA and ECDSA P-256 are supported)".into())
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
            if b.first().is_some_and(|x| x & 0x80 != 0) {
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

    /// SHA-256 of the SubjectPublicKeyInfo, hex, colon-separated.
    pub fn fingerprint(&self) -> String {
        let d = ring::digest::digest(&ring::digest::SHA256, &self.spki());
        d.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }

    pub fn verify(&self, algorithm: &str, msg: &[u8], sig: &[u8]) -> bool {
        match (self, algorithm) {
            (PublicKey::Rsa { n, e }, ALG_RSA_SHA256) => signature::RsaPublicKeyComponents { n, e }
                .verify(&signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
                .is_ok(),
            (PublicKey::Ec { point }, ALG_ECDSA_SHA256) => signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point).verify(msg, sig).is_ok(),
            _ => false,
        }
    }

    /// Reads a trust anchor: a certificate or a PUBLIC KEY PEM.
    pub fn from_pem(text: &str) -> Result<PublicKey, String> {
        let blocks = pem_blocks(text)?;
        let (label, der) = &blocks[0];
        match label.as_str() {
            "CERTIFICATE" => Ok(Certificate::from_der(der)?.key),
            "PUBLIC KEY" => PublicKey::from_spki(der),
            "PRIVATE KEY" | "RSA PRIVATE KEY" => Ok(SigningKey::from_pem(text)?.public()),
            other => Err(format!("unsupported PEM block `{other}`; expected CERTIFICATE or PUBLIC KEY")),
        }
    }
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Certificate, String> {
        let (t, cert, _) = tlv(der)?;
        if t != 0x30 {
            return Err("not an X.509 certificate".into());
        }
        let (t, tbs, _) = tlv(cert)?;
        if t != 0x30 {
            return Err("not an X.509 certificate".into());
        }
        let items = seq_items(tbs)?;
        let skip = usize::from(items.first().is_some_and(|x| x.0 == 0xa0));
        // serial, signature, issuer, validity, subject, then the key.
        let spki = items.get(skip + 5).ok_or("the certificate has no public key")?;
        Ok(Certificate { der: der.to_vec(), key: PublicKey::from_spki(spki.2)? })
    }

    pub fn from_pem(text: &str) -> Result<Certificate, String> {
        let blocks = pem_blocks(text)?;
        match blocks.iter().find(|(l, _)| l == "CERTIFICATE") {
            Some((_, der)) => Certificate::from_der(der),
            None => Err("no CERTIFICATE block in the file".into()),
        }
    }
}

pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

pub fn unb64(s: &str) -> Result<Vec<u8>, String> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean.as_bytes()).map_err(|e| format!("bad base64: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_errors_are_clear() {
        assert!(pem_blocks("nothing").unwrap_err().contains("no PEM block"));
        assert!(pem_blocks("-----BEGIN PRIVATE KEY-----\nAAAA").unwrap_err().contains("truncated"));
        assert!(pem_blocks("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----").unwrap_err().contains("base64"));
        assert!(SigningKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----").is_err());
        assert!(SigningKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----").unwrap_err().contains("not a private key"));
    }

    #[test]
    fn spki_round_trip() {
        let k = PublicKey::Rsa { n: vec![0xc1; 256], e: vec![1, 0, 1] };
        assert_eq!(PublicKey::from_spki(&k.spki()).unwrap(), k);
        let mut point = vec![4u8];
        point.extend([7u8; 64]);
        let e = PublicKey::Ec { point };
        assert_eq!(PublicKey::from_spki(&e.spki()).unwrap(), e);
        assert_eq!(k.fingerprint().len(), 32 * 3 - 1);
    }
}
