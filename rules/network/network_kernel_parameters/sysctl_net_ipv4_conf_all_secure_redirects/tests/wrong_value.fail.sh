#!/bin/bash
# A wrong value in /etc/sysctl.conf, the only file that sets it. (A wrong
# value in the running kernel alone cannot be shown in an offline root:
# there the configured value is the value.)
sed -i '/^[[:space:]]*net[.]ipv4[.]conf[.]all[.]secure_redirects[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
echo 'net.ipv4.conf.all.secure_redirects = 1' >> /etc/sysctl.conf
