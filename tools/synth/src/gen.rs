//! The generator: builds the whole synthetic tree in memory (a list of
//! relative paths and contents), deterministically from a seed. Writing it
//! to disk is the caller's business (see `write_tree` in main.rs).

use crate::data::*;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

// ---------------------------------------------------------------- random

/// splitmix64: tiny, fast and plenty for shaping test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x6A09_E667_F3BC_C908)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    /// True with probability `pct` percent.
    pub fn chance(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
}

// ---------------------------------------------------------------- helpers

/// A YAML double-quoted scalar.
fn dq(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A YAML literal block (`key: |-`) at the given indentation.
fn block(out: &mut String, key: &str, text: &str, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}{key}: |-");
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{pad}  {line}");
        }
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Escapes PCRE / ERE metacharacters.
fn re_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// An id fragment: lower case, runs of other characters become one `_`.
pub fn id_of(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            o.push(c.to_ascii_lowercase());
        } else if !o.ends_with('_') {
            o.push('_');
        }
    }
    o.trim_matches('_').to_string()
}

fn path_id(p: &str) -> String {
    match p.strip_suffix('-') {
        Some(base) => format!("{}_backup", id_of(base)),
        None => id_of(p),
    }
}

/// CamelCase -> snake_case.
/// CamelCase -> snake_case, keeping acronyms together
/// (GSSAPIAuthentication -> gssapi_authentication, UseDNS -> use_dns).
fn snake(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let mut o = String::with_capacity(s.len() + 4);
    for i in 0..c.len() {
        if i > 0 && c[i].is_ascii_uppercase() {
            let prev_lower = c[i - 1].is_ascii_lowercase() || c[i - 1].is_ascii_digit();
            let acronym_end = c[i - 1].is_ascii_uppercase() && c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev_lower || acronym_end {
                o.push('_');
            }
        }
        o.push(c[i].to_ascii_lowercase());
    }
    o
}

/// The id form of a configuration key: CamelCase keys become snake_case,
/// others are lower-cased (PASS_MAX_DAYS -> pass_max_days).
fn key_id(key: &str) -> String {
    let mixed = key.chars().any(|c| c.is_ascii_lowercase()) && key.chars().any(|c| c.is_ascii_uppercase());
    id_of(&if mixed { snake(key) } else { key.to_lowercase() })
}

fn group_name(gid: u32) -> &'static str {
    match gid {
        0 => "root",
        4 => "adm",
        42 => "shadow",
        43 => "utmp",
        101 => "systemd-journal",
        _ => "root",
    }
}

const J_PRODUCT: &str = "{{{ full_name }}}";

fn xv(id: &str) -> String {
    format!("{{{{{{ xccdf_value(\"{id}\") }}}}}}")
}

// ---------------------------------------------------------------- model

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Theme {
    Sshd,
    Net4,
    Net4Iface,
    Net6,
    Net6Iface,
    Kernel,
    ModFs,
    ModNet,
    ModPeriph,
    PermAccounts,
    PermCron,
    PermLogs,
    PermBoot,
    PermConfig,
    PkgClients,
    PkgDaemons,
    PkgRequired,
    LoginDefs,
    Pwquality,
    Faillock,
    Journald,
    Pam,
    Grub,
    Limits,
    Banners,
    Apt,
    Rsyslog,
    Aide,
    Chrony,
    Sudoers,
}

struct GroupDef {
    id: &'static str,
    title: &'static str,
    about: &'static str,
    platform: Option<&'static str>,
    cis: &'static str,
    themes: &'static [Theme],
    subs: &'static [GroupDef],
}

macro_rules! g {
    ($id:expr, $title:expr, $about:expr, $cis:expr, $themes:expr) => {
        GroupDef { id: $id, title: $title, about: $about, platform: None, cis: $cis, themes: $themes, subs: &[] }
    };
}

use Theme::*;

const GROUPS: &[GroupDef] = &[
    GroupDef { id: "accounts", title: "Accounts and Passwords", about: "Password ageing, password quality, account lockout and the PAM stack decide how hard it is to take over a local account.", platform: None, cis: "5.4", themes: &[], subs: &[
        g!("accounts_login_defs", "Settings in /etc/login.defs", "The shadow utilities read their defaults for new accounts and passwords from <tt>/etc/login.defs</tt>.", "5.4.1", &[LoginDefs]),
        g!("accounts_password_quality", "Password Quality", "The <tt>pam_pwquality</tt> module rejects weak passwords when they are set; its settings live in <tt>/etc/security/pwquality.conf</tt>.", "5.4.2", &[Pwquality]),
        g!("accounts_lockout", "Account Lockout", "The <tt>pam_faillock</tt> module locks an account after repeated failed logins; its settings live in <tt>/etc/security/faillock.conf</tt>.", "5.4.3", &[Faillock]),
        g!("accounts_pam", "PAM Stack", "The files in <tt>/etc/pam.d/</tt> decide which modules check a login and in what order.", "5.4.4", &[Pam]),
    ] },
    GroupDef { id: "services_ssh", title: "SSH Server", about: "The OpenSSH server is the usual way to administer a server remotely, which makes its settings some of the most important on the system.", platform: Some("package[openssh-server]"), cis: "5.2", themes: &[], subs: &[
        g!("ssh_authentication", "SSH Authentication", "Which users may log in over SSH, and with which methods.", "5.2.1", &[Sshd]),
        g!("ssh_sessions", "SSH Sessions", "Limits on the number and the lifetime of SSH sessions.", "5.2.2", &[Sshd]),
        g!("ssh_forwarding", "SSH Forwarding", "Forwarding of ports, sockets, agents and X11 through SSH connections.", "5.2.3", &[Sshd]),
    ] },
    GroupDef { id: "network_ipv4", title: "IPv4 Kernel Parameters", about: "Kernel parameters that decide how the system treats IPv4 traffic that is not addressed to one of its services.", platform: None, cis: "3.2", themes: &[Net4], subs: &[
        g!("ipv4_interfaces", "IPv4 Parameters of Individual Interfaces", "Settings for interfaces that face untrusted networks, made per interface so that they do not depend on the global defaults.", "3.2.9", &[Net4Iface]),
    ] },
    GroupDef { id: "network_ipv6", title: "IPv6 Kernel Parameters", about: "Kernel parameters that decide how the system treats IPv6 traffic and router advertisements.", platform: None, cis: "3.3", themes: &[Net6], subs: &[
        g!("ipv6_interfaces", "IPv6 Parameters of Individual Interfaces", "Per-interface IPv6 settings for interfaces that face untrusted networks.", "3.3.9", &[Net6Iface]),
    ] },
    g!("kernel_hardening", "Kernel Hardening", "Kernel parameters that make memory corruption harder to exploit and limit what unprivileged users can learn about the kernel.", "1.5", &[Kernel]),
    GroupDef { id: "kernel_modules", title: "Kernel Modules", about: "Modules that the system does not need are kept from loading, so that their code cannot be reached.", platform: Some("machine"), cis: "1.1", themes: &[], subs: &[
        g!("modules_filesystems", "Unused File System Drivers", "File system drivers parse untrusted data as soon as an image is mounted.", "1.1.1", &[ModFs]),
        g!("modules_network_protocols", "Unused Network Protocols", "Rarely used protocol families load on demand when a program opens a socket of their kind.", "3.4", &[ModNet]),
        g!("modules_peripherals", "Peripheral Device Drivers", "Drivers for removable storage and external buses let data and code enter the system.", "1.1.10", &[ModPeriph]),
    ] },
    g!("permissions_account_files", "Permissions of Account and Authentication Files", "Files that hold accounts, password hashes and authentication policy.", "6.1", &[PermAccounts]),
    g!("permissions_cron", "Permissions of Scheduled Jobs", "Files and directories that define jobs cron runs as root.", "5.1", &[PermCron]),
    g!("permissions_logs", "Permissions of Log Files", "Log files hold evidence, and often information that users should not see.", "4.2.3", &[PermLogs]),
    GroupDef { id: "permissions_dropins", title: "Permissions of Drop-In Configuration Files", about: "Services read drop-in directories in full, so every file in them is as sensitive as the main configuration file.", platform: None, cis: "6.2", themes: &[PermConfig], subs: &[
        g!("dropins_system", "System Drop-In Files", "Drop-in files of the kernel, the module loader and the login stack.", "6.2.1", &[PermConfig]),
        g!("dropins_services", "Service Drop-In Files", "Drop-in files of logging, scheduling and network services.", "6.2.2", &[PermConfig]),
    ] },
    g!("software_legacy_clients", "Legacy Network Clients", "Clients of protocols that send passwords and data in clear text.", "2.3", &[PkgClients]),
    g!("software_network_daemons", "Unneeded Network Services", "Network services that a general-purpose server seldom needs.", "2.2", &[PkgDaemons]),
    g!("software_required", "Required Security Software", "Packages that other rules of this guide rely on.", "1.9", &[PkgRequired]),
    g!("logging_journald", "systemd Journal and Core Dumps", "Settings of systemd-journald and systemd-coredump.", "4.2.1", &[Journald]),
    g!("logging_rsyslog", "rsyslog", "Settings of the rsyslog daemon, which writes the classic log files.", "4.2.2", &[Rsyslog]),
    g!("boot_loader", "Boot Loader", "GRUB settings and the kernel command line.", "1.4", &[Grub, PermBoot]),
    g!("banners", "Login Banners", "Texts shown before and after login.", "1.7", &[Banners]),
    g!("integrity_aide", "File Integrity Checking", "AIDE records the state of system files and reports changes.", "1.3", &[Aide]),
    g!("time_synchronization", "Time Synchronization", "Correct time keeps logs comparable across systems and certificates valid.", "2.1", &[Chrony]),
    g!("resource_limits", "Resource Limits", "Limits from <tt>/etc/security/limits.conf</tt> and <tt>/etc/security/limits.d/</tt>, applied by <tt>pam_limits</tt> at login.", "1.6", &[Limits]),
    g!("apt_configuration", "APT Configuration", "How APT verifies and updates packages.", "1.2", &[Apt]),
    g!("sudo_configuration", "sudo", "Settings of sudo, the usual way to run commands as root.", "5.3", &[Sudoers]),
];

/// A group as written: its directory (relative), its definition.
struct Group {
    dir: PathBuf,
    def: &'static GroupDef,
    rules: usize,
}

#[derive(Clone)]
pub struct Value {
    pub id: String,
    title: String,
    description: String,
    number: bool,
    operator: &'static str,
    options: Vec<(String, String)>,
}

impl Value {
    fn render(&self) -> String {
        let mut y = String::from("documentation_complete: true\n\n");
        let _ = writeln!(y, "title: {}\n", dq(&self.title));
        block(&mut y, "description", &self.description, 0);
        let _ = writeln!(y, "\ntype: {}\n", if self.number { "number" } else { "string" });
        let _ = writeln!(y, "operator: {}\n\ninteractive: false\n\noptions:", self.operator);
        for (k, v) in &self.options {
            if self.number {
                let _ = writeln!(y, "  {k}: {v}");
            } else {
                let _ = writeln!(y, "  {k}: {}", dq(v));
            }
        }
        y
    }
}

enum Sel {
    File(String),
    /// `<ind:filepath operation="pattern match">`
    FileRegex(String),
    /// `<ind:path>` and `<ind:filename operation="pattern match">`
    Dir(String, String),
}

enum Check {
    /// The first capture group of every matching line compares with a
    /// literal (or, with `var`, an external variable).
    Compare {
        datatype: &'static str,
        op: &'static str,
        value: String,
        var: Option<String>,
    },
    Present,
    Absent,
}

struct OvalSpec {
    sel: Sel,
    pattern: String,
    check: Check,
    summary: String,
}

