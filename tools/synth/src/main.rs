//! `scapc-synth`: writes a synthetic content tree of N rules shaped like
//! real content, for benchmarks. It copies the repository's templates,
//! macros, platforms and products, then generates nested groups, rules
//! (mostly templated, some with hand-written OVAL that extends another
//! rule's definition), Values with selectors, fixes and three profiles.
//! Output is deterministic for a seed.
//!
//! Usage: scapc-synth --rules N --out DIR [--seed S] [--from REPO_ROOT]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64: small, fast, good enough for shaping test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "system", "service", "access", "audit", "network", "kernel", "account", "policy", "file", "integrity", "session", "daemon",
    "module", "logging", "boundary", "control", "secure", "remote", "local", "storage", "package", "update", "configure", "restrict",
];

fn sentence(r: &mut Rng, n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(*r.pick(WORDS));
    }
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str() + ".",
        None => s,
    }
}

fn paragraph(r: &mut Rng, sentences: usize) -> String {
    (0..sentences).map(|_| {
        let n = 6 + r.below(10) as usize;
        sentence(r, n)
    }).collect::<Vec<_>>().join(" ")
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, text)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let t = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &t)?;
        } else {
            std::fs::copy(e.path(), t)?;
        }
    }
    Ok(())
}

/// What kind of check a generated rule gets.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Sysctl,
    SysctlVar,
    PkgInstalled,
    PkgRemoved,
    FilePerm,
    FileOwner,
    Sshd,
    SshdVar,
    LoginDefs,
    KernelModule,
    Oval,
}

const KINDS: &[(Kind, u64)] = &[
    (Kind::Sysctl, 14),
    (Kind::SysctlVar, 4),
    (Kind::PkgInstalled, 8),
    (Kind::PkgRemoved, 10),
    (Kind::FilePerm, 14),
    (Kind::FileOwner, 10),
    (Kind::Sshd, 8),
    (Kind::SshdVar, 4),
    (Kind::LoginDefs, 6),
    (Kind::KernelModule, 12),
    (Kind::Oval, 10),
];

fn kind(r: &mut Rng) -> Kind {
    let total: u64 = KINDS.iter().map(|k| k.1).sum();
    let mut x = r.below(total);
    for (k, w) in KINDS {
        if x < *w {
            return *k;
        }
        x -= w;
    }
    Kind::Oval
}

pub struct Summary {
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
}

