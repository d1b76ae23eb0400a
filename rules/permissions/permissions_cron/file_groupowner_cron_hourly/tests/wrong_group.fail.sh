#!/bin/bash
# packages = cron
mkdir -p /etc/cron.hourly
# gid 1 is daemon
chgrp 1 /etc/cron.hourly
