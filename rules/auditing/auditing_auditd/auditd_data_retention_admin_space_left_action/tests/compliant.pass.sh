#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*admin_space_left_action[[:space:]]*=/Id' /etc/audit/auditd.conf
echo 'admin_space_left_action = single' >> /etc/audit/auditd.conf
