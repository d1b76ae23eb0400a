//! Guides and reports (`scapc-html`) and signed builds, with the real
//! tools: `scapc build --sign-key --guides` output verifies with `scapc
//! verify` and `xmlsec1`; guides and reports render in headless Chromium
//! with Values substituted (no `[xccdf_…_value_…]` placeholder), the group
//! tree and the bars; `scapc report` reads an ARF made by `oscap xccdf
//! eval`. A test whose tool or SSG data stream is missing says so and
//! returns.

use std::path::{Path, PathBuf};
use std::process::Command;

const SSG_D11: &str = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn run(cmd: &str, args: &[&str]) -> (i32, String) {
    match Command::new(cmd).args(args).output() {
        Ok(out) => {
            let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&out.stderr));
            (out.status.code().unwrap_or(-1), s)
        }
        Err(e) => (-1, format!("cannot run {cmd}: {e}")),
    }
}

fn scapc(args: &[&str]) -> (i32, String) {
    run(env!("CARGO_BIN_EXE_scapc"), args)
}

fn have(tool: &str) -> bool {
    let ok = Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: `{tool}` is not installed; skipping this test");
    }
    ok
}

fn p(dir: &Path, name: &str) -> String {
    dir.join(name).to_string_lossy().into_owned()
}

/// The DOM after the page's script ran, from headless Chromium.
fn dom(html: &Path) -> String {
    dom_url(&format!("file://{}", html.display()))
}

fn dom_url(url: &str) -> String {
    let (c, o) = run(
        "chromium",
        &["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=2000", "--dump-dom", url],
    );
    assert_eq!(c, 0, "chromium failed: {o}");
    o
}

fn screenshot(html: &Path, png: &Path) {
    let (c, o) = run(
        "chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1300,1800",
            &format!("--screenshot={}", png.display()),
            &format!("file://{}", html.display()),
        ],
    );
    assert_eq!(c, 0, "chromium failed: {o}");
    let b = std::fs::read(png).unwrap();
    assert!(b.len() > 10_000 && b.starts_with(b"\x89PNG"), "no screenshot of {}", html.display());
}

/// No Value placeholder anywhere in the page: not `[xccdf_…_value_…]`
/// (what the old report printed) and no bare Value id in the text.
fn assert_no_placeholders(page: &str, what: &str) {
    assert!(!page.contains("[xccdf_"), "{what}: a [xccdf_…] placeholder is left");
    let text_only: String = {
        // the text outside tags
        let mut s = String::new();
        let mut in_tag = false;
        for c in page.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => s.push(c),
                _ => {}
            }
        }
        s
    };
    assert!(!text_only.contains("_value_"), "{what}: a Value id is shown where its value belongs");
    assert!(!page.contains("class=\"unresolved\""), "{what}: a sub names no Value");
}

fn build_minimal(out: &Path, extra: &[&str]) -> (i32, String) {
    let root = repo().join("tests/fixtures/valid/minimal");
    let mut a = vec!["build", "-q", "-C", root.to_str().unwrap(), "-o", out.to_str().unwrap()];
    a.extend(extra);
    scapc(&a)
}

#[test]
fn build_signs_every_data_stream_and_writes_a_guide_per_profile() {
    if !have("openssl") || !have("xmlsec1") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let key = p(d, "k.pem");
    let crt = p(d, "k.crt");
    assert_eq!(
        run("openssl", &["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", &key]).0,
        0
    );
    assert_eq!(
        run("openssl", &["req", "-new", "-x509", "-key", &key, "-subj", "/CN=scapc build", "-days", "2", "-out", &crt])
            .0,
        0
    );
    let out = d.join("build");
    let (c, o) = build_minimal(&out, &["--sign-key", &key, "--cert", &crt, "--guides"]);
    assert_eq!(c, 0, "{o}");
    let mut streams = 0;
    for e in std::fs::read_dir(&out).unwrap() {
        let f = e.unwrap().path();
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with("-ds.xml") {
            continue;
        }
        streams += 1;
        let fs = f.to_string_lossy().into_owned();
        let (c, o) = scapc(&["verify", &fs, "--trusted-cert", &crt]);
        assert_eq!(c, 0, "scapc verify rejects {name}: {o}");
        let (c, o) = run(
            "xmlsec1",
            &[
                "--verify",
                "--enabled-reference-uris",
                "same-doc",
                "--store-references",
                "--trusted-pem",
                &crt,
                "--id-attr:id",
                "http://scap.nist.gov/schema/scap/source/1.2:data-stream",
                "--id-attr:id",
                "http://scap.nist.gov/schema/scap/source/1.2:component",
                &fs,
            ],
        );
        assert_eq!(c, 0, "xmlsec1 rejects {name}: {o}");
        assert!(o.contains("SignedInfo References (ok/all): 3/3"), "{o}");
    }
    assert_eq!(streams, 1);
    // one guide per profile, with the profile's Values
    for prof in ["base", "strict"] {
        let g = std::fs::read_to_string(out.join(format!("demo-guide-{prof}.html"))).unwrap();
        assert_no_placeholders(&g, prof);
        assert!(g.contains("<code>/etc/passwd</code>"), "XHTML is kept (the source's <tt> is built as <code>)");
    }
    let strict = std::fs::read_to_string(out.join("demo-guide-strict.html")).unwrap();
    assert!(strict.contains("<span class=\"value\">600</span>"), "strict sets var_mode to 600");
    let base = std::fs::read_to_string(out.join("demo-guide-base.html")).unwrap();
    assert!(base.contains("<span class=\"value\">644</span>"), "base keeps var_mode at 644");
    // guides are deterministic: an unsigned build writes the same pages
    let again = d.join("again");
    let (c, o) = build_minimal(&again, &["--guides"]);
    assert_eq!(c, 0, "{o}");
    for prof in ["base", "strict"] {
        let name = format!("demo-guide-{prof}.html");
        assert_eq!(std::fs::read(out.join(&name)).unwrap(), std::fs::read(again.join(&name)).unwrap(), "{name}");
    }
    let (c, o) = scapc(&["verify", &p(&again, "demo-ds.xml")]);
    assert_eq!(c, 1, "without --sign-key the stream is not signed: {o}");
}

