//! `scapc fix` and `scapc build --fixes`: the bundled profiles' scripts and
//! playbooks pass `bash -n`, `shellcheck -S error` and
//! `ansible-playbook --syntax-check`; values come from the profile, the
//! tailoring and a results file; `--results` keeps only the failed rules;
//! the kickstart, blueprint, bootc and anaconda fix types quote or refuse
//! what would break out of their file, and on ComplianceAsCode's rhel9 data
//! stream write valid TOML and a script bash reads.
//!
//! The checks with shellcheck and ansible-playbook are skipped, with a
//! notice, when those tools are absent (`scripts/test` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn scapc() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scapc"));
    c.env("NO_COLOR", "1");
    c
}

fn run(mut c: Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn have(cmd: &str) -> bool {
    let ok = Command::new("sh").arg("-c").arg(format!("command -v {cmd}")).output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("NOTICE: `{cmd}` is not installed; its check is skipped (scripts/test installs it)");
    }
    ok
}

/// The bundled content built once, with `--fixes`.
fn built() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = scapc();
        c.args(["build", "--fixes", "-C"]).arg(repo()).arg("-o").arg(tmp.path()).env("SOURCE_DATE_EPOCH", "1700000000");
        let (code, _, err) = run(c);
        assert_eq!(code, 0, "build --fixes failed:\n{err}");
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
    assert!(!v.is_empty());
    v
}

#[test]
fn build_fixes_writes_a_script_and_a_playbook_per_profile_that_pass_the_checkers() {
    let b = built();
    let shellcheck = have("shellcheck");
    let ansible = have("ansible-playbook");
    for p in profiles() {
        let sh = b.join(format!("debian12-script-{p}.sh"));
        let yml = b.join(format!("debian12-playbook-{p}.yml"));
        let text = std::fs::read_to_string(&sh).unwrap_or_else(|e| panic!("{}: {e}", sh.display()));
        let fixes = text.matches("# BEGIN fix (").count();
        assert!(fixes > 50, "{p}: only {fixes} bash fixes");
        assert!(!text.contains("<xccdf") && !text.contains("sub idref"), "{p}: an unsubstituted <sub> is left");
        let (code, _, err) = run({
            let mut c = Command::new("bash");
            c.arg("-n").arg(&sh);
            c
        });
        assert_eq!(code, 0, "bash -n {}:\n{err}", sh.display());
        if shellcheck {
            let mut c = Command::new("shellcheck");
            c.args(["-S", "error"]).arg(&sh);
            let (code, out, err) = run(c);
            assert_eq!(code, 0, "shellcheck -S error {}:\n{out}{err}", sh.display());
        }
        let play = std::fs::read_to_string(&yml).unwrap();
        assert_eq!(play.matches("# BEGIN fix for").count(), fixes, "{p}: the playbook has another number of fixes");
        assert!(!play.contains("sub idref"), "{p}: an unsubstituted <sub> in the playbook");
        if ansible {
            let mut c = Command::new("ansible-playbook");
            c.args(["--syntax-check", "-i", "localhost,"]).arg(&yml).env("ANSIBLE_NOCOLOR", "1");
            let (code, out, err) = run(c);
            assert_eq!(code, 0, "ansible-playbook --syntax-check {}:\n{out}{err}", yml.display());
        }
    }
}

#[test]
fn fix_command_equals_build_output_and_writes_stdout() {
    let b = built();
    let mut c = scapc();
    c.arg("fix").arg(b.join("debian12-ds.xml")).args(["--profile", "standard", "--fix-type", "bash"]);
    let (code, out, err) = run(c);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, std::fs::read_to_string(b.join("debian12-script-standard.sh")).unwrap());
    // an unknown profile is an error naming the profiles
    let mut c = scapc();
    c.arg("fix").arg(b.join("debian12-ds.xml")).args(["--profile", "nope"]);
    let (code, _, err) = run(c);
    assert_eq!(code, 1);
    assert!(err.contains("no profile `nope`") && err.contains("profile_standard"), "{err}");
}

