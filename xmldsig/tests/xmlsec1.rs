//! Interoperability with xmlsec1 (libxml2's Canonical XML 1.1): xmlsec1
//! verifies what scapc signs, including the Manifest references, and scapc
//! verifies what xmlsec1 signs from a template of the same layout.
//!
//! xmlsec1 1.2 exits 0 when a Manifest reference fails (Manifests are
//! application-checked in XML-DSig), so its output is read for the
//! "Manifests References (ok/all)" line.

mod common;

use common::*;
use scapc_xmldsig::{sign, verify};

/// Runs `xmlsec1 --verify` on `file`; returns (exit code, SignedInfo
/// "ok/all", Manifest "ok/all", output).
fn xmlsec_verify(file: &str, key_args: &[&str], node_id: Option<&str>) -> (i32, String, String, String) {
    let mut args = vec!["--verify", "--enabled-reference-uris", "same-doc", "--store-references"];
    args.extend_from_slice(key_args);
    args.extend(IDS);
    if let Some(id) = node_id {
        args.extend(["--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature", "--node-id", id]);
    }
    args.push(file);
    let (c, o) = run("xmlsec1", &args);
    let field =
        |label: &str| o.lines().find_map(|l| l.strip_prefix(label)).map(|v| v.trim().to_owned()).unwrap_or_default();
    (c, field("SignedInfo References (ok/all):"), field("Manifests References (ok/all):"), o)
}

#[test]
fn xmlsec1_verifies_rsa_signatures() {
    let k = keys();
    for (name, cert) in [("rsa2048", true), ("rsa3072", false)] {
        let s = sign(&read(data("demo-ds.xml")), &k.signing(name), &opts("x", cert.then(|| k.cert(name)))).unwrap();
        let f = write(&format!("xs-{name}.xml"), &s);
        // With the key named, and with only the RSAKeyValue in the signature.
        for key_args in [vec!["--pubkey-pem", &k.path(&format!("{name}.pub"))[..]], vec![]] {
            let (c, si, man, o) = xmlsec_verify(&f, &key_args, None);
            assert_eq!(c, 0, "{o}");
            assert_eq!((si.as_str(), man.as_str()), ("3/3", "5/5"), "{o}");
        }
        if cert {
            let (c, si, man, o) = xmlsec_verify(&f, &["--trusted-pem", &k.path("rsa2048.crt")], None);
            assert_eq!((c, si.as_str(), man.as_str()), (0, "3/3", "5/5"), "{o}");
        }
    }
}

#[test]
fn xmlsec1_verifies_ecdsa_signatures() {
    // xmlsec1 1.2 cannot read an XML-DSig 1.1 ECKeyValue, so the key is
    // given: as a trusted certificate, or as the public key.
    let k = keys();
    let s = sign(&read(data("demo-ds.xml")), &k.signing("ec"), &opts("x", Some(k.cert("ec")))).unwrap();
    let f = write("xs-ec.xml", &s);
    for key_args in [["--trusted-pem", &k.path("ec.crt")[..]], ["--pubkey-pem", &k.path("ec.pub")[..]]] {
        let (c, si, man, o) = xmlsec_verify(&f, &key_args, None);
        assert_eq!((c, si.as_str(), man.as_str()), (0, "3/3", "5/5"), "{o}");
    }
}

#[test]
fn xmlsec1_agrees_on_the_hard_canonicalization_cases() {
    // edge-ds.xml: default namespace and xml:lang inherited from the
    // collection, undeclared namespaces, references, CDATA, PIs; both of
    // its signatures, in LF and in CRLF form.
    let k = keys();
    for (label, text) in [("lf", read(data("edge-ds.xml"))), ("crlf", read(data("edge-ds.xml")).replace('\n', "\r\n"))]
    {
        let s = sign(&text, &k.signing("rsa2048"), &opts("x", None)).unwrap();
        let f = write(&format!("xs-edge-{label}.xml"), &s);
        for (node, manifest) in
            [("scap_org.example_datastream_one_sig", "3/3"), ("scap_org.example_datastream_two_sig", "1/1")]
        {
            let (c, si, man, o) = xmlsec_verify(&f, &["--pubkey-pem", &k.path("rsa2048.pub")], Some(node));
            assert_eq!((c, si.as_str(), man.as_str()), (0, "3/3", manifest), "{label} {node}: {o}");
        }
    }
}