#[test]
fn build_with_an_unusable_key_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("not-a-key.pem");
    std::fs::write(&key, "hello\n").unwrap();
    let out = tmp.path().join("build");
    let (c, o) = build_minimal(&out, &["--sign-key", key.to_str().unwrap()]);
    assert_eq!(c, 64, "a key that cannot be read is a usage error: {o}");
    assert!(o.contains("not-a-key.pem"), "the error names the key file: {o}");
    assert!(!out.join("demo-ds.xml").exists(), "nothing may be written");
    let (c, o) = build_minimal(&out, &["--cert", key.to_str().unwrap()]);
    assert_eq!(c, 64, "--cert needs --sign-key (a usage error): {o}");
}

/// Regression: the report of `scapc eval` printed `[xccdf_…_value_var_mode]`
/// where the profile's value belongs, and flattened `<tt>`.
#[test]
fn eval_report_and_scapc_report_show_values_the_tree_and_bars() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = d.join("build");
    let (c, o) = build_minimal(&out, &[]);
    assert_eq!(c, 0, "{o}");
    let root = d.join("root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n").unwrap();
    std::fs::write(root.join("etc/group"), "root:x:0:\n").unwrap();
    let html = d.join("report.html");
    let arf = d.join("arf.xml");
    let (c, o) = scapc(&[
        "eval",
        &p(&out, "demo-ds.xml"),
        "--profile",
        "strict",
        "-q",
        "--target",
        &format!("dir:{}", root.display()),
        "--report",
        html.to_str().unwrap(),
        "--results-arf",
        arf.to_str().unwrap(),
    ]);
    assert!(c == 0 || c == 2, "{o}");
    let again = d.join("again.html");
    let (c, o) = scapc(&["report", arf.to_str().unwrap(), "-o", again.to_str().unwrap()]);
    assert_eq!(c, 0, "{o}");
    for page in [&html, &again] {
        let s = std::fs::read_to_string(page).unwrap();
        assert_no_placeholders(&s, &page.display().to_string());
        assert!(s.contains("<span class=\"value\">600</span>"), "the strict profile's value");
        assert!(s.contains("<code>/etc/passwd</code>"), "XHTML is kept (the source's <tt> is built as <code>)");
        assert!(s.contains("class=\"stack bars\""), "the result bar");
        assert!(s.contains("id=\"severity\""), "the failures by severity");
        assert!(s.contains("<details class=\"group\""), "the group tree");
        assert!(s.contains("Profile: Strict"), "the profile summary");
        assert!(s.contains("CPE platforms matched"), "the target facts");
    }
    // a broken data stream inside an ARF is reported at its line in the ARF
    let text = std::fs::read_to_string(&arf).unwrap();
    let at = text.find("xlink:href=\"#").unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let bad = d.join("bad-arf.xml");
    std::fs::write(&bad, text.replacen("xlink:href=\"#", "xlink:href=\"#nope", 1)).unwrap();
    let (c, o) = scapc(&["report", bad.to_str().unwrap(), "-o", d.join("bad.html").to_str().unwrap()]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains(&format!("bad-arf.xml:{line}:")) && o.contains("dangling"), "{o}");
    assert!(!d.join("bad.html").exists());
    // both keep the OVAL evidence: the native report from the scan, the
    // ARF's from its OVAL results and system characteristics
    for page in [&html, &again] {
        let s = std::fs::read_to_string(page).unwrap();
        assert!(s.contains("What the checks found"), "{}: the evidence of each rule", page.display());
        assert!(
            s.contains("<tr><th>filepath</th><td><code>/etc/passwd</code></td></tr>"),
            "{}: the item",
            page.display()
        );
    }
    if have("chromium") {
        let text = dom(&html);
        assert!(text.contains("rules shown"), "the page's script ran");
        assert!(text.contains("class=\"gtitle\""));
        // rules grouped by severity instead of by group (`?groupby=` sets the view)
        let by = dom_url(&format!("file://{}?groupby=severity", html.display()));
        assert!(by.contains("class=\"group bucket\""), "no severity buckets");
        assert!(by.contains("<summary>high (1)</summary>"), "passwd_mode is refined to high by the strict profile");
    }
}