const BENCH: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_t" resolved="1">
  <status>draft</status>
  <title>t</title>
  <version>1</version>
  <plain-text id="xccdf_t_txt_greeting">hello &amp; bye</plain-text>
  <Profile id="xccdf_t_profile_p">
    <title>P</title>
    <select idref="xccdf_t_rule_a" selected="true"/>
    <select idref="xccdf_t_rule_b" selected="true"/>
    <select idref="xccdf_t_rule_c" selected="true"/>
    <refine-value idref="xccdf_t_value_var_v" selector="strict"/>
  </Profile>
  <Profile id="xccdf_t_profile_q" extends="xccdf_t_profile_p">
    <title>Q</title>
    <select idref="xccdf_t_rule_b" selected="false"/>
    <set-value idref="xccdf_t_value_var_v">set'q</set-value>
  </Profile>
  <Value id="xccdf_t_value_var_v" type="string">
    <title>v</title>
    <value>default</value>
    <value selector="strict">strict</value>
  </Value>
  <Rule id="xccdf_t_rule_a" selected="false">
    <title>a</title>
    <fix system="urn:xccdf:fix:script:sh">echo "A=<sub idref="xccdf_t_value_var_v" use="legacy"/>" &gt; /tmp/a &amp;&amp; echo '<sub idref="xccdf_t_txt_greeting"/>'</fix>
    <fix system="urn:xccdf:fix:script:ansible">- (xccdf-var var_v)
- name: a
  ansible.builtin.debug:
    msg: "{{ var_v }}"</fix>
  </Rule>
  <Rule id="xccdf_t_rule_b" selected="false">
    <title>b</title>
    <fix system="urn:xccdf:fix:script:sh"><![CDATA[echo B && test 1 -lt 2]]></fix>
  </Rule>
  <Rule id="xccdf_t_rule_c" selected="false">
    <title>c</title>
  </Rule>
  <Rule id="xccdf_t_rule_d" selected="false">
    <title>d</title>
    <fix system="urn:xccdf:fix:script:sh">echo D</fix>
  </Rule>
</Benchmark>
"#;

fn fixture() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("bench.xml"), BENCH).unwrap();
    d
}

fn fix(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut c = scapc();
    c.arg("fix").arg(dir.join("bench.xml")).args(args);
    run(c)
}

