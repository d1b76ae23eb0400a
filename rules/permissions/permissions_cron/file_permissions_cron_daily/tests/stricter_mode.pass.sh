#!/bin/bash
# packages = cron
mkdir -p /etc/cron.daily
chmod 0500 /etc/cron.daily
