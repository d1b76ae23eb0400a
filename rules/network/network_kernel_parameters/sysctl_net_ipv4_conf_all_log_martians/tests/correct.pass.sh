#!/bin/bash
# The parameter is set once, in a drop-in.
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]all[.]log_martians[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.conf.all.log_martians = 1' > /etc/sysctl.d/90-scapc-test.conf
