//! Probe tests: small root filesystems in temporary directories, probed
//! as `dir:` targets, and a few checks on this host.

use super::*;
use crate::oval::item::EntitySpec;
use crate::oval::types::{Check, Datatype, Flag, Operation, Status};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

pub(super) fn ent(name: &str, op: Operation, value: &str) -> EntitySpec {
    EntitySpec { name: name.into(), operation: op, values: vec![value.into()], ..Default::default() }
}

pub(super) fn eq(name: &str, value: &str) -> EntitySpec {
    ent(name, Operation::Equals, value)
}

pub(super) fn pm(name: &str, value: &str) -> EntitySpec {
    ent(name, Operation::PatternMatch, value)
}

pub(super) fn nil(name: &str) -> EntitySpec {
    EntitySpec { name: name.into(), nil: true, ..Default::default() }
}

pub(super) fn int(name: &str, op: Operation, value: &str) -> EntitySpec {
    EntitySpec {
        name: name.into(),
        operation: op,
        datatype: Datatype::Int,
        values: vec![value.into()],
        ..Default::default()
    }
}

pub(super) fn obj(family: &str, kind: &str, entities: Vec<EntitySpec>, behaviors: &[(&str, &str)]) -> ObjectSpec {
    ObjectSpec {
        id: format!("oval:test:obj:{kind}"),
        family: family.into(),
        kind: kind.into(),
        entities,
        behaviors: behaviors.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    }
}

pub(super) fn run_with(target: &Target, cache: &Cache, o: &ObjectSpec) -> Collected {
    let ctx = ProbeCtx { target, cache, deadline: Instant::now() + Duration::from_secs(600), keep: None };
    let probe = lookup(&o.family, &o.kind).expect("a registered probe");
    probe(&ctx, o)
}

pub(super) fn run(target: &Target, o: &ObjectSpec) -> Collected {
    run_with(target, &Cache::default(), o)
}

/// Values of an entity across items, in item order.
pub(super) fn values(c: &Collected, name: &str) -> Vec<String> {
    c.items.iter().flat_map(|i| i.get(name).map(|e| e.value.clone()).collect::<Vec<_>>()).collect()
}

pub(super) fn write(root: &Path, path: &str, content: &str) {
    let p = root.join(path.trim_start_matches('/'));
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, content).unwrap();
}

fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

#[test]
fn registry_lists_every_probe() {
    for s in supported() {
        let (f, k) = s.split_once(':').unwrap();
        assert!(lookup(f, k).is_some(), "{s}");
    }
    assert!(lookup("unix", "no_such").is_none());
}

// ---- textfilecontent54 ----

fn tfc_root() -> (tempfile::TempDir, Target) {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "/etc/app/conf", "key1 = v1\nkey2 = v2\n# key3 = v3\nKEY4=v4\n");
    write(r, "/etc/app/sub/other.conf", "x=1\nx=2\n");
    write(r, "/etc/app/bin", "x=0\0x=9\n");
    symlink("/etc/app", r.join("etc/applink")).unwrap();
    symlink("loop", r.join("etc/app/loop")).unwrap();
    mkfifo(&r.join("etc/app/fifo"));
    fs::create_dir(r.join("etc/app/dir.conf")).unwrap();
    let t = Target::dir(r).unwrap();
    (d, t)
}

#[test]
fn textfilecontent_instances_and_subexpressions() {
    let (_d, t) = tfc_root();
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![
            eq("filepath", "/etc/app/conf"),
            pm("pattern", r"^(\w+)\s*=\s*(\w+)$"),
            int("instance", Operation::GreaterThanOrEqual, "2"),
        ],
        &[],
    );
    let c = run(&t, &o);
    assert_eq!(c.flag, Flag::Complete);
    assert_eq!(values(&c, "instance"), ["2", "3"]);
    assert_eq!(values(&c, "text"), ["key2 = v2", "KEY4=v4"]);
    assert_eq!(values(&c, "subexpression"), ["key2", "v2", "KEY4", "v4"]);
    let i = &c.items[0];
    let names: Vec<&str> = i.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["filepath", "path", "filename", "pattern", "instance", "text", "subexpression", "subexpression"]
    );
    assert_eq!(i.first("path"), Some("/etc/app"));
    assert_eq!(i.get("instance").next().unwrap().datatype, Datatype::Int);
    // The report shows where each match is: lines 2 and 4.
    assert_eq!(c.items.iter().map(|i| i.line).collect::<Vec<_>>(), [Some(2), Some(4)]);
}

