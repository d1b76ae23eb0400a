#!/bin/bash
# packages = cron
mkdir -p /etc/cron.weekly
chmod 0500 /etc/cron.weekly
