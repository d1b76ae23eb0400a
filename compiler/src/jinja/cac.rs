//! ComplianceAsCode's Jinja dialect on top of minijinja: the filters and
//! globals that CaC's Python build adds (`ssg/jinja.py`, `ssg/utils.py`),
//! Python's way of printing values (`None`, `True`, `['a']`), Python string
//! and dict methods, and a line-preserving rewrite of the two Python
//! constructs minijinja cannot express: `'fmt' % args` and
//! `{{{ list.append(x) or "" }}}`.

use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, State, Value};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Product ids and their full names, as CaC's `product_to_name` knows them.
const PRODUCT_NAMES: &[(&str, &str)] = &[
    ("alinux2", "Alibaba Cloud Linux 2"),
    ("alinux3", "Alibaba Cloud Linux 3"),
    ("almalinux9", "AlmaLinux OS 9"),
    ("anolis8", "Anolis OS 8"),
    ("anolis23", "Anolis OS 23"),
    ("al2023", "Amazon Linux 2023"),
    ("debian11", "Debian 11"),
    ("debian12", "Debian 12"),
    ("debian13", "Debian 13"),
    ("example", "Example"),
    ("eks", "Amazon Elastic Kubernetes Service"),
    ("fedora", "Fedora"),
    ("firefox", "Firefox"),
    ("hummingbird", "Hummingbird"),
    ("kylinserver10", "Kylin Server 10"),
    ("kylinsecserver6", "KylinSec Server 6"),
    ("ocp4", "Red Hat OpenShift Container Platform 4"),
    ("rhcos4", "Red Hat Enterprise Linux CoreOS 4"),
    ("ol7", "Oracle Linux 7"),
    ("ol8", "Oracle Linux 8"),
    ("ol9", "Oracle Linux 9"),
    ("ol10", "Oracle Linux 10"),
    ("openeuler2203", "openEuler 2203"),
    ("opensuse", "openSUSE"),
    ("rhel8", "Red Hat Enterprise Linux 8"),
    ("rhel9", "Red Hat Enterprise Linux 9"),
    ("rhel10", "Red Hat Enterprise Linux 10"),
    ("rhv4", "Red Hat Virtualization 4"),
    ("sle12", "SUSE Linux Enterprise 12"),
    ("sle15", "SUSE Linux Enterprise 15"),
    ("sle16", "SUSE Linux Enterprise 16"),
    ("slmicro5", "SUSE Linux Enterprise Micro 5"),
    ("slmicro6", "SUSE Linux Enterprise Micro 6"),
    ("tencentos4", "TencentOS Server 4"),
    ("ubuntu2204", "Ubuntu 22.04"),
    ("ubuntu2404", "Ubuntu 24.04"),
    ("ubuntu2604", "Ubuntu 26.04"),
    ("openembedded", "OpenEmbedded"),
];

/// Product families that `product_to_name` maps to `multi_platform_<x>`.
pub const MULTI_PLATFORM: &[&str] = &[
    "rhel",
    "fedora",
    "rhv",
    "debian",
    "ubuntu",
    "openeuler",
    "kylinserver",
    "kylinsecserver",
    "hummingbird",
    "opensuse",
    "sle",
    "tencentos",
    "ol",
    "ocp",
    "rhcos",
    "example",
    "eks",
    "alinux",
    "anolis",
    "openembedded",
    "al",
    "slmicro",
    "almalinux",
];

/// Properties a product gets when its product.yml does not set them:
/// (key, default).
const DEFAULT_PROPERTIES: &[(&str, &str)] = &[
    ("dconf_gdm_dir", "gdm.d"),
    ("aide_conf_path", "/etc/aide.conf"),
    ("aide_bin_path", "/usr/sbin/aide"),
    ("audit_watches_style", "legacy"),
    ("rsyslog_cafile", "/etc/pki/tls/cert.pem"),
    ("sshd_distributed_config", "false"),
    ("sshd_runtime_check", "false"),
    ("sshd_main_config_file", "/etc/ssh/sshd_config"),
    ("sshd_config_dir", "/etc/ssh/sshd_config.d"),
    ("sshd_hardening_config_basename", "00-complianceascode-hardening.conf"),
    ("sshd_sysconfig_file", "/etc/sysconfig/sshd"),
    ("ssh_client_main_config_file", "/etc/ssh/ssh_config"),
    ("ssh_client_config_dir", "/etc/ssh/ssh_config.d"),
    ("openssh_client_crypto_policy_config_file", "/etc/crypto-policies/back-ends/openssh.config"),
    ("openssh_server_crypto_policy_config_file", "/etc/crypto-policies/back-ends/opensshserver.config"),
    ("product", "example"),
    ("chrony_conf_path", "/etc/chrony.conf"),
    ("chrony_d_path", "/etc/chrony.d/"),
    ("audisp_conf_path", "/etc/audit"),
    ("faillock_path", "/var/run/faillock"),
    ("sysctl_remediate_drop_in_file", "false"),
    ("bootable_containers_supported", "false"),
];

/// Platform packages every product starts from (`platform_package_overrides`
/// in product.yml adds to and overrides them); `None` means the platform
/// has no package check.
const PLATFORM_PACKAGES: &[(&str, Option<&str>)] = &[
    ("grub2", Some("grub2-common")),
    ("login_defs", Some("login")),
    ("sssd", Some("sssd-common")),
    ("zipl", Some("s390utils-base")),
    ("sssd-ldap", None),
    ("uefi", None),
    ("non-uefi", None),
    ("not_s390x_arch", None),
    ("s390x_arch", None),
    ("not_aarch64_arch", None),
    ("aarch64_arch", None),
    ("ovirt", None),
    ("no_ovirt", None),
];

/// `platform_package_overrides` as CaC's build sees it: its defaults
/// (`grub2` -> `grub2-common`, ...) with the product's own mapping
/// (`overrides`, the value product.yml gives) merged over them.
pub fn platform_packages(overrides: Option<&serde_json::Value>) -> serde_json::Value {
    use serde_json::Value as J;
    let mut packages = serde_json::Map::new();
    for (k, v) in PLATFORM_PACKAGES {
        packages.insert((*k).into(), v.map(J::from).unwrap_or(J::Null));
    }
    if let Some(J::Object(o)) = overrides {
        for (k, v) in o {
            packages.insert(k.clone(), v.clone());
        }
    }
    J::Object(packages)
}