pub fn generate(out: &Path, from: &Path, rules: usize, seed: u64) -> std::io::Result<Summary> {
    for d in ["templates", "macros", "applicability", "products"] {
        copy_dir(&from.join(d), &out.join(d))?;
    }
    let mut r = Rng(seed);
    // ~20 top-level groups, each with 0-3 subgroups.
    let mut groups: Vec<PathBuf> = Vec::new();
    for g in 0..20 {
        let top = out.join("rules").join(format!("group_{g:02}"));
        write(&top.join("group.yml"), &format!("title: Synthetic Group {g}\ndescription: |-\n  {}\n", paragraph(&mut r, 2)))?;
        groups.push(top.clone());
        for s in 0..r.below(4) {
            let sub = top.join(format!("group_{g:02}_{s}"));
            write(&sub.join("group.yml"), &format!("title: Synthetic Subgroup {g}.{s}\ndescription: |-\n  {}\n", paragraph(&mut r, 1)))?;
            groups.push(sub);
        }
    }
    // Values: one per 25 rules, each with a few selectors.
    let nvalues = (rules / 25).max(2);
    let mut values = Vec::new();
    for v in 0..nvalues {
        let id = format!("var_synth_{v}");
        let g = &groups[v % groups.len()];
        let base = 10 + r.below(90);
        write(
            &g.join(format!("{id}.var")),
            &format!(
                "title: Synthetic value {v}\ndescription: {}\ntype: number\noperator: less than or equal\ninteractive: false\noptions:\n  default: {base}\n  low: {}\n  medium: {base}\n  high: {}\n",
                sentence(&mut r, 8),
                base / 2,
                base * 2
            ),
        )?;
        values.push(id);
    }
    let mut ids = Vec::new();
    let mut oval_rules: Vec<String> = Vec::new();
    for i in 0..rules {
        let k = kind(&mut r);
        let id = format!("synth_rule_{i:05}");
        let g = groups[r.below(groups.len() as u64) as usize].clone();
        let dir = g.join(&id);
        let mut y = String::new();
        let _ = writeln!(y, "documentation_complete: true\ntitle: Synthetic rule {i} ({k:?})");
        let _ = writeln!(y, "description: |-\n  {}\n  <pre>{}</pre>\n  {} Edit <tt>/etc/synth/{i}.conf</tt> as needed.", paragraph(&mut r, 2), sentence(&mut r, 5), paragraph(&mut r, 1));
        let _ = writeln!(y, "rationale: |-\n  {}", paragraph(&mut r, 2));
        let _ = writeln!(y, "severity: {}", *r.pick(&["low", "medium", "high"]));
        let _ = writeln!(y, "references:\n  nist: AC-{},CM-6(a)\n  cis: {}.{}.{}", 1 + r.below(20), 1 + r.below(6), 1 + r.below(9), 1 + r.below(20));
        let _ = writeln!(y, "ocil_clause: the setting is not as required\nocil: |-\n  Run <pre>$ grep setting /etc/synth/{i}.conf</pre>");
        let var = values[r.below(values.len() as u64) as usize].clone();
        match k {
            Kind::Sysctl => {
                let _ = writeln!(y, "platform: machine\ntemplate:\n  name: sysctl\n  vars:\n    sysctlvar: net.synth.param_{i}\n    sysctlval: '{}'", r.below(3));
            }
            Kind::SysctlVar => {
                let _ = writeln!(y, "platform: machine\ntemplate:\n  name: sysctl\n  vars:\n    sysctlvar: kernel.synth_{i}\n    xccdf_variable: {var}");
            }
            Kind::PkgInstalled => {
                let _ = writeln!(y, "template:\n  name: package_installed\n  vars:\n    pkgname: synth-pkg-{i}");
            }
            Kind::PkgRemoved => {
                let _ = writeln!(y, "template:\n  name: package_removed\n  vars:\n    pkgname: synth-old-{i}");
            }
            Kind::FilePerm => {
                let _ = writeln!(y, "template:\n  name: file_permissions\n  vars:\n    filepath: /etc/synth/file_{i}\n    filemode: '{}'", r.pick(&["0644", "0640", "0600", "0755"]));
            }
            Kind::FileOwner => {
                let _ = writeln!(y, "template:\n  name: file_owner\n  vars:\n    filepath: /etc/synth/file_{i}\n    uid: 0");
            }
            Kind::Sshd => {
                let _ = writeln!(y, "platform: package[openssh-server]\ntemplate:\n  name: sshd_lineinfile\n  vars:\n    parameter: SynthOption{i}\n    value: '{}'", r.pick(&["yes", "no"]));
            }
            Kind::SshdVar => {
                let _ = writeln!(y, "platform: package[openssh-server]\ntemplate:\n  name: sshd_lineinfile\n  vars:\n    parameter: SynthLimit{i}\n    xccdf_variable: {var}\n    datatype: int\n    operation: less than or equal");
            }
            Kind::LoginDefs => {
                let _ = writeln!(y, "template:\n  name: key_value_pair_in_file\n  vars:\n    path: /etc/synth/defs_{}\n    key: SYNTH_KEY_{i}\n    xccdf_variable: {var}\n    datatype: int\n    operation: less than or equal", i % 7);
            }
            Kind::KernelModule => {
                let _ = writeln!(y, "template:\n  name: kernel_module_disabled\n  vars:\n    kernmodule: synthmod{i}");
            }
            Kind::Oval => {
                // Hand-written OVAL; some extend an earlier hand-written rule.
                let extend = if !oval_rules.is_empty() && r.below(3) == 0 {
                    let t = &oval_rules[r.below(oval_rules.len() as u64) as usize];
                    format!("\n      <extend_definition definition_ref=\"{t}\" comment=\"needs {t}\"/>")
                } else {
                    String::new()
                };
                let oval = format!(
                    "<def-group>\n  <definition class=\"compliance\" id=\"{{{{{{ rule_id }}}}}}\" version=\"1\">\n    <criteria operator=\"AND\">\n      <criterion test_ref=\"test_{{{{{{ rule_id }}}}}}\" comment=\"setting {i}\"/>{extend}\n    </criteria>\n  </definition>\n  <ind:textfilecontent54_test id=\"test_{{{{{{ rule_id }}}}}}\" check=\"all\" check_existence=\"all_exist\" comment=\"setting {i}\" version=\"1\">\n    <ind:object object_ref=\"obj_{{{{{{ rule_id }}}}}}\"/>\n    <ind:state state_ref=\"ste_{{{{{{ rule_id }}}}}}\"/>\n  </ind:textfilecontent54_test>\n  <ind:textfilecontent54_object id=\"obj_{{{{{{ rule_id }}}}}}\" version=\"1\">\n    <ind:filepath>/etc/synth/{i}.conf</ind:filepath>\n    <ind:pattern operation=\"pattern match\">^setting_{i}[ \\t]*=[ \\t]*(\\w+)$</ind:pattern>\n    <ind:instance datatype=\"int\" operation=\"greater than or equal\">1</ind:instance>\n  </ind:textfilecontent54_object>\n  <ind:textfilecontent54_state id=\"ste_{{{{{{ rule_id }}}}}}\" version=\"1\">\n    <ind:subexpression operation=\"equals\">on</ind:subexpression>\n  </ind:textfilecontent54_state>\n</def-group>\n"
                );
                write(&dir.join("oval/shared.xml"), &oval)?;
                write(&dir.join("bash/shared.sh"), &format!("# reboot = false\n# strategy = configure\nmkdir -p /etc/synth\nsed -i '/^setting_{i}/d' /etc/synth/{i}.conf 2>/dev/null || true\necho 'setting_{i} = on' >> /etc/synth/{i}.conf\n"))?;
                oval_rules.push(id.clone());
            }
        }
        write(&dir.join("rule.yml"), &y)?;
        ids.push(id);
    }
    // Profiles: a base with most rules, one extending it with value
    // selections, and a small independent one.
    let mut base = String::from("title: Synthetic Base\ndescription: Most synthetic rules.\nselections:\n");
    for id in ids.iter().filter(|_| r.below(10) < 8) {
        let _ = writeln!(base, "  - {id}");
    }
    write(&out.join("profiles/synth_base.profile"), &base)?;
    let mut strict = String::from("title: Synthetic Strict\ndescription: The base, stricter.\nextends: synth_base\nselections:\n");
    for id in ids.iter().filter(|_| r.below(10) < 2) {
        let _ = writeln!(strict, "  - {id}");
    }
    for v in &values {
        let _ = writeln!(strict, "  - {v}={}", r.pick(&["low", "medium", "high"]));
    }
    let _ = writeln!(strict, "  - '!{}'\n  - {}.severity=high", ids[0], ids[ids.len() - 1]);
    write(&out.join("profiles/synth_strict.profile"), &strict)?;
    let mut small = String::from("title: Synthetic Small\ndescription: A tenth of the rules.\nselections:\n");
    for id in ids.iter().step_by(10) {
        let _ = writeln!(small, "  - {id}");
    }
    write(&out.join("profiles/synth_small.profile"), &small)?;
    Ok(Summary { rules: ids.len(), groups: groups.len(), values: values.len() })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rules = 2000usize;
    let mut out: Option<PathBuf> = None;
    let mut seed = 1u64;
    let mut from = PathBuf::from(".");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = |name: &str| it.next().cloned().unwrap_or_else(|| usage(&format!("{name} needs a value")));
        match a.as_str() {
            "--rules" => rules = val("--rules").parse().unwrap_or_else(|_| usage("--rules takes a number")),
            "--out" => out = Some(PathBuf::from(val("--out"))),
            "--seed" => seed = val("--seed").parse().unwrap_or_else(|_| usage("--seed takes a number")),
            "--from" => from = PathBuf::from(val("--from")),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    let out = out.unwrap_or_else(|| usage("--out is required"));
    if !from.join("templates").is_dir() {
        usage(&format!("{} has no templates/: pass the repository root with --from", from.display()));
    }
    match generate(&out, &from, rules, seed) {
        Ok(s) => eprintln!("wrote {} rules, {} groups, {} values to {}", s.rules, s.groups, s.values, out.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("error: {msg}");
    }
    eprintln!("usage: scapc-synth --rules N --out DIR [--seed S] [--from REPO_ROOT]");
    std::process::exit(if msg.is_empty() { 0 } else { 2 });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn files(d: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut v = Vec::new();
        fn walk(base: &Path, d: &Path, v: &mut Vec<(PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(base, &p, v);
                } else {
                    v.push((p.strip_prefix(base).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
                }
            }
        }
        walk(d, d, &mut v);
        v.sort();
        v
    }

    #[test]
    fn deterministic_and_complete() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s = generate(a.path(), &repo(), 300, 7).unwrap();
        generate(b.path(), &repo(), 300, 7).unwrap();
        assert_eq!(s.rules, 300);
        assert!(s.groups >= 20);
        assert_eq!(files(a.path()), files(b.path()), "same seed, different trees");
        let rule_files = files(a.path()).into_iter().filter(|(p, _)| p.ends_with("rule.yml")).count();
        assert_eq!(rule_files, 300);
        assert!(a.path().join("profiles/synth_strict.profile").is_file());
        let c = tempfile::tempdir().unwrap();
        generate(c.path(), &repo(), 300, 8).unwrap();
        assert_ne!(files(a.path()), files(c.path()), "the seed changes nothing");
    }
}
