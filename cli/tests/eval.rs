//! `scapc eval` against the reference: the same content, target and profile
//! are evaluated by scapc and by oscap, and the results are compared rule
//! by rule. A difference fails the test unless docs/eval-differences.md
//! lists it as an oscap defect (with its evidence).
//!
//! Also: ARF validity (oscap rds-validate and scapc validate), the HTML
//! report in headless Chromium, SCE gating, ssh:// targets against an sshd
//! started on loopback, and bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const D11: &str = "/usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml";
const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

fn tool(cmd: &str) -> Command {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {cmd}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(found, "`{cmd}` is not installed: run scripts/test, which installs the reference tools");
    Command::new(cmd)
}

fn run(mut c: Command) -> (i32, String) {
    let out = c.output().unwrap();
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

/// The bundled content built once (with SCE checks kept).
fn built(sce: bool) -> PathBuf {
    static PLAIN: OnceLock<tempfile::TempDir> = OnceLock::new();
    static SCE: OnceLock<tempfile::TempDir> = OnceLock::new();
    let cell = if sce { &SCE } else { &PLAIN };
    cell.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = scapc();
        c.args(["build", "-q", "-C"]).arg(repo()).arg("-o").arg(tmp.path()).env("SOURCE_DATE_EPOCH", "1700000000");
        if sce {
            c.arg("--sce");
        }
        let (code, out) = run(c);
        assert_eq!(code, 0, "build failed: {out}");
        tmp
    })
    .path()
    .join("debian12-ds.xml")
}

/// Debian 11 SSG content with its Debian 11 platform line removed, so it
/// applies to this host (case b of the issue).
fn d11() -> PathBuf {
    static F: OnceLock<tempfile::TempDir> = OnceLock::new();
    F.get_or_init(|| {
        let src = std::fs::read_to_string(D11).expect("ssg-debian is not installed: run scripts/test");
        let line = "<xccdf-1.2:platform idref=\"cpe:/o:debian:debian_linux:11\"/>";
        let start = src.find(line).expect("the platform line");
        let mut s = src.clone();
        s.replace_range(start..start + line.len(), "");
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join("d11.xml"), s).unwrap();
        t
    })
    .path()
    .join("d11.xml")
}

/// rule id → result, from an ARF or XCCDF results file.
fn results(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
    let mut out = BTreeMap::new();
    for &rr in tree.all(NS_XCCDF, "rule-result") {
        let id = tree.attr(rr, "idref").unwrap().to_owned();
        let r = tree.child(rr, NS_XCCDF, "result").map(|r| tree.text(r).trim().to_owned()).unwrap();
        out.insert(id, r);
    }
    out
}

/// Documented oscap defects: (case, rule id) pairs from the table in
/// docs/eval-differences.md.
fn documented() -> BTreeSet<(String, String)> {
    let doc = std::fs::read_to_string(repo().join("docs/eval-differences.md")).unwrap();
    let mut out = BTreeSet::new();
    for line in doc.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() > 3 && cells[2].starts_with('`') {
            out.insert((cells[1].to_owned(), cells[2].trim_matches('`').to_owned()));
        }
    }
    out
}

/// Runs both engines and returns the undocumented differences.
fn compare(case: &str, ds: &Path, profile: Option<&str>, target: Option<&Path>) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("scapc.xml");
    let theirs = tmp.path().join("oscap.xml");
    let mut c = scapc();
    c.arg("eval").arg(ds).arg("--results-arf").arg(&ours).arg("-q");
    if let Some(p) = profile {
        c.args(["--profile", p]);
    }
    if let Some(root) = target {
        c.arg("--target").arg(format!("dir:{}", root.display()));
    }
    let (code, out) = run(c);
    assert!(code == 0 || code == 2, "scapc eval failed ({code}): {out}");
    let mut o = match target {
        None => tool("oscap"),
        Some(root) => {
            let mut o = tool("oscap-chroot");
            o.arg(root);
            o
        }
    };
    o.args(["xccdf", "eval", "--results-arf"]).arg(&theirs);
    if let Some(p) = profile {
        o.args(["--profile", p]);
    }
    o.arg(ds);
    let (code, out) = run(o);
    assert!(code == 0 || code == 2, "oscap failed ({code}): {out}");
    let a = results(&ours);
    let b = results(&theirs);
    assert!(!a.is_empty(), "scapc reported no rules");
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the two engines reported different rule sets"
    );
    let doc = documented();
    let mut diffs = Vec::new();
    for (id, ra) in &a {
        let rb = &b[id];
        if ra != rb && !doc.contains(&(case.to_owned(), id.clone())) {
            diffs.push(format!("{case} {}: scapc {ra}, oscap {rb}: {id}", profile.unwrap_or("(default)")));
        }
    }
    diffs
}