/// The variables CaC's build gives every Jinja source of a product: the
/// keys of product.yml, the properties they imply (package system, default
/// paths, ...), then the `default:` and `overrides:` of each file of
/// `product_properties/` (given as (name, source), read in name order, each
/// rendered with the properties so far). A property file may not redefine
/// a property. Errors name the file. Read `product` with [`yaml_to_json`]
/// to see its values as CaC does.
pub fn product_properties(
    product: &serde_json::Map<String, serde_json::Value>,
    property_files: &[(String, String)],
) -> Result<std::collections::BTreeMap<String, serde_json::Value>, String> {
    use serde_json::Value as J;
    let mut props: std::collections::BTreeMap<String, J> =
        product.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    props.insert("platform_package_overrides".into(), platform_packages(product.get("platform_package_overrides")));
    if let Some(J::String(pm)) = product.get("pkg_manager") {
        if !props.contains_key("pkg_system") {
            let sys = match pm.as_str() {
                "yum" | "zypper" | "dnf" => "rpm",
                "apt_get" => "dpkg",
                other => return Err(format!("product.yml: unknown pkg_manager `{other}`")),
            };
            props.insert("pkg_system".into(), J::from(sys));
        }
        if !props.contains_key("pkg_manager_config_file") {
            let file = match pm.as_str() {
                "yum" => Some("/etc/yum.conf"),
                "dnf" => Some("/etc/dnf/dnf.conf"),
                "zypper" => Some("/etc/zypp/zypper.conf"),
                _ => None,
            };
            if let Some(f) = file {
                props.insert("pkg_manager_config_file".into(), J::from(f));
            }
        }
    }
    props.entry("groups".into()).or_insert_with(|| J::Object(Default::default()));
    for (k, v) in DEFAULT_PROPERTIES {
        props.entry((*k).into()).or_insert_with(|| J::from(*v));
    }
    if !props.contains_key("sshd_config_base_dir") {
        let main = props.get("sshd_main_config_file").and_then(J::as_str).unwrap_or_default();
        let dir = main.rfind('/').map(|i| &main[..i]).unwrap_or("");
        props.insert("sshd_config_base_dir".into(), J::from(dir));
    }
    props.entry("xwindows_packages".into()).or_insert_with(|| {
        J::from(vec![
            "xorg-x11-server-Xorg",
            "xorg-x11-server-common",
            "xorg-x11-server-utils",
            "xorg-x11-server-Xwayland",
        ])
    });
    let mut files: Vec<&(String, String)> = property_files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    // CaC renders property files with a bare environment: its delimiters
    // and Jinja2's defaults, no macros.
    let mut env = Environment::new();
    env.set_syntax(super::syntax());
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
    env.set_formatter(|out, _state, value| {
        if !value.is_undefined() {
            out.write_str(&py_str(value))?;
        }
        Ok(())
    });
    env.set_unknown_method_callback(py_method);
    for (name, src) in files {
        let rendered =
            env.render_str(&rewrite(src), Value::from_serialize(&props)).map_err(|e| format!("{name}: {e}"))?;
        let doc = crate::yaml::parse(&rendered).map_err(|e| format!("{name}: {}", e.message))?;
        let J::Object(mut m) = yaml_to_json(&doc) else {
            return Err(format!("{name}: expected a mapping with `default:` and `overrides:`"));
        };
        let mut new = serde_json::Map::new();
        for key in ["default", "overrides"] {
            match m.remove(key) {
                Some(J::Object(o)) => new.extend(o),
                Some(J::Null) | None if key == "overrides" => {}
                Some(J::Null) => {}
                None => return Err(format!("{name}: has no `default:` mapping")),
                Some(_) => return Err(format!("{name}: `{key}` is not a mapping")),
            }
        }
        if let Some(k) = m.keys().next() {
            return Err(format!("{name}: unexpected key `{k}` (only `default` and `overrides`)"));
        }
        for (k, v) in new {
            if props.contains_key(&k) {
                return Err(format!("{name}: the property `{k}` is already defined"));
            }
            props.insert(k, v);
        }
    }
    Ok(props)
}

/// A YAML node read as CaC's YAML reader reads it: boolean words stay the
/// strings written (`yes`, `true`), integers are numbers (a leading `0`
/// means octal, as in YAML 1.1), `~`/`null` is nothing, everything else a
/// string.
pub fn yaml_to_json(n: &crate::yaml::Node) -> serde_json::Value {
    use crate::yaml::Value as Y;
    use serde_json::Value as J;
    match &n.value {
        Y::Null => J::Null,
        Y::Scalar { text, plain: false } => J::String(text.clone()),
        Y::Scalar { text, plain: true } => {
            let t = text.as_str();
            if matches!(t, "~" | "null" | "Null" | "NULL" | "") {
                J::Null
            } else if t.len() > 1 && t.starts_with('0') && t.bytes().all(|c| (b'0'..=b'7').contains(&c)) {
                i64::from_str_radix(t, 8).map(J::from).unwrap_or_else(|_| J::String(t.into()))
            } else if let Ok(i) = t.parse::<i64>() {
                J::from(i)
            } else if let Some(f) = t.parse::<f64>().ok().filter(|f| f.is_finite() && t.contains('.')) {
                serde_json::Number::from_f64(f).map(J::Number).unwrap_or_else(|| J::String(t.into()))
            } else {
                J::String(t.to_owned())
            }
        }
        Y::Seq(items) => J::Array(items.iter().map(yaml_to_json).collect()),
        Y::Map(pairs) => {
            J::Object(pairs.iter().map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), yaml_to_json(v))).collect())
        }
    }
}

/// Registers CaC's filters, globals, Python methods and value printing.
pub fn register(env: &mut Environment<'static>) {
    env.add_filter("banner_anchor_wrap", |s: String| format!("^{s}$"));
    env.add_filter("banner_regexify", |s: String| banner_regexify(&s));
    env.add_filter("escape_id", |s: String| escape_id(&s));
    env.add_filter("escape_regex", |s: String| escape_regex(&s));
    env.add_filter("escape_yaml_key", |s: String| escape_yaml_key(&s));
    env.add_filter("quote", |s: String| shell_quote(&s));
    env.add_filter("sha256", |s: String| sha256_hex(&s));
    env.add_filter("pyformat", pyformat);
    env.add_filter("urlencode", |s: String| url_encode(&s));
    env.add_filter("xmlattr", xmlattr);
    env.add_filter("indent", jinja2_indent);
    // Jinja2's `replace(old, new, count)`: minijinja's takes no count.
    env.add_filter("replace", |v: Value, old: String, new: String, count: Option<i64>| -> String {
        let s = py_str(&v);
        match count {
            Some(n) if n >= 0 => s.replacen(&old, &new, n as usize),
            _ => s.replace(&old, &new),
        }
    });
    // Jinja2's undefined has length 0; minijinja refuses it.
    env.add_filter("length", |v: Value| -> Result<usize, Error> {
        if v.is_undefined() {
            return Ok(0);
        }
        v.len().ok_or_else(|| invalid(format!("cannot calculate the length of {}", v.kind())))
    });
    env.add_filter("count", |v: Value| -> Result<usize, Error> {
        if v.is_undefined() {
            return Ok(0);
        }
        v.len().ok_or_else(|| invalid(format!("cannot calculate the length of {}", v.kind())))
    });
    env.add_function("product_to_name", |p: String| product_to_name(&p).map_err(invalid));
    env.add_function("name_to_platform", |v: Value| name_to_platform(&v));
    env.add_function("product_to_platform", |v: Value| product_to_platform(&v));
    env.add_function("url_encode", |s: String| url_encode(&s));
    env.add_function("raise", |msg: String| -> Result<Value, Error> { Err(invalid(msg)) });
    env.add_function("expand_yaml_path", |path: String, parameter: String| expand_yaml_path(&path, &parameter));
    register_template_helpers(env);
    env.set_unknown_method_callback(py_method);
    env.set_formatter(|out, _state, value| {
        if value.is_undefined() {
            return Ok(());
        }
        match value.as_str() {
            Some(s) => out.write_str(s)?,
            None => out.write_str(&py_str(value))?,
        }
        Ok(())
    });
}

