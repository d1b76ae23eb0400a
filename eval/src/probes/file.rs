//! `file_object` (unix): the metadata of files and directories.
//!
//! Files come from `filepath`, or `path` and `filename` (`filename` nil:
//! the directories themselves), with the file behaviors (see
//! [`fs`](super::fs)). Each item is the `lstat` of its path on the target
//! (local or `dir:`): a symbolic link is reported as `symbolic link`, as
//! oscap does. Owners are numeric; times are seconds since the epoch;
//! `has_extended_acl` is true when the POSIX access (or, for a directory,
//! default) ACL has more than the three base entries.

use super::fs::{self, FileRef};
use super::{push_location, ProbeCtx};
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Flag};
use std::os::unix::fs::{FileTypeExt, MetadataExt};

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    let resolved = fs::resolve(ctx, obj);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    let mut messages = resolved.messages;
    let mut items = Vec::new();
    for f in &resolved.files {
        if let Some(item) = file_item(ctx, f, &mut messages) {
            if ctx.keeps(&item) {
                items.push(item);
            }
        }
    }
    let mut c = Collected::from_items(items);
    if resolved.incomplete {
        c.flag = Flag::Incomplete;
        messages.push("the deadline passed before every file was found".into());
    }
    c.messages = messages;
    c
}

/// The `file_item` of one path, or `None` when it vanished.
pub(super) fn file_item(ctx: &ProbeCtx<'_>, f: &FileRef, messages: &mut Vec<String>) -> Option<Item> {
    let p = f.target_path();
    let m = match ctx.target.symlink_metadata(&p) {
        Ok(m) => m,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::NotFound {
                messages.push(format!("{p}: {e}"));
            }
            return None;
        }
    };
    let ft = m.file_type();
    let kind = if ft.is_file() {
        "regular"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else if ft.is_fifo() {
        "fifo"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_char_device() {
        "character special"
    } else if ft.is_block_device() {
        "block special"
    } else {
        "unknown"
    };
    let mode = m.mode();
    let bit = |b: u32| if mode & b != 0 { "true" } else { "false" };
    let mut item = Item::new("unix", "file_item");
    push_location(&mut item, f);
    item.s("type", kind);
    item.push("group_id", Datatype::Int, m.gid().to_string());
    item.push("user_id", Datatype::Int, m.uid().to_string());
    item.push("a_time", Datatype::Int, m.atime().to_string());
    item.push("c_time", Datatype::Int, m.ctime().to_string());
    item.push("m_time", Datatype::Int, m.mtime().to_string());
    item.push("size", Datatype::Int, m.size().to_string());
    for (name, b) in [
        ("suid", 0o4000),
        ("sgid", 0o2000),
        ("sticky", 0o1000),
        ("uread", 0o400),
        ("uwrite", 0o200),
        ("uexec", 0o100),
        ("gread", 0o40),
        ("gwrite", 0o20),
        ("gexec", 0o10),
        ("oread", 0o4),
        ("owrite", 0o2),
        ("oexec", 0o1),
    ] {
        item.push(name, Datatype::Boolean, bit(b));
    }
    let acl =
        !ft.is_symlink() && ctx.target.resolve_nofollow(&p).map(|h| has_extended_acl(&h, ft.is_dir())).unwrap_or(false);
    item.push("has_extended_acl", Datatype::Boolean, if acl { "true" } else { "false" });
    Some(item)
}

/// Whether a file's POSIX ACLs go beyond the mode bits: an access ACL
/// with more than the three base entries, or a default ACL on a directory.
fn has_extended_acl(host: &std::path::Path, is_dir: bool) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(host.as_os_str().as_bytes()) else { return false };
    let entries = |name: &[u8]| -> isize {
        // SAFETY: a NUL-terminated path and attribute name; a NULL buffer
        // of size 0 asks only for the value's size.
        let n = unsafe { libc::lgetxattr(c.as_ptr(), name.as_ptr() as *const libc::c_char, std::ptr::null_mut(), 0) };
        if n < 4 {
            0
        } else {
            (n - 4) / 8
        }
    };
    entries(b"system.posix_acl_access\0") > 3 || (is_dir && entries(b"system.posix_acl_default\0") > 0)
}
