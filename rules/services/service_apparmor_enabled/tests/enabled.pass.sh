#!/bin/bash
# packages = apparmor
rm -f /etc/systemd/system/apparmor.service
mkdir -p /etc/systemd/system/sysinit.target.wants
ln -sfn /lib/systemd/system/apparmor.service /etc/systemd/system/sysinit.target.wants/apparmor.service
