#!/bin/bash
# The parameter is set once, in a drop-in.
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]default[.]accept_source_route[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.conf.default.accept_source_route = 0' > /etc/sysctl.d/90-scapc-test.conf
