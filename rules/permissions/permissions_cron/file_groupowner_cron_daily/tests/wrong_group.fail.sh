#!/bin/bash
# packages = cron
mkdir -p /etc/cron.daily
# gid 1 is daemon
chgrp 1 /etc/cron.daily
