//! The fixes proven on a real system: for each bundled profile, in a fresh
//! throwaway root (an overlay of the Debian 12 base root that
//! `scripts/test` makes), the profile is evaluated, its fix is applied and
//! the profile is evaluated again. Three ways, each in its own fresh root:
//!
//! - the `scapc fix --fix-type bash` script, run chrooted;
//! - the `scapc fix --fix-type ansible` playbook, through Ansible's chroot
//!   connection (python3 and python3-apt, for package facts, are
//!   installed into the root first);
//! - `scapc eval --remediate --target dir:ROOT`, which must report `fixed`
//!   for the rules the bash script fixed.
//!
//! The script and the playbook are applied twice, as ComplianceAsCode
//! advises: a fix in benchmark order may find nothing to fix yet (the
//! auditd and cron rules come before the rules that install auditd and
//! cron), and `eval --remediate` runs twice on its root for the same
//! reason. After that at most a tenth of the rules that failed before may
//! still fail; those are printed (docs/testing.md says why).
//!
//! The roots get apt's current package lists first (`apt-get update`, as
//! a maintained system has them), since some fixes install packages; the
//! downloads are kept in `scapc test`'s shared cache. Needs root, the base
//! root filesystem (`$SCAPC_TEST_ROOTFS`, default /var/tmp/scapc-bookworm)
//! and network for the packages; skipped with a notice without root or the
//! base root.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn base() -> Option<PathBuf> {
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(|l| l.split_whitespace().nth(1) == Some("0")))
        == Some(true);
    if !root {
        eprintln!("NOTICE: not root; the tests that apply the fixes in a fresh root are skipped");
        return None;
    }
    let b = PathBuf::from(std::env::var("SCAPC_TEST_ROOTFS").unwrap_or_else(|_| "/var/tmp/scapc-bookworm".into()));
    if !b.join("var/lib/dpkg/status").is_file() {
        eprintln!("NOTICE: no base root filesystem at {} (scripts/test makes it); skipped", b.display());
        return None;
    }
    Some(b)
}

/// The bundled content, built once.
fn ds() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_scapc"))
            .args(["build", "-q", "-C"])
            .arg(repo())
            .arg("-o")
            .arg(tmp.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "build: {}", String::from_utf8_lossy(&o.stderr));
        tmp
    })
    .path()
}

fn profiles() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(repo().join("profiles"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_string_lossy().strip_suffix(".profile").map(str::to_owned))
        .collect();
    v.sort();
    v
}

/// Mounts a fresh root at $R (overlay of $BASE, upper directory under
/// $W), gives it current package lists, and defines `specials` and
/// `unspecials` (its own /proc with a read-only /proc/sys, so that no
/// kernel parameter of this host changes, a minimal /dev and /tmp) and
/// `evaluate NAME` (the profile, as JSON into $W/NAME.json). Runs in a
/// private mount namespace: everything is gone when the script ends.
const PRELUDE: &str = r#"
set -euo pipefail
mkdir -p "$W/upper" "$W/work" "$W/root"
mount -t overlay -o "lowerdir=$BASE,upperdir=$W/upper,workdir=$W/work" overlay "$W/root"
R=$W/root
specials() {
    mount -t proc proc "$R/proc"
    mount --bind "$R/proc/sys" "$R/proc/sys"
    mount -o remount,bind,ro "$R/proc/sys"
    mount -t tmpfs -o mode=0755 tmpfs "$R/dev"
    for d in null zero full random urandom tty; do
        : >"$R/dev/$d"
        mount --bind "/dev/$d" "$R/dev/$d"
    done
    mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
    mkdir -p "$ARCHIVES"
    mount --bind "$ARCHIVES" "$R/var/cache/apt/archives"
}
unspecials() {
    umount -R "$R/proc" "$R/dev" "$R/tmp" "$R/var/cache/apt/archives"
}
evaluate() {
    "$SCAPC" eval "$DS" --profile "$PROFILE" --target "dir:$R" --format json "${@:2}" >"$W/$1.json" || true
}
specials
chroot "$R" apt-get -q update >"$W/apt.log" 2>&1 || { cat "$W/apt.log"; exit 1; }
unspecials
"#;

/// The tests share the package download cache, whose lock apt takes: one
/// test at a time (the harness runs tests of a binary in parallel).
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs PRELUDE then `body` in a private mount namespace.
fn in_fresh_root(base: &Path, w: &Path, profile: &str, body: &str) -> String {
    std::fs::create_dir_all(w).unwrap();
    let o = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "bash", "-c"])
        .arg(format!("{PRELUDE}\n{body}"))
        .env("BASE", base)
        .env("W", w)
        .env("SCAPC", env!("CARGO_BIN_EXE_scapc"))
        .env("DS", ds().join("debian12-ds.xml"))
        .env("PROFILE", profile)
        .env("ARCHIVES", "/var/tmp/scapc-test/apt-archives")
        .env("ANSIBLE_NOCOLOR", "1")
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "the fresh-root script failed:\n{text}");
    text
}

/// Rule id -> result of an `eval --format json` output.
fn results(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", path.display()));
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_owned(), r["result"].as_str().unwrap().to_owned()))
        .collect()
}

