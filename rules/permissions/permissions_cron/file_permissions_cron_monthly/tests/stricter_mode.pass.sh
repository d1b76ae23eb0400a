#!/bin/bash
# packages = cron
mkdir -p /etc/cron.monthly
chmod 0500 /etc/cron.monthly
