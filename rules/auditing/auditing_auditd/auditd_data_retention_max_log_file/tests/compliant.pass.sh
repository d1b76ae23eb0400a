#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*max_log_file[[:space:]]*=/d' /etc/audit/auditd.conf
echo 'max_log_file = 32' >> /etc/audit/auditd.conf
