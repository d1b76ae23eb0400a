//! `scapc eval --fetch-remote-resources`: remote check hrefs and remote
//! component-refs downloaded from an HTTP server the test starts on
//! 127.0.0.1 (tiny_http, in a thread), gzip expanded; without the option
//! they are reported and `notchecked`; a failed download is an error.
//!
//! The standalone case is self-contained; the data stream cases use
//! OpenSCAP's test data (`../shared/reference/openscap-tests-9f2c4a6.tar.xz`)
//! and are skipped with a notice when it is absent.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Serves `files` (URL path -> body) on 127.0.0.1; anything else is 404.
/// Returns the base URL (`http://127.0.0.1:PORT`).
fn serve(files: HashMap<String, Vec<u8>>) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    std::thread::spawn(move || {
        for rq in server.incoming_requests() {
            let _ = match files.get(rq.url()) {
                Some(body) => rq.respond(tiny_http::Response::from_data(body.clone())),
                None => rq.respond(tiny_http::Response::empty(404)),
            };
        }
    });
    format!("http://127.0.0.1:{port}")
}

fn gzip(text: &str) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

struct Run {
    code: i32,
    stderr: String,
    results: String,
}

fn eval(dir: &Path, args: &[&str], input: &Path) -> Run {
    let results = dir.join(format!("results-{}.xml", args.len()));
    let _ = std::fs::remove_file(&results);
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .current_dir(dir)
        .arg("eval")
        .args(args)
        .arg("--results")
        .arg(&results)
        .arg(input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr,
        results: std::fs::read_to_string(&results).unwrap_or_default(),
    }
}

/// How many rule-results of `rule` have `result`.
fn count(results: &str, rule: &str, result: &str) -> usize {
    let tag = format!("idref=\"{rule}\"");
    results
        .split("<rule-result ")
        .skip(1)
        .filter(|rr| {
            let head = rr.split("</rule-result>").next().unwrap_or("");
            head.contains(&tag) && head.contains(&format!("<result>{result}</result>"))
        })
        .count()
}

const OVAL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5" xmlns:oval="http://oval.mitre.org/XMLSchema/oval-common-5" xmlns:ind="http://oval.mitre.org/XMLSchema/oval-definitions-5#independent">
  <generator><oval:schema_version>5.11</oval:schema_version><oval:timestamp>2024-01-01T00:00:00</oval:timestamp></generator>
  <definitions>
    <definition class="compliance" id="oval:t:def:1" version="1">
      <metadata><title>pass</title><description>pass</description></metadata>
      <criteria><criterion test_ref="oval:t:tst:1"/></criteria>
    </definition>
  </definitions>
  <tests>
    <ind:variable_test id="oval:t:tst:1" version="1" check="all" comment="always pass"><ind:object object_ref="oval:t:obj:1"/></ind:variable_test>
  </tests>
  <objects>
    <ind:variable_object id="oval:t:obj:1" version="1"><ind:var_ref>oval:t:var:1</ind:var_ref></ind:variable_object>
  </objects>
  <variables>
    <constant_variable id="oval:t:var:1" version="1" datatype="int" comment="x"><value>100</value></constant_variable>
  </variables>
</oval_definitions>
"#;

fn benchmark(href: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_remote" resolved="1">
  <status>draft</status>
  <version>1</version>
  <Rule id="xccdf_t_rule_remote" selected="true">
    <title>remote</title>
    <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
      <check-content-ref href="{href}" name="oval:t:def:1"/>
    </check>
  </Rule>
</Benchmark>
"#
    )
}

#[test]
fn standalone_benchmark_with_a_remote_oval() {
    let base = serve(HashMap::from([("/feeds/defs.xml.gz".to_owned(), gzip(OVAL))]));
    let t = tempfile::tempdir().unwrap();
    let rule = "xccdf_t_rule_remote";
    // without the option: reported, notchecked, exit 0
    let x = t.path().join("xccdf.xml");
    std::fs::write(&x, benchmark(&format!("{base}/feeds/defs.xml.gz"))).unwrap();
    let r = eval(t.path(), &[], &x);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--fetch-remote-resources"), "{}", r.stderr);
    assert_eq!(count(&r.results, rule, "notchecked"), 1, "{}", r.results);
    // with it: downloaded, expanded, evaluated
    let r = eval(t.path(), &["--fetch-remote-resources"], &x);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&r.results, rule, "pass"), 1, "{}\n{}", r.stderr, r.results);
    // a URL the server does not have: an error naming the URL and the status
    let missing = format!("{base}/feeds/nothing.xml");
    std::fs::write(&x, benchmark(&missing)).unwrap();
    let r = eval(t.path(), &["--fetch-remote-resources"], &x);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&missing) && r.stderr.contains("HTTP 404"), "{}", r.stderr);
}

