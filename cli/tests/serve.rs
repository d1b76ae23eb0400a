//! `scapc serve`: the API over a Unix socket and over TCP with a bearer
//! token, and the dashboard rendered by headless Chromium.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/eval-probes/xmlfilecontent")
}

fn small_content(dir: &Path) -> (PathBuf, String) {
    let ds = dir.join("ds.xml");
    let st = scapc().arg("ds").arg("compose").arg(fixture().join("xccdf.xml")).arg("-o").arg(&ds).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    (ds, format!("dir:{}", fixture().join("root").display()))
}

/// One HTTP/1.1 request; returns (status, body).
fn http<S: Read + Write>(mut s: S, method: &str, path: &str, auth: Option<&str>, body: &str) -> (u16, String) {
    let auth = auth.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: scapc\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for(mut ready: impl FnMut() -> bool) {
    let t0 = Instant::now();
    while !ready() {
        assert!(t0.elapsed() < Duration::from_secs(30), "the server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn api_over_the_unix_socket() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    let sock = d.path().join("api.sock");
    let _srv = Server(scapc().arg("serve").arg("--store").arg(&store).arg("--socket").arg(&sock).spawn().unwrap());
    wait_for(|| UnixStream::connect(&sock).is_ok());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777, 0o600);
    let req = |m: &str, p: &str, b: &str| http(UnixStream::connect(&sock).unwrap(), m, p, None, b);
    let body = serde_json::json!({"content": ds, "target": target, "repeat": "@daily"}).to_string();
    let (st, b) = req("POST", "/api/tasks", &body);
    assert_eq!((st, json(&b)), (201, serde_json::json!({"id": 1})));
    let (st, b) = req("POST", "/api/tasks", r#"{"target": "local"}"#);
    assert_eq!(st, 400);
    assert!(b.contains("`content`"), "{b}");
    let (st, b) = req("GET", "/api/tasks", "");
    assert_eq!(st, 200);
    assert_eq!(json(&b)[0]["repeat"], "@daily");
    let (st, b) = req("PUT", "/api/tasks/1", r#"{"title": "web", "enabled": true}"#);
    assert_eq!(st, 200, "{b}");
    assert_eq!(json(&b)["title"], "web");
    for n in 1..=2 {
        let (st, b) = req("POST", "/api/tasks/1/run", "");
        assert_eq!(st, 201, "{b}");
        assert_eq!(json(&b)["n"], n);
    }
    let (st, b) = req("GET", "/api/results?task=1", "");
    assert_eq!(st, 200);
    assert_eq!(json(&b).as_array().unwrap().len(), 2);
    let (st, b) = req("GET", "/api/results/1/2/arf", "");
    assert_eq!(st, 200);
    assert!(b.contains("TestResult"));
    let (st, b) = req("GET", "/api/results/1/2", "");
    assert_eq!((st, json(&b)["status"].as_str()), (200, Some("finished")));
    let (st, b) = req("GET", "/api/drift/1", "");
    assert_eq!(st, 200);
    assert_eq!((json(&b)["a"].as_u64(), json(&b)["b"].as_u64()), (Some(1), Some(2)));
    assert_eq!(json(&b)["changed"], serde_json::json!([]));
    let (st, b) = req("GET", "/api/openapi.json", "");
    assert_eq!(st, 200);
    let spec = json(&b);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    assert!(spec["paths"]["/api/tasks/{id}/run"]["post"].is_object());
    assert_eq!(req("GET", "/api/results/1/9", "").0, 404);
    assert_eq!(req("GET", "/nothing", "").0, 404);
    assert_eq!(req("DELETE", "/api/tasks/1", "").0, 200);
    assert_eq!(req("GET", "/api/tasks/1", "").0, 404);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A store with one target whose latest run changed one rule.
fn store_with_drift(d: &Path) -> PathBuf {
    let store = d.join("store");
    let (ds, target) = small_content(d);
    let run = |args: &[&str]| {
        let o = scapc().args(args).arg("--store").arg(&store).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(&["task", "create", "--content", ds.to_str().unwrap(), "--target", &target, "--title", "fixture scan"]);
    run(&["task", "run", "1"]);
    let arf = run(&["result", "show", "1", "1", "arf"]);
    let a = d.join("a.xml");
    let b = d.join("b.xml");
    std::fs::write(&a, &arf).unwrap();
    std::fs::write(&b, arf.replacen("<result>pass</result>", "<result>fail</result>", 1)).unwrap();
    run(&["result", "import", a.to_str().unwrap(), b.to_str().unwrap(), "--target", "web1.example"]);
    store
}

#[test]
fn tcp_needs_the_bearer_token() {
    let d = tempfile::tempdir().unwrap();
    let store = store_with_drift(d.path());
    let tok = d.path().join("token");
    std::fs::write(&tok, "s3cret-token\n").unwrap();
    std::fs::set_permissions(&tok, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _srv = Server(
        scapc()
            .arg("serve")
            .arg("--store")
            .arg(&store)
            .args(["--listen", &addr, "--token-file"])
            .arg(&tok)
            .spawn()
            .unwrap(),
    );
    wait_for(|| TcpStream::connect(&addr).is_ok());
    let req = |auth: Option<&str>, p: &str| http(TcpStream::connect(&addr).unwrap(), "GET", p, auth, "");
    assert_eq!(req(None, "/api/tasks").0, 401);
    assert_eq!(req(Some("wrong"), "/api/tasks").0, 401);
    assert_eq!(req(None, "/").0, 401);
    let (st, b) = req(Some("s3cret-token"), "/api/tasks");
    assert_eq!(st, 200);
    assert_eq!(json(&b).as_array().unwrap().len(), 2);
    let (st, b) = req(Some("s3cret-token"), "/api/drift/2/1/2");
    assert_eq!(st, 200);
    assert_eq!(json(&b)["changed"].as_array().unwrap().len(), 1);
    assert_eq!(req(None, "/api/tasks?token=s3cret-token").0, 200);
    // --listen without a token file is refused (a usage error).
    let o = scapc().arg("serve").arg("--store").arg(&store).args(["--listen", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(o.status.code(), Some(64), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn dashboard_renders_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()));
    let Some(chromium) = chromium else {
        eprintln!("SKIPPED: no chromium (apt-get install chromium)");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let store = store_with_drift(d.path());
    let tok = d.path().join("token");
    std::fs::write(&tok, "dash-token").unwrap();
    std::fs::set_permissions(&tok, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let _srv = Server(
        scapc()
            .arg("serve")
            .arg("--store")
            .arg(&store)
            .args(["--listen", &addr, "--token-file"])
            .arg(&tok)
            .spawn()
            .unwrap(),
    );
    wait_for(|| TcpStream::connect(&addr).is_ok());
    let url = format!("http://{addr}/?token=dash-token");
    let shot = d.path().join("dashboard.png");
    let profile = d.path().join("chromium-profile");
    let browse = |extra: &[String]| {
        Command::new(chromium)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1400,900"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg(&url)
            .stderr(Stdio::null())
            .output()
            .unwrap()
    };
    let dom = browse(&["--dump-dom".to_owned()]);
    let text = String::from_utf8_lossy(&dom.stdout);
    for want in [
        "scapc dashboard",
        "2 task(s), 3 run(s)",
        "web1.example",
        "fixture scan",
        "1 rule(s) changed (run 1 to 2)",
        "pass → fail",
        "score trend",
    ] {
        assert!(text.contains(want), "`{want}` not on the page: {text}");
    }
    assert!(text.contains("/api/results/2/2/report?token=dash-token"), "{text}");
    browse(&[format!("--screenshot={}", shot.display())]);
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 1000, "no screenshot at {}", shot.display());
}
