//! OpenSCAP's own signed test data (`tests/DS/signed` of the OpenSCAP test
//! tree in `../shared/reference`): a valid signature by a 1024-bit RSA key,
//! an invalid signature value, modified content, and no signature (issue
//! #12, finding 11). `scapc verify` gives each its verdict, and `scapc eval`
//! refuses what oscap refuses.
//!
//! The tarball is unpacked once into a cache directory under
//! `CARGO_TARGET_TMPDIR`; without `../shared` the tests say so and pass.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TARBALL: &str = "reference/openscap-tests-9f2c4a6.tar.xz";
const MEMBER: &str = "openscap-tests/tests/DS/signed";
const STREAM: &str = "scap_org.open-scap_datastream_simple";
const OVAL_COMP: &str = "scap_org.open-scap_comp_test_single_rule.oval.xml";

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

/// `../shared`, next to the workspace.
fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().parent().unwrap().join("shared")
}

/// The directory of the signed test files, unpacked once (into a fresh
/// directory, then renamed into place, so concurrent test runs do not
/// see a half-written tree); `None` when `../shared` is absent.
fn signed_dir() -> Option<&'static Path> {
    static D: OnceLock<Option<PathBuf>> = OnceLock::new();
    D.get_or_init(|| {
        let tarball = shared().join(TARBALL);
        if !shared().is_dir() {
            eprintln!("skipped: ../shared absent");
            return None;
        }
        assert!(tarball.is_file(), "{} is missing from ../shared", tarball.display());
        let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scapc-test-cache");
        let dest = cache.join("openscap-tests-9f2c4a6-DS-signed");
        if !dest.join(MEMBER).is_dir() {
            std::fs::create_dir_all(&cache).unwrap();
            let tmp = tempfile::tempdir_in(&cache).unwrap();
            let (c, o) = run("tar", &["-xJf", tarball.to_str().unwrap(), "-C", tmp.path().to_str().unwrap(), MEMBER]);
            assert_eq!(c, 0, "unpacking {}: {o}", tarball.display());
            // Another test process may have won the race: its copy is as good.
            if std::fs::rename(tmp.path(), &dest).is_err() {
                assert!(dest.join(MEMBER).is_dir(), "cannot move the unpacked tree to {}", dest.display());
            }
        }
        Some(dest.join(MEMBER))
    })
    .as_deref()
}

fn file(dir: &Path, case: &str) -> String {
    dir.join(format!("simple_ds_{case}.xml")).to_string_lossy().into_owned()
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(&out[out.find('{').unwrap()..out.rfind('}').unwrap() + 1])
        .unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn verify_gives_each_openscap_case_its_verdict() {
    let Some(dir) = signed_dir() else { return };
    // Valid, by a 1024-bit key: the value is checked and ok; the weak key
    // is a finding of its own, refused unless allowed.
    let valid = file(dir, "valid_sign");
    let (c, o) = scapc(&["verify", &valid]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("signature value: ok") && !o.contains("BAD"), "{o}");
    assert!(o.contains("weak key: RSA with 1024 bits"), "{o}");
    assert!(o.contains("error: signature `dsig-9348625547` is made by a weak key"), "{o}");
    let (c, o) = scapc(&["verify", &valid, "--allow-weak-keys"]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains(&format!("data stream {STREAM}: covered")) && o.contains("verification passed"), "{o}");
    let (_, o) = scapc(&["verify", &valid, "--format", "json"]);
    let v = json(&o);
    assert_eq!(v["signatures"][0]["signature_value_ok"], true);
    assert_eq!(v["signatures"][0]["weak_key_bits"], 1024);
    assert_eq!(v["signatures"][0]["valid"], true);
    let kinds: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["weak-key"]);
    assert_eq!(v["streams"][0]["weak_key_only"], true);

    // An invalid signature value: BAD, with every reference intact
    // (OpenSCAP: 3/3 SignedInfo, 2/2 Manifest references).
    let (c, o) = scapc(&["verify", &file(dir, "invalid_sign"), "--allow-weak-keys"]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("signature value: BAD") && o.contains("references: 5/5 ok"), "{o}");
    assert!(o.contains("is invalid: the signature value does not verify"), "{o}");

    // Modified content: the value is ok, the OVAL component changed
    // (OpenSCAP: 1/2 Manifest references).
    let (c, o) = scapc(&["verify", &file(dir, "modified"), "--allow-weak-keys"]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("signature value: ok") && o.contains("references: 4/5 ok"), "{o}");
    assert!(o.contains(&format!("component {OVAL_COMP} (Manifest): the digest does not match")), "{o}");

    // No signature.
    let (c, o) = scapc(&["verify", &file(dir, "no_sign")]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("not signed"), "{o}");
}

#[test]
fn eval_refuses_what_oscap_refuses() {
    let Some(dir) = signed_dir() else { return };
    for (case, refused) in [("valid_sign", false), ("invalid_sign", true), ("modified", true), ("no_sign", false)] {
        let f = file(dir, case);
        let (c, o) = scapc(&["eval", &f, "--format", "json", "-q"]);
        if refused {
            assert_eq!(c, 1, "{case}: evaluated: {o}");
            assert!(o.contains("invalid signature") && o.contains("--skip-signature-validation"), "{case}: {o}");
        } else {
            assert_eq!(c, 0, "{case}: {o}");
            assert_eq!(json(&o)["rules"][0]["result"], "pass", "{case}: {o}");
        }
        // oscap gives the same verdict (exit 1 for a refused stream).
        let arf = std::env::temp_dir().join(format!("scapc-sign-openscap-{}-{case}.xml", std::process::id()));
        let (oc, oo) = run("oscap", &["xccdf", "eval", "--results-arf", arf.to_str().unwrap(), &f]);
        let _ = std::fs::remove_file(&arf);
        assert_eq!(oc == 1, refused, "{case}: oscap exit {oc}: {oo}");
    }
    // Modified: the message names what changed.
    let (_, o) = scapc(&["eval", &file(dir, "modified"), "-q"]);
    assert!(o.contains(OVAL_COMP) && o.contains("changed after signing"), "{o}");
    // --skip-signature-validation evaluates anyway, with either engine.
    for engine in ["native", "oscap"] {
        let (c, o) = scapc(&[
            "eval",
            &file(dir, "invalid_sign"),
            "--skip-signature-validation",
            "--engine",
            engine,
            "--format",
            "json",
            "-q",
        ]);
        assert_eq!(c, 0, "{engine}: {o}");
        assert_eq!(json(&o)["rules"][0]["result"], "pass", "{engine}: {o}");
    }
    // The oscap engine refuses an invalid signature itself too.
    let (c, o) = scapc(&["eval", &file(dir, "modified"), "--engine", "oscap", "-q"]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains(OVAL_COMP), "{o}");
}