#[derive(Default)]
struct Rule {
    id: String,
    theme: Option<Theme>,
    title: String,
    description: String,
    rationale: String,
    severity: &'static str,
    nist: &'static str,
    ocil_clause: String,
    ocil: String,
    platform: Option<String>,
    template: Option<(&'static str, Vec<(&'static str, String)>)>,
    oval: Option<OvalSpec>,
    bash: Option<String>,
    warning: Option<String>,
    /// A Value this rule introduces (written beside it).
    value: Option<Value>,
    /// The package whose `package_<p>_installed` rule the OVAL extends.
    needs_pkg: Option<&'static str>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Sysctl,
    SysctlVar,
    PkgInstalled,
    PkgRemoved,
    FilePerm,
    FileOwner,
    FileGroupOwner,
    Sshd,
    SshdVar,
    Kv,
    KvVar,
    Module,
    Oval,
}

const KINDS: &[(Kind, usize)] = &[
    (Kind::Sysctl, 11),
    (Kind::SysctlVar, 4),
    (Kind::PkgInstalled, 6),
    (Kind::PkgRemoved, 10),
    (Kind::FilePerm, 14),
    (Kind::FileOwner, 9),
    (Kind::FileGroupOwner, 5),
    (Kind::Sshd, 8),
    (Kind::SshdVar, 3),
    (Kind::Kv, 5),
    (Kind::KvVar, 5),
    (Kind::Module, 10),
    (Kind::Oval, 10),
];

// ---------------------------------------------------------------- generator

pub struct Summary {
    pub rules: usize,
    pub groups: usize,
    pub values: usize,
    pub oval_rules: usize,
    pub extends: usize,
    pub bash_fixes: usize,
}

pub struct Tree {
    /// (relative path, contents), in a fixed order.
    pub files: Vec<(PathBuf, String)>,
    pub summary: Summary,
}

struct Gen {
    r: Rng,
    used: HashSet<String>,
    /// pkg -> id of its package_installed rule
    pkg_rules: BTreeMap<&'static str, String>,
    /// ids of hand-written OVAL rules so far, by theme
    oval_rules: Vec<(Theme, String)>,
    /// Values shared by several rules: key -> id
    shared_values: BTreeMap<String, String>,
    exhausted: Vec<Kind>,
}

pub fn generate(rules: usize, seed: u64) -> Tree {
    let mut gen = Gen {
        r: Rng::new(seed),
        used: HashSet::new(),
        pkg_rules: BTreeMap::new(),
        oval_rules: Vec::new(),
        shared_values: BTreeMap::new(),
        exhausted: Vec::new(),
    };
    let mut files: Vec<(PathBuf, String)> = Vec::new();

    // Groups.
    let mut groups: Vec<Group> = Vec::new();
    fn add_groups(
        defs: &'static [GroupDef],
        parent: &std::path::Path,
        groups: &mut Vec<Group>,
        used: &mut HashSet<String>,
    ) {
        for d in defs {
            let dir = parent.join(d.id);
            assert!(used.insert(d.id.to_string()), "duplicate group id {}", d.id);
            groups.push(Group { dir: dir.clone(), def: d, rules: 0 });
            add_groups(d.subs, &dir, groups, used);
        }
    }
    add_groups(GROUPS, &PathBuf::from("rules"), &mut groups, &mut gen.used);
    for g in &groups {
        let mut y = String::from("documentation_complete: true\n\n");
        let _ = writeln!(y, "title: {}\n", dq(g.def.title));
        let mut d = String::from(g.def.about);
        d.push_str(&format!("\n<br/><br/>\nThe rules of this group were generated for {J_PRODUCT} benchmarks; each explains what it checks, why, and how to fix it."));
        block(&mut y, "description", &d, 0);
        if let Some(p) = g.def.platform {
            let _ = writeln!(y, "\nplatform: {p}");
        }
        files.push((g.dir.join("group.yml"), y));
    }

    // Rules.
    let mut ids: Vec<String> = Vec::with_capacity(rules);
    let mut values: Vec<Value> = Vec::new();
    let mut summary = Summary { rules: 0, groups: groups.len(), values: 0, oval_rules: 0, extends: 0, bash_fixes: 0 };
    let mut cis_counters: BTreeMap<usize, usize> = BTreeMap::new();
    for _ in 0..rules {
        let mut rule = None;
        for _ in 0..40 {
            let k = gen.kind();
            if let Some(x) = gen.rule(k) {
                rule = Some(x);
                break;
            }
            gen.exhausted.push(k);
        }
        // Per-interface sysctl rules practically never run out.
        let mut rule = match rule {
            Some(x) => x,
            None => loop {
                if let Some(x) = gen.attempt(|g| g.sysctl(true)) {
                    break x;
                }
            },
        };
        let theme = rule.theme.expect("every rule has a theme");
        let candidates: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].def.themes.contains(&theme)).collect();
        assert!(!candidates.is_empty(), "no group for {theme:?}");
        let gi = *gen.r.pick(&candidates);
        groups[gi].rules += 1;
        let n = cis_counters.entry(gi).or_insert(0);
        *n += 1;
        let cis = format!("{}.{}", groups[gi].def.cis, n);
        let dir = groups[gi].dir.join(&rule.id);

        // OVAL: extend another rule's definition now and then.
        let mut oval_text = None;
        if let Some(spec) = rule.oval.take() {
            let mut extend = None;
            if let Some(p) = rule.needs_pkg {
                if matches!(spec.check, Check::Absent) {
                    // "The service must not do X" holds trivially without
                    // the package: not applicable rather than failing.
                    rule.platform = Some(format!("package[{p}]"));
                } else if let Some(pr) = gen.pkg_rules.get(p) {
                    // "X must be configured" needs the package installed.
                    extend = Some((pr.clone(), format!("the package {p} is installed")));
                }
            }
            if extend.is_none() && gen.r.chance(30) {
                let same: Vec<&String> = gen.oval_rules.iter().filter(|(t, _)| *t == theme).map(|(_, i)| i).collect();
                if !same.is_empty() {
                    let target = (*gen.r.pick(&same)).clone();
                    extend = Some((target.clone(), format!("the check of {target} passes as well")));
                }
            }
            if extend.is_some() {
                summary.extends += 1;
            }
            oval_text = Some(oval_xml(&spec, extend.as_ref()));
            gen.oval_rules.push((theme, rule.id.clone()));
            summary.oval_rules += 1;
        }
        files.push((dir.join("rule.yml"), render_rule(&rule, &cis, &mut gen.r)));
        if let Some(o) = oval_text {
            files.push((dir.join("oval/shared.xml"), o));
        }
        if let Some(b) = &rule.bash {
            files.push((dir.join("bash/shared.sh"), b.clone()));
            summary.bash_fixes += 1;
        }
        if let Some(v) = rule.value.take() {
            files.push((groups[gi].dir.join(format!("{}.var", v.id)), v.render()));
            values.push(v);
        }
        ids.push(rule.id);
    }
    summary.rules = ids.len();
    summary.values = values.len();

    // Profiles.
    let r = &mut gen.r;
    let mut standard: Vec<bool> = Vec::with_capacity(ids.len());
    let mut p =
        String::from("documentation_complete: true\n\ntitle: \"Standard System Security Profile (synthetic)\"\n\n");
    block(&mut p, "description", &format!("A baseline for most {J_PRODUCT} servers: it selects the rules that rarely get in the way of\nnormal operation. Generated for benchmarks."), 0);
    p.push_str("\nselections:\n");
    for id in &ids {
        let sel = r.chance(85);
        standard.push(sel);
        if sel {
            let _ = writeln!(p, "  - {id}");
        }
    }
    for v in &values {
        if r.chance(50) {
            let (k, _) = &v.options[1 + r.below(v.options.len() - 1)];
            let _ = writeln!(p, "  - {}={k}", v.id);
        }
    }
    files.push((PathBuf::from("profiles/synth_standard.profile"), p));

    let mut p =
        String::from("documentation_complete: true\n\ntitle: \"Hardened System Security Profile (synthetic)\"\n\n");
    block(&mut p, "description", "The standard profile plus the rules that need planning before they are applied,\nwith stricter values. Generated for benchmarks.", 0);
    p.push_str("\nextends: synth_standard\n\nselections:\n");
    for (i, id) in ids.iter().enumerate() {
        if !standard[i] && r.chance(80) {
            let _ = writeln!(p, "  - {id}");
        }
    }
    p.push_str("  - kernel_modules\n  - software_network_daemons\n");
    for v in &values {
        let (k, _) = &v.options[1 + r.below(v.options.len() - 1)];
        let _ = writeln!(p, "  - {}={k}", v.id);
    }
    for (i, id) in ids.iter().enumerate() {
        if standard[i] && r.chance(1) {
            let _ = writeln!(p, "  - '!{id}'");
        } else if r.chance(2) {
            let _ = writeln!(p, "  - {id}.severity=high");
        }
    }
    files.push((PathBuf::from("profiles/synth_hardened.profile"), p));

    let mut p = String::from("documentation_complete: true\n\ntitle: \"Minimal Profile (synthetic)\"\n\n");
    block(&mut p, "description", "A small selection for containers and appliances: whole groups of account and\nsoftware rules and a sample of the rest. Generated for benchmarks.", 0);
    p.push_str("\nselections:\n  - accounts\n  - software_legacy_clients\n  - permissions_account_files\n");
    for id in &ids {
        if r.chance(5) {
            let _ = writeln!(p, "  - {id}");
        }
    }
    files.push((PathBuf::from("profiles/synth_minimal.profile"), p));

    Tree { files, summary }
}

impl Gen {
    fn kind(&mut self) -> Kind {
        let total: usize = KINDS.iter().filter(|k| !self.exhausted.contains(&k.0)).map(|k| k.1).sum();
        if total == 0 {
            return Kind::Sysctl;
        }
        let mut x = self.r.below(total);
        for (k, w) in KINDS.iter().filter(|k| !self.exhausted.contains(&k.0)) {
            if x < *w {
                return *k;
            }
            x -= w;
        }
        unreachable!()
    }

