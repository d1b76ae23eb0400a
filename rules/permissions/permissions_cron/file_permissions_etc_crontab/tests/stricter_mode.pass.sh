#!/bin/bash
# packages = cron
touch /etc/crontab
chmod 0400 /etc/crontab
