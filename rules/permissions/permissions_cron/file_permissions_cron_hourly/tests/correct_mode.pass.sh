#!/bin/bash
# packages = cron
mkdir -p /etc/cron.hourly
chmod 0700 /etc/cron.hourly
