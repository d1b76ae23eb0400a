//! `family_object`: the target's operating system family. Always `unix`
//! for the targets scapc scans (Linux hosts and root filesystems).

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};

pub fn collect(_ctx: &ProbeCtx<'_>, _obj: &ObjectSpec) -> Collected {
    let mut item = Item::new("independent", "family_item");
    item.s("family", "unix");
    Collected::from_items(vec![item])
}
