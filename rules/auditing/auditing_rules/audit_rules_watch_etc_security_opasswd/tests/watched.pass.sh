#!/bin/bash
# packages = auditd
mkdir -p /etc/audit/rules.d
echo '-w /etc/security/opasswd -p wa -k identity' > /etc/audit/rules.d/scapc-test.rules
