#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*disk_error_action[[:space:]]*=/Id' /etc/audit/auditd.conf