/// Helpers for the template preprocessing steps
/// (`templates/cac_preprocess.yml`).
fn register_template_helpers(env: &mut Environment<'static>) {
    env.add_filter("template_bool", template_bool);
    env.add_filter("xml_unescape", |s: String| s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"));
    env.add_filter("is_int", |v: Value| is_int(&v));
    env.add_filter("ends_with_slash", |s: String| s.ends_with('/'));
    env.add_filter("is_evr", |s: String| is_evr(&s));
    env.add_filter("basename", |s: String| s.rsplit('/').next().unwrap_or_default().to_owned());
    env.add_filter("normpath", |s: String| normpath(&s));
    env.add_function("path_join", |a: String, b: String| {
        if b.starts_with('/') || a.is_empty() {
            b
        } else if a.ends_with('/') {
            a + &b
        } else {
            format!("{a}/{b}")
        }
    });
    env.add_function("file_mode_oval_state", |mode: String, stricter: bool| file_mode_oval_state(&mode, stricter));
    env.add_function("file_mode_symbolic", |mode: String, stricter: bool| {
        file_mode_symbolic(&mode, stricter).map(|(a, b)| Value::from(vec![a, b]))
    });
    env.add_function("rsyslog_mode_oval_state", |mode: String| rsyslog_mode_oval_state(&mode));
    env.add_test("is_digits", |s: String| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()));
    env.add_test("is_ev_version", |s: String| is_ev_version(&s));
}

/// CaC's true/false template parameters: unset or empty gives `default`.
fn template_bool(v: Value, default: bool) -> Result<bool, Error> {
    if v.is_undefined() || v.is_none() || !v.is_true() {
        return Ok(default);
    }
    match (v.as_str(), v.kind()) {
        (Some("true"), _) => Ok(true),
        (Some("false"), _) => Ok(false),
        (None, ValueKind::Bool) => Ok(v.is_true()),
        _ => Err(invalid(format!("a true/false template parameter cannot take the value `{v}`"))),
    }
}

/// Whether Python's `int()` accepts the value.
fn is_int(v: &Value) -> bool {
    match v.kind() {
        ValueKind::Number => i64::try_from(v.clone()).is_ok(),
        ValueKind::Bool => true,
        _ => v.as_str().is_some_and(|s| {
            let t = s.trim().replace('_', "");
            let t = t.strip_prefix(['+', '-']).unwrap_or(&t);
            !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
        }),
    }
}

/// `epoch:version-release` as CaC requires it for `evr`: a digit, `:`, a
/// digit and word characters, `-`, a digit and word characters (a prefix
/// match, as Python's `re.match`).
fn is_evr(s: &str) -> bool {
    let b = s.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'+' || c == b'.';
    if b.len() < 5 || !b[0].is_ascii_digit() || b[1] != b':' || !b[2].is_ascii_digit() {
        return false;
    }
    // Some `-digit` must follow the version's word characters.
    (3..b.len())
        .any(|k| b[k] == b'-' && b[3..k].iter().all(|&c| word(c)) && b.get(k + 1).is_some_and(u8::is_ascii_digit))
}

/// `epoch:version` with at most three version parts (`0:1.2.3`).
fn is_ev_version(s: &str) -> bool {
    let Some((e, v)) = s.split_once(':') else { return false };
    let num = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
    let parts: Vec<&str> = v.split('.').collect();
    num(e) && parts.len() <= 3 && parts.iter().all(|p| num(p))
}

/// Python's `os.path.normpath` for absolute and relative POSIX paths.
/// Jinja2's `indent(s, width=4, first=False, blank=False)`: a trailing
/// newline of `s` is kept (minijinja's drops it), blank lines are indented
/// only with `blank`; `width` may be a string to indent with.
fn jinja2_indent(s: String, width: Option<Value>, first: Option<bool>, blank: Option<bool>) -> String {
    let pad = match &width {
        Some(w) if w.as_str().is_some() => w.as_str().unwrap_or_default().to_owned(),
        Some(w) => " ".repeat(usize::try_from(w.clone()).unwrap_or(0)),
        None => "    ".to_owned(),
    };
    // As Python: `s + "\n"`, then `splitlines()`.
    let with_nl = format!("{s}\n");
    let lines: Vec<&str> = with_nl.lines().collect();
    let mut out = if blank.unwrap_or(false) {
        lines.join(&format!("\n{pad}"))
    } else {
        let mut it = lines.iter();
        let mut out = it.next().copied().unwrap_or_default().to_owned();
        for l in it {
            out.push('\n');
            if !l.is_empty() {
                out.push_str(&pad);
            }
            out.push_str(l);
        }
        out
    };
    if first.unwrap_or(false) {
        out.insert_str(0, &pad);
    }
    out
}

fn normpath(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let abs = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !abs {
                    parts.push("..");
                }
            }
            c => parts.push(c),
        }
    }
    let joined = parts.join("/");
    match (abs, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

fn octal(mode: &str) -> Result<u32, Error> {
    u32::from_str_radix(mode.trim().trim_start_matches("0o"), 8)
        .map_err(|_| invalid(format!("`{mode}` is not an octal file mode")))
}

const MODE_FIELDS: [&str; 12] =
    ["oexec", "owrite", "oread", "gexec", "gwrite", "gread", "uexec", "uwrite", "uread", "sticky", "sgid", "suid"];

/// The `unix:file_state` permission entities of a file mode, from `suid`
/// down to `oexec`. With `stricter`, bits set in the mode are not checked
/// (only the bits that must be clear are).
fn file_mode_oval_state(mode: &str, stricter: bool) -> Result<String, Error> {
    let mut m = octal(mode)?;
    let mut lines: Vec<String> = Vec::new();
    for f in MODE_FIELDS {
        if m & 1 == 1 {
            if !stricter {
                lines.push(format!("<unix:{f} datatype=\"boolean\">true</unix:{f}>"));
            }
        } else {
            lines.push(format!("<unix:{f} datatype=\"boolean\">false</unix:{f}>"));
        }
        m >>= 1;
    }
    lines.reverse();
    Ok(lines.join("\n"))
}

/// The bits a file mode clears, as the rsyslog template checks them.
fn rsyslog_mode_oval_state(mode: &str) -> Result<String, Error> {
    let mut m = octal(mode)?;
    let mut lines: Vec<String> = Vec::new();
    for f in MODE_FIELDS {
        if m & 1 == 0 {
            lines.push(format!("<unix:{f} datatype=\"boolean\">false</unix:{f}>"));
        }
        m >>= 1;
    }
    lines.reverse();
    Ok(lines.join("\n"))
}

/// (search mode, fix mode) of `chmod`/`find -perm` for a file mode: the bits
/// to look for as `u+..,g+..,o+..` and to clear as `u-..,g-..,o-..`. With
/// `stricter` these are the bits the mode does not allow, else the ones it
/// has.
fn file_mode_symbolic(mode: &str, stricter: bool) -> Result<(String, String), Error> {
    const FIELDS: [(usize, char); 12] = [
        (2, 'x'),
        (2, 'w'),
        (2, 'r'),
        (1, 'x'),
        (1, 'w'),
        (1, 'r'),
        (0, 'x'),
        (0, 'w'),
        (0, 'r'),
        (2, 't'),
        (1, 's'),
        (0, 's'),
    ];
    let mut m = octal(mode)?;
    let mut who = [String::new(), String::new(), String::new()];
    for (w, c) in FIELDS {
        if (m & 1 == 1) != stricter {
            who[w].push(c);
        }
        m >>= 1;
    }
    let (mut search, mut fix) = (Vec::new(), Vec::new());
    for (i, letters) in who.iter().enumerate() {
        if !letters.is_empty() {
            let u = ["u", "g", "o"][i];
            search.push(format!("{u}+{letters}"));
            fix.push(format!("{u}-{letters}"));
        }
    }
    Ok((search.join(","), fix.join(",")))
}

fn invalid(msg: impl Into<Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Python 3.7's `re.escape` character set, as CaC's `escape_regex`.
pub fn escape_regex(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "#$&*+.?^`|~:()[]-".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Runs of characters that are not word characters become one `_`;
/// leading and trailing `_` go.
pub fn escape_id(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.trim_matches('_').to_owned()
}

/// A banner text as a regex: escaped, spaces match any run of blanks and
/// newlines, newlines match real or `\n`-escaped newlines.
pub fn banner_regexify(s: &str) -> String {
    escape_regex(s).replace('\n', "BFLMPSVZ").replace(' ', "[\\s\\n]+").replace("BFLMPSVZ", "(?:[\\n]+|(?:\\\\n)+)")
}

/// Upper-case letters and `^` get a `^` in front; then all lower case.
pub fn escape_yaml_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() || c == '^' {
            out.push('^');
        }
        out.push(c);
    }
    out.to_lowercase()
}

/// POSIX shell quoting as Python's `shlex.quote` does it.
pub fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c)) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

