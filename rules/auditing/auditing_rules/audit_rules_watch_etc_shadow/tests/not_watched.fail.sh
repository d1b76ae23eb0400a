#!/bin/bash
# packages = auditd
sed -i '\#-w /etc/shadow #d' /etc/audit/rules.d/*.rules 2>/dev/null || true
