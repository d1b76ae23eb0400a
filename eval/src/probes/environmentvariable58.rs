//! `environmentvariable58_object` (independent): environment variables of
//! processes.
//!
//! Local only. `pid` nil (or absent) means the scanning process itself
//! (its own environment and PID, as oscap); otherwise the processes whose
//! PID satisfies `pid`, read from `/proc/PID/environ`. A process whose
//! environment cannot be read gives an item with status `error` holding
//! its pid, as oscap. An offline image (`dir:`) has no processes: the
//! object is `not collected`.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Flag, Status};

fn item(pid: u32, name: &str, value: &str) -> Item {
    let mut i = Item::new("independent", "environmentvariable58_item");
    i.push("pid", Datatype::Int, pid.to_string());
    i.s("name", name);
    i.s("value", value);
    i
}

/// Parses `/proc/PID/environ` (NUL-separated `NAME=value`).
pub fn parse_environ(bytes: &[u8]) -> Vec<(String, String)> {
    bytes
        .split(|b| *b == 0)
        .filter(|s| !s.is_empty())
        .filter_map(|s| {
            let s = String::from_utf8_lossy(s);
            let (n, v) = s.split_once('=')?;
            Some((n.to_owned(), v.to_owned()))
        })
        .collect()
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !ctx.target.is_local() {
        return Collected::not_collected("an offline image has no processes whose environment could be read");
    }
    let mut messages = Vec::new();
    let mut items = Vec::new();
    let mut errors = false;
    match obj.entity("pid") {
        None => {
            for (n, v) in
                std::env::vars_os().map(|(n, v)| (n.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
            {
                if super::entity_ok(obj, "name", &n, &mut messages) {
                    items.push(item(std::process::id(), &n, &v));
                }
            }
        }
        Some(p) if p.nil => {
            for (n, v) in
                std::env::vars_os().map(|(n, v)| (n.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
            {
                if super::entity_ok(obj, "name", &n, &mut messages) {
                    items.push(item(std::process::id(), &n, &v));
                }
            }
        }
        Some(p) => {
            let pids: Vec<u32> = match p.exact() {
                Some(v) => v.iter().filter_map(|s| s.trim().parse().ok()).collect(),
                None => {
                    ctx.target.read_dir("/proc").unwrap_or_default().iter().filter_map(|s| s.parse().ok()).collect()
                }
            };
            for pid in pids {
                if !super::entity_ok(obj, "pid", &pid.to_string(), &mut messages) {
                    continue;
                }
                let path = format!("/proc/{pid}/environ");
                if !ctx.target.exists(&format!("/proc/{pid}")) {
                    continue;
                }
                match ctx.target.read_limited(&path, 1 << 24) {
                    Ok(bytes) => {
                        for (n, v) in parse_environ(&bytes) {
                            if super::entity_ok(obj, "name", &n, &mut messages) {
                                items.push(item(pid, &n, &v));
                            }
                        }
                    }
                    Err(e) => {
                        errors = true;
                        messages.push(format!("{path}: {e}"));
                        let mut i = Item::new("independent", "environmentvariable58_item");
                        i.status = Status::Error;
                        i.push("pid", Datatype::Int, pid.to_string());
                        items.push(i);
                    }
                }
            }
        }
    }
    let mut c = Collected::from_items(items);
    if errors {
        c.flag = Flag::Error;
    }
    c.messages = messages;
    c
}