pub fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Python's `urllib.parse.quote` with its default safe character `/`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

pub fn product_to_name(prod: &str) -> Result<String, String> {
    if let Some((_, name)) = PRODUCT_NAMES.iter().find(|(id, _)| *id == prod) {
        return Ok((*name).to_owned());
    }
    if prod == "all" || MULTI_PLATFORM.contains(&prod) {
        return Ok(format!("multi_platform_{prod}"));
    }
    Err(format!("unknown product name: {prod}"))
}

fn name_to_platform(v: &Value) -> Result<String, Error> {
    if let Some(s) = v.as_str() {
        return Ok(format!("<platform>{s}</platform>"));
    }
    let mut parts = Vec::new();
    for item in v.try_iter()? {
        parts.push(name_to_platform(&item)?);
    }
    Ok(parts.join("\n"))
}

fn product_to_platform(v: &Value) -> Result<String, Error> {
    if let Some(s) = v.as_str() {
        let name = product_to_name(s).map_err(invalid)?;
        return name_to_platform(&Value::from(name));
    }
    let mut parts = Vec::new();
    for item in v.try_iter()? {
        parts.push(product_to_platform(&item)?);
    }
    Ok(parts.join("\n"))
}

/// A dotted path as nested YAML keys, two spaces of indent per level, with
/// `parameter` one level below the last key.
pub fn expand_yaml_path(path: &str, parameter: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let depth = i + 1;
        out.push_str(&"  ".repeat(depth));
        out.push_str(part);
        if depth != parts.len() {
            out.push_str(":\n");
        } else if !parameter.is_empty() {
            out.push_str(":\n");
            out.push_str(&"  ".repeat(depth + 1));
            out.push_str(parameter);
        }
    }
    out
}

/// `'fmt' % args` (rewritten to `'fmt' | pyformat(args)`): a sequence gives
/// the arguments, anything else is the one argument.
fn pyformat(fmt: String, args: Value) -> Result<String, Error> {
    let list: Vec<Value> = if args.kind() == ValueKind::Seq { args.try_iter()?.collect() } else { vec![args] };
    // Numbers stay numbers (for `%d`); other values print as Python does.
    let list: Vec<Value> = list
        .into_iter()
        .map(|v| match v.kind() {
            ValueKind::String | ValueKind::Number => v,
            _ => Value::from(py_str(&v)),
        })
        .collect();
    minijinja::format_filter(minijinja::FormatStyle::Printf, &fmt, &list)
}

/// Python's `str()` of a value.
/// Jinja2's `xmlattr`: a mapping as XML attributes, ` key="value"` each
/// (keys and values escaped as markupsafe escapes), values that are none
/// or undefined left out, a leading space when any is written.
fn xmlattr(v: Value) -> Result<String, Error> {
    fn esc(s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
    }
    if v.kind() != ValueKind::Map {
        return Err(invalid(format!("xmlattr needs a mapping, not {}", v.kind())));
    }
    let mut out = String::new();
    for k in v.try_iter()? {
        let val = v.get_item(&k)?;
        if val.is_undefined() || val.is_none() {
            continue;
        }
        let key = py_str(&k);
        if key.is_empty() || key.chars().any(|c| c.is_whitespace() || matches!(c, '/' | '>' | '=')) {
            return Err(invalid(format!("xmlattr: invalid character in attribute name {key:?}")));
        }
        out.push_str(&format!(" {}=\"{}\"", esc(&key), esc(&py_str(&val))));
    }
    Ok(out)
}

pub fn py_str(v: &Value) -> String {
    match v.as_str() {
        Some(s) => s.to_owned(),
        None => py_repr(v),
    }
}

/// Python's `repr()` of a value (strings in single quotes, `None`, `True`).
pub fn py_repr(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => String::new(),
        ValueKind::None => "None".into(),
        ValueKind::Bool => if v.is_true() { "True" } else { "False" }.into(),
        ValueKind::String => {
            let s = v.as_str().unwrap_or_default();
            if s.contains('\'') && !s.contains('"') {
                format!("\"{s}\"")
            } else {
                let mut out = String::from("'");
                for c in s.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        '\r' => out.push_str("\\r"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
                out
            }
        }
        ValueKind::Seq | ValueKind::Iterable => match v.try_iter() {
            Ok(it) => format!("[{}]", it.map(|x| py_repr(&x)).collect::<Vec<_>>().join(", ")),
            Err(_) => v.to_string(),
        },
        ValueKind::Map => match v.try_iter() {
            Ok(it) => {
                let items: Vec<String> = it
                    .map(|k| {
                        let val = v.get_item(&k).unwrap_or_default();
                        format!("{}: {}", py_repr(&k), py_repr(&val))
                    })
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            Err(_) => v.to_string(),
        },
        _ => v.to_string(),
    }
}

fn str_arg<'a>(args: &'a [Value], i: usize, method: &str) -> Result<Option<&'a str>, Error> {
    match args.get(i) {
        None => Ok(None),
        Some(v) if v.is_none() || v.is_undefined() => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("{method}() needs a string argument"))),
    }
}

fn int_arg(args: &[Value], i: usize) -> Option<i64> {
    args.get(i).and_then(|v| i64::try_from(v.clone()).ok())
}

fn strip_set<'a>(s: &'a str, chars: Option<&str>, left: bool, right: bool) -> &'a str {
    let set = |c: char| match chars {
        Some(set) => set.contains(c),
        None => c.is_whitespace(),
    };
    let mut r = s;
    if left {
        r = r.trim_start_matches(set);
    }
    if right {
        r = r.trim_end_matches(set);
    }
    r
}