    /// Claims an id; false when it is taken.
    fn claim(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// Tries `f` a few times until it yields a rule with a free id.
    fn attempt(&mut self, f: impl Fn(&mut Gen) -> Option<Rule>) -> Option<Rule> {
        for _ in 0..25 {
            if let Some(rule) = f(self) {
                if self.claim(&rule.id) {
                    return Some(rule);
                }
            }
        }
        None
    }

    fn rule(&mut self, k: Kind) -> Option<Rule> {
        let mut rule = match k {
            Kind::Sysctl => self.attempt(|g| {
                let iface = g.r.chance(60);
                g.sysctl(iface)
            }),
            Kind::SysctlVar => self.attempt(|g| g.sysctl_var()),
            Kind::PkgInstalled => self.attempt(|g| g.package(true)),
            Kind::PkgRemoved => self.attempt(|g| g.package(false)),
            Kind::FilePerm | Kind::FileOwner | Kind::FileGroupOwner => self.attempt(|g| g.file(k)),
            Kind::Sshd => self.attempt(|g| g.sshd()),
            Kind::SshdVar => self.attempt(|g| g.sshd_var()),
            Kind::Kv => self.attempt(|g| g.kv()),
            Kind::KvVar => self.attempt(|g| g.kv_var()),
            Kind::Module => self.attempt(|g| g.module()),
            Kind::Oval => self.attempt(|g| g.oval()),
        }?;
        // Values a rule introduces get their id claimed here (shared ones
        // were claimed when first made).
        if let Some(v) = &rule.value {
            if !self.claim(&v.id) {
                // A Value id that clashes with a rule id: drop the rule.
                self.used.remove(&rule.id);
                return None;
            }
        }
        if k == Kind::PkgInstalled {
            if let Some((_, vars)) = &rule.template {
                let pkg = vars[0].1.clone();
                if let Some(p) = PKG_REQUIRED.iter().find(|p| **p == pkg) {
                    self.pkg_rules.insert(*p, rule.id.clone());
                }
            }
        }
        if rule.severity.is_empty() {
            rule.severity = "medium";
        }
        Some(rule)
    }

    fn note(&mut self, pool: &[&str]) -> String {
        self.r.pick(pool).to_string()
    }

    fn maybe_note(&mut self, pool: &[&str], pct: usize) -> String {
        if self.r.chance(pct) {
            format!("\n<br/><br/>\n{}", self.note(pool))
        } else {
            String::new()
        }
    }

    fn rationale(&mut self, why: &str) -> String {
        if self.r.chance(40) {
            format!("{why}\n{}", self.note(RATIONALE_GENERIC))
        } else {
            why.to_string()
        }
    }

    fn iface(&mut self) -> String {
        let k = *self.r.pick(IFACE_KINDS);
        let n = self.r.below(64);
        match k {
            "enp" => format!("enp{n}s0"),
            "vlan" => format!("vlan{}", 100 + n * 10),
            _ => format!("{k}{n}"),
        }
    }

    // -------------------------------------------------------- sysctl

    fn sysctl(&mut self, iface: bool) -> Option<Rule> {
        let (theme, name, val, title, what, why) = if iface {
            let v6 = self.r.chance(40);
            let (fam, params, theme) =
                if v6 { ("ipv6", IFACE6_PARAMS, Net6Iface) } else { ("ipv4", IFACE4_PARAMS, Net4Iface) };
            let (param, val, title, what) = *self.r.pick(params);
            let ifn = self.iface();
            (
                theme,
                format!("net.{fam}.conf.{ifn}.{param}"),
                val.to_string(),
                title.replace("{if}", &ifn),
                what.to_string(),
                format!("Interface <tt>{ifn}</tt> faces a network that is not fully trusted, so its policy must not depend on the global setting alone."),
            )
        } else {
            let which = self.r.below(3);
            let (pool, theme) = match which {
                0 => (SYSCTL_NET4, Net4),
                1 => (SYSCTL_NET6, Net6),
                _ => (SYSCTL_KERNEL, Kernel),
            };
            let (n, v, t, w, y) = *self.r.pick(pool);
            (theme, n.to_string(), v.to_string(), t.to_string(), w.to_string(), y.to_string())
        };
        let id = format!("sysctl_{}", id_of(&name));
        if self.used.contains(&id) {
            return None;
        }
        let notes = if matches!(theme, Net4Iface | Net6Iface | Net4 | Net6) { NOTES_NET } else { NOTES_SYSCTL };
        let description = format!(
            "The kernel parameter <tt>{name}</tt> {what}. It must be <tt>{val}</tt>, both in the running kernel\nand in the configuration loaded at boot.\n<br/><br/>\nTo set it at boot, add the line\n<pre>{name} = {val}</pre>\nto a file in <tt>/etc/sysctl.d/</tt>, for example <tt>/etc/sysctl.d/90-hardening.conf</tt>, and remove\nother settings of it from <tt>/etc/sysctl.conf</tt> and <tt>/etc/sysctl.d/</tt>. To change the\nrunning kernel at once, run\n<pre>$ sudo sysctl -w {name}={val}</pre>{}{}",
            self.maybe_note(notes, 50),
            self.maybe_note(NOTES_SYSCTL, 30)
        );
        let warning = if matches!(theme, Net4Iface | Net6Iface) && self.r.chance(30) {
            Some("The runtime part of the check fails on systems without this interface; leave the rule out of profiles for such systems.".to_string())
        } else {
            None
        };
        Some(Rule {
            id,
            theme: Some(theme),
            title,
            description,
            rationale: self.rationale(&why),
            severity: self.r.pick::<&str>(&["medium", "medium", "low", "high"]),
            nist: if theme == Kernel { "CM-6(a),SC-39,SI-16" } else { "CM-7(a),CM-6(a),SC-7(a)" },
            ocil_clause: format!("{name} is not {val} in the running kernel or in the sysctl configuration"),
            ocil: format!("Show the running value with\n<pre>$ sysctl {name}</pre>\nand the configured values with\n<pre>$ grep -rs '{name}' /etc/sysctl.conf /etc/sysctl.d/</pre>\nBoth must show <tt>{val}</tt>."),
            platform: Some("machine".into()),
            template: Some(("sysctl", vec![("sysctlvar", name), ("sysctlval", val)])),
            warning,
            ..Default::default()
        })
    }

    fn sysctl_var(&mut self) -> Option<Rule> {
        let (theme, name, title, what, vid, value, share_key) = if self.r.chance(35) {
            let (n, t, w, opts) = *self.r.pick(SYSCTL_KERNEL_VAR);
            let vid = format!("var_sysctl_{}", id_of(n));
            let value = Value {
                id: vid.clone(),
                title: format!("Value of {n}"),
                description: format!("The value the rules require for the kernel parameter <tt>{n}</tt>, which {w}."),
                number: true,
                operator: "equals",
                options: opts.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            };
            (Kernel, n.to_string(), t.to_string(), w.to_string(), vid, Some(value), None)
        } else {
            let v6 = self.r.chance(40);
            let (fam, params, theme) =
                if v6 { ("ipv6", IFACE6_PARAMS, Net6Iface) } else { ("ipv4", IFACE4_PARAMS, Net4Iface) };
            let (param, val, title, what) = *self.r.pick(params);
            let ifn = self.iface();
            // One Value per parameter, shared by every interface.
            let key = format!("{fam}.{param}");
            let vid = format!("var_sysctl_net_{fam}_conf_iface_{param}");
            let value = if self.shared_values.contains_key(&key) {
                None
            } else {
                let other = if val == "0" { "1" } else { "0" };
                Some(Value {
                    id: vid.clone(),
                    title: format!("Per-interface value of {fam} {param}"),
                    description: format!("The value required for <tt>net.{fam}.conf.INTERFACE.{param}</tt> on interfaces that face untrusted networks.\nThe relaxed choice suits interfaces of routers and gateways."),
                    number: true,
                    operator: "equals",
                    options: vec![("default".into(), val.into()), ("hardened".into(), val.into()), ("relaxed".into(), other.into())],
                })
            };
            let share = value.as_ref().map(|_| key);
            (
                theme,
                format!("net.{fam}.conf.{ifn}.{param}"),
                title.replace("{if}", &ifn),
                what.to_string(),
                vid,
                value,
                share,
            )
        };
        let id = format!("sysctl_{}", id_of(&name));
        if self.used.contains(&id) || (value.is_some() && self.used.contains(&vid)) {
            return None;
        }
        if let Some(k) = share_key {
            self.shared_values.insert(k, vid.clone());
        }
        let description = format!(
            "The kernel parameter <tt>{name}</tt> {what}. It must have the value chosen by the profile,\nwhich is {} unless the profile selects another one, both in the running kernel and in the\nconfiguration loaded at boot.\n<br/><br/>\nTo set it at boot, add a line of the form\n<pre>{name} = VALUE</pre>\nto a file in <tt>/etc/sysctl.d/</tt> and apply it with <tt>sysctl --system</tt>.{}",
            xv(&vid),
            self.maybe_note(NOTES_SYSCTL, 50)
        );
        Some(Rule {
            id,
            theme: Some(theme),
            title,
            description,
            rationale: self.rationale("The value fits most systems; the profile may choose a stricter or a more permissive one where the role of the system calls for it."),
            severity: "medium",
            nist: "CM-6(a),SC-7(a)",
            ocil_clause: format!("{name} does not have the required value"),
            ocil: format!("Run\n<pre>$ sysctl {name}</pre>\nThe value must be the one the profile requires."),
            platform: Some("machine".into()),
            template: Some(("sysctl", vec![("sysctlvar", name), ("xccdf_variable", vid)])),
            value,
            ..Default::default()
        })
    }

    // -------------------------------------------------------- packages

    fn package(&mut self, installed: bool) -> Option<Rule> {
        let (pool, theme) = if installed {
            (PKG_REQUIRED, PkgRequired)
        } else if self.r.chance(35) {
            (PKG_CLIENTS, PkgClients)
        } else {
            (PKG_DAEMONS, PkgDaemons)
        };
        let base = *self.r.pick(pool);
        let pkg = if self.r.chance(55) { base.to_string() } else { format!("{base}-{}", self.r.pick(PKG_SUFFIX)) };
        let id = format!("package_{}_{}", id_of(&pkg), if installed { "installed" } else { "removed" });
        if self.used.contains(&id) {
            return None;
        }
        let role = match theme {
            PkgClients => "a client for a legacy network protocol that sends credentials and data without encryption",
            PkgDaemons => "a network service that a general-purpose server seldom needs",
            _ => "a security function that other rules of this guide rely on",
        };
        let (description, rationale, clause, ocil) = if installed {
            (
                format!("The <tt>{pkg}</tt> package provides {role}. It must be installed:\n<pre>$ sudo apt-get install {pkg}</pre>{}", self.maybe_note(NOTES_PKG, 40)),
                self.rationale(&format!("Other settings in this guide assume that <tt>{pkg}</tt> is present; without it they have no effect.")),
                format!("the package {pkg} is not installed"),
                format!("Run\n<pre>$ dpkg-query --show --showformat='${{db:Status-Status}}\\n' {pkg}</pre>\nThe output must be <tt>installed</tt>."),
            )
        } else {
            let why = if theme == PkgClients {
                "Clear-text protocols expose passwords to anyone who can watch the network, and encrypted replacements exist for all of them."
            } else {
                "Every listening service is a possible way in. A service that is not needed should not be installed, let alone running."
            };
            (
                format!("The <tt>{pkg}</tt> package provides {role}. Unless the system has a documented need for it,\nremove it:\n<pre>$ sudo apt-get purge {pkg}</pre>{}", self.maybe_note(NOTES_PKG, 50)),
                self.rationale(why),
                format!("the package {pkg} is installed"),
                format!("Run\n<pre>$ dpkg-query --show --showformat='${{db:Status-Status}}\\n' {pkg}</pre>\nThe command must fail or print something other than <tt>installed</tt>."),
            )
        };
        Some(Rule {
            id,
            theme: Some(theme),
            title: if installed { format!("Install the {pkg} Package") } else { format!("Remove the {pkg} Package") },
            description,
            rationale,
            severity: if theme == PkgClients { "high" } else { self.r.pick::<&str>(&["low", "medium", "medium"]) },
            nist: if installed { "CM-6(a),SI-4" } else { "CM-7(a),CM-7(b),CM-6(a)" },
            ocil_clause: clause,
            ocil,
            template: Some((if installed { "package_installed" } else { "package_removed" }, vec![("pkgname", pkg)])),
            ..Default::default()
        })
    }

    // -------------------------------------------------------- files

    fn file(&mut self, k: Kind) -> Option<Rule> {
        let which = self.r.below(100);
        let (theme, path, mode, uid, gid) = if which < 45 {
            let (d, ext, mode) = *self.r.pick(CONFIG_DIRS);
            let name = format!("{}-{}{ext}", self.r.pick(CONFIG_PREFIXES), self.r.pick(CONFIG_NAMES));
            (PermConfig, format!("{d}/{name}"), mode.to_string(), 0, 0)
        } else {
            let (pool, theme) = match which {
                45..=64 => (FILES_ACCOUNTS, PermAccounts),
                65..=74 => (FILES_CRON, PermCron),
                75..=92 => (FILES_LOGS, PermLogs),
                _ => (FILES_BOOT, PermBoot),
            };
            let (p, m, u, g) = *self.r.pick(pool);
            (theme, p.to_string(), m.to_string(), u, g)
        };
        let pid = path_id(&path);
        let (prefix, template) = match k {
            Kind::FilePerm => {
                ("file_permissions", ("file_permissions", vec![("filepath", path.clone()), ("filemode", mode.clone())]))
            }
            Kind::FileOwner => {
                ("file_owner", ("file_owner", vec![("filepath", path.clone()), ("uid", uid.to_string())]))
            }
            _ => ("file_groupowner", ("file_groupowner", vec![("filepath", path.clone()), ("gid", gid.to_string())])),
        };
        let id = format!("{prefix}_{pid}");
        if self.used.contains(&id) {
            return None;
        }
        let role = match theme {
            PermAccounts => "holds account or authentication data",
            PermCron => "controls scheduled jobs that run with root privileges",
            PermLogs => "records system events needed to investigate incidents",
            PermBoot => "is part of the boot or login configuration",
            _ => "is a drop-in configuration file that a system service reads in full",
        };
        let why = match theme {
            PermAccounts => "Write access to account data means root access; read access to password hashes allows offline guessing.",
            PermCron => "Anyone who can change a job that root runs can run commands as root.",
            PermLogs => "Users who can change logs can hide their tracks, and logs often contain information users should not read.",
            PermBoot => "The boot configuration can disable every other protection of the system before it starts.",
            _ => "A drop-in file that others can write changes the service exactly as the main configuration file would.",
        };
        // An owner digit with the x bit: a directory in these pools.
        let kind_word = if (mode.as_bytes()[1] - b'0') & 1 == 1 { "directory" } else { "file" };
        let (title, description, clause, ocil) = match k {
            Kind::FilePerm => (
                format!("Verify Permissions on {path}"),
                format!("The {kind_word} <tt>{path}</tt> {role}. Its mode must be <tt>{mode}</tt> or stricter: no\npermission bit beyond those of <tt>{mode}</tt> may be set. To fix it, run\n<pre>$ sudo chmod {mode} {path}</pre>\nor remove only the extra bits to keep a stricter mode.{}", self.maybe_note(NOTES_PERMS, 50)),
                format!("{path} has permission bits set beyond {mode}"),
                format!("Run\n<pre>$ stat -c '%a %n' {path}</pre>\nThe mode shown must not have any bit set that <tt>{mode}</tt> lacks."),
            ),
            Kind::FileOwner => (
                format!("Verify Owner of {path}"),
                format!("The {kind_word} <tt>{path}</tt> {role}. It must be owned by <tt>root</tt> (uid {uid}).\nTo fix the owner, run\n<pre>$ sudo chown {uid} {path}</pre>{}", self.maybe_note(NOTES_PERMS, 50)),
                format!("{path} is not owned by uid {uid}"),
                format!("Run\n<pre>$ stat -c '%u %U %n' {path}</pre>\nThe owner must be <tt>{uid}</tt>."),
            ),
            _ => {
                let gn = group_name(gid);
                (
                    format!("Verify Group Owner of {path}"),
                    format!("The {kind_word} <tt>{path}</tt> {role}. Its group must be <tt>{gn}</tt> (gid {gid}).\nTo fix the group, run\n<pre>$ sudo chgrp {gid} {path}</pre>{}", self.maybe_note(NOTES_PERMS, 50)),
                    format!("{path} is not group-owned by gid {gid}"),
                    format!("Run\n<pre>$ stat -c '%g %G %n' {path}</pre>\nThe group must be <tt>{gid}</tt>."),
                )
            }
        };
        Some(Rule {
            id,
            theme: Some(theme),
            title,
            description,
            rationale: self.rationale(why),
            severity: if theme == PermAccounts { "high" } else { "medium" },
            nist: "AC-6(1),CM-6(a),AC-3",
            ocil_clause: clause,
            ocil,
            platform: if path.starts_with("/etc/ssh/") { Some("package[openssh-server]".into()) } else { None },
            template: Some(template),
            ..Default::default()
        })
    }

    // -------------------------------------------------------- sshd

    fn sshd(&mut self) -> Option<Rule> {
        let (kw, val, title, what, why) = if self.r.chance(60) {
            let (k, v, t, w, y) = *self.r.pick(SSHD);
            (k.to_string(), v.to_string(), t.to_string(), w.to_string(), y.to_string())
        } else {
            let (p, v) = *self.r.pick(SSHD_PREFIX);
            let n = *self.r.pick(SSHD_NOUN);
            let kw = format!("{p}{n}");
            (
                kw.clone(),
                v.to_string(),
                format!("Set {kw} to {v} for the SSH Server"),
                format!("controls a feature of the server that few sites use ({})", snake(n).replace('_', " ")),
                "Features that are not used should be switched off, so that their code and their mistakes cannot be reached.".to_string(),
            )
        };
        let id = format!("sshd_set_{}", snake(&kw));
        if self.used.contains(&id) {
            return None;
        }
        let default_ok = [
            "PermitEmptyPasswords",
            "HostbasedAuthentication",
            "IgnoreRhosts",
            "PermitUserEnvironment",
            "StrictModes",
            "GSSAPIAuthentication",
            "KerberosAuthentication",
            "PrintLastLog",
            "PermitTunnel",
            "GatewayPorts",
            "UseDNS",
        ]
        .contains(&kw.as_str());
        let mut vars = vec![("parameter", kw.clone()), ("value", val.clone())];
        let mut extra = String::new();
        if default_ok {
            vars.push(("missing_parameter_pass", "true".into()));
            extra = format!("\n<br/><br/>\nThe built-in default of <tt>{kw}</tt> is compliant, so the rule also passes when the keyword is\nnot set at all.");
        }
        let description = format!(
            "The <tt>{kw}</tt> keyword of the OpenSSH server {what}. Set it to <tt>{val}</tt> in\n<tt>/etc/ssh/sshd_config</tt>, above any <tt>Match</tt> block:\n<pre>{kw} {val}</pre>{extra}{}",
            self.maybe_note(NOTES_SSHD, 60)
        );
        Some(Rule {
            id,
            theme: Some(Sshd),
            title,
            description,
            rationale: self.rationale(&why),
            severity: if kw == "PermitRootLogin" || kw == "PermitEmptyPasswords" { "high" } else { "medium" },
            nist: "AC-17(a),CM-6(a),CM-7(a)",
            ocil_clause: format!("{kw} is not set to {val}"),
            ocil: format!(
                "Run\n<pre>$ sudo sshd -T | grep -i '^{} '</pre>\nThe value shown must be <tt>{}</tt>.",
                kw.to_lowercase(),
                val.to_lowercase()
            ),
            platform: Some("package[openssh-server]".into()),
            template: Some(("sshd_lineinfile", vars)),
            ..Default::default()
        })
    }

    fn sshd_var(&mut self) -> Option<Rule> {
        let (kw, title, what, unit, opts): (String, String, String, String, Vec<(String, String)>) = if self
            .r
            .chance(50)
        {
            let (k, t, w, u, o) = *self.r.pick(SSHD_VAR);
            (k.into(), t.into(), w.into(), u.into(), o.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect())
        } else {
            let n = *self.r.pick(SSHD_VAR_NOUN);
            let base = [2usize, 4, 8, 10, 16][self.r.below(5)];
            (
                format!("Max{n}"),
                format!("Limit SSH {n} per Connection"),
                format!("is the number of {} a single connection may open", n.to_lowercase()),
                n.to_lowercase(),
                vec![
                    ("default".into(), base.to_string()),
                    (format!("{}", base / 2), (base / 2).to_string()),
                    (format!("{base}"), base.to_string()),
                    (format!("{}", base * 2), (base * 2).to_string()),
                ],
            )
        };
        let snake_kw = snake(&kw);
        let id = format!("sshd_set_{snake_kw}");
        let vid = format!("var_sshd_{snake_kw}");
        if self.used.contains(&id) || self.used.contains(&vid) {
            return None;
        }
        let description = format!(
            "The <tt>{kw}</tt> keyword of the OpenSSH server {what}. It must be set to a positive value of\nat most {} {unit}:\n<pre>{kw} VALUE</pre>\nin <tt>/etc/ssh/sshd_config</tt>, above any <tt>Match</tt> block.{}",
            xv(&vid),
            self.maybe_note(NOTES_SSHD, 60)
        );
        let value = Value {
            id: vid.clone(),
            title: format!("Maximum for SSH {kw}"),
            description: format!("The largest accepted value of the sshd keyword <tt>{kw}</tt>, in {unit}."),
            number: true,
            operator: "less than or equal",
            options: opts,
        };
        Some(Rule {
            id,
            theme: Some(Sshd),
            title,
            description,
            rationale: self.rationale("Tight limits shorten the window for guessing and for abandoned sessions, while the chosen value leaves room for normal use."),
            severity: "medium",
            nist: "AC-12,AC-17(a),CM-6(a)",
            ocil_clause: format!("{kw} is not set or is larger than required"),
            ocil: format!("Run\n<pre>$ sudo sshd -T | grep -i '^{} '</pre>\nThe value must not exceed the one the profile requires.", kw.to_lowercase()),
            platform: Some("package[openssh-server]".into()),
            template: Some(("sshd_lineinfile", vec![("parameter", kw), ("xccdf_variable", vid), ("datatype", "int".into()), ("operation", "less than or equal".into())])),
            value: Some(value),
            ..Default::default()
        })
    }

    // -------------------------------------------------------- key = value

    fn kv(&mut self) -> Option<Rule> {
        let which = self.r.below(4);
        let (file, (key, val, title, what), sep, sep_regex, theme, prefix) = match which {
            0 | 1 => ("/etc/login.defs", *self.r.pick(LOGIN_DEFS), " ", None, LoginDefs, "login_defs"),
            2 => (
                "/etc/security/pwquality.conf",
                *self.r.pick(PWQUALITY),
                " = ",
                Some("[ \\t]*=[ \\t]*"),
                Pwquality,
                "pwquality",
            ),
            _ => {
                if self.r.chance(60) {
                    (
                        "/etc/systemd/journald.conf",
                        *self.r.pick(JOURNALD),
                        "=",
                        Some("[ \\t]*=[ \\t]*"),
                        Journald,
                        "journald",
                    )
                } else {
                    (
                        "/etc/systemd/coredump.conf",
                        *self.r.pick(COREDUMP),
                        "=",
                        Some("[ \\t]*=[ \\t]*"),
                        Journald,
                        "coredump",
                    )
                }
            }
        };
        let id = format!("{prefix}_{}", key_id(key));
        if self.used.contains(&id) {
            return None;
        }
        let mut vars = vec![("path", file.to_string()), ("key", key.to_string()), ("value", val.to_string())];
        if sep != " " {
            vars.push(("sep", sep.to_string()));
        }
        if let Some(s) = sep_regex {
            vars.push(("sep_regex", s.to_string()));
        }
        let description = format!(
            "The <tt>{key}</tt> setting in <tt>{file}</tt> {what}. Set it to <tt>{val}</tt>:\n<pre>{key}{sep}{val}</pre>{}",
            self.maybe_note(NOTES_KV, 60)
        );
        Some(Rule {
            id,
            theme: Some(theme),
            title: title.to_string(),
            description,
            rationale: self.rationale(
                "The default of this setting is weaker than the baseline asks for, so it has to be set explicitly.",
            ),
            severity: self.r.pick::<&str>(&["low", "medium"]),
            nist: if theme == Journald { "AU-4,AU-9,CM-6(a)" } else { "IA-5(1)(c),CM-6(a)" },
            ocil_clause: format!("{key} is not set to {val} in {file}"),
            ocil: format!(
                "Run\n<pre>$ grep -E '^[[:space:]]*{key}' {file}</pre>\nEvery line shown must set <tt>{val}</tt>."
            ),
            template: Some(("key_value_pair_in_file", vars)),
            ..Default::default()
        })
    }

    fn kv_var(&mut self) -> Option<Rule> {
        let which = self.r.below(3);
        let (file, (key, title, what, op, opts), sep, theme, prefix) = match which {
            0 => ("/etc/login.defs", *self.r.pick(LOGIN_DEFS_VAR), " ", LoginDefs, "login_defs"),
            1 => ("/etc/security/pwquality.conf", *self.r.pick(PWQUALITY_VAR), " = ", Pwquality, "pwquality"),
            _ => ("/etc/security/faillock.conf", *self.r.pick(FAILLOCK_VAR), " = ", Faillock, "faillock"),
        };
        let kid = key_id(key);
        let id = format!("{prefix}_{kid}");
        let vid = format!("var_{prefix}_{kid}");
        if self.used.contains(&id) || self.used.contains(&vid) {
            return None;
        }
        let bound = if op == "less than or equal" { "at most" } else { "at least" };
        let mut vars = vec![
            ("path", file.to_string()),
            ("key", key.to_string()),
            ("xccdf_variable", vid.clone()),
            ("datatype", "int".to_string()),
            ("operation", op.to_string()),
        ];
        if sep != " " {
            vars.push(("sep", sep.to_string()));
            vars.push(("sep_regex", "[ \\t]*=[ \\t]*".to_string()));
        }
        let description = format!(
            "The <tt>{key}</tt> setting in <tt>{file}</tt> {what}. It must be {bound} {}, the value\nchosen by the profile:\n<pre>{key}{sep}VALUE</pre>{}",
            xv(&vid),
            self.maybe_note(NOTES_KV, 60)
        );
        let value = Value {
            id: vid.clone(),
            title: format!("{} for {key}", if bound == "at most" { "Upper bound" } else { "Lower bound" }),
            description: format!("The value required for <tt>{key}</tt> in <tt>{file}</tt>."),
            number: true,
            operator: op,
            options: opts.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        Some(Rule {
            id,
            theme: Some(theme),
            title: title.to_string(),
            description,
            rationale: self.rationale("Password and lockout policy is only as strong as its weakest setting, and the defaults are weaker than most policies require."),
            severity: "medium",
            nist: if theme == Faillock { "AC-7(a),CM-6(a)" } else { "IA-5(1)(a),IA-5(f),CM-6(a)" },
            ocil_clause: format!("{key} in {file} does not meet the required value"),
            ocil: format!("Run\n<pre>$ grep -E '^[[:space:]]*{key}' {file}</pre>\nThe value shown must be {bound} the one the profile requires."),
            template: Some(("key_value_pair_in_file", vars)),
            value: Some(value),
            ..Default::default()
        })
    }

    // -------------------------------------------------------- modules

    fn module(&mut self) -> Option<Rule> {
        let (pool, theme, role) = match self.r.below(3) {
            0 => (MODULES_FS, ModFs, "supports a file system type that this system is not expected to mount"),
            1 => (MODULES_NET, ModNet, "implements a network protocol that is seldom used and rarely reviewed"),
            _ => {
                (MODULES_PERIPH, ModPeriph, "drives a kind of device through which data can enter or leave the system")
            }
        };
        let m = *self.r.pick(pool);
        let id = format!("kernel_module_{}_disabled", id_of(m));
        if self.used.contains(&id) {
            return None;
        }
        let description = format!(
            "The <tt>{m}</tt> kernel module {role}. Keep it from loading by adding\n<pre>install {m} /bin/false\nblacklist {m}</pre>\nto a file in <tt>/etc/modprobe.d/</tt>, for example <tt>/etc/modprobe.d/{m}.conf</tt>.{}",
            self.maybe_note(NOTES_MODULES, 60)
        );
        Some(Rule {
            id,
            theme: Some(theme),
            title: format!("Disable the {m} Kernel Module"),
            description,
            rationale: self.rationale("A module that loads on demand exposes its code to anyone who can trigger the demand, for example by mounting an image or opening a socket. A module that never loads cannot be exploited."),
            severity: if theme == ModPeriph { "medium" } else { "low" },
            nist: "CM-7(a),CM-7(b),CM-6(a)",
            ocil_clause: format!("the {m} module can be loaded"),
            ocil: format!("Run\n<pre>$ modprobe -n -v {m}</pre>\nThe output must be <tt>install /bin/false</tt>."),
            platform: Some("machine".into()),
            template: Some(("kernel_module_disabled", vec![("kernmodule", m.to_string())])),
            ..Default::default()
        })
    }

    // -------------------------------------------------------- hand-written OVAL

    fn oval(&mut self) -> Option<Rule> {
        match self.r.below(100) {
            0..=26 => self.oval_pam(),
            27..=43 => self.oval_grub(),
            44..=71 => self.oval_limits(),
            72..=75 => self.oval_banner(),
            76..=81 => self.oval_apt(),
            82..=86 => self.oval_rsyslog(),
            87..=91 => self.oval_aide(),
            92..=94 => self.oval_chrony(),
            _ => self.oval_sudo(),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn oval_rule(
        &mut self,
        id: String,
        theme: Theme,
        title: String,
        what: String,
        why: &str,
        spec: OvalSpec,
        clause: String,
        ocil: String,
        bash: Option<String>,
    ) -> Rule {
        let notes = self.maybe_note(NOTES_OVAL, 50);
        Rule {
            id,
            theme: Some(theme),
            title,
            description: format!("{what}{notes}"),
            rationale: self.rationale(why),
            severity: self.r.pick::<&str>(&["medium", "medium", "high", "low"]),
            nist: match theme {
                Pam => "IA-2,IA-5(1)(c),CM-6(a)",
                Grub => "AU-14(1),CM-6(a),SC-39",
                Limits => "AC-10,CM-6(a)",
                Banners => "AC-8(a),AC-8(c)",
                Apt => "SI-2(c),SI-7,CM-11(a)",
                Rsyslog => "AU-4(1),AU-9,AU-12(c)",
                Aide => "SI-7,SI-7(1),CM-6(a)",
                Chrony => "AU-8(1)(a),AU-8(1)(b)",
                _ => "AC-6(2),AU-12(c),CM-6(a)",
            },
            ocil_clause: clause,
            ocil,
            oval: Some(spec),
            bash: bash.map(|b| fix_header(&b, theme == Grub)),
            ..Default::default()
        }
    }

    fn oval_pam(&mut self) -> Option<Rule> {
        let svc = *self.r.pick(PAM_SERVICES);
        let file = format!("/etc/pam.d/{svc}");
        let sid = id_of(svc);
        match self.r.below(10) {
            0..=4 => {
                let id = format!("pam_{sid}_no_nullok");
                let spec = OvalSpec {
                    sel: Sel::File(file.clone()),
                    pattern: r"^[ \t]*auth[ \t]+.*\bpam_unix\.so\b.*\bnullok\b".into(),
                    check: Check::Absent,
                    summary: format!("No auth line of {file} passes nullok to pam_unix."),
                };
                let bash = format!("if [ -f {file} ]; then\n    sed -i -E '/^[[:space:]]*auth[[:space:]].*pam_unix\\.so/ s/[[:space:]]+nullok([[:space:]]|$)/\\1/g' {file}\nfi\n");
                Some(self.oval_rule(
                    id, Pam,
                    format!("Do Not Allow Empty Passwords in {file}"),
                    format!("The <tt>nullok</tt> option of <tt>pam_unix</tt> lets accounts with an empty password\nauthenticate. Remove it from every <tt>auth</tt> line of <tt>{file}</tt>, so that a line such as\n<pre>auth [success=1 default=ignore] pam_unix.so nullok</pre>\nbecomes\n<pre>auth [success=1 default=ignore] pam_unix.so</pre>"),
                    "An account with an empty password can be used by anyone who knows its name.",
                    spec,
                    format!("pam_unix is called with nullok in {file}"),
                    format!("Run\n<pre>$ grep -n nullok {file}</pre>\nNo <tt>auth</tt> line calling <tt>pam_unix.so</tt> may be shown."),
                    Some(bash),
                ))
            }
            5..=7 => {
                let id = format!("pam_{sid}_no_rhosts");
                let spec = OvalSpec {
                    sel: Sel::File(file.clone()),
                    pattern: r"^[ \t]*auth[ \t]+.*\bpam_rhosts\.so\b".into(),
                    check: Check::Absent,
                    summary: format!("{file} does not use pam_rhosts."),
                };
                let bash = format!("if [ -f {file} ]; then\n    sed -i -E '/^[[:space:]]*auth[[:space:]].*pam_rhosts\\.so/d' {file}\nfi\n");
                Some(self.oval_rule(
                    id, Pam,
                    format!("Do Not Use pam_rhosts in {file}"),
                    format!("The <tt>pam_rhosts</tt> module authenticates users through <tt>.rhosts</tt> and\n<tt>/etc/hosts.equiv</tt>, without a password. Remove every <tt>auth</tt> line that calls it from\n<tt>{file}</tt>."),
                    "Host-based trust files let users grant password-less access to their accounts without any review.",
                    spec,
                    format!("pam_rhosts is used in {file}"),
                    format!("Run\n<pre>$ grep -n pam_rhosts {file}</pre>\nNo <tt>auth</tt> line may be shown."),
                    Some(bash),
                ))
            }
            8 => {
                let id = "pam_pwhistory_remember".to_string();
                let vid = "var_pam_pwhistory_remember".to_string();
                if self.used.contains(&id) || self.used.contains(&vid) {
                    return None;
                }
                let spec = OvalSpec {
                    sel: Sel::File("/etc/pam.d/common-password".into()),
                    pattern: r"^[ \t]*password[ \t]+\S+[ \t]+pam_pwhistory\.so\b.*\bremember=(\d+)".into(),
                    check: Check::Compare {
                        datatype: "int",
                        op: "greater than or equal",
                        value: String::new(),
                        var: Some(vid.clone()),
                    },
                    summary: "pam_pwhistory remembers at least the required number of old passwords.".into(),
                };
                let mut rule = self.oval_rule(
                    id, Pam,
                    "Remember Old Passwords".into(),
                    format!("The <tt>pam_pwhistory</tt> module rejects passwords that the user had before. In\n<tt>/etc/pam.d/common-password</tt>, call it with a <tt>remember</tt> option of at least {}:\n<pre>password required pam_pwhistory.so remember=VALUE use_authtok</pre>", xv(&vid)),
                    "Without a history, users can satisfy a password change by switching back and forth between two passwords.",
                    spec,
                    "pam_pwhistory does not remember enough passwords".into(),
                    "Run\n<pre>$ grep pam_pwhistory /etc/pam.d/common-password</pre>\nThe <tt>remember</tt> option must be at least the value the profile requires.".into(),
                    None,
                );
                rule.value = Some(Value {
                    id: vid,
                    title: "Number of remembered passwords".into(),
                    description: "How many previous passwords of a user pam_pwhistory rejects.".into(),
                    number: true,
                    operator: "greater than or equal",
                    options: vec![
                        ("default".into(), "5".into()),
                        ("5".into(), "5".into()),
                        ("10".into(), "10".into()),
                        ("24".into(), "24".into()),
                    ],
                });
                Some(rule)
            }
            _ => {
                let id = "pam_wheel_su".to_string();
                let spec = OvalSpec {
                    sel: Sel::File("/etc/pam.d/su".into()),
                    pattern: r"^[ \t]*auth[ \t]+(?:required|requisite)[ \t]+pam_wheel\.so\b.*\buse_uid\b".into(),
                    check: Check::Present,
                    summary: "su requires membership in the wheel group.".into(),
                };
                Some(self.oval_rule(
                    id, Pam,
                    "Restrict su to Members of a Group".into(),
                    "Limit <tt>su</tt> to members of one group by adding this line to <tt>/etc/pam.d/su</tt>:\n<pre>auth required pam_wheel.so use_uid group=sugroup</pre>\nand keeping that group empty or small.".into(),
                    "Users who know the root password could otherwise become root without sudo and without any record of who they are.",
                    spec,
                    "pam_wheel is not required by /etc/pam.d/su".into(),
                    "Run\n<pre>$ grep pam_wheel /etc/pam.d/su</pre>\nAn active <tt>auth required pam_wheel.so use_uid</tt> line must be shown.".into(),
                    None,
                ))
            }
        }
    }

    fn oval_grub(&mut self) -> Option<Rule> {
        let (arg, what) = *self.r.pick(GRUB_ARGS);
        let id = format!("grub_cmdline_{}", id_of(arg));
        let re = re_escape(arg);
        let spec = OvalSpec {
            sel: Sel::File("/etc/default/grub".into()),
            pattern: format!(r#"^[ \t]*GRUB_CMDLINE_LINUX(?:_DEFAULT)?="(?:[^"]*[ \t])?{re}(?:[ \t][^"]*)?""#),
            check: Check::Present,
            summary: format!("The kernel command line in /etc/default/grub has {arg}."),
        };
        let sed_arg = arg.replace('&', "\\&").replace('/', "\\/");
        let bash = format!(
            "file=/etc/default/grub\nif [ -f \"$file\" ] && ! grep -Eq '^[[:space:]]*GRUB_CMDLINE_LINUX(_DEFAULT)?=\"([^\"]*[[:space:]])?{re}([[:space:]][^\"]*)?\"' \"$file\"; then\n    if grep -Eq '^[[:space:]]*GRUB_CMDLINE_LINUX=\"' \"$file\"; then\n        sed -i -E 's/^([[:space:]]*GRUB_CMDLINE_LINUX=\"[^\"]*)\"/\\1 {sed_arg}\"/' \"$file\"\n    else\n        echo 'GRUB_CMDLINE_LINUX=\"{arg}\"' >> \"$file\"\n    fi\n    if command -v update-grub >/dev/null 2>&1; then\n        update-grub\n    fi\nfi\n"
        );
        let bash = if self.r.chance(70) { Some(bash) } else { None };
        Some(self.oval_rule(
            id, Grub,
            format!("Boot the Kernel with {arg}"),
            format!("The kernel parameter <tt>{arg}</tt> {what}. Add it to <tt>GRUB_CMDLINE_LINUX</tt> in\n<tt>/etc/default/grub</tt>, for example\n<pre>GRUB_CMDLINE_LINUX=\"{arg}\"</pre>\nand run <tt>update-grub</tt>. The setting takes effect at the next boot."),
            "Some protections can only be chosen when the kernel starts; the boot configuration is the only place to make them permanent.",
            spec,
            format!("{arg} is not on the kernel command line in /etc/default/grub"),
            format!("Run\n<pre>$ grep GRUB_CMDLINE_LINUX /etc/default/grub</pre>\nThe quoted value must contain <tt>{arg}</tt>."),
            bash,
        ))
    }

    fn oval_limits(&mut self) -> Option<Rule> {
        let dom: String = if self.r.chance(60) {
            self.r.pick(LIMIT_DOMAINS).to_string()
        } else {
            format!("@{}_{}", self.r.pick(LIMIT_TEAMS), self.r.pick(WORDS_TEAM_SUFFIX))
        };
        let dom_id = if dom == "*" { "all_users".to_string() } else { format!("group_{}", id_of(&dom)) };
        let (item, literal, what) = match self.r.below(3) {
            0 => ("core", Some("0"), "the size of core files"),
            1 => ("maxlogins", None, "the number of concurrent logins"),
            _ => ("nproc", None, "the number of processes"),
        };
        let id = format!("limits_{dom_id}_{item}");
        if self.used.contains(&id) {
            return None;
        }
        let dom_re = re_escape(&dom);
        let pattern = format!(r"^[ \t]*{dom_re}[ \t]+hard[ \t]+{item}[ \t]+(\d+)[ \t]*$");
        // maxlogins and nproc share one Value per item across all domains.
        let (check, value, bound_text) = match literal {
            Some(v) => (
                Check::Compare { datatype: "int", op: "equals", value: v.into(), var: None },
                None,
                format!("<tt>{v}</tt>"),
            ),
            None => {
                let vid = format!("var_limits_{item}");
                let newv = if self.shared_values.contains_key(&vid) {
                    None
                } else {
                    if self.used.contains(&vid) {
                        return None;
                    }
                    self.shared_values.insert(vid.clone(), vid.clone());
                    Some(Value {
                        id: vid.clone(),
                        title: format!("Hard limit for {item}"),
                        description: format!(
                            "The largest hard limit for <tt>{item}</tt> that the limits rules accept."
                        ),
                        number: true,
                        operator: "less than or equal",
                        options: if item == "maxlogins" {
                            vec![("default".into(), "10".into()), ("4".into(), "4".into()), ("10".into(), "10".into())]
                        } else {
                            vec![
                                ("default".into(), "4096".into()),
                                ("1024".into(), "1024".into()),
                                ("4096".into(), "4096".into()),
                                ("16384".into(), "16384".into()),
                            ]
                        },
                    })
                };
                (
                    Check::Compare {
                        datatype: "int",
                        op: "less than or equal",
                        value: String::new(),
                        var: Some(vid.clone()),
                    },
                    newv,
                    format!("at most {}", xv(&vid)),
                )
            }
        };
        let who =
            if dom == "*" { "all users".to_string() } else { format!("members of the group <tt>{}</tt>", &dom[1..]) };
        let spec = OvalSpec {
            sel: Sel::FileRegex(r"^/etc/security/limits\.(?:conf|d/[^/]+\.conf)$".into()),
            pattern,
            check,
            summary: format!("The hard {item} limit of {dom} is set as required."),
        };
        let dom_ere = if dom == "*" { "\\*".to_string() } else { dom.clone() };
        let assign = match literal {
            Some(v) => format!("value={v}"),
            None => format!("value='{}'", xv(&format!("var_limits_{item}"))),
        };
        let bash = format!(
            "{{{{{{ bash_set_line_function() }}}}}}\n{assign}\ntarget=/etc/security/limits.d/90-scapc.conf\nfor f in /etc/security/limits.conf /etc/security/limits.d/*.conf; do\n    [ -f \"$f\" ] && [ \"$f\" != \"$target\" ] && scapc_set_line \"$f\" '{dom_ere}[[:space:]]+hard[[:space:]]+{item}' ''\ndone\nscapc_set_line \"$target\" '{dom_ere}[[:space:]]+hard[[:space:]]+{item}' \"{dom} hard {item} $value\"\n"
        );
        let bash = if self.r.chance(60) { Some(bash) } else { None };
        let mut rule = self.oval_rule(
            id.clone(), Limits,
            format!("Limit {} for {}", item, if dom == "*" { "All Users".to_string() } else { dom.clone() }),
            format!("The hard <tt>{item}</tt> limit caps {what} for {who}. It must be {bound_text},\nset by a line of this form in <tt>/etc/security/limits.conf</tt> or a file in\n<tt>/etc/security/limits.d/</tt>:\n<pre>{dom} hard {item} VALUE</pre>\nEvery line that sets this limit for this domain must comply."),
            "Limits keep one user or one runaway program from exhausting the resources every other user depends on.",
            spec,
            format!("the hard {item} limit of {dom} is missing or too high"),
            format!("Run\n<pre>$ grep -rs 'hard[[:space:]]*{item}' /etc/security/limits.conf /etc/security/limits.d/</pre>\nThe lines for <tt>{dom}</tt> must set the required value."),
            bash,
        );
        rule.value = value;
        Some(rule)
    }

    fn oval_banner(&mut self) -> Option<Rule> {
        let file = *self.r.pick(&["/etc/issue", "/etc/issue.net", "/etc/motd"]);
        let fid = id_of(file);
        if self.r.chance(50) {
            let spec = OvalSpec {
                sel: Sel::File(file.into()),
                pattern: r"\\[mrsv]".into(),
                check: Check::Absent,
                summary: format!("{file} has no escapes that print system details."),
            };
            let bash = format!("if [ -f {file} ]; then\n    sed -i -E 's/\\\\[mrsv]//g' {file}\nfi\n");
            Some(self.oval_rule(
                format!("banner_{fid}_no_os_details"), Banners,
                format!("Remove System Details from {file}"),
                format!("The escapes <tt>\\m</tt>, <tt>\\r</tt>, <tt>\\s</tt> and <tt>\\v</tt> in <tt>{file}</tt> print the machine\ntype, kernel release, system name and version before login. Remove them from the file."),
                "Version details tell an attacker which exploits to try, before any authentication.",
                spec,
                format!("{file} prints operating system details"),
                format!("Run\n<pre>$ grep -E '\\\\[mrsv]' {file}</pre>\nNothing may be shown."),
                Some(bash),
            ))
        } else {
            let spec = OvalSpec {
                sel: Sel::File(file.into()),
                pattern: r"(?i)\bauthori[sz]ed\b".into(),
                check: Check::Present,
                summary: format!("{file} states the terms of use."),
            };
            Some(self.oval_rule(
                format!("banner_{fid}_notice"), Banners,
                format!("Show a Use Notice in {file}"),
                format!("<tt>{file}</tt> must state that only authorized use is permitted and that use may be monitored.\nThe wording is a matter for the site's legal department, for example\n<pre>Authorized use only. Activity on this system is monitored and recorded.</pre>"),
                "A notice shown before login removes any doubt that access was permitted, which matters when misuse is prosecuted.",
                spec,
                format!("{file} has no use notice"),
                format!("Run\n<pre>$ cat {file}</pre>\nThe text must state that only authorized use is permitted."),
                None,
            ))
        }
    }

    fn oval_apt(&mut self) -> Option<Rule> {
        let opts: &[(&str, &str, bool)] = &[
            ("APT::Get::AllowUnauthenticated", "install packages that fail signature checks", false),
            ("Acquire::AllowInsecureRepositories", "use repositories that are not signed", false),
            ("Acquire::AllowDowngradeToInsecureRepositories", "accept a repository that lost its signature", false),
            ("Acquire::AllowWeakRepositories", "accept repositories signed with weak algorithms", false),
            ("APT::Periodic::Update-Package-Lists", "refresh the package lists every day", true),
            ("APT::Periodic::Unattended-Upgrade", "install security updates every day", true),
        ];
        let (key, what, wanted) = *self.r.pick(opts);
        let last = key_id(key.rsplit("::").next().unwrap_or(key));
        let id = if wanted { format!("apt_periodic_{last}") } else { format!("apt_no_{last}") };
        if self.used.contains(&id) {
            return None;
        }
        let kre = re_escape(key);
        let sel = Sel::Dir("/etc/apt/apt.conf.d".into(), r"^[^/]+$".into());
        if wanted {
            let spec = OvalSpec {
                sel,
                pattern: format!(r#"^[ \t]*{kre}[ \t]+"1"[ \t]*;"#),
                check: Check::Present,
                summary: format!("APT is configured to {what}."),
            };
            let bash = format!("{{{{{{ bash_set_line_function() }}}}}}\nscapc_set_line /etc/apt/apt.conf.d/20auto-upgrades '{kre}' '{key} \"1\";'\n");
            let mut rule = self.oval_rule(
                id, Apt,
                format!("Configure APT to {}", capitalize(what)),
                format!("Set <tt>{key}</tt> in a file of <tt>/etc/apt/apt.conf.d/</tt>, usually\n<tt>20auto-upgrades</tt>, so that APT will {what}:\n<pre>{key} \"1\";</pre>"),
                "Security updates help only once they are installed; doing it automatically closes the window between release and installation.",
                spec,
                format!("{key} is not set to 1"),
                format!("Run\n<pre>$ apt-config dump | grep '{key}'</pre>\nThe value must be <tt>\"1\"</tt>."),
                Some(bash),
            );
            rule.needs_pkg = Some("unattended-upgrades");
            Some(rule)
        } else {
            let spec = OvalSpec {
                sel,
                pattern: format!(r#"^[ \t]*{kre}[ \t]+"?(?:true|yes|1)"?"#),
                check: Check::Absent,
                summary: format!("APT is not allowed to {what}."),
            };
            let bash = format!("for f in /etc/apt/apt.conf.d/*; do\n    [ -f \"$f\" ] && sed -i -E '/^[[:space:]]*{kre}[[:space:]]/d' \"$f\"\ndone\n");
            Some(self.oval_rule(
                id, Apt,
                format!("Do Not Let APT {}", capitalize(what)),
                format!("The option <tt>{key}</tt> makes APT {what}. It must not be enabled in any file\nof <tt>/etc/apt/apt.conf.d/</tt>; remove lines such as\n<pre>{key} \"true\";</pre>"),
                "Signatures are what ties a package to the Debian archive; without them a network attacker can install anything.",
                spec,
                format!("{key} is enabled"),
                format!("Run\n<pre>$ apt-config dump | grep '{key}'</pre>\nThe option must not be shown with a true value."),
                Some(bash),
            ))
        }
    }

    fn oval_rsyslog(&mut self) -> Option<Rule> {
        let sel = || Sel::FileRegex(r"^/etc/rsyslog\.(?:conf|d/[^/]+\.conf)$".into());
        let mut rule = match self.r.below(4) {
            0 => self.oval_rule(
                "rsyslog_file_create_mode".into(), Rsyslog,
                "Create Log Files with Restrictive Permissions".into(),
                "The <tt>$FileCreateMode</tt> directive of rsyslog sets the mode of the log files it creates.\nSet it to <tt>0640</tt> or stricter:\n<pre>$FileCreateMode 0640</pre>".into(),
                "Log files often contain user names, addresses and mistyped passwords.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*\$FileCreateMode[ \t]+(\d+)".into(), check: Check::Compare { datatype: "string", op: "pattern match", value: "^0?[0-6][0-4]0$".into(), var: None }, summary: "rsyslog creates log files with mode 0640 or stricter.".into() },
                "$FileCreateMode is missing or too permissive".into(),
                "Run\n<pre>$ grep -rs FileCreateMode /etc/rsyslog.conf /etc/rsyslog.d/</pre>\nThe mode must be 0640 or stricter.".into(),
                Some("{{{ bash_set_line_function() }}}\nscapc_set_line /etc/rsyslog.conf '\\$FileCreateMode' '$FileCreateMode 0640'\n".into()),
            ),
            1 => self.oval_rule(
                "rsyslog_auth_logged".into(), Rsyslog,
                "Log Authentication Messages".into(),
                "rsyslog must write messages of the <tt>auth</tt> and <tt>authpriv</tt> facilities to a file:\n<pre>auth,authpriv.* /var/log/auth.log</pre>".into(),
                "Logins, sudo use and failed authentication are the first things an investigation looks at.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*auth,authpriv\.\*[ \t]+\S+".into(), check: Check::Present, summary: "rsyslog logs the auth and authpriv facilities.".into() },
                "auth and authpriv messages are not logged".into(),
                "Run\n<pre>$ grep -rs 'authpriv' /etc/rsyslog.conf /etc/rsyslog.d/</pre>\nA rule for <tt>auth,authpriv.*</tt> must be shown.".into(),
                None,
            ),
            2 => self.oval_rule(
                "rsyslog_no_tcp_input".into(), Rsyslog,
                "Do Not Accept Remote Logs over TCP".into(),
                "Unless the system is a log server, rsyslog must not load the <tt>imtcp</tt> input module:\nremove lines such as\n<pre>module(load=\"imtcp\")</pre>".into(),
                "A listening log receiver is one more network service, and it lets remote hosts fill the disk.",
                OvalSpec { sel: sel(), pattern: r#"^[ \t]*(?:\$ModLoad[ \t]+imtcp|module\(load="imtcp"\))"#.into(), check: Check::Absent, summary: "rsyslog does not load imtcp.".into() },
                "rsyslog loads imtcp".into(),
                "Run\n<pre>$ grep -rs imtcp /etc/rsyslog.conf /etc/rsyslog.d/</pre>\nNo active line may be shown.".into(),
                None,
            ),
            _ => self.oval_rule(
                "rsyslog_no_udp_input".into(), Rsyslog,
                "Do Not Accept Remote Logs over UDP".into(),
                "Unless the system is a log server, rsyslog must not load the <tt>imudp</tt> input module:\nremove lines such as\n<pre>module(load=\"imudp\")</pre>".into(),
                "UDP log input accepts forged messages from anyone who can reach the port.",
                OvalSpec { sel: sel(), pattern: r#"^[ \t]*(?:\$ModLoad[ \t]+imudp|module\(load="imudp"\))"#.into(), check: Check::Absent, summary: "rsyslog does not load imudp.".into() },
                "rsyslog loads imudp".into(),
                "Run\n<pre>$ grep -rs imudp /etc/rsyslog.conf /etc/rsyslog.d/</pre>\nNo active line may be shown.".into(),
                None,
            ),
        };
        rule.needs_pkg = Some("rsyslog");
        Some(rule)
    }

    fn oval_aide(&mut self) -> Option<Rule> {
        let dirs = [
            "/etc",
            "/bin",
            "/sbin",
            "/usr/bin",
            "/usr/sbin",
            "/usr/lib",
            "/lib",
            "/boot",
            "/root",
            "/usr/local/bin",
            "/usr/local/sbin",
            "/var/lib/dpkg",
        ];
        let d = *self.r.pick(&dirs);
        let id = format!("aide_covers_{}", id_of(d));
        if self.used.contains(&id) {
            return None;
        }
        let spec = OvalSpec {
            sel: Sel::FileRegex(r"^/etc/aide/aide\.conf(?:\.d/[^/]+)?$".into()),
            pattern: format!(r"^[ \t]*=?{}(?:/|\$)?[ \t]", re_escape(d)),
            check: Check::Present,
            summary: format!("The AIDE configuration has a selection line for {d}."),
        };
        let mut rule = self.oval_rule(
            id, Aide,
            format!("Check {d} with AIDE"),
            format!("The AIDE configuration in <tt>/etc/aide/aide.conf</tt> and <tt>/etc/aide/aide.conf.d/</tt> must\nselect <tt>{d}</tt> for checking, for example with\n<pre>{d} Full</pre>"),
            "Changes to system binaries and configuration are the traces that most intrusions leave behind.",
            spec,
            format!("AIDE does not check {d}"),
            format!("Run\n<pre>$ grep -rs '^{d}' /etc/aide/</pre>\nA selection line must be shown."),
            None,
        );
        rule.needs_pkg = Some("aide");
        Some(rule)
    }

    fn oval_chrony(&mut self) -> Option<Rule> {
        let sel =
            || Sel::FileRegex(r"^/etc/chrony/(?:chrony\.conf|conf\.d/[^/]+\.conf|sources\.d/[^/]+\.sources)$".into());
        let mut rule = if self.r.chance(50) {
            self.oval_rule(
                "chrony_time_source".into(), Chrony,
                "Configure a Time Source for chrony".into(),
                "chrony must have at least one <tt>server</tt> or <tt>pool</tt> directive, in\n<tt>/etc/chrony/chrony.conf</tt> or in <tt>/etc/chrony/sources.d/</tt>:\n<pre>pool 2.debian.pool.ntp.org iburst</pre>".into(),
                "Without a time source the clock drifts, and logs of different systems can no longer be compared.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*(?:server|pool)[ \t]+\S+".into(), check: Check::Present, summary: "chrony has a time source.".into() },
                "chrony has no time source".into(),
                "Run\n<pre>$ chronyc sources</pre>\nAt least one source must be listed.".into(),
                None,
            )
        } else {
            self.oval_rule(
                "chrony_no_cmdallow".into(), Chrony,
                "Do Not Accept chrony Commands from the Network".into(),
                "The <tt>cmdallow</tt> directive lets remote hosts send monitoring commands to chronyd. Remove it\nfrom the chrony configuration.".into(),
                "The command port is an unauthenticated interface that only the local administrator needs.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*cmdallow\b".into(), check: Check::Absent, summary: "chrony accepts no remote commands.".into() },
                "chrony accepts remote commands".into(),
                "Run\n<pre>$ grep -rs cmdallow /etc/chrony/</pre>\nNo active line may be shown.".into(),
                Some("for f in /etc/chrony/chrony.conf /etc/chrony/conf.d/*.conf; do\n    [ -f \"$f\" ] && sed -i -E '/^[[:space:]]*cmdallow([[:space:]]|$)/d' \"$f\"\ndone\n".into()),
            )
        };
        rule.needs_pkg = Some("chrony");
        Some(rule)
    }

    fn oval_sudo(&mut self) -> Option<Rule> {
        let sel = || Sel::FileRegex(r"^/etc/sudoers(?:\.d/[^/]+)?$".into());
        let mut rule = match self.r.below(3) {
            0 => self.oval_rule(
                "sudo_use_pty".into(), Sudoers,
                "Run sudo Commands in a Pseudo Terminal".into(),
                "With <tt>use_pty</tt>, sudo runs commands in a new pseudo terminal, so a command left in the\nbackground cannot read the user's terminal afterwards. Add\n<pre>Defaults use_pty</pre>\nto <tt>/etc/sudoers</tt> or a file in <tt>/etc/sudoers.d/</tt> with <tt>visudo</tt>.".into(),
                "A privileged process that keeps the terminal can inject keystrokes into the user's shell.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*Defaults[ \t]+(?:[^#]*,)?[ \t]*use_pty\b".into(), check: Check::Present, summary: "sudo runs commands in a pseudo terminal.".into() },
                "Defaults use_pty is not set".into(),
                "Run\n<pre>$ sudo grep -rs use_pty /etc/sudoers /etc/sudoers.d/</pre>\nAn active <tt>Defaults use_pty</tt> line must be shown.".into(),
                Some("if [ -d /etc/sudoers.d ] && ! grep -Eqs '^[[:space:]]*Defaults[[:space:]]+([^#]*,)?[[:space:]]*use_pty([^A-Za-z_]|$)' /etc/sudoers /etc/sudoers.d/*; then\n    tmp=$(mktemp)\n    echo 'Defaults use_pty' > \"$tmp\"\n    if visudo -cqf \"$tmp\"; then\n        install -m 0440 \"$tmp\" /etc/sudoers.d/50-use-pty\n    fi\n    rm -f \"$tmp\"\nfi\n".into()),
            ),
            1 => self.oval_rule(
                "sudo_logfile".into(), Sudoers,
                "Log sudo Use to a File".into(),
                "Set a log file for sudo with\n<pre>Defaults logfile=/var/log/sudo.log</pre>\nin <tt>/etc/sudoers</tt> or a file in <tt>/etc/sudoers.d/</tt>.".into(),
                "A separate log of privileged commands is easy to review and to forward.",
                OvalSpec { sel: sel(), pattern: r"^[ \t]*Defaults[ \t]+(?:[^#]*,)?[ \t]*logfile[ \t]*=".into(), check: Check::Present, summary: "sudo logs to a file.".into() },
                "sudo has no log file".into(),
                "Run\n<pre>$ sudo grep -rs logfile /etc/sudoers /etc/sudoers.d/</pre>\nAn active <tt>Defaults logfile=</tt> line must be shown.".into(),
                None,
            ),
            _ => self.oval_rule(
                "sudo_require_authentication".into(), Sudoers,
                "Require Authentication for sudo".into(),
                "No rule in <tt>/etc/sudoers</tt> or <tt>/etc/sudoers.d/</tt> may carry the <tt>NOPASSWD</tt> tag,\nas in\n<pre>admin ALL=(ALL) NOPASSWD: ALL</pre>".into(),
                "Without a password prompt, anything that runs as the user, including malware, runs as root as well.",
                OvalSpec { sel: sel(), pattern: r"^[^#]*\bNOPASSWD[ \t]*:".into(), check: Check::Absent, summary: "No sudo rule has NOPASSWD.".into() },
                "a sudo rule has NOPASSWD".into(),
                "Run\n<pre>$ sudo grep -rs NOPASSWD /etc/sudoers /etc/sudoers.d/</pre>\nNo active line may be shown.".into(),
                None,
            ),
        };
        rule.needs_pkg = Some("sudo");
        Some(rule)
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn fix_header(body: &str, reboot: bool) -> String {
    format!(
        "# platform = multi_platform_all\n# reboot = {reboot}\n# strategy = {}\n# complexity = low\n# disruption = {}\n\n{body}",
        if reboot { "configure" } else { "restrict" },
        if reboot { "medium" } else { "low" }
    )
}

// ---------------------------------------------------------------- rendering

fn render_rule(rule: &Rule, cis: &str, r: &mut Rng) -> String {
    let mut y = String::with_capacity(2048);
    y.push_str("documentation_complete: true\n\nprodtype: debian12\n\n");
    let _ = writeln!(y, "title: {}\n", dq(&rule.title));
    block(&mut y, "description", &rule.description, 0);
    y.push('\n');
    block(&mut y, "rationale", &rule.rationale, 0);
    let _ = writeln!(y, "\nseverity: {}\n", rule.severity);
    let _ = writeln!(y, "references:\n  nist: {}", dq(rule.nist));
    match r.below(10) {
        0..=5 => {
            let _ = writeln!(y, "  cis@debian12: {}", dq(cis));
        }
        6..=7 => {
            let _ = writeln!(y, "  cis: {}", dq(cis));
        }
        _ => {}
    }
    let _ = writeln!(y, "\nocil_clause: {}\n", dq(&rule.ocil_clause));
    block(&mut y, "ocil", &rule.ocil, 0);
    if let Some(w) = &rule.warning {
        let _ = writeln!(y, "\nwarnings:\n  - general: {}", dq(w));
    }
    if let Some(p) = &rule.platform {
        let _ = writeln!(y, "\nplatform: {p}");
    }
    if let Some((name, vars)) = &rule.template {
        let _ = writeln!(y, "\ntemplate:\n  name: {name}\n  vars:");
        for (k, v) in vars {
            // Integers and booleans stay unquoted so that typed parameters
            // get their type.
            if *k == "uid" || *k == "gid" || *k == "missing_parameter_pass" {
                let _ = writeln!(y, "    {k}: {v}");
            } else {
                let _ = writeln!(y, "    {k}: {}", dq(v));
            }
        }
    }
    y
}

fn oval_xml(spec: &OvalSpec, extend: Option<&(String, String)>) -> String {
    const RID: &str = "{{{ rule_id }}}";
    let mut x = String::with_capacity(2048);
    x.push_str("<def-group>\n");
    let _ = writeln!(x, "  <definition class=\"compliance\" id=\"{RID}\" version=\"1\">");
    let _ = writeln!(x, "    <metadata>\n      <title>{{{{{{ rule_title | escape_xml }}}}}}</title>\n      <description>{}</description>\n    </metadata>", xml_escape(&spec.summary));
    let comment = xml_escape(&spec.summary);
    let _ = writeln!(
        x,
        "    <criteria operator=\"AND\">\n      <criterion test_ref=\"test_{RID}\" comment=\"{comment}\"/>"
    );
    if let Some((target, why)) = extend {
        let _ = writeln!(x, "      <extend_definition definition_ref=\"{target}\" comment=\"{}\"/>", xml_escape(why));
    }
    x.push_str("    </criteria>\n  </definition>\n");
    let existence = match spec.check {
        Check::Absent => "none_exist",
        _ => "at_least_one_exists",
    };
    let _ = writeln!(x, "  <ind:textfilecontent54_test id=\"test_{RID}\" check=\"all\" check_existence=\"{existence}\" comment=\"{comment}\" version=\"1\">");
    let _ = writeln!(x, "    <ind:object object_ref=\"obj_{RID}\"/>");
    if let Check::Compare { .. } = spec.check {
        let _ = writeln!(x, "    <ind:state state_ref=\"ste_{RID}\"/>");
    }
    x.push_str("  </ind:textfilecontent54_test>\n");
    let _ = writeln!(x, "  <ind:textfilecontent54_object id=\"obj_{RID}\" version=\"1\">");
    match &spec.sel {
        Sel::File(f) => {
            let _ = writeln!(x, "    <ind:filepath>{}</ind:filepath>", xml_escape(f));
        }
        Sel::FileRegex(re) => {
            let _ = writeln!(x, "    <ind:filepath operation=\"pattern match\">{}</ind:filepath>", xml_escape(re));
        }
        Sel::Dir(d, re) => {
            let _ = writeln!(
                x,
                "    <ind:path>{}</ind:path>\n    <ind:filename operation=\"pattern match\">{}</ind:filename>",
                xml_escape(d),
                xml_escape(re)
            );
        }
    }
    let _ = writeln!(x, "    <ind:pattern operation=\"pattern match\">{}</ind:pattern>", xml_escape(&spec.pattern));
    x.push_str("    <ind:instance datatype=\"int\" operation=\"greater than or equal\">1</ind:instance>\n  </ind:textfilecontent54_object>\n");
    if let Check::Compare { datatype, op, value, var } = &spec.check {
        let _ = writeln!(x, "  <ind:textfilecontent54_state id=\"ste_{RID}\" version=\"1\">");
        match var {
            Some(v) => {
                let _ = writeln!(x, "    <ind:subexpression datatype=\"{datatype}\" operation=\"{op}\" var_ref=\"{v}\" var_check=\"all\"/>");
            }
            None => {
                let _ = writeln!(
                    x,
                    "    <ind:subexpression datatype=\"{datatype}\" operation=\"{op}\">{}</ind:subexpression>",
                    xml_escape(value)
                );
            }
        }
        x.push_str("  </ind:textfilecontent54_state>\n");
        if let Some(v) = var {
            // The shared macro, so that every fragment declaring this
            // external variable has identical text.
            let _ = writeln!(x, "{{{{{{ external_variable(\"{v}\", \"{datatype}\") }}}}}}");
        }
    }
    x.push_str("</def-group>\n");
    x
}

// ---------------------------------------------------------------- tests

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn by_path(t: &Tree) -> HashMap<String, &String> {
        t.files.iter().map(|(p, c)| (p.to_string_lossy().into_owned(), c)).collect()
    }

    #[test]
    fn id_forms() {
        assert_eq!(snake("GSSAPIAuthentication"), "gssapi_authentication");
        assert_eq!(snake("UseDNS"), "use_dns");
        assert_eq!(snake("X11Forwarding"), "x11_forwarding");
        assert_eq!(key_id("PASS_MAX_DAYS"), "pass_max_days");
        assert_eq!(key_id("ForwardToSyslog"), "forward_to_syslog");
        assert_eq!(key_id("Unattended-Upgrade"), "unattended_upgrade");
        assert_eq!(path_id("/etc/passwd-"), "etc_passwd_backup");
        assert_eq!(id_of("net.ipv4.conf.all.rp_filter"), "net_ipv4_conf_all_rp_filter");
    }

    #[test]
    fn deterministic_for_a_seed() {
        let a = generate(500, 42);
        let b = generate(500, 42);
        assert_eq!(a.files, b.files);
        let c = generate(500, 43);
        assert_ne!(a.files, c.files, "the seed changes nothing");
    }

    #[test]
    fn file_counts() {
        for n in [1usize, 50, 2000] {
            let t = generate(n, 7);
            let count = |suffix: &str| t.files.iter().filter(|(p, _)| p.to_string_lossy().ends_with(suffix)).count();
            assert_eq!(count("/rule.yml"), n);
            assert_eq!(t.summary.rules, n);
            assert_eq!(count("/group.yml"), t.summary.groups);
            assert!(t.summary.groups >= 20, "{} groups", t.summary.groups);
            assert_eq!(count(".var"), t.summary.values);
            assert_eq!(count(".profile"), 3);
            assert_eq!(count("/oval/shared.xml"), t.summary.oval_rules);
            assert_eq!(count("/bash/shared.sh"), t.summary.bash_fixes);
            if n == 2000 {
                // ~10% hand-written OVAL, some extending another definition.
                assert!((140..=260).contains(&t.summary.oval_rules), "{} OVAL rules", t.summary.oval_rules);
                assert!(t.summary.extends >= 20, "{} extends", t.summary.extends);
                assert!(t.summary.values >= 20, "{} values", t.summary.values);
            }
        }
    }

    #[test]
    fn ids_unique_and_well_formed() {
        let t = generate(3000, 1);
        let mut seen = HashSet::new();
        for (p, _) in &t.files {
            let s = p.to_string_lossy();
            let id = if s.ends_with("/rule.yml") || s.ends_with("/group.yml") {
                p.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned()
            } else if s.ends_with(".var") {
                p.file_stem().unwrap().to_string_lossy().into_owned()
            } else {
                continue;
            };
            assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "bad id {id}");
            assert!(seen.insert(id.clone()), "duplicate id {id}");
        }
        assert!(seen.len() > 3000);
    }

    #[test]
    fn references_resolve() {
        let t = generate(2000, 3);
        let files = by_path(&t);
        let mut defs = HashSet::new();
        let mut values = HashSet::new();
        for (p, _) in &t.files {
            let s = p.to_string_lossy();
            if s.ends_with("/rule.yml") {
                defs.insert(p.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned());
            } else if s.ends_with(".var") {
                values.insert(p.file_stem().unwrap().to_string_lossy().into_owned());
            }
        }
        for (p, c) in &t.files {
            let s = p.to_string_lossy();
            if s.ends_with("/oval/shared.xml") {
                for part in c.split("definition_ref=\"").skip(1) {
                    let target = &part[..part.find('"').unwrap()];
                    assert!(defs.contains(target), "{s} extends unknown {target}");
                }
                assert_eq!(c.matches("<def-group>").count(), 1);
            }
            for part in c.split("xccdf_value(\"").skip(1).chain(c.split("external_variable(\"").skip(1)) {
                let v = &part[..part.find('"').unwrap()];
                assert!(values.contains(v), "{s} uses unknown Value {v}");
            }
            if s.ends_with("/rule.yml") {
                if let Some(i) = c.find("xccdf_variable: \"") {
                    let rest = &c[i + 17..];
                    let v = &rest[..rest.find('"').unwrap()];
                    assert!(values.contains(v), "{s} uses unknown Value {v}");
                }
            }
        }
        // Profile selections name existing ids and selectors.
        let std = files["profiles/synth_standard.profile"];
        assert!(std.lines().filter(|l| l.starts_with("  - ")).count() > 1500);
        assert!(files["profiles/synth_hardened.profile"].contains("extends: synth_standard"));
    }
}
