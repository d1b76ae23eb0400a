#!/bin/bash
# packages = nfs-kernel-server
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /lib/systemd/system/nfs-server.service /etc/systemd/system/multi-user.target.wants/nfs-server.service
