#!/bin/bash
# packages = squid
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/squid.service /etc/systemd/system/multi-user.target.wants/squid.service
ln -sfn /dev/null /etc/systemd/system/squid.service