fn failing(r: &BTreeMap<String, String>) -> Vec<String> {
    r.iter().filter(|(_, v)| matches!(v.as_str(), "fail" | "error")).map(|(k, _)| k.clone()).collect()
}

/// Applies `fix` (a shell snippet using $R, $W, $FIX) between two
/// evaluations; returns (failing before, failing after).
fn before_after(base: &Path, w: &Path, profile: &str, fix: &str) -> (Vec<String>, Vec<String>, String) {
    let body = format!("evaluate before\nspecials\n{fix}\nunspecials\nevaluate after\n");
    let log = in_fresh_root(base, w, profile, &body);
    (failing(&results(&w.join("before.json"))), failing(&results(&w.join("after.json"))), log)
}

fn judge(kind: &str, profile: &str, before: &[String], after: &[String], log: &str) {
    assert!(!before.is_empty(), "{kind} {profile}: nothing failed in the fresh root");
    for r in after {
        eprintln!("{kind} {profile}: still failing: {r} (docs/testing.md says why)");
    }
    eprintln!("{kind} {profile}: {} rules failed before, {} after", before.len(), after.len());
    assert!(
        after.len() * 10 <= before.len(),
        "{kind} {profile}: {} of {} failing rules still fail: {after:?}\n{log}",
        after.len(),
        before.len()
    );
}

fn scapc_fix(profile: &str, kind: &str, out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .arg("fix")
        .arg(ds().join("debian12-ds.xml"))
        .args(["--profile", profile, "--fix-type", kind, "-o"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "scapc fix {profile} {kind}: {}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn bash_fix_scripts_fix_a_fresh_root_and_eval_remediate_agrees() {
    let _one_at_a_time = serial();
    let Some(base) = base() else { return };
    for p in profiles() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        std::fs::create_dir_all(&w).unwrap();
        let script = w.join("fix.sh");
        scapc_fix(&p, "bash", &script);
        let (before, after, log) = before_after(
            &base,
            &w,
            &p,
            "cp \"$W/fix.sh\" \"$R/tmp/fix.sh\"\nfor pass in 1 2; do chroot \"$R\" env -i \
             PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash /tmp/fix.sh >>\"$W/fix.log\" 2>&1 || \
             echo \"pass $pass: the fix script exited $?\"; done",
        );
        judge("bash", &p, &before, &after, &format!("{log}{}", std::fs::read_to_string(w.join("fix.log")).unwrap()));
        // eval --remediate on another fresh root fixes the same rules
        let w2 = tmp.path().join("w2");
        in_fresh_root(&base, &w2, &p, "evaluate remediate --remediate\nevaluate remediate2 --remediate");
        let mut rem = results(&w2.join("remediate.json"));
        for (id, r) in results(&w2.join("remediate2.json")) {
            if r == "fixed" {
                rem.insert(id, r);
            }
        }
        let fixed_by_script: Vec<&String> = before.iter().filter(|r| !after.contains(r)).collect();
        let not_fixed: Vec<String> = fixed_by_script
            .iter()
            .filter(|r| rem.get(r.as_str()).map(String::as_str) != Some("fixed"))
            .map(|r| format!("{r}: {}", rem.get(r.as_str()).map(String::as_str).unwrap_or("no result")))
            .collect();
        assert!(not_fixed.is_empty(), "{p}: eval --remediate did not report `fixed` for {not_fixed:?}");
        eprintln!("eval --remediate {p}: {} rules fixed", rem.values().filter(|v| *v == "fixed").count());
    }
}

#[test]
fn ansible_playbooks_fix_a_fresh_root_through_the_chroot_connection() {
    let _one_at_a_time = serial();
    let Some(base) = base() else { return };
    if !Command::new("sh").args(["-c", "command -v ansible-playbook"]).output().is_ok_and(|o| o.status.success()) {
        eprintln!("NOTICE: ansible-playbook is not installed (scripts/test installs it); skipped");
        return;
    }
    for p in profiles() {
        let tmp = tempfile::tempdir().unwrap();
        let w = tmp.path().join("w");
        std::fs::create_dir_all(&w).unwrap();
        scapc_fix(&p, "ansible", &w.join("playbook.yml"));
        std::fs::write(w.join("ansible.cfg"), "[defaults]\n").unwrap();
        let (before, after, log) = before_after(
            &base,
            &w,
            &p,
            "chroot \"$R\" apt-get install -q -y --no-install-recommends python3 python3-apt >>\"$W/apt.log\" 2>&1 || \
             { cat \"$W/apt.log\"; exit 1; }\n\
             export ANSIBLE_CONFIG=\"$W/ansible.cfg\" ANSIBLE_LOCAL_TEMP=\"$W/atmp\" ANSIBLE_REMOTE_TMP=/tmp HOME=\"$W\"\n\
             for pass in 1 2; do ansible-playbook -i \"$R,\" -c community.general.chroot \"$W/playbook.yml\" \
             >>\"$W/fix.log\" 2>&1 || echo \"pass $pass: ansible-playbook exited $?\"; done",
        );
        judge("ansible", &p, &before, &after, &format!("{log}{}", std::fs::read_to_string(w.join("fix.log")).unwrap()));
    }
}
