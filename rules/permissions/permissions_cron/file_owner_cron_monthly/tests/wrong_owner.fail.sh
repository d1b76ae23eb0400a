#!/bin/bash
# packages = cron
mkdir -p /etc/cron.monthly
# uid 1 is daemon
chown 1 /etc/cron.monthly
