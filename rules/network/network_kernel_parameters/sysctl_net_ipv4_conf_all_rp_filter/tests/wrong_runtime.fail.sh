#!/bin/bash
# Configured for the next boot, but the running kernel has another value.
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]all[.]rp_filter[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.conf.all.rp_filter = 1' > /etc/sysctl.d/90-scapc-test.conf
sysctl -w net.ipv4.conf.all.rp_filter=0