#[test]
fn textfilecontent_behaviors() {
    let (_d, t) = tfc_root();
    let base = |b: &[(&str, &str)], p: &str| {
        run(
            &t,
            &obj(
                "independent",
                "textfilecontent54",
                vec![
                    eq("filepath", "/etc/app/conf"),
                    pm("pattern", p),
                    int("instance", Operation::GreaterThanOrEqual, "1"),
                ],
                b,
            ),
        )
    };
    // multiline=false: `^` is the start of the file only.
    assert_eq!(values(&base(&[("multiline", "false")], "^key.*"), "text"), ["key1 = v1"]);
    assert_eq!(values(&base(&[], "^key\\d"), "text"), ["key1", "key2"]);
    assert_eq!(values(&base(&[("ignore_case", "true")], "^key\\d"), "text"), ["key1", "key2", "KEY4"]);
    assert_eq!(values(&base(&[("singleline", "true")], "key1.*key2"), "text"), ["key1 = v1\nkey2"]);
    assert!(base(&[], "key1.*key2").items.is_empty());
    // Groups that take no part in a match are left out (as oscap).
    assert_eq!(values(&base(&[], "(?:key)(2)|KEY(4)"), "subexpression"), ["2", "4"]);
    // An invalid pattern is an error, not an empty answer.
    assert_eq!(base(&[], "(unclosed").flag, Flag::Error);
}

#[test]
fn textfilecontent_walks_and_skips_special_files() {
    let (_d, t) = tfc_root();
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![
            pm("filepath", r"^/etc/app.*/[^/]+$"),
            pm("pattern", r"x=(\d)"),
            int("instance", Operation::GreaterThanOrEqual, "1"),
        ],
        &[],
    );
    let c = run(&t, &o);
    // The binary file ends at its NUL (x=9 is not seen); the FIFO, the
    // link loop and the directory named *.conf give nothing; the link to
    // /etc/app is walked too.
    assert_eq!(
        values(&c, "filepath"),
        [
            "/etc/app/bin",
            "/etc/app/sub/other.conf",
            "/etc/app/sub/other.conf",
            "/etc/applink/bin",
            "/etc/applink/sub/other.conf",
            "/etc/applink/sub/other.conf"
        ]
    );
    assert_eq!(values(&c, "subexpression"), ["0", "1", "2", "0", "1", "2"]);
    // path + filename with recursion down, max_depth 1.
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![
            eq("path", "/etc"),
            pm("filename", r"conf$"),
            pm("pattern", r"x=(\d)"),
            int("instance", Operation::Equals, "2"),
        ],
        &[("recurse_direction", "down"), ("max_depth", "2"), ("recurse", "directories")],
    );
    let c = run(&t, &o);
    assert_eq!(values(&c, "filepath"), ["/etc/app/sub/other.conf"]);
    assert_eq!(values(&c, "text"), ["x=2"]);
}

#[test]
fn textfilecontent_unreadable_and_huge_files() {
    let (d, t) = tfc_root();
    write(d.path(), "/var/log/big", &"line\n".repeat(100));
    let cache = Cache::default();
    let ctx = ProbeCtx { target: &t, cache: &cache, deadline: Instant::now() + Duration::from_secs(60), keep: None };
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![eq("filepath", "/var/log/big"), pm("pattern", "line"), int("instance", Operation::Equals, "1")],
        &[],
    );
    let c = textfilecontent54::collect_with_limit(&ctx, &o, 64);
    assert_eq!(c.items.len(), 1);
    assert_eq!(c.items[0].status, Status::Error);
    assert!(c.messages.iter().any(|m| m.contains("larger than")), "{:?}", c.messages);
    // A FIFO in place of the file: no items, and no hang.
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![eq("filepath", "/etc/app/fifo"), pm("pattern", ".*"), int("instance", Operation::Equals, "1")],
        &[],
    );
    assert_eq!(run(&t, &o).flag, Flag::DoesNotExist);
    // A deadline already passed: incomplete, not a wrong "does not exist".
    let ctx = ProbeCtx { target: &t, cache: &cache, deadline: Instant::now(), keep: None };
    let o = obj(
        "independent",
        "textfilecontent54",
        vec![pm("filepath", "^/etc/.*"), pm("pattern", ".*"), int("instance", Operation::Equals, "1")],
        &[],
    );
    assert_eq!(textfilecontent54::collect(&ctx, &o).flag, Flag::Incomplete);
}

// ---- file ----

#[test]
fn file_lookup_and_metadata() {
    use std::os::unix::fs::PermissionsExt;
    let (d, t) = tfc_root();
    fs::set_permissions(d.path().join("etc/app/conf"), fs::Permissions::from_mode(0o4740)).unwrap();
    let c = run(&t, &obj("unix", "file", vec![eq("filepath", "/etc/app/conf")], &[]));
    assert_eq!(c.items.len(), 1);
    let i = &c.items[0];
    let names: Vec<&str> = i.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "filepath",
            "path",
            "filename",
            "type",
            "group_id",
            "user_id",
            "a_time",
            "c_time",
            "m_time",
            "size",
            "suid",
            "sgid",
            "sticky",
            "uread",
            "uwrite",
            "uexec",
            "gread",
            "gwrite",
            "gexec",
            "oread",
            "owrite",
            "oexec",
            "has_extended_acl"
        ]
    );
    assert_eq!(i.first("type"), Some("regular"));
    assert_eq!(i.first("size"), Some("40"));
    assert_eq!(i.first("suid"), Some("true"));
    assert_eq!(i.first("gexec"), Some("false"));
    assert_eq!(i.first("gread"), Some("true"));
    assert_eq!(i.first("oread"), Some("false"));
    // A link to a directory is a directory: no file item (as oscap).
    assert_eq!(run(&t, &obj("unix", "file", vec![eq("filepath", "/etc/applink")], &[])).flag, Flag::DoesNotExist);
    // A link loop is a file of type `symbolic link`.
    let c = run(&t, &obj("unix", "file", vec![eq("filepath", "/etc/app/loop")], &[]));
    assert_eq!(values(&c, "type"), ["symbolic link"]);
    // filename nil: the directory itself, no filepath, empty filename.
    let c = run(&t, &obj("unix", "file", vec![eq("path", "/etc/app"), nil("filename")], &[]));
    assert_eq!(values(&c, "type"), ["directory"]);
    assert!(c.items[0].first("filepath").is_none());
    assert_eq!(c.items[0].first("filename"), Some(""));
}

