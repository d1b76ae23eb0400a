#!/bin/bash
# packages = cron
mkdir -p /etc/cron.d
# uid 1 is daemon
chown 1 /etc/cron.d
