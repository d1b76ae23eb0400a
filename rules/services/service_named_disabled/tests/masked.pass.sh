#!/bin/bash
# packages = bind9
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/named.service /etc/systemd/system/multi-user.target.wants/named.service
ln -sfn /dev/null /etc/systemd/system/named.service
