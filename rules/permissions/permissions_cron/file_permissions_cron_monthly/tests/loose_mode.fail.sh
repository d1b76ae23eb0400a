#!/bin/bash
# packages = cron
mkdir -p /etc/cron.monthly
chmod 0777 /etc/cron.monthly
