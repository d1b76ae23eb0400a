//! `scapc sign` / `scapc verify` against the real tools: xmlsec1 verifies
//! what scapc signs, scapc verifies what xmlsec1 signs, oscap accepts our
//! signed data stream and rejects a tampered one. Keys are made with openssl
//! at test time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const IDS: [&str; 4] = [
    "--id-attr:id",
    "http://scap.nist.gov/schema/scap/source/1.2:data-stream",
    "--id-attr:id",
    "http://scap.nist.gov/schema/scap/source/1.2:component",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(cmd: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is needed (scripts/test installs it): {e}"));
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

fn scapc(args: &[&str]) -> (i32, String) {
    run(env!("CARGO_BIN_EXE_scapc"), args)
}

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
}

/// A built data stream plus RSA and EC keys with self-signed certificates.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let f = Fixture { dir: tempfile::tempdir().unwrap() };
        let (c, o) = scapc(&[
            "build",
            "-q",
            "-C",
            repo().join("tests/fixtures/valid/minimal").to_str().unwrap(),
            "-o",
            &f.p("build"),
        ]);
        assert_eq!(c, 0, "{o}");
        std::fs::copy(f.p("build/demo-ds.xml"), f.p("ds.xml")).unwrap();
        for (k, args) in [
            ("rsa", vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
            ("ec", vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
            ("other", vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]),
        ] {
            let key = f.p(&format!("{k}.pem"));
            let mut a = vec!["genpkey"];
            a.extend(args);
            a.extend(["-out", &key]);
            assert_eq!(run("openssl", &a).0, 0);
            assert_eq!(
                run(
                    "openssl",
                    &[
                        "req",
                        "-new",
                        "-x509",
                        "-key",
                        &key,
                        "-subj",
                        &format!("/CN=scapc {k}"),
                        "-days",
                        "30",
                        "-out",
                        &f.p(&format!("{k}.crt"))
                    ]
                )
                .0,
                0
            );
        }
        let (c, o) = scapc(&[
            "sign",
            &f.p("ds.xml"),
            "--key",
            &f.p("rsa.pem"),
            "--cert",
            &f.p("rsa.crt"),
            "--signer",
            "Test Signer",
            "-o",
            &f.p("signed.xml"),
        ]);
        assert_eq!(c, 0, "{o}");
        f
    })
}

#[test]
fn signature_has_the_sp800_126_layout() {
    let f = fixture();
    let s = std::fs::read_to_string(f.p("signed.xml")).unwrap();
    let sig = &s[s.find("<dsig:Signature").unwrap()..];
    // The signature is the last child of the collection.
    assert!(
        sig.trim_end().ends_with("</dsig:Signature>\n</ds:data-stream-collection>")
            || sig.trim_end().ends_with("</dsig:Signature>\n  </ds:data-stream-collection>")
            || sig.contains("</dsig:Signature>\n</ds:data-stream-collection>")
    );
    let refs: Vec<&str> = sig.split("<dsig:Reference URI=\"").skip(1).map(|r| &r[..r.find('"').unwrap()]).collect();
    assert_eq!(refs[0], "#scap_org.example_datastream_demo");
    assert_eq!(refs[1], "#scap_org.example_datastream_demo_sigprops");
    assert_eq!(refs[2], "#scap_org.example_datastream_demo_manifest");
    // Manifest: one reference per component, in component-ref order.
    let comps: Vec<&str> = s
        .split("<ds:component-ref id=\"")
        .skip(1)
        .map(|r| {
            let h = &r[r.find("xlink:href=\"#").unwrap() + 13..];
            &h[..h.find('"').unwrap()]
        })
        .collect();
    let manifest: Vec<&str> = refs[3..].iter().map(|r| r.trim_start_matches('#')).collect();
    assert_eq!(manifest, comps);
    assert!(sig.contains("Type=\"http://www.w3.org/2000/09/xmldsig#SignatureProperties\""));
    assert!(sig.contains("<tmsad:signature-info xmlns:tmsad=\"http://scap.nist.gov/schema/xml-dsig/1.0\""));
    assert!(sig.contains("<dc:creator>Test Signer</dc:creator>"));
    assert!(
        sig.contains("http://www.w3.org/2006/12/xml-c14n11") && sig.contains("http://www.w3.org/2001/04/xmlenc#sha256")
    );
    assert!(sig.contains("<dsig:RSAKeyValue>") && sig.contains("<dsig:X509Certificate>"));
    // OpenSCAP's SP 800-126 Schematron finds nothing wrong with it.
    let (_, out) =
        run("xsltproc", &["/usr/share/openscap/schemas/sds/1.3/source-data-stream-1.3.xsl", &f.p("signed.xml")]);
    let errors: Vec<&str> = out.lines().filter(|l| l.contains("Error:")).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn scapc_verifies_its_own_signatures_and_checks_trust() {
    let f = fixture();
    let (c, o) = scapc(&["verify", &f.p("signed.xml")]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("VALID") && o.contains("only integrity was checked"), "{o}");
    let (c, o) = scapc(&["verify", &f.p("signed.xml"), "--trusted-cert", &f.p("rsa.crt")]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("signed by the trusted key"));
    let (c, o) = scapc(&["verify", &f.p("signed.xml"), "--trusted-cert", &f.p("other.crt")]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("NOT the trusted key"), "{o}");
    let (c, o) = scapc(&["verify", &f.p("signed.xml"), "--format", "json"]);
    assert_eq!(c, 0);
    let v: serde_json::Value = serde_json::from_str(&o[o.find('{').unwrap()..]).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["signatures"][0]["references"].as_array().unwrap().len(), 8);
}

