//! What the signatures cover: per data stream, the stream and every
//! component it reaches (issue #12, finding 1), and signatures by weak RSA
//! keys, which are checked and reported as such (finding 11).

mod common;

use common::*;
use scapc_xmldsig::{sign, verify, verify_document, FindingKind};

const STREAM: &str = "scap_org.example_datastream_demo";
const XCCDF_COMP: &str = "scap_org.example_comp_demo-xccdf.xml";

fn signed() -> String {
    sign(&read(data("demo-ds.xml")), &keys().signing("rsa2048"), &opts("x", None)).unwrap()
}

/// The text of the first data stream, with its indentation and newline.
fn stream_block(s: &str) -> &str {
    let a = s.find("  <ds:data-stream ").unwrap();
    let b = s.find("</ds:data-stream>\n").unwrap() + "</ds:data-stream>\n".len();
    &s[a..b]
}

/// Puts `block` in front of the first data stream, and `comps` before the
/// first signature.
fn with_extra(s: &str, block: &str, comps: &str) -> String {
    let a = s.find("  <ds:data-stream ").unwrap();
    let mut out = format!("{}{block}{}", &s[..a], &s[a..]);
    let sig = out.find("  <dsig:Signature").unwrap();
    out.insert_str(sig, comps);
    out
}

const EVIL_COMP: &str = "  <ds:extended-component id=\"evil_comp\" timestamp=\"2026-01-01T00:00:00\"><sce:script xmlns:sce=\"http://open-scap.org/page/SCE_xccdf_stream\">touch /tmp/owned</sce:script></ds:extended-component>\n";

/// The attack of the issue: an unsigned copy of the signed stream, with
/// fresh ids, whose benchmark component-ref points at an unsigned
/// component.
fn attack(s: &str) -> String {
    let copy = stream_block(s)
        .replace(&format!("id=\"{STREAM}\""), "id=\"evil_stream\"")
        .replace("scap_org.example_cref_", "evil_cref_")
        .replace(&format!("xlink:href=\"#{XCCDF_COMP}\""), "xlink:href=\"#evil_comp\"");
    with_extra(s, &copy, EVIL_COMP)
}

#[test]
fn every_stream_of_a_signed_file_is_covered() {
    let k = keys();
    let v = verify_document(&signed(), Some(&k.public("rsa2048")), false).unwrap();
    assert_eq!(v.streams.len(), 1);
    let c = &v.streams[0];
    assert!(c.covered, "{c:?}");
    assert_eq!(c.components.len(), 5, "{c:?}");
    assert!(c.uncovered.is_empty() && c.problems.is_empty());
    assert!(v.findings().is_empty(), "{:?}", v.findings());
    assert!(v.passes());
    // An unsigned file: no signatures, nothing covered, and it does not pass.
    let v = verify_document(&read(data("demo-ds.xml")), None, false).unwrap();
    assert!(v.signatures.is_empty() && !v.streams[0].covered && !v.passes());
}

#[test]
fn an_unsigned_stream_in_front_of_a_signed_one_is_named() {
    let k = keys();
    let t = attack(&signed());
    // The old check: every signature is valid, which is true and not enough.
    assert!(verify(&t, Some(&k.public("rsa2048"))).unwrap().iter().all(|r| r.valid()));
    let v = verify_document(&t, Some(&k.public("rsa2048")), false).unwrap();
    let evil = v.stream("evil_stream").unwrap();
    assert!(!evil.covered && evil.signed_by.is_empty(), "{evil:?}");
    assert_eq!(evil.uncovered, ["evil_comp"], "the other components it reaches are signed: {evil:?}");
    assert!(v.stream(STREAM).unwrap().covered);
    let f = v.findings();
    let kinds: Vec<(FindingKind, Option<&str>, Option<&str>)> =
        f.iter().map(|f| (f.kind, f.data_stream.as_deref(), f.component.as_deref())).collect();
    assert_eq!(
        kinds,
        [
            (FindingKind::UncoveredDataStream, Some("evil_stream"), None),
            (FindingKind::UncoveredComponent, Some("evil_stream"), Some("evil_comp")),
        ]
    );
    assert!(f.iter().all(|f| f.fails), "with a trust anchor, what no signature covers fails");
    assert!(!v.passes());
    // Without a trust anchor the same findings are warnings.
    let v = verify_document(&t, None, false).unwrap();
    assert_eq!(v.findings().len(), 2);
    assert!(v.findings().iter().all(|f| !f.fails) && v.passes());
}

#[test]
fn duplicate_component_ref_ids_leave_what_loads_ambiguous() {
    // The copy keeps the component-ref ids: a processor that looks ids up in
    // the whole document may load the attacker's component-ref even for
    // the signed stream, so neither stream is covered.
    let s = signed();
    let copy = stream_block(&s)
        .replace(&format!("id=\"{STREAM}\""), "id=\"evil_stream\"")
        .replace(&format!("xlink:href=\"#{XCCDF_COMP}\""), "xlink:href=\"#evil_comp\"");
    let t = with_extra(&s, &copy, EVIL_COMP);
    let v = verify_document(&t, Some(&keys().public("rsa2048")), false).unwrap();
    let good = v.stream(STREAM).unwrap();
    assert!(!good.covered, "{good:?}");
    assert!(good.problems.iter().any(|p| p.contains("scap_org.example_cref_demo-oval.xml") && p.contains("ambiguous")));
    assert!(v.findings().iter().any(|f| f.kind == FindingKind::UnresolvedReference));
    assert!(!v.passes());
}