#[test]
fn values_plain_text_cdata_and_order() {
    let d = fixture();
    let (code, out, err) = fix(d.path(), &["--profile", "p"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("echo \"A=strict\" > /tmp/a && echo 'hello & bye'\n"), "{out}");
    assert!(out.contains("echo B && test 1 -lt 2"), "{out}");
    assert!(!out.contains("echo D"), "an unselected rule's fix is in:\n{out}");
    let a = out.find("for 'xccdf_t_rule_a'").unwrap();
    let b = out.find("for 'xccdf_t_rule_b'").unwrap();
    assert!(a < b, "benchmark order");
    assert!(out.contains("3 selected rules, 2 fixes here, 1 without a fix"), "{out}");
    // extends, deselect and set-value
    let (code, out, err) = fix(d.path(), &["--profile", "xccdf_t_profile_q"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A=set'q"), "{out}");
    assert!(!out.contains("echo B"), "{out}");
    // the script runs, each fix in a subshell
    let tmp = d.path().join("out.sh");
    std::fs::write(&tmp, out).unwrap();
    let (code, _, err) = run({
        let mut c = Command::new("bash");
        c.arg("-n").arg(&tmp);
        c
    });
    assert_eq!(code, 0, "{err}");
}

#[test]
fn tailoring_overrides_the_profile() {
    let d = fixture();
    let tailoring = r#"<?xml version="1.0"?>
<Tailoring xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_tailoring_t">
  <benchmark href="bench.xml"/>
  <version time="2024-01-01T00:00:00">1</version>
  <Profile id="xccdf_t_profile_tailored" extends="xccdf_t_profile_p">
    <title>T</title>
    <select idref="xccdf_t_rule_d" selected="true"/>
    <set-value idref="xccdf_t_value_var_v">from-tailoring</set-value>
  </Profile>
</Tailoring>
"#;
    std::fs::write(d.path().join("t.xml"), tailoring).unwrap();
    let t = d.path().join("t.xml");
    let (code, out, err) = fix(d.path(), &["--profile", "tailored", "--tailoring", t.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A=from-tailoring") && out.contains("echo D"), "{out}");
}

#[test]
fn results_keep_only_failed_rules_with_the_scan_values() {
    let d = fixture();
    let results = r#"<?xml version="1.0"?>
<TestResult xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_testresult_p" start-time="2024-01-01T00:00:00" end-time="2024-01-01T00:00:00">
  <benchmark href="bench.xml"/>
  <title>r</title>
  <profile idref="xccdf_t_profile_p"/>
  <target>h</target>
  <set-value idref="xccdf_t_value_var_v">scanned</set-value>
  <rule-result idref="xccdf_t_rule_a"><result>fail</result></rule-result>
  <rule-result idref="xccdf_t_rule_b"><result>pass</result></rule-result>
  <rule-result idref="xccdf_t_rule_d"><result>fail</result></rule-result>
  <score>0</score>
</TestResult>
"#;
    std::fs::write(d.path().join("r.xml"), results).unwrap();
    let r = d.path().join("r.xml");
    let (code, out, err) = fix(d.path(), &["--results", r.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("A=scanned"), "{out}");
    assert!(!out.contains("echo B"), "a passing rule was kept:\n{out}");
    assert!(!out.contains("echo D"), "a rule the profile does not select was kept:\n{out}");
    assert!(out.contains("only the rules that failed") || out.contains("Only the rules that failed"), "{out}");
    // not a results file
    let (code, _, err) = fix(d.path(), &["--results", d.path().join("bench.xml").to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("no XCCDF TestResult"), "{err}");
}

#[test]
fn ansible_vars_from_xccdf_var() {
    let d = fixture();
    let (code, out, err) = fix(d.path(), &["--profile", "p", "--fix-type", "ansible"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("  vars:\n    var_v: 'strict'\n"), "{out}");
    // each rule's tasks inside a block of its own, whose failure is recorded
    assert!(out.contains("      block:\n        - name: a\n          ansible.builtin.debug:"), "{out}");
    assert!(out.contains("      rescue:\n") && out.contains("ansible.builtin.fail:"), "{out}");
    assert!(!out.contains("xccdf-var"), "{out}");
    if have("ansible-playbook") {
        let p = d.path().join("p.yml");
        std::fs::write(&p, &out).unwrap();
        let mut c = Command::new("ansible-playbook");
        c.args(["--syntax-check", "-i", "localhost,"]).arg(&p);
        let (code, o, e) = run(c);
        assert_eq!(code, 0, "{o}{e}");
    }
}

#[test]
fn output_may_not_be_an_input() {
    let d = fixture();
    let b = d.path().join("bench.xml");
    let (code, _, err) = fix(d.path(), &["--profile", "p", "-o", b.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), BENCH);
}

/// A benchmark with kickstart, bootc and anaconda fixes, some of them
/// hostile to the file they end up in.
const IMAGE_BENCH: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_i">
  <status>draft</status>
  <version>1</version>
  <Profile id="xccdf_t_profile_p">
    <title>P</title>
    <select idref="xccdf_t_rule_a" selected="true"/>
    <select idref="xccdf_t_rule_b" selected="true"/>
  </Profile>
  <Rule id="xccdf_t_rule_a" selected="false">
    <title>a</title>
    <fix system="urn:xccdf:fix:script:kickstart">package install aide
service enable a,b
bootloader audit=1
</fix>
    <fix system="urn:xccdf:fix:script:bootc">dnf install aide $(touch pwned)</fix>
    <fix system="urn:redhat:anaconda:pre" reboot="true">part /a</fix>
    <fix system="urn:redhat:anaconda:pre" disruption="high">part /b</fix>
  </Rule>
  <Rule id="xccdf_t_rule_b" selected="false">
    <title>b</title>
    <fix system="urn:xccdf:fix:script:kickstart">%post
echo done
%end
</fix>
  </Rule>
</Benchmark>
"#;

#[test]
fn image_fix_types_quote_or_refuse_what_would_break_out() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("bench.xml"), IMAGE_BENCH).unwrap();
    // kickstart: a name with a comma would add a service; left out, named
    let (code, ks, err) = fix(d.path(), &["--profile", "p", "--fix-type", "kickstart"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("rule xccdf_t_rule_a") && err.contains("a,b"), "{err}");
    assert!(!ks.contains("a,b") && !ks.contains("services "), "{ks}");
    assert!(ks.contains("%packages\nopenscap-scanner\nscap-security-guide\naide\n%end"), "{ks}");
    assert!(ks.contains("bootloader --append=\"audit=1\""), "{ks}");
    assert!(ks.contains("%post\necho done\n%end"), "{ks}");
    assert!(ks.contains("--profile 'xccdf_t_profile_p'"), "{ks}");
    // bootc: the odd name is one quoted word; the script does not run it
    let (code, sh, err) = fix(d.path(), &["--profile", "p", "--fix-type", "bootc"]);
    assert_eq!(code, 0, "{err}");
    assert!(sh.contains("    aide \\\n    '$(touch'"), "{sh}");
    let p = d.path().join("bootc.sh");
    std::fs::write(&p, &sh).unwrap();
    let (code, _, err) = run({
        let mut c = Command::new("bash");
        c.arg("-n").arg(&p);
        c
    });
    assert_eq!(code, 0, "{err}");
    if have("shellcheck") {
        let mut c = Command::new("shellcheck");
        c.args(["-S", "error"]).arg(&p);
        let (code, o, e) = run(c);
        assert_eq!(code, 0, "{o}{e}");
    }
    assert!(!d.path().join("pwned").exists());
    // anaconda: of two fixes, the one that needs no reboot
    let (code, text, err) = fix(d.path(), &["--profile", "p", "--fix-type", "anaconda"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(text.trim(), "part /b", "{text}");
    // a kickstart is not made from results
    let (code, _, err) = fix(d.path(), &["--fix-type", "kickstart", "--result-id", "x"]);
    assert_eq!(code, 1, "{err}");
}

/// ComplianceAsCode's rhel9 data stream (`../shared/reference/cac`), whose
/// rules carry kickstart, blueprint and bootc fixes: the blueprint of
/// `ospp` is valid TOML (one `[customizations]` table), the bootc script
/// passes `bash -n`, the kickstart has its sections. Skipped with a notice
/// when the data stream is absent.
#[test]
fn image_fix_types_on_complianceascode_rhel9() {
    let gz = repo().join("../shared/reference/cac/ssg-rhel9-ds.xml.gz");
    if !gz.is_file() {
        eprintln!("NOTICE: {} is absent; skipped", gz.display());
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let ds = d.path().join("ssg-rhel9-ds.xml");
    let o = Command::new("zcat").arg(&gz).output().unwrap();
    assert!(o.status.success());
    std::fs::write(&ds, o.stdout).unwrap();
    let gen = |kind: &str| {
        let mut c = scapc();
        c.arg("fix").arg(&ds).args(["--profile", "ospp", "--fix-type", kind]);
        let (code, out, err) = run(c);
        assert_eq!(code, 0, "{kind}: {err}");
        out
    };
    let bp = gen("blueprint");
    let doc: toml::Table = toml::from_str(&bp).unwrap_or_else(|e| panic!("not TOML: {e}\n{bp}"));
    let cust = doc["customizations"].as_table().unwrap();
    assert_eq!(cust["partitioning_mode"].as_str(), Some("raw"));
    assert_eq!(cust["openscap"]["profile_id"].as_str(), Some("xccdf_org.ssgproject.content_profile_ospp"));
    assert!(doc["packages"].as_array().is_some_and(|p| !p.is_empty()), "{bp}");
    let sh = gen("bootc");
    let p = d.path().join("bootc.sh");
    std::fs::write(&p, &sh).unwrap();
    let (code, _, err) = run({
        let mut c = Command::new("bash");
        c.arg("-n").arg(&p);
        c
    });
    assert_eq!(code, 0, "{err}");
    assert!(sh.contains("dnf -y install"), "{sh}");
    let ks = gen("kickstart");
    for want in
        ["%packages\n", "%post --erroronfail\n", "--profile 'xccdf_org.ssgproject.content_profile_ospp'", "reboot\n"]
    {
        assert!(ks.contains(want), "no {want:?} in\n{ks}");
    }
}
