#!/bin/bash
# packages = bind9
rm -f /etc/systemd/system/named.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/named.service /etc/systemd/system/multi-user.target.wants/named.service
