//! The largest SSG data stream (ssg-rhel8-ds.xml, 24 MB): signed and
//! verified by scapc, verified by xmlsec1, and, in release builds, signed
//! and verified, and that xmlsec1 accepts the result. Timing is bench/ds.sh's job.
//!
//! One test in its own binary, so that no other test competes for the CPU
//! while it is timed.

mod common;

use common::*;
use scapc_xmldsig::{sign, verify};
use std::time::{Duration, Instant};

#[test]
fn rhel8_signs_and_verifies_quickly_and_xmlsec1_agrees() {
    let k = keys();
    let p = ssg("ssg-rhel8-ds.xml");
    let ds = read(&p);
    let key = k.signing("rsa3072");
    let o = opts("perf", Some(k.cert("rsa3072")));
    let mut sign_times = Vec::new();
    let mut verify_times = Vec::new();
    let mut signed = String::new();
    // Debug builds are some 15 times slower: one round is enough there.
    for _ in 0..if cfg!(debug_assertions) { 1 } else { 3 } {
        let t = Instant::now();
        signed = sign(&ds, &key, &o).unwrap();
        sign_times.push(t.elapsed());
        let t = Instant::now();
        let r = verify(&signed, Some(&k.public("rsa3072"))).unwrap();
        verify_times.push(t.elapsed());
        assert_eq!(r.len(), 1);
        assert!(r[0].valid(), "{r:#?}");
        assert_eq!(r[0].references.len(), 3 + 5);
    }
    let best = |v: &[Duration]| v.iter().min().copied().unwrap();
    eprintln!(
        "ssg-rhel8-ds.xml ({} bytes): sign {:?}, verify {:?} (best of the runs; all: {sign_times:?} {verify_times:?})",
        ds.len(),
        best(&sign_times),
        best(&verify_times)
    );
    // Speed is measured by bench/ds.sh, not asserted here: test machines are noisy.
    // xmlsec1 checks the same signature, Manifest included.
    let f = write("rhel8-signed.xml", &signed);
    let mut args = vec!["--verify", "--enabled-reference-uris", "same-doc", "--store-references", "--trusted-pem"];
    let cert = k.path("rsa3072.crt");
    args.push(&cert);
    args.extend(IDS);
    args.push(&f);
    let (c, out) = run("xmlsec1", &args);
    assert_eq!(c, 0, "{}", &out[..out.len().min(4000)]);
    assert!(
        out.contains("SignedInfo References (ok/all): 3/3") && out.contains("Manifests References (ok/all): 5/5"),
        "{}",
        &out[..out.len().min(4000)]
    );
}
