//! `selinuxboolean_object` (linux): SELinux booleans.
//!
//! Local: `/sys/fs/selinux/booleans/NAME` holds "current pending" (`1 0`).
//! Without `/sys/fs/selinux` SELinux is absent and there are no booleans
//! (flag `does not exist`; oscap 1.3.7 fails with a probe error there).
//! An offline image (`dir:`) has no running policy: `not collected`.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::Datatype;

const DIR: &str = "/sys/fs/selinux/booleans";

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !ctx.target.is_local() {
        return Collected::not_collected("an offline image has no running SELinux policy");
    }
    if !ctx.target.exists("/sys/fs/selinux") {
        return Collected::from_items(Vec::new());
    }
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for name in ctx.target.read_dir(DIR).unwrap_or_default() {
        if !super::entity_ok(obj, "name", &name, &mut messages) {
            continue;
        }
        let Ok(text) = ctx.target.read_text(&format!("{DIR}/{name}")) else { continue };
        let mut w = text.split_whitespace();
        let b = |s: Option<&str>| if s == Some("1") { "true" } else { "false" };
        let mut item = Item::new("linux", "selinuxboolean_item");
        item.s("name", name.as_str());
        item.push("current_status", Datatype::Boolean, b(w.next()));
        item.push("pending_status", Datatype::Boolean, b(w.next()));
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