#[test]
fn xmlsec1_verifies_scapc_signatures() {
    let f = fixture();
    let mut args = vec!["--verify", "--enabled-reference-uris", "same-doc", "--store-references", "--trusted-pem"];
    let cert = f.p("rsa.crt");
    args.push(&cert);
    args.extend(IDS);
    let file = f.p("signed.xml");
    args.push(&file);
    let (c, o) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("SignedInfo References (ok/all): 3/3"), "{o}");
    assert!(o.contains("Manifests References (ok/all): 5/5"), "{o}");
}

#[test]
fn scapc_verifies_xmlsec1_signatures() {
    let f = fixture();
    // A template of the same layout, values blanked, for xmlsec1 to fill.
    let s = std::fs::read_to_string(f.p("signed.xml")).unwrap();
    let mut t = String::new();
    let mut rest = s.as_str();
    while let Some(i) = rest.find("<dsig:DigestValue>") {
        t.push_str(&rest[..i + 18]);
        rest = &rest[rest[i..].find("</dsig:DigestValue>").unwrap() + i..];
    }
    t.push_str(rest);
    let a = t.find("<dsig:SignatureValue>").unwrap() + 21;
    let b = t.find("</dsig:SignatureValue>").unwrap();
    t.replace_range(a..b, "");
    let a = t.find("<dsig:KeyInfo>").unwrap();
    let b = t.find("</dsig:KeyInfo>").unwrap() + 15;
    t.replace_range(a..b, "<dsig:KeyInfo><dsig:KeyValue/></dsig:KeyInfo>");
    std::fs::write(f.p("template.xml"), t).unwrap();
    let key = f.p("rsa.pem");
    let out = f.p("xmlsec-signed.xml");
    let tmpl = f.p("template.xml");
    let mut args = vec!["--sign", "--privkey-pem", &key, "--output", &out];
    args.extend(IDS);
    args.push(&tmpl);
    let (c, o) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{o}");
    let (c, o) = scapc(&["verify", &out, "--trusted-cert", &f.p("rsa.crt")]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("references: 8/8 ok") && o.contains("signature value: ok"), "{o}");
}

#[test]
fn tampered_component_is_named_by_scapc_and_rejected_by_oscap() {
    let f = fixture();
    let s = std::fs::read_to_string(f.p("signed.xml")).unwrap();
    let tampered = s.replacen("<ind:family>unix</ind:family>", "<ind:family>windows</ind:family>", 1);
    assert_ne!(s, tampered);
    std::fs::write(f.p("tampered.xml"), tampered).unwrap();
    let (c, o) = scapc(&["verify", &f.p("tampered.xml")]);
    assert_eq!(c, 1, "{o}");
    assert!(
        o.contains("component scap_org.example_comp_demo-cpe-oval.xml (Manifest): the digest does not match"),
        "{o}"
    );
    // oscap verifies signatures by default: accepts ours, rejects the edit.
    let (c, o) = run("oscap", &["xccdf", "eval", "--profile", "xccdf_org.example_profile_base", &f.p("signed.xml")]);
    assert!(c == 0 || c == 2, "oscap rejected a good signature: {o}");
    assert!(o.contains("XML signature is valid"), "{o}");
    let (c, o) = run("oscap", &["xccdf", "eval", "--profile", "xccdf_org.example_profile_base", &f.p("tampered.xml")]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("Invalid signature"), "{o}");
    // xmlsec1 only shows the failure in its Manifest line (and exits 0).
    let cert = f.p("rsa.crt");
    let file = f.p("tampered.xml");
    let mut args = vec!["--verify", "--trusted-pem", &cert];
    args.extend(IDS);
    args.push(&file);
    let (_, o) = run("xmlsec1", &args);
    assert!(o.contains("Manifests References (ok/all): 4/5"), "{o}");
}

