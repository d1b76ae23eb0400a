#!/bin/bash
# packages = nfs-kernel-server
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/nfs-server.service /etc/systemd/system/multi-user.target.wants/nfs-server.service
ln -sfn /dev/null /etc/systemd/system/nfs-server.service
