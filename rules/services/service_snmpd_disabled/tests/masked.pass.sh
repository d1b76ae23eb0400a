#!/bin/bash
# packages = snmpd
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/snmpd.service /etc/systemd/system/multi-user.target.wants/snmpd.service
ln -sfn /dev/null /etc/systemd/system/snmpd.service
