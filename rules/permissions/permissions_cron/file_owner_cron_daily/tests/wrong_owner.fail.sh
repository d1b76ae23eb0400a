#!/bin/bash
# packages = cron
mkdir -p /etc/cron.daily
# uid 1 is daemon
chown 1 /etc/cron.daily
