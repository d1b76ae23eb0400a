#!/bin/bash
# packages = samba
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/smbd.service /etc/systemd/system/multi-user.target.wants/smbd.service
ln -sfn /dev/null /etc/systemd/system/smbd.service