/// A relative `path` or `filepath` starts at the working directory: the
/// root under `dir:`, the process's directory for `local`.
#[test]
fn file_relative_paths() {
    let (_d, t) = tfc_root();
    // Items report a relative path as the object wrote it (as oscap
    // does); the file read is the one it names.
    let c = run(&t, &obj("unix", "file", vec![eq("path", "./etc/app"), eq("filename", "conf")], &[]));
    assert_eq!(values(&c, "filepath"), ["./etc/app/conf"]);
    assert_eq!(values(&c, "path"), ["./etc/app"]);
    let c = run(&t, &obj("unix", "file", vec![eq("filepath", "etc/../etc/app/conf")], &[]));
    assert_eq!(values(&c, "path"), ["etc/../etc/app"]);
    assert_eq!(values(&c, "filepath"), ["etc/../etc/app/conf"]);
    let c = run(&t, &obj("unix", "file", vec![eq("filepath", "/etc/app/conf")], &[]));
    assert_eq!(values(&c, "filepath"), ["/etc/app/conf"]);
    // Below a relative base, found by recursion: the base as written, then
    // the rest.
    let c = run(
        &t,
        &obj(
            "unix",
            "file",
            vec![eq("path", "./etc/app/"), eq("filename", "other.conf")],
            &[("recurse_direction", "down")],
        ),
    );
    assert_eq!(values(&c, "filepath"), ["./etc/app/sub/other.conf"]);
    let here = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
    let name = here.path().file_name().unwrap().to_str().unwrap();
    fs::write(here.path().join("f"), "").unwrap();
    let c = run(&Target::local(), &obj("unix", "file", vec![eq("filepath", &format!("./{name}/f"))], &[]));
    assert_eq!(values(&c, "filename"), ["f"]);
}

#[test]
fn file_recursive_pattern_search_with_link_loop() {
    let (d, t) = tfc_root();
    // A loop through a directory link: /etc/app/sub/up -> /etc/app
    symlink("..", d.path().join("etc/app/sub/up")).unwrap();
    let c = run(&t, &obj("unix", "file", vec![pm("filepath", r"^/etc/app/.*conf$")], &[]));
    assert_eq!(values(&c, "filepath"), ["/etc/app/conf", "/etc/app/sub/other.conf"]);
    // recurse="directories": links are files, not walked.
    let c = run(
        &t,
        &obj(
            "unix",
            "file",
            vec![pm("path", "^/etc"), pm("filename", "^(applink|up|loop)$")],
            &[("recurse", "directories")],
        ),
    );
    assert_eq!(values(&c, "filepath"), ["/etc/applink", "/etc/app/loop", "/etc/app/sub/up"]);
    // Directories below /etc down to depth 1, following links.
    let c = run(
        &t,
        &obj(
            "unix",
            "file",
            vec![eq("path", "/etc"), nil("filename")],
            &[("recurse_direction", "down"), ("max_depth", "1")],
        ),
    );
    assert_eq!(values(&c, "path"), ["/etc", "/etc/app", "/etc/applink"]);
    assert_eq!(values(&c, "type"), ["directory", "directory", "symbolic link"]);
    // Unlimited depth: the loop is entered once per path, then stopped.
    let c =
        run(&t, &obj("unix", "file", vec![eq("path", "/etc/app"), nil("filename")], &[("recurse_direction", "down")]));
    assert_eq!(values(&c, "path"), ["/etc/app", "/etc/app/dir.conf", "/etc/app/sub"]);
    // Up from /etc/app/sub, two levels.
    let c = run(
        &t,
        &obj(
            "unix",
            "file",
            vec![eq("path", "/etc/app/sub"), nil("filename")],
            &[("recurse_direction", "up"), ("max_depth", "2")],
        ),
    );
    assert_eq!(values(&c, "path"), ["/etc", "/etc/app", "/etc/app/sub"]);
}

