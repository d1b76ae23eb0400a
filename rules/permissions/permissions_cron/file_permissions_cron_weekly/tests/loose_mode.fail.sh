#!/bin/bash
# packages = cron
mkdir -p /etc/cron.weekly
chmod 0777 /etc/cron.weekly
