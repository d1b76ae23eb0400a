#!/bin/bash
# packages = cron
mkdir -p /etc/cron.hourly
# uid 1 is daemon
chown 1 /etc/cron.hourly
