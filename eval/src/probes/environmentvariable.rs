//! `environmentvariable_object` (deprecated since OVAL 5.8 for
//! `environmentvariable58`): the environment of the evaluating process, as
//! oscap reports it: one `environmentvariable_item` (name, value) per
//! variable whose name the object's `name` entity matches. Local targets
//! only: an offline root filesystem has no environment.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !ctx.target.is_local() {
        return Collected::not_collected("an offline image has no environment to read");
    }
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for (n, v) in std::env::vars_os() {
        let (n, v) = (n.to_string_lossy().into_owned(), v.to_string_lossy().into_owned());
        if super::entity_ok(obj, "name", &n, &mut messages) {
            let mut i = Item::new("independent", "environmentvariable_item");
            i.s("name", n);
            i.s("value", v);
            items.push(i);
        }
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
