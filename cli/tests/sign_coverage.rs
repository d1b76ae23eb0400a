//! Signatures cover what runs (issue #12, finding 1): a data stream with an
//! SCE check (`tests/fixtures/valid/sce-signed`, built with `--sce`) is
//! signed, then an unsigned copy of its data stream is put in front, its
//! SCE component-ref pointing at a new, unsigned extended-component whose
//! script writes a marker file. `scapc verify` must name the unsigned
//! stream and component, and `scapc eval --trust-key` (native and
//! `--engine oscap`) must not run the script.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The attacker's ids follow the SCAP 1.3 id patterns, so that oscap's
/// schema check does not stop the attack before the trust check is reached.
const EVIL_STREAM: &str = "scap_org.evil_datastream_demo";
const EVIL_SCE: &str = "scap_org.evil_ecomp_script.sh";

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
    /// The signed data stream's id and its SCE component's id.
    stream: String,
    sce_comp: String,
}

impl Fixture {
    fn p(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }
    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.p(name)).unwrap()
    }
    fn write(&self, name: &str, text: &str) -> String {
        std::fs::write(self.p(name), text).unwrap();
        self.p(name)
    }
}

/// `<ds:NAME id="ID"` ... up to the `"` that closes the id.
fn id_after(s: &str, open: &str) -> String {
    let i = s.find(open).unwrap_or_else(|| panic!("no `{open}`")) + open.len();
    let j = s[i..].find("id=\"").unwrap() + i + 4;
    s[j..j + s[j..].find('"').unwrap()].to_owned()
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let p = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
        let tree = repo().join("tests/fixtures/valid/sce-signed");
        let (c, o) = scapc(&["build", "-q", "--sce", "-C", tree.to_str().unwrap(), "-o", &p("build")]);
        assert_eq!(c, 0, "{o}");
        for (k, bits) in [("rsa", "2048"), ("other", "2048"), ("weak", "1024")] {
            let key = p(&format!("{k}.pem"));
            let (c, o) = run(
                "openssl",
                &["genpkey", "-algorithm", "RSA", "-pkeyopt", &format!("rsa_keygen_bits:{bits}"), "-out", &key],
            );
            assert_eq!(c, 0, "{o}");
            let (c, o) = run("openssl", &["pkey", "-in", &key, "-pubout", "-out", &p(&format!("{k}.pub"))]);
            assert_eq!(c, 0, "{o}");
        }
        let (c, o) = scapc(&["sign", &p("build/demo-ds.xml"), "--key", &p("rsa.pem"), "-o", &p("signed.xml")]);
        assert_eq!(c, 0, "{o}");
        let s = std::fs::read_to_string(p("signed.xml")).unwrap();
        let stream = id_after(&s, "<ds:data-stream ");
        let sce_comp = id_after(&s, "<ds:extended-component ");
        Fixture { dir, stream, sce_comp }
    })
}

/// The signed file with an unsigned copy of its data stream in front. The
/// copy's id is `stream_id`; with `fresh_ref_ids` its component-refs get
/// new ids too (else they repeat the signed stream's). Its SCE
/// component-ref points at [`EVIL_SCE`], an unsigned extended-component
/// whose script creates `marker`.
fn attack(f: &Fixture, name: &str, marker: &Path, stream_id: &str, fresh_ref_ids: bool) -> String {
    let s = f.text("signed.xml");
    let a = s.find("  <ds:data-stream ").unwrap();
    let b = s.find("</ds:data-stream>\n").unwrap() + "</ds:data-stream>\n".len();
    let mut copy = s[a..b]
        .replace(&format!("id=\"{}\"", f.stream), &format!("id=\"{stream_id}\""))
        .replace(&format!("xlink:href=\"#{}\"", f.sce_comp), &format!("xlink:href=\"#{EVIL_SCE}\""));
    assert!(copy.contains(&format!("#{EVIL_SCE}")), "the SCE component-ref is in the copy");
    if fresh_ref_ids {
        copy = copy
            .replace("id=\"scap_org.example_cref_", "id=\"scap_org.evil_cref_")
            .replace("uri=\"#scap_org.example_cref_", "uri=\"#scap_org.evil_cref_");
    }
    // The evil component: the signed SCE component with another id and script.
    let c0 = s.find("  <ds:extended-component ").unwrap();
    let c1 = s[c0..].find("</ds:extended-component>\n").unwrap() + c0 + "</ds:extended-component>\n".len();
    let comp = &s[c0..c1];
    let open_end = comp.find("<sce:script").unwrap();
    let script_open = &comp[open_end..open_end + comp[open_end..].find('>').unwrap() + 1];
    let evil = format!(
        "  <ds:extended-component id=\"{EVIL_SCE}\" timestamp=\"2026-01-01T00:00:00\">\n{script_open}#!/bin/sh\ntouch {}\nexit $XCCDF_RESULT_PASS\n</sce:script>\n  </ds:extended-component>\n",
        marker.display()
    );
    let mut out = format!("{}{copy}{}", &s[..a], &s[a..c1]);
    out.push_str(&evil);
    out.push_str(&s[c1..]);
    f.write(name, &out)
}

