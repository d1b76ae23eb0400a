#!/bin/bash
# packages = cron
mkdir -p /etc/cron.weekly
# gid 1 is daemon
chgrp 1 /etc/cron.weekly
