//! `scapc eval` rule selection and exit codes, against oscap where oscap
//! has the same option: `--rule` (repeatable, selects its rules whatever
//! the profile says) and `--skip-rule`, on CaC's debian12 stream (a rule
//! whose pattern holds a quantified look-ahead) and on the bundled
//! content; usage errors exit 64 in every subcommand; a wrong profile id
//! gets "did you mean"; a scan that evaluates nothing, or finds every rule
//! notapplicable, says why on stderr.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const NS_XCCDF: &str = "http://checklists.nist.gov/xccdf/1.2";
const CAC_D12: &str = "../shared/reference/cac/ssg-debian12-ds.xml.gz";
const RHEL8: &str = "/usr/share/xml/scap/ssg/content/ssg-rhel8-ds.xml";
const PAM_UNIX: &str = "xccdf_org.ssgproject.content_rule_accounts_password_pam_unix_enabled";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scapc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scapc"))
}

fn have(cmd: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {cmd}")).output().map(|o| o.status.success()).unwrap_or(false)
}

fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// rule id → result, from an XCCDF results or ARF file.
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

/// CaC's debian12 data stream, decompressed once; None (with a notice)
/// when ../shared is absent.
fn cac_d12() -> Option<PathBuf> {
    static F: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    F.get_or_init(|| {
        let gz = repo().join(CAC_D12);
        if !gz.exists() {
            eprintln!("notice: {} is absent; skipped", gz.display());
            return None;
        }
        let t = tempfile::tempdir().unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("zcat '{}' > '{}'", gz.display(), t.path().join("d12.xml").display()))
            .status()
            .unwrap();
        assert!(out.success());
        Some(t)
    })
    .as_ref()
    .map(|t| t.path().join("d12.xml"))
}

/// The bundled content, built once.
fn built() -> PathBuf {
    static F: OnceLock<tempfile::TempDir> = OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = scapc();
        c.args(["build", "-q", "-C"]).arg(repo()).arg("-o").arg(tmp.path()).env("SOURCE_DATE_EPOCH", "1700000000");
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "build failed: {out}{err}");
        tmp
    })
    .path()
    .join("debian12-ds.xml")
}

/// Runs scapc and oscap with the same arguments (`args` go before the
/// data stream) and returns both rule → result maps.
fn both(ds: &Path, args: &[&str]) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let t = tempfile::tempdir().unwrap();
    let (s, o) = (t.path().join("s.xml"), t.path().join("o.xml"));
    let mut c = scapc();
    c.arg("eval").arg(ds).args(args).arg("-q").arg("--results-arf").arg(&s);
    let (code, out, err) = run(c);
    assert!(code == 0 || code == 2, "scapc failed ({code}): {out}{err}");
    let mut c = Command::new("oscap");
    c.args(["xccdf", "eval"]).args(args).arg("--results-arf").arg(&o).arg(ds);
    let (code, out, err) = run(c);
    assert!(code == 0 || code == 2, "oscap failed ({code}): {out}{err}");
    (results(&s), results(&o))
}

