#!/bin/bash
# packages = cron
mkdir -p /etc/cron.daily
chmod 0777 /etc/cron.daily
