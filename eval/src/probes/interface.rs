//! `interface_object` (unix): network interfaces and their addresses,
//! from `getifaddrs(3)`.
//!
//! Local only (an offline image has no configured interfaces: `not
//! collected`). One item per interface address (IPv4 and IPv6): name,
//! type (`ARPHRD_*` from `/sys/class/net/NAME/type`, empty when the schema
//! has no name for it), hardware_addr (upper-case, as oscap), inet_addr
//! (IPv6 as `addr/prefix`, as oscap), broadcast_addr and netmask (IPv4;
//! `does not exist` when the interface has none; oscap writes them empty),
//! and one `flag` per interface flag set.

use super::ProbeCtx;
use crate::oval::item::{Collected, Item, ObjectSpec};
use crate::oval::types::{Datatype, Status};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

const FLAGS: &[(libc::c_uint, &str)] = &[
    (libc::IFF_UP as libc::c_uint, "UP"),
    (libc::IFF_BROADCAST as libc::c_uint, "BROADCAST"),
    (libc::IFF_DEBUG as libc::c_uint, "DEBUG"),
    (libc::IFF_LOOPBACK as libc::c_uint, "LOOPBACK"),
    (libc::IFF_POINTOPOINT as libc::c_uint, "POINTOPOINT"),
    (libc::IFF_NOTRAILERS as libc::c_uint, "NOTRAILERS"),
    (libc::IFF_RUNNING as libc::c_uint, "RUNNING"),
    (libc::IFF_NOARP as libc::c_uint, "NOARP"),
    (libc::IFF_PROMISC as libc::c_uint, "PROMISC"),
    (libc::IFF_ALLMULTI as libc::c_uint, "ALLMULTI"),
    (libc::IFF_MASTER as libc::c_uint, "MASTER"),
    (libc::IFF_SLAVE as libc::c_uint, "SLAVE"),
    (libc::IFF_MULTICAST as libc::c_uint, "MULTICAST"),
    (libc::IFF_PORTSEL as libc::c_uint, "PORTSEL"),
    (libc::IFF_AUTOMEDIA as libc::c_uint, "AUTOMEDIA"),
    (libc::IFF_DYNAMIC as libc::c_uint, "DYNAMIC"),
];

enum Addr {
    V4 { addr: Ipv4Addr, mask: Option<Ipv4Addr>, broadcast: Option<Ipv4Addr> },
    V6 { addr: Ipv6Addr, prefix: u32 },
}

struct Raw {
    name: String,
    flags: libc::c_uint,
    addr: Addr,
}

/// Reads `getifaddrs`: the addresses, and the hardware address by name.
fn read_ifaddrs() -> std::io::Result<(Vec<Raw>, BTreeMap<String, String>)> {
    let mut out = Vec::new();
    let mut hw = BTreeMap::new();
    // SAFETY: getifaddrs allocates a list that freeifaddrs releases; every
    // sockaddr is read according to its family.
    unsafe {
        let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
        if libc::getifaddrs(&mut head) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let mut p = head;
        while !p.is_null() {
            let ifa = &*p;
            p = ifa.ifa_next;
            if ifa.ifa_addr.is_null() || ifa.ifa_name.is_null() {
                continue;
            }
            let name = std::ffi::CStr::from_ptr(ifa.ifa_name).to_string_lossy().into_owned();
            let v4 = |sa: *const libc::sockaddr| -> Option<Ipv4Addr> {
                if sa.is_null() || (*sa).sa_family as i32 != libc::AF_INET {
                    return None;
                }
                let sin = &*(sa as *const libc::sockaddr_in);
                Some(Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)))
            };
            match (*ifa.ifa_addr).sa_family as i32 {
                libc::AF_INET => {
                    let broadcast =
                        if ifa.ifa_flags & libc::IFF_BROADCAST as libc::c_uint != 0 { v4(ifa.ifa_ifu) } else { None };
                    out.push(Raw {
                        name,
                        flags: ifa.ifa_flags,
                        addr: Addr::V4 {
                            addr: v4(ifa.ifa_addr).unwrap_or(Ipv4Addr::UNSPECIFIED),
                            mask: v4(ifa.ifa_netmask),
                            broadcast,
                        },
                    });
                }
                libc::AF_INET6 => {
                    let sin6 = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                    let prefix = if ifa.ifa_netmask.is_null() {
                        128
                    } else {
                        let m = &*(ifa.ifa_netmask as *const libc::sockaddr_in6);
                        m.sin6_addr.s6_addr.iter().map(|b| b.count_ones()).sum()
                    };
                    out.push(Raw {
                        name,
                        flags: ifa.ifa_flags,
                        addr: Addr::V6 { addr: Ipv6Addr::from(sin6.sin6_addr.s6_addr), prefix },
                    });
                }
                libc::AF_PACKET => {
                    let sll = &*(ifa.ifa_addr as *const libc::sockaddr_ll);
                    let n = (sll.sll_halen as usize).min(8);
                    let mac: Vec<String> = sll.sll_addr[..n].iter().map(|b| format!("{b:02X}")).collect();
                    hw.insert(name, mac.join(":"));
                }
                _ => {}
            }
        }
        libc::freeifaddrs(head);
    }
    Ok((out, hw))
}