#[test]
fn file_pattern_with_several_values() {
    let (_d, t) = tfc_root();
    let e = EntitySpec {
        name: "filepath".into(),
        operation: Operation::Equals,
        var_check: Check::AtLeastOne,
        values: vec!["/etc/app/conf".into(), "/etc/app/missing".into(), "/etc/app/bin".into()],
        ..Default::default()
    };
    let c = run(&t, &obj("unix", "file", vec![e], &[]));
    assert_eq!(values(&c, "filename"), ["bin", "conf"]);
}

#[test]
fn file_items_pass_through_the_object_filters_as_they_are_found() {
    let (_d, t) = tfc_root();
    let cache = Cache::default();
    let o = obj("unix", "file", vec![pm("filepath", r"^/etc/app/.*conf$")], &[]);
    let keep = |i: &Item| i.first("filename") == Some("other.conf");
    let ctx =
        ProbeCtx { target: &t, cache: &cache, deadline: Instant::now() + Duration::from_secs(60), keep: Some(&keep) };
    let c = lookup("unix", "file").unwrap()(&ctx, &o);
    assert_eq!(values(&c, "filepath"), ["/etc/app/sub/other.conf"]);
    // Everything filtered out: no items, which the engine reports as
    // `does not exist`.
    let none = |_: &Item| false;
    let ctx = ProbeCtx { keep: Some(&none), ..ctx };
    assert!(lookup("unix", "file").unwrap()(&ctx, &o).items.is_empty());
}

// ---- dpkginfo ----

const DPKG_STATUS: &str = "Package: bash\nStatus: install ok installed\nPriority: required\nArchitecture: amd64\nVersion: 5.2.15-2+b2\nDescription: shell\n continued\n\nPackage: removed\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0-1\n\nPackage: tzdata\nStatus: hold ok installed\nArchitecture: all\nVersion: 1:2024a\n";

#[test]
fn dpkginfo_two_packages() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "/var/lib/dpkg/status", DPKG_STATUS);
    let t = Target::dir(d.path()).unwrap();
    let c = run(&t, &obj("linux", "dpkginfo", vec![eq("name", "bash")], &[]));
    assert_eq!(c.items.len(), 1);
    let i = &c.items[0];
    let got: Vec<(&str, &str)> = i.entities.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
    assert_eq!(
        got,
        [
            ("name", "bash"),
            ("arch", "amd64"),
            ("epoch", "0"),
            ("release", "2+b2"),
            ("version", "5.2.15"),
            ("evr", "0:5.2.15-2+b2")
        ]
    );
    assert_eq!(i.get("evr").next().unwrap().datatype, Datatype::DebianEvrString);
    let c = run(&t, &obj("linux", "dpkginfo", vec![pm("name", ".")], &[]));
    assert_eq!(values(&c, "name"), ["bash", "tzdata"]);
    assert_eq!(values(&c, "evr"), ["0:5.2.15-2+b2", "1:2024a"]);
    assert_eq!(values(&c, "release"), ["2+b2", ""]);
    assert_eq!(run(&t, &obj("linux", "dpkginfo", vec![eq("name", "removed")], &[])).flag, Flag::DoesNotExist);
    // No dpkg database: nothing installed.
    let e = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&Target::dir(e.path()).unwrap(), &obj("linux", "dpkginfo", vec![eq("name", "bash")], &[])).flag,
        Flag::DoesNotExist
    );
}

#[test]
fn dpkginfo_local_dpkg() {
    if !Path::new("/var/lib/dpkg/status").exists() {
        return;
    }
    let c = run(&Target::local(), &obj("linux", "dpkginfo", vec![eq("name", "dpkg")], &[]));
    assert_eq!(c.flag, Flag::Complete);
    let evr = c.items[0].first("evr").unwrap();
    assert!(evr.starts_with("0:1."), "{evr}");
}

// ---- password / shadow ----

#[test]
fn passwd_and_shadow() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "/etc/passwd",
        "root:x:0:0:root:/root:/bin/bash\n# comment\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n+nis\n",
    );
    write(d.path(), "/etc/shadow", "root:$6$abc$def:20228:0:99999:7:::\nold:$1$x$y:1:2:3:4:5:6:\nyes:$y$j9T$abc:20228:0:99999:7:::\nlocked:*:20228::::::\n");
    let t = Target::dir(d.path()).unwrap();
    let c = run(&t, &obj("unix", "password", vec![pm("username", ".")], &[]));
    assert_eq!(values(&c, "username"), ["root", "_apt"]);
    assert_eq!(values(&c, "gcos"), ["root", ""]);
    assert_eq!(values(&c, "user_id"), ["0", "42"]);
    assert_eq!(values(&c, "login_shell"), ["/bin/bash", "/usr/sbin/nologin"]);
    let c = run(&t, &obj("unix", "shadow", vec![eq("username", "root")], &[]));
    let got: Vec<(&str, &str)> = c.items[0].entities.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
    assert_eq!(
        got,
        [
            ("username", "root"),
            ("password", "$6$abc$def"),
            ("chg_lst", "20228"),
            ("chg_allow", "0"),
            ("chg_req", "99999"),
            ("exp_warn", "7"),
            ("exp_inact", "-1"),
            ("exp_date", "-1"),
            ("encrypt_method", "SHA-512")
        ]
    );
    let c = run(&t, &obj("unix", "shadow", vec![pm("username", ".")], &[]));
    assert_eq!(values(&c, "encrypt_method"), ["SHA-512", "MD5", "DES"]);
    assert_eq!(values(&c, "exp_date"), ["-1", "6", "-1", "-1"]);
    // No shadow file: an error, not "no users".
    let e = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&Target::dir(e.path()).unwrap(), &obj("unix", "shadow", vec![eq("username", "root")], &[])).flag,
        Flag::Error
    );
}

