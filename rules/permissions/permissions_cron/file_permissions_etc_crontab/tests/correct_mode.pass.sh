#!/bin/bash
# packages = cron
touch /etc/crontab
chmod 0600 /etc/crontab
