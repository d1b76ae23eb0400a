#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*disk_error_action[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'disk_error_action = ignore' >> /etc/audit/auditd.conf
