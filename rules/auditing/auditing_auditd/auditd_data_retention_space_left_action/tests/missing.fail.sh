#!/bin/bash
# packages = auditd
sed -i -E '/^[[:space:]]*space_left_action[[:space:]]*=/Id' /etc/audit/auditd.conf
