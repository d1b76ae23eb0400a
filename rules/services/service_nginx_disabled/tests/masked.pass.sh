#!/bin/bash
# packages = nginx-common
# Masked, even though a target still wants it.
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/nginx.service /etc/systemd/system/multi-user.target.wants/nginx.service
ln -sfn /dev/null /etc/systemd/system/nginx.service