// ---- partition ----

#[test]
fn partition_from_fstab() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "/etc/fstab",
        "# /etc/fstab\nUUID=1234-abcd / ext4 errors=remount-ro 0 1\n/dev/sda2 /var/tmp xfs nodev,nosuid,noexec 0 2\n/swapfile none swap sw 0 0\ntmpfs /mnt/with\\040space tmpfs defaults 0 0\n",
    );
    let t = Target::dir(d.path()).unwrap();
    let c = run(&t, &obj("linux", "partition", vec![eq("mount_point", "/var/tmp")], &[]));
    assert_eq!(c.items.len(), 1);
    assert_eq!(values(&c, "mount_options"), ["nodev", "nosuid", "noexec"]);
    assert_eq!(values(&c, "device"), ["/dev/sda2"]);
    assert_eq!(c.items[0].get("uuid").next().unwrap().status, Status::DoesNotExist);
    assert_eq!(c.items[0].get("total_space").next().unwrap().status, Status::NotCollected);
    let c = run(&t, &obj("linux", "partition", vec![pm("mount_point", ".")], &[]));
    assert_eq!(values(&c, "mount_point"), ["/", "/var/tmp", "/mnt/with space"]);
    assert_eq!(values(&c, "uuid")[0], "1234-abcd");
}

#[test]
fn partition_local_root() {
    let c = run(&Target::local(), &obj("linux", "partition", vec![eq("mount_point", "/")], &[]));
    assert_eq!(c.flag, Flag::Complete);
    let total: u64 = c.items[0].first("total_space").unwrap().parse().unwrap();
    let used: u64 = c.items[0].first("space_used").unwrap().parse().unwrap();
    let left: u64 = c.items[0].first("space_left").unwrap().parse().unwrap();
    assert_eq!(total, used + left);
}

// ---- sysctl ----

