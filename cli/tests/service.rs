//! Continuous scanning end to end with the real binary: interactive task
//! creation through a pty, the daemon killed with -9 mid-way and restarted,
//! and the result commands over runs and imported ARFs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("tests/fixtures/eval-probes/xmlfilecontent")
}

/// Runs scapc with `--store`, returns (exit code, stdout, stderr).
fn sc(store: &Path, args: &[&str]) -> (i32, String, String) {
    let out = scapc().args(args).arg("--store").arg(store).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(store: &Path, args: &[&str]) -> String {
    let (code, out, err) = sc(store, args);
    assert_eq!(code, 0, "scapc {args:?}: {out}{err}");
    out
}

/// A small data stream (the xmlfilecontent probe fixture) and its target.
fn small_content(dir: &Path) -> (PathBuf, String) {
    let ds = dir.join("ds.xml");
    let st = scapc().arg("ds").arg("compose").arg(fixture().join("xccdf.xml")).arg("-o").arg(&ds).output().unwrap();
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    (ds, format!("dir:{}", fixture().join("root").display()))
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[test]
fn interactive_create_with_enter_at_every_prompt_gives_a_valid_task() {
    let ssg = Path::new("/usr/share/xml/scap/ssg/content");
    if Command::new("script").arg("--version").output().is_err() || !ssg.is_dir() {
        eprintln!("SKIPPED: needs `script` (util-linux) for a pty and SSG content in {}", ssg.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    // `script` gives the command a pty; each newline is an Enter.
    let cmd = format!("{} task create -i --format json --store {}", env!("CARGO_BIN_EXE_scapc"), store.display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"\n\n\n\n\n\n\n\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for prompt in ["Target", "Content, by number", "Profile, by number", "Title", "Not before", "Repeat", "Enable"] {
        assert!(text.contains(prompt), "no `{prompt}` prompt in: {text}");
    }
    assert!(text.contains("{\"id\":1}"), "{text}");
    let t = json(&ok(&store, &["task", "show", "1", "--format", "json"]));
    assert_eq!(t["target"], "local");
    assert!(Path::new(t["content"].as_str().unwrap()).is_file(), "{t}");
    assert!(t["profile"].as_str().unwrap().contains("_profile_"), "{t}");
    assert_eq!(t["enabled"], true);
    assert_eq!(t["repeat"], "never");
    assert!(t["next_due"].is_string(), "{t}");
    let list = json(&ok(&store, &["task", "list", "--format", "json"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
}

fn runs(store: &Path) -> Vec<serde_json::Value> {
    json(&ok(store, &["result", "list", "--format", "json"])).as_array().unwrap().clone()
}

/// Run directories holding a `running` lock file (runs in progress or cut off).
fn in_progress(store: &Path) -> usize {
    let mut n = 0;
    for t in std::fs::read_dir(store.join("results")).into_iter().flatten().flatten() {
        for r in std::fs::read_dir(t.path()).into_iter().flatten().flatten() {
            if r.path().join("running").exists() {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn daemon_killed_with_9_mid_way_then_restarted_finishes_every_task() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    for _ in 0..30 {
        ok(&store, &["task", "create", "--content", ds.to_str().unwrap(), "--target", &target, "--enable"]);
    }
    let daemon =
        || scapc().args(["daemon", "--jobs", "2", "--store"]).arg(&store).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    let mut most = 0;
    // Kill it while runs are in progress, after a few have finished. A run
    // seen in progress can finish before the signal lands; then nothing was
    // cut off, so start the daemon again and kill it again.
    for attempt in 0.. {
        assert!(attempt < 20, "the kill never landed while a run was in progress");
        let mut first = daemon();
        loop {
            let busy = in_progress(&store);
            most = most.max(busy);
            if busy > 0 && (attempt > 0 || runs(&store).len() >= 4) {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(120), "the daemon made no progress");
            std::thread::sleep(Duration::from_millis(5));
        }
        first.kill().unwrap(); // SIGKILL
        first.wait().unwrap();
        if in_progress(&store) > 0 {
            break;
        }
    }
    let before = runs(&store).len();
    assert!(before < 30, "all tasks finished before the kill");
    let second = daemon();
    loop {
        most = most.max(in_progress(&store));
        let rs = runs(&store);
        let finished: std::collections::BTreeSet<u64> =
            rs.iter().filter(|r| r["status"] == "finished").map(|r| r["task"].as_u64().unwrap()).collect();
        if finished.len() == 30 {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(300), "not every task finished: {finished:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(most <= 2, "more runs at once than --jobs 2: {most}");
    rustix_kill(second.id(), "TERM");
    let out = second.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("recorded as interrupted"), "{log}");
    assert!(log.contains("stopped"), "{log}");
    let rs = runs(&store);
    let interrupted: Vec<&serde_json::Value> = rs.iter().filter(|r| r["status"] == "interrupted").collect();
    assert!(!interrupted.is_empty(), "no interrupted run recorded");
    for r in &interrupted {
        let t = r["task"].as_u64().unwrap();
        assert!(rs.iter().any(|x| x["task"] == t && x["status"] == "finished" && x["n"].as_u64() > r["n"].as_u64()));
    }
    for r in rs.iter().filter(|r| r["status"] == "finished") {
        assert_eq!(r["exit_code"], 2, "{r}"); // the fixture has failing rules
        assert!(r["score"].is_number(), "{r}");
        let dir = store.join("results").join(r["task"].to_string()).join(r["n"].to_string());
        for f in ["arf.xml", "report.html", "stdout", "stderr", "exit_code", "summary.json"] {
            use std::os::unix::fs::PermissionsExt;
            let m = std::fs::metadata(dir.join(f)).unwrap_or_else(|e| panic!("{}/{f}: {e}", dir.display()));
            assert_eq!(m.permissions().mode() & 0o777, 0o600, "{}/{f}", dir.display());
        }
    }
    let check = ok(&store, &["store", "check", "--no-repair"]);
    assert!(check.contains("0 finding(s)"), "{check}");
    // Nothing is due any more: a task that does not repeat ran once.
    assert!(ok(&store, &["task", "list"]).lines().all(|l| l.contains("never again")));
}

fn rustix_kill(pid: u32, sig: &str) {
    assert!(Command::new("kill").arg(format!("-{sig}")).arg(pid.to_string()).status().unwrap().success());
}

#[test]
fn result_commands_over_runs_and_imports() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    let id = json(&ok(
        &store,
        &["task", "create", "--content", ds.to_str().unwrap(), "--target", &target, "--format", "json"],
    ));
    assert_eq!(id, serde_json::json!({"id": 1}));
    let run = json(&ok(&store, &["task", "run", "1", "--format", "json"]));
    assert_eq!(run["n"], 1);
    let arf = ok(&store, &["result", "show", "1", "1", "arf"]);
    assert!(arf.contains("TestResult"));
    assert_eq!(ok(&store, &["result", "show", "1", "1", "exit-code"]), "2\n");
    assert!(ok(&store, &["result", "show", "1", "1", "report"]).contains("<html"));
    // An ARF made elsewhere, with one rule's result changed.
    let changed = arf.replacen("<result>pass</result>", "<result>fail</result>", 1);
    assert_ne!(changed, arf);
    let a = d.path().join("a.xml");
    let b = d.path().join("b.xml");
    std::fs::write(&a, &arf).unwrap();
    std::fs::write(&b, &changed).unwrap();
    ok(&store, &["result", "import", a.to_str().unwrap(), b.to_str().unwrap(), "--target", "web1"]);
    let rs = runs(&store);
    assert_eq!(rs.len(), 3);
    assert_eq!((rs[1]["task"].as_u64(), rs[1]["target"].as_str()), (Some(2), Some("web1")));
    let drift = json(&ok(&store, &["result", "diff", "2", "1", "2", "--format", "json"]));
    let drift = drift.as_array().unwrap();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!((drift[0]["before"].as_str(), drift[0]["after"].as_str()), (Some("pass"), Some("fail")));
    assert!(ok(&store, &["result", "diff", "1", "1", "1"]).contains("0 rule(s) changed"));
    // An import has no exit code; asking for it says so.
    let (code, _, err) = sc(&store, &["result", "show", "2", "1", "exit-code"]);
    assert_eq!(code, 1);
    assert!(err.contains("no exit_code"), "{err}");
    // Bad input: not an ARF, a run that does not exist.
    let (code, _, err) = sc(&store, &["result", "import", ds.to_str().unwrap(), "--task", "2"]);
    assert_eq!(code, 1);
    assert!(err.contains("no XCCDF TestResult"), "{err}");
    let (code, _, err) = sc(&store, &["result", "diff", "2", "1", "9"]);
    assert_eq!(code, 1);
    assert!(err.contains("no recorded run 9"), "{err}");
    assert_eq!(runs(&store).len(), 3);
    ok(&store, &["result", "prune", "--keep", "1"]);
    let rs = runs(&store);
    assert_eq!(
        rs.iter().map(|r| (r["task"].as_u64().unwrap(), r["n"].as_u64().unwrap())).collect::<Vec<_>>(),
        vec![(1, 1), (2, 2)]
    );
    // A damaged index is found and repaired.
    std::fs::remove_file(store.join("results/1/1/summary.json")).unwrap();
    let (code, out, _) = sc(&store, &["store", "check", "--no-repair"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("run 1/1 is in the index but has no summary.json"), "{out}");
    ok(&store, &["store", "check"]);
    assert!(ok(&store, &["store", "check", "--no-repair"]).contains("0 finding(s)"));
    // `task ID guide` lists what the task checks.
    let g = ok(&store, &["task", "1", "guide"]);
    assert!(g.contains("xccdf_org.scapc.test_rule_"), "{g}");
    let (code, _, _) = sc(&store, &["task", "x", "guide"]);
    assert_eq!(code, 64);
}

/// An OCI layout whose one layer is the fixture's root directory.
fn oci_layout_of(root: &Path, dir: &Path) -> PathBuf {
    use sha2::Digest;
    let l = dir.join("layout");
    std::fs::create_dir_all(l.join("blobs/sha256")).unwrap();
    let put = |b: &[u8]| {
        let h: String = sha2::Sha256::digest(b).iter().map(|x| format!("{x:02x}")).collect();
        std::fs::write(l.join("blobs/sha256").join(&h), b).unwrap();
        (format!("sha256:{h}"), b.len())
    };
    let mut tb = tar::Builder::new(Vec::new());
    tb.follow_symlinks(false);
    tb.append_dir_all(".", root).unwrap();
    let layer = tb.into_inner().unwrap();
    let (ld, ls) = put(&layer);
    let (cd, cs) = put(b"{}");
    let manifest = serde_json::json!({"schemaVersion": 2,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld, "size": ls}]});
    let (md, ms) = put(&serde_json::to_vec(&manifest).unwrap());
    let index = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms}]});
    std::fs::write(l.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    std::fs::write(l.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    l
}

#[test]
fn an_oci_image_target_scans_like_its_root_directory() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    let layout = oci_layout_of(&fixture().join("root"), d.path());
    let image = format!("oci:{}", layout.display());
    ok(&store, &["task", "create", "--content", ds.to_str().unwrap(), "--target", &target]);
    ok(&store, &["task", "create", "--content", ds.to_str().unwrap(), "--target", &image]);
    let dir_run = json(&ok(&store, &["task", "run", "1", "--format", "json"]));
    let img_run = json(&ok(&store, &["task", "run", "2", "--format", "json"]));
    assert!(img_run["error"].is_null(), "{img_run}");
    assert_eq!(img_run["target"], image.as_str());
    assert!(!img_run["rules"].as_array().unwrap().is_empty());
    assert_eq!(img_run["rules"], dir_run["rules"]);
    assert_eq!(img_run["counts"], dir_run["counts"]);
    // A broken image is a recorded run that says why.
    std::fs::write(layout.join("index.json"), "{").unwrap();
    let bad = json(&ok(&store, &["task", "run", "2", "--format", "json"]));
    assert!(bad["error"].as_str().unwrap().contains("index.json"), "{bad}");
}

/// `docker:NAME` scans a container's root filesystem from `docker export`.
/// No container runtime runs on the test machines, so a stand-in `docker`
/// first on PATH plays the CLI's part (`export --output FILE NAME` writes
/// the fixture root as the tar); what is tested is scapc's side: the
/// command it runs, the unpacking, the scan and the error of a missing
/// container.
#[test]
fn a_container_target_scans_its_exported_root_filesystem() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    let bin = d.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let log = d.path().join("docker.log");
    let fake = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\n[ \"$1\" = export ] && [ \"$2\" = --output ] || exit 64\n[ \"$4\" = web ] || {{ echo \"Error: No such container: $4\" >&2; exit 1; }}\nexec tar -C '{}' -cf \"$3\" .\n",
        log.display(),
        fixture().join("root").display()
    );
    std::fs::write(bin.join("docker"), fake).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(bin.join("docker"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[&str]| {
        let out = scapc().args(args).arg("--store").arg(&store).env("PATH", &path).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let content = ds.to_str().unwrap();
    for t in [target.as_str(), "docker:web", "docker:gone"] {
        run(&["task", "create", "--content", content, "--target", t]);
    }
    let dir_run = json(&run(&["task", "run", "1", "--format", "json"]));
    let ctr_run = json(&run(&["task", "run", "2", "--format", "json"]));
    assert!(ctr_run["error"].is_null(), "{ctr_run}");
    assert_eq!(ctr_run["target"], "docker:web");
    assert!(!ctr_run["rules"].as_array().unwrap().is_empty());
    assert_eq!(ctr_run["rules"], dir_run["rules"]);
    assert_eq!(ctr_run["counts"], dir_run["counts"]);
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(calls.starts_with("export --output /") && calls.contains("export.tar web\n"), "{calls}");
    // A container that does not exist: a recorded run that says why.
    let gone = json(&run(&["task", "run", "3", "--format", "json"]));
    let e = gone["error"].as_str().unwrap_or_default();
    assert!(e.contains("docker export gone") && e.contains("No such container: gone"), "{gone}");
    // A name that could be read as an option is refused before docker runs.
    let (code, _, _) = sc(&store, &["task", "create", "--content", content, "--target", "docker:--help"]);
    if code == 0 {
        let bad = json(&run(&["task", "run", "4", "--format", "json"]));
        assert!(bad["error"].as_str().unwrap_or_default().contains("not a container name"), "{bad}");
    }
    assert!(!std::fs::read_to_string(&log).unwrap().contains("--help"));
}

/// contrib/ansible scans a host (here this one, through a local
/// connection) and imports its ARF into the controller's store.
#[test]
fn the_ansible_playbook_scans_and_imports() {
    if Command::new("ansible-playbook").arg("--version").output().is_err() {
        eprintln!("SKIPPED: ansible-playbook is not installed (apt-get install ansible-core)");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, _) = small_content(d.path());
    let inv = d.path().join("inventory");
    std::fs::write(&inv, "web1 ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n").unwrap();
    let playbook = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("contrib/ansible/playbook.yml");
    let out = Command::new("ansible-playbook")
        .arg("-i")
        .arg(&inv)
        .arg(&playbook)
        .arg("-e")
        .arg(format!("scapc_content={}", ds.display()))
        .arg("-e")
        .arg(format!("scapc_controller_bin={}", env!("CARGO_BIN_EXE_scapc")))
        .arg("-e")
        .arg(format!("scapc_store={}", store.display()))
        .arg("-e")
        .arg(format!("scapc_fetch_dir={}", d.path().join("fetched").display()))
        .env("ANSIBLE_LOCAL_TEMP", d.path().join("ansible-tmp"))
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{log}{}", String::from_utf8_lossy(&out.stderr));
    let rs = runs(&store);
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert_eq!((rs[0]["target"].as_str(), rs[0]["source"].as_str()), (Some("web1"), Some("import")));
    assert!(rs[0]["rules"].as_u64().unwrap() > 0);
}

/// A loopback sshd for `user`, with its own host and client keys.
struct Sshd {
    child: std::process::Child,
    port: u16,
    options: Vec<String>,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sshd(d: &Path) -> Sshd {
    for k in ["host", "client"] {
        let st = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-f"]).arg(d.join(k)).status();
        assert!(st.unwrap().success());
    }
    std::fs::copy(d.join("client.pub"), d.join("authorized_keys")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    // sshd reads these as root; ssh reads the client key as the test user.
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPidFile {}\n",
        d.join("host").display(),
        d.join("authorized_keys").display(),
        d.join("sshd.pid").display()
    );
    std::fs::write(d.join("sshd_config"), config).unwrap();
    std::fs::create_dir_all("/run/sshd").ok();
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(d.join("sshd_config"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(t0.elapsed() < Duration::from_secs(20), "sshd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let host_pub = std::fs::read_to_string(d.join("host.pub")).unwrap();
    std::fs::write(d.join("known_hosts"), format!("[127.0.0.1]:{port} {host_pub}")).unwrap();
    let options = vec![
        format!("IdentityFile={}", d.join("client").display()),
        format!("UserKnownHostsFile={}", d.join("known_hosts").display()),
        "StrictHostKeyChecking=yes".to_owned(),
    ];
    Sshd { child, port, options }
}

/// The TestResult's `<identity>` element of a run's ARF.
fn identity(store: &Path, task: u64, n: u64) -> String {
    let arf = ok(store, &["result", "show", &task.to_string(), &n.to_string(), "arf"]);
    let i = arf.find("<identity").expect("no identity in the ARF");
    arf[i..].split("</identity>").next().unwrap().to_owned()
}

/// `ssh+sudo://` logs in as a user without privileges and scans as root
/// through NOPASSWD sudo; `ssh://` as the same user scans unprivileged.
#[test]
fn ssh_sudo_target_scans_as_root_through_sudo() {
    let user = "scapc-sudo-test";
    let root = rustix_is_root();
    if !Path::new("/usr/sbin/sshd").is_file() || Command::new("sudo").arg("--version").output().is_err() || !root {
        eprintln!("SKIPPED: needs root, sshd and sudo (apt-get install openssh-server sudo)");
        return;
    }
    if !Command::new("id").arg(user).output().unwrap().status.success() {
        let st = Command::new("useradd").args(["--create-home", "--shell", "/bin/sh", user]).status().unwrap();
        assert!(st.success(), "useradd {user}");
    }
    // `*` (no password, but not locked) lets sshd accept the key.
    assert!(Command::new("usermod").args(["-p", "*", user]).status().unwrap().success());
    let sudoers = Path::new("/etc/sudoers.d").join(user);
    std::fs::write(&sudoers, format!("{user} ALL=(ALL) NOPASSWD: ALL\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sudoers, std::fs::Permissions::from_mode(0o440)).unwrap();
    let d = tempfile::tempdir().unwrap();
    let keys = d.path().join("ssh");
    std::fs::create_dir(&keys).unwrap();
    let srv = sshd(&keys);
    let store = d.path().join("store");
    let (ds, _) = small_content(d.path());
    let mut args: Vec<String> = vec!["task".into(), "create".into(), "--content".into(), ds.display().to_string()];
    for o in &srv.options {
        args.push("--ssh-option".into());
        args.push(o.clone());
    }
    let with = |target: String| {
        let mut a = args.clone();
        a.push("--target".into());
        a.push(target);
        a
    };
    let a1 = with(format!("ssh+sudo://{user}@127.0.0.1:{}", srv.port));
    ok(&store, &a1.iter().map(String::as_str).collect::<Vec<_>>());
    let a2 = with(format!("ssh://{user}@127.0.0.1:{}", srv.port));
    ok(&store, &a2.iter().map(String::as_str).collect::<Vec<_>>());
    let sudo_run = json(&ok(&store, &["task", "run", "1", "--format", "json"]));
    let plain_run = json(&ok(&store, &["task", "run", "2", "--format", "json"]));
    assert!(sudo_run["error"].is_null() && plain_run["error"].is_null(), "{sudo_run}\n{plain_run}");
    assert!(!sudo_run["rules"].as_array().unwrap().is_empty());
    let (i1, i2) = (identity(&store, 1, 1), identity(&store, 2, 1));
    assert!(i1.contains("privileged=\"true\"") && i1.ends_with(">root"), "{i1}");
    assert!(i2.contains("privileged=\"false\"") && i2.ends_with(&format!(">{user}")), "{i2}");
    // Without the sudoers entry, ssh+sudo fails and says why.
    std::fs::remove_file(&sudoers).unwrap();
    let failed = json(&ok(&store, &["task", "run", "1", "--format", "json"]));
    assert_eq!(failed["exit_code"], 1, "{failed}");
    let stderr = ok(&store, &["result", "show", "1", "2", "stderr"]);
    assert!(stderr.contains("sudo"), "{stderr}");
}

fn rustix_is_root() -> bool {
    String::from_utf8_lossy(&Command::new("id").arg("-u").output().unwrap().stdout).trim() == "0"
}

/// A task whose run cannot be recorded (here: its results directory is a
/// file) is retried after a wait, not in a tight loop.
#[test]
fn daemon_backs_off_from_a_run_it_cannot_record() {
    let d = tempfile::tempdir().unwrap();
    let store = d.path().join("store");
    let (ds, target) = small_content(d.path());
    ok(&store, &["task", "create", "--content", ds.to_str().unwrap(), "--target", &target, "--enable"]);
    std::fs::write(store.join("results/1"), "not a directory").unwrap();
    let mut daemon = scapc().args(["daemon", "--store"]).arg(&store).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = daemon.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    // Once it runs, a second daemon on the same store is refused.
    loop {
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("the daemon did not start");
        if line.contains("started") {
            break;
        }
    }
    let (code, _, err) = sc(&store, &["daemon"]);
    assert_eq!(code, 1);
    assert!(err.contains("another scapc daemon"), "{err}");
    std::thread::sleep(Duration::from_secs(3));
    rustix_kill(daemon.id(), "TERM");
    assert!(daemon.wait().unwrap().success());
    let log = reader.join().unwrap();
    let attempts = log.matches("error: task 1:").count();
    assert_eq!(attempts, 1, "{log}");
    assert!(log.contains("retrying in 30 s"), "{log}");
}
