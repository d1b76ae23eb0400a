//! `scapc build --watch` on a copy of this repository's content tree: the
//! first build, then edits made while it runs. After each edit the test
//! waits until the data stream on disk changes, prints how long that took
//! (no timing is asserted), and compares every output with a full
//! `scapc build` of the edited tree, byte for byte. An edit with an error
//! is reported at its file and line and keeps the previous outputs; fixing
//! it rebuilds. A rule added, then removed, is in and out of the stream.
//! A profile, a group and a Value edited rebuild like a full build; an edit that
//! compiles but makes the data stream fail validation is rolled back to
//! the last valid outputs. In ComplianceAsCode's debian12, a rule's title,
//! a template-driven rule's parameters and a rule's own OVAL edited
//! rebuild like a full build.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// Long enough for the first build in a debug binary on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(300);

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The repository's own content: products, rules, profiles, templates,
/// macros and platforms.
fn content_copy() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for d in ["products", "rules", "profiles", "templates", "macros", "applicability"] {
        if repo().join(d).is_dir() {
            copy_tree(&repo().join(d), &tmp.path().join(d));
        }
    }
    tmp
}

/// The watching process; killed when dropped.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Watcher {
    fn start(tree: &Path) -> Watcher {
        Watcher::start_with(tree, &[])
    }

    /// `scapc build --watch -C tree` with more arguments.
    fn start_with(tree: &Path, more: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .args(["build", "--watch", "-C"])
            .arg(tree)
            .args(more)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run scapc build --watch");
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines, seen: Vec::new() }
    }

    /// Reads stderr until a line satisfies `want`; returns it.
    fn wait_line(&mut self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + PATIENCE;
        loop {
            match self.lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if want(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {PATIENCE:?}; stderr:\n{}", self.seen.join("\n"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("scapc build --watch ended before {what}; stderr:\n{}", self.seen.join("\n"))
                }
            }
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ds(tree: &Path) -> PathBuf {
    tree.join("build/debian12-ds.xml")
}

/// Waits until the data stream differs from `before`; returns the time
/// from `since` (the edit) to the moment the new stream was seen.
fn wait_changed(tree: &Path, before: &[u8], since: Instant) -> Duration {
    wait_stream_changed(&ds(tree), before, since)
}

/// [`wait_changed`] for the data stream at `ds`.
fn wait_stream_changed(ds: &Path, before: &[u8], since: Instant) -> Duration {
    let end = Instant::now() + PATIENCE;
    while Instant::now() < end {
        if std::fs::read(ds).is_ok_and(|now| now != before) {
            return since.elapsed();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the data stream did not change within {PATIENCE:?} of the edit");
}

/// Every output of the watcher equals that of a full build of the tree as
/// it is now (into another directory), byte for byte.
fn assert_equals_full_build(tree: &Path) {
    assert_same_as_full_build(tree, &tree.join("build"), &[]);
}

/// Every file in `out` (what the watcher wrote) equals that of a full
/// `scapc build -C tree` (with `more` arguments) into another directory.
fn assert_same_as_full_build(tree: &Path, watched: &Path, more: &[&str]) {
    let full = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["build", "-q", "-C"])
        .arg(tree)
        .arg("-o")
        .arg(full.path())
        .args(more)
        .output()
        .unwrap();
    assert!(out.status.success(), "full build failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut names: Vec<_> = std::fs::read_dir(full.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.iter().any(|n| n == "debian12-ds.xml"), "{names:?}");
    for n in &names {
        let a = std::fs::read(full.path().join(n)).unwrap();
        let b = std::fs::read(watched.join(n)).unwrap();
        assert!(a == b, "{} differs from a full build's", n.to_string_lossy());
    }
}

fn rebuilt(line: &str) -> bool {
    line.contains(": rebuilt ") || line.contains("nothing written")
}

#[test]
fn watch_rebuilds_after_edits_like_a_full_build() {
    let tmp = content_copy();
    let tree = tmp.path();
    let rule_dir = tree.join("rules/permissions/permissions_system_files/file_permissions_sshd_config");
    let rule = rule_dir.join("rule.yml");
    let original = std::fs::read_to_string(&rule).unwrap();
    let mut w = Watcher::start(tree);
    let first = w.wait_line("first build", |l| l.starts_with("initial build"));
    assert!(first.contains("rebuilt debian12"), "{first}");
    w.wait_line("watching notice", |l| l.starts_with("watching "));

    // A title changed.
    let before = std::fs::read(ds(tree)).unwrap();
    let edited = original.replace("Verify Permissions on /etc/ssh/sshd_config", "Watched title of sshd_config");
    assert_ne!(edited, original);
    let t = Instant::now();
    std::fs::write(&rule, &edited).unwrap();
    let latency = wait_changed(tree, &before, t);
    let line = w.wait_line("rebuild after the title edit", rebuilt);
    eprintln!("title edit: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
    assert!(line.contains("file_permissions_sshd_config/rule.yml"), "{line}");
    let now = std::fs::read_to_string(ds(tree)).unwrap();
    assert!(now.contains("Watched title of sshd_config"));
    assert_equals_full_build(tree);

    // An error: reported at its place, and the outputs stay as they were.
    let good = std::fs::read(ds(tree)).unwrap();
    std::fs::write(&rule, edited.replace("severity: medium", "severity: [medium")).unwrap();
    let line = w.wait_line("failed rebuild", rebuilt);
    assert!(line.contains("nothing written"), "{line}");
    let located = w.seen.iter().any(|l| l.contains("file_permissions_sshd_config/rule.yml:"));
    assert!(located, "the error names the rule file with a line: {:?}", w.seen);
    assert_eq!(std::fs::read(ds(tree)).unwrap(), good, "the previous outputs are kept");

    // The fix rebuilds (back to the original title).
    let t = Instant::now();
    std::fs::write(&rule, &original).unwrap();
    let latency = wait_changed(tree, &good, t);
    let line = w.wait_line("rebuild after the fix", rebuilt);
    eprintln!("fix: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
    assert!(line.contains(": rebuilt "), "{line}");
    assert_equals_full_build(tree);

    // A rule added (written beside, then renamed into place as editors and
    // checkouts do).
    let before = std::fs::read(ds(tree)).unwrap();
    let staging = rule_dir.parent().unwrap().join(".staging");
    std::fs::create_dir(&staging).unwrap();
    let added = original.replace("Verify Permissions on /etc/ssh/sshd_config", "An added rule");
    std::fs::write(staging.join("rule.yml"), added).unwrap();
    let new_dir = rule_dir.parent().unwrap().join("watch_added_rule");
    let t = Instant::now();
    std::fs::rename(&staging, &new_dir).unwrap();
    let latency = wait_changed(tree, &before, t);
    let line = w.wait_line("rebuild after the added rule", rebuilt);
    eprintln!("added rule: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
    assert!(std::fs::read_to_string(ds(tree)).unwrap().contains("rule_watch_added_rule"));
    assert_equals_full_build(tree);

    // The rule removed again.
    let before = std::fs::read(ds(tree)).unwrap();
    let t = Instant::now();
    std::fs::remove_dir_all(&new_dir).unwrap();
    let latency = wait_changed(tree, &before, t);
    let line = w.wait_line("rebuild after the removed rule", rebuilt);
    eprintln!("removed rule: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
    assert!(!std::fs::read_to_string(ds(tree)).unwrap().contains("rule_watch_added_rule"));
    assert_equals_full_build(tree);
}

/// Replaces `from` by `to` in `path` as editors save: a hidden temporary
/// beside it, renamed over it.
fn save(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    let tmp = path.with_file_name(format!(".{}.tmp", path.file_name().unwrap().to_string_lossy()));
    std::fs::write(&tmp, text.replacen(from, to, 1)).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// An edit of `path`, waited for until the data stream changed and the
/// rebuild's line came; the line.
fn edit(w: &mut Watcher, tree: &Path, what: &str, path: &Path, from: &str, to: &str) -> String {
    let before = std::fs::read(ds(tree)).unwrap();
    let t = Instant::now();
    save(path, from, to);
    let latency = wait_changed(tree, &before, t);
    let line = w.wait_line(what, rebuilt);
    eprintln!("{what}: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
    assert!(line.contains(": rebuilt "), "{line}");
    line
}

#[test]
fn watch_rebuilds_profiles_and_groups_and_rolls_back_an_invalid_stream() {
    let tmp = content_copy();
    let tree = tmp.path();
    let mut w = Watcher::start(tree);
    let first = w.wait_line("first build", |l| l.starts_with("initial build"));
    assert!(first.contains("rebuilt debian12"), "{first}");
    w.wait_line("watching notice", |l| l.starts_with("watching "));
    let validated = |l: &str| l.contains("validated in ");

    // A profile's title.
    let profile = tree.join("profiles/standard.profile");
    let line = edit(&mut w, tree, "profile edit", &profile, "title: Standard Security", "title: Watched Security");
    assert!(line.contains("standard.profile"), "{line}");
    assert!(std::fs::read_to_string(ds(tree)).unwrap().contains("Watched Security Baseline"));
    let v = w.wait_line("validation of the profile edit", validated);
    assert!(v.contains("no errors"), "{v}");
    assert_equals_full_build(tree);

    // A group's title.
    let group = tree.join("rules/permissions/group.yml");
    edit(&mut w, tree, "group edit", &group, "File Permissions and Ownership", "Watched Permissions");
    assert!(std::fs::read_to_string(ds(tree)).unwrap().contains("Watched Permissions"));
    let v = w.wait_line("validation of the group edit", validated);
    assert!(v.contains("no errors"), "{v}");
    assert_equals_full_build(tree);

    // A Value's title (its load is kept per file between builds).
    let value = tree.join("rules/services_ssh/var_sshd_max_auth_tries.var");
    edit(&mut w, tree, "value edit", &value, "authentication attempts per", "authentication attempts (watched) per");
    assert!(std::fs::read_to_string(ds(tree)).unwrap().contains("authentication attempts (watched) per"));
    let v = w.wait_line("validation of the value edit", validated);
    assert!(v.contains("no errors"), "{v}");
    assert_equals_full_build(tree);

    // An edit that compiles but fails the schemas: written, found invalid,
    // rolled back to the last valid outputs (those of the group edit).
    let good: Vec<(std::ffi::OsString, Vec<u8>)> = std::fs::read_dir(tree.join("build"))
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| (e.file_name(), std::fs::read(e.path()).unwrap()))
        .collect();
    let oval = tree.join("rules/services_ssh/sshd_set_keepalive/oval/shared.xml");
    let (ok, bad) = ("check=\"all\" check_existence", "check=\"bogus\" check_existence");
    edit(&mut w, tree, "invalid edit", &oval, ok, bad);
    let v = w.wait_line("validation of the invalid edit", validated);
    assert!(v.contains("error(s)") && v.contains("rolled back"), "{v}");
    assert!(w.seen.iter().any(|l| l.contains("'bogus'")), "the schema finding is shown: {:?}", w.seen);
    for (name, bytes) in &good {
        let now = std::fs::read(tree.join("build").join(name)).unwrap();
        assert!(now == *bytes, "{} is not the last valid one after the rollback", name.to_string_lossy());
    }

    // The fix rebuilds and validates (the same bytes as before the bad
    // edit: what the rollback restored).
    save(&oval, bad, ok);
    let line = w.wait_line("rebuild after the fix", rebuilt);
    assert!(line.contains(": rebuilt "), "{line}");
    let v = w.wait_line("validation of the fix", validated);
    assert!(v.contains("no errors"), "{v}");
    assert_equals_full_build(tree);
}

mod cac_tree;

/// ComplianceAsCode's debian12 (a copy of the tree at b3a2cca; skipped
/// with a notice without `../shared`): a rule's title, a template-driven
/// rule's template parameters and a rule's own OVAL edited while watching;
/// after each, every output equals a full build's.
#[test]
fn watch_rebuilds_a_cac_product_like_a_full_build() {
    let Some(cac) = cac_tree::content_tree("the CaC watch test") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("content");
    let st = Command::new("cp").arg("-a").arg(&cac).arg(&tree).status().unwrap();
    assert!(st.success(), "cp -a {}", cac.display());
    let out = tmp.path().join("out");
    let out_arg = out.to_str().unwrap();
    let args = ["-p", "debian12", "--no-validate"];
    let mut more = vec!["-o", out_arg];
    more.extend(args);
    let mut w = Watcher::start_with(&tree, &more);
    let first = w.wait_line("first build", |l| l.starts_with("initial build"));
    assert!(first.contains("rebuilt debian12"), "{first}");
    w.wait_line("watching notice", |l| l.starts_with("watching "));
    let ds = out.join("debian12-ds.xml");
    let guide = tree.join("linux_os/guide/system");
    let age = guide.join("accounts/accounts-restrictions/password_expiration/accounts_maximum_age_login_defs");
    let sysctl = guide.join("network/network-ipv6/configuring_ipv6/sysctl_net_ipv6_conf_all_autoconf/rule.yml");
    let oval = age.join("oval/shared.xml");
    let edits: [(&str, PathBuf, &str, &str, &str); 5] = [
        (
            "CaC rule title",
            age.join("rule.yml"),
            "title: 'Set Password Maximum Age'",
            "title: 'Watched Maximum Age'",
            "Watched Maximum Age",
        ),
        ("CaC template parameter", sysctl, "datatype: int", "datatype: string", "sysctl_net_ipv6_conf_all_autoconf"),
        (
            "CaC rule OVAL",
            oval.clone(),
            // (Not its `external_variable`: CaC's build takes a Value's
            // declaration from the first rule that has one, another rule.)
            "<criteria comment=\"The value PASS_MAX_DAYS should be set appropriately in",
            "<criteria comment=\"Watched PASS_MAX_DAYS in",
            "Watched PASS_MAX_DAYS in",
        ),
        // Its object's pattern: an item of the rule's own alone, taken in
        // without linking again.
        (
            "CaC rule OVAL object",
            oval.clone(),
            r#"pattern="^[\s]*(?i)(PASS_MAX_DAYS[\s]+\d+)""#,
            r#"pattern="^[\s]*(?i)(PASS_MAX_DAYS[\s]+\d\d*)""#,
            r#"(PASS_MAX_DAYS[\s]+\d\d*)"#,
        ),
        // A reference changed: linked again, and a test left out before
        // is in now.
        (
            "CaC rule OVAL reference",
            oval,
            r#"<criterion test_ref="test_pass_max_days" />"#,
            r#"<criterion test_ref="test_pass_max_days_logindefs_drop_in_path" />"#,
            "ssg-test_pass_max_days_logindefs_drop_in_path:tst",
        ),
    ];
    for (what, path, from, to, shows) in edits {
        let before = std::fs::read(&ds).unwrap();
        let t = Instant::now();
        save(&path, from, to);
        let latency = wait_stream_changed(&ds, &before, t);
        let line = w.wait_line(what, rebuilt);
        eprintln!("{what}: data stream on disk {:.3} s after the edit ({line})", latency.as_secs_f64());
        assert!(line.contains(": rebuilt "), "{line}");
        assert!(std::fs::read_to_string(&ds).unwrap().contains(shows), "{what}: the stream lacks {shows:?}");
        assert_same_as_full_build(&tree, &out, &args);
    }
}
