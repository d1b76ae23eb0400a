#!/bin/bash
# Right in the running kernel, but nothing sets it for the next boot.
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]default[.]secure_redirects[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
sysctl -w net.ipv4.conf.default.secure_redirects=0