fn evaluated(m: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    m.iter().filter(|(_, r)| *r != "notselected").map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn rule_with_a_look_ahead_pattern_matches_oscap() {
    let Some(ds) = cac_d12() else { return };
    if !have("oscap") {
        eprintln!("notice: oscap is not installed; skipped");
        return;
    }
    // cis_level1_server selects the rule; anssi_bp28_minimal does not,
    // and `--rule` evaluates it all the same (as oscap).
    for profile in ["cis_level1_server", "anssi_bp28_minimal"] {
        let (s, o) = both(&ds, &["--profile", profile, "--rule", PAM_UNIX]);
        assert_eq!(evaluated(&s), evaluated(&o), "profile {profile}");
        assert_eq!(evaluated(&s).len(), 1, "{s:?}");
        assert_ne!(s[PAM_UNIX], "error", "the look-ahead pattern must compile");
    }
}

#[test]
fn rule_and_skip_rule_on_our_content_match_oscap() {
    if !have("oscap") {
        eprintln!("notice: oscap is not installed; skipped");
        return;
    }
    let ds = built();
    let (all_s, _) = both(&ds, &["--profile", "(all)"]);
    let ids: Vec<&String> = all_s.keys().collect();
    assert!(ids.len() >= 4, "{ids:?}");
    let (s, o) = both(&ds, &["--profile", "(all)", "--rule", ids[0], "--rule", ids[2]]);
    assert_eq!(s, o);
    assert_eq!(evaluated(&s).len(), 2, "{s:?}");
    let (s, o) = both(&ds, &["--profile", "(all)", "--skip-rule", ids[1], "--skip-rule", ids[3]]);
    assert_eq!(s, o);
    assert_eq!(s[ids[1]], "notselected");
    assert_eq!(evaluated(&s).len(), ids.len() - 2);
    // no profile: --rule alone selects
    let (s, o) = both(&ds, &["--rule", ids[1]]);
    assert_eq!(s, o);
    assert_eq!(evaluated(&s).len(), 1, "{s:?}");
}

#[test]
fn unknown_rule_is_an_error_with_suggestions() {
    let ds = built();
    let (all, _, _) = {
        let mut c = scapc();
        c.arg("eval").arg(&ds).args(["--profile", "(all)", "-q", "--format", "json"]);
        run(c)
    };
    assert!(all == 0 || all == 2);
    let mut c = scapc();
    c.arg("eval").arg(&ds).args(["--rule", "no_such_rule_at_all_xyz"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no rule `no_such_rule_at_all_xyz`"), "{err}");
}

#[test]
fn wrong_profile_id_suggests_the_closest_one_per_line() {
    let ds = built();
    let text = std::fs::read_to_string(&ds).unwrap();
    let tree = scapc_xml::tree::Tree::parse(&text).unwrap();
    let id = tree.all(NS_XCCDF, "Profile").iter().map(|&p| tree.attr(p, "id").unwrap().to_owned()).next().unwrap();
    let short = id.rsplit("_profile_").next().unwrap().to_owned();
    // one letter dropped
    let typo = format!("{}{}", &short[..1], &short[2..]);
    let mut c = scapc();
    c.arg("eval").arg(&ds).args(["--profile", &typo]);
    let (code, _, err) = run(c);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("did you mean:"), "{err}");
    assert!(err.lines().any(|l| l.trim() == id), "the suggestion is on a line of its own: {err}");
}

#[test]
fn usage_errors_exit_64_in_every_subcommand() {
    for sub in [
        &["eval", "--no-such-flag"][..],
        &["build", "--no-such-flag"],
        &["validate", "--no-such-flag"],
        &["lint", "--no-such-flag"],
        &["ds", "info", "--no-such-flag"],
        &["ds", "split", "--no-such-flag"],
        &["ds", "compose", "--no-such-flag"],
        &["sign", "--no-such-flag"],
        &["verify", "--no-such-flag"],
        &["no-such-subcommand"],
        &["eval"],
    ] {
        let mut c = scapc();
        c.args(sub);
        let (code, _, err) = run(c);
        assert_eq!(code, 64, "{sub:?}: {err}");
        assert!(!err.is_empty(), "{sub:?} says why");
    }
    let mut c = scapc();
    c.args(["eval", "--help"]);
    let (code, out, _) = run(c);
    assert_eq!(code, 0);
    assert!(out.contains("--skip-rule"), "{out}");
}

#[test]
fn nothing_evaluated_and_wrong_platform_are_warned_about() {
    let ds = built();
    // no --profile: the bundled content selects nothing by default
    let text = std::fs::read_to_string(&ds).unwrap();
    if !text.contains("selected=\"true\"") {
        let mut c = scapc();
        c.arg("eval").arg(&ds).arg("-q");
        let (code, _, err) = run(c);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("warning: no rule was evaluated"), "{err}");
        assert!(err.contains("--profile"), "{err}");
    }
    if !Path::new(RHEL8).exists() {
        eprintln!("notice: {RHEL8} is absent (apt-get install ssg-nondebian); skipped");
        return;
    }
    if Path::new("/etc/redhat-release").exists() {
        eprintln!("notice: this host is Red Hat; the notapplicable case does not arise");
        return;
    }
    let mut c = scapc();
    c.args(["eval", RHEL8, "--profile", "standard", "-q"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("notapplicable"), "{out}");
    assert!(err.contains("warning: every rule is notapplicable"), "{err}");
    assert!(err.contains("cpe:/o:redhat:enterprise_linux:8"), "the platform is named: {err}");
}

/// `--rule` and `--skip-rule` take a rule's short id (the end of its full
/// id) when it names one rule: the same results as with the full id.
#[test]
fn rule_by_its_short_id() {
    let ds = built();
    let t = tempfile::tempdir().unwrap();
    let scan = |name: &str, args: &[&str]| {
        let out = t.path().join(name);
        let mut c = scapc();
        c.arg("eval").arg(&ds).args(args).arg("-q").arg("--results-arf").arg(&out);
        let (code, o, e) = run(c);
        assert!(code == 0 || code == 2, "scapc failed ({code}): {o}{e}");
        results(&out)
    };
    let all = scan("all.xml", &["--profile", "(all)"]);
    let full = all.keys().next().unwrap().clone();
    let short = full.rsplit("_rule_").next().unwrap().to_owned();
    assert_ne!(short, full);
    assert_eq!(scan("short.xml", &["--rule", &short]), scan("full.xml", &["--rule", &full]));
    let skipped = scan("skip.xml", &["--profile", "(all)", "--skip-rule", &short]);
    assert_eq!(skipped[&full], "notselected");
}
