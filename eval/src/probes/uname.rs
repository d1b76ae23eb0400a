//! `uname_object` (unix): the running kernel, from `uname(2)`.
//!
//! Local, or a root that runs on this host's kernel (a `scapc test`
//! sandbox): machine_class and processor_type are the machine (`x86_64`,
//! as oscap), node_name the host name, os_name the kernel name, os_release
//! and os_version the kernel release and version. An offline image
//! (`dir:`) runs no kernel: the object is `not collected`.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};

fn field(f: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = f.iter().take_while(|c| **c != 0).map(|c| *c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

pub fn collect(ctx: &ProbeCtx<'_>, _obj: &ObjectSpec) -> Collected {
    if !ctx.target.runs_host_kernel() {
        return Collected::not_collected("an offline image has no running kernel to ask uname");
    }
    // SAFETY: `u` is plain data that uname fills.
    let u = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return Collected::error(format!("uname: {}", std::io::Error::last_os_error()));
        }
        u
    };
    let mut item = Item::new("unix", "uname_item");
    item.s("machine_class", field(&u.machine));
    item.s("node_name", field(&u.nodename));
    item.s("os_name", field(&u.sysname));
    item.s("os_release", field(&u.release));
    item.s("os_version", field(&u.version));
    item.s("processor_type", field(&u.machine));
    Collected::from_items(vec![item])
}
