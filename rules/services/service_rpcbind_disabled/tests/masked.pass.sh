#!/bin/bash
# packages = rpcbind
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/rpcbind.service /etc/systemd/system/multi-user.target.wants/rpcbind.service
ln -sfn /dev/null /etc/systemd/system/rpcbind.service
