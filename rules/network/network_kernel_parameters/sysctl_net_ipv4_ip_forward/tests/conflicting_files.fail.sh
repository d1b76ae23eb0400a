#!/bin/bash
# One file sets the right value, a later one overrides it.
sed -i '/^[[:space:]]*net[.]ipv4[.]ip_forward[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.ip_forward = 0' > /etc/sysctl.d/90-scapc-test.conf
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/99-scapc-test-override.conf
