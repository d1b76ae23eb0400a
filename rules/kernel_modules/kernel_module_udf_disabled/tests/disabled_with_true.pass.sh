#!/bin/bash
# Older guides use /bin/true; modprobe then also skips the module.
sed -i -E '/^[[:space:]]*install[[:space:]]+udf[[:space:]]/d' /etc/modprobe.d/*.conf 2>/dev/null || true
mkdir -p /etc/modprobe.d
echo 'install udf /bin/true' > /etc/modprobe.d/scapc-test.conf
