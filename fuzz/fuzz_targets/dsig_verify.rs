//! Fuzz target `dsig_verify`: XML-DSig verification of (mutated) signed
//! data streams by scapc-xmldsig, without and with a trust anchor, and
//! Canonical XML 1.0 and 1.1 of the whole input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scapc_xmldsig::c14n::{self, Ancestry, Mode};
use scapc_xmldsig::PublicKey;
use std::sync::OnceLock;

/// The public half of fuzz/keys/signer.pem, which signed the seeds.
const TRUSTED: &str = include_str!("../keys/signer-pub.pem");

fn trusted() -> &'static PublicKey {
    static K: OnceLock<PublicKey> = OnceLock::new();
    K.get_or_init(|| PublicKey::from_pem(TRUSTED).expect("fuzz/keys/signer-pub.pem is a public key"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    if let Ok(reports) = scapc_xmldsig::verify(src, None) {
        for r in &reports {
            let _ = (r.valid(), r.changed_components());
        }
    }
    let _ = scapc_xmldsig::verify(src, Some(trusted()));
    // `to_vec` takes one element: start at the root element's `<`.
    let mut at = 0;
    while let Some(i) = src[at..].find('<') {
        let rest = &src[at + i..];
        if !(rest.starts_with("<?") || rest.starts_with("<!")) {
            let el = &src[at + i..];
            let _ = c14n::to_vec(el, &Ancestry::default(), Mode::C14n11);
            let _ = c14n::to_vec(el, &Ancestry::default(), Mode::C14n10);
            break;
        }
        at += i + 1;
    }
});
