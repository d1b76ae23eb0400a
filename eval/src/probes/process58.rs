//! `process58_object` (unix): running processes, from `/proc/PID`.
//!
//! Local only (an offline image has no processes: `not collected`). For
//! each process whose `pid` and `command_line` satisfy the object: the
//! command line (`/proc/PID/cmdline`, arguments joined by spaces; `[comm]`
//! for a kernel thread), exec_time (CPU time, `[D-]HH:MM:SS`), pid, ppid,
//! priority (the kernel's, as oscap), ruid and user_id (real and effective
//! uid), scheduling_class (`TS`, `FF`, `RR`, `B`, `IDL`, `DLN` as `ps`),
//! start_time (`HH:MM:SS`, local time), tty (`?` or `pts/N`, `ttyN`,
//! `ttySN`), exec_shield (always false, as oscap), loginuid, one
//! posix_capability per effective capability the schema names, and
//! session_id. A process that exits while it is read is skipped.
//!
//! Differences from oscap: oscap 1.3.7 writes `?` as scheduling_class.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::Datatype;

/// Capability names by bit, as the schema spells them (bits it does not
/// name are left out).
const CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
];

/// The fields of `/proc/PID/stat` after the command name (field 3 on).
fn stat_fields(stat: &str) -> Option<(String, Vec<String>)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    Some((comm, stat[close + 1..].split_whitespace().map(str::to_owned).collect()))
}

pub fn format_duration(mut secs: u64) -> String {
    let s = secs % 60;
    secs /= 60;
    let m = secs % 60;
    secs /= 60;
    let h = secs % 24;
    let d = secs / 24;
    if d > 0 {
        format!("{d}-{h:02}:{m:02}:{s:02}")
    } else {
        format!("{h:02}:{m:02}:{s:02}")
    }
}

fn tty_name(nr: u64) -> String {
    let major = (nr >> 8) & 0xfff;
    let minor = (nr & 0xff) | ((nr >> 12) & 0xfff00);
    match major {
        0 => "?".into(),
        136..=143 => format!("pts/{}", minor + (major - 136) * 256),
        4 if minor < 64 => format!("tty{minor}"),
        4 => format!("ttyS{}", minor - 64),
        _ => "?".into(),
    }
}

fn local_hms(t: i64) -> String {
    // SAFETY: `tm` is plain data that localtime_r fills.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        let tt: libc::time_t = t as libc::time_t;
        if libc::localtime_r(&tt, &mut tm).is_null() {
            return String::new();
        }
        format!("{:02}:{:02}:{:02}", tm.tm_hour, tm.tm_min, tm.tm_sec)
    }
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !ctx.target.is_local() {
        return Collected::not_collected("an offline image has no running processes");
    }
    let t = ctx.target;
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let uptime: f64 = t
        .read_text("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0);
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
    let boot = now - uptime;
    let mut messages = Vec::new();
    let mut items = Vec::new();
    let pids: Vec<u32> = match obj.entity("pid").and_then(|p| p.exact()) {
        Some(v) => v.iter().filter_map(|s| s.trim().parse().ok()).collect(),
        None => {
            let mut v: Vec<u32> =
                t.read_dir("/proc").unwrap_or_default().iter().filter_map(|s| s.parse().ok()).collect();
            v.sort_unstable();
            v
        }
    };
    for pid in pids {
        if ctx.expired() {
            let mut c = Collected::from_items(items);
            c.flag = crate::oval::types::Flag::Incomplete;
            c.messages = messages;
            return c;
        }
        if !super::entity_ok(obj, "pid", &pid.to_string(), &mut messages) {
            continue;
        }
        let dir = format!("/proc/{pid}");
        let Ok(stat) = t.read_text(&format!("{dir}/stat")) else { continue };
        let Some((comm, f)) = stat_fields(&stat) else { continue };
        // f[0] is field 3 (state): field N is f[N - 3].
        let field = |n: usize| f.get(n - 3).map(String::as_str).unwrap_or("0");
        let cmdline = t.read_limited(&format!("{dir}/cmdline"), 1 << 20).unwrap_or_default();
        let cmd = if cmdline.is_empty() {
            format!("[{comm}]")
        } else {
            let parts: Vec<String> = cmdline
                .split(|b| *b == 0)
                .filter(|p| !p.is_empty())
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            parts.join(" ")
        };
        if !super::entity_ok(obj, "command_line", &cmd, &mut messages) {
            continue;
        }
        let status = t.read_text(&format!("{dir}/status")).unwrap_or_default();
        let status_field = |k: &str| status.lines().find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_owned()));
        let uids: Vec<String> =
            status_field("Uid:").map(|v| v.split_whitespace().map(str::to_owned).collect()).unwrap_or_default();
        let cpu: u64 = field(14).parse::<u64>().unwrap_or(0) + field(15).parse::<u64>().unwrap_or(0);
        let start_ticks: u64 = field(22).parse().unwrap_or(0);
        let policy = match field(41) {
            "0" => "TS",
            "1" => "FF",
            "2" => "RR",
            "3" => "B",
            "5" => "IDL",
            "6" => "DLN",
            _ => "?",
        };
        let mut item = Item::new("unix", "process58_item");
        item.s("command_line", cmd);
        item.s("exec_time", format_duration(cpu / hz));
        item.push("pid", Datatype::Int, pid.to_string());
        item.push("ppid", Datatype::Int, field(4));
        item.push("priority", Datatype::Int, field(18));
        if let Some(r) = uids.first() {
            item.push("ruid", Datatype::Int, r.as_str());
        }
        item.s("scheduling_class", policy);
        item.s("start_time", local_hms((boot + (start_ticks / hz) as f64) as i64));
        item.s("tty", tty_name(field(7).parse().unwrap_or(0)));
        if let Some(e) = uids.get(1) {
            item.push("user_id", Datatype::Int, e.as_str());
        }
        item.push("exec_shield", Datatype::Boolean, "false");
        if let Ok(l) = t.read_text(&format!("{dir}/loginuid")) {
            item.push("loginuid", Datatype::Int, l.trim());
        }
        if let Some(cap) = status_field("CapEff:").and_then(|v| u64::from_str_radix(&v, 16).ok()) {
            for (bit, name) in CAPS.iter().enumerate() {
                if cap & (1u64 << bit) != 0 {
                    item.s("posix_capability", *name);
                }
            }
        }
        item.push("session_id", Datatype::Int, field(6));
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
