#!/bin/bash
# packages = snmpd
rm -f /etc/systemd/system/snmpd.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/snmpd.service /etc/systemd/system/multi-user.target.wants/snmpd.service
