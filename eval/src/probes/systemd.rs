//! `systemdunitproperty_object` and `systemdunitdependency_object` (linux).
//!
//! When systemd runs the local host (PID 1 is `systemd`), it is asked,
//! read-only: `systemctl show --all UNIT` for properties, `systemctl
//! list-units`/`list-unit-files` for the unit names. oscap asks the same
//! manager over D-Bus, and fails ("DBus connection failed") without one.
//!
//! Otherwise (a `dir:` image, or a host whose PID 1 is not systemd, as a
//! container) the unit files are read: `/etc/systemd/system`,
//! `/run/systemd/system`, `/usr/local/lib/systemd/system`,
//! `/usr/lib/systemd/system`, `/lib/systemd/system` (the first holding a
//! name wins; a link to `/dev/null` masks; a link to another unit is an
//! alias; `foo@bar.service` falls back to `foo@.service`), with the
//! `UNIT.d/*.conf` drop-ins. Properties computed from files: `Id`,
//! `Names`, `LoadState` (`loaded`, `masked`, `not-found`),
//! `UnitFileState` (`enabled` when a `.wants/`/`.requires/` link or alias
//! link under `/etc` or `/run` names the unit, `masked`, `disabled` with an
//! `[Install]` section, `static` without), `FragmentPath`,
//! `DropInPaths`, `Requires` and `Wants` (the directives plus the
//! `.requires/` and `.wants/` links), and any directive written in the
//! unit (its raw text). Runtime properties (`ActiveState`, `SubState`,
//! `MainPID`, ...) and unwritten defaults cannot be known from files: their
//! value is `not collected`.
//!
//! Dependencies follow oscap (`systemctl list-dependencies`): the units in
//! `Requires` and `Wants`, recursing into those that are targets.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Status};
use crate::target::Target;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const UNIT_DIRS: &[&str] = &[
    "/etc/systemd/system",
    "/run/systemd/system",
    "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system",
    "/lib/systemd/system",
];
const SUFFIXES: &[&str] = &[
    ".service",
    ".socket",
    ".target",
    ".timer",
    ".mount",
    ".automount",
    ".path",
    ".slice",
    ".scope",
    ".swap",
    ".device",
];
/// Properties whose values are lists (one `value` entity each).
const LIST_PROPS: &[&str] = &[
    "Names",
    "Requires",
    "Wants",
    "Requisite",
    "BindsTo",
    "PartOf",
    "Conflicts",
    "Before",
    "After",
    "WantedBy",
    "RequiredBy",
    "DropInPaths",
    "Triggers",
    "TriggeredBy",
];

fn is_unit_name(n: &str) -> bool {
    SUFFIXES.iter().any(|s| n.ends_with(s) && n.len() > s.len())
}

/// Whether the local host is run by systemd.
fn live(ctx: &ProbeCtx<'_>) -> bool {
    ctx.target.is_local() && ctx.target.read_text("/proc/1/comm").map(|c| c.trim() == "systemd").unwrap_or(false)
}

/// A unit as read from its files.
#[derive(Debug, Default, Clone)]
pub struct UnitFile {
    /// The unit's own name (`Id`): for an alias, the unit it names.
    pub id: String,
    pub load_state: String,
    pub fragment: Option<String>,
    pub drop_ins: Vec<String>,
    /// Directives by key, in order (section ignored, as `systemctl show`).
    pub directives: BTreeMap<String, Vec<String>>,
    pub has_install: bool,
    pub aliases: Vec<String>,
    pub requires: Vec<String>,
    pub wants: Vec<String>,
}

/// Parses a unit file into directives (continuation lines joined; an
/// empty assignment clears a key).
fn parse_unit(text: &str, into: &mut BTreeMap<String, Vec<String>>, has_install: &mut bool) {
    let mut logical = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if logical.is_empty() && (line.starts_with('#') || line.starts_with(';')) {
            continue;
        }
        if let Some(l) = line.strip_suffix('\\') {
            logical.push_str(l);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let l = std::mem::take(&mut logical);
        let l = l.trim();
        if l.starts_with('[') {
            if l == "[Install]" {
                *has_install = true;
            }
            continue;
        }
        let Some((k, v)) = l.split_once('=') else { continue };
        let (k, v) = (k.trim().to_owned(), v.trim().to_owned());
        if v.is_empty() {
            into.remove(&k);
        } else {
            into.entry(k).or_default().push(v);
        }
    }
}