/// This host's network identity for the results' target facts: every
/// address (IPv4 first, then IPv6, each in interface order, no repeats)
/// and every distinct hardware address.
pub fn host_addresses() -> (Vec<std::net::IpAddr>, Vec<String>) {
    let Ok((raw, hw)) = read_ifaddrs() else { return (Vec::new(), Vec::new()) };
    let mut addrs: Vec<std::net::IpAddr> = Vec::new();
    for want_v4 in [true, false] {
        for r in &raw {
            let a = match r.addr {
                Addr::V4 { addr, .. } if want_v4 => std::net::IpAddr::V4(addr),
                Addr::V6 { addr, .. } if !want_v4 => std::net::IpAddr::V6(addr),
                _ => continue,
            };
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
    }
    let mut macs: Vec<String> = Vec::new();
    for m in hw.into_values() {
        if !m.is_empty() && !macs.contains(&m) {
            macs.push(m);
        }
    }
    (addrs, macs)
}

fn arphrd(n: &str) -> &'static str {
    match n.trim() {
        "1" => "ARPHRD_ETHER",
        "774" => "ARPHRD_FDDI",
        "772" => "ARPHRD_LOOPBACK",
        "65535" => "ARPHRD_VOID",
        "512" => "ARPHRD_PPP",
        "256" => "ARPHRD_SLIP",
        "4" => "ARPHRD_PRONET",
        _ => "",
    }
}

pub fn collect(ctx: &ProbeCtx<'_>, obj: &ObjectSpec) -> Collected {
    if !ctx.target.is_local() {
        return Collected::not_collected("an offline image has no configured network interfaces");
    }
    let (raw, hw) = match read_ifaddrs() {
        Ok(r) => r,
        Err(e) => return Collected::error(format!("getifaddrs: {e}")),
    };
    let mut messages = Vec::new();
    let mut items = Vec::new();
    for r in raw {
        if !super::entity_ok(obj, "name", &r.name, &mut messages) {
            continue;
        }
        let mut item = Item::new("unix", "interface_item");
        item.s("name", r.name.as_str());
        let ty = ctx.target.read_text(&format!("/sys/class/net/{}/type", r.name)).map(|t| arphrd(&t)).unwrap_or("");
        item.s("type", ty);
        match hw.get(&r.name) {
            Some(h) => item.s("hardware_addr", h.as_str()),
            None => item.push_status("hardware_addr", Datatype::String, Status::DoesNotExist),
        };
        match r.addr {
            Addr::V4 { addr, mask, broadcast } => {
                item.push("inet_addr", Datatype::Ipv4Address, addr.to_string());
                match broadcast {
                    Some(b) => item.push("broadcast_addr", Datatype::Ipv4Address, b.to_string()),
                    None => item.push_status("broadcast_addr", Datatype::Ipv4Address, Status::DoesNotExist),
                };
                match mask {
                    Some(m) => item.push("netmask", Datatype::Ipv4Address, m.to_string()),
                    None => item.push_status("netmask", Datatype::Ipv4Address, Status::DoesNotExist),
                };
            }
            Addr::V6 { addr, prefix } => {
                item.push("inet_addr", Datatype::Ipv6Address, format!("{addr}/{prefix}"));
                item.push_status("broadcast_addr", Datatype::Ipv6Address, Status::DoesNotExist);
                item.push_status("netmask", Datatype::Ipv6Address, Status::DoesNotExist);
            }
        }
        for (bit, name) in FLAGS {
            if r.flags & bit != 0 {
                item.s("flag", *name);
            }
        }
        items.push(item);
    }
    let mut c = Collected::from_items(items);
    c.messages = messages;
    c
}
