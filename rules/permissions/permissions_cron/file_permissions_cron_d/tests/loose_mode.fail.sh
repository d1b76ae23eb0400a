#!/bin/bash
# packages = cron
mkdir -p /etc/cron.d
chmod 0777 /etc/cron.d