/// Where a unit name is first found, and what is there.
fn find(target: &Target, name: &str) -> Option<(String, bool)> {
    for d in UNIT_DIRS {
        let p = format!("{d}/{name}");
        if let Ok(m) = target.symlink_metadata(&p) {
            return Some((p, m.file_type().is_symlink()));
        }
    }
    None
}

/// Names listed in `NAME.wants/` (or `.requires/`) in every unit directory.
fn link_dir(target: &Target, name: &str, kind: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    for d in UNIT_DIRS {
        for n in target.read_dir(&format!("{d}/{name}.{kind}")).unwrap_or_default() {
            if is_unit_name(&n) {
                out.insert(n);
            }
        }
    }
    out.into_iter().collect()
}

/// Loads a unit from the files of a target.
pub fn load(target: &Target, name: &str) -> UnitFile {
    let mut u = UnitFile { id: name.to_owned(), load_state: "not-found".into(), ..Default::default() };
    let template = name
        .find('@')
        .and_then(|at| name.rfind('.').filter(|dot| *dot > at).map(|dot| format!("{}{}", &name[..=at], &name[dot..])));
    let mut names = vec![name.to_owned()];
    let mut found = find(target, name);
    if found.is_none() {
        if let Some(t) = &template {
            found = find(target, t);
            names.push(t.clone());
        }
    }
    let Some((mut path, is_link)) = found else { return u };
    if is_link {
        let dest = target.read_link(&path).unwrap_or_default();
        if dest == "/dev/null" {
            u.load_state = "masked".into();
            return u;
        }
        // An alias: the file it leads to (with its own name's drop-ins).
        let real = dest.rsplit('/').next().unwrap_or("").to_owned();
        if is_unit_name(&real) && real != name {
            names.push(real.clone());
            u.aliases.push(name.to_owned());
            u.id = real.clone();
            if let Some((p, _)) = find(target, &real) {
                if target.read_link(&p).map(|d| d == "/dev/null").unwrap_or(false) {
                    u.load_state = "masked".into();
                    return u;
                }
                path = p;
            }
        }
    }
    let Ok(text) = target.read_text(&path) else {
        u.load_state = "error".into();
        return u;
    };
    u.load_state = "loaded".into();
    u.fragment = Some(path);
    parse_unit(&text, &mut u.directives, &mut u.has_install);
    // Drop-ins: by file name, the first directory wins; applied in name order.
    let mut drop: BTreeMap<String, String> = BTreeMap::new();
    for n in names.iter().rev() {
        for d in UNIT_DIRS {
            for f in target.read_dir(&format!("{d}/{n}.d")).unwrap_or_default() {
                if f.ends_with(".conf") {
                    drop.entry(f.clone()).or_insert_with(|| format!("{d}/{n}.d/{f}"));
                }
            }
        }
    }
    for p in drop.values() {
        if let Ok(t) = target.read_text(p) {
            let mut ignored = false;
            parse_unit(&t, &mut u.directives, &mut ignored);
            u.drop_ins.push(p.clone());
        }
    }
    let words = |k: &str| -> Vec<String> {
        u.directives
            .get(k)
            .map(|v| v.iter().flat_map(|s| s.split_whitespace().map(str::to_owned)).collect())
            .unwrap_or_default()
    };
    let mut requires: BTreeSet<String> = words("Requires").into_iter().collect();
    let mut wants: BTreeSet<String> = words("Wants").into_iter().collect();
    for n in &names {
        requires.extend(link_dir(target, n, "requires"));
        wants.extend(link_dir(target, n, "wants"));
    }
    u.requires = requires.into_iter().collect();
    u.wants = wants.into_iter().collect();
    u
}

