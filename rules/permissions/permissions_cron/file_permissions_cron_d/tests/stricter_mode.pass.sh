#!/bin/bash
# packages = cron
mkdir -p /etc/cron.d
chmod 0500 /etc/cron.d
