#!/bin/bash
sed -i '/^[[:space:]]*fs[.]suid_dumpable[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
