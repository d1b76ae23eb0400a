#!/bin/bash
# packages = cron
mkdir -p /etc/cron.hourly
chmod 0777 /etc/cron.hourly
