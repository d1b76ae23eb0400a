#!/bin/bash
# packages = auditd
sed -i '\#-w /etc/sudoers #d' /etc/audit/rules.d/*.rules 2>/dev/null || true
