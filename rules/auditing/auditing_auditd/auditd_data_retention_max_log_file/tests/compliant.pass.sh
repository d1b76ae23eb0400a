#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*max_log_file[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'max_log_file = 64' >> /etc/audit/auditd.conf