fn profiles(ds: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(ds).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
    tree.all(NS_XCCDF, "Profile").iter().map(|&p| tree.attr(p, "id").unwrap().to_owned()).collect()
}

#[test]
fn parity_own_content_every_profile_on_this_host() {
    let ds = built(false);
    let mut diffs = compare("a", &ds, None, None);
    for p in profiles(&ds) {
        diffs.extend(compare("a", &ds, Some(&p), None));
    }
    assert!(diffs.is_empty(), "scapc and oscap disagree:\n{}", diffs.join("\n"));
}

#[test]
fn parity_debian11_ssg_on_this_host() {
    let ds = d11();
    let mut diffs = Vec::new();
    for p in
        ["xccdf_org.ssgproject.content_profile_standard", "xccdf_org.ssgproject.content_profile_anssi_np_nt28_minimal"]
    {
        diffs.extend(compare("b", &ds, Some(p), None));
    }
    assert!(diffs.is_empty(), "scapc and oscap disagree:\n{}", diffs.join("\n"));
}

/// Case c: a `debootstrap --variant=minbase bookworm` root filesystem
/// through `dir:` against oscap-chroot. scripts/test creates it at
/// $SCAPC_TEST_ROOTFS (default /var/tmp/scapc-bookworm).
#[test]
fn parity_debian11_ssg_offline_root_filesystem() {
    let root = PathBuf::from(std::env::var("SCAPC_TEST_ROOTFS").unwrap_or_else(|_| "/var/tmp/scapc-bookworm".into()));
    assert!(
        root.join("var/lib/dpkg/status").is_file(),
        "no root filesystem at {}: run scripts/test, which creates it with debootstrap",
        root.display()
    );
    let ds = d11();
    let diffs = compare("c", &ds, Some("xccdf_org.ssgproject.content_profile_standard"), Some(&root));
    assert!(
        diffs.is_empty(),
        "scapc and oscap-chroot disagree beyond the documented oscap-chroot defects:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn arf_validates_and_report_renders_in_chromium() {
    let ds = d11();
    let tmp = tempfile::tempdir().unwrap();
    let arf = tmp.path().join("arf.xml");
    let html = tmp.path().join("report.html");
    let xccdf = tmp.path().join("results.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&ds)
            .args(["--profile", "standard", "-q", "--results-arf"])
            .arg(&arf)
            .arg("--report")
            .arg(&html)
            .arg("--results")
            .arg(&xccdf);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    let (code, out) = run({
        let mut c = tool("oscap");
        c.args(["ds", "rds-validate"]).arg(&arf);
        c
    });
    assert_eq!(code, 0, "oscap ds rds-validate rejects our ARF:\n{out}");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("validate").arg(&arf);
        c
    });
    assert_eq!(code, 0, "scapc validate rejects our ARF:\n{out}");
    // oscap's own report generator accepts it
    let (code, out) = run({
        let mut c = tool("oscap");
        c.args(["xccdf", "generate", "report", "--output"]).arg(tmp.path().join("oscap-report.html")).arg(&arf);
        c
    });
    assert_eq!(code, 0, "oscap xccdf generate report rejects our ARF:\n{out}");
    // the report, in headless Chromium: a screenshot and the rendered text
    let png = tmp.path().join("shot.png");
    let chromium = |args: &[&str]| {
        let mut c = tool("chromium");
        c.args(["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600"])
            .args(args)
            .arg(format!("file://{}", html.display()));
        c.output().unwrap()
    };
    let shot = chromium(&[&format!("--screenshot={}", png.display())]);
    assert!(shot.status.success(), "{}", String::from_utf8_lossy(&shot.stderr));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.len() > 10_000 && bytes.starts_with(b"\x89PNG"), "no screenshot");
    let dom = chromium(&["--dump-dom"]);
    let text = String::from_utf8_lossy(&dom.stdout);
    let res = results(&xccdf);
    let passed = res.values().filter(|r| *r == "pass").count();
    assert!(passed > 0);
    assert!(text.contains(&format!("<b>{passed}</b> pass")), "the page does not show {passed} passing rules");
    // the script ran: it counted the rules shown
    let shown = res.values().filter(|r| *r != "notselected").count();
    assert!(text.contains(&format!("{shown} rules shown")), "the filter script did not run");
    assert!(
        text.contains("Set Password Maximum Age") || text.contains("Guide to the Secure Configuration of Debian 11")
    );
    assert!(!text.contains("http://") || !text.contains("<script src"), "the report must not load anything");
}

