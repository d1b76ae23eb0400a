#!/bin/bash
# packages = auditd
rm -f /etc/systemd/system/auditd.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/auditd.service /etc/systemd/system/multi-user.target.wants/auditd.service
