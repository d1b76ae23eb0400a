#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*max_log_file_action[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'max_log_file_action = rotate' >> /etc/audit/auditd.conf