fn marker(f: &Fixture, name: &str) -> PathBuf {
    let m = f.dir.path().join(name);
    let _ = std::fs::remove_file(&m);
    m
}

#[test]
fn verify_names_the_unsigned_stream_and_component() {
    let f = fixture();
    let m = marker(f, "verify-marker");
    let t = attack(f, "attack-verify.xml", &m, EVIL_STREAM, true);
    let (c, o) = scapc(&["verify", &t, "--trusted-key", &f.p("rsa.pub")]);
    assert_eq!(c, 1, "a signed file with an unsigned stream in front passed: {o}");
    assert!(o.contains(&format!("data stream {EVIL_STREAM}: NOT covered")), "{o}");
    assert!(o.contains(EVIL_SCE), "{o}");
    assert!(o.contains(&format!("data stream {}: covered", f.stream)), "{o}");
    // JSON: per-stream coverage and the findings.
    let (c, o) = scapc(&["verify", &t, "--trusted-key", &f.p("rsa.pub"), "--format", "json"]);
    assert_eq!(c, 1);
    let v: serde_json::Value = serde_json::from_str(&o[..o.rfind('}').unwrap() + 1]).unwrap();
    assert_eq!(v["valid"], false);
    let streams = v["streams"].as_array().unwrap();
    let evil = streams.iter().find(|s| s["id"] == EVIL_STREAM).unwrap();
    assert_eq!(evil["covered"], false);
    assert_eq!(evil["uncovered_components"], serde_json::json!([EVIL_SCE]));
    let good = streams.iter().find(|s| s["id"] == f.stream.as_str()).unwrap();
    assert_eq!(good["covered"], true);
    assert_eq!(good["uncovered_components"], serde_json::json!([]));
    let kinds: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["uncovered-data-stream", "uncovered-component"]);
    // The genuine file passes, and without a trust anchor the attack is
    // reported as warnings.
    let (c, o) = scapc(&["verify", &f.p("signed.xml"), "--trusted-key", &f.p("rsa.pub")]);
    assert_eq!(c, 0, "{o}");
    let (c, o) = scapc(&["verify", &t]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains(&format!("warning: data stream `{EVIL_STREAM}` is outside every accepted signature")), "{o}");
    assert!(!m.exists());
}

/// `scapc eval` on a file; (exit code, output). SCE results come back in JSON.
fn eval(ds: &str, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["eval", ds, "--profile", "base", "--format", "json", "-q"];
    args.extend_from_slice(extra);
    scapc(&args)
}

fn rule_result(out: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&out[out.find('{').unwrap()..out.rfind('}').unwrap() + 1])
        .unwrap_or_else(|e| panic!("{e}: {out}"));
    v["rules"][0]["result"].as_str().unwrap().to_owned()
}

#[test]
fn native_eval_does_not_run_an_unsigned_script_under_trust_key() {
    let f = fixture();
    let key = f.p("rsa.pub");
    // Control: the signed script runs under --trust-key ...
    let (c, o) = eval(&f.p("signed.xml"), &["--trust-key", &key]);
    assert_eq!((c, rule_result(&o).as_str()), (0, "pass"), "{o}");
    // ... and the attacker's script does run with a plain --sce, so the
    // marker would show it.
    let m = marker(f, "native-control");
    let t = attack(f, "attack-native-control.xml", &m, EVIL_STREAM, true);
    let (_, o) = eval(&t, &["--sce"]);
    assert!(m.exists(), "the attack script did not run with --sce, so the test shows nothing: {o}");
    // The attack, with fresh ids and with repeated component-ref ids.
    for (i, fresh) in [true, false].into_iter().enumerate() {
        let m = marker(f, &format!("native-{i}"));
        let t = attack(f, &format!("attack-native-{i}.xml"), &m, EVIL_STREAM, fresh);
        let (c, o) = eval(&t, &["--trust-key", &key]);
        assert!(!m.exists(), "the unsigned script ran under --trust-key (fresh ids: {fresh}): {o}");
        assert_eq!(c, 0, "{o}");
        assert_eq!(rule_result(&o), "notchecked", "{o}");
        assert!(o.contains("SCE checks will not run"), "{o}");
        if fresh {
            assert!(
                o.contains(&format!(
                    "data stream `{EVIL_STREAM}`, which is evaluated, is not signed by the trusted key"
                )),
                "{o}"
            );
            assert!(o.contains(&format!("`{EVIL_SCE}`")), "{o}");
        }
        // Choosing the signed stream: with fresh ids its own script runs;
        // with repeated ids what loads is ambiguous and nothing runs.
        let (c, o) = eval(&t, &["--trust-key", &key, "--datastream-id", &f.stream]);
        assert!(!m.exists(), "the unsigned script ran for the signed stream (fresh ids: {fresh}): {o}");
        assert_eq!(c, 0, "{o}");
        assert_eq!(rule_result(&o), if fresh { "pass" } else { "notchecked" }, "{o}");
    }
    // A copy with the signed stream's own id makes the signature ambiguous:
    // the file is refused.
    let m = marker(f, "native-same-id");
    let t = attack(f, "attack-native-same-id.xml", &m, &f.stream.clone(), true);
    let (c, o) = eval(&t, &["--trust-key", &key]);
    assert!(!m.exists(), "{o}");
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("invalid signature"), "{o}");
}

