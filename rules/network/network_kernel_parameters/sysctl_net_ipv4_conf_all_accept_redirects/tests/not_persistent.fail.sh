#!/bin/bash
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]all[.]accept_redirects[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
sysctl -w net.ipv4.conf.all.accept_redirects=0
