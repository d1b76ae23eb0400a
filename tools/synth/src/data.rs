//! Pools of realistic settings the generator draws from. Facts (which
//! file, which key, which value) follow common Debian hardening practice;
//! every sentence is written for this tool.

/// A global kernel parameter: (name, value, title, what it does, why).
pub type SysctlDef = (&'static str, &'static str, &'static str, &'static str, &'static str);

pub const SYSCTL_NET4: &[SysctlDef] = &[
    ("net.ipv4.ip_forward", "0", "Disable IPv4 Packet Forwarding", "makes the system route IPv4 packets between its interfaces", "Only a router needs to forward packets; on any other host forwarding can bridge networks that were meant to stay apart."),
    ("net.ipv4.conf.all.accept_redirects", "0", "Ignore IPv4 ICMP Redirects on All Interfaces", "lets ICMP redirect messages change the routing table", "A forged redirect lets a host on the local network steer traffic through a machine it controls."),
    ("net.ipv4.conf.default.accept_redirects", "0", "Ignore IPv4 ICMP Redirects on New Interfaces", "is the redirect policy given to interfaces created later", "Interfaces that appear after boot, such as VPN tunnels, would otherwise accept forged redirects."),
    ("net.ipv4.conf.all.secure_redirects", "0", "Ignore IPv4 Secure ICMP Redirects", "accepts redirects that claim to come from a listed default gateway", "The source address of a redirect is trivial to forge, so the gateway check protects nothing."),
    ("net.ipv4.conf.default.secure_redirects", "0", "Ignore IPv4 Secure ICMP Redirects on New Interfaces", "is the secure-redirect policy of interfaces created later", "New interfaces should not start with a weaker policy than the existing ones."),
    ("net.ipv4.conf.all.send_redirects", "0", "Do Not Send IPv4 ICMP Redirects", "makes the system tell other hosts about better routes", "Only routers send redirects; a host that sends them discloses routing information."),
    ("net.ipv4.conf.default.send_redirects", "0", "Do Not Send IPv4 ICMP Redirects on New Interfaces", "is the send-redirect policy of interfaces created later", "New interfaces should not start with a weaker policy than the existing ones."),
    ("net.ipv4.conf.all.accept_source_route", "0", "Reject IPv4 Source-Routed Packets", "accepts packets whose sender chose the route", "Source routing lets a sender route traffic around firewalls and filters."),
    ("net.ipv4.conf.default.accept_source_route", "0", "Reject IPv4 Source-Routed Packets on New Interfaces", "is the source-route policy of interfaces created later", "New interfaces should not start with a weaker policy than the existing ones."),
    ("net.ipv4.conf.all.rp_filter", "1", "Enable Strict IPv4 Reverse Path Filtering", "drops packets whose source address would not be routed back through the interface they came in on", "Reverse path filtering stops many spoofed packets at the edge of the system."),
    ("net.ipv4.conf.default.rp_filter", "1", "Enable Reverse Path Filtering on New Interfaces", "is the reverse path policy of interfaces created later", "New interfaces should not start with a weaker policy than the existing ones."),
    ("net.ipv4.conf.all.log_martians", "1", "Log IPv4 Packets with Impossible Addresses", "logs packets with source addresses that cannot be valid", "Such packets are a sign of spoofing or of a misconfigured network, and both deserve attention."),
    ("net.ipv4.conf.default.log_martians", "1", "Log Impossible Addresses on New Interfaces", "is the martian logging policy of interfaces created later", "New interfaces should not start with a weaker policy than the existing ones."),
    ("net.ipv4.icmp_echo_ignore_broadcasts", "1", "Ignore IPv4 Broadcast Echo Requests", "makes the system ignore pings sent to a broadcast address", "Answering broadcast pings makes the system a helper in traffic amplification attacks."),
    ("net.ipv4.icmp_ignore_bogus_error_responses", "1", "Ignore Bogus IPv4 ICMP Error Responses", "stops the logging of malformed ICMP error messages", "Bogus error messages can otherwise fill the logs and hide real events."),
    ("net.ipv4.tcp_syncookies", "1", "Enable TCP SYN Cookies", "answers with SYN cookies when the connection backlog overflows", "SYN cookies keep the system reachable during a SYN flood."),
];

pub const SYSCTL_NET6: &[SysctlDef] = &[
    (
        "net.ipv6.conf.all.accept_ra",
        "0",
        "Ignore IPv6 Router Advertisements",
        "lets router advertisements configure addresses and routes",
        "A rogue router advertisement can redirect all IPv6 traffic of a segment.",
    ),
    (
        "net.ipv6.conf.default.accept_ra",
        "0",
        "Ignore IPv6 Router Advertisements on New Interfaces",
        "is the router advertisement policy of interfaces created later",
        "New interfaces should not start with a weaker policy than the existing ones.",
    ),
    (
        "net.ipv6.conf.all.accept_redirects",
        "0",
        "Ignore IPv6 ICMP Redirects",
        "lets ICMPv6 redirect messages change the routing table",
        "A forged redirect lets a host on the local network steer traffic through a machine it controls.",
    ),
    (
        "net.ipv6.conf.default.accept_redirects",
        "0",
        "Ignore IPv6 ICMP Redirects on New Interfaces",
        "is the ICMPv6 redirect policy of interfaces created later",
        "New interfaces should not start with a weaker policy than the existing ones.",
    ),
    (
        "net.ipv6.conf.all.accept_source_route",
        "0",
        "Reject IPv6 Source-Routed Packets",
        "accepts IPv6 packets with a routing header chosen by the sender",
        "Source routing lets a sender route traffic around firewalls and filters.",
    ),
    (
        "net.ipv6.conf.default.accept_source_route",
        "0",
        "Reject IPv6 Source-Routed Packets on New Interfaces",
        "is the source-route policy of interfaces created later",
        "New interfaces should not start with a weaker policy than the existing ones.",
    ),
    (
        "net.ipv6.conf.all.forwarding",
        "0",
        "Disable IPv6 Packet Forwarding",
        "makes the system route IPv6 packets between its interfaces",
        "Only a router needs to forward packets.",
    ),
    (
        "net.ipv6.conf.default.forwarding",
        "0",
        "Disable IPv6 Forwarding on New Interfaces",
        "is the forwarding policy of interfaces created later",
        "New interfaces should not start with a weaker policy than the existing ones.",
    ),
];

pub const SYSCTL_KERNEL: &[SysctlDef] = &[
    ("kernel.randomize_va_space", "2", "Enable Full Address Space Layout Randomization", "places the stack, heap, libraries and memory mappings at random addresses", "Randomized addresses make memory corruption bugs much harder to exploit."),
    ("kernel.dmesg_restrict", "1", "Restrict Access to the Kernel Log", "limits reading the kernel ring buffer to privileged users", "The kernel log reveals addresses and hardware details that help an attacker."),
    ("kernel.kexec_load_disabled", "1", "Disable Loading a New Kernel with kexec", "forbids replacing the running kernel without a reboot", "kexec can start an unsigned kernel and so bypass secure boot and kernel hardening."),
    ("kernel.sysrq", "0", "Disable the Magic SysRq Key", "enables the keyboard combinations that talk to the kernel directly", "Anyone at the console could reboot the system or dump memory without logging in."),
    ("kernel.core_uses_pid", "1", "Append the Process ID to Core File Names", "adds the process id to the name of each core file", "Separate core files keep one crash from overwriting the evidence of another."),
    ("kernel.unprivileged_userns_clone", "0", "Disable Unprivileged User Namespaces", "lets unprivileged users create user namespaces", "User namespaces expose kernel code that ordinary users could not reach before, and several privilege escalations started there."),
    ("fs.suid_dumpable", "0", "Disable Core Dumps of Set-User-ID Programs", "decides whether programs that changed privileges may write core files", "A core file of a privileged program can contain password hashes and keys."),
    ("fs.protected_hardlinks", "1", "Protect Hard Links", "restricts who may create hard links to files they do not own", "Hard link tricks in shared directories are a classic way to attack privileged programs."),
    ("fs.protected_symlinks", "1", "Protect Symbolic Links", "restricts following symbolic links in world-writable sticky directories", "Symbolic link races in /tmp are a classic way to attack privileged programs."),
    ("net.core.bpf_jit_harden", "2", "Harden the BPF JIT Compiler", "blinds constants in code produced by the BPF just-in-time compiler", "Constant blinding defeats JIT spraying attacks."),
    ("dev.tty.ldisc_autoload", "0", "Disable Automatic Loading of TTY Line Disciplines", "lets unprivileged users load line discipline modules by using them", "Rarely used line disciplines have carried exploitable bugs."),
    ("vm.unprivileged_userfaultfd", "0", "Restrict userfaultfd to Privileged Users", "lets unprivileged users handle page faults in user space", "userfaultfd makes kernel race conditions much easier to win."),
    ("kernel.panic_on_oops", "1", "Panic on Kernel Oops", "turns a kernel oops into a panic", "After an oops the kernel state can no longer be trusted; stopping is safer than carrying on."),
];

/// Kernel parameters set through an XCCDF Value: (name, title, what, options
/// as (selector, value), operator word for the Value).
pub type SysctlVarDef = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

pub const SYSCTL_KERNEL_VAR: &[SysctlVarDef] = &[
    (
        "kernel.kptr_restrict",
        "Restrict Exposure of Kernel Pointers",
        "hides kernel addresses printed through /proc and other interfaces",
        &[("default", "1"), ("admin_only", "1"), ("nobody", "2")],
    ),
    (
        "kernel.perf_event_paranoid",
        "Restrict Performance Events",
        "limits what unprivileged users may measure with perf events",
        &[("default", "2"), ("kernel_profiling_off", "2"), ("no_cpu_events", "3")],
    ),
    (
        "kernel.yama.ptrace_scope",
        "Restrict ptrace",
        "limits which processes may attach to others with ptrace",
        &[("default", "1"), ("descendants_only", "1"), ("admin_only", "2"), ("disabled", "3")],
    ),
    (
        "kernel.unprivileged_bpf_disabled",
        "Disable Unprivileged BPF",
        "decides whether ordinary users may load BPF programs",
        &[("default", "1"), ("locked", "1"), ("admin_may_reenable", "2")],
    ),
    (
        "vm.mmap_min_addr",
        "Protect Low Memory Addresses",
        "is the lowest address a process may map",
        &[("default", "65536"), ("32_kib", "32768"), ("64_kib", "65536")],
    ),
    (
        "fs.protected_fifos",
        "Protect FIFOs in Sticky Directories",
        "restricts opening FIFOs owned by others in world-writable sticky directories",
        &[("default", "2"), ("world_writable", "1"), ("group_writable", "2")],
    ),
    (
        "fs.protected_regular",
        "Protect Regular Files in Sticky Directories",
        "restricts opening regular files owned by others in world-writable sticky directories",
        &[("default", "2"), ("world_writable", "1"), ("group_writable", "2")],
    ),
];

/// Per-interface parameters: (param, value, title with {if}, what).
pub type IfaceParam = (&'static str, &'static str, &'static str, &'static str);

pub const IFACE4_PARAMS: &[IfaceParam] = &[
    (
        "accept_redirects",
        "0",
        "Ignore IPv4 ICMP Redirects on {if}",
        "lets ICMP redirects that arrive on this interface change the routing table",
    ),
    (
        "secure_redirects",
        "0",
        "Ignore IPv4 Gateway Redirects on {if}",
        "accepts redirects on this interface that claim to come from a default gateway",
    ),
    (
        "send_redirects",
        "0",
        "Do Not Send IPv4 Redirects on {if}",
        "makes the system send ICMP redirects out of this interface",
    ),
    (
        "accept_source_route",
        "0",
        "Reject IPv4 Source-Routed Packets on {if}",
        "accepts source-routed packets on this interface",
    ),
    (
        "rp_filter",
        "1",
        "Enable Reverse Path Filtering on {if}",
        "drops packets on this interface whose source would not be routed back through it",
    ),
    (
        "log_martians",
        "1",
        "Log Impossible Addresses on {if}",
        "logs packets with impossible source addresses that arrive on this interface",
    ),
    (
        "proxy_arp",
        "0",
        "Disable Proxy ARP on {if}",
        "makes the system answer ARP requests on behalf of other hosts on this interface",
    ),
    (
        "bootp_relay",
        "0",
        "Disable BOOTP Relaying on {if}",
        "accepts packets with source 0.b.c.d meant for hosts that are still booting",
    ),
];

pub const IFACE6_PARAMS: &[IfaceParam] = &[
    (
        "accept_ra",
        "0",
        "Ignore IPv6 Router Advertisements on {if}",
        "lets router advertisements on this interface configure addresses and routes",
    ),
    (
        "accept_redirects",
        "0",
        "Ignore IPv6 Redirects on {if}",
        "lets ICMPv6 redirects on this interface change the routing table",
    ),
    (
        "accept_source_route",
        "0",
        "Reject IPv6 Source-Routed Packets on {if}",
        "accepts IPv6 packets with a sender-chosen routing header on this interface",
    ),
    (
        "forwarding",
        "0",
        "Disable IPv6 Forwarding on {if}",
        "makes the system forward IPv6 packets arriving on this interface",
    ),
    (
        "autoconf",
        "0",
        "Disable IPv6 Address Autoconfiguration on {if}",
        "lets the interface derive its own addresses from router advertisements",
    ),
    (
        "accept_ra_defrtr",
        "0",
        "Ignore Default Routes from Advertisements on {if}",
        "learns a default route from router advertisements on this interface",
    ),
    (
        "accept_ra_pinfo",
        "0",
        "Ignore Prefix Information from Advertisements on {if}",
        "learns address prefixes from router advertisements on this interface",
    ),
    (
        "router_solicitations",
        "0",
        "Send No Router Solicitations on {if}",
        "is the number of router solicitations the interface sends when it comes up",
    ),
];

pub const IFACE_KINDS: &[&str] = &["eth", "ens", "enp", "bond", "br", "vlan", "wg", "eno"];

/// OpenSSH server keywords with a fixed value: (keyword, value, title, what, why).
pub type SshdDef = (&'static str, &'static str, &'static str, &'static str, &'static str);

pub const SSHD: &[SshdDef] = &[
    ("PermitRootLogin", "no", "Disable SSH Root Login", "decides whether root may log in directly", "Administrators should log in as themselves and then gain privileges, so that every action can be traced to a person."),
    ("PermitEmptyPasswords", "no", "Disable SSH Login to Accounts with Empty Passwords", "allows login to accounts whose password is empty", "An account without a password is open to anyone who can reach the port."),
    ("HostbasedAuthentication", "no", "Disable SSH Host-Based Authentication", "trusts the client host instead of the user", "Host-based trust lets one compromised host open sessions on many others."),
    ("IgnoreRhosts", "yes", "Ignore .rhosts Files for SSH", "ignores the legacy .rhosts and .shosts files", "Those files let users grant password-less access to their accounts without any review."),
    ("X11Forwarding", "no", "Disable SSH X11 Forwarding", "tunnels X11 connections from the server to the client display", "A server that forwards X11 can reach the client's display, keyboard and clipboard."),
    ("AllowTcpForwarding", "no", "Disable SSH TCP Forwarding", "lets users tunnel arbitrary TCP connections through the server", "Forwarded ports can carry traffic past firewalls that were meant to block it."),
    ("AllowAgentForwarding", "no", "Disable SSH Agent Forwarding", "lets sessions use the authentication agent of the client", "A root user on the server can use a forwarded agent to log in elsewhere as the client user."),
    ("PermitUserEnvironment", "no", "Do Not Let Users Set the SSH Environment", "reads environment settings from the user's ~/.ssh/environment", "Environment variables such as LD_PRELOAD can change the behaviour of programs the session starts."),
    ("PermitTunnel", "no", "Disable SSH Tunnel Devices", "lets clients create tun or tap devices through the connection", "A tunnel device connects the client to networks behind the server."),
    ("GatewayPorts", "no", "Do Not Bind SSH Forwarded Ports to All Addresses", "lets remote forwarded ports listen on every address of the server", "Forwarded ports should only be reachable from the server itself."),
    ("UsePAM", "yes", "Enable PAM for SSH", "runs the PAM account and session modules for SSH logins", "Account locking, password expiry and session limits are enforced by PAM."),
    ("StrictModes", "yes", "Enable SSH StrictModes", "checks the ownership and modes of the user's files before accepting a login", "Key files that others can write let them add their own keys."),
    ("GSSAPIAuthentication", "no", "Disable SSH GSSAPI Authentication", "accepts GSSAPI (Kerberos) credentials", "Unused authentication methods only widen the attack surface."),
    ("KerberosAuthentication", "no", "Disable SSH Kerberos Authentication", "checks passwords against a Kerberos KDC", "Unused authentication methods only widen the attack surface."),
    ("PrintLastLog", "yes", "Show the Last Login at SSH Login", "shows the date and origin of the previous login", "Users who see an unexpected previous login can report it."),
    ("IgnoreUserKnownHosts", "yes", "Ignore Users' Known Hosts for SSH Host-Based Login", "reads the user's known_hosts file during host-based authentication", "Users should not be able to extend host trust on their own."),
    ("LogLevel", "VERBOSE", "Log SSH Key Fingerprints", "sets how much the server logs", "At VERBOSE the server logs the fingerprint of the key used for each login."),
    ("DisableForwarding", "yes", "Disable All SSH Forwarding", "turns off every kind of forwarding at once", "Forwarding of ports, agents and X11 is rarely needed on a server."),
    ("KbdInteractiveAuthentication", "no", "Disable SSH Keyboard-Interactive Authentication", "offers PAM conversations as a login method", "When only keys are meant to be accepted, this method reopens password login."),
    ("Compression", "no", "Disable SSH Compression", "compresses the session data", "Compression code runs before authentication in older releases and adds attack surface."),
    ("UseDNS", "no", "Disable SSH Reverse DNS Lookups", "looks up the client's host name and checks it resolves back", "The lookup slows down logins and host names in logs can be forged through DNS."),
    ("Banner", "/etc/issue.net", "Show a Login Banner for SSH", "names the file shown before authentication", "A banner informs users of the terms of use before they log in."),
];

/// OpenSSH keywords set through a Value: (keyword, title, what, unit, operator,
/// options).
pub type SshdVarDef = (&'static str, &'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

pub const SSHD_VAR: &[SshdVarDef] = &[
    (
        "MaxAuthTries",
        "Limit SSH Authentication Attempts",
        "is the number of authentication attempts allowed per connection",
        "attempts",
        &[("default", "4"), ("3", "3"), ("4", "4"), ("6", "6")],
    ),
    (
        "ClientAliveInterval",
        "Set the SSH Idle Timeout",
        "is the number of seconds after which the server probes an idle client",
        "seconds",
        &[("default", "300"), ("5_minutes", "300"), ("10_minutes", "600"), ("15_minutes", "900")],
    ),
    (
        "ClientAliveCountMax",
        "Limit Unanswered SSH Keep-Alives",
        "is the number of unanswered probes after which the server ends a session",
        "probes",
        &[("default", "3"), ("1", "1"), ("2", "2"), ("3", "3")],
    ),
    (
        "LoginGraceTime",
        "Limit the SSH Login Grace Time",
        "is the time a client has to authenticate",
        "seconds",
        &[("default", "60"), ("30_seconds", "30"), ("1_minute", "60"), ("2_minutes", "120")],
    ),
    (
        "MaxSessions",
        "Limit SSH Sessions per Connection",
        "is the number of sessions one connection may open",
        "sessions",
        &[("default", "10"), ("4", "4"), ("10", "10")],
    ),
];

/// Word parts for SSH-style keywords beyond the real ones (a synthetic
/// tree of thousands of rules needs more keywords than sshd has).
pub const SSHD_PREFIX: &[(&str, &str)] =
    &[("Permit", "no"), ("Allow", "no"), ("Use", "no"), ("Enable", "no"), ("Strict", "yes"), ("Verify", "yes")];
pub const SSHD_NOUN: &[&str] = &[
    "StreamLocal",
    "ChannelRelay",
    "SocketBind",
    "AgentSocket",
    "ProxyJump",
    "SessionShare",
    "ListenBacklog",
    "Rekeying",
    "EscapeChar",
    "Multiplexing",
    "Keepalive",
    "ControlMaster",
    "GatewayBind",
    "DeviceTunnel",
    "TerminalBell",
    "HostCertificate",
    "RevokedKeys",
    "KeyExchange",
    "ForwardedSockets",
    "UnixSockets",
];
pub const SSHD_VAR_NOUN: &[&str] =
    &["Channels", "Forwards", "Listeners", "Tunnels", "Rekeys", "Probes", "Sockets", "Streams", "Relays", "Subsystems"];

/// Kernel modules: (name, what kind of thing it is).
pub const MODULES_FS: &[&str] = &[
    "cramfs", "freevxfs", "jffs2", "hfs", "hfsplus", "squashfs", "udf", "gfs2", "ocfs2", "nilfs2", "befs", "bfs",
    "efs", "minix", "qnx4", "qnx6", "sysv", "ufs", "romfs", "hpfs", "omfs", "adfs", "affs", "ksmbd", "erofs",
];
pub const MODULES_NET: &[&str] = &[
    "dccp",
    "sctp",
    "rds",
    "tipc",
    "atm",
    "can",
    "ax25",
    "netrom",
    "rose",
    "x25",
    "appletalk",
    "ipx",
    "llc",
    "p8022",
    "p8023",
    "psnap",
    "decnet",
    "econet",
    "af_802154",
    "ieee802154",
    "n_hdlc",
    "l2tp_ip",
    "phonet",
    "caif",
];
pub const MODULES_PERIPH: &[&str] = &[
    "usb-storage",
    "firewire-core",
    "firewire-ohci",
    "firewire-sbp2",
    "thunderbolt",
    "bluetooth",
    "btusb",
    "uvcvideo",
    "floppy",
    "pcspkr",
    "snd_pcsp",
    "joydev",
    "cdrom",
    "sr_mod",
];

/// Packages.
pub const PKG_CLIENTS: &[&str] = &[
    "telnet",
    "inetutils-telnet",
    "rsh-client",
    "rsh-redone-client",
    "talk",
    "inetutils-talk",
    "ftp",
    "tnftp",
    "inetutils-ftp",
    "ldap-utils",
    "nis",
    "finger",
    "rusers",
    "rwho",
    "tftp-hpa",
    "netcat-traditional",
    "rlogin",
];
pub const PKG_DAEMONS: &[&str] = &[
    "telnetd",
    "inetutils-telnetd",
    "rsh-server",
    "talkd",
    "xinetd",
    "openbsd-inetd",
    "inetutils-inetd",
    "tftpd-hpa",
    "atftpd",
    "vsftpd",
    "proftpd-basic",
    "pure-ftpd",
    "apache2",
    "nginx",
    "lighttpd",
    "bind9",
    "dnsmasq",
    "slapd",
    "snmpd",
    "squid",
    "samba",
    "dovecot-imapd",
    "dovecot-pop3d",
    "rpcbind",
    "nfs-kernel-server",
    "avahi-daemon",
    "cups",
    "isc-dhcp-server",
    "kea-dhcp4-server",
    "xserver-xorg-core",
    "prelink",
    "rsync",
    "ypserv",
    "autofs",
];
pub const PKG_REQUIRED: &[&str] = &[
    "sudo",
    "auditd",
    "audispd-plugins",
    "aide",
    "aide-common",
    "apparmor",
    "apparmor-utils",
    "apparmor-profiles",
    "libpam-pwquality",
    "libpam-tmpdir",
    "chrony",
    "rsyslog",
    "systemd-journal-remote",
    "ufw",
    "nftables",
    "unattended-upgrades",
    "apt-listchanges",
    "debsums",
    "needrestart",
    "logrotate",
    "acct",
    "sysstat",
    "cracklib-runtime",
    "debian-security-support",
    "fail2ban",
    "rkhunter",
    "usbguard",
    "libpam-modules",
];
pub const PKG_SUFFIX: &[&str] =
    &["common", "utils", "tools", "data", "doc", "client", "server", "daemon", "plugins", "extra"];

/// Files with their usual mode, owner uid and group gid.
pub type FileDef = (&'static str, &'static str, u32, u32);

pub const FILES_ACCOUNTS: &[FileDef] = &[
    ("/etc/passwd", "0644", 0, 0),
    ("/etc/passwd-", "0644", 0, 0),
    ("/etc/shadow", "0640", 0, 42),
    ("/etc/shadow-", "0640", 0, 42),
    ("/etc/group", "0644", 0, 0),
    ("/etc/group-", "0644", 0, 0),
    ("/etc/gshadow", "0640", 0, 42),
    ("/etc/gshadow-", "0640", 0, 42),
    ("/etc/shells", "0644", 0, 0),
    ("/etc/security/opasswd", "0600", 0, 0),
    ("/etc/login.defs", "0644", 0, 0),
    ("/etc/sudoers", "0440", 0, 0),
    ("/etc/security/pwquality.conf", "0644", 0, 0),
    ("/etc/security/faillock.conf", "0644", 0, 0),
    ("/etc/security/limits.conf", "0644", 0, 0),
    ("/etc/pam.d/common-auth", "0644", 0, 0),
    ("/etc/pam.d/common-password", "0644", 0, 0),
    ("/etc/pam.d/common-account", "0644", 0, 0),
    ("/etc/pam.d/common-session", "0644", 0, 0),
    ("/etc/pam.d/su", "0644", 0, 0),
    ("/etc/pam.d/sshd", "0644", 0, 0),
    ("/etc/pam.d/login", "0644", 0, 0),
];
pub const FILES_CRON: &[FileDef] = &[
    ("/etc/crontab", "0600", 0, 0),
    ("/etc/cron.hourly", "0700", 0, 0),
    ("/etc/cron.daily", "0700", 0, 0),
    ("/etc/cron.weekly", "0700", 0, 0),
    ("/etc/cron.monthly", "0700", 0, 0),
    ("/etc/cron.d", "0700", 0, 0),
    ("/etc/cron.allow", "0640", 0, 0),
    ("/etc/at.allow", "0640", 0, 0),
    ("/etc/cron.yearly", "0700", 0, 0),
    ("/var/spool/cron/crontabs", "0730", 0, 0),
];
pub const FILES_LOGS: &[FileDef] = &[
    ("/var/log/syslog", "0640", 0, 4),
    ("/var/log/auth.log", "0640", 0, 4),
    ("/var/log/kern.log", "0640", 0, 4),
    ("/var/log/messages", "0640", 0, 4),
    ("/var/log/daemon.log", "0640", 0, 4),
    ("/var/log/user.log", "0640", 0, 4),
    ("/var/log/debug", "0640", 0, 4),
    ("/var/log/cron.log", "0640", 0, 4),
    ("/var/log/mail.log", "0640", 0, 4),
    ("/var/log/wtmp", "0664", 0, 43),
    ("/var/log/btmp", "0660", 0, 43),
    ("/var/log/lastlog", "0664", 0, 43),
    ("/var/log/dpkg.log", "0644", 0, 0),
    ("/var/log/apt/history.log", "0640", 0, 4),
    ("/var/log/apt/term.log", "0640", 0, 4),
    ("/var/log/audit/audit.log", "0600", 0, 0),
    ("/var/log/audit", "0750", 0, 0),
    ("/var/log/journal", "2755", 0, 101),
    ("/var/log/faillog", "0644", 0, 0),
];
pub const FILES_BOOT: &[FileDef] = &[
    ("/boot/grub/grub.cfg", "0600", 0, 0),
    ("/etc/default/grub", "0644", 0, 0),
    ("/etc/grub.d", "0755", 0, 0),
    ("/boot/grub", "0700", 0, 0),
    ("/etc/issue", "0644", 0, 0),
    ("/etc/issue.net", "0644", 0, 0),
    ("/etc/motd", "0644", 0, 0),
];
/// Drop-in directories for synthetic configuration files: (dir, extension, mode).
pub const CONFIG_DIRS: &[(&str, &str, &str)] = &[
    ("/etc/sysctl.d", ".conf", "0644"),
    ("/etc/modprobe.d", ".conf", "0644"),
    ("/etc/security/limits.d", ".conf", "0644"),
    ("/etc/rsyslog.d", ".conf", "0640"),
    ("/etc/logrotate.d", "", "0644"),
    ("/etc/sudoers.d", "", "0440"),
    ("/etc/apt/apt.conf.d", "", "0644"),
    ("/etc/profile.d", ".sh", "0644"),
    ("/etc/ssh/sshd_config.d", ".conf", "0600"),
    ("/etc/audit/rules.d", ".rules", "0640"),
    ("/etc/systemd/journald.conf.d", ".conf", "0644"),
    ("/etc/chrony/conf.d", ".conf", "0644"),
];
pub const CONFIG_NAMES: &[&str] = &[
    "local",
    "hardening",
    "network",
    "site",
    "security",
    "defaults",
    "baseline",
    "custom",
    "tuning",
    "monitoring",
    "backup",
    "storage",
    "cluster",
    "web",
    "database",
    "mail",
    "dns",
    "proxy",
    "cache",
    "queue",
];
pub const CONFIG_PREFIXES: &[&str] = &["10", "20", "30", "50", "60", "70", "80", "90", "99"];

/// Key/value settings: (file, key, value, title, what). `sep`/`sep_regex`
/// come from the file family.
pub type KvDef = (&'static str, &'static str, &'static str, &'static str);

pub const LOGIN_DEFS: &[KvDef] = &[
    (
        "ENCRYPT_METHOD",
        "YESCRYPT",
        "Hash New Passwords with yescrypt",
        "selects the hash function for passwords set with chpasswd and similar tools",
    ),
    ("LOG_OK_LOGINS", "yes", "Log Successful Logins", "makes login record successful logins as well as failed ones"),
    ("FAILLOG_ENAB", "yes", "Record Failed Logins", "makes login record failed attempts in the failure log"),
    (
        "LOG_UNKFAIL_ENAB",
        "no",
        "Do Not Log Unknown User Names",
        "logs the user name typed for a failed login even when no such user exists",
    ),
    ("SYSLOG_SU_ENAB", "yes", "Log su Use to Syslog", "sends every use of su to the system log"),
    ("SYSLOG_SG_ENAB", "yes", "Log sg Use to Syslog", "sends every use of sg to the system log"),
    (
        "DEFAULT_HOME",
        "no",
        "Refuse Logins without a Home Directory",
        "lets users log in with / as home when their home directory is missing",
    ),
    ("CREATE_HOME", "yes", "Create Home Directories for New Users", "makes useradd create a home directory by default"),
    ("UMASK", "027", "Set the Default umask for New Files", "is the file mode creation mask PAM applies at login"),
    ("HOME_MODE", "0750", "Set the Mode of New Home Directories", "is the mode useradd gives new home directories"),
];
/// Key/value settings through a Value: (key, title, what, operator, options).
pub type KvVarDef = (&'static str, &'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

pub const LOGIN_DEFS_VAR: &[KvVarDef] = &[
    (
        "PASS_MAX_DAYS",
        "Set the Maximum Password Age",
        "is how many days a password stays valid",
        "less than or equal",
        &[("default", "365"), ("60_days", "60"), ("90_days", "90"), ("180_days", "180"), ("365_days", "365")],
    ),
    (
        "PASS_MIN_DAYS",
        "Set the Minimum Password Age",
        "is how many days must pass before a password may be changed again",
        "greater than or equal",
        &[("default", "1"), ("1_day", "1"), ("7_days", "7")],
    ),
    (
        "PASS_WARN_AGE",
        "Warn Before Passwords Expire",
        "is how many days before expiry users are warned",
        "greater than or equal",
        &[("default", "7"), ("7_days", "7"), ("14_days", "14")],
    ),
    (
        "LOGIN_RETRIES",
        "Limit Login Retries",
        "is the number of password attempts per login",
        "less than or equal",
        &[("default", "5"), ("3", "3"), ("5", "5")],
    ),
    (
        "LOGIN_TIMEOUT",
        "Limit the Login Time",
        "is the number of seconds a user has to complete a login",
        "less than or equal",
        &[("default", "60"), ("30_seconds", "30"), ("60_seconds", "60")],
    ),
    (
        "FAIL_DELAY",
        "Delay After a Failed Login",
        "is the number of seconds to wait after a failed login",
        "greater than or equal",
        &[("default", "3"), ("3_seconds", "3"), ("5_seconds", "5")],
    ),
    (
        "SHA_CRYPT_MIN_ROUNDS",
        "Set the Minimum SHA-crypt Rounds",
        "is the smallest number of rounds for SHA-crypt hashes",
        "greater than or equal",
        &[("default", "5000"), ("5000", "5000"), ("65536", "65536")],
    ),
];
pub const PWQUALITY_VAR: &[KvVarDef] = &[
    (
        "minlen",
        "Set the Minimum Password Length",
        "is the smallest acceptable password length",
        "greater than or equal",
        &[("default", "14"), ("12", "12"), ("14", "14"), ("16", "16")],
    ),
    (
        "minclass",
        "Require Several Character Classes in Passwords",
        "is the number of character classes a password must use",
        "greater than or equal",
        &[("default", "3"), ("3", "3"), ("4", "4")],
    ),
    (
        "difok",
        "Require Changed Characters in New Passwords",
        "is the number of characters that must differ from the old password",
        "greater than or equal",
        &[("default", "5"), ("5", "5"), ("8", "8")],
    ),
    (
        "maxrepeat",
        "Limit Repeated Characters in Passwords",
        "is the longest run of one character a password may contain",
        "less than or equal",
        &[("default", "3"), ("2", "2"), ("3", "3")],
    ),
    (
        "maxclassrepeat",
        "Limit Repeated Character Classes in Passwords",
        "is the longest run of one character class a password may contain",
        "less than or equal",
        &[("default", "4"), ("3", "3"), ("4", "4")],
    ),
    (
        "dcredit",
        "Require Digits in Passwords",
        "is the digit credit; a negative value requires that many digits",
        "less than or equal",
        &[("default", "-1"), ("one", "-1"), ("two", "-2")],
    ),
    (
        "ucredit",
        "Require Upper-Case Letters in Passwords",
        "is the upper-case credit; a negative value requires that many letters",
        "less than or equal",
        &[("default", "-1"), ("one", "-1"), ("two", "-2")],
    ),
    (
        "lcredit",
        "Require Lower-Case Letters in Passwords",
        "is the lower-case credit; a negative value requires that many letters",
        "less than or equal",
        &[("default", "-1"), ("one", "-1"), ("two", "-2")],
    ),
    (
        "ocredit",
        "Require Special Characters in Passwords",
        "is the credit for other characters; a negative value requires that many",
        "less than or equal",
        &[("default", "-1"), ("one", "-1"), ("two", "-2")],
    ),
    (
        "retry",
        "Limit Password Change Prompts",
        "is how often passwd asks again after a rejected password",
        "less than or equal",
        &[("default", "3"), ("1", "1"), ("3", "3")],
    ),
];
pub const PWQUALITY: &[KvDef] = &[
    (
        "dictcheck",
        "1",
        "Reject Dictionary Words as Passwords",
        "makes the module check passwords against the cracklib dictionary",
    ),
    (
        "usercheck",
        "1",
        "Reject Passwords Containing the User Name",
        "makes the module reject passwords that contain the user name",
    ),
    (
        "gecoscheck",
        "1",
        "Reject Passwords Containing GECOS Words",
        "makes the module reject passwords that contain words from the GECOS field",
    ),
];
pub const FAILLOCK_VAR: &[KvVarDef] = &[
    (
        "deny",
        "Lock Accounts After Failed Logins",
        "is the number of failures that locks an account",
        "less than or equal",
        &[("default", "5"), ("3", "3"), ("5", "5")],
    ),
    (
        "unlock_time",
        "Set the Account Lockout Time",
        "is the number of seconds after which a locked account unlocks",
        "greater than or equal",
        &[("default", "900"), ("15_minutes", "900"), ("30_minutes", "1800")],
    ),
    (
        "fail_interval",
        "Set the Failure Counting Interval",
        "is the window in seconds in which failures are counted",
        "greater than or equal",
        &[("default", "900"), ("15_minutes", "900"), ("1_hour", "3600")],
    ),
    (
        "root_unlock_time",
        "Set the Lockout Time for root",
        "is the lockout time that applies to root when root is locked too",
        "greater than or equal",
        &[("default", "60"), ("1_minute", "60"), ("15_minutes", "900")],
    ),
];
pub const JOURNALD: &[KvDef] = &[
    ("Storage", "persistent", "Keep the Journal on Disk", "decides whether the journal survives a reboot"),
    ("Compress", "yes", "Compress Large Journal Entries", "compresses large journal objects before they are written"),
    ("ForwardToSyslog", "yes", "Forward the Journal to Syslog", "passes every journal message on to the syslog daemon"),
    ("Seal", "yes", "Seal the Journal", "adds forward-secure sealing to journal files when a key exists"),
];
pub const COREDUMP: &[KvDef] = &[
    ("Storage", "none", "Do Not Store Core Dumps", "decides where systemd-coredump keeps core dumps"),
    ("ProcessSizeMax", "0", "Do Not Process Core Dumps", "is the largest core dump systemd-coredump will process"),
];

/// Boot parameters for GRUB_CMDLINE_LINUX: (argument, what).
pub const GRUB_ARGS: &[(&str, &str)] = &[
    ("audit=1", "starts auditing before the audit daemon does, so early processes are audited too"),
    ("audit_backlog_limit=8192", "gives the kernel room to queue audit records during boot"),
    ("apparmor=1", "enables AppArmor at boot"),
    ("security=apparmor", "selects AppArmor as the major security module"),
    ("slab_nomerge", "keeps slab caches apart so that one overflow cannot reach another cache"),
    ("init_on_alloc=1", "clears memory when it is allocated"),
    ("init_on_free=1", "clears memory when it is freed"),
    ("page_alloc.shuffle=1", "randomizes the page allocator free lists"),
    ("pti=on", "isolates kernel page tables from user space"),
    ("vsyscall=none", "removes the legacy vsyscall page at a fixed address"),
    ("debugfs=off", "disables the debug file system"),
    ("randomize_kstack_offset=on", "randomizes the kernel stack offset on each system call"),
    ("lockdown=integrity", "stops user space from modifying the running kernel"),
    ("module.sig_enforce=1", "loads only signed kernel modules"),
    ("oops=panic", "turns a kernel oops into a panic"),
    ("spectre_v2=on", "always enables the Spectre variant 2 mitigations"),
    ("spec_store_bypass_disable=on", "always enables the speculative store bypass mitigation"),
    ("mds=full", "enables the microarchitectural data sampling mitigation"),
    ("tsx=off", "disables transactional memory on processors that allow it"),
    ("iommu=force", "forces the IOMMU on"),
    ("iommu.strict=1", "invalidates IOMMU mappings synchronously"),
    ("efi=disable_early_pci_dma", "blocks DMA from PCI devices during early boot"),
    ("random.trust_cpu=off", "does not credit the processor's random generator alone"),
    ("ipv6.disable=1", "turns IPv6 off where it is not used"),
    ("quiet", "keeps kernel messages off the console"),
    ("nosmt", "turns simultaneous multithreading off"),
    ("kvm.nx_huge_pages=force", "always enables the iTLB multihit mitigation"),
    ("hash_pointers=always", "always hashes kernel pointers printed to logs"),
];

/// PAM services for the per-service checks.
pub const PAM_SERVICES: &[&str] = &[
    "common-auth",
    "login",
    "sshd",
    "su",
    "sudo",
    "sudo-i",
    "cron",
    "chsh",
    "chfn",
    "passwd",
    "other",
    "runuser",
    "runuser-l",
    "atd",
    "cups",
    "ppp",
    "samba",
    "vsftpd",
    "gdm-password",
    "lightdm",
    "polkit-1",
    "systemd-user",
    "chpasswd",
    "newusers",
    "dovecot",
    "xrdp-sesman",
];

/// Domains and items for limits.conf checks.
pub const LIMIT_DOMAINS: &[&str] = &[
    "*",
    "@users",
    "@staff",
    "@developers",
    "@students",
    "@guests",
    "@operators",
    "@contractors",
    "@interns",
    "@dba",
    "@webadmins",
    "@backup",
    "@monitoring",
    "@build",
    "@deploy",
    "@support",
    "@audit",
    "@qa",
];
pub const LIMIT_TEAMS: &[&str] =
    &["alpha", "bravo", "delta", "orion", "atlas", "nova", "vega", "lyra", "draco", "hydra", "pegasus", "phoenix"];

pub const WORDS_TEAM_SUFFIX: &[&str] = &["ops", "dev", "ci", "data", "net", "sec", "app", "ml"];

/// Generic sentences added to descriptions and rationales, per theme.
pub const NOTES_SYSCTL: &[&str] = &[
    "Files in <tt>/etc/sysctl.d/</tt> are read in the lexical order of their names and a later file overrides an earlier one, so a setting in <tt>99-local.conf</tt> wins over the same setting in <tt>10-network.conf</tt>.",
    "A value written with <tt>sysctl -w</tt> is lost at the next reboot unless it is also in a configuration file.",
    "Containers share the kernel of their host, which is why this rule only applies to machines.",
    "Packages sometimes ship their own files in <tt>/usr/lib/sysctl.d/</tt>; a file of the same name in <tt>/etc/sysctl.d/</tt> replaces them.",
];
pub const NOTES_NET: &[&str] = &[
    "Systems that really route traffic, such as firewalls or VPN gateways, need a documented exception to this rule.",
    "The per-interface setting and the <tt>all</tt> setting combine: for some parameters the stricter of the two applies, for others the larger value.",
    "Interfaces that are created later, such as VLANs, bridges and tunnels, take their initial values from the <tt>default</tt> entries.",
];
pub const NOTES_SSHD: &[&str] = &[
    "On Debian 12 the main configuration file includes <tt>/etc/ssh/sshd_config.d/*.conf</tt> before its own settings, and for most keywords the first value read wins.",
    "After a change, test the configuration with <tt>sshd -t</tt> and reload the service; existing sessions keep the settings they started with.",
    "A <tt>Match</tt> block can override the setting for some users or addresses; such overrides should be reviewed too.",
];
pub const NOTES_PERMS: &[&str] = &[
    "Package upgrades normally keep the mode and owner of existing files, but restoring files from a backup may not.",
    "Access control lists can grant access beyond the mode bits; check them with <tt>getfacl</tt>.",
    "The check passes when the file does not exist, since there is then nothing to protect.",
];
pub const NOTES_PKG: &[&str] = &[
    "Removing a package also removes the packages that depend on it; review the list <tt>apt-get</tt> prints before confirming.",
    "Software that is not installed cannot be attacked, misconfigured or forgotten.",
    "Installed packages receive security updates only while they stay in the archive's security suite.",
];
pub const NOTES_MODULES: &[&str] = &[
    "The <tt>install</tt> line replaces the command modprobe runs for the module, so even an explicit <tt>modprobe</tt> fails; a <tt>blacklist</tt> line alone only stops automatic loading.",
    "A module that is already loaded stays loaded until the next reboot or until it is removed with <tt>modprobe -r</tt>.",
    "The initramfs has its own copy of <tt>/etc/modprobe.d</tt>; run <tt>update-initramfs -u</tt> so that early boot follows the same policy.",
];
pub const NOTES_KV: &[&str] = &[
    "Only lines that are not comments count, and every line that sets the key must have an accepted value.",
    "The setting applies to sessions and accounts created after the change; existing ones keep their current state.",
    "Local changes to this file survive package upgrades, since it is a configuration file of its package.",
];
pub const NOTES_OVAL: &[&str] = &[
    "Configuration management tools that rewrite this file should be changed as well, or they will undo the fix at their next run.",
    "Review the file after the change: other lines may depend on the order of entries.",
    "The check reads the file only; it does not need the service to be running.",
];
pub const RATIONALE_GENERIC: &[&str] = &[
    "Each setting that deviates from the baseline is one more thing an attacker can look for and an administrator can forget.",
    "Consistent settings across systems make audits faster and deviations easier to spot.",
    "Defense in depth means that a single mistake elsewhere should not be enough to compromise the system.",
    "Most auditors expect this setting, and leaving it out needs a written justification.",
];