#[test]
fn oscap_engine_does_not_run_an_unsigned_script_under_trust_key() {
    let f = fixture();
    let key = f.p("rsa.pub");
    let m = marker(f, "oscap-0");
    let t = attack(f, "attack-oscap.xml", &m, EVIL_STREAM, true);
    let (c, o) = eval(&t, &["--engine", "oscap", "--trust-key", &key]);
    assert!(!m.exists(), "oscap ran the unsigned script under --trust-key: {o}");
    assert_eq!(c, 1, "{o}");
    assert!(
        o.contains("has SCE checks") && o.contains(EVIL_STREAM) && o.contains("not signed by the trusted key"),
        "{o}"
    );
    // Control: with a plain --sce oscap does run the attacker's script, so
    // the marker would show it.
    let (_, o) = eval(&t, &["--engine", "oscap", "--sce"]);
    assert!(m.exists(), "oscap did not run the attack script with --sce, so the test shows nothing: {o}");
    // Control: the genuine file is trusted, and oscap runs its script.
    let (c, o) = eval(&f.p("signed.xml"), &["--engine", "oscap", "--trust-key", &key]);
    assert_eq!((c, rule_result(&o).as_str()), (0, "pass"), "{o}");
    // A key that did not sign: refused too.
    let (c, o) = eval(&f.p("signed.xml"), &["--engine", "oscap", "--trust-key", &f.p("other.pub")]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("not signed by the trusted key"), "{o}");
}

#[test]
fn eval_refuses_a_tampered_signed_stream() {
    let f = fixture();
    let s = f.text("signed.xml");
    // Change the signed script: the eval stops before anything runs.
    let i = s.find("exit $XCCDF_RESULT_PASS").unwrap();
    let t = f.write(
        "tampered.xml",
        &format!("{}exit $XCCDF_RESULT_FAIL{}", &s[..i], &s[i + "exit $XCCDF_RESULT_PASS".len()..]),
    );
    for engine in ["native", "oscap"] {
        let (c, o) = eval(&t, &["--engine", engine]);
        assert_eq!(c, 1, "{engine}: a tampered signed stream was evaluated: {o}");
        assert!(
            o.contains("invalid signature") && o.contains(&f.sce_comp) && o.contains("changed after signing"),
            "{engine}: {o}"
        );
        assert!(o.contains("--skip-signature-validation"), "{o}");
    }
    let (c, o) = eval(&t, &["--skip-signature-validation"]);
    assert_eq!(c, 0, "{o}");
    assert_eq!(rule_result(&o), "notchecked", "no SCE without --sce: {o}");
    // The unsigned build evaluates as before.
    let (c, o) = eval(&f.p("build/demo-ds.xml"), &[]);
    assert_eq!(c, 0, "{o}");
}

/// The signed file re-signed by xmlsec1 with the 1024-bit key (scapc does
/// not sign with keys under 2048 bits).
fn weak_signed(f: &Fixture) -> String {
    xmlsec_resigned(f, "weak", "weak-signed.xml", |t| t)
}

