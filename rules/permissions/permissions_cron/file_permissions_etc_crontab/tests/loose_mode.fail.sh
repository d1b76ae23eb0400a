#!/bin/bash
# packages = cron
touch /etc/crontab
chmod 0644 /etc/crontab
