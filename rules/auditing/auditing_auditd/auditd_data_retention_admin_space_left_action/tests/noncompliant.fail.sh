#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*admin_space_left_action[[:space:]]*=/d' /etc/audit/auditd.conf
echo 'admin_space_left_action = ignore' >> /etc/audit/auditd.conf
