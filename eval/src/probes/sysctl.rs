//! `sysctl_object` (unix): kernel parameters.
//!
//! Local: the running kernel's values under `/proc/sys` (`a.b.c` is
//! `/proc/sys/a/b/c`); an `equals` name is read directly, any other
//! operation reads the whole tree once per evaluation. Values are the
//! file's text without its final newline, so a multi-valued parameter is
//! one string with the kernel's tabs (`32768\t60999`), as oscap reports it.
//! Entries that cannot be read (write-only ones) are left out.
//!
//! `dir:` (an offline image has no running kernel): the *configured*
//! values, with the precedence of `systemd-sysctl` and `sysctl --system`:
//! the `*.conf` files of `/etc/sysctl.d`, `/run/sysctl.d`,
//! `/usr/local/lib/sysctl.d`, `/usr/lib/sysctl.d` and `/lib/sysctl.d`
//! (a file name in an earlier directory hides the same name in later
//! ones) are applied in file-name order, then `/etc/sysctl.conf`; the last
//! assignment of a parameter wins. Parameters the image does not configure
//! do not exist. Whitespace inside a value becomes one tab, so a
//! multi-valued parameter reads as the kernel would report it. Glob names
//! (`net.ipv4.conf.*.rp_filter`) are kept as written.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::target::Target;
use std::collections::BTreeMap;
use std::sync::Arc;

const CONF_DIRS: &[&str] =
    &["/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"];

/// Parses one sysctl configuration file into `(name, value)` assignments.
pub fn parse_conf(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else { continue };
        let k = k.trim().trim_start_matches('-').trim().replace('/', ".");
        let v = v.split_whitespace().collect::<Vec<_>>().join("\t");
        if !k.is_empty() {
            out.push((k, v));
        }
    }
    out
}

/// The configured parameters of an image, after precedence.
pub fn configured(target: &Target) -> Vec<(String, String)> {
    // file name -> path of the file that wins for that name
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for dir in CONF_DIRS {
        for name in target.read_dir(dir).unwrap_or_default() {
            if name.ends_with(".conf") {
                files.entry(name.clone()).or_insert_with(|| format!("{dir}/{name}"));
            }
        }
    }
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let paths = files.into_values().chain(std::iter::once("/etc/sysctl.conf".to_owned()));
    for p in paths {
        if let Ok(text) = target.read_text(&p) {
            for (k, v) in parse_conf(&text) {
                values.insert(k, v);
            }
        }
    }
    values.into_iter().collect()
}

fn proc_value(target: &Target, name: &str) -> Option<String> {
    if name.is_empty() || name.split('.').any(|c| c.is_empty() || c == "..") {
        return None;
    }
    let path = format!("/proc/sys/{}", name.replace('.', "/"));
    let meta = target.metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let bytes = target.read_limited(&path, 1 << 20).ok()?;
    let mut s = String::from_utf8_lossy(&bytes).into_owned();
    if s.ends_with('\n') {
        s.pop();
    }
    Some(s)
}

fn proc_all(target: &Target) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let dir = if rel.is_empty() { "/proc/sys".to_owned() } else { format!("/proc/sys/{}", rel.replace('.', "/")) };
        for name in target.read_dir(&dir).unwrap_or_default() {
            let full = if rel.is_empty() { name.clone() } else { format!("{rel}.{name}") };
            let Ok(m) = target.symlink_metadata(&format!("{dir}/{name}")) else { continue };
            if m.is_dir() {
                stack.push(full);
            } else if let Some(v) = proc_value(target, &full) {
                out.push((full, v));
            }
        }
    }
    out.sort();
    out
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let Some(name) = obj.entity("name") else { return Collected::error("sysctl_object without name") };
    let mut found: Vec<(String, String)> = Vec::new();
    if ctx.target.is_local() {
        if let Some(names) = name.exact() {
            for n in names {
                if let Some(v) = proc_value(ctx.target, n) {
                    found.push((n.to_owned(), v));
                }
            }
        } else {
            found = ctx.cache.sysctl_proc.get_or_init(|| Arc::new(proc_all(ctx.target))).to_vec();
        }
    } else {
        found = ctx.cache.sysctl_conf.get_or_init(|| Arc::new(configured(ctx.target))).to_vec();
    }
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for (n, v) in found {
        if !super::entity_ok(obj, "name", &n, &mut messages) {
            continue;
        }
        let mut item = Item::new("unix", "sysctl_item");
        item.s("name", n);
        item.s("value", v);
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    if !ctx.target.is_local() {
        c.messages
            .push("offline target: the values are those configured in the sysctl files, not a running kernel's".into());
    }
    c
}
