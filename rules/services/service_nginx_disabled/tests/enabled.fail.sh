#!/bin/bash
# packages = nginx-common
rm -f /etc/systemd/system/nginx.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/nginx.service /etc/systemd/system/multi-user.target.wants/nginx.service
