#!/bin/bash
# A wrong value in /etc/sysctl.conf, the only file that sets it. (A wrong
# value in the running kernel alone cannot be shown in an offline root:
# there the configured value is the value.)
sed -i '/^[[:space:]]*fs[.]suid_dumpable[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'fs.suid_dumpable = 2' >> /etc/sysctl.conf
