#!/bin/bash
# packages = auditd
# Attribute changes (chmod, chown) are not recorded.
sed -i -E '\|^[[:space:]]*-w[[:space:]]+/etc/security/opasswd[[:space:]]|d' /etc/audit/rules.d/*.rules 2>/dev/null || true
mkdir -p /etc/audit/rules.d
echo '-w /etc/security/opasswd -p w -k identity' > /etc/audit/rules.d/scapc-test.rules
