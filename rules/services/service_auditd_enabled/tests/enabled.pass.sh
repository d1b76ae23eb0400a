#!/bin/bash
# packages = auditd
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /lib/systemd/system/auditd.service /etc/systemd/system/multi-user.target.wants/auditd.service
