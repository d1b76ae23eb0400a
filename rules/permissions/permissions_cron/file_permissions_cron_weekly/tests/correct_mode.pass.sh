#!/bin/bash
# packages = cron
mkdir -p /etc/cron.weekly
chmod 0700 /etc/cron.weekly
