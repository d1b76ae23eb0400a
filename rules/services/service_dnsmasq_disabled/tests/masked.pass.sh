#!/bin/bash
# packages = dnsmasq
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/dnsmasq.service /etc/systemd/system/multi-user.target.wants/dnsmasq.service
ln -sfn /dev/null /etc/systemd/system/dnsmasq.service