/// The report shows each text match with its line in the file, and that
/// line holds the matched text.
#[test]
fn report_shows_the_line_of_each_match() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("report.html");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(built(false)).args(["--profile", "standard", "-q", "--report"]).arg(&html);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    let page = std::fs::read_to_string(&html).unwrap();
    let unescape = |s: &str| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
    };
    let mut checked = 0;
    for table in page.split("<table class=\"item\">").skip(1) {
        let table = &table[..table.find("</table>").unwrap()];
        let rows: BTreeMap<String, String> = table
            .split("<tr><th>")
            .skip(1)
            .filter_map(|r| {
                let (k, rest) = r.split_once("</th><td><code>")?;
                let v = rest.split_once("</code>")?.0;
                Some((k.to_owned(), unescape(v)))
            })
            .collect();
        let (Some(line), Some(file), Some(text)) = (rows.get("line number"), rows.get("filepath"), rows.get("text"))
        else {
            continue;
        };
        let n: usize = line.parse().unwrap();
        let content = std::fs::read_to_string(file).unwrap();
        let first = text.lines().next().unwrap_or("");
        assert!(content.lines().nth(n - 1).unwrap_or("").contains(first), "{file}:{n} does not hold {first:?}");
        checked += 1;
    }
    assert!(checked > 0, "the report shows no text match with its line");
}

