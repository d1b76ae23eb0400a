//! `symlink_object` (unix): where symbolic links lead.
//!
//! Files come from `filepath` (equals: a lookup; other operations: a walk,
//! see [`fs`](super::fs), that does not follow links). A file that is not
//! a link has no item (with a message, as oscap); a link that loops or
//! leads nowhere is an error (oscap: "is a circular link"). The
//! `canonical_path` is the link's target with every link resolved, as a
//! path on the target (inside the root for `dir:`).

use super::fs;
use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::Flag;
use crate::target::TargetKind;

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    // Links are files here, never directories to descend into.
    let mut o = obj.clone();
    o.behaviors.insert("recurse".into(), "directories".into());
    let resolved = fs::resolve(ctx, &o);
    if let Some(e) = resolved.error {
        return Collected::error(e);
    }
    let mut messages = resolved.messages;
    let mut items = Vec::new();
    let mut error = false;
    for f in &resolved.files {
        let Some(fp) = f.filepath() else { continue };
        match ctx.target.symlink_metadata(&fp) {
            Ok(m) if m.file_type().is_symlink() => {}
            Ok(_) => {
                messages.push(format!("File '{fp}' is not a symlink."));
                continue;
            }
            Err(_) => continue,
        }
        let canonical = ctx.target.resolve(&fp).ok().and_then(|h| std::fs::canonicalize(&h).ok().map(|c| (h, c)));
        let Some((_, canon)) = canonical else {
            error = true;
            messages.push(format!("Link '{fp}' is a circular link or leads nowhere."));
            continue;
        };
        let path = match ctx.target.kind() {
            TargetKind::Local => canon.to_string_lossy().into_owned(),
            TargetKind::Dir(root) => match canon.strip_prefix(root) {
                Ok(rel) => fs::normalize(&rel.to_string_lossy()),
                Err(_) => {
                    error = true;
                    messages.push(format!("Link '{fp}' leads outside the image."));
                    continue;
                }
            },
        };
        let mut item = Item::new("unix", "symlink_item");
        item.s("filepath", f.item_filepath().unwrap_or(fp));
        item.s("canonical_path", path);
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    if error && c.items.is_empty() {
        c.flag = Flag::Error;
    }
    if resolved.incomplete {
        c.flag = Flag::Incomplete;
    }
    c.messages = messages;
    c
}