fn split(s: &str, sep: Option<&str>, max: Option<i64>, from_right: bool) -> Vec<Value> {
    let max = max.filter(|m| *m >= 0).map(|m| m as usize);
    let parts: Vec<String> = match sep {
        Some(sep) => match (max, from_right) {
            (Some(m), false) => s.splitn(m + 1, sep).map(str::to_owned).collect(),
            (Some(m), true) => {
                let mut v: Vec<String> = s.rsplitn(m + 1, sep).map(str::to_owned).collect();
                v.reverse();
                v
            }
            (None, _) => s.split(sep).map(str::to_owned).collect(),
        },
        None => {
            // Runs of whitespace separate; no empty strings.
            let words: Vec<&str> = s.split_whitespace().collect();
            match max {
                Some(m) if words.len() > m + 1 && !from_right => {
                    let mut v: Vec<String> = words[..m].iter().map(|w| (*w).to_owned()).collect();
                    let mut rest = s.trim_start();
                    for _ in 0..m {
                        rest =
                            rest.trim_start()[rest.trim_start().find(char::is_whitespace).unwrap_or(0)..].trim_start();
                    }
                    v.push(rest.to_owned());
                    v
                }
                _ => words.iter().map(|w| (*w).to_owned()).collect(),
            }
        }
    };
    parts.into_iter().map(Value::from).collect()
}

/// Python methods on strings, lists and dicts.
fn py_method(_state: &State, value: &Value, method: &str, args: &[Value]) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        let b = |x: bool| Ok(Value::from(x));
        return match method {
            "split" => Ok(Value::from(split(s, str_arg(args, 0, method)?, int_arg(args, 1), false))),
            "rsplit" => Ok(Value::from(split(s, str_arg(args, 0, method)?, int_arg(args, 1), true))),
            "strip" => Ok(Value::from(strip_set(s, str_arg(args, 0, method)?, true, true))),
            "lstrip" => Ok(Value::from(strip_set(s, str_arg(args, 0, method)?, true, false))),
            "rstrip" => Ok(Value::from(strip_set(s, str_arg(args, 0, method)?, false, true))),
            "upper" => Ok(Value::from(s.to_uppercase())),
            "lower" => Ok(Value::from(s.to_lowercase())),
            "capitalize" => {
                let mut c = s.chars();
                Ok(Value::from(match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                    None => String::new(),
                }))
            }
            "replace" => {
                let (Some(from), Some(to)) = (str_arg(args, 0, method)?, str_arg(args, 1, method)?) else {
                    return Err(invalid("replace() needs two strings"));
                };
                Ok(Value::from(match int_arg(args, 2) {
                    Some(n) if n >= 0 => s.replacen(from, to, n as usize),
                    _ => s.replace(from, to),
                }))
            }
            "startswith" | "endswith" => {
                let test = |p: &str| if method == "startswith" { s.starts_with(p) } else { s.ends_with(p) };
                match args.first() {
                    Some(v) if v.kind() == ValueKind::Seq => {
                        b(v.try_iter()?.any(|p| p.as_str().map(test).unwrap_or(false)))
                    }
                    _ => b(str_arg(args, 0, method)?.map(test).unwrap_or(false)),
                }
            }
            "find" | "index" => {
                let needle = str_arg(args, 0, method)?.unwrap_or_default();
                match s.find(needle) {
                    Some(i) => Ok(Value::from(s[..i].chars().count() as i64)),
                    None if method == "find" => Ok(Value::from(-1)),
                    None => Err(invalid("substring not found")),
                }
            }
            "count" => Ok(Value::from(s.matches(str_arg(args, 0, method)?.unwrap_or_default()).count())),
            "join" => {
                let Some(items) = args.first() else { return Err(invalid("join() needs a list")) };
                let parts: Result<Vec<String>, Error> = items.try_iter()?.map(|v| Ok(py_str(&v))).collect();
                Ok(Value::from(parts?.join(s)))
            }
            "format" => {
                let (pos, kwargs): (&[Value], Kwargs) = minijinja::value::from_args(args)?;
                str_format(s, pos, Some(&kwargs))
            }
            "isdigit" | "isnumeric" | "isdecimal" => b(!s.is_empty() && s.chars().all(|c| c.is_ascii_digit())),
            "isalpha" => b(!s.is_empty() && s.chars().all(char::is_alphabetic)),
            "isalnum" => b(!s.is_empty() && s.chars().all(char::is_alphanumeric)),
            "isupper" => b(s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase)),
            "islower" => b(s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase)),
            "isspace" => b(!s.is_empty() && s.chars().all(char::is_whitespace)),
            "splitlines" => Ok(Value::from(s.lines().map(Value::from).collect::<Vec<_>>())),
            "title" => Ok(Value::from(title(s))),
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        };
    }
    match (value.kind(), method) {
        (ValueKind::Map, "items") => {
            let items: Vec<Value> = value
                .try_iter()?
                .map(|k| {
                    let v = value.get_item(&k).unwrap_or_default();
                    Value::from(vec![k, v])
                })
                .collect();
            Ok(Value::from(items))
        }
        (ValueKind::Map, "keys") => Ok(Value::from(value.try_iter()?.collect::<Vec<_>>())),
        (ValueKind::Map, "values") => {
            Ok(Value::from(value.try_iter()?.map(|k| value.get_item(&k).unwrap_or_default()).collect::<Vec<_>>()))
        }
        (ValueKind::Map, "get") => {
            let key = args.first().cloned().unwrap_or_default();
            match value.get_item(&key) {
                Ok(v) if !v.is_undefined() => Ok(v),
                _ => Ok(args.get(1).cloned().unwrap_or(Value::from(()))),
            }
        }
        (ValueKind::Seq, "count") => {
            let needle = args.first().cloned().unwrap_or_default();
            Ok(Value::from(value.try_iter()?.filter(|v| *v == needle).count()))
        }
        (ValueKind::Seq, "index") => {
            let needle = args.first().cloned().unwrap_or_default();
            match value.try_iter()?.position(|v| v == needle) {
                Some(i) => Ok(Value::from(i)),
                None => Err(invalid("value is not in the list")),
            }
        }
        _ => Err(Error::from(ErrorKind::UnknownMethod)),
    }
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_letter = false;
    for c in s.chars() {
        if c.is_alphabetic() {
            if prev_letter {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            prev_letter = true;
        } else {
            out.push(c);
            prev_letter = false;
        }
    }
    out
}

/// `str.format` with `{}`, `{0}`, `{name}` fields (no format specs beyond
/// what is needed: a spec after `:` is refused).
fn str_format(fmt: &str, args: &[Value], kwargs: Option<&Kwargs>) -> Result<Value, Error> {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut auto = 0usize;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut field = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => field.push(c),
                        None => return Err(invalid("unclosed `{` in format string")),
                    }
                }
                if field.contains(':') || field.contains('!') {
                    return Err(invalid(format!("format spec in `{{{field}}}` is not supported")));
                }
                let v = if field.is_empty() {
                    auto += 1;
                    args.get(auto - 1).cloned()
                } else if let Ok(i) = field.parse::<usize>() {
                    args.get(i).cloned()
                } else {
                    kwargs.and_then(|k| k.get::<Value>(&field).ok())
                };
                let v = v.ok_or_else(|| invalid(format!("format string names a missing argument `{field}`")))?;
                out.push_str(&py_str(&v));
            }
            c => out.push(c),
        }
    }
    if let Some(k) = kwargs {
        let _ = k.assert_all_used();
    }
    Ok(Value::from(out))
}

