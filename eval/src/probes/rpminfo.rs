//! `rpminfo_object` (linux): installed RPM packages.
//!
//! The target's RPM database is looked for in `/var/lib/rpm` and
//! `/usr/lib/sysimage/rpm` (a `Packages`, `Packages.db` or `rpmdb.sqlite`
//! file). Without one, no package is installed (flag `does not exist`),
//! as oscap answers on a Debian host. With one, the `rpm` tool of this
//! host is asked, read-only (`rpm --root ROOT -qa --qf ...`); without
//! `rpm`, the object is an error. Items: name, arch, epoch (`0` for
//! none), release, version, evr (`epoch:version-release`), signature_keyid
//! (the 16 hex digits of the signing key, when signed), extended_name
//! (`name-epoch:version-release.arch`). The `filepath` entity and the
//! `filepaths` behavior are not supported (no filepath entities).

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::Datatype;
use std::process::Command;

const DB_DIRS: &[&str] = &["/var/lib/rpm", "/usr/lib/sysimage/rpm"];
const DB_FILES: &[&str] = &["Packages", "Packages.db", "rpmdb.sqlite"];

/// Whether the target has an RPM database.
pub fn has_database(ctx: &ProbeCtx<'_>) -> bool {
    DB_DIRS.iter().any(|d| {
        DB_FILES.iter().any(|f| ctx.target.metadata(&format!("{d}/{f}")).map(|m| m.is_file()).unwrap_or(false))
    })
}

const QF: &str = "%{NAME}\\t%{ARCH}\\t%{EPOCH}\\t%{RELEASE}\\t%{VERSION}\\t%|SIGPGP?{%{SIGPGP:pgpsig}}:{%|RSAHEADER?{%{RSAHEADER:pgpsig}}:{(none)}|}|\\n";

/// Parses the query output into items.
pub fn parse_query(out: &str) -> Vec<Item> {
    let mut items = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 6 {
            continue;
        }
        let (name, arch, epoch, release, version) = (f[0], f[1], if f[2] == "(none)" { "0" } else { f[2] }, f[3], f[4]);
        let mut item = Item::new("linux", "rpminfo_item");
        item.s("name", name);
        item.s("arch", arch);
        item.s("epoch", epoch);
        item.s("release", release);
        item.s("version", version);
        item.push("evr", Datatype::EvrString, format!("{epoch}:{version}-{release}"));
        if let Some(i) = f[5].find("Key ID ") {
            let id = f[5][i + 7..].trim();
            item.s("signature_keyid", id.get(id.len().saturating_sub(16)..).unwrap_or(id));
        }
        let arch_x = if name == "gpg-pubkey" { "(none)" } else { arch };
        item.s("extended_name", format!("{name}-{epoch}:{version}-{release}.{arch_x}"));
        items.push(item);
    }
    items
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !has_database(ctx) {
        return Collected::from_items(Vec::new());
    }
    let out = match Command::new("rpm").arg("--root").arg(ctx.target.root()).args(["-qa", "--qf", QF]).output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        Ok(o) => return Collected::error(format!("rpm -qa failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => return Collected::error(format!("the target has an RPM database but rpm cannot be run: {e}")),
    };
    let mut messages = Vec::new();
    let items: Vec<Item> = parse_query(&out)
        .into_iter()
        .filter(|i| super::entity_ok(obj, "name", i.first("name").unwrap_or(""), &mut messages))
        .collect();
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