#[test]
fn ecdsa_p256_signatures() {
    let f = fixture();
    let (c, o) = scapc(&[
        "sign",
        &f.p("ds.xml"),
        "--key",
        &f.p("ec.pem"),
        "--cert",
        &f.p("ec.crt"),
        "-o",
        &f.p("ec-signed.xml"),
    ]);
    assert_eq!(c, 0, "{o}");
    let (c, o) = scapc(&["verify", &f.p("ec-signed.xml"), "--trusted-cert", &f.p("ec.crt")]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("ecdsa-sha256"));
    let cert = f.p("ec.crt");
    let file = f.p("ec-signed.xml");
    let mut args = vec!["--verify", "--trusted-pem", &cert];
    args.extend(IDS);
    args.push(&file);
    let (c, o) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("Manifests References (ok/all): 5/5"), "{o}");
}

#[test]
fn bad_keys_and_inputs_are_clear_errors_with_no_output() {
    let f = fixture();
    let t = tempfile::tempdir().unwrap();
    let w = |n: &str, s: &str| {
        let p = t.path().join(n);
        std::fs::write(&p, s).unwrap();
        p.to_string_lossy().into_owned()
    };
    let corrupt = w("corrupt.pem", "-----BEGIN PRIVATE KEY-----\nnot base64!!\n-----END PRIVATE KEY-----\n");
    let truncated = w("trunc.pem", "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n");
    let out = t.path().join("out.xml").to_string_lossy().into_owned();
    for (key, expect) in [
        (corrupt.as_str(), "base64"),
        (truncated.as_str(), "truncated"),
        (f.p("rsa.crt").leak() as &str, "not a private key"),
    ] {
        let (c, o) = scapc(&["sign", &f.p("ds.xml"), "--key", key, "-o", &out]);
        assert_eq!(c, 1, "{o}");
        assert!(o.contains(expect), "expected `{expect}`: {o}");
        assert!(!Path::new(&out).exists());
    }
    // DSA is not a supported key type.
    let dsa = t.path().join("dsa.pem").to_string_lossy().into_owned();
    if run(
        "openssl",
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:1024",
            "-out",
            &format!("{dsa}.params"),
        ],
    )
    .0 == 0
        && run("openssl", &["genpkey", "-paramfile", &format!("{dsa}.params"), "-out", &dsa]).0 == 0
    {
        let (c, o) = scapc(&["sign", &f.p("ds.xml"), "--key", &dsa, "-o", &out]);
        assert_eq!(c, 1);
        assert!(o.contains("neither an RSA key"), "{o}");
    }
    // A certificate that does not belong to the key.
    let (c, o) = scapc(&["sign", &f.p("ds.xml"), "--key", &f.p("rsa.pem"), "--cert", &f.p("ec.crt"), "-o", &out]);
    assert_eq!(c, 1);
    assert!(o.contains("does not belong"), "{o}");
    // Signing twice, verifying an unsigned stream, a hostile document.
    let (c, o) = scapc(&["sign", &f.p("signed.xml"), "--key", &f.p("rsa.pem"), "-o", &out]);
    assert_eq!(c, 1);
    assert!(o.contains("already signed"), "{o}");
    let (c, o) = scapc(&["verify", &f.p("ds.xml")]);
    assert_eq!(c, 1);
    assert!(o.contains("not signed"), "{o}");
    let ds = std::fs::read_to_string(f.p("signed.xml")).unwrap();
    let lol = w(
        "lol.xml",
        &format!("<!DOCTYPE x [<!ENTITY a \"aaaa\">]>{}", &ds[ds.find("<ds:data-stream-collection").unwrap()..]),
    );
    let (c, o) = scapc(&["verify", &lol]);
    assert_eq!(c, 1);
    assert!(o.contains("entities"), "{o}");
    assert!(!Path::new(&out).exists());
}