/// The joined macro files, split into their top-level macros, so that a
/// source imports only what it uses.
pub struct Library {
    chunks: Vec<Chunk>,
    /// Macro name -> chunk index.
    by_name: std::collections::HashMap<String, usize, foldhash::fast::RandomState>,
}

struct Chunk {
    /// Line of the library where the chunk starts (1-based).
    line: u32,
    text: String,
    /// The macro's name; `None` for a top-level statement (`set`), which
    /// every module keeps.
    name: Option<String>,
    /// Chunks of the macros this one names.
    deps: Vec<usize>,
}

/// Prefix of the names of the modules the loader builds:
/// `<cac-macros:3,17,40>` holds chunks 3, 17 and 40.
const MODULE_PREFIX: &str = "<cac-macros:";

impl Library {
    pub fn new(joined: &str) -> Library {
        let mut chunks = Vec::new();
        let mut pos = 0;
        // Lines are counted as the scan goes (counting from the start for
        // every chunk was quadratic in the library's size).
        let (mut counted_to, mut line_at) = (0usize, 1u32);
        while let Some(rel) = find_tag(&joined[pos..]) {
            let start = pos + rel;
            let kind = joined.as_bytes()[start + 2];
            let close = match kind {
                b'{' => "}}}",
                b'%' => "%}}",
                _ => "#}}",
            };
            let Some(end_rel) = find_close(&joined[start + 3..], close, kind != b'#') else { break };
            let tag_end = start + 3 + end_rel + 3;
            pos = tag_end;
            if kind != b'%' {
                continue;
            }
            let word = tag_keyword(&joined[start + 3..tag_end - 3]);
            let (end, name) = if word == "macro" {
                let body = &joined[start + 3..tag_end - 3];
                let name: String = body
                    .trim_start_matches(['-', '+'])
                    .trim_start()
                    .trim_start_matches("macro")
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (end_of_block(joined, tag_end, "endmacro").unwrap_or(joined.len()), Some(name))
            } else {
                (tag_end, None)
            };
            line_at += joined[counted_to..start].matches('\n').count() as u32;
            counted_to = start;
            chunks.push(Chunk { line: line_at, text: joined[start..end].to_owned(), name, deps: Vec::new() });
            pos = end;
        }
        let by_name: std::collections::HashMap<String, usize, foldhash::fast::RandomState> =
            chunks.iter().enumerate().filter_map(|(i, c)| c.name.clone().map(|n| (n, i))).collect();
        for (i, chunk) in chunks.iter_mut().enumerate() {
            let mut deps: Vec<usize> = identifiers(&chunk.text)
                .iter()
                .filter_map(|id| by_name.get(*id).copied())
                .filter(|&j| j != i)
                .collect();
            deps.sort_unstable();
            deps.dedup();
            chunk.deps = deps;
        }
        Library { chunks, by_name }
    }

    /// The `from ... import ...` tag that gives `source` the macros it
    /// names (empty if it names none).
    pub fn prelude(&self, source: &str) -> String {
        let mut wanted: Vec<usize> =
            identifiers(source).iter().filter_map(|id| self.by_name.get(*id).copied()).collect();
        let names: Vec<&str> = {
            let mut n: Vec<&str> =
                wanted.iter().filter_map(|&i| self.chunks[i].name.as_deref()).filter(|n| !n.starts_with('_')).collect();
            n.sort_unstable();
            n.dedup();
            n
        };
        if names.is_empty() {
            return String::new();
        }
        let mut seen = vec![false; self.chunks.len()];
        let mut i = 0;
        while i < wanted.len() {
            let c = wanted[i];
            if !seen[c] {
                seen[c] = true;
                wanted.extend(self.chunks[c].deps.iter().copied());
            }
            i += 1;
        }
        let ids: Vec<String> = (0..self.chunks.len())
            .filter(|&c| seen[c] || self.chunks[c].name.is_none())
            .map(|c| c.to_string())
            .collect();
        format!("{{{{% from \"{MODULE_PREFIX}{}>\" import {} %}}}}", ids.join(","), names.join(", "))
    }

    /// The text of a module named by [`Library::prelude`]: its chunks, each
    /// at its own line.
    pub fn module_source(&self, name: &str) -> Option<String> {
        let list = name.strip_prefix(MODULE_PREFIX)?.strip_suffix('>')?;
        let mut out = String::new();
        let mut line = 1u32;
        for id in list.split(',') {
            let chunk = self.chunks.get(id.parse::<usize>().ok()?)?;
            while line < chunk.line {
                out.push('\n');
                line += 1;
            }
            out.push_str(&chunk.text);
            line += chunk.text.matches('\n').count() as u32;
        }
        Some(out)
    }
}

/// The first word of a block tag's body (`macro`, `set`, `endmacro`, ...).
fn tag_keyword(body: &str) -> &str {
    let t = body.trim_start_matches(['-', '+']).trim_start();
    let end = t.find(|c: char| !c.is_alphanumeric() && c != '_').unwrap_or(t.len());
    &t[..end]
}

/// End (after the closing tag) of the block whose body starts at `from` and
/// is closed by `{{% <end_word> %}}`.
fn end_of_block(s: &str, mut from: usize, end_word: &str) -> Option<usize> {
    while let Some(rel) = find_tag(&s[from..]) {
        let start = from + rel;
        let kind = s.as_bytes()[start + 2];
        let close = match kind {
            b'{' => "}}}",
            b'%' => "%}}",
            _ => "#}}",
        };
        let end = start + 3 + find_close(&s[start + 3..], close, kind != b'#')? + 3;
        if kind == b'%' && tag_keyword(&s[start + 3..end - 3]) == end_word {
            return Some(end);
        }
        from = end;
    }
    None
}

