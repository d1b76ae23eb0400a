#!/bin/bash
# packages = rsync
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /lib/systemd/system/rsync.service /etc/systemd/system/multi-user.target.wants/rsync.service
