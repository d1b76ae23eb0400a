#!/bin/bash
# packages = rpcbind
rm -f /etc/systemd/system/rpcbind.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/rpcbind.service /etc/systemd/system/multi-user.target.wants/rpcbind.service
