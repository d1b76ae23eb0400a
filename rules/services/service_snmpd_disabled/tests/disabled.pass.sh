#!/bin/bash
# packages = snmpd
rm -f /etc/systemd/system/*.wants/snmpd.service
rm -f /etc/systemd/system/snmpd.service
