//! `partition_object` (linux): mounted filesystems.
//!
//! Local: the mount table `/proc/self/mounts` (one item per mount point;
//! when a mount point is mounted over, the top mount), the space from
//! `statvfs` in blocks of `block_size` (as oscap: `total_space` = blocks,
//! `space_used` = blocks - free, `space_left` = free,
//! `space_left_for_unprivileged_users` = available), and `uuid` from the
//! `/dev/disk/by-uuid` links (`does not exist` when none names the device).
//!
//! `dir:`: the configured mounts of the image's `/etc/fstab` (swap and
//! `none` entries left out); `device` is the fstab source as written
//! (`UUID=...` gives `uuid` too); the space entities are `not collected`.
//!
//! Differences from oscap: oscap adds a `bind` option to every mount of a
//! container host's bind-mounted root; options here are exactly those of
//! the mount table.

use super::fs::unescape_mount;
use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Status};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    pub device: String,
    pub mount_point: String,
    pub fs_type: String,
    pub options: Vec<String>,
}

/// Parses `/proc/mounts` or `/etc/fstab` lines (fields: device, mount
/// point, type, options). Later entries for a mount point replace earlier
/// ones.
pub fn parse_mounts(text: &str, fstab: bool) -> Vec<Mount> {
    let mut out: Vec<Mount> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 {
            continue;
        }
        let mount_point = unescape_mount(f[1]);
        if fstab && (f[2] == "swap" || mount_point == "none" || !mount_point.starts_with('/')) {
            continue;
        }
        let options =
            f.get(3).map(|o| o.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()).unwrap_or_default();
        let m = Mount { device: unescape_mount(f[0]), mount_point, fs_type: f[2].to_owned(), options };
        out.retain(|o| o.mount_point != m.mount_point);
        out.push(m);
    }
    out
}

fn mounts(ctx: &ProbeCtx<'_>) -> Result<Arc<Vec<Mount>>, String> {
    ctx.cache
        .mounts
        .get_or_init(|| {
            if ctx.target.is_local() {
                ctx.target
                    .read_text("/proc/self/mounts")
                    .map(|t| Arc::new(parse_mounts(&t, false)))
                    .map_err(|e| format!("/proc/self/mounts: {e}"))
            } else if ctx.target.exists("/etc/fstab") {
                ctx.target
                    .read_text("/etc/fstab")
                    .map(|t| Arc::new(parse_mounts(&t, true)))
                    .map_err(|e| format!("/etc/fstab: {e}"))
            } else {
                Ok(Arc::new(Vec::new()))
            }
        })
        .clone()
}

/// The UUID of a local block device, from `/dev/disk/by-uuid`.
fn local_uuid(ctx: &ProbeCtx<'_>, device: &str) -> Option<String> {
    if !device.starts_with("/dev/") {
        return None;
    }
    let dev = ctx.target.resolve(device).ok().and_then(|p| std::fs::canonicalize(p).ok())?;
    for name in ctx.target.read_dir("/dev/disk/by-uuid").ok()? {
        let link =
            ctx.target.resolve(&format!("/dev/disk/by-uuid/{name}")).ok().and_then(|p| std::fs::canonicalize(p).ok());
        if link.as_ref() == Some(&dev) {
            return Some(name);
        }
    }
    None
}

fn statvfs(ctx: &ProbeCtx<'_>, mount_point: &str) -> Option<libc::statvfs> {
    use std::os::unix::ffi::OsStrExt;
    let host = ctx.target.resolve(mount_point).ok()?;
    let c = std::ffi::CString::new(host.as_os_str().as_bytes()).ok()?;
    // SAFETY: `st` is plain data that statvfs fills; the path is
    // NUL-terminated.
    unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        (libc::statvfs(c.as_ptr(), &mut st) == 0).then_some(st)
    }
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let all = match mounts(ctx) {
        Ok(m) => m,
        Err(e) => return Collected::error(e),
    };
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for m in all.iter() {
        if !super::entity_ok(obj, "mount_point", &m.mount_point, &mut messages) {
            continue;
        }
        let mut item = Item::new("linux", "partition_item");
        item.s("mount_point", m.mount_point.as_str());
        item.s("device", m.device.as_str());
        let uuid = if ctx.target.is_local() {
            local_uuid(ctx, &m.device)
        } else {
            m.device.strip_prefix("UUID=").map(str::to_owned)
        };
        match uuid {
            Some(u) => item.s("uuid", u),
            None => item.push_status("uuid", Datatype::String, Status::DoesNotExist),
        };
        item.s("fs_type", m.fs_type.as_str());
        for o in &m.options {
            item.s("mount_options", o.as_str());
        }
        let names = ["total_space", "space_used", "space_left", "space_left_for_unprivileged_users", "block_size"];
        match ctx.target.is_local().then(|| statvfs(ctx, &m.mount_point)).flatten() {
            Some(st) => {
                #[allow(clippy::unnecessary_cast)] // the field types differ between targets
                let v = [
                    st.f_blocks as u64,
                    (st.f_blocks as u64).saturating_sub(st.f_bfree as u64),
                    st.f_bfree as u64,
                    st.f_bavail as u64,
                    st.f_bsize as u64,
                ];
                for (n, v) in names.iter().zip(v) {
                    item.push(n, Datatype::Int, v.to_string());
                }
            }
            None => {
                for n in names {
                    item.push_status(n, Datatype::Int, Status::NotCollected);
                }
            }
        }
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