#[test]
fn sysctl_offline_precedence() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "/usr/lib/sysctl.d/50-a.conf", "a.x = 1\nb.y = 1\n");
    write(r, "/etc/sysctl.d/50-a.conf", "# hides the vendor file\na.x = 2\n");
    write(r, "/usr/lib/sysctl.d/60-b.conf", "b.y=3\n-net/ipv4/ip_forward = 0\n");
    write(r, "/lib/sysctl.d/10-z.conf", "c.z = 9\n");
    write(r, "/etc/sysctl.conf", "; comment\nnet.ipv4.ip_local_port_range = 1024   65000\nc.z = 7\n");
    write(r, "/etc/sysctl.d/README", "a.x = 99\n");
    let t = Target::dir(r).unwrap();
    let c = run(&t, &obj("unix", "sysctl", vec![pm("name", ".")], &[]));
    let got: Vec<(String, String)> =
        c.items.iter().map(|i| (i.first("name").unwrap().to_owned(), i.first("value").unwrap().to_owned())).collect();
    let want = [
        ("a.x", "2"),
        ("b.y", "3"),
        ("c.z", "7"),
        ("net.ipv4.ip_forward", "0"),
        ("net.ipv4.ip_local_port_range", "1024\t65000"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
    assert_eq!(run(&t, &obj("unix", "sysctl", vec![eq("name", "kernel.pid_max")], &[])).flag, Flag::DoesNotExist);
}

#[test]
fn sysctl_local_proc() {
    let Ok(pid_max) = fs::read_to_string("/proc/sys/kernel/pid_max") else { return };
    let c = run(&Target::local(), &obj("unix", "sysctl", vec![eq("name", "kernel.pid_max")], &[]));
    assert_eq!(values(&c, "value"), [pid_max.trim_end()]);
    let c = run(&Target::local(), &obj("unix", "sysctl", vec![eq("name", "net.ipv4.ip_local_port_range")], &[]));
    if c.flag == Flag::Complete {
        assert!(values(&c, "value")[0].contains('\t'));
    }
    let c = run(&Target::local(), &obj("unix", "sysctl", vec![pm("name", r"^kernel\.pid_m")], &[]));
    assert_eq!(values(&c, "name"), ["kernel.pid_max"]);
    assert_eq!(
        run(&Target::local(), &obj("unix", "sysctl", vec![eq("name", "no.such.key")], &[])).flag,
        Flag::DoesNotExist
    );
    assert_eq!(
        run(&Target::local(), &obj("unix", "sysctl", vec![eq("name", "kernel..pid_max")], &[])).flag,
        Flag::DoesNotExist
    );
}

// ---- rpminfo ----

#[test]
fn rpminfo_without_database() {
    let d = tempfile::tempdir().unwrap();
    fs::create_dir_all(d.path().join("var/lib/rpm")).unwrap();
    let c = run(&Target::dir(d.path()).unwrap(), &obj("linux", "rpminfo", vec![eq("name", "bash")], &[]));
    assert_eq!(c.flag, Flag::DoesNotExist);
    let items = rpminfo::parse_query("bash\tx86_64\t(none)\t1.el9\t5.1.8\tRSA/SHA256, Tue 01 Jan 2024, Key ID 199e2f91fd431d51\ngpg-pubkey\t(none)\t(none)\t5a6340b3\tfd431d51\t(none)\n");
    assert_eq!(items.len(), 2);
    let got: Vec<(&str, &str)> = items[0].entities.iter().map(|e| (e.name.as_str(), e.value.as_str())).collect();
    assert_eq!(
        got,
        [
            ("name", "bash"),
            ("arch", "x86_64"),
            ("epoch", "0"),
            ("release", "1.el9"),
            ("version", "5.1.8"),
            ("evr", "0:5.1.8-1.el9"),
            ("signature_keyid", "199e2f91fd431d51"),
            ("extended_name", "bash-0:5.1.8-1.el9.x86_64")
        ]
    );
    assert_eq!(items[1].first("extended_name"), Some("gpg-pubkey-0:fd431d51-5a6340b3.(none)"));
    assert!(items[1].first("signature_keyid").is_none());
}

// ---- symlink ----

#[test]
fn symlink_canonical_paths() {
    let (d, t) = tfc_root();
    symlink("app/../applink/conf", d.path().join("etc/chain")).unwrap();
    symlink("/nowhere", d.path().join("etc/dangling")).unwrap();
    let c = run(&t, &obj("unix", "symlink", vec![eq("filepath", "/etc/applink")], &[]));
    assert_eq!(values(&c, "canonical_path"), ["/etc/app"]);
    let c = run(&t, &obj("unix", "symlink", vec![eq("filepath", "/etc/chain")], &[]));
    assert_eq!(values(&c, "canonical_path"), ["/etc/app/conf"]);
    let c = run(&t, &obj("unix", "symlink", vec![eq("filepath", "/etc/app/loop")], &[]));
    assert_eq!(c.flag, Flag::Error);
    assert_eq!(run(&t, &obj("unix", "symlink", vec![eq("filepath", "/etc/dangling")], &[])).flag, Flag::Error);
    let c = run(&t, &obj("unix", "symlink", vec![eq("filepath", "/etc/app/conf")], &[]));
    assert_eq!(c.flag, Flag::DoesNotExist);
    assert!(c.messages[0].contains("not a symlink"));
    // A walk finds the links without entering them.
    let c = run(&t, &obj("unix", "symlink", vec![pm("filepath", "^/etc/[^/]+$")], &[]));
    assert_eq!(values(&c, "filepath"), ["/etc/applink", "/etc/chain"]);
}

// ---- filehash58 ----

#[test]
fn filehash_known_vectors() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "/f/abc", "abc");
    let t = Target::dir(d.path()).unwrap();
    let c = run(&t, &obj("independent", "filehash58", vec![eq("filepath", "/f/abc"), pm("hash_type", ".")], &[]));
    let got: Vec<(String, String)> =
        c.items.iter().map(|i| (i.first("hash_type").unwrap().into(), i.first("hash").unwrap().into())).collect();
    assert_eq!(got[0], ("MD5".into(), "900150983cd24fb0d6963f7d28e17f72".into()));
    assert_eq!(got[1], ("SHA-1".into(), "a9993e364706816aba3e25717850c26c9cd0d89d".into()));
    assert_eq!(got[2], ("SHA-224".into(), "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7".into()));
    assert_eq!(got[3], ("SHA-256".into(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into()));
    assert_eq!(got.len(), 6);
    let c = run(
        &t,
        &obj(
            "independent",
            "filehash58",
            vec![eq("path", "/f"), eq("filename", "abc"), eq("hash_type", "SHA-512")],
            &[],
        ),
    );
    assert_eq!(c.items.len(), 1);
    assert!(c.items[0].first("hash").unwrap().starts_with("ddaf35a193617aba"));
    let names: Vec<&str> = c.items[0].entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["filepath", "path", "filename", "hash_type", "hash"]);
}

// ---- uname, environment, selinux ----

#[test]
fn uname_local_and_offline() {
    let c = run(&Target::local(), &obj("unix", "uname", vec![], &[]));
    assert_eq!(c.items[0].first("os_name"), Some("Linux"));
    assert_eq!(c.items[0].first("machine_class"), Some(std::env::consts::ARCH));
    let d = tempfile::tempdir().unwrap();
    assert_eq!(run(&Target::dir(d.path()).unwrap(), &obj("unix", "uname", vec![], &[])).flag, Flag::NotCollected);
    // A root that runs on this host's kernel (a `scapc test` sandbox)
    // answers with this host's kernel, as oscap-chroot does.
    let c = run(&Target::dir_on_host_kernel(d.path()).unwrap(), &obj("unix", "uname", vec![], &[]));
    assert_eq!(c.items[0].first("machine_class"), Some(std::env::consts::ARCH));
}

