//! Shared by the integration tests: throw-away keys made with openssl,
//! the test data, and running the reference tools (xmlsec1, oscap,
//! xmllint). `scripts/test` installs the tools.

#![allow(dead_code)]

use scapc_xmldsig::{dsig, Certificate, PublicKey, SigningKey};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// xmlsec1 needs to be told which attributes are ids.
pub const IDS: [&str; 4] = [
    "--id-attr:id",
    "http://scap.nist.gov/schema/scap/source/1.2:data-stream",
    "--id-attr:id",
    "http://scap.nist.gov/schema/scap/source/1.2:component",
];

pub const SSG: &str = "/usr/share/xml/scap/ssg/content";

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

pub fn read(p: impl AsRef<Path>) -> String {
    let p = p.as_ref();
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A data stream shipped by the SCAP Security Guide packages.
pub fn ssg(name: &str) -> PathBuf {
    let p = Path::new(SSG).join(name);
    assert!(
        p.exists(),
        "{} is needed: apt-get install ssg-debian ssg-nondebian (scripts/test installs them)",
        p.display()
    );
    p
}

/// Runs a tool; (exit code, stdout + stderr).
pub fn run(cmd: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("`{cmd}` is needed (scripts/test installs it): {e}"));
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

/// A scratch directory for this test binary, emptied when it starts
/// (under target/tmp, so that what a failed test left can be looked at).
pub fn scratch() -> &'static Path {
    static D: OnceLock<PathBuf> = OnceLock::new();
    D.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_stem().unwrap().to_string_lossy().into_owned();
        // `sign_verify-0123abcd`: the binary name without cargo's hash.
        let name = stem.rsplit_once('-').map(|(n, _)| n.to_owned()).unwrap_or(stem);
        let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("xmldsig-{name}"));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    })
}