/// The identifiers used inside the Jinja tags of a text.
fn identifiers(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rel) = find_tag(&s[pos..]) {
        let start = pos + rel;
        let kind = s.as_bytes()[start + 2];
        let close = match kind {
            b'{' => "}}}",
            b'%' => "%}}",
            _ => "#}}",
        };
        let Some(end_rel) = find_close(&s[start + 3..], close, kind != b'#') else { break };
        let body = &s[start + 3..start + 3 + end_rel];
        pos = start + 3 + end_rel + 3;
        if kind == b'#' {
            continue;
        }
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'\'' || b[i] == b'"' {
                i = skip_string(b, i).unwrap_or(b.len());
            } else if b[i].is_ascii_alphabetic() || b[i] == b'_' {
                let st = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(&body[st..i]);
            } else {
                i += 1;
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Rewrites a CaC source so that minijinja runs it as Jinja2 would, without
/// changing its line count: `'fmt' % x` becomes `'fmt' | pyformat(x)`, and
/// `{{{ name.append(x) or "" }}}` becomes `{{% set name = name + [x] %}}`.
pub fn rewrite(src: &str) -> Cow<'_, str> {
    let src = match rewrite_varargs(src) {
        Cow::Borrowed(s) => s,
        Cow::Owned(s) => return Cow::Owned(rewrite_tags(&s).into_owned()),
    };
    rewrite_tags(src)
}

/// How many extra positional arguments a macro that reads `varargs` takes.
const VARARGS_MAX: usize = 24;

/// minijinja macros have no `varargs`: a macro whose body reads it gets
/// extra parameters `__va0`..`__va23`, and its body starts by collecting
/// the ones given into `varargs`.
fn rewrite_varargs(src: &str) -> Cow<'_, str> {
    if !src.contains("varargs") {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len() + 512);
    let mut rest = src;
    let mut changed = false;
    while let Some(start) = find_macro_tag(rest) {
        let Some(close_rel) = find_close(&rest[start + 3..], "%}}", true) else { break };
        let tag_end = start + 3 + close_rel + 3;
        let tag = &rest[start..tag_end];
        let body_end = rest[tag_end..].find("endmacro").map(|i| tag_end + i).unwrap_or(rest.len());
        let body = &rest[tag_end..body_end];
        let uses =
            body.match_indices("varargs").any(|(i, _)| !body[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
        let (Some(open), Some(close)) = (tag.find('('), tag.rfind(')')) else {
            out.push_str(&rest[..tag_end]);
            rest = &rest[tag_end..];
            continue;
        };
        if !uses {
            out.push_str(&rest[..tag_end]);
            rest = &rest[tag_end..];
            continue;
        }
        changed = true;
        let params = tag[open + 1..close].trim();
        let extra: Vec<String> = (0..VARARGS_MAX).map(|i| format!("__va{i}")).collect();
        out.push_str(&rest[..start]);
        out.push_str(&tag[..open + 1]);
        if !params.is_empty() {
            out.push_str(params);
            out.push_str(", ");
        }
        out.push_str(&extra.join(", "));
        out.push_str(&tag[close..]);
        let trim = tag.ends_with("-%}}");
        out.push_str(if trim { "{{%- set varargs = [" } else { "{{% set varargs = [" });
        out.push_str(&extra.join(", "));
        out.push_str(if trim { "] | select(\"defined\") | list -%}}" } else { "] | select(\"defined\") | list %}}" });
        rest = &rest[tag_end..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(src)
    }
}

/// Start of the next `{{% macro` / `{{%- macro` tag.
fn find_macro_tag(s: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = s[from..].find("{{%") {
        let at = from + i;
        let t = s[at + 3..].trim_start_matches(['-', '+']).trim_start();
        if t.starts_with("macro ") {
            return Some(at);
        }
        from = at + 3;
    }
    None
}

/// In Python (so in Jinja2) `"\/"` is a backslash and a slash; minijinja
/// reads it as JSON does, as a slash. String literals keep the backslash.
fn fix_escapes(body: &str) -> Cow<'_, str> {
    if !body.contains("\\/") {
        return Cow::Borrowed(body);
    }
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len() + 8);
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'\'' || b[i] == b'"' {
            let q = b[i];
            let mut j = i + 1;
            while j < b.len() && b[j] != q {
                if b[j] == b'\\' {
                    if j + 1 < b.len() && b[j + 1] == b'/' {
                        out.push_str(&body[last..j]);
                        out.push_str("\\\\/");
                        last = j + 2;
                    }
                    j += 2;
                    continue;
                }
                j += 1;
            }
            i = j + 1;
            continue;
        }
        i += 1;
    }
    if last == 0 {
        return Cow::Borrowed(body);
    }
    out.push_str(&body[last..]);
    Cow::Owned(out)
}

fn rewrite_tags(src: &str) -> Cow<'_, str> {
    if !src.contains('%') && !src.contains(".append(") && !src.contains("\\/") {
        return Cow::Borrowed(src);
    }
    let mut out = String::with_capacity(src.len() + 64);
    let mut changed = false;
    let mut rest = src;
    while let Some(start) = find_tag(rest) {
        let (open, close) = if rest[start..].starts_with("{{{") {
            ("{{{", "}}}")
        } else if rest[start..].starts_with("{{%") {
            ("{{%", "%}}")
        } else {
            ("{{#", "#}}")
        };
        let body_start = start + 3;
        let Some(end) = find_close(&rest[body_start..], close, open != "{{#") else {
            break;
        };
        let body = &rest[body_start..body_start + end];
        out.push_str(&rest[..body_start]);
        if open == "{{#" {
            out.push_str(body);
        } else if let Some(set) = (open == "{{{").then(|| rewrite_append(body)).flatten() {
            // Replace the delimiters too: an expression tag turns into a
            // statement tag.
            out.truncate(out.len() - 3);
            out.push_str("{{%");
            out.push_str(&set);
            out.push_str("%}}");
            rest = &rest[body_start + end + 3..];
            changed = true;
            continue;
        } else {
            let escaped = fix_escapes(body);
            let new = rewrite_percent(&escaped);
            changed |= matches!(new, Cow::Owned(_)) || matches!(escaped, Cow::Owned(_));
            out.push_str(&new);
        }
        out.push_str(close);
        rest = &rest[body_start + end + 3..];
    }
    out.push_str(rest);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(src)
    }
}

fn find_tag(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == b'{' && b[i + 1] == b'{' && matches!(b[i + 2], b'{' | b'%' | b'#') {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Offset of `close` in `s`, skipping string literals when `code` is set.
fn find_close(s: &str, close: &str, code: bool) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if code && (b[i] == b'\'' || b[i] == b'"') {
            i = skip_string(b, i)?;
            continue;
        }
        if b[i..].starts_with(close.as_bytes()) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Index after the string literal that starts at `i`.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let q = b[i];
    let mut j = i + 1;
    while j < b.len() {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if b[j] == q {
            return Some(j + 1);
        }
        j += 1;
    }
    None
}

/// `  name.append(expr) or ""  ` (with optional `-` trim markers) into the
/// body of a `set` statement.
fn rewrite_append(body: &str) -> Option<String> {
    let (lead, inner) = match body.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", body),
    };
    let (inner, trail) = match inner.strip_suffix('-') {
        Some(r) => (r, "-"),
        None => (inner, ""),
    };
    let t = inner.trim();
    let dot = t.find(".append(")?;
    let name = &t[..dot];
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let after = &t[dot + ".append(".len()..];
    let b = after.as_bytes();
    let close = matching_paren(b, 0)?;
    let arg = &after[..close];
    let tail = after[close + 1..].trim();
    if !(tail == "or \"\"" || tail == "or ''") {
        return None;
    }
    Some(format!("{lead} set {name} = {name} + [{arg}] {trail}"))
}

/// Index of the `)` that closes a group whose contents start at `i`.
fn matching_paren(b: &[u8], mut i: usize) -> Option<usize> {
    let mut depth = 0i32;
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                i = skip_string(b, i)?;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// In one tag body: a string literal followed by `%` and an operand.
fn rewrite_percent(body: &str) -> Cow<'_, str> {
    let b = body.as_bytes();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' || b[i] == b'"' {
            let Some(after) = skip_string(b, i) else { break };
            let mut j = after;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < b.len() && b[j] == b'%' {
                let mut k = j + 1;
                while k < b.len() && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                if let Some(end) = primary_end(b, k) {
                    edits.push((after, end, format!(" | pyformat({})", &body[k..end])));
                    i = end;
                    continue;
                }
            }
            i = after;
            continue;
        }
        i += 1;
    }
    if edits.is_empty() {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len() + 16 * edits.len());
    let mut last = 0;
    for (s, e, text) in edits {
        out.push_str(&body[last..s]);
        out.push_str(&text);
        last = e;
    }
    out.push_str(&body[last..]);
    Cow::Owned(out)
}

