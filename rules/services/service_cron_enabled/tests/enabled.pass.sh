#!/bin/bash
# packages = cron
rm -f /etc/systemd/system/cron.service
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sfn /lib/systemd/system/cron.service /etc/systemd/system/multi-user.target.wants/cron.service
