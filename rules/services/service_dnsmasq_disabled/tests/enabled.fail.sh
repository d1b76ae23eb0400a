#!/bin/bash
# packages = dnsmasq
rm -f /etc/systemd/system/dnsmasq.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/dnsmasq.service /etc/systemd/system/multi-user.target.wants/dnsmasq.service
