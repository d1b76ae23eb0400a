#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*disk_full_action[[:space:]]*=/Id' /etc/audit/auditd.conf
