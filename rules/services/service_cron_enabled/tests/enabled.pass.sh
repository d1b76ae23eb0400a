#!/bin/bash
# packages = cron
mkdir -p /etc/systemd/system/multi-user.target.wants
ln -sf /lib/systemd/system/cron.service /etc/systemd/system/multi-user.target.wants/cron.service
