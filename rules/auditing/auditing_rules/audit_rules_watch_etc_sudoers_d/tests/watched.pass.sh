#!/bin/bash
# packages = auditd
mkdir -p /etc/audit/rules.d
echo '-w /etc/sudoers.d -p wa -k scope' > /etc/audit/rules.d/scapc-test.rules
