//! Signing and verifying through the library: the SP 800-126r3 layout,
//! every key type, trust anchors, tampering (named down to the component),
//! attacks on the signature structure, and clear errors on bad input.

mod common;

use common::*;
use scapc_xmldsig::dsig::{self, Target, TYPE_MANIFEST, TYPE_PROPS};
use scapc_xmldsig::{sign, verify, Error, SignatureReport};

const DS_ID: &str = "scap_org.example_datastream_demo";

fn demo() -> String {
    read(data("demo-ds.xml"))
}

fn edge() -> String {
    read(data("edge-ds.xml"))
}

fn signed_demo() -> &'static str {
    static S: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let k = keys();
        sign(&demo(), &k.signing("rsa2048"), &opts("Test Signer <t@example.org>", Some(k.cert("rsa2048")))).unwrap()
    })
}

fn one(xml: &str) -> SignatureReport {
    let mut r = verify(xml, None).unwrap();
    assert_eq!(r.len(), 1);
    r.remove(0)
}

fn explain(r: &SignatureReport) -> String {
    format!("{r:#?}")
}

#[test]
fn the_signature_has_the_sp800_126_layout() {
    let input = demo();
    let s = signed_demo();
    // The input is unchanged; the signature sits last in the collection.
    let root_end = input.rfind("</ds:data-stream-collection>").unwrap();
    assert!(s.starts_with(&input[..root_end]));
    assert!(s.ends_with(&input[root_end..]));
    assert!(s[..s.len() - (input.len() - root_end)].trim_end().ends_with("</dsig:Signature>"));
    let sigs = signatures(s);
    assert_eq!(sigs.len(), 1);
    let sig = sigs[0];
    assert!(sig.starts_with(&format!(
        "<dsig:Signature xmlns:dsig=\"http://www.w3.org/2000/09/xmldsig#\" Id=\"{DS_ID}_sig\">"
    )));
    // SignedInfo: c14n 1.1, rsa-sha256, three references in order.
    let si = &sig[sig.find("<dsig:SignedInfo>").unwrap()..sig.find("</dsig:SignedInfo>").unwrap()];
    assert!(si.contains("<dsig:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>"));
    assert!(si.contains("<dsig:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>"));
    assert_eq!(
        attr_values(si, "URI"),
        [format!("#{DS_ID}"), format!("#{DS_ID}_sigprops"), format!("#{DS_ID}_manifest")]
    );
    assert_eq!(attr_values(si, "Type"), [TYPE_PROPS, TYPE_MANIFEST]);
    // Every reference: one c14n 1.1 transform, SHA-256.
    let n_refs = sig.matches("<dsig:Reference ").count();
    assert_eq!(sig.matches("<dsig:Transform Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>").count(), n_refs);
    assert_eq!(
        sig.matches("<dsig:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>").count(),
        n_refs
    );
    // The Manifest: one reference per component-ref, in order.
    let manifest = &sig[sig.find("<dsig:Manifest ").unwrap()..];
    let hrefs: Vec<&str> = attr_values(&input, "xlink:href");
    assert_eq!(attr_values(manifest, "URI"), hrefs);
    assert_eq!(hrefs.len(), 5);
    // TMSAD signature-info, pointing at the signature.
    assert!(sig.contains(&format!("<dsig:SignatureProperty Target=\"#{DS_ID}_sig\">")));
    assert!(sig.contains("<tmsad:signature-info xmlns:tmsad=\"http://scap.nist.gov/schema/xml-dsig/1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"));
    assert!(sig.contains("<dc:creator>Test Signer &lt;t@example.org&gt;</dc:creator>"));
    assert!(sig.contains("<dc:date>2024-05-01T12:00:00Z</dc:date>"));
    assert!(sig.contains("<tmsad:nonce>0123456789abcdef</tmsad:nonce>"));
    // KeyInfo: the RSA key value and the certificate.
    assert!(
        sig.contains("<dsig:RSAKeyValue>")
            && sig.contains("<dsig:Exponent>AQAB</dsig:Exponent>")
            && sig.contains("<dsig:X509Certificate>")
    );
    // Element order inside the signature.
    let order: Vec<usize> = [
        "<dsig:SignedInfo>",
        "<dsig:SignatureValue>",
        "<dsig:KeyInfo>",
        "<dsig:SignatureProperties ",
        "<dsig:Manifest ",
    ]
    .iter()
    .map(|t| sig.find(t).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
}

#[test]
fn the_schematron_of_sp800_126_finds_nothing_wrong() {
    let f = write("schematron.xml", signed_demo());
    let (_, out) = run("xsltproc", &["/usr/share/openscap/schemas/sds/1.3/source-data-stream-1.3.xsl", &f]);
    let errors: Vec<&str> =
        out.lines().filter(|l| l.contains("Error:") && (l.contains("SRC-28") || l.contains("SRC-29"))).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn every_key_type_signs_and_verifies() {
    let k = keys();
    for (name, pem, alg) in [
        ("rsa2048", "rsa2048.pem", dsig::ALG_RSA_SHA256),
        ("rsa3072", "rsa3072.pem", dsig::ALG_RSA_SHA256),
        ("ec", "ec.pem", dsig::ALG_ECDSA_SHA256),
        ("rsa2048", "rsa2048-pkcs1.pem", dsig::ALG_RSA_SHA256),
        ("ec", "ec-sec1.pem", dsig::ALG_ECDSA_SHA256),
    ] {
        let key = scapc_xmldsig::load_private_key(&k.text(pem)).unwrap();
        for cert in [None, Some(k.cert(name))] {
            let s = sign(&demo(), &key, &opts("x", cert.clone())).unwrap();
            let r = one(&s);
            assert!(r.valid(), "{pem} {}", explain(&r));
            assert_eq!(r.algorithm, alg);
            assert_eq!(r.data_stream.as_deref(), Some(DS_ID));
            assert_eq!(r.references.len(), 8);
            assert_eq!(r.references.iter().filter(|x| x.signed_info).count(), 3);
            assert_eq!(r.signer.as_deref(), Some("x"));
            assert_eq!(r.date.as_deref(), Some("2024-05-01T12:00:00Z"));
            assert_eq!(r.nonce.as_deref(), Some("0123456789abcdef"));
            // The fingerprint is SHA-256 of the DER public key, as openssl has it.
            assert_eq!(r.fingerprint.as_deref(), Some(k.openssl_fingerprint(name).as_str()), "{pem}");
            if cert.is_some() {
                assert!(s.contains("<dsig:X509Certificate>"));
            }
            // A trust anchor: the certificate, the public key, the private key.
            for anchor in [k.text(&format!("{name}.crt")), k.text(&format!("{name}.pub")), k.text(pem)] {
                let t = scapc_xmldsig::load_public_key_or_cert(&anchor).unwrap();
                let r = verify(&s, Some(&t)).unwrap().remove(0);
                assert_eq!(r.trusted, Some(true));
                assert!(r.valid());
            }
        }
    }
}

#[test]
fn ec_key_values_use_xmldsig11() {
    let k = keys();
    let s = sign(&demo(), &k.signing("ec"), &opts("x", None)).unwrap();
    assert!(s.contains("<dsig11:ECKeyValue xmlns:dsig11=\"http://www.w3.org/2009/xmldsig11#\">"));
    assert!(s.contains("<dsig11:NamedCurve URI=\"urn:oid:1.2.840.10045.3.1.7\"/>"));
    // ECDSA values are r || s, 64 bytes.
    let sv = &s[s.find("<dsig:SignatureValue>").unwrap() + 21..s.find("</dsig:SignatureValue>").unwrap()];
    assert_eq!(scapc_xmldsig::keys::unb64(sv).unwrap().len(), 64);
}

#[test]
fn rsa_signatures_are_deterministic() {
    let k = keys();
    let a = sign(&demo(), &k.signing("rsa2048"), &opts("x", None)).unwrap();
    let b = sign(&demo(), &k.signing("rsa2048"), &opts("x", None)).unwrap();
    assert_eq!(a, b);
    // Without a nonce, a random one is made.
    let mut o = opts("x", None);
    o.nonce = None;
    let c = sign(&demo(), &k.signing("rsa2048"), &o).unwrap();
    let d = sign(&demo(), &k.signing("rsa2048"), &o).unwrap();
    assert_ne!(c, d);
    assert!(one(&c).nonce.is_some_and(|n| n.len() == 32));
}

#[test]
fn another_key_is_not_trusted() {
    let k = keys();
    let other = k.public("other");
    let r = verify(signed_demo(), Some(&other)).unwrap().remove(0);
    assert!(r.signature_value_ok, "the signature itself is fine");
    assert_eq!(r.trusted, Some(false));
    assert!(!r.valid());
    assert_eq!(r.fingerprint.as_deref(), Some(k.openssl_fingerprint("rsa2048").as_str()), "names who did sign");
    // Swapping in the other key's KeyInfo does not help.
    let s = sign(&demo(), &k.signing("other"), &opts("x", Some(k.cert("other")))).unwrap();
    let forged_ki = &s[s.find("<dsig:KeyInfo>").unwrap()..s.find("</dsig:KeyInfo>").unwrap()];
    let ours = signed_demo();
    let forged =
        ours.replace(&ours[ours.find("<dsig:KeyInfo>").unwrap()..ours.find("</dsig:KeyInfo>").unwrap()], forged_ki);
    let r = verify(&forged, Some(&other)).unwrap().remove(0);
    assert!(!r.signature_value_ok && !r.valid(), "{}", explain(&r));
    let r = verify(&forged, None).unwrap().remove(0);
    assert!(!r.signature_value_ok && !r.valid());
    // A signature by the trusted key over altered SignedInfo: the value is
    // bad, but the signer is not the question.
    let t = edit_after(ours, "<dsig:SignedInfo>", "<dsig:SignatureMethod", " <dsig:SignatureMethod");
    let r = verify(&t, Some(&k.public("rsa2048"))).unwrap().remove(0);
    assert!(!r.signature_value_ok && r.trusted == Some(true) && !r.valid(), "{}", explain(&r));
}

#[test]
fn each_tampered_component_is_named() {
    let s = signed_demo();
    let comps: Vec<String> = s
        .match_indices("<ds:component id=\"")
        .map(|(i, _)| s[i + 18..][..s[i + 18..].find('"').unwrap()].to_owned())
        .collect();
    assert_eq!(comps.len(), 5);
    for c in &comps {
        // Add one character before the last end tag of the component's content.
        let start = s.find(&format!("<ds:component id=\"{c}\"")).unwrap();
        let close = start + s[start..].find("</ds:component>").unwrap();
        let lt = start + s[start..close].rfind("</").unwrap();
        let mut t = s.to_owned();
        t.insert(lt, 'X');
        let r = one(&t);
        assert!(!r.valid());
        assert!(r.signature_value_ok, "SignedInfo is intact");
        assert_eq!(r.changed_components(), [c.as_str()], "{}", explain(&r));
        let bad: Vec<_> = r.references.iter().filter(|x| !x.ok).collect();
        assert_eq!(bad.len(), 1);
        assert!(!bad[0].signed_info && bad[0].problem.as_deref().unwrap().contains("the digest does not match"));
    }
}

#[test]
fn tampering_with_the_signed_parts_is_found() {
    let s = signed_demo();
    let cases: Vec<(&str, String, Target)> = vec![
        (
            "data stream",
            s.replacen("use-case=\"OTHER\"", "use-case=\"CONFIGURATION\"", 1),
            Target::DataStream(DS_ID.into()),
        ),
        ("signer", s.replacen("Test Signer", "Evil Signer", 1), Target::SignatureProperties),
        ("date", s.replacen("2024-05-01T12:00:00Z", "2025-05-01T12:00:00Z", 1), Target::SignatureProperties),
        (
            "manifest digest",
            edit_after(s, "<dsig:Manifest ", "<dsig:DigestValue>", "<dsig:DigestValue>AAAA"),
            Target::Manifest,
        ),
        ("manifest uri", edit_after(s, "<dsig:Manifest ", "URI=\"#", "URI=\"#x"), Target::Manifest),
    ];
    for (what, t, target) in cases {
        assert_ne!(t, s);
        let r = one(&t);
        assert!(!r.valid(), "{what}");
        let bad: Vec<_> = r.references.iter().filter(|x| !x.ok && x.signed_info).collect();
        assert_eq!(bad.len(), 1, "{what}: {}", explain(&r));
        assert_eq!(bad[0].target, target, "{what}");
    }
    // The signature value itself.
    let t = edit_after(s, "<dsig:SignatureValue>", "<dsig:SignatureValue>", "<dsig:SignatureValue>AAAA");
    let r = one(&t);
    assert!(!r.signature_value_ok && !r.valid());
    // A SignedInfo digest edited: the references still check out against
    // the document, but the signature value no longer covers SignedInfo.
    let t = edit_after(s, "<dsig:SignedInfo>", "<dsig:DigestMethod", "<dsig:DigestMethod ");
    let r = one(&t);
    assert!(r.signature_value_ok, "white space inside a tag is not significant");
    let t = edit_after(s, "<dsig:SignedInfo>", "<dsig:SignatureMethod", " <dsig:SignatureMethod");
    assert!(!one(&t).signature_value_ok);
}

#[test]
fn changes_that_canonicalization_removes_do_not_break_the_signature() {
    let s = signed_demo();
    const OVAL: &str = "<ds:component id=\"scap_org.example_comp_demo-oval.xml\"";
    let edits = [
        // Attribute order, quotes, white space in tags.
        s.replacen(
            "<ds:component id=\"scap_org.example_comp_demo-oval.xml\" timestamp=\"2026-11-22T12:07:24\">",
            "<ds:component   timestamp='2026-11-22T12:07:24'\n id=\"scap_org.example_comp_demo-oval.xml\" >",
            1,
        ),
        // A comment inside a component, CRLF line ends everywhere.
        edit_after(s, OVAL, "<generator>", "<!-- a comment --><generator>"),
        s.replace('\n', "\r\n"),
        // Character references for plain characters, a CDATA section.
        s.replacen(
            "Guide to the Secure Configuration of Demo",
            "Guide to the &#83;ecure Configuration of &#x44;emo",
            1,
        ),
        s.replacen(
            "<oval:product_name>scapc</oval:product_name>",
            "<oval:product_name><![CDATA[scapc]]></oval:product_name>",
            1,
        ),
    ];
    for (i, t) in edits.iter().enumerate() {
        let r = one(t);
        assert!(r.valid(), "edit {i}: {}", explain(&r));
    }
    // An empty element written as a start-end pair and back.
    if let Some(p) = s.find("/>") {
        let lt = s[..p].rfind('<').unwrap();
        let name = s[lt + 1..p].split_whitespace().next().unwrap().to_owned();
        let mut t = s.to_owned();
        t.replace_range(p..p + 2, &format!("></{name}>"));
        assert!(one(&t).valid(), "{name}");
    }
}

#[test]
fn a_second_manifest_cannot_stand_in_for_the_signed_one() {
    let k = keys();
    let s = signed_demo();
    // Tamper a component, then put a forged Manifest (with the right
    // digests for the tampered content) before the real one.
    let t = edit_after(
        s,
        "<ds:component id=\"scap_org.example_comp_demo-oval.xml\"",
        "</oval_definitions>",
        "<extra/></oval_definitions>",
    );
    let sig_start = t.find("  <dsig:Signature").unwrap();
    let sig_end = t.find("</dsig:Signature>\n").unwrap() + "</dsig:Signature>\n".len();
    let unsigned = format!("{}{}", &t[..sig_start], &t[sig_end..]);
    let resigned = sign(&unsigned, &k.signing("other"), &opts("x", None)).unwrap();
    let forged_obj = {
        let m = resigned.find("<dsig:Manifest ").unwrap();
        let o = resigned[..m].rfind("<dsig:Object>").unwrap();
        let e = resigned[m..].find("</dsig:Object>").unwrap() + m + 14;
        resigned[o..e].replace("_manifest\"", "_manifest_forged\"")
    };
    let at = t.find("<dsig:Object>").unwrap();
    let mut forged = t.clone();
    forged.insert_str(at, &forged_obj);
    let r = one(&forged);
    assert!(!r.valid());
    assert_eq!(r.changed_components(), ["scap_org.example_comp_demo-oval.xml"], "{}", explain(&r));
    assert!(r.problems.iter().any(|p| p.contains("not referenced by SignedInfo")), "{:?}", r.problems);
}

#[test]
fn ambiguous_and_foreign_references_are_refused() {
    let s = signed_demo();
    // An element inside the signature carrying a component's id.
    let t = s.replacen("<dsig:Object>", "<dsig:Object Id=\"scap_org.example_comp_demo-oval.xml\">", 1);
    let r = one(&t);
    assert!(!r.valid());
    let bad = r.references.iter().find(|x| x.uri == "#scap_org.example_comp_demo-oval.xml").unwrap();
    assert!(bad.problem.as_deref().unwrap().contains("ambiguous"), "{bad:?}");
    // A reference that leaves the document.
    let t = edit_after(
        s,
        "<dsig:Manifest ",
        "URI=\"#scap_org.example_comp_demo-oval.xml\"",
        "URI=\"http://example.org/x.xml\"",
    );
    let r = one(&t);
    assert!(r.references.iter().any(|x| x.problem.as_deref().is_some_and(|p| p.contains("same-document"))));
    // A component of the stream left out of the Manifest.
    let m = s.find("<dsig:Manifest ").unwrap();
    let a = m + s[m..].find("<dsig:Reference URI=\"#scap_org.example_comp_demo-oval.xml\"").unwrap();
    let a = s[..a].rfind('\n').unwrap();
    let b = a + s[a..].find("</dsig:Reference>").unwrap() + 17;
    let mut t = s.to_owned();
    t.replace_range(a..b, "");
    let r = one(&t);
    assert!(
        r.problems.iter().any(|p| p.starts_with("SRC-284") && p.contains("scap_org.example_comp_demo-oval.xml")),
        "{:?}",
        r.problems
    );
    // An unsupported transform.
    let t = edit_after(
        s,
        "<dsig:Manifest ",
        "http://www.w3.org/2006/12/xml-c14n11",
        "http://www.w3.org/2001/10/xml-exc-c14n#",
    );
    let r = one(&t);
    assert!(r.references.iter().any(|x| x.problem.as_deref().is_some_and(|p| p.contains("unsupported transforms"))));
}

#[test]
fn layout_problems_are_reported() {
    let s = signed_demo();
    // References swapped: SRC-287/288 and the TMSAD Type rules.
    let t = s.replacen("Type=\"http://www.w3.org/2000/09/xmldsig#Manifest\"", "", 1);
    let r = one(&t);
    assert!(r.problems.iter().any(|p| p.contains("TMSAD") && p.contains("Manifest")), "{:?}", r.problems);
    let t = s.replacen("<tmsad:signature-info", "<tmsad:other-info", 1).replacen(
        "</tmsad:signature-info>",
        "</tmsad:other-info>",
        1,
    );
    let r = one(&t);
    assert!(r.problems.iter().any(|p| p.starts_with("SRC-285")), "{:?}", r.problems);
    let t = s.replacen(
        "<dsig:CanonicalizationMethod Algorithm=\"http://www.w3.org/2006/12/xml-c14n11\"/>",
        "<dsig:CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>",
        1,
    );
    let r = one(&t);
    assert!(r.problems.iter().any(|p| p.contains("unsupported CanonicalizationMethod")) && !r.valid());
}

#[test]
fn two_streams_two_signatures_and_shared_components() {
    let k = keys();
    let s = sign(&edge(), &k.signing("ec"), &opts("x", Some(k.cert("ec")))).unwrap();
    let sigs = signatures(&s);
    assert_eq!(sigs.len(), 2);
    let r = verify(&s, None).unwrap();
    assert!(r.iter().all(|x| x.valid()), "{r:#?}");
    assert_eq!(r[0].data_stream.as_deref(), Some("scap_org.example_datastream_one"));
    assert_eq!(r[1].data_stream.as_deref(), Some("scap_org.example_datastream_two"));
    assert_eq!(r[0].references.len(), 6);
    assert_eq!(r[1].references.len(), 4);
    // The shared component breaks both signatures.
    let t = edit_after(&s, "<x:text>", "leading", "Leading");
    let r = verify(&t, None).unwrap();
    assert_eq!(r[0].changed_components(), ["scap_org.example_comp_b"]);
    assert_eq!(r[1].changed_components(), ["scap_org.example_comp_b"]);
    // A component that no data stream uses is not signed.
    let t = s.replacen(
        "<unused xmlns=\"urn:example:unused\"/>",
        "<unused xmlns=\"urn:example:unused\">changed</unused>",
        1,
    );
    assert!(verify(&t, None).unwrap().iter().all(|x| x.valid()));
    // CRLF line ends: same canonical form.
    let crlf = edge().replace('\n', "\r\n");
    let s2 = sign(&crlf, &k.signing("rsa2048"), &opts("x", None)).unwrap();
    let s1 = sign(&edge(), &k.signing("rsa2048"), &opts("x", None)).unwrap();
    let digests = |s: &str| attr_values(s, "URI").len() + s.matches("<dsig:DigestValue>").count();
    assert_eq!(digests(&s1), digests(&s2));
    let dv = |s: &str| {
        s.match_indices("<dsig:DigestValue>")
            .map(|(i, _)| s[i..][..s[i..].find("</").unwrap()].to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(dv(&s1), dv(&s2), "CRLF and LF documents canonicalize alike");
    assert!(verify(&s2, None).unwrap().iter().all(|x| x.valid()));
}

#[test]
fn a_byte_order_mark_and_an_internal_dtd_without_declarations_are_fine() {
    let k = keys();
    let d = demo();
    let body = &d[d.find("<ds:data-stream-collection").unwrap()..];
    for doc in [
        format!("\u{feff}{d}"),
        format!("<!DOCTYPE ds:data-stream-collection>\n{body}"),
        format!("<!DOCTYPE ds:data-stream-collection [ ]>\n{body}"),
    ] {
        let s = sign(&doc, &k.signing("rsa2048"), &opts("x", None)).unwrap_or_else(|e| panic!("{e}"));
        assert!(verify(&s, None).unwrap()[0].valid());
    }
}

#[test]
fn bad_input_is_a_clear_error() {
    let k = keys();
    let key = k.signing("rsa2048");
    let o = opts("x", None);
    let msg = |r: Result<String, Error>| r.unwrap_err().to_string();
    assert!(msg(sign(signed_demo(), &key, &o)).contains("already signed"));
    assert!(verify(&demo(), None).unwrap_err().to_string().contains("not signed"));
    // DTDs with declarations are refused.
    let body = &demo()[demo().find("<ds:data-stream-collection").unwrap()..];
    for dtd in [
        "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
        "<!DOCTYPE x SYSTEM \"http://example.org/x.dtd\">",
        "<!DOCTYPE ds:data-stream-collection [<!ATTLIST ds:component extra CDATA \"injected\">]>",
    ] {
        let e = sign(&format!("{dtd}\n{body}"), &key, &o).unwrap_err();
        assert!(matches!(e, Error::Xml { line: 1, .. }), "{e}");
        let e = verify(
            &format!("{dtd}\n{}", &signed_demo()[signed_demo().find("<ds:data-stream-collection").unwrap()..]),
            None,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Xml { .. }), "{e}");
    }
    // Not well-formed: the error has the line.
    let broken = demo().replacen("</generator>", "</generatorz>", 1);
    let line = demo()[..demo().find("</generator>").unwrap()].lines().count() as u32;
    match sign(&broken, &key, &o).unwrap_err() {
        Error::Xml { line: l, message, .. } => assert_eq!(l, line, "{message}"),
        e => panic!("{e:?}"),
    }
    let e = verify(&signed_demo().replacen("</dsig:SignedInfo>", "</dsig:SignedInfx>", 1), None).unwrap_err();
    assert!(matches!(e, Error::Xml { .. }), "{e}");
    assert!(
        msg(sign(&format!("junk{}", demo()), &key, &o)).contains("not well-formed")
            || msg(sign(&format!("junk{}", demo()), &key, &o)).contains("1:1")
    );
    assert!(msg(sign(&format!("{}junk", demo()), &key, &o)).contains("after the root"));
    assert!(msg(sign("<x/>", &key, &o)).contains("not a SCAP source data stream"));
    assert!(msg(sign("", &key, &o)).contains("root"));
    // Keys.
    let load = |f: &str| scapc_xmldsig::load_private_key(&k.text(f)).unwrap_err().to_string();
    assert!(load("rsa1024.pem").contains("RSA key cannot be used"), "{}", load("rsa1024.pem"));
    assert!(load("p384.pem").contains("P-384"), "{}", load("p384.pem"));
    assert!(load("ed25519.pem").contains("Ed25519"), "{}", load("ed25519.pem"));
    assert!(load("rsa2048-encrypted.pem").contains("encrypted"));
    assert!(load("rsa2048.crt").contains("not a private key"));
    assert!(scapc_xmldsig::load_certificate(&k.text("rsa2048.pem"))
        .unwrap_err()
        .to_string()
        .contains("no CERTIFICATE"));
    assert!(scapc_xmldsig::load_public_key_or_cert(&k.text("p384.pub")).unwrap_err().to_string().contains("P-384"));
    assert!(msg(sign(&demo(), &key, &opts("x", Some(k.cert("other"))))).contains("does not belong"));
    // Garbage never panics.
    for junk in ["<", "<ds:data-stream-collection", "\u{feff}", "<a>&#xFFFFFFFF;</a>", "<?xml version=\"1.0\"?><!DOCTYPE", "<ds:data-stream-collection xmlns:ds=\"http://scap.nist.gov/schema/scap/source/1.2\"><dsig:Signature/></ds:data-stream-collection>"] {
        let _ = sign(junk, &key, &o);
        let _ = verify(junk, None);
    }
}

#[test]
fn truncated_and_mangled_signatures_never_panic() {
    let s = signed_demo();
    let sig_start = s.find("<dsig:Signature").unwrap();
    // Cut the document at many points inside the signature, and delete
    // single elements of it.
    for cut in (sig_start..s.len()).step_by(97) {
        let _ = verify(&s[..cut], None);
    }
    for tag in [
        "<dsig:SignedInfo>",
        "<dsig:SignatureValue>",
        "<dsig:KeyInfo>",
        "<dsig:Object>",
        "<dsig:Reference ",
        "<dsig:Transforms>",
        "<dsig:DigestValue>",
        "<dsig:X509Certificate>",
        "<dsig:Modulus>",
    ] {
        let a = s.find(tag).unwrap();
        let name = &tag[1..tag.len() - 1].trim_end();
        let close = format!("</{name}>");
        let b = a + s[a..].find(&close).unwrap() + close.len();
        let mut t = s.to_owned();
        t.replace_range(a..b, "");
        let r = verify(&t, None).unwrap();
        // KeyInfo is not signed: without the certificate the KeyValue remains.
        assert_eq!(r[0].valid(), tag == "<dsig:X509Certificate>", "without {tag}");
        let mut t = s.to_owned();
        if tag.ends_with('>') {
            t.replace_range(a + tag.len()..b - close.len(), "!!not base64!!");
            assert!(!verify(&t, None).unwrap()[0].valid(), "garbage in {tag}");
        }
    }
}

#[test]
fn a_huge_manifest_is_checked_in_linear_time() {
    let s = signed_demo();
    let m = s.find("<dsig:Manifest ").unwrap();
    let a = m + s[m..].find("<dsig:Reference ").unwrap();
    let b = a + s[a..].find("</dsig:Reference>").unwrap() + 17;
    let mut t = s.to_owned();
    t.insert_str(b, &s[a..b].repeat(30_000));
    let start = std::time::Instant::now();
    let r = one(&t);
    assert_eq!(r.references.len(), 3 + 5 + 30_000);
    assert!(!r.valid(), "the Manifest changed");
    eprintln!("30 000 references verified in {:?}", start.elapsed());
    assert!(start.elapsed() < std::time::Duration::from_secs(20), "{:?}", start.elapsed());
}

#[test]
fn random_mutations_never_panic() {
    // A fixed-seed generator: the same mutations every run (fewer in
    // debug builds, which are much slower).
    let mut seed: u64 = 0x5eed_5eed;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n.max(1)
    };
    let s = signed_demo().as_bytes().to_vec();
    let junk: &[&[u8]] = &[
        b"<",
        b">",
        b"&",
        b"\"",
        b"'",
        b"/",
        b"<!--",
        b"]]>",
        b"&#0;",
        b"xmlns:dsig=\"x\" ",
        b"<a>",
        b"</a>",
        b"\r",
        b"\xc3",
    ];
    for _ in 0..if cfg!(debug_assertions) { 600 } else { 3000 } {
        let mut t = s.clone();
        for _ in 0..1 + next(3) {
            let at = next(t.len());
            match next(3) {
                0 => {
                    t.remove(at);
                }
                1 => {
                    let j = junk[next(junk.len())];
                    t.splice(at..at, j.iter().copied());
                }
                _ => t[at] = b"<>&=\" x"[next(7)],
            }
        }
        if let Ok(text) = String::from_utf8(t) {
            if let Ok(reports) = verify(&text, None) {
                for r in &reports {
                    let _ = (r.valid(), r.changed_components());
                }
            }
            let _ = sign(&text, &keys().signing("ec"), &opts("x", None));
        }
    }
}
