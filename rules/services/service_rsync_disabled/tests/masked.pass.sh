#!/bin/bash
# packages = rsync
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/rsync.service /etc/systemd/system/multi-user.target.wants/rsync.service
ln -sfn /dev/null /etc/systemd/system/rsync.service