fn openscap_ds() -> Option<(tempfile::TempDir, PathBuf)> {
    let a = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/openscap-tests-9f2c4a6.tar.xz");
    if !a.is_file() {
        eprintln!("NOTICE: skipped: {} is absent (../shared)", a.display());
        return None;
    }
    let t = tempfile::tempdir().unwrap();
    let st = Command::new("tar").arg("xJf").arg(&a).arg("-C").arg(t.path()).status().unwrap();
    assert!(st.success());
    let ds = t.path().join("openscap-tests/tests/DS");
    Some((t, ds))
}

const PROFILE: &str = "xccdf_com.example.www_profile_test_remote_res";
const REMOTE_RULE: &str = "xccdf_com.example.www_rule_test-remote_res";

/// OpenSCAP's `remote_content_1.2.ds.xml`: a rule's check-content-ref
/// names `https://www.example.com/security/data/oval/oval.xml.bz2`, here
/// moved to the local server, with a passing and a failing definition.
#[test]
fn data_stream_with_a_remote_check_href() {
    let Some((t, ds)) = openscap_ds() else { return };
    let oval = std::fs::read_to_string(ds.join("ds_use_local_remote_resources/remote.oval.xml")).unwrap();
    let base = serve(HashMap::from([("/oval/oval.xml.gz".to_owned(), gzip(&oval))]));
    let text = std::fs::read_to_string(ds.join("ds_continue_without_remote_resources/remote_content_1.2.ds.xml"))
        .unwrap()
        .replace("https://www.example.com/security/data/oval/oval.xml.bz2", &format!("{base}/oval/oval.xml.gz"));
    let input = t.path().join("remote-1.2.ds.xml");
    std::fs::write(&input, text).unwrap();
    let r = eval(t.path(), &["--profile", PROFILE], &input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--fetch-remote-resources"), "{}", r.stderr);
    assert_eq!(count(&r.results, REMOTE_RULE, "notchecked"), 1, "{}", r.results);
    let r = eval(t.path(), &["--fetch-remote-resources", "--profile", PROFILE], &input);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // one definition fails, and the check (no multi-check) takes them all
    assert_eq!(count(&r.results, REMOTE_RULE, "fail"), 1, "{}", r.results);
    assert_eq!(count(&r.results, REMOTE_RULE, "pass"), 0, "{}", r.results);
    assert_eq!(count(&r.results, "xccdf_com.example.www_rule_test-pass", "pass"), 1, "{}", r.results);
}

/// OpenSCAP's SCAP 1.3 `remote_content_1.3.ds.xml`: a component-ref whose
/// `xlink:href` is remote (what `--local-files` replaces by a file); the
/// rule's check is a multi-check: one result per definition.
#[test]
fn data_stream_with_a_remote_component_ref() {
    let Some((t, ds)) = openscap_ds() else { return };
    let oval = std::fs::read_to_string(ds.join("ds_use_local_remote_resources/remote.oval.xml")).unwrap();
    let base = serve(HashMap::from([("/security/remote.oval.xml".to_owned(), oval.into_bytes())]));
    let text =
        std::fs::read_to_string(ds.join("ds_use_local_remote_resources/remote_content_1.3.ds.xml")).unwrap().replace(
            "https://www.example.com/security/data/oval/remote.oval.xml",
            &format!("{base}/security/remote.oval.xml"),
        );
    let input = t.path().join("remote-1.3.ds.xml");
    std::fs::write(&input, &text).unwrap();
    let r = eval(t.path(), &["--profile", PROFILE], &input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("--fetch-remote-resources"), "{}", r.stderr);
    assert_eq!(count(&r.results, REMOTE_RULE, "notchecked"), 1, "{}", r.results);
    let r = eval(t.path(), &["--fetch-remote-resources", "--profile", PROFILE], &input);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(count(&r.results, REMOTE_RULE, "pass"), 1, "{}", r.results);
    assert_eq!(count(&r.results, REMOTE_RULE, "fail"), 1, "{}", r.results);
    // the server gone from that path: an error
    std::fs::write(&input, text.replace("/security/remote.oval.xml", "/nothing.xml")).unwrap();
    let r = eval(t.path(), &["--fetch-remote-resources", "--profile", PROFILE], &input);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("HTTP 404"), "{}", r.stderr);
}