#[test]
fn guide_of_an_ssg_data_stream_renders_in_chromium() {
    if !Path::new(SSG_D11).exists() {
        eprintln!("NOTICE: {SSG_D11} is missing; skipping this test");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let g = tmp.path().join("guide.html");
    let (c, o) = scapc(&["guide", SSG_D11, "--profile", "standard", "-o", g.to_str().unwrap()]);
    assert_eq!(c, 0, "{o}");
    let page = std::fs::read_to_string(&g).unwrap();
    assert_no_placeholders(&page, "debian11 standard guide");
    assert!(page.contains("Profile: Standard System Security Profile for Debian 11"));
    assert!(
        page.contains("<details class=\"group\" id=\"xccdf_org.ssgproject.content_group_system\" open>"),
        "groups open"
    );
    assert!(page.contains("<nav class=\"toc\" id=\"contents\">"), "the table of contents");
    assert!(
        page.contains("<a href=\"#xccdf_org.ssgproject.content_group_services\">Services</a>"),
        "contents link to groups"
    );
    assert!(page.contains("<h4>Check</h4>") && page.contains("OVAL definition"), "the check in words");
    assert!(page.contains("Shell script"), "fix scripts");
    // a fix script that uses a Value gets the profile's value
    let set = page.split("sshd_idle_timeout_value='").nth(1).expect("the fix of sshd_set_idle_timeout");
    let value: String = set.chars().take_while(|c| *c != '\'').collect();
    assert!(!value.is_empty() && value.chars().all(|c| c.is_ascii_digit()), "the Value in the fix script: {value:?}");
    let (c, o) = scapc(&["guide", SSG_D11, "--profile", "nope", "-o", tmp.path().join("x.html").to_str().unwrap()]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("no profile `nope`") && o.contains("standard"), "{o}");
    assert!(!tmp.path().join("x.html").exists());
    if have("chromium") {
        let text = dom(&g);
        assert_no_placeholders(&text, "the rendered guide");
        assert!(text.contains("rules shown"), "the search script ran");
        screenshot(&g, &tmp.path().join("guide.png"));
    }
}

#[test]
fn report_of_an_oscap_arf_renders_in_chromium() {
    if !Path::new(SSG_D11).exists() {
        eprintln!("NOTICE: {SSG_D11} is missing; skipping this test");
        return;
    }
    if !have("oscap") || !have("chromium") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let arf = tmp.path().join("arf.xml");
    let (c, o) = run(
        "oscap",
        &[
            "xccdf",
            "eval",
            "--profile",
            "xccdf_org.ssgproject.content_profile_standard",
            "--results-arf",
            arf.to_str().unwrap(),
            SSG_D11,
        ],
    );
    assert!(c == 0 || c == 2, "{o}");
    let html = tmp.path().join("report.html");
    let (c, o) = scapc(&["report", arf.to_str().unwrap(), "-o", html.to_str().unwrap()]);
    assert_eq!(c, 0, "{o}");
    let text = dom(&html);
    assert_no_placeholders(&text, "the report of oscap's ARF");
    assert!(text.contains("class=\"stack bars\"") && text.contains("id=\"severity\""), "the bars");
    assert!(text.contains("<details class=\"group\""), "the group tree");
    assert!(text.contains("OpenSCAP"), "the engine");
    let arf_text = std::fs::read_to_string(&arf).unwrap();
    let checked = arf_text.contains("<result>pass</result>") || arf_text.contains("<result>fail</result>");
    // on a host that is not Debian 11 nothing applies, and the page says why
    assert_eq!(text.contains("Nothing applied to this target"), !checked);
    // failures are listed up front, linked into the tree
    let failed = arf_text.contains("<result>fail</result>") || arf_text.contains("<result>error</result>");
    assert_eq!(text.contains("id=\"attention\""), failed, "the needs-attention list");
    screenshot(&html, &tmp.path().join("report.png"));
    // not an ARF
    let (c, o) = scapc(&["report", SSG_D11, "-o", tmp.path().join("y.html").to_str().unwrap()]);
    assert_eq!(c, 1, "{o}");
    assert!(o.contains("no XCCDF 1.2 TestResult"), "{o}");
}