#[test]
fn xmlsec1_sees_a_tampered_component_in_the_manifest() {
    let k = keys();
    let s = sign(&read(data("demo-ds.xml")), &k.signing("rsa2048"), &opts("x", None)).unwrap();
    let t = edit_after(&s, "<ds:component id=\"scap_org.example_comp_demo-ocil.xml\"", "</ocil:ocil>", " </ocil:ocil>");
    let f = write("xs-tampered.xml", &t);
    let (_, si, man, o) = xmlsec_verify(&f, &["--pubkey-pem", &k.path("rsa2048.pub")], None);
    assert_eq!((si.as_str(), man.as_str()), ("3/3", "4/5"), "{o}");
    let r = verify(&t, None).unwrap();
    assert_eq!(r[0].changed_components(), ["scap_org.example_comp_demo-ocil.xml"]);
}

/// Signs `template` with xmlsec1 and checks it with scapc.
fn xmlsec_sign(name: &str, template: &str, key_arg: &str) -> String {
    let t = write(&format!("tmpl-{name}.xml"), template);
    let out = scratch().join(format!("xmlsec-signed-{name}.xml")).to_string_lossy().into_owned();
    let mut args = vec!["--sign", "--privkey-pem", key_arg, "--output", &out];
    args.extend(IDS);
    args.push(&t);
    let (c, o) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{o}");
    read(&out)
}

#[test]
fn scapc_verifies_xmlsec1_signatures() {
    let k = keys();
    let demo = read(data("demo-ds.xml"));
    // RSA: xmlsec1 fills in the RSAKeyValue and the certificate.
    let ours = sign(&demo, &k.signing("rsa2048"), &opts("xmlsec1", None)).unwrap();
    let theirs = xmlsec_sign(
        "rsa",
        &template(&ours, "<dsig:KeyInfo><dsig:KeyValue/><dsig:X509Data/></dsig:KeyInfo>"),
        &format!("{},{}", k.path("rsa2048.pem"), k.path("rsa2048.crt")),
    );
    assert!(theirs.contains("<dsig:Modulus>") && theirs.contains("<dsig:X509Certificate>"));
    let r = verify(&theirs, Some(&k.public("rsa2048"))).unwrap();
    assert!(r[0].valid(), "{r:#?}");
    assert_eq!(r[0].references.iter().filter(|x| x.ok).count(), 8);
    assert_eq!(r[0].signer.as_deref(), Some("xmlsec1"));
    // The same digests as ours: both canonicalize alike.
    let dv = |s: &str| {
        s.match_indices("<dsig:DigestValue>")
            .map(|(i, _)| s[i..][..s[i..].find("</").unwrap()].to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(dv(&ours), dv(&theirs));
    // ECDSA P-256: xmlsec1 1.2 writes no EC KeyValue, only the certificate.
    let ours = sign(&demo, &k.signing("ec"), &opts("xmlsec1", None)).unwrap();
    let theirs = xmlsec_sign(
        "ec",
        &template(&ours, "<dsig:KeyInfo><dsig:X509Data/></dsig:KeyInfo>"),
        &format!("{},{}", k.path("ec.pem"), k.path("ec.crt")),
    );
    let r = verify(&theirs, None).unwrap();
    assert!(r[0].valid(), "{r:#?}");
    assert_eq!(r[0].algorithm, scapc_xmldsig::dsig::ALG_ECDSA_SHA256);
    assert_eq!(verify(&theirs, Some(&k.public("ec"))).unwrap()[0].trusted, Some(true));
    assert_eq!(verify(&theirs, Some(&k.public("other"))).unwrap()[0].trusted, Some(false));
    // Both data streams of edge-ds.xml, xmlsec1 signing each Signature by id.
    let ours = sign(&read(data("edge-ds.xml")), &k.signing("rsa3072"), &opts("xmlsec1", None)).unwrap();
    let t = template(&ours, "<dsig:KeyInfo><dsig:KeyValue/></dsig:KeyInfo>");
    let f = write("tmpl-edge.xml", &t);
    let mut signed = f.clone();
    let key = k.path("rsa3072.pem");
    for (i, id) in ["scap_org.example_datastream_one_sig", "scap_org.example_datastream_two_sig"].iter().enumerate() {
        let out = scratch().join(format!("xmlsec-edge-{i}.xml")).to_string_lossy().into_owned();
        let mut args = vec!["--sign", "--privkey-pem", &key, "--output", &out];
        args.extend(IDS);
        args.extend(["--id-attr:Id", "http://www.w3.org/2000/09/xmldsig#:Signature", "--node-id", id, &signed]);
        let (c, o) = run("xmlsec1", &args);
        assert_eq!(c, 0, "{o}");
        signed = out;
    }
    let r = verify(&read(&signed), Some(&k.public("rsa3072"))).unwrap();
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|x| x.valid()), "{r:#?}");
}
