#!/bin/bash
# packages = squid
rm -f /etc/systemd/system/squid.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/squid.service /etc/systemd/system/multi-user.target.wants/squid.service