pub fn write(name: &str, text: &str) -> String {
    let p = scratch().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Key files made with openssl: `<name>.pem` (PKCS#8), `<name>.crt`
/// (self-signed), `<name>.pub` (SubjectPublicKeyInfo PEM).
pub struct Keys {
    dir: PathBuf,
}

impl Keys {
    pub fn path(&self, file: &str) -> String {
        self.dir.join(file).to_string_lossy().into_owned()
    }
    pub fn text(&self, file: &str) -> String {
        read(self.dir.join(file))
    }
    pub fn signing(&self, name: &str) -> SigningKey {
        SigningKey::from_pem(&self.text(&format!("{name}.pem"))).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    pub fn cert(&self, name: &str) -> Certificate {
        Certificate::from_pem(&self.text(&format!("{name}.crt"))).unwrap()
    }
    pub fn public(&self, name: &str) -> PublicKey {
        PublicKey::from_pem(&self.text(&format!("{name}.pub"))).unwrap()
    }
    /// SHA-256 of the DER public key as openssl writes it, in scapc's
    /// fingerprint format.
    pub fn openssl_fingerprint(&self, name: &str) -> String {
        let der = self.path(&format!("{name}.pub.der"));
        let (c, o) = run(
            "openssl",
            &["pkey", "-pubin", "-in", &self.path(&format!("{name}.pub")), "-outform", "DER", "-out", &der],
        );
        assert_eq!(c, 0, "{o}");
        let bytes = std::fs::read(&der).unwrap();
        let d = ring::digest::digest(&ring::digest::SHA256, &bytes);
        d.as_ref().iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
    }
}

fn openssl(args: &[&str]) {
    let (c, o) = run("openssl", args);
    assert_eq!(c, 0, "openssl {args:?}: {o}");
}

pub fn keys() -> &'static Keys {
    static K: OnceLock<Keys> = OnceLock::new();
    K.get_or_init(|| {
        let dir = scratch().join("keys");
        std::fs::create_dir_all(&dir).unwrap();
        let k = Keys { dir };
        let kinds: [(&str, &[&str]); 7] = [
            ("rsa2048", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
            ("rsa3072", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"]),
            ("ec", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
            ("other", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
            ("rsa1024", &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]),
            ("p384", &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
            ("ed25519", &["-algorithm", "ED25519"]),
        ];
        for (name, args) in kinds {
            let pem = k.path(&format!("{name}.pem"));
            let mut a = vec!["genpkey"];
            a.extend_from_slice(args);
            a.extend(["-out", &pem]);
            openssl(&a);
            openssl(&["pkey", "-in", &pem, "-pubout", "-out", &k.path(&format!("{name}.pub"))]);
            if matches!(name, "rsa2048" | "rsa3072" | "ec" | "other") {
                openssl(&[
                    "req",
                    "-new",
                    "-x509",
                    "-key",
                    &pem,
                    "-subj",
                    &format!("/CN=scapc test {name}"),
                    "-days",
                    "30",
                    "-out",
                    &k.path(&format!("{name}.crt")),
                ]);
            }
        }
        // The same keys in the older encodings.
        openssl(&["rsa", "-in", &k.path("rsa2048.pem"), "-traditional", "-out", &k.path("rsa2048-pkcs1.pem")]);
        openssl(&["ec", "-in", &k.path("ec.pem"), "-out", &k.path("ec-sec1.pem")]);
        openssl(&[
            "pkey",
            "-in",
            &k.path("rsa2048.pem"),
            "-aes256",
            "-passout",
            "pass:x",
            "-out",
            &k.path("rsa2048-encrypted.pem"),
        ]);
        k
    })
}

pub fn opts(signer: &str, cert: Option<Certificate>) -> dsig::SignOptions {
    dsig::SignOptions {
        signer: signer.into(),
        date: "2024-05-01T12:00:00Z".into(),
        nonce: Some("0123456789abcdef".into()),
        cert,
    }
}

/// The `dsig:Signature` elements of a signed document, as text.
pub fn signatures(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("<dsig:Signature ") {
        let end = rest[i..].find("</dsig:Signature>").unwrap() + i + "</dsig:Signature>".len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// The values of `attr="..."` in the order they appear.
pub fn attr_values<'a>(s: &'a str, attr: &str) -> Vec<&'a str> {
    let pat = format!("{attr}=\"");
    s.match_indices(&pat).map(|(i, _)| &s[i + pat.len()..][..s[i + pat.len()..].find('"').unwrap()]).collect()
}

/// Replaces the first occurrence of `from` after `anchor` (which must
/// exist) with `to`.
pub fn edit_after(s: &str, anchor: &str, from: &str, to: &str) -> String {
    let a = s.find(anchor).unwrap_or_else(|| panic!("no `{anchor}`"));
    let i = s[a..].find(from).unwrap_or_else(|| panic!("no `{from}` after `{anchor}`")) + a;
    format!("{}{}{}", &s[..i], to, &s[i + from.len()..])
}

/// A template for `xmlsec1 --sign` made from signatures of ours: digest
/// and signature values emptied, every KeyInfo replaced by `key_info`.
pub fn template(signed: &str, key_info: &str) -> String {
    let mut t = blank_all(signed, "<dsig:DigestValue>", "</dsig:DigestValue>", "");
    t = blank_all(&t, "<dsig:SignatureValue>", "</dsig:SignatureValue>", "");
    let mut out = String::new();
    let mut rest = t.as_str();
    while let Some(a) = rest.find("<dsig:KeyInfo>") {
        let b = rest.find("</dsig:KeyInfo>").unwrap() + 15;
        out.push_str(&rest[..a]);
        out.push_str(key_info);
        rest = &rest[b..];
    }
    out.push_str(rest);
    out
}

/// Replaces the content of every `open ... close` with `with`.
fn blank_all(s: &str, open: &str, close: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find(open) {
        out.push_str(&rest[..i + open.len()]);
        out.push_str(with);
        rest = &rest[rest[i..].find(close).unwrap() + i..];
    }
    out.push_str(rest);
    out
}
