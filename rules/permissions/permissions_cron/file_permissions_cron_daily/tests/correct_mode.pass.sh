#!/bin/bash
# packages = cron
mkdir -p /etc/cron.daily
chmod 0700 /etc/cron.daily
