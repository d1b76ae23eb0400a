#!/bin/bash
# packages = auditd
# Attribute changes (chmod, chown) are not recorded.
sed -i -E '\|^[[:space:]]*-w[[:space:]]+/etc/gshadow[[:space:]]|d' /etc/audit/rules.d/*.rules 2>/dev/null || true
mkdir -p /etc/audit/rules.d
echo '-w /etc/gshadow -p w -k identity' > /etc/audit/rules.d/scapc-test.rules