#[test]
fn sce_checks_run_only_when_allowed() {
    let ds = built(true);
    let tmp = tempfile::tempdir().unwrap();
    let sce_rules = |arf: &Path| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(arf).unwrap();
        let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
        let mut v = Vec::new();
        for &rr in tree.all(NS_XCCDF, "rule-result") {
            if let Some(c) = tree.child(rr, NS_XCCDF, "check") {
                if tree.attr(c, "system") == Some("http://open-scap.org/page/SCE") {
                    let r = tree.child(rr, NS_XCCDF, "result").map(|r| tree.text(r).trim().to_owned()).unwrap();
                    let has_output = tree.child(c, NS_XCCDF, "check-import").is_some();
                    v.push((r, has_output.to_string()));
                }
            }
        }
        v
    };
    let arf1 = tmp.path().join("no.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(&ds).args(["--profile", "hardened", "-q", "--results-arf"]).arg(&arf1);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    let without = sce_rules(&arf1);
    assert!(!without.is_empty(), "the content has no SCE rule in the hardened profile");
    assert!(without.iter().all(|(r, out)| r == "notchecked" && out == "false"), "SCE ran without --sce: {without:?}");
    let arf2 = tmp.path().join("yes.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(&ds).args(["--profile", "hardened", "--sce", "-q", "--results-arf"]).arg(&arf2);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    let with = sce_rules(&arf2);
    assert!(
        with.iter().all(|(r, out)| ["pass", "fail"].contains(&r.as_str()) && out == "true"),
        "SCE did not run with --sce: {with:?}"
    );
}

/// `--engine oscap`: oscap does the scan; scapc gives the same summary
/// shapes, ARF, XCCDF results and report, and guards SCE.
#[test]
fn oscap_engine_gives_the_native_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let ds = built(false);
    let json_of = |args: &[&str], arf: &Path| -> (i32, serde_json::Value) {
        let (code, out) = run({
            let mut c = scapc();
            c.arg("eval")
                .arg(&ds)
                .args(args)
                .args(["--profile", "standard", "--format", "json", "--results-arf"])
                .arg(arf);
            c.stderr(std::process::Stdio::null());
            c
        });
        (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}")))
    };
    let report = d.join("report.html");
    let xccdf = d.join("xccdf-results.xml");
    let (code_o, o) = {
        let arf = d.join("oscap.xml");
        let (code, out) = run({
            let mut c = scapc();
            c.arg("eval")
                .arg(&ds)
                .args(["--engine", "oscap", "--profile", "standard", "--format", "json", "--results-arf"])
                .arg(&arf)
                .arg("--report")
                .arg(&report)
                .arg("--results")
                .arg(&xccdf);
            c.stderr(std::process::Stdio::null());
            c
        });
        (code, serde_json::from_str::<serde_json::Value>(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}")))
    };
    let (code_n, n) = json_of(&[], &d.join("native.xml"));
    assert!(code_o == 0 || code_o == 2, "{o}");
    assert_eq!(code_o, code_n, "the exit codes differ");
    assert_eq!(o["engine"], "oscap");
    assert_eq!(n["engine"], "native");
    // the same keys and the same counts as the native engine
    assert_eq!(o["counts"], n["counts"], "oscap engine counts differ from the native ones");
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&o), keys(&n));
    // the JSON rules are the ARF's rule results, and oscap really wrote it
    let arf = d.join("oscap.xml");
    let from_arf: BTreeMap<String, String> = results(&arf).into_iter().filter(|(_, r)| r != "notselected").collect();
    let from_json: BTreeMap<String, String> = o["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["result"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(from_json, from_arf);
    let text = std::fs::read_to_string(&arf).unwrap();
    assert!(text.contains("test-system=\"cpe:/a:redhat:openscap"), "the ARF was not written by oscap");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(
        html.contains("OpenSCAP") && html.contains("xccdf_org.scapc_rule_"),
        "the report lacks the engine or the rules"
    );
    // Target facts: the same addresses and hardware addresses as oscap's.
    let facts = |p: &Path| {
        let text = std::fs::read_to_string(p).unwrap();
        let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
        let addrs: BTreeSet<std::net::IpAddr> =
            tree.all(NS_XCCDF, "target-address").iter().map(|&a| tree.text(a).trim().parse().unwrap()).collect();
        let macs: BTreeSet<String> = tree
            .all(NS_XCCDF, "fact")
            .iter()
            .filter(|&&f| tree.attr(f, "name") == Some("urn:xccdf:fact:ethernet:MAC"))
            .map(|&f| tree.text(f).trim().to_owned())
            .collect();
        (addrs, macs)
    };
    let (ours, theirs) = (facts(&d.join("native.xml")), facts(&arf));
    assert!(!ours.0.is_empty(), "no target-address in scapc's TestResult");
    assert_eq!(ours, theirs, "target addresses or MACs differ from oscap's");
    let x = std::fs::read_to_string(&xccdf).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&x).unwrap();
    // --results is oscap's document: the benchmark with the TestResult in it
    assert!(tree.is(tree.root(), NS_XCCDF, "Benchmark"), "--results did not write a Benchmark");
    assert!(tree.child(tree.root(), NS_XCCDF, "TestResult").is_some(), "--results has no TestResult");

    // SCE: oscap would run the scripts, so it needs --sce.
    let sce = built(true);
    let denied = d.join("denied.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&sce)
            .args(["--engine", "oscap", "--profile", "hardened", "-q", "--results-arf"])
            .arg(&denied);
        c
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SCE") && out.contains("--sce"), "{out}");
    assert!(!denied.exists(), "an ARF was written although the scan was refused");
    let allowed = d.join("allowed.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&sce)
            .args(["--engine", "oscap", "--sce", "--profile", "hardened", "-q", "--results-arf"])
            .arg(&allowed);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    assert!(allowed.exists());
}

#[test]
fn bad_input_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.xml");
    std::fs::write(
        &bad,
        "<ds:data-stream-collection xmlns:ds=\"http://scap.nist.gov/schema/scap/source/1.2\">\n<unclosed>",
    )
    .unwrap();
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(&bad);
        c
    });
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("bad.xml:") && out.contains("error"), "{out}");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(tmp.path().join("missing.xml"));
        c
    });
    assert_eq!(code, 1);
    assert!(out.contains("missing.xml"), "{out}");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(built(false)).args(["--profile", "nosuch"]);
        c
    });
    assert_eq!(code, 1);
    assert!(out.contains("no profile `nosuch`") && out.contains("xccdf_org.scapc_profile_standard"), "{out}");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(built(false)).args(["--target", "dir:/nonexistent/root"]);
        c
    });
    assert_eq!(code, 1);
    assert!(out.contains("/nonexistent/root"), "{out}");
}