/// `UnitFileState` from the files.
fn unit_file_state(target: &Target, u: &UnitFile) -> String {
    if u.load_state == "masked" {
        return "masked".into();
    }
    if u.load_state != "loaded" {
        return String::new();
    }
    // Enabled: a link to the unit in a .wants/.requires directory or an
    // alias link, under /etc or /run.
    for d in &UNIT_DIRS[..2] {
        let mut dirs = vec![d.to_string()];
        for n in target.read_dir(d).unwrap_or_default() {
            if n.ends_with(".wants") || n.ends_with(".requires") {
                dirs.push(format!("{d}/{n}"));
            }
        }
        for dir in dirs {
            for n in target.read_dir(&dir).unwrap_or_default() {
                let p = format!("{dir}/{n}");
                let Ok(dest) = target.read_link(&p) else { continue };
                let dest_name = dest.rsplit('/').next().unwrap_or("");
                // In a .wants/.requires directory the link's name is the
                // unit (an instance may point at its template); at the top
                // an alias link names the unit by its destination.
                let enabled = if dir != *d { n == u.id || dest_name == u.id } else { n != u.id && dest_name == u.id };
                if enabled {
                    return "enabled".into();
                }
            }
        }
    }
    if u.has_install
        && ["WantedBy", "RequiredBy", "Alias", "Also", "UpheldBy"].iter().any(|k| u.directives.contains_key(*k))
    {
        "disabled".into()
    } else {
        "static".into()
    }
}

/// The values of a property from the files, or `None` when it cannot be
/// known from them.
fn file_property(target: &Target, u: &UnitFile, prop: &str) -> Option<Vec<String>> {
    Some(match prop {
        "Id" => vec![u.id.clone()],
        "Names" => {
            let mut v = vec![u.id.clone()];
            v.extend(u.aliases.iter().cloned());
            v
        }
        "LoadState" => vec![u.load_state.clone()],
        "UnitFileState" => vec![unit_file_state(target, u)],
        "FragmentPath" => vec![u.fragment.clone().unwrap_or_default()],
        "DropInPaths" => u.drop_ins.clone(),
        "Requires" => u.requires.clone(),
        "Wants" => u.wants.clone(),
        _ => {
            let v = u.directives.get(prop)?;
            if LIST_PROPS.contains(&prop) {
                v.iter().flat_map(|s| s.split_whitespace().map(str::to_owned)).collect()
            } else {
                vec![v.last()?.clone()]
            }
        }
    })
}

/// Every unit name the target's files define (offline), or systemd knows
/// (live).
fn all_units(ctx: &ProbeCtx<'_>) -> Vec<String> {
    let mut out = BTreeSet::new();
    if live(ctx) {
        for args in [
            &["list-units", "--all", "--no-legend", "--plain", "--full"][..],
            &["list-unit-files", "--no-legend", "--plain", "--full"][..],
        ] {
            if let Ok(o) = Command::new("systemctl").args(args).output() {
                for l in String::from_utf8_lossy(&o.stdout).lines() {
                    if let Some(n) = l.split_whitespace().next() {
                        out.insert(n.to_owned());
                    }
                }
            }
        }
    } else {
        for d in UNIT_DIRS {
            for n in ctx.target.read_dir(d).unwrap_or_default() {
                if is_unit_name(&n) {
                    out.insert(n);
                }
            }
        }
    }
    out.into_iter().collect()
}

fn units_of(ctx: &ProbeCtx<'_>, obj: &ObjectSpec, messages: &mut Vec<String>) -> Vec<String> {
    let Some(e) = obj.entity("unit") else { return Vec::new() };
    let names: Vec<String> = match e.exact() {
        Some(v) => v.into_iter().map(str::to_owned).collect(),
        None => all_units(ctx),
    };
    names.into_iter().filter(|n| super::entity_ok(obj, "unit", n, messages)).collect()
}