/// End of a primary expression with its postfix chain (`.x`, `(..)`,
/// `[..]`, `| filter(..)`) starting at `i`.
fn primary_end(b: &[u8], mut i: usize) -> Option<usize> {
    if i >= b.len() {
        return None;
    }
    match b[i] {
        b'\'' | b'"' => i = skip_string(b, i)?,
        b'(' | b'[' | b'{' => i = matching_paren(b, i + 1)? + 1,
        c if c.is_ascii_alphanumeric() || c == b'_' => {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
        }
        _ => return None,
    }
    loop {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() {
            return Some(i);
        }
        match b[j] {
            b'.' if j == i => {
                j += 1;
                let s = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j == s {
                    return Some(i);
                }
                i = j;
            }
            b'(' | b'[' if j == i => i = matching_paren(b, j + 1)? + 1,
            b'|' => {
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                let s = j;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                if j == s {
                    return Some(i);
                }
                i = j;
                if i < b.len() && b[i] == b'(' {
                    i = matching_paren(b, i + 1)? + 1;
                }
            }
            _ => return Some(i),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_percent_and_append() {
        assert_eq!(
            rewrite("{{% set value = '%s' % value.replace(\"$\", \"\\\\$\") %}}"),
            "{{% set value = '%s' | pyformat(value.replace(\"$\", \"\\\\$\")) %}}"
        );
        assert_eq!(rewrite("{{{ raise(\"a '%s' b\" % value) }}}"), "{{{ raise(\"a '%s' b\" | pyformat(value)) }}}");
        assert_eq!(rewrite("{{%- set r = \"(%s)%s\" % (a, b) -%}}"), "{{%- set r = \"(%s)%s\" | pyformat((a, b)) -%}}");
        // Text outside tags and `%` inside strings stay.
        assert_eq!(rewrite("printf '%s' % x {{{ 'a%b' }}}"), "printf '%s' % x {{{ 'a%b' }}}");
        assert_eq!(rewrite("{{{ args.append(\"--x\") or \"\" }}}"), "{{% set args = args + [\"--x\"] %}}");
        let m = rewrite("{{%- macro v(a) -%}}\n{{% for n in varargs %}}{{% endfor %}}{{% endmacro %}}");
        assert!(m.starts_with("{{%- macro v(a, __va0, __va1,"), "{m}");
        assert!(m.contains("__va23) -%}}{{%- set varargs = [__va0,"), "{m}");
        assert_eq!(m.matches('\n').count(), 1);
        // Multi-byte characters inside tags and comments (regression: a
        // byte offset inside one was sliced).
        assert_eq!(rewrite("{{# a — b #}}{{{ 'é' % x }}}"), "{{# a — b #}}{{{ 'é' | pyformat(x) }}}");
        assert_eq!(rewrite("{{{ v | replace(\"/\", \"\\/\") }}} a\\/b"), "{{{ v | replace(\"/\", \"\\\\/\") }}} a\\/b");
    }

    fn render(src: &str) -> String {
        let j = crate::jinja::Jinja::with_dialect(crate::jinja::Dialect::Cac, &[], &Default::default()).unwrap();
        j.render("t", src, &Default::default()).unwrap()
    }

    #[test]
    fn xmlattr_writes_escaped_attributes_as_jinja2() {
        assert_eq!(
            render("<c{{{ {'comment': \"file 'a' & <b>\", 'skip': none} | xmlattr }}}/>"),
            "<c comment=\"file &#39;a&#39; &amp; &lt;b&gt;\"/>"
        );
        assert_eq!(render("<c{{{ {} | xmlattr }}}/>"), "<c/>");
        assert_eq!(render("{{{ '/etc/a/b' | replace('/', '', 1) | replace('/', '_') }}}"), "etc_a_b");
    }

    #[test]
    fn indent_as_jinja2_keeps_a_trailing_newline() {
        // What Python's Jinja2 gives for each (checked against its source:
        // `s += "\n"`, `splitlines()`, blank lines left alone).
        assert_eq!(render("[{{{ 'a\n\nb\n' | indent(2) }}}]"), "[a\n\n  b\n]");
        assert_eq!(render("[{{{ 'a\nb' | indent }}}]"), "[a\n    b]");
        assert_eq!(render("[{{{ 'a\nb\n' | indent(2, true, true) }}}]"), "[  a\n  b\n  ]");
        assert_eq!(render("[{{{ 'a\nb' | indent('> ', true) }}}]"), "[> a\n> b]");
    }

    #[test]
    fn python_printing_methods_and_jinja2_defaults() {
        assert_eq!(
            render("{{{ none }}} {{{ true }}} {{{ ['a', 1, none] }}} {{{ {'k': false} }}}"),
            "None True ['a', 1, None] {'k': False}"
        );
        assert_eq!(
            render("{{{ 'a, b,c'.split(',') }}}|{{{ ' x '.strip() }}}|{{{ '/p'.lstrip('/') }}}"),
            "['a', ' b', 'c']|x|p"
        );
        assert_eq!(
            render("{{{ '{}={x}'.format(1, x=2) }}} {{{ '-'.join(['a', 'b']) }}} {{{ 'ab'.startswith(('x', 'a')) }}}"),
            "1=2 a-b True"
        );
        assert_eq!(render("{{{ '%s-%d' % ('x', 3) }}} {{{ '%s' % 'y' }}}"), "x-3 y");
        assert_eq!(render("{{% for k, v in {'a': 1}.items() %}}{{{ k }}}{{{ v }}}{{% endfor %}}"), "a1");
        // Undefined prints as nothing and has length 0; no block trimming;
        // one trailing newline dropped.
        assert_eq!(render("[{{{ nope }}}]{{{ nope | length }}}\n{{% if true %}}\nx\n{{% endif %}}\n"), "[]0\n\nx\n");
        assert_eq!(render("{{% set l = [] %}}{{{ l.append(1) or \"\" }}}{{{ l }}}"), "[1]");
    }

    #[test]
    fn cac_escapes() {
        assert_eq!(escape_regex("a.b/c{1}-d"), "a\\.b/c{1}\\-d");
        assert_eq!(escape_id("/etc/ssh/sshd_config"), "etc_ssh_sshd_config");
        assert_eq!(escape_yaml_key("myCamelCase^Key"), "my^camel^case^^^key");
        assert_eq!(shell_quote("abc"), "abc");
        assert_eq!(shell_quote("a b'c"), "'a b'\"'\"'c'");
        assert_eq!(expand_yaml_path("a.b.c", "x: 1"), "  a:\n    b:\n      c:\n        x: 1");
        assert_eq!(url_encode("a b/c"), "a%20b/c");
        assert_eq!(product_to_name("rhel9").unwrap(), "Red Hat Enterprise Linux 9");
        assert_eq!(product_to_name("rhel").unwrap(), "multi_platform_rhel");
        assert_eq!(banner_regexify("a b\nc"), "a[\\s\\n]+b(?:[\\n]+|(?:\\\\n)+)c");
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