#[test]
fn a_catalog_into_another_stream_is_refused() {
    // Stream A's benchmark catalog names a component-ref of stream B, which
    // points at an unsigned component. The shared reader refuses catalog
    // uris outside their own stream, so nothing is reached that way.
    let s = signed();
    let a = stream_block(&s)
        .replace(&format!("id=\"{STREAM}\""), "id=\"stream_a\"")
        .replace("scap_org.example_cref_", "a_cref_")
        .replace("uri=\"#a_cref_demo-oval.xml\"", "uri=\"#b_cref\"");
    let b = "  <ds:data-stream id=\"stream_b\" scap-version=\"1.3\" use-case=\"OTHER\"><ds:checks><ds:component-ref id=\"b_cref\" xlink:href=\"#evil_comp\"/></ds:checks></ds:data-stream>\n";
    let t = with_extra(&s, &format!("{a}{b}"), EVIL_COMP);
    let e = verify_document(&t, None, false).unwrap_err().to_string();
    assert!(e.contains("#b_cref") && e.contains("stream_a"), "{e}");
}

#[test]
fn a_component_no_stream_reaches_is_outside_every_signature() {
    let s = signed();
    let t = with_extra(&s, "", EVIL_COMP);
    let v = verify_document(&t, Some(&keys().public("rsa2048")), false).unwrap();
    assert!(v.stream(STREAM).unwrap().covered);
    assert_eq!(v.unreached, ["evil_comp"]);
    let f = v.findings();
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0].kind, f[0].component.as_deref(), f[0].data_stream.as_deref()),
        (FindingKind::UncoveredComponent, Some("evil_comp"), None)
    );
    assert!(!v.passes());
}

#[test]
fn covered_ranges_locate_the_signed_components() {
    let s = signed();
    let v = verify_document(&s, None, false).unwrap();
    let c = &v.streams[0];
    assert_eq!(c.covered_ranges.len(), 5);
    for r in &c.covered_ranges {
        assert!(s[r.clone()].starts_with("<ds:component ") && s[r.clone()].ends_with("</ds:component>"));
    }
    // With a byte order mark, the ranges are in the text as given.
    let bom = format!("\u{feff}{s}");
    let v = verify_document(&bom, None, false).unwrap();
    for r in &v.streams[0].covered_ranges {
        assert!(bom[r.clone()].starts_with("<ds:component "));
    }
}

/// Signs the demo data stream with xmlsec1 and an RSA key of `name`.
fn xmlsec_signed(name: &str) -> String {
    let ours = signed();
    let t = write(&format!("tmpl-weak-{name}.xml"), &template(&ours, "<dsig:KeyInfo><dsig:KeyValue/></dsig:KeyInfo>"));
    let out = scratch().join(format!("weak-{name}.xml")).to_string_lossy().into_owned();
    let key = keys().path(&format!("{name}.pem"));
    let mut args = vec!["--sign", "--privkey-pem", &key, "--output", &out];
    args.extend(IDS);
    args.push(&t);
    let (c, o) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{o}");
    read(&out)
}

#[test]
fn weak_rsa_keys_are_checked_and_reported_as_weak() {
    let k = keys();
    let s = xmlsec_signed("rsa1024");
    let r = verify(&s, None).unwrap().remove(0);
    // The value is checked: a 1024-bit signature that holds says so ...
    assert!(r.signature_value_ok && r.signature_value_checked, "{r:#?}");
    assert_eq!(r.weak_key_bits, Some(1024));
    assert!(r.valid() && !r.accepted(false) && r.accepted(true));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    // ... and one that does not is bad, not "refused".
    let i = s.find("<dsig:SignatureValue>").unwrap() + "<dsig:SignatureValue>".len();
    let flipped = if &s[i..i + 1] == "A" { "B" } else { "A" };
    let t = format!("{}{flipped}{}", &s[..i], &s[i + 1..]);
    let r = verify(&t, None).unwrap().remove(0);
    assert!(!r.signature_value_ok && r.signature_value_checked && !r.valid(), "{r:#?}");
    // The weak key is a finding of its own, failing unless allowed.
    let v = verify_document(&s, Some(&k.public("rsa1024")), false).unwrap();
    let f = v.findings();
    assert!(f.iter().any(|f| f.kind == FindingKind::WeakKey && f.fails && f.message.contains("1024")), "{f:?}");
    assert!(!v.passes() && !v.streams[0].covered, "a weak key covers nothing unless allowed");
    let v = verify_document(&s, Some(&k.public("rsa1024")), true).unwrap();
    assert!(v.passes() && v.streams[0].covered, "{:?}", v.findings());
    assert!(v.findings().iter().all(|f| f.kind == FindingKind::WeakKey && !f.fails));
}
