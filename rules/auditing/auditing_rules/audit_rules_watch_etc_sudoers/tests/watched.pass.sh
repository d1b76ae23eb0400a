#!/bin/bash
# packages = auditd
mkdir -p /etc/audit/rules.d
echo '-w /etc/sudoers -p wa -k scope' > /etc/audit/rules.d/scapc-test.rules
