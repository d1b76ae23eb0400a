//! `dpkginfo_object` (linux): installed Debian packages.
//!
//! Reads the dpkg database `/var/lib/dpkg/status` on the target (local or
//! `dir:`), parsed once per evaluation. A package is installed when its
//! `Status` says `ok installed` (`install ok installed`, or `hold ok
//! installed` for a held package). Items: name, arch, epoch (`0` when the
//! version has none), release (the Debian revision, empty when there is
//! none), version (the upstream version), evr (`epoch:version[-release]`,
//! datatype `debian_evr_string`). A package installed for several
//! architectures gives one item per architecture.
//!
//! Differences from oscap: oscap 1.3.7 answers only `equals` on the name
//! (a `pattern match` finds nothing) and fails offline under
//! `oscap-chroot`; here every operation works, on both kinds of target.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::Datatype;
use std::sync::Arc;

pub const STATUS: &str = "/var/lib/dpkg/status";

#[derive(Debug, Clone, PartialEq)]
pub struct DpkgPackage {
    pub name: String,
    pub arch: String,
    pub epoch: String,
    pub version: String,
    pub release: String,
}

impl DpkgPackage {
    pub fn evr(&self) -> String {
        if self.release.is_empty() {
            format!("{}:{}", self.epoch, self.version)
        } else {
            format!("{}:{}-{}", self.epoch, self.version, self.release)
        }
    }
}

/// Parses a dpkg status file, keeping installed packages.
pub fn parse_status(text: &str) -> Vec<DpkgPackage> {
    let mut out = Vec::new();
    for stanza in text.split("\n\n") {
        let (mut name, mut arch, mut version, mut installed) = ("", "", "", false);
        for line in stanza.lines() {
            if line.starts_with([' ', '\t']) {
                continue;
            }
            let Some((k, v)) = line.split_once(':') else { continue };
            let v = v.trim();
            match k {
                "Package" => name = v,
                "Architecture" => arch = v,
                "Version" => version = v,
                "Status" => {
                    let w: Vec<&str> = v.split_whitespace().collect();
                    installed = w.len() == 3 && w[1] == "ok" && w[2] == "installed";
                }
                _ => {}
            }
        }
        if !installed || name.is_empty() {
            continue;
        }
        let (epoch, rest) = match version.split_once(':') {
            Some((e, r)) if !e.is_empty() && e.chars().all(|c| c.is_ascii_digit()) => (e, r),
            _ => ("0", version),
        };
        let (ver, rel) = match rest.rfind('-') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        out.push(DpkgPackage {
            name: name.into(),
            arch: arch.into(),
            epoch: epoch.into(),
            version: ver.into(),
            release: rel.into(),
        });
    }
    out.sort_by(|a, b| (&a.name, &a.arch).cmp(&(&b.name, &b.arch)));
    out
}

fn packages(ctx: &ProbeCtx<'_>) -> Result<Arc<Vec<DpkgPackage>>, String> {
    ctx.cache
        .dpkg
        .get_or_init(|| {
            if !ctx.target.exists(STATUS) {
                return Ok(Arc::new(Vec::new()));
            }
            ctx.target.read_text(STATUS).map(|t| Arc::new(parse_status(&t))).map_err(|e| format!("{STATUS}: {e}"))
        })
        .clone()
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let pkgs = match packages(ctx) {
        Ok(p) => p,
        Err(e) => return Collected::error(e),
    };
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for p in pkgs.iter() {
        if !super::entity_ok(obj, "name", &p.name, &mut messages) {
            continue;
        }
        let mut item = Item::new("linux", "dpkginfo_item");
        item.s("name", p.name.as_str());
        item.s("arch", p.arch.as_str());
        item.s("epoch", p.epoch.as_str());
        item.s("release", p.release.as_str());
        item.s("version", p.version.as_str());
        item.push("evr", Datatype::DebianEvrString, p.evr());
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