/// The signed file, its signature template edited by `edit`, signed again
/// by xmlsec1 with the key `key`.
fn xmlsec_resigned(f: &Fixture, key: &str, name: &str, edit: impl Fn(String) -> String) -> String {
    let s = f.text("signed.xml");
    let blank = |s: &str, open: &str, close: &str| -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(open) {
            out.push_str(&rest[..i + open.len()]);
            rest = &rest[i + rest[i..].find(close).unwrap()..];
        }
        out.push_str(rest);
        out
    };
    let mut t = blank(&s, "<dsig:DigestValue>", "</dsig:DigestValue>");
    t = blank(&t, "<dsig:SignatureValue>", "</dsig:SignatureValue>");
    let a = t.find("<dsig:KeyInfo>").unwrap();
    let b = t.find("</dsig:KeyInfo>").unwrap() + "</dsig:KeyInfo>".len();
    t.replace_range(a..b, "<dsig:KeyInfo><dsig:KeyValue/></dsig:KeyInfo>");
    let tmpl = f.write(&format!("template-{name}"), &edit(t));
    let out = f.p(name);
    let (c, o) = run(
        "xmlsec1",
        &[
            "--sign",
            "--privkey-pem",
            &f.p(&format!("{key}.pem")),
            "--output",
            &out,
            "--id-attr:id",
            "http://scap.nist.gov/schema/scap/source/1.2:data-stream",
            "--id-attr:id",
            "http://scap.nist.gov/schema/scap/source/1.2:component",
            "--id-attr:id",
            "http://scap.nist.gov/schema/scap/source/1.2:extended-component",
            &tmpl,
        ],
    );
    assert_eq!(c, 0, "{o}");
    out
}

#[test]
fn a_weak_key_grants_trust_only_with_allow_weak_keys() {
    let f = fixture();
    let ds = weak_signed(f);
    let key = f.p("weak.pub");
    let (c, o) = scapc(&["verify", &ds, "--trusted-key", &key]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("signature value: ok") && o.contains("weak key: RSA with 1024 bits"), "{o}");
    let (c, o) = scapc(&["verify", &ds, "--trusted-key", &key, "--allow-weak-keys"]);
    assert_eq!(c, 0, "{o}");
    // eval: the content is intact, so it is evaluated; the script runs only
    // when weak keys are allowed.
    let (c, o) = eval(&ds, &["--trust-key", &key]);
    assert_eq!((c, rule_result(&o).as_str()), (0, "notchecked"), "{o}");
    assert!(o.contains("the key is weak") && o.contains("--allow-weak-keys"), "{o}");
    let (c, o) = eval(&ds, &["--trust-key", &key, "--allow-weak-keys"]);
    assert_eq!((c, rule_result(&o).as_str()), (0, "pass"), "{o}");
    for extra in [&[][..], &["--allow-weak-keys"][..]] {
        let mut args = vec!["--engine", "oscap", "--trust-key", key.as_str()];
        args.extend_from_slice(extra);
        let (c, o) = eval(&ds, &args);
        if extra.is_empty() {
            assert_eq!(c, 1, "{o}");
            assert!(o.contains("the key is weak"), "{o}");
        } else {
            assert_eq!((c, rule_result(&o).as_str()), (0, "pass"), "{o}");
        }
    }
}

#[test]
fn a_standalone_benchmark_is_not_taken_for_a_signed_data_stream() {
    // The signature check applies to data streams: a benchmark that merely
    // declares the XML-DSig namespace is evaluated as before.
    let f = fixture();
    let x = f.text("build/demo-xccdf.xml");
    let x = x.replacen(
        "<xccdf-1.2:Benchmark ",
        "<xccdf-1.2:Benchmark xmlns:dsig=\"http://www.w3.org/2000/09/xmldsig#\" ",
        1,
    );
    assert!(x.contains("xmlns:dsig="));
    let p = f.write("dsig-ns-benchmark.xml", &x);
    let (c, o) = scapc(&["eval", &p, "-q"]);
    assert_eq!(c, 0, "{o}");
}

#[test]
fn a_layout_problem_alone_does_not_stop_the_scan() {
    // The SignedInfo reference to the SignatureProperties without its TMSAD
    // Type: nothing changed, so eval goes on (oscap does too) and warns;
    // verify reports the layout problem, and SCE is not trusted.
    let f = fixture();
    let ds = xmlsec_resigned(f, "rsa", "no-type-signed.xml", |t| {
        t.replacen(" Type=\"http://www.w3.org/2000/09/xmldsig#SignatureProperties\"", "", 1)
    });
    let (c, o) = scapc(&["verify", &ds, "--trusted-key", &f.p("rsa.pub")]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("signature value: ok") && o.contains("TMSAD"), "{o}");
    let (c, o) = scapc(&["eval", &ds, "--profile", "base", "--format", "json", "--trust-key", &f.p("rsa.pub")]);
    assert_eq!(c, 0, "{o}");
    assert!(o.contains("warning: signature") && o.contains("TMSAD"), "{o}");
    assert_eq!(rule_result(&o), "notchecked", "{o}");
}
