#!/bin/bash
# packages = rsync
rm -f /etc/systemd/system/rsync.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/rsync.service /etc/systemd/system/multi-user.target.wants/rsync.service
