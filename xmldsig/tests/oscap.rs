//! OpenSCAP verifies the signature of a data stream before it evaluates
//! it (`oscap xccdf eval`): it must accept ours and refuse a data stream
//! whose component changed after signing.
//!
//! oscap 1.3 verifies with xmlsec1 1.2 and the key in KeyInfo: that works
//! for RSA (RSAKeyValue). xmlsec1 1.2 cannot read an ECDSA KeyValue and
//! oscap does not trust a self-signed certificate, so ECDSA-signed data
//! streams are only checked here with scapc and xmlsec1 (tests/xmlsec1.rs).

mod common;

use common::*;
use scapc_xmldsig::{sign, verify};

fn eval(file: &str, args: &[&str]) -> (i32, String) {
    let results = scratch().join("results.xml").to_string_lossy().into_owned();
    let mut a = vec!["xccdf", "eval", "--results", &results];
    a.extend_from_slice(args);
    a.push(file);
    run("oscap", &a)
}

/// Signs `ds`, checks that oscap accepts it, then adds `insert` before
/// `before` in the component `comp` and checks that oscap refuses it and
/// scapc names the component.
fn accept_then_refuse(label: &str, ds: &str, eval_args: &[&str], comp: &str, before: &str, insert: &str) {
    let k = keys();
    let s = sign(ds, &k.signing("rsa3072"), &opts("oscap test", Some(k.cert("rsa3072")))).unwrap();
    let f = write(&format!("oscap-{label}.xml"), &s);
    let (c, o) = eval(&f, eval_args);
    assert!(c == 0 || c == 2, "oscap refused a good signature ({c}): {o}");
    assert!(o.contains("XML signature is valid"), "{o}");
    let t = edit_after(&s, &format!("<ds:component id=\"{comp}\""), before, &format!("{insert}{before}"));
    assert_ne!(t, s);
    let f = write(&format!("oscap-{label}-tampered.xml"), &t);
    let (c, o) = eval(&f, eval_args);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("Invalid signature"), "{o}");
    assert_eq!(verify(&t, None).unwrap()[0].changed_components(), [comp]);
}

#[test]
fn oscap_accepts_the_demo_data_stream_and_refuses_a_tampered_one() {
    accept_then_refuse(
        "demo",
        &read(data("demo-ds.xml")),
        &["--profile", "xccdf_org.example_profile_base"],
        "scap_org.example_comp_demo-cpe-oval.xml",
        "</oval_definitions>",
        " ",
    );
}

#[test]
fn oscap_accepts_a_signed_ssg_data_stream_and_refuses_a_tampered_one() {
    // One rule, so that the evaluation is quick.
    let ds = read(ssg("ssg-debian11-ds.xml"));
    let rule = "xccdf_org.ssgproject.content_rule_apt_conf_disallow_unauthenticated";
    assert!(ds.contains(rule));
    let args = ["--profile", "xccdf_org.ssgproject.content_profile_standard", "--rule", rule];
    let k = keys();
    let s = sign(&ds, &k.signing("rsa2048"), &opts("oscap test", None)).unwrap();
    let f = write("oscap-ssg.xml", &s);
    let (c, o) = eval(&f, &args);
    assert!(c == 0 || c == 2, "oscap refused a good signature ({c}): {o}");
    assert!(o.contains("XML signature is valid"), "{o}");
    // A changed OVAL definition title.
    let comp = "scap_org.open-scap_comp_ssg-debian11-oval.xml";
    let start = s.find(&format!("<ds:component id=\"{comp}\"")).unwrap();
    let title = start + s[start..].find("<oval-def:title>").unwrap() + "<oval-def:title>".len();
    let mut t = s.clone();
    t.insert_str(title, "Not ");
    let f = write("oscap-ssg-tampered.xml", &t);
    let (c, o) = eval(&f, &args);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("Invalid signature"), "{o}");
    assert_eq!(verify(&t, None).unwrap()[0].changed_components(), [comp]);
}

#[test]
fn a_comment_is_not_a_change_but_text_is() {
    // Comments are not signed (Canonical XML without comments): oscap and
    // scapc both accept a data stream with a comment added to a component,
    // while one added space (above) breaks it.
    let k = keys();
    let s = sign(&read(data("demo-ds.xml")), &k.signing("rsa2048"), &opts("x", None)).unwrap();
    let t = edit_after(
        &s,
        "<ds:component id=\"scap_org.example_comp_demo-ocil.xml\"",
        "</ocil:ocil>",
        "<!-- a comment --></ocil:ocil>",
    );
    let f = write("oscap-comment.xml", &t);
    let (c, o) = eval(&f, &["--profile", "xccdf_org.example_profile_base"]);
    assert!(c == 0 || c == 2, "{o}");
    assert!(o.contains("XML signature is valid"), "{o}");
    assert!(verify(&t, None).unwrap()[0].valid());
}
