#!/bin/bash
# One file sets the right value, a later one overrides it.
sed -i '/^[[:space:]]*net[.]ipv4[.]tcp_syncookies[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.tcp_syncookies = 1' > /etc/sysctl.d/90-scapc-test.conf
echo 'net.ipv4.tcp_syncookies = 0' > /etc/sysctl.d/99-scapc-test-override.conf
