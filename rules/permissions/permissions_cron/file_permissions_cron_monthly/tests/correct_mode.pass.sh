#!/bin/bash
# packages = cron
mkdir -p /etc/cron.monthly
chmod 0700 /etc/cron.monthly
