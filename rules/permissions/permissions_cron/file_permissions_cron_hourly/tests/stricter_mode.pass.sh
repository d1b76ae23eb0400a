#!/bin/bash
# packages = cron
mkdir -p /etc/cron.hourly
chmod 0500 /etc/cron.hourly
