#!/bin/bash
# packages = auditd
mkdir -p /etc/audit/rules.d
echo '-w /etc/gshadow -p wa -k identity' > /etc/audit/rules.d/scapc-test.rules