/// `systemctl show --all UNIT`, as key -> value.
fn show(unit: &str) -> Result<BTreeMap<String, String>, String> {
    let o = Command::new("systemctl")
        .args(["show", "--all", "--", unit])
        .output()
        .map_err(|e| format!("systemctl: {e}"))?;
    if !o.status.success() {
        return Err(format!("systemctl show {unit}: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

pub fn collect_property(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let mut messages = Vec::new();
    let units = units_of(ctx, obj, &mut messages);
    let prop_entity = obj.entity("property");
    let exact_props: Option<Vec<String>> =
        prop_entity.and_then(|p| p.exact()).map(|v| v.into_iter().map(str::to_owned).collect());
    let live = live(ctx);
    let mut items = Vec::new();
    for unit in units {
        let props: Vec<(String, Option<Vec<String>>)> = if live {
            let all = match show(&unit) {
                Ok(a) => a,
                Err(e) => {
                    messages.push(e);
                    continue;
                }
            };
            if all.get("LoadState").map(String::as_str) == Some("not-found")
                && obj.entity("unit").and_then(|e| e.exact()).is_some()
            {
                continue;
            }
            all.into_iter()
                .map(|(k, v)| {
                    let vals = if LIST_PROPS.contains(&k.as_str()) {
                        v.split_whitespace().map(str::to_owned).collect()
                    } else {
                        vec![v]
                    };
                    (k, Some(vals))
                })
                .collect()
        } else {
            let u = load(ctx.target, &unit);
            if u.load_state == "not-found" {
                continue;
            }
            let mut names: Vec<String> =
                ["Id", "Names", "LoadState", "UnitFileState", "FragmentPath", "DropInPaths", "Requires", "Wants"]
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
            names.extend(u.directives.keys().cloned());
            names.sort();
            names.dedup();
            match &exact_props {
                Some(v) => v.iter().map(|p| (p.clone(), file_property(ctx.target, &u, p))).collect(),
                None => names.iter().map(|p| (p.clone(), file_property(ctx.target, &u, p))).collect(),
            }
        };
        for (p, vals) in props {
            if let Some(ex) = &exact_props {
                if !ex.contains(&p) {
                    continue;
                }
            }
            if !super::entity_ok(obj, "property", &p, &mut messages) {
                continue;
            }
            let mut item = Item::new("linux", "systemdunitproperty_item");
            item.s("unit", unit.as_str());
            item.s("property", p.as_str());
            match vals {
                Some(v) if v.is_empty() => {
                    item.s("value", "");
                }
                Some(v) => {
                    for x in v {
                        item.s("value", x);
                    }
                }
                None => {
                    item.push_status("value", Datatype::String, Status::NotCollected);
                }
            }
            items.push(item);
        }
    }
    let mut c = Collected::from_items(items);
    if !live {
        messages.push("systemd is not running the target: properties come from the unit files".into());
    }
    c.messages = messages;
    c
}

/// The dependencies of a unit, as `systemctl list-dependencies` (recursing
/// into targets only).
fn dependencies(ctx: &ProbeCtx<'_>, unit: &str, live: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![unit.to_owned()];
    let mut visited = BTreeSet::new();
    while let Some(u) = stack.pop() {
        if !u.ends_with(".target") || !visited.insert(u.clone()) {
            continue;
        }
        let deps: Vec<String> = if live {
            match show(&u) {
                Ok(m) => ["Requires", "Wants"]
                    .iter()
                    .flat_map(|k| {
                        m.get(*k)
                            .map(|v| v.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
                            .unwrap_or_default()
                    })
                    .collect(),
                Err(_) => Vec::new(),
            }
        } else {
            let f = load(ctx.target, &u);
            f.requires.iter().chain(f.wants.iter()).cloned().collect()
        };
        for d in deps {
            if seen.insert(d.clone()) {
                out.push(d.clone());
            }
            stack.push(d);
        }
    }
    out
}

pub fn collect_dependency(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let mut messages = Vec::new();
    let live = live(ctx);
    let mut items = Vec::new();
    for unit in units_of(ctx, obj, &mut messages) {
        if !live && load(ctx.target, &unit).load_state == "not-found" {
            continue;
        }
        let mut item = Item::new("linux", "systemdunitdependency_item");
        item.s("unit", unit.as_str());
        for d in dependencies(ctx, &unit, live) {
            item.s("dependency", d);
        }
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    if !live {
        messages.push("systemd is not running the target: dependencies come from the unit files".into());
    }
    c.messages = messages;
    c
}
