#!/bin/bash
# packages = cron
mkdir -p /etc/cron.d
chmod 0700 /etc/cron.d