#[test]
fn environment_of_this_process_and_by_pid() {
    let path = std::env::var("PATH").unwrap_or_default();
    let c =
        run(&Target::local(), &obj("independent", "environmentvariable58", vec![nil("pid"), eq("name", "PATH")], &[]));
    assert_eq!(values(&c, "value"), std::slice::from_ref(&path));
    assert_eq!(values(&c, "pid"), [std::process::id().to_string()]);
    let me = std::process::id().to_string();
    let c = run(
        &Target::local(),
        &obj("independent", "environmentvariable58", vec![int("pid", Operation::Equals, &me), eq("name", "PATH")], &[]),
    );
    assert_eq!(values(&c, "value"), [path]);
    assert_eq!(
        environmentvariable58::parse_environ(b"A=1\0B=x=y\0\0"),
        [("A".to_owned(), "1".to_owned()), ("B".to_owned(), "x=y".to_owned())]
    );
}

#[test]
fn selinux_absent_means_no_booleans() {
    if Path::new("/sys/fs/selinux").exists() {
        return;
    }
    assert_eq!(
        run(&Target::local(), &obj("linux", "selinuxboolean", vec![pm("name", ".")], &[])).flag,
        Flag::DoesNotExist
    );
}

// ---- process58, interface ----

#[test]
fn process_of_this_test() {
    let me = std::process::id().to_string();
    let c = run(
        &Target::local(),
        &obj("unix", "process58", vec![pm("command_line", "."), int("pid", Operation::Equals, &me)], &[]),
    );
    assert_eq!(c.items.len(), 1);
    let i = &c.items[0];
    assert_eq!(i.first("pid"), Some(me.as_str()));
    assert!(i.first("command_line").unwrap().contains("scapc_eval"), "{:?}", i.first("command_line"));
    // SAFETY: getuid has no preconditions.
    assert_eq!(i.first("user_id"), Some(unsafe { libc::geteuid() }.to_string().as_str()));
    let names: Vec<&str> = i.entities.iter().map(|e| e.name.as_str()).filter(|n| *n != "posix_capability").collect();
    assert_eq!(
        names,
        [
            "command_line",
            "exec_time",
            "pid",
            "ppid",
            "priority",
            "ruid",
            "scheduling_class",
            "start_time",
            "tty",
            "user_id",
            "exec_shield",
            "loginuid",
            "session_id"
        ]
    );
    assert_eq!(process58::format_duration(90061), "1-01:01:01");
    let d = tempfile::tempdir().unwrap();
    assert_eq!(
        run(&Target::dir(d.path()).unwrap(), &obj("unix", "process58", vec![pm("command_line", ".")], &[])).flag,
        Flag::NotCollected
    );
}

#[test]
fn loopback_interface() {
    let c = run(&Target::local(), &obj("unix", "interface", vec![eq("name", "lo")], &[]));
    if c.items.is_empty() {
        return; // no loopback in this sandbox
    }
    let v4: Vec<&crate::oval::item::Item> =
        c.items.iter().filter(|i| i.first("inet_addr") == Some("127.0.0.1")).collect();
    assert_eq!(v4.len(), 1);
    assert_eq!(v4[0].first("type"), Some("ARPHRD_LOOPBACK"));
    assert_eq!(v4[0].first("netmask"), Some("255.0.0.0"));
    assert!(v4[0].get("flag").any(|f| f.value == "LOOPBACK"));
}

// ---- systemd (from unit files) ----

