#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*disk_full_action[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'disk_full_action = suspend' >> /etc/audit/auditd.conf
