#!/bin/bash
# packages = cron
mkdir -p /etc/cron.weekly
# uid 1 is daemon
chown 1 /etc/cron.weekly