fn systemd_root() -> (tempfile::TempDir, Target) {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(
        r,
        "/usr/lib/systemd/system/multi-user.target",
        "[Unit]\nDescription=Multi-User System\nRequires=basic.target\n",
    );
    write(
        r,
        "/usr/lib/systemd/system/basic.target",
        "[Unit]\nDescription=Basic\nRequires=sysinit.target\nWants=timers.target\n",
    );
    write(r, "/usr/lib/systemd/system/sysinit.target", "[Unit]\nDescription=Sysinit\n");
    write(r, "/usr/lib/systemd/system/ssh.service", "[Unit]\nDescription=OpenBSD Secure Shell server\nAfter=network.target \\\n  auditd.service\n\n[Service]\nExecStart=/usr/sbin/sshd -D\nRestart=on-failure\n\n[Install]\nWantedBy=multi-user.target\nAlias=sshd.service\n");
    write(r, "/usr/lib/systemd/system/ssh.service.d/10-vendor.conf", "[Service]\nRestart=always\n");
    write(r, "/etc/systemd/system/ssh.service.d/10-vendor.conf", "[Service]\nRestart=no\n");
    write(
        r,
        "/usr/lib/systemd/system/cups.service",
        "[Service]\nExecStart=/usr/sbin/cupsd\n[Install]\nWantedBy=multi-user.target\n",
    );
    write(
        r,
        "/usr/lib/systemd/system/getty@.service",
        "[Service]\nExecStart=-/sbin/agetty %I\n[Install]\nWantedBy=getty.target\n",
    );
    write(
        r,
        "/usr/lib/systemd/system/debug-shell.service",
        "[Service]\nExecStart=/bin/sh\n[Install]\nWantedBy=sysinit.target\n",
    );
    fs::create_dir_all(r.join("etc/systemd/system/multi-user.target.wants")).unwrap();
    fs::create_dir_all(r.join("usr/lib/systemd/system/sysinit.target.wants")).unwrap();
    fs::create_dir_all(r.join("etc/systemd/system/getty.target.wants")).unwrap();
    symlink("/usr/lib/systemd/system/ssh.service", r.join("etc/systemd/system/multi-user.target.wants/ssh.service"))
        .unwrap();
    symlink("/usr/lib/systemd/system/ssh.service", r.join("etc/systemd/system/sshd.service")).unwrap();
    symlink(
        "/usr/lib/systemd/system/getty@.service",
        r.join("etc/systemd/system/getty.target.wants/getty@tty1.service"),
    )
    .unwrap();
    symlink(
        "../systemd-random-seed.service",
        r.join("usr/lib/systemd/system/sysinit.target.wants/systemd-random-seed.service"),
    )
    .unwrap();
    symlink("/dev/null", r.join("etc/systemd/system/debug-shell.service")).unwrap();
    let t = Target::dir(r).unwrap();
    (d, t)
}

fn prop(t: &Target, unit: &str, p: &str) -> Vec<String> {
    values(&run(t, &obj("linux", "systemdunitproperty", vec![eq("unit", unit), eq("property", p)], &[])), "value")
}

#[test]
fn systemd_properties_from_unit_files() {
    let (_d, t) = systemd_root();
    assert_eq!(prop(&t, "ssh.service", "UnitFileState"), ["enabled"]);
    assert_eq!(prop(&t, "cups.service", "UnitFileState"), ["disabled"]);
    assert_eq!(prop(&t, "multi-user.target", "UnitFileState"), ["static"]);
    assert_eq!(prop(&t, "debug-shell.service", "UnitFileState"), ["masked"]);
    assert_eq!(prop(&t, "debug-shell.service", "LoadState"), ["masked"]);
    assert_eq!(prop(&t, "ssh.service", "LoadState"), ["loaded"]);
    assert_eq!(prop(&t, "sshd.service", "FragmentPath"), ["/usr/lib/systemd/system/ssh.service"]);
    // An alias shows its unit (as `systemctl show sshd.service`).
    assert_eq!(prop(&t, "sshd.service", "Names"), ["ssh.service", "sshd.service"]);
    assert_eq!(prop(&t, "sshd.service", "Id"), ["ssh.service"]);
    assert_eq!(prop(&t, "sshd.service", "UnitFileState"), ["enabled"]);
    assert_eq!(prop(&t, "getty@tty1.service", "UnitFileState"), ["enabled"]);
    // Drop-ins: the /etc file hides the vendor one of the same name.
    assert_eq!(prop(&t, "ssh.service", "Restart"), ["no"]);
    assert_eq!(prop(&t, "ssh.service", "After"), ["network.target", "auditd.service"]);
    assert_eq!(prop(&t, "getty@tty1.service", "ExecStart"), ["-/sbin/agetty %I"]);
    // Runtime state cannot be read from files.
    let c = run(
        &t,
        &obj("linux", "systemdunitproperty", vec![eq("unit", "ssh.service"), eq("property", "ActiveState")], &[]),
    );
    assert_eq!(c.items[0].get("value").next().unwrap().status, Status::NotCollected);
    assert_eq!(
        run(
            &t,
            &obj("linux", "systemdunitproperty", vec![eq("unit", "nope.service"), eq("property", "LoadState")], &[])
        )
        .flag,
        Flag::DoesNotExist
    );
    let c = run(
        &t,
        &obj("linux", "systemdunitproperty", vec![pm("unit", r"^ssh\."), pm("property", "^(Id|Restart)$")], &[]),
    );
    assert_eq!(values(&c, "property"), ["Id", "Restart"]);
}

#[test]
fn systemd_dependencies_recurse_into_targets() {
    let (_d, t) = systemd_root();
    let c = run(&t, &obj("linux", "systemdunitdependency", vec![eq("unit", "multi-user.target")], &[]));
    let mut deps = values(&c, "dependency");
    deps.sort();
    assert_eq!(deps, ["basic.target", "ssh.service", "sysinit.target", "systemd-random-seed.service", "timers.target"]);
    let c = run(&t, &obj("linux", "systemdunitdependency", vec![eq("unit", "ssh.service")], &[]));
    assert_eq!(c.items.len(), 1);
    assert!(values(&c, "dependency").is_empty());
}