/// `ssh://` against an sshd this test starts on loopback, with its own
/// host key, client key and known-hosts file.
#[test]
fn ssh_target_matches_the_local_scan_and_cleans_up() {
    let sshd = Path::new("/usr/sbin/sshd");
    assert!(sshd.is_file(), "sshd is not installed: run scripts/test (openssh-server)");
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let keygen = |path: &Path| {
        let (code, out) = run({
            let mut c = tool("ssh-keygen");
            c.args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(path);
            c
        });
        assert_eq!(code, 0, "{out}");
    };
    keygen(&d.join("host"));
    keygen(&d.join("client"));
    std::fs::copy(d.join("client.pub"), d.join("authorized_keys")).unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let user = String::from_utf8(Command::new("id").arg("-un").output().unwrap().stdout).unwrap().trim().to_owned();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {}\nPermitRootLogin prohibit-password\nSubsystem sftp internal-sftp\n",
        d.join("host").display(),
        d.join("authorized_keys").display(),
        d.join("sshd.pid").display()
    );
    std::fs::write(d.join("sshd_config"), config).unwrap();
    std::fs::create_dir_all("/run/sshd").ok();
    let mut daemon = Command::new(sshd)
        .arg("-D")
        .arg("-e")
        .arg("-f")
        .arg(d.join("sshd_config"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // wait for it to listen
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let host_pub = std::fs::read_to_string(d.join("host.pub")).unwrap();
    std::fs::write(d.join("known_hosts"), format!("[127.0.0.1]:{port} {host_pub}")).unwrap();
    let before: BTreeSet<String> = std::fs::read_dir("/tmp")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("scapc."))
        .collect();
    let ds = built(false);
    let remote_arf = d.join("remote.xml");
    let outcome = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&ds)
            .args(["--profile", "standard", "-q", "--target"])
            .arg(format!("ssh://{user}@127.0.0.1:{port}"))
            .arg("--ssh-option")
            .arg(format!("IdentityFile={}", d.join("client").display()))
            .arg("--ssh-option")
            .arg(format!("UserKnownHostsFile={}", d.join("known_hosts").display()))
            .arg("--ssh-option")
            .arg("StrictHostKeyChecking=yes")
            .arg("--results-arf")
            .arg(&remote_arf);
        c
    });
    // the same through oscap-ssh
    let oscap_arf = d.join("oscap-ssh.xml");
    let via_oscap = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&ds)
            .args(["--engine", "oscap", "--profile", "standard", "-q", "--target"])
            .arg(format!("ssh://{user}@127.0.0.1:{port}"))
            .arg("--ssh-option")
            .arg(format!("IdentityFile={}", d.join("client").display()))
            .arg("--ssh-option")
            .arg(format!("UserKnownHostsFile={}", d.join("known_hosts").display()))
            .arg("--ssh-option")
            .arg("StrictHostKeyChecking=yes")
            .arg("--results-arf")
            .arg(&oscap_arf);
        c
    });
    // a host with an unknown key is refused
    let refused = run({
        let mut c = scapc();
        c.arg("eval")
            .arg(&ds)
            .args(["-q", "--target"])
            .arg(format!("ssh://{user}@127.0.0.1:{port}"))
            .arg("--ssh-option")
            .arg(format!("IdentityFile={}", d.join("client").display()))
            .arg("--ssh-option")
            .arg(format!("UserKnownHostsFile={}", d.join("empty_known_hosts").display()))
            .arg("--ssh-option")
            .arg("StrictHostKeyChecking=yes");
        c
    });
    let _ = daemon.kill();
    let _ = daemon.wait();
    assert!(up, "sshd did not start");
    assert!(outcome.0 == 0 || outcome.0 == 2, "ssh scan failed: {}", outcome.1);
    assert_eq!(refused.0, 1, "a host with an unknown key was scanned: {}", refused.1);
    let local_arf = d.join("local.xml");
    let (code, out) = run({
        let mut c = scapc();
        c.arg("eval").arg(&ds).args(["--profile", "standard", "-q", "--results-arf"]).arg(&local_arf);
        c
    });
    assert!(code == 0 || code == 2, "{out}");
    assert_eq!(results(&remote_arf), results(&local_arf), "the ssh scan differs from the local one");
    assert!(via_oscap.0 == 0 || via_oscap.0 == 2, "--engine oscap over ssh failed: {}", via_oscap.1);
    assert!(via_oscap.1.contains("(oscap)"), "{}", via_oscap.1);
    assert_eq!(results(&oscap_arf), results(&local_arf), "oscap-ssh's scan differs from the native local one");
    let after: BTreeSet<String> = std::fs::read_dir("/tmp")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("scapc."))
        .collect();
    assert_eq!(before, after, "the remote temporary directory was left behind");
}
