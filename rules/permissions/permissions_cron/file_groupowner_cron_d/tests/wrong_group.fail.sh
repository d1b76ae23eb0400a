#!/bin/bash
# packages = cron
mkdir -p /etc/cron.d
# gid 1 is daemon
chgrp 1 /etc/cron.d
